"""Similarity between speeches, and a map of many speeches.

Everything here reads counts only (term frequencies per document, theme hits per
document), so a reference profile and a full text give the same result.

- :func:`profile_matrix`: documents × terms (or documents × themes) count matrix on one
  shared vocabulary.
- :func:`jensen_shannon`: Jensen–Shannon divergence in bits (Lin 1991), 0 … 1.
- :func:`cosine`: cosine similarity of two rate vectors.
- :func:`speech_similarity`: both, for every pair of documents, on the same vocabulary;
  :func:`similar_speeches`: every speech's distance from one speech, nearest first.
- :func:`correspondence_analysis`: principal row coordinates and inertia per axis of a
  documents × terms table (Greenacre 2017), fitted with the maintained ``prince``
  library; :func:`ca_inertia` works the total inertia out by hand (the SVD of the
  standardized residuals) as a check.
- :func:`speech_map`: the two-dimensional CA map of all speeches with their metadata
  (kind, level, decade) for colouring.

>>> import pandas as pd

>>> m = pd.DataFrame({"人才": [8, 2], "基层": [2, 8]}, index=["a", "b"])
>>> round(float(jensen_shannon(m.loc["a"], m.loc["b"])), 4)
0.2781
>>> speech_similarity(m)[["document_a", "document_b", "cosine"]].round(3).values.tolist()
[['a', 'b', 0.471]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
import pandas as pd

from analysis.memo import memoized
from analysis.calendar import with_decade  # noqa: F401 (also importable from here)
from analysis.types import FeatureSetLike

__all__ = ["profile_matrix", "jensen_shannon", "cosine", "speech_similarity", "similar_speeches", "correspondence_analysis",
           "ca_inertia", "speech_map", "with_decade"]

#: Metadata columns carried into :func:`speech_map` when the FeatureSet has them.
MAP_METADATA = ("title", "date", "year", "decade", "level", "kind", "collection", "speaker_role")


def _example_tables():
    """Token counts of three tiny documents for the docstring examples (a FeatureSet from tables)."""
    from analysis.features import FeatureSet

    words = {"a": ["人才", "人才", "基层", "干部"], "b": ["人才", "人才", "基层", "党员"], "c": ["社区", "社区", "基层", "党员"]}
    tokens = pd.DataFrame([(d, "一", w, "word", False) for d, ws in words.items() for w in ws],
                          columns=["document", "path", "token", "kind", "is_stop"])
    return FeatureSet.from_tables(pd.DataFrame({"id": list(words), "date": ["2019", "2020", "2021"],
                                                "kind": ["x", "x", "y"]}), tokens)


def profile_matrix(fs: FeatureSetLike, *, on: str = "terms", documents: Sequence[str] | None = None, min_count: int = 5,
                   stopwords: bool = True) -> pd.DataFrame:
    """Documents × terms (or × themes) count matrix on one shared vocabulary.

    Args:
        fs: A FeatureSet.
        on: ``"terms"`` (term counts from :func:`analysis.stats.counts.term_frequencies`,
            stopwords left out) or ``"themes"`` (theme hits from
            :func:`analysis.stats.themes.theme_coverage`).
        documents: Ids to include, in this order (default: every document of ``fs``).
        min_count: Keep terms with at least this many tokens (whole-token counts) over the documents
            included (themes are all kept).
        stopwords: With ``on="terms"``, leave stopwords out.

    Returns:
        A DataFrame indexed by document id (in order), one integer column per term
        (by total count descending, then term) or per theme (lexicon order).

    Raises:
        ValueError: for an unknown ``on``, or when no term reaches ``min_count``.

    Example:
        >>> profile_matrix(_example_tables(), min_count=2).to_dict("index")
        {'a': {'人才': 2, '基层': 1, '党员': 0, '社区': 0}, 'b': {'人才': 2, '基层': 1, '党员': 1, '社区': 0}, 'c': {'人才': 0, '基层': 1, '党员': 1, '社区': 2}}
    """
    ids = [str(i) for i in (fs.documents["id"] if documents is None else documents)]
    if on == "terms":
        from analysis.stats.counts import term_frequencies

        freq = term_frequencies(fs, by="document", stopwords=stopwords)
        freq = freq[freq["document"].astype(str).isin(ids)]
        wide = freq.pivot_table(index="document", columns="term", values="tokens", aggfunc="sum", fill_value=0)
        totals = wide.sum(axis=0)
        keep = totals[totals >= min_count]
        order = sorted(keep.index, key=lambda t: (-int(keep[t]), str(t)))
        if not order:
            raise ValueError(f"profile_matrix: no term occurs {min_count} times in the documents chosen; lower min_count")
        wide = wide[order]
    elif on == "themes":
        from analysis.stats.themes import theme_coverage

        cov = theme_coverage(fs, by="document")
        cov = cov[cov["document"].astype(str).isin(ids)]
        themes = list(dict.fromkeys(cov["theme"]))
        wide = cov.pivot_table(index="document", columns="theme", values="theme_hits", aggfunc="sum", fill_value=0)[themes]
    else:
        raise ValueError(f"on must be 'terms' or 'themes', got {on!r}")
    wide.index = wide.index.astype(str)
    wide = wide.reindex(ids, fill_value=0).astype(np.int64)
    wide.columns.name = "term" if on == "terms" else "theme"
    wide.index.name = "document"
    return wide


def jensen_shannon(p: ArrayLike, q: ArrayLike) -> float:
    """Jensen–Shannon divergence of two distributions, in bits (Lin 1991, IEEE Trans. Inf. Theory 37:145).

    ``JSD(P, Q) = H(M) − (H(P) + H(Q)) / 2`` with ``M = (P + Q) / 2`` and ``H`` the
    Shannon entropy in bits: 0 for identical distributions, 1 for disjoint ones. Counts
    are normalized to proportions first. Equal to the square of
    ``scipy.spatial.distance.jensenshannon(p, q, base=2)``.

    Args:
        p: Counts or proportions (non-negative, same length as ``q``).
        q: Counts or proportions.

    Returns:
        The divergence in bits, or NaN when either side sums to 0.

    Example:
        >>> jensen_shannon([1, 0], [0, 1]), jensen_shannon([2, 2], [1, 1])
        (1.0, 0.0)
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"jensen_shannon: the two distributions differ in length ({p.size} and {q.size})")
    if np.any(p < 0) or np.any(q < 0):
        raise ValueError("jensen_shannon: counts must be non-negative")
    if p.sum() <= 0 or q.sum() <= 0:
        return float("nan")
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def entropy(x: np.ndarray) -> float:
        nz = x[x > 0]
        return float(-(nz * np.log2(nz)).sum())

    return max(0.0, entropy(m) - (entropy(p) + entropy(q)) / 2)


def cosine(x: ArrayLike, y: ArrayLike) -> float:
    """Cosine similarity of two non-negative rate (or count) vectors: ``x·y / (|x| |y|)``.

    Scaling a vector does not change it, so counts and rates per 10,000 tokens give
    the same value. 1 = same proportions; 0 = no term in common. NaN when a vector is 0.
    Equal to ``1 − scipy.spatial.distance.cosine(x, y)``.

    Example:
        >>> round(cosine([1, 0], [1, 1]), 4)
        0.7071
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    if nx == 0 or ny == 0:
        return float("nan")
    return float(x @ y / (nx * ny))


def speech_similarity(matrix: pd.DataFrame) -> pd.DataFrame:
    """Jensen–Shannon divergence and cosine similarity of every pair of documents of a count matrix.

    Both are computed on the same vocabulary, the columns of ``matrix`` (see
    :func:`profile_matrix`): JSD on the term distributions (counts over the document's
    total on that vocabulary), cosine on the rate vectors.

    Args:
        matrix: Documents × terms counts (index: document ids).

    Returns:
        One row per unordered pair, in matrix order: ``document_a, document_b,
        jsd_bits`` (0 … 1), ``cosine`` (0 … 1), ``vocabulary`` (columns used),
        ``tokens_a, tokens_b`` (counts on the vocabulary).

    Example:
        >>> m = pd.DataFrame({"甲": [1, 1, 0], "乙": [0, 1, 1]}, index=["x", "y", "z"])
        >>> speech_similarity(m)[["document_a", "document_b", "jsd_bits"]].round(3).values.tolist()
        [['x', 'y', 0.311], ['x', 'z', 1.0], ['y', 'z', 0.311]]
    """
    values = matrix.to_numpy(dtype=float)
    ids = [str(i) for i in matrix.index]
    totals = values.sum(axis=1)
    rows = []
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            rows.append((ids[i], ids[j], jensen_shannon(values[i], values[j]), cosine(values[i], values[j]),
                         values.shape[1], int(totals[i]), int(totals[j])))
    return pd.DataFrame(rows, columns=["document_a", "document_b", "jsd_bits", "cosine", "vocabulary", "tokens_a",
                                       "tokens_b"])


@memoized
def similar_speeches(fs: FeatureSetLike, document: str, *, on: str = "terms", min_count: int = 5) -> pd.DataFrame:
    """How close every other speech is to one speech: JSD and cosine on one shared vocabulary.

    Args:
        fs: A FeatureSet.
        document: The speech's id.
        on: ``"terms"`` or ``"themes"`` (see :func:`profile_matrix`).
        min_count: Vocabulary: terms with at least this many occurrences over all documents.

    Returns:
        One row per other speech, nearest first (JSD ascending, then id): ``document``,
        the metadata columns of :data:`MAP_METADATA` it has, ``on, jsd_bits, cosine,
        vocabulary``.

    Raises:
        KeyError: when ``document`` is not in the FeatureSet.

    Example:
        >>> similar_speeches(_example_tables(), "a", min_count=1)[["document", "jsd_bits"]].round(3).values.tolist()
        [['b', 0.25], ['c', 0.75]]
    """
    ids = [str(i) for i in fs.documents["id"]]
    if document not in ids:
        raise KeyError(f"document {document!r} is not in this FeatureSet")
    matrix = profile_matrix(fs, on=on, min_count=min_count)
    values = matrix.to_numpy(dtype=float)
    own = values[ids.index(document)]
    rows = [(other, jensen_shannon(own, values[k]), cosine(own, values[k])) for k, other in enumerate(ids)
            if other != document]
    table = pd.DataFrame(rows, columns=["document", "jsd_bits", "cosine"]).assign(on=on, vocabulary=matrix.shape[1])
    meta = with_decade(fs.documents).rename(columns={"id": "document"})
    meta["document"] = meta["document"].astype(str)
    keep = ["document"] + [c for c in MAP_METADATA if c in meta.columns]
    table = meta[keep].merge(table, on="document", how="inner")
    return table.sort_values(["jsd_bits", "document"], kind="stable").reset_index(drop=True)


def ca_inertia(matrix: pd.DataFrame | ArrayLike) -> np.ndarray:
    """Principal inertias of a correspondence analysis, worked out by hand (Greenacre 2017, ch. 4 and appendix A).

    With ``P = N / n``, row masses ``r``, column masses ``c``, the standardized residuals
    are ``S = D_r^{-1/2} (P − r cᵀ) D_c^{-1/2}``; the principal inertias are the squared
    singular values of ``S``, and their sum is the total inertia, Pearson's χ² / n.

    Args:
        matrix: A non-negative table (rows and columns with positive sums).

    Returns:
        The principal inertias (eigenvalues), largest first, of all min(I, J) − 1 axes.

    Example:
        >>> ca_inertia([[10, 0], [0, 10]]).round(6).tolist()
        [1.0]
    """
    n = np.asarray(matrix, dtype=float)
    p = n / n.sum()
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    sv = np.linalg.svd(s, compute_uv=False)
    k = min(n.shape) - 1
    return sv[:k] ** 2


def correspondence_analysis(matrix: pd.DataFrame, *, n_components: int = 2,
                            random_state: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Correspondence analysis of a documents × terms table with ``prince`` (Greenacre 2017).

    Rows or columns that sum to 0 are dropped first (CA needs positive masses).

    Args:
        matrix: Documents × terms counts (index: document ids), e.g. :func:`profile_matrix`.
        n_components: Axes kept.
        random_state: Seed passed to ``prince.CA`` (its SVD is randomized for large tables).

    Returns:
        ``(coordinates, axes)``. ``coordinates``: one row per document, ``document,
        dim_1 … dim_k`` (principal coordinates), ``mass``. ``axes``: one row per axis,
        ``axis, eigenvalue`` (principal inertia), ``explained`` (share of the total
        inertia), ``cumulative``, ``total_inertia``.

    Raises:
        ValueError: with fewer than 3 documents or 3 terms left.

    Example:
        >>> m = pd.DataFrame({"甲": [9, 1, 5], "乙": [1, 9, 5], "丙": [5, 5, 1]}, index=["x", "y", "z"])
        >>> coords, axes = correspondence_analysis(m)
        >>> axes["explained"].sum().round(6)
        np.float64(1.0)
    """
    import prince

    table = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
    if table.shape[0] < 3 or table.shape[1] < 3:
        raise ValueError(f"correspondence analysis needs at least 3 documents and 3 terms with counts; "
                         f"got {table.shape[0]} × {table.shape[1]}")
    k = min(n_components, min(table.shape) - 1)
    ca = prince.CA(n_components=k, random_state=random_state, engine="scipy")
    ca = ca.fit(table.astype(float))
    coords = ca.row_coordinates(table.astype(float))
    coords.columns = [f"dim_{i + 1}" for i in range(k)]
    total = float(ca.total_inertia_)
    eig = np.asarray(ca.eigenvalues_, dtype=float)[:k]
    # Axis signs are arbitrary; fix them so the first document with a non-zero value is positive.
    for i, column in enumerate(coords.columns):
        first = coords[column].to_numpy()[np.flatnonzero(np.abs(coords[column].to_numpy()) > 1e-12)[:1]]
        if first.size and first[0] < 0:
            coords[column] = -coords[column]
    coordinates = coords.rename_axis("document").reset_index()
    coordinates["document"] = coordinates["document"].astype(str)
    coordinates["mass"] = (table.sum(axis=1) / table.to_numpy().sum()).to_numpy()
    axes = pd.DataFrame({"axis": np.arange(1, k + 1), "eigenvalue": eig, "explained": eig / total})
    axes["cumulative"] = axes["explained"].cumsum()
    axes["total_inertia"] = total
    return coordinates, axes


@memoized
def speech_map(fs: FeatureSetLike, *, on: str = "terms", min_count: int = 5, mark: Sequence[str] = (),
               n_components: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A two-dimensional map of all speeches: correspondence analysis of their term (or theme) counts.

    Args:
        fs: A FeatureSet.
        on: ``"terms"`` or ``"themes"`` (see :func:`profile_matrix`).
        min_count: Keep terms with at least this many occurrences over all documents.
        mark: Ids to mark on the map (e.g. the seed); ``marked`` is True for them.
        n_components: Axes kept.

    Returns:
        ``(coordinates, axes)`` as :func:`correspondence_analysis`, the coordinates with
        the metadata columns of :data:`MAP_METADATA` the FeatureSet has (``decade``
        derived from the year) and ``marked``. Both empty (with a warning) when fewer
        than 3 speeches have counts.

    Example:
        >>> coords, axes = speech_map(_example_tables(), min_count=1, mark=["a"])
        >>> coords[["document", "decade", "marked"]].values.tolist()
        [['a', 2010, True], ['b', 2020, False], ['c', 2020, False]]
    """
    matrix = profile_matrix(fs, on=on, min_count=min_count)
    if (matrix.sum(axis=1) > 0).sum() < 3:
        import warnings

        warnings.warn(f"a map needs at least 3 speeches with counts; this FeatureSet has {len(matrix)}: "
                      "the map is empty", stacklevel=2)
        columns = ["document"] + [f"dim_{i + 1}" for i in range(n_components)] + ["mass", "marked"]
        return (pd.DataFrame({c: [] for c in columns}),
                pd.DataFrame({c: [] for c in ["axis", "eigenvalue", "explained", "cumulative", "total_inertia", "on"]}))
    coordinates, axes = correspondence_analysis(matrix, n_components=n_components)
    meta = with_decade(fs.documents).rename(columns={"id": "document"})
    meta["document"] = meta["document"].astype(str)
    keep = ["document"] + [c for c in MAP_METADATA if c in meta.columns]
    coordinates = coordinates.merge(meta[keep], on="document", how="left")
    coordinates["marked"] = coordinates["document"].isin([str(m) for m in mark])
    return coordinates, axes.assign(on=on)
