"""A real browser runs the course: JupyterLab on localhost, driven by Playwright in Chromium.

For the welcome notebook and a notebook with a live widget, the test opens the notebook in
JupyterLab, runs every cell in a freshly started kernel from the Run menu, waits until the
kernel is idle, saves, and asserts that no cell produced an error and every code cell ran.
Then it moves a widget slider with the keyboard and asserts that the figure below it changed.
Screenshots go to ``build/screenshots/``.

The notebooks are copied into a temporary folder first, so JupyterLab's autosave never touches
the repository. Chromium comes from the system (Debian's ``chromium`` package; ``make test``
installs it in CI); Playwright's own browser downloads are never used. Outside CI, a machine
without Chromium or Playwright skips this test with a message saying what to install.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
TOKEN = "course-browser-test"
WELCOME = "00_welcome_and_setup.ipynb"
WIDGET_NOTEBOOK = "01_the_artificial_neuron.ipynb"
# Flags for a headless Chromium on a machine without a network or a GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.slow


def _missing(what: str) -> None:
    message = f"{what}; this test needs it to drive JupyterLab in a real browser."
    if os.environ.get("CI"):
        pytest.fail(message + " In CI, `make test` installs it: run the tests through make.")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium is not installed at {CHROMIUM} (Debian/Ubuntu: sudo apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server on a copy of two notebooks; yields (base URL, folder)."""
    folder = tmp_path_factory.mktemp("lab")
    for name in (WELCOME, WIDGET_NOTEBOOK):
        shutil.copy(ROOT / "notebooks" / name, folder / name)
    # Render every cell (no windowing), so the page holds all prompts and outputs at once.
    settings = folder / ".settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}), encoding="utf-8")
    notifications = folder / ".settings" / "@jupyterlab" / "apputils-extension"
    notifications.mkdir(parents=True)
    (notifications / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}), encoding="utf-8")
    port = _free_port()
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(folder / ".settings"), MPLBACKEND="module://matplotlib_inline.backend_inline")
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={folder}", "--ServerApp.open_browser=False",
               "--LabApp.news_url=", "--LabApp.collaborative=False"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")
    log = (folder / "lab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + (folder / "lab.log").read_text(encoding="utf-8")[-3000:])
            time.sleep(0.5)
        yield base, folder
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _url(base: str, name: str) -> str:
    """Open `name` alone, in a fresh workspace (no tabs restored from an earlier page)."""
    return f"{base}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={TOKEN}"


PROMPTS = "[...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]"
# A prompt shows "[ ]" before its cell runs, "[*]" while it is queued or running and "[n]" once it
# has run; a cell whose input is collapsed shows none. Cells run in order, so the run is over when
# the last visible prompt has a number and the kernel is idle. An error stops the run early; the
# saved file then shows which cells did not run.
STARTED = f"() => {PROMPTS}.some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
FINISHED = f"""() => {{
    const prompts = {PROMPTS}.filter(p => p.textContent.trim() !== '');
    const last = prompts.length ? prompts[prompts.length - 1].textContent : '';
    const failed = [...document.querySelectorAll('.jp-OutputArea-output .jp-RenderedText')]
        .some(e => e.textContent.includes('Traceback'));
    return (/\\[\\d+\\]/.test(last) || failed) && document.body.textContent.includes('| Idle');
}}"""


def _saved_after(path: Path, mtime: float, timeout: float = 60) -> None:
    """Wait until JupyterLab has written `path` (newer than `mtime`, and complete JSON)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.stat().st_mtime > mtime:
            try:
                json.loads(path.read_text(encoding="utf-8"))
                return
            except ValueError:
                pass  # still being written
        time.sleep(0.25)
    pytest.fail(f"JupyterLab did not save {path.name} within {timeout:.0f} s")


def _run_all_and_save(page: object, path: Path) -> None:
    """Open notebook `path`, run all cells in its new kernel, wait until done, save."""
    name = path.name
    stem = Path(name).stem
    try:
        page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell", timeout=120_000)
        # The status bar reads "Python 3 (ipykernel) | Idle" once the kernel has started.
        page.wait_for_function("() => document.body.textContent.includes('| Idle')", timeout=120_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.wait_for_function(STARTED, timeout=60_000)
        page.wait_for_function(FINISHED, timeout=600_000, polling=500)
        mtime = path.stat().st_mtime
        page.keyboard.press("Control+s")
        _saved_after(path, mtime)
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / f"{stem}_failed.png"))
        raise


def _check_saved_notebook(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    errors = [(cell.get("id"), output.get("ename"), output.get("evalue")) for cell in code
              for output in cell["outputs"] if output["output_type"] == "error"]
    assert not errors, f"{path.name}: cells raised errors in the browser: {errors}"
    not_run = [cell.get("id") for cell in code if cell.get("execution_count") is None]
    assert not not_run, f"{path.name}: cells that did not run: {not_run}"


def _open_run_and_check(browser: object, lab: tuple[str, Path], name: str) -> object:
    """A new page with notebook `name` open, all its cells run and saved without errors."""
    base, folder = lab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(_url(base, name))
    _run_all_and_save(page, folder / name)
    page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}_after_run_all.png"))
    _check_saved_notebook(folder / name)
    return page


def test_welcome_notebook_runs_in_jupyterlab(browser: object, lab: tuple[str, Path]) -> None:
    _open_run_and_check(browser, lab, WELCOME).close()


def test_widget_slider_redraws_the_figure(browser: object, lab: tuple[str, Path]) -> None:
    page = _open_run_and_check(browser, lab, WIDGET_NOTEBOOK)
    # The first live demo: a box of sliders above an output area that holds the figure.
    slider = page.locator(".jp-OutputArea .widget-slider").first
    slider.wait_for(state="visible", timeout=60_000)
    demo = slider.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][last()]")
    figure = demo.locator("img").first
    figure.wait_for(state="visible", timeout=60_000)
    figure.scroll_into_view_if_needed()
    before = figure.get_attribute("src")
    readout = slider.locator(".widget-readout")
    value_before = readout.text_content()
    page.screenshot(path=str(SCREENSHOTS / "01_widget_before.png"))
    handle = slider.locator(".noUi-handle, .ui-slider-handle").first
    handle.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    # Each key press redraws in the kernel; wait until the last redraw is done.
    page.wait_for_timeout(500)
    page.wait_for_function("() => document.body.textContent.includes('| Idle')", timeout=120_000)
    after = demo.locator("img").first.get_attribute("src")
    page.screenshot(path=str(SCREENSHOTS / "01_widget_after.png"))
    assert readout.text_content() != value_before, "the arrow keys did not move the slider"
    assert after and after != before, "moving the slider did not redraw the figure"
    page.close()
