"""Figures of co-occurrence networks, named after the tables they draw.

:func:`plot_cooccurrence_network` draws :func:`analysis.stats.network.cooccurrence_edges`
with :func:`~analysis.stats.network.network_nodes` (node size by the units holding the
term, colour by Louvain community, Chinese labels); :func:`plot_network_difference` draws
:func:`~analysis.stats.network.network_difference` (edges gained, lost and kept). The
layout is a seeded spring layout (Fruchterman & Reingold 1991, networkx
``spring_layout``), so a re-run draws the same picture. Nothing is shown or written.

>>> import pandas as pd
>>> e = pd.DataFrame({"term_a": ["人才"], "term_b": ["基层"], "weight": [0.5], "cooccurrences": [3]})
>>> n = pd.DataFrame({"term": ["人才", "基层"], "units_with": [5, 4], "community": [1, 1]})
>>> fig = plot_cooccurrence_network(n, e)
>>> sorted(fig.data[-1].text)
['人才', '基层']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.plots import charts

__all__ = ["network_layout", "plot_cooccurrence_network", "plot_network_difference"]

#: The spring layout's seed.
SEED = 25
#: Edge colours of :func:`plot_network_difference` by status.
STATUS_COLOURS = {"gained": "#009E73", "lost": "#D55E00", "kept": "#BBBBBB"}


def network_layout(terms, edges: pd.DataFrame, *, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Positions of the terms by a seeded spring layout over the edges (weight ``weight``).

    >>> pos = network_layout(["a", "b"], pd.DataFrame({"term_a": ["a"], "term_b": ["b"], "weight": [1.0]}))
    >>> sorted(pos)
    ['a', 'b']
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(terms)))
    graph.add_weighted_edges_from(zip(edges["term_a"], edges["term_b"], edges["weight"].abs().astype(float)))
    if len(graph) == 0:
        return {}
    pos = nx.spring_layout(graph, weight="weight", seed=seed, k=1.5 / np.sqrt(max(len(graph), 1)))
    return {n: (round(float(x), 6), round(float(y), 6)) for n, (x, y) in pos.items()}


def _edge_trace(edges: pd.DataFrame, pos: dict, *, colour: str, width: float, name: str, dash: str = "solid"):
    import plotly.graph_objects as go

    xs: list = []
    ys: list = []
    for a, b in zip(edges["term_a"], edges["term_b"]):
        xs += [pos[a][0], pos[b][0], None]
        ys += [pos[a][1], pos[b][1], None]
    return go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=width, dash=dash), hoverinfo="skip",
                      name=name, showlegend=bool(name))


def _frame(fig, title: str):
    fig.update_layout(title=title, showlegend=True, hovermode="closest")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    return fig


def plot_cooccurrence_network(nodes: pd.DataFrame, edges: pd.DataFrame, *, title: str = "", seed: int = SEED):
    """A co-occurrence network: terms as dots sized by the units holding them, coloured by community.

    Args:
        nodes: :func:`analysis.stats.network.network_nodes` (``term, units_with, community``).
        edges: :func:`analysis.stats.network.cooccurrence_edges` (``term_a, term_b, weight``,
            ``cooccurrences`` shown on hover when present).
        title: The chart's title.
        seed: The layout's seed.

    Returns:
        A plotly Figure: one line trace per community's edges range (widths by weight), one
        marker trace per community, labels in Chinese.
    """
    import plotly.graph_objects as go

    charts.require_columns(nodes, ["term", "units_with", "community"], source="network_nodes")
    charts.require_columns(edges, ["term_a", "term_b", "weight"], source="cooccurrence_edges")
    pos = network_layout(nodes["term"], edges, seed=seed)
    fig = go.Figure()
    if len(edges):
        w = edges["weight"].astype(float)
        top = float(w.max()) or 1.0
        for level, part in edges.groupby(pd.cut(w / top, [0, 1 / 3, 2 / 3, 1.0], labels=False, include_lowest=True),
                                          sort=True):
            fig.add_trace(_edge_trace(part, pos, colour="#999999", width=0.8 + 2.2 * level, name=""))
    size = np.sqrt(nodes["units_with"].astype(float))
    size = 10 + 30 * size / (float(size.max()) or 1.0)
    colours = charts.THEME_COLOURS
    for community, part in nodes.assign(_size=size).groupby("community", sort=True):
        fig.add_trace(go.Scatter(
            x=[pos[t][0] for t in part["term"]], y=[pos[t][1] for t in part["term"]], mode="markers+text",
            text=list(part["term"]), textposition="top center", name=f"community {community}",
            marker=dict(size=list(part["_size"]), color=colours[(int(community) - 1) % len(colours)],
                        line=dict(color="white", width=1)),
            customdata=list(part["units_with"]), hovertemplate="%{text}: %{customdata} units<extra></extra>"))
    return _frame(charts.apply_style(fig, height=640), title)


def plot_network_difference(difference: pd.DataFrame, *, title: str = "", seed: int = SEED):
    """Edges gained (only in B), lost (only in A) and kept, in one layout of both networks.

    Args:
        difference: :func:`analysis.stats.network.network_difference` (``term_a, term_b,
            weight_a, weight_b, status``).
        title: The chart's title.
        seed: The layout's seed.

    Returns:
        A plotly Figure: one line trace per status (gained green, lost orange dashed, kept
        grey) and one marker trace of the terms.

    >>> d = pd.DataFrame({"term_a": ["人才", "人才"], "term_b": ["基层", "干部"], "weight_a": [0.5, 0.0],
    ...                   "weight_b": [0.0, 0.4], "status": ["lost", "gained"]})
    >>> [t.name for t in plot_network_difference(d).data]
    ['gained', 'lost', 'terms']
    """
    import plotly.graph_objects as go

    charts.require_columns(difference, ["term_a", "term_b", "weight_a", "weight_b", "status"],
                           source="network_difference")
    edges = difference.assign(weight=difference[["weight_a", "weight_b"]].max(axis=1))
    terms = sorted(set(edges["term_a"]) | set(edges["term_b"]))
    pos = network_layout(terms, edges, seed=seed)
    fig = go.Figure()
    for status in ("gained", "lost", "kept"):
        part = edges[edges["status"] == status]
        if len(part):
            fig.add_trace(_edge_trace(part, pos, colour=STATUS_COLOURS[status], width=2.0 if status != "kept" else 1.0,
                                      name=status, dash="dash" if status == "lost" else "solid"))
    fig.add_trace(go.Scatter(x=[pos[t][0] for t in terms], y=[pos[t][1] for t in terms], mode="markers+text",
                             text=terms, textposition="top center", name="terms",
                             marker=dict(size=10, color="#0072B2"), hovertemplate="%{text}<extra></extra>"))
    return _frame(charts.apply_style(fig, height=640), title)
