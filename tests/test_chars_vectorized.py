"""The vectorized character helpers give what the plain definitions give on each slice.

``count_han_spans`` / ``han_prefix`` against ``count_han(text[s:e])``, ``blank_spans`` against
``not text[s:e].strip()``, ``paragraph_bounds`` against ``paragraph_spans`` and
``sentence_bounds`` against ``sentence_spans``: on hand-written strings with the awkward
characters (astral Han, lone surrogates, redaction marks, every kind of whitespace,
closers after sentence ends), on random strings (hypothesis) and on the seed.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.chars import (blank_spans, code_points, count_han, count_han_spans, han_prefix, paragraph_bounds,
                            paragraph_spans, sentence_bounds, sentence_spans, true_runs)
from analysis.paths import corpus_dir

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")

HAND_WRITTEN = [
    "",
    "党",
    "\n",
    "一、总体要求\n（一）加强党的建设。正文〓〓，2023年。\n\n  \n二、任务\n",
    "𠀀𪜀\U0003134f\U00031350㐀䶿一鿿豈﫿",  # the edges of every Han range, and one past the last
    "\ud800党\udcff",  # lone surrogates, as surrogateescape leaves them
    "甲 \t\u3000\u00a0\u2028\u2029\x1c\x85\u200b\ufeff乙",  # whitespace (and two non-whitespace marks)
    "他说：“好。”她说！’」』）)再见？！\n\n。。”。",
    "无句末标点\n第二行\r\n第三行",
    "   \n\t\n",
    "XX某某××〓**○○□■",
]

ALPHABET = st.sampled_from(list("党的一二十、。！？!?，”’」』）)（(\n \t\u3000\u00a0\r\x1c\x85〓Xx某○𠀀a1") + ["\ud800"])
TEXTS = st.lists(ALPHABET, max_size=80).map("".join)


def _all_spans(text: str) -> list[tuple[int, int]]:
    n = len(text)
    return [(s, e) for s in range(n + 1) for e in range(s, n + 1)]


def check_text(text: str) -> None:
    n = len(text)
    assert len(code_points(text)) == n
    spans = _all_spans(text) if n <= 40 else [(s, min(n, s + w)) for s in range(0, n, 7) for w in (0, 1, 13, 200)]
    expected = [count_han(text[s:e]) for s, e in spans]
    assert count_han_spans(text, spans).tolist() == expected
    prefix = han_prefix(text)
    assert len(prefix) == n + 1 and int(prefix[-1]) == count_han(text)
    assert count_han_spans(text, spans, prefix).tolist() == expected
    starts, ends = np.array([s for s, _ in spans]), np.array([e for _, e in spans])
    assert blank_spans(text, starts, ends).tolist() == [not text[s:e].strip() for s, e in spans]
    assert list(zip(*[a.tolist() for a in paragraph_bounds(text)])) == paragraph_spans(text)
    assert list(zip(*[a.tolist() for a in sentence_bounds(text)])) == sentence_spans(text)


def test_hand_written_strings():
    for text in HAND_WRITTEN:
        check_text(text)


def test_reversed_span_counts_zero_like_the_empty_slice():
    assert count_han_spans("党的建设", [(3, 1), (0, 4)]).tolist() == [0, 4]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_random_strings(text):
    check_text(text)


def test_seed():
    check_text(SEED)
    paragraphs = paragraph_spans(SEED)
    assert count_han_spans(SEED, paragraphs).tolist() == [count_han(SEED[s:e]) for s, e in paragraphs]
    sentences = sentence_spans(SEED)
    assert count_han_spans(SEED, sentences).tolist() == [count_han(SEED[s:e]) for s, e in sentences]


def test_whitespace_table_covers_every_code_point():
    """The whitespace flags are built from the Basic Multilingual Plane: no character beyond it is whitespace."""
    assert not any(chr(c).isspace() for c in range(0x10000, 0x110000))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), max_size=40))
def test_true_runs(flags):
    starts, ends = true_runs(np.array(flags, dtype=bool))
    expected, k = [], 0
    while k < len(flags):
        if flags[k]:
            j = k
            while j < len(flags) and flags[j]:
                j += 1
            expected.append((k, j))
            k = j
        else:
            k += 1
    assert list(zip(starts.tolist(), ends.tolist())) == expected


def test_han_counts_across_chunk_bounds(monkeypatch):
    """The cumulative counts are made chunk by chunk: bounds on and around chunk edges."""
    import analysis.chars as chars

    monkeypatch.setattr(chars, "_CHUNK", 3)
    for text in HAND_WRITTEN + [SEED[:200]]:
        spans = _all_spans(text) if len(text) <= 40 else [(s, e) for s in range(0, len(text), 5)
                                                          for e in range(s, len(text) + 1, 7)]
        assert count_han_spans(text, spans).tolist() == [count_han(text[s:e]) for s, e in spans]
