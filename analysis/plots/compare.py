"""Figures that set speech against speech, each named after the table it draws.

- :func:`plot_speech_themes` ← :func:`analysis.stats.compare.speech_themes`: speech × theme heatmap, by date.
- :func:`plot_speech_index` ← :func:`analysis.stats.compare.speech_index`: the talent–grassroots index per speech with intervals.
- :func:`plot_theme_shifts` ← :func:`analysis.stats.compare.theme_shifts`: a dumbbell of shares and the shift with its interval, per comparison.
- :func:`plot_significant_keyness` ← :func:`analysis.stats.compare.significant_keyness`: the significant terms, both ways.
- :func:`plot_speech_structure` ← :func:`analysis.stats.compare.speech_structure`: preamble/body/closing side by side.
- :func:`plot_peer_position` ← :func:`analysis.stats.compare.peer_position`: percentiles among peers.
- :func:`plot_speech_map` ← :func:`analysis.stats.similarity.speech_map`: the correspondence-analysis map.

Rows are keyed by document (two speeches may both have a section 一), never by a
label that two documents could share. Bootstrap intervals built from too few units
(``flag`` not empty) are drawn grey and hollow, and the legend says why. Builders
return a figure; they never show or write it.

>>> import pandas as pd
>>> t = pd.DataFrame({"document": ["a", "a", "b", "b"], "label": ["2020 a", "2020 a", "2023 b", "2023 b"],
...                   "theme": ["talent", "grassroots"] * 2, "label_zh": ["人才", "基层"] * 2,
...                   "share_of": "tokens", "share": [0.01, 0.02, 0.03, 0.0]})
>>> fig = plot_speech_themes(t)
>>> list(fig.data[0].y), fig.data[0].z.tolist()
(['2020 a', '2023 b'], [[1.0, 2.0], [3.0, 0.0]])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.plots import charts
from analysis.plots.emphasis import SHARE_NAMES

__all__ = ["plot_speech_themes", "plot_speech_index", "plot_theme_shifts", "plot_significant_keyness",
           "plot_speech_structure", "plot_peer_position", "plot_speech_map", "empty_figure"]

_FLAGGED = "#9E9E9E"


def _order(values) -> list:
    return list(dict.fromkeys(values))


def empty_figure(message: str, *, title: str = ""):
    """A styled figure with only a centred message (for a table with no rows to draw).

    >>> empty_figure("nothing to compare").layout.annotations[0].text
    'nothing to compare'
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(title=title or None)
    fig = charts.apply_style(fig, height=260)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=15))
    return fig


def _row_labels(table: pd.DataFrame) -> tuple[list, dict, pd.Series]:
    """Row keys (document, or document and path) and their display labels, unique per key."""
    keys = ["document", "path"] if "path" in table.columns else ["document"]
    pairs = table[keys].astype(str).agg("#".join, axis=1) if len(keys) > 1 else table["document"].astype(str)
    if "label" in table.columns:
        shown = table["label"].astype(str)
        if "path" in table.columns:
            shown = shown + " " + table["path"].astype(str).map(charts.part_label)
    else:
        shown = pairs
    names = dict(zip(pairs, shown))
    if len(set(names.values())) < len(names):  # two keys share a label: fall back to the key itself
        names = {k: k for k in names}
    return _order(pairs), names, pairs


def plot_speech_themes(table: pd.DataFrame, *, title: str = "", height: int | None = None):
    """Speech × theme heatmap: one row per speech (or per speech section), in the table's order (by date).

    Args:
        table: Rows of :func:`analysis.stats.compare.speech_themes` (columns ``document``,
            ``theme``, ``share``; ``label`` names the rows, ``label_zh`` the columns,
            ``share_of`` the scale; with ``path``, rows are keyed by document and path).
        title: Chart title.
        height: Height in CSS pixels (default: grows with the rows).

    Returns:
        A styled plotly ``Figure`` with one ``Heatmap`` (values in percent).
    """
    import plotly.graph_objects as go

    charts.require_columns(table, ["document", "theme", "share"], source="analysis.stats.compare.speech_themes")
    if table.empty:
        return empty_figure("no speech to draw", title=title)
    keys, names, pairs = _row_labels(table)
    themes = _order(table["theme"])
    labels = dict(zip(table["theme"], table["label_zh"] if "label_zh" in table.columns else table["theme"]))
    grid = table.assign(_key=pairs.to_numpy()).pivot_table(index="_key", columns="theme", values="share",
                                                            aggfunc="first", dropna=False)
    z = grid.reindex(index=keys, columns=themes).to_numpy(dtype=float) * 100
    text = [["" if np.isnan(v) else f"{v:.1f}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[charts.wrap_label(labels[t]) for t in themes], y=[names[k] for k in keys], text=text, texttemplate="%{text}",
        colorscale="Blues", zmin=0, colorbar=dict(title=dict(text="%")), xgap=1, ygap=1,
        hovertemplate="%{y} · %{x}: %{z:.2f}%<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", type="category")
    share = str(table["share_of"].iloc[0]) if "share_of" in table.columns and len(table) else "share"
    fig.update_layout(title=title or None)
    fig = charts.apply_style(fig, width=1000, height=height or max(380, 190 + 22 * len(keys)))
    fig.update_layout(margin=dict(t=140))
    fig.add_annotation(text=SHARE_NAMES.get(share, share) + "; rows by date", xref="paper", yref="paper", x=0, y=-0.01,
                       yanchor="top", showarrow=False, font=dict(size=12))
    return fig


def plot_speech_index(table: pd.DataFrame, *, highlight: Sequence[str] = (), title: str = "",
                      height: int | None = None, numerator: str = "talent", denominator: str = "grassroots"):
    """The talent–grassroots index of each speech with its bootstrap interval, one row per speech.

    Args:
        table: Rows of :func:`analysis.stats.compare.speech_index` (``document``, ``index``,
            ``ci_low``, ``ci_high``, ``flag``; ``label`` names the rows).
        highlight: Ids drawn in the accent colour (e.g. the seed and the speech compared).
        title: Chart title.
        height: Height in CSS pixels.
        numerator: Theme in the numerator (axis title).
        denominator: Theme in the denominator.

    Returns:
        A styled plotly ``Figure``: a point and interval per speech with a defined index;
        flagged rows (too few units, or a replicate without one theme) grey and hollow;
        speeches whose index is undefined are counted under the axis.

    Example:
        >>> t = pd.DataFrame({"document": ["a", "b"], "index": [0.7, -0.4], "ci_low": [0.1, -2.0],
        ...                   "ci_high": [1.5, 1.6], "flag": ["", "only 9 sentences (< 20): interval not reliable"]})
        >>> [trace.name for trace in plot_speech_index(t).data]
        ['interval from enough units', 'flagged: few units, or replicates without a theme']
    """
    import plotly.graph_objects as go

    charts.require_columns(table, ["document", "index", "ci_low", "ci_high"], source="analysis.stats.compare.speech_index")
    ok = table[np.isfinite(table["index"].to_numpy(dtype=float))]
    undefined = table.loc[~table.index.isin(ok.index), "document"].astype(str).tolist()
    if ok.empty:
        return empty_figure("no speech has both themes: the index is undefined everywhere", title=title)
    flags = ok["flag"].fillna("").astype(str) if "flag" in ok.columns else pd.Series("", index=ok.index)
    labels = (ok["label"] if "label" in ok.columns else ok["document"]).astype(str).tolist()
    fig = go.Figure()
    marked = ok["document"].astype(str).isin([str(h) for h in highlight]).to_numpy()
    flagged = (flags != "").to_numpy()
    kinds = (("interval from enough units", ~flagged & ~marked, charts.COLORWAY[0], "circle"),
             ("flagged: few units, or replicates without a theme", flagged & ~marked, _FLAGGED, "circle-open"),
             ("highlighted speeches", ~flagged & marked, charts.COLORWAY[1], "circle"),
             ("highlighted, flagged", flagged & marked, charts.COLORWAY[1], "circle-open"))
    for name, mask, colour, symbol in kinds:
        if not mask.any():
            continue
        part = ok[mask]
        x = part["index"].to_numpy(dtype=float)
        fig.add_trace(go.Scatter(
            x=x, y=[l for l, m in zip(labels, mask) if m], mode="markers", name=name,
            marker=dict(size=10, color=colour, symbol=symbol, line=dict(width=2, color=colour)),
            error_x=dict(type="data", symmetric=False, array=part["ci_high"].to_numpy(dtype=float) - x,
                         arrayminus=x - part["ci_low"].to_numpy(dtype=float), color=colour, thickness=1.2),
            customdata=np.stack([part["ci_low"], part["ci_high"], flags[mask]], axis=-1),
            hovertemplate="%{y}: %{x:+.2f} [%{customdata[0]:.2f}, %{customdata[1]:.2f}]<br>%{customdata[2]}<extra></extra>",
        ))
    fig.add_vline(x=0, line=dict(color="#888888", dash="dot"))
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array", categoryarray=labels)
    note = (f"{len(undefined)} speech{'es' if len(undefined) > 1 else ''} left out: no {numerator} or no "
            f"{denominator} hit, index undefined (see the table)" if undefined else "")
    fig.update_layout(title=title or None,
                      xaxis_title=f"ln(s_{numerator} / s_{denominator}), 95% bootstrap interval"
                                  + (f"<br><sup>{note}</sup>" if note else ""))
    fig = charts.apply_style(fig, width=1000, height=height or max(360, 160 + 24 * len(ok)))
    return charts.legend_under_title(fig)


def plot_theme_shifts(table: pd.DataFrame, *, title: str = "", height: int | None = None):
    """Dumbbell of each theme's share in A and in B, beside B − A with its interval, for one or more comparisons.

    Args:
        table: Rows of :func:`analysis.stats.compare.theme_shifts` (``comparison``,
            ``theme``, ``share_a``, ``share_b``, ``diff``, ``ci_low``, ``ci_high``,
            ``significant``, ``flag``; ``label_zh``, ``label_a``, ``label_b``).
        title: Chart title.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure`` with two panels sharing the theme axis (one row per
        theme, comparisons side by side within it): left, share in A and in B joined by
        a line; right, the shift in percentage points with its 95% interval, filled when
        significant, hollow when not, grey when the bootstrap is flagged. A's shares are
        drawn once, from the first comparison (A is the same speech in every comparison
        of :func:`analysis.stats.compare.plan_comparisons`).

    Example:
        >>> t = pd.DataFrame({"comparison": "a vs b", "label_a": "a", "label_b": "b", "theme": ["talent"],
        ...                   "label_zh": ["人才"], "share_a": [0.02], "share_b": [0.005], "diff": [-0.015],
        ...                   "ci_low": [-0.02], "ci_high": [-0.01], "significant": [True], "flag": [""]})
        >>> [trace.name for trace in plot_theme_shifts(t).data if trace.name]
        ['a', 'b', 'b']
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    charts.require_columns(table, ["theme", "share_a", "share_b", "diff", "ci_low", "ci_high"],
                          source="analysis.stats.compare.theme_shifts")
    if table.empty:
        return empty_figure("no comparison to draw (the speech or group compared is missing)", title=title)
    table = table if "comparison" in table.columns else table.assign(comparison="B − A")
    names = dict(zip(table["theme"], table["label_zh"] if "label_zh" in table.columns else table["theme"]))
    themes = [names[t] for t in _order(table["theme"])]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.5, 0.5], horizontal_spacing=0.03,
                        subplot_titles=(SHARE_NAMES.get(str(table.get("share_of", pd.Series(["share"])).iloc[0]), "share"),
                                        "B − A, percentage points (95% bootstrap interval)"))
    comparisons = _order(table["comparison"])
    first_a = table[table["comparison"] == comparisons[0]]
    label_a = str(first_a["label_a"].iloc[0]) if "label_a" in table.columns else "A"
    fig.add_trace(go.Scatter(x=first_a["share_a"] * 100, y=[names[t] for t in first_a["theme"]], mode="markers",
                             name=label_a, marker=dict(size=11, color="#333333", symbol="diamond"),
                             hovertemplate="%{y}: %{x:.2f}%<extra>" + label_a + "</extra>"), row=1, col=1)
    for k, comparison in enumerate(comparisons):
        part = table[table["comparison"] == comparison]
        colour = charts.COLORWAY[k % len(charts.COLORWAY)]
        y = [names[t] for t in part["theme"]]
        label_b = str(part["label_b"].iloc[0]) if "label_b" in part.columns else comparison
        flag = str(part["flag"].iloc[0]) if "flag" in part.columns else ""
        xs, ys = [], []
        for va, vb, t in zip(part["share_a"] * 100, part["share_b"] * 100, y):
            xs += [va, vb, None]
            ys += [t, t, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=2), opacity=0.5,
                                 showlegend=False, hoverinfo="skip", legendgroup=comparison), row=1, col=1)
        fig.add_trace(go.Scatter(x=part["share_b"] * 100, y=y, mode="markers", name=label_b, legendgroup=comparison,
                                 marker=dict(size=11, color=colour),
                                 hovertemplate="%{y}: %{x:.2f}%<extra>" + label_b + "</extra>"), row=1, col=1)
        d = part["diff"].to_numpy(dtype=float) * 100
        sig = part["significant"].astype(bool).to_numpy() if "significant" in part.columns else np.ones(len(d), bool)
        shown = _FLAGGED if flag else colour
        fig.add_trace(go.Scatter(
            x=d, y=y, mode="markers", legendgroup=comparison, showlegend=bool(flag), orientation="h",
            name=f"{label_b}: {flag}" if flag else label_b,
            marker=dict(size=10, color=[shown if s else "white" for s in sig], line=dict(color=shown, width=2),
                        symbol="circle"),
            error_x=dict(type="data", symmetric=False, array=part["ci_high"].to_numpy(dtype=float) * 100 - d,
                         arrayminus=d - part["ci_low"].to_numpy(dtype=float) * 100, color=shown, thickness=1.5),
            customdata=np.stack([part["ci_low"] * 100, part["ci_high"] * 100], axis=-1),
            hovertemplate="%{y}: %{x:+.2f} pp [%{customdata[0]:+.2f}, %{customdata[1]:+.2f}]<extra>" + label_b
                          + "</extra>",
        ), row=1, col=2)
    fig.add_vline(x=0, line=dict(color="#888888", dash="dot"), row=1, col=2)
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array", categoryarray=themes)
    top = float(np.nanmax(table[["share_a", "share_b"]].to_numpy(dtype=float))) * 100
    fig.update_xaxes(range=[0, top * 1.08 if top > 0 else 1], row=1, col=1)
    fig.update_layout(title=title or None, scattermode="group", scattergap=0.5)
    fig = charts.apply_style(fig, width=1000, height=height or max(440, 190 + 38 * len(themes)))
    charts.legend_under_title(fig, gap=35)  # room for the subplot titles
    fig.update_layout(margin=dict(b=90))
    fig.add_annotation(text="filled: interval excludes 0 · hollow: it does not · grey: too few units on a side",
                       xref="paper", yref="paper", x=1, y=0, yshift=-45, xanchor="right", yanchor="top",
                       showarrow=False, font=dict(size=12))
    fig.update_annotations(font=dict(size=13))
    return fig


def plot_significant_keyness(table: pd.DataFrame, *, statistic: str = "log_ratio", label_a: str = "A",
                             label_b: str = "B", title: str = "", height: int | None = None):
    """The significant key terms of A (right) and of B (left), and only those.

    Args:
        table: Rows of :func:`analysis.stats.compare.significant_keyness` (``term``,
            ``statistic``, ``f_target``, ``f_reference``, ``p_fdr``, ``p_test``).
        statistic: Column drawn (``log_ratio`` by default: an effect size that stays finite
            when a term is absent on one side).
        label_a: Name of A.
        label_b: Name of B.
        title: Chart title.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure``, one bar per term (counts A / B printed beside it);
        a message instead of bars when no term is significant.

    Example:
        >>> k = pd.DataFrame({"term": ["人才", "条例"], "log_ratio": [2.6, -4.5], "f_target": [25, 0],
        ...                   "f_reference": [3, 8], "p_fdr": [0.006, 0.01], "p_test": ["g2", "fisher"]})
        >>> list(plot_significant_keyness(k).data[0].text)
        ['25 / 3', '0 / 8']
    """
    import plotly.graph_objects as go

    charts.require_columns(table, ["term", statistic, "f_target", "f_reference"],
                          source="analysis.stats.compare.significant_keyness")
    if table.empty:
        return empty_figure(f"no term is significant at the chosen FDR between {label_a} and {label_b}", title=title)
    values = table[statistic].to_numpy(dtype=float)
    tests = table["p_test"].astype(str) if "p_test" in table.columns else pd.Series([""] * len(table))
    p = table["p_fdr"].to_numpy(dtype=float) if "p_fdr" in table.columns else np.full(len(table), np.nan)
    hover = [f"{label_a} {int(fa)} · {label_b} {int(fb)} · FDR p {q:.2g} ({t})"
             for fa, fb, q, t in zip(table["f_target"], table["f_reference"], p, tests)]
    fig = go.Figure(go.Bar(
        x=values, y=table["term"].astype(str).tolist(), orientation="h",
        marker_color=[charts.COLORWAY[0] if v > 0 else charts.COLORWAY[1] for v in values],
        text=[f"{int(fa)} / {int(fb)}" for fa, fb in zip(table["f_target"], table["f_reference"])],
        textposition="outside", cliponaxis=False, customdata=hover,
        hovertemplate="%{y}: %{x:.2f}<br>%{customdata}<extra></extra>",
    ))
    fig.add_vline(x=0, line=dict(color="#888888"))
    finite = values[np.isfinite(values)]
    lo, hi = (min(0.0, float(finite.min())), max(0.0, float(finite.max()))) if finite.size else (0.0, 1.0)
    pad = 0.2 * ((hi - lo) or 1.0)
    fig.update_xaxes(range=[lo - pad if lo < 0 else 0, hi + pad if hi > 0 else 0])
    fig.update_yaxes(autorange="reversed", type="category")
    name = {"log_ratio": "Log Ratio (log2, zero counts as 0.5)", "g2": "signed G²"}.get(statistic, statistic)
    fig.update_layout(title=title or None,
                      xaxis_title=f"{name}: ← key to {label_b} · key to {label_a} →<br>"
                                  f"<sup>only terms significant at the FDR; labels: count {label_a} / {label_b}</sup>")
    return charts.apply_style(fig, height=height or max(320, 140 + 24 * len(table)))


def plot_speech_structure(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, title: str = "",
                          height: int | None = None):
    """Preamble, body and closing of each speech side by side, with its size and points.

    Args:
        table: Rows of :func:`analysis.stats.compare.speech_structure` (``document``,
            ``preamble_share``, ``body_share``, ``closing_share``, ``han_chars``, ``points``,
            ``announced``, ``largest_point_share``).
        labels: Display name per document id (default: the id).
        title: Chart title.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure``: stacked horizontal bars (% of Han characters), the
        largest point's share as a marker, and Han characters and points (found /
        announced) printed at the right.

    Example:
        >>> t = pd.DataFrame({"document": ["a"], "preamble_share": [0.1], "body_share": [0.87], "closing_share": [0.03],
        ...                   "han_chars": [5840], "points": [4], "announced": [5]})
        >>> plot_speech_structure(t).layout.annotations[0].text
        '5,840 字 · 4 points (5 announced)'
    """
    import plotly.graph_objects as go

    charts.require_columns(table, ["document", "preamble_share", "body_share", "closing_share", "han_chars", "points"],
                          source="analysis.stats.compare.speech_structure")
    if table.empty:
        return empty_figure("no speech to draw", title=title)
    names = dict(labels or {})
    y = [names.get(str(d), str(d)) for d in table["document"]]
    fig = go.Figure()
    parts = (("preamble_share", "开头 preamble", "#BBBBBB"), ("body_share", "正文 numbered points", charts.COLORWAY[0]),
             ("closing_share", "结尾 closing", "#777777"))
    for column, name, colour in parts:
        fig.add_trace(go.Bar(x=table[column] * 100, y=y, orientation="h", name=name, marker_color=colour,
                             hovertemplate="%{y}: %{x:.1f}%<extra>" + name + "</extra>"))
    if "largest_point_share" in table.columns:
        fig.add_trace(go.Scatter(x=table["largest_point_share"] * 100, y=y, mode="markers", name="largest point",
                                 marker=dict(symbol="line-ns-open", size=18, color=charts.COLORWAY[1],
                                             line=dict(width=3, color=charts.COLORWAY[1])),
                                 hovertemplate="%{y}: largest point %{x:.1f}% of the speech<extra></extra>"))
    announced = table["announced"] if "announced" in table.columns else pd.Series([pd.NA] * len(table))
    notes = [f"{int(h):,} 字 · {int(p)} points" + ("" if pd.isna(a) else f" ({int(a)} announced)")
             for h, p, a in zip(table["han_chars"], table["points"], announced)]
    for label, note in zip(y, notes):
        fig.add_annotation(x=1.01, xref="paper", y=label, yref="y", text=note, xanchor="left", showarrow=False,
                           font=dict(size=12))
    fig.update_xaxes(range=[0, 100], title="share of the speech's Han characters (%)")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(barmode="stack", title=title or None, legend=dict(traceorder="normal"))
    fig = charts.apply_style(fig, width=1000, height=height or max(320, 150 + 30 * len(y)))
    fig.update_layout(margin=dict(r=230))
    return charts.legend_under_title(fig)


def plot_peer_position(table: pd.DataFrame, *, title: str = "", height: int | None = None):
    """Percentile of a speech's theme shares within each peer group (0 = lowest, 100 = highest).

    Args:
        table: Rows of :func:`analysis.stats.compare.peer_position` (``group``, ``theme``,
            ``percentile``, ``group_size``; ``label_zh`` names the themes).
        title: Chart title.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure``: one marker per theme per group, groups named with their size.

    Example:
        >>> t = pd.DataFrame({"group": ["national"], "theme": ["talent"], "percentile": [100.0], "group_size": [73],
        ...                   "share": [0.024], "group_median": [0.0003]})
        >>> plot_peer_position(t).data[0].name
        'national (n = 73)'
    """
    import plotly.graph_objects as go

    charts.require_columns(table, ["group", "theme", "percentile", "group_size"],
                          source="analysis.stats.compare.peer_position")
    if table.empty:
        return empty_figure("no peer group", title=title)
    names = dict(zip(table["theme"], table["label_zh"] if "label_zh" in table.columns else table["theme"]))
    themes = [names[t] for t in _order(table["theme"])]
    fig = go.Figure()
    for k, group in enumerate(_order(table["group"])):
        part = table[table["group"] == group]
        n = int(part["group_size"].iloc[0])
        fig.add_trace(go.Scatter(
            x=part["percentile"], y=[names[t] for t in part["theme"]], mode="markers", name=f"{group} (n = {n})",
            orientation="h",
            marker=dict(size=11, color=charts.COLORWAY[k % len(charts.COLORWAY)]),
            customdata=np.stack([part["share"] * 100, part["group_median"] * 100], axis=-1),
            hovertemplate="%{y}: percentile %{x:.0f}<br>share %{customdata[0]:.2f}% · group median "
                          "%{customdata[1]:.2f}%<extra>" + str(group) + "</extra>",
        ))
    fig.update_xaxes(range=[-3, 103], title="percentile of the speech's share among the group's speeches")
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array", categoryarray=themes)
    fig.update_layout(title=title or None, scattermode="group",
                      legend=dict(orientation="v", y=1, yanchor="top", x=1.02, xanchor="left"))
    return charts.apply_style(fig, width=1000, height=height or max(380, 140 + 34 * len(themes)))


def plot_speech_map(coordinates: pd.DataFrame, axes: pd.DataFrame | None = None, *, color: str = "kind",
                    title: str = "", height: int = 620):
    """The correspondence-analysis map of the speeches, coloured by a metadata column, marked speeches starred.

    Args:
        coordinates: Rows of :func:`analysis.stats.similarity.speech_map` (``document``,
            ``dim_1``, ``dim_2``, ``marked``, the ``color`` column; ``year`` and ``level`` on hover).
        axes: Its axes table (``explained`` names the axes), or None.
        color: Metadata column that colours the points (``kind``, ``level``, ``decade`` …).
        title: Chart title.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure``: one trace per value of ``color`` (missing values as
        "unknown"), marked speeches as labelled stars.

    Example:
        >>> c = pd.DataFrame({"document": ["a", "b"], "dim_1": [0.1, -0.3], "dim_2": [0.2, 0.0],
        ...                   "kind": [None, "party_building"], "marked": [True, False]})
        >>> [trace.name for trace in plot_speech_map(c).data]
        ['party_building', 'unknown', 'marked']
    """
    import plotly.graph_objects as go

    if coordinates.empty:
        return empty_figure("a map needs at least 3 speeches", title=title)
    charts.require_columns(coordinates, ["document", "dim_1", "dim_2", color],
                          source="analysis.stats.similarity.speech_map")
    values = coordinates[color].astype("string").fillna("unknown")
    marked = coordinates["marked"].astype(bool) if "marked" in coordinates.columns else pd.Series(False, index=values.index)
    # hover: id, year and level (no titles: a long title is a passage of the speech it heads)
    hover_title = coordinates.reindex(columns=["year", "level"]).astype("string").fillna("").agg(" · ".join, axis=1)
    fig = go.Figure()
    for k, value in enumerate(sorted(_order(values), key=str)):
        part = coordinates[(values == value).to_numpy()]
        fig.add_trace(go.Scatter(
            x=part["dim_1"], y=part["dim_2"], mode="markers", name=str(value),
            marker=dict(size=9, color=charts.COLORWAY[k % len(charts.COLORWAY)], opacity=0.85),
            customdata=np.stack([part["document"].astype(str), hover_title[part.index]], axis=-1),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra>" + str(value) + "</extra>",
        ))
    stars = coordinates[marked.to_numpy()]
    if len(stars):
        fig.add_trace(go.Scatter(
            x=stars["dim_1"], y=stars["dim_2"], mode="markers+text", name="marked",
            text=stars["document"].astype(str), textposition="top center",
            marker=dict(size=18, symbol="star", color="#000000", line=dict(color="white", width=1)),
            hovertemplate="%{text}<extra>marked</extra>",
        ))
    def axis_title(i: int) -> str:
        if axes is None or len(axes) < i:
            return f"dimension {i}"
        return f"dimension {i} ({float(axes['explained'].iloc[i - 1]) * 100:.1f}% of inertia)"
    fig.update_xaxes(title=axis_title(1), zeroline=True, zerolinecolor="#DDDDDD")
    fig.update_yaxes(title=axis_title(2), zeroline=True, zerolinecolor="#DDDDDD")
    fig.update_layout(title=title or None, legend=dict(title=dict(text=color)))
    return charts.apply_style(fig, width=1000, height=height)
