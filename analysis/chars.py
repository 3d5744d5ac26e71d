"""Character-level helpers shared by every stage: Han characters, paragraphs, sentences.

All offsets are into the *normalized* text (see :mod:`analysis.io.normalize`) and spans
are half-open ``(start, end)`` pairs.

>>> count_han("党的二十大，2023年〓同志")
8
>>> sentence_spans("第一句。第二句！\\n第三句")
[(0, 4), (4, 8), (8, 9), (9, 12)]
"""

from __future__ import annotations

import re

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
