"""The CJK font every figure uses, and the check that no character falls back to tofu.

The font is Noto Sans CJK SC (SIL Open Font License), from Debian's ``fonts-noto-cjk``
package. Debian ships it inside a TrueType/OpenType *collection*
(``NotoSansCJK-Regular.ttc``) whose first face is the Japanese one; the Simplified
Chinese face is found by its name table, never assumed by index.

* :func:`cjk_font_face` / :func:`cjk_font_path` find the collection and the SC face in it;
* :func:`cjk_font_file` gives a single-face ``.otf`` (extracted once into
  :func:`analysis.paths.cache_dir`), for libraries that cannot pick a face from a
  collection (wordcloud, PIL, matplotlib);
* :func:`missing_glyphs` / :func:`check_glyphs` compare strings with the face's
  character map: a character the font lacks would print as a box ("tofu").

``ANALYSIS_CJK_FONT`` may name another font file (``path`` or ``path:index``); it must
still contain a face whose family is :data:`FAMILY`.

>>> FAMILY
'Noto Sans CJK SC'
>>> missing_glyphs(["组织工作会议", "Party 2024 —“十四五”"])
set()
>>> sorted(missing_glyphs(["组织\ue000工作"]))
['\\ue000']
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis import paths

FAMILY = "Noto Sans CJK SC"
"""Family name of the chosen face, as fonts, browsers and SVG viewers know it."""

CSS_FAMILY = "Noto Sans CJK SC, Noto Sans CJK, Source Han Sans SC, sans-serif"
"""Font-family list for plotly layouts, HTML and SVG (the first entry is the one we ship)."""

DEBIAN_PACKAGE = "fonts-noto-cjk"

KNOWN_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/OTF/NotoSansCJK-Regular.ttc",
)
"""Where distributions install the face; tried after fontconfig."""


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
        family: Family name read from the face's name table.
    """

    path: Path
    index: int
    family: str


def _missing_font_error(detail: str = "") -> FontError:
    return FontError(
        f"The CJK font {FAMILY!r} was not found{': ' + detail if detail else ''}. "
        f"Install Debian's {DEBIAN_PACKAGE} package (`apt-get install {DEBIAN_PACKAGE}`) "
        "or set ANALYSIS_CJK_FONT to a font file that contains it."
    )


def _face_families(path: Path) -> list[str]:
    """Family names of every face in ``path`` (one entry for a single-face file)."""
    from fontTools.ttLib import TTCollection, TTFont

    def family(font) -> str:
        name = font["name"]
        return str(name.getDebugName(16) or name.getDebugName(1) or "")

    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"ttcf":
        collection = TTCollection(str(path), lazy=True)
        try:
            return [family(font) for font in collection.fonts]
        finally:
            collection.close()
    font = TTFont(str(path), lazy=True)
    try:
        return [family(font)]
    finally:
        font.close()


def _find_in(path: Path, index: int | None = None) -> FontFace | None:
    """Return the :data:`FAMILY` face in ``path`` (preferring ``index``), or None."""
    try:
        families = _face_families(path)
    except Exception:  # unreadable or not a font: try the next candidate
        return None
    if index is not None and 0 <= index < len(families) and families[index] == FAMILY:
        return FontFace(path, index, FAMILY)
    for i, fam in enumerate(families):
        if fam == FAMILY:
            return FontFace(path, i, FAMILY)
    return None


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
        if not sep or not index.isdigit():
            file, index = override, ""
        path = Path(file)
        if not path.is_file():
            raise _missing_font_error(f"ANALYSIS_CJK_FONT={override!r} is not a file")
        face = _find_in(path, int(index) if index else None)
        if face is None:
            raise _missing_font_error(f"{path} has no face named {FAMILY!r}")
        return face
    candidates: list[tuple[Path, int | None]] = []
    matched = _fc_match()  # fontconfig answers with a fallback when SC is absent: verify
    if matched:
        candidates.append(matched)
    candidates += [(Path(p), None) for p in KNOWN_PATHS]
    for path, index in candidates:
        if path.is_file():
            face = _find_in(path, index)
            if face is not None:
                return face
    raise _missing_font_error("fontconfig and the usual install paths have no face of that name")


def cjk_font_face() -> FontFace:
    """Find the Noto Sans CJK SC face: its file, its index in the file, its family.

    Looks at ``ANALYSIS_CJK_FONT`` first, then asks fontconfig
    (``fc-match 'Noto Sans CJK SC'``), then tries :data:`KNOWN_PATHS`; every candidate
    is verified by reading the family name from the face's name table (fontconfig
    happily answers with a fallback font).

    Returns:
        The face found (cached for the process).

    Raises:
        FontError: No such face; the message names the Debian package to install.

    >>> face = cjk_font_face()
    >>> face.family
    'Noto Sans CJK SC'
    """
    return _locate(os.environ.get("ANALYSIS_CJK_FONT") or None)


def cjk_font_path() -> Path:
    """Return the font file holding the Noto Sans CJK SC face (often a ``.ttc`` collection).

    Use :func:`cjk_font_file` when a library needs a file with that face alone.

    Returns:
        Path to the font file.

    Raises:
        FontError: The font is not installed (install ``fonts-noto-cjk``).

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
    target = folder / f"NotoSansCJKsc-Regular-{_sha256(path)[:16]}-{index}.otf"
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
    """Return a single-face font file of Noto Sans CJK SC, for wordcloud, PIL, matplotlib.

    Those libraries open face 0 of a collection, which in Debian's file is the
    Japanese face. The SC face is therefore copied (table by table, unchanged) into
    ``cache_dir()/fonts/NotoSansCJKsc-Regular-<sha256 of the collection>-<index>.otf``
    the first time, atomically (temp file, then rename), and reused afterwards.
    A single-face source file is returned as is.

    Returns:
        Path to an ``.otf`` whose only face is Noto Sans CJK SC.

    Raises:
        FontError: The font is not installed (install ``fonts-noto-cjk``).

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
        raise GlyphError(missing)


def matplotlib_rc() -> dict:
    """Register the CJK face with matplotlib and return rc settings that use it.

    Matplotlib keeps one process-wide font list; registering the face there is
    harmless and idempotent. The returned dict changes nothing by itself: use it as
    ``with matplotlib.rc_context(matplotlib_rc()): ...``.

    Returns:
        rc parameters putting :data:`FAMILY` first in ``font.sans-serif``.

    Raises:
        FontError: The font is not installed.

    >>> matplotlib_rc()["font.sans-serif"][0]
    'Noto Sans CJK SC'
    """
    from matplotlib import font_manager, rcParams

    file = str(cjk_font_file())
    if not any(entry.fname == file for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(file)
    rest = [f for f in rcParams["font.sans-serif"] if f != FAMILY]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FAMILY, *rest],
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


def with_placeholders(fig):
    """Return ``(figure, replaced)``: a copy of ``fig`` whose undrawable characters show as placeholders.

    A private-use or unassigned character (or any the CJK font lacks) in a term, a
    title or a hover text would print as a box; it is replaced by its code point
    (:data:`PLACEHOLDER`) so the chart still renders and the reader sees where it was.
    The input figure is not changed.

    Args:
        fig: A plotly ``Figure`` or a generated ``wordcloud.WordCloud``.

    Returns:
        The figure (``fig`` itself when nothing needed replacing) and a dict
        character → occurrences replaced (empty when none).

    >>> import plotly.graph_objects as go
    >>> new, replaced = with_placeholders(go.Figure(go.Bar(x=["组\\ue000织", "干部"], y=[1, 2])))
    >>> list(new.data[0].x), replaced
    (['组[U+E000]织', '干部'], {'\\ue000': 1})
    """
    import copy

    from analysis.plots.charts import figure_strings, is_wordcloud

    missing = missing_glyphs(figure_strings(fig))
    if not missing:
        return fig, {}
    replaced: dict[str, int] = {}

    def fix(value):
        if isinstance(value, str):
            hits = [c for c in value if c in missing]
            for c in hits:
                replaced[c] = replaced.get(c, 0) + 1
            return placeholder_label(value, missing) if hits else value
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(fix(v) for v in value)
        if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "OU":
            return [fix(v) for v in value.tolist()]
        return value

    if is_wordcloud(fig):
        new = copy.copy(fig)
        new.layout_ = [((fix(word), freq), *rest) for (word, freq), *rest in fig.layout_]
        new.words_ = {fix(w): f for w, f in getattr(fig, "words_", {}).items()}
        return new, replaced
    import plotly.graph_objects as go

    spec = fig.to_plotly_json()
    template = spec.get("layout", {}).get("template")
    layout = {k: fix(v) for k, v in dict(spec.get("layout") or {}).items() if k != "template"}
    if template is not None:
        layout["template"] = template
    new = go.Figure(data=[fix(trace) for trace in spec.get("data") or []], layout=layout)
    return new, replaced
