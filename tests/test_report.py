"""Tests for analysis.output.report: assembly, failures named by notebook and cell, a real browser."""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.output import export
from analysis.output import report

KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def plotly_output(title: str) -> dict:
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["干部", "组织"], y=[3, 2]), layout=dict(title=title))
    return new_output("display_data", data={report.PLOTLY_MIME: fig.to_plotly_json()})


def tiny_png() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def executed_notebook() -> nbformat.NotebookNode:
    table = new_code_cell("table", outputs=[
        new_output("execute_result", data={"text/html": "<table><tr><td>干部</td><td>12</td></tr></table>",
                                           "text/plain": "table"}, execution_count=1)
    ])
    chart = new_code_cell("SECRET_CODE_TEXT = 1\nfig", outputs=[plotly_output("图一")])
    hidden = new_code_cell("hidden", outputs=[new_output("stream", name="stdout", text="不应出现")])
    hidden.metadata["tags"] = ["remove-output"]
    return new_notebook(cells=[
        new_markdown_cell("# 总览笔记本\n\n说明：**中文**叙述。\n\n## 第一节"),
        table,
        new_markdown_cell("## 第二节"),
        chart,
        new_code_cell("print", outputs=[new_output("stream", name="stdout", text="结果 <b>\n")]),
        new_code_cell("img", outputs=[new_output("display_data", data={"image/png": tiny_png()})]),
        hidden,
    ])


def test_build_report_has_toc_narrative_tables_and_charts_without_code():
    html = report.build_report([("01_overview", executed_notebook()), ("02_more", executed_notebook())])
    assert html.count("plotly.js v") == 1  # plotly.js once, inline
    assert "<script src=" not in html
    assert 'id="nb01-fig01"' in html and 'id="nb02-fig01"' in html
    assert "SECRET_CODE_TEXT" not in html  # code hidden
    assert "不应出现" not in html  # remove-output honoured
    assert "<table><tr><td>干部</td>" in html
    assert "结果 &lt;b&gt;" in html  # streams escaped
    assert "data:image/png;base64," in html
    toc = re.search(r'<nav class="toc">(.*?)</nav>', html, flags=re.S).group(1)
    assert "总览笔记本" in toc and "第一节" in toc and "第二节" in toc
    for anchor in re.findall(r'href="#([^"]+)"', toc):
        assert f'id="{anchor}"' in html
    assert "Noto Sans CJK SC" in html


def test_build_report_is_deterministic():
    nb = executed_notebook()
    assert report.build_report([("01_a", nb)]) == report.build_report([("01_a", nb)])


def test_figures_section_links_manifest_files(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setenv("ANALYSIS_FIGURES_DIR", str(tmp_path))
    monkeypatch.setattr(export, "start_export_server", lambda: False)
    monkeypatch.setitem(export._state, "warned", True)
    from analysis.plots import charts as plots

    t = pd.DataFrame({"term": ["干部"], "count": [1]})
    export.export_figure(plots.bar_chart(t, x="count", y="term"), "bar", notebook="01_a", data=t, title="标题")
    html = report.build_report([("01_a", executed_notebook())], figures=export.read_manifest())
    assert 'href="01_a_bar.csv"' in html and 'href="01_a_bar.html"' in html and "标题" in html


def test_report_error_names_notebook_cell_and_last_line():
    error = report.ReportError("03_keyness.ipynb", 7, "KeyError: 'year'", source="table = rates(x)\nmore")
    text = str(error)
    assert "03_keyness.ipynb, cell 7" in text and "KeyError: 'year'" in text and "table = rates(x)" in text
    assert (error.notebook, error.cell, error.error) == ("03_keyness.ipynb", 7, "KeyError: 'year'")


def test_missing_notebook_and_missing_corpus_are_reported(tmp_path):
    with pytest.raises(report.ReportError, match="no such notebook"):
        report.run_notebooks([tmp_path / "nope.ipynb"], out=tmp_path, progress=False)
    nb = tmp_path / "01_a.ipynb"
    nbformat.write(new_notebook(cells=[], metadata=KERNELSPEC), nb)
    with pytest.raises(report.ReportError, match="corpus folder does not exist"):
        report.run_notebooks([nb], corpus=tmp_path / "no-corpus", out=tmp_path, progress=False)


@pytest.mark.slow
def test_failing_cell_stops_the_run_with_its_notebook_and_cell(tmp_path):
    good = tmp_path / "01_good.ipynb"
    bad = tmp_path / "02_bad.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")], metadata=KERNELSPEC), good)
    nbformat.write(new_notebook(cells=[
        new_markdown_cell("# 坏"), new_code_cell("y = 2"), new_code_cell("raise ValueError('缺少年份')"),
    ], metadata=KERNELSPEC), bad)
    with pytest.raises(report.ReportError) as info:
        report.run_notebooks([good, bad], out=tmp_path / "out", progress=False)
    assert (info.value.notebook, info.value.cell) == ("02_bad.ipynb", 2)
    assert info.value.error == "ValueError: 缺少年份"
    assert not (tmp_path / "out" / "report.html").exists()
    assert str(info.value).startswith("02_bad.ipynb, cell 2 (`raise ValueError('缺少年份')`) failed: ValueError: 缺少年份")


def write_test_notebook(folder: Path) -> Path:
    """A tiny notebook with Chinese narrative, a table and a chart exported through the library."""
    cells = [
        new_markdown_cell("# 组织工作讲话：测试报告\n\n本笔记本只用于测试报告在浏览器中的显示。\n\n## 词频表"),
        new_code_cell(
            "import pandas as pd\n"
            "from analysis import paths\n"
            "from analysis.output import export\n"
            "from analysis.plots import charts as plots\n"
            "table = pd.DataFrame({'term': ['干部', '组织', '基层', '人才'], 'count': [12, 9, 4, 3]})\n"
            "table"
        ),
        new_markdown_cell("## 词频图\n\n条形图按出现次数排列。"),
        new_code_cell(
            "fig = plots.bar_chart(table, x='count', y='term', title='高频词（测试）',\n"
            "                      labels={'count': '出现次数', 'term': '词'})\n"
            "_ = export.export_figure(fig, 'top_terms', notebook='01_browser', data=table, title='高频词')\n"
            "fig"
        ),
        new_code_cell(
            "line = plots.line_chart(pd.DataFrame({'年份': [2018, 2019, 2020], '比率': [1.0, 1.5, 1.2]}),\n"
            "                        x='年份', y='比率', title='比率变化')\n"
            "line"
        ),
        new_code_cell("print(paths.figures_dir().name, paths.corpus_dir().name)"),
    ]
    path = folder / "01_browser.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata=KERNELSPEC), path)
    return path


@pytest.mark.slow
@pytest.mark.browser
def test_report_renders_in_headless_chromium(tmp_path, render_in_chromium):
    notebook = write_test_notebook(tmp_path)
    committed = notebook.read_bytes()
    corpus = tmp_path / "my_corpus"
    corpus.mkdir()
    out = tmp_path / "my_out"
    path = report.run_notebooks([notebook], corpus=corpus, out=out, progress=False)

    assert path == out / "report.html"
    assert notebook.read_bytes() == committed  # executed in memory only
    assert {"01_browser_top_terms.csv", "01_browser_top_terms.html"} <= {p.name for p in out.iterdir()}
    assert "my_out my_corpus" in path.read_text(encoding="utf-8")  # env overrides reached the kernel

    shot = tmp_path / "report.png"
    charts, problems = render_in_chromium(path, shot)

    assert [c["id"] for c in charts] == ["nb01-fig01", "nb01-fig02"]
    assert all(c["svgs"] >= 1 for c in charts)
    assert charts[0]["bars"] == 4
    assert "高频词（测试）" in charts[0]["text"] and "出现次数" in charts[0]["text"]
    assert problems == []
    assert shot.stat().st_size > 10_000
    if os.environ.get("ANALYSIS_SCREENSHOT"):
        target = Path(os.environ["ANALYSIS_SCREENSHOT"])
        target.mkdir(parents=True, exist_ok=True)
        (target / "report.png").write_bytes(shot.read_bytes())
