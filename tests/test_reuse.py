"""Tests for analysis.stats.reuse with short speeches written for the test (and the shared corpora when present)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats import reuse as R
from analysis.paths import shared_dir

TOL = 1e-9

# Two short speeches written for these tests. B relays A's grassroots paragraph with
# different punctuation and a line break inside it, and adds its own talent section.
GRASS = "要持续整顿软弱涣散党组织，全面提升村级班子领导乡村振兴能力。"
SPEECH_A = (
    "同志们：\n"
    "一、抓好人才工作\n"
    "要引进高层次人才，建设人才驿站，为专家提供服务。\n"
    "二、抓好基层党建\n"
    + GRASS + "\n"
)
SPEECH_B = (
    "同志们：\n"
    "一、夯实基层基础\n"
    "要持续整顿软弱涣散党组织\n全面提升村级班子领导乡村振兴能力！\n"
    "二、深化改革创新\n"
    "推动产业转型升级，培育新动能。\n"
)
DOCS = pd.DataFrame({"id": ["A", "B"], "text": [SPEECH_A, SPEECH_B]})


def _ngrams(han: str, n: int) -> list[str]:
    return [han[i:i + n] for i in range(len(han) - n + 1)]


def test_shingles_skip_punctuation_and_short_texts():
    assert R.shingles("人才，强国。战略", n=5) == {"人才强国战", "才强国战略"}
    assert R.shingles("人才2023年〓abc", n=3) == {"人才年"}
    assert R.shingles("人才", n=5) == set()
    with pytest.raises(ValueError):
        R.shingles("人才", n=0)


def test_jaccard_hand_worked():
    # Han streams: 甲乙丙丁戊己 (4 three-grams) and 丙丁戊己庚 (3 three-grams); shared 丙丁戊, 丁戊己.
    a, b = R.shingles("甲乙丙丁戊己", n=3), R.shingles("丙丁戊，己庚", n=3)
    assert len(a) == 4 and len(b) == 3
    assert R.jaccard(a, b) == pytest.approx(2 / (4 + 3 - 2), abs=TOL)
    assert np.isnan(R.jaccard(set(), set()))


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="人才基层干部党员，。", max_size=40), st.text(alphabet="人才基层干部党员，。", max_size=40))
def test_jaccard_properties(x, y):
    a, b = R.shingles(x, n=2), R.shingles(y, n=2)
    j = R.jaccard(a, b)
    if a or b:
        assert 0 <= j <= 1 and j == R.jaccard(b, a)
    if a:
        assert R.jaccard(a, a) == 1.0


def test_section_texts_partition_each_speech():
    sections = R.section_texts(DOCS)
    for doc, text in zip(DOCS["id"], DOCS["text"]):
        part = sections[sections["document"] == doc]
        assert part["path"].tolist() == ["preamble", "一", "二"]
        assert "".join(part["text"]) == text
        assert (part["start"].iloc[1:].to_numpy() == part["end"].iloc[:-1].to_numpy()).all()


def test_section_similarity_finds_the_relayed_section():
    sim = R.section_similarity(DOCS, "A", "B")
    assert len(sim) == 9
    best = sim.sort_values("jaccard", ascending=False).iloc[0]
    assert (best["path_a"], best["path_b"]) == ("二", "一")
    # Independent count: A's 二 is its heading 抓好基层党建 plus GRASS; B's 一 is 夯实基层基础 plus the same clauses.
    han = lambda s: "".join(c for c in s if "\u4e00" <= c <= "\u9fff")  # noqa: E731
    a_set = set(_ngrams(han("二、抓好基层党建" + GRASS), 5))
    b_set = set(_ngrams(han("一、夯实基层基础要持续整顿软弱涣散党组织全面提升村级班子领导乡村振兴能力！"), 5))
    assert best["shingles_a"] == len(a_set) and best["shingles_b"] == len(b_set)
    assert best["shared"] == len(a_set & b_set)
    assert best["jaccard"] == pytest.approx(len(a_set & b_set) / len(a_set | b_set), abs=TOL)
    assert best["containment_a"] == pytest.approx(len(a_set & b_set) / len(a_set), abs=TOL)
    talent = sim.set_index(["path_a", "path_b"]).loc[("一", "二")]
    assert talent["shared"] == 0 and talent["jaccard"] == 0


def test_shared_passages_are_spans_in_a_and_in_b():
    passages = R.shared_passages(DOCS, "A", "B")
    assert len(passages) == 1
    p = passages.iloc[0]
    # The passage runs from 要 to 力 (the Han characters of GRASS), punctuation inside kept.
    start = SPEECH_A.index(GRASS)
    assert (p["start"], p["end"]) == (start, start + len(GRASS) - 1)
    assert SPEECH_A[p["start"]:p["end"]] == GRASS[:-1] == p["text"]
    assert p["han_chars"] == sum(1 for c in GRASS if "\u4e00" <= c <= "\u9fff")
    assert p["path"] == "二" and p["other"] == "B" and bool(p["exact"])
    assert SPEECH_B[p["other_start"]:p["other_end"]] == "要持续整顿软弱涣散党组织\n全面提升村级班子领导乡村振兴能力"
    assert R.shared_passages(DOCS, "A", "B", min_han=40).empty


def test_shared_passages_with_several_others_and_reuse_share():
    third = "一、总体要求\n要引进高层次人才，建设人才驿站。\n"
    docs = pd.concat([DOCS, pd.DataFrame({"id": ["C"], "text": [third]})], ignore_index=True)
    before = docs.copy()
    passages = R.shared_passages(docs, "A", ["B", "C"])
    assert passages["other"].tolist() == ["C", "B"]
    assert passages.iloc[0]["text"] == "要引进高层次人才，建设人才驿站"
    share = R.reuse_share(docs, "A", ["B", "C"]).set_index("path")
    # Section 一: heading 抓好人才工作 (6) + 引进… (21 Han) = 27 Han; 13 shared (要引进高层次人才 8 + 建设人才驿站 5… see below).
    han_one = share.loc["一", "han_chars"]
    shared_one = sum(1 for c in "要引进高层次人才建设人才驿站")
    assert share.loc["一", "shared_han"] == shared_one
    assert share.loc["一", "share_shared"] == pytest.approx(shared_one / han_one, abs=TOL)
    assert share.loc["二", "shared_han"] == 28 and share.loc["preamble", "shared_han"] == 0
    pd.testing.assert_frame_equal(docs, before)
    with pytest.raises(KeyError, match="not in the table"):
        R.shared_passages(docs, "A", "Z")


def test_speech_against_itself_is_all_shared():
    sim = R.section_similarity(DOCS, "A", "A")
    diag = sim[sim["path_a"] == sim["path_b"]]
    assert (diag.loc[diag["shingles_a"] > 0, "jaccard"] == 1.0).all()
    share = R.reuse_share(DOCS, "A", "A", min_han=1)
    assert (share["share_shared"] == 1.0).all()


def _shared_rows(name):
    path = shared_dir() / "corpora" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.shared
def test_real_speeches_from_shared_corpora():
    from analysis.io.normalize import normalize

    rows = _shared_rows("party-building-texts.jsonl")
    local = [r for r in rows if r.get("kind") == "local_speech"]
    national = [r for r in rows if r.get("kind") == "national_speech"]
    if not local or not national:
        pytest.skip("party-building-texts.jsonl lacks a local_speech or a national_speech")
    docs = pd.DataFrame({"id": ["local", "national"],
                         "text": [normalize(local[0]["text"]).text, normalize(national[0]["text"]).text]})
    sim = R.section_similarity(docs, "local", "national")
    assert len(sim) > 0 and sim["jaccard"].between(0, 1).all()
    assert ((sim["shared"] <= sim["shingles_a"]) & (sim["shared"] <= sim["shingles_b"])).all()
    passages = R.shared_passages(docs, "local", "national")
    text = docs.loc[0, "text"]
    for start, end, han in zip(passages["start"], passages["end"], passages["han_chars"]):
        assert sum(1 for c in text[start:end] if R.HAN_RE.match(c)) == han >= 10
    self_share = R.reuse_share(docs, "local", "local")
    assert (self_share.loc[self_share["han_chars"] >= 10, "share_shared"] > 0.99).all()


@pytest.mark.shared
def test_consecutive_congress_reports_share_passages():
    """The 19th and 20th congress reports reuse formulations: shared passages exist and map back exactly."""
    from analysis.io.normalize import normalize

    rows = _shared_rows("cpc-congress-reports.jsonl")
    by_congress = {str(r.get("congress")): r for r in rows}
    if not {"19", "20"} <= set(by_congress):
        pytest.skip("19th or 20th congress report missing from cpc-congress-reports.jsonl")
    docs = pd.DataFrame({"id": ["c19", "c20"], "text": [normalize(by_congress[c]["text"]).text for c in ("19", "20")]})
    passages = R.shared_passages(docs, "c20", "c19")
    assert len(passages) > 0
    t19, t20 = docs.loc[0, "text"], docs.loc[1, "text"]
    han = lambda s: "".join(c for c in s if R.HAN_RE.match(c))  # noqa: E731
    for row in passages[passages["exact"]].itertuples():
        assert han(t20[row.start:row.end]) == han(t19[row.other_start:row.other_end])
    share = R.reuse_share(docs, "c20", "c19")
    assert share["share_shared"].dropna().between(0, 1).all()
