"""Figures of emphasis, each named after the table it draws.

:func:`plot_theme_coverage` (a heatmap of :func:`~analysis.stats.themes.theme_coverage`),
:func:`plot_talent_grassroots_index`, :func:`plot_emphasis_shift` (a dumbbell of
:func:`~analysis.stats.themes.emphasis_shift`), :func:`plot_keyness` (signed bars of
:func:`~analysis.stats.keyness.compare_terms`) and :func:`plot_word_shift`.

Each builder takes the table of the analysis it draws (never changed), draws exactly
the rows it is given in their order, and returns a plotly figure styled by
:func:`analysis.plots.charts.apply_style`; none shows or writes anything
(:func:`analysis.output.export.export_figure` writes). Select and sort rows before calling,
and show the same rows as the table before the chart.

>>> import pandas as pd
>>> cov = pd.DataFrame({"path": ["一", "一", "二", "二"], "theme": ["talent", "grassroots"] * 2,
...                     "label_zh": ["人才", "基层"] * 2, "share_han": [0.10, 0.0, 0.01, 0.08]})
>>> fig = plot_theme_coverage(cov, share="han")
>>> list(fig.data[0].y), list(fig.data[0].x)
(['一', '二'], ['人才', '基层'])
>>> fig.data[0].z.tolist()
[[10.0, 0.0], [1.0, 8.0]]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.plots import charts
from analysis.types import SHARES, check_choice

__all__ = ["plot_theme_coverage", "plot_talent_grassroots_index", "plot_emphasis_shift", "plot_keyness",
           "plot_word_shift", "SHARE_NAMES"]

#: Axis titles for the three theme shares (``share=``) of :func:`analysis.stats.themes.theme_coverage`.
SHARE_NAMES = {
    "tokens": "share of word tokens (%)",
    "han": "share of Han characters (%)",
    "sentences": "share of sentences mentioning the theme (%)",
}


_SOURCE = "the table of the matching analysis function (see the builder's docstring)"


def _part(path: str) -> str:
    return charts.part_label(path)


def _order(values) -> list:
    return list(dict.fromkeys(values))


def _padded_range(values: np.ndarray, pad: float = 0.18) -> list[float]:
    """An x range that includes 0 and leaves room for the labels printed outside the bars."""
    finite = values[np.isfinite(values)]
    lo, hi = (min(0.0, float(finite.min())), max(0.0, float(finite.max()))) if finite.size else (0.0, 1.0)
    span = (hi - lo) or 1.0
    return [lo - pad * span if lo < 0 else lo, hi + pad * span if hi > 0 else hi]


def _row_keys(coverage: pd.DataFrame, rows: str) -> list[str]:
    """The columns that identify a heatmap row: ``document`` too when several documents share a path."""
    several = "document" in coverage.columns and rows != "document" and coverage["document"].nunique() > 1
    return ["document", rows] if several else [rows]


def _row_label(key: tuple, keys: list[str]) -> str:
    if len(keys) == 2:
        return f"{key[0]} · {_part(str(key[1]))}"
    return _part(str(key[0]))


def plot_theme_coverage(coverage: pd.DataFrame, *, share: str = "tokens", rows: str = "path", title: str = "",
                        height: int | None = None):
    """Heatmap of a theme-coverage table: one row per section (or document), one column per theme, in %.

    Rows are keyed by ``document`` and ``rows`` together when the table holds several
    documents, so two speeches that both have a section 一 keep a row each (labelled
    ``document · 一``).

    Args:
        coverage: Rows of :func:`analysis.stats.themes.theme_coverage` (columns ``rows``,
            ``theme``, ``share_<share>``; ``document`` when several; ``label_zh`` names
            the columns when present).
        share: ``tokens``, ``han`` or ``sentences``: the column ``share_<share>`` drawn.
        rows: Column that labels the rows (``path`` by section, ``document`` by document).
        title: Chart title.
        height: Height in CSS pixels (default: grows with the rows).

    Returns:
        A styled plotly ``Figure`` with one ``Heatmap`` trace (values in percent, printed
        in the cells).

    Raises:
        ValueError: for an unknown ``share``, or when a row and theme appear twice.
    """
    import plotly.graph_objects as go

    check_choice("share", share, SHARES, caller="plot_theme_coverage")
    column = f"share_{share}"
    keys = _row_keys(coverage, rows)
    charts.require_columns(coverage, [*keys, "theme", column], source=_SOURCE)
    if coverage.duplicated([*keys, "theme"]).any():
        raise ValueError(f"plot_theme_coverage: rows repeat for the same {' and '.join(keys)} and theme; "
                         "draw one coverage table (one document per row key)")
    label = "label_zh" if "label_zh" in coverage.columns else "theme"
    row_keys = list(dict.fromkeys(coverage[keys].itertuples(index=False, name=None)))
    col_keys = _order(coverage["theme"])
    names = dict(zip(coverage["theme"], coverage[label]))
    grid = coverage.set_index([*keys, "theme"])[column].unstack("theme")
    if len(keys) == 1:
        grid.index = [(k,) for k in grid.index]
    z = grid.reindex(index=row_keys, columns=col_keys).to_numpy(dtype=float) * 100
    text = [[("" if np.isnan(v) else f"{v:.1f}") for v in r] for r in z]
    # column labels of four or more characters take two lines, so neighbouring headers never run together
    fig = go.Figure(go.Heatmap(
        z=z, x=[charts.wrap_label(names[c]) for c in col_keys], y=[_row_label(r, keys) for r in row_keys], text=text,
        texttemplate="%{text}",
        colorscale="Blues", zmin=0, colorbar=dict(title=dict(text="%")),
        hovertemplate="%{y} · %{x}: %{z:.2f}%<extra></extra>", xgap=1, ygap=1,
    ))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", type="category", tickangle=0)
    fig.update_layout(title=title or None, xaxis_title=None, yaxis_title=None)
    fig = charts.apply_style(fig, height=height or max(320, 150 + 30 * len(row_keys)))
    fig.update_layout(margin=dict(t=120))
    fig.update_layout(annotations=[dict(text=SHARE_NAMES[share], xref="paper", yref="paper",
                                        x=0, y=-0.02, yanchor="top", showarrow=False, font=dict(size=12))])
    return fig


def plot_talent_grassroots_index(index: pd.DataFrame, *, rows: str = "path", title: str = "",
                                 height: int | None = None, numerator: str = "talent", denominator: str = "grassroots",
                                 labels: Mapping[str, str] | None = None):
    """Paired bars of the talent and grassroots shares per section, with ln(s_talent/s_grassroots) on hover.

    Args:
        index: Rows of :func:`analysis.stats.themes.talent_grassroots_index` (columns ``rows``,
            ``share_of``, ``share_<numerator>``, ``share_<denominator>``, ``index``, ``flag``).
        rows: Column that labels the bars (``path`` or ``document``).
        title: Chart title.
        height: Height in CSS pixels (default: grows with the rows).
        numerator: Theme of the first bar.
        denominator: Theme of the second bar.
        labels: Legend names by theme (default 人才 and 基层).

    Returns:
        A styled plotly ``Figure`` with two horizontal ``Bar`` traces (first row on top).

    Example:
        >>> t = pd.DataFrame({"path": ["三", "四"], "share_of": "tokens", "share_talent": [0.13, 0.003],
        ...                   "share_grassroots": [0.0, 0.04], "index": [np.nan, -2.6], "flag": ["no grassroots hits", ""]})
        >>> [trace.name for trace in plot_talent_grassroots_index(t).data]
        ['人才', '基层']
    """
    import plotly.graph_objects as go


    a, b = f"share_{numerator}", f"share_{denominator}"
    charts.require_columns(index, [rows, a, b, "index"], source=_SOURCE)
    names = {"talent": "人才", "grassroots": "基层", **dict(labels or {})}
    y = [_part(str(r)) for r in index[rows]]
    hover = [("ln = n/a (" + f + ")") if not np.isfinite(v) else f"ln(s_{numerator}/s_{denominator}) = {v:+.2f}"
             for v, f in zip(index["index"].to_numpy(dtype=float),
                             index["flag"] if "flag" in index.columns else [""] * len(index))]
    fig = go.Figure()
    for column, theme, colour in ((a, numerator, charts.COLORWAY[0]), (b, denominator, charts.COLORWAY[1])):
        values = index[column].to_numpy(dtype=float) * 100
        fig.add_trace(go.Bar(
            x=values, y=y, orientation="h", name=names.get(theme, theme), marker_color=colour,
            text=[f"{v:.1f}" for v in values], textposition="outside", customdata=hover,
            hovertemplate="%{y}: %{x:.2f}%<br>%{customdata}<extra>" + names.get(theme, theme) + "</extra>",
        ))
    share = str(index["share_of"].iloc[0]) if "share_of" in index.columns and len(index) else "tokens"
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(range=_padded_range(index[[a, b]].to_numpy(dtype=float).ravel() * 100, pad=0.08))
    fig.update_layout(barmode="group", title=title or None, xaxis_title=SHARE_NAMES.get(share, share))
    return charts.legend_under_title(charts.apply_style(fig, height=height or max(320, 120 + 44 * len(y))))


def plot_emphasis_shift(shift: pd.DataFrame, *, label_a: str = "A", label_b: str = "B", title: str = "",
                        height: int | None = None):
    """Dumbbell of each theme's share in A and B, beside Δ = B − A with its bootstrap interval.

    Args:
        shift: Rows of :func:`analysis.stats.themes.emphasis_shift` (columns ``theme``,
            ``share_a``, ``share_b``, ``delta``, ``ci_low``, ``ci_high``, ``share_of``;
            ``label_zh`` names the rows when present).
        label_a: Legend name of A (e.g. "三 人才").
        label_b: Legend name of B.
        title: Chart title.
        height: Height in CSS pixels (default: grows with the rows).

    Returns:
        A styled plotly ``Figure`` with two panels sharing the theme axis: left, shares in
        A and B joined by a line; right, Δ (percentage points) with its interval.

    Example:
        >>> s = pd.DataFrame({"theme": ["talent"], "label_zh": ["人才"], "share_of": ["tokens"],
        ...                   "share_a": [0.13], "share_b": [0.003], "diff": [-0.127],
        ...                   "ci_low": [-0.16], "ci_high": [-0.10], "n_resamples": [2000]})
        >>> [trace.name for trace in plot_emphasis_shift(s, label_a="三", label_b="四").data]
        ['', '三', '四', 'Δ (B − A)']
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots


    charts.require_columns(shift, ["theme", "share_a", "share_b", "diff", "ci_low", "ci_high"], source=_SOURCE)
    y = (shift["label_zh"] if "label_zh" in shift.columns else shift["theme"]).astype(str).tolist()
    a = shift["share_a"].to_numpy(dtype=float) * 100
    b = shift["share_b"].to_numpy(dtype=float) * 100
    d = shift["diff"].to_numpy(dtype=float) * 100
    lo = shift["ci_low"].to_numpy(dtype=float) * 100
    hi = shift["ci_high"].to_numpy(dtype=float) * 100
    share = str(shift["share_of"].iloc[0]) if "share_of" in shift.columns and len(shift) else "tokens"
    n = int(shift["n_resamples"].iloc[0]) if "n_resamples" in shift.columns and len(shift) else None
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.55, 0.45], horizontal_spacing=0.04,
                        subplot_titles=(SHARE_NAMES.get(share, share),
                                        "Δ (B − A), percentage points" + (f", 95% bootstrap CI ({n:,} resamples)" if n else "")))
    xs, ys = [], []
    for va, vb, label in zip(a, b, y):
        xs += [va, vb, None]
        ys += [label, label, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#BBBBBB", width=3), showlegend=False,
                             hoverinfo="skip", name=""), row=1, col=1)
    fig.add_trace(go.Scatter(x=a, y=y, mode="markers", name=label_a, marker=dict(size=11, color=charts.COLORWAY[0]),
                             hovertemplate="%{y}: %{x:.2f}%<extra>" + label_a + "</extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=b, y=y, mode="markers", name=label_b, marker=dict(size=11, color=charts.COLORWAY[1]),
                             hovertemplate="%{y}: %{x:.2f}%<extra>" + label_b + "</extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(
        x=d, y=y, mode="markers", name="Δ (B − A)", marker=dict(size=9, color="#333333", symbol="diamond"),
        error_x=dict(type="data", symmetric=False, array=hi - d, arrayminus=d - lo, color="#333333", thickness=1.5),
        customdata=np.stack([lo, hi], axis=-1) if len(d) else None,
        hovertemplate="%{y}: %{x:+.2f} pp [%{customdata[0]:+.2f}, %{customdata[1]:+.2f}]<extra></extra>",
    ), row=1, col=2)
    fig.add_vline(x=0, line=dict(color="#888888", dash="dot"), row=1, col=2)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(title=title or None)
    fig = charts.apply_style(fig, height=height or max(360, 140 + 36 * len(y)))
    fig.update_annotations(font=dict(size=13))
    return charts.legend_under_title(fig, gap=35)  # room for the subplot titles


def plot_keyness(table: pd.DataFrame, *, statistic: str = "g2", label_a: str = "A", label_b: str = "B",
                 title: str = "", height: int | None = None):
    """Signed keyness bars: terms key to A to the right, terms key to B to the left.

    Args:
        table: Rows to draw, e.g. :func:`analysis.stats.keyness.top_keyness` of a
            :func:`analysis.stats.keyness.compare_terms` table (columns ``term``, ``statistic``,
            ``f_target``, ``f_reference``; ``p_fdr`` on hover when present; rows whose
            ``significant`` is false are drawn pale and say so).
        statistic: Statistic column drawn (``g2``, ``log_ratio``, ``fightin_z`` …).
        label_a: Name of the target (A).
        label_b: Name of the reference (B).
        title: Chart title.
        height: Height in CSS pixels (default: grows with the rows).

    Returns:
        A styled plotly ``Figure``, one horizontal bar per row (first row on top), coloured
        by side, counts A/B printed beside each bar.

    Example:
        >>> k = pd.DataFrame({"term": ["人才", "基层"], "g2": [40.0, -25.0], "f_target": [54, 0],
        ...                   "f_reference": [2, 20], "p_fdr": [1e-9, 1e-5]})
        >>> plot_keyness(k).data[0].x.tolist()
        [40.0, -25.0]
    """
    import plotly.graph_objects as go


    charts.require_columns(table, ["term", statistic, "f_target", "f_reference"], source=_SOURCE)
    values = table[statistic].to_numpy(dtype=float)
    colours = [charts.COLORWAY[0] if v > 0 else charts.COLORWAY[1] for v in values]
    # Pale: not significant by the table's own rule (analysis.results.is_significant); untested terms say so.
    sig = table["significant"].astype(bool).to_numpy() if "significant" in table.columns else np.ones(len(table), bool)
    tested = table["tested"].astype(bool).to_numpy() if "tested" in table.columns else np.ones(len(table), bool)
    low = ~sig
    opacity = [0.4 if flag else 1.0 for flag in low]
    text = [f"{int(fa)} / {int(fb)}" for fa, fb in zip(table["f_target"], table["f_reference"])]
    p = table["p_fdr"].to_numpy(dtype=float) if "p_fdr" in table.columns else np.full(len(table), np.nan)
    hover = [f"{label_a} {int(fa)} tokens · {label_b} {int(fb)} tokens · "
             + (f"FDR p {q:.2g}" if t and not np.isnan(q) else "too few tokens to test")
             + ("" if s_ else " (not significant)")
             for fa, fb, q, t, s_ in zip(table["f_target"], table["f_reference"], p, tested, sig)]
    names = {"g2": "signed log-likelihood G²", "log_ratio": "Log Ratio (log₂)", "fightin_z": "Fightin' Words z",
             "chi2": "signed χ²", "chi2_yates": "signed χ² (Yates)"}
    fig = go.Figure(go.Bar(
        x=values, y=table["term"].astype(str).tolist(), orientation="h", marker_color=colours,
        marker_opacity=opacity, text=text,
        textposition="outside", customdata=hover, hovertemplate="%{y}: %{x:.2f}<br>%{customdata}<extra></extra>",
    ))
    fig.add_vline(x=0, line=dict(color="#888888"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(range=_padded_range(values))
    fig.update_traces(cliponaxis=False)
    fig.update_layout(title=title or None,
                      xaxis_title=f"{names.get(statistic, statistic)}: ← more in {label_b} · more in {label_a} →<br>"
                                  f"labels: tokens in {label_a} / {label_b}"
                                  + ("; pale bars: not significant (FDR)" if low.any() else ""))
    return charts.apply_style(fig, height=height or max(360, 120 + 26 * len(table)))


def plot_word_shift(table: pd.DataFrame, *, label_a: str = "A", label_b: str = "B", per: float = 10_000,
                    title: str = "", height: int | None = None, labels: Mapping[str, str] | None = None):
    """Word-shift chart: each term's contribution δp_w = p_w,B − p_w,A (Gallagher et al. 2021), coloured by theme.

    Args:
        table: Rows of :func:`analysis.stats.themes.word_shift` to draw (columns ``term``,
            ``delta_p``, ``f_a``, ``f_b``; ``theme`` colours the bars when present).
        label_a: Name of A.
        label_b: Name of B.
        per: Scale of the axis: δp × ``per`` (per 10,000 word tokens by default).
        title: Chart title.
        height: Height in CSS pixels (default: grows with the rows).
        labels: Legend names by theme (e.g. theme → label_zh).

    Returns:
        A styled plotly ``Figure``, one horizontal bar per row (first on top), one trace per theme.

    Example:
        >>> w = pd.DataFrame({"term": ["人才", "社区"], "theme": ["talent", "grassroots"],
        ...                   "f_a": [54, 0], "f_b": [2, 6], "delta_p": [-0.13, 0.01]})
        >>> [trace.name for trace in plot_word_shift(w, labels={"talent": "人才", "grassroots": "基层"}).data]
        ['人才', '基层']
    """
    import plotly.graph_objects as go


    charts.require_columns(table, ["term", "delta_p", "f_a", "f_b"], source=_SOURCE)
    themes = table["theme"].fillna("").astype(str) if "theme" in table.columns else pd.Series([""] * len(table))
    names = dict(zip(table["theme"], table["label_zh"])) if {"theme", "label_zh"} <= set(table.columns) else {}
    names.update(labels or {})
    order = table["term"].astype(str).tolist()
    colours = charts.theme_colours(list(names) + _order(themes))  # one colour per theme, never two themes alike
    fig = go.Figure()
    for theme in _order(themes):
        part = table[themes.to_numpy() == theme]
        fig.add_trace(go.Bar(
            x=part["delta_p"].to_numpy(dtype=float) * per, y=part["term"].astype(str).tolist(), orientation="h",
            name=names.get(theme, theme) or "other", marker_color=colours[theme] if theme else "#999999",
            text=[f"{int(fa)} → {int(fb)}" for fa, fb in zip(part["f_a"], part["f_b"])], textposition="outside",
            hovertemplate="%{y}: %{x:+.1f}<br>count " + label_a + " → " + label_b + ": %{text}<extra></extra>",
        ))
    fig.add_vline(x=0, line=dict(color="#888888"))
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array", categoryarray=order)
    fig.update_xaxes(range=_padded_range(table["delta_p"].to_numpy(dtype=float) * per))
    fig.update_traces(cliponaxis=False)
    fig.update_layout(title=title or None, barmode="overlay",
                      xaxis_title=f"δp per {per:,.0f} word tokens: ← more in {label_a} · more in {label_b} →",
                      legend=dict(orientation="v", y=1, yanchor="top", x=1.02, xanchor="left"))
    return charts.apply_style(fig, height=height or max(360, 120 + 26 * len(table)))
