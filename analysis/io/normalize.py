"""Normalize a raw speech text without losing the way back to it.

:func:`normalize` turns the raw text of one document into the text every later stage
reads, and keeps ``raw_offsets``: for each normalized character, the index of the raw
character that produced it. A hit found in the normalized text can therefore always
be shown in the original (:func:`raw_span`). Nothing is read or written here; the
function is pure and cheap enough to run per document in a worker: one scan of the raw
text finds the rare characters (line and paragraph separators, zero-width, full-width
and compatibility forms, private-use and unassigned characters), steps whose characters
are absent are skipped, and the rest are regular-expression passes in C; cost is linear
in the length (about 40 MB/s on a 2-core machine, ``tests/benchmarks/bench_load.py``).

What changes, in order:

1. Line ends: ``\\r\\n``, ``\\r`` and the Unicode line/paragraph separators become ``\\n``.
2. Zero-width characters (U+200B/200C/200D, U+2060, U+FEFF) are removed. A line that
   held nothing else was an inline element of a web page, so it is removed together
   with its line break (``74.4\\n\\u200b\\n万亿元`` becomes ``74.4\\n万亿元``, which step 7
   then repairs).
3. Ideographic (U+3000), no-break and other Unicode spaces and tabs become an ASCII space.
4. Full-width digits and Latin letters become ASCII (``１９９７`` → ``1997``). Full-width
   punctuation is kept, in particular the outline markers' ``、（）．``.
5. For Markdown input (``markdown=True``), heading marks (``## ``) at the start of a
   line and the ``**``/``__`` around emphasized text are removed, so they are neither
   outline noise nor mistaken for ``**`` redaction marks.
6. Optionally (``to_simplified=True``) traditional characters become simplified
   with OpenCC's ``t2s`` table.
7. Optionally (``repair_lines=True``, the default) line breaks *inside* a word or
   number are removed; see :func:`_decide` for the heuristic.
8. Spaces at the start and end of every line are removed; runs of blank lines are
   collapsed, so paragraphs are separated by exactly one ``\\n``.
9. Redaction marks (``××``, ``×××``, ``XX``, ``＊＊``, ``***``, ``某某``, ``○○``, ``□□``
   and runs like them) are counted and each run is replaced by the single placeholder
   :data:`analysis.chars.REDACTION` (``〓``).

>>> n = normalize("\\u3000\\u3000政府工作报\\n告\\u200b：２０２３\\n年，××同志讲\\n4\\n点意见。\\n\\n\\n一、总体要求\\n")
>>> n.text
'政府工作报告：2023年，〓同志讲4点意见。\\n一、总体要求'
>>> n.redactions, n.lines_repaired
(1, 4)
>>> s, e = raw_span(n, 13, 14)    # the placeholder maps back to the whole mark
>>> (s, e), n.raw[s:e]
((18, 20), '××')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analysis.chars import (BARE_NUMERAL_RE, HAN_CLASS, HEADING_NUMERALS, HEADING_RE, REDACTION, YEAR_NUMERALS)
from analysis.chars import REDACTION_RE as _REDACTION_RE

__all__ = [
    "Normalized",
    "TRADITIONAL_SHARE",
    "is_odd_character",
    "is_traditional",
    "REDACTION_RE",
    "ZERO_WIDTH",
    "normalize",
    "raw_span",
]

#: Characters removed outright: zero-width space/non-joiner/joiner, word joiner, BOM.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

#: Horizontal spaces that become an ASCII space (ideographic, no-break, the U+2000
#: block, narrow no-break, medium mathematical, tab).
_SPACES = "\u3000\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\t"

_LINE_ENDS_RE = re.compile("\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_ZW_LINE_RE = re.compile(f"\n[{ZERO_WIDTH}]+(?=\n)")
_ZW_RE = re.compile(f"[{ZERO_WIDTH}]+")

_EDGE_SPACES_RE = re.compile(r"^ +| +$", re.M)
_MD_HEADING_RE = re.compile(r"^ {0,3}#{1,6} +", re.M)
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__)(?=\S)[^\n]*?(?<=\S)\1")
#: ``**…**`` or ``__…__`` around the start of a line's text (2–40 characters, no 。):
#: emphasis around a heading in a plain-text file. Groups 1 and 3 are the delimiters.
_LINE_EMPHASIS_RE = re.compile(r"(?m)^ *(\*\*|__)([^*_\n。]{2,40}?)(\1)")
_BLANK_LINES_RE = re.compile(r"\n{2,}")


def _emphasized_heading(text: str, m: re.Match) -> bool:
    """The emphasis wraps a whole line, or a heading that opens its line (``**一、标题**正文``)."""
    rest = text[m.end(3):text.find("\n", m.end(3)) if "\n" in text[m.end(3):] else len(text)]
    return not rest.strip(" ") or bool(_HEADING_RE.match(m.group(2)))
_OUTER_NEWLINES_RE = re.compile(r"^\n+|\n+$")

_TRANSLATE = {ord(c): " " for c in _SPACES}
_TRANSLATE.update({0xFF10 + i: ord("0") + i for i in range(10)})  # ０-９
_TRANSLATE.update({0xFF21 + i: ord("A") + i for i in range(26)})  # Ａ-Ｚ
_TRANSLATE.update({0xFF41 + i: ord("a") + i for i in range(26)})  # ａ-ｚ

_CN_NUMERALS = YEAR_NUMERALS
#: One redaction mark (defined in :mod:`analysis.chars`, kept here under its old name).
REDACTION_RE = _REDACTION_RE

# --- the same matches, found faster ---------------------------------------------
# Python's ``re`` scans quickly for a pattern that starts with a literal character or a
# character class, and tries every position of the text otherwise. Each pattern below
# matches exactly what the pattern it stands for matches (same spans, same order;
# tests/test_normalize_reference.py compares them on generated strings): it consumes the first
# character with the class every match starts with, then checks the rest.

#: :data:`_EDGE_SPACES_RE` (``^ +| +$``, multiline): a run of spaces that opens or ends a line.
_EDGE_SPACES_FAST_RE = re.compile(r"(?m) (?:(?<=^ ) *| *$)")
#: :data:`_BLANK_LINES_RE` (``\n{2,}``).
_BLANK_LINES_FAST_RE = re.compile(r"\n\n+")
#: :data:`REDACTION_RE`. The lookbehinds check the first character, already consumed,
#: against each alternative's first class, and the character before it (``.`` in
#: ``(?<![A-Za-z].)`` is the consumed first character).
_REDACTION_FAST_RE = re.compile(
    rf"(?s)[×╳Xx*＊某○□■{REDACTION}](?:"
    r"(?<=[×╳Xx])(?<![A-Za-z].)[×╳Xx]+(?![A-Za-z])"
    r"|(?<=[*＊])[*＊]+"
    r"|(?<=某)某+"
    rf"|(?<=○)(?<![{_CN_NUMERALS}].)○+(?![{_CN_NUMERALS}年月日])"
    r"|(?<=[□■])[□■]+"
    rf"|(?<={REDACTION}){REDACTION}*)"
)


def _outer_newline_edits(text: str) -> list[tuple[int, int, str]]:
    """The matches of ``^\\n+|\\n+$`` (no multiline) as edits: newlines opening or ending the text."""
    n = len(text)
    lead = 0
    while lead < n and text[lead] == "\n":
        lead += 1
    if lead == n:
        return [(0, n, "")] if n else []
    end = n
    while text[end - 1] == "\n":
        end -= 1
    return ([(0, lead, "")] if lead else []) + ([(end, n, "")] if end < n else [])


# --- line repair vocabulary -------------------------------------------------
_TERMINAL = set("。！？!?；;：:…")
_CLOSERS = "”’」』）)】》〉〕\"'"
_OPENERS = set("“‘（(《〈「『【〔[")
_CONTINUERS = set("，、。．；：？！）》〉」』】〕”’%‰,.;:?!)]")
_CN_NUM = HEADING_NUMERALS
#: A line that starts with an outline marker (:data:`analysis.chars.HEADING_RE`).
_HEADING_RE = HEADING_RE
#: A Chinese numeral alone on a line: a heading in old collected works.
_BARE_NUMERAL_RE = BARE_NUMERAL_RE
#: A short label line such as ``同志们：`` or ``各位代表：``.
_LABEL_RE = re.compile(r"[^\s，。；！？、,;!?]{1,10}[：:]")
#: A bare number or Latin token on its own line (``2018``, ``7.3%``, ``GDP``, ``1+X``, ``3-5``).
_TOKEN_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%‰+\-/:]*")
_HAN_RE = re.compile(f"[{HAN_CLASS}]")
_SENTENCE_END_RE = re.compile("[。！？!?]")
_ASCII_ALNUM = re.compile(r"[0-9A-Za-z%.]")
#: Physical lines this short count as fragments of an inline element (a link's text).
_FRAGMENT = 16
_HEADING_FRAGMENT = 10


@dataclass(frozen=True, eq=False)
class Normalized:
    """A normalized text with the map back to its raw text.

    Attributes:
        text: The normalized text (paragraphs separated by one ``\\n``).
        raw_offsets: ``numpy`` int64 array of length ``len(text) + 1``;
            ``raw_offsets[i]`` is the index in ``raw`` of the character that produced
            ``text[i]`` (for a redaction placeholder, the first character of the mark);
            the last entry is ``len(raw)``. Strictly increasing.
        redactions: Number of redaction marks replaced by :data:`analysis.chars.REDACTION`.
        raw: The raw text (the same string object that was passed in, not a copy).
        lines_repaired: Number of line breaks removed because they split a word or number.
        to_simplified: Whether traditional→simplified conversion was applied.
        odd_characters: Private-use, unassigned and other characters no font draws
            (:func:`is_odd_character`); kept in the text, counted here.
    """

    text: str
    raw_offsets: np.ndarray
    redactions: int
    raw: str = ""
    lines_repaired: int = 0
    to_simplified: bool = False
    odd_characters: int = 0


def normalize(raw: str, *, to_simplified: bool | str = False, repair_lines: bool = True,
              markdown: bool = False) -> Normalized:
    """Normalize one raw text; keep a map from every normalized character to the raw text.

    Pure: the same input gives the same output, nothing is read or written.

    Args:
        raw: The decoded raw text of one document.
        to_simplified: Convert traditional to simplified characters with OpenCC ``t2s``
            (opencc-python-reimplemented): True always, ``"auto"`` only when the text is
            written in traditional characters (:func:`is_traditional`), False never
            (the default here; :class:`analysis.settings.Settings` defaults to ``"auto"``).
            Whether it was applied is recorded in the result.
        repair_lines: Remove line breaks that split a word or a number (on by default).
        markdown: The text is Markdown: drop heading marks and emphasis delimiters
            (the loader sets this for ``.md`` files).

    Returns:
        A :class:`Normalized` (text, raw_offsets, redactions, raw, lines_repaired,
        to_simplified).

    Raises:
        TypeError: When ``raw`` is not a ``str`` (decode bytes first, e.g. with
            :func:`analysis.io.corpus.load_corpus`).

    Example:
        >>> raw = "××区召开会议。\\n2018\\n年，ＧＤＰ增长"
        >>> n = normalize(raw)
        >>> n.text, n.redactions
        ('〓区召开会议。\\n2018年，GDP增长', 1)
        >>> int(n.raw_offsets[0]), int(n.raw_offsets[-1]) == len(raw)
        (0, True)
    """
    if not isinstance(raw, str):
        raise TypeError(f"normalize() needs a str, got {type(raw).__name__}: decode the file first")
    t = _Tracked(raw)
    # One scan finds the rare characters; a step whose characters are absent is skipped
    # (it could not change anything), so an ordinary text costs a few passes in C.
    rare = _rare_characters(raw)
    if any(ch in rare for ch in _LINE_END_CHARS):
        t = t.sub(_LINE_ENDS_RE, "\n")
    if any(ch in rare for ch in ZERO_WIDTH):
        t = t.sub(_ZW_LINE_RE, "")
        t = t.sub(_ZW_RE, "")
    t = _translate_present(t, _TRANSLATE, _TRANSLATE_RUN_RE, sum(rare.get(chr(c), 0) for c in _TRANSLATE))
    # The steps above only remove line-end and zero-width characters and map spaces and
    # full-width letters one to one, none of them odd: the raw text's odd characters are
    # the text's.
    odd = sum(n for ch, n in rare.items() if _is_odd(ch))
    compat = sum(n for ch, n in rare.items() if _COMPAT_RE.match(ch))
    if compat:
        t = _translate_present(t, _compat_table(), _COMPAT_RUN_RE, compat)
    if markdown:
        if "#" in t.text:
            t = t.sub(_MD_HEADING_RE, "")
        if "**" in t.text or "__" in t.text:
            t = t.edit([edit for m in _MD_EMPHASIS_RE.finditer(t.text)
                        for edit in ((m.start(), m.start() + 2, ""), (m.end() - 2, m.end(), ""))])[0]
    elif "**" in t.text or "__" in t.text:  # **一、标题** in a .txt: emphasis around a heading line,
        t = t.edit([edit for m in _LINE_EMPHASIS_RE.finditer(t.text)  # not two redaction marks
                    if _emphasized_heading(t.text, m)
                    for edit in ((m.start(1), m.end(1), ""), (m.start(3), m.end(3), ""))])[0]
    t = t.edit(_han_space_edits(t.text))[0]
    converted = bool(to_simplified) and (to_simplified != "auto" or is_traditional(t.text))
    if converted:
        t = _to_simplified(t)
    repaired = 0
    if repair_lines:
        t, repaired = _repair_lines(t)
    t = t.sub(_EDGE_SPACES_FAST_RE, "")  # the same matches as _EDGE_SPACES_RE, found faster
    t = t.sub(_BLANK_LINES_FAST_RE, "\n")
    t = t.edit(_outer_newline_edits(t.text))[0]
    t, redactions = t.count_sub(_REDACTION_FAST_RE, REDACTION)  # the matches of REDACTION_RE
    offsets = np.empty(len(t.src) + 1, dtype=np.int64)  # the one int64 copy of the map
    offsets[:-1] = t.src
    offsets[-1] = len(raw)
    offsets.setflags(write=False)
    return Normalized(
        text=t.text,
        raw_offsets=offsets,
        redactions=redactions,
        raw=raw,
        lines_repaired=repaired,
        to_simplified=converted,
        odd_characters=odd,
    )


def raw_span(normalized, start: int, end: int) -> tuple[int, int]:
    """Map a span of the normalized text back to the raw text.

    Args:
        normalized: A :class:`Normalized` or anything with ``raw_offsets`` and ``raw``
            (an :class:`analysis.io.corpus.Document`, a row of the loaded table).
        start: Start of the span in the normalized text (inclusive).
        end: End of the span in the normalized text (exclusive), ``start <= end``.

    Returns:
        ``(raw_start, raw_end)``: the raw stretch that produced ``text[start:end]``,
        including anything removed inside it (a repaired line break, a zero-width
        character) and the whole of a redaction mark at either end, but not the
        whitespace removed after its last character.

    Raises:
        ValueError: When the span is not inside the text.

    Example:
        >>> n = normalize("甲\\u3000GDP。\\n丙×××丁")
        >>> n.text
        '甲 GDP。\\n丙〓丁'
        >>> s, e = raw_span(n, 7, 9)
        >>> n.raw[s:e]
        '丙×××'
    """
    offsets = normalized.raw_offsets
    n = len(offsets) - 1
    if not (0 <= start <= end <= n):
        raise ValueError(f"span ({start}, {end}) is not inside a text of {n} characters")
    raw_start = int(offsets[start])
    if start == end:
        return raw_start, raw_start
    raw_end = int(offsets[end])
    last = int(offsets[end - 1])
    raw = getattr(normalized, "raw", None) or ""
    if raw:
        removed = set(_SPACES) | set(ZERO_WIDTH) | {" ", "\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"}
        while raw_end - 1 > last and raw[raw_end - 1] in removed:
            raw_end -= 1
    return raw_start, raw_end


# --- PDF copies and odd characters ---------------------------------------------

#: CJK compatibility ideographs, their supplement, Kangxi radicals and the CJK
#: radicals supplement: PDF text layers use them for ordinary characters (⼀ for 一).
_COMPAT_RE = re.compile("[\uf900-\ufaff\u2f00-\u2fdf\u2e80-\u2eff\U0002f800-\U0002fa1f]")


@lru_cache(maxsize=1)
def _compat_table() -> dict[int, int]:
    """One-to-one NFKC folds of the compatibility blocks onto unified ideographs."""
    import unicodedata

    table: dict[int, int] = {}
    for lo, hi in ((0xF900, 0xFAFF), (0x2F00, 0x2FDF), (0x2E80, 0x2EFF), (0x2F800, 0x2FA1F)):
        for code in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1 and folded != chr(code):
                table[code] = ord(folded)
    return table


def is_odd_character(ch: str) -> bool:
    """True for a character no font is expected to draw: private use, unassigned, surrogate.

    >>> is_odd_character("\\ue000"), is_odd_character("党"), is_odd_character("\\n")
    (True, False, False)
    """
    import unicodedata

    return unicodedata.category(ch) in ("Co", "Cn", "Cs")


_is_odd = is_odd_character

#: Characters :data:`_LINE_ENDS_RE` replaces.
_LINE_END_CHARS = "\r\u2028\u2029\x0b\x0c\x85"
#: A run of characters :data:`_TRANSLATE` maps, and of compatibility ideographs.
_TRANSLATE_RUN_RE = re.compile("[" + "".join(f"\\U{c:08x}" for c in sorted(_TRANSLATE)) + "]+")
_COMPAT_RUN_RE = re.compile(_COMPAT_RE.pattern + "+")
#: Characters scanned for in chunks of this many (keeps the list of hits small).
_SCAN_CHUNK = 1 << 16


def _class(codes) -> str:
    """A regex character class for the code points ``codes`` (sorted), written as ranges."""
    parts = []
    codes = list(codes)
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        parts.append(f"\\U{codes[i]:08x}" + (f"-\\U{codes[j]:08x}" if j > i else ""))
        i = j + 1
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def _rare_re() -> re.Pattern:
    """One character class for every character a step of :func:`normalize` acts on alone.

    Line ends, zero-width characters, :data:`_TRANSLATE`'s keys, the compatibility blocks
    of :data:`_COMPAT_RE`, the odd characters of the Basic Multilingual Plane (from
    :func:`is_odd_character` itself, so from this Python's Unicode tables) and every
    character beyond it (:func:`normalize` asks :func:`is_odd_character` about each one
    found). Built on first use (about 10 ms), then kept.
    """
    codes = {ord(c) for c in _LINE_END_CHARS + ZERO_WIDTH} | set(_TRANSLATE)
    for lo, hi in ((0xF900, 0xFAFF), (0x2F00, 0x2FDF), (0x2E80, 0x2EFF)):  # and 0x2F800-0x2FA1F, beyond
        codes.update(range(lo, hi + 1))
    codes.update(c for c in range(0x10000) if _is_odd(chr(c)))
    return re.compile(_class(sorted(codes))[:-1] + "\\U00010000-\\U0010ffff]")


def _rare_characters(text: str) -> dict[str, int]:
    """How often each character of :func:`_rare_re`'s class occurs in ``text``."""
    from collections import Counter

    pattern = _rare_re()
    counts: Counter = Counter()
    for pos in range(0, len(text), _SCAN_CHUNK):
        counts.update(pattern.findall(text, pos, pos + _SCAN_CHUNK))
    return counts


def _translate_present(t: "_Tracked", table: dict, run_re: re.Pattern, hits: int) -> "_Tracked":
    """``t.translate(table)`` when ``hits`` characters of ``t`` are in ``table``.

    The same text, computed run by run where the table's characters are few (no work
    at all when there are none), and with one ``str.translate`` where they are many.
    ``run_re`` matches a run of the table's characters.
    """
    if not hits:
        return t
    if hits * 16 > len(t.text):
        return t.translate(table)
    return _Tracked(run_re.sub(lambda m: m.group().translate(table), t.text), t.src)

#: Outline markers after which a space separates the marker from its title (第一条 党员…).
_MARKER_BEFORE_SPACE_RE = re.compile(
    rf"第[{_CN_NUM}\d]+(?:章|节|条|款|编|篇|部分|点|个问题|个方面)|[{_CN_NUM}]{{1,3}}")
_HAN_SPACE_RE = re.compile(f"(?<=[{HAN_CLASS}]) +(?=[{HAN_CLASS}])")
#: The matches of :data:`_HAN_SPACE_RE`, found faster (starts with a literal space).
_HAN_SPACE_FAST_RE = re.compile(f" (?<=[{HAN_CLASS}] ) *(?=[{HAN_CLASS}])")


def _han_space_edits(text: str) -> list[tuple[int, int, str]]:
    """Spaces between two Han characters (``让人 才在乡村振 兴中``, copied from a PDF).

    Kept: a space after an outline marker at the start of a line (``第一条 党员…``).
    """
    edits = []
    for m in _HAN_SPACE_FAST_RE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _MARKER_BEFORE_SPACE_RE.fullmatch(text[line_start:m.start()].lstrip(" ")):
            continue
        edits.append((m.start(), m.end(), ""))
    return edits


#: Share of Han characters OpenCC ``t2s`` must change for a text to count as traditional.
TRADITIONAL_SHARE = 0.05


def is_traditional(text: str, *, min_changed: int = 3) -> bool:
    """True when ``text`` is written in traditional characters.

    OpenCC's ``t2s`` changes almost no character of a simplified text and many of a
    traditional one (about one in four in running prose). A text counts as
    traditional when ``t2s`` changes at least :data:`TRADITIONAL_SHARE` of its Han
    characters and at least ``min_changed`` of them.

    >>> is_traditional("組織工作會議上的講話"), is_traditional("组织工作会议上的讲话")
    (True, False)
    """
    sample = _first_han(text, 20000)
    if not sample:
        return False
    threshold = max(min_changed, TRADITIONAL_SHARE * len(sample))
    changeable = _t2s_changeable()
    if changeable is not None and len(sample) - len(sample.translate(changeable)) < threshold:
        return False  # at most that many characters can change: the answer without converting
    converted = _opencc().convert(sample)
    changed = sum(1 for a, b in zip(sample, converted) if a != b)
    return changed >= min_changed and changed >= TRADITIONAL_SHARE * len(sample)


_HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]+")


def _first_han(text: str, n: int) -> str:
    """The first ``n`` Han characters of ``text``, joined (``"".join(_HAN_RE.findall(text)[:n])``).

    Read from a prefix of the text that doubles until it holds ``n`` of them, so a long
    text is not read to its end.
    """
    end = min(len(text), 2 * n)
    while True:
        han = "".join(_HAN_RUN_RE.findall(text, 0, end))
        if len(han) >= n or end >= len(text):
            return han[:n]
        end = min(len(text), 2 * end)


@lru_cache(maxsize=1)
def _t2s_changeable() -> dict[int, None] | None:
    """The characters OpenCC ``t2s`` can change, as a ``str.translate`` table deleting them.

    None when that is not known.

    ``t2s`` replaces occurrences of its dictionaries' keys (phrases, then characters) by
    values of the same length (checked here, entry by entry), so a character of the text
    changes only where a key holding a *different* character at that place matches it: the
    number of characters of a text in this table bounds the number ``t2s`` changes, and
    :func:`is_traditional` need not convert a text when the bound is below its threshold.
    Read from the loaded converter; None (always convert) when its dictionaries are not
    laid out as expected or an entry changes length.
    """
    cc = _opencc()
    cc.convert("")  # loads the dictionaries
    chars: set[str] = set()
    try:
        for group in cc._dict_chain_data:
            for _, _, mapping in group:
                for key, value in mapping.items():
                    first = value.split(" ")[0]
                    if len(first) != len(key):
                        return None
                    chars.update(a for a, b in zip(key, first) if a != b)
    except (AttributeError, TypeError, ValueError):
        return None
    return dict.fromkeys(map(ord, chars)) if chars else None


# --- offset-tracked text -----------------------------------------------------


class _Tracked:
    """A text with, for each character, the raw index it came from (``src``)."""

    __slots__ = ("text", "src")

    def __init__(self, text: str, src: np.ndarray | None = None):
        self.text = text
        # int32 while editing (half the memory of the int64 map it becomes); int64 only
        # for texts of 2**31 characters or more.
        if src is None:
            src = np.arange(len(text), dtype=np.int32 if len(text) < 2**31 else np.int64)
        self.src = src

    def translate(self, table: dict) -> "_Tracked":
        # Every entry maps one character to one character, so offsets are unchanged.
        return _Tracked(self.text.translate(table), self.src)

    def sub(self, pattern: re.Pattern, repl: str) -> "_Tracked":
        return self.count_sub(pattern, repl)[0]

    def count_sub(self, pattern: re.Pattern, repl: str) -> tuple["_Tracked", int]:
        """Replace every match by ``repl`` (each replacement char maps to the match start)."""
        return self.edit([(m.start(), m.end(), repl) for m in pattern.finditer(self.text)])

    def edit(self, edits: list[tuple[int, int, str]]) -> tuple["_Tracked", int]:
        """Apply non-overlapping ``(start, end, replacement)`` edits in order.

        A replacement of the same length as the span maps character to character;
        otherwise every replacement character maps to the span's first character.
        """
        if not edits:
            return self, 0
        parts: list[str] = []
        srcs: list[np.ndarray] = []
        pos = 0
        for start, end, repl in edits:
            parts.append(self.text[pos:start])
            srcs.append(self.src[pos:start])
            if repl:
                parts.append(repl)
                if len(repl) == end - start:
                    srcs.append(self.src[start:end])
                else:
                    srcs.append(np.full(len(repl), self.src[start], dtype=self.src.dtype))
            pos = end
        parts.append(self.text[pos:])
        srcs.append(self.src[pos:])
        return _Tracked("".join(parts), np.concatenate(srcs)), len(edits)


@lru_cache(maxsize=1)
def _opencc():
    from opencc import OpenCC

    return OpenCC("t2s")


def _to_simplified(t: _Tracked) -> _Tracked:
    """Convert with OpenCC ``t2s``; keep offsets exact.

    OpenCC converts phrases, which almost always keeps the length. A line whose length
    changes is converted character by character instead, so every output character
    still has its own raw index.
    """
    cc = _opencc()
    converted = cc.convert(t.text)
    if len(converted) == len(t.text):
        return _Tracked(converted, t.src)
    out: list[str] = []
    src: list[np.ndarray] = []
    pos = 0
    for line in t.text.split("\n"):
        conv = cc.convert(line)
        if len(conv) == len(line):
            out.append(conv)
            src.append(t.src[pos:pos + len(line)])
        else:
            for k, ch in enumerate(line):
                c = cc.convert(ch)
                out.append(c)
                src.append(np.full(len(c), t.src[pos + k], dtype=t.src.dtype))
        pos += len(line)
        if pos < len(t.text):
            out.append("\n")
            src.append(t.src[pos:pos + 1])
            pos += 1
    return _Tracked("".join(out), np.concatenate(src) if src else np.zeros(0, dtype=t.src.dtype))


# --- line repair ---------------------------------------------------------------


def _is_terminal(line: str) -> bool:
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _strong(a: str, b: str, c: str | None) -> bool | None:
    """Decide a break from the characters on either side alone.

    Returns True (join), False (keep) or None (undecided: the weak rules decide).
    ``a`` is the line before the break without trailing spaces, ``b`` the line after
    it as written (leading spaces mean indentation), ``c`` the line after ``b`` when
    only one line break separates them.
    """
    last = a[-1]
    if last in _OPENERS:                      # 说：“\n在我以前 / 亿元（\n嘉兴
        return True
    if b[0] == " ":                           # an indented line starts a paragraph
        return False
    if _HEADING_RE.match(b) or b.startswith("——") or _LABEL_RE.fullmatch(b.rstrip(" ")):
        return False                          # 一、… （一）… 第一章 ——… 同志们：
    if _TOKEN_RE.fullmatch(b.rstrip(" ")) and c is not None and c[:1] in ("、", "．", "."):
        return False                          # "1" + "、这是…": a heading split after its number
    if b[0] in _CONTINUERS:                   # 等疑虑\n，掀起 / 的内在要求\n。
        return True
    if _is_terminal(a):
        return False
    latin_pair = last.isascii() and last.isalpha() and b[0].isascii() and b[0].isalpha()
    if (_TOKEN_RE.fullmatch(a.lstrip(" ")) or _TOKEN_RE.fullmatch(b.rstrip(" "))) and not latin_pair:
        return True                           # 讲\n4\n点意见 / 上半年\nGDP\n达到
    if _ASCII_ALNUM.match(last) and (_HAN_RE.match(b[0]) or b[0].isdigit() and b[0].isascii()):
        return True                           # 2018\n年 / 广义货币M\n2
    return None


def _decide(lines: list[str], i: int, logical: str, joined_prev: bool, blank_regime: bool,
            next_is_single: bool) -> tuple[bool, bool]:
    """Decide whether the line break after ``lines[i]`` splits a word or number.

    The break is a candidate only when both neighbouring lines hold text (a blank line
    always separates paragraphs). The rules, calibrated on the reference corpora whose
    scraped texts put every link on its own line:

    *Strong* evidence (the characters at the break), checked first:
      join when the line ends with an opening bracket or quote; keep when the next
      line is indented, starts with an outline marker (``一、`` ``（一）`` ``1．``
      ``第一章`` ``第一，`` ``——``) or is a label such as ``同志们：``; join when the next
      line starts with punctuation that cannot open a line (``，`` ``。`` ``）`` ``”``);
      keep when the line ends a sentence (``。！？；：…`` and closing quotes); join a
      bare number or Latin token on its own line (``2018``, ``GDP``) and a line ending
      in a digit or Latin letter followed by a Han character or digit (``2018\\n年``).
      A Latin word on both sides of a break is never joined (Chinese speeches do not
      wrap English text; the only such lines seen are licence footers).

    *Weak* evidence, only for breaks the strong rules leave open (both sides Han),
    in this order:
      after a heading (a line whose logical start is an outline marker and that has
      no sentence end yet; ``（一）要求。正文…`` is a paragraph) join only a
      fragment: a piece of at most 10 characters that was itself glued to the line
      before, a piece of at most 16 characters glued to the line after, a marker of
      at most 3 characters, or a line ending in ``，``/``、``;
      in a document whose paragraphs are separated by blank lines, a single line break
      after an unfinished sentence is an artifact: join;
      otherwise (paragraphs separated by single line breaks, as in the seed) keep
      before a line that opens with ``（`` (a parenthetical date or source line) and
      after a line that is wholly parenthetical, and join only after ``，`` or ``、``,
      around fragments as above, after a one- or two-character line, or before a
      one-character line. Everything else is kept: an unpunctuated line there is
      usually a title, a speaker's name or an unnumbered heading.

    Returns:
        ``(join, strong)``.
    """
    a = lines[i].rstrip(" ")
    b = lines[i + 1]
    c = lines[i + 2] if next_is_single else None
    if (_BARE_NUMERAL_RE.fullmatch(a.strip(" ")) and not joined_prev and b.strip(" ")[:1] not in _CONTINUERS
            and (i == 0 or not lines[i - 1].strip(" ") or _is_terminal(lines[i - 1].rstrip(" ")))):
        return False, True                    # "一" alone after a finished paragraph: a heading
    verdict = _strong(a, b, c)
    if verdict is not None:
        return verdict, True
    b_text = b.strip(" ")
    a_frag = joined_prev and len(a.strip(" ")) <= _FRAGMENT
    b_frag = False
    if c is not None and len(b_text) <= _FRAGMENT:
        b_frag = _strong(b.rstrip(" "), c, None) is True
    if _HEADING_RE.match(logical.lstrip(" ")) and not _SENTENCE_END_RE.search(logical):
        small_a = joined_prev and len(a.strip(" ")) <= _HEADING_FRAGMENT
        return bool(small_a or b_frag or len(a.strip(" ")) <= 3 or a[-1] in "，、,"), False
    if a[-1].isascii() and a[-1].isalpha() and b_text[0].isascii() and b_text[0].isalpha():
        return False, False                   # Latin lines stay lines
    if blank_regime:
        return True, False
    if b_text[0] in "（(":
        return False, False
    if a[-1] in "）)" and logical.lstrip(" ")[:1] in ("（", "("):
        return False, False
    if a[-1] in "，、,":
        return True, False
    if a_frag or b_frag or len(a.strip(" ")) <= 2 or len(b_text) == 1:
        return True, False
    return False, False


def _repair_lines(t: _Tracked) -> tuple[_Tracked, int]:
    """Remove the line breaks :func:`_decide` finds inside a word or number."""
    text = t.text
    if "\n" not in text:
        return t, 0
    lines = text.split("\n")
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    filled = [bool(line.strip(" ")) for line in lines]
    single = [filled[i] and filled[i + 1] for i in range(len(lines) - 1)]
    # Paragraph convention of this document: blank lines, or single line breaks?
    last_filled = max((i for i, f in enumerate(filled) if f), default=-1)
    blank_runs = sum(1 for i in range(1, last_filled) if not filled[i] and filled[i - 1])
    single_terminal = sum(1 for i, s in enumerate(single) if s and _is_terminal(lines[i].rstrip(" ")))
    blank_regime = blank_runs > single_terminal

    edits: list[tuple[int, int, str]] = []
    joined_prev = False
    logical = ""
    for i in range(len(lines) - 1):
        if not single[i]:
            joined_prev = False
            logical = ""
            continue
        logical = (logical if joined_prev else "") or lines[i]
        next_single = i + 1 < len(single) and single[i + 1]
        join, _ = _decide(lines, i, logical, joined_prev, blank_regime, next_single)
        if join:
            a = lines[i]
            b = lines[i + 1]
            end_a = starts[i] + len(a.rstrip(" "))
            start_b = starts[i + 1] + (len(b) - len(b.lstrip(" ")))
            edits.append((end_a, start_b, ""))
            logical = logical + b.lstrip(" ")
        else:
            logical = ""
        joined_prev = join
    new, count = t.edit(edits)
    return new, count
