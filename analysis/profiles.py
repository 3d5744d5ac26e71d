"""Reference profiles: the counts of a document without its text, stored and loaded as a FeatureSet.

A profile keeps what the count-based analyses need and nothing from which a passage
could be rebuilt in order:

- per document: its metadata, its source (repository, commit, file, row, SHA-256 of the
  input text) and how the profile was made (settings fingerprint, lexicon hash, code hash);
- per outline node: path, level, number, parent, kind, Han characters, shares, sentences,
  paragraphs, redactions and own tokens; no heading wording;
- per node, the full term-count table: token, kind, stopword flag, count (and how many
  of them stand alone in quotation marks), rows sorted by token, not in text order;
- per sentence: node path, paragraph, Han characters and word tokens; per sentence and
  theme: hits, tokens and Han characters covered; per node, theme and term: hits; per
  document and theme: the first hit (path, sentence, offset, term);
- per node, for the dictionary's formulas and the default tracked terms
  (:func:`analysis.text.occurrences.profile_terms`): occurrences counted on the text when
  the profile is built, and the mid-word matches among them (``term_occurrences``); a
  row with an empty path records a term counted and not found in the document. Other
  terms' occurrences on a profile come from its term counts and are lower bounds;
- per document, how many sentences hold two theme-lexicon terms (or two themes) together,
  and each alone (``cooccurrences``, :mod:`analysis.text.cooccurrence`): pair counts, never
  which words a sentence holds.

All profiles of a folder are stored together, one Parquet file per table (zstd), plus
``build.json`` describing the settings. Same inputs, same settings and code: same bytes.
The files are one set: ``build.json``, written last, records the SHA-256 of every table
file, and loading checks them, so a folder left half-rewritten (a build killed midway,
a file copied from another build) is refused by name (:class:`ProfileSetError`) and
never loads with counts from two builds.
Loading compares the recorded settings and code with the current ones and warns, with
the rebuild command, when they differ; theme analyses refuse profiles counted with
another theme lexicon (:class:`analysis.features.ProfileError`).

>>> fs = load_profiles(ids=["gov-work-reports:5"])      # doctest: +SKIP
>>> fs.profiled                                         # doctest: +SKIP
['gov-work-reports:5']
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from analysis import __version__, paths
from analysis.features import (FIRST_HIT_COLUMNS, OCCURRENCE_COLUMNS, SENTENCE_COLUMNS, SENTENCE_THEME_COLUMNS, SENTENCE_TOKEN_COLUMNS,
                               TERM_COUNT_COLUMNS, THEME_TERM_COLUMNS, FeatureSet, StoredCounts, ThemeCounts,
                               build_features)
from analysis.features.caches import _code_hash
from analysis.settings import Settings

__all__ = ["PROFILE_TABLES", "OPTIONAL_TABLES", "REBUILD_COMMAND", "ProfileSetError", "ProfileStaleWarning",
           "profile_tables", "write_profiles",
           "build_profiles", "read_profile_tables", "load_profiles", "list_profiles", "profiles_dir"]

#: File of each stored table in a profiles folder.
PROFILE_TABLES = {
    "documents": "documents.parquet",
    "nodes": "nodes.parquet",
    "sentences": "sentences.parquet",
    "term_counts": "term_counts.parquet",
    "sentence_themes": "sentence_themes.parquet",
    "theme_terms": "theme_terms.parquet",
    "first_hits": "first_hits.parquet",
    "term_occurrences": "term_occurrences.parquet",
    "cooccurrences": "cooccurrences.parquet",
}
#: Tables a profiles folder may lack (folders built before they existed): read as empty.
OPTIONAL_TABLES = {"term_occurrences", "cooccurrences"}
BUILD_FILE = "build.json"
#: The command that rebuilds the shipped profiles (also ``make profiles``).
REBUILD_COMMAND = ("python -m analysis profiles build ../shared/corpora/*.jsonl --out corpus/profiles   "
                   "(or: make profiles)")
#: Columns of the stored node table (no ``title``: profiles keep no heading wording).
NODE_COLUMNS = ["document", "path", "level", "number", "parent", "kind", "unheaded", "han_chars", "own_han_chars",
                "share_of_document", "share_of_parent", "own_share", "sentences", "paragraphs", "redactions",
                "own_tokens"]
#: Columns of the stored sentence table (no offsets).
STORED_SENTENCE_COLUMNS = ["document", "sentence", "path", "paragraph", "han_chars", "word_tokens"]
#: Provenance columns of the stored documents table.
PROVENANCE_COLUMNS = ["source_repository", "source_commit", "source_file", "corpus_file", "corpus_row",
                      "text_sha256", "settings_fingerprint", "lexicon_sha256", "code_sha256"]
#: Columns of :func:`list_profiles`.
LIST_COLUMNS = ["id", "title", "date", "year", "level", "kind", "collection", "han_chars", "all_tokens", "word_tokens",
                "sentences",
                "announced", "speaker", "source_repository", "source_file", "corpus_row"]
_DROP = {"text", "raw", "raw_offsets", "source_path", "sha256"}
_SOURCE_RE = re.compile(r"^([\w.-]+/[\w.-]+)@([0-9a-f]{7,40})[\s:]*(.*)$")


class ProfileStaleWarning(UserWarning):
    """Profiles made with other settings or code than the current ones."""


class ProfileSetError(FileNotFoundError):
    """A profiles folder whose files are not one build (a rebuild stopped midway, a file from elsewhere).

    A :class:`FileNotFoundError`: there is no whole set of profiles in the folder.
    """


def profiles_dir() -> Path:
    """The folder of the shipped reference profiles, ``corpus/profiles/`` (never the corpus override)."""
    return paths.project_root() / "corpus" / "profiles"


# --------------------------------------------------------------------------- provenance


def _sources_table() -> dict[str, dict[str, str]]:
    path = paths.project_root() / "corpus" / "reference" / "sources.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["corpus_file"]: row for row in csv.DictReader(handle)}


def _record_lines(path: Path) -> dict[str, int]:
    """SHA-256 of each record's text → its line number, for a JSON Lines file (empty for others)."""
    if path.suffix.lower() != ".jsonl" or not path.is_file():
        return {}
    out: dict[str, int] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            text = record.get("text") if isinstance(record, dict) else None
            if isinstance(text, str):
                out.setdefault(hashlib.sha256(text.encode("utf-8")).hexdigest(), number)
    return out


def _source(row: dict, known: dict[str, dict[str, str]], lines: dict[str, dict[str, int]]) -> dict:
    """Repository, commit, file and row of one document's source."""
    corpus_file = Path(str(row.get("source_path") or "")).name
    m = _SOURCE_RE.match(str(row.get("source") or ""))
    if m:
        repository, commit, file = m.group(1), m.group(2), m.group(3)
    else:
        entry = known.get(corpus_file, {})
        repository, commit = entry.get("repository", ""), entry.get("commit", "")
        file = entry.get("file") or str(row.get("record_source_path") or "")
    line = lines.get(str(row.get("source_path")), {}).get(str(row.get("sha256")))
    return {"source_repository": repository, "source_commit": commit, "source_file": file,
            "corpus_file": corpus_file, "corpus_row": line, "text_sha256": row.get("sha256")}


# --------------------------------------------------------------------------- building


def _documents_table(fs: FeatureSet, documents: pd.DataFrame, lexicon_sha: str) -> pd.DataFrame:
    known = _sources_table()
    lines = {p: _record_lines(Path(p)) for p in documents["source_path"].dropna().astype(str).unique()}
    meta = documents.drop(columns=[c for c in documents.columns if c in {"text", "raw", "raw_offsets"}])
    provenance = pd.DataFrame([_source(row, known, lines) for row in meta.to_dict("records")])
    provenance["corpus_row"] = pd.array(provenance["corpus_row"], dtype="Int64")
    provenance = provenance.assign(settings_fingerprint=fs.settings.fingerprint(), lexicon_sha256=lexicon_sha,
                                   code_sha256=_code_hash())
    table = fs.documents.drop(columns=[c for c in fs.documents.columns if c in _DROP])
    table = table.assign(sentences=fs.sentences.groupby("document", sort=False).size().reindex(table["id"]).fillna(0)
                         .astype("int64").to_numpy())
    return pd.concat([table.reset_index(drop=True), provenance[PROVENANCE_COLUMNS]], axis=1)


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its categorical columns as text: profiles store text columns as ``str``."""
    return table.assign(**{c: table[c].astype("str") for c in table.columns
                           if isinstance(table[c].dtype, pd.CategoricalDtype)})


def _nodes_table(fs: FeatureSet, documents: pd.DataFrame) -> pd.DataFrame:
    from analysis.text.outline import outline_nodes_table

    numbers = outline_nodes_table(documents[["id", "text"]])[["document", "path", "number"]]
    own = (_as_text(fs.term_counts).groupby(["document", "path"], sort=False)["count"].sum().rename("own_tokens")
           .reset_index())
    nodes = fs.nodes.merge(numbers, on=["document", "path"], how="left").merge(own, on=["document", "path"], how="left")
    nodes["own_tokens"] = nodes["own_tokens"].fillna(0).astype("int64")
    nodes["number"] = nodes["number"].astype("Int64")
    return nodes[NODE_COLUMNS]


def _sentences_table(fs: FeatureSet) -> pd.DataFrame:
    counts = fs.sentence_tokens.set_index(["document", "sentence"])["word_tokens"]
    keys = pd.MultiIndex.from_frame(fs.sentences[["document", "sentence"]])
    words = counts.reindex(keys).fillna(0).astype("int64").to_numpy()
    return fs.sentences.assign(word_tokens=words)[STORED_SENTENCE_COLUMNS]


def profile_tables(documents: pd.DataFrame, *, settings: Settings | None = None, progress: bool = True,
                   workers: int = 1) -> dict[str, pd.DataFrame]:
    """Compute the profile tables of loaded documents (nothing is written).

    Args:
        documents: The table from :func:`analysis.io.corpus.load_corpus` (with ``text``).
        settings: Analysis settings (default :class:`Settings`): segmenter, dictionary,
            stopwords and the theme lexicon the theme counts are made with.
        progress: Progress bar on standard error.
        workers: Processes computing features (see :func:`analysis.features.build_features`).

    Returns:
        Table name (:data:`PROFILE_TABLES`) → DataFrame: ``documents`` (metadata, counts,
        :data:`PROVENANCE_COLUMNS`), ``nodes`` (:data:`NODE_COLUMNS`), ``sentences``
        (:data:`STORED_SENTENCE_COLUMNS`), ``term_counts``
        (:data:`analysis.features.TERM_COUNT_COLUMNS`), ``sentence_themes``,
        ``theme_terms``, ``first_hits`` (the :class:`analysis.features.ThemeCounts` tables),
        ``term_occurrences`` (:data:`analysis.features.OCCURRENCE_COLUMNS`: occurrences of the
        dictionary's formulas and the default tracked terms, counted on each document's text
        before it is dropped, :func:`analysis.text.occurrences.stored_occurrences`),
        ``cooccurrences`` (:data:`analysis.text.cooccurrence.PAIR_COLUMNS`: sentences holding
        two lexicon terms or two themes together, per document).

    Example:
        >>> docs = pd.DataFrame({"id": ["d"], "text": ["同志们：\\n一、重视人才\\n要关心人才。\\n"],
        ...                      "source_path": ["d.txt"], "sha256": ["0"]})
        >>> t = profile_tables(docs, progress=False)
        >>> t["term_counts"].query("token == '人才'")[["path", "count"]].values.tolist()
        [['一', 2]]
        >>> "title" in t["nodes"].columns, "start" in t["sentences"].columns
        (False, False)
    """
    from analysis.text.cooccurrence import PAIR_COLUMNS, unit_pairs
    from analysis.text.lexicon import lexicon_sha256, load_themes

    settings = settings or Settings()
    # Counts only: each document's tokens are counted where computed and dropped, so memory
    # holds count tables, not the token tables of the whole corpus.
    fs = build_features(documents, settings=settings, progress=progress, workers=workers, counts_only=True)
    lexicon = load_themes(settings)
    themes = fs.theme_counts(lexicon)
    return {
        "documents": _documents_table(fs, documents, lexicon_sha256(lexicon)),
        "nodes": _nodes_table(fs, documents),
        "sentences": _sentences_table(fs),
        "term_counts": _as_text(fs.term_counts)[TERM_COUNT_COLUMNS],
        "sentence_themes": themes.sentences[SENTENCE_THEME_COLUMNS],
        "theme_terms": themes.terms[THEME_TERM_COLUMNS],
        "first_hits": themes.first[FIRST_HIT_COLUMNS],
        "term_occurrences": fs.stored.term_occurrences[OCCURRENCE_COLUMNS],
        "cooccurrences": (fs.stored.cooccurrences if fs.stored.cooccurrences is not None
                          else unit_pairs(pd.DataFrame(columns=["document", "sentence", "paragraph", "term", "theme"])))[PAIR_COLUMNS],
    }


def _build_description(settings: Settings, files: dict[str, str]) -> dict:
    return {"analysis_version": __version__, "code_sha256": _code_hash(), "settings": settings.describe(),
            "settings_fingerprint": settings.fingerprint(), "rebuild": REBUILD_COMMAND,
            "tables": PROFILE_TABLES, "files_sha256": files}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    _write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd", compression_level=9))


def write_profiles(tables: dict[str, pd.DataFrame], directory: str | Path, *, settings: Settings | None = None) -> list[Path]:
    """Write profile tables into ``directory`` (created if missing), each file atomically.

    Args:
        tables: From :func:`profile_tables`.
        directory: The profiles folder; its profile files are replaced.
        settings: The settings the tables were made with (described in ``build.json``).

    Returns:
        The paths written, ``build.json`` last (it records each table file's SHA-256, so
        a folder whose rewrite stopped midway is refused on loading).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / BUILD_FILE).unlink(missing_ok=True)  # from here until the end, the folder is no whole set
    written = []
    for name, file in PROFILE_TABLES.items():
        _write_parquet(tables[name], directory / file)
        written.append(directory / file)
    files = {file: _sha256(directory / file) for file in PROFILE_TABLES.values()}
    blob = json.dumps(_build_description(settings or Settings(), files), ensure_ascii=False, indent=1,
                      sort_keys=True) + "\n"
    _write_atomic(directory / BUILD_FILE, lambda tmp: Path(tmp).write_text(blob, encoding="utf-8"))
    written.append(directory / BUILD_FILE)
    return written


def build_profiles(sources: Any, *, out: str | Path | None = None, settings: Settings | None = None,
                   progress: bool = True, workers: int = 1) -> pd.DataFrame:
    """Load documents, compute their profiles and write them into ``out``.

    Args:
        sources: Files or folders (see :func:`analysis.io.corpus.load_corpus`).
        out: The profiles folder (default ``corpus/profiles/``).
        settings: Analysis settings (default :class:`Settings`).
        progress: Progress bar on standard error.
        workers: Processes computing features.

    Returns:
        :func:`list_profiles` of the folder written.

    Raises:
        analysis.io.corpus.CorpusError: for a file that cannot be loaded.
    """
    from analysis.io.corpus import load_corpus

    settings = settings or Settings()
    documents = load_corpus(sources, settings=settings)
    tables = profile_tables(documents, settings=settings, progress=progress, workers=workers)
    directory = Path(out) if out is not None else profiles_dir()
    write_profiles(tables, directory, settings=settings)
    return list_profiles(directory)


# --------------------------------------------------------------------------- loading


def _profile_files(directory: Path) -> None:
    """Check that the folder holds one whole build: every file, each with the SHA-256 ``build.json`` records."""
    required = [f for name, f in PROFILE_TABLES.items() if name not in OPTIONAL_TABLES]
    missing = [f for f in [*required, BUILD_FILE] if not (directory / f).is_file()]
    if missing:
        if BUILD_FILE in missing and len(missing) < len(PROFILE_TABLES) + 1:
            raise ProfileSetError(f"{directory}: the reference profiles are incomplete (no {BUILD_FILE}: a build "
                                  f"stopped before it finished); rebuild them: {REBUILD_COMMAND}")
        raise FileNotFoundError(f"{directory}: no reference profiles here (missing {', '.join(missing)}); "
                                f"build them with: {REBUILD_COMMAND}")
    try:
        recorded = json.loads((directory / BUILD_FILE).read_text(encoding="utf-8")).get("files_sha256")
    except (ValueError, AttributeError, UnicodeDecodeError) as exc:
        raise ProfileSetError(f"{directory / BUILD_FILE} cannot be read ({exc}); rebuild the profiles: "
                              f"{REBUILD_COMMAND}") from None
    if recorded is None:  # made before builds recorded their files: loaded, with a word
        warnings.warn(f"{directory}: {BUILD_FILE} records no checksums of the table files (an older build), so "
                      f"whether they belong together is not checked; rebuild them: {REBUILD_COMMAND}",
                      ProfileStaleWarning, stacklevel=4)
        return
    for name, file in PROFILE_TABLES.items():
        if name in OPTIONAL_TABLES and not (directory / file).is_file() and file not in (recorded or {}):
            continue  # a table added after this build: read as empty
        if not isinstance(recorded, dict) or recorded.get(file) != _sha256(directory / file):
            raise ProfileSetError(f"{directory / file} is not the file {BUILD_FILE} describes (a rebuild stopped "
                                  f"midway, or the file comes from another build), so the profiles are not loaded; "
                                  f"rebuild them: {REBUILD_COMMAND}")


def read_profile_tables(directory: str | Path | None = None, *, ids: Iterable[str] | None = None,
                        collection: str | Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read the stored profile tables of a folder, optionally only some documents.

    Args:
        directory: The profiles folder (default ``corpus/profiles/``).
        ids: Keep these document ids (KeyError for an unknown id).
        collection: Keep the documents of this collection (or these collections).

    Returns:
        Table name → DataFrame, as :func:`profile_tables` returns them.

    Raises:
        FileNotFoundError: when the folder holds no profiles (the message gives the build command).
        ProfileSetError: when its files are not one build (a rebuild stopped midway).
        KeyError: for an id or collection that is not there.
    """
    import pyarrow.parquet as pq

    directory = Path(directory) if directory is not None else profiles_dir()
    _profile_files(directory)
    tables = {name: pq.read_table(directory / file).to_pandas() for name, file in PROFILE_TABLES.items()
              if (directory / file).is_file()}
    if "term_occurrences" not in tables:  # a folder built before occurrences were stored: all lower bounds
        tables["term_occurrences"] = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("occurrences", "mid_word_matches")
                                                                else object) for c in OCCURRENCE_COLUMNS})
    documents = tables["documents"]
    keep = pd.Series(True, index=documents.index)
    if ids is not None:
        wanted = [str(i) for i in ([ids] if isinstance(ids, str) else ids)]
        unknown = [i for i in wanted if i not in set(documents["id"])]
        if unknown:
            raise KeyError(f"no profile for {unknown} in {directory}; python -m analysis profiles list {directory} "
                           "shows the ids")
        keep &= documents["id"].isin(wanted)
    if collection is not None:
        wanted_c = [collection] if isinstance(collection, str) else list(collection)
        unknown = [c for c in wanted_c if c not in set(documents["collection"])]
        if unknown:
            raise KeyError(f"no collection {unknown} in {directory}; collections: {sorted(set(documents['collection']))}")
        keep &= documents["collection"].isin(wanted_c)
    chosen = set(documents.loc[keep, "id"])
    return {name: (t[t["id" if name == "documents" else "document"].isin(chosen)].reset_index(drop=True))
            for name, t in tables.items()}


def _warn_if_stale(documents: pd.DataFrame, settings: Settings, directory: Path) -> None:
    reasons = []
    if (documents["settings_fingerprint"] != settings.fingerprint()).any():
        reasons.append("settings (segmenter, HMM, dictionary, stopwords or theme lexicon)")
    if (documents["code_sha256"] != _code_hash()).any():
        reasons.append("feature code")
    if reasons:
        message = (f"the reference profiles in {directory} were made with other {' and '.join(reasons)} than the "
                   f"current ones; counts may differ from a fresh analysis. Rebuild them: {REBUILD_COMMAND}")
        warnings.warn(message, ProfileStaleWarning, stacklevel=3)


def profile_feature_set(tables: dict[str, pd.DataFrame], *, settings: Settings | None = None) -> FeatureSet:
    """Turn stored profile tables into a :class:`FeatureSet` of profiled documents.

    Returns:
        A FeatureSet whose ``tokens`` table is empty and whose ``stored`` counts hold
        the profiles; ``nodes`` has the standard columns with ``title`` None,
        ``sentences`` has ``start``/``end`` <NA>.
    """
    from analysis.text.outline import _LENGTH_COLUMNS

    settings = settings or Settings()
    docs = tables["documents"]
    if "tokens" in docs.columns and "all_tokens" not in docs.columns:  # profiles built before the rename
        docs = docs.rename(columns={"tokens": "all_tokens"})
    if "word_tokens" not in docs.columns:
        words = tables["sentences"].groupby("document", sort=False)["word_tokens"].sum()
        docs = docs.assign(word_tokens=docs["id"].astype(str).map(words).fillna(0).astype("int64"))
    nodes = tables["nodes"].assign(title=None)[_LENGTH_COLUMNS]
    stored_sentences = tables["sentences"]
    sentences = stored_sentences.assign(start=pd.array([pd.NA] * len(stored_sentences), dtype="Int64"),
                                        end=pd.array([pd.NA] * len(stored_sentences), dtype="Int64"))[SENTENCE_COLUMNS]
    sentence_tokens = stored_sentences.loc[stored_sentences["word_tokens"] > 0, SENTENCE_TOKEN_COLUMNS]
    from analysis.features import TOKEN_COLUMNS

    stored = StoredCounts(
        term_counts=tables["term_counts"],
        sentence_tokens=sentence_tokens.reset_index(drop=True),
        themes=ThemeCounts(tables["sentence_themes"], tables["theme_terms"], tables["first_hits"]),
        lexicon_sha256=dict(zip(docs["id"].astype(str), docs["lexicon_sha256"].astype(str))),
        term_occurrences=tables.get("term_occurrences"),
        cooccurrences=tables.get("cooccurrences"),
    )
    return FeatureSet(documents=docs, nodes=nodes, sentences=sentences,
                      tokens=pd.DataFrame({c: pd.Series(dtype=object) for c in TOKEN_COLUMNS}),
                      settings=settings, stored=stored)


def load_profiles(directory: str | Path | None = None, *, ids: Iterable[str] | None = None,
                  collection: str | Iterable[str] | None = None, settings: Settings | None = None) -> FeatureSet:
    """Load reference profiles as a :class:`FeatureSet` (counts only, no text).

    Combine it with full texts by :func:`analysis.features.combine`; count-based analyses
    then treat both alike. Warns (:class:`ProfileStaleWarning`, with the rebuild command)
    when the profiles were made with other settings or code than the current ones.

    Args:
        directory: The profiles folder (default ``corpus/profiles/``).
        ids: Load only these documents.
        collection: Load only this collection (``speeches``, ``gov-work-reports``,
            ``cpc-congress-reports``, ``party-building-texts`` …) or these collections.
        settings: The settings to analyse with (default :class:`Settings`).

    Returns:
        A FeatureSet; ``documents`` holds the metadata, counts and provenance
        (:data:`PROVENANCE_COLUMNS`) of each profile.

    Raises:
        FileNotFoundError: when the folder holds no profiles.
        KeyError: for an unknown id or collection.

    Example:
        >>> fs = load_profiles(collection="speeches")   # doctest: +SKIP
        >>> len(fs.documents), fs.tokens.empty           # doctest: +SKIP
        (80, True)
    """
    settings = settings or Settings()
    directory = Path(directory) if directory is not None else profiles_dir()
    tables = read_profile_tables(directory, ids=ids, collection=collection)
    _warn_if_stale(tables["documents"], settings, directory)
    return profile_feature_set(tables, settings=settings)


def list_profiles(directory: str | Path | None = None) -> pd.DataFrame:
    """One row per profiled document of a folder (for ``python -m analysis profiles list``).

    Returns:
        Columns :data:`LIST_COLUMNS`: ``id, title, date, year, level, kind, collection,
        han_chars, all_tokens, word_tokens, sentences, announced, speaker, source_repository,
        source_file, corpus_row``; a column a profile lacks is empty.

    Raises:
        FileNotFoundError: when the folder holds no profiles.
    """
    import pyarrow.parquet as pq

    directory = Path(directory) if directory is not None else profiles_dir()
    _profile_files(directory)
    documents = pq.read_table(directory / PROFILE_TABLES["documents"]).to_pandas()
    for column in LIST_COLUMNS:
        if column not in documents.columns:
            documents[column] = None
    return documents[LIST_COLUMNS].reset_index(drop=True)
