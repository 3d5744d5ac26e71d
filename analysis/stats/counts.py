"""Counting terms: frequencies and rates, n-grams, collocations, TF-IDF, KWIC, robustness.

Every function reads a FeatureSet-like object (anything with ``.tokens`` and
``.documents`` tables, see :mod:`analysis.features`) or, where running text is needed
(:func:`kwic`, :func:`segmentation_robustness`), a loaded documents table, and returns
a tidy DataFrame. Inputs are never changed.

What counts as a term: tokens of kind ``word`` (contains a Han character, formulas
included) and ``latin`` (GDP, 5G); see :data:`analysis.text.segment.TERM_KINDS`. Numbers,
punctuation, spaces and redaction placeholders are tokens but not terms. With
``stopwords=True`` (the default) tokens flagged ``is_stop`` are left out as well; the
FeatureSet flags them from :func:`analysis.text.segment.load_stopwords`, which is empty
when :attr:`Settings.use_stopwords` is False.

Counts say what they count (docs/methods.md, "Counting a term"): ``tokens`` is the term as
a whole token; ``occurrences`` every occurrence in the normalized text (人才 inside
人才强国战略, 改革开放 across 全面深化改革|开放), counted on the text of full texts and
stored for chosen terms in reference profiles (:func:`term_occurrences`); derived from a
term-count table (:func:`occurrences_from_counts`) it is a lower bound, flagged
``occurrences_lower_bound``. ``mid_word_matches`` counts the occurrences whose first
character completes a word with the text before it (:mod:`analysis.text.occurrences`).
Rates name their denominator: per 10,000 Han characters, ``per_10k_han = 1e4 · f / C``,
where C counts the Han characters of the group's text (all tokens, whatever their kind),
so the denominator does not depend on segmentation; per 10,000 word tokens,
``per_10k_tokens = 1e4 · f / N`` with N all term tokens of the group (stopwords
included); and ``per_10k_content_tokens`` over the term tokens that are not stopwords.
The column ``rate_of`` names the count f the rates use (``tokens`` in
:func:`term_frequencies`). With ``stopwords=True`` the counts of a group add up to its
``content_tokens``.

>>> import pandas as pd
>>> from analysis.text.segment import tokenize
>>> text = "引进人才，培养人才。"
>>> tokens = tokenize(text).assign(document="d", path="一", sentence=0, is_stop=False)
>>> fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=tokens)
>>> term_frequencies(fs)[["document", "term", "tokens", "per_10k_han"]].values.tolist()
[['d', '人才', 2, 2500.0], ['d', '培养', 1, 1250.0], ['d', '引进', 1, 1250.0]]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from analysis.features import FeatureSet, ProfileError, cached_features, count_tokens, factorize_text
from analysis.io.normalize import raw_span
from analysis.text.segment import TERM_KINDS, make_tokenizer, tokenize
from analysis.settings import Settings
from analysis.chars import HAN_CLASS, REDACTION
from analysis.stats.keyness import log_likelihood
from analysis.stats.units import node_order, section_members
from analysis.text.occurrences import count_occurrences, text_order
from analysis.types import OUTLINE_UNITS, FeatureSetLike, check_choice

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


def _inside(token: str, term: str) -> int:
    """Non-overlapping occurrences of ``term`` inside ``token`` (``str.count``)."""
    return token.count(term)


def _containment(tokens: Sequence[str], terms: set[str] | Sequence[str]) -> pd.DataFrame:
    """Pairs (token, term, n): ``term`` (≥ 2 characters) occurs n ≥ 1 times inside ``token``.

    With a small list of terms each term is searched in every token; with a large set
    (a whole vocabulary) every substring of every token is looked up in the set.
    """
    terms = [t for t in dict.fromkeys(terms) if len(t) >= 2]
    rows_token, rows_term, rows_n = [], [], []
    if len(terms) <= 50:
        for term in terms:
            for token in tokens:
                if term in token:
                    rows_token.append(token)
                    rows_term.append(term)
                    rows_n.append(_inside(token, term))
    else:
        wanted = set(terms)
        for token in tokens:
            length = len(token)
            if length < 2:
                continue
            found = {token[i:j] for i in range(length - 1) for j in range(i + 2, length + 1)} & wanted
            for term in sorted(found, key=lambda t: (token.find(t), len(t))):  # in text order, not the set's
                rows_token.append(token)
                rows_term.append(term)
                rows_n.append(_inside(token, term))
    return pd.DataFrame({"token": rows_token, "term": rows_term, "n": np.asarray(rows_n, dtype=np.int64)})


def occurrences_from_counts(
    counts: pd.DataFrame,
    terms: Sequence[str] | None = None,
    *,
    by: Sequence[str] = ("document",),
) -> pd.DataFrame:
    """Occurrences of terms derived from a term-count table alone (no running text).

    ``occurrences(t) = Σ_u count(u) · n(t, u)`` over the distinct tokens u of the group,
    where n(t, u) is the number of non-overlapping occurrences of t inside u
    (``str.count``): 人才 counts once in 人才, once in 人才强国战略 and twice in a token
    人才引进人才. Only terms of at least two characters are counted (a single character
    occurs inside too many words to mean anything). This equals the number of
    occurrences of t in the normalized text except where t straddles a token boundary
    (个人|才能 holds the characters 人才 but not the word; 全面深化改革|开放 holds
    改革开放) or is cut into several tokens (a term missing from the dictionary);
    :func:`text_occurrences` counts the text itself and :func:`occurrence_check` lists
    the difference. A redaction mark 〓 is a token of its own, so nothing is counted across
    one. The formula is the one in docs/methods.md ("Counting a term").

    Args:
        counts: A term-count table (:func:`term_counts`): ``token``, ``count`` and the
            ``by`` columns.
        terms: The terms to count; None for every token of two or more characters in
            the table (then a term found only inside longer tokens is not listed unless
            it is also a token somewhere in the table).
        by: Group columns of ``counts`` (e.g. ``("document",)``, ``("document", "path")``
            or ``()`` for the whole table).

    Returns:
        One row per group and term with at least one occurrence: the ``by`` columns,
        ``term``, ``occurrences`` (int64). Unsorted.

    Example:
        >>> counts = pd.DataFrame({"document": "d", "token": ["人才", "人才强国战略", "个人"], "count": [3, 2, 1]})
        >>> occurrences_from_counts(counts, ["人才", "强国"])[["term", "occurrences"]].values.tolist()
        [['人才', 5], ['强国', 2]]
    """
    keys = list(by)
    # each group's distinct tokens first (a long document's table repeats a token in thousands of nodes);
    # groups and tokens in order of first appearance, so the result's order is the one of the rows
    summed = (counts[[*keys, "token", "count"]]
              .groupby([*keys, "token"], sort=False, dropna=False, observed=True)["count"].sum().reset_index())
    vocabulary = summed["token"].astype(str)
    if terms is None:
        terms = [t for t in pd.unique(vocabulary) if len(t) >= 2]
    unique_tokens = pd.unique(vocabulary).tolist()
    pairs = _containment(unique_tokens, terms)
    columns = [*keys, "term", "occurrences"]
    if pairs.empty:
        return pd.DataFrame(columns=columns).astype({"occurrences": "int64"})
    joined = (summed.assign(token=vocabulary, _row=np.arange(len(summed)))
              .merge(pairs.assign(_pair=np.arange(len(pairs))), on="token")
              .sort_values(["_row", "_pair"], kind="stable"))  # rows in order, each token's terms in the pairs' order
    joined["occurrences"] = joined["count"].astype("int64") * joined["n"]
    if keys:
        out = joined.groupby([*keys, "term"], sort=False, dropna=False)["occurrences"].sum().reset_index()
    else:
        out = joined.groupby("term", sort=False)["occurrences"].sum().reset_index()
    return out[columns].astype({"occurrences": "int64"})


#: Columns of :func:`term_occurrences`.
TERM_OCCURRENCE_COLUMNS = ["document", "path", "term", "occurrences", "mid_word_matches", "occurrences_lower_bound"]


def _occurrence_routes(fs: FeatureSetLike) -> dict[str, Any]:
    """How each document's occurrences are counted: ``True`` on its text (exact for every term), a
    frozenset (a profile: exact for the terms it stored, a lower bound for others) or None (a
    lower bound for every term: counts only, nothing stored)."""
    ids = [str(i) for i in fs.documents["id"]]
    profiled = set(fs.profiled)
    tokens = fs.tokens
    has_offsets = {"start", "end"} <= set(tokens.columns)
    stored = fs.stored.term_occurrences if fs.stored is not None else None
    stored_sets: dict[str, frozenset] = {}
    if isinstance(stored, pd.DataFrame) and len(stored):  # each document's distinct terms, not a str per row
        distinct = stored.groupby(stored["document"].astype(str), sort=False)["term"].unique()
        for doc, terms in zip(distinct.index, distinct.to_numpy()):
            stored_sets[doc] = frozenset(str(t) for t in terms)
    routes: dict[str, Any] = {}
    for doc in ids:
        if doc in profiled:
            routes[doc] = stored_sets.get(doc)
        else:
            routes[doc] = True if has_offsets else None
    return routes


def _countable(terms: Sequence[str]) -> list[str]:
    """The terms occurrences are counted for (two characters or more, no 〓, no whitespace), in order."""
    return [t for t in dict.fromkeys(str(t) for t in terms)
            if len(t) >= 2 and REDACTION not in t and not any(c.isspace() for c in t)]


def term_occurrences(fs: FeatureSetLike, terms: Sequence[str], *, per_node: bool = True) -> pd.DataFrame:
    """Occurrences of terms per document and outline node: on the text wherever there is one.

    Three routes, chosen per document (and, on a profile, per term):

    - a full text (a FeatureSet document with tokens): counted on the normalized text
      (:func:`analysis.text.occurrences.count_occurrences`), exact: the count equals
      :func:`text_occurrences`, hits straddling token boundaries included (全面深化改革|开放
      holds 改革开放); ``mid_word_matches`` counts those that start mid-word
      (创|新发展理念, see :mod:`analysis.text.occurrences` for the rule);
    - a reference profile, for the terms it stored when it was built (the dictionary's
      formulas and the default tracked terms, :func:`analysis.text.occurrences.profile_terms`):
      the stored counts, also exact;
    - otherwise (other terms on a profile, ``counts_only`` documents, a tokens table
      without offsets): derived from the term-count table (:func:`occurrences_from_counts`),
      which misses hits across token boundaries: ``occurrences_lower_bound`` is True and
      ``mid_word_matches`` <NA>.

    Args:
        fs: A FeatureSet (full texts, profiles or both; :meth:`analysis.features.FeatureSet.from_tables` for hand-made tables).
        terms: Terms of at least two characters (shorter ones, and terms holding 〓 or
            whitespace, are left out).
        per_node: False: one row per document and term, ``path`` None (the document's
            nodes summed).

    Returns:
        One row per document, node and term with at least one occurrence, in document
        order: :data:`TERM_OCCURRENCE_COLUMNS` (``document``, ``path``, ``term``,
        ``occurrences``, ``mid_word_matches`` (Int64), ``occurrences_lower_bound``). A
        document with no row for a term has no occurrence of it (a lower bound when
        :func:`occurrences_lower_bound` says so).

    Example:
        >>> from analysis.features import build_features
        >>> docs = pd.DataFrame({"id": ["d"], "text": ["一、全面深化改革开放\\n坚持改革开放，创新发展理念。"]})
        >>> fs = build_features(docs, progress=False, cache=False)
        >>> term_occurrences(fs, ["改革开放", "新发展理念"]).values.tolist()
        [['d', '一', '改革开放', 2, 0, False], ['d', '一', '新发展理念', 1, 1, False]]
    """
    return _term_occurrences(fs, _countable(terms), per_node=per_node)


def _term_occurrences(fs: FeatureSetLike, terms: list[str], *, per_node: bool) -> pd.DataFrame:
    """:func:`term_occurrences` of terms that are countable already (:func:`_countable`: a batch's whole
    vocabulary is not checked again for each batch)."""
    columns = TERM_OCCURRENCE_COLUMNS
    routes = _occurrence_routes(fs)
    frames = []
    text_docs = [d for d, r in routes.items() if r is True]
    if text_docs and terms:
        tokens = _tokens(fs)
        if len(text_docs) < len(routes):
            tokens = tokens[_text_in(tokens["document"], text_docs)]
        found = count_occurrences(tokens, terms, per_node=per_node)
        frames.append(found.assign(mid_word_matches=pd.array(found["mid_word_matches"], dtype="Int64"),
                                   occurrences_lower_bound=False))
    stored = fs.stored.term_occurrences if fs.stored is not None else None
    stored_docs = [d for d, r in routes.items() if isinstance(r, frozenset)]
    if stored_docs and terms:
        part = stored[_text_in(stored["document"], stored_docs) & stored["term"].isin(terms).to_numpy()
                      & stored["path"].notna().to_numpy() & (stored["occurrences"] > 0).to_numpy()]
        if not per_node:
            part = (part.groupby(["document", "term"], sort=False, observed=True)[["occurrences", "mid_word_matches"]]
                    .sum().reset_index().assign(path=None))
        frames.append(part.assign(mid_word_matches=pd.array(part["mid_word_matches"], dtype="Int64"),
                                  occurrences_lower_bound=False))
    # the counts route: every term of a document without text or storage, the unstored terms of a profile;
    # documents grouped by their route (equal stored sets: the same terms wanted), each route's terms listed once
    by_route: dict[Any, list[str]] = {}
    for doc, route in routes.items():
        if route is not True:
            by_route.setdefault(route, []).append(doc)
    by_terms: dict[tuple, list[str]] = {}
    for route, docs in by_route.items():
        wanted = tuple(terms) if route is None else tuple(t for t in terms if t not in route)
        if wanted:
            by_terms.setdefault(wanted, []).extend(docs)
    if by_terms:
        counts = _term_counts(fs)
        rank = {d: i for i, d in enumerate(routes)}
        for wanted, docs in by_terms.items():
            docs.sort(key=rank.__getitem__)  # in document order, as one list per document gave them
            part = counts[_text_in(counts["document"], docs)]
            by = ["document", "path"] if per_node and "path" in part.columns else ["document"]
            derived = occurrences_from_counts(part, list(wanted), by=by)
            if "path" not in derived.columns:
                derived["path"] = None
            derived = derived[derived["occurrences"] > 0]
            frames.append(derived.assign(mid_word_matches=pd.array([pd.NA] * len(derived), dtype="Int64"),
                                         occurrences_lower_bound=True))
    frames = [f[columns] for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=("int64" if c == "occurrences" else "Int64" if c == "mid_word_matches"
                                                 else bool if c == "occurrences_lower_bound" else object))
                             for c in columns})
    table = pd.concat(frames, ignore_index=True)
    rank = {d: i for i, d in enumerate(routes)}
    table = table.iloc[np.argsort(per_distinct(table["document"], lambda s: s.map(rank)), kind="stable")]
    return table.astype({"occurrences": "int64", "occurrences_lower_bound": bool}).reset_index(drop=True)


def occurrences_lower_bound(fs: FeatureSetLike, table: pd.DataFrame, keys: Sequence[str],
                            groups: pd.DataFrame | None = None, *, term: str = "term") -> np.ndarray:
    """For each row of ``table`` (a group and a term): are its occurrences only a lower bound?

    They are when a document of the group counts the term from its term-count table (see
    :func:`term_occurrences`): a profile that did not store the term, or a document
    without text.

    Args:
        fs: The FeatureSet the table was computed from.
        table: Rows with the ``keys`` columns and a term column.
        keys: The group columns (``[]`` for one group of all documents).
        groups: The (``keys``, ``document``) pairs of the grouping; not needed when
            ``document`` is one of the keys or there are no keys.
        term: The name of the term column.

    Returns:
        A boolean array aligned with ``table``.

    Example:
        >>> tokens = pd.DataFrame({"document": "d", "token": ["人才"], "kind": "word", "is_stop": False})
        >>> hand = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=tokens)  # no offsets: no text
        >>> occurrences_lower_bound(hand, pd.DataFrame({"document": ["d"], "term": ["人才"]}), ["document"]).tolist()
        [True]
    """
    routes = _occurrence_routes(fs)
    exact_for_all = {d for d, r in routes.items() if r is True}
    if len(exact_for_all) == len(routes):
        return np.zeros(len(table), dtype=bool)
    keys = list(keys)
    if "document" in keys:
        # judged per distinct document and, for the documents sharing one stored set, per row once
        codes, distinct = pd.factorize(table["document"].astype(str), use_na_sentinel=False)
        route_of = [routes.get(d) for d in distinct]
        out = np.array([r is None for r in route_of], dtype=bool)[codes] if len(codes) else np.zeros(0, dtype=bool)
        sharing: dict[frozenset, list[int]] = {}
        for i, r in enumerate(route_of):
            if isinstance(r, frozenset):
                sharing.setdefault(r, []).append(i)
        if sharing:
            terms = table[term].astype(str)
            for stored, members in sharing.items():
                out |= np.isin(codes, members) & ~terms.isin(stored).to_numpy(dtype=bool)
        return out
    if not keys:
        members = pd.DataFrame({"_group": 0, "document": list(routes)})
        row_group = np.zeros(len(table), dtype=np.int64)
    else:
        pairs = groups[[*keys, "document"]].drop_duplicates()
        labels = pairs[keys].drop_duplicates().reset_index(drop=True).assign(_group=lambda t: np.arange(len(t)))
        members = pairs.merge(labels, on=keys, how="left")[["_group", "document"]]
        row_group = table[keys].merge(labels, on=keys, how="left")["_group"].fillna(-1).to_numpy(dtype=np.int64)
    members = members.assign(document=members["document"].astype(str))
    route = members["document"].map(routes)
    never = set(members.loc[route.isna(), "_group"])
    out = np.isin(row_group, list(never))
    kinds = {r for r in route if isinstance(r, frozenset)}
    terms = table[term].astype(str)
    for stored in kinds:
        with_it = set(members.loc[route.map(lambda r, s=stored: r == s), "_group"])
        out |= np.isin(row_group, list(with_it)) & ~terms.isin(stored).to_numpy()
    return out


def text_occurrences(text: str, term: str) -> int:
    """Occurrences of ``term`` in a normalized text, counted on the text itself.

    Every non-overlapping occurrence (``str.count``), inside longer words too, never
    across a redaction mark 〓 (a term holding 〓 is refused). This is the full-text
    route to the count that :func:`occurrences_from_counts` derives from a term-count
    table.

    Raises:
        ValueError: for a term shorter than two characters or holding 〓.

    >>> text_occurrences("实施人才强国战略，引进人才。〓〓人才", "人才")
    3
    """
    if len(term) < 2:
        raise ValueError(f"term {term!r}: occurrences are counted for terms of at least two characters")
    if REDACTION in term:
        raise ValueError(f"term {term!r} holds the redaction mark 〓; occurrences never cross a redaction")
    return sum(part.count(term) for part in text.split(REDACTION))


def occurrence_check(fs: FeatureSetLike, documents: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """Check the FeatureSet's ``occurrences`` against the text, document by document.

    Args:
        fs: A FeatureSet built from ``documents``.
        documents: The loaded documents (``id``, ``text``).
        terms: Terms of at least two characters.

    Returns:
        One row per document and term: ``document``, ``term``, ``occurrences`` (what the
        analyses report, :func:`term_occurrences`: counted on the text for full texts),
        ``mid_word_matches`` (of those, matches starting mid-word; <NA> where counted from
        term counts), ``occurrences_lower_bound``, ``text_occurrences``
        (:func:`text_occurrences` on the loaded text: the independent count),
        ``occurrences_within_tokens`` (derived from the term-count table alone,
        :func:`occurrences_from_counts`: what a profile knows of a term it did not store)
        and ``across_tokens`` (text − within tokens: occurrences that straddle a token
        boundary or span several tokens). In document order, then term order.

    Raises:
        ValueError: when a document of ``fs`` has no text in ``documents``, or for a
            term shorter than two characters.

    >>> from analysis.features import build_features
    >>> docs = pd.DataFrame({"id": ["d"], "text": ["实施人才强国战略，发挥个人才能。"]})
    >>> fs = build_features(docs, progress=False, cache=False)
    >>> occurrence_check(fs, docs, ["人才"])[["occurrences", "text_occurrences", "across_tokens"]].values.tolist()
    [[2, 2, 1]]
    """
    terms = list(dict.fromkeys(terms))
    for term in terms:
        text_occurrences("", term)  # refuses a term that cannot be counted
    texts = documents.assign(id=documents["id"].astype(str)).set_index("id")["text"]
    ids = [str(i) for i in fs.documents["id"]]
    missing = [i for i in ids if i not in texts.index or not isinstance(texts[i], str)]
    if missing:
        raise ValueError(f"no text for documents {missing[:5]}; pass the documents the FeatureSet was built from")
    derived = occurrences_from_counts(term_counts(fs), terms, by=["document"])
    derived = derived.assign(document=derived["document"].astype(str)).set_index(["document", "term"])["occurrences"]
    reported = term_occurrences(fs, terms)
    reported = reported.assign(document=reported["document"].astype(str)).groupby(["document", "term"], sort=False)
    summed = reported.agg(occurrences=("occurrences", "sum"), mid_word_matches=("mid_word_matches", "sum"))
    lower = occurrences_lower_bound(fs, pd.DataFrame([(d, t) for d in ids for t in terms], columns=["document", "term"]),
                                    ["document"])
    rows = []
    for k, (doc, term) in enumerate((d, t) for d in ids for t in terms):
        from_text = text_occurrences(texts[doc], term)
        within = int(derived.get((doc, term), 0))
        occ = int(summed["occurrences"].get((doc, term), 0))
        mid = pd.NA if lower[k] else int(summed["mid_word_matches"].get((doc, term), 0))
        rows.append((doc, term, occ, mid, bool(lower[k]), from_text, within, from_text - within))
    columns = ["document", "term", "occurrences", "mid_word_matches", "occurrences_lower_bound", "text_occurrences",
               "occurrences_within_tokens", "across_tokens"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"occurrences": "int64", "mid_word_matches": "Int64", "occurrences_lower_bound": bool,
                         "text_occurrences": "int64", "occurrences_within_tokens": "int64", "across_tokens": "int64"})


# ---------------------------------------------------------------------------
# frequencies


def _grouped_occurrences(fs: FeatureSetLike, terms: Sequence[str], by, keys: list[str]) -> pd.DataFrame:
    """:func:`term_occurrences` summed over the groups of ``by``: keys, term, occurrences, mid_word_matches."""
    nodes = _term_occurrences(fs, list(terms), per_node=by in OUTLINE_UNITS)  # the vocabulary: countable already
    if by in OUTLINE_UNITS and not nodes["path"].notna().all():
        nodes = nodes[nodes["path"].notna()]
    grouped, _ = _group_keys(fs, nodes.drop(columns="occurrences_lower_bound"), by)
    if not keys:
        grouped = grouped.assign(_all=0)
    summed = (grouped.groupby([*(keys or ["_all"]), "term"], sort=False, dropna=False)
              .agg(occurrences=("occurrences", "sum"), mid_word_matches=("mid_word_matches", "sum"))
              .reset_index())
    return summed.drop(columns="_all", errors="ignore")


def term_frequencies(
    fs: FeatureSetLike,
    *,
    by: str | Sequence[str] | None = "document",
    stopwords: bool = True,
    min_count: int = 1,
    kinds: Sequence[str] = TERM_KINDS,
) -> pd.DataFrame:
    """Count terms per document, per outline section, per metadata group, or overall.

    Each term gets both counts: ``tokens`` (as a whole token) and ``occurrences``
    (every occurrence in the normalized text, inside longer tokens and across token
    boundaries too, :func:`term_occurrences`; terms of one character have none). On a
    full text ``occurrences`` equals :func:`text_occurrences`; on a reference profile it
    is exact for the terms the profile stored and a lower bound for the others
    (``occurrences_lower_bound``). A term that occurs in a group only inside longer
    tokens (人才 inside 人才强国战略) is a row with ``tokens`` 0, provided it is a token
    somewhere in the FeatureSet. Rates follow docs/methods.md and are rates of ``tokens``
    (``rate_of``).

    Args:
        fs: A FeatureSet (``.tokens`` and ``.documents``), e.g. from
            :func:`analysis.features.build_features` (or :meth:`analysis.features.FeatureSet.from_tables`).
        by: ``"document"``; ``"section"`` (document and outline path: each node with its
            sub-points, so 三 includes 三（一）…); ``"node"`` (each node's own text, sub-points
            excluded: the nodes partition the document); a metadata column of ``fs.documents`` or a list
            of them (e.g. ``"year"``, ``["level", "year"]``); or None for all documents
            together.
        stopwords: Leave out tokens flagged ``is_stop``.
        min_count: Drop rows with fewer tokens and fewer occurrences (the remaining
            counts then no longer add up to ``content_tokens``).
        kinds: Token kinds that count as terms.

    Returns:
        One row per group and term: the group columns (``document``; ``document,
        path``; the metadata columns; none), ``term``, ``tokens``, ``occurrences``
        (Int64, <NA> for one-character terms), ``mid_word_matches`` (Int64: occurrences
        whose first character completes a word with the text before it, as 新发展理念 in
        创新发展理念, see :mod:`analysis.text.occurrences`; <NA> where unknown),
        ``occurrences_lower_bound`` (True where a document of the group counts the term
        from its term-count table only), ``rate_of`` (``"tokens"``),
        ``per_10k_han``, ``per_10k_tokens``, ``per_10k_content_tokens``, ``doc_freq``
        (documents containing the term as a token: within the group for metadata
        groupings, in the whole FeatureSet otherwise), ``han_chars``, ``word_tokens``
        (all term tokens of the group) and ``content_tokens`` (those not stopwords):
        the group's denominators. Sorted by group (first appearance), then tokens
        descending, then occurrences descending, then term.

    Raises:
        ValueError: when ``by`` names no column, or the tokens table lacks columns.

    Example:
        >>> import pandas as pd
        >>> tokens = pd.DataFrame({
        ...     "document": ["a", "a", "a", "b"], "path": ["一", "一", "二", "一"],
        ...     "token": ["人才", "人才", "基层", "人才"], "kind": "word", "is_stop": False})
        >>> fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["a", "b"], "year": [2023, 2024]}), tokens=tokens)
        >>> term_frequencies(fs, by="node")[["document", "path", "term", "tokens", "doc_freq"]].values.tolist()
        [['a', '一', '人才', 2, 2], ['a', '二', '基层', 1, 1], ['b', '一', '人才', 1, 2]]
        >>> term_frequencies(fs, by=None)[["term", "tokens", "per_10k_tokens"]].values.tolist()
        [['人才', 3, 7500.0], ['基层', 1, 2500.0]]
        >>> compound = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["c"]}), tokens=pd.DataFrame(
        ...     {"document": "c", "token": ["人才", "人才强国战略"], "kind": "word", "is_stop": False}))
        >>> term_frequencies(compound)[["term", "tokens", "occurrences"]].values.tolist()
        [['人才', 1, 2], ['人才强国战略', 1, 1]]
    """
    return _term_frequencies(fs, by=by, stopwords=stopwords, min_count=min_count, kinds=kinds)


def _frequency_base(fs: FeatureSetLike, by, stopwords: bool, kinds: Sequence[str]) -> SimpleNamespace:
    """The count table :func:`term_frequencies` starts from: one row per group, document and distinct token."""
    counts_table = _term_counts(fs)
    # Text columns held as categoricals (counts streamed from many files) come out as text, as from tokens.
    compact = {("term" if c == "token" else c) for c in ("document", "path", "token")
               if c in counts_table.columns and isinstance(counts_table[c].dtype, pd.CategoricalDtype)}
    if by == "section" and "path" not in counts_table.columns:
        raise ValueError("by='section' needs a 'path' column in the tokens table (analysis.features adds it)")
    # The token's own kind and stop flag, kept apart from a metadata column of the same name
    # (by="kind"), before grouping: by="section" repeats a row for each section holding its node.
    stop = counts_table["is_stop"].fillna(False).astype(bool) if "is_stop" in counts_table.columns else False
    counts_table = counts_table.assign(_kind=counts_table["kind"], _stop=stop)
    grouped, keys = _group_keys(fs, counts_table, by)
    order = _group_order(grouped, keys) if keys else None
    # One count table per group, document and distinct token; everything else (Han characters,
    # denominators, document frequencies, occurrences) is computed on it.
    base_keys = _unique([*keys, "document"])
    base = (grouped
            .groupby([*base_keys, "token", "_kind", "_stop"], sort=False, dropna=False)["count"].sum()
            .rename("n").reset_index())
    base["_han"] = per_distinct(base["token"], lambda s: s.str.count(_HAN_PATTERN)) * base["n"].to_numpy()
    words = base["_kind"].isin(list(kinds))
    eligible = words & ~base["_stop"] if stopwords else words
    base["_word"] = np.where(words, base["n"], 0)
    base["_content"] = np.where(words & ~base["_stop"], base["n"], 0)
    if keys:
        totals = base.groupby(keys, sort=False, dropna=False).agg(
            word_tokens=("_word", "sum"), content_tokens=("_content", "sum"), han_chars=("_han", "sum")).reset_index()
    else:
        totals = pd.DataFrame({"word_tokens": [int(base["_word"].sum())], "content_tokens": [int(base["_content"].sum())],
                               "han_chars": [int(base["_han"].sum())]})
    return SimpleNamespace(compact=compact, keys=keys, order=order, base=base, terms=base[eligible], totals=totals)


def _term_frequencies(fs: FeatureSetLike, *, by, stopwords: bool, min_count: int, kinds: Sequence[str],
                      vocabulary: Sequence[str] | None = None, doc_freq: pd.Series | None = None) -> pd.DataFrame:
    """:func:`term_frequencies`; ``vocabulary`` (the countable terms) and ``doc_freq`` (documents per term,
    indexed by term) given when ``fs`` is one batch of a larger FeatureSet (:func:`term_frequency_batches`)."""
    start = _frequency_base(fs, by, stopwords, kinds)
    compact, keys, order, base, terms, totals = (start.compact, start.keys, start.order, start.base, start.terms,
                                                 start.totals)
    counts = terms.groupby([*keys, "token"], sort=False, dropna=False)["n"].sum().rename("tokens").reset_index()
    meta_grouping = bool(keys) and keys not in (["document"], ["document", "path"])  # doc_freq over the whole set
    df_keys = [*keys, "token"] if meta_grouping else ["token"]
    if doc_freq is None:
        doc_freq = terms.groupby(df_keys, sort=False, dropna=False)["document"].nunique().rename("doc_freq").reset_index()
        vocabulary = _countable(pd.unique(terms["token"].astype(str)))
    else:  # the whole FeatureSet's, from the first pass of term_frequency_batches (countable terms already)
        doc_freq = doc_freq.rename("doc_freq").rename_axis("token").reset_index()
    occ = _grouped_occurrences(fs, vocabulary, by, keys).rename(columns={"term": "token"})
    table = counts.merge(occ, on=[*keys, "token"], how="outer") if keys else counts.merge(occ, on="token", how="outer")
    table["tokens"] = table["tokens"].fillna(0).astype("int64")
    # A row's term is in the vocabulary exactly when it is countable: the rows' terms are the
    # counted tokens (whose countable ones make the vocabulary) and the vocabulary's occurrences.
    # Tested per distinct term, not per row against a set of the whole vocabulary.
    codes, distinct = pd.factorize(table["token"].astype(str), use_na_sentinel=False)
    known = set(vocabulary)
    single = pd.Series(~np.array([d in known for d in distinct], dtype=bool)[codes] if len(codes) else
                       np.zeros(0, dtype=bool), index=table.index)
    table["occurrences"] = pd.array(table["occurrences"].fillna(0).astype("int64"), dtype="Int64")
    table.loc[single, "occurrences"] = pd.NA
    table["mid_word_matches"] = pd.array(table["mid_word_matches"], dtype="Int64")
    table.loc[table["mid_word_matches"].isna() & ~single, "mid_word_matches"] = 0
    table.loc[single, "mid_word_matches"] = pd.NA
    group_docs = base[[*keys, "document"]] if keys and "document" not in keys else None
    lower = occurrences_lower_bound(fs, table, keys, group_docs, term="token")
    table["occurrences_lower_bound"] = lower & ~single.to_numpy()
    table.loc[table["occurrences_lower_bound"], "mid_word_matches"] = pd.NA
    table = table.merge(doc_freq, on=df_keys, how="left")
    table["doc_freq"] = table["doc_freq"].fillna(0)
    table = _merge(table, totals, keys)
    table = table.rename(columns={"token": "term"})
    table["rate_of"] = "tokens"
    table["per_10k_han"] = 1e4 * table["tokens"] / table["han_chars"].where(table["han_chars"] > 0, np.nan)
    table["per_10k_tokens"] = 1e4 * table["tokens"] / table["word_tokens"].where(table["word_tokens"] > 0, np.nan)
    table["per_10k_content_tokens"] = 1e4 * table["tokens"] / table["content_tokens"].where(table["content_tokens"] > 0, np.nan)
    keep = (table["tokens"] >= min_count) | (table["occurrences"].fillna(0) >= min_count)
    table = table[keep]
    columns = [*keys, "term", "tokens", "occurrences", "mid_word_matches", "occurrences_lower_bound", "rate_of",
               "per_10k_han", "per_10k_tokens", "per_10k_content_tokens", "doc_freq", "han_chars", "word_tokens",
               "content_tokens"]
    table = table[columns].astype({"doc_freq": "int64", "han_chars": "int64", "word_tokens": "int64",
                                   "content_tokens": "int64"})
    table = table.assign(_occ=table["occurrences"].fillna(0))
    if keys:
        table = table.merge(order, on=keys, how="left")
        table = table.sort_values(["_order", "tokens", "_occ", "term"], ascending=[True, False, False, True], kind="stable")
        table = table.drop(columns="_order")
    else:
        table = table.sort_values(["tokens", "_occ", "term"], ascending=[False, False, True], kind="stable")
    table = table.drop(columns="_occ").reset_index(drop=True)
    return table.astype({c: "str" for c in compact if c in table.columns}) if compact else table


#: Groupings :func:`analysis.stats.batched.term_frequency_batches` computes batch by batch (each group lies
#: inside one document).
BATCHED_BY = ("document", "section", "node")


def _runs(tokens: pd.DataFrame, eligible: pd.Series) -> np.ndarray:
    """Run ids: consecutive eligible tokens of one sentence share an id; others get -1."""
    doc = tokens["document"].astype(str).to_numpy()
    sent = tokens["sentence"].to_numpy() if "sentence" in tokens.columns else np.zeros(len(tokens), dtype=np.int64)
    ok = eligible.to_numpy()
    new = np.ones(len(tokens), dtype=bool)
    if len(tokens):
        new[1:] = (doc[1:] != doc[:-1]) | (sent[1:] != sent[:-1]) | ~ok[:-1]
    run = np.cumsum(new)
    return np.where(ok, run, -1)


def _in_text_order(tokens: pd.DataFrame) -> pd.DataFrame:
    """The tokens by document (a categorical's category order, else first appearance), then start; the table
    itself when already so (no copy)."""
    if "start" not in tokens.columns or len(tokens) < 2:
        return tokens.reset_index(drop=True)
    doc, _ = pd.factorize(tokens["document"], sort=isinstance(tokens["document"].dtype, pd.CategoricalDtype))
    order = text_order(doc, pd.to_numeric(tokens["start"]).to_numpy(dtype="float64", na_value=np.nan))
    return tokens.reset_index(drop=True) if order is None else tokens.take(order).reset_index(drop=True)


def _sorted_codes(values: pd.Series, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``values[mask]`` as text, numbered in sorted order, and the distinct texts (as
    ``pd.factorize(values.astype(str)[mask], sort=True)``, without a Python string per row)."""
    codes, texts = factorize_text(values[mask])
    names = np.asarray(texts, dtype=object)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    return rank[codes], names[order]


def ngrams(
    fs: FeatureSetLike,
    *,
    n: int = 2,
    by: str | Sequence[str] | None = "document",
    stopwords: bool = True,
    min_count: int = 1,
    kinds: Sequence[str] = TERM_KINDS,
) -> pd.DataFrame:
    """Count n-grams of consecutive terms within a sentence.

    An n-gram never crosses a sentence boundary, a non-term token (punctuation,
    number, redaction) or, with ``stopwords=True``, a stopword: 加强|人才|工作 gives
    加强 人才 and 人才 工作, while 人才、基层 gives none.

    Args:
        fs: A FeatureSet (``.tokens``; ``sentence`` and ``start`` columns are used
            when present).
        n: Length of the n-grams (2 or more).
        by: Grouping, as in :func:`term_frequencies`.
        stopwords: Break n-grams at tokens flagged ``is_stop``.
        min_count: Drop n-grams with fewer hits.
        kinds: Token kinds that count as terms.

    Returns:
        One row per group and n-gram: the group columns, ``ngram`` (terms joined by a
        space), ``count``, ``per_10k_han``, ``doc_freq`` (as in
        :func:`term_frequencies`). Sorted by group, count descending, n-gram.

    Raises:
        ValueError: when ``n`` < 2.

    Example:
        >>> from analysis.text.segment import tokenize
        >>> t = tokenize("全力引进人才，全力引进人才。").assign(document="d", sentence=0, is_stop=False)
        >>> fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=t)
        >>> ngrams(fs, n=2)[["ngram", "count"]].values.tolist()
        [['全力 引进', 2], ['引进 人才', 2]]
        >>> ngrams(fs, n=3)[["ngram", "count"]].values.tolist()
        [['全力 引进 人才', 2]]
    """
    if n < 2:
        raise ValueError(f"n={n}: n-grams need n >= 2 (use term_frequencies for single terms)")
    tokens = _in_text_order(_running_tokens(fs, "ngrams"))
    grouped, keys = _group_keys(fs, tokens, by)
    order = _group_order(grouped, keys) if keys else None
    han = _han_per_group(grouped, keys)
    run = _runs(grouped, _eligible(grouped, kinds, stopwords))
    words = grouped["token"].astype(str).to_numpy()
    m = len(words) - n + 1
    if m <= 0:
        return pd.DataFrame(columns=[*keys, "ngram", "count", "per_10k_han", "doc_freq"])
    valid = run[:m] >= 0
    for k in range(1, n):
        valid &= run[k : k + m] == run[:m]
    idx = np.flatnonzero(valid)
    grams = pd.Series(words[idx], dtype=object)
    for k in range(1, n):
        grams = grams + " " + pd.Series(words[idx + k], dtype=object)
    found = grouped.iloc[idx][_unique([*keys, "document"])].reset_index(drop=True).assign(ngram=grams.to_numpy())
    counts = found.groupby([*keys, "ngram"], sort=False, dropna=False).size().rename("count").reset_index()
    meta_grouping = bool(keys) and keys not in (["document"], ["document", "path"])  # doc_freq over the whole set
    df_keys = [*keys, "ngram"] if meta_grouping else ["ngram"]
    doc_freq = found.groupby(df_keys, sort=False, dropna=False)["document"].nunique().rename("doc_freq").reset_index()
    table = _merge(counts.merge(doc_freq, on=df_keys, how="left"), han, keys)
    table["per_10k_han"] = 1e4 * table["count"] / table["han_chars"].where(table["han_chars"] > 0, np.nan)
    table = table[table["count"] >= min_count][[*keys, "ngram", "count", "per_10k_han", "doc_freq"]]
    return _sorted(table.astype({"count": "int64", "doc_freq": "int64"}), keys, order, "count", "ngram")


# ---------------------------------------------------------------------------
# collocations


def collocations(
    fs: FeatureSetLike,
    *,
    term: str | None = None,
    window: int = 5,
    stopwords: bool = True,
    min_count: int = 3,
    statistic: str = "g2",
    kinds: Sequence[str] = TERM_KINDS,
) -> pd.DataFrame:
    """Score pairs of terms that co-occur within a window of the same sentence.

    Counting (Evert 2008, "Corpora and collocations", in Lüdeling & Kytö (eds.),
    *Corpus Linguistics. An International Handbook*, art. 58, on surface
    co-occurrence): every ordered pair (node, collocate) of counted terms at most
    ``window`` term positions apart in one sentence is one co-occurrence; the pair
    table is symmetric. For a pair (a, b): O11 = co-occurrences, R1 = pairs with node
    a, C1 = pairs with collocate b, N = all pairs, E11 = R1·C1/N, and the 2×2 table
    O11, O12 = R1−O11, O21 = C1−O11, O22 = N−R1−C1+O11.

    Statistics: pointwise mutual information PMI = log2(O11/E11) (Church & Hanks 1990,
    Computational Linguistics 16:22); log-likelihood G² = 2 Σ O ln(O/E) over the 2×2
    table (Dunning 1993, Computational Linguistics 19:61; computed by
    :func:`analysis.stats.keyness.log_likelihood`), signed: negative when O11 < E11;
    p from the χ² distribution with 1 degree of freedom.

    Args:
        fs: A FeatureSet (``.tokens`` with ``sentence`` when present).
        term: Only pairs with this node (its collocates); None for all pairs, each
            unordered pair listed once (term1 < term2).
        window: Maximum distance in counted term positions (≥ 1).
        stopwords: Leave stopwords out before measuring distances.
        min_count: Minimum co-occurrences (O11) for a pair to be listed.
        statistic: Sort by ``"g2"`` or ``"pmi"``.
        kinds: Token kinds that count as terms.

    Returns:
        One row per pair: ``term1``, ``term2``, ``cooccurrences`` (O11), ``expected``
        (E11), ``node_pairs`` (R1), ``collocate_pairs`` (C1), ``pairs`` (N), ``pmi``,
        ``g2``, ``p``. Sorted by the statistic descending, then term1, term2.

    Raises:
        ValueError: for an unknown statistic or a window below 1.

    Example:
        >>> from analysis.text.segment import tokenize
        >>> t = tokenize("引进人才。培养人才。引进人才。").assign(document="d", is_stop=False)
        >>> t = t.assign(sentence=(t["token"] == "。").cumsum().shift(fill_value=0))
        >>> fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=t)
        >>> collocations(fs, term="人才", min_count=1)[["term2", "cooccurrences"]].values.tolist()
        [['引进', 2], ['培养', 1]]
    """
    check_choice("statistic", statistic, ("g2", "pmi"), caller="collocations")
    if window < 1:
        raise ValueError(f"window={window}: use a window of at least 1")
    from scipy.stats import chi2

    tokens = _in_text_order(_running_tokens(fs, "collocations"))
    eligible = _eligible(tokens, kinds, stopwords).to_numpy()
    columns = ["term1", "term2", "cooccurrences", "expected", "node_pairs", "collocate_pairs", "pairs", "pmi", "g2", "p"]
    # Integer codes throughout: words numbered in sorted order (so code order is term order),
    # pairs as one int64 key (low code × V + high code), counted a distance at a time.
    doc, _ = pd.factorize(tokens["document"])  # codes of the whole column (a categorical's own), then masked
    doc = doc[eligible]
    sent = (tokens["sentence"].to_numpy()[eligible] if "sentence" in tokens.columns
            else np.zeros(len(doc), dtype=np.int64))
    words, vocabulary = _sorted_codes(tokens["token"], eligible)
    del tokens, eligible
    size = max(len(vocabulary), 1)
    margins = np.zeros(size, dtype=np.int64)  # ordered pairs with each term as node (= as collocate)
    keys, counts = [], []
    node = None if term is None else {w: i for i, w in enumerate(vocabulary)}.get(str(term), -1)
    for d in range(1, window + 1):
        if len(words) <= d:
            break
        idx = np.flatnonzero((doc[d:] == doc[:-d]) & (sent[d:] == sent[:-d]))
        a, b = words[idx], words[idx + d]
        margins += np.bincount(a, minlength=size) + np.bincount(b, minlength=size)
        if node is not None:
            touch = (a == node) | (b == node)
            a, b = a[touch], b[touch]
        key = np.minimum(a, b).astype(np.int64) * size + np.maximum(a, b)
        unique, n = np.unique(key, return_counts=True)
        keys.append(unique)
        counts.append(n)
    total = int(margins.sum())
    if total == 0:
        return pd.DataFrame(columns=columns)
    key = np.concatenate(keys)
    unique, inverse = np.unique(key, return_inverse=True)
    cooccurrences = np.bincount(inverse.reshape(-1), weights=np.concatenate(counts)).round().astype(np.int64)
    low, high = unique // size, unique % size
    # A term next to itself (人才 … 人才) is counted in the margins but not listed.
    distinct = low != high
    low, high, cooccurrences = low[distinct], high[distinct], cooccurrences[distinct]
    if node is not None:  # the node first, its collocate second
        first = np.where(low == node, low, high)
        second = np.where(low == node, high, low)
    else:  # each unordered pair once, term1 < term2
        first, second = low, high
    names = np.asarray(vocabulary, dtype=object)
    o11 = pd.DataFrame({"term1": names[first], "term2": names[second], "cooccurrences": cooccurrences,
                        "node_pairs": margins[first], "collocate_pairs": margins[second]})
    o11["pairs"] = total
    o11 = o11[o11["cooccurrences"] >= min_count].reset_index(drop=True)
    # The pair's 2×2 table as keyness sees it: "target" = pairs with node a (R1 of them,
    # O11 with collocate b), "reference" = the other N − R1 pairs (C1 − O11 with b).
    o11["expected"] = o11["node_pairs"] * o11["collocate_pairs"] / total
    with np.errstate(divide="ignore"):
        o11["pmi"] = np.log2(o11["cooccurrences"] / o11["expected"])
    g2 = log_likelihood(o11["cooccurrences"], o11["collocate_pairs"] - o11["cooccurrences"],
                        o11["node_pairs"], total - o11["node_pairs"])
    o11["g2"] = g2
    o11["p"] = chi2.sf(np.abs(g2), 1)
    sort_col = statistic
    o11 = o11.sort_values([sort_col, "term1", "term2"], ascending=[False, True, True], kind="stable")
    return o11[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------
# TF-IDF


def tfidf(
    fs: FeatureSetLike,
    *,
    by: str | Sequence[str] = "document",
    stopwords: bool = True,
    smooth: bool = False,
    min_count: int = 1,
    kinds: Sequence[str] = TERM_KINDS,
) -> pd.DataFrame:
    """Weight terms by TF-IDF across the groups of a FeatureSet.

    Formula (Spärck Jones 1972, Journal of Documentation 28:11; Manning, Raghavan &
    Schütze 2008, *Introduction to Information Retrieval*, §6.2):
    ``tfidf = tf · idf`` with ``tf = f_{t,d} / N_d`` (the term's share of the
    group's counted term tokens) and ``idf = ln(D / df_t)``, D the number of groups
    and df_t the groups containing t. A term found in every group scores 0, so with
    one group every score is 0. ``smooth=True`` uses scikit-learn's
    ``ln((1 + D) / (1 + df_t)) + 1`` instead, which never reaches 0.

    Args:
        fs: A FeatureSet.
        by: What a "document" is for IDF: ``"document"``, ``"section"`` or metadata
            column(s), as in :func:`term_frequencies` (None is not allowed).
        stopwords: Leave out tokens flagged ``is_stop``.
        smooth: Use the smoothed IDF.
        min_count: Drop rows with fewer hits (after computing df).
        kinds: Token kinds that count as terms.

    Returns:
        One row per group and term: the group columns, ``term``, ``count``, ``tf``,
        ``df``, ``idf``, ``tfidf``. Sorted by group, tfidf descending, term.

    Raises:
        ValueError: when ``by`` is None or names no column.

    Example:
        >>> tokens = pd.DataFrame({"document": ["a", "a", "b"], "token": ["人才", "党建", "党建"],
        ...                        "kind": "word", "is_stop": False})
        >>> fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["a", "b"]}), tokens=tokens)
        >>> tfidf(fs)[["document", "term", "tfidf"]].round(3).values.tolist()
        [['a', '人才', 0.347], ['a', '党建', 0.0], ['b', '党建', 0.0]]
    """
    if by is None:
        raise ValueError("tfidf needs groups to compare: by='document', 'section' or a metadata column")
    freq = term_frequencies(fs, by=by, stopwords=stopwords, kinds=kinds)
    freq = freq[freq["tokens"] > 0].rename(columns={"tokens": "count"})
    keys = list(freq.columns[: list(freq.columns).index("term")])
    groups = freq[keys].drop_duplicates()
    n_groups = len(groups)
    df = freq.groupby("term", sort=False).size().rename("df")
    total = "content_tokens" if stopwords else "word_tokens"  # the term tokens counted
    out = freq[[*keys, "term", "count", total]].merge(df, left_on="term", right_index=True)
    out["tf"] = out["count"] / out[total]
    if smooth:
        out["idf"] = np.log((1 + n_groups) / (1 + out["df"])) + 1
    else:
        out["idf"] = np.log(n_groups / out["df"])
    out["tfidf"] = out["tf"] * out["idf"]
    out = out[out["count"] >= min_count]
    order = _group_order(freq, keys)
    out = out[[*keys, "term", "count", "tf", "df", "idf", "tfidf"]].astype({"df": "int64"})
    return _sorted(out, keys, order, "tfidf", "term")


# ---------------------------------------------------------------------------
# formulas


def formula_frequencies(fs: FeatureSetLike, *, by: str | Sequence[str] | None = "document", settings: Settings | None = None) -> pd.DataFrame:
    """Count the political formulas (提法) among the tokens.

    A token is a formula when the formula layer of :mod:`analysis.text.segment` made it
    (``phrase``: a punctuated formula; ``numbered``: numeral + 个/大/项 + head word),
    when the dictionary lists it under category ``formula`` (``dictionary``), or when
    it stands alone between quotation marks (``quoted``, e.g. “试金石”).

    Args:
        fs: A FeatureSet (``.tokens`` with ``start``/``end`` to recognise quotes).
        by: Grouping, as in :func:`term_frequencies`.
        settings: Settings for the formula patterns; ``fs.settings`` or the defaults
            when None.

    Returns:
        One row per group and formula: the group columns, ``formula``, ``rule``,
        ``tokens`` (hits where the segmenter made the formula one token; for
        ``quoted``, the quoted hits), ``quoted`` (hits between quotation marks),
        ``occurrences`` (every occurrence of the formula's text, across token
        boundaries too: :func:`term_occurrences`), ``mid_word_matches`` (of those,
        matches whose first character completes a word with the text before it, as
        新发展理念 in 创新发展理念), ``occurrences_lower_bound`` (counted from term
        counts only: a profile that did not store the formula), ``per_10k_han`` (of
        ``tokens``). A dictionary formula found only across tokens is a row with
        ``tokens`` 0. Sorted by group, tokens descending, formula.

    Example:
        >>> from analysis.text.segment import tokenize
        >>> t = tokenize("坚决做到“两个维护”，当好“主心骨”，落实两个维护。").assign(document="d", is_stop=False)
        >>> fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=t)
        >>> formula_frequencies(fs)[["formula", "rule", "tokens", "quoted"]].values.tolist()
        [['两个维护', 'numbered', 2, 1], ['主心骨', 'quoted', 1, 1]]
    """
    seg = make_tokenizer(settings or fs.settings)
    counts_table = _term_counts(fs)
    is_word = counts_table["kind"].eq("word")  # before grouping: a metadata column may be called kind
    grouped, keys = _group_keys(fs, counts_table, by)
    order = _group_order(grouped, keys) if keys else None
    han = _han_per_group(grouped, keys)
    # The candidate rows first (a formula's token, or a word in quotation marks), with the rule judged once
    # per distinct token: a long document's count table has millions of rows and few candidates.
    # (distinct tokens from the column itself: a categorical's values, no string per row)
    formulas_seen = [w for w in map(str, pd.unique(grouped["token"])) if seg.formula_rule(w) is not None]
    candidates = grouped[(is_word & (grouped["token"].isin(formulas_seen)
                                     | (grouped["quoted"] > 0))).to_numpy(dtype=bool)]
    words = candidates["token"].astype(str)
    rule = words.map(lambda w: seg.formula_rule(w))
    quoted = candidates["quoted"]
    # a formula counts every time; any other word only where it stands alone in quotation marks
    hit_count = candidates["count"].where(rule.notna(), quoted)
    rule = rule.where(rule.notna() | ~(quoted > 0), "quoted")
    hits = candidates.assign(formula=words, rule=rule, hits=hit_count, quoted=quoted)[
        lambda t: t["rule"].notna() & (t["hits"] > 0)]
    columns = [*keys, "formula", "rule", "tokens", "quoted", "occurrences", "mid_word_matches",
               "occurrences_lower_bound", "per_10k_han"]
    table = (
        hits.groupby([*keys, "formula"], sort=False, dropna=False)
        .agg(rule=("rule", "first"), tokens=("hits", "sum"), quoted=("quoted", "sum"))
        .reset_index()
    )
    # occurrences in the text: of every formula listed, and of the dictionary's formulas found only across tokens
    entries = [t for t in getattr(seg, "_formula_entries", ()) if seg.formula_rule(t) == "dictionary"]
    vocabulary = _countable([*table["formula"].astype(str), *sorted(entries)])
    occ = _grouped_occurrences(fs, vocabulary, by, keys).rename(columns={"term": "formula"})
    occ = occ[occ["formula"].isin(set(table["formula"])) | (occ["occurrences"] > 0)]
    table = table.merge(occ, on=[*keys, "formula"], how="outer") if keys else table.merge(occ, on="formula", how="outer")
    if table.empty:
        return pd.DataFrame(columns=columns)
    table["rule"] = table["rule"].fillna(table["formula"].map(lambda f: seg.formula_rule(f)))
    table = table.fillna({"tokens": 0, "quoted": 0})
    countable = table["formula"].isin(set(vocabulary))
    table["occurrences"] = pd.array(table["occurrences"].fillna(0).astype("int64"), dtype="Int64")
    table["mid_word_matches"] = pd.array(table["mid_word_matches"], dtype="Int64").fillna(0)
    group_docs = grouped[[*keys, "document"]] if keys and "document" not in keys else None
    table["occurrences_lower_bound"] = occurrences_lower_bound(fs, table, keys, group_docs, term="formula") & countable
    table.loc[~countable, ["occurrences", "mid_word_matches"]] = pd.NA
    table.loc[table["occurrences_lower_bound"], "mid_word_matches"] = pd.NA
    table = _merge(table, han, keys)
    table["per_10k_han"] = 1e4 * table["tokens"] / table["han_chars"].where(table["han_chars"] > 0, np.nan)
    table = table[columns].astype({"tokens": "int64", "quoted": "int64", "occurrences_lower_bound": bool})
    return _sorted(table, keys, order, "tokens", "formula")


# ---------------------------------------------------------------------------
# KWIC


def kwic(
    source: FeatureSetLike | pd.DataFrame,
    term: str,
    *,
    documents: pd.DataFrame | None = None,
    window: int = 20,
    match: str = "text",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Keyword in context: every hit of ``term`` with its outline path and raw offsets.

    Two ways to call it: with a FeatureSet and the loaded documents it was built from
    (``kwic(fs, "人才", documents=docs)``: the tokens and outline paths come from the
    FeatureSet), or with the loaded documents alone (``kwic(docs, "人才")``: each
    document's tokens and outline paths come from the feature cache, computed and stored
    on a miss). KWIC needs running text: a
    FeatureSet holds counts only, and a reference profile has no text at all, so
    documents without text are refused by name. A documents table is read through the
    feature cache (:func:`analysis.features.cached_features`): a document seen before is
    not segmented or parsed again, and outline paths are looked up once for all hits.

    Args:
        source: A FeatureSet (with ``documents=``) or a loaded documents table
            (:func:`analysis.io.corpus.load_corpus`: ``id``, ``text`` (normalized), and
            ``raw_offsets``/``raw`` when raw offsets are wanted).
        term: The term to find.
        documents: With a FeatureSet: the loaded documents (``id``, ``text``, optionally
            ``raw``, ``raw_offsets``, ``sha256``); only the FeatureSet's documents are
            searched.
        window: Characters of context on each side.
        match: ``"text"``: every occurrence in the running text (人才 also inside
            人才驿站); ``"token"``: only where the segmenter made ``term`` one token,
            the hits :func:`term_frequencies` counts.
        settings: Settings for the segmenter when ``source`` is a documents table
            (defaults when None).

    Returns:
        One row per hit, in document order: ``document``, ``path`` (outline path of the
        hit, e.g. ``三（二）``), ``left``, ``hit``, ``right`` (line breaks shown as
        spaces), ``start``, ``end`` (offsets in the normalized text), ``raw_start``,
        ``raw_end`` (the raw stretch that produced the hit, from the document's
        ``raw_offsets`` and ``raw`` through :func:`analysis.io.normalize.raw_span`; <NA>
        without ``raw_offsets``), ``whole_token`` (the hit is exactly one token).

    Raises:
        ValueError: for an empty term, an unknown ``match``, a table without ``id`` and
            ``text``, a FeatureSet without ``documents=``, documents missing from
            ``documents=`` or whose text is not the one the FeatureSet was built from.

    Example:
        >>> docs = pd.DataFrame({"id": ["d"], "text": ["一、做好人才工作\\n引进人才，建好人才驿站。"]})
        >>> kwic(docs, "人才", window=3)[["left", "hit", "right", "whole_token"]].values.tolist()
        [['、做好', '人才', '工作 ', False], [' 引进', '人才', '，建好', True], ['，建好', '人才', '驿站。', False]]
        >>> from analysis.features import build_features
        >>> fs = build_features(docs, progress=False, cache=False)
        >>> kwic(fs, "人才", documents=docs, window=3)[["path", "hit", "whole_token"]].values.tolist()
        [['一', '人才', False], ['一', '人才', True], ['一', '人才', False]]
    """
    if not term:
        raise ValueError("kwic needs a non-empty term")
    check_choice("match", match, ("text", "token"), caller="kwic")
    if isinstance(source, FeatureSet):
        return _kwic_features(source, term, documents=documents, window=window, match=match)
    if not isinstance(source, pd.DataFrame):
        raise TypeError("kwic takes a FeatureSet (with documents=…) or a loaded documents table")
    source = require_texts(source, "kwic")
    settings = settings or Settings()
    rows = []
    has_raw = "raw_offsets" in source.columns
    needed = [c for c in ("id", "text", "raw", "raw_offsets") if c in source.columns]
    for i in range(len(source)):  # one document's values at a time (not every column of every row as Python objects)
        record = {c: source[c].iat[i] for c in needed}
        text = record["text"]
        # Tokens and outline paths from the feature cache (computed once and stored when missing):
        # no segmenting or outline parsing again, one pass over the hits.
        value = cached_features({"id": record["id"], "text": text}, settings)
        tokens = value.tokens
        same = tokens.loc[(tokens["token"] == term).to_numpy(), ["start", "end"]]
        token_spans = set(zip(same["start"].astype(int), same["end"].astype(int)))
        if match == "token":
            hits = sorted(token_spans)
        else:
            hits = [(m.start(), m.end()) for m in re.finditer(re.escape(term), text)]
        if not hits:
            continue
        paths = _hit_paths(value.sentences["start"].to_numpy(), value.sentences["path"].to_numpy(), hits)
        rows += _kwic_rows(record, text, hits, token_spans, paths, window, has_raw)
    return _kwic_table(rows)


def _hit_paths(starts: np.ndarray, paths: np.ndarray, hits: list[tuple[int, int]]) -> list:
    """The outline path of each hit: the path of the last sentence starting at or before it
    (sentences are cut at outline boundaries, so each lies in one node); one ``searchsorted``."""
    if not len(starts):
        return [None] * len(hits)
    index = np.clip(np.searchsorted(starts, [s for s, _ in hits], side="right") - 1, 0, None)
    return paths.take(index).tolist()


_KWIC_COLUMNS = ["document", "path", "left", "hit", "right", "start", "end", "raw_start", "raw_end", "whole_token"]


def _kwic_rows(record: dict, text: str, hits: list, token_spans: set, paths: list, window: int,
               has_raw: bool) -> list[dict]:
    source = SimpleNamespace(raw_offsets=record["raw_offsets"], raw=record.get("raw") or "") if has_raw else None
    rows = []
    for (start, end), path in zip(hits, paths):
        raw_start, raw_end = raw_span(source, start, end) if source is not None else (pd.NA, pd.NA)
        rows.append({
            "document": record["id"], "path": path,
            "left": _flat(text[max(0, start - window) : start]), "hit": text[start:end],
            "right": _flat(text[end : end + window]), "start": start, "end": end,
            "raw_start": raw_start, "raw_end": raw_end, "whole_token": (start, end) in token_spans,
        })
    return rows


def _kwic_table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=_KWIC_COLUMNS)
    return table.astype({"start": "int64", "end": "int64", "raw_start": "Int64", "raw_end": "Int64", "whole_token": "bool"})


def _kwic_features(fs: FeatureSetLike, term: str, *, documents: pd.DataFrame | None, window: int, match: str) -> pd.DataFrame:
    """KWIC over a FeatureSet: tokens and outline paths from the FeatureSet, text from ``documents``."""
    fs.require_text("kwic")  # a reference profile holds no running text: refused by name
    ids = [str(i) for i in fs.documents["id"]]
    if documents is None:
        raise ValueError("kwic needs the running text: a FeatureSet holds counts only; pass documents=, the table "
                         "from analysis.io.corpus.load_corpus that the FeatureSet was built from")
    missing = {"id", "text"} - set(documents.columns)
    if missing:
        raise ValueError(f"documents= lacks columns {sorted(missing)}; pass the table from load_corpus")
    table = documents.assign(id=documents["id"].astype(str)).set_index("id")
    table = table[~table.index.duplicated()]
    absent = [i for i in ids if i not in table.index or not isinstance(table.at[i, "text"], str)]
    if absent:
        raise ValueError(f"no running text for documents {absent[:5]}{' …' if len(absent) > 5 else ''}: "
                         "KWIC needs full texts (a reference profile has none); pass their loaded documents")
    if "sha256" in fs.documents.columns and "sha256" in table.columns:
        theirs = table.loc[ids, "sha256"].astype(str).to_numpy()
        ours = fs.documents["sha256"].astype(str).to_numpy()
        differ = [i for i, a, b in zip(ids, ours, theirs) if a != b]
        if differ:
            raise ValueError(f"documents {differ[:5]} differ from the ones the FeatureSet was built from; "
                             "load the same files again or rebuild the FeatureSet")
    tokens = fs.tokens
    same = tokens.loc[tokens["token"].to_numpy() == term, ["document", "start", "end"]]
    token_spans = set(zip(same["document"].astype(str), same["start"].astype(int), same["end"].astype(int)))
    has_raw = "raw_offsets" in table.columns
    found: dict[str, list[tuple[int, int]]] = {}
    if match == "token":
        for doc, start, end in zip(same["document"].astype(str), same["start"], same["end"]):
            found.setdefault(doc, []).append((int(start), int(end)))
    else:
        pattern = re.compile(re.escape(term))
        for doc in ids:
            hits = [(m.start(), m.end()) for m in pattern.finditer(table.at[doc, "text"])]
            if hits:
                found[doc] = hits
    sentences = fs.sentences
    wanted = sentences[sentences["document"].astype(str).isin(found)]
    by_doc = {str(d): (g["start"].to_numpy(), g["path"].to_numpy()) for d, g in wanted.groupby("document", sort=False)}
    rows: list[dict] = []
    for doc in ids:
        hits = sorted(found.get(doc, ()))
        if not hits:
            continue
        starts, node_paths = by_doc.get(doc, (np.array([], dtype=np.int64), np.array([], dtype=object)))
        hit_paths = _hit_paths(starts, node_paths, hits)
        record = {"id": doc, **table.loc[doc, [c for c in ("raw", "raw_offsets") if c in table.columns]].to_dict()}
        spans = {(s, e) for d, s, e in token_spans if d == doc}
        rows += _kwic_rows(record, table.at[doc, "text"], hits, spans, hit_paths, window, has_raw)
    return _kwic_table(rows)


def _flat(s: str) -> str:
    return s.replace("\r", " ").replace("\n", " ")


# ---------------------------------------------------------------------------
# segmentation robustness


def _variants(settings: Settings) -> dict[str, Settings]:
    variants = {"jieba": settings.replace(segmenter="jieba", hmm=False), "jieba_hmm": settings.replace(segmenter="jieba", hmm=True)}
    try:
        import rjieba  # noqa: F401
    except ImportError:
        pass
    else:
        variants["rjieba"] = settings.replace(segmenter="rjieba", hmm=False)
    return variants


#: Characters of text segmented at a time by :func:`segmentation_robustness` (cut at a line or sentence end).
ROBUSTNESS_CHUNK = 1 << 20
_ROBUSTNESS_CUTS = ("\n", "。！？；", "，、：,; ")  # where a stretch may end, best first


def _token_counts_of(text: str, seg, *, stop: frozenset, kinds: Sequence[str],
                     chunk: int | None = None) -> pd.Series:
    """Tokens per term of ``text`` (kinds ``kinds``, stopwords left out), segmented a stretch at a time.

    Stretches end at a line break (else a sentence's end, else a comma or space, else anywhere):
    the segmenters cut there anyway,
    so the counts equal those of the whole text, while only one stretch's tokens are held.
    """
    chunk = chunk or ROBUSTNESS_CHUNK
    total: pd.Series | None = None
    at = 0
    while at < len(text):
        end = len(text) if len(text) - at <= chunk else None
        if end is None:
            for marks in _ROBUSTNESS_CUTS:
                cut = max(text.rfind(mark, at + chunk // 2, at + chunk) for mark in marks)
                if cut >= 0:
                    end = cut + 1
                    break
            else:
                end = at + chunk
        t = tokenize(text[at:end], tokenizer=seg)
        keep = t["kind"].isin(list(kinds)) & ~t["token"].isin(stop)
        counts = t.loc[keep, "token"].astype(str).value_counts(sort=False)
        total = counts if total is None else total.add(counts, fill_value=0)
        at = end
    return (total if total is not None else pd.Series(dtype="int64")).astype("int64")


def segmentation_robustness(
    documents: pd.DataFrame,
    *,
    settings: Settings | None = None,
    by: str | None = "document",
    stopwords: bool = True,
    differences_only: bool = False,
) -> pd.DataFrame:
    """Count terms under several segmenters and list where the counts differ.

    Variants: ``jieba`` (HMM off), ``jieba_hmm`` (HMM on), and ``rjieba`` (HMM off;
    only when the rjieba package is installed). All share the domain dictionary and
    the formula layer, so differences come from how plain Han text is cut. A finding
    whose term shows a large ``spread`` depends on segmentation.

    Args:
        documents: Loaded documents with ``id`` and ``text``.
        settings: Base settings (dictionary, stopwords); defaults when None. Its
            ``segmenter`` and ``hmm`` are replaced by each variant's.
        by: ``"document"`` for one row per document and term, None for the corpus.
        stopwords: Leave out stopwords (the base settings' list).
        differences_only: Keep only rows whose counts differ between variants.

    Returns:
        One row per (document and) term: ``document`` (when by="document"),
        ``term``, one count column per variant (``jieba``, ``jieba_hmm``[, ``rjieba``]),
        ``spread`` (largest minus smallest count), ``differs``. Sorted by spread
        descending, then document order, then term.

    Raises:
        ValueError: when ``by`` is not "document" or None, or columns are missing.

    Example:
        >>> docs = pd.DataFrame({"id": ["d"], "text": ["党建引领基层治理，两个确立。"]})
        >>> table = segmentation_robustness(docs)
        >>> table[["term", "jieba", "jieba_hmm", "spread"]].values.tolist()[:2]
        [['两个确立', 1, 1, 0], ['党建引领基层治理', 1, 1, 0]]
    """
    from analysis.text.segment import load_stopwords

    check_choice("by", by, ("document", None), caller="segmentation_robustness")
    documents = require_texts(documents, "segmentation_robustness")
    settings = settings or Settings()
    stop = load_stopwords(settings) if stopwords else frozenset()
    tables = []
    variants = _variants(settings)
    ids = documents["id"].tolist()
    keys = ["document"] if by == "document" else []
    for name, variant in variants.items():
        seg = make_tokenizer(variant)
        per_document = [_token_counts_of(text, seg, stop=stop, kinds=TERM_KINDS) for text in documents["text"]]
        if by == "document":
            parts = [counts.rename_axis("term").reset_index(name=name).assign(document=str(doc_id))
                     for doc_id, counts in zip(ids, per_document) if len(counts)]
            table = (pd.concat(parts, ignore_index=True) if parts
                     else pd.DataFrame({"document": [], "term": [], name: []}))
        else:
            total = pd.concat(per_document).groupby(level=0, sort=False).sum() if per_document else pd.Series()
            table = total.rename_axis("term").reset_index(name=name)
        tables.append(table[[*keys, "term", name]].set_index([*keys, "term"]))
    wide = pd.concat(tables, axis=1).fillna(0).astype("int64").reset_index()
    names = list(variants)
    wide["spread"] = wide[names].max(axis=1) - wide[names].min(axis=1)
    wide["differs"] = wide["spread"] > 0
    if differences_only:
        wide = wide[wide["differs"]]
    sort_cols, ascending = ["spread"], [False]
    if keys:
        wide["_doc"] = wide["document"].map({d: i for i, d in enumerate(ids)})
        sort_cols.append("_doc")
        ascending.append(True)
    wide = wide.sort_values([*sort_cols, "term"], ascending=[*ascending, True], kind="stable")
    return wide[[*keys, "term", *names, "spread", "differs"]].reset_index(drop=True)
