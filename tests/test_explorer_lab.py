"""The explorer in a real JupyterLab: a headless ``jupyter lab`` driven by Playwright and Debian's chromium.

The notebook (written to tmp) loads the seed speech and shows ``explore(fs, texts=docs)``. The
test runs it, changes the selection (rows by speech, the term set 人才), clicks the one heatmap
cell with the mouse and reads the KWIC table the kernel sends back. The expected rows are the
library's own KWIC of 人才 in the seed (every occurrence in the text; ``whole_token`` where the
segmenter made 人才 one token), computed here independently of the explorer. A screenshot after
the click is written to tmp for a person to look at.
"""

from __future__ import annotations

import pytest

import explorer_lab as lab

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def expected():
    from analysis.io.corpus import load_corpus
    from analysis.stats.counts import kwic

    docs = load_corpus(lab.SEED)
    return kwic(docs, "人才")


def test_a_click_on_a_heatmap_cell_shows_its_kwic_lines(tmp_path, expected):
    why = lab.missing()
    if why:
        pytest.skip(why)
    # the library's own count on the seed: 44 lines of 人才, 25 of them where 人才 is one token
    assert (len(expected), int(expected["whole_token"].sum())) == (44, 25)
    notebook = lab.write_notebook(tmp_path)
    with lab.lab_server(tmp_path) as (url, token), lab.browser_page() as page:
        lab.open_and_run(page, url, token, notebook.name)
        themes = page.locator(".explorer .explorer-cell")
        assert themes.count() > 12  # sections × the twelve themes before the selection changes
        lab.set_rows(page, "speech")
        lab.set_terms(page, "人才")
        page.wait_for_function("document.querySelectorAll('.explorer .explorer-cell').length === 1", timeout=60_000)
        cell = lab.heatmap_cell(page, "organization-work-speech", "人才")
        assert cell.count() == 1
        lab.click(cell)
        page.wait_for_function(
            f"document.querySelectorAll('.explorer table.explorer-kwic tbody tr').length === {len(expected)}",
            timeout=60_000)
        page.locator(".explorer-lines").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "explorer.png"))
        rows = lab.kwic_rows(page)
        message = page.locator(".explorer .explorer-message").inner_text()
        assert page.problems == []
    assert len(rows) == 44 and sum(r[-1] == "✓" for r in rows) == 25
    assert [(r[1], r[3]) for r in rows] == list(zip(expected["path"], expected["hit"]))
    assert [r[-1] == "✓" for r in rows] == expected["whole_token"].tolist()
    assert message.startswith("44 lines of 人才 (25 whole tokens)")
    assert (tmp_path / "explorer.png").stat().st_size > 10_000


#: A second speech written for this test (not from any corpus): 基层 often, 人才 twice.
OTHER_SPEECH = ("一、夯实基层基础\n抓基层、打基础是长久之计。要把基层党组织建设成为坚强战斗堡垒，"
                "让基层干部有干劲。\n二、用好人才\n人才是第一资源，要把人才放到基层一线去锻炼。\n")


def test_a_click_on_a_term_of_the_two_speech_scatter_lists_it_in_both(tmp_path):
    why = lab.missing()
    if why:
        pytest.skip(why)
    from analysis.io.corpus import load_corpus
    from analysis.stats.counts import kwic

    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "organization-work-speech.txt").write_bytes(lab.SEED.read_bytes())
    (folder / "grassroots-2024.txt").write_text(OTHER_SPEECH, encoding="utf-8")
    docs = load_corpus(folder)
    ids = sorted(docs["id"].astype(str))
    expected = kwic(docs, "基层")
    assert expected.groupby("document").size().to_dict()["grassroots-2024"] == OTHER_SPEECH.count("基层")
    notebook = lab.write_notebook(tmp_path, cells=[
        "from analysis.explore import explore\n"
        "from analysis.features import build_features\n"
        "from analysis.io.corpus import load_corpus\n"
        f"docs = load_corpus({str(folder)!r})\n"
        "fs = build_features(docs, progress=False)\n"
        f"ex = explore(fs, texts=docs, selection={ids!r})\n"
        "ex"])
    with lab.lab_server(tmp_path) as (url, token), lab.browser_page() as page:
        lab.open_and_run(page, url, token, notebook.name)
        page.wait_for_selector(".explorer .js-plotly-plot", timeout=60_000)  # the scatter, drawn by plotly
        button = page.locator(".explorer button.explorer-term[title='scatter · 基层']")
        assert button.count() == 1
        lab.click(button)
        page.wait_for_function(
            f"document.querySelectorAll('.explorer table.explorer-kwic tbody tr').length === {len(expected)}",
            timeout=60_000)
        page.screenshot(path=str(tmp_path / "scatter.png"), full_page=True)
        rows = lab.kwic_rows(page)
        message = page.locator(".explorer .explorer-message").inner_text()
        assert page.problems == []
    assert sorted((r[0], r[3]) for r in rows) == sorted(zip(expected["document"], expected["hit"]))
    assert message.startswith(f"{len(expected)} lines of 基层 in A and B")
