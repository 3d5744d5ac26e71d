"""Memoize the costly analysis steps of a report on disk, keyed by the content of every input.

A rerun of the report with nothing changed repeats the same bootstraps (2,000 resamples per
speech), the same similarity matrices and the same trend tables. :func:`memoized` wraps such a
function so that, when memoization is on, its result is read back from
``<cache>/memo/`` (:func:`analysis.paths.cache_dir`) instead of being computed again.

**The key** is the SHA-256 of

* the function (module and qualified name),
* :func:`code_hash`: every file of the ``analysis`` package (code, templates, lexicons) and
  the versions of Python and of the numerical libraries,
* every argument, by content (:func:`fingerprint`): a FeatureSet by all of its tables
  (corpus speeches and profiles alike: their counts, outline, sentences and metadata,
  whatever files they were read from) and its settings' fingerprint (segmenter, dictionary,
  stopwords and theme lexicon, with the hashes of those files); a table by its values,
  index, columns, dtypes and declarations; a comparison by its fields; a file by its path and
  bytes; a number, a string or a list by its value.

Keys are taken from what the function is given, not from where it came from: whether the
reference speeches are the shipped profiles or the full texts of ``../shared`` (and whether
``../shared`` is there at all) shows in the FeatureSet's tables, so in the key. An argument
that cannot be fingerprinted (a function, a folder, a table holding lists …) means the call
is not memoized: it is computed as usual, never answered from a key that might not cover it.

**Entries** are :mod:`analysis.store` files (Arrow tables and JSON, checksummed, written to
a temporary file and renamed), one per key. A result is stored only when it reads back
identical (values, dtypes, index and declarations), so a hit returns exactly what the
function would; a damaged, cut-short or foreign entry is a miss (and is recomputed and
rewritten). Results other than a table or a tuple of tables are never stored.

**When it is on**: in the kernels of :func:`analysis.output.report.run_notebooks`
(``make report``), which set ``ANALYSIS_MEMO=1``, and in nbval's kernels during a test run
(``conftest.py``); elsewhere (unit tests, a notebook opened in JupyterLab) the functions
compute as they always did. ``ANALYSIS_MEMO=0`` turns it off for a report, ``make
clean-cache`` empties it.

>>> import pandas as pd
>>> fingerprint(pd.DataFrame({"a": [1, 2]})) == fingerprint(pd.DataFrame({"a": [1, 2]}))
True
>>> fingerprint(pd.DataFrame({"a": [1, 2]})) == fingerprint(pd.DataFrame({"a": [1, 3]}))
False
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import paths

__all__ = ["ENV", "Unkeyable", "code_hash", "enabled", "fingerprint", "memo_dir", "memoized", "stats"]

#: The environment variable that turns memoization on ("1") in a process.
ENV = "ANALYSIS_MEMO"
#: Bump when the entry layout changes.
MEMO_VERSION = 1
#: Libraries whose version is part of every key (their results could change with them).
_LIBRARIES = ("numpy", "pandas", "scipy", "scikit-learn", "networkx", "pyarrow")

#: Calls answered from the cache, computed and stored, or computed without a key, in this process.
stats = {"hits": 0, "stored": 0, "computed": 0, "unkeyable": 0}


#: id → (weak reference, token) of the dataclasses (FeatureSets) hashed in this process.
_TOKENS: dict[int, tuple[Any, Any]] = {}


class Unkeyable(TypeError):
    """An argument whose content cannot be hashed: the call is computed, not memoized."""


def enabled() -> bool:
    """True when ``ANALYSIS_MEMO`` is ``"1"`` (set by the report for its kernels)."""
    return os.environ.get(ENV, "") == "1"


def memo_dir() -> Path:
    """The folder of memoized results, ``<cache>/memo``.

    >>> memo_dir().name
    'memo'
    """
    return paths.cache_dir() / "memo"


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """SHA-256 over every file of the ``analysis`` package (paths and bytes) and the library versions.

    Any change to the code, its templates or its lexicons changes every key.
    """
    from importlib import metadata

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"memo v{MEMO_VERSION}; python {sys.version}".encode())
    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "none"
        digest.update(f"; {name} {version}".encode())
    for file in sorted(here.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts and file.suffix not in (".pyc", ".pyo"):
            digest.update(b"\0" + file.relative_to(here).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def _frame_head(frame: pd.DataFrame) -> bytes:
    """What a table's digest starts with: its columns, dtypes, index names and dtype, shape and attrs."""
    head = {"columns": [repr(c) for c in frame.columns], "dtypes": [str(d) for d in frame.dtypes],
            "index": [repr(n) for n in frame.index.names], "index_dtype": str(frame.index.dtype),
            "shape": list(frame.shape), "attrs": frame.attrs}
    return json.dumps(head, sort_keys=True, ensure_ascii=False, default=repr).encode("utf-8")


def _frame_digest(frame: pd.DataFrame | pd.Series) -> str:
    frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
    digest = hashlib.sha256()
    digest.update(_frame_head(frame))
    digest.update(b"index")
    for level in range(frame.index.nlevels):
        _update_column(digest, frame.index.get_level_values(level).to_series(index=range(len(frame))))
    digest.update(b"values")
    for position in range(frame.shape[1]):
        _update_column(digest, frame.iloc[:, position])
    return digest.hexdigest()


#: Rows hashed at a time: a column's hashes are fed to the digest a slice at a time, the same bytes in
#: the same order as one array of them, without one 8-byte hash per row of a long table in memory.
HASH_ROWS = 1 << 20


def _update_column(digest, column: pd.Series) -> None:
    """Feed ``digest`` the 64-bit hashes of a column's values; an object column of mixed types is hashed by
    type and repr (pandas would hash 1 and "1" alike); a cell holding a list or a dict has no key."""
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        if any(isinstance(v, (list, dict, set, np.ndarray, pd.DataFrame)) for v in column):
            raise Unkeyable("a table whose cells hold lists or dicts")
        column = column.map(lambda v: f"{type(v).__qualname__}:{v!r}")
    try:
        for start in range(0, len(column), HASH_ROWS):
            part = column.iloc[start:start + HASH_ROWS]
            digest.update(pd.util.hash_pandas_object(part, index=False, categorize=False).to_numpy().tobytes())
    except (TypeError, ValueError) as error:
        raise Unkeyable(f"a column whose values cannot be hashed ({error})") from error


def _token(value: Any) -> Any:
    """A JSON-able description of ``value`` by content (raises :class:`Unkeyable`)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return ["int", int(value)]
    if isinstance(value, (float, np.floating)):
        return ["float", repr(float(value))]
    if isinstance(value, Path):
        if value.is_dir():  # a folder's content is not hashed here: no key that might not cover it
            raise Unkeyable(f"a folder ({value})")
        return ["path", str(value), _file_digest(value)]
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return ["frame", _frame_digest(value)]
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise Unkeyable("an object array")
        return ["array", str(value.dtype), list(value.shape), hashlib.sha256(np.ascontiguousarray(value)).hexdigest()]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [_token(v) for v in value]]
    if isinstance(value, (set, frozenset)):
        return ["set", sorted(json.dumps(_token(v), sort_keys=True) for v in value)]
    if isinstance(value, Mapping):
        return ["map", sorted([json.dumps(_token(k), sort_keys=True), _token(v)] for k, v in value.items())]
    if hasattr(value, "fingerprint") and callable(value.fingerprint) and type(value).__name__ == "Settings":
        return ["settings", value.fingerprint()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_token(value)
    raise Unkeyable(f"no content key for a {type(value).__module__}.{type(value).__qualname__}")


def _dataclass_token(value: Any) -> Any:
    # a FeatureSet is hashed once per object (its tables are never changed in place); by identity,
    # not through its own memo, which dataclasses.replace hands on to a copy with other tables
    seen = _TOKENS.get(id(value))
    if seen is not None and seen[0]() is value:
        return seen[1]
    fields = [[f.name, _token(getattr(value, f.name))] for f in dataclasses.fields(value) if not f.name.startswith("_")]
    token = [f"{type(value).__module__}.{type(value).__qualname__}",
             hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()]
    try:
        _TOKENS[id(value)] = (weakref.ref(value), token)
    except TypeError:  # no weak references to it: hashed each time
        pass
    return token


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else None
    except OSError:
        return None


def fingerprint(value: Any) -> str:
    """The content hash of a value as :func:`memoized` keys it (hex SHA-256).

    Raises:
        Unkeyable: the value (or a part of it) has no content key.
    """
    return hashlib.sha256(json.dumps(_token(value), sort_keys=True).encode()).hexdigest()


def _key(function: Callable, args: tuple, kwargs: dict) -> str:
    name = f"{function.__module__}.{function.__qualname__}"
    parts = {"function": name, "code": code_hash(), "args": _token(list(args)),
             "kwargs": _token(dict(kwargs))}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _jsonable(attrs: dict) -> bool:
    try:
        return json.loads(json.dumps(attrs)) == attrs
    except (TypeError, ValueError):
        return False


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return (list(a.columns) == list(b.columns) and list(map(str, a.dtypes)) == list(map(str, b.dtypes))
            and a.index.equals(b.index) and type(a.index) is type(b.index) and a.equals(b)
            and a.attrs == b.attrs)


def _entry(key: str) -> Path:
    return memo_dir() / key[:2] / f"{key}.arrow"


def _read(key: str) -> Any:
    """The stored result of ``key`` and its warnings, or None (missing, damaged or not this key's)."""
    from analysis import store

    path = _entry(key)
    if not path.is_file():
        return None
    try:
        tables, meta = store.read(path)
        if meta.get("key") != key or meta.get("version") != MEMO_VERSION:
            return None
        frames = []
        for name, attrs in zip(meta["tables"], meta["attrs"]):
            frame = tables[name]
            frame.attrs = attrs
            frames.append(frame)
        return (tuple(frames) if meta["tuple"] else frames[0]), list(meta["warnings"])
    except Exception:  # a damaged entry is a miss: computed again and rewritten
        return None


def _write(key: str, result: Any, records: list[list]) -> bool:
    """Store ``result`` under ``key`` when it reads back identical; True when stored."""
    from analysis import store

    frames = list(result) if isinstance(result, tuple) else [result]
    if not frames or not all(isinstance(f, pd.DataFrame) for f in frames):
        return False
    if not all(_jsonable(f.attrs) for f in frames):
        return False
    names = [f"r{i}" for i in range(len(frames))]
    meta = {"key": key, "version": MEMO_VERSION, "tables": names, "attrs": [f.attrs for f in frames],
            "tuple": isinstance(result, tuple), "warnings": records}
    try:
        tables, _ = store.loads(store.dumps(dict(zip(names, frames)), meta))
        if not all(_same(f, tables[n]) for f, n in zip(frames, names)):
            return False  # it would not come back as it is: never stored
        store.write(_entry(key), dict(zip(names, frames)), meta)
    except Exception:  # a type Arrow cannot hold, a read-only cache: computed every time instead
        return False
    return True


def _category(module: str, name: str) -> type[Warning]:
    import importlib

    found = getattr(importlib.import_module(module), name, None)
    if not (isinstance(found, type) and issubclass(found, Warning)):
        raise LookupError(f"{module}.{name} is not a warning class")
    return found


def _record(caught: list) -> list[list]:
    """The warnings a call gave, as JSON: category, message and where (None: the caller of the function)."""
    here = str(Path(__file__).resolve())
    return [[w.category.__module__, w.category.__qualname__, str(w.message),
             None if str(Path(w.filename).resolve()) == here else w.filename, w.lineno] for w in caught]


def _replay(records: list[list], caller) -> None:
    """Warn again what a call warned, as if from where it was (a warning aimed at the wrapper goes to its caller)."""
    import warnings

    for module, name, message, filename, lineno in records:
        if filename is None:
            warnings.warn_explicit(message, _category(module, name), caller.f_code.co_filename, caller.f_lineno,
                                   module=caller.f_globals.get("__name__"),
                                   registry=caller.f_globals.setdefault("__warningregistry__", {}))
        else:
            warnings.warn_explicit(message, _category(module, name), filename, lineno)


def _computed(function: Callable, args: tuple, kwargs: dict, caller) -> tuple[Any, list[list]]:
    """Call ``function`` and return its result and its warnings, which are warned again for the caller."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        result = function(*args, **kwargs)
    records = _record(caught)
    _replay(records, caller)
    return result, records


def memoized(function: Callable) -> Callable:
    """Decorator: answer calls from the disk cache when memoization is on (:func:`enabled`).

    The wrapped function behaves exactly as before when it is off, when an argument has
    no content key, or when its result cannot be stored identically. Its warnings are
    stored with the result and warned again on a hit, from the caller's line, as the
    function itself warns them (``stacklevel=2``).
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        caller = sys._getframe(1)
        if not enabled():
            return _computed(function, args, kwargs, caller)[0]
        try:
            key = _key(function, args, kwargs)
        except Unkeyable:
            stats["unkeyable"] += 1
            return _computed(function, args, kwargs, caller)[0]
        found = _read(key)
        if found is not None:
            result, records = found
            try:
                _replay(records, caller)
            except Exception:  # a warning class that no longer exists: computed again
                pass
            else:
                stats["hits"] += 1
                return result
        result, records = _computed(function, args, kwargs, caller)
        stats["computed"] += 1
        if _write(key, result, records):
            stats["stored"] += 1
        return result

    return wrapper
