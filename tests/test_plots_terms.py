"""Tests for analysis.plots.terms: term bars, formula bars, the word cloud of our own counts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.plots.terms import plot_formula_frequencies, plot_term_frequencies, plot_word_cloud


@pytest.fixture
def table():
    return pd.DataFrame({"term": ["基层", "人才", "干部", "党建"], "tokens": [8, 24, 17, 8],
                         "per_10k_han": [13.7, 41.1, 29.1, 13.7]})


def test_term_bars_largest_on_top_ties_by_term_input_unchanged(table):
    before = table.copy()
    fig = plot_term_frequencies(table)
    assert list(fig.data[0].y) == ["人才", "干部", "党建", "基层"]
    assert [int(v) for v in fig.data[0].x] == [24, 17, 8, 8]
    pd.testing.assert_frame_equal(table, before)
    rate = plot_term_frequencies(table, value="per_10k_han")
    assert list(rate.data[0].x)[0] == pytest.approx(41.1)
    with pytest.raises(KeyError):
        plot_term_frequencies(table, value="count")


def test_formula_bars_one_trace_per_rule_largest_first():
    formulas = pd.DataFrame({"formula": ["四个意识", "两个确立", "新时代"], "rule": ["numbered", "numbered", "dictionary"],
                             "tokens": [1, 2, 9]})
    fig = plot_formula_frequencies(formulas)
    by_rule = {tr.name: (list(tr.y), [int(v) for v in tr.x]) for tr in fig.data}
    assert by_rule == {"dictionary": (["新时代"], [9]), "numbered": (["两个确立", "四个意识"], [2, 1])}
    with pytest.raises(KeyError, match="rule"):
        plot_formula_frequencies(formulas.drop(columns="rule"))


def test_word_cloud_draws_our_terms_whole_and_is_seeded(table):
    a = plot_word_cloud(table, width=240, height=160, scale=1)
    b = plot_word_cloud(table, width=240, height=160, scale=1)
    assert set(a.words_) == set(table["term"])
    assert a.layout_ == b.layout_
    top = plot_word_cloud(table, top_n=2, width=240, height=160, scale=1)
    assert set(top.words_) == {"人才", "干部"}
