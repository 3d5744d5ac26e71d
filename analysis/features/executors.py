"""Executors on this machine: :func:`build_features` over a loaded table (one process or a
process pool; ``backend="dask"`` hands over to :mod:`analysis.features.dask_backend`) and
:func:`stream_features` over files (each file read and counted by a worker, only counts kept).
"""

from __future__ import annotations

from analysis.text.cooccurrence import PAIR_COLUMNS

import contextlib
import dataclasses
from functools import partial
from types import SimpleNamespace
from typing import Iterable, Iterator

import pandas as pd

from analysis.settings import Settings
from analysis.types import ManifestArg, PathsArg
from analysis.features.caches import (_file_key, _open_cache, _read_counts, _write_counts, cached_features,
                                      counted_features, counts_cache_dir, COUNTS_SUFFIX)
from analysis.features.counting import DocumentCounts, compact_counts, document_counts
from analysis.features.featureset import FeatureSet, StoredCounts
from analysis.features.tables import (_concat, _TEXT_COLUMNS, DocumentFeatures, FIRST_HIT_COLUMNS, GRAINS,
                                      OCCURRENCE_COLUMNS, SENTENCE_COLUMNS, SENTENCE_THEME_COLUMNS,
                                      SENTENCE_TOKEN_COLUMNS, TERM_COUNT_COLUMNS, THEME_TERM_COLUMNS, ThemeCounts,
                                      TOKEN_COLUMNS)


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
        from analysis.features.dask_backend import _dask_features

        computed = _dask_features(documents, rows, settings=settings, cache=cache, write=write,
                                  scheduler=scheduler, workers=workers, progress=progress,
                                  counts_only=counts_only, count_themes=count_themes)
    else:
        computed = _local_features(rows, settings=settings, cache=cache, write=write, workers=workers,
                                   progress=progress, counts_only=counts_only, count_themes=count_themes)
    meta = documents.drop(columns=[c for c in documents.columns if c in _TEXT_COLUMNS])
    return _assemble(meta, computed, settings=settings, counts_only=counts_only, compact=counts_only)


def _assemble(meta: pd.DataFrame, computed: list, *, settings: Settings, counts_only: bool,
              compact: bool = False) -> FeatureSet:
    """The FeatureSet of documents whose features (or counts) are ``computed``, in ``meta``'s order.

    ``compact``: the term counts were made compact (:func:`compact_counts`); their categories
    are united in sorted order, so the stacked table sorts by a column as its text would.
    """
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
            term_counts=_concat([c.term_counts for c in counted], TERM_COUNT_COLUMNS, sort_categories=compact),
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
                    progress: bool = True, backend: str = "local",
                    scheduler: str | None = None) -> FeatureSet | tuple[FeatureSet, pd.DataFrame]:
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
        workers: Processes reading and counting files side by side (with ``backend="dask"``
            and no ``scheduler``: the workers of a local cluster).
        cache: Read and write the feature cache (see :func:`build_features`).
        count_themes: Count theme hits too (see :func:`build_features`).
        progress: A progress bar over files (stderr).
        backend: ``"local"`` or ``"dask"``: Dask workers read and count the files
            themselves (with the file-counts cache) and send back counts; a file a worker
            does not see as this machine does is counted here
            (:func:`analysis.features.dask_backend.dask_counted_files`). The same tables either way.
        scheduler: With ``backend="dask"``, a running scheduler's address (default: a
            local cluster for this call).

    Returns:
        The FeatureSet (documents in the order :func:`~analysis.io.corpus.load_corpus`
        gives); with ``on_error="collect"``, ``(FeatureSet, problems)`` where ``problems``
        has the columns of ``load_corpus``'s problem table.

    Raises:
        CorpusError: with ``on_error="raise"``, at the first problem.
        ValueError: for an unknown backend, a scheduler without ``backend="dask"``, or Dask
            workers that differ from this machine.

    Example:
        >>> from analysis.paths import corpus_dir
        >>> fs = stream_features(corpus_dir() / "organization-work-speech.txt", progress=False)
        >>> fs.documents["id"].tolist(), len(fs.tokens), int(fs.term_counts["count"].sum()) == int(fs.documents["all_tokens"].sum())
        (['organization-work-speech'], 0, True)
    """
    from analysis.io import corpus as corpus_mod

    problems: list = []
    rows: list[dict] = []
    counted: list[DocumentCounts] = []
    for row, counts in _counted_files(paths, manifest=manifest, settings=settings, on_error=on_error,
                                      problems=problems, workers=workers, cache=cache, count_themes=count_themes,
                                      progress=progress, backend=backend, scheduler=scheduler):
        rows.append(row)
        counted.append(counts)
    meta = corpus_mod.documents_frame(rows)
    fs = _assemble(meta, counted, settings=settings or Settings(), counts_only=True, compact=True)
    if on_error == "collect":
        return fs, corpus_mod._problems_frame(problems)
    return fs


#: Term-count rows gathered into one batch by :func:`stream_batches` (about 1 MB of text makes 100,000).
BATCH_ROWS = 20_000


def stream_batches(paths: "PathsArg", *, manifest: "ManifestArg" = None, settings: Settings | None = None,
                   on_error: str = "raise", problems: list | None = None, workers: int = 1, cache: bool = True,
                   count_themes: bool = True, progress: bool = True, batch_rows: int | None = None,
                   backend: str = "local", scheduler: str | None = None, grain: str = "node") -> Iterator[FeatureSet]:
    """:func:`stream_features` in batches: counts-only FeatureSets of consecutive documents, in order.

    The FeatureSets, stacked with :func:`combine`, are the one :func:`stream_features`
    returns; each holds whole documents, and about ``batch_rows`` term-count rows (a
    document larger than that is a batch of its own). A caller that computes per-document
    results (``terms``, ``themes`` by document or outline node) keeps one batch in memory
    at a time instead of the whole corpus's counts.

    Args:
        paths, manifest, settings, workers, cache, count_themes, progress, backend, scheduler: As
            :func:`stream_features`.
        on_error: ``"raise"`` or ``"collect"`` (each problem is appended to ``problems`` as it is found).
        problems: The list problems are appended to with ``on_error="collect"``.
        batch_rows: Term-count rows that close a batch (default :data:`BATCH_ROWS`).
        grain: ``"node"``: term counts per outline node (:data:`TERM_COUNT_COLUMNS`, what every
            analysis reads); ``"document"``: summed over each document's nodes
            (:data:`DOCUMENT_COUNT_COLUMNS`, no ``path``), all that counts per document need: a
            long document's millions of node rows become a row per distinct token, decoded
            alone from the file-counts cache.

    Returns:
        An iterator of counts-only :class:`FeatureSet` (``documents`` without text columns).

    Raises:
        CorpusError: with ``on_error="raise"``, at the first problem.
        ValueError: for another ``grain``.

    Example:
        >>> from analysis.paths import corpus_dir
        >>> parts = list(stream_batches(corpus_dir() / "organization-work-speech.txt", progress=False))
        >>> len(parts), parts[0].documents["id"].tolist()
        (1, ['organization-work-speech'])
    """
    from analysis.io import corpus as corpus_mod

    from analysis.types import check_choice

    check_choice("grain", grain, GRAINS, caller="stream_batches")
    settings = settings or Settings()
    batch_rows = BATCH_ROWS if batch_rows is None else batch_rows
    rows: list[dict] = []
    counted: list[DocumentCounts] = []
    size = 0
    for row, counts in _counted_files(paths, manifest=manifest, settings=settings, on_error=on_error,
                                      problems=problems if problems is not None else [], workers=workers,
                                      cache=cache, count_themes=count_themes, progress=progress,
                                      backend=backend, scheduler=scheduler, grain=grain):
        rows.append(row)
        counted.append(counts)
        size += len(counts.term_counts)
        if size >= batch_rows:
            yield _assemble(corpus_mod.documents_frame(rows), counted, settings=settings, counts_only=True,
                            compact=True)
            rows, counted, size = [], [], 0
    if rows:
        yield _assemble(corpus_mod.documents_frame(rows), counted, settings=settings, counts_only=True, compact=True)


def _counted_files(paths: "PathsArg", *, manifest: "ManifestArg", settings: Settings | None, on_error: str,
                   problems: list, workers: int, cache: bool, count_themes: bool, progress: bool,
                   backend: str = "local", scheduler: str | None = None,
                   grain: str = "node") -> Iterator[tuple[dict, DocumentCounts]]:
    """Each accepted document's metadata row and compact counts, in file order (problems to ``problems``)."""
    from analysis.io import corpus as corpus_mod
    from analysis.types import check_choice

    check_choice("on_error", on_error, ("raise", "collect"), caller="stream_features")
    check_choice("backend", backend, BACKENDS, caller="stream_features")
    if scheduler is not None and backend != "dask":
        raise ValueError("scheduler= is for backend='dask'")
    settings = settings or Settings()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    report = problems.append if on_error == "collect" else corpus_mod._handler("raise")
    items = list(corpus_mod.plan_files(paths, manifest=manifest, report=report))
    write = _open_cache() if cache else False
    task = partial(_count_file, settings=settings, cache=cache, write=write, count_themes=count_themes, grain=grain)
    ids = corpus_mod.IdRegister()
    with contextlib.ExitStack() as stack:
        results: Iterable = map(task, items)
        if backend == "dask":
            from analysis.features.dask_backend import dask_counted_files

            results = dask_counted_files(items, settings=settings, cache=cache, write=write,
                                         count_themes=count_themes, scheduler=scheduler, workers=workers, grain=grain)
        elif workers > 1 and len(items) > 1:
            from concurrent.futures import ProcessPoolExecutor

            pool = stack.enter_context(ProcessPoolExecutor(max_workers=min(workers, len(items)), initializer=_warm,
                                                           initargs=(settings,)))
            results = pool.map(task, items, chunksize=1)  # in file order
        for documents, errors in _progress(results, len(items), progress, unit="file", desc="reading and counting"):
            for error in errors:
                report(error)
            for row, counts in documents:
                if ids.accept(SimpleNamespace(id=row["id"], source_path=row["source_path"]), report):
                    yield row, compact_counts(counts)  # codes, not a string per row (a no-op: made so by the task)


def _count_file(item: tuple, *, settings: Settings, cache: bool, write: bool, count_themes: bool,
                grain: str = "node") -> tuple[list, list]:
    """One file's documents (with their texts dropped) and count tables, and its problems: a worker's task.

    With the cache, a file whose bytes, manifest row, settings and code are unchanged is
    answered from its file-counts entry (:func:`counts_cache_dir`) without being decoded,
    normalized or segmented; a file with problems is never stored, so they are reported
    on every run. ``grain="document"``: the term counts summed per document
    (:func:`analysis.features.counting.document_counts`; the entry holds both).
    """
    from analysis.io.corpus import read_file

    key = _file_key(item, settings, count_themes) if cache else None
    entry = counts_cache_dir() / f"{key}{COUNTS_SUFFIX}" if key else None
    if entry is not None:
        hit = _read_counts(entry, key, grain)
        if hit is not None:
            return hit, []
    errors: list = []
    out = []
    for box in _one_ahead(read_file(item, settings=settings, report=errors.append)):
        document = box.pop()
        row, text = document.row(full=False), {"id": document.id, "text": document.text}
        del document  # its raw text and offsets (8 bytes a character) are not needed to count it
        # compact: codes, not a string per row, in the entry and on the way back (made so from the codes)
        out.append((row, counted_features(text, settings, cache=cache, write=write, count_themes=count_themes,
                                          compact=True)))
    by_document = [document_counts(counts.term_counts) for _, counts in out] if grain == "document" else None
    if entry is not None and write and not errors:
        _write_counts(entry, key, out, by_document)
    if by_document is not None:
        out = [(row, dataclasses.replace(counts, term_counts=summed))
               for (row, counts), summed in zip(out, by_document)]
    return out, errors


def _one_ahead(items: Iterable) -> Iterator[list]:
    """Each item in a one-item list, handed out once the next item has been read: the source (a reader's
    generators) then holds no reference to it, so the caller that pops it holds the only one.

    >>> [box.pop() for box in _one_ahead(iter("ab"))]
    ['a', 'b']
    """
    source = iter(items)
    try:
        box = [next(source)]
    except StopIteration:
        return
    for following in source:
        yield box
        box = [following]
        del following
    yield box


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
        task = partial(counted_features, settings=settings, cache=cache, write=write, count_themes=count_themes,
                       compact=True)
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
