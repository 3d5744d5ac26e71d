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

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.chars import (REDACTION, REDACTION_RE, blank_spans, char_flags, cn_number, code_points, count_han,
                            count_han_spans, paragraph_bounds, sentence_bounds, true_runs)
from analysis.text.diagnostics import OutlineWarning, outline_warnings_of
from analysis.text.outline_rules import (_ADDRESS_WORDS, _CLOSERS, _SENTENCE_END, _SPACE, _announced, _body_paragraphs,
                                         _Cand, _candidates, _char_set, _demote_inline_series, _find_closing,
                                         _first_sentence, _Head, _heading_title, _line_end, _nest, _position,
                                         _split_closing_points)
from analysis.text.outline_schemes import NEXT, SCHEMES, Issue, Node, Outline, Scheme

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
