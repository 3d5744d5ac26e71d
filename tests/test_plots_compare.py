"""Tests for analysis.plots.compare: rows keyed by document, flags drawn, empty tables, glyphs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.plots import compare as P
from analysis.plots import charts, fonts
from analysis.plots.charts import figure_strings


def _themes():
    return pd.DataFrame({
        "document": ["a"] * 2 + ["b"] * 2, "label": ["2020 a"] * 2 + ["2023 b"] * 2,
        "theme": ["talent", "grassroots"] * 2, "label_zh": ["人才", "基层"] * 2, "share_of": "tokens",
        "share": [0.01, 0.02, 0.03, 0.0],
    })


def _shift(flag=""):
    return pd.DataFrame({
        "comparison": "seed vs x", "label_a": "seed", "label_b": "x", "theme": ["talent", "grassroots"],
        "label_zh": ["人才", "基层"], "share_of": "tokens", "share_a": [0.02, 0.01], "share_b": [0.005, 0.012],
        "diff": [-0.015, 0.002], "ci_low": [-0.02, -0.003], "ci_high": [-0.01, 0.006],
        "significant": [flag == "", False], "flag": flag,
    })


def test_heatmap_keeps_two_documents_with_the_same_section_path():
    table = pd.DataFrame({
        "document": ["a", "a", "b", "b"], "path": ["一"] * 4, "label": ["2020", "2020", "2020", "2020"],
        "theme": ["talent", "grassroots"] * 2, "label_zh": ["人才", "基层"] * 2, "share": [0.1, 0.2, 0.3, 0.4],
    })
    fig = P.plot_speech_themes(table)
    assert len(fig.data[0].y) == 2  # same label and path, two documents: two rows
    assert fig.data[0].z.tolist() == [[10.0, 20.0], [30.0, 40.0]]


def test_heatmap_rows_follow_the_table_order():
    fig = P.plot_speech_themes(_themes())
    assert list(fig.data[0].y) == ["2020 a", "2023 b"]
    assert list(fig.data[0].x) == ["人才", "基层"]


def test_theme_shifts_draws_flagged_intervals_grey_and_names_the_flag():
    fig = P.plot_theme_shifts(_shift(flag="B has only 1 paragraph (< 20): interval not reliable"))
    diff = [t for t in fig.data if t.error_x and t.error_x.array is not None][-1]
    assert diff.error_x.color == "#9E9E9E"
    assert "only 1 paragraph" in diff.name
    ok = P.plot_theme_shifts(_shift())
    diff = [t for t in ok.data if t.error_x and t.error_x.array is not None][-1]
    assert list(diff.marker.color) != ["white", "white"]  # the significant shift is filled
    assert list(diff.marker.color)[1] == "white"  # the other is hollow


def test_theme_shifts_legend_rows_sit_between_the_title_and_the_plots():
    many = pd.concat([_shift().assign(comparison=f"seed vs {b}", label_b=f"{b} ({n} speeches of the reference group)")
                      for b, n in [("party building since 2012", 17), ("organization work, all years", 5),
                                   ("national speeches", 30)]], ignore_index=True)
    one, four = P.plot_theme_shifts(_shift(), title="T"), P.plot_theme_shifts(many, title="T")
    assert charts.legend_rows([t.name for t in four.data if t.showlegend is not False], width=890) >= 2
    assert four.layout.margin.t >= one.layout.margin.t + 24  # a row more of legend, a row more of margin
    index = pd.DataFrame({"document": ["a", "b"], "label": ["a", "b"], "index": [0.5, -1.0], "ci_low": [0.1, -3.0],
                          "ci_high": [0.9, 1.0], "flag": ["", "only 5 sentences (< 20): interval not reliable"]})
    structure = pd.DataFrame({"document": ["a"], "preamble_share": [0.1], "body_share": [0.85], "closing_share": [0.05],
                              "han_chars": [5000], "points": [4], "announced": [5], "largest_point_share": [0.3]})
    others = [P.plot_speech_index(index, highlight=["a"], title="T"), P.plot_speech_structure(structure, title="T")]
    for fig in (one, four, *others):  # in container coordinates, from the top: title, legend, then the plot area
        height, top = fig.layout.height, fig.layout.margin.t
        assert fig.layout.title.y > fig.layout.legend.y > 1 - top / height
        assert fig.layout.legend.yref == fig.layout.title.yref == "container"


def test_index_chart_separates_flagged_and_leaves_out_undefined():
    table = pd.DataFrame({"document": ["a", "b", "c"], "label": ["a", "b", "c"], "index": [0.5, np.nan, -1.0],
                          "ci_low": [0.1, np.nan, -3.0], "ci_high": [0.9, np.nan, 1.0],
                          "flag": ["", "a share is 0: index undefined", "only 5 sentences (< 20): interval not reliable"]})
    fig = P.plot_speech_index(table, highlight=["a"])
    names = [t.name for t in fig.data]
    assert any(n.startswith("flagged") for n in names) and "highlighted speeches" in names
    assert "1 speech left out" in fig.layout.xaxis.title.text
    assert sum(len(t.x) for t in fig.data) == 2


def test_empty_tables_give_a_message_not_an_error():
    empty_key = pd.DataFrame(columns=["term", "log_ratio", "f_target", "f_reference", "p_fdr"])
    fig = P.plot_significant_keyness(empty_key, label_a="甲", label_b="乙")
    assert "no term is significant" in fig.layout.annotations[0].text
    assert "no comparison" in P.plot_theme_shifts(_shift().iloc[0:0]).layout.annotations[0].text


def test_every_chart_has_glyphs_in_the_cjk_font():
    key = pd.DataFrame({"term": ["人才", "基层"], "log_ratio": [2.0, -3.0], "f_target": [9, 0], "f_reference": [1, 8],
                        "p_fdr": [0.01, 0.02], "p_test": ["g2", "fisher"]})
    structure = pd.DataFrame({"document": ["a"], "preamble_share": [0.1], "body_share": [0.85],
                              "closing_share": [0.05], "han_chars": [5000], "points": [4], "announced": [5],
                              "largest_point_share": [0.3]})
    peers = pd.DataFrame({"group": ["national"] * 2, "theme": ["talent", "grassroots"], "label_zh": ["人才", "基层"],
                          "percentile": [90.0, 40.0], "group_size": [12, 12], "share": [0.02, 0.01],
                          "group_median": [0.01, 0.012]})
    coords = pd.DataFrame({"document": ["a", "b", "c"], "dim_1": [0.1, -0.2, 0.3], "dim_2": [0.0, 0.4, -0.1],
                           "kind": ["组织工作", None, "党建"], "marked": [True, False, False], "title": ["甲", "乙", "丙"]})
    figures = [P.plot_speech_themes(_themes()), P.plot_theme_shifts(_shift()), P.plot_significant_keyness(key),
               P.plot_speech_structure(structure), P.plot_peer_position(peers), P.plot_speech_map(coords)]
    for fig in figures:
        assert fig.layout.font.family.startswith("Noto Sans CJK SC")
        assert not fonts.missing_glyphs(figure_strings(fig))
    assert [t.name for t in figures[-1].data] == ["unknown", "党建", "组织工作", "marked"]


def test_plots_do_not_change_their_input():
    table = _shift()
    before = table.copy()
    P.plot_theme_shifts(table)
    pd.testing.assert_frame_equal(table, before)


def test_a_chart_without_a_shown_legend_keeps_its_top_margin():
    import plotly.graph_objects as go

    one = charts.apply_style(go.Figure(go.Bar(x=[1], y=["a"], name="x")).update_layout(title="T"))
    top = one.layout.margin.t
    assert charts.legend_under_title(one).layout.margin.t == top  # one trace: plotly shows no legend
    hidden = charts.apply_style(go.Figure([go.Bar(x=[1], name="x"), go.Bar(x=[2], name="y")]).update_layout(
        showlegend=False))
    before = hidden.layout.margin.t
    assert charts.legend_under_title(hidden).layout.margin.t == before and hidden.layout.legend.yref is None
    two = charts.apply_style(go.Figure([go.Bar(x=[1], name="x"), go.Bar(x=[2], name="y")]).update_layout(title="T"))
    assert charts.legend_under_title(two).layout.margin.t > top
