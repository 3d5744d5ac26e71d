"""Theme coverage and first appearances read what they need (word tokens per node, the documents
counted) without building the term-count table, one row per node and distinct token, which for a
document at the size cap holds millions of rows; both equal what that table gives."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.features import FeatureSet, build_features, combine
from analysis.profiles import load_profiles
from analysis.stats.themes import _counted_documents, _node_word_tokens, first_appearance, theme_coverage

TEXTS = pd.DataFrame({"id": ["z", "empty", "a"], "text": [
    "一、人才工作\n加强人才队伍建设，全面从严治党。\n（一）基层\n抓基层强基础，乡村振兴。\n二、其他\n“人才”要引进来。\n",
    "",
    "同志们：\n人才是第一资源。基层治理。\n"]})


def _sets() -> dict[str, object]:
    full = build_features(TEXTS, progress=False, cache=False)
    counted = build_features(TEXTS, progress=False, cache=False, counts_only=True)
    profiles = load_profiles()
    some = profiles.select(list(profiles.documents["id"][:3]))
    hand = FeatureSet.from_tables(pd.DataFrame({"id": ["b", "a"]}), pd.DataFrame({
        "document": ["a", "b", "a", "a"], "token": ["人才", "基层", "，", "的"], "kind": ["word", "word", "punct", "word"],
        "path": ["一", "一", "一", None]}))
    return {"full": full, "counted": counted, "profiles then full": combine(some, full),
            "full then counted": combine(full.select(["z"]), counted.select(["a"])), "hand-made": hand}


def _from_term_counts(fs) -> pd.DataFrame:
    """Word tokens per node as the term-count table gives them (the definition)."""
    words = fs.term_counts[fs.term_counts["kind"] == "word"]
    table = words.groupby(["document", "path"], sort=False)["count"].sum().rename("tokens").reset_index()
    return table.astype({"document": "str", "path": "str"})


@pytest.mark.parametrize("name", list(_sets()))
def test_word_tokens_per_node_and_documents_counted_equal_the_term_count_table(name):
    fs = _sets()[name]
    lean = _node_word_tokens(fs).sort_values(["document", "path"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(lean, _from_term_counts(fs).sort_values(["document", "path"]).reset_index(drop=True))
    assert _counted_documents(fs) == [str(d) for d in dict.fromkeys(fs.term_counts["document"])]


def test_coverage_and_first_appearance_do_not_build_the_term_count_table():
    fs = build_features(TEXTS, progress=False, cache=False)
    by_section = theme_coverage(fs, by="section")
    first = first_appearance(fs)
    assert "term_counts" not in fs._memo
    talent = by_section[(by_section["document"] == "z") & (by_section["path"] == "一") & (by_section["theme"] == "talent")]
    # the word tokens of section 一 include those of its sub-point 一（一）: every word token whose path starts with 一
    words = fs.tokens[(fs.tokens["document"] == "z") & fs.tokens["path"].astype(str).str.startswith("一")
                      & (fs.tokens["kind"] == "word")]
    assert int(talent["word_tokens"].iloc[0]) == len(words) > 0
    assert first["document"].drop_duplicates().tolist() == ["z", "a"]  # the empty document has no tokens


def test_stored_term_counts_already_in_document_order_are_handed_out_not_copied():
    """A profile's count table can hold millions of rows: in document order it is the table itself;
    out of order it is reordered (rows of the documents' order, each document's rows as stored)."""
    import dataclasses

    fs = load_profiles(collection="speeches")
    assert fs.term_counts is fs.stored.term_counts
    ids = fs.documents["id"].astype(str).tolist()
    flipped = dataclasses.replace(fs, documents=fs.documents.iloc[::-1].reset_index(drop=True), _memo={})
    table = flipped.term_counts
    assert table is not fs.stored.term_counts
    assert list(dict.fromkeys(table["document"].astype(str))) == [i for i in ids[::-1] if i in set(table["document"])]
    stored = fs.stored.term_counts
    for doc in (ids[0], ids[-1]):  # each document's rows unchanged and in their stored order
        mine = table[table["document"] == doc].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, stored[stored["document"] == doc].reset_index(drop=True))
    assert isinstance(table.index, pd.RangeIndex) and table.index.equals(pd.RangeIndex(len(stored)))
