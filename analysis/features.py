"""Features: everything later stages need from a document, computed once and cached.

``features(document, settings)`` is a pure function of one document's normalized text
and the settings: it parses the outline, splits sentences at outline boundaries,
segments the text and labels every token with its outline path and sentence. A
:class:`FeatureSet` stacks the features of many documents with their metadata; every
analysis (frequencies, section shares, themes, keyness, dispersion) reads a FeatureSet
and returns a tidy DataFrame.

Full texts and reference profiles: a FeatureSet may also hold profiled documents
(:mod:`analysis.profiles`: counts, no text). The count-based analyses read the count
tables :attr:`FeatureSet.term_counts`, :attr:`FeatureSet.sentence_tokens` and
:meth:`FeatureSet.theme_counts`, derived from the tokens of full texts
(:func:`count_tokens`, :func:`count_sentence_tokens`, :func:`count_theme_hits`) and stored
in profiles, so both give the same numbers; :func:`combine` stacks FeatureSets.

Caching: :func:`build_features` stores each document's features under
``paths.cache_dir()/features/`` keyed by the SHA-256 of its normalized text, the
settings fingerprint, a hash of the code that computes features and the engine that
segments (:func:`analysis.text.segment.engine_signature`). An entry is data
only (:mod:`analysis.store`: each DataFrame field as an Arrow stream, the other fields as JSON,
a SHA-256 over all of it), written to a temporary name and renamed; it is verified on
read, and any failure is a miss that recomputes and replaces it (:func:`cached_features`).
Same key, same result; change one document and only it is recomputed.

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
import dataclasses
import hashlib
import tempfile
import warnings
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from analysis import paths
from analysis.settings import Settings
from analysis.types import DocumentLike
from analysis.text.cooccurrence import PAIR_COLUMNS
from analysis.chars import HAN_CLASS, count_han, count_han_spans, paragraph_spans, sentence_spans

#: Columns of :attr:`DocumentFeatures.sentences`.
SENTENCE_COLUMNS = ["document", "sentence", "start", "end", "path", "paragraph", "han_chars"]
#: Columns of :attr:`DocumentFeatures.tokens`.
TOKEN_COLUMNS = ["document", "path", "sentence", "paragraph", "start", "end", "token", "kind", "is_stop"]
#: Metadata columns that are never copied into :attr:`FeatureSet.documents` (they hold text).
_TEXT_COLUMNS = {"text", "raw", "raw_offsets"}
#: Columns of :attr:`FeatureSet.term_counts`: ``count`` tokens of ``token`` in the node,
#: ``quoted`` of them standing alone between quotation marks (“试金石”).
TERM_COUNT_COLUMNS = ["document", "path", "token", "kind", "is_stop", "count", "quoted"]
#: Columns of :attr:`FeatureSet.sentence_tokens`.
SENTENCE_TOKEN_COLUMNS = ["document", "sentence", "word_tokens"]
#: Columns of :attr:`ThemeCounts.sentences`.
SENTENCE_THEME_COLUMNS = ["document", "sentence", "theme", "hits", "covered_tokens", "covered_han"]
#: Columns of :attr:`ThemeCounts.terms`.
THEME_TERM_COLUMNS = ["document", "path", "theme", "term", "home", "hits"]
#: Columns of :attr:`ThemeCounts.first`.
FIRST_HIT_COLUMNS = ["document", "theme", "path", "sentence", "start", "term", "position"]
#: Columns of :attr:`StoredCounts.term_occurrences` (:data:`analysis.text.occurrences.OCCURRENCE_COLUMNS`).
OCCURRENCE_COLUMNS = ["document", "path", "term", "occurrences", "mid_word_matches"]
_OPEN_QUOTES = tuple("“‘「『")
#: One Han character (for the Han characters of hand-made token tables).
_HAN_CHAR = f"[{HAN_CLASS}]"
_CLOSE_QUOTES = tuple("”’」』")
#: The code a document's features depend on: this module, ``chars.py`` and every module of ``text/``.
_CODE_MODULES = ("features.py", "chars.py", "text/")


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
            token keeps its offsets in the normalized text. Lean dtypes: document,
            path, token and kind are categoricals (codes plus distinct values);
            sentence, paragraph, start and end int32 (int64 for a text of 2**31
            characters or more).
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
class ThemeCounts:
    """Theme hits counted per sentence and per node: what the theme analyses read.

    Made from :func:`analysis.text.lexicon.theme_hits` for full texts
    (:func:`count_theme_hits`) and stored in reference profiles, so the analyses give
    the same numbers on both.

    Attributes:
        sentences: One row per sentence and theme with at least one hit: ``document,
            sentence, theme, hits, covered_tokens, covered_han`` (:data:`SENTENCE_THEME_COLUMNS`).
        terms: One row per outline node, theme and term: ``document, path, theme, term,
            home, hits`` (:data:`THEME_TERM_COLUMNS`).
        first: The first hit of each theme in each document: ``document, theme, path,
            sentence, start, term, position`` (start over the document's length, 0–1).
    """

    sentences: pd.DataFrame
    terms: pd.DataFrame
    first: pd.DataFrame


@dataclass(frozen=True)
class StoredCounts:
    """The count tables of profiled documents (see :mod:`analysis.profiles`): no text, no tokens in order.

    Attributes:
        term_counts: :data:`TERM_COUNT_COLUMNS`, one row per node and distinct token.
        sentence_tokens: :data:`SENTENCE_TOKEN_COLUMNS`, word tokens per sentence.
        themes: The :class:`ThemeCounts` made with the lexicon whose hash is ``lexicon_sha256``.
        lexicon_sha256: Document id → :func:`analysis.text.lexicon.lexicon_sha256` of the
            lexicon its theme counts were made with.
        term_occurrences: Occurrences of chosen terms counted on the text when the profile
            was built (:data:`analysis.text.occurrences.OCCURRENCE_COLUMNS`; a row with an
            empty ``path`` says the term was counted in the document and not found), or
            None: then every occurrence of a profiled document is a lower bound.
        cooccurrences: Sentences holding two theme-lexicon terms (or two themes) together,
            per document (:data:`analysis.text.cooccurrence.PAIR_COLUMNS`), or None (profiles
            built before they were stored: co-occurrence networks refuse them).
    """

    term_counts: pd.DataFrame
    sentence_tokens: pd.DataFrame
    themes: ThemeCounts
    lexicon_sha256: Mapping[str, str]
    term_occurrences: pd.DataFrame | None = None
    cooccurrences: pd.DataFrame | None = None

    @property
    def ids(self) -> list[str]:
        """The profiled documents' ids."""
        return list(self.lexicon_sha256)

    def select(self, keep: set[str]) -> "StoredCounts":
        """The stored counts of the documents in ``keep``."""
        def part(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["document"].isin(keep)].reset_index(drop=True)

        return StoredCounts(
            term_counts=part(self.term_counts), sentence_tokens=part(self.sentence_tokens),
            themes=ThemeCounts(part(self.themes.sentences), part(self.themes.terms), part(self.themes.first)),
            lexicon_sha256={k: v for k, v in self.lexicon_sha256.items() if k in keep},
            term_occurrences=part(self.term_occurrences) if self.term_occurrences is not None else None,
            cooccurrences=part(self.cooccurrences) if self.cooccurrences is not None else None)


class ProfileError(ValueError):
    """An analysis asked a reference profile for something it does not hold (running text, another lexicon)."""


@dataclass(frozen=True)
class FeatureSet:
    """Features of many documents, stacked, with their metadata; full texts and profiles together.

    A full-text document has rows in every table. A profiled document (a reference
    profile, :func:`analysis.profiles.load_profiles`) has no rows in ``tokens``: its
    counts come from ``stored``. Count-based analyses read the count tables
    (:attr:`term_counts`, :attr:`sentence_tokens`, :meth:`theme_counts`), which both kinds
    provide, so they give identical results on a profile and on the full text.

    Attributes:
        documents: One row per document: id, han_chars, tokens, announced and every
            metadata column of the loaded table except the text columns.
        nodes: Outline nodes of all documents (column ``document`` first; ``title`` is
            None for profiled documents: profiles keep no heading wording).
        sentences: Sentence pieces of all documents (``start``/``end`` are <NA> for
            profiled documents).
        tokens: Tokens of the full-text documents (running text, with offsets).
        settings: The settings used.
        stored: Count tables of the profiled documents, or None.
    """

    documents: pd.DataFrame
    nodes: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame
    settings: Settings
    stored: StoredCounts | None = None
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_tables(cls, documents: pd.DataFrame, tokens: pd.DataFrame, *, nodes: pd.DataFrame | None = None,
                    sentences: pd.DataFrame | None = None, settings: Settings | None = None) -> "FeatureSet":
        """A FeatureSet made from hand-made tables (tests, examples, tokens from elsewhere).

        Every analysis reads a FeatureSet; this is how a table of tokens becomes one. What
        the tables lack is filled in from the tokens: ``path`` ``""`` (one part per
        document), ``sentence`` 0, ``paragraph`` 0, ``is_stop`` False; nodes (one per
        document and path, with their Han characters) and sentences (one per document and
        sentence number) are derived when not given. Nothing is read or segmented.

        Args:
            documents: One row per document: ``id`` plus metadata.
            tokens: One row per token: ``document``, ``token``, ``kind`` (and any of
                ``path, sentence, paragraph, start, end, is_stop``), in text order.
            nodes: Outline nodes (``document, path, level, parent`` …); derived when None.
            sentences: Sentences (``document, sentence, path, paragraph, han_chars``); derived when None.
            settings: The settings the tokens were made with (default: the defaults).

        Returns:
            A FeatureSet of full-text documents (no profiles).

        Raises:
            ValueError: when ``tokens`` lacks ``document``, ``token`` or ``kind``, or ``documents`` lacks ``id``.

        >>> t = pd.DataFrame({"document": "d", "token": ["人才", "，", "人才"], "kind": ["word", "punct", "word"]})
        >>> fs = FeatureSet.from_tables(pd.DataFrame({"id": ["d"]}), t)
        >>> fs.term_counts[["token", "count"]].values.tolist(), fs.sentences["han_chars"].tolist()
        ([['人才', 2], ['，', 1]], [4])
        """
        missing = {"document", "token", "kind"} - set(tokens.columns)
        if missing or "id" not in documents.columns:
            raise ValueError(f"FeatureSet.from_tables: the tokens need document, token and kind (missing "
                             f"{sorted(missing)}) and the documents an id")
        tok = tokens.copy()
        defaults = {"path": "", "sentence": 0, "paragraph": 0, "is_stop": False}
        for column, value in defaults.items():
            if column not in tok.columns:
                tok[column] = value
        tok["document"] = tok["document"].astype(str)
        tok["path"] = tok["path"].astype(str)
        han = tok["token"].astype(str).str.count(_HAN_CHAR)
        if sentences is None:
            per = tok.assign(_han=han).groupby(["document", "sentence"], sort=False)
            sentences = per.agg(path=("path", "first"), paragraph=("paragraph", "first"),
                                han_chars=("_han", "sum")).reset_index()
            sentences = sentences.assign(start=pd.array([pd.NA] * len(sentences), dtype="Int64"),
                                         end=pd.array([pd.NA] * len(sentences), dtype="Int64"))
            sentences = sentences[SENTENCE_COLUMNS]
        if nodes is None:
            sizes = tok.assign(_han=han).groupby(["document", "path"], sort=False)["_han"].sum().reset_index()
            top = sizes["path"].isin(["preamble", "closing"])
            nodes = pd.DataFrame({
                "document": sizes["document"], "path": sizes["path"], "level": np.where(top, 0, 1),
                "parent": None, "kind": np.where(top, sizes["path"], "section"), "unheaded": sizes["path"].eq(""),
                "han_chars": sizes["_han"].astype("int64"), "title": None})
        docs = documents.assign(id=documents["id"].astype(str))
        return cls(documents=docs.reset_index(drop=True), nodes=nodes.reset_index(drop=True),
                   sentences=sentences.reset_index(drop=True), tokens=tok.reset_index(drop=True),
                   settings=settings or Settings())

    @property
    def profiled(self) -> list[str]:
        """Ids of the profiled documents (counts only, no running text), in table order."""
        if self.stored is None:
            return []
        ids = set(self.stored.ids)
        return [i for i in self.documents["id"].astype(str) if i in ids]

    def require_text(self, what: str, ids: Iterable[str] | None = None) -> None:
        """Refuse an analysis that needs running text when a (selected) document is a profile.

        Raises:
            ProfileError: naming the profiled documents.
        """
        wanted = set(self.documents["id"].astype(str)) if ids is None else {str(i) for i in ids}
        profiled = [i for i in self.profiled if i in wanted]
        if profiled:
            raise ProfileError(
                f"{what} needs running text, but {', '.join(profiled)} "
                f"{'is' if len(profiled) == 1 else 'are'} counts only, no running text (a reference profile, or "
                "built with counts_only=True); select full-text documents (fs.select([...])) or build the features "
                "of the texts themselves with their tokens")

    @property
    def term_counts(self) -> pd.DataFrame:
        """One row per document, outline node and distinct token (:data:`TERM_COUNT_COLUMNS`).

        Derived from :attr:`tokens` for full texts (:func:`count_tokens`), stored for
        profiles; rows in document order, then by first appearance.
        """
        if "term_counts" not in self._memo:
            stored = self.stored.term_counts if self.stored is not None else None
            self._memo["term_counts"] = self._in_order(count_tokens(self.tokens), stored)
        return self._memo["term_counts"]

    @property
    def sentence_tokens(self) -> pd.DataFrame:
        """Word tokens (kind ``word``, stopwords included) per sentence (:data:`SENTENCE_TOKEN_COLUMNS`)."""
        if "sentence_tokens" not in self._memo:
            stored = self.stored.sentence_tokens if self.stored is not None else None
            self._memo["sentence_tokens"] = self._in_order(count_sentence_tokens(self.tokens), stored)
        return self._memo["sentence_tokens"]

    def theme_counts(self, lexicon: pd.DataFrame | None = None, *, hits: pd.DataFrame | None = None) -> ThemeCounts:
        """Theme hits counted per sentence and node (:class:`ThemeCounts`), full texts and profiles together.

        Args:
            lexicon: The theme lexicon table (default: the settings' lexicon).
            hits: Precomputed :func:`analysis.text.lexicon.theme_hits` of the full texts.

        Raises:
            ProfileError: when a profiled document was counted with another lexicon.
        """
        from analysis.text.lexicon import lexicon_sha256, resolve_lexicon, theme_hits

        lexicon = resolve_lexicon(self, lexicon)
        key = ("themes", lexicon_sha256(lexicon))
        if hits is None and key in self._memo:
            return self._memo[key]
        self._check_lexicon(key[1])
        if hits is None:
            hits = theme_hits(self.tokens, lexicon=lexicon)
        full = count_theme_hits(hits, self.tokens)
        stored = self.stored.themes if self.stored is not None else ThemeCounts(None, None, None)
        out = ThemeCounts(*(self._in_order(f, s) for f, s in zip(
            (full.sentences, full.terms, full.first), (stored.sentences, stored.terms, stored.first))))
        self._memo[key] = out
        return out

    def _check_lexicon(self, sha: str) -> None:
        if self.stored is None:
            return
        uncounted = [i for i in self.profiled if self.stored.lexicon_sha256.get(i) is None]
        if uncounted:
            raise ProfileError(
                f"no theme counts for {', '.join(uncounted[:5])}{' …' if len(uncounted) > 5 else ''}: their features "
                "were built with counts_only=True, count_themes=False; build them with count_themes=True")
        other = [i for i in self.profiled if self.stored.lexicon_sha256.get(i) != sha]
        if other:
            raise ProfileError(
                f"the theme lexicon differs from the one the profiles of {', '.join(other[:5])}"
                f"{' …' if len(other) > 5 else ''} were built with, so their theme counts cannot be used; "
                "rebuild the profiles with this lexicon (python -m analysis profiles build ../shared/corpora "
                "--out corpus/profiles, or make profiles) or analyse the full texts")

    def _in_order(self, full: pd.DataFrame, stored: pd.DataFrame | None) -> pd.DataFrame:
        """Stack a table of the full texts and one of the profiles, in the documents' order."""
        frames = [f for f in (full, stored) if f is not None and len(f)]
        if not frames:
            return full if full is not None else stored
        table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if stored is not None and len(stored):
            rank = {d: i for i, d in enumerate(self.documents["id"].astype(str))}
            table = table.iloc[np.argsort(table["document"].map(rank).to_numpy(), kind="stable")]
        return table.reset_index(drop=True)

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
            stored=self.stored.select(keep) if self.stored is not None else None,
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


def _compact(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop the values no code uses, keeping their order; codes renumbered to match."""
    used = np.zeros(len(values), dtype=bool)
    used[codes] = True
    if used.all():
        return codes, values
    new = np.cumsum(used) - 1
    return new.take(codes).astype(codes.dtype), values[used]


def _categorical(codes: np.ndarray, values) -> pd.Categorical:
    """A categorical column from integer codes and their distinct values (no string copied per row)."""
    if not len(codes):  # what the store gives back for an empty column
        values = []
    return pd.Categorical.from_codes(codes, categories=pd.Index(np.asarray(values, dtype=object), dtype="str"))


#: The columns of the tokens table held as categoricals (codes plus distinct values).
CATEGORICAL_TOKEN_COLUMNS = ("document", "path", "token", "kind")


def _lookup(starts: np.ndarray, labels: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Label each offset with the label of the last start at or before it."""
    if len(starts) == 0:
        return np.full(len(offsets), None, dtype=object)
    index = np.clip(np.searchsorted(starts, offsets, side="right") - 1, 0, None)
    return labels[index]


def _hash_modules(names: Iterable[str]) -> str:
    """SHA-256 over the source of the package's modules ``names`` (paths below ``analysis/``).

    A name ending in ``/`` is a subpackage: every ``.py`` file below it, in sorted order,
    with its path (a new reader module changes the hash by itself). A listed module that
    does not exist is an error, never skipped.
    """
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in names:
        path = here / name
        files = sorted(path.rglob("*.py")) if name.endswith("/") else [path]
        if not path.exists() or not files:
            raise FileNotFoundError(f"the cache key hashes analysis/{name}, which does not exist; "
                                    "correct the module list in analysis/features.py")
        for file in files:
            digest.update(file.relative_to(here).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_hash() -> str:
    return _hash_modules(_CODE_MODULES)[:16]


def cache_key(text: str, settings: Settings) -> str:
    """Return the cache key of a document's features: text hash, settings, code and segmentation engine.

    >>> cache_key("甲", Settings()) == cache_key("甲", Settings())
    True
    >>> cache_key("甲", Settings()) == cache_key("乙", Settings())
    False
    """
    return _key(hashlib.sha256(text.encode("utf-8")).hexdigest(), settings)


def _key(text_sha256: str, settings: Settings) -> str:
    from analysis.text.segment import engine_signature

    blob = "|".join([text_sha256, settings.fingerprint(), _code_hash(), engine_signature(settings)])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


#: Suffix of a feature cache entry (an :mod:`analysis.store` file: Arrow tables + JSON).
CACHE_SUFFIX = ".features"
_WARNED: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def feature_cache_dir() -> Path:
    """Return the folder of the feature cache: ``paths.cache_dir()/features``."""
    return paths.cache_dir() / "features"


def _to_record(value: DocumentFeatures, key: str) -> tuple[dict[str, pd.DataFrame], dict]:
    """Split any DocumentFeatures into its DataFrame fields and its JSON fields (every field, by name)."""
    tables, scalars = {}, {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if isinstance(item, pd.DataFrame):
            tables[f.name] = item
        else:
            scalars[f.name] = item.item() if isinstance(item, np.generic) else item
    return tables, {"kind": "DocumentFeatures", "key": key, "fields": scalars}


def _from_record(tables: dict[str, pd.DataFrame], meta: dict, key: str, text_sha256: str,
                 settings: Settings) -> DocumentFeatures:
    """Rebuild a DocumentFeatures, checking it belongs under ``key`` (raises StoreError if not)."""
    from analysis.store import StoreError

    fields = meta.get("fields")
    if meta.get("kind") != "DocumentFeatures" or meta.get("key") != key or not isinstance(fields, dict):
        raise StoreError("the entry is not the features stored under this key")
    names = [f.name for f in dataclasses.fields(DocumentFeatures)]
    if set(names) != set(tables) | set(fields) or set(tables) & set(fields):
        raise StoreError("the entry's fields differ from DocumentFeatures'")
    if fields.get("text_sha256") != text_sha256:
        raise StoreError("the entry was computed from another text")
    if fields.get("settings_fingerprint") != settings.fingerprint():
        raise StoreError("the entry was computed with other settings")
    from analysis.cache_schema import check_tables, feature_columns

    check_tables(tables, feature_columns())  # columns and their kinds, as the current code writes them
    tables = {n: _str_categories(t) for n, t in tables.items()}
    return DocumentFeatures(**{n: tables[n] if n in tables else fields[n] for n in names})


def _str_categories(table: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns with ``str`` categories, as computed (the store gives an empty one object categories)."""
    fix = {c: table[c].cat.set_categories(pd.Index(table[c].cat.categories, dtype="str"))
           for c in table.columns
           if isinstance(table[c].dtype, pd.CategoricalDtype) and table[c].cat.categories.dtype != "str"}
    return table.assign(**fix) if fix else table


def _read_cache(path: Path, key: str, text: str | None, settings: Settings, *,
                text_sha256: str | None = None) -> DocumentFeatures | None:
    """The verified entry at ``path``, or None for any failure (a miss: recompute and replace)."""
    from analysis import store

    if text_sha256 is None:
        text_sha256 = _text_sha256(text or "")
    try:
        tables, meta = store.read(path)
        return _from_record(tables, meta, key, text_sha256, settings)
    except Exception:  # noqa: BLE001 - a cache: whatever goes wrong reading it is a miss
        return None


def _write_cache(path: Path, value: DocumentFeatures, key: str) -> bool:
    """Store ``value``; False (after one warning) when the cache folder cannot be written."""
    from analysis import store

    tables, meta = _to_record(value, key)
    try:
        store.write(path, tables, meta)
    except OSError as exc:
        _warn_once(str(path.parent), f"feature cache {path.parent} is not writable ({exc.strerror or exc}); "
                                     "computing without a cache")
        return False
    return True


def _open_cache() -> bool:
    """Before computing with the cache: remove orphaned temporary files and say whether
    entries can be written (a folder that cannot be means computing without, with one warning)."""
    clean_cache()
    if cache_writable():
        return True
    _warn_once(str(feature_cache_dir()), f"feature cache {feature_cache_dir()} is not writable; computing without a cache")
    return False


def cache_writable(folder: Path | None = None) -> bool:
    """Return True when the feature cache folder can be created and written (checked by a write)."""
    folder = feature_cache_dir() if folder is None else Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe.", suffix=".probe"):
            pass
    except OSError:
        return False
    return True


def clean_cache(folder: Path | None = None) -> list[Path]:
    """Delete what an interrupted or old run left in the feature cache; return the paths deleted.

    Removes temporary files orphaned by a killed writer (see
    :func:`analysis.store.remove_orphans`) and entries of the former pickle format
    (``*.pkl``, never read: unpickling a planted file would run its code).
    """
    from analysis import store

    folder = feature_cache_dir() if folder is None else Path(folder)
    removed = store.remove_orphans(folder)
    with contextlib.suppress(OSError):
        for old in folder.glob("*.pkl"):
            with contextlib.suppress(OSError):
                old.unlink()
                removed.append(old)
    return removed


def cached_features(document: DocumentLike | Mapping[str, object] | pd.Series, settings: Settings | None = None, *,
                    cache: bool = True, write: bool = True) -> DocumentFeatures:
    """Return :func:`features` of ``document``, from the cache when a verified entry matches.

    An entry is used only when it is a whole, unchanged :mod:`analysis.store` file (its
    checksum holds), it was stored under this key, and its text hash and settings
    fingerprint equal this document's and these settings'. Anything else (a missing,
    truncated, altered, foreign or unreadable entry) is a miss: the features are
    computed and the entry replaced. The cache holds only data (Arrow tables and JSON), so a
    planted file cannot run code. A cache folder that cannot be written means computing
    without a cache, with one warning.

    The id is not part of the key (the same text under two ids shares an entry), so the
    cached value is re-labelled with this document's id.

    Args:
        document: As :func:`features`.
        settings: As :func:`features`.
        cache: Read and write the cache; False computes only.
        write: Write a missing entry (False: read only).
    """
    settings = settings or Settings()
    if not cache:
        return features(document, settings)
    doc_id = str(_get(document, "id"))
    text = _get(document, "text")
    key = cache_key(text, settings)
    path = feature_cache_dir() / f"{key}{CACHE_SUFFIX}"
    value = _read_cache(path, key, text, settings)
    if value is None:
        value = features(document, settings)
        if write:
            _write_cache(path, value, key)
    if value.document != doc_id:
        value = _relabel(value, doc_id)
    return value


@dataclass(frozen=True)
class DocumentCounts:
    """One document's features reduced to count tables: what a worker returns with ``counts_only``.

    Attributes:
        features: The :class:`DocumentFeatures` with an empty ``tokens`` table (nodes and
            sentences kept).
        tokens: The document's tokens (spaces excluded), counted before they were dropped.
        term_counts, sentence_tokens: :func:`count_tokens` and :func:`count_sentence_tokens` of its tokens.
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


def counted_features(document: DocumentLike | Mapping[str, object] | pd.Series, settings: Settings | None = None, *,
                     cache: bool = True, write: bool = True, count_themes: bool = True) -> DocumentCounts:
    """:func:`cached_features` of one document reduced to its count tables (:class:`DocumentCounts`).

    The reduction runs where the features are computed (a worker), so only counts travel
    back: for a speech, about a tenth of its token table.

    Example:
        >>> c = counted_features({"id": "d", "text": "一、人才\\n重视人才。"}, cache=False)
        >>> c.tokens, c.term_counts.query("token == '人才'")["count"].tolist(), len(c.features.tokens)
        (6, [2], 0)
    """
    settings = settings or Settings()
    return count_features(cached_features(document, settings, cache=cache, write=write), settings,
                          count_themes=count_themes)


def count_features(value: DocumentFeatures, settings: Settings | None = None, *,
                   count_themes: bool = True) -> DocumentCounts:
    """Reduce one document's features to its count tables (:class:`DocumentCounts`).

    ``count_themes=False`` skips the theme counts (the slowest part), for work that reads
    term counts only.
    """
    from analysis.text.lexicon import lexicon_sha256, load_themes, theme_hits
    from analysis.text.cooccurrence import unit_pairs
    from analysis.text.occurrences import profile_terms, stored_occurrences

    tokens = value.tokens
    pairs = None
    if count_themes:
        lexicon = load_themes(settings or Settings())
        hits = theme_hits(tokens, lexicon=lexicon)
        themes, sha = count_theme_hits(hits, tokens), lexicon_sha256(lexicon)
        pairs = unit_pairs(hits.assign(document=value.document))
    else:
        themes, sha = _NO_THEMES, None
    return DocumentCounts(
        # A new empty table: a slice (tokens.iloc[:0]) would keep the whole token arrays alive.
        features=dataclasses.replace(value, tokens=_empty_tokens()),
        tokens=len(tokens),
        term_counts=count_tokens(tokens),
        sentence_tokens=count_sentence_tokens(tokens),
        themes=themes,
        lexicon_sha256=sha,
        # the text is dropped here: keep the occurrences of the formulas, counted on it
        term_occurrences=stored_occurrences(tokens.assign(document=value.document), profile_terms(settings)),
        cooccurrences=pairs,
    )


def _empty_tokens() -> pd.DataFrame:
    """An empty tokens table with the dtypes of :func:`features`' (categoricals without categories)."""
    empty = pd.Categorical.from_codes(np.zeros(0, dtype=np.int8), categories=pd.Index([], dtype="str"))
    return pd.DataFrame({c: (empty if c in CATEGORICAL_TOKEN_COLUMNS else
                             np.zeros(0, dtype=bool if c == "is_stop" else np.int32)) for c in TOKEN_COLUMNS},
                        columns=TOKEN_COLUMNS)


def _empty_frame(columns: list[str], ints: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in ints else object) for c in columns}, columns=columns)


#: The theme counts of a document counted with ``count_themes=False``.
_NO_THEMES = ThemeCounts(
    sentences=_empty_frame(SENTENCE_THEME_COLUMNS, ("sentence", "hits", "covered_tokens", "covered_han")),
    terms=_empty_frame(THEME_TERM_COLUMNS, ("hits",)),
    first=_empty_frame(FIRST_HIT_COLUMNS, ("sentence", "start")),
)


def _relabel(value: DocumentFeatures, doc_id: str) -> DocumentFeatures:
    """The same features under another id: ``document`` and every table's ``document`` column."""
    changes: dict[str, object] = {"document": doc_id}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if isinstance(item, pd.DataFrame) and "document" in item.columns:
            changes[f.name] = item.assign(document=doc_id)
    return dataclasses.replace(value, **changes)


#: Backends of :func:`build_features`.
BACKENDS = ("local", "dask")


def build_features(
    documents: pd.DataFrame,
    *,
    settings: Settings | None = None,
    progress: bool = True,
    cache: bool = True,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    counts_only: bool = False,
    count_themes: bool = True,
) -> FeatureSet:
    """Compute (or read from the cache) the features of every document in a loaded table.

    Args:
        documents: The table from :func:`analysis.io.corpus.load_corpus` (at least ``id``
            and ``text``; other columns are carried as metadata).
        settings: Analysis settings; the default :class:`Settings` when None.
        progress: Show a progress bar (tqdm) while computing.
        cache: Read and write the content-keyed cache under ``paths.cache_dir()``
            (verified entries only; see :func:`cached_features`). Temporary files left by
            an interrupted run are removed first; a folder that cannot be written means
            computing without a cache, with one warning.
        workers: Processes computing features side by side (each document is independent;
            results come back in the table's order, identical to ``workers=1``). Worth it
            for many documents: each worker builds its tokenizer once (about 1 s). With
            ``backend="dask"`` and no ``scheduler``: the workers of the local cluster.
        backend: ``"local"`` (this machine: one process, or a process pool) or ``"dask"``
            (``dask.distributed``: the same per-document function mapped over partitions of
            the table; see the README's section on clusters).
        scheduler: With ``backend="dask"``, the address of a running scheduler
            (``tcp://host:8786``); None starts a ``LocalCluster`` for the call.
        counts_only: Keep count tables, not tokens: each document's tokens are counted
            where they are computed (:func:`counted_features`) and dropped, so workers
            send back compact tables and memory holds counts, not running text. Every
            count-based analysis (frequencies, section shares, themes, keyness,
            dispersion, comparisons) gives the same numbers; those that need running text
            (KWIC, collocations, n-grams) refuse these documents, as they refuse
            reference profiles.
        count_themes: With ``counts_only``, count theme hits too (default); False skips
            them, and theme analyses then refuse these documents.

    Returns:
        A :class:`FeatureSet`. Its ``documents`` table has the metadata columns plus
        ``han_chars``, ``tokens`` (tokens other than spaces) and ``announced``.

    Raises:
        ValueError: when ``documents`` lacks ``id`` or ``text`` or has duplicate ids, or
            ``workers`` or ``backend`` is invalid.
    """
    from analysis.types import check_choice

    missing = {"id", "text"} - set(documents.columns)
    if missing:
        raise ValueError(f"build_features needs columns {sorted(missing)}; load documents with analysis.io.corpus.load_corpus")
    duplicated = documents["id"][documents["id"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"duplicate document ids {duplicated}: give each document a unique id")
    settings = settings or Settings()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    check_choice("backend", backend, BACKENDS, caller="build_features")
    if scheduler is not None and backend != "dask":
        raise ValueError("scheduler= is for backend='dask'")
    write = _open_cache() if cache else False
    rows = [{"id": row["id"], "text": row["text"]} for row in documents[["id", "text"]].to_dict("records")]
    if backend == "dask":
        computed = _dask_features(documents, rows, settings=settings, cache=cache, write=write,
                                  scheduler=scheduler, workers=workers, progress=progress,
                                  counts_only=counts_only, count_themes=count_themes)
    else:
        computed = _local_features(rows, settings=settings, cache=cache, write=write, workers=workers,
                                   progress=progress, counts_only=counts_only, count_themes=count_themes)
    meta = documents.drop(columns=[c for c in documents.columns if c in _TEXT_COLUMNS])
    return _assemble(meta, computed, settings=settings, counts_only=counts_only)


def _assemble(meta: pd.DataFrame, computed: list, *, settings: Settings, counts_only: bool) -> FeatureSet:
    """The FeatureSet of documents whose features (or counts) are ``computed``, in ``meta``'s order."""
    counted = computed if counts_only else None
    if counted is not None:
        computed = [c.features for c in counted]
    meta = meta.assign(
        han_chars=[f.han_chars for f in computed],
        all_tokens=[c.tokens for c in counted] if counted is not None else [len(f.tokens) for f in computed],
        word_tokens=[int(c.sentence_tokens["word_tokens"].sum()) for c in counted] if counted is not None
        else [int((f.tokens["kind"] == "word").sum()) for f in computed],
        announced=pd.array([f.announced for f in computed], dtype="Int64"),
    ).reset_index(drop=True)
    stored = None
    if counted is not None:
        stored = StoredCounts(
            term_counts=_concat([c.term_counts for c in counted], TERM_COUNT_COLUMNS),
            sentence_tokens=_concat([c.sentence_tokens for c in counted], SENTENCE_TOKEN_COLUMNS),
            themes=ThemeCounts(*(_concat([getattr(c.themes, name) for c in counted], columns)
                                 for name, columns in (("sentences", SENTENCE_THEME_COLUMNS),
                                                       ("terms", THEME_TERM_COLUMNS), ("first", FIRST_HIT_COLUMNS)))),
            lexicon_sha256={c.features.document: c.lexicon_sha256 for c in counted},
            term_occurrences=_concat([c.term_occurrences for c in counted if c.term_occurrences is not None],
                                     OCCURRENCE_COLUMNS),
            cooccurrences=(_concat([c.cooccurrences for c in counted if c.cooccurrences is not None], PAIR_COLUMNS)
                           if any(c.cooccurrences is not None for c in counted) else None),
        )
    return FeatureSet(
        documents=meta,
        nodes=_concat([f.nodes for f in computed]),
        sentences=_concat([f.sentences for f in computed], SENTENCE_COLUMNS),
        tokens=_concat([f.tokens for f in computed], TOKEN_COLUMNS),
        settings=settings,
        stored=stored,
    )


def stream_features(paths: "PathsArg", *, manifest: "ManifestArg" = None, settings: Settings | None = None,
                    on_error: str = "raise", workers: int = 1, cache: bool = True, count_themes: bool = True,
                    progress: bool = True) -> FeatureSet | tuple[FeatureSet, pd.DataFrame]:
    """Count a corpus of files without holding its texts: the counts-only FeatureSet of
    ``build_features(load_corpus(paths), counts_only=True)``, streamed.

    Each file is read, normalized, segmented and counted on its own (by a worker when
    ``workers > 1``: workers get file paths and read the files themselves), and only its
    documents' metadata and count tables are kept. Memory holds one file's texts per
    worker plus the counts, so a corpus of many files much larger than memory can be
    counted.

    Args:
        paths: Files and folders, as :func:`analysis.io.corpus.load_corpus` takes them.
        manifest: As :func:`analysis.io.corpus.load_corpus`.
        settings: Analysis settings (default :class:`Settings`).
        on_error: ``"raise"`` (the first problem raises ``CorpusError``) or ``"collect"``
            (problems are returned as a table and the other documents are counted).
        workers: Processes reading and counting files side by side.
        cache: Read and write the feature cache (see :func:`build_features`).
        count_themes: Count theme hits too (see :func:`build_features`).
        progress: A progress bar over files (stderr).

    Returns:
        The FeatureSet (documents in the order :func:`~analysis.io.corpus.load_corpus`
        gives); with ``on_error="collect"``, ``(FeatureSet, problems)`` where ``problems``
        has the columns of ``load_corpus``'s problem table.

    Raises:
        CorpusError: with ``on_error="raise"``, at the first problem.

    Example:
        >>> from analysis.paths import corpus_dir
        >>> fs = stream_features(corpus_dir() / "organization-work-speech.txt", progress=False)
        >>> fs.documents["id"].tolist(), len(fs.tokens), int(fs.term_counts["count"].sum()) == int(fs.documents["all_tokens"].sum())
        (['organization-work-speech'], 0, True)
    """
    from analysis.io import corpus as corpus_mod
    from analysis.types import check_choice

    check_choice("on_error", on_error, ("raise", "collect"), caller="stream_features")
    settings = settings or Settings()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    problems: list = []
    report = problems.append if on_error == "collect" else corpus_mod._handler("raise")
    items = list(corpus_mod.plan_files(paths, manifest=manifest, report=report))
    write = _open_cache() if cache else False
    task = partial(_count_file, settings=settings, cache=cache, write=write, count_themes=count_themes)
    rows: list[dict] = []
    counted: list[DocumentCounts] = []
    ids = corpus_mod.IdRegister()
    with contextlib.ExitStack() as stack:
        results: Iterable = map(task, items)
        if workers > 1 and len(items) > 1:
            from concurrent.futures import ProcessPoolExecutor

            pool = stack.enter_context(ProcessPoolExecutor(max_workers=min(workers, len(items)), initializer=_warm,
                                                           initargs=(settings,)))
            results = pool.map(task, items, chunksize=1)  # in file order
        for documents, errors in _progress(results, len(items), progress, unit="file", desc="reading and counting"):
            for error in errors:
                report(error)
            for row, counts in documents:
                if ids.accept(SimpleNamespace(id=row["id"], source_path=row["source_path"]), report):
                    rows.append(row)
                    counted.append(counts)
    meta = corpus_mod.documents_frame(rows)
    fs = _assemble(meta, counted, settings=settings, counts_only=True)
    if on_error == "collect":
        return fs, corpus_mod._problems_frame(problems)
    return fs


def _count_file(item: tuple, *, settings: Settings, cache: bool, write: bool, count_themes: bool) -> tuple[list, list]:
    """One file's documents (with their texts dropped) and count tables, and its problems: a worker's task.

    With the cache, a file whose bytes, manifest row, settings and code are unchanged is
    answered from its file-counts entry (:func:`counts_cache_dir`) without being decoded,
    normalized or segmented; a file with problems is never stored, so they are reported
    on every run.
    """
    from analysis.io.corpus import read_file

    key = _file_key(item, settings, count_themes) if cache else None
    entry = counts_cache_dir() / f"{key}{COUNTS_SUFFIX}" if key else None
    if entry is not None:
        hit = _read_counts(entry, key)
        if hit is not None:
            return hit, []
    errors: list = []
    out = []
    for document in read_file(item, settings=settings, report=errors.append):
        counts = counted_features({"id": document.id, "text": document.text}, settings, cache=cache, write=write,
                                  count_themes=count_themes)
        out.append((document.row(full=False), counts))
    if entry is not None and write and not errors:
        _write_counts(entry, key, out)
    return out, errors


# --------------------------------------------------------------------------- the file-counts cache

#: Suffix of a file-counts entry (:func:`stream_features`): a file's documents and count tables.
COUNTS_SUFFIX = ".counts"
#: Modules whose code shapes what a file's entry holds, besides the feature code.
_LOADER_MODULES = ("io/",)


def counts_cache_dir() -> Path:
    """The folder of the file-counts cache of :func:`stream_features`: ``paths.cache_dir()/counts``."""
    return paths.cache_dir() / "counts"


@lru_cache(maxsize=1)
def _loader_hash() -> str:
    return _hash_modules(_LOADER_MODULES)


def _file_key(item: tuple, settings: Settings, count_themes: bool) -> str | None:
    """The key of a file's counts: its bytes, manifest row, the settings, lexicon and code."""
    from analysis.text.lexicon import lexicon_sha256, load_themes
    from analysis.text.segment import engine_signature

    path, row = item
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    lexicon = lexicon_sha256(load_themes(settings)) if count_themes else "-"
    blob = "|".join([digest.hexdigest(), str(path), repr(row), repr(settings), settings.fingerprint(), _code_hash(),
                     _loader_hash(), engine_signature(settings), lexicon])
    return hashlib.sha256(blob.encode("utf-8", "surrogateescape")).hexdigest()[:32]  # names need not be UTF-8


def _write_counts(entry: Path, key: str, out: list) -> None:
    """Store a file's documents and counts (skipped when a row does not survive JSON exactly)."""
    import json

    from analysis import store

    rows = [row for row, _ in out]
    try:
        if json.loads(json.dumps(rows, ensure_ascii=False)) != rows:
            return
    except (TypeError, ValueError):
        return
    docs = [{"document": c.features.document, "text_sha256": c.features.text_sha256,
             "settings_fingerprint": c.features.settings_fingerprint, "han_chars": int(c.features.han_chars),
             "announced": None if c.features.announced is None else int(c.features.announced),
             "tokens": int(c.tokens), "lexicon_sha256": c.lexicon_sha256} for _, c in out]
    counted = [c for _, c in out]
    tables = {"nodes": _concat([c.features.nodes for c in counted]),
              "sentences": _concat([c.features.sentences for c in counted], SENTENCE_COLUMNS),
              "term_counts": _concat([c.term_counts for c in counted], TERM_COUNT_COLUMNS),
              "sentence_tokens": _concat([c.sentence_tokens for c in counted], SENTENCE_TOKEN_COLUMNS),
              "theme_sentences": _concat([c.themes.sentences for c in counted], SENTENCE_THEME_COLUMNS),
              "theme_terms": _concat([c.themes.terms for c in counted], THEME_TERM_COLUMNS),
              "theme_first": _concat([c.themes.first for c in counted], FIRST_HIT_COLUMNS),
              "term_occurrences": _concat([c.term_occurrences for c in counted if c.term_occurrences is not None],
                                          OCCURRENCE_COLUMNS),
              "cooccurrences": _concat([c.cooccurrences for c in counted if c.cooccurrences is not None],
                                       PAIR_COLUMNS)}
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        store.write(entry, tables, {"kind": "FileCounts", "key": key, "rows": rows, "documents": docs})
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written only means computing next time


def _counts_doc_ok(d: object) -> bool:
    """A file-counts entry's document record has the fields and types the current code writes."""
    def whole(v: object) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    return (isinstance(d, dict) and all(isinstance(d.get(k), str) for k in ("document", "text_sha256",
                                                                            "settings_fingerprint"))
            and whole(d.get("han_chars")) and whole(d.get("tokens"))
            and (d.get("announced") is None or whole(d.get("announced")))
            and (d.get("lexicon_sha256") is None or isinstance(d.get("lexicon_sha256"), str)))


def _read_counts(entry: Path, key: str) -> list | None:
    """A file's documents and counts from its entry, or None (missing, damaged or foreign: a miss)."""
    from analysis import store

    from analysis.cache_schema import check_tables, counts_columns

    try:
        tables, meta = store.read(entry)
        check_tables(tables, counts_columns())  # columns and their kinds, as the current code writes them
    except (OSError, store.StoreError):
        return None
    if meta.get("kind") != "FileCounts" or meta.get("key") != key:
        return None
    rows, docs = meta.get("rows"), meta.get("documents")
    if not isinstance(rows, list) or not isinstance(docs, list) or len(rows) != len(docs):
        return None
    if set(tables) != set(counts_columns()) or not all(map(_counts_doc_ok, docs)) \
            or not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in rows):
        return None
    tables = {n: _str_categories(t) for n, t in tables.items()}
    parts = {n: dict(tuple(t.groupby("document", sort=False, observed=True))) if len(t) else {}
             for n, t in tables.items()}

    def part(name: str, doc: str) -> pd.DataFrame:
        frame = parts.get(name, {}).get(doc)
        return frame.reset_index(drop=True) if frame is not None else tables[name].iloc[:0].reset_index(drop=True)

    out = []
    try:
        for row, d in zip(rows, docs):
            doc = d["document"]
            value = DocumentFeatures(document=doc, text_sha256=d["text_sha256"],
                                     settings_fingerprint=d["settings_fingerprint"], han_chars=d["han_chars"],
                                     announced=d["announced"], nodes=part("nodes", doc),
                                     sentences=part("sentences", doc), tokens=_empty_tokens())
            themes = ThemeCounts(part("theme_sentences", doc), part("theme_terms", doc),
                                 part("theme_first", doc))
            out.append((row, DocumentCounts(features=value, tokens=d["tokens"],
                                            term_counts=part("term_counts", doc),
                                            sentence_tokens=part("sentence_tokens", doc),
                                            themes=themes, lexicon_sha256=d["lexicon_sha256"],
                                            term_occurrences=_stored_paths(part("term_occurrences", doc)),
                                            cooccurrences=(part("cooccurrences", doc).astype(
                                                {"document": object, "layer": object, "term_a": object,
                                                 "term_b": object}) if d["lexicon_sha256"] else None))))
    except (KeyError, TypeError, ValueError):
        return None
    return out


def _stored_paths(table: pd.DataFrame) -> pd.DataFrame:
    """A stored occurrence table read back: text columns as objects, ``path`` None for "counted, not found"."""
    text = [c for c in ("document", "path", "term") if c in table.columns]
    return table.assign(**{c: table[c].astype(object).where(table[c].notna(), None) for c in text})


def _progress(results: Iterable, total: int, progress: bool, unit: str = "doc", desc: str = "features") -> Iterable:
    if progress and total > 1:
        from tqdm.auto import tqdm

        return tqdm(results, total=total, desc=desc, unit=unit)
    return results


def _warm(settings: Settings) -> None:
    """Process-pool initializer: build the tokenizer once per worker, before the first document."""
    from analysis.text.segment import make_tokenizer

    make_tokenizer(settings)


def _local_features(rows: list[dict], *, settings: Settings, cache: bool, write: bool, workers: int,
                    progress: bool, counts_only: bool = False, count_themes: bool = True) -> list:
    task = partial(cached_features, settings=settings, cache=cache, write=write)
    if counts_only:
        task = partial(counted_features, settings=settings, cache=cache, write=write, count_themes=count_themes)
    with contextlib.ExitStack() as stack:
        if workers > 1 and len(rows) > 1:
            from concurrent.futures import ProcessPoolExecutor

            n = min(workers, len(rows))
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=n, initializer=_warm, initargs=(settings,)))
            # Largest documents first, so one long text does not finish last on its own.
            order = sorted(range(len(rows)), key=lambda i: -len(rows[i]["text"]))
            futures = {pool.submit(task, rows[i]): i for i in order}
            from concurrent.futures import as_completed

            out: list[DocumentFeatures | None] = [None] * len(rows)
            for future in _progress(as_completed(futures), len(rows), progress):
                out[futures[future]] = future.result()
            return out  # type: ignore[return-value]
        return list(_progress(map(task, rows), len(rows), progress))


# ---------------------------------------------------------------------------
# The Dask backend


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _dask_items(documents: pd.DataFrame, rows: list[dict]) -> list[dict]:
    """What each worker gets: a file to read itself (with the hash its text must have) where
    the document is the only one from a file, else the text."""
    items = []
    sources = documents["source_path"].tolist() if "source_path" in documents.columns else [None] * len(rows)
    counts = pd.Series([s for s in sources if isinstance(s, str)]).value_counts().to_dict()
    simplified = documents["to_simplified"].tolist() if "to_simplified" in documents.columns else [False] * len(rows)
    for row, source, simp in zip(rows, sources, simplified):
        if isinstance(source, str) and counts.get(source) == 1:
            items.append({"id": row["id"], "source_path": source,
                          "to_simplified": bool(simp) if isinstance(simp, (bool, np.bool_)) else False,
                          "text_sha256": _text_sha256(row["text"])})
        else:
            items.append({"id": row["id"], "text": row["text"]})
    return items


def _read_own(item: dict) -> str | None:
    """The normalized text of ``item``'s file read on this worker, or None when it cannot be
    read here or does not hash to what the client loaded."""
    from analysis.io.corpus import load_corpus

    candidates = [Path(item["source_path"]), paths.project_root() / item["source_path"]]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            docs = load_corpus([candidate], settings=Settings(to_simplified=item["to_simplified"]))
        except Exception:  # noqa: BLE001 - any failure here means: send the text instead
            return None
        if len(docs) == 1 and _text_sha256(docs["text"].iloc[0]) == item["text_sha256"]:
            return docs["text"].iloc[0]
        return None
    return None


def features_partition(items: list[dict], settings: Settings, cache: bool = True, write: bool = True,
                       counts_only: bool = False, count_themes: bool = True) -> list:
    """Features of a partition of documents, on a worker: :func:`cached_features` per document.

    Each item is ``{"id", "text"}`` or ``{"id", "source_path", "to_simplified", "text_sha256"}``;
    for the latter the worker first looks the features up in the cache by the hash, then
    reads and normalizes the file itself. Returns one :class:`DocumentFeatures` per item,
    or the item's id in a one-element tuple when its file could not be read here (the
    client then sends the text). With ``counts_only``, each is reduced to a
    :class:`DocumentCounts` on the worker.
    """
    out: list = []
    for item in items:
        value = _partition_item(item, settings, cache, write)
        if counts_only and isinstance(value, DocumentFeatures):
            value = count_features(value, settings, count_themes=count_themes)
        out.append(value)
    return out


def _partition_item(item: dict, settings: Settings, cache: bool, write: bool) -> DocumentFeatures | tuple:
    if "text" in item:
        return cached_features(item, settings, cache=cache, write=write)
    if cache:
        key = _key(item["text_sha256"], settings)
        hit = _read_cache(feature_cache_dir() / f"{key}{CACHE_SUFFIX}", key, None, settings,
                          text_sha256=item["text_sha256"])
        if hit is not None:
            return hit if hit.document == str(item["id"]) else _relabel(hit, str(item["id"]))
    text = _read_own(item)
    if text is None:
        return (item["id"],)
    return cached_features({"id": item["id"], "text": text}, settings, cache=cache, write=write)


def _dask_features(documents: pd.DataFrame, rows: list[dict], *, settings: Settings, cache: bool, write: bool,
                   scheduler: str | None, workers: int, progress: bool, counts_only: bool = False,
                   count_themes: bool = True) -> list:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise ValueError("backend='dask' needs dask.distributed: `.venv/bin/pip install -c constraints.txt distributed`") from None
    items = _dask_items(documents, rows)
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(LocalCluster(n_workers=max(workers, 1), threads_per_worker=1,
                                                       processes=True, dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(scheduler))
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        size = max(1, min(64, -(-len(items) // (n_workers * 4))))
        # Partitions in table order; larger documents first within the submission order.
        parts = [list(range(i, min(i + size, len(items)))) for i in range(0, len(items), size)]
        parts.sort(key=lambda idx: -sum(len(rows[i]["text"]) for i in idx))
        futures = {client.submit(features_partition, [items[i] for i in idx], settings, cache, write, counts_only,
                                 count_themes, pure=False): idx
                   for idx in parts}
        out: list = [None] * len(items)
        bar = _progress(range(len(items)), len(items), progress)
        bar_update = getattr(bar, "update", None)
        for future in as_completed(futures):
            idx = futures[future]
            for i, value in zip(idx, future.result()):
                out[i] = value
            if bar_update:
                bar_update(len(idx))
        if hasattr(bar, "close"):
            bar.close()
        retry = [i for i, value in enumerate(out) if isinstance(value, tuple)]
        if retry:  # files the workers could not read: send the texts
            again = client.submit(features_partition, [rows[i] for i in retry], settings, cache, write, counts_only,
                                  count_themes, pure=False)
            for i, value in zip(retry, again.result()):
                out[i] = value
    fingerprint = settings.fingerprint()
    foreign = sorted({(f.features if isinstance(f, DocumentCounts) else f).settings_fingerprint for f in out} - {fingerprint})
    if foreign:
        raise ValueError(
            f"dask workers computed features with other settings (fingerprints {foreign}, here {fingerprint}): "
            "their dictionary, stopword or theme files, or their jieba version, differ from this machine's; "
            "install the same project version on every worker (see README, 'Running on a Dask cluster')")
    return out


def _concat(frames: list[pd.DataFrame], columns: list[str] | None = None) -> pd.DataFrame:
    """Stack tables; categorical columns keep one union of their categories (no strings per row)."""
    if not frames:
        return pd.DataFrame(columns=columns or [])
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    categorical = [c for c in frames[0].columns
                   if all(c in f.columns and isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)]
    out = pd.concat([f.drop(columns=categorical) for f in frames], ignore_index=True)
    for c in categorical:
        out[c] = union_categoricals([f[c] for f in frames])
    return out[list(frames[0].columns)]


# --------------------------------------------------------------------------- count tables


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
    codes, words = _factorize_str(tokens["token"])
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

    A categorical column gives its own codes (no hashing); another is hashed once.
    """
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        categories = np.asarray(values.cat.categories, dtype=object)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(categories), codes)
            categories = np.append(categories, None)
        return codes, categories
    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # Arrow strings hash in C
    return codes, np.asarray(uniques, dtype=object)


def _factorize_str(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct values of ``values.astype(str)``, hashing each object once."""
    codes, uniques = _codes(values)
    strings = [str(u) for u in uniques]
    if len(set(strings)) < len(strings):  # distinct objects with the same text (1 and "1")
        merged, strings_unique = pd.factorize(np.array(strings, dtype=object))
        return merged.take(codes), list(strings_unique)
    return codes, strings


def count_tokens(tokens: pd.DataFrame) -> pd.DataFrame:
    """Count a tokens table per document, outline node and distinct token.

    Every token counts, whatever its kind (punctuation and numbers too), so the table
    gives the Han characters and word tokens of any node as well as its terms. A table
    without ``path`` or ``is_stop`` counts them as None and False. Each column is
    hashed once into integer codes; groups are counted with ``bincount``.

    Args:
        tokens: One row per token in text order: ``document, token, kind`` and
            optionally ``path, is_stop, start, end``.

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
    document, document_values = _codes(tokens["document"])
    path, path_values = _codes(tokens["path"] if "path" in tokens.columns else np.full(n, None, dtype=object))
    key = document.astype(np.int64)
    key *= max(len(path_values), 1)
    key += path
    node, _ = pd.factorize(key)  # nodes numbered by first appearance
    node_first = _first_rows(node)  # a row of each node, in node order
    node_document = document_values.take(document.take(node_first))
    node_path = path_values.take(path.take(node_first))
    del document, path
    token, token_values = _factorize_str(tokens["token"])
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
    # Groups by hashing (linear), then only the groups are sorted: by key, which is node
    # (first appearance) then the token, kind and flag ranks, the order wanted.
    group, keys = pd.factorize(key)
    del key
    first = _first_rows(group)
    order = np.argsort(keys, kind="stable")
    counts = np.bincount(group, minlength=len(keys)).take(order)
    quoted = np.bincount(group, weights=quoted_tokens(tokens), minlength=len(keys)).take(order).astype(np.int64)
    del group
    groups = np.asarray(keys).take(order)
    g_node = groups // (2 * sizes[2] * sizes[1])
    pick = first.take(order)  # a token row of each group, for its original values
    return pd.DataFrame({
        "document": _take(node_document, g_node),
        "path": _take(node_path, g_node),
        "token": _take(token_values, token.take(pick)),
        "kind": _take(kind_values, kind.take(pick)),
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


def _merge_stored(parts: list[StoredCounts]) -> StoredCounts | None:
    if not parts:
        return None

    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    return StoredCounts(
        term_counts=cat([p.term_counts for p in parts]),
        sentence_tokens=cat([p.sentence_tokens for p in parts]),
        themes=ThemeCounts(cat([p.themes.sentences for p in parts]), cat([p.themes.terms for p in parts]),
                           cat([p.themes.first for p in parts])),
        lexicon_sha256={k: v for p in parts for k, v in p.lexicon_sha256.items()},
        term_occurrences=(cat([p.term_occurrences for p in parts if p.term_occurrences is not None])
                          if any(p.term_occurrences is not None for p in parts) else None),
        cooccurrences=(cat([p.cooccurrences for p in parts if p.cooccurrences is not None])
                       if any(p.cooccurrences is not None for p in parts) else None),
    )


def combine(*feature_sets: FeatureSet) -> FeatureSet:
    """Stack FeatureSets (full texts, profiles or both) into one, documents in the order given.

    Args:
        *feature_sets: FeatureSets made with the same settings (same fingerprint).

    Returns:
        One :class:`FeatureSet`; ``documents`` has the union of the metadata columns.

    Raises:
        ValueError: when no FeatureSet is given, a document id occurs twice, or the
            settings differ (counts made with another dictionary or segmenter are not comparable).

    Example:
        >>> a = build_features(pd.DataFrame({"id": ["a"], "text": ["一、人才\\n"]}), progress=False, cache=False)
        >>> b = build_features(pd.DataFrame({"id": ["b"], "text": ["一、基层\\n"]}), progress=False, cache=False)
        >>> combine(a, b).documents["id"].tolist()
        ['a', 'b']
    """
    if not feature_sets:
        raise ValueError("combine needs at least one FeatureSet")
    ids = [i for fs in feature_sets for i in fs.documents["id"].astype(str)]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"combine: document ids occur twice: {duplicated}; select one of each (fs.select)")
    prints = {fs.settings.fingerprint() for fs in feature_sets}
    if len(prints) > 1:
        raise ValueError("combine: the FeatureSets were made with different settings (segmenter, HMM, dictionary, "
                         "stopwords or themes); rebuild them with the same Settings so their counts compare")

    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        kept = [f for f in frames if len(f)] or frames[:1]
        return pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0].reset_index(drop=True)

    return FeatureSet(
        documents=pd.concat([fs.documents for fs in feature_sets], ignore_index=True),
        nodes=cat([fs.nodes for fs in feature_sets]),
        sentences=cat([fs.sentences for fs in feature_sets]),
        tokens=cat([fs.tokens for fs in feature_sets]),
        settings=feature_sets[0].settings,
        stored=_merge_stored([fs.stored for fs in feature_sets if fs.stored is not None]),
    )
