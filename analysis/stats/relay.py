"""Relay: the passages of a local speech that take up a higher-level text, and the formulas it takes up.

A district speech relays the national, provincial and city conferences (the seed itself says
it implements their spirit), quoting or paraphrasing them, often without saying so. Two modes, named in
every table's ``mode`` column:

- ``passage`` (:func:`echo`), when the sources are full texts: each sentence of the
  speech (or the part of it that matches) is compared with each source. Candidates come
  from shared character 5-gram shingles (:func:`analysis.stats.reuse.shingles`, Broder
  1997); each candidate is then aligned with the source around the shared shingles by
  rapidfuzz's ``fuzz.partial_ratio_alignment`` (the best-matching window, scored by the
  normalized Indel similarity 100 · (1 − d / (|a| + |b|)), Levenshtein 1966 with
  insertions and deletions only), so inserted, deleted and substituted words still
  match. When several sources hold a passage, the earliest dated one is named
  (``source``) and the others are listed (``also``).
- ``formula`` (:func:`formula_relay`), when the sources are profiles (counts, no text):
  the formulas (提法) and rare multi-word terms of each outline node of the speech that
  occur in a dated source, with the earliest such source and the lag.

:func:`relay_shares` gives the share of each section's Han characters that relays, by
source level. :func:`left_out` lists the outline points and formulas of a higher-level
speech that a local one takes up and those it leaves out, by theme.

Similarity and offsets are computed on the Han characters only (as in
:mod:`analysis.stats.reuse`: punctuation and line breaks do not break a passage);
``start``/``end`` are offsets in the speech's normalized text and ``text`` is the
speech's own wording, never the source's.

>>> src = "要持续整顿软弱涣散党组织，全面提升村级班子领导乡村振兴的能力。"
>>> local = "同志们：\\n一、抓基层\\n我们要持续整顿软弱涣散的党组织，全面提升村级班子领导振兴能力。区里要建好人才驿站。\\n"
>>> docs = pd.DataFrame({"id": ["c", "d"], "text": [src, local], "date": ["2022-03-01", "2023-01-10"],
...                      "level": ["national", "district"]})
>>> e = echo(docs, "d")
>>> e[["section", "source", "source_level", "lag_days"]].values.tolist()
[['一', 'c', 'national', 315]]
>>> e["text"].iloc[0]
'我们要持续整顿软弱涣散的党组织，全面提升村级班子领导振兴能力'
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.memo import memoized
from analysis.chars import HAN_RE
from analysis.stats.reuse import _han_stream, section_texts
from analysis.stats.counts import require_texts

__all__ = ["ECHO_COLUMNS", "SHARE_COLUMNS", "FORMULA_RELAY_COLUMNS", "LEFT_OUT_COLUMNS", "REPORT_KINDS",
           "source_level", "document_dates", "sentence_spans", "echo", "default_formulas", "relay_shares", "formula_relay",
           "left_out", "formula_shares"]

#: Columns of :func:`echo`.
ECHO_COLUMNS = ["document", "section", "path", "start", "end", "han_chars", "text", "source", "source_date",
                "source_level", "lag_days", "similarity", "source_start", "source_end", "also", "sources", "mode"]
#: Columns of :func:`relay_shares`.
SHARE_COLUMNS = ["document", "section", "source_level", "han_chars", "relayed_han", "share_relayed", "mode"]
#: Columns of :func:`formula_relay`.
FORMULA_RELAY_COLUMNS = ["document", "section", "path", "term", "term_type", "occurrences", "source",
                         "source_date", "source_level", "lag_days", "also", "sources", "mode"]
#: Columns of :func:`formula_shares`.
FORMULA_SHARE_COLUMNS = ["document", "section", "source_level", "terms_taken_up", "occurrences", "mode"]
#: Columns of :func:`left_out`.
LEFT_OUT_COLUMNS = ["higher", "document", "path", "item", "item_type", "theme", "taken_up", "local_paths"]

#: Kinds of text that speak for the centre when their level is not given (reports, congress reports).
REPORT_KINDS = ("report", "npc_resolution", "congress_report", "government_report", "regulation",
                "national_speech")

_SENTENCE_END = re.compile(r"[。！？；!?;\n]+")
_CLAUSE_END = re.compile(r"[，、：,:]")


def source_level(row: pd.Series | dict) -> str:
    """The level of a source: its ``level``, else ``national`` for a report or congress report, else ``unknown``.

    >>> source_level({"level": "", "kind": "congress_report"}), source_level({"level": "city", "kind": "x"})
    ('national', 'city')
    """
    level = str(row.get("level") or "").strip()
    if level and level.lower() not in ("nan", "none", "<na>"):
        return level
    return "national" if str(row.get("kind") or "") in REPORT_KINDS else "unknown"


def document_dates(documents: pd.DataFrame) -> pd.Series:
    """The date of each document as a Timestamp (the first day of its year or month when imprecise), by id.

    Read from ``sort_date`` when present, else ``date``, else ``year``; NaT when none gives a date.

    >>> d = document_dates(pd.DataFrame({"id": ["a", "b", "c"], "date": ["2023", "2020-06-29", None]}))
    >>> d.dt.strftime("%Y-%m-%d").fillna("").tolist()
    ['2023-01-01', '2020-06-29', '']
    """
    ids = documents["id"].astype(str)
    out = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")
    for column in ("sort_date", "date", "year"):
        if column not in documents.columns:
            continue
        text = documents[column].astype(str).str.extract(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
        parsed = pd.to_datetime(
            text[0].str.cat([text[1].fillna("1"), text[2].fillna("1")], sep="-"), errors="coerce", format="%Y-%m-%d")
        parsed.index = ids
        out = out.fillna(parsed)
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` (ended by 。！？；, a line break or the end), trimmed of the end marks.

    >>> t = "一、抓基层\\n要强基。要固本！"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['一、抓基层', '要强基。', '要固本！']
    """
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        marks = m.group()
        end = m.start() + (marks.index("\n") if "\n" in marks else len(marks))
        if any(HAN_RE.match(c) for c in text[start:end]):
            spans.append((start, end))
        start = m.end()
    if start < len(text) and any(HAN_RE.match(c) for c in text[start:]):
        spans.append((start, len(text)))
    return spans


class _Source:
    """A source's Han stream, its offsets and the first position of each shingle."""

    def __init__(self, text: str, n: int):
        self.han, self.offsets = _han_stream(text)
        self.first: dict[str, int] = {}
        for i in range(len(self.han) - n + 1):
            self.first.setdefault(self.han[i:i + n], i)


def _window(hits: list[int], length: int) -> tuple[int, int]:
    """The stretch of the source (in Han positions) holding most shingle hits within 2 × ``length``."""
    hits = sorted(hits)
    best, best_i, j = 0, 0, 0
    for i in range(len(hits)):
        while hits[i] - hits[j] > 2 * length:
            j += 1
        if i - j + 1 > best:
            best, best_i = i - j + 1, j
    lo = hits[best_i]
    hi = max(h for h in hits[best_i:best_i + best])
    return lo, hi


def _align(unit: str, src: _Source, hits: list[int], n: int, cutoff: float, min_han: int):
    """Align a unit of the speech (Han characters) with a source around its shingle hits.

    Returns (score, unit_start, unit_end, source_start, source_end) in Han positions, or None.
    """
    from rapidfuzz import fuzz

    lo, hi = _window(hits, len(unit))
    pad = len(unit)
    window = src.han[max(0, lo - pad):hi + n + pad]
    base = max(0, lo - pad)
    al = fuzz.partial_ratio_alignment(unit, window, score_cutoff=cutoff)
    if al is not None and len(unit) <= len(window):
        return al.score, 0, len(unit), base + al.dest_start, base + al.dest_end
    # the unit is longer than what it shares: align the shared stretch of the source inside the unit
    core = src.han[lo:hi + n]
    if len(core) < min_han:
        return None
    al = fuzz.partial_ratio_alignment(core, unit, score_cutoff=cutoff)
    if al is None or al.dest_end - al.dest_start < min_han:
        return None
    return al.score, al.dest_start, al.dest_end, lo + al.src_start, lo + al.src_end


def _matches(text: str, sources: dict[str, _Source], *, n: int, min_han: int, cutoff: float,
             min_shared: float) -> list[tuple]:
    """Every (span of the speech, source) that aligns at ``cutoff`` or above: unit-level rows."""
    rows = []
    for s, e in sentence_spans(text):
        han, offsets = _han_stream(text[s:e])
        if len(han) < min_han:
            continue
        grams = [han[i:i + n] for i in range(len(han) - n + 1)]
        for sid, src in sources.items():
            hits = [src.first[g] for g in grams if g in src.first]
            if len(hits) < max(2, min_shared * len(grams)) and len(hits) < min_han - n + 1:
                continue
            found = _align(han, src, hits, n, cutoff, min_han)
            if found is None:
                continue
            score, u0, u1, s0, s1 = found
            start, end = s + int(offsets[u0]), s + int(offsets[u1 - 1]) + 1
            rows.append((start, end, u1 - u0, sid, float(score), int(src.offsets[s0]),
                         int(src.offsets[min(s1, len(src.offsets)) - 1]) + 1))
    return rows


def echo(documents_df: pd.DataFrame, speech: str, sources: Sequence[str] | None = None, *, n: int = 5,
         min_han: int = 10, similarity: float = 85.0, min_shared: float = 0.25,
         before_only: bool = False) -> pd.DataFrame:
    """The passages of a speech that relay a source, exact or with small edits, each attributed to the earliest source.

    Each sentence of the speech with at least ``min_han`` Han characters is a candidate
    against a source when at least ``min_shared`` of its 5-gram shingles (or a run of
    ``min_han`` characters' worth) occur in the source; it is then aligned with the
    source around those shingles (rapidfuzz ``partial_ratio_alignment``), and, when the
    whole sentence does not match, the shared stretch of the source is aligned inside
    the sentence, so a relayed clause in a longer sentence is found with its own span.
    A span whose similarity reaches ``similarity`` (0–100) relays that source.
    Consecutive sentences relaying the same source are one passage.

    Args:
        documents_df: Loaded documents (``id``, ``text``; ``date`` or ``sort_date``,
            ``level``, ``kind`` for dating and levels) holding the speech and the sources.
        speech: Id of the local speech.
        sources: Ids of the sources (default: every other document).
        n: Shingle length for candidates.
        min_han: Shortest passage, in Han characters.
        similarity: Lowest alignment score (0–100) of a relayed span.
        min_shared: Share of a sentence's shingles found in a source that makes it a candidate.
        before_only: Keep only sources dated on or before the speech (undated sources are kept).

    Returns:
        One row per passage: :data:`ECHO_COLUMNS`: ``document``, ``section`` (top-level
        outline section), ``path`` (deepest outline node at the start), ``start``, ``end``,
        ``han_chars``, ``text`` (the speech's own text), ``source`` (the earliest dated
        source holding it; ties: the higher similarity, then the id), ``source_date``
        (YYYY-MM-DD), ``source_level``, ``lag_days`` (speech date − source date; <NA>
        when either is undated), ``similarity`` (0–100, Han-weighted over the passage),
        ``source_start``/``source_end`` (offsets in the source's normalized text),
        ``also`` (the other sources, ``id (date)`` separated by ``; ``: first those holding
        the whole passage, then those holding only a clause of it, which are never named),
        ``sources`` (how many hold it or part of it) and ``mode`` (``passage``). Sorted by start.

    Raises:
        KeyError: when the speech or a source is not in the table.
        ProfileError: when a document has no text (profiles: use :func:`formula_relay`).
    """
    from analysis.text.outline import parse_outline

    documents_df = require_texts(documents_df, "echo")
    texts = dict(zip(documents_df["id"].astype(str), documents_df["text"]))
    if speech not in texts:
        raise KeyError(f"echo: speech {speech!r} is not among the documents; ids: {sorted(texts)[:20]}")
    ids = [i for i in texts if i != speech] if sources is None else [str(s) for s in sources if str(s) != speech]
    missing = [i for i in ids if i not in texts]
    if missing:
        raise KeyError(f"echo: sources {missing} are not among the documents")
    dates = document_dates(documents_df)
    meta = documents_df.assign(id=documents_df["id"].astype(str)).set_index("id")
    levels = {i: source_level(meta.loc[i]) for i in ids}
    own_date = dates.get(speech, pd.NaT)
    if before_only and pd.notna(own_date):
        ids = [i for i in ids if pd.isna(dates[i]) or dates[i] <= own_date]
    text = texts[speech]
    found = _matches(text, {i: _Source(texts[i], n) for i in ids}, n=n, min_han=min_han, cutoff=similarity,
                     min_shared=min_shared)
    units = _attribute(found, dates)
    passages = _merge_units(units)
    outline = parse_outline(text)
    sections = section_texts(pd.DataFrame({"id": [speech], "text": [text]}), level=1)
    rows = []
    for p in passages:
        start, end, han, sid, score, s0, s1, others = p
        sdate = dates.get(sid, pd.NaT)
        lag = (own_date - sdate).days if pd.notna(own_date) and pd.notna(sdate) else pd.NA
        also = "; ".join(f"{o} ({_day(dates.get(o, pd.NaT))})" for o in others)
        rows.append((speech, _section_at(sections, start), outline.path_at(start), start, end, han, text[start:end],
                     sid, _day(sdate), levels[sid], lag, round(score, 1), s0, s1, also, 1 + len(others), "passage"))
    table = pd.DataFrame(rows, columns=ECHO_COLUMNS)
    table["lag_days"] = pd.array(table["lag_days"], dtype="Int64")
    return table.astype({"start": "int64", "end": "int64", "han_chars": "int64", "sources": "int64"})


def _day(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _section_at(sections: pd.DataFrame, offset: int) -> str:
    hit = sections[(sections["start"] <= offset) & (sections["end"] > offset)]
    return str(hit["path"].iloc[0]) if len(hit) else str(sections["path"].iloc[-1])


def _attribute(found: list[tuple], dates: pd.Series) -> list[tuple]:
    """One row per span of the speech: the earliest dated source named, the others listed."""
    by_span: dict[tuple[int, int], list[tuple]] = {}
    for row in found:
        by_span.setdefault((row[0], row[1]), []).append(row)
    # a span inside a longer matched span of the same sentence joins the longer one
    # (spans come by start, longer first, so every kept span starts at or before this one: the first kept
    # span holding it is the first whose end reaches its end, found by bisecting the running maximum of
    # the kept spans' ends; a scan of every kept span per span was quadratic on a long speech)
    spans = sorted(by_span, key=lambda se: (se[0], -(se[1] - se[0])))
    merged: dict[tuple[int, int], list[tuple]] = {}
    kept: list[tuple[int, int]] = []
    reach: list[int] = []  # reach[i] = the largest end among kept[:i + 1]
    for span in spans:
        i = bisect.bisect_left(reach, span[1])
        home = kept[i] if i < len(kept) else None
        if home is None:
            kept.append(span)
            reach.append(max(reach[-1], span[1]) if reach else span[1])
        merged.setdefault(home or span, []).extend(by_span[span])
    out = []
    far = pd.Timestamp.max

    def when(row: tuple):
        date = dates.get(row[3], pd.NaT)
        return (date if pd.notna(date) else far, -row[4], row[3])

    for (start, end), rows in sorted(merged.items()):
        # only a source holding (nearly) the whole span can be named; one holding a clause of it is listed
        whole = sorted((r for r in rows if r[1] - r[0] >= 0.8 * (end - start)), key=when)
        part = sorted((r for r in rows if r[1] - r[0] < 0.8 * (end - start)), key=when)
        best = whole[0]
        others = list(dict.fromkeys(r[3] for r in [*whole[1:], *part] if r[3] != best[3]))
        out.append((start, end, best[2], best[3], best[4], best[5], best[6], others))
    return out


def _merge_units(units: list[tuple]) -> list[tuple]:
    """Consecutive spans relaying the same source (only punctuation or spaces between them) become one passage."""
    out = [[*u] for u in units]
    merged: list[list] = []
    for row in out:
        prev = merged[-1] if merged else None
        if prev is not None and prev[3] == row[3] and row[0] - prev[1] <= 2 and row[5] >= prev[5]:
            total = prev[2] + row[2]
            prev[4] = (prev[4] * prev[2] + row[4] * row[2]) / total
            prev[1], prev[2], prev[6] = row[1], total, max(prev[6], row[6])
            prev[7] = list(dict.fromkeys([*prev[7], *row[7]]))
            continue
        merged.append(row)
    return [tuple(r[:8]) for r in merged]


def relay_shares(passages: pd.DataFrame, documents_df: pd.DataFrame, speech: str, *, level: int = 1) -> pd.DataFrame:
    """Share of each section's Han characters inside relayed passages, by the level of the source named.

    Args:
        passages: :func:`echo` of the speech.
        documents_df: Documents with ``id`` and ``text`` (the speech at least).
        speech: Id of the speech.
        level: Outline level of the sections.

    Returns:
        :data:`SHARE_COLUMNS`: one row per section and source level (``all`` pools every
        level; a character relayed from two levels counts once there), with ``han_chars``
        of the section, ``relayed_han`` and ``share_relayed`` = relayed_han / han_chars.
        Sections in document order; levels sorted, ``all`` last.

    >>> docs = pd.DataFrame({"id": ["d"], "text": ["一、甲\\n要强基固本。\\n二、乙\\n要引才。"]})
    >>> p = pd.DataFrame({"start": [4], "end": [10], "source_level": ["national"]})
    >>> relay_shares(p, docs, "d")[["section", "source_level", "relayed_han", "han_chars"]].values.tolist()
    [['一', 'all', 5, 7], ['一', 'national', 5, 7], ['二', 'all', 0, 5], ['二', 'national', 0, 5]]
    """
    documents_df = require_texts(documents_df, "relay_shares")
    doc = documents_df[documents_df["id"].astype(str) == speech]
    if doc.empty:
        raise KeyError(f"relay_shares: speech {speech!r} is not among the documents")
    text = str(doc["text"].iloc[0])
    han = np.fromiter((bool(HAN_RE.match(c)) for c in text), dtype=bool, count=len(text))
    levels = sorted(set(passages["source_level"].astype(str))) if len(passages) else []
    masks = {lv: np.zeros(len(text), dtype=bool) for lv in [*levels, "all"]}
    for start, end, lv in zip(passages.get("start", []), passages.get("end", []), passages.get("source_level", [])):
        masks[str(lv)][start:end] = True
        masks["all"][start:end] = True
    sections = section_texts(doc[["id", "text"]], level=level)
    mode = str(passages["mode"].iloc[0]) if "mode" in passages.columns and len(passages) else "passage"
    rows = []
    for path, start, end, size in zip(sections["path"], sections["start"], sections["end"], sections["han_chars"]):
        for lv in ["all", *levels]:
            relayed = int((masks[lv][start:end] & han[start:end]).sum())
            rows.append((speech, path, lv, int(size), relayed, relayed / size if size else np.nan, mode))
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


def default_formulas(settings=None) -> list[str]:
    """The formulas relay looks for: the terms a profile stores (:func:`analysis.text.occurrences.profile_terms`)
    without the two-character tracked words that are themes, not formulas (人才, 基层).

    >>> f = default_formulas()
    >>> "两个确立" in f, "人才" in f, "四风" in f
    (True, False, True)
    """
    from analysis.text.occurrences import TRACKED_TERMS, profile_terms
    from analysis.text.segment import load_dictionary

    dictionary = load_dictionary(settings)
    formulas = set(dictionary.loc[dictionary["category"] == "formula", "term"].astype(str))
    return [t for t in profile_terms(settings) if t in formulas or t not in TRACKED_TERMS or len(t) >= 3]


@memoized
def formula_relay(fs, speech: str, sources: Sequence[str] | None = None, *, terms: Sequence[str] | None = None,
                  rare: int = 3, min_chars: int = 4, before_only: bool = True) -> pd.DataFrame:
    """The formulas and rare multi-word terms of each outline node of a speech, with the earliest source using them.

    For profiles (counts, no text) relay cannot be read passage by passage; it is read
    term by term. Items are the ``terms`` (default: the dictionary's formulas and the
    tracked terms, :func:`default_formulas`, counted as
    occurrences with :func:`analysis.stats.counts.term_occurrences`) and the word tokens
    of at least ``min_chars`` characters that occur in the speech and in at most ``rare``
    sources (``rare_term``: whole tokens from ``fs.term_counts``).

    Args:
        fs: A FeatureSet holding the speech and the sources (full texts or profiles).
        speech: Id of the speech.
        sources: Ids of the sources (default: every other document).
        terms: The formulas to look for (default: :func:`default_formulas`).
        rare: A multi-word token is rare when at most this many sources hold it (0: none).
        min_chars: Shortest rare term, in characters.
        before_only: Only sources dated on or before the speech count (undated ones are kept).

    Returns:
        :data:`FORMULA_RELAY_COLUMNS`: one row per node of the speech and item found in a
        source: ``section``, ``path``, ``term``, ``term_type`` (``formula`` or
        ``rare_term``), ``occurrences`` (in the node), ``source`` (the earliest dated
        source holding it), ``source_date``, ``source_level``, ``lag_days``, ``also``
        (the next sources, at most five, ``id (date)``), ``sources`` (how many hold it)
        and ``mode`` (``formula``). Sorted by node order, then term.

    >>> from analysis.features import FeatureSet
    >>> t = pd.DataFrame({"document": ["c", "d", "d"], "path": ["一", "一", "二"],
    ...                   "token": ["两个确立", "两个确立", "人才"], "kind": "word"})
    >>> docs = pd.DataFrame({"id": ["c", "d"], "date": ["2021-11-11", "2023-01-01"], "level": ["national", "district"]})
    >>> fs = FeatureSet.from_tables(docs, t)
    >>> formula_relay(fs, "d", terms=["两个确立"])[["path", "term", "source", "lag_days", "mode"]].values.tolist()
    [['一', '两个确立', 'c', 416, 'formula']]
    """
    from analysis.stats.counts import term_occurrences

    documents = fs.documents.assign(id=fs.documents["id"].astype(str))
    ids = documents["id"].tolist()
    if speech not in ids:
        raise KeyError(f"formula_relay: speech {speech!r} is not in the FeatureSet")
    others = [i for i in ids if i != speech] if sources is None else [str(s) for s in sources if str(s) != speech]
    dates = document_dates(documents)
    own_date = dates.get(speech, pd.NaT)
    if before_only and pd.notna(own_date):
        others = [i for i in others if pd.isna(dates[i]) or dates[i] <= own_date]
    meta = documents.set_index("id")
    terms = list(default_formulas(fs.settings) if terms is None else terms)
    occ = term_occurrences(fs, terms)
    occ = occ.assign(document=occ["document"].astype(str))
    items = occ[occ["document"] == speech][["path", "term", "occurrences"]].assign(term_type="formula")
    holders = {t: set(g["document"]) & set(others) for t, g in occ[occ["document"].isin(others)].groupby("term")}
    if rare > 0:
        counts = fs.term_counts
        counts = counts[counts["kind"].eq("word").to_numpy(dtype=bool) & (_lengths(counts["token"]) >= min_chars)]
        counts = counts.assign(document=counts["document"].astype(str), token=counts["token"].astype(str))
        mine = counts[counts["document"] == speech]
        theirs = counts[counts["document"].isin(others)]
        rare_holders = theirs.groupby("token")["document"].agg(lambda d: set(d))
        rare_holders = rare_holders[rare_holders.map(len) <= rare]
        mine = mine[mine["token"].isin(rare_holders.index) & ~mine["token"].isin(set(items["term"]))]
        extra = mine.groupby(["path", "token"], sort=False)["count"].sum().reset_index()
        items = pd.concat([items, extra.rename(columns={"token": "term", "count": "occurrences"})
                          .assign(term_type="rare_term")], ignore_index=True)
        holders.update({t: s for t, s in rare_holders.items()})
    far = pd.Timestamp.max
    order = {p: k for k, p in enumerate(fs.nodes.loc[fs.nodes["document"].astype(str) == speech, "path"])}
    date_of = dates.to_dict()
    # The sources of each distinct term, judged once (a long speech has a row per node and term)
    sourced = {}
    for term in dict.fromkeys(items["term"]):
        found = sorted(holders.get(term, ()), key=lambda i: (date_of[i] if pd.notna(date_of[i]) else far, i))
        if found:
            first = found[0]
            lag = (own_date - date_of[first]).days if pd.notna(own_date) and pd.notna(date_of[first]) else pd.NA
            also = "; ".join(f"{o} ({_day(date_of[o])})" for o in found[1:6])
            sourced[term] = (first, _day(date_of[first]), source_level(meta.loc[first]), lag, also, len(found))
    tops = {p: _top(str(p)) for p in dict.fromkeys(items["path"])}
    rows = [(speech, tops[path], str(path), str(term), kind, int(count), *sourced[term], "formula")
            for path, term, count, kind in zip(items["path"], items["term"], items["occurrences"], items["term_type"])
            if term in sourced]
    table = pd.DataFrame(rows, columns=FORMULA_RELAY_COLUMNS)
    table["lag_days"] = pd.array(table["lag_days"], dtype="Int64")
    rank = table["path"].map(lambda p: order.get(p, len(order)))
    table = table.assign(_r=rank).sort_values(["_r", "term"], kind="stable").drop(columns="_r")
    return table.reset_index(drop=True)


def _lengths(tokens: pd.Series) -> np.ndarray:
    """Characters of each token, measured once per distinct token (no string per row); missing: 0."""
    from analysis.stats.counts import per_distinct

    return per_distinct(tokens, lambda s: s.str.len())


def _top(path: str) -> str:
    """The top-level section of an outline path (一（二）1. → 一)."""
    m = re.match(r"^[^（(\d①-⑳]+?(?=（|\(|\d|[①-⑳]|$)", path)
    return m.group(0) if m else path


@memoized
def left_out(fs, higher: str, local: str, *, terms: Sequence[str] | None = None, lexicon: pd.DataFrame | None = None,
             themes: bool = True) -> pd.DataFrame:
    """The outline points and formulas of a higher-level speech that a local speech takes up, and those it leaves out.

    A formula (an item of ``terms``, default the dictionary's formulas and tracked terms)
    of the higher speech is taken up when the local speech uses it anywhere. An outline
    point (a node of the higher speech) is taken up when the local speech uses at least
    one of the point's formulas or, for a point without formulas, at least half of its
    five most frequent content words of two or more characters. Each row carries the
    theme that has the most hits in the higher speech's node (``theme_counts``).

    Args:
        fs: A FeatureSet with both speeches (full texts or profiles).
        higher: Id of the higher-level speech.
        local: Id of the local speech.
        terms: Formulas to consider (default :func:`default_formulas`).
        lexicon: Theme lexicon (default: the settings').
        themes: Name each point's theme (needs theme counts: full texts with offsets, or profiles).

    Returns:
        :data:`LEFT_OUT_COLUMNS`: one row per node (``item_type`` ``point``) and per
        formula of each node (``formula``) of the higher speech: ``path``, ``item``,
        ``theme``, ``taken_up`` and ``local_paths`` (where the local speech uses it,
        separated by ``;``). Node order, points before their formulas.

    >>> from analysis.features import FeatureSet
    >>> t = pd.DataFrame({"document": ["h", "h", "l"], "path": ["一", "二", "一"],
    ...                   "token": ["两个确立", "四个意识", "两个确立"], "kind": "word"})
    >>> fs = FeatureSet.from_tables(pd.DataFrame({"id": ["h", "l"]}), t)
    >>> left_out(fs, "h", "l", terms=["两个确立", "四个意识"], themes=False)[["path", "item", "item_type", "taken_up"]].values.tolist()
    [['一', '一', 'point', True], ['一', '两个确立', 'formula', True], ['二', '二', 'point', False], ['二', '四个意识', 'formula', False]]
    """
    from analysis.stats.counts import term_occurrences

    ids = set(fs.documents["id"].astype(str))
    for doc in (higher, local):
        if doc not in ids:
            raise KeyError(f"left_out: speech {doc!r} is not in the FeatureSet")
    terms = list(default_formulas(fs.settings) if terms is None else terms)
    occ = term_occurrences(fs, terms)
    occ = occ.assign(document=occ["document"].astype(str), path=occ["path"].astype(str))
    local_paths = occ[occ["document"] == local].groupby("term")["path"].agg(lambda p: ";".join(dict.fromkeys(p)))
    counts = fs.term_counts
    # the two speeches' content words only, chosen before any column is made text (a long speech's
    # count table has millions of rows); of the local speech only its distinct words are needed
    counts = counts[(counts["document"].isin([higher, local]) & counts["kind"].eq("word")
                     & ~counts["is_stop"].astype(bool)).to_numpy(dtype=bool) & (_lengths(counts["token"]) >= 2)]
    local_words = {str(w) for w in counts.loc[(counts["document"] == local).to_numpy(dtype=bool), "token"].unique()}
    content = counts[(counts["document"] == higher).to_numpy(dtype=bool)]
    content = content.assign(path=content["path"].astype(str), token=content["token"].astype(str))
    node_themes = _node_themes(fs, higher, lexicon) if themes else {}
    nodes = fs.nodes[fs.nodes["document"].astype(str) == higher]
    higher_occ = occ[occ["document"] == higher]
    rows = []
    for path in nodes["path"].astype(str):
        mine = higher_occ[higher_occ["path"] == path]
        formulas = list(dict.fromkeys(mine["term"]))
        if formulas:
            taken = any(f in local_paths.index for f in formulas)
        else:
            words = content[content["path"] == path]
            top = words.sort_values(["count", "token"], ascending=[False, True], kind="stable")["token"].head(5)
            taken = bool(len(top)) and sum(w in local_words for w in top) * 2 >= len(top)
        theme = node_themes.get(path, "")
        rows.append((higher, local, path, path, "point", theme, bool(taken), ""))
        for f in formulas:
            rows.append((higher, local, path, f, "formula", theme, f in local_paths.index, local_paths.get(f, "")))
    return pd.DataFrame(rows, columns=LEFT_OUT_COLUMNS)


def _node_themes(fs, document: str, lexicon: pd.DataFrame | None) -> dict[str, str]:
    """The theme with the most hits in each node of a document (absent when the node has none)."""
    table = fs.theme_counts(lexicon).terms
    part = table[(table["document"] == document).to_numpy(dtype=bool)]  # no string per row of a long table
    if part.empty:
        return {}
    sums = part.groupby(["path", "theme"], sort=False, observed=True)["hits"].sum().reset_index()
    best = sums.sort_values(["hits", "theme"], ascending=[False, True], kind="stable").drop_duplicates("path")
    return {str(p): str(t) for p, t, v in zip(best["path"], best["theme"], best["hits"]) if v > 0}


def formula_shares(table: pd.DataFrame) -> pd.DataFrame:
    """The formulas and rare terms a speech takes up, counted per section and source level (formula mode).

    Args:
        table: :func:`formula_relay` of one speech.

    Returns:
        :data:`FORMULA_SHARE_COLUMNS`: ``terms_taken_up`` (distinct items taken up) and
        ``occurrences`` per section and level of the earliest source, plus ``all``;
        sections in the table's order, levels sorted, ``all`` first.

    >>> t = pd.DataFrame({"document": "d", "section": ["一", "一"], "term": ["甲", "乙"], "occurrences": [2, 1],
    ...                   "source_level": ["national", "city"], "mode": "formula"})
    >>> formula_shares(t)[["section", "source_level", "terms_taken_up", "occurrences"]].values.tolist()
    [['一', 'all', 2, 3], ['一', 'city', 1, 1], ['一', 'national', 1, 2]]
    """
    rows = []
    level_of = table["source_level"].astype(str)
    levels = sorted(set(level_of))
    # grouped once (a long speech has tens of thousands of sections: no filter per section)
    per_section = table.groupby("section", sort=False, dropna=False).agg(
        document=("document", "first"), terms=("term", "nunique"), occurrences=("occurrences", "sum"))
    per_level = table.assign(_level=level_of).groupby(["section", "_level"], sort=False, dropna=False).agg(
        terms=("term", "nunique"), occurrences=("occurrences", "sum"))
    found = {key: (int(t), int(o)) for key, t, o in zip(per_level.index, per_level["terms"], per_level["occurrences"])}
    for section, doc, terms, occurrences in zip(per_section.index, per_section["document"], per_section["terms"],
                                                per_section["occurrences"]):
        rows.append((str(doc), section, "all", int(terms), int(occurrences), "formula"))
        for level in levels:
            n_terms, n_occurrences = found.get((section, level), (0, 0))
            rows.append((str(doc), section, level, n_terms, n_occurrences, "formula"))
    return pd.DataFrame(rows, columns=FORMULA_SHARE_COLUMNS)

