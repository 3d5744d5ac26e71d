"""Tests for analysis.output.export: files, manifest, atomic writes, the no-Chromium path, fonts."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.output import export
from analysis.plots import fonts
from analysis.plots import charts as plots
from analysis.settings import Settings

HAS_CHROMIUM = export.find_chromium() is not None


@pytest.fixture
def figdir(tmp_path, monkeypatch):
    folder = tmp_path / "figures"
    monkeypatch.setenv("ANALYSIS_FIGURES_DIR", str(folder))
    return folder


def fake_render(fmt, width, height, scale) -> bytes:
    """Bytes that look like a render of ``fmt`` (a real PNG of the right size; SVG and PDF by their heads)."""
    if fmt == "png":
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (int(width * scale), int(height * scale)), "white").save(buffer, format="PNG")
        return buffer.getvalue()
    head = {"svg": "<svg xmlns='http://www.w3.org/2000/svg'>", "pdf": "%PDF-1.4 "}[fmt]
    return f"{head}{fmt}:{width}x{height}@{scale}".encode()


@pytest.fixture
def fake_chromium(monkeypatch, tmp_path):
    """Stand-in renderer: static formats without starting a browser (unit-test speed); its own render cache."""
    calls = []

    def render(spec, *, fmt, width, height, scale):
        calls.append((fmt, width, height, scale))
        return fake_render(fmt, width, height, scale)

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))

    monkeypatch.setattr(export, "start_export_server", lambda: True)
    monkeypatch.setattr(export, "_render_static", render)
    return calls


@pytest.fixture
def table():
    return pd.DataFrame({"term": ["干部", "组织", "基层"], "count": [12, 9, 4]})


@pytest.fixture
def bar(table):
    return plots.bar_chart(table, x="count", y="term", title="高频词", labels={"count": "次数", "term": "词"})


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def test_plotly_export_writes_every_format_and_a_manifest_row(figdir, fake_chromium, bar, table):
    out = export.export_figure(
        bar, "top_terms", notebook="01_overview", data=table, title="高频词", caption="种子讲话的高频词。",
        documents=["seed", "alpha"], settings=Settings(),
    )
    stem = "01_overview_top_terms"
    assert set(out) == {"png", "svg", "pdf", "html", "csv", "manifest"}
    assert files_in(figdir) == {f"{stem}.{e}" for e in ("png", "svg", "pdf", "html", "csv")} | {"manifest.csv", "plotly.min.js"}
    assert ("png", 900, 520, export.PNG_SCALE) in fake_chromium
    assert ("svg", 900, 520, 1) in fake_chromium
    pd.testing.assert_frame_equal(pd.read_csv(out["csv"], encoding="utf-8-sig"), table, check_dtype=False)
    manifest = export.read_figure_manifest()
    assert len(manifest) == 1
    row = manifest.iloc[0]
    assert row["stem"] == stem and row["notebook"] == "01_overview" and row["name"] == "top_terms"
    assert row["title"] == "高频词" and row["caption"] == "种子讲话的高频词。"
    assert row["kind"] == "plotly" and row["data"] == f"{stem}.csv"
    assert row["documents"] == "alpha;seed"
    assert row["settings"] == Settings().fingerprint()
    assert row["skipped"] == ""
    assert "/" not in repr(out) and stem in repr(out)


def test_rerun_replaces_the_row_and_rows_stay_sorted(figdir, fake_chromium, bar, table):
    export.export_figure(bar, "b", notebook="02_x", data=table)
    export.export_figure(bar, "a", notebook="02_x", data=table, title="first")
    export.export_figure(bar, "a", notebook="02_x", data=table, title="second")
    export.export_figure(bar, "z", notebook="01_y", data=table)
    manifest = export.read_figure_manifest()
    assert list(manifest["stem"]) == ["01_y_z", "02_x_a", "02_x_b"]
    assert manifest.set_index("stem").loc["02_x_a", "title"] == "second"


def test_manifest_rows_match_the_files(figdir, fake_chromium, bar, table, monkeypatch):
    export.export_figure(bar, "one", notebook="01_a", data=table)
    export.export_figure(plots.word_cloud(table, width=120, height=80, scale=1), "cloud", notebook="01_a", data=table)
    monkeypatch.setattr(export, "start_export_server", lambda: False)
    export.export_figure(bar, "two", notebook="01_a", data=table)
    manifest = export.read_figure_manifest()
    listed = set()
    for row in manifest.itertuples():
        names = set(row.files.split(";"))
        assert row.data in names
        assert all((figdir / n).is_file() for n in names)
        listed |= names
    assert listed | {"manifest.csv", "plotly.min.js"} == files_in(figdir)


def test_html_is_self_contained_offline_and_stable(figdir, fake_chromium, bar, table):
    first = export.export_figure(bar, "h", notebook="01_a", data=table)["html"].read_bytes()
    second = export.export_figure(bar, "h", notebook="01_a", data=table)["html"].read_bytes()
    assert first == second
    html = first.decode("utf-8")
    assert 'id="01_a_h"' in html
    assert re.findall(r'<script[^>]* src="([^"]+)"', html) == ["plotly.min.js"]  # beside it, never a CDN
    assert "plotly.js v" not in html  # the library is not inline ...
    assert "plotly.js v" in (figdir / "plotly.min.js").read_text(encoding="utf-8")[:2000]  # ... but once per folder
    assert "Noto Sans CJK SC" in html


def test_unstyled_figure_still_names_the_cjk_font(figdir, fake_chromium, table, monkeypatch):
    seen = {}

    def render(spec, *, fmt, width, height, scale):
        seen[fmt] = spec["layout"]["font"]["family"]
        return b"x"

    monkeypatch.setattr(export, "_render_static", render)
    raw = go.Figure(go.Bar(x=["甲"], y=[1]))
    export.export_figure(raw, "raw", notebook="01_a", data=table)
    assert seen["svg"].startswith("Noto Sans CJK SC")
    assert raw.layout.font.family is None  # the caller's figure is not changed


def test_failure_mid_export_leaves_previous_files_intact(figdir, fake_chromium, bar, table, monkeypatch):
    export.export_figure(bar, "keep", notebook="01_a", data=table, title="old")
    before = {n: (figdir / n).read_bytes() for n in files_in(figdir)}

    def broken(spec, *, fmt, width, height, scale):
        if fmt == "svg":  # PNG already rendered, SVG fails: nothing may be replaced
            raise RuntimeError("renderer crashed")
        return b"NEW"

    monkeypatch.setattr(export, "_render_static", broken)
    new_table = table.assign(count=[1, 2, 3])
    with pytest.raises(RuntimeError, match="renderer crashed"):
        export.export_figure(go.Figure(bar).update_layout(title_text="新"), "keep", notebook="01_a", data=new_table,
                             title="new")  # a changed chart: not in the render cache
    after = {n: (figdir / n).read_bytes() for n in files_in(figdir)}
    assert after == before
    assert [p.name for p in figdir.iterdir() if p.name.endswith(".tmp")] == []


def test_atomic_write_keeps_old_file_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "a.png"
    export.atomic_write(target, b"old")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        export.atomic_write(target, b"new and longer")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_a_private_use_character_becomes_a_placeholder_and_the_export_goes_on(figdir, fake_chromium, table):
    # issue 12: it used to stop the export (and with it the report); now it is shown,
    # counted and reported
    fig = plots.bar_chart(table.assign(term=["干部", "组\ue000织", "基层"]), x="count", y="term")
    with pytest.warns(UserWarning, match="U\\+E000"):
        out = export.export_figure(fig, "tofu", notebook="01_a", data=table)
    assert set(out.placeholders) == {"\ue000"} and out.placeholders["\ue000"] >= 1
    html = out["html"].read_text(encoding="utf-8")
    assert "[U+E000]" in html and "\ue000" not in html and "\\ue000" not in html
    assert "组\ue000织" in list(fig.data[0].y)  # the caller's figure is unchanged


def test_every_exported_figure_is_checked_for_tofu(figdir, fake_chromium, bar, table, monkeypatch):
    checked = []
    real = fonts.check_glyphs

    def spy(strings, **kw):
        strings = list(strings)
        checked.append(strings)
        return real(strings, **kw)

    monkeypatch.setattr(fonts, "check_glyphs", spy)
    cloud = plots.word_cloud(table, width=120, height=80, scale=1)
    export.export_figure(bar, "bar", notebook="01_a", data=table)
    export.export_figure(cloud, "cloud", notebook="01_a", data=table)
    assert len(checked) == 2
    assert {"高频词", "干部", "次数"} <= set(checked[0])
    assert set(checked[1]) == {"干部", "组织", "基层"}


def test_word_cloud_png_and_svg_name_the_cjk_family(figdir, table):
    cloud = plots.word_cloud(table, width=160, height=90, scale=2)
    out = export.export_figure(cloud, "cloud", notebook="01_a", data=table)
    assert set(out) == {"png", "svg", "csv", "manifest"}
    from PIL import Image

    assert Image.open(out["png"]).size == (320, 180)
    svg = out["svg"].read_text(encoding="utf-8")
    assert "Noto Sans CJK SC" in svg and "干部" in svg
    assert export.read_figure_manifest().iloc[0]["kind"] == "wordcloud"


def test_names_are_sanitized_and_refused_when_empty():
    assert export.safe_stem("notebooks/03_keyness.ipynb", "log ratio/top 20") == "03_keyness_log_ratio_top_20"
    with pytest.raises(ValueError, match="ASCII"):
        export.safe_stem("01_a", "高频词")


def test_no_chromium_warns_once_and_still_writes_html_and_csv(figdir, bar, table, monkeypatch, tmp_path):
    export.stop_export_server()
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    monkeypatch.setitem(export._state, "warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = export.export_figure(bar, "a", notebook="01_a", data=table)
        export.export_figure(bar, "b", notebook="01_a", data=table)
    messages = [str(w.message) for w in caught if issubclass(w.category, export.ExportWarning)]
    assert len(messages) == 1
    assert "apt-get install chromium" in messages[0]
    assert set(first) == {"html", "csv", "manifest"}
    manifest = export.read_figure_manifest()
    assert list(manifest["skipped"]) == ["png;svg;pdf (no Chromium)"] * 2
    assert list(manifest["files"]) == ["01_a_a.csv;01_a_a.html", "01_a_b.csv;01_a_b.html"]


@pytest.mark.slow
def test_no_chromium_in_a_fresh_process(tmp_path):
    """The real path, in a subprocess: BROWSER_PATH names nothing, PATH holds no browser."""
    script = textwrap.dedent(
        """
        import pandas as pd
        from analysis.output import export
        from analysis.plots import charts as plots
        t = pd.DataFrame({"term": ["干部", "组织"], "count": [2, 1]})
        fig = plots.bar_chart(t, x="count", y="term")
        for name in ("a", "b", "c"):
            export.export_figure(fig, name, notebook="01_a", data=t)
        print(sorted(p.name for p in export.paths.figures_dir().iterdir() if not p.name.startswith(".")))
        """
    )
    env = {
        **os.environ,
        "BROWSER_PATH": str(tmp_path / "missing" / "chromium"),
        "PATH": str(tmp_path / "empty-bin"),
        "ANALYSIS_FIGURES_DIR": str(tmp_path / "figs"),
        "PYTHONWARNINGS": "default",
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("No Chromium found") == 1
    assert "apt-get install chromium" in done.stderr
    listed = eval(done.stdout.strip().splitlines()[-1])
    assert listed == sorted([f"01_a_{n}.{e}" for n in "abc" for e in ("csv", "html")] + ["manifest.csv", "plotly.min.js"])


@pytest.mark.slow
@pytest.mark.skipif(not HAS_CHROMIUM, reason="no Chromium (apt-get install chromium)")
def test_real_static_export_with_a_kept_alive_server(figdir, bar, table, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(figdir.parent / "cache"))  # an empty render cache
    with export.export_server() as available:
        assert available
        before = dict(export.render_counts)
        export.export_figure(bar, "warm", notebook="01_a", data=table)
        out = export.export_figure(bar, "real", notebook="01_a", data=table)  # the same chart: from the cache
        assert export.render_counts["rendered"] - before["rendered"] == 3
        assert export.render_counts["cached"] - before["cached"] == 3
    assert Image.open(out["png"]).size == (900 * export.PNG_SCALE, 520 * export.PNG_SCALE)
    svg = out["svg"].read_text(encoding="utf-8")
    assert "Noto Sans CJK SC" in svg
    assert "干部" in svg  # text stays text
    pdf = out["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and b"NotoSansCJKsc" in pdf  # the face is embedded
    if os.environ.get("ANALYSIS_SCREENSHOT"):
        target = Path(os.environ["ANALYSIS_SCREENSHOT"])
        target.mkdir(parents=True, exist_ok=True)
        (target / out["png"].name).write_bytes(out["png"].read_bytes())


def test_exported_displays_the_interactive_chart_with_a_static_image_beside_it(figdir, fake_chromium, bar, table):
    import base64

    from PIL import Image
    import io as _io

    out = export.export_figure(bar, "bars", notebook="02_structure", data=table, title="高频词")
    data, metadata = out._repr_mimebundle_()
    assert metadata == {"analysis": {"stem": "02_structure_bars"}}
    assert data["application/vnd.plotly.v1+json"]["data"][0]["y"] == ["干部", "组织", "基层"]
    image = Image.open(_io.BytesIO(base64.b64decode(data["image/png"])))  # the static image beside the chart ...
    assert image.size == (900 * export.NOTEBOOK_PNG_SCALE, 520 * export.NOTEBOOK_PNG_SCALE)
    assert [c[0] for c in fake_chromium] == ["png", "svg", "pdf"]  # ... is the print PNG scaled down: 3 renders, not 4
    assert data["text/plain"] == "Figure: 高频词 [02_structure_bars]"  # no file list: the same with or without Chromium


def test_exported_without_chromium_shows_the_interactive_chart_alone(figdir, monkeypatch, bar, table):
    monkeypatch.setattr(export, "start_export_server", lambda: False)
    monkeypatch.setitem(export._state, "warned", True)
    data, _ = export.export_figure(bar, "bars", notebook="02_structure", data=table)._repr_mimebundle_()
    assert "application/vnd.plotly.v1+json" in data and "image/png" not in data


def test_exported_word_cloud_displays_as_a_reduced_png(figdir, table):
    from PIL import Image
    import io as _io
    import base64

    cloud = plots.word_cloud(table, width=200, height=100, scale=3)
    out = export.export_figure(cloud, "cloud", notebook="03_terms", data=table)
    data, _ = out._repr_mimebundle_()
    assert Image.open(_io.BytesIO(base64.b64decode(data["image/png"]))).size == (200, 100)
    assert Image.open(out["png"]).size == (600, 300)  # the exported file keeps the full scale


def test_an_unchanged_chart_costs_no_render_the_second_time(figdir, fake_chromium, bar, table):
    first = export.export_figure(bar, "a", notebook="01_a", data=table)
    assert len(fake_chromium) == 3
    second = export.export_figure(bar, "a", notebook="01_a", data=table)
    assert len(fake_chromium) == 3  # every static format from the cache
    assert all(first[f].read_bytes() == second[f].read_bytes() for f in ("png", "svg", "pdf"))
    entries = sorted(p.suffix for p in export.render_cache_dir().rglob("*") if p.is_file())
    assert entries == [".pdf", ".png", ".svg"]  # content-keyed entries, no temporary file left
    wide = go.Figure(bar).update_layout(width=1000)
    export.export_figure(wide, "a", notebook="01_a", data=table)
    assert len(fake_chromium) == 6 and {c[1] for c in fake_chromium[3:]} == {1000}  # another size: rendered


def test_a_damaged_cache_entry_is_rendered_again(figdir, fake_chromium, bar, table):
    export.export_figure(bar, "a", notebook="01_a", data=table)
    for entry in export.render_cache_dir().rglob("*.png"):
        entry.write_bytes(b"not a png")
    export.export_figure(bar, "a", notebook="01_a", data=table)
    assert [c[0] for c in fake_chromium] == ["png", "svg", "pdf", "png"]


def test_a_cached_chart_needs_no_chromium(figdir, fake_chromium, bar, table, monkeypatch):
    export.export_figure(bar, "a", notebook="01_a", data=table)
    monkeypatch.setattr(export, "start_export_server", lambda: pytest.fail("Chromium started for a cached chart"))
    out = export.export_figure(bar, "a", notebook="01_a", data=table)
    assert {"png", "svg", "pdf"} <= set(out) and not out.skipped


def test_render_keys_follow_the_spec_size_scale_and_format():
    spec = {"data": [{"type": "bar", "x": [1, 2]}], "layout": {"title": {"text": "干部"}}}
    key = export.render_key(spec, fmt="png", width=900, height=520, scale=3)
    other = {"data": [{"type": "bar", "x": [1, 3]}], "layout": {"title": {"text": "干部"}}}
    assert len({key, export.render_key(other, fmt="png", width=900, height=520, scale=3),
                export.render_key(spec, fmt="png", width=901, height=520, scale=3),
                export.render_key(spec, fmt="png", width=900, height=520, scale=1),
                export.render_key(spec, fmt="pdf", width=900, height=520, scale=3)}) == 5


def test_no_lock_file_is_left_in_the_folder(figdir, fake_chromium, bar, table):
    export.export_figure(bar, "a", notebook="01_a", data=table)
    export.record_findings(pd.DataFrame({"text": ["x"]}), notebook="01_a", figure="a")
    export.clear_findings(["01_a"])
    assert sorted(p.name for p in figdir.iterdir() if p.name.startswith(".")) == []


@pytest.mark.skipif(not HAS_CHROMIUM, reason="no Chromium (apt-get install chromium)")
def test_the_same_printable_page_is_printed_once(tmp_path, monkeypatch):
    """report.pdf of an unchanged page comes from the render cache: no Chromium is started the second time."""
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    html = export.write_report("<html><body><p>人才工作</p></body></html>", directory=out)
    page = "<html><head><meta charset='utf-8'></head><body><h1>人才工作</h1><p>基层党建。</p></body></html>"
    starts = []
    run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda argv, **kw: starts.append(argv[0]) or run(argv, **kw))
    first = export.write_report_pdf(html, page=page).read_bytes()
    second = export.write_report_pdf(html, page=page).read_bytes()
    assert len(starts) == 1 and second == first and first.startswith(b"%PDF-")
    export.write_report_pdf(html, page=page.replace("基层", "人才"))  # another page is printed
    assert len(starts) == 2
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.pdf"]  # no temporary file left


def test_recompressed_pngs_keep_every_pixel():
    """The print PNG is stored recompressed: smaller, and pixel for pixel the image Chromium gave."""
    import numpy as np
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 240), (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    for i in range(0, 400, 7):
        draw.line([(i, 0), (400 - i, 240)], fill=(i % 255, 90, 200 - i % 200, 255), width=2)
    raw = io.BytesIO()
    image.save(raw, format="PNG", compress_level=1)
    small = export.recompress_png(raw.getvalue())
    assert len(small) < len(raw.getvalue())
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(small))), np.asarray(image))
