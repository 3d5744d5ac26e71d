"""Phrases and weights: n-grams, collocations (log-likelihood, PMI) and TF-IDF."""

from __future__ import annotations

from collections.abc import Sequence


import numpy as np
import pandas as pd

from analysis.features import factorize_text
from analysis.text.segment import TERM_KINDS
from analysis.stats.keyness import log_likelihood
from analysis.text.occurrences import text_order
from analysis.types import FeatureSetLike, check_choice
from analysis.stats.counts.common import (_eligible, _group_keys, _group_order, _han_per_group, _merge,
                                         _running_tokens, _sorted, _unique)
from analysis.stats.counts.frequencies import term_frequencies


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
        >>> from analysis.features import FeatureSet
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
        >>> from analysis.features import FeatureSet
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
        >>> from analysis.features import FeatureSet
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
