"""FeatureSet.select hands on the count tables its parent has derived (term counts, theme
counts) cut to the selection, instead of counting the selection's tokens again; what it hands
on equals what counting the selection gives, dtypes included, for full texts, counted
documents, profiles and their mixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.features import build_features, combine, featureset
from analysis.features.tables import ThemeCounts

TEXTS = {
    "z": "一、人才工作\n加强人才队伍建设，全面从严治党。基层党组织要强。\n二、基层\n抓基层强基础，乡村振兴。\n",
    "a": "人才是第一资源。“人才”要引进来。\n",
    "m": "同志们：\n一、党建引领\n（一）全面从严治党\n基层治理，人才振兴，乡村振兴。\n",
}


def _docs(ids) -> pd.DataFrame:
    return pd.DataFrame({"id": list(ids), "text": [TEXTS[i] for i in ids]})


def _set(kind: str):
    """A FeatureSet of three full texts, of the same counted (counts_only), or of two full texts plus one counted."""
    if kind == "full":
        return build_features(_docs("zam"), progress=False, cache=False)
    if kind == "counted":
        return build_features(_docs("zam"), progress=False, cache=False, counts_only=True)
    return combine(build_features(_docs("za"), progress=False, cache=False),
                   build_features(_docs("m"), progress=False, cache=False, counts_only=True))


def _tables(fs) -> dict[str, pd.DataFrame]:
    themes = fs.theme_counts()
    return {"term_counts": fs.term_counts, "sentence_tokens": fs.sentence_tokens, "theme sentences": themes.sentences,
            "theme terms": themes.terms, "theme first": themes.first}


@pytest.mark.parametrize("kind", ["full", "counted", "mixed"])
@pytest.mark.parametrize("selection", [["z"], ["a"], ["m"], ["a", "z"], ["z", "m"], ["z", "a", "m"]])
def test_a_selection_of_a_counted_set_equals_counting_the_selection(kind, selection):
    warm = _set(kind)
    _tables(warm)  # the parent derives its count tables
    handed = warm.select(selection)
    cold = _set(kind).select(selection)
    assert not cold._memo
    for name, table in _tables(cold).items():
        pd.testing.assert_frame_equal(_tables(handed)[name], table, obj=f"{kind} {selection} {name}")


def test_the_selection_of_full_texts_does_not_count_again(monkeypatch):
    fs = _set("mixed")
    before = _tables(fs)
    calls = {"count_tokens": 0, "theme_hits": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    import analysis.text.lexicon as lexicon
    monkeypatch.setattr(featureset, "count_tokens", counting("count_tokens", featureset.count_tokens))
    monkeypatch.setattr(lexicon, "theme_hits", counting("theme_hits", lexicon.theme_hits))
    child = fs.select(["z", "m"])
    tables = _tables(child)
    assert calls == {"count_tokens": 0, "theme_hits": 0}
    assert set(tables["term_counts"]["document"]) == {"z", "m"}
    pd.testing.assert_frame_equal(tables["theme terms"], before["theme terms"][
        before["theme terms"]["document"].isin(["z", "m"])].reset_index(drop=True))
    # the parent's memo is not the child's: counting a grandchild again is still possible and equal
    assert child._memo is not fs._memo
    grandchild = child.select(["z"])
    assert calls == {"count_tokens": 0, "theme_hits": 0}
    pd.testing.assert_frame_equal(grandchild.term_counts, _set("mixed").select(["z"]).term_counts)


def test_a_table_whose_dtypes_would_differ_is_counted_again():
    """sentence_tokens' document column is categorical when counted from one full text; stacked with a
    counted document it is plain text: the selection counts it again rather than hand on another dtype."""
    fs = _set("mixed")
    assert isinstance(fs.select(["z"]).sentence_tokens["document"].dtype, pd.CategoricalDtype)
    _tables(fs)
    child = fs.select(["z"])
    assert "sentence_tokens" not in child._memo and "term_counts" in child._memo
    assert isinstance(child.sentence_tokens["document"].dtype, pd.CategoricalDtype)
    assert any(isinstance(v, ThemeCounts) for v in child._memo.values())
