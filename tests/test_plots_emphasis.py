"""Tests for analysis.plots.emphasis: each builder draws its table's rows, in order, unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.plots.emphasis import (
    plot_emphasis_shift,
    plot_keyness,
    plot_talent_grassroots_index,
    plot_theme_coverage,
    plot_word_shift,
)


def two_speeches() -> pd.DataFrame:
    """Coverage of two documents that both have a section 一 (the common case with several speeches)."""
    rows = []
    for doc, talent, grass in (("甲", [0.50, 0.10], [0.0, 0.20]), ("乙", [0.40, 0.05], [0.30, 0.25])):
        for path, t, g in zip(["一", "二"], talent, grass):
            rows.append({"document": doc, "path": path, "theme": "talent", "label_zh": "人才", "share_tokens": t})
            rows.append({"document": doc, "path": path, "theme": "grassroots", "label_zh": "基层", "share_tokens": g})
    return pd.DataFrame(rows)


def test_theme_coverage_keeps_one_row_per_document_and_section():
    cov = two_speeches()
    before = cov.copy()
    fig = plot_theme_coverage(cov)
    heat = fig.data[0]
    assert list(heat.y) == ["甲 · 一", "甲 · 二", "乙 · 一", "乙 · 二"]
    assert list(heat.x) == ["人才", "基层"]
    # Every cell of the table is drawn, the second document's included (50 % and 40 % both there).
    np.testing.assert_allclose(np.asarray(heat.z, dtype=float),
                               [[50, 0], [10, 20], [40, 30], [5, 25]])
    pd.testing.assert_frame_equal(cov, before)


def test_theme_coverage_of_one_document_labels_rows_by_path_and_checks_share():
    one = two_speeches()
    one = one[one["document"] == "甲"]
    fig = plot_theme_coverage(one)
    assert list(fig.data[0].y) == ["一", "二"]
    with pytest.raises(ValueError, match="share='share_tokens' is not one of"):
        plot_theme_coverage(one, share="share_tokens")
    twice = pd.concat([one, one])
    with pytest.raises(ValueError, match="rows repeat"):
        plot_theme_coverage(twice)


def test_talent_grassroots_index_bars_in_percent_with_flags_on_hover():
    t = pd.DataFrame({"path": ["三", "四"], "share_of": "tokens", "share_talent": [0.13, 0.003],
                      "share_grassroots": [0.0, 0.04], "index": [np.nan, np.log(0.003 / 0.04)],
                      "flag": ["no grassroots hits", ""]})
    fig = plot_talent_grassroots_index(t)
    assert [tr.name for tr in fig.data] == ["人才", "基层"]
    np.testing.assert_allclose(fig.data[0].x, [13.0, 0.3])
    assert "n/a (no grassroots hits)" in fig.data[0].customdata[0]
    assert fig.layout.xaxis.title.text == "share of word tokens (%)"


def test_emphasis_shift_draws_diff_with_its_interval():
    s = pd.DataFrame({"theme": ["talent", "grassroots"], "label_zh": ["人才", "基层"], "share_of": "tokens",
                      "share_a": [0.13, 0.0], "share_b": [0.003, 0.04], "diff": [-0.127, 0.04],
                      "ci_low": [-0.16, 0.02], "ci_high": [-0.10, 0.06], "n_resamples": 2000})
    fig = plot_emphasis_shift(s, label_a="三", label_b="四")
    delta = fig.data[3]
    np.testing.assert_allclose(delta.x, [-12.7, 4.0])
    # error bars run from the estimate to each end of the interval, in percentage points
    np.testing.assert_allclose(delta.error_x.array, [-10.0 + 12.7, 6.0 - 4.0])
    np.testing.assert_allclose(delta.error_x.arrayminus, [-12.7 + 16.0, 4.0 - 2.0])
    assert list(delta.y) == ["人才", "基层"]
    titled = plot_emphasis_shift(s, label_a="三", label_b="四", title="Theme shares in section 三 (A) and section 四 (B)")
    layout = titled.layout  # title, then the legend, then the plots (in container coordinates, from the top)
    assert layout.title.y > layout.legend.y > 1 - layout.margin.t / layout.height


def test_keyness_bars_sign_colour_and_pale_when_not_significant():
    k = pd.DataFrame({"term": ["人才", "引进", "基层"], "g2": [40.0, 3.0, -25.0], "log_ratio": [3.0, 1.0, -2.0],
                      "f_target": [54, 4, 0], "f_reference": [2, 1, 20], "p_fdr": [1e-9, np.nan, 1e-5],
                      "tested": [True, False, True], "significant": [True, False, True]})
    fig = plot_keyness(k, statistic="log_ratio", label_a="三", label_b="四")
    bar = fig.data[0]
    assert list(bar.x) == [3.0, 1.0, -2.0]
    assert bar.marker.color[0] != bar.marker.color[2]
    assert list(bar.marker.opacity) == [1.0, 0.4, 1.0]
    assert "Log Ratio" in fig.layout.xaxis.title.text and "pale bars: not significant" in fig.layout.xaxis.title.text
    assert "too few tokens to test" in bar.customdata[1] and "FDR p 1e-09" in bar.customdata[0]


def test_word_shift_one_trace_per_theme_scaled_per_10k():
    w = pd.DataFrame({"term": ["人才", "社区", "干部"], "theme": ["talent", "grassroots", ""],
                      "f_a": [54, 0, 3], "f_b": [2, 6, 3], "delta_p": [-0.013, 0.001, 0.0]})
    fig = plot_word_shift(w, labels={"talent": "人才", "grassroots": "基层"})
    assert [tr.name for tr in fig.data] == ["人才", "基层", "other"]
    np.testing.assert_allclose(fig.data[0].x, [-130.0])
    assert list(fig.layout.yaxis.categoryarray) == ["人才", "社区", "干部"]
