"""Command line: ``python -m course_utils doctor`` checks this machine for the course."""

from __future__ import annotations

import sys

USAGE = """usage: python -m course_utils doctor [--no-lab] [--timeout SECONDS]
       python -m course_utils grade FOLDER [--out FOLDER] [--notebook-timeout S] [--cell-timeout S]
                                           [--memory-mb MB]

  doctor     check Python, the packages (each one imported), PyTorch, the device, its CPU
             threads and the datasets; print OK/WARN/FAIL per requirement and exit with
             status 1 when something the course needs is missing or broken
             (0 when nothing failed, 2 for a usage error, 130 when interrupted)
  --no-lab   do not require JupyterLab (for Colab or a JupyterHub that brings its own)
  --timeout  seconds one import may take before it counts as hung (default 60)

  grade      run every student's notebook in FOLDER (one subfolder per student, or one file
             each) in its own sandbox and record every check's verdict: writes gradebook.csv,
             summary.md and a feedback page per student into FOLDER-gradebook (or --out);
             limits per notebook (default 900 s), per cell (300 s) and of memory (4096 MB)"""


def main(argv: list[str] | None = None) -> int:
    """Run the command named in ``argv`` (default: the command line); return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    if args[0] == "doctor":
        from course_utils.doctor import main as doctor

        return doctor(args[1:])
    if args[0] == "grade":
        return _grade(args[1:])
    print(f"Unknown command {args[0]!r}.\n\n{USAGE}", file=sys.stderr)
    return 2


def _grade(args: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_utils grade")
    parser.add_argument("folder")
    parser.add_argument("--out")
    parser.add_argument("--notebook-timeout", type=float, default=900.0)
    parser.add_argument("--cell-timeout", type=float, default=300.0)
    parser.add_argument("--memory-mb", type=int, default=4096)
    try:
        options = parser.parse_args(args)
    except SystemExit as error:
        return int(error.code or 0)
    try:
        import nbclient  # noqa: F401 (comes with JupyterLab)

        from course_utils.grading import Limits, grade
    except ImportError as error:
        print(f"Grading needs nbclient and ipykernel, which come with JupyterLab ({error}): "
              "pip install -e \".[lab]\" (or pip install nbclient ipykernel).", file=sys.stderr)
        return 1
    try:
        runs = grade(options.folder, options.out, limits=Limits(options.notebook_timeout, options.cell_timeout,
                                                                options.memory_mb))
    except (FileNotFoundError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    return 0 if runs else 1


if __name__ == "__main__":
    sys.exit(main())
