"""The rules :func:`analysis.text.outline.parse_outline` applies, from markers to a nested outline.

Candidates (markers in a position where a heading may start, found with a vectorised prefilter), nesting
(levels from which scheme opens inside which), the closing and the preamble's announcement of how many points
follow, inline lists demoted to body text. The module docstring of :mod:`analysis.text.outline` says what each
rule decides; the functions here are private to the parser.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analysis.chars import DIGITS, cn_number, code_points, paragraph_bounds, paragraph_spans
from analysis.text.outline_schemes import _CIRCLED, _CN_NUM, _PAREN_DIGITS, NEXT, SCHEMES, Scheme

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
