"""Reuse between speeches: character 5-gram shingles, Jaccard similarity, shared passages.

Speeches cascade down the levels (docs/methods.md, "The genre"): a district speech relays the province's,
which relays the centre's. Reuse is measured on the Han characters only (punctuation,
digits, Latin letters, spaces and the redaction placeholder 〓 are skipped), so that a
passage copied with different punctuation or line breaks is still found; offsets in the
results are always offsets in the normalized text.

- :func:`shingles`: the set of character n-gram shingles of a text (Broder 1997).
- :func:`jaccard`: |A ∩ B| / |A ∪ B| of two shingle sets.
- :func:`section_texts`: the sections of each document at an outline level.
- :func:`section_similarity`: Jaccard and containment for every pair of sections of two speeches.
- :func:`shared_passages`: the maximal passages of a speech whose shingles occur in another
  speech, as spans (marked as shared).

This module reads running text, so its functions take the loaded documents table
(``id``, ``text``), not a FeatureSet.

>>> a = "要大力引进高层次人才，完善人才评价机制。"
>>> b = "我们要完善人才评价机制，引进人才。"
>>> round(jaccard(shingles(a), shingles(b)), 3)  # 4 shared of 14 + 11 − 4 = 21
0.19
>>> p = shared_passages(pd.DataFrame({"id": ["a", "b"], "text": [a, b]}), "a", "b", min_han=5)
>>> p[["start", "end", "text"]].values.tolist()
[[11, 19, '完善人才评价机制']]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.chars import HAN_RE, count_han
from analysis.stats.counts import require_texts


def _han_stream(text: str) -> tuple[str, np.ndarray]:
    """Return the Han characters of ``text`` and the offset of each in ``text``."""
    offsets = [m.start() for m in HAN_RE.finditer(text)]
    return "".join(text[i] for i in offsets), np.asarray(offsets, dtype=np.int64)


def shingles(text: str, *, n: int = 5) -> set[str]:
    """Return the set of character n-gram shingles over the Han characters of ``text``.

    Args:
        text: Normalized text.
        n: Shingle length in Han characters (5 by default: long enough that chance
            overlaps between unrelated Chinese sentences are rare, short enough to catch
            a reworded clause).

    Returns:
        The set of n-character strings (empty when the text has fewer than n Han characters).

    Example:
        >>> sorted(shingles("人才强国，战略", n=5))
        ['人才强国战', '才强国战略']
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    han, _ = _han_stream(text)
    return {han[i:i + n] for i in range(len(han) - n + 1)}


def jaccard(a: set, b: set) -> float:
    """Jaccard similarity |A ∩ B| / |A ∪ B| (NaN when both sets are empty).

    Example:
        >>> jaccard({"a", "b"}, {"b", "c"})
        0.3333333333333333
    """
    union = len(a | b)
    return len(a & b) / union if union else float("nan")


def _documents(documents_df: pd.DataFrame) -> dict[str, str]:
    documents_df = require_texts(documents_df, "reuse")
    return dict(zip(documents_df["id"].astype(str), documents_df["text"]))


def _text_of(docs: dict[str, str], doc: str) -> str:
    if doc not in docs:
        raise KeyError(f"document {doc!r} is not in the table; ids: {sorted(docs)[:20]}")
    return docs[doc]


def section_texts(documents_df: pd.DataFrame, *, level: int = 1) -> pd.DataFrame:
    """Split each document into its sections at an outline level (with :func:`analysis.text.outline.parse_outline`).

    A section at ``level`` includes its children; the preamble and closing (level 0) are
    sections of their own, so the sections partition the text.

    Args:
        documents_df: Documents with ``id`` and ``text``.
        level: Outline level (1 = 一, 二 …; 2 = 一（一）…).

    Returns:
        Columns ``document, path, start, end, han_chars, text`` in document order.

    Example:
        >>> docs = pd.DataFrame({"id": ["d"], "text": ["同志们：\\n一、抓人才\\n要引才。\\n二、抓基层\\n要强基。"]})
        >>> section_texts(docs)[["path", "start", "end"]].values.tolist()
        [['preamble', 0, 5], ['一', 5, 16], ['二', 16, 26]]
    """
    from analysis.text.outline import parse_outline

    rows = []
    for doc, text in _documents(documents_df).items():
        outline = parse_outline(text)
        parent = {node.path: node.parent for node in outline.nodes}
        lev = {node.path: node.level for node in outline.nodes}
        parts: dict[str, list[int]] = {}
        for path, start, end in outline.pieces():
            p = path
            while lev.get(p, 0) > level and parent.get(p) is not None:
                p = parent[p]
            span = parts.setdefault(p, [start, end])
            span[0], span[1] = min(span[0], start), max(span[1], end)
        for path, (start, end) in parts.items():
            rows.append((doc, path, start, end, count_han(text[start:end]), text[start:end]))
    return pd.DataFrame(rows, columns=["document", "path", "start", "end", "han_chars", "text"])


def section_similarity(documents_df: pd.DataFrame, a: str, b: str, *, n: int = 5, level: int = 1,
                       sections: pd.DataFrame | None = None) -> pd.DataFrame:
    """Jaccard similarity and containment of shingles for every pair of sections of two speeches.

    ``jaccard = |S_a ∩ S_b| / |S_a ∪ S_b|``; ``containment_a = |S_a ∩ S_b| / |S_a|``, the
    share of section a's shingles found in section b (Broder 1997), which is the better
    measure when a short local section relays part of a long central one.

    Args:
        documents_df: Documents with ``id`` and ``text``.
        a: Document id of speech A.
        b: Document id of speech B (may equal A to compare a speech's sections with each other).
        n: Shingle length.
        level: Outline level of the sections.
        sections: Precomputed :func:`section_texts` (or any table with document, path, text).

    Returns:
        One row per section pair: ``path_a, path_b, shingles_a, shingles_b, shared,
        jaccard, containment_a, containment_b``, in the sections' order.
    """
    docs = _documents(documents_df)
    _text_of(docs, a), _text_of(docs, b)
    sections = section_texts(documents_df[documents_df["id"].astype(str).isin([a, b])], level=level) \
        if sections is None else sections
    sa = sections[sections["document"] == a]
    sb = sections[sections["document"] == b]
    sets_a = [(p, shingles(t, n=n)) for p, t in zip(sa["path"], sa["text"])]
    sets_b = [(p, shingles(t, n=n)) for p, t in zip(sb["path"], sb["text"])]
    rows = []
    for pa, x in sets_a:
        for pb, y in sets_b:
            shared = len(x & y)
            rows.append((pa, pb, len(x), len(y), shared, jaccard(x, y),
                         shared / len(x) if x else np.nan, shared / len(y) if y else np.nan))
    return pd.DataFrame(rows, columns=["path_a", "path_b", "shingles_a", "shingles_b", "shared", "jaccard",
                                       "containment_a", "containment_b"])


def _passages(text_a: str, text_b: str, n: int, min_han: int) -> list[tuple[int, int, int, int, int, bool]]:
    han_a, off_a = _han_stream(text_a)
    han_b, off_b = _han_stream(text_b)
    first_in_b: dict[str, int] = {}
    for i in range(len(han_b) - n + 1):
        first_in_b.setdefault(han_b[i:i + n], i)
    covered = np.zeros(len(han_a), dtype=bool)
    for i in range(len(han_a) - n + 1):
        if han_a[i:i + n] in first_in_b:
            covered[i:i + n] = True
    out = []
    i = 0
    while i < len(han_a):
        if not covered[i]:
            i += 1
            continue
        j = i
        while j < len(han_a) and covered[j]:
            j += 1
        if j - i >= min_han:
            piece = han_a[i:j]
            k = han_b.find(piece)
            exact = k >= 0
            if not exact:
                k = first_in_b[han_a[i:i + n]]
            k_end = k + (j - i if exact else n)
            out.append((int(off_a[i]), int(off_a[j - 1]) + 1, j - i, int(off_b[k]), int(off_b[k_end - 1]) + 1, exact))
        i = j
    return out


def shared_passages(documents_df: pd.DataFrame, a: str, b: str | Sequence[str], *, n: int = 5,
                    min_han: int = 10) -> pd.DataFrame:
    """Mark the passages of speech A that are shared with speech B (or with any of several speeches).

    A Han character of A is shared when some n-gram shingle that covers it also occurs
    in B; maximal runs of shared characters are passages (spans in A's normalized text).
    Runs shorter than ``min_han`` Han characters are dropped as formulaic noise.

    Args:
        documents_df: Documents with ``id`` and ``text``.
        a: Document id of the speech whose passages are marked.
        b: Document id (or ids) of the other speech(es), e.g. the higher-level speech it relays.
        n: Shingle length.
        min_han: Minimum passage length in Han characters.

    Returns:
        One row per passage per other speech: ``document, start, end, han_chars, path``
        (outline path at the passage start), ``other, other_start, other_end`` (where it
        is in the other speech: the whole passage when ``exact``, else its first
        shingle), ``exact`` and ``text`` (the passage in A). Sorted by start, then other.
    """
    from analysis.text.outline import parse_outline

    docs = _documents(documents_df)
    text_a = _text_of(docs, a)
    others = [b] if isinstance(b, str) else list(b)
    outline = parse_outline(text_a)
    rows = []
    for other in others:
        text_b = _text_of(docs, other)
        for start, end, han, o_start, o_end, exact in _passages(text_a, text_b, n, min_han):
            rows.append((a, start, end, han, outline.path_at(start), other, o_start, o_end, exact, text_a[start:end]))
    table = pd.DataFrame(rows, columns=["document", "start", "end", "han_chars", "path", "other", "other_start",
                                        "other_end", "exact", "text"])
    return table.sort_values(["start", "other"], kind="stable").reset_index(drop=True)


def reuse_share(documents_df: pd.DataFrame, a: str, b: str | Sequence[str], *, n: int = 5, min_han: int = 10,
                level: int = 1) -> pd.DataFrame:
    """Share of each section of A (Han characters) inside passages shared with B.

    Args:
        documents_df: Documents with ``id`` and ``text``.
        a: Document id of the speech whose sections are measured.
        b: Document id (or ids) of the other speech(es).
        n: Shingle length.
        min_han: Minimum passage length (see :func:`shared_passages`).
        level: Outline level of the sections.

    Returns:
        Columns ``document, path, han_chars, shared_han, share_shared``; the passages are
        pooled over all others (a character shared with two speeches counts once).
    """
    docs = _documents(documents_df)
    text_a = _text_of(docs, a)
    passages = shared_passages(documents_df, a, b, n=n, min_han=min_han)
    mask = np.zeros(len(text_a), dtype=bool)
    for start, end in zip(passages["start"], passages["end"]):
        mask[start:end] = True
    han_mask = np.array([bool(HAN_RE.match(c)) for c in text_a], dtype=bool) if text_a else np.zeros(0, bool)
    sections = section_texts(documents_df[documents_df["id"].astype(str) == a], level=level)
    rows = []
    for path, start, end, han in zip(sections["path"], sections["start"], sections["end"], sections["han_chars"]):
        shared = int((mask[start:end] & han_mask[start:end]).sum())
        rows.append((a, path, int(han), shared, shared / han if han else np.nan))
    return pd.DataFrame(rows, columns=["document", "path", "han_chars", "shared_han", "share_shared"])
