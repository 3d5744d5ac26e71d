"""Cost linear in size: the seed repeated 4x and 16x, compared within one run.

No absolute times: each test compares the cost per character at 16x with that at 4x,
as an operation count where the code exposes one, else as the best of three timings.
A quadratic path makes the 16x/4x ratio about 16; a linear one about 4.
"""

from __future__ import annotations

import time

import pytest

from analysis.paths import corpus_dir
from analysis.text import outline
from analysis.text.segment import make_tokenizer

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")


def _best_time(func, arg, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        func(arg)
        best = min(best, time.perf_counter() - t)
    return best


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


@pytest.mark.slow
def test_outline_time_is_linear():
    small, large = SEED * 4, SEED * 16
    outline.parse_outline(small)  # warm up
    ratio = _best_time(outline.parse_outline, large) / _best_time(outline.parse_outline, small)
    assert ratio < 8, ratio  # linear: about 4; quadratic: about 16 (measured 16.4 before the fix)


@pytest.mark.slow
def test_outline_time_is_linear_on_unconfirmed_enumerations():
    """Enumerations that never get a second item, on lines that never end (line breaks lost).

    Each ``第一，`` looked at every later marker to find its second item, and each marker
    read the rest of its line: both cost the rest of the text per marker.
    """
    unit = "甲。第一，乙。" * 2000
    small, large = unit * 4, unit * 16
    outline.parse_outline(small)  # warm up
    ratio = _best_time(outline.parse_outline, large) / _best_time(outline.parse_outline, small)
    assert ratio < 8, ratio  # linear: about 4; measured 14.6 before the look-ahead index


@pytest.mark.slow
@pytest.mark.parametrize("unit", [
    # enumerations that start again, a later list after an address line, inline lists
    "第一，甲。第二，乙。第三，丙。\n同志们！\n一是丁。二是戊。三是己。\n庚。\n" * 300,
    # the same with the line breaks lost: one paragraph
    "第一，甲。第二，乙。第三，丙。同志们！一是丁。二是戊。三是己。庚。" * 300,
    # dash-led parts, nothing numbered
    "——我们要做到甲。\n乙。\n" * 1000,
])
def test_outline_time_is_linear_on_restarts_later_lists_and_dashes(unit):
    """Issue 20's paths: a series that restarts, a later list looked at against the last point,
    an inline list cut at its paragraph, the announcement looked for before each series, dash parts."""
    small, large = unit * 4, unit * 16
    outline.parse_outline(small)  # warm up
    ratio = _best_time(outline.parse_outline, large) / _best_time(outline.parse_outline, small)
    assert ratio < 8, ratio  # linear: about 4; quadratic: about 16


@pytest.mark.slow
def test_section_lengths_time_is_linear():
    small, large = SEED * 4, SEED * 16
    parsed = {text: outline.parse_outline(text) for text in (small, large)}
    run = lambda text: outline.text_section_lengths(text, outline=parsed[text])  # noqa: E731
    run(small)  # warm up
    ratio = _best_time(run, large) / _best_time(run, small)
    assert ratio < 8, ratio  # linear: about 4


@pytest.mark.slow
def test_formula_layer_time_is_linear():
    """The quoted-slogan overlap check used to compare every quoted span with every formula span."""
    seg = make_tokenizer()
    small, large = SEED * 8, SEED * 64
    seg.formula_spans(small)  # warm up
    ratio = _best_time(seg.formula_spans, large) / _best_time(seg.formula_spans, small)
    assert ratio < 16, ratio  # linear: about 8; quadratic: about 64 (measured 7.2 per 4x before the fix)


@pytest.mark.slow
def test_features_time_is_linear():
    from analysis.features import features

    small, large = {"id": "s", "text": SEED * 4}, {"id": "l", "text": SEED * 16}
    features(small)  # warm up: the tokenizer is built once
    ratio = _best_time(features, large, repeat=2) / _best_time(features, small, repeat=2)
    assert ratio < 8, ratio


# --------------------------------------------------------------------------- KWIC: linear, reading the cache

_KWIC_TEXT = "同志们：\n一、关于人才工作\n要重视人才，关心人才，用好人才。\n（一）培养人才。人才是第一资源。\n二、关于基层\n基层人才也要关心。\n"


def _counting(monkeypatch, owner, name):
    calls = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_path_at_builds_the_outline_pieces_once_not_per_lookup(monkeypatch):
    parsed = outline.parse_outline(_KWIC_TEXT * 20)
    calls = _counting(monkeypatch, outline.Outline, "pieces")
    paths = [parsed.path_at(offset) for offset in range(0, parsed.length, 7)]
    assert len(paths) > 100
    assert len(calls) == 1


def test_kwic_on_documents_reads_the_cache_and_looks_paths_up_once_per_document(tmp_path, monkeypatch):
    import pandas as pd

    from analysis.stats.counts import kwic
    from analysis.text import segment

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    few = pd.DataFrame({"id": ["d"], "text": [_KWIC_TEXT]})
    many = pd.DataFrame({"id": ["d"], "text": [_KWIC_TEXT * 40]})
    kwic(few, "人才")
    kwic(many, "人才")  # cold: computed and stored
    pieces = _counting(monkeypatch, outline.Outline, "pieces")
    parses = _counting(monkeypatch, outline, "parse_outline")
    arrays = _counting(monkeypatch, segment.Segmenter, "arrays")
    spans = _counting(monkeypatch, segment.Segmenter, "spans")
    small = kwic(few, "人才")
    large = kwic(many, "人才")
    assert len(large) == 40 * len(small) > 200
    # warm: nothing segmented or parsed again, whatever the number of hits
    assert pieces == parses == arrays == spans == []


def test_kwic_on_documents_equals_kwic_on_the_featureset(tmp_path, monkeypatch):
    import pandas as pd

    from analysis.features import build_features
    from analysis.stats.counts import kwic

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    docs = pd.DataFrame({"id": ["a", "b"], "text": [_KWIC_TEXT, "二、人才驿站\n人才，人才。\n"]})
    fs = build_features(docs, progress=False, cache=False)
    for match in ("text", "token"):
        pd.testing.assert_frame_equal(kwic(docs, "人才", match=match), kwic(fs, "人才", documents=docs, match=match))
    # the paths are the outline's own answer for every hit
    table = kwic(docs.iloc[:1], "人才")
    parsed = outline.parse_outline(_KWIC_TEXT)
    assert table["path"].tolist() == [parsed.path_at(s) for s in table["start"]]
