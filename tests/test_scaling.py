"""Cost linear in size: the seed repeated 4x and 16x, compared within one run, as counted work.

Tests count work, never time: the wall-clock ratios (16x against 4x, best of three) live in
``tests/benchmarks/bench_linear.py``, run on demand, since a busy machine makes them fail
(the outline ratio reached 10.7 at load 15).
"""

from __future__ import annotations

from analysis.paths import corpus_dir
from analysis.text import outline

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")


def test_outline_scans_each_paragraph_a_bounded_number_of_times(monkeypatch):
    """Characters handed to paragraph_spans or paragraph_bounds per character of text: the same at 4x and 16x."""
    scanned = []

    def counting(real):
        def wrapped(text, *args, **kwargs):
            scanned.append(len(text))
            return real(text, *args, **kwargs)
        return wrapped

    monkeypatch.setattr(outline, "paragraph_spans", counting(outline.paragraph_spans))
    monkeypatch.setattr(outline, "paragraph_bounds", counting(outline.paragraph_bounds))
    per_char = {}
    for k in (4, 16):
        text = SEED * k
        scanned.clear()
        parsed = outline.parse_outline(text)
        assert "".join(text[s:e] for _, s, e in parsed.pieces()) == text  # still lossless
        per_char[k] = sum(scanned) / len(text)
    # Before the fix each sub-point rescanned text[:end]: about 300 characters per character at 16x.
    assert per_char[4] >= 1, per_char  # the paragraphs are found (once) by one of the two
    assert per_char[16] <= per_char[4] * 1.05, per_char
    assert per_char[16] <= 3, per_char


def test_body_paragraphs_equal_a_scan_of_the_prefix():
    """The bisected lookup returns what scanning text[:end] returned, on cut and uncut lines."""
    text = "一、甲\n  乙丙\n\n  \n丁戊己\n庚　\n"
    spans = outline.paragraph_spans(text)
    table = ([s for s, _ in spans], spans)
    for end in range(len(text) + 1):
        for body in range(end):
            expected = []
            line_end = outline._line_end(text, body)
            if text[body:min(line_end, end)].strip(outline._SPACE):
                expected.append((0, min(line_end, end)))
            for s, e in outline.paragraph_spans(text[:end]):
                if s > body and s >= line_end and text[s:e].strip(outline._SPACE):
                    expected.append((s, e))
            assert outline._body_paragraphs(text, 0, body, end, table) == expected, (body, end)
