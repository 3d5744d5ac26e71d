"""Features: everything later stages need from a document, computed once and cached.

``features(document, settings)`` is a pure function of one document's normalized text
and the settings: it parses the outline, splits sentences at outline boundaries,
segments the text and labels every token with its outline path and sentence. A
:class:`FeatureSet` stacks the features of many documents with their metadata; every
analysis (frequencies, section shares, themes, keyness, dispersion) reads a FeatureSet
and returns a tidy DataFrame.

Caching: :func:`build_features` stores each document's features under
``paths.cache_dir()/features/`` keyed by the SHA-256 of its normalized text, the
settings fingerprint and a hash of the code that computes features; the file is
written to a temporary name and renamed, so an interrupted run never leaves half a
cache entry. Same key, same result; change one document and only it is recomputed.

>>> import pandas as pd
>>> docs = pd.DataFrame({"id": ["demo"], "text": ["同志们：\\n一、重视人才\\n要关心人才。\\n"]})
>>> fs = build_features(docs, progress=False, cache=False)
>>> fs.nodes["path"].tolist()
['preamble', '一']
>>> int(fs.tokens.loc[fs.tokens["token"] == "人才"].shape[0])
2
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from analysis import paths
from analysis.settings import Settings
from analysis.types import DocumentLike
from analysis.chars import count_han, paragraph_spans, sentence_spans

#: Columns of :attr:`DocumentFeatures.sentences`.
SENTENCE_COLUMNS = ["document", "sentence", "start", "end", "path", "paragraph", "han_chars"]
#: Columns of :attr:`DocumentFeatures.tokens`.
TOKEN_COLUMNS = ["document", "path", "sentence", "paragraph", "start", "end", "token", "kind", "is_stop"]
#: Metadata columns that are never copied into :attr:`FeatureSet.documents` (they hold text).
_TEXT_COLUMNS = {"text", "raw", "raw_offsets"}
_CODE_MODULES = ("features.py", "text/outline.py", "text/segment.py", "chars.py")


@dataclass(frozen=True)
class DocumentFeatures:
    """The features of one document (no raw text).

    Attributes:
        document: The document id.
        text_sha256: SHA-256 of the normalized text the features were computed from.
        settings_fingerprint: :meth:`Settings.fingerprint` of the settings used.
        han_chars: Han characters in the document.
        announced: The number of points the speech announces, or None.
        nodes: One row per outline node (see :func:`analysis.text.outline.section_lengths`).
        sentences: One row per sentence piece: document, sentence, start, end, path,
            paragraph, han_chars. Sentences are split at outline boundaries, so each
            lies in exactly one node; only pieces with visible text are kept.
        tokens: One row per token: document, path, sentence, paragraph, start, end,
            token, kind, is_stop. Tokens of kind ``space`` are dropped; every other
            token keeps its offsets in the normalized text.
    """

    document: str
    text_sha256: str
    settings_fingerprint: str
    han_chars: int
    announced: int | None
    nodes: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame


@dataclass(frozen=True)
class FeatureSet:
    """Features of many documents, stacked, with their metadata.

    Attributes:
        documents: One row per document: id, han_chars, tokens, announced and every
            metadata column of the loaded table except the text columns.
        nodes: Outline nodes of all documents (column ``document`` first).
        sentences: Sentence pieces of all documents.
        tokens: Tokens of all documents.
        settings: The settings used.
    """

    documents: pd.DataFrame
    nodes: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame
    settings: Settings

    def select(self, ids: Iterable[str]) -> "FeatureSet":
        """Return the FeatureSet restricted to the documents ``ids`` (in their original order).

        Raises:
            KeyError: when an id is not in this FeatureSet.
        """
        wanted = list(ids)
        missing = [i for i in wanted if i not in set(self.documents["id"])]
        if missing:
            raise KeyError(f"documents not in this FeatureSet: {missing}; known: {list(self.documents['id'])}")
        keep = set(wanted)
        return FeatureSet(
            documents=self.documents[self.documents["id"].isin(keep)].reset_index(drop=True),
            nodes=self.nodes[self.nodes["document"].isin(keep)].reset_index(drop=True),
            sentences=self.sentences[self.sentences["document"].isin(keep)].reset_index(drop=True),
            tokens=self.tokens[self.tokens["document"].isin(keep)].reset_index(drop=True),
            settings=self.settings,
        )


def _get(document: DocumentLike | Mapping[str, object] | pd.Series, name: str) -> object:
    if isinstance(document, Mapping):
        return document[name]
    if isinstance(document, pd.Series):
        return document[name]
    return getattr(document, name)


def features(document: DocumentLike | Mapping[str, object] | pd.Series, settings: Settings | None = None) -> DocumentFeatures:
    """Compute the features of one document (pure: no I/O, no global state).

    Args:
        document: A :class:`analysis.io.corpus.Document`, a row of the loaded table, or any
            mapping with ``id`` and ``text`` (the normalized text).
        settings: Analysis settings; the default :class:`Settings` when None.

    Returns:
        The document's :class:`DocumentFeatures`.

    Example:
        >>> f = features({"id": "d", "text": "一、总体要求\\n坚持党建引领。"})
        >>> f.sentences[["path", "start", "end"]].values.tolist()
        [['一', 0, 6], ['一', 7, 14]]
    """
    from analysis.text import outline as outline_mod
    from analysis.text import segment

    settings = settings or Settings()
    doc_id = str(_get(document, "id"))
    text = _get(document, "text")
    parsed = outline_mod.parse_outline(text)
    pieces = parsed.pieces()
    nodes = outline_mod.text_section_lengths(text, document=doc_id, outline=parsed)

    piece_starts = np.array([start for _, start, _ in pieces], dtype=np.int64)
    piece_paths = np.array([path for path, _, _ in pieces], dtype=object)
    paras = paragraph_spans(text)
    para_starts = np.array([s for s, _ in paras] or [0], dtype=np.int64)

    # Sentences split at outline-piece boundaries, so every sentence lies in one node.
    cuts = sorted({e for _, e in sentence_spans(text)} | {s for _, s, _ in pieces} | {len(text)})
    rows = []
    prev = 0
    for cut in cuts:
        if cut <= prev:
            continue
        span = text[prev:cut]
        if span.strip():
            lead = len(span) - len(span.lstrip())
            start = prev + lead
            end = prev + len(span.rstrip())
            rows.append((start, end))
        prev = cut
    starts = np.array([s for s, _ in rows], dtype=np.int64)
    sentences = pd.DataFrame(
        {
            "document": doc_id,
            "sentence": np.arange(len(rows), dtype=np.int64),
            "start": starts,
            "end": np.array([e for _, e in rows], dtype=np.int64),
            "path": _lookup(piece_starts, piece_paths, starts),
            "paragraph": np.searchsorted(para_starts, starts, side="right") - 1,
            "han_chars": [count_han(text[s:e]) for s, e in rows],
        },
        columns=SENTENCE_COLUMNS,
    )

    toks = segment.tokenize(text, settings=settings)
    toks = toks[toks["kind"] != "space"].reset_index(drop=True)
    tstarts = toks["start"].to_numpy(dtype=np.int64)
    stop = segment.load_stopwords(settings)
    sentence_index = np.searchsorted(starts, tstarts, side="right") - 1
    tokens = pd.DataFrame(
        {
            "document": doc_id,
            "path": _lookup(piece_starts, piece_paths, tstarts),
            "sentence": np.clip(sentence_index, 0, None),
            "paragraph": np.searchsorted(para_starts, tstarts, side="right") - 1,
            "start": tstarts,
            "end": toks["end"].to_numpy(dtype=np.int64),
            "token": toks["token"].to_numpy(dtype=object),
            "kind": toks["kind"].to_numpy(dtype=object),
            "is_stop": toks["token"].isin(stop).to_numpy(),
        },
        columns=TOKEN_COLUMNS,
    )
    return DocumentFeatures(
        document=doc_id,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        settings_fingerprint=settings.fingerprint(),
        han_chars=count_han(text),
        announced=parsed.announced,
        nodes=nodes,
        sentences=sentences,
        tokens=tokens,
    )


def _lookup(starts: np.ndarray, labels: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Label each offset with the label of the last start at or before it."""
    if len(starts) == 0:
        return np.full(len(offsets), None, dtype=object)
    index = np.clip(np.searchsorted(starts, offsets, side="right") - 1, 0, None)
    return labels[index]


@lru_cache(maxsize=1)
def _code_hash() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _CODE_MODULES:
        path = here / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(text: str, settings: Settings) -> str:
    """Return the cache key of a document's features: text hash, settings and code.

    >>> cache_key("甲", Settings()) == cache_key("甲", Settings())
    True
    >>> cache_key("甲", Settings()) == cache_key("乙", Settings())
    False
    """
    blob = "|".join([hashlib.sha256(text.encode("utf-8")).hexdigest(), settings.fingerprint(), _code_hash()])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _read_cache(path: Path) -> DocumentFeatures | None:
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    return value if isinstance(value, DocumentFeatures) else None


def _write_cache(path: Path, value: DocumentFeatures) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached_features(document: DocumentLike | Mapping[str, object] | pd.Series, settings: Settings | None = None, *, cache: bool = True) -> DocumentFeatures:
    """Return :func:`features` of ``document``, from the cache when the key matches.

    The id is not part of the key (the same text under two ids shares an entry), so the
    cached value is re-labelled with this document's id.
    """
    settings = settings or Settings()
    if not cache:
        return features(document, settings)
    doc_id = str(_get(document, "id"))
    path = paths.cache_dir() / "features" / f"{cache_key(_get(document, 'text'), settings)}.pkl"
    value = _read_cache(path)
    if value is None:
        value = features(document, settings)
        _write_cache(path, value)
    if value.document != doc_id:
        value = _relabel(value, doc_id)
    return value


def _relabel(value: DocumentFeatures, doc_id: str) -> DocumentFeatures:
    return DocumentFeatures(
        document=doc_id,
        text_sha256=value.text_sha256,
        settings_fingerprint=value.settings_fingerprint,
        han_chars=value.han_chars,
        announced=value.announced,
        nodes=value.nodes.assign(document=doc_id),
        sentences=value.sentences.assign(document=doc_id),
        tokens=value.tokens.assign(document=doc_id),
    )


def build_features(
    documents: pd.DataFrame,
    *,
    settings: Settings | None = None,
    progress: bool = True,
    cache: bool = True,
    workers: int = 1,
) -> FeatureSet:
    """Compute (or read from the cache) the features of every document in a loaded table.

    Args:
        documents: The table from :func:`analysis.io.corpus.load_corpus` (at least ``id``
            and ``text``; other columns are carried as metadata).
        settings: Analysis settings; the default :class:`Settings` when None.
        progress: Show a progress bar (tqdm) while computing.
        cache: Read and write the content-keyed cache under ``paths.cache_dir()``.
        workers: Processes computing features side by side (each document is independent;
            results come back in the table's order, identical to ``workers=1``). Worth it
            for many documents: each worker loads its own segmenter first (about 1 s).

    Returns:
        A :class:`FeatureSet`. Its ``documents`` table has the metadata columns plus
        ``han_chars``, ``tokens`` (tokens other than spaces) and ``announced``.

    Raises:
        ValueError: when ``documents`` lacks ``id`` or ``text`` or has duplicate ids.
    """
    missing = {"id", "text"} - set(documents.columns)
    if missing:
        raise ValueError(f"build_features needs columns {sorted(missing)}; load documents with analysis.io.corpus.load_corpus")
    duplicated = documents["id"][documents["id"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"duplicate document ids {duplicated}: give each document a unique id")
    settings = settings or Settings()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    rows = [{"id": row["id"], "text": row["text"]} for row in documents[["id", "text"]].to_dict("records")]
    task = partial(cached_features, settings=settings, cache=cache)
    with contextlib.ExitStack() as stack:
        if workers > 1 and len(rows) > 1:
            from concurrent.futures import ProcessPoolExecutor

            pool = stack.enter_context(ProcessPoolExecutor(max_workers=min(workers, len(rows))))
            results: Iterable = pool.map(task, rows)
        else:
            results = map(task, rows)
        if progress and len(rows) > 1:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(rows), desc="features", unit="doc")
        computed = list(results)

    meta = documents.drop(columns=[c for c in documents.columns if c in _TEXT_COLUMNS])
    meta = meta.assign(
        han_chars=[f.han_chars for f in computed],
        tokens=[len(f.tokens) for f in computed],
        announced=pd.array([f.announced for f in computed], dtype="Int64"),
    ).reset_index(drop=True)
    return FeatureSet(
        documents=meta,
        nodes=_concat([f.nodes for f in computed]),
        sentences=_concat([f.sentences for f in computed], SENTENCE_COLUMNS),
        tokens=_concat([f.tokens for f in computed], TOKEN_COLUMNS),
        settings=settings,
    )


def _concat(frames: list[pd.DataFrame], columns: list[str] | None = None) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=columns or [])
    return pd.concat(frames, ignore_index=True)
