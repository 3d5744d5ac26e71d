"""Where compared speeches come from: the one module that resolves ids, files, groups and profiles.

The notebooks, the CLI, the report and a study (:mod:`analysis.study`) all ask this
module for the features of the speeches they compare; the analyses in
:mod:`analysis.stats` receive a FeatureSet and never load anything.

- :func:`corpus_features`: a corpus folder together with the reference speeches
  (by default the shipped profiles of the 80 speeches, so a fresh clone compares
  without ``../shared``).
- :func:`reference_features`: the reference corpora (reports, congress reports,
  speeches, party-building texts) as profiles or full texts, for trends.
- :func:`speech_features`: one speech by id, from the corpus folder or the profiles.
- :func:`corpus_documents`: the metadata of a corpus folder, for a report's opening.
- :func:`focus_document`: the one speech a notebook studies, read without loading the rest of the folder.
- :func:`match_references`: the reference speeches that match a speech's kind, level and era.

>>> match_references(pd.DataFrame({"id": ["x", "r1", "r2"], "kind": ["organization_work"] * 3,
...                                "level": ["district", "national", "county"], "year": [2023, 2020, 2021]}),
...                  "x", candidates=["r1", "r2"])["id"].tolist()
['r2']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.settings import Settings
from analysis.calendar import level_class, with_year
from analysis.types import check_choice

__all__ = ["REFERENCE_COLLECTIONS", "COLLECTIONS", "reference_sources", "default_references", "corpus_features", "reference_features",
           "speech_features", "speech_documents", "corpus_documents",
           "focus_document", "match_references", "ERA_YEARS"]

#: Collections of the shipped reference profiles that hold speeches to compare with.
REFERENCE_COLLECTIONS = ("speeches",)
#: The reference collections in ``../shared/corpora`` (file stems), for trends.
COLLECTIONS = ("gov-work-reports", "cpc-congress-reports", "speeches", "party-building-texts")
#: A reference speech is of the same era as the speech studied when their years differ by at most this.
ERA_YEARS = 10


def reference_sources() -> list[Path]:
    """The four reference corpora as files: ``../shared/corpora/<collection>.jsonl`` for :data:`COLLECTIONS`.

    The profiles are built from these files (``python -m analysis profiles build
    ../shared/corpora/*.jsonl``), never from the whole folder, which also holds saved
    web pages of some of the same speeches.

    Returns:
        The paths that exist (none when ``../shared`` is missing).
    """
    folder = paths.shared_dir() / "corpora"
    # in file-name order, as the shell expands ../shared/corpora/*.jsonl (the profiles' document order)
    return sorted(folder / f"{name}.jsonl" for name in COLLECTIONS if (folder / f"{name}.jsonl").is_file())


def default_references() -> list[Path]:
    """The reference speeches as full texts, when ``../shared/corpora/speeches.jsonl`` is there.

    Returns:
        A list with that path, or an empty list when ``../shared`` is missing.
    """
    path = paths.shared_dir() / "corpora" / "speeches.jsonl"
    return [path] if path.is_file() else []


def _reference_profiles(settings: Settings):
    """The shipped reference profiles of :data:`REFERENCE_COLLECTIONS`, or None (with a warning) when missing."""
    from analysis.profiles import load_profiles

    try:
        return load_profiles(collection=list(REFERENCE_COLLECTIONS), settings=settings)
    except (FileNotFoundError, KeyError) as error:
        warnings.warn(f"no reference speeches: the shipped profiles could not be read ({error}); only the corpus "
                      "folder is compared. Restore corpus/profiles from git or rebuild them (make profiles)",
                      stacklevel=3)
        return None


def corpus_features(*, corpus: str | Path | None = None, references: Sequence[str | Path] | None = None,
                    documents: Sequence[str] | None = None, settings: Settings | None = None,
                    progress: bool = False, workers: int = 1, counts_only: bool = False):
    """The FeatureSet of a corpus folder together with the reference speeches to compare it with.

    By default the references are the profiles shipped in ``corpus/profiles/`` (the 80
    speeches as counts, no text: :func:`analysis.profiles.load_profiles`); count-based
    analyses give the same numbers on a profile as on its full text. ``references=``
    names files or folders of full texts instead (``[]`` for none).

    Args:
        corpus: The folder of the speeches studied (default :func:`analysis.paths.corpus_dir`).
        references: Files or folders of reference speeches; None: the shipped profiles; ``[]``: none.
        documents: Keep only these ids (in this order); None keeps every speech.
        settings: :class:`analysis.settings.Settings` (default settings when None).
        progress: Show a progress bar while features are computed.
        workers: Processes computing features.
        counts_only: Count the speeches file by file (:func:`analysis.features.stream_features`):
            no text and no token table is held, only count tables, as for a profile. Every
            count-based analysis gives the same numbers; those that need running text (KWIC,
            collocations) refuse these speeches. For comparing many speeches.

    Returns:
        A FeatureSet whose ``documents`` table has every metadata column, plus ``year``,
        ``decade`` and ``in_corpus`` (True for the corpus folder's speeches). Corpus
        speeches come first; a reference speech with the id of a corpus speech is left out.

    Raises:
        FileNotFoundError: a reference file named in ``references`` does not exist.
        KeyError: an id in ``documents`` is in neither the corpus nor the references.

    Warns:
        UserWarning: when no reference speeches are found (profiles missing).
    """
    from analysis.features import build_features, stream_features
    from analysis.io.corpus import load_corpus

    settings = settings or Settings()
    corpus_path = Path(corpus) if corpus is not None else paths.corpus_dir()

    def features_of(source):
        if counts_only:
            return stream_features(source, settings=settings, progress=progress, workers=workers)
        return build_features(load_corpus(source, settings=settings), settings=settings, progress=progress,
                              workers=workers)

    own = features_of(corpus_path)
    if references is None:
        refs = _reference_profiles(settings)
    elif references:
        missing = [str(r) for r in references if not Path(r).exists()]
        if missing:
            raise FileNotFoundError(f"reference speeches not found: {missing}")
        refs = features_of([Path(r) for r in references])
    else:
        refs = None
    own_ids = [str(i) for i in own.documents["id"]]
    fs = join_references(own, refs) if refs is not None else own
    if documents is not None:
        known = [str(i) for i in fs.documents["id"]]
        missing = [d for d in documents if str(d) not in known]
        if missing:
            raise KeyError(f"speeches {missing} are neither files nor ids in the corpus or the reference speeches; "
                           f"ids there: {', '.join(known[:12])}{' …' if len(known) > 12 else ''}")
        fs = fs.select([str(d) for d in documents])
    meta = with_year(fs.documents)
    meta = meta.assign(in_corpus=meta["id"].astype(str).isin(own_ids))
    return replace(fs, documents=meta)


def join_references(own, references):
    """One FeatureSet of a corpus's speeches followed by the reference documents not already in it.

    A corpus folder may hold a speech that is also a reference document (the same id, for
    example a researcher's own copy of a speech in the shipped profiles). The corpus copy is
    kept and the reference copy left out, so every id occurs once.

    Args:
        own: The corpus folder's FeatureSet (kept whole, first).
        references: The reference FeatureSet (profiles or full texts).

    Returns:
        A :class:`analysis.features.FeatureSet`: ``own``'s documents, then the references
        whose ids are not in ``own``; ``own`` itself when every reference id is there.

    Raises:
        ValueError: when the two were made with different settings (from :func:`analysis.features.combine`).

    Example:
        >>> import pandas as pd
        >>> from analysis.features import build_features
        >>> own = build_features(pd.DataFrame({"id": ["a"], "text": ["一、人才\\n"]}), progress=False, cache=False)
        >>> refs = build_features(pd.DataFrame({"id": ["a", "b"], "text": ["一、基层\\n", "一、干部\\n"]}),
        ...                       progress=False, cache=False)
        >>> join_references(own, refs).documents["id"].tolist()
        ['a', 'b']
    """
    from analysis.features import combine

    own_ids = set(own.documents["id"].astype(str))
    keep = [i for i in references.documents["id"].astype(str) if i not in own_ids]
    return combine(own, references.select(keep)) if keep else own


def reference_features(collections: Sequence[str] | None = None, *, source: str = "profiles",
                       settings: Settings | None = None, progress: bool = True, workers: int = 1):
    """Features of the reference corpora (reports, congress reports, speeches, party-building texts).

    By default the reference profiles shipped in ``corpus/profiles/`` (counts, no text),
    so it works on a fresh clone without ``../shared``. With ``source="texts"`` the full
    texts from ``../shared/corpora/<collection>.jsonl`` (cached by content); count-based
    results are identical either way, and only the full texts allow KWIC.

    Args:
        collections: Stems from :data:`COLLECTIONS`; None for all four.
        source: ``"profiles"`` (default) or ``"texts"``.
        settings: :class:`analysis.settings.Settings` (defaults when None).
        progress: With ``source="texts"``: a progress bar while computing features.
        workers: With ``source="texts"``: processes for the first, uncached run.

    Returns:
        A :class:`analysis.features.FeatureSet`.

    Raises:
        ValueError: for an unknown collection name or source.
        FileNotFoundError: when the profiles (or, for texts, ``../shared/corpora``) are missing.
    """
    from analysis.features import build_features
    from analysis.io.corpus import load_corpus
    from analysis.profiles import load_profiles

    names = list(collections) if collections is not None else list(COLLECTIONS)
    unknown = [c for c in names if c not in COLLECTIONS]
    if unknown:
        raise ValueError(f"unknown reference collection(s) {unknown}; choose from {list(COLLECTIONS)}")
    check_choice("source", source, ("profiles", "texts"), caller="reference_features")
    if source == "profiles":
        return load_profiles(collection=names, settings=settings)
    folder = paths.shared_dir() / "corpora"
    files = [folder / f"{name}.jsonl" for name in names]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"reference corpora not found: {missing}; put ../shared/corpora beside the project, "
                                "or use the shipped profiles (source='profiles')")
    documents = load_corpus(files, settings=settings)
    return build_features(documents, settings=settings, progress=progress, workers=workers)


def speech_features(spec: str, *, corpus: str | Path | None = None, settings: Settings | None = None):
    """The FeatureSet of one speech named by id: from the corpus folder (full text), else the reference profiles.

    Raises:
        ValueError: when the id is in neither place (the message lists some ids).
    """
    from analysis.features import build_features
    from analysis.io.corpus import load_corpus

    settings = settings or Settings()
    corpus_path = Path(corpus) if corpus is not None else paths.corpus_dir()
    own = load_corpus(corpus_path, settings=settings)
    match = own[own["id"].astype(str) == spec]
    if not match.empty:
        return build_features(match.reset_index(drop=True), settings=settings, progress=False)
    refs = _reference_profiles(settings)
    known = list(own["id"].astype(str)) + (list(refs.documents["id"].astype(str)) if refs is not None else [])
    if refs is None or spec not in set(refs.documents["id"].astype(str)):
        shown = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
        raise ValueError(f"{spec!r} is neither a file or folder nor the id of a speech in the corpus folder "
                         f"or the reference profiles (ids: {shown}); see python -m analysis profiles list")
    return refs.select([spec])


def speech_documents(*, corpus: str | Path | None = None, references: Sequence[str | Path] | None = None,
                     settings: Settings | None = None) -> pd.DataFrame:
    """The loaded documents table (with text) of a corpus folder and reference speeches given as files.

    Returns:
        The :func:`analysis.io.corpus.load_corpus` table, corpus folder first.
    """
    from analysis.io.corpus import load_corpus

    refs = default_references() if references is None else [Path(r) for r in references]
    corpus_path = Path(corpus) if corpus is not None else paths.corpus_dir()
    return load_corpus([corpus_path, *refs], settings=settings)


def corpus_documents(corpus: str | Path | None = None) -> pd.DataFrame | None:
    """The documents of a corpus folder without their texts (metadata for a report's opening); None when unreadable."""
    from analysis.io.corpus import describe_paths

    folder = Path(corpus) if corpus is not None else paths.corpus_dir()
    try:  # streamed: one text in memory at a time, none kept
        documents, _ = describe_paths(folder, on_error="collect")
    except Exception:  # noqa: BLE001 - the notebooks report what was wrong; the opening then names the folder only
        return None
    return with_year(documents)


def focus_document(corpus: str | Path | None = None, document: str | None = None, *,
                   settings: Settings | None = None, text: bool = True) -> pd.DataFrame:
    """The speech a single-speech notebook studies, as the one-row table of :func:`analysis.io.corpus.load_corpus`.

    The same row as ``select_document(load_corpus(corpus), document)``, but the folder is read
    one document at a time (:func:`analysis.io.corpus.iter_documents`) and only the chosen one
    is kept, and reading stops there: a folder of a thousand speeches costs the memory of one.

    Args:
        corpus: The corpus folder (or files); default :func:`analysis.paths.corpus_dir`.
        document: The id to study; None: ``$ANALYSIS_DOCUMENT``, else the first document.
        settings: Normalization settings (default :class:`Settings`).
        text: Keep the texts (``text``, ``raw``, ``raw_offsets``); False: the metadata
            columns only, as :func:`~analysis.io.corpus.describe_paths` gives them (a
            notebook that needs only the speech's id and metadata then holds no text: a
            cap-size document's is hundreds of megabytes).

    Returns:
        One row with every column of :func:`~analysis.io.corpus.load_corpus` (texts included
        unless ``text`` is False).

    Raises:
        ValueError: The folder holds no document, or none with that id (the message lists ids).
        analysis.io.corpus.CorpusError: A file read before the chosen document cannot be read.

    >>> focus_document()["id"].tolist()
    ['organization-work-speech']
    >>> "text" in focus_document(text=False).columns
    False
    """
    import os

    from analysis.io import corpus as corpus_mod

    folder = Path(corpus) if corpus is not None else paths.corpus_dir()
    wanted = document or os.environ.get("ANALYSIS_DOCUMENT") or None
    seen: list[str] = []
    for doc in corpus_mod.iter_documents(folder, settings=settings or Settings()):
        if wanted is None or str(doc.id) == str(wanted):
            return corpus_mod._frame([doc.row(full=text)], full=text)  # the table load_corpus (describe_paths) builds
        if len(seen) < 20:
            seen.append(str(doc.id))
    if not seen:
        raise ValueError("the corpus has no document: add speeches to the corpus folder")
    raise ValueError(f"document {wanted!r} is not in the corpus; its ids are: {', '.join(seen)}"
                     f"{' …' if len(seen) == 20 else ''}")


def match_references(documents: pd.DataFrame, document: str, *, candidates: Sequence[str] | None = None,
                     era_years: int = ERA_YEARS) -> pd.DataFrame:
    """The reference speeches that match a speech's kind, level and era.

    A candidate matches when its ``kind`` equals the speech's (when both are known), its
    level is of the same class (national with national, any local level with any local
    level), and its year is within ``era_years`` of the speech's. Unknown metadata on the
    speech's side does not restrict.

    Args:
        documents: A documents table with ``id`` and metadata (``kind``, ``level``, ``year``/``date``).
        document: The speech's id.
        candidates: Ids to choose from (default: every other document).
        era_years: Most years apart.

    Returns:
        The matching rows of ``documents`` (possibly none), in their order.

    Raises:
        KeyError: when ``document`` is not in ``documents``.
    """
    meta = with_year(documents)
    ids = meta["id"].astype(str)
    if document not in set(ids):
        raise KeyError(f"document {document!r} is not in the documents table")
    own = meta[ids == document].iloc[0]
    pool = meta[(ids != document) & (ids.isin([str(c) for c in candidates]) if candidates is not None else True)]
    keep = pd.Series(True, index=pool.index)
    kind = own.get("kind") if "kind" in meta.columns else None
    if isinstance(kind, str) and kind:
        keep &= pool["kind"].astype(str) == kind
    level = level_class(own.get("level")) if "level" in meta.columns else ""
    if level:
        keep &= pool["level"].map(level_class) == level
    year = pd.to_numeric(pd.Series([own.get("year")]), errors="coerce").iloc[0]
    if pd.notna(year):
        years = pd.to_numeric(pool["year"], errors="coerce")
        keep &= (years - year).abs() <= era_years
    return pool[keep]
