"""The Dask backend: :func:`analysis.features.build_features`'s per-document function mapped
over partitions on ``dask.distributed`` workers, which read their files themselves where they
can; and the streamed counting of :func:`analysis.features.stream_features` and
:func:`~analysis.features.stream_batches`, where workers read and count whole files (with the
file-counts cache) and send back counts only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.settings import Settings
from analysis.features.caches import (_key, _read_cache, _relabel, _text_sha256, CACHE_SUFFIX, cache_writable,
                                      cached_features,
                                      feature_cache_dir)
from analysis.features.counting import count_features, DocumentCounts
from analysis.features.executors import _count_file, _progress
from analysis.features.tables import DocumentFeatures


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
                       counts_only: bool = False, count_themes: bool = True,
                       relative: dict[str, str] | None = None) -> list:
    """Features of a partition of documents, on a worker: :func:`cached_features` per document.

    Each item is ``{"id", "text"}`` or ``{"id", "source_path", "to_simplified", "text_sha256"}``;
    for the latter the worker first looks the features up in the cache by the hash, then
    reads and normalizes the file itself. Returns one :class:`DocumentFeatures` per item,
    or the item's id in a one-element tuple when its file could not be read here (the
    client then sends the text). With ``counts_only``, each is reduced to a
    :class:`DocumentCounts` on the worker. ``relative``: the settings files' paths inside the
    project (:func:`project_files`), taken from this worker's checkout.
    """
    settings = local_settings(settings, relative or {})  # the settings files of this worker's checkout
    out: list = []
    for item in items:
        value = _partition_item(item, settings, cache, write)
        if counts_only and isinstance(value, DocumentFeatures):
            value = count_features(value, settings, count_themes=count_themes, compact=True)
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



def project_files(settings: Settings) -> dict[str, str]:
    """The project-relative path of each settings file that lies inside this checkout.

    Sent to workers with the settings: a worker whose checkout sits elsewhere takes these
    files from its own project root (:func:`local_settings`), not from this machine's
    absolute paths.
    """
    relative = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, Path):
            try:
                relative[f.name] = Path(value).resolve().relative_to(paths.project_root()).as_posix()
            except ValueError:
                pass
    return relative


def local_settings(settings: Settings, relative: dict[str, str]) -> Settings:
    """On a worker: the settings with each project file taken from this worker's checkout."""
    changes = {name: paths.project_root() / rel for name, rel in relative.items()
               if (paths.project_root() / rel).is_file()}
    return settings.replace(**changes) if changes else settings


def worker_signature(settings: Settings, relative: dict[str, str]) -> dict:
    """What a worker would compute with: its settings description, feature code and segmenter engine."""
    from analysis.features.caches import _code_hash
    from analysis.text.segment import engine_signature

    mine = local_settings(settings, relative)
    return {"describe": mine.describe(), "code": _code_hash(), "engine": engine_signature(mine)}


def signature_mismatch(here: dict, there: dict, settings: Settings) -> list[str]:
    """The causes, in words, of a worker's signature differing from this machine's (empty when equal).

    >>> s = worker_signature(Settings(), {})
    >>> signature_mismatch(s, {**s, "code": "0" * 16}, Settings())[0].startswith("other feature code")
    True
    """
    causes = []
    if there.get("code") != here.get("code"):
        causes.append(f"other feature code (code hash {there.get('code')} there, {here.get('code')} here): "
                      "install the same project version")
    if there.get("engine") != here.get("engine"):
        causes.append(f"another segmenter engine ({there.get('engine')} there, {here.get('engine')} here)")
    mine, theirs = here.get("describe", {}), there.get("describe", {})
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key) == theirs.get(key):
            continue
        field = key.removesuffix("_sha256")
        if key.endswith("_sha256") and theirs.get(key) is None:
            causes.append(f"cannot read the {field} file {getattr(settings, field, field)} (not at that path and not "
                          "in the worker's checkout)")
        elif key.endswith("_sha256"):
            causes.append(f"another {field} file (content hash {str(theirs.get(key))[:12]} there, "
                          f"{str(mine.get(key))[:12]} here)")
        elif key == "segmenter_version":
            causes.append(f"another segmenter version ({theirs.get(key)} there, {mine.get(key)} here)")
        elif not key.endswith("_sha256") and f"{key}_sha256" in mine:
            continue  # a file's name or place: its content hash decides
        else:
            causes.append(f"another setting {key} ({theirs.get(key)!r} there, {mine.get(key)!r} here)")
    return causes


def _check_workers(client, settings: Settings, relative: dict[str, str]) -> None:
    """Before computing: every worker must compute with the same code, engine and settings files.

    Raises:
        ValueError: naming each worker that differs and why.
    """
    here = worker_signature(settings, relative)
    answers = client.run(worker_signature, settings, relative)
    problems = [f"{address}: {'; '.join(causes)}" for address, there in sorted(answers.items())
                if (causes := signature_mismatch(here, there, settings))]
    if problems:
        raise ValueError("dask workers differ from this machine, so their features would not match; nothing was "
                         "computed:\n  " + "\n  ".join(problems) +
                         "\n(see README, 'Running on a Dask cluster')")


@contextlib.contextmanager
def _checked_client(settings: Settings, scheduler: str | None, workers: int):
    """A ``dask.distributed`` client (of ``scheduler``, or of a local cluster of ``workers``
    processes) whose workers were checked to compute as this machine does; yields
    ``(client, relative, n_workers)``.

    Raises:
        ValueError: when dask.distributed is missing, or a worker differs (:func:`_check_workers`).
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise ValueError("backend='dask' needs dask.distributed: `.venv/bin/pip install -c constraints.txt distributed`") from None
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(LocalCluster(n_workers=max(workers, 1), threads_per_worker=1,
                                                       processes=True, dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(scheduler))
        relative = project_files(settings)
        _check_workers(client, settings, relative)  # a mismatch named before anything is computed
        yield client, relative, max(len(client.scheduler_info().get("workers", {})), 1)


def _partitions(count: int, n_workers: int, *, largest: int) -> list[list[int]]:
    """Consecutive item positions in partitions of at most ``largest``, about four per worker.

    >>> _partitions(5, 1, largest=2)
    [[0, 1], [2, 3], [4]]
    """
    size = max(1, min(largest, -(-count // (n_workers * 4))))
    return [list(range(i, min(i + size, count))) for i in range(0, count, size)]


def _check_fingerprints(values: list, settings: Settings) -> None:
    """Raise ValueError when a worker computed with other settings than this machine's."""
    fingerprint = settings.fingerprint()
    foreign = sorted({(f.features if isinstance(f, DocumentCounts) else f).settings_fingerprint for f in values}
                     - {fingerprint})
    if foreign:
        raise ValueError(
            f"dask workers computed features with other settings (fingerprints {foreign}, here {fingerprint}): "
            "their dictionary, stopword or theme files, or their jieba version, differ from this machine's; "
            "install the same project version on every worker (see README, 'Running on a Dask cluster')")


def _dask_features(documents: pd.DataFrame, rows: list[dict], *, settings: Settings, cache: bool, write: bool,
                   scheduler: str | None, workers: int, progress: bool, counts_only: bool = False,
                   count_themes: bool = True) -> list:
    from dask.distributed import as_completed

    items = _dask_items(documents, rows)
    with _checked_client(settings, scheduler, workers) as (client, relative, n_workers):
        # Partitions in table order; larger documents first within the submission order.
        parts = _partitions(len(items), n_workers, largest=64)
        parts.sort(key=lambda idx: -sum(len(rows[i]["text"]) for i in idx))
        futures = {client.submit(features_partition, [items[i] for i in idx], settings, cache, write, counts_only,
                                 count_themes, relative, pure=False): idx
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
                                  count_themes, relative, pure=False)
            for i, value in zip(retry, again.result()):
                out[i] = value
    _check_fingerprints(out, settings)
    return out


# --------------------------------------------------------------------------- streamed counting of files

def file_stamp(path) -> tuple[int, int] | None:
    """Size and modification time (ns) of the regular file at ``path``, or None (missing, not a
    regular file, unreadable): how a worker tells that it sees the file the client planned."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def count_files_partition(items: list[tuple], stamps: list, settings: Settings, cache: bool = True,
                          write: bool = True, count_themes: bool = True,
                          relative: dict[str, str] | None = None, grain: str = "node") -> list:
    """On a worker: each planned file (:func:`analysis.io.corpus.plan_files`) read and counted
    here, as :func:`analysis.features.stream_features` counts it locally (with the
    file-counts cache); None for a file this worker does not see with the size and
    modification time the client saw (``stamps``), which the client then counts itself.

    Returns one ``(documents, problems)`` per item (or None), as the local executor's task.
    """
    settings = local_settings(settings, relative or {})
    write = bool(write and cache and cache_writable())
    return [_count_file(item, settings=settings, cache=cache, write=write, count_themes=count_themes, grain=grain)
            if stamp is not None and file_stamp(item[0]) == stamp else None
            for item, stamp in zip(items, stamps)]


def dask_counted_files(items: list[tuple], *, settings: Settings, cache: bool, write: bool, count_themes: bool,
                       scheduler: str | None, workers: int, grain: str = "node") -> Iterator[tuple[list, list]]:
    """``(documents, problems)`` of each planned file, in order, counted on Dask workers.

    Workers get file paths (with each file's size and modification time), read and count
    the files themselves, use the file-counts cache, and send back their count tables; the
    client never loads the texts. A file a worker cannot see as the client does is counted
    by the client. Partitions are gathered in file order and released as they are handed
    on, so the client holds the counts it has not yet passed on.

    Raises:
        ValueError: when a worker differs from this machine (before anything is computed),
            or computed with other settings.
    """
    if not items:
        return
    with _checked_client(settings, scheduler, workers) as (client, relative, n_workers):
        parts = _partitions(len(items), n_workers, largest=16)
        futures = [client.submit(count_files_partition, [items[i] for i in idx], [file_stamp(items[i][0]) for i in idx],
                                 settings, cache, write, count_themes, relative, grain, pure=False)
                   for idx in parts]
        here = []
        for idx, future in zip(parts, futures):
            values = future.result()
            future.release()
            for i, value in zip(idx, values):
                if value is None:  # not readable there as here: counted here
                    here.append(str(items[i][0]))
                    value = _count_file(items[i], settings=settings, cache=cache, write=write,
                                        count_themes=count_themes, grain=grain)
                _check_fingerprints([counts for _, counts in value[0]], settings)
                yield value
    if here:
        warnings.warn(f"{len(here)} of {len(items)} files were counted on this machine, not on the Dask workers, "
                      f"which do not see them at the same path with the same size and time (first: {here[0]}); "
                      "put the corpus on a path every worker reads", UserWarning, stacklevel=2)
