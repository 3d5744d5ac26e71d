"""Figures of a track table: rates over time in small multiples, rank change, term × period heatmap.

Every builder takes a table from :mod:`analysis.stats.track` (never changed) and returns
a styled plotly figure; :func:`analysis.output.export.export_figure` writes it with its
data. Periods without documents are gaps: a line stops and starts again, a heatmap
cell stays blank; nothing is interpolated. A period with documents and no hit is drawn
as 0.

>>> import pandas as pd
>>> t = pd.DataFrame({"year": [2001, 2002, 2005], "item": "人才", "per_10k_han": [1.0, 2.0, 4.0]})
>>> fig = plot_trends(t, period="year")
>>> list(fig.data[0].x), [None if v != v else v for v in fig.data[0].y]
([2001, 2002, 2003, 2004, 2005], [1.0, 2.0, None, None, 4.0])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.plots import charts, fonts

__all__ = ["with_gaps", "plot_trends", "plot_rank_change", "plot_trend_heatmap"]

_RATE_LABELS = {
    "per_10k_han": "每万汉字",
    "per_10k_tokens": "每万词",
    "per_10k_content_tokens": "每万实词",
}
_STEPS = {"decade": 10}


def _period(table: pd.DataFrame, period: str | None) -> str:
    name = period or table.attrs.get("period") or next((c for c in ("year", "decade", "congress") if c in table.columns), None)
    if name is None or name not in table.columns:
        raise KeyError("name the period column of the track table: period='year' (or decade, congress)")
    return name


def with_gaps(table: pd.DataFrame, *, period: str, series: list[str], value: str, step: int | None = None) -> pd.DataFrame:
    """The rows of ``table`` with a row of NaN ``value`` for every period missing inside the range.

    The range runs from the table's first to its last period (all series together) in
    steps of ``step`` (10 for decades, else 1), so every series shares one axis and a
    period without documents shows as a gap, never as an interpolated value.

    Args:
        table: A tidy table with a numeric ``period`` column.
        period: The period column (integers).
        series: Columns that identify one line (e.g. ``["item", "kind"]``).
        value: The column drawn.
        step: Distance between periods (default 10 for ``decade``, else 1).

    Returns:
        Columns ``series…, period, value`` with one row per series and period of the
        range, sorted by series (in order of first appearance) and period.

    >>> t = pd.DataFrame({"year": [2001, 2003], "item": "甲", "rate": [1.0, 3.0]})
    >>> with_gaps(t, period="year", series=["item"], value="rate")["rate"].tolist()
    [1.0, nan, 3.0]
    """
    data = table[table[period].notna()]
    values = pd.to_numeric(data[period]).astype(int)
    step = step or _STEPS.get(period, 1)
    grid = np.arange(values.min(), values.max() + step, step) if len(values) else np.array([], dtype=int)
    keys = data[series].drop_duplicates() if series else pd.DataFrame(index=[0])
    frame = keys.merge(pd.DataFrame({period: grid}), how="cross")
    present = data[[*series, period, value]].assign(**{period: values})
    out = frame.merge(present, on=[*series, period], how="left")
    return out[[*series, period, value]].reset_index(drop=True)


def plot_trends(
    table: pd.DataFrame,
    *,
    rate: str = "per_10k_han",
    period: str | None = None,
    facet: str = "item",
    color: str | None = "kind",
    columns: int = 3,
    title: str = "",
    height: int | None = None,
):
    """Small multiples: one panel per tracked item, the rate over periods, gaps for missing periods.

    Args:
        table: A :func:`analysis.stats.track.track` table (or any tidy table with the
            period, ``facet``, ``color`` and ``rate`` columns).
        rate: The rate drawn (``per_10k_han``, ``per_10k_tokens`` …).
        period: The period column (default: the one the track table recorded).
        facet: Column giving one panel per value (default ``item``).
        color: Column giving one line per value inside a panel (default ``kind``;
            ignored when absent).
        columns: Panels per row.
        title: Chart title.
        height: Height in CSS pixels (default 260 per row of panels).

    Returns:
        A styled plotly ``Figure`` with one ``Scatter`` trace (lines and markers) per
        panel and line; missing periods are None in ``y`` and the lines do not connect
        across them. Panels share the y axis, so heights compare across items.

    Raises:
        KeyError: when a column is missing.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    period = _period(table, period)
    color = color if color and color in table.columns else None
    charts.require_columns(table, [period, facet, rate, color], source="a track table from analysis.stats.track")
    series = [facet] + ([color] if color else [])
    data = with_gaps(table, period=period, series=series, value=rate)
    panels = list(dict.fromkeys(table[facet].tolist()))
    rows = max(1, -(-len(panels) // columns))
    fig = make_subplots(rows=rows, cols=min(columns, len(panels)) or 1, subplot_titles=[str(p) for p in panels],
                        shared_yaxes="all", shared_xaxes="all", horizontal_spacing=0.04, vertical_spacing=min(0.3, 0.2 / rows + 0.06))
    lines = list(dict.fromkeys(table[color].tolist())) if color else [None]
    palette = {line: charts.COLORWAY[i % len(charts.COLORWAY)] for i, line in enumerate(lines)}
    for i, panel in enumerate(panels):
        for line in lines:
            part = data[data[facet] == panel]
            if color:
                part = part[part[color] == line]
            if part.empty or part[rate].isna().all():
                continue
            y = [None if pd.isna(v) else float(v) for v in part[rate]]
            fig.add_trace(
                go.Scatter(x=part[period].tolist(), y=y, mode="lines+markers", connectgaps=False,
                           name=str(line) if color else str(panel), legendgroup=str(line),
                           showlegend=bool(color) and i == 0, line=dict(color=palette[line], width=2),
                           marker=dict(size=4),
                           hovertemplate=f"{panel}<br>{period}=%{{x}}<br>{rate}=%{{y}}<extra>{line or ''}</extra>"),
                row=i // columns + 1, col=i % columns + 1,
            )
    fig.update_layout(title=title or None)
    fig.update_xaxes(tickformat="d", showticklabels=True)
    fig.update_yaxes(rangemode="tozero")
    fig.update_yaxes(title_text=_RATE_LABELS.get(rate, rate), col=1)
    styled = charts.apply_style(fig, height=height or 260 * rows + 120)
    styled.update_annotations(font=dict(family=fonts.CSS_FAMILY, size=14))
    return styled


def plot_rank_change(table: pd.DataFrame, *, title: str = "", height: int | None = None):
    """A slope chart of ranks in two periods (from :func:`analysis.stats.track.rank_change`).

    Args:
        table: A :func:`~analysis.stats.track.rank_change` table for one series
            (``item``, ``rank_start``, ``rank_end``, ``start``, ``end``).
        title: Chart title.
        height: Height in CSS pixels (default 34 per item, at least 360).

    Returns:
        A styled plotly ``Figure``: one line per item from its rank in ``start`` to its
        rank in ``end`` (rank 1 on top), labelled at both ends; an item ranked in one
        period only is a single labelled point.

    Raises:
        KeyError: when a column is missing.
        ValueError: when the table holds several series (filter to one first).

    >>> t = pd.DataFrame({"item": ["甲", "乙"], "rank_start": [1, 2], "rank_end": [2, 1],
    ...                   "start": "2001", "end": "2002"})
    >>> [list(tr.y) for tr in plot_rank_change(t).data if tr.mode == "lines+markers"]
    [[1, 2], [2, 1]]
    """
    import plotly.graph_objects as go

    charts.require_columns(table, ["item", "rank_start", "rank_end", "start", "end"], source="analysis.stats.track.rank_change")
    if table["item"].duplicated().any():
        raise ValueError("plot_rank_change draws one series: filter the rank_change table to one kind first")
    start, end = str(table["start"].iloc[0]), str(table["end"].iloc[0])
    fig = go.Figure()
    for i, row in enumerate(table.itertuples(index=False)):
        points = [(x, int(rank)) for x, rank in ((0, row.rank_start), (1, row.rank_end)) if pd.notna(rank)]
        if not points:
            continue
        colour = charts.COLORWAY[i % len(charts.COLORWAY)]
        fig.add_trace(go.Scatter(
            x=[p[0] for p in points], y=[p[1] for p in points], mode="lines+markers",
            line=dict(color=colour, width=2), marker=dict(size=8, color=colour), name=str(row.item), showlegend=False,
            hovertemplate=f"{row.item}<br>rank %{{y}}<extra></extra>",
        ))
    # labels: items sharing a rank on one side are listed together, so tied labels never overprint
    for side, x, column, position in ((start, -0.04, "rank_start", "middle left"), (end, 1.04, "rank_end", "middle right")):
        ranked = table[table[column].notna()]
        groups = ranked.groupby(ranked[column].astype(int), sort=True)["item"].apply(lambda s: " · ".join(map(str, s)))
        if groups.empty:
            continue
        fig.add_trace(go.Scatter(
            x=[x] * len(groups), y=groups.index.tolist(), mode="text", textposition=position,
            text=[f"{names} {rank}" for rank, names in groups.items()],
            showlegend=False, hoverinfo="skip", name=f"labels {side}",
        ))
    fig.update_layout(title=title or None)
    fig.update_xaxes(tickmode="array", tickvals=[0, 1], ticktext=[start, end], range=[-1.1, 2.1], showgrid=False,
                     zeroline=False)
    fig.update_yaxes(autorange="reversed", title_text="rank (1 = most frequent)", dtick=1)
    return charts.apply_style(fig, width=820, height=height or max(360, 34 * len(table) + 140))


def plot_trend_heatmap(
    table: pd.DataFrame,
    *,
    rate: str = "per_10k_han",
    period: str | None = None,
    title: str = "",
    height: int | None = None,
):
    """A term × period heatmap of rates; periods without documents are blank columns.

    Args:
        table: A :func:`analysis.stats.track.track` table for one series (filter to one
            ``kind`` first).
        rate: The rate coloured.
        period: The period column (default: the one the track table recorded).
        title: Chart title.
        height: Height in CSS pixels (default 30 per item, at least 300).

    Returns:
        A styled plotly ``Figure`` with one ``Heatmap``: rows are the items in table
        order, columns every period of the range; periods without documents are empty
        cells on a grey background (a 0 is the palest blue).

    Raises:
        KeyError: when a column is missing.
        ValueError: when an item has two rows for one period (several series).

    >>> t = pd.DataFrame({"year": [2001, 2003], "item": "人才", "per_10k_han": [1.0, 3.0]})
    >>> fig = plot_trend_heatmap(t, period="year")
    >>> list(fig.data[0].x), [None if v != v else v for v in fig.data[0].z[0]]
    ([2001, 2002, 2003], [1.0, None, 3.0])
    """
    import plotly.graph_objects as go

    period = _period(table, period)
    charts.require_columns(table, [period, "item", rate], source="a track table from analysis.stats.track")
    if table[table[period].notna()].duplicated([period, "item"]).any():
        raise ValueError("plot_trend_heatmap draws one series: filter the track table to one kind first")
    data = with_gaps(table, period=period, series=["item"], value=rate)
    items = list(dict.fromkeys(table["item"].tolist()))
    grid = data.pivot(index="item", columns=period, values=rate).reindex(index=items)
    z = [[None if pd.isna(v) else float(v) for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(
        x=[int(c) for c in grid.columns], y=items, z=z, colorscale="Blues", hoverongaps=False,
        colorbar=dict(title=dict(text=_RATE_LABELS.get(rate, rate))),
        hovertemplate=f"%{{y}}<br>{period}=%{{x}}<br>{rate}=%{{z}}<extra></extra>",
    ))
    fig.update_layout(title=title or None)
    fig.update_xaxes(tickformat="d", title_text=period)
    fig.update_yaxes(autorange="reversed")
    styled = charts.apply_style(fig, height=height or max(300, 30 * len(items) + 160))
    styled.update_layout(plot_bgcolor="#d9d9d9")  # grey = no document that period; the palest blue = 0
    styled.update_xaxes(showgrid=False)
    styled.update_yaxes(showgrid=False)
    return styled
