"""Drive the explorer in a real JupyterLab: start ``jupyter lab`` headless, open a notebook in Debian's chromium.

Used by tests/test_explorer_lab.py (what the page shows after a click) and
tests/benchmarks/bench_explorer_click.py (how long a click takes to answer). Nothing is
downloaded: Playwright's client drives /usr/bin/chromium; the lab server serves the widget
front end installed in the venv (ipywidgets) and plotly's renderer.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SEED = ROOT / "corpus" / "organization-work-speech.txt"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: The notebook the lab opens: the seed speech alone, its features, the explorer as the last value.
CELLS = [
    "from analysis.explore import explore\n"
    "from analysis.features import build_features\n"
    "from analysis.io.corpus import load_corpus\n"
    f"docs = load_corpus({str(SEED)!r})\n"
    "fs = build_features(docs, progress=False)\n"
    "ex = explore(fs, texts=docs)\n"
    "ex",
]


def missing() -> str | None:
    """Why the lab test cannot run here (None when it can)."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; no browser download is needed)"
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return "ipywidgets is not installed"
    return None


def write_notebook(folder: Path, name: str = "explore.ipynb", cells: list[str] | None = None) -> Path:
    """Write a notebook of code cells (default :data:`CELLS`) into ``folder``; return its path."""
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
              "source": source} for i, source in enumerate(CELLS if cells is None else cells)]
    notebook = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                                            "language": "python", "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    path = folder / name
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def lab_server(root: Path, *, timeout: float = 90):
    """A headless ``jupyter lab`` on a free local port serving ``root``; yields its base URL and token.

    The kernel imports this checkout's ``analysis`` (PYTHONPATH), settings and runtime files stay in
    ``root`` so nothing of the user's is touched; the server is stopped (and killed if need be) on exit.
    """
    port, token = free_port(), secrets.token_hex(16)
    home = root / ".home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "IPYTHONDIR": str(home / "ipython")}
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--ServerApp.port_retries=0", "--allow-root", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(home / "lab.log", "wb")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({server.returncode}): {(home / 'lab.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not answer within {timeout} s")
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


@contextmanager
def browser_page(*, width: int = 1400, height: int = 1000):
    """A page of headless Debian chromium (Playwright's client); console errors collected in ``page.problems``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.problems = []
            page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
            yield page
        finally:
            browser.close()


def open_and_run(page, url: str, token: str, notebook: str, *, timeout: float = 180_000):
    """Open the notebook, run all its cells, and wait until the explorer's heatmap has drawn."""
    page.goto(f"{url}/lab/tree/{notebook}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout)
    # a fresh lab asks which kernel to start: the notebook's own (preselected)
    select = page.locator(".jp-Dialog button:has-text('Select')")
    try:
        select.wait_for(timeout=15_000)
        select.click()
    except Exception:  # noqa: BLE001 - no dialog: the kernel started by itself
        pass
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_selector(".explorer .explorer-cell", timeout=timeout)
    news = page.locator(".jp-toast-button:has-text('No')")  # "notified about Jupyter news?" covers the lines
    if news.count():
        news.first.click()
    page.wait_for_selector(".explorer-lines", timeout=timeout)


def set_rows(page, value: str) -> None:
    page.locator(".explorer .widget-dropdown").filter(has_text="Rows").locator("select").select_option(value)


def set_terms(page, terms: str) -> None:
    box = page.locator(".explorer .widget-text").filter(has_text="Terms").locator("input")
    box.fill(terms)
    box.press("Enter")


def heatmap_cell(page, row: str, column: str):
    """The button that is the heatmap cell of ``row`` and ``column`` (its tooltip names both)."""
    return page.locator(f".explorer .explorer-cell[title='{row} · {column}']")


def click(locator) -> None:
    """A real mouse click at the element's centre (moved there first, then pressed and released)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page = locator.page
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def kwic_rows(page) -> list[list[str]]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('.explorer table.explorer-kwic tbody tr'))"
        ".map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent))")
