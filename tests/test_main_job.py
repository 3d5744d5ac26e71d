"""The main job end to end: every notebook on the bundled corpus → figures/ + report.html.

Runs the real notebooks (in memory) into a temporary folder, then checks what a
researcher gets: a report whose every chart renders in Chromium without console errors,
and for every manifest row the files it names, with the static formats present.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.output import export
from analysis.plots import fonts
from analysis.output import report

PLOTLY_FORMATS = {"png", "svg", "pdf", "html", "csv"}
WORDCLOUD_FORMATS = {"png", "svg", "csv"}


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    notebooks = sorted(paths.notebooks_dir().glob("*.ipynb"))
    committed = {p: p.read_bytes() for p in notebooks}
    path = report.run_notebooks(corpus=paths.project_root() / "corpus", out=out, progress=False)
    return path, out, notebooks, committed


@pytest.mark.slow
def test_the_main_job_leaves_the_notebooks_unchanged(main_job):
    _, _, notebooks, committed = main_job
    assert len(notebooks) >= 4
    assert all(p.read_bytes() == committed[p] for p in notebooks)


@pytest.mark.slow
def test_every_manifest_row_has_its_files(main_job):
    _, out, notebooks, _ = main_job
    manifest = export.read_manifest(out)
    assert len(manifest) >= 8
    stems = set(manifest["stem"])
    for notebook in notebooks:
        if notebook.stem != "01_corpus_overview":  # the overview draws no chart
            assert any(s.startswith(notebook.stem + "_") for s in stems), notebook.stem
    static = export.find_chromium() is not None
    for row in manifest.itertuples(index=False):
        files = [f for f in str(row.files).split(";") if f]
        assert files and all((out / f).is_file() for f in files), row.stem
        written = {Path(f).suffix.lstrip(".") for f in files}
        assert (out / row.data).is_file() and len(pd.read_csv(out / row.data)) > 0
        if static:
            expected = WORDCLOUD_FORMATS if row.kind == "wordcloud" else PLOTLY_FORMATS
            assert expected <= written, (row.stem, written)
    on_disk = {p.name for p in out.iterdir()} - {"manifest.csv", "report.html", ".manifest.lock"}
    listed = {f for files in manifest["files"] for f in str(files).split(";") if f}
    assert not list(out.glob("*.tmp"))  # no half-written file left behind
    assert on_disk <= listed  # nothing in the folder that the manifest does not account for


@pytest.mark.slow
@pytest.mark.browser
def test_the_report_renders_every_chart_in_chromium(main_job, render_in_chromium, tmp_path):
    path, out, _, _ = main_job
    shot = tmp_path / "report.png"
    charts, problems = render_in_chromium(path, shot)
    manifest = export.read_manifest(out)
    plotly_rows = manifest[manifest["kind"] != "wordcloud"]
    assert len(charts) >= len(plotly_rows)
    assert all(c["svgs"] >= 1 for c in charts)
    assert problems == []
    html = path.read_text(encoding="utf-8")
    fonts.check_glyphs([c["text"] for c in charts])  # every drawn label has a glyph
    assert "04_emphasis" in html and "02_structure" in html
    if os.environ.get("ANALYSIS_SCREENSHOT"):
        target = Path(os.environ["ANALYSIS_SCREENSHOT"])
        target.mkdir(parents=True, exist_ok=True)
        (target / "main-report.png").write_bytes(shot.read_bytes())


OWN_SPEECH = """在全市组织工作会议上的讲话
同志们：
今天召开全市组织工作会议，主要任务是部署今年工作。下面，我讲三点意见。
一、加强干部队伍建设
（一）选优配强领导班子。要坚持好干部标准，把政治标准放在首位。
（二）大力培养年轻干部。要拓宽选人视野，加强实践锻炼。
二、深入实施人才强市战略
（一）加大引才力度。要落实人才政策，引进高层次人才和青年人才。
（二）优化人才服务。要建设人才驿站，为人才办实事。
三、夯实基层基础
（一）整顿软弱涣散基层党组织。要选好村党组织书记，推进党建引领基层治理。
（二）抓党建促乡村振兴。要发展壮大村级集体经济，加强驻村工作队管理。
同志们，让我们团结一心，为建设XX市作出新的更大贡献！
"""


@pytest.mark.slow
def test_the_notebooks_run_on_a_researchers_own_corpus(tmp_path):
    corpus = tmp_path / "my_speeches"
    corpus.mkdir()
    (corpus / "city-2024.txt").write_text(OWN_SPEECH, encoding="utf-8")
    (corpus / "county-2024.txt").write_bytes(OWN_SPEECH.replace("全市", "全县").encode("gb18030"))
    out = tmp_path / "out"
    path = report.run_notebooks(corpus=corpus, out=out, progress=False)
    html = path.read_text(encoding="utf-8")
    assert "city-2024" in html and "organization-work-speech" not in html
    manifest = export.read_manifest(out)
    single = manifest[manifest["notebook"] != "05_compare_speeches"]
    assert set(single["documents"]) == {"city-2024"}  # the single-speech notebooks study the first speech
    compared = manifest[manifest["notebook"] == "05_compare_speeches"]
    assert len(compared) and all("city-2024" in d.split(";") for d in compared["documents"])
    themes = pd.read_csv(out / "05_compare_speeches_speech_themes.csv")
    assert "city-2024" in set(themes["document"])
    if (paths.shared_dir() / "corpora" / "speeches.jsonl").exists():  # compared with the reference speeches
        shifts = pd.read_csv(out / "05_compare_speeches_theme_shifts.csv")
        assert set(shifts["comparison"]) == {"city-2024 vs p-xi-2020-zzlx", "city-2024 vs organization & party building"}
    dumbbell = pd.read_csv(out / "04_emphasis_shift_dumbbell.csv")
    talent, grassroots = (dumbbell.set_index("theme").loc[t] for t in ("talent", "grassroots"))
    assert talent["share_a"] > talent["share_b"] and grassroots["share_b"] > grassroots["share_a"]  # A = 二, B = 三
