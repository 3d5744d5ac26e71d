"""The two-speech term scatter: dense ranks against scipy, keyness from compare_terms, the chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from analysis.features import FeatureSet
from analysis.plots.scatter import plot_term_scatter
from analysis.results import undeclared_columns
from analysis.stats.keyness import compare_terms
from analysis.stats.scatter import term_scatter


def _fs():
    a = ["人才"] * 6 + ["基层"] * 3 + ["干部"] * 3 + ["党员"]
    b = ["基层"] * 7 + ["干部"] * 2 + ["党员"] * 2 + ["组织"]
    t = pd.DataFrame({"document": ["x"] * len(a) + ["y"] * len(b), "token": a + b, "kind": "word"})
    return FeatureSet.from_tables(pd.DataFrame({"id": ["x", "y"]}), t)


def test_dense_ranks_match_scipy_and_absent_terms_rank_last():
    table = term_scatter(_fs(), "x", "y", top=0).set_index("term")
    for side in ("a", "b"):
        present = table[table[f"f_{side}"] > 0]
        expected = rankdata(-present[f"f_{side}"].to_numpy(), method="dense")
        np.testing.assert_array_equal(present[f"rank_{side}"].to_numpy(), expected)
        absent = table[table[f"f_{side}"] == 0]
        assert (absent[f"rank_{side}"] == expected.max() + 1).all()
    assert table.loc["人才", "rank_a"] == 1 and table.loc["基层", "rank_b"] == 1
    assert undeclared_columns(table.reset_index().columns) == []


def test_log_ratio_and_significance_are_compare_terms():
    fs = _fs()
    table = term_scatter(fs, "x", "y", top=0).set_index("term")
    keyness = compare_terms(fs, "x", "y").set_index("term")
    pd.testing.assert_series_equal(table["log_ratio"], keyness.loc[table.index, "log_ratio"], check_names=False)
    assert (table["significant"] == keyness.loc[table.index, "significant"]).all()


def test_top_keeps_terms_ranked_high_on_either_side():
    table = term_scatter(_fs(), "x", "y", top=1)
    assert set(table["term"]) == {"人才", "基层"}


def test_chart_labels_do_not_repeat_and_hover_has_counts():
    table = term_scatter(_fs(), "x", "y", top=0)
    fig = plot_term_scatter(table, label_a="x", label_b="y")
    labels = [a.text for a in fig.layout.annotations]
    assert len(labels) == len(set(labels)) and set(labels) <= set(table["term"])
    assert len(fig.data[0].customdata) == len(table)


def test_rank_axis_ticks_are_labelled_ranks_up_to_the_largest():
    """The log rank axes carry explicit ticks 1, 2, 5, 10 … (no minor labels such as a stray 9 or a cut 20)."""
    from analysis.plots.scatter import plot_term_scatter, rank_ticks

    assert rank_ticks(20) == [1, 2, 5, 10, 20]
    assert rank_ticks(21) == [1, 2, 5, 10, 20, 50]
    table = pd.DataFrame({"term": ["a", "b", "c"], "f_a": [9, 3, 1], "f_b": [1, 3, 9], "rank_a": [1, 2, 37],
                          "rank_b": [37, 2, 1], "log_ratio": [2.0, 0.0, -2.0], "significant": [True, False, True]})
    fig = plot_term_scatter(table, label_a="A", label_b="B")
    assert list(fig.layout.xaxis.tickvals) == [1, 2, 5, 10, 20, 50] == list(fig.layout.yaxis.tickvals)
    assert list(fig.layout.xaxis.ticktext) == ["1", "2", "5", "10", "20", "50"]
