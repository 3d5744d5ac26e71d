"""One dispatch for every kind of figure (analysis.output.figures): detection, files, notebook display."""

from __future__ import annotations

import io

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.output import export, figures
from analysis.output.figures import FigureKind, Rendered, figure_kind, with_placeholders

DATA = pd.DataFrame({"term": ["人才", "基层"], "count": [3, 2]})


def test_each_kind_is_recognised_and_other_objects_are_refused():
    import networkx as nx

    from analysis.plots.charts import word_cloud

    assert figure_kind(go.Figure()).name == "plotly"
    assert figure_kind(word_cloud(DATA, width=120, height=80, scale=1)).name == "wordcloud"
    assert figure_kind(nx.Graph()).name == "network"
    with pytest.raises(TypeError, match="plotly, wordcloud or network, got dict"):
        figure_kind({"data": []})


def test_a_new_kind_is_one_entry(monkeypatch, tmp_path):
    """A figure kind added to KINDS is exported, listed in the manifest and shown, with no other change."""

    class Table:
        rows = ["人\ue000才", "基层"]

    kind = FigureKind("table", lambda fig: isinstance(fig, Table), ("txt",),
                      lambda fig, *, stem, title, statics: Rendered("table", {"txt": "\n".join(fig.rows).encode()},
                                                                   notebook_png=b"\x89PNG fake"),
                      strings=lambda fig: list(fig.rows),
                      placeholders=lambda fig, fix: type("Fixed", (Table,), {"rows": [fix(r) for r in fig.rows]})())
    monkeypatch.setattr(figures, "KINDS", figures.KINDS + (kind,))
    with pytest.warns(UserWarning, match="placeholders"):
        out = export.export_figure(Table(), "rows", notebook="99_test", data=DATA, title="Rows", directory=tmp_path)
    assert (tmp_path / "99_test_rows.txt").read_text(encoding="utf-8") == "人[U+E000]才\n基层"
    row = export.read_figure_manifest(tmp_path).iloc[0]
    assert row["kind"] == "table" and row["files"] == "99_test_rows.csv;99_test_rows.txt"
    bundle, meta = out._repr_mimebundle_()
    assert "image/png" in bundle and meta == {"analysis": {"stem": "99_test_rows"}}


def test_a_network_is_exported_through_the_one_dispatch_without_a_font(monkeypatch, tmp_path):
    import networkx as nx

    from analysis.plots import fonts
    from analysis.stats.network import network_graph, network_nodes

    monkeypatch.setattr(fonts, "check_glyphs", lambda strings: pytest.fail("a network draws no text of its own"))
    edges = pd.DataFrame({"term_a": ["人才"], "term_b": ["基层"], "units_with_a": [2], "units_with_b": [2],
                          "cooccurrences": [2], "weight": [0.5]})
    nodes = network_nodes(edges)
    out = export.export_figure(network_graph(nodes, edges), "net", notebook="99_test", data=edges,
                               tables={"nodes": nodes}, directory=tmp_path)
    assert sorted(p.name for k, p in out.items() if k != "manifest") == [
        "99_test_net.csv", "99_test_net.gexf", "99_test_net.graphml", "99_test_net.nodes.csv"]
    graph = nx.read_graphml(io.BytesIO((tmp_path / "99_test_net.graphml").read_bytes()))
    assert graph.edges["人才", "基层"]["weight"] == 0.5
    assert export.read_figure_manifest(tmp_path).iloc[0]["kind"] == "network"
    assert set(out._repr_mimebundle_()[0]) == {"text/plain"}  # a notebook names it; Gephi draws it


def test_placeholders_follow_the_kind():
    from analysis.plots.charts import word_cloud

    wc = word_cloud(pd.DataFrame({"term": ["人\ue000才", "基层"], "count": [3, 2]}), width=120, height=80, scale=1)
    shown, replaced = with_placeholders(wc)
    assert "人[U+E000]才" in shown.words_ and "人\ue000才" in wc.words_ and replaced == {"\ue000": 2}
    import networkx as nx

    g = nx.Graph()
    g.add_node("人\ue000才")
    assert with_placeholders(g) == (g, {})  # GraphML keeps the label exactly


def test_the_plotly_bundle_equals_what_plotlys_own_renderer_gives():
    """Built without importing plotly's renderer module (nbformat at import), it must equal that module's output."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from analysis.output.figures import plotly_mimebundle

    fig = go.Figure(go.Bar(x=["人才", "基层"], y=[3, 1]), layout=dict(title="标题"))
    assert plotly_mimebundle(fig) == pio.renderers["plotly_mimetype"].to_mimebundle(fig.to_dict())
