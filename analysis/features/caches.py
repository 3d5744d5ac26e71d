"""The two caches of the features stage, and the hash of the code their keys cover.

The feature cache (:func:`cached_features`) holds one document's :class:`DocumentFeatures`
under ``paths.cache_dir()/features/``, keyed by the SHA-256 of its normalized text, the
settings fingerprint, :func:`_code_hash` and the segmentation engine. The file-counts
cache (:func:`counts_cache_dir`) holds a file's documents and count tables for
:func:`analysis.features.stream_features`, keyed by the file's bytes as well. Entries are
data only (:mod:`analysis.store`), verified on read; any failure is a miss.
"""

from __future__ import annotations

from analysis.text.cooccurrence import PAIR_COLUMNS

import contextlib
import dataclasses
import hashlib
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis import paths
from analysis.settings import Settings
from analysis.types import DocumentLike
from analysis.features.counting import collect_after, count_features, document_counts, DocumentCounts
from analysis.features.document import _get, features
from analysis.features.tables import (_concat, _empty_tokens, DOCUMENT_COUNT_COLUMNS, DocumentFeatures,
                                      FIRST_HIT_COLUMNS, OCCURRENCE_COLUMNS,
                                      SENTENCE_COLUMNS, SENTENCE_THEME_COLUMNS, SENTENCE_TOKEN_COLUMNS,
                                      TERM_COUNT_COLUMNS, THEME_TERM_COLUMNS, ThemeCounts)


#: The code a document's features depend on: every module of this package (``features/``: tables,
#: counting, caches and executors), ``chars.py`` and every module of ``text/``. Folders, not file
#: lists: a module added to one of them changes the hash by itself.
_CODE_MODULES = ("features/", "chars.py", "text/")


def _hash_modules(names: Iterable[str]) -> str:
    """SHA-256 over the source of the package's modules ``names`` (paths below ``analysis/``).

    A name ending in ``/`` is a subpackage: every ``.py`` file below it, in sorted order,
    with its path (a new reader module changes the hash by itself). A listed module that
    does not exist is an error, never skipped.
    """
    here = Path(__file__).resolve().parent.parent  # analysis/
    digest = hashlib.sha256()
    for name in names:
        path = here / name
        files = sorted(path.rglob("*.py")) if name.endswith("/") else [path]
        if not path.exists() or not files:
            raise FileNotFoundError(f"the cache key hashes analysis/{name}, which does not exist; "
                                    "correct the module list in analysis/features/caches.py")
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
    fix = {c: table[c].cat.set_categories(pd.Index(dtype.categories, dtype="str"))
           for c, dtype in table.dtypes.items()  # one dtype each, no Series made per column
           if isinstance(dtype, pd.CategoricalDtype) and dtype.categories.dtype != _STR}
    return table.assign(**fix) if fix else table


_STR = pd.StringDtype(na_value=np.nan)  # the dtype "str" names


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
    collect_after(len(value.tokens))  # a long document's segmenting or decoding garbage, freed now
    return value


def counted_features(document: DocumentLike | Mapping[str, object] | pd.Series, settings: Settings | None = None, *,
                     cache: bool = True, write: bool = True, count_themes: bool = True,
                     compact: bool = False) -> DocumentCounts:
    """:func:`cached_features` of one document reduced to its count tables (:class:`DocumentCounts`;
    ``compact``: the term counts' text columns as categoricals, see :func:`count_features`).

    The reduction runs where the features are computed (a worker), so only counts travel
    back: for a speech, about a tenth of its token table.

    Example:
        >>> c = counted_features({"id": "d", "text": "一、人才\\n重视人才。"}, cache=False)
        >>> c.tokens, c.term_counts.query("token == '人才'")["count"].tolist(), len(c.features.tokens)
        (6, [2], 0)
    """
    settings = settings or Settings()
    counts = count_features(cached_features(document, settings, cache=cache, write=write), settings,
                            count_themes=count_themes, compact=compact)
    collect_after(counts.tokens)
    return counts



def _relabel(value: DocumentFeatures, doc_id: str) -> DocumentFeatures:
    """The same features under another id: ``document`` and every table's ``document`` column."""
    changes: dict[str, object] = {"document": doc_id}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if isinstance(item, pd.DataFrame) and "document" in item.columns:
            changes[f.name] = item.assign(document=doc_id)
    return dataclasses.replace(value, **changes)


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
    from analysis.features.counting import themes_once
    from analysis.text.segment import engine_signature

    path, row = item
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    lexicon = themes_once(settings)[1] if count_themes else "-"  # the YAML parsed once per run, not per file
    blob = "|".join([digest.hexdigest(), str(path), repr(row), repr(settings), settings.fingerprint(), _code_hash(),
                     _loader_hash(), engine_signature(settings), lexicon])
    return hashlib.sha256(blob.encode("utf-8", "surrogateescape")).hexdigest()[:32]  # names need not be UTF-8


def _write_counts(entry: Path, key: str, out: list, by_document: list[pd.DataFrame] | None = None) -> None:
    """Store a file's documents and counts (skipped when a row does not survive JSON exactly): the term counts
    per node and, summed per document (``by_document``, one table per document, or made here), for a reader
    that counts per document (:func:`_read_counts` with ``grain="document"`` decodes that table alone)."""
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
              "term_counts": _concat([c.term_counts for c in counted], TERM_COUNT_COLUMNS, sort_categories=True),
              "document_term_counts": _concat(by_document if by_document is not None else
                                              [document_counts(c.term_counts) for c in counted],
                                              DOCUMENT_COUNT_COLUMNS, sort_categories=True),
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


def _read_counts(entry: Path, key: str, grain: str = "node") -> list | None:
    """A file's documents and counts from its entry, or None (missing, damaged or foreign: a miss).

    ``grain="document"``: each document's term counts summed over its nodes
    (:data:`DOCUMENT_COUNT_COLUMNS`), the per-node table left undecoded."""
    from analysis import store

    from analysis.cache_schema import check_tables, counts_columns

    skipped = "term_counts" if grain == "document" else "document_term_counts"
    wanted = {name: columns for name, columns in counts_columns().items() if name != skipped}
    try:
        tables, meta = store.read(entry, only=set(wanted))
        check_tables(tables, wanted)  # columns and their kinds, as the current code writes them
    except (OSError, store.StoreError):
        return None
    if meta.get("kind") != "FileCounts" or meta.get("key") != key:
        return None
    rows, docs = meta.get("rows"), meta.get("documents")
    if not isinstance(rows, list) or not isinstance(docs, list) or len(rows) != len(docs):
        return None
    if set(tables) != set(wanted) or not all(map(_counts_doc_ok, docs)) \
            or not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in rows):
        return None
    if grain == "document":
        tables["term_counts"] = tables.pop("document_term_counts")
    tables = {n: _str_categories(t) for n, t in tables.items()}
    if len(docs) == 1:  # one document (a text file): its tables whole, not copied group by group
        parts = {n: {docs[0]["document"]: t} if len(t) else {} for n, t in tables.items()}
    else:
        parts = {n: dict(tuple(t.groupby("document", sort=False, observed=True))) if len(t) else {}
                 for n, t in tables.items()}

    def part(name: str, doc: str) -> pd.DataFrame:
        frame = parts.get(name, {}).get(doc)
        if frame is None:
            return tables[name].iloc[:0].reset_index(drop=True)
        if name == "term_counts" and len(docs) > 1:  # the document's own categories, as counting it gives
            frame = frame.assign(**{c: frame[c].cat.remove_unused_categories() for c in frame.columns
                                    if isinstance(frame[c].dtype, pd.CategoricalDtype)})
        return frame.reset_index(drop=True)

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
                                            cooccurrences=(part("cooccurrences", doc).astype(_PAIR_TEXT)
                                                           if d["lexicon_sha256"] else None))))
    except (KeyError, TypeError, ValueError):
        return None
    return out


#: The pair table's text columns read back as :func:`count_features` makes them (``str``), so a
#: FeatureSet from the cache equals, dtypes too, the one computed (memo keys hash the dtypes).
_PAIR_TEXT = {"document": "str", "layer": "str", "term_a": "str", "term_b": "str"}


def _stored_paths(table: pd.DataFrame) -> pd.DataFrame:
    """A stored occurrence table read back: text columns as objects, ``path`` None for "counted, not found"."""
    text = [c for c in ("document", "path", "term") if c in table.columns]
    return table.assign(**{c: _objects(table[c]) for c in text})


def _objects(column: pd.Series) -> pd.Series:
    """A text column as Python objects, None where missing (``astype(object).where(notna, None)``): each
    distinct value made once (hashed in C), every row of it referring to that one object (a long
    document's stored occurrences repeat a few hundred terms on hundreds of thousands of rows)."""
    codes, uniques = pd.factorize(column)  # missing: -1, the None appended last
    objects = np.append(np.asarray(uniques, dtype=object), None)
    return pd.Series(objects[codes], index=column.index, name=column.name, dtype=object)


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
