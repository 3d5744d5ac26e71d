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
    assert "Noto Sans CJK SC" in fonts._face_names(face.path)[face.index]
    if face.path.name == "NotoSansCJK-Regular.ttc":  # Debian's collection: JP is face 0, SC face 2
        assert face.index == 2
    assert fonts.cjk_font_path() == face.path


def test_fontconfig_index_is_not_trusted(monkeypatch, fresh_font_caches):
    ttc = fonts.cjk_font_face().path
    monkeypatch.delenv("ANALYSIS_CJK_FONT", raising=False)
    monkeypatch.setattr(fonts, "_fc_match", lambda: (ttc, 0))  # face 0 is the Japanese face
    face = fonts.cjk_font_face()
    assert face.family == "Noto Sans CJK SC"
    assert "Noto Sans CJK SC" in fonts._face_names(face.path)[face.index]


def test_missing_font_names_the_debian_package(monkeypatch, fresh_font_caches, tmp_path):
    monkeypatch.delenv("ANALYSIS_CJK_FONT", raising=False)
    monkeypatch.setattr(fonts, "_fc_match", lambda: None)
    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    monkeypatch.setattr(fonts, "font_dirs", lambda: [tmp_path])
    with pytest.raises(fonts.FontError, match="fonts-noto-cjk") as info:
        fonts.cjk_font_face()
    assert "PingFang SC" in str(info.value) and "Microsoft YaHei" in str(info.value)


# --------------------------------------------------------------------------- fake font folders


def make_font(path, family, *, chars="组织工作", localized=None, typographic=None, collection_with=()):
    """Write a tiny TrueType font (or a collection, when ``collection_with`` names more families)
    whose name table says ``family``; its glyphs are squares for ``chars``."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTCollection, TTFont

    def build(name, localized_name=None, typographic_name=None):
        names = [".notdef"] + [f"uni{ord(c):04X}" for c in chars]
        fb = FontBuilder(1000, isTTF=True)
        fb.setupGlyphOrder(names)
        fb.setupCharacterMap({ord(c): f"uni{ord(c):04X}" for c in chars})
        pen = TTGlyphPen(None)
        pen.moveTo((0, 0)); pen.lineTo((0, 500)); pen.lineTo((500, 500)); pen.closePath()
        fb.setupGlyf({n: pen.glyph() for n in names})
        fb.setupHorizontalMetrics({n: (600, 0) for n in names})
        fb.setupHorizontalHeader(ascent=800, descent=-200)
        family_names = {"en": name, **({"zh-CN": localized_name} if localized_name else {})}
        table = {"familyName": family_names, "styleName": "Regular"}
        if typographic_name:
            table["typographicFamily"] = typographic_name
        fb.setupNameTable(table)
        fb.setupOS2()
        fb.setupPost()
        return fb.font

    path.parent.mkdir(parents=True, exist_ok=True)
    if collection_with:
        ttc = TTCollection()
        ttc.fonts = [build(f) for f in collection_with] + [build(family, localized, typographic)]
        ttc.save(str(path))
    else:
        build(family, localized, typographic).save(str(path))
    return path


def test_macos_layout_finds_pingfang_sc_inside_its_collection(tmp_path):
    root, home = tmp_path / "mac", tmp_path / "mac" / "Users" / "me"
    make_font(root / "System/Library/Fonts/Helvetica.ttc", "Helvetica")  # not opened: name does not match
    make_font(root / "System/Library/Fonts/PingFang.ttc", "PingFang SC", localized="苹方-简",
              collection_with=("PingFang TC", "PingFang HK"))
    dirs = fonts.font_dirs("Darwin", environ={}, home=home, root=root)
    face = fonts.find_cjk_face(dirs=dirs)
    assert (face.path.name, face.index, face.family) == ("PingFang.ttc", 2, "PingFang SC")
    assert fonts.missing_glyphs("组织工作", font=face) == set()
    assert fonts.missing_glyphs("组织干部", font=face) == {"干", "部"}


def test_macos_asset_folder_and_user_noto_are_found_and_noto_preferred(tmp_path):
    root, home = tmp_path / "mac", tmp_path / "home"
    asset = root / "System/Library/AssetsV2/com_apple_MobileAsset_Font7/0a1b/AssetData/PingFang.ttc"
    make_font(asset, "PingFang SC", collection_with=("PingFang TC",))
    dirs = fonts.font_dirs("Darwin", environ={}, home=home, root=root)
    assert fonts.find_cjk_face(dirs=dirs).path == asset
    # a Noto Sans SC the user installed (Google Fonts' file name) wins over the system face
    make_font(home / "Library/Fonts/NotoSansSC-Regular.ttf", "Noto Sans SC")
    assert fonts.find_cjk_face(dirs=dirs).family == "Noto Sans SC"


def test_windows_layout_finds_microsoft_yahei_by_its_chinese_name_too(tmp_path):
    windir = tmp_path / "Windows"
    make_font(windir / "Fonts" / "msyh.ttc", "微软雅黑", collection_with=("Microsoft JhengHei",))  # a Traditional face first
    make_font(windir / "Fonts" / "arial.ttf", "Arial")
    dirs = fonts.font_dirs("Windows", environ={"WINDIR": str(windir)}, home=tmp_path)
    face = fonts.find_cjk_face(dirs=dirs)
    assert (face.path.name, face.index, face.family) == ("msyh.ttc", 1, "Microsoft YaHei")


def test_windows_per_user_fonts_and_noto_cjk_under_its_other_family_names(tmp_path):
    local = tmp_path / "AppData" / "Local"
    make_font(tmp_path / "Windows/Fonts/simhei.ttf", "SimHei")
    # Noto's light weight: family "Noto Sans CJK SC Light", typographic family "Noto Sans CJK SC"
    make_font(local / "Microsoft/Windows/Fonts/NotoSansCJKsc-Light.otf", "Noto Sans CJK SC Light",
              typographic="Noto Sans CJK SC")
    env = {"SystemRoot": str(tmp_path / "Windows"), "LOCALAPPDATA": str(local)}
    dirs = fonts.font_dirs("Windows", environ=env, home=tmp_path)
    assert dirs[0] == local / "Microsoft" / "Windows" / "Fonts"
    assert fonts.find_cjk_face(dirs=dirs).family == "Noto Sans CJK SC"
    (local / "Microsoft/Windows/Fonts/NotoSansCJKsc-Light.otf").unlink()
    assert fonts.find_cjk_face(dirs=dirs).family == "SimHei"


def test_linux_layout_user_and_conda_folders(tmp_path):
    home, conda = tmp_path / "home", tmp_path / "conda"
    dirs = fonts.font_dirs("Linux", environ={"CONDA_PREFIX": str(conda)}, home=home, root=tmp_path / "root")
    assert home / ".local/share/fonts" in dirs and conda / "fonts" in dirs
    assert fonts.find_cjk_face(dirs=dirs) is None  # nothing there yet
    make_font(conda / "fonts" / "SourceHanSansSC-Regular.otf", "Source Han Sans SC", localized="思源黑体")
    make_font(home / ".local/share/fonts/NotoSansCJKjp-Regular.otf", "Noto Sans CJK JP")  # Japanese: refused
    face = fonts.find_cjk_face(dirs=dirs)
    assert face.family == "Source Han Sans SC" and face.path.parent == conda / "fonts"


def test_a_platform_face_serves_wordcloud_and_the_glyph_check(monkeypatch, fresh_font_caches, tmp_path):
    """With no Noto at all (a conda user on macOS), the found face is extracted and used."""
    font = make_font(tmp_path / "System/Library/Fonts/PingFang.ttc", "PingFang SC", chars="组织工作",
                     collection_with=("PingFang TC",))
    monkeypatch.setenv("ANALYSIS_CJK_FONT", f"{font}:1")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    assert fonts.cjk_font_face().family == "PingFang SC"
    single = fonts.cjk_font_file()
    assert single.name.startswith("PingFangSC-") and fonts._face_count(single) == 1
    with pytest.raises(fonts.GlyphError, match="PingFang SC"):
        fonts.check_glyphs(["组织部"])


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
