"""The CJK font every figure uses, and the check that no character falls back to tofu.

The preferred font is Noto Sans CJK SC (SIL Open Font License), from Debian's
``fonts-noto-cjk`` package. Debian ships it inside a TrueType/OpenType *collection*
(``NotoSansCJK-Regular.ttc``) whose first face is the Japanese one; the Simplified
Chinese face is found by its name table, never assumed by index. Where it is not
installed, the platform's own Simplified Chinese face is used: PingFang SC (macOS),
Microsoft YaHei (Windows), or Noto Sans SC / Source Han Sans SC under any of their
family names (:data:`FAMILIES`, in order of preference).

* :func:`cjk_font_face` / :func:`cjk_font_path` find the font file and the face in it;
  :func:`find_cjk_face` does the search for any platform's folder layout
  (:func:`font_dirs`), which is how the lookup is tested for macOS and Windows;
* :func:`cjk_font_file` gives a single-face file (extracted once into
  :func:`analysis.paths.cache_dir`), for libraries that cannot pick a face from a
  collection (wordcloud, PIL, matplotlib);
* :func:`missing_glyphs` / :func:`check_glyphs` compare strings with the face's
  character map: a character the font lacks would print as a box ("tofu").

``ANALYSIS_CJK_FONT`` may name another font file (``path`` or ``path:index``); it must
still contain a face of one of :data:`FAMILIES`.

>>> FAMILY
'Noto Sans CJK SC'
>>> missing_glyphs(["组织工作会议", "Party 2024 —“十四五”"])
set()
>>> sorted(missing_glyphs(["组织\ue000工作"]))
['\\ue000']
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import platform
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis import paths

FAMILY = "Noto Sans CJK SC"
"""Family name of the preferred face (Debian's ``fonts-noto-cjk``, the one CI uses)."""

FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "Microsoft YaHei",
    "Hiragino Sans GB",
    "Heiti SC",
    "DengXian",
    "SimHei",
)
"""Simplified Chinese sans-serif families accepted, best first. A face matches when any of
its family names (name IDs 1 and 16, in any language: 微软雅黑 is Microsoft YaHei) is one of
these, or is one of these plus a weight (``Noto Sans CJK SC Regular``)."""

CSS_FAMILY = ("Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, "
              "Hiragino Sans GB, sans-serif")
"""Font-family list for plotly layouts, HTML and SVG: browsers take the first one installed,
so the same chart draws Chinese on Debian, macOS and Windows."""

DEBIAN_PACKAGE = "fonts-noto-cjk"

KNOWN_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/OTF/NotoSansCJK-Regular.ttc",
)
"""Where Linux distributions install the face; tried after fontconfig, before the folder scan."""

FILE_PATTERNS = (
    "notosanscjk*", "noto*sans*sc*", "noto*sans*cjk*", "sourcehansans*", "source*han*sans*",
    "pingfang*", "msyh*", "hiragino*sans*gb*", "stheiti*", "deng*", "simhei*",
)
"""File names (lower case) worth opening while scanning font folders; other files are not read."""

FONT_SUFFIXES = (".ttc", ".otc", ".otf", ".ttf")


class FontError(RuntimeError):
    """The CJK font is missing or unusable."""


class GlyphError(ValueError):
    """Some strings contain characters the CJK font cannot draw.

    Attributes:
        missing: The offending characters.
    """

    def __init__(self, missing: set[str], *, font: str = FAMILY):
        self.missing = set(missing)
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in sorted(self.missing))
        super().__init__(
            f"{len(self.missing)} character(s) have no glyph in {font} and would print as "
            f"boxes: {shown}. Replace them in the labels (e.g. map them to a standard "
            "character or to the redaction mark 〓) before drawing."
        )


@dataclass(frozen=True)
class FontFace:
    """One face inside a font file.

    Attributes:
        path: The font file (``.ttc`` collection or single ``.otf``/``.ttf``).
        index: Face index inside the file (0 for a single-face file).
        family: The matching entry of :data:`FAMILIES`.
    """

    path: Path
    index: int
    family: str


def _missing_font_error(detail: str = "") -> FontError:
    return FontError(
        f"No Simplified Chinese font was found{': ' + detail if detail else ''}. "
        f"On Debian/Ubuntu install {DEBIAN_PACKAGE} (`apt-get install {DEBIAN_PACKAGE}`); macOS has "
        "PingFang SC and Windows Microsoft YaHei built in (or install Noto Sans SC); or set "
        f"ANALYSIS_CJK_FONT to a font file with one of: {', '.join(FAMILIES)}."
    )


def _face_names(path: Path) -> list[set[str]]:
    """Every family name (IDs 1 and 16, all languages) of every face in ``path``."""
    from fontTools.ttLib import TTCollection, TTFont

    def names(font) -> set[str]:
        found = set()
        for record in font["name"].names:
            if record.nameID in (1, 16):
                try:
                    found.add(record.toUnicode().strip())
                except Exception:  # undecodable legacy record: skip it
                    continue
        return found

    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"ttcf":
        collection = TTCollection(str(path), lazy=True)
        try:
            return [names(font) for font in collection.fonts]
        finally:
            collection.close()
    font = TTFont(str(path), lazy=True)
    try:
        return [names(font)]
    finally:
        font.close()


_LOCALIZED = {"微软雅黑": "Microsoft YaHei", "苹方-简": "PingFang SC", "思源黑体": "Source Han Sans SC",
              "冬青黑体简体中文": "Hiragino Sans GB", "黑体-简": "Heiti SC", "等线": "DengXian", "黑体": "SimHei"}
_WEIGHTS = re.compile(r"\s+(Regular|Normal|Book|Medium|Light|DemiLight|ExtraLight|Thin|Bold|Heavy|Black|UI)$", re.I)


def family_of(names: Iterable[str]) -> str | None:
    """Return the entry of :data:`FAMILIES` that a face's family names match (best first), or None.

    >>> family_of({"Noto Sans CJK SC Regular", "Noto Sans CJK SC"})
    'Noto Sans CJK SC'
    >>> family_of({"微软雅黑"}), family_of({"Noto Sans CJK JP"})
    ('Microsoft YaHei', None)
    """
    canonical = set()
    for name in names:
        name = _LOCALIZED.get(name, name)
        canonical.add(name)
        canonical.add(_WEIGHTS.sub("", name))
    return next((family for family in FAMILIES if family in canonical), None)


def _faces_in(path: Path) -> list[FontFace]:
    """The faces of ``path`` whose family is one of :data:`FAMILIES` (none if unreadable)."""
    try:
        per_face = _face_names(path)
    except Exception:  # unreadable or not a font: try the next candidate
        return []
    found = []
    for index, names in enumerate(per_face):
        family = family_of(names)
        if family is not None:
            found.append(FontFace(path, index, family))
    return found


def _best(faces: Iterable[FontFace], prefer_index: int | None = None) -> FontFace | None:
    ranked = sorted(faces, key=lambda f: (FAMILIES.index(f.family), f.index != prefer_index))
    return ranked[0] if ranked else None


def _find_in(path: Path, index: int | None = None) -> FontFace | None:
    """Return the best accepted face in ``path`` (preferring ``index`` among equals), or None."""
    return _best(_faces_in(path), index)


def font_dirs(system: str | None = None, *, environ: Mapping[str, str] | None = None,
              home: str | Path | None = None, root: str | Path = "/") -> list[Path]:
    """Return the folders where the platform keeps fonts, user folders first.

    Args:
        system: ``"Linux"``, ``"Darwin"`` (macOS) or ``"Windows"``; default this machine's
            (:func:`platform.system`).
        environ: Environment variables to read (``WINDIR``/``SystemRoot`` and
            ``LOCALAPPDATA`` on Windows, ``XDG_DATA_HOME`` on Linux, ``CONDA_PREFIX`` on
            all: conda-forge font packages install into ``$CONDA_PREFIX/fonts``); default
            ``os.environ``.
        home: The user's home folder; default :func:`pathlib.Path.home`.
        root: Prefix of the system folders (``/System/Library/Fonts`` …), for tests.

    Returns:
        Folders in search order (they need not exist).

    >>> [str(p) for p in font_dirs("Darwin", environ={}, home="/Users/me")][:3]
    ['/Users/me/Library/Fonts', '/Library/Fonts', '/System/Library/Fonts']
    >>> [p.as_posix() for p in font_dirs("Windows", environ={"WINDIR": "C:/Windows"}, home="/h")]
    ['C:/Windows/Fonts']
    """
    system = system or platform.system()
    env = os.environ if environ is None else environ
    home = Path(home) if home is not None else Path.home()
    root = Path(root)
    dirs: list[Path] = []
    if system == "Darwin":
        dirs += [home / "Library" / "Fonts", root / "Library" / "Fonts", root / "System" / "Library" / "Fonts",
                 root / "System" / "Library" / "AssetsV2",  # PingFang on recent macOS (a downloadable asset)
                 root / "Network" / "Library" / "Fonts"]
    elif system == "Windows":
        local = env.get("LOCALAPPDATA")
        if local:  # fonts installed for one user (Windows 10 1809+)
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        dirs.append(Path(env.get("WINDIR") or env.get("SystemRoot") or "C:\\Windows") / "Fonts")
    else:
        xdg = env.get("XDG_DATA_HOME")
        dirs += [Path(xdg) / "fonts" if xdg else home / ".local" / "share" / "fonts", home / ".fonts",
                 root / "usr" / "local" / "share" / "fonts", root / "usr" / "share" / "fonts"]
    conda = env.get("CONDA_PREFIX")
    if conda:
        dirs += [Path(conda) / "fonts", Path(conda) / "Library" / "fonts"]
    return dirs


def _candidate_files(folder: Path) -> list[Path]:
    found = []
    for top, _, files in os.walk(folder):
        for name in files:
            lower = name.lower()
            if lower.endswith(FONT_SUFFIXES) and any(fnmatch.fnmatch(lower, p) for p in FILE_PATTERNS):
                found.append(Path(top) / name)
    return sorted(found)


def find_cjk_face(*, dirs: Iterable[str | Path] | None = None, fontconfig: bool = True) -> FontFace | None:
    """Search fontconfig, the usual Linux paths and the platform's font folders for a CJK face.

    Every candidate is verified by its name table (fontconfig answers with a fallback
    font when the family is absent). Among the faces found, the best family of
    :data:`FAMILIES` wins.

    Args:
        dirs: Font folders to scan; default :func:`font_dirs` of this machine. Only files
            whose names match :data:`FILE_PATTERNS` are opened.
        fontconfig: Ask ``fc-match`` first and try :data:`KNOWN_PATHS` (skipped when
            ``dirs`` is given, so a test sees its fake folders only).

    Returns:
        The face, or None when there is none.
    """
    faces: list[FontFace] = []
    if dirs is None and fontconfig:
        matched = _fc_match()
        candidates: list[tuple[Path, int | None]] = [matched] if matched else []
        candidates += [(Path(p), None) for p in KNOWN_PATHS]
        for path, index in candidates:
            if path.is_file():
                face = _find_in(path, index)
                if face is not None and face.family == FAMILY:
                    return face  # the preferred face: no need to scan further
                if face is not None:
                    faces.append(face)
    for folder in (font_dirs() if dirs is None else [Path(d) for d in dirs]):
        if Path(folder).is_dir():
            for file in _candidate_files(Path(folder)):
                faces += _faces_in(file)
    return _best(faces)


def _fc_match() -> tuple[Path, int] | None:
    exe = shutil.which("fc-match")
    if not exe:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}:%{index}", FAMILY],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, index = out.rpartition(":")
    if not file:
        return None
    return Path(file), int(index) if index.isdigit() else 0


@functools.cache
def _locate(override: str | None) -> FontFace:
    if override:
        file, sep, index = override.rpartition(":")
        if not sep or not index.isdigit() or not file:
            file, index = override, ""
        path = Path(file)
        if not path.is_file():
            raise _missing_font_error(f"ANALYSIS_CJK_FONT={override!r} is not a file")
        face = _find_in(path, int(index) if index else None)
        if face is None:
            raise _missing_font_error(f"{path} has no face named any of {', '.join(FAMILIES)}")
        return face
    face = find_cjk_face()
    if face is None:
        raise _missing_font_error("fontconfig and the platform's font folders have none")
    return face


def cjk_font_face() -> FontFace:
    """Find the Simplified Chinese face: its file, its index in the file, its family.

    Looks at ``ANALYSIS_CJK_FONT`` first, then asks fontconfig
    (``fc-match 'Noto Sans CJK SC'``) and tries :data:`KNOWN_PATHS`, then scans the
    platform's font folders (:func:`font_dirs`: macOS, Windows, Linux, conda); every
    candidate is verified by reading the family names from the face's name table.

    Returns:
        The face found (cached for the process).

    Raises:
        FontError: No such face; the message says how to get one on each platform.

    >>> face = cjk_font_face()
    >>> face.family
    'Noto Sans CJK SC'
    """
    return _locate(os.environ.get("ANALYSIS_CJK_FONT") or None)


def cjk_font_path() -> Path:
    """Return the font file holding the CJK face (often a ``.ttc`` collection).

    Use :func:`cjk_font_file` when a library needs a file with that face alone.

    Returns:
        Path to the font file.

    Raises:
        FontError: No CJK font is installed.

    >>> cjk_font_path().suffix in {".ttc", ".otf", ".ttf", ".otc"}
    True
    """
    return cjk_font_face().path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def _extracted(path: Path, index: int, size: int, mtime_ns: int, folder: Path) -> Path:
    if index == 0 and _face_count(path) == 1:
        return path
    slug = re.sub(r"[^A-Za-z0-9]+", "", family_of(_face_names(path)[index]) or "CJK")
    target = folder / f"{slug}-{_sha256(path)[:16]}-{index}.otf"
    if target.is_file():
        return target
    from fontTools.ttLib.sfnt import SFNTReader, SFNTWriter

    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".otf", dir=folder)
    try:
        # Copy the face's tables byte for byte (no decompiling: 0.1 s instead of
        # fontTools' 18 s re-compilation of the CFF table); the writer recomputes the
        # table directory and checksums.
        with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            reader = SFNTReader(src, fontNumber=index)
            tags = sorted(reader.keys())
            writer = SFNTWriter(out, len(tags), reader.sfntVersion)
            for tag in tags:
                writer[tag] = reader[tag]
            writer.close()
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _face_count(path: Path) -> int:
    with open(path, "rb") as fh:
        head = fh.read(12)
    if head[:4] == b"ttcf":
        return int.from_bytes(head[8:12], "big")
    return 1


def cjk_font_file() -> Path:
    """Return a single-face file of the CJK face (Noto Sans CJK SC on Debian), for wordcloud, PIL, matplotlib.

    Those libraries open face 0 of a collection, which in Debian's file is the
    Japanese face. The SC face is therefore copied (table by table, unchanged) into
    ``cache_dir()/fonts/<family>-<sha256 of the collection>-<index>.otf``
    the first time, atomically (temp file, then rename), and reused afterwards.
    A single-face source file is returned as is.

    Returns:
        Path to a font file whose only face is the CJK face.

    Raises:
        FontError: No CJK font is installed.

    >>> from PIL import ImageFont
    >>> ImageFont.truetype(str(cjk_font_file()), 12).getname()[0]
    'Noto Sans CJK SC'
    """
    face = cjk_font_face()
    stat = face.path.stat()
    return _extracted(face.path, face.index, stat.st_size, stat.st_mtime_ns, paths.cache_dir() / "fonts")


@functools.cache
def _cmap(path: Path, index: int, mtime_ns: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _ignored(ch: str) -> bool:
    """Whitespace, control and format characters are not drawn, so need no glyph."""
    return ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf"}


def missing_glyphs(strings: Iterable[str] | str, *, font: FontFace | str | Path | None = None) -> set[str]:
    """Return the characters of ``strings`` that the font has no glyph for.

    Whitespace, control and format characters (Unicode categories Cc, Cf) are
    ignored; private-use and unassigned code points are reported like any other.

    Args:
        strings: Strings to check (a single str is checked as one string).
        font: The face to check against: a :class:`FontFace`, or a single-face font
            file; default the CJK face from :func:`cjk_font_face`.

    Returns:
        The set of characters without a glyph (empty when all can be drawn).

    Raises:
        FontError: The default font is not installed.

    >>> missing_glyphs("坚持党管干部原则")
    set()
    >>> missing_glyphs(["\U00030000 是一个罕见字"]) == {"\U00030000"}
    True
    """
    if font is None:
        face = cjk_font_face()
    elif isinstance(font, FontFace):
        face = font
    else:
        face = FontFace(Path(font), 0, "")
    cmap = _cmap(face.path, face.index, face.path.stat().st_mtime_ns)
    if isinstance(strings, str):
        strings = [strings]
    chars: set[str] = set()
    for s in strings:
        chars.update(s)
    return {c for c in chars if ord(c) not in cmap and not _ignored(c)}


def check_glyphs(strings: Iterable[str] | str, *, font: FontFace | str | Path | None = None) -> None:
    """Raise when any character of ``strings`` would print as a box (tofu).

    Args:
        strings: Strings to check, e.g. :func:`analysis.output.export.figure_strings` of a figure.
        font: As in :func:`missing_glyphs`.

    Raises:
        GlyphError: Lists every offending character with its code point.
        FontError: The default font is not installed.

    >>> check_glyphs(["第一，坚持党的全面领导"])
    >>> check_glyphs(["\ue000"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.plots.fonts.GlyphError: 1 character(s) have no glyph in Noto Sans CJK SC and would print as boxes: '\\ue000' (U+E000). ...
    """
    missing = missing_glyphs(strings, font=font)
    if missing:
        raise GlyphError(missing, font=font.family if isinstance(font, FontFace) else
                         (cjk_font_face().family if font is None else str(font)))


def matplotlib_rc() -> dict:
    """Register the CJK face with matplotlib and return rc settings that use it.

    Matplotlib keeps one process-wide font list; registering the face there is
    harmless and idempotent. The returned dict changes nothing by itself: use it as
    ``with matplotlib.rc_context(matplotlib_rc()): ...``.

    Returns:
        rc parameters putting the CJK face's family first in ``font.sans-serif``.

    Raises:
        FontError: The font is not installed.

    >>> matplotlib_rc()["font.sans-serif"][0]
    'Noto Sans CJK SC'
    """
    from matplotlib import font_manager, rcParams

    file = str(cjk_font_file())
    if not any(entry.fname == file for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(file)
    family = cjk_font_face().family
    rest = [f for f in rcParams["font.sans-serif"] if f != family]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, *rest],
        "axes.unicode_minus": False,
        "svg.fonttype": "none",
    }


#: How a character the font cannot draw (private use, unassigned, missing glyph) is
#: shown in a chart label: its code point, in ASCII, so it is visible and traceable.
PLACEHOLDER = "[U+{code:04X}]"


def placeholder_label(text: str, missing: set[str] | None = None) -> str:
    """Replace the characters of ``text`` that the font lacks with :data:`PLACEHOLDER`.

    Args:
        text: A label.
        missing: The characters to replace (default: :func:`missing_glyphs` of ``text``).

    >>> placeholder_label("组\\ue000织")
    '组[U+E000]织'
    """
    missing = missing_glyphs(text) if missing is None else missing
    return "".join(PLACEHOLDER.format(code=ord(c)) if c in missing else c for c in text)
