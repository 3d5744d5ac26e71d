"""Work done once per run instead of once per document or row (issue 23's fixed cost per file), each
checked against a plain computation: the profile terms and their matcher tables, the stored occurrence
table, the lower-bound flags and the CSV formula guard."""

import numpy as np
import pandas as pd

from analysis.features import FeatureSet, combine, stream_features
from analysis.output.csvsafe import neutralize_cell, neutralize_formulas
from analysis.settings import Settings
from analysis.stats.counts import occurrences_lower_bound
from analysis.text import occurrences as occ
from analysis.text.segment import tokenize


def _tokens(text: str, doc: str) -> pd.DataFrame:
    return tokenize(text).assign(document=doc, path="一")


def test_profile_terms_are_worked_out_once_per_dictionary_and_handed_out_as_new_lists(tmp_path):
    occ._profile_terms.cache_clear()
    first = occ.profile_terms()
    first.append("changed by the caller")
    second = occ.profile_terms()
    assert "changed by the caller" not in second
    assert occ._profile_terms.cache_info().hits == 1 and occ._profile_terms.cache_info().misses == 1
    # another dictionary content is another entry, with its own formula
    dictionary = tmp_path / "dictionary.yaml"
    dictionary.write_text("entries:\n  - {term: 四个自信心, category: formula}\n", encoding="utf-8")
    other = occ.profile_terms(Settings(dictionary=dictionary))
    assert "四个自信心" in other and "四个自信心" not in second
    assert occ._profile_terms.cache_info().misses == 2


def test_matcher_tables_are_kept_for_a_small_vocabulary_read_only_and_not_for_a_large_one():
    occ._kept_matcher_tables.cache_clear()
    terms = ["人才", "基层", "哈哈"]
    a, b = occ._Matcher(terms, 100), occ._Matcher(terms, 7)
    assert a.by_length is b.by_length and occ._kept_matcher_tables.cache_info().hits == 1
    assert not a.by_length[0][1].flags.writeable and not a.lengths.flags.writeable
    assert a.last_end is not b.last_end  # the one state a search changes stays the matcher's own
    large = [f"词{i:04d}" for i in range(occ._KEPT_TERMS + 1)]
    occ._Matcher(large, 10)
    assert occ._kept_matcher_tables.cache_info().currsize == 1
    # a search with kept tables still counts as str.count does, overlapping terms included
    text = "哈哈哈哈，人才和基层人才"
    found = occ.count_occurrences(_tokens(text, "d"), terms)
    assert dict(zip(found["term"], found["occurrences"])) == {t: text.count(t) for t in terms if text.count(t)}


def test_stored_occurrences_lists_every_term_for_every_document_in_order():
    tokens = pd.concat([_tokens("坚持人才强国，人才第一。", "b"), _tokens("基层治理。", "a")], ignore_index=True)
    terms = ["基层", "人才", "新时代"]
    table = occ.stored_occurrences(tokens, terms)
    expected = [("b", "人才", 2), ("b", "基层", 0), ("b", "新时代", 0),
                ("a", "人才", 0), ("a", "基层", 1), ("a", "新时代", 0)]  # documents as given, terms sorted
    assert list(zip(table["document"], table["term"], table["occurrences"])) == expected
    assert [p for p in table["path"]] == ["一", None, None, None, "一", None]
    assert all(table[c].dtype == object for c in ("document", "path", "term"))
    # a document holding none of the terms: the same column types (objects), rows for every term
    none = occ.stored_occurrences(_tokens("开会。", "c"), terms)
    assert none["term"].tolist() == sorted(terms) and none["occurrences"].tolist() == [0, 0, 0]
    assert all(none[c].dtype == object for c in ("document", "path", "term"))


def test_lower_bound_flags_follow_each_documents_route(tmp_path):
    for name, text in (("p", "人才工作，党建引领。"), ("q", "基层党建，人才。")):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    streamed = stream_features(tmp_path, cache=False, progress=False)  # counts only, profile terms stored
    hand = FeatureSet.from_tables(pd.DataFrame({"id": ["r"]}), pd.DataFrame(
        {"document": "r", "token": ["人才", "党建"], "kind": "word"}))  # no offsets: nothing exact
    fs = combine(streamed, hand)
    table = pd.DataFrame({"document": ["p", "p", "q", "r", "q", "r"],
                          "term": ["人才", "党建", "基层", "人才", "党建", "党建"]})
    flags = occurrences_lower_bound(fs, table, ["document"])
    # p and q stored the profile terms (人才, 基层: exact), not 党建 (a lower bound); r has no text at all
    assert "党建" not in occ.profile_terms() and {"人才", "基层"} <= set(occ.profile_terms())
    assert flags.tolist() == [False, True, False, True, True, True]


def test_the_formula_guard_applies_once_per_distinct_value_and_equals_a_cell_by_cell_map(monkeypatch):
    values = ["=SUM(A1)", "人才", None, "=SUM(A1)", "-3", "人才", np.nan, "'+x"]
    table = pd.DataFrame({"text": pd.Series(values, dtype=object), "str": pd.Series(values, dtype="str"),
                          "n": range(len(values))})
    expected = table.copy()
    for column in ("text", "str"):
        expected[column] = table[column].map(neutralize_cell)
    calls = []

    def counted(value):
        calls.append(value)
        return neutralize_cell(value)

    monkeypatch.setattr("analysis.output.csvsafe.neutralize_cell", counted)
    out = neutralize_formulas(table)
    # the same cells (None and NaN both missing: Series.map makes None NaN), and the table's own dtypes
    def cells(frame):
        return {c: [None if pd.isna(v) else v for v in frame[c]] for c in frame.columns}

    assert cells(out) == cells(expected) and list(out.columns) == list(expected.columns)
    assert out.dtypes.equals(table.dtypes)
    assert out["text"].tolist()[2] is None  # a missing value stays what it was
    assert len(calls) == 2 * 4 + 3  # four distinct values per text column, then the three column names
    # nothing to change: the column is handed back as it is
    plain = pd.DataFrame({"t": ["人才", "基层"] * 3})
    assert neutralize_formulas(plain)["t"].tolist() == plain["t"].tolist()


def test_the_formula_guard_takes_cells_that_cannot_be_hashed():
    table = pd.DataFrame({"cell": pd.Series([["=x"], "=y", "z"], dtype=object)})
    assert neutralize_formulas(table)["cell"].tolist() == [["=x"], "'=y", "z"]
