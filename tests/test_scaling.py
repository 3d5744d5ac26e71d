"""Cost linear in size: the seed repeated 4x and 16x, compared within one run, as counted work.

Tests count work, never time: the wall-clock ratios (16x against 4x, best of three) live in
``tests/benchmarks/bench_linear.py``, run on demand, since a busy machine makes them fail
(the outline ratio reached 10.7 at load 15).
"""

from __future__ import annotations

from analysis import chars
from analysis.paths import corpus_dir
from analysis.text import outline, outline_rules

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")


def test_outline_scans_each_paragraph_a_bounded_number_of_times(monkeypatch):
    """Characters handed to paragraph_spans or paragraph_bounds per character of text: the same at 4x and 16x."""
    scanned = []

    def counting(real):
        def wrapped(text, *args, **kwargs):
            scanned.append(len(text))
            return real(text, *args, **kwargs)
        return wrapped

    for module in (outline, outline_rules):  # each module that calls them
        for name in ("paragraph_spans", "paragraph_bounds"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counting(getattr(chars, name)))
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
    spans = chars.paragraph_spans(text)
    table = ([s for s, _ in spans], spans)
    for end in range(len(text) + 1):
        for body in range(end):
            expected = []
            line_end = outline_rules._line_end(text, body)
            if text[body:min(line_end, end)].strip(outline_rules._SPACE):
                expected.append((0, min(line_end, end)))
            for s, e in chars.paragraph_spans(text[:end]):
                if s > body and s >= line_end and text[s:e].strip(outline_rules._SPACE):
                    expected.append((s, e))
            assert outline_rules._body_paragraphs(text, 0, body, end, table) == expected, (body, end)


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
