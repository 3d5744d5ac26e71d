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


def result_output(frame, **kwargs) -> dict:
    """The output of ``wb.show(frame)``: the typed table the report renders."""
    from analysis.notebook import show

    return new_output("execute_result", data=show(frame, **kwargs)._repr_mimebundle_(), execution_count=1)


def executed_notebook() -> nbformat.NotebookNode:
    import pandas as pd

    table = new_code_cell("table", outputs=[result_output(pd.DataFrame({"term": ["干部"], "tokens": [12]}))])
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
    assert '<td class="text">干部</td>' in html and '<td class="num">12</td>' in html
    assert "结果" not in html  # plain prints are not part of the report: it is built from typed results
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
    html = report.build_report([("01_a", executed_notebook())], figures=export.read_figure_manifest())
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
def test_a_failing_cell_is_skipped_and_listed_and_strict_stops_at_it(tmp_path):
    good = tmp_path / "01_good.ipynb"
    bad = tmp_path / "02_bad.ipynb"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("同志们：\n要做好人才工作。\n", encoding="utf-8")
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")], metadata=KERNELSPEC), good)
    nbformat.write(new_notebook(cells=[
        new_markdown_cell("# 坏"), new_code_cell("y = 2"), new_code_cell("raise ValueError('缺少年份')"),
        new_code_cell("print(y_missing)"), new_markdown_cell("## 后面"), new_code_cell("z = 3"),
    ], metadata=KERNELSPEC), bad)
    path = report.run_notebooks([good, bad], corpus=corpus, out=tmp_path / "out", progress=False)
    html = path.read_text(encoding="utf-8")
    top = html.split('<h2 id="question">', 1)[0]
    assert "Parts not run for these speeches (1)" in top
    assert "02_bad</strong>, cell 2: ValueError: 缺少年份 (1 later part(s) that need it were not run either)" in top
    assert "后面" in html  # the notebook went on after the failing cell
    with pytest.raises(report.ReportError) as info:
        report.run_notebooks([good, bad], corpus=corpus, out=tmp_path / "strict", progress=False, strict=True)
    assert (info.value.notebook, info.value.cell) == ("02_bad.ipynb", 2)
    assert info.value.error == "ValueError: 缺少年份"
    assert not (tmp_path / "strict" / "report.html").exists()
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
        new_code_cell("(paths.figures_dir() / 'where.txt').write_text(paths.figures_dir().name + ' ' + "
                      "paths.corpus_dir().name, encoding='utf-8')"),
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
    (corpus / "a.txt").write_text("同志们：\n要做好人才工作。\n", encoding="utf-8")
    out = tmp_path / "my_out"
    path = report.run_notebooks([notebook], corpus=corpus, out=out, progress=False)

    assert path == out / "report.html"
    assert notebook.read_bytes() == committed  # executed in memory only
    assert {"01_browser_top_terms.csv", "01_browser_top_terms.html"} <= {p.name for p in out.iterdir()}
    assert (out / "where.txt").read_text(encoding="utf-8") == "my_out my_corpus"  # env overrides reached the kernel

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


# --------------------------------------------------------------------------- the report a colleague reads


def reader_notebook() -> nbformat.NotebookNode:
    import pandas as pd

    from analysis.results import declare

    lengths = pd.DataFrame({"path": ["preamble", "一", "closing"], "title": ["同志们：今天开会", "加强干部队伍建设", ""],
                            "han_chars": [120, 900, 40], "share_of_document": [0.1125, 0.85, 0.0375]})
    shift = declare(pd.DataFrame({"theme": ["talent"], "share_a": [0.12], "diff": [-0.116], "ci_low": [-0.15],
                                  "ci_high": [-0.09]}), result="theme_shift", estimate="diff",
                    sides={"a": "三", "b": "四"})
    index = declare(pd.DataFrame({"document": ["d"], "index": [0.847], "ci_low": [-0.05], "ci_high": [1.2]}),
                    result="speech_index", estimate="index")
    chart = new_code_cell('wb.export(fig, "bars", data=t)', outputs=[plotly_output("词频")])
    return new_notebook(cells=[
        new_markdown_cell("# 结构\n\n中文叙述，不应两端对齐。<script>alert(1)</script>"),
        new_code_cell("lengths", outputs=[result_output(lengths)]),
        new_code_cell("shift", outputs=[result_output(shift)]),
        new_code_cell("index", outputs=[result_output(index)]),
        new_code_cell("problems", outputs=[result_output(pd.DataFrame({"file": [], "problem": []}),
                                                         caption="Files that could not be loaded")]),
        new_code_cell("settings", outputs=[new_output("execute_result", data={
            "text/plain": "{'segmenter': 'jieba', 'hmm': False}"}, execution_count=2)]),
        chart,
    ])


def test_tables_are_formatted_from_their_declarations():
    html = report.build_report([("02_structure", reader_notebook())], made="2024-01-01")
    body = html.split("</header>", 1)[1]
    assert ">11.2%</td>" in body and ">3.8%</td>" in body  # shares as percentages (0.1125, 0.0375)
    assert ">−11.6 pp</td>" in body and ">12.0%</td>" in body and ">−15.0 pp</td>" in body  # a share difference
    assert ">+0.85</td>" in body and ">−0.05</td>" in body and "+84.7 pp" not in body  # a log ratio is never pp
    assert "A = 三; B = 四; differences are B − A." in body
    assert "Nothing to list: the table is empty." in body  # an empty table is a sentence
    assert "{'" not in body  # untyped outputs are not in the report
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "text-align: justify" not in html


def test_figures_are_numbered_with_manifest_captions_and_findings_link_to_them(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setenv("ANALYSIS_FIGURES_DIR", str(tmp_path))
    monkeypatch.setattr(export, "start_export_server", lambda: False)
    monkeypatch.setitem(export._state, "warned", True)
    from analysis.plots import charts as plots

    t = pd.DataFrame({"term": ["干部"], "count": [1]})
    export.export_figure(plots.bar_chart(t, x="count", y="term"), "bars", notebook="02_structure", data=t,
                         title="高频词", caption="Counts after stopword removal.")
    rows = pd.DataFrame({"text": ["人才 falls by 11.6 pp.", "Nothing else moved."], "significant": [True, False]})
    export.record_findings(rows, notebook="02_structure", figure="bars")
    nb = reader_notebook()
    nb.cells.insert(1, new_code_cell("fig", outputs=[plotly_output("未导出")]))  # a chart without export: Figure 1
    html = report.build_report([("02_structure", nb)], figures=export.read_figure_manifest(), findings=export.read_findings(),
                               made="2024-01-01")
    assert "<strong>Figure 1.</strong> 未导出." in html
    assert "<strong>Figure 2.</strong> 高频词. Counts after stopword removal." in html
    assert 'id="fig-02_structure_bars"' in html
    opening = html.split("</header>", 1)[0]
    assert 'href="#fig-02_structure_bars">(Figure 2)</a>' in opening
    assert opening.index("人才 falls") < opening.index("Nothing else moved")  # significant first
    assert "Made on 2024-01-01" in opening and "Question" in opening


def test_opening_names_the_study_corpus_groups_and_settings():
    import pandas as pd

    from analysis.settings import Settings
    from analysis.stats.meta import describe_group
    from analysis.study import study_from_dict

    docs = pd.DataFrame({"id": ["a", "b"], "title": ["县委书记讲话", "区委书记讲话"], "date": ["2021-03-01", "2023-02-01"],
                         "level": ["county", "district"], "han_chars": [5000, 7000]})
    study = study_from_dict({"title": "两个县区讲话", "focus": ["a"], "comparisons": [{"a": "a", "b": "b"}]})
    groups = describe_group(docs, ["a", "b"], name="both")
    html = report.build_report([("01_a", executed_notebook())], documents=docs, study=study, groups=groups,
                               settings=Settings(), corpus="my_corpus", made="2024-01-01")
    opening = html.split("</header>", 1)[0]
    assert "<h1>两个县区讲话</h1>" in opening
    assert "a vs b" in opening and "2 speech(es) with full text" in opening
    assert "区委书记讲话" in opening and "7,000" in opening
    assert "only 2 speeches (&lt; 5)" in opening  # the group's warning
    assert Settings().fingerprint() in opening and "jieba" in opening and "themes.yaml" in opening


def test_the_report_allows_only_its_own_scripts():
    html = report.build_report([("02_structure", reader_notebook())], made="2024-01-01")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src &#x27;none&#x27;" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    import hashlib

    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert digest in policy


def test_findings_of_a_chart_are_replaced_on_rerun_and_cleared_per_notebook(tmp_path):
    import pandas as pd

    one = pd.DataFrame({"text": ["a", "b"], "significant": [True, False], "value": [0.5, None]})
    export.record_findings(one, notebook="04_emphasis", figure="shift", directory=tmp_path)
    export.record_findings(one.head(1), notebook="05_compare", figure="shift", directory=tmp_path)
    export.record_findings(one.head(1).assign(text="c"), notebook="04_emphasis", figure="shift", directory=tmp_path)
    table = export.read_findings(tmp_path)
    assert table[["notebook", "text"]].values.tolist() == [["04_emphasis", "c"], ["05_compare", "a"]]
    assert table["significant"].tolist() == [True, True] and table["value"].tolist() == [0.5, 0.5]
    export.clear_findings(["04_emphasis"], directory=tmp_path)
    assert export.read_findings(tmp_path)["notebook"].tolist() == ["05_compare"]
    with pytest.raises(KeyError, match="text"):
        export.record_findings(pd.DataFrame({"x": [1]}), notebook="04_emphasis", directory=tmp_path)


@pytest.mark.slow
def test_missing_chromium_is_said_on_stderr_with_what_was_skipped(tmp_path, monkeypatch, capsys):
    notebook = write_test_notebook(tmp_path)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-browser"))  # kaleido's own override: nothing there
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))  # no render cached earlier in this run
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.pdf").write_bytes(b"%PDF old")
    path = report.run_notebooks([notebook], out=tmp_path / "out", progress=True)
    err = capsys.readouterr().err
    assert "01_browser.ipynb: ok" in err
    assert "no Chromium" in err and "skipped" in err and "PNG, SVG and PDF of 1 chart(s)" in err
    assert "report.pdf" in err
    for way in ("apt-get install chromium", "Chrome", "Edge", "BROWSER_PATH", "plotly_get_chrome"):
        assert way in err, way
    assert not (tmp_path / "out" / "report.pdf").exists()  # never a PDF older than the HTML
    html = path.read_text(encoding="utf-8")
    assert "No Chromium was found" in html and str(tmp_path) not in html


def test_the_printable_variant_has_the_charts_as_images_and_no_script(tmp_path):
    """build_report(static=True): the exported SVG (listed in the manifest) replaces the chart; no plotly.js."""
    import pandas as pd

    svg = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><text>干部</text></svg>"
    (tmp_path / "01_a_bar.svg").write_text(svg, encoding="utf-8")
    nb = executed_notebook()
    nb.cells[3].outputs[0].metadata = {"analysis": {"stem": "01_a_bar"}}
    row = {c: "" for c in export.MANIFEST_COLUMNS} | {"stem": "01_a_bar", "notebook": "01_a", "title": "标题",
                                                     "files": "01_a_bar.svg"}
    manifest = pd.DataFrame([row])
    html = report.build_report([("01_a", nb)], figures=manifest, static=True, directory=tmp_path)
    assert "plotly.js v" not in html and "<script" not in html and "script-src &#x27;none&#x27;" in html
    image = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    assert image in html
    assert "Figure 1." in html and "标题" in html
    interactive = report.build_report([("01_a", nb)], figures=manifest)
    assert interactive.count("plotly.js v") == 1 and image not in interactive


def test_the_report_can_load_plotly_from_its_folder():
    """plotlyjs="directory" (what run_notebooks writes): one <script src="plotly.min.js">, allowed by the policy."""
    html = report.build_report([("01_a", executed_notebook())], plotlyjs="directory")
    assert "plotly.js v" not in html
    assert re.findall(r'<script[^>]* src="([^"]+)"', html) == ["plotly.min.js"]
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "script-src &#x27;self&#x27;" in policy
    with pytest.raises(ValueError, match="plotlyjs"):
        report.build_report([("01_a", executed_notebook())], plotlyjs="cdn")
