"""The explorer's callbacks without a browser: a selection changes the charts' data, a click gives KWIC rows.

Expected numbers are counted here by hand from the fixture texts (str.count, a regular
expression over the theme's terms) or read from the analysis function each chart draws.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.explore import KWIC_COLUMNS, explore
from analysis.features import build_features
from analysis.stats.themes import load_themes, talent_grassroots_index, theme_coverage

ONE = ("同志们：今天召开会议。\n一、重视人才工作\n要引进人才，培养人才。基层党组织要服务人才。\n"
       "二、夯实基层基础\n基层是根本。加强基层治理，关心基层干部。\n")
TWO = "一、抓好基层\n基层工作要落实。\n二、用好人才\n人才是第一资源，人才工作要加强。\n"


@pytest.fixture(scope="module")
def docs():
    return pd.DataFrame({"id": ["one", "two"], "text": [ONE, TWO], "kind": ["a", "b"]})


@pytest.fixture(scope="module")
def fs(docs):
    return build_features(docs, progress=False, cache=False)


def section_text(text: str, start: str, end: str | None) -> str:
    """The text of an outline section by hand: from its heading to the next one."""
    i = text.index(start)
    return text[i : text.index(end, i)] if end else text[i:]


def test_selection_changes_the_heatmap_and_the_bars(fs, docs):
    ex = explore(fs, texts=docs)
    assert ex.selection == ["one"]
    heat = ex.figures["heatmap"].data[0]
    assert list(heat.y) == ["开头", "一", "二"]  # the sections of the first speech
    cov = theme_coverage(fs.select(["one"]), by="section")
    cov = cov[cov["level"] <= 1]
    talent = cov[cov["theme"] == "talent"]["share_tokens"].to_numpy() * 100
    assert np.allclose(np.asarray(heat.z, dtype=float)[:, 0], talent)
    ex.update(selection=["one", "two"], rows="speech", share="sentences")
    heat = ex.figures["heatmap"].data[0]
    assert list(heat.y) == ["one", "two"]
    by_doc = theme_coverage(fs, by="document").set_index(["document", "theme"])["share_sentences"]
    assert np.allclose(np.asarray(heat.z, dtype=float)[:, 0], [100 * by_doc["one", "talent"], 100 * by_doc["two", "talent"]])
    index = talent_grassroots_index(theme_coverage(fs, by="document"), share="sentences")
    assert ex.index[["hits_talent", "hits_grassroots"]].values.tolist() == index[["hits_talent", "hits_grassroots"]].values.tolist()
    bars = ex.figures["bars"].data
    assert np.allclose(bars[0].x, 100 * index["share_talent"].to_numpy())
    assert ex.shift is not None and list(ex.shift["theme"])[:2] == ["talent", "grassroots"]


def test_a_term_set_makes_one_column_per_term(fs, docs):
    ex = explore(fs, texts=docs, selection=["one", "two"], rows="speech", terms="人才 基层")
    assert [str(x) for x in ex.figures["heatmap"].data[0].x] == ["人才", "基层"]
    hits = ex.coverage.set_index(["document", "theme"])["theme_hits"]
    # every 人才 and 基层 of the fixtures is its own word or inside one word (基层党组织): counted by hand
    assert (hits["one", "人才"], hits["two", "人才"]) == (ONE.count("人才"), TWO.count("人才"))
    ex.update(terms="")
    assert ex.terms is None and len(set(ex.coverage["theme"])) == len(set(load_themes()["theme"]))


def test_a_click_on_a_cell_lists_the_kwic_lines_of_its_section(fs, docs):
    ex = explore(fs, texts=docs, terms=["人才"])
    lines = ex.click_cell("一", "人才")
    assert list(lines.columns) == KWIC_COLUMNS
    part = section_text(ONE, "一、", "二、")
    assert len(lines) == part.count("人才") == 4
    assert set(lines["path"]) == {"一"} and set(lines["hit"]) == {"人才"}
    assert [ONE[s:e] for s, e in zip(lines["start"], lines["end"])] == ["人才"] * 4
    assert ex.message.startswith("4 lines of 人才 in 一")
    assert len(ex.click_cell("二", "人才")) == section_text(ONE, "二、", None).count("人才") == 0


def test_a_theme_cell_keeps_the_longest_hit_once(fs, docs):
    ex = explore(fs, texts=docs, selection=["two"])
    lexicon = load_themes()
    terms = sorted(lexicon.loc[lexicon["theme"] == "talent", "term"], key=len, reverse=True)
    part = section_text(TWO, "二、", None)
    by_hand = re.findall("|".join(map(re.escape, terms)), part)  # leftmost, longest alternative first
    lines = ex.click_cell("二", "人才")
    assert sorted(lines["hit"]) == sorted(by_hand)
    assert (lines["start"].to_numpy()[1:] >= lines["end"].to_numpy()[:-1]).all()  # no stretch of text twice


def test_a_bar_and_a_shift_row_answer_too(fs, docs):
    ex = explore(fs, texts=docs, selection=["one", "two"], rows="speech")
    assert len(ex.click_bar("two", "grassroots")) == TWO.count("基层")
    shift_lines = ex.click_theme("人才")
    assert set(shift_lines["document"]) == {"one", "two"}
    assert ex.message.endswith("in A and B (" + f"{int(shift_lines['whole_token'].sum())} whole tokens).")


def test_without_text_kwic_says_why(fs, docs):
    ex = explore(fs, texts=None, terms=["人才"])
    assert ex.click_cell("一", "人才").empty
    assert "no lines for one: a reference profile holds counts only, no text" in ex.message


@pytest.mark.slow
def test_on_the_shipped_profiles_a_reference_speech_has_no_lines(tmp_path):
    from analysis.io.corpus import load_corpus
    from analysis.paths import corpus_dir
    from analysis.speeches import corpus_features

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "mine.txt").write_text(ONE, encoding="utf-8")
    fs = corpus_features(corpus=folder)
    if not fs.profiled:
        pytest.skip(f"no reference profiles in {corpus_dir() / 'profiles'}")
    other = fs.profiled[0]
    ex = explore(fs, texts=load_corpus(folder), selection=["mine", other], rows="speech")
    assert ex.coverage["document"].tolist()[-1] == other  # the profile is counted
    assert ex.click_cell(other, "人才").empty
    assert f"no lines for {other}: a reference profile holds counts only" in ex.message
    ex.update(terms="人才")  # a term set is counted on full texts only: the profile is left out, and said so
    assert set(ex.coverage["document"]) == {"mine"} and any(other in n for n in ex.notes)


def test_the_widget_calls_the_same_callbacks(fs, docs):
    ex = explore(fs, texts=docs, terms=["人才"])
    box = ex.widget()
    cells = [c for c in box.children[1].children if "explorer-cell" in getattr(c, "_dom_classes", ())]
    assert [c.tooltip for c in cells] == ["开头 · 人才", "一 · 人才", "二 · 人才"]
    cells[1].click()  # what a mouse click on the cell sends
    assert box.lines.value.count("<tr>") == 1 + 4  # the header row and the four lines of 人才 in 一
    box.controls["rows"].value = "speech"
    cells = [c for c in box.children[1].children if "explorer-cell" in getattr(c, "_dom_classes", ())]
    assert [c.tooltip for c in cells] == ["one · 人才"]
    cells[0].click()
    assert f"{ONE.count('人才')} lines of 人才" in box.lines.value


def test_export_writes_the_chart_and_its_table(fs, docs, tmp_path, monkeypatch):
    from analysis.output import export

    monkeypatch.setattr(export, "find_chromium", lambda: None)  # HTML and CSV only: no browser needed here
    ex = explore(fs, texts=docs, figures=tmp_path, notebook="07_explore")
    written = ex.export("heatmap")
    table = pd.read_csv(written["csv"])
    assert len(table) == len(ex.coverage) and set(table["theme"]) == set(ex.coverage["theme"])
    assert ex.message.startswith("Exported the heatmap chart")
    assert (tmp_path / "manifest.csv").exists()


def test_the_report_shows_the_static_picture_and_not_the_widget():
    import nbformat

    from analysis.output import report
    from analysis.paths import notebooks_dir

    notebook = nbformat.read(notebooks_dir() / "07_explore.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "explore(fs" in c.source)
    assert "nbval-ignore-output" in cell.metadata["tags"]  # widget model ids change on every run
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
    html = report.build_report([("07_explore", notebook)])
    assert "VBox(" not in html and "SelectMultiple" not in html  # the widget's text form is not a result
    assert "07_explore_explorer_heatmap" in html  # its opening heatmap is, as a figure


def test_two_speeches_give_the_term_scatter_and_a_click_on_a_term_lists_it_in_a_and_b(fs, docs):
    """The scatter is term_scatter of the two picked speeches; a term button lists that term's lines on both sides."""
    from analysis.stats.scatter import term_scatter

    ex = explore(fs, texts=docs, selection=["one", "two"])
    assert ex.scatter.equals(term_scatter(fs, "one", "two"))
    assert list(ex.figures["scatter"].data[0].x) == ex.scatter["rank_a"].tolist()
    assert "人才" in ex.scatter_terms() and "基层" in ex.scatter_terms()
    lines = ex.click_scatter_term("基层")
    assert lines.groupby("document").size().to_dict() == {"one": ONE.count("基层"), "two": TWO.count("基层")}
    box = ex.widget()
    terms = [b for part in box.children for child in getattr(part, "children", ())
             for b in getattr(child, "children", ()) if "explorer-term" in getattr(b, "_dom_classes", ())]
    assert [b.description for b in terms] == ex.scatter_terms()
    terms[[b.description for b in terms].index("人才")].click()
    assert f"{ONE.count('人才') + TWO.count('人才')} lines of 人才 in A and B" in box.lines.value
    one = explore(fs, texts=docs, selection=["one"])  # one speech: the shift compares two of its sections
    assert one.scatter is None and one.scatter_terms() == []


def test_long_texts_are_not_warmed_and_a_click_still_finds_its_lines(fs, docs, monkeypatch):
    """Past WARM_CHARS the explorer runs KWIC at the click: the same lines, none computed ahead."""
    import analysis.explore as explore_module

    warmed = explore(fs, texts=docs, selection=["one"])
    assert warmed.warm() > 0
    expected = warmed.click_term("基层")
    monkeypatch.setattr(explore_module, "WARM_CHARS", sum(len(t) for t in docs["text"]) - 1)
    cold = explore(fs, texts=docs, selection=["one"])
    assert cold.warm() == 0
    pd.testing.assert_frame_equal(cold.click_term("基层"), expected)
    assert len(expected) == ONE.count("基层")


def test_a_speech_with_more_parts_than_a_grid_shows_the_first_and_says_so(fs, docs, monkeypatch):
    """Rows by section: past MAX_PARTS parts the heatmap keeps the first ones (whole top-level parts) with a note."""
    import analysis.explore as explore_module

    whole = explore(fs, texts=docs, selection=["one"])
    parts = whole.coverage[["document", "path"]].drop_duplicates()
    assert parts["path"].tolist() == ["preamble", "一", "二"]  # by hand: 同志们… before 一、, then 一 and 二
    monkeypatch.setattr(explore_module, "MAX_PARTS", 2)
    cut = explore(fs, texts=docs, selection=["one"])
    kept = cut.coverage[["document", "path"]].drop_duplicates()
    assert kept.values.tolist() == parts.head(2).values.tolist()
    assert f"the first 2 of {len(parts)} parts are shown" in "; ".join(cut.notes)
    assert not whole.notes


def test_unattended_the_widget_prepares_no_lines_and_a_click_still_finds_them(fs, docs, monkeypatch):
    """In a report's kernel (ANALYSIS_UNATTENDED=1) the widget is drawn without running KWIC ahead."""
    from analysis import paths

    attended = explore(fs, texts=docs, selection=["one"])
    monkeypatch.delenv(paths.UNATTENDED, raising=False)
    attended.widget()
    prepared = [k for k in attended._kwic_memo if k != "text_fs"]
    assert prepared  # the lexicon terms found in the texts
    expected = attended.click_term("基层")
    monkeypatch.setenv(paths.UNATTENDED, "1")
    unattended = explore(fs, texts=docs, selection=["one"])
    unattended.widget()
    assert unattended._kwic_memo == {}
    pd.testing.assert_frame_equal(unattended.click_term("基层"), expected)


def test_unattended_the_explorer_displays_as_one_line_and_makes_no_widgets(fs, docs, monkeypatch):
    """A report's kernel keeps no widgets (the report shows the charts exported below the explorer)."""
    from analysis import paths

    monkeypatch.setenv(paths.UNATTENDED, "1")
    ex = explore(fs, texts=docs, selection=["one"])
    bundle = ex._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and "Explorer of one" in bundle["text/plain"]
    assert ex._widget is None
    assert set(ex.figures) == {"heatmap", "bars", "shift", "scatter"}  # the charts are made all the same
    monkeypatch.delenv(paths.UNATTENDED)
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()


def test_the_report_runs_its_kernels_unattended():
    from analysis import paths
    from analysis.output import report

    env, _, _ = report._notebook_env(study=None, corpus=None, document=None, out=None)
    assert env[paths.UNATTENDED] == "1"


def test_a_loader_of_the_texts_is_called_at_the_first_click_that_needs_lines(fs, docs):
    """explore(workbook=…) hands the Explorer a loader: drawing the charts reads no text; one click reads it once."""
    loads = []

    def loader():
        loads.append(1)
        return docs

    ex = explore(fs, texts=loader, selection=["one"])
    assert loads == [] and ex.coverage is not None and len(ex.coverage)  # the charts, without the texts
    expected = explore(fs, texts=docs, selection=["one"]).click_term("基层")
    pd.testing.assert_frame_equal(ex.click_term("基层"), expected)
    assert len(expected) > 0 and loads == [1]
    ex.click_term("人才")
    assert loads == [1]
