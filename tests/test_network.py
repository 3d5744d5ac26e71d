"""Co-occurrence networks: pair counts, measures against hand-worked values and scipy, communities, difference, files."""

from __future__ import annotations

import io
import itertools
import math
from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from analysis.features import ProfileError, build_features
from analysis.output.graph import export_network, network_files
from analysis.plots.network import plot_cooccurrence_network, plot_network_difference
from analysis.profiles import profile_feature_set, profile_tables
from analysis.results import undeclared_columns
from analysis.stats.network import (cooccurrence_edges, cooccurrence_pairs, network_difference, network_graph,
                                    network_nodes, pair_measures)
from analysis.text.lexicon import theme_hits

# Short texts written for these tests (not from any corpus).
TEXT_A = ("一、人才工作\n要引进人才，服务基层。人才要到基层去。干部要关心人才。\n"
          "二、基层治理\n基层党组织要有人才。干部要下基层。村书记是人才。\n")
TEXT_B = ("一、干部队伍\n干部要培养人才。干部是人才。干部联系群众。\n"
          "二、人才\n人才服务基层。干部关心人才。\n")


@pytest.fixture(scope="module")
def fs():
    docs = pd.DataFrame({"id": ["a", "b"], "text": [TEXT_A, TEXT_B], "source_path": ["a.txt", "b.txt"],
                         "sha256": ["0", "1"]})
    return build_features(docs, progress=False, cache=False)


def _brute_pairs(fs, unit="sentence", layer="term"):
    """Units holding each pair, counted sentence by sentence from the hits (an independent count)."""
    hits = theme_hits(fs.tokens)
    out = Counter()
    for _, group in hits.groupby(["document", unit]):
        items = sorted(set(group[layer]))
        for x in items:
            out[(x, x)] += 1
        for x, y in itertools.combinations(items, 2):
            out[(x, y)] += 1
    return out


def test_pair_counts_equal_a_sentence_by_sentence_count(fs):
    for unit in ("sentence", "paragraph"):
        for layer in ("term", "theme"):
            pairs = cooccurrence_pairs(fs, unit=unit).query("layer == @layer")
            pooled = pairs.groupby(["term_a", "term_b"])["cooccurrences"].sum().to_dict()
            assert pooled == dict(_brute_pairs(fs, unit, layer)), (unit, layer)


def test_edge_weights_equal_the_pair_table_exactly(fs):
    pairs = cooccurrence_pairs(fs, documents="a").query("layer == 'term'")
    counts = {(r.term_a, r.term_b): r.cooccurrences for r in pairs.itertuples()}
    n = int(len(fs.sentences.query("document == 'a'")))
    edges = cooccurrence_edges(fs, documents="a", min_count=1, measure="jaccard")
    assert len(edges) > 0
    for r in edges.itertuples():
        o, na, nb = counts[(r.term_a, r.term_b)], counts[(r.term_a, r.term_a)], counts[(r.term_b, r.term_b)]
        assert (r.cooccurrences, r.units_with_a, r.units_with_b, r.n_units) == (o, na, nb, n)
        assert r.weight == o / (na + nb - o)
        assert r.pmi == pytest.approx(math.log2(o * n / (na * nb)), abs=1e-12)


def test_jaccard_and_pmi_by_hand():
    # 10 sentences; a in 4, b in 5, both in 3: Jaccard 3/6, PMI log2(3·10/20) = log2 1.5
    m = pair_measures([3], [4], [5], [10]).iloc[0]
    assert m["jaccard"] == 0.5
    assert m["pmi"] == pytest.approx(0.5849625007211562, abs=1e-12)
    assert m["expected"] == 2.0


@pytest.mark.parametrize("o11,na,nb,n", [(3, 4, 5, 10), (1, 6, 7, 20), (5, 5, 5, 5 + 3), (2, 40, 3, 400), (0, 3, 4, 9)])
def test_g2_matches_scipy(o11, na, nb, n):
    table = np.array([[o11, na - o11], [nb - o11, n - na - nb + o11]])
    stat = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
    got = pair_measures([o11], [na], [nb], [n]).iloc[0]["g2"]
    sign = 1 if o11 >= na * nb / n else -1
    assert got == pytest.approx(sign * stat, rel=1e-9, abs=1e-12)


def test_min_count_and_positive_weights(fs):
    edges = cooccurrence_edges(fs, min_count=2, measure="pmi")
    assert (edges["cooccurrences"] >= 2).all() and (edges["weight"] > 0).all()
    assert list(edges["weight"]) == sorted(edges["weight"], reverse=True)
    with pytest.raises(ValueError, match="measure"):
        cooccurrence_edges(fs, measure="dice")
    with pytest.raises(ValueError, match="min_count"):
        cooccurrence_edges(fs, min_count=0)


def test_theme_layer(fs):
    edges = cooccurrence_edges(fs, layer="theme", min_count=1)
    assert {"talent", "grassroots"} <= set(edges["term_a"]) | set(edges["term_b"])


def test_communities_are_louvain_and_stable(fs):
    edges = cooccurrence_edges(fs, min_count=1)
    nodes = network_nodes(edges)
    again = network_nodes(edges)
    pd.testing.assert_frame_equal(nodes, again)
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(edges["term_a"], edges["term_b"], edges["weight"]))
    expected = nx.community.louvain_communities(graph, weight="weight", seed=25)
    got = [set(g["term"]) for _, g in nodes.groupby("community")]
    assert sorted(map(sorted, got)) == sorted(map(sorted, expected))
    assert dict(zip(nodes["term"], nodes["degree"])) == dict(graph.degree())


def test_two_cliques_make_two_communities():
    e = pd.DataFrame({"term_a": ["a", "a", "b", "x", "x", "y", "c"], "term_b": ["b", "c", "c", "y", "z", "z", "x"],
                      "units_with_a": 5, "units_with_b": 5, "weight": [1, 1, 1, 1, 1, 1, 0.1]})
    nodes = network_nodes(e)
    groups = sorted(sorted(g["term"]) for _, g in nodes.groupby("community"))
    assert groups == [["a", "b", "c"], ["x", "y", "z"]]


def test_difference_gained_and_lost(fs):
    diff = network_difference(fs, a="a", b="b", min_count=1)
    ea = cooccurrence_edges(fs, documents="a", min_count=1).set_index(["term_a", "term_b"])["weight"]
    eb = cooccurrence_edges(fs, documents="b", min_count=1).set_index(["term_a", "term_b"])["weight"]
    for r in diff.itertuples():
        key = (r.term_a, r.term_b)
        assert r.status == {(True, True): "kept", (False, True): "gained", (True, False): "lost"}[(key in ea, key in eb)]
        assert r.weight_a == ea.get(key, 0) and r.weight_b == eb.get(key, 0)
        assert r.weight_diff == pytest.approx(r.weight_b - r.weight_a)
    assert len(diff) == len(set(ea.index) | set(eb.index))
    assert diff.attrs["result"]["sides"] == {"a": "a", "b": "b"}


def test_profiles_give_the_same_network(fs):
    docs = pd.DataFrame({"id": ["a", "b"], "text": [TEXT_A, TEXT_B], "source_path": ["a.txt", "b.txt"],
                         "sha256": ["0", "1"]})
    prof = profile_feature_set(profile_tables(docs, progress=False))
    assert prof.profiled == ["a", "b"]
    for layer in ("term", "theme"):
        full = cooccurrence_edges(fs, layer=layer, min_count=1)
        stored = cooccurrence_edges(prof, layer=layer, min_count=1)
        pd.testing.assert_frame_equal(full, stored)
    with pytest.raises(ProfileError, match="sentence"):
        cooccurrence_pairs(prof, unit="paragraph")


def test_profiles_without_pairs_are_refused():
    docs = pd.DataFrame({"id": ["a"], "text": [TEXT_A], "source_path": ["a.txt"], "sha256": ["0"]})
    tables = profile_tables(docs, progress=False)
    del tables["cooccurrences"]  # as a folder built before pairs were stored
    prof = profile_feature_set(tables)
    with pytest.raises(ProfileError, match="rebuild"):
        cooccurrence_edges(prof)


def test_graphml_and_gexf_round_trip(fs, tmp_path):
    edges = cooccurrence_edges(fs, min_count=1)
    nodes = network_nodes(edges)
    graph = network_graph(nodes, edges)
    files = network_files(graph)
    back = nx.read_graphml(io.BytesIO(files["graphml"]))
    assert set(back.nodes) == set(nodes["term"]) and "人才" in back.nodes
    assert back.nodes["人才"]["label"] == "人才"
    for r in edges.itertuples():
        data = back.edges[r.term_a, r.term_b]
        assert data["weight"] == pytest.approx(r.weight) and data["cooccurrences"] == r.cooccurrences
    gexf = nx.read_gexf(io.BytesIO(files["gexf"]))
    assert gexf.number_of_edges() == len(edges) and gexf.number_of_nodes() == len(nodes)
    out = export_network(graph, "network", notebook="07_explore", nodes=nodes, edges=edges, directory=tmp_path)
    assert sorted(p.name for k, p in out.items() if k != "manifest") == [
        "07_explore_network.csv", "07_explore_network.gexf", "07_explore_network.graphml",
        "07_explore_network.nodes.csv"]
    assert "人才" in (tmp_path / "07_explore_network.graphml").read_text(encoding="utf-8")
    for name in ("07_explore_network.csv", "07_explore_network.nodes.csv"):
        assert undeclared_columns(pd.read_csv(tmp_path / name, nrows=0).columns) == []
    manifest = pd.read_csv(tmp_path / "manifest.csv")
    assert manifest.loc[0, "kind"] == "network"


def test_plots(fs):
    edges = cooccurrence_edges(fs, min_count=1)
    nodes = network_nodes(edges)
    fig = plot_cooccurrence_network(nodes, edges, title="t")
    labels = [t for trace in fig.data if trace.mode == "markers+text" for t in trace.text]
    assert sorted(labels) == sorted(nodes["term"])
    diff = network_difference(fs, a="a", b="b", min_count=1)
    fig = plot_network_difference(diff)
    assert {t.name for t in fig.data} <= {"gained", "lost", "kept", "terms"}


def test_every_column_is_declared(fs):
    edges = cooccurrence_edges(fs, min_count=1)
    for table in (edges, network_nodes(edges), network_difference(fs, a="a", b="b", min_count=1)):
        assert undeclared_columns(table.columns) == []
