"""Outline units shared by the analyses: what ``by="section"`` and ``by="node"`` mean.

``by="section"`` counts a node with its sub-points (三 includes 三（一）, 三（二）…), the
unit a reader means by "section 三"; ``by="node"`` counts a node's own text only (the
heading and any text before its first sub-point). :func:`section_members` maps every
node to the sections it belongs to, so any per-node table can be lifted to sections
by a merge and a sum.

>>> import pandas as pd
>>> nodes = pd.DataFrame({"document": "d", "path": ["preamble", "一", "一（一）", "一（二）"],
...                       "parent": [None, None, "一", "一"]})
>>> section_members(nodes)[["path", "section"]].values.tolist()
[['preamble', 'preamble'], ['一', '一'], ['一（一）', '一（一）'], ['一（一）', '一'], ['一（二）', '一（二）'], ['一（二）', '一']]
"""

from __future__ import annotations

import pandas as pd


def section_members(nodes: pd.DataFrame) -> pd.DataFrame:
    """Map each outline node to itself and each of its ancestors.

    Args:
        nodes: An outline node table with ``document, path, parent`` (``parent`` is the
            parent's path, or missing for top-level nodes), e.g. ``FeatureSet.nodes``.

    Returns:
        Columns ``document, path, section``: one row per node and section containing it,
        the node itself first, then its parent, up to the top level. Not sorted otherwise.

    Raises:
        KeyError: when ``nodes`` lacks one of the three columns.
    """
    missing = {"document", "path", "parent"} - set(nodes.columns)
    if missing:
        raise KeyError(f"section_members: the node table lacks {sorted(missing)}; use FeatureSet.nodes")
    rows = []
    for document, doc in nodes.groupby("document", sort=False):
        parent = dict(zip(doc["path"].astype(str), doc["parent"]))
        for path in doc["path"].astype(str):
            p: object = path
            seen = set()
            while isinstance(p, str) and p not in seen:
                seen.add(p)
                rows.append((document, path, p))
                p = parent.get(p)
    return pd.DataFrame(rows, columns=["document", "path", "section"])


def node_order(nodes: pd.DataFrame) -> pd.DataFrame:
    """Return ``document, path, _order``: the position of every node in outline order."""
    order = nodes[["document", "path"]].drop_duplicates().reset_index(drop=True)
    return order.assign(_order=range(len(order)))


def hits_by_section(hits: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """Count KWIC hits per top-level part: one row per part (preamble, 一, 二 …, closing), one column per hit text.

    Args:
        hits: A KWIC table (``path``, ``hit``), e.g. several :func:`analysis.stats.counts.kwic` tables stacked.
        nodes: The outline nodes of the document (``path``, ``level``).

    Returns:
        ``section`` then one column per distinct hit with its count (``occurrences``
        of that term in the part; 0 where none), parts in outline order.

    >>> nodes = pd.DataFrame({"path": ["preamble", "一", "一（一）", "closing"], "level": [0, 1, 2, 0]})
    >>> k = pd.DataFrame({"path": ["一（一）", "一", "closing"], "hit": ["人才", "人才", "基层"]})
    >>> hits_by_section(k, nodes).values.tolist()
    [['preamble', 0, 0], ['一', 2, 0], ['closing', 0, 1]]
    """
    parts = ["preamble", *[str(p) for p in nodes.loc[nodes["level"] == 1, "path"]], "closing"]
    section = hits["path"].astype(str).str.split("（").str[0]
    table = pd.crosstab(section, hits["hit"]).reindex(parts, fill_value=0)
    table.columns = [str(c) for c in table.columns]
    return table.rename_axis(index="section", columns=None).reset_index()


def ancestor_at_level(nodes: pd.DataFrame, level: int) -> pd.DataFrame:
    """Map each outline node to its ancestor-or-self at outline level ``level`` or above.

    Args:
        nodes: An outline node table with ``document, path, parent, level``.
        level: The outline level to lift to (1: 一, 二 …; level-0 parts stay themselves).

    Returns:
        Columns ``document, path, ancestor``: one row per node, in the table's order.

    >>> nodes = pd.DataFrame({"document": "d", "path": ["preamble", "一", "一（一）"], "parent": [None, None, "一"],
    ...                       "level": [0, 1, 2]})
    >>> ancestor_at_level(nodes, 1)["ancestor"].tolist()
    ['preamble', '一', '一']
    """
    rows = []
    for document, doc in nodes.groupby("document", sort=False):
        parent = dict(zip(doc["path"].astype(str), doc["parent"]))
        lev = dict(zip(doc["path"].astype(str), doc["level"]))
        for path in doc["path"].astype(str):
            p = path
            while lev.get(p, 0) > level and isinstance(parent.get(p), str):
                p = parent[p]
            rows.append((document, path, p))
    return pd.DataFrame(rows, columns=["document", "path", "ancestor"])
