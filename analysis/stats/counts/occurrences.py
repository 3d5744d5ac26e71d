"""Occurrences of terms: on the text, stored in a profile, or derived from a term-count table
(a lower bound), and where each document's come from (docs/methods.md, "Counting a term")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.chars import REDACTION
from analysis.text.occurrences import count_occurrences
from analysis.types import FeatureSetLike
from analysis.stats.counts.common import _term_counts, _text_in, _tokens, per_distinct, term_counts


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
        >>> from analysis.features import FeatureSet
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
