"""Outline schemes (how each kind of heading marker is written and numbered) and the parsed result types.

The parser is :func:`analysis.text.outline.parse_outline`; this module holds what it is made of and what it
returns: :class:`Scheme` and :data:`SCHEMES`, :class:`Node`, :class:`Issue` and :class:`Outline`.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from dataclasses import dataclass


from analysis.chars import (CIRCLED, CN_NUMERALS, PAREN_DIGITS, cn_label, cn_number)
from analysis.text.diagnostics import OutlineWarning

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
