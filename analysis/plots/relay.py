"""Figures of relay tables (:mod:`analysis.stats.relay`): section × source level, and a timeline of formulas.

>>> import pandas as pd
>>> t = pd.DataFrame({"section": ["一", "一", "二", "二"], "source_level": ["all", "national"] * 2,
...                   "share_relayed": [0.2, 0.2, 0.0, 0.0]})
>>> fig = plot_relay_shares(t)
>>> list(fig.data[0].x), list(fig.data[0].y)
(['all', 'national'], ['一', '二'])
"""

from __future__ import annotations

import pandas as pd

from analysis.plots import charts

__all__ = ["plot_relay_shares", "plot_formula_timeline"]


def plot_relay_shares(table: pd.DataFrame, *, value: str = "share_relayed", title: str = ""):
    """Heatmap of a relay table: one row per section, one column per source level.

    Args:
        table: :func:`analysis.stats.relay.relay_shares` (``share_relayed``) or
            :func:`analysis.stats.relay.formula_shares` (``terms``), not changed; at most
            :data:`analysis.plots.charts.MAX_CATEGORIES` sections are drawn (the first ones;
            the title says how many there are).
        value: The column drawn.
        title: Chart title.

    Returns:
        A styled plotly figure.
    """
    fmt = ".0%" if value.startswith("share") else "d"
    table, note = charts.first_categories(table, "section", noun="sections")
    fig = charts.heatmap(table, x="source_level", y="section", z=value, title=charts.noted(title, note),
                         labels={"source_level": "来源层级", "section": "部分", value: value.replace("_", " ")},
                         text_format=fmt)
    if fmt.endswith("%"):
        fig.update_coloraxes(colorbar_tickformat=fmt)
        fig.update_traces(colorbar_tickformat=fmt, selector=dict(type="heatmap"))
    return fig


def plot_formula_timeline(table: pd.DataFrame, *, title: str = ""):
    """Timeline of the formulas a speech takes up: each formula at the date of its earliest source.

    Args:
        table: :func:`analysis.stats.relay.formula_relay`; only rows with ``term_type``
            ``formula`` are drawn, one point per formula (its first row).
        title: Chart title.

    Returns:
        A styled plotly figure (x: the earliest source's date, y: the formula, colour: its level).

    >>> t = pd.DataFrame({"term": ["两个确立"], "term_type": ["formula"], "source_date": ["2021-11-11"],
    ...                   "source_level": ["national"], "source": ["c"], "lag_days": [416]})
    >>> plot_formula_timeline(t).data[0].y.tolist()
    ['两个确立']
    """
    points = table[table["term_type"] == "formula"].drop_duplicates("term")
    points = points.assign(source_date=pd.to_datetime(points["source_date"])).sort_values(
        ["source_date", "term"], kind="stable")
    return charts.scatter_chart(points, x="source_date", y="term", color="source_level", title=title,
                                labels={"source_date": "最早来源日期", "term": "提法", "source_level": "来源层级"},
                                hover=["source", "lag_days"], height=max(360, 18 * len(points) + 120))
