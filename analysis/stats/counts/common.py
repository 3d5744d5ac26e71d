"""What every count of :mod:`analysis.stats.counts` starts from: the FeatureSet's tables checked, grouped
and ordered, and the term-count table (:func:`term_counts`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence


import numpy as np
import pandas as pd

from analysis.features import FeatureSet, ProfileError
from analysis.chars import HAN_CLASS
from analysis.stats.units import node_order, section_members
from analysis.types import OUTLINE_UNITS, FeatureSetLike

_HAN_PATTERN = f"[{HAN_CLASS}]"


# ---------------------------------------------------------------------------
# helpers


def _checked(fs: FeatureSet) -> FeatureSet:
    if not isinstance(fs, FeatureSet):
        raise TypeError(f"expected a FeatureSet (analysis.features.build_features, or FeatureSet.from_tables for "
                        f"hand-made tables), got {type(fs).__name__}")
    return fs


def _tokens(fs: FeatureSet) -> pd.DataFrame:
    return _checked(fs).tokens


def _term_counts(fs: FeatureSet) -> pd.DataFrame:
    """The count table of a FeatureSet (:attr:`analysis.features.FeatureSet.term_counts`), computed once with it."""
    return _checked(fs).term_counts


def _running_tokens(fs: FeatureSet, what: str) -> pd.DataFrame:
    """The tokens table, after refusing profiled documents (they hold no running text)."""
    _checked(fs).require_text(what)
    return fs.tokens


def require_texts(documents: pd.DataFrame | FeatureSetLike, what: str) -> pd.DataFrame:
    """A loaded documents table with text in every row; a FeatureSet or a row without text is refused.

    Raises:
        ProfileError: naming the profiled documents (a FeatureSet's, or rows without text).
        ValueError: when ``id`` or ``text`` is missing.
    """
    if isinstance(documents, FeatureSet):
        documents.require_text(what)
        raise ValueError(f"{what} reads running text: pass the loaded documents "
                         "(analysis.io.corpus.load_corpus), not a FeatureSet")
    missing = {"id", "text"} - set(documents.columns)
    if missing:
        raise ValueError(f"{what} needs columns {sorted(missing)}; load documents with analysis.io.corpus.load_corpus")
    no_text = documents.loc[~documents["text"].map(lambda t: isinstance(t, str)), "id"].astype(str).tolist()
    if no_text:
        raise ProfileError(f"{what} needs running text, but {', '.join(no_text)} has none (a reference profile "
                           "holds counts only); load the texts themselves")
    return documents


def _group_keys(fs: FeatureSetLike, tokens: pd.DataFrame, by: str | Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """Return (tokens with group columns, the group column names)."""
    if by is None:
        return tokens, []
    if by == "document":
        return tokens, ["document"]
    if by in OUTLINE_UNITS:
        if "path" not in tokens.columns:
            raise ValueError(f"by={by!r} needs a 'path' column in the tokens table (analysis.features adds it)")
        if by == "node":
            return tokens, ["document", "path"]
        nodes = fs.nodes
        members = section_members(nodes)
        lifted = tokens.merge(members, on=["document", "path"], how="inner", sort=False)
        lifted = lifted.drop(columns="path").rename(columns={"section": "path"})
        order = node_order(nodes)
        lifted = lifted.merge(order, on=["document", "path"], how="left").sort_values("_order", kind="stable")
        return lifted.drop(columns="_order").reset_index(drop=True), ["document", "path"]
    columns = [by] if isinstance(by, str) else list(by)
    documents = fs.documents
    missing = [c for c in columns if c not in documents.columns]
    if missing:
        usable = [c for c in documents.columns if c != "id"]
        raise ValueError(
            f"by={by!r}: no metadata column {missing}; use 'document', 'section', 'node', None or one of {usable}"
        )
    meta = documents.set_index("id")[columns]
    out = tokens.assign(**{c: tokens["document"].map(meta[c]) for c in columns})
    return out, columns


def _unique(columns: list[str]) -> list[str]:
    return list(dict.fromkeys(columns))


def _group_order(tokens: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Group keys in order of first appearance in the tokens table, with a rank column."""
    order = tokens[keys].drop_duplicates().reset_index(drop=True)
    return order.assign(_order=np.arange(len(order)))


def _eligible(tokens: pd.DataFrame, kinds: Sequence[str], stopwords: bool) -> pd.Series:
    mask = tokens["kind"].isin(list(kinds))
    if stopwords and "is_stop" in tokens.columns:
        mask &= ~tokens["is_stop"].fillna(False).astype(bool)
    return mask


def per_distinct(values: pd.Series, measure: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """A whole-number measure of each row's text, computed once per distinct value (no string per row).

    Args:
        values: A text column; a categorical's values are measured once per category.
        measure: A vectorised function of a text Series giving whole numbers (e.g.
            ``lambda s: s.str.len()``).

    Returns:
        int64 array, one value per row of ``values``; a missing value measures 0.

    >>> per_distinct(pd.Series(["人才", "基层干部", "人才", None]), lambda s: s.str.len()).tolist()
    [2, 4, 2, 0]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, distinct = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, distinct = pd.factorize(values, use_na_sentinel=True)
    measured = np.asarray(measure(pd.Series(np.asarray(distinct, dtype=object), dtype=object).astype(str)),
                          dtype=np.int64)
    return np.append(measured, 0).take(codes)  # code -1 (missing): the 0 at the end


def _text_in(values: pd.Series, wanted: Sequence[str]) -> np.ndarray:
    """``values.astype(str).isin(wanted)`` as a boolean array, tested once per distinct value (a
    categorical's categories), never with a string per row; a missing value is in no list."""
    wanted = list(wanted)
    return per_distinct(values, lambda s: s.isin(wanted)).astype(bool)


def _han_per_group(tokens: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    han = pd.Series(per_distinct(tokens["token"], lambda s: s.str.count(_HAN_PATTERN)), index=tokens.index)
    if "count" in tokens.columns:  # a term-count table: each row stands for `count` tokens
        han = han * tokens["count"]
    if not keys:
        return pd.DataFrame({"han_chars": [int(han.sum())]})
    return han.groupby([tokens[k] for k in keys], sort=False, dropna=False).sum().rename("han_chars").reset_index()


def _merge(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if keys:
        return left.merge(right, on=keys, how="left")
    return left.merge(right, how="cross")


def _sorted(table: pd.DataFrame, keys: list[str], order: pd.DataFrame, by_col: str, term_col: str) -> pd.DataFrame:
    if keys:
        table = table.merge(order, on=keys, how="left")
        table = table.sort_values(["_order", by_col, term_col], ascending=[True, False, True], kind="stable")
        table = table.drop(columns="_order")
    else:
        table = table.sort_values([by_col, term_col], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)


# ---------------------------------------------------------------------------
# term-count tables and occurrences

#: Columns of a term-count table: one row per document, outline node and distinct token.
#: It is what a reference profile stores per node (no running text); every count in
#: this module can be derived from it.
TERM_COUNT_COLUMNS = ["document", "path", "token", "kind", "is_stop", "count"]


def term_counts(fs: FeatureSetLike) -> pd.DataFrame:
    """The term-count table of a FeatureSet: how often each token occurs in each outline node.

    A FeatureSet that carries a stored table (a reference profile: attribute
    ``term_counts`` holding a DataFrame) returns it; otherwise the table is counted from
    ``fs.tokens``. Tokens of every kind are kept (punctuation and numbers too), so the
    table adds up to the document's tokens.

    Args:
        fs: A FeatureSet (``.tokens``) or a profile carrying ``term_counts``.

    Returns:
        Columns :data:`TERM_COUNT_COLUMNS`: ``document, path, token, kind, is_stop,
        count``, in order of first appearance.

    Example:
        >>> tokens = pd.DataFrame({"document": "d", "path": ["一", "一", "二"],
        ...                        "token": ["人才", "人才", "人才强国战略"], "kind": "word", "is_stop": False})
        >>> fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=tokens)
        >>> term_counts(fs)[["path", "token", "count"]].values.tolist()
        [['一', '人才', 2], ['二', '人才强国战略', 1]]
    """
    return _term_counts(fs)[TERM_COUNT_COLUMNS]
