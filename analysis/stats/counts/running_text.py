"""The counts that read running text: keywords in context (KWIC) and segmentation robustness."""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.features import FeatureSet, cached_features
from analysis.io.normalize import raw_span
from analysis.text.segment import TERM_KINDS, make_tokenizer, tokenize
from analysis.settings import Settings
from analysis.types import FeatureSetLike, check_choice
from analysis.stats.counts.common import require_texts


# ---------------------------------------------------------------------------
# KWIC


def kwic(
    source: FeatureSetLike | pd.DataFrame,
    term: str,
    *,
    documents: pd.DataFrame | None = None,
    window: int = 20,
    match: str = "text",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Keyword in context: every hit of ``term`` with its outline path and raw offsets.

    Two ways to call it: with a FeatureSet and the loaded documents it was built from
    (``kwic(fs, "人才", documents=docs)``: the tokens and outline paths come from the
    FeatureSet), or with the loaded documents alone (``kwic(docs, "人才")``: each
    document's tokens and outline paths come from the feature cache, computed and stored
    on a miss). KWIC needs running text: a
    FeatureSet holds counts only, and a reference profile has no text at all, so
    documents without text are refused by name. A documents table is read through the
    feature cache (:func:`analysis.features.cached_features`): a document seen before is
    not segmented or parsed again, and outline paths are looked up once for all hits.

    Args:
        source: A FeatureSet (with ``documents=``) or a loaded documents table
            (:func:`analysis.io.corpus.load_corpus`: ``id``, ``text`` (normalized), and
            ``raw_offsets``/``raw`` when raw offsets are wanted).
        term: The term to find.
        documents: With a FeatureSet: the loaded documents (``id``, ``text``, optionally
            ``raw``, ``raw_offsets``, ``sha256``); only the FeatureSet's documents are
            searched.
        window: Characters of context on each side.
        match: ``"text"``: every occurrence in the running text (人才 also inside
            人才驿站); ``"token"``: only where the segmenter made ``term`` one token,
            the hits :func:`term_frequencies` counts.
        settings: Settings for the segmenter when ``source`` is a documents table
            (defaults when None).

    Returns:
        One row per hit, in document order: ``document``, ``path`` (outline path of the
        hit, e.g. ``三（二）``), ``left``, ``hit``, ``right`` (line breaks shown as
        spaces), ``start``, ``end`` (offsets in the normalized text), ``raw_start``,
        ``raw_end`` (the raw stretch that produced the hit, from the document's
        ``raw_offsets`` and ``raw`` through :func:`analysis.io.normalize.raw_span`; <NA>
        without ``raw_offsets``), ``whole_token`` (the hit is exactly one token).

    Raises:
        ValueError: for an empty term, an unknown ``match``, a table without ``id`` and
            ``text``, a FeatureSet without ``documents=``, documents missing from
            ``documents=`` or whose text is not the one the FeatureSet was built from.

    Example:
        >>> docs = pd.DataFrame({"id": ["d"], "text": ["一、做好人才工作\\n引进人才，建好人才驿站。"]})
        >>> kwic(docs, "人才", window=3)[["left", "hit", "right", "whole_token"]].values.tolist()
        [['、做好', '人才', '工作 ', False], [' 引进', '人才', '，建好', True], ['，建好', '人才', '驿站。', False]]
        >>> from analysis.features import build_features
        >>> fs = build_features(docs, progress=False, cache=False)
        >>> kwic(fs, "人才", documents=docs, window=3)[["path", "hit", "whole_token"]].values.tolist()
        [['一', '人才', False], ['一', '人才', True], ['一', '人才', False]]
    """
    if not term:
        raise ValueError("kwic needs a non-empty term")
    check_choice("match", match, ("text", "token"), caller="kwic")
    if isinstance(source, FeatureSet):
        return _kwic_features(source, term, documents=documents, window=window, match=match)
    if not isinstance(source, pd.DataFrame):
        raise TypeError("kwic takes a FeatureSet (with documents=…) or a loaded documents table")
    source = require_texts(source, "kwic")
    settings = settings or Settings()
    rows = []
    has_raw = "raw_offsets" in source.columns
    needed = [c for c in ("id", "text", "raw", "raw_offsets") if c in source.columns]
    for i in range(len(source)):  # one document's values at a time (not every column of every row as Python objects)
        record = {c: source[c].iat[i] for c in needed}
        text = record["text"]
        # Tokens and outline paths from the feature cache (computed once and stored when missing):
        # no segmenting or outline parsing again, one pass over the hits.
        value = cached_features({"id": record["id"], "text": text}, settings)
        tokens = value.tokens
        same = tokens.loc[(tokens["token"] == term).to_numpy(), ["start", "end"]]
        token_spans = set(zip(same["start"].astype(int), same["end"].astype(int)))
        if match == "token":
            hits = sorted(token_spans)
        else:
            hits = [(m.start(), m.end()) for m in re.finditer(re.escape(term), text)]
        if not hits:
            continue
        paths = _hit_paths(value.sentences["start"].to_numpy(), value.sentences["path"].to_numpy(), hits)
        rows += _kwic_rows(record, text, hits, token_spans, paths, window, has_raw)
    return _kwic_table(rows)


def _hit_paths(starts: np.ndarray, paths: np.ndarray, hits: list[tuple[int, int]]) -> list:
    """The outline path of each hit: the path of the last sentence starting at or before it
    (sentences are cut at outline boundaries, so each lies in one node); one ``searchsorted``."""
    if not len(starts):
        return [None] * len(hits)
    index = np.clip(np.searchsorted(starts, [s for s, _ in hits], side="right") - 1, 0, None)
    return paths.take(index).tolist()


_KWIC_COLUMNS = ["document", "path", "left", "hit", "right", "start", "end", "raw_start", "raw_end", "whole_token"]


def _kwic_rows(record: dict, text: str, hits: list, token_spans: set, paths: list, window: int,
               has_raw: bool) -> list[dict]:
    source = SimpleNamespace(raw_offsets=record["raw_offsets"], raw=record.get("raw") or "") if has_raw else None
    rows = []
    for (start, end), path in zip(hits, paths):
        raw_start, raw_end = raw_span(source, start, end) if source is not None else (pd.NA, pd.NA)
        rows.append({
            "document": record["id"], "path": path,
            "left": _flat(text[max(0, start - window) : start]), "hit": text[start:end],
            "right": _flat(text[end : end + window]), "start": start, "end": end,
            "raw_start": raw_start, "raw_end": raw_end, "whole_token": (start, end) in token_spans,
        })
    return rows


def _kwic_table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=_KWIC_COLUMNS)
    return table.astype({"start": "int64", "end": "int64", "raw_start": "Int64", "raw_end": "Int64", "whole_token": "bool"})


def _kwic_features(fs: FeatureSetLike, term: str, *, documents: pd.DataFrame | None, window: int, match: str) -> pd.DataFrame:
    """KWIC over a FeatureSet: tokens and outline paths from the FeatureSet, text from ``documents``."""
    fs.require_text("kwic")  # a reference profile holds no running text: refused by name
    ids = [str(i) for i in fs.documents["id"]]
    if documents is None:
        raise ValueError("kwic needs the running text: a FeatureSet holds counts only; pass documents=, the table "
                         "from analysis.io.corpus.load_corpus that the FeatureSet was built from")
    missing = {"id", "text"} - set(documents.columns)
    if missing:
        raise ValueError(f"documents= lacks columns {sorted(missing)}; pass the table from load_corpus")
    table = documents.assign(id=documents["id"].astype(str)).set_index("id")
    table = table[~table.index.duplicated()]
    absent = [i for i in ids if i not in table.index or not isinstance(table.at[i, "text"], str)]
    if absent:
        raise ValueError(f"no running text for documents {absent[:5]}{' …' if len(absent) > 5 else ''}: "
                         "KWIC needs full texts (a reference profile has none); pass their loaded documents")
    if "sha256" in fs.documents.columns and "sha256" in table.columns:
        theirs = table.loc[ids, "sha256"].astype(str).to_numpy()
        ours = fs.documents["sha256"].astype(str).to_numpy()
        differ = [i for i, a, b in zip(ids, ours, theirs) if a != b]
        if differ:
            raise ValueError(f"documents {differ[:5]} differ from the ones the FeatureSet was built from; "
                             "load the same files again or rebuild the FeatureSet")
    tokens = fs.tokens
    same = tokens.loc[tokens["token"].to_numpy() == term, ["document", "start", "end"]]
    token_spans = set(zip(same["document"].astype(str), same["start"].astype(int), same["end"].astype(int)))
    has_raw = "raw_offsets" in table.columns
    found: dict[str, list[tuple[int, int]]] = {}
    if match == "token":
        for doc, start, end in zip(same["document"].astype(str), same["start"], same["end"]):
            found.setdefault(doc, []).append((int(start), int(end)))
    else:
        pattern = re.compile(re.escape(term))
        for doc in ids:
            hits = [(m.start(), m.end()) for m in pattern.finditer(table.at[doc, "text"])]
            if hits:
                found[doc] = hits
    sentences = fs.sentences
    wanted = sentences[sentences["document"].astype(str).isin(found)]
    by_doc = {str(d): (g["start"].to_numpy(), g["path"].to_numpy()) for d, g in wanted.groupby("document", sort=False)}
    rows: list[dict] = []
    for doc in ids:
        hits = sorted(found.get(doc, ()))
        if not hits:
            continue
        starts, node_paths = by_doc.get(doc, (np.array([], dtype=np.int64), np.array([], dtype=object)))
        hit_paths = _hit_paths(starts, node_paths, hits)
        record = {"id": doc, **table.loc[doc, [c for c in ("raw", "raw_offsets") if c in table.columns]].to_dict()}
        spans = {(s, e) for d, s, e in token_spans if d == doc}
        rows += _kwic_rows(record, table.at[doc, "text"], hits, spans, hit_paths, window, has_raw)
    return _kwic_table(rows)


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


#: Characters of text segmented at a time by :func:`segmentation_robustness` (cut at a line or sentence end).
ROBUSTNESS_CHUNK = 1 << 20
_ROBUSTNESS_CUTS = ("\n", "。！？；", "，、：,; ")  # where a stretch may end, best first


def _token_counts_of(text: str, seg, *, stop: frozenset, kinds: Sequence[str],
                     chunk: int | None = None) -> pd.Series:
    """Tokens per term of ``text`` (kinds ``kinds``, stopwords left out), segmented a stretch at a time.

    Stretches end at a line break (else a sentence's end, else a comma or space, else anywhere):
    the segmenters cut there anyway,
    so the counts equal those of the whole text, while only one stretch's tokens are held.
    """
    chunk = chunk or ROBUSTNESS_CHUNK
    total: pd.Series | None = None
    at = 0
    while at < len(text):
        end = len(text) if len(text) - at <= chunk else None
        if end is None:
            for marks in _ROBUSTNESS_CUTS:
                cut = max(text.rfind(mark, at + chunk // 2, at + chunk) for mark in marks)
                if cut >= 0:
                    end = cut + 1
                    break
            else:
                end = at + chunk
        t = tokenize(text[at:end], tokenizer=seg)
        keep = t["kind"].isin(list(kinds)) & ~t["token"].isin(stop)
        counts = t.loc[keep, "token"].astype(str).value_counts(sort=False)
        total = counts if total is None else total.add(counts, fill_value=0)
        at = end
    return (total if total is not None else pd.Series(dtype="int64")).astype("int64")


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

    check_choice("by", by, ("document", None), caller="segmentation_robustness")
    documents = require_texts(documents, "segmentation_robustness")
    settings = settings or Settings()
    stop = load_stopwords(settings) if stopwords else frozenset()
    tables = []
    variants = _variants(settings)
    ids = documents["id"].tolist()
    keys = ["document"] if by == "document" else []
    for name, variant in variants.items():
        seg = make_tokenizer(variant)
        per_document = [_token_counts_of(text, seg, stop=stop, kinds=TERM_KINDS) for text in documents["text"]]
        if by == "document":
            parts = [counts.rename_axis("term").reset_index(name=name).assign(document=str(doc_id))
                     for doc_id, counts in zip(ids, per_document) if len(counts)]
            table = (pd.concat(parts, ignore_index=True) if parts
                     else pd.DataFrame({"document": [], "term": [], name: []}))
        else:
            total = pd.concat(per_document).groupby(level=0, sort=False).sum() if per_document else pd.Series()
            table = total.rename_axis("term").reset_index(name=name)
        tables.append(table[[*keys, "term", name]].set_index([*keys, "term"]))
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
