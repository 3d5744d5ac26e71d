"""The two-speech term scatter of :func:`analysis.stats.scatter.term_scatter`.

>>> import pandas as pd
>>> t = pd.DataFrame({"term": ["人才", "基层"], "f_a": [5, 1], "f_b": [1, 4], "rank_a": [1, 2], "rank_b": [2, 1],
...                   "log_ratio": [2.0, -2.0], "significant": [True, False]})
>>> fig = plot_term_scatter(t, label_a="A", label_b="B")
>>> list(fig.data[0].customdata[0]), [a.text for a in fig.layout.annotations]
(['人才', 5, 1, 2.0], ['人才', '基层'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.plots import charts

__all__ = ["plot_term_scatter", "label_positions"]


def label_positions(x: np.ndarray, y: np.ndarray, *, order: np.ndarray, limit: int = 30,
                    min_distance: float = 0.08) -> list[int]:
    """Pick up to ``limit`` points to label, in ``order``, skipping any too close to one already labelled.

    Distances are measured on log10 ranks (the plot's axes), so labels do not overlap.

    >>> label_positions(np.array([1, 1, 100]), np.array([1, 1, 100]), order=np.array([0, 1, 2]))
    [0, 2]
    """
    lx, ly = np.log10(x.astype(float)), np.log10(y.astype(float))
    chosen: list[int] = []
    for i in order:
        if len(chosen) >= limit:
            break
        if all(abs(lx[i] - lx[j]) > min_distance * 2 or abs(ly[i] - ly[j]) > min_distance for j in chosen):
            chosen.append(int(i))
    return chosen


def rank_ticks(largest: int) -> list[int]:
    """Tick values for a log rank axis: 1, 2, 5, 10, 20, 50 … up to the first one at or above ``largest``.

    >>> rank_ticks(37)
    [1, 2, 5, 10, 20, 50]
    >>> rank_ticks(1)
    [1]
    """
    ticks, step = [1], 0
    while ticks[-1] < largest:
        step += 1
        ticks.append((1, 2, 5)[step % 3] * 10 ** (step // 3))
    return ticks


def plot_term_scatter(table: pd.DataFrame, *, label_a: str, label_b: str, labels: int = 30, title: str = ""):
    """Terms placed by their frequency rank in A (x) and B (y), log scales, coloured by Log Ratio.

    The most frequent terms sit bottom-left; terms above the diagonal rank higher in A.
    Labels go to the significant terms with the largest |Log Ratio| first, then the most
    frequent, skipping any that would overlap one already placed.

    Args:
        table: :func:`analysis.stats.scatter.term_scatter`.
        label_a, label_b: Names of the two sides.
        labels: The most terms labelled.
        title: The chart's title.

    Returns:
        A plotly Figure: one marker trace (hover: term, tokens in A and B, Log Ratio) and
        the labels as annotations.
    """
    import plotly.graph_objects as go

    charts.require_columns(table, ["term", "f_a", "f_b", "rank_a", "rank_b", "log_ratio", "significant"],
                           source="term_scatter")
    x, y = table["rank_a"].to_numpy(), table["rank_b"].to_numpy()
    lr = table["log_ratio"].astype(float).to_numpy()
    bound = float(np.nanmax(np.abs(lr))) if len(lr) else 1.0
    fig = go.Figure(go.Scatter(
        x=x, y=y, mode="markers",
        marker=dict(color=lr, colorscale="RdBu", reversescale=False, cmid=0, cmin=-bound, cmax=bound, size=7,
                    line=dict(width=0.5, color="#555555"), colorbar=dict(title="Log Ratio<br>A / B")),
        customdata=np.column_stack([table["term"], table["f_a"], table["f_b"], np.round(lr, 2)]).tolist(),
        hovertemplate=f"%{{customdata[0]}}<br>{label_a}: %{{customdata[1]}} · {label_b}: %{{customdata[2]}}"
                      "<br>Log Ratio %{customdata[3]}<extra></extra>"))
    key = table["significant"].to_numpy(dtype=bool)
    order = np.lexsort((x + y, -np.abs(np.nan_to_num(lr)) * key, ~key))
    for i in label_positions(x, y, order=order, limit=labels):
        fig.add_annotation(x=np.log10(x[i]), y=np.log10(y[i]), text=str(table["term"].iloc[i]), showarrow=False,
                           yshift=10, font=dict(size=12))
    fig = charts.apply_style(fig, height=640)
    ticks = rank_ticks(max(int(np.nanmax(x)) if len(x) else 1, int(np.nanmax(y)) if len(y) else 1))
    span = [-0.05, float(np.log10(ticks[-1])) + 0.05]
    axis = dict(type="log", tickvals=ticks, ticktext=[str(t) for t in ticks], minor=dict(showgrid=False, ticks=""),
                range=span)
    fig.update_xaxes(title=f"A: rank in {label_a} (1 = most frequent)", **axis)
    fig.update_yaxes(title=f"B: rank in {label_b} (1 = most frequent)", **axis)
    fig.update_layout(title=title)
    return fig
