"""Co-occurrence networks: theme-lexicon terms (or themes) that share sentences, their communities, and what changed.

A network is read off the pair table (:mod:`analysis.text.cooccurrence`): for two items a
and b counted over N units (sentences or paragraphs) of the chosen documents, O11 = units
holding both, n_a and n_b = units holding each. The 2×2 table is O11, n_a − O11,
n_b − O11, N − n_a − n_b + O11, expected E11 = n_a·n_b/N. Edge weights:

- ``jaccard`` = O11 / (n_a + n_b − O11) (Jaccard 1912; the Jaccard coefficient KH Coder
  draws co-occurrence networks with: Higuchi 2016, *Quantitative Text Analysis for Social
  Researchers*, ch. 5);
- ``pmi`` = log2(O11 / E11) (Church & Hanks 1990, Computational Linguistics 16:22);
- ``g2`` = 2 Σ O ln(O/E) over the 2×2 table (Dunning 1993, Computational Linguistics 19:61),
  negative when O11 < E11.

An edge is drawn when O11 ≥ ``min_count`` and its weight is positive (PMI and G² below 0
mean the two avoid each other). Communities are found by Louvain modularity
(Blondel et al. 2008, J. Stat. Mech. P10008; :func:`networkx.community.louvain_communities`
with a fixed seed). Full texts and reference profiles give the same pair counts; profiles
store sentence pairs only.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.features import FeatureSet, ProfileError
from analysis.results import declare
from analysis.text.cooccurrence import LAYERS, PAIR_COLUMNS, UNITS, unit_pairs
from analysis.types import check_choice

__all__ = ["MEASURES", "EDGE_COLUMNS", "NODE_COLUMNS", "DIFFERENCE_COLUMNS", "cooccurrence_pairs", "pair_measures",
           "cooccurrence_edges", "network_nodes", "network_graph", "network_difference"]

#: Edge weights :func:`cooccurrence_edges` computes.
MEASURES = ("jaccard", "pmi", "g2")
#: Columns of :func:`cooccurrence_edges`.
EDGE_COLUMNS = ["layer", "term_a", "term_b", "cooccurrences", "units_with_a", "units_with_b", "n_units", "expected",
                "jaccard", "pmi", "g2", "weight"]
#: Columns of :func:`network_nodes`.
NODE_COLUMNS = ["term", "units_with", "degree", "strength", "community"]
#: Columns of :func:`network_difference`.
DIFFERENCE_COLUMNS = ["layer", "term_a", "term_b", "cooccurrences_a", "cooccurrences_b", "weight_a", "weight_b",
                      "weight_diff", "status"]
#: Louvain's seed: the same network always gets the same communities.
SEED = 25


def _ids(fs: FeatureSet, documents: str | Iterable[str] | None) -> list[str]:
    every = fs.documents["id"].astype(str).tolist()
    if documents is None:
        return every
    wanted = [documents] if isinstance(documents, str) else [str(d) for d in documents]
    unknown = [d for d in wanted if d not in every]
    if unknown:
        raise KeyError(f"no document {unknown} in the FeatureSet; known: {every[:10]}{' …' if len(every) > 10 else ''}")
    return wanted


def cooccurrence_pairs(fs: FeatureSet, *, documents: str | Iterable[str] | None = None, unit: str = "sentence",
                       lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """The pair table of the chosen documents: units holding two lexicon terms (or themes) together.

    Full texts are counted from their theme hits; reference profiles bring the table they
    stored (sentences only), so both give the same numbers.

    Args:
        fs: A FeatureSet (full texts, profiles or both).
        documents: A document id or ids (default: all).
        unit: ``sentence`` or ``paragraph`` (full texts only).
        lexicon: The theme lexicon (default: the settings' lexicon).

    Returns:
        :data:`analysis.text.cooccurrence.PAIR_COLUMNS`, one row per document and pair
        (``term_a == term_b``: units holding the term), term layer then theme layer.

    Raises:
        ProfileError: for a profile asked for paragraphs, stored without pairs, or counted
            with another lexicon.
        KeyError: for an unknown document.

    Example:
        >>> from analysis.features import build_features
        >>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["人才和基层。人才。"]}), progress=False, cache=False)
        >>> p = cooccurrence_pairs(fs).query("layer == 'term'")
        >>> p[["term_a", "term_b", "cooccurrences"]].values.tolist()
        [['人才', '人才', 2], ['人才', '基层', 1], ['基层', '基层', 1]]
    """
    from analysis.text.lexicon import resolve_lexicon, theme_hits

    check_choice("unit", unit, UNITS, caller="cooccurrence_pairs")
    ids = _ids(fs, documents)
    chosen = fs.select(ids) if documents is not None else fs
    lexicon = resolve_lexicon(chosen, lexicon)
    parts = []
    if len(chosen.tokens):
        parts.append(unit_pairs(theme_hits(chosen.tokens, lexicon=lexicon), unit=unit))
    if chosen.profiled:
        if unit != "sentence":
            raise ProfileError(f"{', '.join(chosen.profiled[:5])}: reference profiles store sentence co-occurrences "
                               "only; use unit='sentence'")
        stored = chosen.stored.cooccurrences
        missing = sorted(set(chosen.profiled) - set(stored["document"].astype(str))) if stored is not None \
            else chosen.profiled
        if stored is None or (missing and len(stored) == 0):
            raise ProfileError(f"the profiles of {', '.join(missing[:5])} store no co-occurrence counts (built before "
                               "they were stored); rebuild them: python -m analysis profiles build ../shared/corpora/"
                               "*.jsonl --out corpus/profiles (or make profiles)")
        chosen.theme_counts(lexicon)  # refuses profiles counted with another lexicon
        parts.append(stored[PAIR_COLUMNS])
    table = pd.concat(parts, ignore_index=True) if parts else unit_pairs(pd.DataFrame(
        columns=["document", "sentence", "paragraph", "term", "theme"]))
    rank = {d: i for i, d in enumerate(ids)}
    order = np.lexsort((table["layer"].map({k: i for i, k in enumerate(LAYERS)}).to_numpy(),
                        table["document"].astype(str).map(rank).to_numpy()))
    return table.iloc[order].reset_index(drop=True)[PAIR_COLUMNS]


def _units(fs: FeatureSet, ids: list[str], unit: str) -> int:
    sentences = fs.sentences[fs.sentences["document"].astype(str).isin(ids)]
    return int(len(sentences[["document", unit]].drop_duplicates()))


def pair_measures(o11, n_a, n_b, n) -> pd.DataFrame:
    """Jaccard, PMI and signed G² of pairs from their unit counts (see the module for the formulas).

    Args:
        o11: Units holding both items (array-like).
        n_a, n_b: Units holding each.
        n: All units.

    Returns:
        Columns ``expected, jaccard, pmi, g2`` (PMI −inf where O11 = 0).

    >>> pair_measures([2], [3], [2], [4]).round(4).values.tolist()
    [[1.5, 0.6667, 0.415, 1.7261]]
    """
    o11, n_a, n_b = (np.asarray(x, dtype=float) for x in (o11, n_a, n_b))
    n = np.broadcast_to(np.asarray(n, dtype=float), o11.shape)
    expected = n_a * n_b / n
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = o11 / (n_a + n_b - o11)
        pmi = np.log2(o11 / expected)
        observed = np.stack([o11, n_a - o11, n_b - o11, n - n_a - n_b + o11])
        row = np.stack([n_a, n_a, n - n_a, n - n_a])
        col = np.stack([n_b, n - n_b, n_b, n - n_b])
        exp = row * col / n
        terms = np.where(observed > 0, observed * np.log(observed / exp), 0.0)
    g2 = 2 * terms.sum(axis=0)
    g2 = np.where(o11 < expected, -g2, g2)
    return pd.DataFrame({"expected": expected, "jaccard": jaccard, "pmi": pmi, "g2": g2})


def cooccurrence_edges(fs: FeatureSet, *, documents: str | Iterable[str] | None = None, layer: str = "term",
                       unit: str = "sentence", measure: str = "jaccard", min_count: int = 2,
                       lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """The edges of a co-occurrence network: pairs sharing at least ``min_count`` units, weighted.

    The chosen documents are pooled: their pair counts and units add up.

    Args:
        fs: A FeatureSet (full texts, profiles or both).
        documents: A document id or ids (a speech, a group, a period); default all.
        layer: ``term`` (the lexicon's terms) or ``theme``.
        unit: ``sentence`` or ``paragraph`` (full texts only).
        measure: The ``weight``: ``jaccard``, ``pmi`` or ``g2``.
        min_count: The fewest units a pair must share.
        lexicon: The theme lexicon (default: the settings' lexicon).

    Returns:
        :data:`EDGE_COLUMNS`: ``layer, term_a, term_b`` (term_a < term_b), ``cooccurrences``
        (O11: units holding both), ``units_with_a``, ``units_with_b``, ``n_units`` (N),
        ``expected`` (E11), ``jaccard``, ``pmi``, ``g2``, ``weight`` (the chosen measure).
        Only pairs with O11 ≥ min_count and a positive weight; sorted by weight
        descending, then term_a, term_b. Declared as result ``cooccurrence_network``.

    Raises:
        ValueError: for an unknown layer, unit or measure, or min_count below 1.

    Example:
        >>> from analysis.features import build_features
        >>> text = "人才和基层。人才在基层。干部。"
        >>> fs = build_features(pd.DataFrame({"id": ["d"], "text": [text]}), progress=False, cache=False)
        >>> e = cooccurrence_edges(fs, min_count=2)
        >>> e[["term_a", "term_b", "cooccurrences", "n_units", "jaccard"]].values.tolist()
        [['人才', '基层', 2, 3, 1.0]]
    """
    check_choice("layer", layer, LAYERS, caller="cooccurrence_edges")
    check_choice("measure", measure, MEASURES, caller="cooccurrence_edges")
    if min_count < 1:
        raise ValueError(f"min_count={min_count}: a pair must share at least 1 unit")
    ids = _ids(fs, documents)
    pairs = cooccurrence_pairs(fs, documents=ids, unit=unit, lexicon=lexicon)
    pairs = pairs[pairs["layer"] == layer]
    pooled = pairs.groupby(["term_a", "term_b"], sort=True)["cooccurrences"].sum().reset_index()
    alone = pooled[pooled["term_a"] == pooled["term_b"]].set_index("term_a")["cooccurrences"]
    edges = pooled[pooled["term_a"] != pooled["term_b"]].reset_index(drop=True)
    n = _units(fs, ids, unit)
    edges = edges.assign(layer=layer, units_with_a=edges["term_a"].map(alone).astype("int64"),
                         units_with_b=edges["term_b"].map(alone).astype("int64"), n_units=n)
    edges = pd.concat([edges, pair_measures(edges["cooccurrences"], edges["units_with_a"], edges["units_with_b"],
                                            n)], axis=1)
    edges["weight"] = edges[measure]
    edges = edges[(edges["cooccurrences"] >= min_count) & (edges["weight"] > 0)]
    edges = edges.sort_values(["weight", "term_a", "term_b"], ascending=[False, True, True], kind="stable")
    edges = edges.astype({"cooccurrences": "int64"})[EDGE_COLUMNS].reset_index(drop=True)
    return declare(edges, result="cooccurrence_network",
                   note=f"{layer}s sharing at least {min_count} {unit}s; weight = {measure}")


def network_nodes(edges: pd.DataFrame, *, seed: int = SEED) -> pd.DataFrame:
    """The nodes of a network: each item's units, degree, summed weight and Louvain community.

    Args:
        edges: From :func:`cooccurrence_edges`.
        seed: Louvain's random seed (fixed: same network, same communities).

    Returns:
        :data:`NODE_COLUMNS`: ``term``, ``units_with`` (units holding it), ``degree``
        (edges), ``strength`` (sum of its edges' weights), ``community`` (1 = the largest,
        by members, then by summed units). Sorted by community, then units_with descending, term.

    >>> e = pd.DataFrame({"term_a": ["a", "c"], "term_b": ["b", "d"], "units_with_a": [3, 2], "units_with_b": [2, 2],
    ...                   "weight": [0.5, 1.0]})
    >>> network_nodes(e)[["term", "community"]].values.tolist()
    [['a', 1], ['b', 1], ['c', 2], ['d', 2]]
    """
    import networkx as nx

    units = pd.concat([edges.set_index("term_a")["units_with_a"], edges.set_index("term_b")["units_with_b"]])
    units = units.groupby(level=0).first()
    graph = nx.Graph()
    graph.add_nodes_from(sorted(units.index))
    graph.add_weighted_edges_from(zip(edges["term_a"], edges["term_b"], edges["weight"].astype(float)))
    communities = nx.community.louvain_communities(graph, weight="weight", seed=seed) if len(graph) else []
    ranked = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), -int(units[c].sum()), c[0]))
    community = {term: i + 1 for i, members in enumerate(ranked) for term in members}
    nodes = pd.DataFrame({"term": list(units.index), "units_with": units.to_numpy(dtype=np.int64)})
    nodes["degree"] = nodes["term"].map(dict(graph.degree())).astype("int64")
    nodes["strength"] = nodes["term"].map(dict(graph.degree(weight="weight"))).astype(float)
    nodes["community"] = nodes["term"].map(community).astype("int64")
    nodes = nodes.sort_values(["community", "units_with", "term"], ascending=[True, False, True], kind="stable")
    return declare(nodes.reset_index(drop=True)[NODE_COLUMNS], result="network_nodes")


def network_graph(nodes: pd.DataFrame, edges: pd.DataFrame):
    """A :class:`networkx.Graph` of a network's nodes and edges, every column an attribute.

    Node attributes: ``label`` (the term), ``units_with``, ``degree``, ``strength``,
    ``community``; edge attributes: every numeric column of ``edges`` (``weight``,
    ``cooccurrences``, ``jaccard`` …). Ready for :func:`networkx.write_graphml` and GEXF.

    >>> e = pd.DataFrame({"term_a": ["人才"], "term_b": ["基层"], "units_with_a": [2], "units_with_b": [2],
    ...                   "cooccurrences": [2], "weight": [1.0]})
    >>> g = network_graph(network_nodes(e), e)
    >>> g.nodes["人才"]["label"], g.edges["人才", "基层"]["cooccurrences"]
    ('人才', 2)
    """
    import networkx as nx

    graph = nx.Graph()
    for row in nodes.to_dict("records"):
        graph.add_node(row["term"], label=row["term"], **{k: _plain(v) for k, v in row.items() if k != "term"})
    numeric = [c for c in edges.columns if c not in ("term_a", "term_b") and pd.api.types.is_numeric_dtype(edges[c])]
    for row in edges.to_dict("records"):
        graph.add_edge(row["term_a"], row["term_b"], **{c: _plain(row[c]) for c in numeric})
    return graph


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def network_difference(fs: FeatureSet, *, a: str | Sequence[str], b: str | Sequence[str], layer: str = "term",
                       unit: str = "sentence", measure: str = "jaccard", min_count: int = 2,
                       lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """Edges gained and lost between two speeches, groups or periods (B against A).

    Each side's network is :func:`cooccurrence_edges` of its documents; an edge is
    ``kept`` when in both, ``gained`` when only in B, ``lost`` when only in A.

    Args:
        fs: A FeatureSet holding both sides.
        a, b: A document id or ids of each side.
        layer, unit, measure, min_count, lexicon: As for :func:`cooccurrence_edges`.

    Returns:
        :data:`DIFFERENCE_COLUMNS`: ``cooccurrences_a/_b`` (units holding both on each
        side, 0 where none), ``weight_a/_b`` (0 where the side has no such edge),
        ``weight_diff`` (B − A), ``status`` (kept, gained, lost). Sorted by status
        (gained, lost, kept), then |weight_diff| descending, term_a, term_b. Declared as
        result ``network_difference`` with sides A and B.

    >>> from analysis.features import build_features
    >>> texts = ["人才和基层。人才在基层。", "人才和干部。人才与干部。"]
    >>> fs = build_features(pd.DataFrame({"id": ["x", "y"], "text": texts}), progress=False, cache=False)
    >>> network_difference(fs, a="x", b="y")[["term_a", "term_b", "status"]].values.tolist()
    [['人才', '干部', 'gained'], ['人才', '基层', 'lost']]
    """
    options = dict(layer=layer, unit=unit, measure=measure, min_count=min_count, lexicon=lexicon)
    sides = {}
    for side, ids in (("a", a), ("b", b)):
        edges = cooccurrence_edges(fs, documents=ids, **options)
        sides[side] = edges.set_index(["term_a", "term_b"])[["cooccurrences", "weight"]].add_suffix(f"_{side}")
    both = sides["a"].join(sides["b"], how="outer").fillna(0).reset_index()
    both = both.astype({"cooccurrences_a": "int64", "cooccurrences_b": "int64"})
    both["weight_diff"] = both["weight_b"] - both["weight_a"]
    in_a, in_b = both["weight_a"] > 0, both["weight_b"] > 0
    both["status"] = np.where(in_a & in_b, "kept", np.where(in_b, "gained", "lost"))
    both["layer"] = layer
    both["_s"] = both["status"].map({"gained": 0, "lost": 1, "kept": 2})
    both["_d"] = -both["weight_diff"].abs()
    both = both.sort_values(["_s", "_d", "term_a", "term_b"], kind="stable")[DIFFERENCE_COLUMNS].reset_index(drop=True)
    label = {side: (ids if isinstance(ids, str) else ", ".join(ids)) for side, ids in (("a", a), ("b", b))}
    return declare(both, result="network_difference", sides=label,
                   note=f"edges of {layer}s sharing at least {min_count} {unit}s, weight = {measure}; B − A")
