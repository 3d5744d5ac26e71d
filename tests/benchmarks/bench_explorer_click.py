"""How long a click in the explorer takes to answer in JupyterLab, on the seed (run on demand, never in CI).

    .venv/bin/python tests/benchmarks/bench_explorer_click.py [screenshot.png]

Starts a headless ``jupyter lab`` (tests/explorer_lab.py), runs the seed notebook, and times
from the mouse click on a heatmap cell (or a bar) until the KWIC table holds the new lines
(the browser → kernel → browser round trip). KWIC of every lexicon term found in the text runs
once when the explorer is displayed (:meth:`analysis.explore.Explorer.warm`); a click filters lines.
Each case is timed once in the same run; on a shared machine the numbers are noisy. With a
path, a screenshot after the last click is written there.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import explorer_lab as lab  # noqa: E402

ROWS = "document.querySelectorAll('.explorer table.explorer-kwic tbody tr').length"


def timed_click(page, locator, before: str) -> tuple[float, str]:
    """Seconds from the click until the message above the lines changes, and the new message."""
    start = time.perf_counter()
    lab.click(locator)
    page.wait_for_function(
        f"document.querySelector('.explorer .explorer-message').textContent !== {before!r}", timeout=60_000)
    return time.perf_counter() - start, page.locator(".explorer .explorer-message").inner_text()


def main(shot: str | None = None) -> int:
    why = lab.missing()
    if why:
        print(f"skipped: {why}")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        notebook = lab.write_notebook(root)
        with lab.lab_server(root) as (url, token), lab.browser_page() as page:
            lab.open_and_run(page, url, token, notebook.name)
            message = page.locator(".explorer .explorer-message").inner_text()
            cases = [("talent × 一 (first click)", "一 · 人才"),
                     ("talent × 三 (same theme again)", "三 · 人才"),
                     ("grassroots × 四 (another theme)", "四 · 基层"),
                     ("grassroots × 二 (same theme again)", "二 · 基层")]
            for name, title in cases:
                seconds, message = timed_click(page, page.locator(f".explorer .explorer-cell[title='{title}']"), message)
                print(f"{seconds:6.3f} s  {name}: {message[:70]}")
            seconds, message = timed_click(page, page.locator(".explorer .explorer-bar[title='三 · 人才']"), message)
            print(f"{seconds:6.3f} s  bar talent × 三: {message[:70]}")
            if shot:
                page.set_viewport_size({"width": 1400, "height": 2000})
                page.locator(".explorer").scroll_into_view_if_needed()
                page.locator(".jp-NotebookPanel-notebook").evaluate("n => n.scrollTo(0, 150)")
                page.wait_for_timeout(500)
                page.screenshot(path=shot)
                print(f"screenshot: {shot}")
            lab.set_rows(page, "speech")
            lab.set_terms(page, "人才")
            page.wait_for_function("document.querySelectorAll('.explorer .explorer-cell').length === 1", timeout=60_000)
            seconds, message = timed_click(page, lab.heatmap_cell(page, "organization-work-speech", "人才"), message)
            print(f"{seconds:6.3f} s  term 人才 × the seed (rows by speech): {message[:70]}, {page.evaluate(ROWS)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
