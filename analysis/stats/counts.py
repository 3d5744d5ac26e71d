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

Rates (METHODS.md): per 10,000 Han characters, ``1e4 · f / C``, where C counts the Han
characters of the group's text (all tokens, whatever their kind), so the denominator
does not depend on segmentation; and per 10,000 term tokens, ``1e4 · f / N``, where N
is the number of counted term tokens of the group (after stopword removal). Within a
group the counts add up to N.

>>> import pandas as pd
>>> from analysis.text.segment import tokenize
>>> text = "引进人才，培养人才。"
>>> tokens = tokenize(text).assign(document="d", path="一", sentence=0, is_stop=False)
>>> fs = FeatureTables(documents=pd.DataFrame({"id": ["d"]}), tokens=tokens)
>>> term_frequencies(fs)[["document", "term", "count", "per_10k_han"]].values.tolist()
[['d', '人才', 2, 2500.0], ['d', '培养', 1, 1250.0], ['d', '引进', 1, 1250.0]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from analysis.io.normalize import raw_span
from analysis.text.segment import TERM_KINDS, make_tokenizer, tokenize
from analysis.settings import Settings
from analysis.chars import HAN_CLASS

_HAN_PATTERN = f"[{HAN_CLASS}]"


@dataclass(frozen=True)
class FeatureTables:
    """The minimal FeatureSet-like input: a documents table and a tokens table.

    :class:`analysis.features.FeatureSet` has these attributes and more; this class
    lets tests and notebooks count hand-made tables.

    Attributes:
        documents: One row per document: ``id`` plus metadata columns.
        tokens: One row per token: ``document``, ``token``, ``kind``, and optionally
            ``path``, ``sentence``, ``start``, ``is_stop``.
        settings: The settings the tokens were made with (None: the defaults).
    """

    documents: pd.DataFrame
    tokens: pd.DataFrame
    settings: Settings | None = field(default=None)


# ---------------------------------------------------------------------------
# helpers


def _tokens(fs: Any) -> pd.DataFrame:
    tokens = getattr(fs, "tokens", None)
    if not isinstance(tokens, pd.DataFrame):
        raise TypeError("expected a FeatureSet (from analysis.features.build_features) with a .tokens table")
    missing = {"document", "token", "kind"} - set(tokens.columns)
    if missing:
        raise ValueError(f"the tokens table lacks columns {sorted(missing)}; build it with analysis.features")
    return tokens


def _group_keys(fs: Any, tokens: pd.DataFrame, by: str | Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """Return (tokens with group columns, the group column names)."""
    if by is None:
        return tokens, []
    if by == "document":
        return tokens, ["document"]
    if by == "section":
        if "path" not in tokens.columns:
            raise ValueError("by='section' needs a 'path' column in the tokens table (analysis.features adds it)")
        return tokens, ["document", "path"]
    columns = [by] if isinstance(by, str) else list(by)
    documents = getattr(fs, "documents", None)
    if documents is None or "id" not in documents.columns:
        raise ValueError(f"by={by!r} needs a documents table with an 'id' column")
    missing = [c for c in columns if c not in documents.columns]
    if missing:
        usable = [c for c in documents.columns if c != "id"]
        raise ValueError(
            f"by={by!r}: no metadata column {missing}; use 'document', 'section', None or one of {usable}"
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


def _han_per_group(tokens: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    han = tokens["token"].astype(str).str.count(_HAN_PATTERN)
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
# frequencies


def term_frequencies(
    fs: Any,
    *,
    by: str | Sequence[str] | None = "document",
    stopwords: bool = True,
    min_count: int = 1,
    kinds: Sequence[str] = TERM_KINDS,
) -> pd.DataFrame:
    """Count terms per document, per outline section, per metadata group, or overall.

    Rates follow METHODS.md: per 10,000 Han characters (denominator independent of
    segmentation) and per 10,000 counted term tokens.

    Args:
        fs: A FeatureSet (``.tokens`` and ``.documents``), e.g. from
            :func:`analysis.features.build_features`, or a :class:`FeatureTables`.
        by: ``"document"``; ``"section"`` (document and outline path: each node's own
            text, children excluded); a metadata column of ``fs.documents`` or a list
            of them (e.g. ``"year"``, ``["level", "year"]``); or None for all documents
            together.
        stopwords: Leave out tokens flagged ``is_stop``.
        min_count: Drop rows with fewer hits (the remaining counts then no longer add
            up to ``term_tokens``).
        kinds: Token kinds that count as terms.

    Returns:
        One row per group and term: the group columns (``document``; ``document,
        path``; the metadata columns; none), ``term``, ``count``, ``per_10k_han``,
        ``per_10k_tokens``, ``doc_freq`` (documents containing the term: within the
        group for metadata groupings, in the whole FeatureSet otherwise),
        ``han_chars`` and ``term_tokens`` (the group's denominators). Sorted by group
        (first appearance), then count descending, then term.

    Raises:
        ValueError: when ``by`` names no column, or the tokens table lacks columns.

    Example:
        >>> import pandas as pd
        >>> tokens = pd.DataFrame({
        ...     "document": ["a", "a", "a", "b"], "path": ["一", "一", "二", "一"],
        ...     "token": ["人才", "人才", "基层", "人才"], "kind": "word", "is_stop": False})
        >>> fs = FeatureTables(documents=pd.DataFrame({"id": ["a", "b"], "year": [2023, 2024]}), tokens=tokens)
        >>> term_frequencies(fs, by="section")[["document", "path", "term", "count", "doc_freq"]].values.tolist()
        [['a', '一', '人才', 2, 2], ['a', '二', '基层', 1, 1], ['b', '一', '人才', 1, 2]]
        >>> term_frequencies(fs, by=None)[["term", "count", "per_10k_tokens"]].values.tolist()
        [['人才', 3, 7500.0], ['基层', 1, 2500.0]]
    """
    tokens = _tokens(fs)
    grouped, keys = _group_keys(fs, tokens, by)
    order = _group_order(grouped, keys) if keys else None
    han = _han_per_group(grouped, keys)
    # eligibility from the token table itself: a metadata column named like a token column
    # (speeches.jsonl's ``kind``) replaces it in ``grouped``
    terms = grouped.loc[_eligible(tokens, kinds, stopwords), _unique([*keys, "document", "token"])]

    counts = terms.groupby([*keys, "token"], sort=False, dropna=False).size().rename("count").reset_index()
    totals = (
        terms.groupby(keys, sort=False, dropna=False).size().rename("term_tokens").reset_index()
        if keys
        else pd.DataFrame({"term_tokens": [len(terms)]})
    )
    meta_grouping = bool(keys) and keys not in (["document"], ["document", "path"])
    df_keys = [*keys, "token"] if meta_grouping else ["token"]
    doc_freq = terms.groupby(df_keys, sort=False, dropna=False)["document"].nunique().rename("doc_freq").reset_index()

    table = counts.merge(doc_freq, on=df_keys, how="left")
    table = _merge(table, totals, keys)
    table = _merge(table, han, keys)
    table = table.rename(columns={"token": "term"})
    table["per_10k_han"] = 1e4 * table["count"] / table["han_chars"].where(table["han_chars"] > 0, np.nan)
    table["per_10k_tokens"] = 1e4 * table["count"] / table["term_tokens"]
    table = table[table["count"] >= min_count]
    columns = [*keys, "term", "count", "per_10k_han", "per_10k_tokens", "doc_freq", "han_chars", "term_tokens"]
    table = table[columns].astype({"count": "int64", "doc_freq": "int64", "han_chars": "int64", "term_tokens": "int64"})
    return _sorted(table, keys, order, "count", "term")


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
    if "start" in tokens.columns:
        rank = {d: i for i, d in enumerate(pd.unique(tokens["document"]))}
        return (
            tokens.assign(_doc=tokens["document"].map(rank))
            .sort_values(["_doc", "start"], kind="stable")
            .drop(columns="_doc")
            .reset_index(drop=True)
        )
    return tokens.reset_index(drop=True)


def ngrams(
    fs: Any,
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
        >>> fs = FeatureTables(documents=pd.DataFrame({"id": ["d"]}), tokens=t)
        >>> ngrams(fs, n=2)[["ngram", "count"]].values.tolist()
        [['全力 引进', 2], ['引进 人才', 2]]
        >>> ngrams(fs, n=3)[["ngram", "count"]].values.tolist()
        [['全力 引进 人才', 2]]
    """
    if n < 2:
        raise ValueError(f"n={n}: n-grams need n >= 2 (use term_frequencies for single terms)")
    tokens = _in_text_order(_tokens(fs))
    grouped, keys = _group_keys(fs, tokens, by)
    order = _group_order(grouped, keys) if keys else None
    han = _han_per_group(grouped, keys)
    run = _runs(grouped, _eligible(tokens, kinds, stopwords))
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
    meta_grouping = bool(keys) and keys not in (["document"], ["document", "path"])
    df_keys = [*keys, "ngram"] if meta_grouping else ["ngram"]
    doc_freq = found.groupby(df_keys, sort=False, dropna=False)["document"].nunique().rename("doc_freq").reset_index()
    table = _merge(counts.merge(doc_freq, on=df_keys, how="left"), han, keys)
    table["per_10k_han"] = 1e4 * table["count"] / table["han_chars"].where(table["han_chars"] > 0, np.nan)
    table = table[table["count"] >= min_count][[*keys, "ngram", "count", "per_10k_han", "doc_freq"]]
    return _sorted(table.astype({"count": "int64", "doc_freq": "int64"}), keys, order, "count", "ngram")


# ---------------------------------------------------------------------------
# collocations


def collocations(
    fs: Any,
    *,
    term: str | None = None,
    window: int = 5,
    stopwords: bool = True,
    min_count: int = 3,
    measure: str = "g2",
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

    Measures: pointwise mutual information PMI = log2(O11/E11) (Church & Hanks 1990,
    Computational Linguistics 16:22); log-likelihood G² = 2 Σ O ln(O/E) over the 2×2
    table (Dunning 1993, Computational Linguistics 19:61), signed: negative when
    O11 < E11; p from the χ² distribution with 1 degree of freedom.

    Args:
        fs: A FeatureSet (``.tokens`` with ``sentence`` when present).
        term: Only pairs with this node (its collocates); None for all pairs, each
            unordered pair listed once (term1 < term2).
        window: Maximum distance in counted term positions (≥ 1).
        stopwords: Leave stopwords out before measuring distances.
        min_count: Minimum co-occurrences (O11) for a pair to be listed.
        measure: Sort by ``"g2"`` or ``"pmi"``.
        kinds: Token kinds that count as terms.

    Returns:
        One row per pair: ``term1``, ``term2``, ``cooccurrences`` (O11), ``expected``
        (E11), ``node_pairs`` (R1), ``collocate_pairs`` (C1), ``pairs`` (N), ``pmi``,
        ``g2``, ``p``. Sorted by the measure descending, then term1, term2.

    Raises:
        ValueError: for an unknown measure or a window below 1.

    Example:
        >>> from analysis.text.segment import tokenize
        >>> t = tokenize("引进人才。培养人才。引进人才。").assign(document="d", is_stop=False)
        >>> t = t.assign(sentence=(t["token"] == "。").cumsum().shift(fill_value=0))
        >>> fs = FeatureTables(documents=pd.DataFrame({"id": ["d"]}), tokens=t)
        >>> collocations(fs, term="人才", min_count=1)[["term2", "cooccurrences"]].values.tolist()
        [['引进', 2], ['培养', 1]]
    """
    if measure not in ("g2", "pmi"):
        raise ValueError(f"measure={measure!r}: use 'g2' or 'pmi'")
    if window < 1:
        raise ValueError(f"window={window}: use a window of at least 1")
    from scipy.stats import chi2

    tokens = _in_text_order(_tokens(fs))
    eligible = _eligible(tokens, kinds, stopwords)
    kept = tokens.loc[eligible].reset_index(drop=True)
    doc = kept["document"].astype(str).to_numpy()
    sent = kept["sentence"].to_numpy() if "sentence" in kept.columns else np.zeros(len(kept), dtype=np.int64)
    words = kept["token"].astype(str).to_numpy()
    left, right = [], []
    for d in range(1, window + 1):
        same = (doc[d:] == doc[:-d]) & (sent[d:] == sent[:-d]) if len(words) > d else np.zeros(0, dtype=bool)
        idx = np.flatnonzero(same)
        left.append(words[idx])
        right.append(words[idx + d])
    a = np.concatenate(left) if left else np.array([], dtype=object)
    b = np.concatenate(right) if right else np.array([], dtype=object)
    pairs = pd.DataFrame({"term1": np.concatenate([a, b]), "term2": np.concatenate([b, a])})
    columns = ["term1", "term2", "cooccurrences", "expected", "node_pairs", "collocate_pairs", "pairs", "pmi", "g2", "p"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    total = len(pairs)
    o11 = pairs.value_counts(["term1", "term2"]).rename("cooccurrences").reset_index()
    margins = pairs["term1"].value_counts()
    o11["node_pairs"] = o11["term1"].map(margins).astype("int64")
    o11["collocate_pairs"] = o11["term2"].map(margins).astype("int64")
    o11["pairs"] = total
    # A term next to itself (人才 … 人才) is counted in the margins but not listed.
    if term is not None:
        o11 = o11[(o11["term1"] == term) & (o11["term2"] != term)]
    else:
        o11 = o11[o11["term1"] < o11["term2"]]
    o11 = o11[o11["cooccurrences"] >= min_count].reset_index(drop=True)
    O = np.stack(
        [
            o11["cooccurrences"],
            o11["node_pairs"] - o11["cooccurrences"],
            o11["collocate_pairs"] - o11["cooccurrences"],
            total - o11["node_pairs"] - o11["collocate_pairs"] + o11["cooccurrences"],
        ]
    ).astype(float)
    rows = np.stack([o11["node_pairs"], o11["node_pairs"], total - o11["node_pairs"], total - o11["node_pairs"]])
    cols = np.stack([o11["collocate_pairs"], total - o11["collocate_pairs"], o11["collocate_pairs"], total - o11["collocate_pairs"]])
    E = rows.astype(float) * cols.astype(float) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        terms_ = np.where(O > 0, O * np.log(O / E), 0.0)
    g2 = 2 * terms_.sum(axis=0)
    g2 = np.clip(g2, 0, None)
    o11["expected"] = E[0]
    o11["pmi"] = np.log2(O[0] / E[0])
    o11["g2"] = np.where(O[0] >= E[0], g2, -g2)
    o11["p"] = chi2.sf(g2, 1)
    sort_col = "g2" if measure == "g2" else "pmi"
    o11 = o11.sort_values([sort_col, "term1", "term2"], ascending=[False, True, True], kind="stable")
    return o11[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------
# TF-IDF


def tfidf(
    fs: Any,
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
        >>> fs = FeatureTables(documents=pd.DataFrame({"id": ["a", "b"]}), tokens=tokens)
        >>> tfidf(fs)[["document", "term", "tfidf"]].round(3).values.tolist()
        [['a', '人才', 0.347], ['a', '党建', 0.0], ['b', '党建', 0.0]]
    """
    if by is None:
        raise ValueError("tfidf needs groups to compare: by='document', 'section' or a metadata column")
    freq = term_frequencies(fs, by=by, stopwords=stopwords, kinds=kinds)
    keys = [c for c in freq.columns if c not in ("term", "count", "per_10k_han", "per_10k_tokens", "doc_freq", "han_chars", "term_tokens")]
    groups = freq[keys].drop_duplicates()
    n_groups = len(groups)
    df = freq.groupby("term", sort=False).size().rename("df")
    out = freq[[*keys, "term", "count", "term_tokens"]].merge(df, left_on="term", right_index=True)
    out["tf"] = out["count"] / out["term_tokens"]
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


def formula_frequencies(fs: Any, *, by: str | Sequence[str] | None = "document", settings: Settings | None = None) -> pd.DataFrame:
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
        ``count``, ``quoted`` (hits between quotation marks), ``per_10k_han``.
        Sorted by group, count descending, formula.

    Example:
        >>> from analysis.text.segment import tokenize
        >>> t = tokenize("坚决做到“两个维护”，当好“主心骨”，落实两个维护。").assign(document="d", is_stop=False)
        >>> fs = FeatureTables(documents=pd.DataFrame({"id": ["d"]}), tokens=t)
        >>> formula_frequencies(fs)[["formula", "rule", "count", "quoted"]].values.tolist()
        [['两个维护', 'numbered', 2, 1], ['主心骨', 'quoted', 1, 1]]
    """
    seg = make_tokenizer(settings or getattr(fs, "settings", None))
    tokens = _in_text_order(_tokens(fs))
    grouped, keys = _group_keys(fs, tokens, by)
    order = _group_order(grouped, keys) if keys else None
    han = _han_per_group(grouped, keys)
    words = grouped["token"].astype(str)
    prev_tok = words.shift(1, fill_value="")
    next_tok = words.shift(-1, fill_value="")
    same_doc_prev = grouped["document"].eq(grouped["document"].shift(1))
    same_doc_next = grouped["document"].eq(grouped["document"].shift(-1))
    quoted = prev_tok.str[-1:].isin(list("“‘「『")) & next_tok.str[:1].isin(list("”’」』")) & same_doc_prev & same_doc_next
    if {"start", "end"} <= set(grouped.columns):
        touching = grouped["start"].eq(grouped["end"].shift(1)) & grouped["end"].eq(grouped["start"].shift(-1))
        quoted &= touching
    rule = words.map(lambda w: seg.formula_rule(w))
    is_word = grouped["kind"].eq("word")
    rule = rule.where(rule.notna() | ~(quoted & is_word), "quoted")
    hits = grouped.assign(formula=words, rule=rule, quoted=quoted & is_word)[lambda t: t["rule"].notna() & is_word]
    columns = [*keys, "formula", "rule", "count", "quoted", "per_10k_han"]
    if hits.empty:
        return pd.DataFrame(columns=columns)
    table = (
        hits.groupby([*keys, "formula"], sort=False, dropna=False)
        .agg(rule=("rule", "first"), count=("formula", "size"), quoted=("quoted", "sum"))
        .reset_index()
    )
    table = _merge(table, han, keys)
    table["per_10k_han"] = 1e4 * table["count"] / table["han_chars"].where(table["han_chars"] > 0, np.nan)
    table = table[columns].astype({"count": "int64", "quoted": "int64"})
    return _sorted(table, keys, order, "count", "formula")


# ---------------------------------------------------------------------------
# KWIC


def _outline_paths(text: str):
    try:
        from analysis.text.outline import parse_outline
    except ImportError:  # pragma: no cover - analysis.text.outline is part of the package
        return lambda offset: None
    outline = parse_outline(text)
    return outline.path_at


def kwic(
    documents: pd.DataFrame,
    term: str,
    *,
    window: int = 20,
    match: str = "text",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Keyword in context: every hit of ``term`` with its outline path and raw offsets.

    Args:
        documents: Loaded documents (:func:`analysis.io.corpus.load_corpus`): ``id``,
            ``text`` (normalized), and ``raw_offsets`` when raw offsets are wanted.
        term: The term to find.
        window: Characters of context on each side.
        match: ``"text"``: every occurrence in the running text (人才 also inside
            人才驿站); ``"token"``: only where the segmenter made ``term`` one token,
            the hits :func:`term_frequencies` counts.
        settings: Settings for the segmenter (defaults when None).

    Returns:
        One row per hit, in document order: ``document``, ``path`` (outline path of the
        hit, e.g. ``三（二）``; None when :mod:`analysis.text.outline` is unavailable),
        ``left``, ``hit``, ``right`` (line breaks shown as spaces), ``start``, ``end``
        (offsets in the normalized text), ``raw_start``, ``raw_end`` (the raw stretch
        that produced the hit, from the document's ``raw_offsets`` and ``raw`` through
        :func:`analysis.io.normalize.raw_span`; <NA> without ``raw_offsets``),
        ``whole_token`` (the hit is exactly one token).

    Raises:
        ValueError: for an empty term, an unknown ``match``, or a table without
            ``id`` and ``text``.

    Example:
        >>> docs = pd.DataFrame({"id": ["d"], "text": ["一、做好人才工作\\n引进人才，建好人才驿站。"]})
        >>> kwic(docs, "人才", window=3)[["left", "hit", "right", "whole_token"]].values.tolist()
        [['、做好', '人才', '工作 ', False], [' 引进', '人才', '，建好', True], ['，建好', '人才', '驿站。', False]]
    """
    if not term:
        raise ValueError("kwic needs a non-empty term")
    if match not in ("text", "token"):
        raise ValueError(f"match={match!r}: use 'text' or 'token'")
    missing = {"id", "text"} - set(documents.columns)
    if missing:
        raise ValueError(f"kwic needs columns {sorted(missing)}; load documents with analysis.io.corpus.load_corpus")
    seg = make_tokenizer(settings)
    rows = []
    has_raw = "raw_offsets" in documents.columns
    for record in documents.to_dict("records"):
        text = record["text"]
        spans = seg.spans(text)
        token_spans = {(s, e) for s, e, _ in spans}
        if match == "token":
            hits = [(s, e) for s, e, _ in spans if text[s:e] == term]
        else:
            hits = [(m.start(), m.end()) for m in re.finditer(re.escape(term), text)]
        if not hits:
            continue
        path_at = _outline_paths(text)
        source = SimpleNamespace(raw_offsets=record["raw_offsets"], raw=record.get("raw") or "") if has_raw else None
        for start, end in hits:
            raw_start, raw_end = raw_span(source, start, end) if source is not None else (pd.NA, pd.NA)
            rows.append(
                {
                    "document": record["id"],
                    "path": path_at(start),
                    "left": _flat(text[max(0, start - window) : start]),
                    "hit": text[start:end],
                    "right": _flat(text[end : end + window]),
                    "start": start,
                    "end": end,
                    "raw_start": raw_start,
                    "raw_end": raw_end,
                    "whole_token": (start, end) in token_spans,
                }
            )
    columns = ["document", "path", "left", "hit", "right", "start", "end", "raw_start", "raw_end", "whole_token"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"start": "int64", "end": "int64", "raw_start": "Int64", "raw_end": "Int64", "whole_token": "bool"})


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

    if by not in ("document", None):
        raise ValueError(f"by={by!r}: use 'document' or None")
    missing = {"id", "text"} - set(documents.columns)
    if missing:
        raise ValueError(f"segmentation_robustness needs columns {sorted(missing)}")
    settings = settings or Settings()
    stop = load_stopwords(settings) if stopwords else frozenset()
    tables = []
    variants = _variants(settings)
    ids = documents["id"].tolist()
    for name, variant in variants.items():
        seg = make_tokenizer(variant)
        frames = []
        for doc_id, text in zip(ids, documents["text"]):
            t = tokenize(text, tokenizer=seg)
            frames.append(t.assign(document=doc_id, is_stop=t["token"].isin(stop)))
        tokens = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["document", "token", "kind", "is_stop"])
        fs = FeatureTables(documents=documents[["id"]], tokens=tokens, settings=variant)
        freq = term_frequencies(fs, by=by, stopwords=stopwords)
        keys = ["document"] if by == "document" else []
        tables.append(freq[[*keys, "term", "count"]].rename(columns={"count": name}).set_index([*keys, "term"]))
    keys = ["document"] if by == "document" else []
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
