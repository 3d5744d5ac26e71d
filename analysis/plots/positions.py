"""The dispersion plot of :func:`analysis.stats.positions.item_positions`, sections marked.

>>> import pandas as pd
>>> pos = pd.DataFrame({"document": ["d", "d"], "item": ["人才", "基层"], "item_type": "term", "sentence": [0, 3],
...                     "path": ["一", "二"], "position": [0.1, 0.7]})
>>> starts = pd.DataFrame({"document": ["d", "d"], "path": ["一", "二"], "position": [0.0, 0.5]})
>>> fig = plot_item_positions(pos, starts)
>>> [t.name for t in fig.data], len(fig.layout.shapes)
(['人才', '基层'], 2)
"""

from __future__ import annotations

import pandas as pd

from analysis.plots import charts

__all__ = ["plot_item_positions"]


def plot_item_positions(positions: pd.DataFrame, starts: pd.DataFrame, *, labels: dict | None = None, title: str = ""):
    """One row per speech, a tick wherever an item falls (0 = opening, 1 = close), the sections' starts marked.

    Args:
        positions: :func:`analysis.stats.positions.item_positions`.
        starts: :func:`analysis.stats.positions.section_starts` (a grey line and the section's number).
        labels: Item → legend name (e.g. theme key → 人才).
        title: The chart's title.

    Returns:
        A plotly Figure: one marker trace per item (vertical ticks, offset a little per item
        so items do not hide one another), shapes and annotations for the sections.
    """
    import plotly.graph_objects as go

    charts.require_columns(positions, ["document", "item", "position", "path"], source="item_positions")
    documents = list(dict.fromkeys([*starts["document"].astype(str), *positions["document"].astype(str)]))
    row = {d: i for i, d in enumerate(documents)}
    items = list(dict.fromkeys(positions["item"]))
    colours = charts.theme_colours(items)
    fig = go.Figure()
    for k, item in enumerate(items):
        part = positions[positions["item"] == item]
        offset = (k - (len(items) - 1) / 2) * (0.5 / max(len(items), 1))
        fig.add_trace(go.Scatter(
            x=part["position"], y=[row[str(d)] + offset for d in part["document"]], mode="markers",
            name=(labels or {}).get(item, item), marker=dict(symbol="line-ns-open", size=14, color=colours[item],
                                                             line=dict(width=2, color=colours[item])),
            customdata=part[["document", "path"]].astype(str).to_numpy().tolist(),
            hovertemplate=f"{(labels or {}).get(item, item)}: %{{customdata[0]}} §%{{customdata[1]}}"
                          "<extra></extra>"))
    for r in starts.itertuples():
        y = row[str(r.document)]
        fig.add_shape(type="line", x0=r.position, x1=r.position, y0=y - 0.4, y1=y + 0.4,
                      line=dict(color="#999999", width=1, dash="dot"))
        fig.add_annotation(x=r.position, y=y + 0.42, text=charts.part_label(str(r.path)), showarrow=False,
                           xanchor="left", font=dict(size=11, color="#666666"))
    fig = charts.apply_style(fig, height=max(300, 140 + 90 * len(documents)))
    fig.update_xaxes(range=[0, 1], title="position in the speech (0 = opening, 1 = close)")
    fig.update_yaxes(tickvals=list(range(len(documents))), ticktext=documents, autorange="reversed", showgrid=False)
    fig.update_layout(title=title)
    return fig
