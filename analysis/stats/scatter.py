"""The two-speech term scatter: each term's dense frequency rank in A against its rank in B, with its keyness.

Rank 1 is a side's most frequent term; terms with equal counts share a rank (dense
ranking, as in scattertext's rank scaling: Kessler 2017, *Scattertext*, ACL System
Demonstrations), and a term absent from a side gets that side's last rank + 1. The
colour is the keyness of :func:`analysis.stats.keyness.compare_terms` (Hardie's Log
Ratio, A over B, with the workbook's one significance rule), so the scatter and the
keyness table never disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.features import FeatureSet
from analysis.results import declare
from analysis.types import Selection

__all__ = ["SCATTER_COLUMNS", "term_scatter"]

#: Columns of :func:`term_scatter`.
SCATTER_COLUMNS = ["term", "f_a", "f_b", "rank_a", "rank_b", "log_ratio", "p_fdr", "significant"]


def term_scatter(fs: FeatureSet, a: Selection, b: Selection, *, top: int = 300) -> pd.DataFrame:
    """Dense frequency ranks of every term in A and in B, with Log Ratio and significance.

    Args:
        fs: A FeatureSet (full texts or profiles: term counts suffice).
        a, b: The two sides (a document id, ids, or a selection as for ``compare_terms``).
        top: Keep the terms within the ``top`` ranks of either side (0: all).

    Returns:
        :data:`SCATTER_COLUMNS`: ``term``, ``f_a``/``f_b`` (tokens on each side),
        ``rank_a``/``rank_b`` (dense, 1 = most frequent), ``log_ratio`` (A over B),
        ``p_fdr``, ``significant``; stopwords left out; sorted by rank_a + rank_b, term.
        Declared as result ``term_scatter`` with its sides.

    Example:
        >>> t = pd.DataFrame({"document": ["x"] * 3 + ["y"] * 2, "token": ["人才", "人才", "基层", "基层", "干部"],
        ...                   "kind": "word"})
        >>> fs = FeatureSet.from_tables(pd.DataFrame({"id": ["x", "y"]}), t)
        >>> term_scatter(fs, "x", "y")[["term", "rank_a", "rank_b"]].values.tolist()
        [['人才', 1, 2], ['基层', 2, 1], ['干部', 3, 1]]
    """
    from analysis.stats.keyness import compare_terms

    table = compare_terms(fs, a, b)
    out = pd.DataFrame({"term": table["term"], "f_a": table["f_target"].astype("int64"),
                        "f_b": table["f_reference"].astype("int64"), "log_ratio": table["log_ratio"],
                        "p_fdr": table["p_fdr"], "significant": table["significant"].astype(bool)})
    for side in ("a", "b"):
        counts = out[f"f_{side}"]
        present = counts > 0
        ranks = counts.where(present).rank(method="dense", ascending=False)
        last = int(ranks.max()) if present.any() else 0
        out[f"rank_{side}"] = ranks.fillna(last + 1).astype("int64")
    if top:
        out = out[(out["rank_a"] <= top) | (out["rank_b"] <= top)]
    out = out.assign(_s=out["rank_a"] + out["rank_b"]).sort_values(["_s", "term"], kind="stable")
    sides = {"a": a if isinstance(a, str) else str(a), "b": b if isinstance(b, str) else str(b)}
    return declare(out[SCATTER_COLUMNS].reset_index(drop=True), result="term_scatter", sides=sides,
                   note="dense frequency ranks (1 = most frequent); colour: Log Ratio A over B")
