"""The README's two commands: `make lab` serves the welcome notebook; nothing reinstalls twice."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WELCOME = "notebooks/00_welcome_and_setup.ipynb"
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _installed() -> bool:
    return (ROOT / ".venv" / ".course-installed").exists()


@needs_make
@pytest.mark.skipif(not _installed(), reason="run through `make test`, which installs .venv first")
def test_nothing_is_reinstalled_when_nothing_changed():
    for target in ("lab", "test"):
        plan = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout
        assert "pip install" not in plan, f"`make {target}` would reinstall:\n{plan}"
        assert "-m venv" not in plan


@needs_make
@pytest.mark.slow
@pytest.mark.skipif(not _installed(), reason="run through `make test`, which installs .venv first")
def test_make_lab_serves_the_welcome_notebook(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    args = (f"--no-browser --port={port} --IdentityProvider.token={token} --ServerApp.ip=127.0.0.1 "
            f"--ServerApp.port_retries=0")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log = (tmp_path / "lab.log").open("w+")
    server = subprocess.Popen(["make", "lab", f"LAB_ARGS={args}"], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"JupyterLab did not start:\n{log.read()}")
                time.sleep(0.5)
        with urllib.request.urlopen(f"{base}/lab/tree/{WELCOME}?token={token}", timeout=10) as page:
            assert page.status == 200
            assert "JupyterLab" in page.read().decode()
        with urllib.request.urlopen(f"{base}/api/contents/{WELCOME}?token={token}", timeout=10) as api:
            notebook = json.load(api)
        assert notebook["type"] == "notebook"
        assert notebook["content"]["cells"][0]["source"].startswith("# 00 · Welcome and setup")
        # Without the token the server refuses: `make lab` is not an open server.
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/api/contents/{WELCOME}", timeout=10)
        # The server's front page (what the browser opens) leads to the welcome notebook,
        # and the whole repository is visible, so the notebooks' links to ../README.md work.
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(f"{base}/?token={token}", timeout=10)
        assert redirect.value.headers["Location"].split("?")[0].endswith(f"/lab/tree/{WELCOME}")
        with urllib.request.urlopen(f"{base}/api/contents/README.md?token={token}", timeout=10) as api:
            assert json.load(api)["type"] == "file"
        log.seek(0)
        assert f"/lab/tree/{WELCOME}?token=" in log.read()
    finally:
        _stop(server)
        log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # surface the redirect instead of following it
        return None


def _stop(process: subprocess.Popen) -> None:
    """Stop make and the JupyterLab it started (they share a process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass  # already gone
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


FAKE_SSH = """#!/bin/sh
# Stands in for ssh: skips the -o options, "connects" to any host but unreachable-*, and runs
# the remote command here.
while [ "$1" = "-o" ]; do shift 2; done
host="$1"; shift
case "$host" in unreachable-*) echo "ssh: connect to host $host: No route to host" >&2; exit 255;; esac
exec sh -c "$*"
"""


@needs_make
@pytest.mark.slow
@pytest.mark.skipif(not _installed(), reason="run through `make test`, which installs .venv first")
def test_make_doctor_checks_every_host_of_a_lab(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ssh = bin_dir / "ssh"
    ssh.write_text(FAKE_SSH, encoding="utf-8")
    ssh.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    command = ["make", "--no-print-directory", "doctor", f"LAB_DIR={ROOT}"]
    good = subprocess.run([*command, "HOSTS=pc01 pc02"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "== pc01" in good.stdout and "== pc02" in good.stdout
    assert good.stdout.count("OK    Python") == 2 and "All hosts ready." in good.stdout
    mixed = subprocess.run([*command, "HOSTS=pc01 unreachable-pc02"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300)
    assert mixed.returncode != 0
    assert "Not ready: unreachable-pc02" in mixed.stdout, mixed.stdout + mixed.stderr
