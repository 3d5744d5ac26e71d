"""Track terms, formulas (提法) and themes over time: one row per item per period.

:func:`track` reads only what a reference profile also stores (the term-count table of
each outline node, the occurrences of chosen terms, theme hits, ``han_chars`` of each
document), so full texts and profiles give the same table for those terms. Counts keep their names (docs/methods.md, "Counting a term"):

- ``occurrences``: every occurrence in the normalized text (人才 in 人才强国战略, 改革开放
  across 全面深化改革|开放), counted on the text of full texts and read from a profile's
  stored counts for the terms it stored (:data:`TRACKED_TERMS` and the dictionary's
  formulas); otherwise derived from term counts and flagged ``occurrences_lower_bound``
  (:func:`analysis.stats.counts.term_occurrences`);
- ``mid_word_matches``: of those occurrences, the ones whose first character completes a
  word with the text before it (新发展理念 in 创新发展理念; :mod:`analysis.text.occurrences`),
  counted within ``occurrences`` and shown so a reader can set them aside;
- ``tokens``: the term as a whole token (what the segmenter made of it);
- ``theme_hits``: hits of a theme's terms (:func:`analysis.stats.themes.theme_hits`).

Rates name their denominator: ``per_10k_han`` (10^4 · count / Han characters of the
period's documents), ``per_10k_tokens`` (/ all word tokens, stopwords included) and
``per_10k_content_tokens`` (/ word tokens that are not stopwords). The count behind the
rates is ``occurrences`` for a term and ``theme_hits`` for a theme (column ``rate_of``).

Periods: ``year``, ``decade``, ``congress`` (a congress report's own congress, any other
document the last Party congress held before its year), ``kind`` and ``level``, or any
metadata column. A period with documents and no hit is a row with 0; a period without
documents is absent (a gap, never interpolated). Documents of different ``kind``
(a government work report and the NPC resolution on it) are separate series unless
``pool=True``.

Summaries of a track table: :func:`formula_summary` (first and last appearance, peak
period and rate, order of appearance), :func:`rank_by_period` (rank among the tracked
items in each period and the places gained since the previous period) and
:func:`rank_change` (ranks in two periods or spans, for a slope chart).

:func:`analysis.speeches.reference_features` is the one place the reference corpora are read.

>>> import pandas as pd
>>> from analysis.features import FeatureSet
>>> tokens = pd.DataFrame({"document": ["a", "a", "b"], "path": "一", "token": ["人才", "人才强国战略", "基层"],
...                        "kind": "word", "is_stop": False})
>>> docs = pd.DataFrame({"id": ["a", "b"], "year": [2010, 2012], "han_chars": [8, 2]})
>>> fs = FeatureSet.from_tables(documents=docs, tokens=tokens)
>>> track(fs, terms=["人才"])[["year", "item", "occurrences", "tokens", "per_10k_han"]].values.tolist()
[[2010, '人才', 2, 1, 2500.0], [2012, '人才', 0, 0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.memo import memoized
from analysis.stats.counts import occurrences_lower_bound, term_counts, term_occurrences
from analysis.text.occurrences import TRACKED_TERMS, check_terms
from analysis.text.segment import TERM_KINDS
from analysis.settings import Settings
from analysis.types import FeatureSetLike

__all__ = [
    "PERIODS", "TRACK_COLUMNS", "TRACKED_TERMS", "assign_periods", "track", "multi_token_terms",
    "formula_summary", "rank_by_period", "rank_change",
]

#: Named periods of :func:`track` (any other metadata column works too).
PERIODS = ("year", "decade", "congress", "kind", "level")
#: Columns of a track table after the period (and ``kind``) columns.
TRACK_COLUMNS = [
    "item", "item_type", "occurrences", "mid_word_matches", "occurrences_lower_bound", "tokens", "theme_hits",
    "rate_of", "per_10k_han", "per_10k_tokens", "per_10k_content_tokens", "documents", "han_chars", "word_tokens",
    "content_tokens",
]


# --------------------------------------------------------------------------- periods


def _congress_in_force(years: pd.Series) -> pd.Series:
    from analysis.calendar import congress_dates

    table = sorted((year, number) for number, (year, _) in congress_dates().items())
    held, number = np.array([y for y, _ in table]), np.array([n for _, n in table])
    values = years.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    index = np.searchsorted(held, values, side="left") - 1  # the last congress held before the year
    out = np.where(np.isnan(values) | (index < 0), np.nan, number[np.clip(index, 0, None)])
    return pd.Series(pd.array(out, dtype="Float64").astype("Int64"), index=years.index)


def assign_periods(documents: pd.DataFrame, *, by: str = "year") -> pd.Series:
    """The period of each document, aligned with ``documents``.

    Args:
        documents: A FeatureSet's documents table (``year``, and ``congress``,
            ``kind``, ``level`` when grouping by them).
        by: ``year``, ``decade`` (1990 for 1990–1999), ``congress`` (a document's own
            ``congress`` number, else the last Party congress held before its year:
            the 2012 government work report falls under the 17th, the 2013 one under
            the 18th), ``kind``, ``level`` or any other column.

    Returns:
        A Series named ``by`` (Int64 for year, decade and congress).

    Raises:
        ValueError: when the column the period needs is missing.

    >>> docs = pd.DataFrame({"year": [2012, 2013, 1995], "congress": pd.array([None, None, 14], dtype="Int64")})
    >>> assign_periods(docs, by="congress").tolist(), assign_periods(docs, by="decade").tolist()
    ([17, 18, 14], [2010, 2010, 1990])
    """
    needs = "year" if by in ("year", "decade") else by
    if by == "congress" and "year" not in documents.columns and "congress" not in documents.columns:
        raise ValueError("by='congress' needs a 'congress' or 'year' column in the documents table")
    if by != "congress" and needs not in documents.columns:
        usable = [c for c in documents.columns if c not in ("id",)]
        raise ValueError(f"by={by!r} needs a {needs!r} column in the documents table; columns: {usable}")
    if by in ("year", "decade"):
        years = pd.to_numeric(documents["year"], errors="coerce").astype("Float64").round().astype("Int64")
        return (years // 10 * 10 if by == "decade" else years).rename(by)
    if by == "congress":
        own = (pd.to_numeric(documents["congress"], errors="coerce").astype("Int64")
               if "congress" in documents.columns else pd.Series(pd.NA, index=documents.index, dtype="Int64"))
        if "year" in documents.columns:
            inferred = _congress_in_force(pd.to_numeric(documents["year"], errors="coerce"))
            own = own.fillna(inferred)
        return own.astype("Int64").rename("congress")
    return documents[by].rename(by)


# --------------------------------------------------------------------------- track


def _item_counts(fs: FeatureSetLike, terms: list[str], themes: list[str], lexicon: pd.DataFrame | None) -> pd.DataFrame:
    """One row per document and item with a count: document, item, item_type, occurrences, tokens, theme_hits."""
    frames = []
    if terms:
        counts = term_counts(fs)
        nodes = term_occurrences(fs, terms, per_node=False)  # summed per document below
        occ = (nodes.groupby(["document", "term"], sort=False)
               .agg(occurrences=("occurrences", "sum"), mid_word_matches=("mid_word_matches", "sum"))
               .reset_index().rename(columns={"term": "item"}))
        whole = counts[counts["token"].isin(terms)]
        tok = whole.groupby(["document", "token"], sort=False)["count"].sum().rename("tokens").reset_index()
        tok = tok.rename(columns={"token": "item"})
        both = occ.merge(tok, on=["document", "item"], how="outer")
        frames.append(both.assign(item_type="term", theme_hits=pd.NA))
    if themes:
        hits = _theme_hits(fs, themes, lexicon)
        frames.append(hits.assign(item_type="theme", occurrences=pd.NA, mid_word_matches=pd.NA, tokens=pd.NA))
    columns = ["document", "item", "item_type", "occurrences", "mid_word_matches", "tokens", "theme_hits"]
    frames = [f[columns] for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)


def _theme_hits(fs: FeatureSetLike, themes: list[str], lexicon: pd.DataFrame | None) -> pd.DataFrame:
    from analysis.stats.themes import _resolve_lexicon

    lex = _resolve_lexicon(fs, lexicon)
    known = list(dict.fromkeys(lex["theme"]))
    unknown = [t for t in themes if t not in known]
    if unknown:
        raise ValueError(f"unknown theme(s) {unknown}; the lexicon has {known}")
    per_sentence = fs.theme_counts(lex).sentences  # hits per sentence, full texts and profiles alike
    per_sentence = per_sentence[per_sentence["theme"].isin(themes)]
    per_doc = per_sentence.groupby(["document", "theme"], sort=False)["hits"].sum()
    return per_doc.rename("theme_hits").reset_index().rename(columns={"theme": "item"})


def _document_sizes(fs: FeatureSetLike, kinds: Sequence[str]) -> pd.DataFrame:
    """Per document: han_chars, word_tokens (all term tokens), content_tokens (not stopwords)."""
    counts = term_counts(fs)
    words = counts[counts["kind"].isin(list(kinds))]
    word_tokens = words.groupby("document", sort=False)["count"].sum()
    content_tokens = words[~words["is_stop"].astype(bool)].groupby("document", sort=False)["count"].sum()
    docs = fs.documents
    if "han_chars" in docs.columns:
        han = docs.set_index("id")["han_chars"]
    else:  # a hand-made token table: count Han characters of the tokens
        from analysis.chars import HAN_RE

        han = counts.assign(h=counts["token"].astype(str).map(lambda t: len(HAN_RE.findall(t))) * counts["count"])
        han = han.groupby("document", sort=False)["h"].sum()
    ids = docs["id"]
    return pd.DataFrame({
        "document": ids.to_numpy(),
        "han_chars": ids.map(han).fillna(0).astype("int64").to_numpy(),
        "word_tokens": ids.map(word_tokens).fillna(0).astype("int64").to_numpy(),
        "content_tokens": ids.map(content_tokens).fillna(0).astype("int64").to_numpy(),
    })


@memoized
def track(
    fs: FeatureSetLike,
    *,
    terms: Sequence[str] = (),
    themes: Sequence[str] = (),
    by: str = "year",
    pool: bool = False,
    lexicon: pd.DataFrame | None = None,
    kinds: Sequence[str] = TERM_KINDS,
) -> pd.DataFrame:
    """Occurrences, tokens, theme hits and their rates per period, one row per item per period.

    Rates follow docs/methods.md ("Trends and formula tracking"): the count of the period's
    documents over their Han characters (or tokens), so a long document weighs more than
    a short one; periods with documents and no hit are zeros, periods without documents
    are absent.

    Args:
        fs: A FeatureSet (full texts or reference profiles): ``documents`` with ``id``,
            ``han_chars`` and the period's column, and a term-count table
            (:func:`analysis.stats.counts.term_counts`).
        terms: Terms or formulas to track (counted as ``occurrences``, at least two
            characters; ``tokens`` are reported beside them).
        themes: Theme names of the lexicon to track (counted as ``theme_hits``).
        by: The period: ``year``, ``decade``, ``congress``, ``kind``, ``level`` (see
            :func:`assign_periods`) or another metadata column.
        pool: Pool documents of different ``kind`` in one period. By default each kind
            is its own series (a column ``kind`` follows the period column).
        lexicon: Theme lexicon (:func:`analysis.stats.themes.load_themes`); default:
            the FeatureSet's settings' lexicon.
        kinds: Token kinds that count as word tokens in the denominators.

    Returns:
        One row per period (and kind) and item, in item order then period order: the
        period column (named ``by``), ``kind`` (unless pooled or grouped by kind or the
        documents have no kind), then :data:`TRACK_COLUMNS`: ``item``, ``item_type``
        (``term`` or ``theme``), ``occurrences`` (terms; <NA> for themes),
        ``mid_word_matches`` (of those occurrences, matches whose first character
        completes a word with the text before it, e.g. 新发展理念 in 创新发展理念; <NA> for
        themes and where unknown), ``occurrences_lower_bound`` (True where a document of
        the period counts the term from term counts only; <NA> for themes), ``tokens``
        (terms; <NA> for themes),
        ``theme_hits`` (themes; <NA> for terms), ``rate_of`` (the count the rates use),
        ``per_10k_han``, ``per_10k_tokens``, ``per_10k_content_tokens``, ``documents``
        (documents in the period), ``han_chars``, ``word_tokens``, ``content_tokens``
        (the period's size). Documents whose period is unknown form a period <NA>.
        The period name is kept in ``table.attrs["period"]``.

    Raises:
        ValueError: without terms or themes, for a term shorter than two characters, an
            unknown theme or a missing period column.

    Warns:
        UserWarning: for terms the segmenter cuts into several tokens
            (:func:`multi_token_terms`) that some documents count from term counts only
            (``occurrences_lower_bound``): there their occurrences across tokens are missed.

    Example:
        >>> from analysis.features import FeatureSet
        >>> tokens = pd.DataFrame({"document": ["r", "r", "n"], "path": "一", "token": ["人才", "乡村振兴", "人才"],
        ...                        "kind": "word", "is_stop": False})
        >>> docs = pd.DataFrame({"id": ["r", "n"], "year": [2018, 2018], "kind": ["report", "npc_resolution"],
        ...                      "han_chars": [100, 50]})
        >>> fs = FeatureSet.from_tables(documents=docs, tokens=tokens)
        >>> track(fs, terms=["人才"])[["year", "kind", "occurrences", "documents"]].values.tolist()
        [[2018, 'report', 1, 1], [2018, 'npc_resolution', 1, 1]]
        >>> track(fs, terms=["人才"], pool=True)[["year", "occurrences", "per_10k_han"]].values.tolist()
        [[2018, 2, 133.33]]
    """
    terms = list(dict.fromkeys(terms))
    themes = list(dict.fromkeys(themes))
    if not terms and not themes:
        raise ValueError("track needs at least one term or theme, e.g. terms=['人才'] or themes=['talent']")
    check_terms(terms)  # at least two characters, no 〓, no whitespace
    documents = fs.documents
    keys = [by]
    if not pool and by != "kind" and "kind" in documents.columns:
        keys.append("kind")
    period = assign_periods(documents, by=by)
    groups = pd.DataFrame({"document": documents["id"].to_numpy(), by: period.to_numpy()})
    if "kind" in keys:
        groups["kind"] = documents["kind"].to_numpy()
    sizes = _document_sizes(fs, kinds).merge(groups, on="document")
    size_table = (
        sizes.groupby(keys, sort=False, dropna=False)
        .agg(documents=("document", "size"), han_chars=("han_chars", "sum"), word_tokens=("word_tokens", "sum"),
             content_tokens=("content_tokens", "sum"))
        .reset_index()
    )
    counts = _item_counts(fs, terms, themes, lexicon).merge(groups, on="document")
    value_columns = ["occurrences", "mid_word_matches", "tokens", "theme_hits"]
    summed = (
        counts.assign(**{c: pd.to_numeric(counts[c]) for c in value_columns})
        .groupby([*keys, "item"], sort=False, dropna=False)[value_columns].sum(min_count=1)
        .reset_index()
    )
    items = pd.DataFrame({"item": terms + themes, "item_type": ["term"] * len(terms) + ["theme"] * len(themes)})
    items["_item_order"] = np.arange(len(items))
    grid = size_table.merge(items, how="cross").merge(summed, on=[*keys, "item"], how="left")
    is_term = grid["item_type"].eq("term")
    for column, applies in (("occurrences", is_term), ("mid_word_matches", is_term), ("tokens", is_term),
                            ("theme_hits", ~is_term)):
        values = pd.to_numeric(grid[column]).fillna(0).astype("int64")
        grid[column] = pd.array(np.where(applies, values, 0), dtype="Int64").astype("Int64")
        grid.loc[~applies, column] = pd.NA
    lower = occurrences_lower_bound(fs, grid.assign(term=grid["item"]), keys, groups)
    grid["occurrences_lower_bound"] = pd.array(np.where(is_term, lower, False), dtype="boolean")
    grid.loc[~is_term, "occurrences_lower_bound"] = pd.NA
    lower_rows = grid["occurrences_lower_bound"].fillna(False).astype(bool)
    grid.loc[lower_rows, "mid_word_matches"] = pd.NA
    _warn_multi_token([t for t in terms if t in set(grid.loc[lower_rows, "item"])], fs.settings)
    grid["rate_of"] = np.where(is_term, "occurrences", "theme_hits")
    count = np.where(is_term, grid["occurrences"].fillna(0), grid["theme_hits"].fillna(0)).astype(float)
    for rate, denominator in (("per_10k_han", "han_chars"), ("per_10k_tokens", "word_tokens"),
                              ("per_10k_content_tokens", "content_tokens")):
        den = grid[denominator].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            grid[rate] = np.round(np.where(den > 0, 1e4 * count / den, np.nan), 2)
    grid = _sort_periods(grid, keys)
    table = grid[[*keys, *TRACK_COLUMNS]].reset_index(drop=True)
    table.attrs["period"] = by
    return table


def multi_token_terms(terms: Sequence[str], *, settings: Settings | None = None) -> list[str]:
    """The terms the segmenter cuts into several tokens (their occurrences cannot come from term counts).

    On full texts ``occurrences`` are counted on the text, so splitting does not matter.
    Derived from a term-count table (a profile, for a term it did not store), a term
    counts only where it is a token or lies inside one; a term the segmenter splits
    (四个|现代化 before the dictionary named it) is missed wherever it is split. Add such
    terms to ``corpus/lexicon/dictionary.yaml`` (category ``formula``), so profiles store
    their occurrences, before tracking them on profiles.

    >>> multi_token_terms(["人才", "四个现代化", "乡村振兴人才"])
    ['乡村振兴人才']
    """
    from analysis.text.segment import tokenize

    out = []
    for term in terms:
        if len(tokenize(term, settings=settings)) > 1:
            out.append(term)
    return out


def _warn_multi_token(terms: list[str], settings: Settings | None) -> None:
    """Warn about terms counted from term counts (lower bounds) that the segmenter cuts into several tokens."""
    import warnings

    split = multi_token_terms(terms, settings=settings) if terms else []
    if split:
        warnings.warn(
            f"terms {split} are cut into several tokens by the segmenter, and some documents (reference profiles "
            "that did not store them, or counts-only documents) hold term counts only: there their occurrences "
            "across tokens are not counted (occurrences_lower_bound is True); track the full texts "
            "(reference_features(source='texts')), or add the terms to corpus/lexicon/dictionary.yaml (category "
            "formula) and rebuild the profiles", UserWarning, stacklevel=3)


def _sort_periods(grid: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Item order, then the period ascending (unknown last), then kind in order of first appearance."""
    period = keys[0]
    sort = grid.assign(_period_na=grid[period].isna())
    columns, ascending = ["_item_order", "_period_na", period], [True, True, True]
    if len(keys) > 1:
        order = {v: i for i, v in enumerate(pd.unique(grid[keys[1]]))}
        sort["_kind_order"] = grid[keys[1]].map(lambda v: order.get(v, len(order)))
        columns.append("_kind_order")
        ascending.append(True)
    try:
        return sort.sort_values(columns, ascending=ascending, kind="stable", na_position="last")
    except TypeError:  # mixed period values: sort them as text
        sort[period + "_text"] = sort[period].astype(str)
        columns[2] = period + "_text"
        return sort.sort_values(columns, ascending=ascending, kind="stable")


# --------------------------------------------------------------------------- summaries


def _period_of(table: pd.DataFrame, period: str | None) -> str:
    name = period or table.attrs.get("period")
    if name is None:
        name = next((c for c in ("year", "decade", "congress") if c in table.columns), None)
    if name is None or name not in table.columns:
        raise ValueError("name the period column of the track table: period='year' (or decade, congress …)")
    return name


def _series_keys(table: pd.DataFrame, period: str) -> list[str]:
    first = list(table.columns).index("item")
    return [c for c in table.columns[:first] if c != period]


def _count(table: pd.DataFrame) -> pd.Series:
    return pd.Series(
        np.where(table["rate_of"].eq("occurrences"), table["occurrences"].fillna(0), table["theme_hits"].fillna(0)),
        index=table.index,
    ).astype("int64")


def formula_summary(table: pd.DataFrame, *, rate: str = "per_10k_han", period: str | None = None) -> pd.DataFrame:
    """First and last appearance, peak and order of appearance of each tracked item.

    Args:
        table: A :func:`track` table.
        rate: The rate column whose peak is reported.
        period: The period column (default: the one :func:`track` recorded).

    Returns:
        One row per series (e.g. ``kind``) and item: the series columns, ``item``,
        ``first`` and ``last`` (first and last period with a hit; <NA> when never),
        ``first_not_mid_word`` (the first period with an occurrence that is not a mid-word
        match: 新发展理念 found only inside 创新发展理念 in 2013 does not count there),
        ``peak`` (the period of the highest rate; the earliest on ties), ``peak_rate``,
        ``periods_with_hits``, ``periods`` (periods with documents), ``total`` (the
        count behind the rates, summed), ``appearance_order`` (1 = appeared first
        among the items of the series; items appearing in the same period share a
        place; <NA> when never). In the track table's item order.

    Raises:
        ValueError: when the period cannot be told or ``rate`` is not a column.

    Example:
        >>> t = pd.DataFrame({"year": [2001, 2002, 2003] * 2, "item": ["甲"] * 3 + ["乙"] * 3,
        ...                   "rate_of": "occurrences", "occurrences": [0, 3, 1, 2, 0, 0], "theme_hits": pd.NA,
        ...                   "per_10k_han": [0.0, 3.0, 1.0, 2.0, 0.0, 0.0]})
        >>> formula_summary(t, period="year")[["item", "first", "last", "peak", "appearance_order"]].values.tolist()
        [['甲', 2002, 2003, 2002, 2], ['乙', 2001, 2001, 2001, 1]]
    """
    period = _period_of(table, period)
    if rate not in table.columns:
        raise ValueError(f"rate={rate!r} is not a column of the track table")
    series = _series_keys(table, period)
    mid_word = (pd.to_numeric(table["mid_word_matches"]).fillna(0) if "mid_word_matches" in table.columns
                else pd.Series(0, index=table.index))
    data = table[table[period].notna()].assign(_count=lambda t: _count(t), _mid_word=mid_word)
    item_order = {v: i for i, v in enumerate(pd.unique(table["item"]))}
    rows = []
    for key, part in data.groupby([*series, "item"], sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        part = part.sort_values(period, kind="stable")
        hit = part[part["_count"] > 0]
        plain = hit[hit["_count"] > hit["_mid_word"]]  # a hit that is not only mid-word matches
        peak = part.loc[part[rate].idxmax()] if part[rate].notna().any() and (part["_count"] > 0).any() else None
        rows.append({
            **dict(zip([*series, "item"], key)),
            "first": hit[period].iloc[0] if len(hit) else pd.NA,
            "first_not_mid_word": plain[period].iloc[0] if len(plain) else pd.NA,
            "last": hit[period].iloc[-1] if len(hit) else pd.NA,
            "peak": peak[period] if peak is not None else pd.NA,
            "peak_rate": float(peak[rate]) if peak is not None else np.nan,
            "periods_with_hits": len(hit),
            "periods": len(part),
            "total": int(part["_count"].sum()),
        })
    columns = [*series, "item", "first", "first_not_mid_word", "last", "peak", "peak_rate", "periods_with_hits",
               "periods", "total"]
    out = pd.DataFrame(rows, columns=columns)
    for column in ("first", "first_not_mid_word", "last", "peak"):
        if pd.api.types.is_integer_dtype(table[period]) or out[column].map(lambda v: isinstance(v, (int, np.integer))).any():
            out[column] = pd.array(out[column].tolist(), dtype="Int64")
    first_rank = out.groupby(series, sort=False, dropna=False)["first"] if series else out["first"]
    ranked = first_rank.rank(method="min") if series else out["first"].astype("Float64").rank(method="min")
    out["appearance_order"] = pd.array(ranked.to_numpy(dtype=float, na_value=np.nan), dtype="Float64").astype("Int64")
    out["_item_order"] = out["item"].map(item_order)
    return out.sort_values("_item_order", kind="stable").drop(columns="_item_order").reset_index(drop=True)


def rank_by_period(table: pd.DataFrame, *, rate: str = "per_10k_han", period: str | None = None) -> pd.DataFrame:
    """Rank of each tracked item among the tracked items in each period, and its change.

    Rank 1 is the highest rate in the period; ties share the better place (``min``
    ranking, as in a sports table); an item without a hit in the period has no rank.

    Args:
        table: A :func:`track` table.
        rate: The rate column to rank by.
        period: The period column (default: the one :func:`track` recorded).

    Returns:
        The track table's series columns and period, ``item``, ``rate`` (the value
        ranked), ``rank`` (Int64), ``rank_previous`` (the item's rank in the series'
        previous period with documents) and ``places_gained`` (rank_previous − rank:
        positive means it climbed). Sorted by series, period, rank, item.

    Example:
        >>> t = pd.DataFrame({"year": [2001, 2001, 2002, 2002], "item": ["甲", "乙", "甲", "乙"],
        ...                   "rate_of": "occurrences", "occurrences": [5, 1, 1, 4], "theme_hits": pd.NA,
        ...                   "per_10k_han": [5.0, 1.0, 1.0, 4.0]})
        >>> rank_by_period(t, period="year")[["year", "item", "rank", "places_gained"]].values.tolist()
        [[2001, '甲', 1, <NA>], [2001, '乙', 2, <NA>], [2002, '乙', 1, 1], [2002, '甲', 2, -1]]
    """
    period = _period_of(table, period)
    series = _series_keys(table, period)
    data = table[table[period].notna()].assign(_count=lambda t: _count(t))
    data = data[[*series, period, "item", rate, "_count"]].rename(columns={rate: "rate"})
    ranked_rate = data["rate"].where(data["_count"] > 0)
    data["rank"] = ranked_rate.groupby([data[c] for c in [*series, period]], dropna=False).rank(method="min", ascending=False)
    data["rank"] = pd.array(data["rank"].to_numpy(dtype=float, na_value=np.nan), dtype="Float64").astype("Int64")
    data = data.sort_values([*series, period], kind="stable")
    data["rank_previous"] = data.groupby([*series, "item"], sort=False, dropna=False)["rank"].shift(1)
    data["places_gained"] = data["rank_previous"] - data["rank"]
    data = data.sort_values([*series, period, "rank", "item"], kind="stable", na_position="last")
    return data[[*series, period, "item", "rate", "rank", "rank_previous", "places_gained"]].reset_index(drop=True)


def _span_rates(data: pd.DataFrame, span: tuple[int, int], period: str, series: list[str], rate: str) -> pd.DataFrame:
    if isinstance(span, tuple):
        low, high = span
        part = data[(data[period] >= low) & (data[period] <= high)]
    else:
        part = data[data[period] == span]
    if part.empty:
        raise ValueError(f"no documents in period {span!r}; pick periods present in the track table")
    denominator = {"per_10k_han": "han_chars", "per_10k_tokens": "word_tokens",
                   "per_10k_content_tokens": "content_tokens"}[rate]
    pooled = part.groupby([*series, "item"], sort=False, dropna=False).agg(
        count=("_count", "sum"), size=(denominator, "sum")).reset_index()
    pooled["rate"] = np.round(1e4 * pooled["count"] / pooled["size"].where(pooled["size"] > 0), 2)
    keys = [data[c] for c in series] if series else None
    ranked = pooled["rate"].where(pooled["count"] > 0)
    if series:
        pooled["rank"] = ranked.groupby([pooled[c] for c in series], dropna=False).rank(method="min", ascending=False)
    else:
        pooled["rank"] = ranked.rank(method="min", ascending=False)
    del keys
    pooled["rank"] = pd.array(pooled["rank"].to_numpy(dtype=float, na_value=np.nan), dtype="Float64").astype("Int64")
    return pooled[[*series, "item", "count", "rate", "rank"]]


def rank_change(table: pd.DataFrame, start: tuple[int, int], end: tuple[int, int], *, rate: str = "per_10k_han",
                period: str | None = None) -> pd.DataFrame:
    """Ranks of the tracked items in two periods (or spans of periods), for a slope chart.

    A span ``(first, last)`` pools its periods: counts and sizes are summed before the
    rate is taken, so the 1980s are one period made of their reports.

    Args:
        table: A :func:`track` table.
        start: A period value (``2012``) or an inclusive span (``(2003, 2012)``).
        end: Likewise.
        rate: ``per_10k_han``, ``per_10k_tokens`` or ``per_10k_content_tokens``.
        period: The period column (default: the one :func:`track` recorded).

    Returns:
        One row per series and item: the series columns, ``item``, ``count_start``,
        ``rate_start``, ``rank_start``, ``count_end``, ``rate_end``, ``rank_end`` and
        ``places_gained`` (rank_start − rank_end; <NA> when absent from either), plus
        ``start`` and ``end`` labels. In the order of ``rank_end``, then ``rank_start``.

    Raises:
        ValueError: when a period has no documents or ``rate`` is unknown.

    Example:
        >>> t = pd.DataFrame({"year": [2001, 2001, 2002, 2002], "item": ["甲", "乙", "甲", "乙"],
        ...                   "rate_of": "occurrences", "occurrences": [5, 1, 1, 4], "theme_hits": pd.NA,
        ...                   "han_chars": 100, "per_10k_han": [500.0, 100.0, 100.0, 400.0]})
        >>> rank_change(t, 2001, 2002, period="year")[["item", "rank_start", "rank_end", "places_gained"]].values.tolist()
        [['乙', 2, 1, 1], ['甲', 1, 2, -1]]
    """
    period = _period_of(table, period)
    if rate not in ("per_10k_han", "per_10k_tokens", "per_10k_content_tokens"):
        raise ValueError(f"rate={rate!r}: use per_10k_han, per_10k_tokens or per_10k_content_tokens")
    series = _series_keys(table, period)
    data = table[table[period].notna()].assign(_count=lambda t: _count(t))
    a = _span_rates(data, start, period, series, rate)
    b = _span_rates(data, end, period, series, rate)
    out = a.merge(b, on=[*series, "item"], how="outer", suffixes=("_start", "_end"))
    out["places_gained"] = out["rank_start"] - out["rank_end"]

    def label(span: tuple[int, int]) -> str:
        return f"{span[0]}–{span[1]}" if isinstance(span, tuple) else str(span)

    out["start"], out["end"] = label(start), label(end)
    out = out.sort_values([*series, "rank_end", "rank_start", "item"], kind="stable", na_position="last")
    columns = [*series, "item", "count_start", "rate_start", "rank_start", "count_end", "rate_end", "rank_end",
               "places_gained", "start", "end"]
    return out[columns].reset_index(drop=True)
