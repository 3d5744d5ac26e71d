"""The main job end to end: every notebook on the bundled corpus → figures/ + report.html.

Runs the real notebooks (in memory) into a temporary folder, once per test run (the
session fixture ``main_job`` in ``tests/conftest.py``), then checks what a researcher gets:
a report whose every chart renders in Chromium without console errors, and for every manifest
row the files it names, with the static formats present.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.output import export
from analysis.plots import fonts

PLOTLY_FORMATS = {"png", "svg", "pdf", "html", "csv"}
WORDCLOUD_FORMATS = {"png", "svg", "csv"}
NETWORK_FORMATS = {"graphml", "gexf", "csv"}  # a graph for Gephi: GraphML, GEXF, edges and nodes as CSV
FORMATS = {"plotly": PLOTLY_FORMATS, "wordcloud": WORDCLOUD_FORMATS, "network": NETWORK_FORMATS}


@pytest.mark.slow
def test_the_main_job_leaves_the_notebooks_unchanged(main_job):
    _, _, notebooks, committed = main_job
    assert len(notebooks) >= 4
    assert all(p.read_bytes() == committed[p] for p in notebooks)


@pytest.mark.slow
def test_the_main_job_writes_nothing_into_figures_or_notebooks_and_leaves_nothing_behind(main_job,
                                                                                         project_folders_before):
    from conftest import folder_listing

    _, out, _, _ = main_job
    for name, before in project_folders_before.items():
        assert folder_listing(paths.project_root() / name) == before, name
    left = [p.name for p in out.iterdir() if p.name.startswith(".") or p.suffix in (".tmp", ".lock")]
    assert left == []  # no lock file, no temporary file, no page printed for the PDF
    cache = paths.cache_dir()
    assert not [p for p in cache.rglob("*") if p.name.endswith(".tmp")] if cache.exists() else True


@pytest.mark.slow
def test_every_manifest_row_has_its_files(main_job):
    _, out, notebooks, _ = main_job
    manifest = export.read_figure_manifest(out)
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
        if static or row.kind == "network":
            expected = FORMATS[row.kind]
            assert expected <= written, (row.stem, written)
    on_disk = {p.name for p in out.iterdir()} - {"manifest.csv", "findings.csv", "report.html", "report.pdf",
                                                 "plotly.min.js"}  # no lock file, no temporary file left
    listed = {f for files in manifest["files"] for f in str(files).split(";") if f}
    assert not list(out.glob("*.tmp"))  # no half-written file left behind
    assert on_disk <= listed  # nothing in the folder that the manifest does not account for


@pytest.mark.slow
@pytest.mark.browser
def test_the_report_renders_every_chart_in_chromium(main_job, render_in_chromium, tmp_path):
    path, out, _, _ = main_job
    shot = tmp_path / "report.png"
    charts, problems = render_in_chromium(path, shot)
    manifest = export.read_figure_manifest(out)
    plotly_rows = manifest[manifest["kind"] == "plotly"]
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


@pytest.mark.slow
def test_every_csv_the_main_job_writes_has_only_glossary_columns(main_job):
    from analysis.results import undeclared_columns

    _, out, _, _ = main_job
    files = sorted(out.glob("*.csv"))
    assert len(files) >= 10
    for file in files:
        header = pd.read_csv(file, nrows=0).columns
        assert undeclared_columns(header) == [], file.name


#: Checks on the report as a colleague sees it, measured in Chromium at 1400 px (see the test below).
MEASURE_JS = """() => {
  const main = document.querySelector('main');
  const box = main.getBoundingClientRect(), cs = getComputedStyle(main);
  const left = box.left + parseFloat(cs.paddingLeft) - 1, right = box.right - parseFloat(cs.paddingRight) + 1;
  const tables = Array.from(document.querySelectorAll('table')).map(t => {
    const r = t.getBoundingClientRect();
    return {left: r.left, right: r.right, height: r.height, text: t.textContent.slice(0, 40)};
  }).filter(t => t.right > right || t.left < left);
  const figures = Array.from(document.querySelectorAll('figure.figure')).map(f => ({
    id: f.id, caption: (f.querySelector('figcaption') || {}).textContent || ''}));
  const justified = Array.from(document.querySelectorAll('p, li, td')).filter(
    e => getComputedStyle(e).textAlign === 'justify').length;
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const charts = Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => {
    const bar = d.querySelector('.modebar');
    const legend = d.querySelector('.legend');
    const colours = Array.from(d.querySelectorAll('.legend .traces')).map(t => {
      const p = t.querySelector('.legendpoints path, .legendpoints .legendundefined');
      return p ? (p.style.fill || getComputedStyle(p).fill) : '';
    });
    const ticks = Array.from(d.querySelectorAll('.xaxislayer-above .xtick text, .xaxislayer-above .x2tick text'))
      .map(t => t.getBoundingClientRect()).filter(r => r.width > 0);
    // neighbouring column headers need a visible gap (4 px), or they read as one word
    ticks.sort((a, b) => a.left - b.left);
    let tickOverlap = 0;
    for (let i = 1; i < ticks.length; i++) {
      const a = ticks[i - 1], b = ticks[i];
      if (a.top < b.bottom && b.top < a.bottom && b.left - a.right < 4) tickOverlap++;
    }
    // drawn size of the treemap labels: plotly shrinks a label to its box with a transform, so measure
    // each text line on screen (a line box is about 1.3 × the font size)
    const treemapSizes = Array.from(d.querySelectorAll('.treemaplayer text.slicetext')).flatMap(t => {
      const lines = t.querySelectorAll('tspan.line');
      return Array.from(lines.length ? lines : [t]).map(l => l.getBoundingClientRect().height / 1.3);
    }).filter(h => h > 0);
    return {id: d.id, toolbarOverLegend: !!(bar && legend && overlaps(bar.getBoundingClientRect(), legend.getBoundingClientRect())),
            legend: legend ? legend.textContent : '', colours, tickOverlap, treemapSizes};
  });
  return {tables, figures, justified, charts};
}"""


@pytest.mark.slow
@pytest.mark.browser
def test_the_report_reads_well_at_1400_pixels_and_as_pdf(main_job, tmp_path):
    """The measurable parts of a report a colleague can read; the screenshots are for a person to look at."""
    import shutil
    import subprocess

    from conftest import BROWSER_ARGS, CHROMIUM

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    path, out, _, _ = main_job
    html = path.read_text(encoding="utf-8")
    manifest = export.read_figure_manifest(out)
    findings = export.read_findings(out)
    shots = Path(os.environ.get("ANALYSIS_SCREENSHOT") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(path.as_uri())
            page.wait_for_function("Array.from(document.querySelectorAll('.plotly-graph-div'))"
                                   ".every(d => d.querySelector('svg.main-svg'))", timeout=180000)
            screen = page.evaluate(MEASURE_JS)
            page.screenshot(path=str(shots / "report-1400.png"), full_page=True, timeout=180000)
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 700, "height": 1000})  # A4 minus the print margins, in CSS pixels
            printed = page.evaluate(MEASURE_JS)
        finally:
            browser.close()

    # the opening: question, corpus, settings, date, findings linking to figures
    opening = html.split("</header>", 1)[0]
    for part in ("Question", "What is compared", "Corpus and settings", "organization-work-speech", "jieba",
                 "themes.yaml", "Made on", "Summary: the strongest findings", "p-xi-2020-zzlx"):
        assert part in opening, part
    significant = findings[findings["significant"] == True]  # noqa: E712
    assert len(significant) >= 1 and set(significant["notebook"]) <= {"04_emphasis", "05_compare_speeches"}
    assert (significant["notebook"] == "04_emphasis").any() and (significant["notebook"] == "05_compare_speeches").any()
    # the summary: ten findings at most, significant shifts among them, each linked to its figure
    summary = re.search(r'<ol class="summary">(.*?)</ol>', opening, flags=re.S).group(1)
    assert 1 <= summary.count("<li>") <= 10
    assert "theme (人才)" in summary and 'href="#fig-' in summary
    # the groups compared are described, with a warning for the one spanning decades
    assert "party building since 2012" in opening and "spans 58 years" in opening

    # tables within the page, on screen and in print; no justified Chinese
    assert screen["tables"] == [] and printed["tables"] == []
    assert screen["justified"] == 0
    # every figure numbered and captioned; every exported chart has its manifest caption in the report
    captions = [f["caption"] for f in screen["figures"]]
    manifest = manifest[manifest["kind"] != "network"]  # a graph for Gephi is exported, not drawn in the report
    assert len(captions) >= len(manifest)
    assert [c.split(".")[0] for c in captions] == [f"Figure {i}" for i in range(1, len(captions) + 1)]
    for row in manifest.itertuples(index=False):
        assert any(row.caption in c for c in captions), row.stem
    # no raw reprs or dtype lines in the body
    body = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    for raw in ("dtype:", "{'", "object at 0x", "Exported(", ">NaN<", ">nan<", "Name: "):
        assert raw not in body, raw
    # charts: toolbar never over a legend, heatmap headers apart, treemap labels legible, themes in own colours
    assert [c["id"] for c in screen["charts"] if c["toolbarOverLegend"]] == []
    assert all(c["tickOverlap"] == 0 for c in screen["charts"]), [(c["id"], c["tickOverlap"]) for c in screen["charts"]]
    treemap = [s for c in screen["charts"] for s in c["treemapSizes"]]
    assert treemap and min(treemap) >= 10, treemap
    for chart in screen["charts"]:
        coloured = [c for c in chart["colours"] if c and c != "none"]  # line legends (network edges) have no fill
        assert len(coloured) == len(set(coloured)), (chart["id"], chart["colours"])
    word_shift = [c for c in screen["charts"] if "人才" in c["legend"] and "基层" in c["legend"]]
    assert word_shift, "a legend names the themes in Chinese"

    # the PDF: printed by Chromium beside the report, every page an A4 page; pages rendered for a person to look at
    pdf = out / "report.pdf"
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(shots / "report-pdf")], check=True, timeout=300)
        pages = sorted(shots.glob("report-pdf-*.png"))
        assert len(pages) >= 5
        from PIL import Image

        sizes = {Image.open(p).size for p in pages}
        assert sizes == {(496, 702)}, sizes  # A4 at 60 dpi
