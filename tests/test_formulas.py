"""Tests for analysis.stats.formulas: discovery on texts written for the test, and recovery of hidden dictionary formulas."""

from __future__ import annotations

import math
import re
from collections import Counter

import pandas as pd
import pytest

from analysis.stats import formulas as F

# Five short texts written for this test: an invented numbered formula (三个聚焦), an invented
# slogan (党建引领网格治理) and ordinary words around them.
TEXTS = [
    "今年要做到三个聚焦，推动党建引领网格治理。各单位要抓好落实。",
    "牢牢把握三个聚焦！深化党建引领网格治理，街道要抓好落实。",
    "坚持“三个聚焦”，完善党建引领网格治理机制。社区要认真落实。",
    "落实三个聚焦要求。以党建引领网格治理为抓手，村里要抓紧落实。",
    "各部门要抓好落实，年底前报送情况。",
]
DOCS = pd.DataFrame({"id": ["a", "b", "c", "d", "e"], "text": TEXTS,
                     "date": ["2021-05", "2020-03-01", "2022", "2023-02-02", "2019"],
                     "kind": ["speech", "speech", "report", "speech", "speech"]})


def test_discovers_numbered_and_recurring_formulas():
    found = F.discover_formulas(DOCS, min_docs=4, min_count=4, min_association=4, dictionary=["三个聚焦"])
    got = found.set_index("formula")
    assert got.loc["三个聚焦", "rule"] == "numbered"
    assert got.loc["党建引领网格治理", "rule"] == "recurring"
    assert bool(got.loc["三个聚焦", "in_dictionary"]) and not bool(got.loc["党建引领网格治理", "in_dictionary"])
    # fragments inside the slogan are not units of their own
    assert "引领网格" not in got.index and "建引领网格治" not in got.index
    assert got.loc["三个聚焦", "first_date"] == "2020-03-01" and got.loc["三个聚焦", "first_document"] == "b"
    assert got.loc["三个聚焦", "last_document"] == "d" and got.loc["三个聚焦", "documents"] == 4
    assert list(found.columns) == F.DISCOVERY_COLUMNS


def test_boundary_and_association_by_hand():
    found = F.discover_formulas(DOCS, min_docs=4, min_count=4, min_association=4, dictionary=[]).set_index("formula")
    # left neighbours of 三个聚焦: 到, 握, a run start (after “), 实 → four distinct: 2 bits;
    # right: a run end ×3 (，！ and ”) and 要 → four distinct: 2 bits
    assert found.loc["三个聚焦", "boundary"] == pytest.approx(2.0, abs=1e-3)
    # association: the smallest PMI over split points, from plain counts of the Han runs
    runs = [r for t in TEXTS for r in re.findall("[\u4e00-\u9fff]+", t)]

    def count(s: str) -> int:
        return sum(len(re.findall(f"(?={s})", r)) for r in runs)

    chars = sum(len(r) for r in runs)
    w = "三个聚焦"
    pmi = min(math.log2(count(w) * chars / (count(w[:k]) * count(w[k:]))) for k in range(1, len(w)))
    assert found.loc[w, "association"] == pytest.approx(pmi, abs=0.01)


def test_numbered_pattern():
    assert F.NUMBERED_RE.match("两个确立") and F.NUMBERED_RE.match("三个区分开来") and F.NUMBERED_RE.match("三严三实")
    assert not F.NUMBERED_RE.match("一九五三年") and not F.NUMBERED_RE.match("党建引领")


def test_date_formulas_matches_a_plain_search():
    table = F.date_formulas(DOCS, ["抓好落实", "年底前报送"]).set_index("formula")
    assert table.loc["抓好落实", "documents"] == 3  # a, b, e
    assert table.loc["抓好落实", "first_document"] == "e" and table.loc["抓好落实", "first_date"] == "2019-01-01"
    assert table.loc["抓好落实", "last_document"] == "a"


#: Ten dictionary formulas hidden from the dictionary for the recovery test.
HIDDEN = ["四个意识", "四个自信", "三个代表", "两个一百年", "五位一体", "三严三实", "全面从严治党", "新发展理念",
          "人类命运共同体", "社会主义核心价值观"]


@pytest.mark.shared
@pytest.mark.slow
def test_hidden_dictionary_formulas_recovered_and_dated(reference_corpus):
    from analysis.text.segment import load_dictionary

    docs, _ = reference_corpus  # the four corpora, loaded once per test run (conftest.py)
    dictionary = [t for t in load_dictionary(None)["term"].astype(str) if t not in HIDDEN]
    found = F.discover_formulas(docs, dictionary=dictionary).set_index("formula")
    recovered = [h for h in HIDDEN if h in found.index]
    assert len(recovered) >= 8, recovered
    assert not found.loc[recovered, "in_dictionary"].any()
    # first appearance equals a plain search of the texts' Han characters, dated by the loader's sort_date
    han = {str(i): re.sub("[^\u4e00-\u9fff]", "", t) for i, t in zip(docs["id"], docs["text"])}
    dates = dict(zip(docs["id"].astype(str), pd.to_datetime(docs["sort_date"])))
    for formula in recovered:
        holders = sorted((dates[i], i) for i, s in han.items() if formula in s and pd.notna(dates[i]))
        assert found.loc[formula, "first_date"] == holders[0][0].strftime("%Y-%m-%d"), formula
        assert found.loc[formula, "first_document"] == holders[0][1], formula
