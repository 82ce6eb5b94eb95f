"""Command line: ``python -m course_utils doctor`` checks this machine for the course."""

from __future__ import annotations

import sys

USAGE = """usage: python -m course_utils doctor [--no-lab] [--timeout SECONDS]

  doctor     check Python, the packages (each one imported), PyTorch, the device, its CPU
             threads and the datasets; print OK/WARN/FAIL per requirement and exit with
             status 1 when something the course needs is missing or broken
             (0 when nothing failed, 2 for a usage error, 130 when interrupted)
  --no-lab   do not require JupyterLab (for Colab or a JupyterHub that brings its own)
  --timeout  seconds one import may take before it counts as hung (default 60)"""


def main(argv: list[str] | None = None) -> int:
    """Run the command named in ``argv`` (default: the command line); return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    if args[0] == "doctor":
        from course_utils.doctor import main as doctor

        return doctor(args[1:])
    print(f"Unknown command {args[0]!r}.\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
