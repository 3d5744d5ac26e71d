"""Character-level helpers shared by every stage: Han characters, paragraphs, sentences.

All offsets are into the *normalized* text (see :mod:`analysis.io.normalize`) and spans
are half-open ``(start, end)`` pairs.

>>> count_han("党的二十大，2023年〓同志")
8
>>> sentence_spans("第一句。第二句！\\n第三句")
[(0, 4), (4, 8), (8, 9), (9, 12)]

For long texts, :func:`code_points`, :func:`han_prefix` and :func:`count_han_spans` count
Han characters of many spans with one cumulative sum over the code points (numpy), and
:func:`paragraph_bounds` / :func:`sentence_bounds` give the spans as two arrays; each gives
exactly what the plain function gives on each slice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

#: The placeholder that normalization puts where a redaction mark (××, XX, 某某 …) stood.
#: U+3013 GETA MARK, the customary sign for a missing character. It is not a Han
#: character, so it never counts toward Han characters and never becomes a term.
REDACTION = "\u3013"

#: CJK ideographs: Unified (BMP), Extension A, Compatibility, and the supplementary planes.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RE = re.compile(f"[{HAN_CLASS}]")

#: Characters that end a sentence in this register.
SENTENCE_END = "。！？!?"
_SENTENCE_RE = re.compile(f"[^{SENTENCE_END}\\n]*(?:[{SENTENCE_END}]+[”’」』）)]*|\\n|$)")


#: The Unicode ranges of :data:`HAN_CLASS`, inclusive, as code points.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_SPAN_DTYPE = np.int64


def count_han(text: str) -> int:
    """Count Han characters (CJK ideographs) in ``text``; punctuation, digits and redactions excluded."""
    return len(text) - len(HAN_RE.sub("", text))  # no list of one string per character


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as a read-only uint32 array (one element per character).

    Lone surrogates (text decoded with ``surrogateescape``) are kept as their code points,
    so ``len(code_points(text)) == len(text)`` for every str.

    >>> code_points("党a").tolist()
    [20826, 97]
    """
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


@lru_cache(maxsize=1)
def _han_table() -> np.ndarray:
    table = np.zeros(0x110000, dtype=bool)
    for low, high in _HAN_RANGES:
        table[low:high + 1] = True
    table.setflags(write=False)
    return table


def han_prefix(text: str | np.ndarray) -> np.ndarray:
    """Cumulative Han counts: element ``i`` is ``count_han(text[:i])`` (length ``len(text) + 1``).

    Args:
        text: A str, or its :func:`code_points`.

    Returns:
        An int64 array; ``p[e] - p[s] == count_han(text[s:e])`` for every ``0 <= s <= e <= len(text)``.

    >>> han_prefix("党的2023年").tolist()
    [0, 1, 2, 2, 2, 2, 2, 3]
    """
    codes = code_points(text) if isinstance(text, str) else text
    prefix = np.zeros(len(codes) + 1, dtype=_SPAN_DTYPE)
    np.cumsum(_han_table()[codes], out=prefix[1:])
    return prefix


def count_han_spans(text: str | np.ndarray, spans: Sequence[tuple[int, int]] | np.ndarray) -> np.ndarray:
    """``count_han(text[s:e])`` for each ``(s, e)`` span, by one cumulative sum over the text.

    Args:
        text: A str, its :func:`code_points`, or its :func:`han_prefix` (an int64 array one
            longer than the text).
        spans: ``(start, end)`` pairs, ``0 <= start``, ``end <= len(text)``; an empty or
            reversed span counts 0, as the empty slice does.

    Returns:
        An int64 array, one count per span.

    >>> count_han_spans("一、党建。\\n二、〓〓人才", [(0, 5), (6, 12), (3, 3)]).tolist()
    [3, 3, 0]
    """
    prefix = text if isinstance(text, np.ndarray) and text.dtype == _SPAN_DTYPE else han_prefix(text)
    bounds = np.asarray(spans, dtype=_SPAN_DTYPE).reshape(-1, 2)
    starts, ends = bounds[:, 0], np.maximum(bounds[:, 0], bounds[:, 1])
    return prefix[ends] - prefix[starts]


def is_han(char: str) -> bool:
    """Return True when ``char`` is a single CJK ideograph."""
    return bool(HAN_RE.fullmatch(char))


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of non-blank lines (paragraphs), without their line breaks.

    >>> paragraph_spans("甲\\n\\n乙丙\\n")
    [(0, 1), (3, 5)]
    """
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            spans.append((m.start(), m.end()))
    return spans


def paragraph_bounds(text: str, codes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The spans of :func:`paragraph_spans` as two int64 arrays ``(starts, ends)``.

    Vectorized: line breaks found over the code points, blank lines (only whitespace, as
    ``str.strip`` sees it) dropped by comparing each line with the whitespace runs.

    Args:
        text: The text.
        codes: ``code_points(text)`` when the caller has it already.

    >>> [a.tolist() for a in paragraph_bounds("甲\\n\\n乙丙\\n  \\n")]
    [[0, 3], [1, 5]]
    """
    codes = code_points(text) if codes is None else codes
    breaks = np.flatnonzero(codes == 10)
    starts = np.concatenate(([0], breaks + 1)).astype(_SPAN_DTYPE, copy=False)
    ends = np.concatenate((breaks, [len(codes)])).astype(_SPAN_DTYPE, copy=False)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    keep = ~blank_spans(text, starts, ends)
    return starts[keep], ends[keep]


def blank_spans(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each span ``text[s:e]``, True when it holds only whitespace (``not text[s:e].strip()``).

    A span is blank when one run of whitespace (``\\s``, the characters ``str.isspace``
    accepts) covers it; an empty span is blank.

    >>> blank_spans("甲 \\n 乙", np.array([0, 1, 1, 4]), np.array([1, 4, 5, 4])).tolist()
    [False, True, False, True]
    """
    starts, ends = np.asarray(starts, dtype=_SPAN_DTYPE), np.asarray(ends, dtype=_SPAN_DTYPE)
    runs = [m.span() for m in _WHITESPACE_RUN_RE.finditer(text)]
    if not runs:
        return ends <= starts
    bounds = np.asarray(runs, dtype=_SPAN_DTYPE)
    k = np.searchsorted(bounds[:, 0], starts, side="right") - 1  # the last run starting at or before s
    return (ends <= starts) | ((k >= 0) & (bounds[np.maximum(k, 0), 1] >= ends))


_WHITESPACE_RUN_RE = re.compile(r"\s+")


def sentence_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The spans of :func:`sentence_spans` as two int64 arrays ``(starts, ends)``.

    >>> [a.tolist() for a in sentence_bounds("第一句。第二句！\\n第三句")]
    [[0, 4, 8, 9], [4, 8, 9, 12]]
    """
    # The pattern matches at least one character at any offset before the end (a run of
    # other characters, a sentence end, a line break), so its non-empty matches tile the
    # text; only the empty match at len(text) is left out.
    ends = np.fromiter((m.end() for m in _SENTENCE_RE.finditer(text) if m.end() > m.start()),
                       dtype=_SPAN_DTYPE)
    starts = np.zeros(len(ends), dtype=_SPAN_DTYPE)
    starts[1:] = ends[:-1]
    return starts, ends


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Partition ``text`` into sentence spans that join back to it exactly.

    A sentence ends after 。！？ (with any closing quotes or brackets that follow)
    or at a line break; a line break is its own one-character span so that
    ``"".join(text[s:e] for s, e in spans) == text`` always holds.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _SENTENCE_RE.match(text, pos)
        end = m.end() if m and m.end() > pos else pos + 1
        spans.append((pos, end))
        pos = end
    return spans
