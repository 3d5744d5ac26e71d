"""Counting: token, sentence and theme-hit tables reduced to count tables.

:func:`count_tokens`, :func:`count_sentence_tokens` and :func:`count_theme_hits` give the
count tables every count-based analysis reads (the same for full texts and profiles);
:func:`count_features` reduces one document's features to them (:class:`DocumentCounts`),
where they are computed, so only counts travel back from a worker.
"""

from __future__ import annotations

import dataclasses
import gc
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.settings import Settings
from analysis.features.tables import (_categorical, _CLOSE_QUOTES, _empty_tokens, _NO_THEMES, _OPEN_QUOTES,
                                      DOCUMENT_COUNT_COLUMNS, DocumentFeatures, FIRST_HIT_COLUMNS,
                                      SENTENCE_THEME_COLUMNS, SENTENCE_TOKEN_COLUMNS, TERM_COUNT_COLUMNS,
                                      THEME_TERM_COLUMNS, ThemeCounts)


@dataclass(frozen=True)
class DocumentCounts:
    """One document's features reduced to count tables: what a worker returns with ``counts_only``.

    Attributes:
        features: The :class:`DocumentFeatures` with an empty ``tokens`` table (nodes and
            sentences kept).
        tokens: The document's tokens (spaces excluded), counted before they were dropped.
        term_counts, sentence_tokens: :func:`count_tokens` and :func:`count_sentence_tokens` of its tokens
            (the term counts summed per document, :func:`document_counts`, when
            :func:`analysis.features.stream_batches` streams with ``grain="document"``).
        themes: :func:`count_theme_hits` of its theme hits with the settings' lexicon (empty
            tables when theme counts were not asked for).
        lexicon_sha256: The hash of that lexicon, or None when theme counts were not asked for.
        term_occurrences: Occurrences of the dictionary's formulas and the default tracked
            terms counted on the text (:func:`analysis.text.occurrences.stored_occurrences`).
        cooccurrences: Sentence co-occurrences of the lexicon's terms and themes
            (:func:`analysis.text.cooccurrence.unit_pairs`), None when theme counts were not asked for.
    """

    features: DocumentFeatures
    tokens: int
    term_counts: pd.DataFrame
    sentence_tokens: pd.DataFrame
    themes: ThemeCounts
    lexicon_sha256: str | None
    term_occurrences: pd.DataFrame | None = None
    cooccurrences: pd.DataFrame | None = None


_THEMES_READ: dict[tuple[str, str], tuple[pd.DataFrame, str]] = {}


def themes_once(settings: Settings | None = None) -> tuple[pd.DataFrame, str]:
    """The settings' theme lexicon and its :func:`~analysis.text.lexicon.lexicon_sha256`, parsed once per process.

    The file's bytes are read each time (cheap) and their hash names the parsed table, so an
    edited lexicon is parsed again; the YAML is parsed once per content, not once per file
    counted (``themes.yaml`` was 7% of a run over many files). A file that cannot be read or
    parsed raises as :func:`~analysis.text.lexicon.load_themes` does.

    >>> table, sha = themes_once()
    >>> themes_once()[0] is table, len(sha)
    (True, 64)
    """
    import hashlib

    from analysis.text.lexicon import _lexicon_path, lexicon_sha256, load_themes

    settings = settings or Settings()
    file = _lexicon_path(settings)
    try:
        key = (str(file), hashlib.sha256(file.read_bytes()).hexdigest())
    except OSError:
        return (table := load_themes(settings)), lexicon_sha256(table)  # raises the lexicon's own error
    if key not in _THEMES_READ:
        table = load_themes(settings)
        _THEMES_READ.clear()
        _THEMES_READ[key] = (table, lexicon_sha256(table))
    return _THEMES_READ[key]


#: Tokens from which a document's counting is followed by a garbage collection (about 3 MB of text).
COLLECT_AFTER_TOKENS = 1_000_000


def collect_after(tokens: int) -> None:
    """Collect cyclic garbage after a document of at least :data:`COLLECT_AFTER_TOKENS` tokens.

    pandas frames sit in reference cycles, which only Python's cyclic collector frees; it runs
    after so many new objects, not bytes, so the big temporary tables of one long document (a
    few hundred objects holding a gigabyte) can outlive it and pile up under the next step.
    Measured on a 64 MiB document: 0.7 GB held after counting it, freed by one collection.
    Small documents are left to the collector (a collection per file would cost more than it saves).
    """
    if tokens >= COLLECT_AFTER_TOKENS:
        gc.collect()


def count_features(value: DocumentFeatures, settings: Settings | None = None, *,
                   count_themes: bool = True, compact: bool = False) -> DocumentCounts:
    """Reduce one document's features to its count tables (:class:`DocumentCounts`).

    ``count_themes=False`` skips the theme counts (the slowest part), for work that reads
    term counts only; ``compact=True`` makes the term counts as :func:`compact_counts` gives
    them, straight from their codes.
    """
    from analysis.text.cooccurrence import unit_pairs
    from analysis.text.lexicon import theme_hits
    from analysis.text.occurrences import profile_terms, stored_occurrences

    tokens = value.tokens
    pairs = None
    if count_themes:
        lexicon, sha = themes_once(settings)
        hits = theme_hits(tokens, lexicon=lexicon)
        themes = count_theme_hits(hits, tokens)
        pairs = unit_pairs(hits.assign(document=value.document))
        del hits  # not held while the tokens are counted (a 64 MiB document has a million hits)
        collect_after(len(tokens))
    else:
        themes, sha = _NO_THEMES, None
    # the text is dropped here: keep the occurrences of the formulas, counted on it; counted before the
    # term-count table is made, so the two tables' working memory is never held at once
    occurrences = stored_occurrences(tokens.assign(document=value.document), profile_terms(settings))
    collect_after(len(tokens))
    return DocumentCounts(
        # A new empty table: a slice (tokens.iloc[:0]) would keep the whole token arrays alive.
        features=dataclasses.replace(value, tokens=_empty_tokens()),
        tokens=len(tokens),
        term_counts=count_tokens(tokens, compact=compact),
        sentence_tokens=count_sentence_tokens(tokens),
        themes=themes,
        lexicon_sha256=sha,
        term_occurrences=occurrences,
        cooccurrences=pairs,
    )


#: Text columns of :data:`TERM_COUNT_COLUMNS` held as categoricals when many documents' counts are kept.
COMPACT_TERM_COLUMNS = ("document", "path", "token", "kind")


def compact_counts(counts: DocumentCounts) -> DocumentCounts:
    """The same counts with the term-count table's text columns as categoricals.

    What the parent keeps of each document while streaming many files: integer codes plus
    the distinct values (sorted, so that sorting by a column gives the order of its text),
    instead of a string per row; about a third of the memory.

    >>> from analysis.features import features
    >>> c = compact_counts(count_features(features({"id": "d", "text": "人才，人才。"}), count_themes=False))
    >>> str(c.term_counts["token"].dtype), c.term_counts["token"].tolist()
    ('category', ['。', '人才', '，'])
    """
    table = counts.term_counts
    fix = {column: as_sorted_categorical(table[column]) for column in COMPACT_TERM_COLUMNS
           if column in table.columns and not isinstance(table[column].dtype, pd.CategoricalDtype)}
    return dataclasses.replace(counts, term_counts=table.assign(**fix)) if fix else counts


def as_sorted_categorical(values: pd.Series) -> pd.Categorical:
    """``values`` as a categorical whose categories are its distinct values sorted (``str``; missing: NaN).

    An Arrow-backed text column is dictionary-encoded by Arrow, once, and only the distinct
    values are sorted: a cap-size document's count table (7 million rows) takes a tenth of
    the time and almost no working memory, where ``pd.Categorical(values, categories)``
    hashed every row again (+0.5–0.9 GB a column). Other columns take that route.

    >>> as_sorted_categorical(pd.Series(["基层", None, "人才", "基层"], dtype="str")).tolist()
    ['基层', nan, '人才', '基层']
    >>> list(as_sorted_categorical(pd.Series(["基层", "人才"], dtype="str")).categories)
    ['人才', '基层']
    """
    arrow = getattr(values.array, "__arrow_array__", None)
    if arrow is None or not isinstance(values.dtype, pd.StringDtype):
        categories = pd.Index(sorted(pd.unique(values.dropna()).tolist()), dtype="str")
        return pd.Categorical(values, categories=categories)
    import pyarrow as pa

    chunked = arrow()
    encoded = (chunked.combine_chunks() if isinstance(chunked, pa.ChunkedArray) else chunked).dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    # a missing value: the code one past the dictionary, whose value None is no category
    return _sorted_categorical([*distinct, None],
                               encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False))


def quoted_tokens(tokens: pd.DataFrame) -> np.ndarray:
    """Flag tokens of kind ``word`` that stand alone between quotation marks (“主心骨”).

    The token must directly follow an opening mark and precede a closing one, in the
    same document (and touch both, when the table has ``start``/``end``). The tokens
    must be in text order within each document.

    >>> t = pd.DataFrame({"document": "d", "token": ["“", "主心骨", "”", "人才"], "kind": ["punct", "word", "punct", "word"]})
    >>> quoted_tokens(t).tolist()
    [False, True, False, False]
    """
    n = len(tokens)
    if n < 3:
        return np.zeros(n, dtype=bool)
    codes, words = factorize_text(tokens["token"])
    opens = np.fromiter((w[-1:] in _OPEN_QUOTES for w in words), dtype=bool, count=len(words)).take(codes)
    closes = np.fromiter((w[:1] in _CLOSE_QUOTES for w in words), dtype=bool, count=len(words)).take(codes)
    doc = _codes(tokens["document"])[0]
    quoted = np.zeros(n, dtype=bool)
    quoted[1:-1] = opens[:-2] & closes[2:] & (doc[1:-1] == doc[:-2]) & (doc[1:-1] == doc[2:])
    if {"start", "end"} <= set(tokens.columns):
        start = tokens["start"].to_numpy()
        end = tokens["end"].to_numpy()
        quoted[1:-1] &= (start[1:-1] == end[:-2]) & (end[1:-1] == start[2:])
    return quoted & tokens["kind"].eq("word").to_numpy(dtype=bool)


def _codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct values they index (missing values are a value too).

    A categorical column gives its own codes (no hashing, in their own small integer type);
    another is hashed once.
    """
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        categories = np.asarray(values.cat.categories, dtype=object)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(categories), codes.astype(np.int64))
            categories = np.append(categories, None)
        return codes, categories
    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # Arrow strings hash in C
    return codes, np.asarray(uniques, dtype=object)


def factorize_text(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct values of ``values.astype(str)``, hashing each object once (a categorical's own codes).

    >>> codes, texts = factorize_text(pd.Series(["人才", "基层", "人才"], dtype="category"))
    >>> [texts[k] for k in codes]
    ['人才', '基层', '人才']
    """
    codes, uniques = _codes(values)
    strings = [str(u) for u in uniques]
    if len(set(strings)) < len(strings):  # distinct objects with the same text (1 and "1")
        merged, strings_unique = pd.factorize(np.array(strings, dtype=object))
        return merged.take(codes), list(strings_unique)
    return codes, strings


def document_counts(term_counts: pd.DataFrame) -> pd.DataFrame:
    """A term-count table summed over each document's outline nodes.

    Args:
        term_counts: :data:`TERM_COUNT_COLUMNS` rows (:func:`count_tokens`), any dtypes (categorical text
            columns stay categorical, with the same categories).

    Returns:
        :data:`DOCUMENT_COUNT_COLUMNS`: one row per document and distinct (token, kind, stopword flag),
        ``count`` and ``quoted`` summed over its nodes (int64), in order of first appearance in
        ``term_counts``: grouping these rows by document and token gives the groups, in the order, that
        grouping ``term_counts`` gives.

    Example:
        >>> t = pd.DataFrame({"document": "d", "path": ["一", "一", "二"], "token": ["人才", "，", "人才"],
        ...                   "kind": ["word", "punct", "word"], "is_stop": False, "count": [2, 1, 3], "quoted": 0})
        >>> document_counts(t)[["token", "count"]].values.tolist()
        [['人才', 5], ['，', 1]]
    """
    keys = ["document", "token", "kind", "is_stop"]
    if not len(term_counts):
        return term_counts[DOCUMENT_COUNT_COLUMNS].reset_index(drop=True)
    # One integer key per row from each column's codes (a categorical's own), groups numbered by first
    # appearance: what groupby(sort=False) gives, without its per-call cost (a pandas groupby on four
    # columns took 5-10 ms even on a three-row table, and every file counted makes this table).
    key = np.zeros(len(term_counts), dtype=np.int64)
    for column in keys:
        codes, values = _codes(term_counts[column])
        key = key * (len(values) + 1) + codes.astype(np.int64)
    group, _ = pd.factorize(key)
    first = _first_rows(group)
    n = len(first)
    summed = {c: np.bincount(group, weights=term_counts[c].to_numpy(dtype=np.float64), minlength=n).round()
              .astype(np.int64) for c in ("count", "quoted")}
    out = term_counts[keys].iloc[first].reset_index(drop=True)
    return out.assign(**summed)[DOCUMENT_COUNT_COLUMNS]


def count_tokens(tokens: pd.DataFrame, *, compact: bool = False) -> pd.DataFrame:
    """Count a tokens table per document, outline node and distinct token.

    Every token counts, whatever its kind (punctuation and numbers too), so the table
    gives the Han characters and word tokens of any node as well as its terms. A table
    without ``path`` or ``is_stop`` counts them as None and False. Each column is
    hashed once into integer codes; groups are counted with ``bincount``.

    Args:
        tokens: One row per token in text order: ``document, token, kind`` and
            optionally ``path, is_stop, start, end``.
        compact: The text columns as categoricals of their sorted values
            (:func:`compact_counts`), made from the codes: no string per row is ever made.

    Returns:
        :data:`TERM_COUNT_COLUMNS`: ``document, path, token, kind, is_stop, count,
        quoted``; nodes in order of first appearance, the rows of each node sorted by
        token, kind and stopword flag.

    Example:
        >>> t = pd.DataFrame({"document": "d", "path": "一", "token": ["人才", "，", "人才"],
        ...                   "kind": ["word", "punct", "word"], "is_stop": False})
        >>> count_tokens(t)[["token", "count"]].values.tolist()
        [['人才', 2], ['，', 1]]
    """
    if tokens is None or tokens.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("count", "quoted") else object)
                             for c in TERM_COUNT_COLUMNS})
    tokens = tokens.reset_index(drop=True)
    n = len(tokens)
    quoted_rows = quoted_tokens(tokens)  # first, while no other per-token array is held
    document, document_values = _codes(tokens["document"])
    path, path_values = _codes(tokens["path"] if "path" in tokens.columns else np.full(n, None, dtype=object))
    key = document.astype(np.int64)
    key *= max(len(path_values), 1)
    key += path
    node, _ = pd.factorize(key)  # nodes numbered by first appearance
    node_first = _first_rows(node)  # a row of each node, in node order
    node_document, node_path = document.take(node_first), path.take(node_first)  # codes of each node's values
    del document, path
    token, token_values = factorize_text(tokens["token"])
    kind, kind_values = _codes(tokens["kind"])
    stop = (tokens["is_stop"].fillna(False).astype(bool).to_numpy() if "is_stop" in tokens.columns
            else np.zeros(n, dtype=bool))
    # Ranks that give the output order: node by first appearance, then token, kind, flag as text.
    token_rank = _sort_rank(token_values)
    kind_rank = _sort_rank([str(k) for k in kind_values])
    sizes = [len(node_document), len(token_values), len(kind_values), 2]
    if np.prod(np.array(sizes, dtype=float)) >= 2.0 ** 62:  # pragma: no cover - beyond any corpus
        raise ValueError("count_tokens: too many distinct nodes and tokens to count")
    key = node  # built in place: ((node * T + token rank) * K + kind rank) * 2 + flag
    del node
    key *= sizes[1]
    key += token_rank.take(token)
    key *= sizes[2]
    key += kind_rank.take(kind)
    key *= 2
    key += stop
    # Groups by one stable sort of the keys (no hash table: a cap-size document has millions of
    # groups): sorted by key, which is node (first appearance) then the token, kind and flag ranks,
    # the order wanted; the first row of each run is the group's first token.
    order = np.argsort(key, kind="stable")
    key = key.take(order)
    edge = np.empty(n, dtype=bool)
    edge[:1] = True
    np.not_equal(key[1:], key[:-1], out=edge[1:])
    starts = np.flatnonzero(edge)
    del edge
    groups = key.take(starts)
    del key
    counts = np.diff(np.append(starts, n))
    pick = order.take(starts)  # a token row of each group, for its original values
    quoted = np.add.reduceat(quoted_rows.take(order), starts, dtype=np.int64) if n else np.zeros(0, np.int64)
    del order, quoted_rows
    g_node = groups // (2 * sizes[2] * sizes[1])
    column = _sorted_categorical if compact else _take
    return pd.DataFrame({
        "document": column(document_values, node_document.take(g_node)),
        "path": column(path_values, node_path.take(g_node)),
        "token": column(token_values, token.take(pick)),
        "kind": column(kind_values, kind.take(pick)),
        "is_stop": stop.take(pick),
        "count": counts.astype(np.int64),
        "quoted": quoted,
    }, columns=TERM_COUNT_COLUMNS)


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The row where each code first appears, for codes numbered by first appearance (factorize)."""
    seen = np.maximum.accumulate(codes)
    new = np.empty(len(codes), dtype=bool)
    new[:1] = True
    np.greater(seen[1:], seen[:-1], out=new[1:])
    return np.flatnonzero(new)


def _take(values, codes: np.ndarray):
    """``values[codes]`` as a column, its dtype inferred once from the distinct values (Arrow ``str`` for text)."""
    return pd.Series(np.asarray(values, dtype=object)).array.take(codes)


def _sorted_categorical(values, codes: np.ndarray) -> pd.Categorical:
    """``values[codes]`` as a categorical whose categories are the values used, sorted (``str``; a missing
    value is NaN): what :func:`as_sorted_categorical` gives for the text column, made from the codes."""
    values = np.asarray(values, dtype=object)
    used = np.zeros(len(values), dtype=bool)
    used[codes] = True
    used &= ~pd.isna(values)
    kept = np.flatnonzero(used)
    rank = np.full(len(values), -1, dtype=np.int64)
    distinct = [str(v) for v in values[kept]]
    rank[kept] = _sort_rank(distinct)
    return pd.Categorical.from_codes(rank.take(codes), categories=pd.Index(sorted(distinct), dtype="str"))


def _sort_rank(values: list) -> np.ndarray:
    """The rank of each value in sorted order (values distinct)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    return rank


def _by_node_then(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Keep the nodes in order of first appearance, and sort the rows of each node by ``columns``.

    Rows in order of first appearance would spell out a node's opening words, token by
    token; sorted, a node's rows are a bag of counts (what a profile may hold).
    """
    rank = table.groupby(["document", "path"], sort=False, dropna=False).ngroup()
    keys = [table[c].astype(str) if c != "is_stop" else table[c] for c in columns]
    order = pd.DataFrame({"_rank": rank, **{f"_k{i}": k for i, k in enumerate(keys)}})
    index = order.sort_values(list(order.columns), kind="stable").index
    return table.loc[index].reset_index(drop=True)


def count_sentence_tokens(tokens: pd.DataFrame) -> pd.DataFrame:
    """Word tokens (kind ``word``, stopwords included) per sentence.

    Returns:
        :data:`SENTENCE_TOKEN_COLUMNS`: ``document, sentence, word_tokens``; sentences
        without word tokens have no row.

    >>> t = pd.DataFrame({"document": "d", "sentence": [0, 0, 1], "kind": ["word", "punct", "word"]})
    >>> count_sentence_tokens(t).values.tolist()
    [['d', 0, 1], ['d', 1, 1]]
    """
    if tokens is None or tokens.empty or "sentence" not in tokens.columns:
        return pd.DataFrame({"document": pd.Series(dtype=object), "sentence": pd.Series(dtype="int64"),
                             "word_tokens": pd.Series(dtype="int64")})
    words = tokens.loc[tokens["kind"] == "word", ["document", "sentence"]]
    if len(words) and isinstance(words["document"].dtype, pd.CategoricalDtype) and words["document"].nunique() == 1:
        # One document (what a worker counts): a bincount over its sentence numbers.
        sentence = words["sentence"].to_numpy()
        order = pd.unique(sentence)  # sentences in order of first appearance, as groupby gives
        counts = np.bincount(sentence - sentence.min()).take(order - sentence.min())
        return pd.DataFrame({"document": _categorical(np.zeros(len(order), dtype=np.int8), [words["document"].iloc[0]]),
                             "sentence": order.astype(np.int64), "word_tokens": counts.astype(np.int64)},
                            columns=SENTENCE_TOKEN_COLUMNS)
    table = words.groupby(["document", "sentence"], sort=False, observed=True).size().rename("word_tokens").reset_index()
    return table.astype({"sentence": "int64", "word_tokens": "int64"})[SENTENCE_TOKEN_COLUMNS]


def count_theme_hits(hits: pd.DataFrame, tokens: pd.DataFrame) -> ThemeCounts:
    """Count theme hits per sentence and per node, and find each theme's first hit.

    Args:
        hits: :func:`analysis.text.lexicon.theme_hits` rows (one per hit per theme).
        tokens: The tokens the hits were found in (for each document's length: the end
            of its last token).

    Returns:
        A :class:`ThemeCounts`; each table keeps the documents in the order of ``hits``.

    Example:
        >>> hits = pd.DataFrame({"document": "d", "theme": ["t", "t"], "term": ["人才", "人才"], "home": "t",
        ...     "start": [0, 9], "path": "一", "sentence": [0, 1], "n_tokens": 1, "han_chars": 2})
        >>> c = count_theme_hits(hits, pd.DataFrame({"document": ["d"], "end": [10]}))
        >>> c.sentences["hits"].tolist(), c.terms["hits"].tolist(), c.first["position"].tolist()
        ([1, 1], [2], [0.0])
    """
    sentences = (hits.groupby(["document", "sentence", "theme"], sort=False)
                 .agg(hits=("term", "size"), covered_tokens=("n_tokens", "sum"), covered_han=("han_chars", "sum"))
                 .reset_index())
    terms = hits.groupby(["document", "path", "theme", "term", "home"], sort=False).size().rename("hits").reset_index()
    terms = _by_node_then(terms, ["theme", "term"])
    order = {d: i for i, d in enumerate(pd.unique(hits["document"]))}
    first = hits.assign(_d=hits["document"].map(order)).sort_values(["_d", "start"], kind="stable")
    first = first.drop_duplicates(["document", "theme"])
    length = tokens.groupby("document", sort=False)["end"].max() if len(tokens) else pd.Series(dtype=float)
    first = first.assign(position=first["start"].astype(float) / first["document"].map(length).astype(float))
    ints = {c: "int64" for c in ("sentence", "hits", "covered_tokens", "covered_han")}
    return ThemeCounts(
        sentences=sentences.astype({k: v for k, v in ints.items() if k in sentences})[SENTENCE_THEME_COLUMNS],
        terms=terms.astype({"hits": "int64"})[THEME_TERM_COLUMNS],
        first=first.astype({"sentence": "int64", "start": "int64"})[FIRST_HIT_COLUMNS].reset_index(drop=True),
    )
