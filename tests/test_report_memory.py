"""What the report's notebooks hold in memory (issues 22 and 23): counted as rows, documents and tables, never bytes.

A shown table hands at most :data:`analysis.notebook.PAYLOAD_ROWS` rows to the report; an outline
chart draws at most :data:`analysis.plots.outline.MAX_PARTS` parts; the single-speech notebooks read
only the speech they study; the comparison notebooks hold counts, not token tables; the report's
kernels keep no output cache. ``tests/benchmarks/bench_report_memory.py`` measures the bytes.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import notebook
from analysis.output import report as report_mod
from analysis.output.report_html import _result_html
from analysis.plots.outline import MAX_PARTS, parts_to_draw, plot_outline_treemap, plot_section_lengths
from analysis.speeches import corpus_documents, corpus_features, focus_document

SPEECHES = {
    "a": "一、加强基层党组织建设\n抓好基层党建，建强基层组织。\n二、做好人才工作\n重视人才，培养人才。\n",
    "b": "一、重视人才工作\n人才是第一资源。\n二、夯实基层基础\n基层治理要加强。\n",
    "c": "同志们：\n一、干部队伍建设\n选好干部，用好干部。\n二、党员教育管理\n党员要发挥作用。\n",
}


@pytest.fixture
def folder(tmp_path):
    for name, text in SPEECHES.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_long_table_travels_as_its_first_rows_and_its_length():
    table = pd.DataFrame({"term": [f"t{i}" for i in range(notebook.PAYLOAD_ROWS + 250)], "tokens": 1})
    payload = notebook.show(table, max_rows=40).payload()
    assert len(payload["rows"]) == notebook.PAYLOAD_ROWS
    assert payload["total_rows"] == notebook.PAYLOAD_ROWS + 250
    html = _result_html(payload)
    assert html.count("<tr>") == 41  # header + the 40 rows shown
    assert f"{notebook.PAYLOAD_ROWS + 250 - 40:,} more rows in the CSV" in html


def test_a_short_table_travels_whole_and_says_nothing_more():
    table = pd.DataFrame({"term": ["甲", "乙", "丙"], "tokens": [3, 2, 1]})
    payload = notebook.show(table, max_rows=2).payload()
    assert len(payload["rows"]) == 3 and "total_rows" not in payload
    assert "1 more rows in the CSV" in _result_html(payload)


def _outline(parts: int, subpoints: int) -> pd.DataFrame:
    rows = []
    for i in range(parts):
        rows.append({"document": "d", "path": f"p{i}", "parent": None, "level": 1, "title": f"第{i}部分",
                     "han_chars": 10 + subpoints})
        rows += [{"document": "d", "path": f"p{i}-{j}", "parent": f"p{i}", "level": 2, "title": "要点",
                  "han_chars": 1} for j in range(subpoints)]
    return pd.DataFrame(rows)


def test_an_outline_of_a_speech_is_drawn_whole():
    table = _outline(6, 3)
    assert parts_to_draw(table) is table
    assert len(plot_outline_treemap(table).data[0].ids) == 1 + len(table)


def test_a_huge_outline_is_drawn_by_its_first_top_level_parts():
    table = _outline(3 * MAX_PARTS, 4)
    drawn = parts_to_draw(table)
    assert len(drawn) == MAX_PARTS and set(drawn["level"]) == {1}
    assert drawn["path"].tolist() == [f"p{i}" for i in range(MAX_PARTS)]
    assert len(plot_outline_treemap(drawn).data[0].ids) == 1 + MAX_PARTS  # every parent is there
    subs = parts_to_draw(table[table["level"] == 2])
    bars = plot_section_lengths(subs)
    assert len(bars.data[0].y) == MAX_PARTS and bars.layout.height == 60 + 34 * MAX_PARTS
    with pytest.raises(ValueError, match="at least 1"):
        parts_to_draw(table, limit=0)


def test_the_speech_studied_is_read_alone(folder, monkeypatch):
    from analysis.io import corpus as corpus_mod

    made = []
    real = corpus_mod.iter_documents

    def counting(*args, **kwargs):
        for doc in real(*args, **kwargs):
            made.append(doc.id)
            yield doc

    monkeypatch.setattr(corpus_mod, "iter_documents", counting)
    monkeypatch.delenv("ANALYSIS_DOCUMENT", raising=False)
    row = focus_document(folder, "b")
    assert row["id"].tolist() == ["b"] and made == ["a", "b"]  # reading stopped at the speech, c never read
    expected = corpus_mod.select_document(corpus_mod.load_corpus(folder), "b")
    pd.testing.assert_frame_equal(row.drop(columns=["raw_offsets"]), expected.drop(columns=["raw_offsets"]))
    made.clear()
    assert focus_document(folder)["id"].tolist() == ["a"] and made == ["a"]
    monkeypatch.setenv("ANALYSIS_DOCUMENT", "c")
    assert focus_document(folder)["id"].tolist() == ["c"]
    with pytest.raises(ValueError, match="'z' is not in the corpus; its ids are: a, b, c"):
        focus_document(folder, "z")


def test_the_comparison_holds_counts_not_tokens(folder, monkeypatch, tmp_path_factory):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    full = corpus_features(corpus=folder, references=[])
    from analysis.io import corpus as corpus_mod

    def refuse(*args, **kwargs):
        raise AssertionError("load_corpus holds every text at once")

    monkeypatch.setattr(corpus_mod, "load_corpus", refuse)
    counted = corpus_features(corpus=folder, references=[], counts_only=True)
    assert len(full.tokens) > 0 and len(counted.tokens) == 0  # no token table held
    pd.testing.assert_frame_equal(full.documents, counted.documents)
    pd.testing.assert_frame_equal(full.term_counts.reset_index(drop=True), counted.term_counts.reset_index(drop=True),
                                  check_dtype=False, check_categorical=False)
    pd.testing.assert_frame_equal(full.sentence_tokens.reset_index(drop=True),
                                  counted.sentence_tokens.reset_index(drop=True), check_dtype=False,
                                  check_categorical=False)
    opening = corpus_documents(folder)  # the report's opening reads metadata without load_corpus
    assert opening["id"].tolist() == ["a", "b", "c"] and "text" not in opening.columns


def test_the_report_kernels_keep_no_output_cache(monkeypatch, tmp_path):
    import nbclient
    import nbformat

    seen = {}

    class Client:
        def __init__(self, nb, **kwargs):
            seen.update(kwargs)

        def execute(self, **kwargs):
            return None

    monkeypatch.setattr(nbclient, "NotebookClient", Client)

    class Bar:
        def update(self, n):
            pass

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    assert report_mod._execute(tmp_path / "x.ipynb", nb, env={}, config=None, timeout=5, kernel_name="python3",
                               bar=Bar(), strict=False) == []
    assert "--InteractiveShell.cache_size=0" in seen["extra_arguments"]


def test_a_notebook_that_stops_is_listed_in_the_report(monkeypatch, tmp_path):
    """A timeout or a dead kernel (as a cap-size document can cause) leaves a part the page can list."""
    import nbclient
    import nbformat

    class Client:
        def __init__(self, nb, **kwargs):
            self.started = kwargs["on_cell_start"]

        def execute(self, **kwargs):
            self.started(cell=None, cell_index=0)
            raise TimeoutError("A cell timed out while it was being executed, after 1200 seconds.")

    monkeypatch.setattr(nbclient, "NotebookClient", Client)

    class Bar:
        def update(self, n):
            pass

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    skipped = report_mod._execute(tmp_path / "05_x.ipynb", nb, env={}, config=None, timeout=5,
                                  kernel_name="python3", bar=Bar(), strict=False)
    assert skipped[0]["cell"] == 0 and "stopped here" in skipped[0]["reason"]
    html = report_mod.build_report([("05_x", nb)], skipped=skipped)
    assert "the notebook stopped here" in html


def test_a_long_text_cell_travels_cut_and_says_how_much_was_left_out():
    """One cell can hold a whole list (every outline issue of a speech with 50,000 sections was 1.7 MB of one
    cell in the report): the report gets its first PAYLOAD_CELL_CHARS characters and how many more there were."""
    long = "；".join(f"一（{i}）" for i in range(2000))
    table = pd.DataFrame({"document": ["d", "e"], "issues": [long, "短"], "found": [2000, 1]})
    rows = notebook.show(table).payload()["rows"]
    cut = rows[0][1]
    assert cut.startswith(long[:notebook.PAYLOAD_CELL_CHARS])
    assert cut.endswith(f"… ({len(long) - notebook.PAYLOAD_CELL_CHARS:,} more characters)")
    assert rows[1] == ["e", "短", 1] and rows[0][2] == 2000
    assert table.loc[0, "issues"] == long  # the table itself is not changed


def test_a_kernel_that_dies_before_its_first_cell_is_started_again_once(monkeypatch, tmp_path):
    """A kernel can die while it starts on a busy machine: nothing ran, so a second kernel runs the notebook.
    One that dies again, or dies inside a cell, stops the notebook as before."""
    import nbclient
    import nbformat

    starts = []

    def client_failing(times, in_cell=False):
        class Client:
            def __init__(self, nb, **kwargs):
                self.started = kwargs["on_cell_start"]

            def execute(self, **kwargs):
                starts.append(1)
                if len(starts) <= times:
                    if in_cell:
                        self.started(cell=None, cell_index=0)
                    raise RuntimeError("Kernel died before replying to kernel_info")
                self.started(cell=None, cell_index=0)

        return Client

    class Bar:
        def update(self, n):
            pass

    def run():
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
        return report_mod._execute(tmp_path / "04_x.ipynb", nb, env={}, config=None, timeout=5,
                                   kernel_name="python3", bar=Bar(), strict=False)

    monkeypatch.setattr(nbclient, "NotebookClient", client_failing(1))
    assert run() == [] and len(starts) == 2
    starts.clear()
    monkeypatch.setattr(nbclient, "NotebookClient", client_failing(2))
    skipped = run()
    assert len(starts) == report_mod.KERNEL_STARTS == 2 and skipped[0]["cell"] is None
    assert "Kernel died" in skipped[0]["reason"]
    starts.clear()
    monkeypatch.setattr(nbclient, "NotebookClient", client_failing(1, in_cell=True))
    skipped = run()
    assert len(starts) == 1 and skipped[0]["cell"] == 0  # a cell had started: not run again
