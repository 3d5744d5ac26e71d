"""Tests for analysis.plots.fonts: finding the SC face, extracting it, the tofu check."""

from __future__ import annotations


import pytest

from analysis import paths
from analysis.plots import fonts

SEED = paths.project_root() / "corpus" / "organization-work-speech.txt"


@pytest.fixture
def fresh_font_caches():
    fonts._locate.cache_clear()
    fonts._extracted.cache_clear()
    yield
    fonts._locate.cache_clear()
    fonts._extracted.cache_clear()


def test_face_is_simplified_chinese_verified_by_name_table():
    face = fonts.cjk_font_face()
    assert face.family == "Noto Sans CJK SC"
    assert face.path.is_file()
    assert fonts._face_families(face.path)[face.index] == "Noto Sans CJK SC"
    if face.path.name == "NotoSansCJK-Regular.ttc":  # Debian's collection: JP is face 0, SC face 2
        assert face.index == 2
    assert fonts.cjk_font_path() == face.path


def test_fontconfig_index_is_not_trusted(monkeypatch, fresh_font_caches):
    ttc = fonts.cjk_font_face().path
    monkeypatch.delenv("ANALYSIS_CJK_FONT", raising=False)
    monkeypatch.setattr(fonts, "_fc_match", lambda: (ttc, 0))  # face 0 is the Japanese face
    face = fonts.cjk_font_face()
    assert face.family == "Noto Sans CJK SC"
    assert fonts._face_families(face.path)[face.index] == "Noto Sans CJK SC"


def test_missing_font_names_the_debian_package(monkeypatch, fresh_font_caches):
    monkeypatch.delenv("ANALYSIS_CJK_FONT", raising=False)
    monkeypatch.setattr(fonts, "_fc_match", lambda: None)
    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    with pytest.raises(fonts.FontError, match="fonts-noto-cjk"):
        fonts.cjk_font_face()


def test_override_without_the_face_is_refused(monkeypatch, fresh_font_caches, tmp_path):
    monkeypatch.setenv("ANALYSIS_CJK_FONT", str(tmp_path / "nothing.otf"))
    with pytest.raises(fonts.FontError, match="apt-get install fonts-noto-cjk"):
        fonts.cjk_font_face()
    not_a_font = tmp_path / "fake.ttf"
    not_a_font.write_bytes(b"not a font")
    monkeypatch.setenv("ANALYSIS_CJK_FONT", str(not_a_font))
    with pytest.raises(fonts.FontError, match="has no face named"):
        fonts.cjk_font_face()


def test_single_face_file_is_extracted_once_atomically(monkeypatch, fresh_font_caches, tmp_path):
    from fontTools.ttLib import TTFont

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    file = fonts.cjk_font_file()
    face = fonts.cjk_font_face()
    if fonts._face_count(face.path) == 1:
        pytest.skip("the installed font is already a single face")
    assert file.parent == tmp_path / "fonts"
    assert fonts._face_count(file) == 1
    single = TTFont(str(file), lazy=True)
    assert single["name"].getDebugName(1) == "Noto Sans CJK SC"
    original = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    assert single.getBestCmap() == original.getBestCmap()
    # the second call (even with a cold in-process cache) reuses the file
    mtime = file.stat().st_mtime_ns
    fonts._extracted.cache_clear()
    assert fonts.cjk_font_file() == file
    assert file.stat().st_mtime_ns == mtime
    assert [p.name for p in (tmp_path / "fonts").iterdir()] == [file.name]  # no temp files left


def test_pil_draws_chinese_with_the_extracted_face():
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(fonts.cjk_font_file()), 32)
    assert font.getname() == ("Noto Sans CJK SC", "Regular")
    # a real glyph differs from the missing-glyph box: two different characters give different pixels
    def ink(ch):
        img = Image.new("L", (40, 40), 0)
        ImageDraw.Draw(img).text((2, 2), ch, font=font, fill=255)
        return img.tobytes()

    assert ink("组") != ink("织")


def test_missing_glyphs_reports_private_use_and_rare_chars():
    assert fonts.missing_glyphs(["党的\ue000组织"]) == {"\ue000"}
    assert fonts.missing_glyphs("\U00030000") == {"\U00030000"}  # CJK Ext. G, not in Noto CJK
    assert fonts.missing_glyphs(["组织\n工作\t \u200b\ufeff"]) == set()  # whitespace/format ignored
    assert fonts.missing_glyphs([]) == set()


def test_check_glyphs_names_the_offending_characters():
    with pytest.raises(fonts.GlyphError) as info:
        fonts.check_glyphs(["标题\ue001", "坐标\U00030001"])
    assert info.value.missing == {"\ue001", "\U00030001"}
    assert "U+E001" in str(info.value) and "U+30001" in str(info.value)


def test_check_glyphs_passes_on_the_seed_speech():
    text = SEED.read_text(encoding="utf-8")
    fonts.check_glyphs(text.splitlines())
    assert fonts.missing_glyphs([text, "〓"]) == set()  # includes the redaction mark


def test_missing_glyphs_against_another_font_file():
    # the extracted single-face file behaves like the face inside the collection
    assert fonts.missing_glyphs(["组织\ue000"], font=fonts.cjk_font_file()) == {"\ue000"}


@pytest.mark.shared
def test_check_glyphs_passes_on_the_shared_corpora():
    folder = paths.shared_dir() / "corpora"
    if not folder.is_dir():
        pytest.skip(f"../shared/corpora not found: {folder}")
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in {".txt", ".jsonl", ".csv", ".md"}]
    assert files
    missing: dict[str, set[str]] = {}
    for p in files:
        gaps = fonts.missing_glyphs(p.read_text(encoding="utf-8"))
        if gaps:
            missing[p.name] = gaps
    assert missing == {}


def test_matplotlib_uses_the_cjk_face(tmp_path):
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    rc = fonts.matplotlib_rc()
    assert rc["font.sans-serif"][0] == "Noto Sans CJK SC"
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would be a warning
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.set_title("组织工作")
        fig.savefig(tmp_path / "m.png")
        plt.close(fig)
    assert (tmp_path / "m.png").stat().st_size > 0
