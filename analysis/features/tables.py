"""Tables of the features stage: the column lists, one document's :class:`DocumentFeatures`
and :class:`ThemeCounts`, and the helpers that keep token columns compact (categoricals
made of integer codes plus their distinct values) and stack tables without copying strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from analysis.chars import HAN_CLASS


#: Columns of :attr:`DocumentFeatures.sentences`.
SENTENCE_COLUMNS = ["document", "sentence", "start", "end", "path", "paragraph", "han_chars"]


#: Columns of :attr:`DocumentFeatures.tokens`.
TOKEN_COLUMNS = ["document", "path", "sentence", "paragraph", "start", "end", "token", "kind", "is_stop"]


#: Metadata columns that are never copied into :attr:`FeatureSet.documents` (they hold text).
_TEXT_COLUMNS = {"text", "raw", "raw_offsets"}


#: Columns of :attr:`FeatureSet.term_counts`: ``count`` tokens of ``token`` in the node,
#: ``quoted`` of them standing alone between quotation marks (“试金石”).
TERM_COUNT_COLUMNS = ["document", "path", "token", "kind", "is_stop", "count", "quoted"]

#: Columns of a term-count table summed over each document's nodes (:func:`analysis.features.counting.document_counts`):
#: what counting per document needs, a row per distinct token instead of one per node holding it.
DOCUMENT_COUNT_COLUMNS = ["document", "token", "kind", "is_stop", "count", "quoted"]

#: How finely :func:`analysis.features.stream_batches` hands on term counts: per outline node (every analysis),
#: or per document (:data:`DOCUMENT_COUNT_COLUMNS`: enough for counts per document, far fewer rows).
GRAINS = ("node", "document")


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


def _empty_tokens() -> pd.DataFrame:
    """An empty tokens table with the dtypes of :func:`features`' (categoricals without categories): a copy
    of one made once (each document counted or read back from the cache gets one)."""
    return _EMPTY_TOKENS.copy()


def _make_empty_tokens() -> pd.DataFrame:
    empty = pd.Categorical.from_codes(np.zeros(0, dtype=np.int8), categories=pd.Index([], dtype="str"))
    return pd.DataFrame({c: (empty if c in CATEGORICAL_TOKEN_COLUMNS else
                             np.zeros(0, dtype=bool if c == "is_stop" else np.int32)) for c in TOKEN_COLUMNS},
                        columns=TOKEN_COLUMNS)


_EMPTY_TOKENS = _make_empty_tokens()


def _empty_frame(columns: list[str], ints: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in ints else object) for c in columns}, columns=columns)


#: The theme counts of a document counted with ``count_themes=False``.
_NO_THEMES = ThemeCounts(
    sentences=_empty_frame(SENTENCE_THEME_COLUMNS, ("sentence", "hits", "covered_tokens", "covered_han")),
    terms=_empty_frame(THEME_TERM_COLUMNS, ("hits",)),
    first=_empty_frame(FIRST_HIT_COLUMNS, ("sentence", "start")),
)


def _concat(frames: list[pd.DataFrame], columns: list[str] | None = None, *,
            sort_categories: bool = False) -> pd.DataFrame:
    """Stack tables; categorical columns keep one union of their categories (no strings per row)."""
    if not frames:
        return pd.DataFrame(columns=columns or [])
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    categorical = [c for c in frames[0].columns
                   if all(c in f.columns and isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)]
    out = pd.concat([f.drop(columns=categorical) for f in frames] if categorical else frames, ignore_index=True)
    for c in categorical:
        out[c] = union_categoricals([f[c] for f in frames], sort_categories=sort_categories)
    return out[list(frames[0].columns)]
