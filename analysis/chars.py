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

# ---------------------------------------------------------------------------
# Numerals: the one definition every module uses (outline markers, line repair, redaction
# marks, Word numbering, formula patterns, dating).

#: Chinese digits by value: ``CN_DIGITS[3] == "三"``.
CN_DIGITS = "〇一二三四五六七八九"
#: Values of the characters that write a digit, with the variants 零 (0) and 两 (2).
CN_DIGIT_VALUES = {**{c: v for v, c in enumerate(CN_DIGITS)}, "零": 0, "两": 2}
#: The numerals of outline markers and counts (一、 第三， 五是 讲3个问题): digits 1-9, 两 and 十.
CN_NUMERALS = CN_DIGITS[1:] + "两十"
#: Every character of a Chinese number (digits, 零, 两, and the units 十 百 千 万 亿).
CN_NUMBER_CHARS = CN_DIGITS + "零两十百千万亿"
#: ○ (U+25CB) stands for 〇 in years typed by hand (二○○二).
CN_ZERO_VARIANT = "○"
#: Full-width digits, by value, and all the digits a number may be written with.
FULLWIDTH_DIGITS = "０１２３４５６７８９"
DIGITS = "0123456789" + FULLWIDTH_DIGITS
_FULLWIDTH_TO_ASCII = str.maketrans(FULLWIDTH_DIGITS, "0123456789")
#: Enclosed numbers ① … ⑳ and ⑴ … ⒇, by value from 1.
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
PAREN_DIGITS = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"


def cn_number(numeral: str) -> int | None:
    """Parse a Chinese (一 … 九十九, 两, 百) or Arabic numeral; None when it is not one.

    Args:
        numeral: The numeral text, e.g. ``"十二"``, ``"两"``, ``"５"``.

    Returns:
        The integer value, or None for anything that is not a numeral.

    >>> [cn_number(s) for s in ["三", "十", "十二", "二十", "九十九", "两", "５", "一百零五", "几"]]
    [3, 10, 12, 20, 99, 2, 5, 105, None]
    """
    if not numeral:
        return None
    ascii_digits = numeral.translate(_FULLWIDTH_TO_ASCII)
    if ascii_digits.isdigit():
        return int(ascii_digits)
    total, current = 0, None
    for ch in numeral:
        if ch in CN_DIGIT_VALUES:
            current = CN_DIGIT_VALUES[ch] if current is None else current * 10 + CN_DIGIT_VALUES[ch]
        elif ch == "十":
            total += (current if current else 1) * 10
            current = None
        elif ch == "百":
            total += (current if current else 1) * 100
            current = None
        else:
            return None
    return total + (current or 0)


def cn_label(n: int) -> str:
    """Write 0 … 99 as a Chinese numeral (``12`` → ``十二``, ``20`` → ``二十``); larger numbers in digits.

    >>> [cn_label(n) for n in (3, 10, 12, 20, 99, 105)]
    ['三', '十', '十二', '二十', '九十九', '105']
    """
    if n < 10:
        return CN_DIGITS[n]
    if n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


#: The placeholder that normalization puts where a redaction mark (××, XX, 某某 …) stood.
#: U+3013 GETA MARK, the customary sign for a missing character. It is not a Han
#: character, so it never counts toward Han characters and never becomes a term.
REDACTION = "\u3013"

#: Numerals that may stand next to ○ in a year (二○○二): a ○ run among them is no redaction.
YEAR_NUMERALS = CN_DIGITS + CN_ZERO_VARIANT + "零十"
#: One redaction mark: a run of two or more ×/╳/X/x (X not inside a Latin word),
#: two or more asterisks (ASCII or full-width), 某某…, ○○/□/■ runs (○ not part of a
#: Chinese numeral such as 二○○二), or an existing 〓 run.
REDACTION_RE = re.compile(
    r"(?<![A-Za-z])[×╳Xx]{2,}(?![A-Za-z])"
    r"|[*＊]{2,}"
    r"|某{2,}"
    rf"|(?<![{YEAR_NUMERALS}])○{{2,}}(?![{YEAR_NUMERALS}年月日])"
    r"|[□■]{2,}"
    rf"|{REDACTION}+"
)

#: Numerals of a heading marker at the start of a line (line repair keeps such a line apart).
HEADING_NUMERALS = CN_NUMERALS + "百零〇"
#: A line that starts with an outline marker (一、 （一） 1． （1） 第一章 第一条 第一， ①): line
#: repair keeps it apart; the parser's schemes (:data:`analysis.text.outline.SCHEMES`) are
#: built from the same numeral sets and tell these markers apart.
HEADING_RE = re.compile(
    rf"(?:[{HEADING_NUMERALS}]+(?:[、．.，]| +、)"
    rf"|[（(][{HEADING_NUMERALS}]+[）)]"
    r"|[（(]\d+[）)]"
    r"|\d+[、．](?!\d)|\d+\.(?![\d.])"
    rf"|第[{HEADING_NUMERALS}\d]+[章节部分篇条款编]"
    rf"|第[{HEADING_NUMERALS}]+[、，,：:]"
    r"|[①-⒇⑴-⒛])"
)
#: A Chinese numeral alone on a line: a heading in old collected works.
BARE_NUMERAL_RE = re.compile(f"[{HEADING_NUMERALS}]{{1,3}}")

#: CJK ideographs: Unified (BMP), Extension A, Compatibility, and the supplementary planes.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RE = re.compile(f"[{HAN_CLASS}]")

#: Characters that end a sentence in this register.
SENTENCE_END = "。！？!?"
#: Closing quotes and brackets that stay with the sentence end before them.
_SENTENCE_CLOSERS = "”’」』）)"
_SENTENCE_RE = re.compile(f"[^{SENTENCE_END}\\n]*(?:[{SENTENCE_END}]+[{_SENTENCE_CLOSERS}]*|\\n|$)")


def count_han(text: str) -> int:
    """Count Han characters (CJK ideographs) in ``text``; punctuation, digits and redactions excluded."""
    return len(text) - len(HAN_RE.sub("", text))  # no list of one string per character


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


# ---------------------------------------------------------------------------
# Vectorized forms: one pass over the code points for a whole text, the same answers
# as the functions above on each slice (tests/test_chars_vectorized.py checks them).

#: The Unicode ranges of :data:`HAN_CLASS`, inclusive, as code points.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_HAN, _SPACE, _END, _CLOSER, _BREAK = 1, 2, 4, 8, 16
#: Characters per chunk of cumulative counts (4 MB of int32).
_CHUNK = 1 << 20
#: ``str.isspace`` holds for characters of the Basic Multilingual Plane only (Unicode
#: has no whitespace beyond it; a test checks the whole range).
_SPACE_LIMIT = 0x10000


@lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """Code point → bit flags: Han, whitespace, sentence end, closer, line break."""
    table = np.zeros(0x110000, dtype=np.uint8)
    for low, high in _HAN_RANGES:
        table[low:high + 1] |= _HAN
    spaces = [c for c in range(_SPACE_LIMIT) if chr(c).isspace()]
    table[spaces] |= _SPACE
    table[[ord(c) for c in SENTENCE_END]] |= _END
    table[[ord(c) for c in _SENTENCE_CLOSERS]] |= _CLOSER
    table[ord("\n")] |= _BREAK
    table.setflags(write=False)
    return table


def offset_array(column) -> np.ndarray:
    """A column of character offsets (a Series) as integers: its own array when it is one (the tokens
    table keeps int32 offsets; no int64 copy is made), else converted to int64.

    >>> import pandas as pd
    >>> offset_array(pd.Series([0, 2], dtype="int32")).dtype, offset_array(pd.Series([0, 2], dtype="Int64")).dtype
    (dtype('int32'), dtype('int64'))
    """
    values = column.to_numpy()
    return values if values.dtype.kind == "i" else column.to_numpy(dtype=np.int64)


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an unsigned integer array, one element per character.

    uint16 (two bytes a character) when every character is in the Basic Multilingual
    Plane, as in almost every Chinese text; uint32 otherwise. Lone surrogates (text decoded
    with ``surrogateescape``) are kept as their code points, so
    ``len(code_points(text)) == len(text)`` for every str.

    >>> code_points("党a").tolist(), code_points("党a").dtype.name, code_points("𠀀").dtype.name
    ([20826, 97], 'uint16', 'uint32')
    """
    narrow = text.encode("utf-16-le", "surrogatepass")
    if len(narrow) == 2 * len(text):  # no character needed a surrogate pair
        return np.frombuffer(narrow, dtype="<u2")
    del narrow
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def char_flags(text: str | np.ndarray) -> np.ndarray:
    """One uint8 of bit flags per character (Han, whitespace, sentence end, closer, line break).

    The vectorized helpers below take it as ``flags=`` so that one text is classified once.

    Args:
        text: A str, or its :func:`code_points`.
    """
    return _class_table()[code_points(text) if isinstance(text, str) else text]


def _flags(text: str, flags: np.ndarray | None) -> np.ndarray:
    return char_flags(text) if flags is None else flags


def han_prefix(text: str, flags: np.ndarray | None = None) -> np.ndarray:
    """Cumulative Han counts: element ``i`` is ``count_han(text[:i])`` (length ``len(text) + 1``).

    Args:
        text: The text.
        flags: ``char_flags(text)`` when the caller has it already.

    Returns:
        A signed integer array (int32 below 2**31 characters, else int64) with
        ``p[e] - p[s] == count_han(text[s:e])`` for every ``0 <= s <= e <= len(text)``.

    >>> han_prefix("党的2023年").tolist()
    [0, 1, 2, 2, 2, 2, 2, 3]
    """
    flags = _flags(text, flags)
    prefix = np.zeros(len(flags) + 1, dtype=np.int32 if len(flags) < 2**31 - 1 else np.int64)
    np.cumsum((flags & _HAN) != 0, out=prefix[1:])
    return prefix


def count_han_spans(text: str, spans: Sequence[tuple[int, int]] | np.ndarray, prefix: np.ndarray | None = None,
                    flags: np.ndarray | None = None) -> np.ndarray:
    """``count_han(text[s:e])`` for each ``(s, e)`` span, in one pass over the text.

    Without ``prefix``, cumulative counts are made a chunk of :data:`_CHUNK` characters at a
    time and read at the span bounds, so no count per character of the whole text is kept.

    Args:
        text: The text.
        spans: ``(start, end)`` pairs with ``0 <= start`` and ``end <= len(text)``; an empty or
            reversed span counts 0, as the empty slice does.
        prefix: ``han_prefix(text)`` when the caller has it already.
        flags: ``char_flags(text)`` when the caller has it already.

    Returns:
        An int64 array, one count per span.

    >>> count_han_spans("一、党建。\\n二、〓〓人才", [(0, 5), (6, 12), (3, 3)]).tolist()
    [3, 3, 0]
    """
    bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    starts, ends = bounds[:, 0], np.maximum(bounds[:, 0], bounds[:, 1])
    if prefix is not None:
        return prefix[ends].astype(np.int64) - prefix[starts]
    flags = _flags(text, flags)
    n = len(flags)
    at = np.unique(np.concatenate(([0, n], starts, ends)))  # sorted bounds, 0 and n included
    counts = np.zeros(len(at), dtype=np.int64)  # count_han(text[:at[k]]), made chunk by chunk
    done = 0
    for chunk_start in range(0, n, _CHUNK):
        chunk_end = min(n, chunk_start + _CHUNK)
        cumulative = np.cumsum((flags[chunk_start:chunk_end] & _HAN).view(bool), dtype=np.int32)
        lo, hi = np.searchsorted(at, [chunk_start + 1, chunk_end + 1])  # bounds in (chunk_start, chunk_end]
        counts[lo:hi] = done + cumulative[at[lo:hi] - chunk_start - 1]
        done += int(cumulative[-1])
    return counts[np.searchsorted(at, ends)] - counts[np.searchsorted(at, starts)]


def true_runs(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each maximal run of True in the bool array ``flags``.

    >>> [a.tolist() for a in true_runs(np.array([True, True, False, True]))]
    [[0, 3], [2, 4]]
    """
    if not len(flags):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    bounds = np.concatenate(([0], np.flatnonzero(flags[1:] != flags[:-1]) + 1, [len(flags)]))
    inside = flags[bounds[:-1]]  # the value of each constant stretch
    return bounds[:-1][inside], bounds[1:][inside]


def blank_spans(text: str, starts, ends, flags: np.ndarray | None = None) -> np.ndarray:
    """For each span ``text[s:e]``, True when it holds only whitespace (``not text[s:e].strip()``).

    A span is blank when it is empty or one run of whitespace (the characters
    ``str.isspace`` accepts) covers it.

    Args:
        text: The text.
        starts, ends: The spans' bounds (arrays or sequences of ints).
        flags: ``char_flags(text)`` when the caller has it already.

    >>> blank_spans("甲 \\n 乙", [0, 1, 1, 4], [1, 4, 5, 4]).tolist()
    [False, True, False, True]
    """
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    run_starts, run_ends = true_runs((_flags(text, flags) & _SPACE) != 0)
    if not len(run_starts):
        return ends <= starts
    k = np.searchsorted(run_starts, starts, side="right") - 1  # the last run starting at or before s
    return (ends <= starts) | ((k >= 0) & (run_ends[np.maximum(k, 0)] >= ends))


def paragraph_bounds(text: str, flags: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The spans of :func:`paragraph_spans` as two int64 arrays ``(starts, ends)``.

    Args:
        text: The text.
        flags: ``char_flags(text)`` when the caller has it already.

    >>> [a.tolist() for a in paragraph_bounds("甲\\n\\n乙丙\\n  \\n")]
    [[0, 3], [1, 5]]
    """
    flags = _flags(text, flags)
    breaks = np.flatnonzero((flags & _BREAK) != 0)
    starts = np.concatenate(([0], breaks + 1)).astype(np.int64, copy=False)
    ends = np.concatenate((breaks, [len(flags)])).astype(np.int64, copy=False)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    keep = ~blank_spans(text, starts, ends, flags)
    return starts[keep], ends[keep]


def sentence_bounds(text: str, flags: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The spans of :func:`sentence_spans` as two int64 arrays ``(starts, ends)``.

    A sentence ends after a line break, or after a run of sentence ends (。！？!?) and the
    closing quotes or brackets right after it, or at the end of the text.

    Args:
        text: The text.
        flags: ``char_flags(text)`` when the caller has it already.

    >>> [a.tolist() for a in sentence_bounds("第一句。第二句！\\n第三句")]
    [[0, 4, 8, 9], [4, 8, 9, 12]]
    """
    flags = _flags(text, flags)
    n = len(flags)
    _, end_runs = true_runs((flags & _END) != 0)
    closer_starts, closer_ends = true_runs((flags & _CLOSER) != 0)
    # a run of closers that starts right where a run of sentence ends stops goes with it
    k = np.searchsorted(closer_starts, end_runs)
    glued = k < len(closer_starts)
    glued[glued] = closer_starts[k[glued]] == end_runs[glued]
    end_runs[glued] = closer_ends[k[glued]]
    # the two kinds of end never coincide (one follows a line break, the other does not)
    ends = np.sort(np.concatenate((end_runs, np.flatnonzero((flags & _BREAK) != 0) + 1)))
    if n and (not len(ends) or ends[-1] != n):
        ends = np.append(ends, n)
    ends = ends.astype(np.int64, copy=False)
    starts = np.zeros(len(ends), dtype=np.int64)
    starts[1:] = ends[:-1]
    return starts, ends
