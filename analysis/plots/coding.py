"""Figures of coding rules: a heatmap of the adjusted residuals of :func:`analysis.stats.coding.code_crosstab`.

>>> import pandas as pd
>>> cells = pd.DataFrame({"code": ["c", "c"], "group": ["一", "二"], "observed": [5, 1], "residual": [2.1, -2.1],
...                       "small_expected": [False, True]})
>>> fig = plot_code_residuals(cells)
>>> [list(r) for r in fig.data[0].z], list(fig.data[0].text[0])
([[2.1, -2.1]], ['5<br>+2.1', '1<br>−2.1*'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.plots import charts

__all__ = ["plot_code_residuals"]


def _cell_text(row) -> str:
    residual = "—" if pd.isna(row["residual"]) else f"{row['residual']:+.1f}".replace("-", "−")
    return f"{int(row['observed'])}<br>{residual}" + ("*" if row["small_expected"] else "")


def plot_code_residuals(cells: pd.DataFrame, *, labels: dict | None = None, title: str = ""):
    """Codes × groups coloured by the adjusted standardized residual (blue below, red above independence).

    Each cell shows the coded units and the residual; ``*`` marks a cell whose expected
    count is below 5. The colour scale is symmetric around 0 and saturates at ±4.

    Args:
        cells: The ``cells`` table of :func:`analysis.stats.coding.code_crosstab`, rows
            and columns in the order given; at most :data:`analysis.plots.charts.MAX_CATEGORIES`
            groups are drawn (the first ones; the title says how many there are).
        labels: Code → label shown on the axis (e.g. the codes file's ``label_zh``).
        title: The chart's title.

    Returns:
        A plotly Figure with one heatmap trace.
    """
    import plotly.graph_objects as go

    charts.require_columns(cells, ["code", "group", "observed", "residual", "small_expected"], source="code_crosstab")
    codes = list(dict.fromkeys(cells["code"]))
    cells, note = charts.first_categories(cells, "group", noun="groups")
    title = charts.noted(title, note)
    groups = list(dict.fromkeys(cells["group"]))
    grid = cells.set_index(["code", "group"])
    z = np.array([[grid.loc[(c, g), "residual"] if (c, g) in grid.index else np.nan for g in groups] for c in codes])
    text = [[_cell_text(grid.loc[(c, g)]) if (c, g) in grid.index else "" for g in groups] for c in codes]
    names = [charts.part_label(str(g)) for g in groups]
    fig = go.Figure(go.Heatmap(z=z.tolist(), x=names, y=[(labels or {}).get(c, c) for c in codes], text=text,
                               texttemplate="%{text}", colorscale="RdBu", reversescale=True, zmid=0, zmin=-4, zmax=4,
                               colorbar=dict(title="adjusted<br>residual"),
                               hovertemplate="%{y} × %{x}: residual %{z:.2f}<extra></extra>"))
    fig = charts.apply_style(fig, height=max(320, 60 + 44 * len(codes)))
    fig.update_layout(title=title)
    fig.update_yaxes(autorange="reversed")
    return fig
