"""Tests for analysis.plots.charts: style, builders keep table order, never mutate, figure_strings."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.output.figures import figure_strings
from analysis.plots import fonts
from analysis.plots import charts as plots


@pytest.fixture
def terms():
    return pd.DataFrame(
        {
            "term": ["干部", "组织", "基层", "党建", "人才"],
            "count": [30, 22, 15, 9, 4],
            "group": ["甲", "甲", "乙", "乙", "乙"],
        }
    )


def test_apply_style_returns_a_styled_copy():
    raw = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]))
    before = raw.to_json()
    styled = plots.apply_style(raw, width=700, height=400)
    assert styled is not raw
    assert raw.to_json() == before
    assert styled.layout.font.family == fonts.CSS_FAMILY
    assert styled.layout.font.family.startswith("Noto Sans CJK SC")
    assert styled.layout.hoverlabel.font.family == fonts.CSS_FAMILY
    assert (styled.layout.width, styled.layout.height) == (700, 400)
    assert styled.layout.template.layout.paper_bgcolor == "white"


def test_builders_do_not_mutate_input(terms):
    snapshot = terms.copy()
    plots.bar_chart(terms, x="count", y="term", color="group")
    plots.line_chart(terms, x="term", y="count")
    plots.scatter_chart(terms, x="count", y="count", text="term")
    plots.word_cloud(terms, width=120, height=80, scale=1)
    pd.testing.assert_frame_equal(terms, snapshot)


def test_bar_chart_keeps_table_order_top_first(terms):
    fig = plots.bar_chart(terms, x="count", y="term", title="高频词", labels={"count": "次数"})
    assert fig.data[0].orientation == "h"
    # plotly lists horizontal categories bottom-up: the table's first row is drawn on top
    assert fig.layout.yaxis.categoryarray == tuple(terms["term"])[::-1]
    assert fig.layout.yaxis.autorange != "reversed"
    assert fig.layout.title.text == "高频词"
    assert fig.layout.xaxis.title.text == "次数"


def test_bar_chart_with_colour_groups(terms):
    fig = plots.bar_chart(terms, x="term", y="count", color="group")
    assert [t.name for t in fig.data] == ["甲", "乙"]
    assert fig.data[0].orientation == "v"


def test_missing_column_is_named(terms):
    with pytest.raises(KeyError, match="nope"):
        plots.bar_chart(terms, x="nope", y="term")


def test_heatmap_pivots_in_order_and_leaves_gaps_empty():
    t = pd.DataFrame({"doc": ["乙", "乙", "甲"], "theme": ["干部", "党建", "干部"], "share": [0.5, 0.25, 1.0]})
    fig = plots.heatmap(t, x="theme", y="doc", z="share")
    assert list(fig.data[0].x) == ["干部", "党建"]
    assert list(fig.data[0].y) == ["乙", "甲"]
    z = fig.data[0].z
    assert z[0][0] == 0.5 and z[1][0] == 1.0 and pd.isna(z[1][1])
    with pytest.raises(ValueError, match="aggregate"):
        plots.heatmap(pd.concat([t, t]), x="theme", y="doc", z="share")


def test_word_cloud_keeps_one_character_words_and_is_seeded(terms):
    t = pd.concat([terms, pd.DataFrame({"term": ["党", "干部"], "count": [12, 5], "group": ["乙", "乙"]})])
    a = plots.word_cloud(t, width=200, height=120, scale=1)
    b = plots.word_cloud(t, width=200, height=120, scale=1)
    assert "党" in a.words_  # one-character word kept (no regex re-splitting)
    assert a.collocations is False
    assert a.layout_ == b.layout_
    assert a.words_["干部"] == 1.0  # repeated terms summed: 35 is the top weight
    assert figure_strings(a)[0] == "干部"  # a word cloud's strings come from its figure kind
    assert a.font_path == str(fonts.cjk_font_file())


def test_word_cloud_needs_a_positive_weight():
    with pytest.raises(ValueError, match="positive"):
        plots.word_cloud(pd.DataFrame({"term": ["党"], "count": [0]}))


def test_figure_strings_covers_labels_ticks_hover_and_annotations():
    fig = go.Figure(
        go.Scatter(x=[1, 2], y=[3, 4], text=["甲文", "乙文"], hovertext=["悬停"], name="序列名",
                   customdata=[["附注"], ["附注"]])
    )
    fig.update_layout(
        title="标题", xaxis=dict(title="横轴", tickvals=[1, 2], ticktext=["一", "二"]),
        legend_title_text="图例", annotations=[dict(text="注释", x=1, y=3)],
    )
    found = set(plots.figure_strings(fig))
    assert {"甲文", "乙文", "悬停", "序列名", "附注", "标题", "横轴", "一", "二", "图例", "注释"} <= found


def test_figure_strings_rejects_other_objects():
    with pytest.raises(TypeError):
        plots.figure_strings(42)


def test_line_chart_puts_integer_years_on_whole_ticks():
    t = pd.DataFrame({"year": [2018, 2019, 2020], "rate": [1.0, 1.5, 1.2]})
    fig = plots.line_chart(t, x="year", y="rate")
    assert fig.layout.xaxis.tickvals == (2018, 2019, 2020)
    assert fig.layout.xaxis.tickformat == "d"
