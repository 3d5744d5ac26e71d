"""Term and formula frequencies per document, outline node, metadata group or overall, with their rates
(docs/methods.md, "Counting a term")."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.text.segment import TERM_KINDS, make_tokenizer
from analysis.settings import Settings
from analysis.types import OUTLINE_UNITS, FeatureSetLike
from analysis.stats.counts.common import (_HAN_PATTERN, _group_keys, _group_order, _han_per_group, _merge, _sorted,
                                         _term_counts, _unique, per_distinct)
from analysis.stats.counts.occurrences import _countable, _term_occurrences, occurrences_lower_bound


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
        >>> from analysis.features import FeatureSet
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
        >>> from analysis.features import FeatureSet
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
