"""Wide matrices for other tools (SPSS, R, Gephi): document × term counts and term × term co-occurrences.

Both are views of the count tables the other analyses read, reshaped: nothing is
counted anew. :func:`analysis.output.matrix.write_matrix` writes them as CSV or Parquet.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from analysis.features import FeatureSet

__all__ = ["document_term_matrix", "cooccurrence_matrix"]


def document_term_matrix(fs: FeatureSet, *, min_count: int = 1, stopwords: bool = False,
                         kinds: Iterable[str] = ("word", "formula")) -> pd.DataFrame:
    """Tokens of each term in each document, one row per document and one column per term.

    Args:
        fs: A FeatureSet (full texts or profiles: term counts suffice).
        min_count: Keep terms with at least this many tokens over all documents.
        stopwords: Keep stopwords.
        kinds: Token kinds that count as terms.

    Returns:
        A wide DataFrame: index ``document`` (the documents' order), columns the terms
        (most frequent first, then by term), int64 counts; its sum is the
        ``count`` of :attr:`FeatureSet.term_counts` over the kept terms.

    >>> t = pd.DataFrame({"document": ["x", "x", "y"], "token": ["人才", "基层", "人才"], "kind": "word"})
    >>> document_term_matrix(FeatureSet.from_tables(pd.DataFrame({"id": ["x", "y"]}), t)).values.tolist()
    [[1, 1], [1, 0]]
    """
    counts = fs.term_counts
    counts = counts[counts["kind"].astype(str).isin(set(kinds))]
    if not stopwords:
        counts = counts[~counts["is_stop"].astype(bool)]
    per = counts.groupby(["document", "token"], observed=True)["count"].sum().reset_index()
    per["token"] = per["token"].astype(str)
    totals = per.groupby("token")["count"].sum()
    keep = totals[totals >= min_count]
    order = sorted(keep.index, key=lambda t: (-int(keep[t]), t))
    wide = per[per["token"].isin(keep.index)].pivot(index="document", columns="token", values="count")
    ids = fs.documents["id"].astype(str).tolist()
    wide = wide.reindex(index=ids, columns=order).fillna(0).astype("int64")
    wide.index.name, wide.columns.name = "document", None
    return wide


def cooccurrence_matrix(pairs: pd.DataFrame, *, layer: str = "term") -> pd.DataFrame:
    """Units holding each pair of items, as a symmetric items × items matrix (diagonal: units holding the item).

    Args:
        pairs: :func:`analysis.stats.network.cooccurrence_pairs` (documents are pooled).
        layer: ``term`` or ``theme``.

    Returns:
        A square DataFrame, index and columns the items in alphabetical order, int64.

    >>> p = pd.DataFrame({"document": "d", "layer": "term", "term_a": ["人才", "人才", "基层"],
    ...                   "term_b": ["人才", "基层", "基层"], "cooccurrences": [3, 2, 2]})
    >>> cooccurrence_matrix(p).values.tolist()
    [[3, 2], [2, 2]]
    """
    part = pairs[pairs["layer"] == layer]
    pooled = part.groupby(["term_a", "term_b"])["cooccurrences"].sum().reset_index()
    mirror = pooled[pooled["term_a"] != pooled["term_b"]].rename(columns={"term_a": "term_b", "term_b": "term_a"})
    both = pd.concat([pooled, mirror], ignore_index=True)
    items = sorted(set(both["term_a"]))
    wide = both.pivot(index="term_a", columns="term_b", values="cooccurrences").reindex(index=items, columns=items)
    wide = wide.fillna(0).astype("int64")
    wide.index.name, wide.columns.name = "term", None
    return wide
