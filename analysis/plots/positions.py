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

__all__ = ["plot_item_positions", "MAX_MARKS", "MAX_TICKS"]

#: Section starts drawn as labelled lines; past this many (a very long speech) they are one unlabelled trace,
#: one line per thousandth of a speech at most.
MAX_MARKS = 200
#: Past this many ticks (hits) in all, ticks closer than a thousandth of a speech are drawn once (a
#: 900-pixel chart cannot show them apart; a 64 MiB document has hundreds of thousands of hits).
MAX_TICKS = 20_000


def _per_thousandth(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per ``keys`` and thousandth of a speech: positions rounded to 0.001, repeats dropped."""
    return frame.assign(position=frame["position"].astype(float).round(3)).drop_duplicates([*keys, "position"])


def plot_item_positions(positions: pd.DataFrame, starts: pd.DataFrame, *, labels: dict | None = None, title: str = ""):
    """One row per speech, a tick wherever an item falls (0 = opening, 1 = close), the sections' starts marked.

    Args:
        positions: :func:`analysis.stats.positions.item_positions`.
        starts: :func:`analysis.stats.positions.section_starts` (a grey line and the section's number).
        labels: Item → legend name (e.g. theme key → 人才).
        title: The chart's title.

    Returns:
        A plotly Figure: one marker trace per item (vertical ticks, offset a little per item
        so items do not hide one another), shapes and annotations for the sections (past
        :data:`MAX_MARKS` starts, one unlabelled line trace instead).
    """
    import plotly.graph_objects as go

    charts.require_columns(positions, ["document", "item", "position", "path"], source="item_positions")
    if len(positions) > MAX_TICKS:  # a tick per thousandth of a speech at most: the same picture at any width
        positions = _per_thousandth(positions, ["document", "item"])
    if len(starts) > MAX_MARKS:
        starts = _per_thousandth(starts, ["document"])
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
    marks = [(float(r.position), row[str(r.document)], str(r.path)) for r in starts.itertuples()]
    line = dict(color="#999999", width=1, dash="dot")
    if len(marks) <= MAX_MARKS:  # a dotted line and the section's number at each start, set in one go
        fig.update_layout(
            shapes=[dict(type="line", x0=x, x1=x, y0=y - 0.4, y1=y + 0.4, line=line) for x, y, _ in marks],
            annotations=[dict(x=x, y=y + 0.42, text=charts.part_label(path), showarrow=False, xanchor="left",
                              font=dict(size=11, color="#666666")) for x, y, path in marks])
    else:  # thousands of sections: the lines as one trace, unlabelled (numbers would overprint)
        xs = [v for x, _, _ in marks for v in (x, x, None)]
        ys = [v for _, y, _ in marks for v in (y - 0.4, y + 0.4, None)]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=line, hoverinfo="skip", showlegend=False,
                                 name="section starts"))
    fig = charts.apply_style(fig, height=max(300, 140 + 90 * len(documents)))
    fig.update_xaxes(range=[0, 1], title="position in the speech (0 = opening, 1 = close)")
    fig.update_yaxes(tickvals=list(range(len(documents))), ticktext=documents, autorange="reversed", showgrid=False)
    fig.update_layout(title=title)
    return fig
