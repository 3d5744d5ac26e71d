"""Formula discovery and dating: candidate formulas (提法) found in a corpus, with their first and last dated appearance.

Formulas carry the political line and travel from the centre to the localities
(see the glossary and the methods page of docs/). :func:`discover_formulas` proposes candidates from the texts
alone, without the dictionary, so that new coinages can be found and dated:

- ``numbered``: number-led patterns, numeral + 个/大/项/条 + head (两个确立, 四个意识,
  三个区分开来), and counted slogans of the form numeral + X + numeral + Y (三严三实);
- ``recurring``: strings of 4–10 Han characters that recur in several documents, with
  stable boundaries and high internal association.

Strings are mined within runs of Han characters (punctuation and line breaks end a
run). A string's **boundary stability** is the smaller of its left and right branching
entropies, the entropy in bits of the character before (after) its occurrences, a run's
start or end counting as a neighbour of its own (Jin & Tanaka-Ishii 2006, COLING/ACL;
accessor variety, Feng et al. 2004, Computational Linguistics 30(1)): a string nearly
always followed by the same character is part of a longer unit, not a unit, while a
formula usually preceded by one verb (贯彻新发展理念) keeps some entropy on that side. Its **association** is the smallest
pointwise mutual information over its split points, log2(p(w) / (p(a) p(b))) for
w = ab (Church & Hanks 1990; the "cohesion" of Chinese word extraction). Counts are
of occurrences in the Han runs; candidates are pruned apriori (a string is counted
only where its two (n−1)-character substrings are frequent).

Each candidate carries the first and last dated document holding it (``first_date``,
``last_date``, with their ids and kinds), the number of documents, and whether the
dictionary already holds it (``in_dictionary``).

>>> texts = ["坚持两个确立。做到两个确立！", "牢记两个确立，增强本领。", "落实两个确立要求，增强本领。"]
>>> docs = pd.DataFrame({"id": ["a", "b", "c"], "text": texts, "date": ["2021", "2022", "2023-05-01"]})
>>> found = discover_formulas(docs, min_docs=3, min_count=3, dictionary=[])
>>> found[["formula", "rule", "documents", "first_date", "first_document"]].values.tolist()
[['两个确立', 'numbered', 3, '2021-01-01', 'a']]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.chars import HAN_RE
from analysis.stats.counts import require_texts

__all__ = ["DISCOVERY_COLUMNS", "NUMBERED_RE", "han_runs", "discover_formulas", "date_formulas"]

#: Columns of :func:`discover_formulas`.
DISCOVERY_COLUMNS = ["formula", "rule", "occurrences", "documents", "boundary", "association", "first_date",
                     "first_document", "first_kind", "last_date", "last_document", "in_dictionary"]

_NUMERALS = "一二两三四五六七八九十百"
#: A number-led formula: numeral + 个/大/项/条 + head, or numeral + X + numeral + Y (三严三实, 两学一做).
NUMBERED_RE = re.compile(f"^(?:[{_NUMERALS}]{{1,3}}[个大项条][\u4e00-\u9fff]{{2,8}}"
                         f"|[{_NUMERALS}][^{_NUMERALS}〇年月日]{{1,2}}[{_NUMERALS}][^{_NUMERALS}〇年月日]{{1,2}})$")
_RUN = re.compile(f"(?:{HAN_RE.pattern})+")


def han_runs(text: str) -> list[str]:
    """The runs of Han characters of a text (punctuation, digits, spaces and line breaks end a run).

    >>> han_runs("坚持“两个确立”，2023年\\n增强本领")
    ['坚持', '两个确立', '年', '增强本领']
    """
    return _RUN.findall(text)


def _count(runs: list[list[str]], lengths: range, min_count: int) -> tuple[Counter, Counter]:
    """Occurrence and document counts of the strings of ``lengths``, pruned apriori."""
    total: Counter = Counter()
    docs: Counter = Counter()
    frequent: set[str] | None = None
    for n in range(1, lengths.stop + 1):
        count_n: Counter = Counter()
        docs_n: Counter = Counter()
        for doc_runs in runs:
            if frequent is None:
                grams = Counter(r[i:i + n] for r in doc_runs for i in range(len(r) - n + 1))
            else:
                grams = Counter(g for r in doc_runs for i in range(len(r) - n + 1)
                                if (g := r[i:i + n])[:-1] in frequent and g[1:] in frequent)
            count_n.update(grams)
            docs_n.update(grams.keys())
        frequent = {g for g, c in count_n.items() if c >= min_count}
        total.update({g: count_n[g] for g in frequent})
        docs.update({g: docs_n[g] for g in frequent})
        if not frequent:
            break
    return total, docs


def _branching(runs: list[list[str]], words: set[str]) -> dict[str, tuple[float, float]]:
    """Left and right branching entropy (bits) of each word over its occurrences in the Han runs.

    Each occurrence at the start (end) of a run counts as a neighbour of its own, so a word
    that stands between punctuation marks has a high entropy on that side.
    """
    lengths = sorted({len(w) for w in words})
    shortest = lengths[0] if lengths else 1
    heads = {w[:shortest] for w in words}
    left: dict[str, Counter] = {w: Counter() for w in words}
    right: dict[str, Counter] = {w: Counter() for w in words}
    edge = 0
    for doc_runs in runs:
        for r in doc_runs:
            size = len(r)
            for i in range(size - shortest + 1):
                if r[i:i + shortest] not in heads:
                    continue
                for n in lengths:
                    if i + n > size:
                        break
                    g = r[i:i + n]
                    if g in words:
                        edge += 1
                        left[g][r[i - 1] if i else edge] += 1
                        right[g][r[i + n] if i + n < size else -edge] += 1
    return {w: (_entropy(left[w]), _entropy(right[w])) for w in words}


def _entropy(counts: Counter) -> float:
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values()) if total else 0.0


def _association(word: str, total: Counter, chars: int) -> float:
    """The smallest PMI (log2) over the split points of the word."""
    f = total[word]
    return min(math.log2(f * chars / (total[word[:k]] * total[word[k:]])) for k in range(1, len(word)))


def date_formulas(documents_df: pd.DataFrame, formulas: Sequence[str]) -> pd.DataFrame:
    """The first and last dated document holding each formula (in its Han characters), by a plain search.

    Args:
        documents_df: Loaded documents with ``id``, ``text`` and ``sort_date``, ``date`` or ``year``.
        formulas: Strings of Han characters.

    Returns:
        One row per formula: ``formula``, ``documents`` (holding it), ``first_date``,
        ``first_document``, ``first_kind``, ``last_date``, ``last_document``. Dates are
        YYYY-MM-DD (the first day of the year or month when imprecise); ties on a date go
        to the smaller id. Undated documents count in ``documents`` only.

    >>> docs = pd.DataFrame({"id": ["a", "b"], "text": ["两个\\n确立", "两个确立"], "date": ["2022", "2021-11"]})
    >>> date_formulas(docs, ["两个确立"])[["first_date", "first_document", "last_document"]].values.tolist()
    [['2021-11-01', 'b', 'a']]
    """
    from analysis.stats.relay import document_dates

    documents_df = require_texts(documents_df, "date_formulas")
    dates = document_dates(documents_df)
    kinds = dict(zip(documents_df["id"].astype(str), documents_df.get("kind", pd.Series([""] * len(documents_df)))))
    wanted = {f for f in formulas}
    lengths = sorted({len(f) for f in wanted})
    holders_of: dict[str, list[str]] = {f: [] for f in wanted}
    for doc, text in zip(documents_df["id"].astype(str), documents_df["text"]):
        stream = "".join(HAN_RE.findall(text))
        present = {g for n in lengths for i in range(len(stream) - n + 1) if (g := stream[i:i + n]) in wanted}
        for g in present:
            holders_of[g].append(doc)
    rows = []
    for formula in formulas:
        holders = holders_of.get(formula, [])
        dated = sorted((dates[i], i) for i in holders if pd.notna(dates[i]))
        first, last = (dated[0], max(dated, key=lambda d: (d[0], [-ord(c) for c in d[1]]))) if dated else (None, None)
        rows.append((formula, len(holders),
                     first[0].strftime("%Y-%m-%d") if first else "", first[1] if first else "",
                     str(kinds.get(first[1], "") or "") if first else "",
                     last[0].strftime("%Y-%m-%d") if last else "", last[1] if last else ""))
    return pd.DataFrame(rows, columns=["formula", "documents", "first_date", "first_document", "first_kind",
                                       "last_date", "last_document"])


def discover_formulas(documents_df: pd.DataFrame, *, min_docs: int = 3, min_count: int = 5, min_len: int = 4,
                      max_len: int = 10, min_boundary: float = 1.0, min_association: float = 6.0,
                      dictionary: Iterable[str] | None = None) -> pd.DataFrame:
    """Candidate formulas of a corpus, with their first and last dated appearance.

    A string of ``min_len``–``max_len`` Han characters is a candidate when it occurs at
    least ``min_count`` times in at least ``min_docs`` documents, its boundary stability
    (the smaller of its left and right branching entropies) is at least ``min_boundary``
    bits and either it is number-led (:data:`NUMBERED_RE`, rule
    ``numbered``) or its association is at least ``min_association`` bits (``recurring``).
    A candidate inside a longer candidate with at least 90% of its occurrences is dropped.

    Args:
        documents_df: Loaded documents (``id``, ``text``; ``sort_date``/``date``/``year`` and ``kind`` for dating).
        min_docs: Fewest documents holding a candidate.
        min_count: Fewest occurrences.
        min_len: Shortest candidate, in Han characters.
        max_len: Longest candidate.
        min_boundary: Lowest boundary stability: the smaller of the left and right branching entropies, in bits.
        min_association: Lowest association (smallest PMI over split points, bits) of a ``recurring`` candidate.
        dictionary: Terms the dictionary holds (default: every entry and phrase of the
            settings' dictionary, punctuation removed); ``[]`` for none.

    Returns:
        :data:`DISCOVERY_COLUMNS`, one row per candidate: ``formula``, ``rule``,
        ``occurrences`` (in the Han runs: never across punctuation), ``documents``, ``boundary``,
        ``association`` (bits), the first and last dated appearance
        (:func:`date_formulas`) and ``in_dictionary``. Sorted by first date, then formula.
    """
    documents_df = require_texts(documents_df, "discover_formulas")
    if dictionary is None:
        from analysis.text.segment import load_dictionary

        dictionary = load_dictionary(None)["term"].astype(str)
    known = {"".join(HAN_RE.findall(str(t))) for t in dictionary}
    runs = [han_runs(str(t)) for t in documents_df["text"]]
    total, docs = _count(runs, range(1, max_len + 2), min_count)
    chars = sum(len(r) for rs in runs for r in rs)
    prelim = []
    for word, f in total.items():
        if not min_len <= len(word) <= max_len or docs[word] < min_docs:
            continue
        rule = "numbered" if NUMBERED_RE.match(word) else "recurring"
        association = _association(word, total, chars)
        if rule == "recurring" and association < min_association:
            continue
        prelim.append((word, rule, f, association))
    entropy = _branching(runs, {w for w, *_ in prelim})
    rows = []
    for word, rule, f, association in prelim:
        boundary = min(entropy[word])
        if boundary >= min_boundary:
            rows.append((word, rule, f, boundary, association))
    rows = _drop_nested(rows)
    table = pd.DataFrame(rows, columns=["formula", "rule", "occurrences", "boundary", "association"])
    dated = date_formulas(documents_df, table["formula"].tolist())
    table = table.merge(dated, on="formula", how="left")
    table["in_dictionary"] = table["formula"].isin(known)
    table["boundary"] = table["boundary"].round(3)
    table["association"] = table["association"].round(2)
    table = table[DISCOVERY_COLUMNS].astype({"occurrences": "int64", "documents": "int64"})
    return table.sort_values(["first_date", "formula"], kind="stable").reset_index(drop=True)


def _drop_nested(rows: list[tuple]) -> list[tuple]:
    """Drop a candidate that sits inside a longer one holding at least 90% of its occurrences."""
    by_len = sorted(rows, key=lambda r: -len(r[0]))
    kept: list[tuple] = []
    for row in by_len:
        if any(row[0] in k[0] and k[2] >= 0.9 * row[2] for k in kept):
            continue
        kept.append(row)
    return sorted(kept, key=lambda r: r[0])
