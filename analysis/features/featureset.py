"""The FeatureSet: the features of many documents with their metadata, full texts and
reference profiles (:class:`StoredCounts`) together; :func:`combine` stacks FeatureSets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.settings import Settings
from analysis.features.counting import (as_sorted_categorical, count_sentence_tokens, count_theme_hits,
                                        count_tokens)
from analysis.features.tables import _concat, _HAN_CHAR, SENTENCE_COLUMNS, ThemeCounts


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
        profiles; rows in document order, then by first appearance. With full texts (or
        counted documents) the text columns ``document, path, token, kind`` are categoricals
        whose categories are their values sorted (integer codes, not a string per row: a
        cap-size document has millions of rows); a FeatureSet of stored profiles alone keeps
        them as text.
        """
        if "term_counts" not in self._memo:
            stored = self.stored.term_counts if self.stored is not None else None
            self._remember("term_counts", count_tokens(self.tokens, compact=True), stored)
        return self._memo["term_counts"]

    @property
    def sentence_tokens(self) -> pd.DataFrame:
        """Word tokens (kind ``word``, stopwords included) per sentence (:data:`SENTENCE_TOKEN_COLUMNS`)."""
        if "sentence_tokens" not in self._memo:
            stored = self.stored.sentence_tokens if self.stored is not None else None
            self._remember("sentence_tokens", count_sentence_tokens(self.tokens), stored)
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
        return self._remember(key, full, stored)

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

    def _remember(self, key, full: pd.DataFrame | ThemeCounts, stored: pd.DataFrame | ThemeCounts | None):
        """Memoize the stack of the full texts' table(s) and the profiles' under ``key``; returns it.

        The dtypes of the full texts' part are kept too: :meth:`select` hands a table on
        only when its rows have the dtypes counting the selection would give.
        """
        if isinstance(full, ThemeCounts):
            value = ThemeCounts(*(self._in_order(f, s) for f, s in zip(_parts(full), _parts(stored))))
        else:
            value = self._in_order(full, stored)
        self._memo[key] = value
        self._memo.setdefault(_FULL_DTYPES, {})[key] = tuple(
            None if f is None else f.dtypes for f in (_parts(full) if isinstance(full, ThemeCounts) else (full,)))
        return value

    def _handed_on(self, keep: set[str], child: "FeatureSet") -> dict:
        """The memoized count tables of this FeatureSet cut to the documents ``keep``, for its selection ``child``.

        A table's rows are per document, in document order, so the rows of ``keep`` are the
        rows counting ``child`` gives, when their dtypes are the same. The term counts, whose
        text columns are categoricals of their sorted values, are handed on with each
        column cut to the selection's own values (what counting it gives); another table with
        a categorical column (whose categories depend on what was counted) is counted again,
        and so is one whose dtypes differ from its full texts' part when ``child`` holds
        full texts only (stacking with profiles may have widened a dtype). A selection
        without running text is answered from its stored tables, which need no counting.
        """
        if not len(child.tokens):
            return {}
        full_only = not child.profiled
        handed, dtypes = {}, {}
        for key, value in self._memo.items():
            if key == _FULL_DTYPES:
                continue
            tables = _parts(value) if isinstance(value, ThemeCounts) else (value,)
            rows = tuple(None if t is None else t[t["document"].isin(keep)].reset_index(drop=True) for t in tables)
            full = self._memo[_FULL_DTYPES][key]
            if key == "term_counts":
                # Text columns of sorted values, as counting a selection with running text makes them
                # (count_tokens(compact=True), stacked in one sorted union): the selection's own values.
                handed[key] = rows[0].assign(**{c: rows[0][c].cat.remove_unused_categories()
                                                for c in rows[0].columns
                                                if isinstance(rows[0][c].dtype, pd.CategoricalDtype)})
                dtypes[key] = full
            elif all(_same_dtypes(r, f, full_only) for r, f in zip(rows, full)):
                handed[key] = ThemeCounts(*rows) if isinstance(value, ThemeCounts) else rows[0]
                dtypes[key] = full
        if handed:
            handed[_FULL_DTYPES] = dtypes
        return handed

    def _in_order(self, full: pd.DataFrame, stored: pd.DataFrame | None) -> pd.DataFrame:
        """Stack a table of the full texts and one of the profiles, in the documents' order."""
        frames = [f for f in (full, stored) if f is not None and len(f)]
        if not frames:
            return full if full is not None else stored
        table = _stack(frames)
        if stored is not None and len(stored):
            rank = {d: i for i, d in enumerate(self.documents["id"].astype(str))}
            order = table["document"].map(rank).to_numpy(dtype=float, na_value=np.nan)
            if not (order[1:] >= order[:-1]).all():  # not yet in the documents' order (NaN compares False)
                table = table.iloc[np.argsort(order, kind="stable")]
        index = table.index
        if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
            return table  # already numbered 0..n-1: the same table, not a copy (a stored one can hold millions of rows)
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
        child = FeatureSet(
            documents=self.documents[self.documents["id"].isin(keep)].reset_index(drop=True),
            nodes=self.nodes[self.nodes["document"].isin(keep)].reset_index(drop=True),
            sentences=self.sentences[self.sentences["document"].isin(keep)].reset_index(drop=True),
            tokens=self.tokens[self.tokens["document"].isin(keep)].reset_index(drop=True),
            settings=self.settings,
            stored=self.stored.select(keep) if self.stored is not None else None,
        )
        child._memo.update(self._handed_on(keep, child))
        return child


#: The memo's key for the dtypes of each memoized table's full-text part (see ``FeatureSet._remember``).
_FULL_DTYPES = "_full_dtypes"


def _parts(themes: ThemeCounts | None) -> tuple:
    return (None, None, None) if themes is None else (themes.sentences, themes.terms, themes.first)


def _same_dtypes(rows: pd.DataFrame | None, full: pd.Series | None, full_only: bool) -> bool:
    """Whether ``rows`` (a memoized table cut to a selection) have the dtypes counting the selection gives."""
    if rows is None or full is None:
        return rows is None and full is None
    if any(isinstance(d, pd.CategoricalDtype) for d in rows.dtypes):
        return False
    return not full_only or rows.dtypes.equals(full)


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack tables; when a column is categorical in one (compact term counts), it is one in all, with one
    sorted union of the values as categories (codes kept, not a string per row)."""
    if len(frames) == 1:
        return frames[0]
    compact = [c for c in frames[0].columns if any(isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)]
    if not compact:
        return pd.concat(frames, ignore_index=True)
    frames = [f.assign(**{c: as_sorted_categorical(f[c]) for c in compact
                          if not isinstance(f[c].dtype, pd.CategoricalDtype)}) for f in frames]
    return _concat(frames, sort_categories=True)


def _merge_stored(parts: list[StoredCounts]) -> StoredCounts | None:
    if not parts:
        return None

    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    return StoredCounts(
        term_counts=_stack([p.term_counts for p in parts]),
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
        >>> from analysis.features import build_features
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
