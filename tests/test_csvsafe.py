"""CSV formula injection: every CSV the project writes neutralises formula cells; JSON stays exact.

The inputs are built here: a speech whose file name, title, region, headings and sentences
begin with ``=``, ``+``, ``-``, ``@`` or a tab, the way a hostile corpus file would.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from analysis.cli import main

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TITLE = '=HYPERLINK("http://example.invalid","点击")'
REGION = "+86区"
SPEECH = (
    f"{TITLE}\n"
    "同志们：\n"
    "一、-加强人才工作\n"
    "@各单位要重视人才，人才是第一资源。\n"
    "二、+推进基层建设\n"
    "\t=SUM(1,2)要把基层建设好，基层是根基。\n"
)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_no_formula_cells(text: str) -> list[list[str]]:
    """Every cell that starts like a formula is a plain number; return the parsed rows."""
    rows = list(csv.reader(io.StringIO(text)))
    assert rows, "no CSV written"
    for row in rows:
        for cell in row:
            if cell.startswith(TRIGGERS):
                assert _is_number(cell), f"formula-like cell written raw: {cell!r}"
    return rows


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "=danger.txt").write_text(SPEECH, encoding="utf-8")
    (folder / "manifest.csv").write_text(f"id,file,region\n,=danger.txt,{REGION}\n", encoding="utf-8")
    return folder


def cli(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


@pytest.mark.parametrize("command", [
    ["corpus"], ["outline"], ["terms", "--by", "section"], ["kwic", "人才", "--window", "7"],
    ["themes", "--by", "section"],
])
def test_every_command_neutralises_formula_cells_in_csv_and_keeps_json_exact(hostile, capsys, command):
    name, *rest = command
    argv = [name, hostile, *rest]
    rows = assert_no_formula_cells(cli(capsys, *argv))
    cells = [cell for row in rows for cell in row]
    assert "'=danger" in cells  # the document id, neutralised
    payload = json.loads(cli(capsys, *argv, "--format", "json"))
    records = payload["rows"] if isinstance(payload, dict) else payload
    ids = {r.get("id", r.get("document")) for r in records}
    assert ids == {"=danger"}  # JSON exact


def test_titles_regions_headings_and_contexts_are_neutralised(hostile, capsys):
    corpus = assert_no_formula_cells(cli(capsys, "corpus", hostile))
    header, row = corpus[0], corpus[1]
    assert row[header.index("title")] == "'" + TITLE and row[header.index("region")] == "'" + REGION
    record = json.loads(cli(capsys, "corpus", hostile, "--format", "json"))[0]
    assert record["title"] == TITLE and record["region"] == REGION

    outline = pd.DataFrame(json.loads(cli(capsys, "outline", hostile, "--format", "json"))["rows"])
    titles = [t for t in outline["title"] if isinstance(t, str) and t.startswith(TRIGGERS)]
    assert titles, "the fixture should give headings that start like formulas"
    rows = assert_no_formula_cells(cli(capsys, "outline", hostile))
    written = {row[rows[0].index("title")] for row in rows[1:]}
    assert {"'" + t for t in titles} <= written

    hits = pd.DataFrame(json.loads(cli(capsys, "kwic", hostile, "人才", "--window", "7", "--format", "json")))
    risky = [c for c in pd.concat([hits["left"], hits["right"]]) if c.startswith(TRIGGERS)]
    assert risky, "the fixture should give contexts that start like formulas"
    rows = assert_no_formula_cells(cli(capsys, "kwic", hostile, "人才", "--window", "7"))
    written = {cell for row in rows for cell in row}
    assert {"'" + c for c in risky} <= written


def test_negative_numbers_stay_numbers(hostile, capsys):
    speech = hostile / "=danger.txt"
    text = cli(capsys, "compare", f"{speech}#一", f"{speech}#二", "--measure", "logratio")
    rows = assert_no_formula_cells(text)
    column = rows[0].index("log_ratio")
    values = [row[column] for row in rows[1:]]
    assert any(v.startswith("-") for v in values)  # written as the numbers they are
    assert all(_is_number(v) for v in values if v)
    exact = pd.DataFrame(json.loads(cli(capsys, "compare", f"{speech}#一", f"{speech}#二", "--measure", "logratio",
                                        "--format", "json")))
    assert sorted(float(v) for v in values if v) == pytest.approx(sorted(exact["log_ratio"].dropna()))


def test_figure_csv_and_manifest_are_neutralised_and_read_back_exactly(tmp_path, monkeypatch):
    from analysis.output import export
    from analysis.plots import charts

    monkeypatch.setenv("ANALYSIS_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setattr(export, "start_export_server", lambda: False)  # HTML + CSV only
    data = pd.DataFrame({"term": ["=1+1", "-组织", "基层"], "log_ratio": [-1.5, 0.25, 2.0]})
    fig = charts.bar_chart(data, x="log_ratio", y="term", title="词")
    title, caption = "=cmd|' /C calc'!A0", "@SUM(1) 说明"
    written = export.export_figure(fig, "terms", notebook="03_terms", data=data, title=title, caption=caption,
                                   documents=["-doc"])
    figure_csv = written["csv"].read_bytes().decode("utf-8-sig")
    rows = assert_no_formula_cells(figure_csv)
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'-组织", "基层"]
    assert [r[1] for r in rows[1:]] == ["-1.5", "0.25", "2.0"]
    manifest_csv = written["manifest"].read_bytes().decode("utf-8-sig")
    assert_no_formula_cells(manifest_csv)
    row = export.read_figure_manifest(tmp_path / "figures").iloc[0]
    assert (row["title"], row["caption"], row["documents"]) == (title, caption, "-doc")


def test_report_prints_the_manifest_neutralised(capsys, monkeypatch, tmp_path):
    from analysis.output import report

    def fake_run(*, corpus, document, out, progress, **_):
        (tmp_path / "manifest.csv").write_text("stem,notebook,title\n02_x,02_structure,'=evil()\n", encoding="utf-8")
        return tmp_path / "report.html"

    monkeypatch.setattr(report, "run_notebooks", fake_run)
    rows = assert_no_formula_cells(cli(capsys, "report", "--out", tmp_path))
    assert rows[1][rows[0].index("title")] == "'=evil()"
    assert json.loads(cli(capsys, "report", "--out", tmp_path, "--format", "json"))[0]["title"] == "=evil()"


# --------------------------------------------------------------------------- the helper itself


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "'=1", "''-x"])
def test_every_trigger_is_neutralised_and_restored_exactly(cell):
    from analysis.output.csvsafe import neutralize_cell, restore_cell

    assert neutralize_cell(cell) == "'" + cell
    assert restore_cell(neutralize_cell(cell)) == cell


@pytest.mark.parametrize("cell", ["人才", "a=b", " =1", "'quoted", "", "1-2"])
def test_harmless_strings_are_left_alone(cell):
    from analysis.output.csvsafe import neutralize_cell, restore_cell

    assert neutralize_cell(cell) == cell and restore_cell(cell) == cell


def test_only_string_cells_and_labels_change_and_the_input_does_not():
    from analysis.output.csvsafe import neutralize_formulas

    table = pd.DataFrame({"=name": ["-a", "b"], "n": [-1, 2], "x": [-0.5, 1.5], "flag": [True, False]},
                         index=pd.Index(["@r", "s"], name="row"))
    out = neutralize_formulas(table)
    assert list(out.columns) == ["'=name", "n", "x", "flag"] and list(out.index) == ["'@r", "s"]
    assert out["'=name"].tolist() == ["'-a", "b"]
    assert out["n"].tolist() == [-1, 2] and out["x"].tolist() == [-0.5, 1.5]
    assert out.dtypes.tolist()[1:] == table.dtypes.tolist()[1:]
    assert table.columns[0] == "=name" and table["=name"].tolist() == ["-a", "b"]


def test_findings_csv_is_neutralised_and_read_back_exactly(tmp_path):
    """findings.csv is a CSV the project writes too: a finding written from a file's text cannot run in Excel."""
    import pandas as pd

    from analysis.output import export

    rows = pd.DataFrame({"text": ["=HYPERLINK(\"x\")", "人才 rises"], "subject": ["-人才", "@基层"],
                         "value": [-0.133, 0.02], "significant": [True, False]})
    export.record_findings(rows, notebook="05_x", figure="shifts", directory=tmp_path)
    written = (tmp_path / export.FINDINGS).read_text(encoding=export.CSV_ENCODING)
    assert "'=HYPERLINK" in written and "'-人才" in written and "'@基层" in written
    assert ",-0.133," in written  # numbers stay numbers
    back = export.read_findings(tmp_path)
    assert back["text"].tolist() == ['=HYPERLINK("x")', "人才 rises"]
    assert back["subject"].tolist() == ["-人才", "@基层"] and back["value"].tolist() == [-0.133, 0.02]
    export.clear_findings(["05_x"], directory=tmp_path)
    assert export.read_findings(tmp_path).empty
