"""Features: everything later stages need from a document, computed once and cached.

``features(document, settings)`` is a pure function of one document's normalized text
and the settings: it parses the outline, splits sentences at outline boundaries,
segments the text and labels every token with its outline path and sentence. A
:class:`FeatureSet` stacks the features of many documents with their metadata; every
analysis (frequencies, section shares, themes, keyness, dispersion) reads a FeatureSet
and returns a tidy DataFrame.

Caching: :func:`build_features` stores each document's features under
``paths.cache_dir()/features/`` keyed by the SHA-256 of its normalized text, the
settings fingerprint, a hash of the code that computes features and the engine that
segments (:func:`analysis.text.segment.engine_signature`). An entry is data
only (:mod:`analysis.store`: each DataFrame field as Parquet, the other fields as JSON,
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


#: Suffix of a feature cache entry (an :mod:`analysis.store` file: Parquet tables + JSON).
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
    return DocumentFeatures(**{n: tables[n] if n in tables else fields[n] for n in names})


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
    computed and the entry replaced. The cache holds only data (Parquet and JSON), so a
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
    write = False
    if cache:
        clean_cache()
        write = cache_writable()
        if not write:
            _warn_once(str(feature_cache_dir()), f"feature cache {feature_cache_dir()} is not writable; "
                                                 "computing without a cache")
    rows = [{"id": row["id"], "text": row["text"]} for row in documents[["id", "text"]].to_dict("records")]
    if backend == "dask":
        computed = _dask_features(documents, rows, settings=settings, cache=cache, write=write,
                                  scheduler=scheduler, workers=workers, progress=progress)
    else:
        computed = _local_features(rows, settings=settings, cache=cache, write=write, workers=workers,
                                   progress=progress)

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


def _progress(results: Iterable, total: int, progress: bool) -> Iterable:
    if progress and total > 1:
        from tqdm.auto import tqdm

        return tqdm(results, total=total, desc="features", unit="doc")
    return results


def _warm(settings: Settings) -> None:
    """Process-pool initializer: build the tokenizer once per worker, before the first document."""
    from analysis.text.segment import make_tokenizer

    make_tokenizer(settings)


def _local_features(rows: list[dict], *, settings: Settings, cache: bool, write: bool, workers: int,
                    progress: bool) -> list[DocumentFeatures]:
    task = partial(cached_features, settings=settings, cache=cache, write=write)
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


def features_partition(items: list[dict], settings: Settings, cache: bool = True, write: bool = True) -> list:
    """Features of a partition of documents, on a worker: :func:`cached_features` per document.

    Each item is ``{"id", "text"}`` or ``{"id", "source_path", "to_simplified", "text_sha256"}``;
    for the latter the worker first looks the features up in the cache by the hash, then
    reads and normalizes the file itself. Returns one :class:`DocumentFeatures` per item,
    or the item's id in a one-element tuple when its file could not be read here (the
    client then sends the text).
    """
    out: list = []
    for item in items:
        if "text" in item:
            out.append(cached_features(item, settings, cache=cache, write=write))
            continue
        if cache:
            key = _key(item["text_sha256"], settings)
            hit = _read_cache(feature_cache_dir() / f"{key}{CACHE_SUFFIX}", key, None, settings,
                              text_sha256=item["text_sha256"])
            if hit is not None:
                out.append(hit if hit.document == str(item["id"]) else _relabel(hit, str(item["id"])))
                continue
        text = _read_own(item)
        if text is None:
            out.append((item["id"],))
            continue
        out.append(cached_features({"id": item["id"], "text": text}, settings, cache=cache, write=write))
    return out


def _dask_features(documents: pd.DataFrame, rows: list[dict], *, settings: Settings, cache: bool, write: bool,
                   scheduler: str | None, workers: int, progress: bool) -> list[DocumentFeatures]:
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
        futures = {client.submit(features_partition, [items[i] for i in idx], settings, cache, write, pure=False): idx
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
            again = client.submit(features_partition, [rows[i] for i in retry], settings, cache, write, pure=False)
            for i, value in zip(retry, again.result()):
                out[i] = value
    fingerprint = settings.fingerprint()
    foreign = sorted({f.settings_fingerprint for f in out} - {fingerprint})
    if foreign:
        raise ValueError(
            f"dask workers computed features with other settings (fingerprints {foreign}, here {fingerprint}): "
            "their dictionary, stopword or theme files, or their jieba version, differ from this machine's; "
            "install the same project version on every worker (see README, 'Running on a Dask cluster')")
    return out


def _concat(frames: list[pd.DataFrame], columns: list[str] | None = None) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=columns or [])
    return pd.concat(frames, ignore_index=True)
