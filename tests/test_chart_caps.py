"""Heatmaps drawn from tables of any length draw at most MAX_CATEGORIES sections or groups along an
axis (the first ones) and say so in their title: a speech at the size cap has tens of thousands of
sections, and its code-residual chart alone was 24 MB of HTML in the report."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.plots import charts
from analysis.plots.coding import plot_code_residuals
from analysis.plots.relay import plot_relay_shares


def _cells(groups: int) -> pd.DataFrame:
    return pd.DataFrame([{"code": code, "group": f"第{g}部分", "observed": g % 7, "residual": (g % 9) - 4.0,
                          "small_expected": g % 2 == 0} for g in range(groups) for code in ("talent", "grassroots")])


def test_code_residuals_draw_the_first_groups_and_say_how_many_there_are():
    fig = plot_code_residuals(_cells(250), title="Codes by section")
    heat = fig.data[0]
    assert len(heat.x) == charts.MAX_CATEGORIES == 100
    assert list(heat.x)[:2] == ["第0部分", "第1部分"] and list(heat.x)[-1] == "第99部分"
    assert fig.layout.title.text == "Codes by section (the first 100 of 250 groups)"
    # the cells drawn are those of the table: 第3部分 × grassroots is row 1, column 3
    assert heat.z[1][3] == pytest.approx(-1.0) and heat.text[1][3] == "3<br>−1.0"


def test_a_short_table_is_drawn_whole_with_its_title():
    fig = plot_code_residuals(_cells(100), title="Codes by section")
    assert len(fig.data[0].x) == 100 and fig.layout.title.text == "Codes by section"


def test_relay_shares_draw_the_first_sections():
    table = pd.DataFrame([{"section": f"s{i}", "source_level": level, "share_relayed": 0.01 * (i % 50)}
                          for i in range(300) for level in ("national", "all")])
    fig = plot_relay_shares(table, title="Relay")
    assert list(fig.data[0].y) == [f"s{i}" for i in range(100)]
    assert fig.layout.title.text == "Relay (the first 100 of 300 sections)"
    assert len(table) == 600  # not changed


def test_first_categories_refuses_a_limit_below_one():
    with pytest.raises(ValueError, match="at least 1"):
        charts.first_categories(pd.DataFrame({"a": [1]}), "a", limit=0)
