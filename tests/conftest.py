"""Fixtures shared by several test modules, and the one rule for tests that read ../shared.

A test that reads ``../shared/corpora`` (directly, through a fixture, or through
``analysis.speeches.reference_sources``) is marked ``@pytest.mark.shared``; the collection hook
below skips every such test, with the reason, when that folder is missing (a bare clone, or
``ANALYSIS_SHARED_DIR`` pointing at a missing folder). Tests do not carry guards of their own.
"""

import os

import pytest

from analysis.paths import shared_dir


def pytest_collection_modifyitems(config, items):
    """Skip the tests marked ``shared`` when ``../shared/corpora`` is missing; order the files for xdist workers."""
    if "PYTEST_XDIST_WORKER" in os.environ:  # a pytest-xdist worker (make test: -n 2)
        items[:] = sorted(items, key=work_rank)  # stable: collection order within a rank
    corpora = shared_dir() / "corpora"
    if corpora.is_dir():
        return
    skip = pytest.mark.skip(reason=f"../shared/corpora not found: {corpora} (this test reads the reference corpora)")
    for item in items:
        if item.get_closest_marker("shared") is not None:
            item.add_marker(skip)


#: Files whose tests run whole reports (minutes each): a worker should start on them first.
LONG_FILES = ("test_main_job.py", "test_own_reports.py")


def work_rank(item) -> int:
    """Where an item's file goes in the queue of ``make test``'s two workers (``--dist loadfile
    --no-loadscope-reorder``: each file is a unit a worker takes whole, handed out in this order).

    The files that run whole reports first (the main job is the longest unit), then the rest as
    collected, the notebooks last (nbval then reads back what the main job memoized).

    >>> from types import SimpleNamespace as N
    >>> from pathlib import Path
    >>> [work_rank(N(path=Path(p))) for p in ("tests/test_main_job.py", "tests/test_cli.py", "notebooks/01.ipynb")]
    [0, 2, 3]
    """
    if item.path.name in LONG_FILES:
        return LONG_FILES.index(item.path.name)
    return 3 if item.path.suffix == ".ipynb" else 2


@pytest.fixture(scope="session")
def congress_fs():
    """Features of the 19th and 20th congress reports in ../shared/corpora, with their ids by congress.

    Only for tests marked ``shared`` (they skip, before this runs, when ../shared/corpora is missing).
    """
    path = shared_dir() / "corpora" / "cpc-congress-reports.jsonl"
    from analysis.io.corpus import load_corpus
    from analysis.features import build_features

    docs = load_corpus([path])
    docs = docs[docs["congress"].astype(str).isin(["19", "20"])]
    return build_features(docs, progress=False), dict(zip(docs["congress"].astype(str), docs["id"]))


#: How often the session fixtures below ran in this process.
RUNS = {"main_job": 0, "reference_corpus": 0}


def _runs_folder():
    """Where each run of the main job leaves a mark: the run's temporary folder (shared by xdist workers),
    or None outside a test run that made one (the root ``conftest.py`` sets ``ANALYSIS_CACHE_DIR``)."""
    from pathlib import Path

    cache = os.environ.get("ANALYSIS_CACHE_DIR")
    return Path(cache).parent / "main-job-runs" if cache else None


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when the main job ran more than once in it (in any worker): it is meant to run once."""
    folder = _runs_folder()
    if "PYTEST_XDIST_WORKER" in os.environ or folder is None or not folder.is_dir():
        return
    runs = sorted(p.name for p in folder.iterdir())
    if len(runs) > 1:
        session.config.get_terminal_writer().line(f"error: the main job ran {len(runs)} times in this test run "
                                                  f"({', '.join(runs)}); it should run once", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def folder_listing(folder) -> dict:
    """Every file below ``folder`` (hidden ones too) with its size and modification time."""
    from pathlib import Path

    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="session")
def project_folders_before():
    """``figures/`` and ``notebooks/`` of the project as they were before the main job ran (name → listing)."""
    from analysis import paths

    return {name: folder_listing(paths.project_root() / name) for name in ("figures", "notebooks")}


@pytest.fixture(scope="session")
def main_job(tmp_path_factory, project_folders_before):
    """The main job, once per test run: every notebook on the bundled corpus, into a temporary folder.

    Returns:
        ``(report path, output folder, notebook paths, their committed bytes before the run)``.
    """
    from analysis import paths
    from analysis.output import report

    out = tmp_path_factory.mktemp("figures")
    notebooks = sorted(paths.notebooks_dir().glob("*.ipynb"))
    committed = {p: p.read_bytes() for p in notebooks}
    RUNS["main_job"] += 1
    folder = _runs_folder()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}").touch()
    path = report.run_notebooks(corpus=paths.project_root() / "corpus", out=out, progress=False)
    return path, out, notebooks, committed


@pytest.fixture(scope="session")
def reference_corpus():
    """The four reference corpora of ../shared (175 documents) as loaded once per test run, with the problems.

    Only for tests marked ``shared``. The table is shared: tests select or copy, never change it.

    Returns:
        ``(documents, problems)`` of ``load_corpus(reference_sources(), on_error="collect")``.
    """
    from analysis.io.corpus import load_corpus
    from analysis.speeches import reference_sources

    RUNS["reference_corpus"] += 1
    return load_corpus(reference_sources(), on_error="collect")


CHROMIUM = "/usr/bin/chromium"
#: Flags for Debian's Chromium on a closed network, as root.
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def render_in_chromium():
    """Return a function that opens an HTML file in headless Chromium (Playwright's client,
    Debian's browser; nothing is downloaded) and reports what rendered.

    The function takes (html_path, screenshot_path) and returns (charts, problems):
    charts is one dict per plotly chart (id, svgs, bars, text) after every chart has drawn
    its SVG; problems lists console errors, page errors and failed requests. Skips when
    Chromium is missing.
    """
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    def render(path, screenshot):
        problems: list[str] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                page.wait_for_function(
                    "Array.from(document.querySelectorAll('.plotly-graph-div'))"
                    ".every(d => d.querySelector('svg.main-svg'))",
                    timeout=180000,
                )
                charts = page.evaluate(
                    "Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => ({id: d.id,"
                    " svgs: d.querySelectorAll('svg.main-svg').length, bars: d.querySelectorAll('.point').length,"
                    " text: d.textContent}))"
                )
                page.screenshot(path=str(screenshot), full_page=True, timeout=180000)  # a limit, not a target: busy machines
            finally:
                browser.close()
        return charts, problems

    return render
