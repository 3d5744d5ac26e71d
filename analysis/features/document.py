"""One document's features: :func:`features`, a pure function of the normalized text and
the settings (outline, sentences cut at outline boundaries, tokens labelled with their
outline path, sentence and paragraph). No I/O, no global state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.settings import Settings
from analysis.types import DocumentLike
from analysis.chars import count_han, count_han_spans, paragraph_spans, sentence_spans
from analysis.features.tables import _categorical, _compact, DocumentFeatures, SENTENCE_COLUMNS, TOKEN_COLUMNS


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

    settings = settings or Settings()
    doc_id = str(_get(document, "id"))
    text = _get(document, "text")
    parsed = outline_mod.parse_outline(text)
    pieces = parsed.pieces()
    labels = _Labels.of(text, pieces)
    sentences = _sentence_table(text, pieces, labels, doc_id)
    tokens = _token_table(text, sentences["start"].to_numpy(dtype=np.int64), labels, doc_id, settings)
    return DocumentFeatures(
        document=doc_id,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        settings_fingerprint=settings.fingerprint(),
        han_chars=count_han(text),
        announced=parsed.announced,
        nodes=outline_mod.text_section_lengths(text, document=doc_id, outline=parsed),
        sentences=sentences,
        tokens=tokens,
    )


@dataclass(frozen=True)
class _Labels:
    """Where each outline piece and each paragraph starts, to label offsets by searchsorted."""

    piece_starts: np.ndarray
    piece_paths: np.ndarray
    para_starts: np.ndarray

    @classmethod
    def of(cls, text: str, pieces) -> "_Labels":
        paras = paragraph_spans(text)
        return cls(np.array([start for _, start, _ in pieces], dtype=np.int64),
                   np.array([path for path, _, _ in pieces], dtype=object),
                   np.array([s for s, _ in paras] or [0], dtype=np.int64))

    def paths(self, offsets: np.ndarray) -> np.ndarray:
        return _lookup(self.piece_starts, self.piece_paths, offsets)

    def path_categorical(self, offsets: np.ndarray) -> pd.Categorical:
        """The outline path of each offset as a categorical (paths in order of first use)."""
        if len(self.piece_starts) == 0:
            return pd.Categorical([None] * len(offsets))
        index = np.clip(np.searchsorted(self.piece_starts, offsets, side="right") - 1, 0, None)
        codes, uniques = pd.factorize(self.piece_paths)  # a path may label several pieces
        codes, values = _compact(codes.take(index), np.asarray(uniques, dtype=object))
        return _categorical(codes, values)

    def paragraphs(self, offsets: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.para_starts, offsets, side="right") - 1


def _sentence_spans_in_pieces(text: str, pieces) -> list[tuple[int, int]]:
    """Sentence spans cut at outline-piece boundaries too, so every sentence lies in one node; blanks dropped."""
    cuts = sorted({e for _, e in sentence_spans(text)} | {s for _, s, _ in pieces} | {len(text)})
    rows = []
    prev = 0
    for cut in cuts:
        if cut <= prev:
            continue
        span = text[prev:cut]
        if span.strip():
            rows.append((prev + len(span) - len(span.lstrip()), prev + len(span.rstrip())))
        prev = cut
    return rows


def _sentence_table(text: str, pieces, labels: _Labels, doc_id: str) -> pd.DataFrame:
    """One row per sentence piece: :data:`SENTENCE_COLUMNS`."""
    rows = _sentence_spans_in_pieces(text, pieces)
    starts = np.array([s for s, _ in rows], dtype=np.int64)
    return pd.DataFrame(
        {
            "document": doc_id,
            "sentence": np.arange(len(rows), dtype=np.int64),
            "start": starts,
            "end": np.array([e for _, e in rows], dtype=np.int64),
            "path": labels.paths(starts),
            "paragraph": labels.paragraphs(starts),
            "han_chars": count_han_spans(text, np.array(rows, dtype=np.int64).reshape(-1, 2)),
        },
        columns=SENTENCE_COLUMNS,
    )


def _token_table(text: str, sentence_starts: np.ndarray, labels: _Labels, doc_id: str,
                 settings: Settings) -> pd.DataFrame:
    """One row per token (spaces dropped) with its outline path, sentence and paragraph: :data:`TOKEN_COLUMNS`.

    Built from :class:`analysis.text.segment.TokenArrays`: the stopword flag is looked up
    once per distinct token, labels by ``searchsorted``; token strings are shared by
    their occurrences.
    """
    from analysis.text import segment

    arrays = segment.make_tokenizer(settings).arrays(text)
    keep = arrays.kinds != segment.KINDS.index("space")
    tstarts = arrays.starts[keep]
    ids, vocabulary = _compact(arrays.ids[keep], arrays.vocabulary)
    stop = segment.load_stopwords(settings)
    is_stop = np.fromiter((word in stop for word in vocabulary), dtype=bool, count=len(vocabulary))
    kinds, kind_labels = _compact(arrays.kinds[keep].astype(np.int8), segment.KIND_LABELS)
    offset = np.int32 if len(text) < 2**31 else np.int64
    return pd.DataFrame(
        {
            "document": _categorical(np.zeros(len(ids), dtype=np.int8), [doc_id]),
            "path": labels.path_categorical(tstarts),
            "sentence": np.clip(np.searchsorted(sentence_starts, tstarts, side="right") - 1, 0, None).astype(offset),
            "paragraph": labels.paragraphs(tstarts).astype(offset),
            "start": tstarts.astype(offset),
            "end": arrays.ends[keep].astype(offset),
            "token": _categorical(ids, vocabulary),
            "kind": _categorical(kinds, kind_labels),
            "is_stop": is_stop.take(ids),
        },
        columns=TOKEN_COLUMNS,
    )


def _lookup(starts: np.ndarray, labels: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Label each offset with the label of the last start at or before it."""
    if len(starts) == 0:
        return np.full(len(offsets), None, dtype=object)
    index = np.clip(np.searchsorted(starts, offsets, side="right") - 1, 0, None)
    return labels[index]
