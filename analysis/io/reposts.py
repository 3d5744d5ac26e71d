"""Reposts: the same speech found several times (on several sites, as a page, a PDF and a Word file).

A speech reposted by another site comes with other menus, a few edited words, another
date, sometimes an extra paragraph or a missing one. Two documents are copies of one
speech when most of the shorter one's character 5-gram shingles (Han characters only,
the shingles of :func:`analysis.stats.reuse.shingles`) occur in the longer: the *containment*
|A ∩ B| / min(|A|, |B|) (Broder 1997) is at least ``threshold`` (default 0.8). Candidates
are found with MinHash LSH (datasketch; Leskovec, Rajaraman & Ullman, *Mining of Massive
Datasets*, ch. 3), so a collection of thousands of speeches is not compared pair by pair;
each candidate pair is then checked on its exact shingle sets. Copies are grouped
transitively (union–find).

One copy per group is *kept* (for ``--dedupe``): the earliest dated (an undated copy comes
last; a year or a month counts as its last day, so a precise date in it wins), then the most complete (most Han characters), then the first id.

>>> import pandas as pd
>>> a = "同志们：今天召开全县组织工作会议，主要任务是总结去年工作，部署今年任务。我们要坚持党管干部原则，选好用好干部。"
>>> docs = pd.DataFrame({"id": ["page", "pdf", "other"], "date": ["2024-03-18", "2024-03-15", ""],
...                      "text": ["来源：某县党建网\\n" + a, a, "全市人才工作推进会今天召开，重点研究引才育才留才的具体措施。"]})
>>> find_reposts(docs)[["id", "group", "copies", "keep"]].values.tolist()
[['page', 'pdf', 2, False], ['pdf', 'pdf', 2, True], ['other', 'other', 1, True]]
"""

from __future__ import annotations

import pandas as pd

from analysis.chars import HAN_RE, count_han

__all__ = ["REPOST_COLUMNS", "find_reposts"]

#: Columns of :func:`find_reposts`.
REPOST_COLUMNS = ("id", "group", "copies", "keep", "containment")


def _shingles(text: str, n: int) -> set[str]:
    """The character n-grams over the Han characters of ``text`` (as :func:`analysis.stats.reuse.shingles`,
    which a loading stage may not import)."""
    han = "".join(HAN_RE.findall(text))
    return {han[i:i + n] for i in range(len(han) - n + 1)}


def _find(parent: dict, x: str) -> str:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def find_reposts(documents: pd.DataFrame, *, threshold: float = 0.8, n: int = 5, num_perm: int = 128,
                 seed: int = 1) -> pd.DataFrame:
    """Group the documents that are copies of one speech.

    Args:
        documents: The loaded documents (``id``, ``text``; ``date`` when present).
        threshold: Containment of the shorter copy's shingles in the longer at or above
            which two documents are one speech.
        n: Shingle length in Han characters.
        num_perm: MinHash permutations.
        seed: MinHash seed (results are deterministic for a seed).

    Returns:
        One row per document, in the input order: ``id``; ``group`` (the id of the kept
        copy of its group); ``copies`` (documents in the group); ``keep`` (True for the
        copy to keep); ``containment`` (of the shorter in the longer, between it and the
        kept copy; 1.0 for the kept copy itself).

    Raises:
        ValueError: When ``threshold`` is not in (0, 1].
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    from datasketch import MinHash, MinHashLSH

    ids = [str(i) for i in documents["id"]]
    texts = dict(zip(ids, documents["text"].astype(str)))
    dates = dict(zip(ids, documents["date"].fillna("").astype(str))) if "date" in documents else dict.fromkeys(ids, "")
    sets = {i: _shingles(texts[i], n) for i in ids}
    # Jaccard of a copy that holds the other is at least containment × |short| / |long|; a loose LSH
    # threshold finds copies with extra text, and every candidate is checked exactly.
    lsh = MinHashLSH(threshold=max(0.2, threshold / 3), num_perm=num_perm)
    hashes = {}
    for i in ids:
        m = MinHash(num_perm=num_perm, seed=seed)
        for s in sets[i]:
            m.update(s.encode("utf-8"))
        hashes[i] = m
        if sets[i]:
            lsh.insert(i, m)
    parent = {i: i for i in ids}

    def containment(a: str, b: str) -> float:
        small = min(len(sets[a]), len(sets[b]))
        return len(sets[a] & sets[b]) / small if small else 0.0

    for i in ids:
        if not sets[i]:
            continue
        for j in lsh.query(hashes[i]):
            if j != i and containment(i, j) >= threshold:
                parent[_find(parent, i)] = _find(parent, j)
    members: dict[str, list[str]] = {}
    for i in ids:
        members.setdefault(_find(parent, i), []).append(i)
    order = {i: k for k, i in enumerate(ids)}

    def rank(i: str) -> tuple:  # a year or month counts as its last day: a precise date beside it wins
        date = dates[i]
        padded = date + "-12-31"[len(date) - 4:] if len(date) in (4, 7) else date
        return (date == "", padded, -count_han(texts[i]), order[i])

    rows = {}
    for group in members.values():
        kept = min(group, key=rank)
        for i in group:
            rows[i] = {"id": i, "group": kept, "copies": len(group), "keep": i == kept,
                       "containment": 1.0 if i == kept else round(containment(i, kept), 4)}
    return pd.DataFrame([rows[i] for i in ids], columns=list(REPOST_COLUMNS))
