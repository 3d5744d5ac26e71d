"""Outline: parse how a speech is organized, losslessly, and measure its sections.

A speech is a tree of numbered parts: ``一、`` sections with ``（一）`` sub-points (also
written ``一.`` ``一，`` ``一 、`` at the start of a line, or a bare ``一`` alone on its line as
old collected works print it), ``第一个问题：`` / ``第一个方面`` / ``第一点，`` points, ``1.`` items,
enumerations such as ``第一，`` ``一是`` or ``一要`` that open a paragraph or a sentence,
``第一部分`` parts, and regulations' ``第一章`` / ``第一条``. :func:`parse_outline` finds the
headings, nests them, and adds a *preamble* (everything before the first heading),
a *closing* (the final exhortation) and *unheaded* parts (paragraphs after a
section's last single-paragraph sub-point). The parts partition the text exactly.

How it decides, in brief (details in :data:`SCHEMES` and :func:`parse_outline`):

- **Schemes are data.** Each :class:`Scheme` is a regex for the marker, a number
  parser, a path label, and flags (``sequence``: only counts when a second item
  confirms it; ``continuous``: numbering runs on across parents, like articles;
  ``line_only``: only at the start of a line). Add a scheme by appending to
  :data:`SCHEMES` or passing ``schemes=`` to :func:`parse_outline`.
- **Position.** A marker counts only at the start of a line, after the end of a
  sentence (``。！？`` and closing quotes: headings run inline when line breaks were
  lost) or, for the first item of a list, after ``：``. Markers inside a sentence
  (after ``，`` ``；`` or a word, as in ``表里如一、``, ``位居世界第一，``) never count.
- **Levels come from nesting, not from a ranking.** The first scheme seen is level 1;
  a scheme first seen inside it is level 2, and so on. A scheme already open at
  level *k* continues level *k* (closing everything below it); a scheme that is not
  open starts a new level below the current node, and must start at 1.
- **Paths** join the labels of the ancestors: ``二``, ``二（三）``, ``二（三）1``,
  ``二（三）1（2）``, ``二（三）第一``, ``二（三）一是``, ``第二章第七条（一）``. When two
  Arabic labels meet they are joined with a dot (``1.2``). A path that would
  repeat (a duplicated number) gets ``#2``, ``#3``. Special paths: ``preamble``,
  ``closing``, and ``<parent>（未编号）`` for an unheaded part of a section.
- **Scraped text.** An enumeration item glued to text that is no sentence end (a photo
  caption run into the next point: ``…记者 某某/摄第三，抓好…``) still continues a series
  that ``第一`` and ``第二`` opened (:func:`_glued`); a series with a gap (第一, 第二, 第五)
  is kept and reported as a ``gap`` issue.
- **Inline lists.** A list that runs inside a section's opening paragraph (``…。一是…。
  二是…``) before the section's real sub-points (paragraphs opening ``第一，`` ``第二，``)
  is body text of the section, not its sub-points (:func:`_demote_inline_series`).
- **Announcements.** ``讲3个问题``, ``谈四个问题``, ``从…4个方面来谈`` give
  :attr:`Outline.announced`; ``讲几点意见`` gives None. A closing that numbers its own
  demands (``提三点要求：一要…二要…三要…`` after the last section) keeps them: they are
  counted in :attr:`Outline.closing_points`, not as sections.
- **Closing.** After the last heading, the last paragraph that opens with an
  address or exhortation formula (``同志们，`` ``各位代表！`` ``让我们``) starts the
  closing, together with any address-only line (``同志们！``) or ``结束语`` line
  right before it, and with earlier formula paragraphs at most two ordinary
  paragraphs apart (see :func:`_find_closing`).
- **Unheaded.** When a section's earlier sub-points (at least two) each have exactly
  one body paragraph and its last sub-point has more, the last sub-point keeps its
  first body paragraph and the rest becomes the unheaded part ``<section>（未编号）``.

>>> text = "同志们：\\n讲两点意见。\\n一、甲的工作\\n正文。\\n二、乙的工作\\n正文。\\n同志们，让我们努力。"
>>> o = parse_outline(text)
>>> [(n.path, n.level, n.title) for n in o.nodes]
[('preamble', 0, '同志们：讲两点意见'), ('一', 1, '甲的工作'), ('二', 1, '乙的工作'), ('closing', 0, '同志们，让我们努力')]
>>> o.announced, o.found
(2, 2)
>>> "".join(text[s:e] for _, s, e in o.pieces()) == text
True
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.chars import (CIRCLED, CN_NUMERALS, DIGITS, PAREN_DIGITS, REDACTION, REDACTION_RE, blank_spans,
                            char_flags, cn_label, cn_number, code_points, count_han, count_han_spans, paragraph_bounds,
                            paragraph_spans, sentence_bounds, true_runs)
from analysis.text.diagnostics import OutlineWarning, outline_warnings_of

__all__ = [
    "Issue",
    "NEXT",
    "Node",
    "Outline",
    "Scheme",
    "SCHEMES",
    "announced_table",
    "cn_number",
    "outline_nodes_table",
    "outline_table",
    "outline_warnings",
    "parse_outline",
    "section_lengths",
    "text_section_lengths",
]

# ---------------------------------------------------------------------------
# Numbers

_CN_NUM = CN_NUMERALS
_CIRCLED = CIRCLED
_PAREN_DIGITS = PAREN_DIGITS
_cn_label = cn_label
#: What a scheme's ``parse`` returns for a word that continues any open list (最后).
NEXT = -1
_ORDER_WORDS = {"首先": 1, "其次": 2, "再次": 3, "最后": NEXT}


# ---------------------------------------------------------------------------
# Schemes


@dataclass(frozen=True)
class Scheme:
    """One numbering scheme: how its marker looks, how to read its number, its path label.

    Attributes:
        name: Short identifier (shown in :class:`Node` ``.scheme``).
        pattern: Regex matching the whole marker at its start; group ``num`` holds the number.
        parse: Function from the ``num`` text to an int; None when it is no number, :data:`NEXT`
            for a word that continues whatever number came before (最后).
        label: Function from the number (and the ``num`` text) to the path label.
        sequence: The scheme's first item counts only when a second item confirms it
            (inline enumerations: 第一， 一是 首先).
        continuous: Numbering runs on across parents (articles 第N条), so a new level may
            start at the number after the last one seen.
        line_only: Only recognized at the start of a line.
        reject_after: Regex; a marker followed by this is not a heading (``一、二线``).
        line_only_forms: Regex; a marker that matches it in full is a candidate only at
            the start of a line (the loose forms ``一.`` ``一，`` ``一 、`` of the ``cn`` scheme;
            elsewhere it is dropped, so 统一， never stands for a repeated 一、).
    """

    name: str
    pattern: str
    parse: Callable[[str], int | None]
    label: Callable[[int, str], str]
    sequence: bool = False
    continuous: bool = False
    line_only: bool = False
    reject_after: str | None = None
    line_only_forms: str | None = None


def _label_cn(n: int, _: str) -> str:
    return _cn_label(n)


def _label_ar(n: int, _: str) -> str:
    return str(n)


_NUM_CN = f"[{_CN_NUM}]{{1,3}}"

#: The numbering schemes, as data. Order matters only for markers that start at the
#: same offset (the first listed wins).
SCHEMES: tuple[Scheme, ...] = (
    Scheme("chapter", rf"第(?P<num>[{_CN_NUM}百]{{1,4}})章", cn_number,
           lambda n, _: f"第{_cn_label(n)}章", line_only=True),
    Scheme("section", rf"第(?P<num>[{_CN_NUM}百]{{1,4}})节", cn_number,
           lambda n, _: f"第{_cn_label(n)}节", line_only=True),
    Scheme("article", rf"第(?P<num>[{_CN_NUM}百]{{1,5}})条(?=[\s\u3000])", cn_number,
           lambda n, _: f"第{_cn_label(n) if n < 100 else n}条", continuous=True, line_only=True),
    Scheme("part", rf"第(?P<num>[{_CN_NUM}]{{1,3}})部分", cn_number,
           lambda n, _: f"第{_cn_label(n)}部分", line_only=True),
    # 第一个问题： / 第一个方面 / 第一点， (the top level of 讲三个问题 speeches); a form
    # without punctuation only when the rest of the line is a short title
    Scheme("wenti", rf"第(?P<num>{_NUM_CN})个(?:问题|方面)(?:[，、,：:]|(?=[ \t]*[^\n。，；]{{2,40}}(?:\n|$)))",
           cn_number, lambda n, _: f"第{_cn_label(n)}个问题"),
    Scheme("dian", rf"(?:最后[，,][ \t]*)?第(?P<num>{_NUM_CN})点(?:[，、,：:]|(?=[ \t]*[^\n。，；]{{2,40}}(?:\n|$)))",
           cn_number, lambda n, _: f"第{_cn_label(n)}点"),
    Scheme("cn", rf"(?P<num>{_NUM_CN})(?:[、．]|[ \t\u3000]+、|[.，,](?![0-9]))", cn_number, _label_cn,
           reject_after=rf"[{_CN_NUM}]+[、线级类产档批期次等代]", line_only_forms=r".*(?:\s、|[.，,])"),
    # a bare numeral alone on its line (old collected works): 一 / 正文
    Scheme("cn_bare", rf"(?P<num>{_NUM_CN})(?=[ \t\u3000]*(?:\n|$))", cn_number, _label_cn, line_only=True,
           line_only_forms=".*"),
    Scheme("cn_paren", rf"[（(](?P<num>{_NUM_CN})[）)]", cn_number, lambda n, _: f"（{_cn_label(n)}）"),
    Scheme("arabic_dot", r"(?P<num>[0-9０-９]{1,2})[.．](?![0-9０-９])", cn_number, _label_ar),
    Scheme("arabic_comma", r"(?P<num>[0-9０-９]{1,2})、(?![0-9０-９])", cn_number, _label_ar),
    Scheme("arabic_paren", r"[（(](?P<num>[0-9０-９]{1,2})[）)]", cn_number, lambda n, _: f"（{n}）"),
    Scheme("paren_digit", f"(?P<num>[{_PAREN_DIGITS}])", lambda s: _PAREN_DIGITS.index(s) + 1,
           lambda n, _: f"（{n}）"),
    Scheme("circled", f"(?P<num>[{_CIRCLED}])", lambda s: _CIRCLED.index(s) + 1,
           lambda n, _: _CIRCLED[n - 1] if n <= 20 else f"({n})"),
    # 首先 may open a 第二、第三 list: "首先，…。第二，…"
    Scheme("di", rf"(?P<num>第{_NUM_CN}|首先)[，、,：:]",
           lambda s: 1 if s == "首先" else cn_number(s[1:]),
           lambda n, word: word if word == "首先" else f"第{_cn_label(n)}",
           sequence=True, reject_after=rf"第[{_CN_NUM}]|[{_CN_NUM}]+[、季产类线级批期次等]"),
    Scheme("qi", rf"其(?P<num>[{_CN_NUM}])[，、,：:]", cn_number, lambda n, _: f"其{_cn_label(n)}",
           sequence=True),
    Scheme("shi", rf"(?P<num>[{_CN_NUM}]{{1,2}})是", cn_number, lambda n, _: f"{_cn_label(n)}是",
           sequence=True),
    # 一要…二要…三要… opening sentences (not 要求 要素 要点 要件 要害 要么)
    Scheme("yao", rf"(?P<num>[{_CN_NUM}]{{1,2}})要(?![求素点件害么])", cn_number,
           lambda n, _: f"{_cn_label(n)}要", sequence=True),
    Scheme("order", r"(?P<num>首先|其次|再次|最后)[，,：:]", lambda s: _ORDER_WORDS[s],
           lambda n, word: word, sequence=True),
)

# ---------------------------------------------------------------------------
# Result types


@dataclass(frozen=True, slots=True)
class Node:
    """One part of a document's outline.

    Attributes:
        path: Position in the tree (``"二（三）"``; ``"preamble"``; ``"closing"``;
            ``"四（未编号）"`` for an unheaded part).
        kind: ``"preamble"``, ``"section"`` or ``"closing"``.
        level: 0 for preamble and closing, 1 for top-level sections, 2 below them, ...
        number: The heading's number (None for preamble, closing, unheaded parts).
        scheme: Name of the :class:`Scheme` (None when there is no heading).
        title: The heading line without its marker, or the text up to the first 。 when
            the heading opens a paragraph. Preamble, closing and unheaded parts take their
            first sentence (at most 30 characters, then …).
        start: Offset where the node starts (a heading's line start, or its marker when it
            opens a sentence inside a line).
        end: Offset where the node ends, its children included.
        body_start: Offset just after the heading (after its 。 or at its line end).
        unheaded: True for a part of a section that follows its last sub-point unnumbered.
        parent: Path of the enclosing node (None at levels 0 and 1).
    """

    path: str
    kind: str
    level: int
    number: int | None
    scheme: str | None
    title: str
    start: int
    end: int
    body_start: int
    unheaded: bool = False
    parent: str | None = None


@dataclass(frozen=True)
class Issue:
    """A numbering problem: a gap, a duplicate, an out-of-order or restarted number.

    Attributes:
        kind: ``"gap"``, ``"duplicate"``, ``"out_of_order"`` or ``"restart"``.
        path: Path of the node whose number is off.
        level: Its level.
        expected: The number that should have come.
        found: The number that came.
    """

    kind: str
    path: str
    level: int
    expected: int
    found: int

    @property
    def message(self) -> str:
        """A one-line description, e.g. ``"gap at 三: expected 2, found 3"``."""
        return f"{self.kind} at {self.path}: expected {self.expected}, found {self.found}"


@dataclass(frozen=True)
class Outline:
    """The parsed outline of one text.

    Attributes:
        nodes: Nodes in document order (pre-order: a parent before its children).
        announced: The count announced in the preamble (``重点强调5方面意见`` → 5), or None.
        issues: Numbering problems found while nesting.
        length: Length of the parsed text.
        closing_points: Points the closing announces and numbers itself (``提三点要求：一要…
            二要…三要…`` after the last section): part of the closing, not sections.
        announced_points: The top-level points found in the series the announcement
            introduces (the first series for a count in the preamble; None without a count).
        warnings: Where the outline may be wrong (:mod:`analysis.text.diagnostics`): a point
            holding most of the text, a series that restarts or skips a number, an announced
            count that differs from the points found, a list under a much longer point.
    """

    nodes: tuple[Node, ...]
    announced: int | None
    issues: tuple[Issue, ...]
    length: int
    closing_points: int = 0
    announced_points: int | None = None
    warnings: tuple[OutlineWarning, ...] = ()

    @property
    def found(self) -> int:
        """Number of top-level (level 1) headed sections."""
        return sum(1 for n in self.nodes if n.level == 1 and not n.unheaded)

    def pieces(self) -> list[tuple[str, int, int]]:
        """Return ``(path, start, end)`` for each node's own text (children excluded).

        The pieces are in document order and partition ``text[0:length]`` exactly.
        """
        out = []
        for i, node in enumerate(self.nodes):
            own_end = node.end
            if i + 1 < len(self.nodes) and self.nodes[i + 1].parent == node.path and node.kind == "section":
                own_end = self.nodes[i + 1].start
            out.append((node.path, node.start, own_end))
        return out

    def path_at(self, offset: int) -> str:
        """Return the path of the deepest node containing ``offset``.

        Raises:
            ValueError: When ``offset`` is outside ``0 … length`` (``length`` itself maps
                to the last node).
        """
        if not 0 <= offset <= self.length:
            raise ValueError(f"offset {offset} is outside the text (0 … {self.length})")
        starts, paths = self._visible_pieces
        if not starts:
            return self.nodes[0].path if self.nodes else "preamble"
        i = max(bisect.bisect_right(starts, offset) - 1, 0)
        return paths[i]

    @functools.cached_property
    def _visible_pieces(self) -> tuple[list[int], list[str]]:
        """Starts and paths of the pieces holding text, computed once per outline (not per lookup)."""
        pieces = [p for p in self.pieces() if p[2] > p[1]]
        return [p[1] for p in pieces], [p[0] for p in pieces]


# ---------------------------------------------------------------------------
# Candidates

_SPACE = " \t\r\u3000\u00a0\u200b\u200d\ufeff"
_CLOSERS = "”’」』\"'"
_SENTENCE_END = "。！？!?"


@dataclass(frozen=True, slots=True)
class _Cand:
    scheme: Scheme
    number: int  # or NEXT
    word: str
    marker_start: int
    marker_end: int
    position: str | None  # "line", "sentence", "colon" or None (inside a sentence)
    node_start: int


def _position(text: str, i: int) -> tuple[str | None, int]:
    """Classify where a marker at ``i`` sits; return (class, node start)."""
    j = i
    while j > 0 and text[j - 1] in _SPACE:
        j -= 1
    if j == 0 or text[j - 1] == "\n":
        return "line", j
    k = j
    while k > 0 and text[k - 1] in _CLOSERS:
        k -= 1
    if k > 0 and text[k - 1] in _SENTENCE_END:
        return "sentence", i
    if text[j - 1] in "：:":
        return "colon", i
    return None, i


def _candidates(text: str, schemes: Sequence[Scheme], codes: np.ndarray | None = None) -> list[_Cand]:
    """Every marker of every scheme, by offset (schemes in table order at one offset).

    A scheme's markers are its pattern's ``finditer`` matches over the whole text. For the
    patterns of :data:`SCHEMES` whose first characters are common (Chinese numerals, digits,
    brackets), the matches are found by trying the pattern only where :data:`_PREFILTERS`
    says one can start (found over the code points ``codes``), left to right and skipping
    offsets inside the previous match, which gives the same matches as ``finditer``.
    """
    found: dict[int, _Cand] = {}  # by offset, then scheme rank: start * len(schemes) + rank
    n = len(text)
    starts = _marker_starts(text, schemes, codes)
    for rank, scheme in enumerate(schemes):
        rx = re.compile(scheme.pattern)
        reject = re.compile(scheme.reject_after) if scheme.reject_after else None
        loose = re.compile(scheme.line_only_forms, re.S) if scheme.line_only_forms else None
        at = starts[rank]
        numbers: dict[str, int | None] = {}  # parse each numeral once
        for m in rx.finditer(text) if at is None else _matches_at(rx, text, at):
            start, end = m.span()
            if reject and reject.match(text, end):
                continue
            word = m.group("num")
            if word in numbers:
                number = numbers[word]
            else:
                try:
                    number = numbers[word] = scheme.parse(word)
                except (KeyError, ValueError):
                    number = numbers[word] = None
            if number is None or not (0 < number < 1000 or number == NEXT):
                continue
            position, node_start = _position(text, start)
            if scheme.line_only and position != "line":
                position = None
            if loose and position != "line" and loose.fullmatch(m.group()):
                continue  # a loose form inside running text (统一，) is no candidate at all
            if end >= n or (scheme.sequence and _rest_of_line_blank(text, end)):
                position = None  # heads nothing (a bare marker line is fine for the others)
            found[start * len(schemes) + rank] = _Cand(scheme, number, word, start, end, position, node_start)
    return [found[k] for k in sorted(found)]


_NOT_SPACE = re.compile(f"[^{_SPACE}]")


def _rest_of_line_blank(text: str, i: int) -> bool:
    """True when ``text[i:line end]`` holds only :data:`_SPACE` characters, found without reading the line."""
    m = _NOT_SPACE.search(text, i)
    return m is None or m.group() == "\n"


def _matches_at(rx: re.Pattern, text: str, offsets: np.ndarray):
    """The matches ``rx.finditer(text)`` yields, when every match starts at one of ``offsets`` (sorted)."""
    last_end = 0
    for i in offsets.tolist():
        if i < last_end:
            continue  # inside the previous match, where finditer does not look
        m = rx.match(text, i)
        if m is not None:
            yield m
            last_end = max(m.end(), i + 1)


@dataclass(frozen=True)
class _Prefilter:
    """Where a pattern's match can start: a superset of its match starts, cheap to find.

    Attributes:
        pairs: ``(first, second)`` character sets: a match can start at ``i`` when
            ``text[i]`` is in ``first`` and ``text[i + 1]`` in ``second`` (any when ``""``).
        run: For a marker whose number is a run of these characters (Chinese numerals,
            digits) followed by a character in ``followers`` (or the end of the text when
            ``at_end``): the match starts in the last ``run_length`` characters of a
            maximal run so followed.
    """

    pairs: tuple[tuple[str, str], ...] = ()
    run: str = ""
    run_length: int = 0
    followers: str = ""
    at_end: bool = False

    def first_chars(self) -> str:
        """The characters a match can start with."""
        return "".join(a for a, _ in self.pairs) + self.run

    def chars(self) -> str:
        return self.first_chars() + "".join(b for _, b in self.pairs) + self.followers


_DIGITS = DIGITS
#: Prefilters by scheme pattern (a scheme whose pattern is not listed is run with finditer;
#: those with a literal first character, 第 or 其, are fast that way already). Each must
#: name every way its pattern can start; tests/test_outline_vectorized.py checks them against
#: finditer.
_PREFILTER_BY_NAME = {
    "dian": _Prefilter(pairs=(("最", "后"), ("第", _CN_NUM))),
    "cn": _Prefilter(run=_CN_NUM, run_length=3, followers="、．.，, \t\u3000"),
    "cn_bare": _Prefilter(run=_CN_NUM, run_length=3, followers=" \t\u3000\n", at_end=True),
    "cn_paren": _Prefilter(pairs=(("（(", _CN_NUM),)),
    "arabic_dot": _Prefilter(run=_DIGITS, run_length=2, followers=".．"),
    "arabic_comma": _Prefilter(run=_DIGITS, run_length=2, followers="、"),
    "arabic_paren": _Prefilter(pairs=(("（(", _DIGITS),)),
    "paren_digit": _Prefilter(pairs=((_PAREN_DIGITS, ""),)),
    "circled": _Prefilter(pairs=((_CIRCLED, ""),)),
    "di": _Prefilter(pairs=(("第", _CN_NUM), ("首", "先"))),
    "shi": _Prefilter(run=_CN_NUM, run_length=2, followers="是"),
    "yao": _Prefilter(run=_CN_NUM, run_length=2, followers="要"),
    "order": _Prefilter(pairs=(("首", "先"), ("其再", "次"), ("最", "后"))),
}
_PREFILTERS: dict[str, _Prefilter] = {s.pattern: _PREFILTER_BY_NAME[s.name] for s in SCHEMES
                                      if s.name in _PREFILTER_BY_NAME}


@lru_cache(maxsize=8)
def _char_ids(chars: str) -> tuple[np.ndarray, dict[str, int]]:
    """A table from code point to a small id (0: none of ``chars``), and each char's id.

    Ids follow the order of ``chars`` (first occurrence), from 1.
    """
    ids = {c: k + 1 for k, c in enumerate(dict.fromkeys(chars))}
    if len(ids) > 255:
        raise ValueError("too many prefilter characters for a uint8 table")
    table = np.zeros(0x110000, dtype=np.uint8)
    for c, k in ids.items():
        table[ord(c)] = k
    table.setflags(write=False)
    return table, ids


@lru_cache(maxsize=8)
def _char_set(chars: str) -> np.ndarray:
    """A table from code point to True for the characters of ``chars``."""
    table = np.zeros(0x110000, dtype=bool)
    table[[ord(c) for c in chars]] = True
    table.setflags(write=False)
    return table


def _marker_starts(text: str, schemes: Sequence[Scheme], codes: np.ndarray | None) -> list[np.ndarray | None]:
    """For each scheme, the sorted offsets where its marker may start (None: run finditer)."""
    filters = [_PREFILTERS.get(s.pattern) for s in schemes]
    if not any(filters) or not text:
        return [None] * len(schemes)
    firsts = "".join(sorted({c for f in filters if f for c in f.first_chars()}))
    table, ids = _char_ids(firsts + "".join(sorted({c for f in filters if f for c in f.chars()} - set(firsts))))
    codes = code_points(text) if codes is None else codes
    where = np.flatnonzero(_char_set(firsts)[codes])  # the few offsets where a match may start
    where_id = table[codes[where]]
    n = len(text)

    def select(chars: str) -> np.ndarray:
        chosen = np.zeros(256, dtype=bool)
        chosen[[ids[c] for c in chars]] = True
        return chosen

    def followed_by(offsets: np.ndarray, chars: str, at_end: bool = False) -> np.ndarray:
        """Which of ``offsets`` hold a character of ``chars`` (or are the end, when ``at_end``)."""
        inside = offsets < n
        ok = np.full(len(offsets), at_end, dtype=bool)
        ok[inside] = select(chars)[table[codes[offsets[inside]]]]
        return ok

    out: list[np.ndarray | None] = []
    for f in filters:
        if f is None:
            out.append(None)
            continue
        parts = []
        for first, second in f.pairs:
            hits = where[select(first)[where_id]]
            parts.append(hits[followed_by(hits + 1, second)] if second else hits)
        if f.run:
            inside_run = where[select(f.run)[where_id]]  # sorted offsets of run characters
            breaks = np.flatnonzero(np.diff(inside_run) != 1)
            run_starts = inside_run[np.concatenate(([0], breaks + 1))] if len(inside_run) else inside_run
            run_ends = inside_run[np.concatenate((breaks, [len(inside_run) - 1]))] + 1 if len(inside_run) else inside_run
            follows = followed_by(run_ends, f.followers, f.at_end)
            run_starts, run_ends = run_starts[follows], run_ends[follows]
            for back in range(1, f.run_length + 1):
                parts.append((run_ends - back)[run_ends - back >= run_starts])
        out.append(np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64))
    return out


# ---------------------------------------------------------------------------
# Nesting


@dataclass(slots=True)
class _Head:
    cand: _Cand
    number: int
    level: int  # 1-based
    parent: int | None  # index into heads
    label: str
    issue: tuple[str, int] | None = None  # (kind, expected)


def _is_second(c: _Cand, first: _Cand) -> bool:
    return c.scheme.name == first.scheme.name and c.number == first.number + 1


class _Lookahead:
    """Where each scheme and number occurs among the candidates, to look ahead by bisection.

    Scanning the candidates after ``i`` one by one costs the rest of the text for each
    look; these sorted index lists answer the same questions in logarithmic time.
    """

    def __init__(self, cands: list[_Cand]):
        self.at: dict[tuple[str, int], list[int]] = {}  # (scheme, number) -> indices
        self.at_position: dict[tuple[str, int], list[int]] = {}  # the same, heading positions only
        self.scheme_at_position: dict[str, list[int]] = {}  # scheme -> indices at heading positions
        for k, c in enumerate(cands):
            self.at.setdefault((c.scheme.name, c.number), []).append(k)
            if c.position is not None:
                self.at_position.setdefault((c.scheme.name, c.number), []).append(k)
                self.scheme_at_position.setdefault(c.scheme.name, []).append(k)

    @staticmethod
    def after(indices: list[int] | None, i: int) -> int | None:
        """The first of ``indices`` greater than ``i`` (None when there is none)."""
        if not indices:
            return None
        j = bisect.bisect_right(indices, i)
        return indices[j] if j < len(indices) else None


def _confirmed(cands: list[_Cand], i: int, open_schemes: set[str], look: _Lookahead | None = None) -> bool:
    """True when the list opened by ``cands[i]`` gets its second item before it closes.

    The first later candidate that is the second item (same scheme, next number), a repeat
    of the first (same scheme and number) or a heading-position marker of a scheme open
    above decides: only the second item, at a line or sentence start, confirms.
    """
    look = look or _Lookahead(cands)
    first = cands[i]
    name = first.scheme.name
    second = look.after(look.at.get((name, first.number + 1)), i)
    ends = [look.after(look.at.get((name, first.number)), i)]
    ends += [look.after(look.scheme_at_position.get(s), i) for s in open_schemes]
    end = min((j for j in ends if j is not None), default=None)
    if second is not None and (end is None or second <= end):
        return cands[second].position in ("line", "sentence")
    return False


def _heading_line(text: str, c: _Cand) -> bool:
    """True when the marker heads a title line: 2-40 characters, no 。, not ending like a list item."""
    if c.position != "line":
        return False
    title = text[c.marker_end:_line_end(text, c.marker_end)].strip(_SPACE)
    return 2 <= len(title) <= 40 and "。" not in title and title[-1] not in "；;，,：:"


#: Characters before a marker that show it sits inside a clause (位居世界第三，…).
_INSIDE_CLAUSE = "，、；,;：:（(“‘《"
#: A glued item must follow the previous one by at least this many characters.
_GLUED_MIN_GAP = 20


def _glued(text: str, c: _Cand, open_head: _Head) -> bool:
    """True when an inline ``c`` continues an open series glued to non-sentence text.

    Scraped pages run a photo caption into the next point (``…记者 某某/摄第三，抓好…``):
    such a marker follows no sentence end, yet continues a series that ``第一`` and
    ``第二`` opened. It counts when the series has at least two items, ``c`` is its next
    number, it follows the last item by :data:`_GLUED_MIN_GAP` characters or more, and
    the character before it does not put it inside a clause (``，`` ``、`` ``（`` …) or a
    numeral or ordinal (``第``).
    """
    if not c.scheme.sequence or c.number == NEXT or open_head.cand.scheme.name != c.scheme.name:
        return False
    if open_head.number < 2 or c.number != open_head.number + 1:
        return False
    if c.marker_start - open_head.cand.marker_end < _GLUED_MIN_GAP:
        return False
    before = text[c.marker_start - 1] if c.marker_start else "\n"
    return before not in _INSIDE_CLAUSE and before not in _CN_NUM + "第" + DIGITS and before != "\n"


#: A photo credit or caption end that a scraped page runs into the next sentence (…记者 某某/摄第一，).
_CAPTION_END = re.compile(r"(?:摄|摄影|供图|图源[^。！？\n]{0,12})[ \t\u3000]*$")


def _after_caption(text: str, i: int) -> bool:
    """True when the marker at ``i`` directly follows a photo credit (``摄``, ``供图``)."""
    return bool(_CAPTION_END.search(text, max(0, i - 16), i))


def _nest(cands: list[_Cand], text: str) -> list[_Head]:
    heads: list[_Head] = []
    stack: list[int] = []  # indices into heads, one per open level
    last_seen: dict[str, int] = {}  # continuous schemes: last number anywhere
    shadow: dict[str, tuple[int, int]] = {}  # scheme -> (last number, open depth)

    def accept(c: _Cand, number: int, level_index: int, issue=None) -> None:
        del stack[level_index:]
        for name in [k for k, (_, depth) in shadow.items() if depth > level_index]:
            del shadow[name]
        parent = stack[-1] if stack else None
        label = c.scheme.label(number, c.word)
        heads.append(_Head(c, number, level_index + 1, parent, label, issue))
        stack.append(len(heads) - 1)
        last_seen[c.scheme.name] = number

    look = _Lookahead(cands)
    series_memo: dict = {}  # facts about the open top-level series, computed once per series

    def later_at_position(i: int, name: str, number: int) -> bool:
        return look.after(look.at_position.get((name, number)), i) is not None

    for i, c in enumerate(cands):
        if heads and heads[-1].cand.marker_start == c.marker_start:
            continue  # another scheme took this marker
        name = c.scheme.name
        open_at = next((k for k, h in enumerate(stack) if heads[h].cand.scheme.name == name), None)
        if open_at is None and name == "di" and c.number >= 3:
            # 首先，…其次，…第三，: a numbered item goes on from the ordinal words
            open_at = next((k for k, h in enumerate(stack) if heads[h].cand.scheme.name == "order"
                            and heads[h].number == c.number - 1), None)
        if c.position is None:
            first_after_caption = open_at is None and c.number == 1 and c.scheme.sequence \
                and _after_caption(text, c.marker_start)
            if not first_after_caption and (open_at is None or not _glued(text, c, heads[stack[open_at]])
                                            or later_at_position(i, name, c.number)):
                continue  # not at a heading position
            c = dataclasses.replace(c, position="sentence", node_start=c.marker_start)
        if open_at is not None:
            last = heads[stack[open_at]].number
            n = last + 1 if c.number == NEXT else c.number
            in_shadow = name in shadow and n == shadow[name][0] + 1
            if in_shadow and shadow[name][0] == 1:
                # the second item of a list that restarted inside a deeper part: a list
                # needs two items, so this continues that list, not the open level
                shadow[name] = (n, shadow[name][1])
                continue
            if in_shadow and _heading_line(text, c) != _heading_line(text, heads[stack[open_at]].cand):
                # fits both the restarted list and the open level: side with the one whose
                # lines look like it (a bare "四、" item is not a sibling of a title line)
                shadow[name] = (n, shadow[name][1])
                continue
            if n == last + 1 and c.position in ("line", "sentence"):
                accept(c, n, open_at)
                continue
            if in_shadow:
                shadow[name] = (n, shadow[name][1])
                continue
            if (c.scheme.sequence and c.position in ("line", "sentence") and last + 1 < n <= last + 4
                    and last >= 2 and not later_at_position(i, name, last + 1)):
                accept(c, n, open_at, ("gap", last + 1))  # 第一 第二 第五: a gap, reported
                continue
            if (open_at == 0 and n == 1 and last >= 2 and c.scheme.sequence and c.position == "line"
                    and _restarts(look, i, name, last) and _confirmed(cands, i, set(), look)):
                # the top-level enumeration starts again (第一…第四, later 第一…第三): a new series
                accept(c, n, 0, ("restart", last + 1))
                continue
            if c.position != "line" or c.scheme.sequence:
                continue
            if n == 1 and len(stack) > open_at + 1 and not (
                    _heading_line(text, c) and _heading_line(text, heads[stack[open_at]].cand)):
                # a list restarting inside a deeper part: body text, not a heading (unless
                # both it and the level it would restart are title lines: a new series)
                shadow[name] = (1, len(stack))
                continue
            kind = "gap" if n > last + 1 else "duplicate" if n == last else "restart" if n == 1 else "out_of_order"
            accept(c, n, open_at, (kind, last + 1))
            continue
        if name in shadow and c.number == shadow[name][0] + 1:
            shadow[name] = (c.number, shadow[name][1])
            continue
        first_number = last_seen.get(name, 0) + 1 if c.scheme.continuous else 1
        if c.number != first_number:
            continue
        level_index = len(stack)
        if stack and _new_top_series(text, c, heads, stack, look, i, series_memo):
            level_index = 0
        if c.position == "line" and not c.scheme.sequence:
            accept(c, c.number, level_index)
            continue
        open_names = {heads[h].cand.scheme.name for h in stack}
        if _confirmed(cands, i, open_names, look):
            accept(c, c.number, level_index)
    return heads


#: A list under the last top-level point starts a series of its own when that point would
#: otherwise run this many times longer than the longest of its earlier siblings.
_NEW_SERIES_RATIO = 3.0


def _restarts(look: _Lookahead, i: int, name: str, last: int) -> bool:
    """True when the item 1 at ``i`` is followed by its 2 before the open series' next number."""
    two = look.after(look.at_position.get((name, 2)), i)
    going_on = look.after(look.at_position.get((name, last + 1)), i)
    return two is not None and (going_on is None or two < going_on)


def _new_top_series(text: str, c: _Cand, heads: list[_Head], stack: list[int], look: _Lookahead, i: int,
                    memo: dict) -> bool:
    """True when a list that would nest under the open point is a new top-level series instead.

    Only after the *last* item of a top-level enumeration (``第一，`` ``一是``: a heading line
    such as ``五、`` may hold a list), with no later item of it at a heading position and at
    least two earlier items, and when one of these holds:

    - a paragraph opening with an address (``同志们！`` ``同胞们、朋友们！``) lies between
      that item and ``c`` (a speech turns to a new part);
    - ``c`` is a heading line (``一、``): headings are not sub-points of an enumeration item;
    - the gap from that item to ``c`` is at least twice its siblings' median length and the
      item, running to the end, would hold more than :data:`_NEW_SERIES_RATIO` times the
      longest earlier sibling.

    ``memo`` keeps, per open top-level item, its siblings' gaps and the first address
    paragraph after it, so each is found once however many lists follow.
    """
    top_index = stack[0]
    top = heads[top_index]
    name = top.cand.scheme.name
    if not top.cand.scheme.sequence or top.number < 3 \
            or look.after(look.at_position.get((name, top.number + 1)), i) is not None:
        return False
    if top_index not in memo:
        siblings = [top]
        for j in range(top_index - 1, -1, -1):  # the series' earlier items, back to its first
            h = heads[j]
            if len(siblings) == top.number:
                break
            if h.level == 1:
                if h.cand.scheme.name != name or h.number != siblings[-1].number - 1:
                    break
                siblings.append(h)
        siblings.reverse()
        gaps = sorted(b.cand.marker_start - a.cand.marker_start for a, b in zip(siblings, siblings[1:]))
        address = _address_after(text, top.cand.marker_end, memo)
        memo[top_index] = (len(siblings), gaps, address)
    count, gaps, address = memo[top_index]
    if count < 3:
        return False
    if address is not None and address < c.marker_start:
        return True
    if not c.scheme.sequence and c.position == "line":
        return True
    median = gaps[len(gaps) // 2]
    extent = len(text) - top.cand.marker_start
    return c.marker_start - top.cand.marker_start >= 2 * median and extent > _NEW_SERIES_RATIO * gaps[-1]


_ADDRESS_PARAGRAPH = None  # compiled on first use (_ADDRESS_WORDS is defined with the closing rules)


def _address_after(text: str, start: int, memo: dict) -> int | None:
    """Start of the first paragraph at or after ``start`` that opens with an address formula and ！ or ：.

    The address paragraphs of the text are found once (kept in ``memo``) and looked up by bisection.
    """
    global _ADDRESS_PARAGRAPH
    if _ADDRESS_PARAGRAPH is None:
        _ADDRESS_PARAGRAPH = re.compile(rf"\n[{_SPACE}]*(?:{_ADDRESS_WORDS})[！!：:]")
    if "address" not in memo:
        memo["address"] = [m.start() for m in _ADDRESS_PARAGRAPH.finditer(text)]
    found = memo["address"]
    k = bisect.bisect_left(found, start)
    return found[k] if k < len(found) else None


# ---------------------------------------------------------------------------
# Titles, closing, unheaded parts


def _line_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j


_FULL_STOP_OR_BREAK = re.compile("[。\n]")


def _heading_title(text: str, c: _Cand) -> tuple[str, int]:
    """Return (title, body_start) for a heading."""
    first = _FULL_STOP_OR_BREAK.search(text, c.marker_end)  # not the whole line: it may be the whole text
    if first is not None and first.group() == "。":
        return text[c.marker_end:first.start()].strip(_SPACE), first.start() + 1
    line_end = len(text) if first is None else first.start()
    title = text[c.marker_end:line_end].strip(_SPACE)
    if not title:  # a bare marker line: take the next paragraph's first sentence
        nxt = re.compile(r"[^\n]*\S[^\n]*").search(text, line_end)
        if nxt:
            title = _first_sentence(nxt.group(), min_len=0)
    return title, line_end


def _first_sentence(fragment: str, limit: int = 30, min_len: int = 6) -> str:
    """The first sentence of a fragment (lines joined), at least ``min_len`` characters when there are."""
    flat = "".join(line.strip(_SPACE) for line in fragment.split("\n"))
    title = ""
    for m in re.finditer(r"[^。！？]*[。！？]?", flat):
        title += m.group()
        if len(title.rstrip("。！？")) >= min_len or not m.group():
            break
    title = title.rstrip("。！？")
    return title if len(title) <= limit else title[:limit] + "…"


#: Words that address the audience, alone or joined by 、 (同志们、朋友们！ 同胞们、朋友们！).
_ADDRESS_WORDS = (r"(?:(?:同志们|朋友们|同胞们|各位代表|代表们|各位委员|同学们|女士们|先生们|青年朋友们|共青团员们)"
                  r"[、，,]?)+")
_ADDRESS = r"(?:同志们、朋友们|同志们|各位代表|代表们|各位委员|同学们|女士们、先生们)"
_CLOSING_OPENER = re.compile(rf"(?:{_ADDRESS}[，,！!：:]|让我们|结束语\s*$)")
_ADDRESS_ONLY = re.compile(rf"(?:{_ADDRESS}[！!：:，,。]?|结束语)\s*$")
#: Ordinary paragraphs allowed between two formula paragraphs of one closing.
_CLOSING_GAP = 2


def _find_closing(text: str, after: int, paragraphs: tuple[np.ndarray, np.ndarray] | None = None) -> int | None:
    """Start of the closing among paragraphs starting at or after ``after``; None if absent.

    The closing starts at the last paragraph that opens with a closing formula. It
    reaches back over an address-only line or ``结束语`` right before it, and over an
    earlier formula paragraph (not an address-only line) when at most
    :data:`_CLOSING_GAP` ordinary paragraphs separate the two: congress reports close
    with several ``同志们！……`` paragraphs. ``paragraphs``: :func:`analysis.chars.paragraph_bounds`
    of ``text`` when the caller has them.
    """
    starts, ends = paragraph_bounds(text) if paragraphs is None else paragraphs
    first = int(np.searchsorted(starts, after, side="left"))
    paras = list(zip(starts[first:].tolist(), ends[first:].tolist()))
    openers = [k for k, (s, e) in enumerate(paras) if _CLOSING_OPENER.match(text[s:e].lstrip(_SPACE))]
    if not openers:
        return None
    chosen = openers[-1]
    for k in reversed(openers[:-1]):
        s, e = paras[k]
        if chosen - k - 1 > _CLOSING_GAP or _ADDRESS_ONLY.match(text[s:e].strip(_SPACE)):
            break
        chosen = k
    while chosen > 0:
        s, e = paras[chosen - 1]
        if not _ADDRESS_ONLY.match(text[s:e].strip(_SPACE)):
            break
        chosen -= 1
    s = paras[chosen][0]
    while s > 0 and text[s - 1] in _SPACE:  # indentation belongs to the paragraph
        s -= 1
    return s


def _body_paragraphs(text: str, start: int, body_start: int, end: int,
                     paragraphs: tuple[list[int], list[tuple[int, int]]] | None = None) -> list[tuple[int, int]]:
    """Body paragraphs of a childless node: (start, end) spans, heading line's body included.

    ``paragraphs`` is ``(starts, spans)`` of :func:`analysis.chars.paragraph_spans` over the
    whole text, computed once per text by the caller; the node's paragraphs are found by
    bisection, so the cost is that of the node's own paragraphs, not of ``text[:end]``.
    A paragraph that runs past ``end`` is cut at ``end``, as if ``text[:end]`` were scanned.
    """
    if paragraphs is None:
        spans_all = paragraph_spans(text)
        paragraphs = ([s for s, _ in spans_all], spans_all)
    starts, spans_all = paragraphs
    spans = []
    line_end = _line_end(text, body_start)
    if text[body_start:min(line_end, end)].strip(_SPACE):
        spans.append((start, min(line_end, end)))
    first = bisect.bisect_right(starts, body_start)  # s > body_start
    last = bisect.bisect_left(starts, end)  # s < end
    for s, e in spans_all[first:last]:
        e = min(e, end)
        piece = text[s:e]
        if s >= line_end and piece.strip() and piece.strip(_SPACE):
            spans.append((s, e))
    return spans


# ---------------------------------------------------------------------------
# Announcements

_COUNT = r"(?P<num>[0-9０-９]{1,2}|[一二两三四五六七八九十]{1,3})"
#: Words between a count and its noun: 讲3个主要问题, 做好8项重点工作.
_COUNT_MODIFIER = r"(?:大|主要|重要|重点|基本|方面的?|点|个)?"
_ANNOUNCE = re.compile(
    r"(?:讲|谈|强调|提|提出|说|分|分为|归纳为|概括为|汇报|报告|做好|抓好|做到|把握|把握好|把握住|部署)(?:了)?"
    r"(?:以下|如下|这么|这样)?"
    rf"\s*{_COUNT}\s*(?:个|项)?\s*{_COUNT_MODIFIER}\s*"
    r"(?:方面|点|问题|部分|条|件事|项|工作|任务|要求|意见)"
)
#: ``以下4点重要经验``, ``以下四个教育理念``: 以下/如下 and a count announce whatever noun follows.
_ANNOUNCE_BELOW = re.compile(rf"(?:以下|如下)\s*{_COUNT}\s*(?:个|项|点|条|方面)")
#: ``宣布…的八项行动：``: a count of 项 and a short noun that end a sentence with a colon, a list follows.
_ANNOUNCE_COLON = re.compile(
    rf"(?:宣布|提出|讲|谈|部署|强调)[^。！？\n]{{0,30}}?{_COUNT}\s*项[^。！？\n，,]{{0,6}}[：:]")
#: A count that belongs to another occasion (去年会议提出的3点要求): a past time in its clause.
_PAST = re.compile(r"去年|上次|上一次|上年|上届|此前|以前|曾经|曾|那次|当时|过去")
#: ``从…4个方面来谈``: the count stands before 方面 and the verb after it.
_ANNOUNCE_FROM = re.compile(
    r"从[^。！？\n]{0,40}?(?P<num>[0-9０-９]{1,2}|[一二两三四五六七八九十]{1,3})\s*个\s*(?:大\s*)?方面"
    r"(?:来|去)?(?:谈|讲|说|汇报|部署|强调)"
)
#: A closing that announces its own points: ``提三点要求：`` ``提几点希望：`` after the last section.
_CLOSING_POINTS = re.compile(
    r"(?:提|讲|强调|提出)(?:以下|如下|这么)?\s*(?:[0-9０-９]{1,2}|[一二两三四五六七八九十几]{1,3})\s*(?:个|点|条)\s*"
    r"(?:要求|希望|建议|意见)(?:[：:]|[，,][^。！？\n]{0,12}[。：:]|。)"
)


def _announced(preamble: str) -> int | None:
    """The count the preamble announces (the last announcement in it), or None.

    ``讲3个问题``, ``谈四个问题``, ``强调5方面意见``, ``做好8项重点工作``, ``从…4个方面来谈``,
    ``以下4点``, ``宣布…的八项行动：``. Not counts: an uncounted ``讲几点意见``, a count below
    two (the idiom ``讲一点意见``, 一点: "a little"; ``只提一项``), and a count in a clause about another occasion
    (``去年会议提出的3点要求``: a past time word in the clause, or a verb + 的 before the count).

    >>> [_announced(s) for s in ["我讲三点意见。", "我还想讲一点意见。", "去年会议提出的3点要求，要落实。",
    ...                          "今年要做好8项重点工作。", "有以下四个方面。", "我宣布中方支持的八项行动："]]
    [3, None, None, 8, 4, 8]
    """
    matches = [m for rx in (_ANNOUNCE, _ANNOUNCE_FROM, _ANNOUNCE_BELOW, _ANNOUNCE_COLON)
               for m in rx.finditer(preamble) if _own_count(preamble, m)]
    matches.sort(key=lambda m: m.end())
    return cn_number(matches[-1].group("num")) if matches else None


_CLAUSE_BREAK = re.compile(r"[，。；！？,;!?\n]")


def _own_count(text: str, m: re.Match) -> bool:
    """False for a count below 2 (the idiom 一点) and for a count in a clause about another occasion."""
    if (cn_number(m.group("num")) or 0) < 2:
        return False  # 讲一点意见 (一点: "a little"), 只提一项: an outline announces two points or more
    clause_start = max((b.end() for b in _CLAUSE_BREAK.finditer(text, max(0, m.start() - 40), m.start())), default=0)
    clause = text[clause_start:m.start("num")]
    return not _PAST.search(clause) and not clause.rstrip().endswith("的") or bool(_ANNOUNCE_COLON.fullmatch(m.group()))


def _demote_inline_series(text: str, heads: list[_Head]) -> list[_Head]:
    """Take an inline list in a section's opening paragraph out of its sub-points.

    A section may open with a paragraph that enumerates (``…。一是…。二是…。三是…``)
    and then have its real sub-points as paragraphs (``第一，`` ``第二，`` at line starts).
    Nesting by first appearance makes the inline list the sub-points and hangs the real
    ones under its last item. When a series of at least two items sits wholly inside one
    paragraph, its earlier items have no children, and its last item's children all
    start lines after that paragraph, the series is body text of its parent: it is
    dropped and those children move up one level.
    """
    changed = True
    while changed:
        changed = False
        kids: dict[int | None, list[int]] = {}
        for k, h in enumerate(heads):
            kids.setdefault(h.parent, []).append(k)
        for parent, siblings in kids.items():
            run: list[int] = []
            for k in siblings + [None]:
                if k is not None and run and heads[k].cand.scheme.name == heads[run[0]].cand.scheme.name:
                    run.append(k)
                    continue
                if len(run) >= 2 and _inline_series(text, heads, run, kids):
                    heads = _drop_series(heads, run, parent)
                    changed = True
                    break
                run = [k] if k is not None else []
            if changed:
                break
    return heads


def _inline_series(text: str, heads: list[_Head], run: list[int], kids: dict) -> bool:
    first, last = heads[run[0]].cand, heads[run[-1]].cand
    if any(heads[k].cand.position != "sentence" for k in run[1:]) or "\n" in text[first.marker_start:last.marker_end]:
        return False
    if any(kids.get(k) for k in run[:-1]):
        return False
    children = kids.get(run[-1]) or []
    para_end = _line_end(text, last.marker_end)
    return bool(children) and all(heads[c].cand.position == "line" and heads[c].cand.marker_start > para_end
                                  for c in children)


def _drop_series(heads: list[_Head], run: list[int], parent: int | None) -> list[_Head]:
    """Remove the heads in ``run``; the last one's descendants move up a level under ``parent``."""
    dropped = set(run)
    last = run[-1]

    def under_last(k: int) -> bool:
        p = heads[k].parent
        while p is not None:
            if p == last:
                return True
            p = heads[p].parent
        return False

    moved = {k for k in range(len(heads)) if under_last(k)}
    new_index = {}
    out: list[_Head] = []
    for k, h in enumerate(heads):
        if k in dropped:
            continue
        new_index[k] = len(out)
        out.append(h)
    for k, h in enumerate(heads):
        if k in dropped:
            continue
        p = parent if h.parent == last else h.parent
        h.parent = new_index[p] if p is not None else None
        if k in moved:
            h.level -= 1
    return out


def _split_closing_points(text: str, heads: list[_Head]) -> tuple[list[_Head], int, int | None]:
    """Take the points a closing announces (``提三点要求：一要…``) out of the sections.

    When a top-level section precedes an announcement such as ``提三点要求：`` and only
    items below the top level follow it, those items number the closing's demands, not
    sub-points of the last section. Returns the remaining heads, the number of points
    taken out, and the start of the paragraph holding the announcement (None when
    there is none).
    """
    if not heads:
        return heads, 0, None
    top_scheme = heads[0].cand.scheme.name
    marker_starts = [h.cand.marker_start for h in heads]  # increasing: heads are in text order
    first_top = next((k for k, h in enumerate(heads) if h.level == 1), len(heads))
    last_top_series = max((k for k, h in enumerate(heads) if h.level == 1 and h.cand.scheme.name == top_scheme),
                          default=-1)
    for m in reversed(list(_CLOSING_POINTS.finditer(text))):
        n_before = bisect.bisect_left(marker_starts, m.start())  # heads[:n_before] start before m
        first_after = bisect.bisect_left(marker_starts, m.end())  # heads[first_after:] start at or after its end
        if not n_before or first_after == len(heads) or first_top >= n_before:
            continue
        restarted = heads[first_after].number == 1 and heads[first_after].issue is not None \
            and heads[first_after].issue[0] == "restart"
        if last_top_series >= first_after and not restarted:
            continue  # the top-level series goes on: these are a section's sub-points
        after = range(first_after, len(heads))
        keep = heads[:after[0]]
        para = text.rfind("\n", 0, m.start()) + 1
        while para < len(text) and text[para] in _SPACE:
            para += 1
        if para <= keep[-1].cand.marker_start:
            para = m.start()
        return keep, len([k for k in after if heads[k].level == heads[after[0]].level]), para
    return heads, 0, None


# ---------------------------------------------------------------------------
# Parser


def parse_outline(text: str, *, schemes: Sequence[Scheme] = SCHEMES) -> Outline:
    """Parse the numbered outline of a (normalized) text.

    Args:
        text: The document's text, normalized (see :mod:`analysis.io.normalize`); any str
            works, and the result is lossless for any str.
        schemes: Numbering schemes to recognize (default :data:`SCHEMES`).

    Returns:
        An :class:`Outline`: ``.nodes`` in document order (preamble, sections with their
        sub-points, unheaded parts, closing), ``.announced``, ``.found``, ``.issues``,
        ``.pieces()`` (a partition of ``text``) and ``.path_at(offset)``.

    Raises:
        TypeError: When ``text`` is not a str.

    >>> o = parse_outline("一、总体要求\\n（一）甲。正文\\n（二）乙。正文\\n二、任务\\n正文")
    >>> [n.path for n in o.nodes]
    ['一', '一（一）', '一（二）', '二']
    >>> o.path_at(10), o.found, o.issues
    ('一（一）', 2, ())
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_outline needs the document's text as a str, got {type(text).__name__}")
    codes = code_points(text)
    cands = _candidates(text, schemes, codes)
    flags = char_flags(codes)
    del codes
    paragraphs = paragraph_bounds(text, flags)  # once per text, shared by the steps below
    heads = _demote_inline_series(text, _nest(cands, text))
    del cands
    heads, closing_points, points_start = _split_closing_points(text, heads)
    if not heads:
        heads = _dash_heads(text)
    closing = _closing_start(text, heads, points_start, paragraphs)
    starts = [h.cand.node_start for h in heads]
    ends = _heading_ends(heads, starts, closing if closing is not None else len(text))
    paths = _heading_paths(heads)
    unheaded = _unheaded_parts(text, heads, starts, ends, paragraphs)  # may shorten the last sub-points in ends
    nodes, issues = _assemble_nodes(text, heads, starts, ends, paths, unheaded, closing)
    announced, series_start = _announced_count(text, heads, starts)
    announced_points = _series_length(heads, series_start) if announced is not None else None
    warnings = _warnings(text, nodes, issues, announced, announced_points, flags)
    return Outline(tuple(nodes), announced, tuple(issues), len(text), closing_points, announced_points,
                   tuple(warnings))


#: Parts that open with a dash and a shared phrase (——我们纪念某某同志，就要学习…): no number.
DASH = Scheme("dash", "——", lambda s: None, lambda n, _: f"——{n}")
_DASH_ITEM = re.compile(r"(—{1,2}|－{2})(?=[^—－\n])")
#: Characters after the dash that items of one series share, and the fewest items of a series.
_DASH_PREFIX, _DASH_MIN_ITEMS = 3, 3


def _dash_heads(text: str) -> list[_Head]:
    """Top-level parts of a text with no numbered outline that opens its parts with dashes.

    A dash (``——``) at the start of a line or a sentence opens an item; items whose first
    :data:`_DASH_PREFIX` characters after the dash agree, or whose five characters after a
    comma in the first twelve agree (``——甲乙，集中体现了…``), form a series, and a series of
    :data:`_DASH_MIN_ITEMS` or more is a list of parts. Every such series is kept, in text
    order, numbered on from 1 (``——1`` … ``——9``). Called only when no numbered heading was
    found: inside a numbered speech, dash lists are rhetoric within a point.
    """
    groups: dict[str, list[re.Match]] = {}
    for m in _DASH_ITEM.finditer(text):
        if m.start() and text[m.start() - 1] in "—－" or _position(text, m.start())[0] not in ("line", "sentence"):
            continue
        key = text[m.end():m.end() + _DASH_PREFIX]
        if len(key) == _DASH_PREFIX and "\n" not in key:
            groups.setdefault(key, []).append(m)
        comma = text.find("，", m.end(), m.end() + 12)  # 生命至上，集中体现了… / 举国同心，集中体现了…
        if comma > 0 and "\n" not in text[m.end():comma + 6]:
            groups.setdefault("，" + text[comma + 1:comma + 6], []).append(m)
    chosen = {m.start(): m for ms in groups.values() if len(ms) >= _DASH_MIN_ITEMS for m in ms}
    items = [chosen[k] for k in sorted(chosen)]
    heads = []
    for k, m in enumerate(items, start=1):
        position, node_start = _position(text, m.start(1))
        cand = _Cand(DASH, k, "——", m.start(1), m.end(1), position or "sentence", node_start)
        heads.append(_Head(cand, k, 1, None, DASH.label(k, "——")))
    return heads


#: How far before a later series' first item its announcement is looked for (characters).
_ANNOUNCE_LOOKBACK = 400


def _announced_count(text: str, heads: list[_Head], starts: list[int]) -> tuple[int | None, int]:
    """The count announced in the preamble; else the first one announced right before a later
    top-level series (in the paragraph before its first item, or before it in its own).

    Returns the count (None: none) and the index of the head that starts the series it introduces.
    """
    if not heads:
        return None, 0
    found = _announced(text[:starts[0]])
    if found is not None:
        return found, 0
    for k, h in enumerate(heads[1:], start=1):
        if h.level != 1 or h.number != 1:
            continue
        floor = max(heads[k - 1].cand.marker_end, h.cand.marker_start - _ANNOUNCE_LOOKBACK)
        line_start = text.rfind("\n", floor, h.cand.marker_start) + 1
        before = text.rfind("\n", floor, max(line_start - 1, floor)) + 1 if line_start else 0
        found = _announced(text[max(before, floor):h.cand.marker_start])
        if found is not None:
            return found, k
    return None, 0


def _series_length(heads: list[_Head], k: int) -> int:
    """Top-level items of the series starting at head ``k``: one scheme, numbers going up."""
    if k >= len(heads):
        return 0
    scheme, last, n = heads[k].cand.scheme.name, heads[k].number - 1, 0
    for h in heads[k:]:
        if h.level != 1:
            continue
        if h.cand.scheme.name != scheme or h.number <= last:
            break
        last, n = h.number, n + 1
    return n


def _warnings(text: str, nodes: list[Node], issues: list[Issue], announced: int | None,
              announced_points: int | None, flags: np.ndarray | None = None) -> list[OutlineWarning]:
    """:func:`analysis.text.diagnostics.outline_warnings_of` for the parsed nodes (one pass over the text)."""
    sections = [n for n in nodes if n.level > 0]
    han = count_han_spans(text, [(n.start, n.end) for n in sections], flags=flags).tolist() if sections else []
    parents = {n.parent for n in sections if n.parent is not None}
    rows = [(n.path, n.parent, h, n.unheaded, n.path in parents) for n, h in zip(sections, han)]
    return outline_warnings_of(rows, issues=issues, announced=announced, announced_points=announced_points)


def _closing_start(text: str, heads: list[_Head], points_start: int | None,
                   paragraphs: tuple[np.ndarray, np.ndarray] | None = None) -> int | None:
    """Where the closing begins (after the last point's first paragraph), or None."""
    if not heads:
        return None
    _, last_body = _heading_title(text, heads[-1].cand)
    closing = _find_closing(text, _line_end(text, last_body) + 1, paragraphs)
    if points_start is not None and (closing is None or closing > points_start):
        closing = points_start
    return closing


def _heading_ends(heads: list[_Head], starts: list[int], limit: int) -> list[int]:
    """Each heading's span ends where the next heading at its level or above starts (else at ``limit``).

    One pass from the end with a stack of open headings, so the cost is linear in the
    number of headings.
    """
    ends = [limit] * len(heads)
    pending: list[int] = []  # headings still waiting for their end, deepest last
    for k, h in enumerate(heads):
        while pending and heads[pending[-1]].level >= h.level:
            ends[pending.pop()] = starts[k]
        pending.append(k)
    return ends


def _heading_paths(heads: list[_Head]) -> list[str]:
    """Outline paths (一, 一（二）, 2.1 …), numbered ``#2`` … when a path repeats."""
    paths: list[str] = []
    seen: dict[str, int] = {}
    for h in heads:
        prefix = paths[h.parent] if h.parent is not None else ""
        sep = "." if prefix[-1:].isdigit() and h.label[:1].isdigit() else ""
        path = prefix + sep + h.label
        if path in seen:
            seen[path] += 1
            path = f"{path}#{seen[path]}"
        else:
            seen[path] = 1
        paths.append(path)
    return paths


def _unheaded_parts(text: str, heads: list[_Head], starts: list[int], ends: list[int],
                    paragraphs: tuple[np.ndarray, np.ndarray] | None = None) -> dict[int, tuple[int, int]]:
    """Last item index → (start, end) of the unheaded part after it: text a last item outgrows.

    Among the items of one series (siblings of one scheme, in a row; top-level series too),
    the last item is cut at the end of a paragraph, and the text after it up to where it
    ended becomes an unheaded part (``<parent>（未编号）``, or ``（未编号）`` at the top level):

    - when every earlier item is one paragraph and the last runs on for more: it keeps its
      first paragraph (e.g. a word to the organization department after the numbered points);
    - when the whole series runs inline in one paragraph (``…。一是…。二是…。三是…``): the
      last item ends with that paragraph, unless the paragraph breaks off mid-sentence (the
      next one then continues it);
    - at the top level, otherwise: the last item ends before an address-only line
      (``同志们！`` ``青年朋友们、同志们！``): the speech turns to another part.

    ``ends`` of such last items is cut there. Items with children are never cut.
    """
    children: dict[int | None, list[int]] = {}
    for k, h in enumerate(heads):
        children.setdefault(h.parent, []).append(k)
    unheaded: dict[int, tuple[int, int]] = {}
    table = None  # (starts, spans) of the paragraphs, made when a series needs it
    for parent, kids in children.items():
        for series in _series_runs(heads, kids):
            last = series[-1]
            if len(series) < 2 or children.get(last):
                continue
            if parent is not None and series[-1] != kids[-1]:
                continue  # inside a section, only its last series: later text is the next series'
            end = ends[last]
            cut = _inline_cut(text, heads, series, end)
            if cut is None and len(series) >= 3 and not any(children.get(k) for k in series):
                if table is None:
                    para_starts, para_ends = paragraph_bounds(text) if paragraphs is None else paragraphs
                    table = (para_starts.tolist(), list(zip(para_starts.tolist(), para_ends.tolist())))
                counts = [_body_paragraphs(text, starts[k], _heading_title(text, heads[k].cand)[1], ends[k], table)
                          for k in series]
                if all(len(c) == 1 for c in counts[:-1]) and len(counts[-1]) >= 2:
                    cut = counts[-1][1][0]
            if cut is None and parent is None:
                cut = _address_cut(text, heads[last].cand.marker_end, end)
            if cut is None:
                continue
            while cut > 0 and text[cut - 1] in _SPACE:
                cut -= 1
            if cut < end and (count_han(text[cut:end]) or text[cut:end].strip()):
                unheaded[last] = (cut, end)
                ends[last] = cut
    return unheaded


def _address_cut(text: str, start: int, end: int) -> int | None:
    """Start of the first address-only line (``同志们！`` ``青年朋友们、同志们！``) in ``text[start:end]``."""
    global _ADDRESS_LINE
    if _ADDRESS_LINE is None:
        _ADDRESS_LINE = re.compile(rf"\n[{_SPACE}]*(?:{_ADDRESS_WORDS})[！!：:]?[{_SPACE}]*(?=\n|$)")
    m = _ADDRESS_LINE.search(text, start, end)
    return None if m is None else m.start() + 1


_ADDRESS_LINE = None  # compiled on first use (_ADDRESS_WORDS is defined with the closing rules)


def _family(name: str) -> str:
    """Schemes one series may mix: ordinal words go on with numbers (首先 其次 第三)."""
    return "di" if name == "order" else name


def _series_runs(heads: list[_Head], kids: list[int]) -> list[list[int]]:
    """Split siblings into runs of one scheme whose numbers go up."""
    runs: list[list[int]] = []
    for k in kids:
        if runs and _family(heads[runs[-1][-1]].cand.scheme.name) == _family(heads[k].cand.scheme.name) \
                and heads[k].number > heads[runs[-1][-1]].number:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _inline_cut(text: str, heads: list[_Head], series: list[int], end: int) -> int | None:
    """Where the last item of a series that runs inline in one paragraph ends (None: not such a series)."""
    first, last = heads[series[0]].cand, heads[series[-1]].cand
    if "\n" in text[first.marker_start:last.marker_end]:
        return None
    para_end = _line_end(text, last.marker_end)
    if para_end >= end:
        return None
    tail = text[last.marker_end:para_end].rstrip(_SPACE)
    if not tail or tail[-1] not in _SENTENCE_END + _CLOSERS + "”）)":
        return None  # the paragraph breaks off mid-sentence: the next one continues the item
    return para_end + 1


def _assemble_nodes(text: str, heads: list[_Head], starts: list[int], ends: list[int], paths: list[str],
                    unheaded: dict[int, tuple[int, int]], closing: int | None) -> tuple[list[Node], list[Issue]]:
    """The nodes in document order (preamble, sections, unheaded parts, closing) and the issues found."""
    n_text = len(text)
    nodes: list[Node] = []
    first = starts[0] if heads else n_text
    if first > 0 or not heads:
        nodes.append(Node("preamble", "preamble", 0, None, None, _first_sentence(text[:first]), 0, first, 0))
    issues: list[Issue] = []
    seen_unheaded: dict[str, int] = {}
    for k, h in enumerate(heads):
        title, body = _heading_title(text, h.cand)
        parent_path = paths[h.parent] if h.parent is not None else None
        nodes.append(Node(paths[k], "section", h.level, h.number, h.cand.scheme.name, title,
                          starts[k], ends[k], min(body, ends[k]), False, parent_path))
        if h.issue:
            issues.append(Issue(h.issue[0], paths[k], h.level, h.issue[1], h.number))
        if k in unheaded:  # the unheaded part follows the last item of a series
            cut, end = unheaded[k]
            p = h.parent
            path = (paths[p] if p is not None else "") + "（未编号）"
            seen_unheaded[path] = seen_unheaded.get(path, 0) + 1
            if seen_unheaded[path] > 1:
                path = f"{path}#{seen_unheaded[path]}"
            nodes.append(Node(path, "section", h.level, None, None, _first_sentence(text[cut:end]), cut, end, cut,
                              True, parent_path))
    if closing is not None:
        nodes.append(Node("closing", "closing", 0, None, None, _first_sentence(text[closing:]),
                          closing, n_text, closing))
    return nodes, issues



# ---------------------------------------------------------------------------
# Tables

def _redactions(span: str) -> int:
    """〓 placeholders, plus marks a text that was not normalized still holds (×× XX 某某 ***)."""
    raw_marks = sum(1 for m in REDACTION_RE.finditer(span) if REDACTION not in m.group())
    return span.count(REDACTION) + raw_marks


#: Every character a match of REDACTION_RE consists of: each of its alternatives is a
#: run of these, and its lookarounds look one character to either side.
_REDACTION_CHARS = "×╳Xx*＊某○□■" + REDACTION


def _redaction_counts(text: str, spans: Sequence[tuple[int, int]], codes: np.ndarray | None = None) -> list[int]:
    """``_redactions(text[s:e])`` for each span, without scanning each span.

    Matches lie inside runs of :data:`_REDACTION_CHARS` and depend only on their run and
    the character either side, so each run's count (read with those two characters) is
    computed once and summed over the runs inside a span by a cumulative sum. A run that
    a span cuts, or whose neighbouring character the span leaves out (only the first and
    last run a span touches can be such), is counted again on its part inside the span.
    """
    run_starts, run_ends = true_runs(_char_set(_REDACTION_CHARS)[code_points(text) if codes is None else codes])
    if not len(spans) or not len(run_starts):
        return [0] * len(spans)
    cumulative = np.zeros(len(run_starts) + 1, dtype=np.int64)
    cumulative[1:] = np.cumsum([_redactions(text[max(a - 1, 0):b + 1])
                                for a, b in zip(run_starts.tolist(), run_ends.tolist())])
    bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    s, e = bounds[:, 0], bounds[:, 1]
    first = np.searchsorted(run_ends, s, side="right")  # the first run ending after s
    stop = np.searchsorted(run_starts, e, side="left")  # runs from here on start at or after e
    touched = (e > s) & (first < stop)
    totals = np.where(touched, cumulative[stop] - cumulative[np.minimum(first, stop)], 0)
    last = np.maximum(stop - 1, 0)
    first_c = np.minimum(first, len(run_starts) - 1)
    # a run needs counting again when the span starts at or inside it, or ends at or inside it
    redo = touched & ((run_starts[first_c] <= s) | (run_ends[first_c] >= e)
                      | (run_starts[last] <= s) | (run_ends[last] >= e))
    out = totals.tolist()
    for i in np.flatnonzero(redo).tolist():
        si, ei = int(s[i]), int(e[i])
        for r in {int(first[i]), int(stop[i]) - 1}:
            a, b = int(run_starts[r]), int(run_ends[r])
            lo, hi = max(a, si), min(b, ei)
            part = _redactions(text[lo - (lo > si):hi + (hi < ei)])
            out[i] += part - int(cumulative[r + 1] - cumulative[r])
    return out


def _documents(documents_df: pd.DataFrame, caller: str):
    """Yield (id, text) from a documents table, with errors that say what to do."""
    if not isinstance(documents_df, pd.DataFrame):
        raise TypeError(f"{caller} needs a documents DataFrame (from analysis.io.corpus.load_corpus), "
                        f"got {type(documents_df).__name__}")
    missing = [c for c in ("id", "text") if c not in documents_df.columns]
    if missing:
        raise ValueError(f"{caller}: the documents table lacks column(s) {missing}; load it with "
                         "analysis.io.corpus.load_corpus or give it 'id' and 'text' columns")
    for doc_id, text in zip(documents_df["id"], documents_df["text"]):
        if not isinstance(text, str):
            raise ValueError(f"{caller}: document {doc_id!r} has no text ({text!r}); "
                             "drop it or load it again")
        yield doc_id, text


def _share(part: float, whole: float) -> float:
    return part / whole if whole else float("nan")


def _node_frame(outline: Outline, text: str, document) -> pd.DataFrame:
    """Rows of one document's nodes with Han counts, shares, sentences, paragraphs, redactions."""
    nodes = outline.nodes
    pieces = outline.pieces()
    index = {n.path: i for i, n in enumerate(nodes)}
    starts = np.array([p[1] for p in pieces], dtype=np.int64)
    filled = np.flatnonzero(np.array([p[2] > p[1] for p in pieces], dtype=bool))  # non-empty pieces

    def owners(offsets: np.ndarray) -> np.ndarray:
        """Index of the piece owning each offset: the last non-empty piece starting at or before it (else 0)."""
        at = np.searchsorted(starts, offsets, side="right") - 1
        if not len(filled):
            return np.zeros(len(offsets), dtype=np.int64)
        k_filled = np.searchsorted(filled, at, side="right") - 1
        return np.where(k_filled >= 0, filled[np.maximum(k_filled, 0)], 0)

    k = len(nodes)
    codes = code_points(text)
    redactions = _redaction_counts(text, [(n.start, n.end) for n in nodes], codes)
    flags = char_flags(codes)
    del codes
    own_han = count_han_spans(text, [(s, e) for _, s, e in pieces] + [(0, len(text))], flags=flags).tolist()
    doc_han = own_han.pop()
    sentence_starts, sentence_ends = sentence_bounds(text, flags)
    sentence_starts = sentence_starts[~blank_spans(text, sentence_starts, sentence_ends, flags)]  # non-blank
    own_sent = np.bincount(owners(sentence_starts), minlength=k).tolist()
    own_para = np.bincount(owners(paragraph_bounds(text, flags)[0]), minlength=k).tolist()
    del flags
    han, sent, para = list(own_han), list(own_sent), list(own_para)
    for i in range(k - 1, -1, -1):  # pre-order reversed: children before parents
        parent = nodes[i].parent
        if parent is not None:
            j = index[parent]
            han[j] += han[i]
            sent[j] += sent[i]
            para[j] += para[i]
    parent_han = [han[index[n.parent]] if n.parent is not None else doc_han for n in nodes]
    return pd.DataFrame({
        "document": [document] * k, "path": [n.path for n in nodes], "level": [n.level for n in nodes],
        "title": [n.title for n in nodes],
        "han_chars": han,
        "share_of_document": [_share(h, doc_han) for h in han],
        "share_of_parent": [_share(h, p) for h, p in zip(han, parent_han)],
        "sentences": sent, "paragraphs": para,
        "redactions": redactions,
        "kind": [n.kind for n in nodes], "parent": [n.parent for n in nodes], "number": [n.number for n in nodes],
        "scheme": [n.scheme for n in nodes], "start": [n.start for n in nodes], "end": [n.end for n in nodes],
        "body_start": [n.body_start for n in nodes], "unheaded": [n.unheaded for n in nodes],
        "own_han_chars": own_han, "own_share": [_share(o, h) for o, h in zip(own_han, han)],
        "warnings": _node_warnings(outline),
    })


def _node_warnings(outline: Outline) -> list[str]:
    """Per node, its warnings' messages joined by ``"; "`` (document-wide ones on the first row)."""
    by_path: dict[str, list[str]] = {}
    for w in outline.warnings:
        by_path.setdefault(w.path, []).append(w.message)
    out = ["; ".join(by_path.get(n.path, [])) for n in outline.nodes]
    if "" in by_path and out:
        out[0] = "; ".join(by_path[""] + ([out[0]] if out[0] else []))
    return out


_LENGTH_COLUMNS = ["document", "path", "level", "title", "han_chars", "share_of_document",
                   "share_of_parent", "sentences", "paragraphs", "redactions", "kind", "parent",
                   "unheaded", "own_han_chars", "own_share"]
_OUTLINE_COLUMNS = ["document", "path", "kind", "level", "number", "scheme", "title", "start", "end",
                    "body_start", "unheaded", "parent", "han_chars", "share", "warnings"]
_CLI_COLUMNS = ["document", "path", "level", "number", "title", "start", "end", "han_chars", "share",
                "unheaded", "warnings"]
_WARNING_COLUMNS = ["document", "path", "kind", "message"]


def _frames(documents_df: pd.DataFrame, caller: str) -> pd.DataFrame:
    frames = [_node_frame(parse_outline(text), text, doc_id)
              for doc_id, text in _documents(documents_df, caller)]
    columns = list(dict.fromkeys(_LENGTH_COLUMNS + _OUTLINE_COLUMNS[:-2] + ["warnings"]))
    if not frames:
        return pd.DataFrame({c: [] for c in columns})
    out = pd.concat(frames, ignore_index=True)
    out["number"] = out["number"].astype("Int64")
    return out


def text_section_lengths(text: str, *, document: str = "document", outline: Outline | None = None) -> pd.DataFrame:
    """Section lengths of one text (the per-document step of :func:`section_lengths`).

    Args:
        text: A normalized text.
        document: The id written in the ``document`` column.
        outline: ``parse_outline(text)`` when the caller has it already (not parsed again).

    Returns:
        The columns of :func:`section_lengths`, one row per node.

    Raises:
        ValueError: When ``text`` is not a str.

    >>> text_section_lengths("一、甲。\\n二、乙乙乙。", document="d")[["path", "han_chars", "share_of_document"]]
      path  han_chars  share_of_document
    0    一          2           0.333333
    1    二          4           0.666667
    """
    if outline is None:
        return section_lengths(pd.DataFrame({"id": [document], "text": [text]}))
    if outline.length != len(text):
        raise ValueError(f"the outline was parsed from a text of {outline.length} characters, not this one ({len(text)})")
    frame = _node_frame(outline, text, document)
    return frame.assign(number=frame["number"].astype("Int64"))[_LENGTH_COLUMNS]


def section_lengths(documents_df: pd.DataFrame) -> pd.DataFrame:
    """Measure every outline node of every document: Han characters, shares, counts.

    Shares (docs/methods.md, "Rates and section shares": C_section / C_document, at every outline level)
    are shares of Han characters (:func:`analysis.chars.count_han`; punctuation, digits and
    redactions excluded; Chinese numerals in headings, like 一 in ``（一）``, are Han
    characters and count). A node's count includes its children. They add up as follows:

    - over the document, the level-0 nodes (preamble, closing) and the level-1 nodes
      together have ``share_of_document`` summing to 1;
    - within a parent, its children's ``share_of_parent`` plus the parent's ``own_share``
      (its heading and text before the first child) sum to 1.

    Sentences (:func:`analysis.chars.sentence_spans`, non-blank) and paragraphs
    (:func:`analysis.chars.paragraph_spans`; a heading line counts as a paragraph) are
    assigned to the node where they start.

    Args:
        documents_df: One row per document with columns ``id`` and ``text`` (e.g. from
            :func:`analysis.io.corpus.load_corpus`, JSONL corpora included). Not modified.

    Returns:
        One row per node per document, in document order, with columns ``document``,
        ``path``, ``level``, ``title``, ``han_chars``, ``share_of_document``,
        ``share_of_parent``, ``sentences``, ``paragraphs``, ``redactions`` (〓 placeholders,
        plus marks such as ×× XX 某某 *** left in a text that was not normalized, as
        :data:`analysis.chars.REDACTION_RE` finds them), ``kind``,
        ``parent``, ``unheaded``, ``own_han_chars`` and ``own_share`` (own text over the
        node's total; NaN for a node without Han characters).

    Raises:
        ValueError: When a column is missing or a document has no text.
        TypeError: When ``documents_df`` is not a DataFrame.

    >>> docs = pd.DataFrame({"id": ["d"], "text": ["前言。\\n一、甲\\n（一）乙乙。\\n（二）丙。"]})
    >>> section_lengths(docs)[["path", "level", "han_chars", "share_of_parent", "own_share"]]
           path  level  han_chars  share_of_parent  own_share
    0  preamble      0          2         0.222222   1.000000
    1         一      1          7         0.777778   0.285714
    2      一（一）      2          3         0.428571   1.000000
    3      一（二）      2          2         0.285714   1.000000
    """
    return _frames(documents_df, "section_lengths")[_LENGTH_COLUMNS]


def outline_table(documents_df: pd.DataFrame) -> pd.DataFrame:
    """List the outline nodes of every document with all their fields.

    Args:
        documents_df: One row per document with columns ``id`` and ``text``. Not modified.

    Returns:
        One row per node, in document order, with columns ``document``, ``path``, ``kind``,
        ``level``, ``number`` (Int64), ``scheme``, ``title``, ``start``, ``end``,
        ``body_start``, ``unheaded``, ``parent``, ``han_chars`` (including children),
        ``share`` (of the document's Han characters) and ``warnings`` (the node's
        :attr:`Outline.warnings` messages, ``"; "``-separated, ``""`` when none; warnings about
        the whole document, such as an announced count that differs, on its first row).

    Raises:
        ValueError: When a column is missing or a document has no text.

    >>> outline_table(pd.DataFrame({"id": ["d"], "text": ["一、甲\\n二、乙"]}))[["path", "start", "end"]]
      path  start  end
    0    一      0    4
    1    二      4    7
    """
    out = _frames(documents_df, "outline_table").rename(columns={"share_of_document": "share"})
    return out[_OUTLINE_COLUMNS]


def outline_nodes_table(documents_df: pd.DataFrame) -> pd.DataFrame:
    """The nodes as ``python -m analysis outline`` prints them.

    Args:
        documents_df: One row per document with columns ``id`` and ``text``. Not modified.

    Returns:
        Columns ``document``, ``path``, ``level`` (1 for top-level sections, 0 for preamble
        and closing), ``number``, ``title``, ``start``, ``end``, ``han_chars``, ``share``
        (of the document's Han characters), ``unheaded`` and ``warnings`` (as in :func:`outline_table`).

    Raises:
        ValueError: When a column is missing or a document has no text.

    >>> outline_nodes_table(pd.DataFrame({"id": ["d"], "text": ["一、甲\\n二、乙"]})).columns.tolist()
    ['document', 'path', 'level', 'number', 'title', 'start', 'end', 'han_chars', 'share', 'unheaded', 'warnings']
    """
    return outline_table(documents_df)[_CLI_COLUMNS]


def outline_warnings(documents_df: pd.DataFrame) -> pd.DataFrame:
    """List where each document's outline may be wrong: one row per warning.

    The checks (:mod:`analysis.text.diagnostics`): a point holding more than half of its
    part while its siblings hold a tenth or less (``dominant``); a series that starts again,
    skips, repeats or goes back (``restart``, ``gap``, ``duplicate``, ``out_of_order``); an
    announced count that differs from the points of the series it introduces
    (``announced``); a point with sub-points much longer than its siblings (``long_parent``).
    Show it beside the section tables: a warned section's figures need a look at the text.

    Args:
        documents_df: One row per document with columns ``id`` and ``text``. Not modified.

    Returns:
        One row per warning, documents in order, with columns ``document``, ``path`` (the
        node; ``""`` for the whole document), ``kind`` and ``message``. Empty (with these
        columns) when no outline draws a warning.

    Raises:
        ValueError: When a column is missing or a document has no text.

    >>> text = "讲三点意见。\\n一、甲\\n正文。\\n二、乙\\n正文。"
    >>> outline_warnings(pd.DataFrame({"id": ["d"], "text": [text]})).iloc[0].to_dict()
    {'document': 'd', 'path': '', 'kind': 'announced', 'message': 'announces 3 points, 2 found'}
    """
    rows = [{"document": doc_id, "path": w.path, "kind": w.kind, "message": w.message}
            for doc_id, text in _documents(documents_df, "outline_warnings")
            for w in parse_outline(text).warnings]
    return pd.DataFrame(rows, columns=_WARNING_COLUMNS)


def announced_table(documents_df: pd.DataFrame) -> pd.DataFrame:
    """Compare the announced number of points with the top-level sections found.

    Args:
        documents_df: One row per document with columns ``id`` and ``text``. Not modified.

    Returns:
        One row per document with columns ``document``, ``announced`` (Int64; <NA> when
        the preamble announces no count), ``found`` (top-level headed sections),
        ``matches`` (boolean; <NA> when nothing is announced) and ``issues`` (numbering
        gaps, duplicates, out-of-order and restarted numbers, ``"; "``-separated;
        ``""`` when none).

    Raises:
        ValueError: When a column is missing or a document has no text.

    >>> announced_table(pd.DataFrame({"id": ["d"], "text": ["讲三点意见。\\n一、甲\\n三、丙"]})).iloc[0].to_dict()
    {'document': 'd', 'announced': 3, 'found': 2, 'matches': False, 'issues': 'gap at 三: expected 2, found 3'}
    """
    rows = []
    for doc_id, text in _documents(documents_df, "announced_table"):
        o = parse_outline(text)
        rows.append({
            "document": doc_id,
            "announced": o.announced,
            "found": o.found,
            "matches": pd.NA if o.announced is None else o.announced == o.found,
            "issues": "; ".join(i.message for i in o.issues),
        })
    out = pd.DataFrame(rows, columns=["document", "announced", "found", "matches", "issues"])
    out["announced"] = out["announced"].astype("Int64")
    out["found"] = out["found"].astype("int64")
    out["matches"] = out["matches"].astype("boolean")
    return out
