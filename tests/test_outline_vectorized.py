"""The outline's fast paths give what the plain definitions give.

- Scheme markers: trying each pattern only where its prefilter says a match can start
  (``outline_rules._PREFILTERS``) finds exactly the candidates that ``finditer`` over the whole
  text finds (the prefilters switched off).
- Redactions per node: the run-based counts equal ``_redactions(text[s:e])`` on every span.
- Section lengths: Han characters, sentences and paragraphs per node equal counts made
  slice by slice with ``count_han``, ``sentence_spans`` and ``paragraph_spans``.
"""

from __future__ import annotations

import bisect
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import paths
from analysis.chars import count_han, paragraph_spans, sentence_spans
from analysis.paths import corpus_dir
from analysis.text import outline, outline_rules

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")

HAND_WRITTEN = [
    "",
    "一",
    "一、总体要求\n（一）甲。正文\n（二）乙。正文\n二、任务\n正文",
    "十二、甲\n一二三四是\n二十三、乙 、丙\n一.丁\n一，戊\n三 、己\n统一，\n一二\n四\n",
    "第一章 总则\n第一条 甲\n第二条　乙\n第一部分\n第一个问题：甲\n第二个方面 乙的工作\n最后，第三点，丙\n",
    "首先，甲。其次，乙。再次，丙。最后，丁。第一，戊。第二，己。其一，庚。其二，辛。",
    "一是甲。二是乙。三要丙。四要求丁。一要戊，二要己。",
    "（1）甲（２）乙 12.丙 1.5 3、丁 ４．戊 ⑴⑵①② (一)(十二)（三）",
    "123、甲 99.乙 ０１２、丙",
    "一、二线城市\n二、",
]

TOKENS = st.sampled_from(list("一二两三四五六七八九十百第章节条部分个问题方面点最后首先其次再是要求、．.，,：:（()）"
                              "0123456789０１２３①②⑴⑵ \t\u3000\n。！甲乙")
                         + ["十二", "一二三四", "第一", "最后，", "首先", "其次", "一 、", "一\u3000、", "（一）", "(12)",
                            "１２．", "3、", "一是", "二要", "\n一\n", "。二、"])
TEXTS = st.lists(TOKENS, max_size=40).map("".join)

#: Every character the scheme patterns name (and the spaces they name by escape), to put
#: after every kind of marker start: a prefilter that forgets one of them fails here.
PATTERN_CHARS = sorted({c for s in outline.SCHEMES for c in s.pattern} | set(" \t\u3000\n"))
MARKER_STARTS = ["一", "十二", "一二三四", "1", "１２", "123", "（", "（一", "(3", "第", "第一", "首", "其", "再", "最",
                 "最后", "⑴", "①"]


def _cands(text: str) -> list[tuple]:
    return [(c.scheme.name, c.number, c.word, c.marker_start, c.marker_end, c.position, c.node_start)
            for c in outline_rules._candidates(text, outline.SCHEMES)]


def _plain_cands(text: str, monkeypatch) -> list[tuple]:
    with monkeypatch.context() as m:
        m.setattr(outline_rules, "_PREFILTERS", {})
        return _cands(text)


def test_every_default_scheme_but_the_literal_ones_has_a_prefilter():
    """A pattern edited without its prefilter falls back to finditer (slower, still right)."""
    literal = {"chapter", "section", "article", "part", "wenti", "qi"}  # start with 第 or 其: fast already
    assert {s.name for s in outline.SCHEMES if s.pattern not in outline_rules._PREFILTERS} == literal


def test_prefiltered_candidates_on_hand_written_strings(monkeypatch):
    for text in HAND_WRITTEN + [SEED]:
        fast = _cands(text)
        assert fast == _plain_cands(text, monkeypatch), text[:40]
    assert len(_cands(HAND_WRITTEN[3])) >= 8  # the strings do hold markers


def test_prefiltered_candidates_before_every_pattern_character(monkeypatch):
    for start in MARKER_STARTS:
        for before in ("\n", "。", "甲"):
            text = "".join(f"{before}{start}{a}{b}甲乙" for a in PATTERN_CHARS for b in PATTERN_CHARS[::3] + ["甲"])
            assert _cands(text) == _plain_cands(text, monkeypatch), (start, before)
            assert _cands(start) == _plain_cands(start, monkeypatch)  # a marker at the very end


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_prefiltered_candidates_on_random_strings(text):
    fast = _cands(text)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(outline_rules, "_PREFILTERS", {})
        assert fast == _cands(text)


def _shared_texts():
    folder = paths.shared_dir() / "corpora"
    files = sorted(folder.glob("*.jsonl"))
    return [json.loads(line)["text"] for f in files for line in f.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.mark.shared
def test_prefiltered_candidates_on_every_shared_document(monkeypatch):
    for text in _shared_texts():
        assert _cands(text) == _plain_cands(text, monkeypatch)


# ---------------------------------------------------------------------------
# Redactions

REDACTED = [
    "",
    "〓",
    "甲〓〓乙××丙XX丁aXXb某某某○○年二○○三□■",
    "xXx ××× **＊ 某 ○○○ 〓a〓",
    "一○○二○○年",
]
MARKS = st.lists(st.sampled_from(list("〓×╳Xx*＊某○□■a二年甲 \n")), max_size=30).map("".join)


def _check_redactions(text: str) -> None:
    n = len(text)
    spans = [(s, e) for s in range(n + 1) for e in range(n + 1)]  # reversed spans too: empty slices
    assert outline._redaction_counts(text, spans) == [outline._redactions(text[s:e]) for s, e in spans]


def test_redaction_counts_on_hand_written_strings():
    for text in REDACTED:
        _check_redactions(text)
    assert outline._redaction_counts(REDACTED[2], [(0, len(REDACTED[2]))]) == [outline._redactions(REDACTED[2])] != [0]


@settings(max_examples=300, deadline=None)
@given(MARKS)
def test_redaction_counts_on_random_strings(text):
    _check_redactions(text)


# ---------------------------------------------------------------------------
# Section lengths against slice-by-slice counts


def _plain_counts(text: str, o: outline.Outline) -> dict[str, list[int]]:
    pieces = o.pieces()
    starts = [s for _, s, _ in pieces]

    def owner(offset: int) -> int:  # the last non-empty piece starting at or before offset
        i = bisect.bisect_right(starts, offset) - 1
        while i > 0 and pieces[i][2] <= pieces[i][1]:
            i -= 1
        return max(i, 0)

    k = len(pieces)
    sentences, paragraphs = [0] * k, [0] * k
    for s, e in sentence_spans(text):
        if text[s:e].strip():
            sentences[owner(s)] += 1
    for s, _ in paragraph_spans(text):
        paragraphs[owner(s)] += 1
    own = {"own_han_chars": [count_han(text[s:e]) for _, s, e in pieces], "sentences": sentences,
           "paragraphs": paragraphs}
    total = {key: list(values) for key, values in own.items()}
    index = {n.path: i for i, n in enumerate(o.nodes)}
    for i in range(k - 1, -1, -1):
        if o.nodes[i].parent is not None:
            for key in total:
                total[key][index[o.nodes[i].parent]] += total[key][i]
    return {
        "han_chars": [count_han(text[n.start:n.end]) for n in o.nodes],
        "own_han_chars": own["own_han_chars"],
        "sentences": total["sentences"],
        "paragraphs": total["paragraphs"],
        "redactions": [outline._redactions(text[n.start:n.end]) for n in o.nodes],
    }


@pytest.mark.parametrize("text", HAND_WRITTEN[2:] + REDACTED[2:] + [SEED, SEED * 3])
def test_section_lengths_equal_slice_by_slice_counts(text):
    o = outline.parse_outline(text)
    table = outline.text_section_lengths(text, document="d", outline=o)
    for column, expected in _plain_counts(text, o).items():
        assert table[column].tolist() == expected, column
