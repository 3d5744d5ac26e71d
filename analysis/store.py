"""A data-only, verified file for cached tables: Arrow tables plus JSON metadata, checksummed.

The feature cache (:mod:`analysis.features`) keeps one file per document in this format.
Nothing in it can run code when read: the metadata is JSON and each table an Arrow IPC
stream (LZ4-compressed) read by pyarrow (never pickle; pyarrow ≥ 14 also refuses pickled
extension types). Arrow rather than Parquet: the cache is read back on every warm run, and
an Arrow stream decodes about three times faster (no page decoding).
A file is verified before anything in it is parsed:

``MAGIC`` · SHA-256 (64 hex digits) · header length (10 digits) · header (JSON) · payload

The SHA-256 covers the header and the payload, so any changed byte is caught; the
header lists each table's name and byte length in the payload, plus the caller's
metadata. Files are written to a temporary name in the same folder and renamed, so a
reader sees a whole file or none; a temporary file names the host and process that
wrote it, so :func:`remove_orphans` can delete those left by a killed writer.

:func:`read` opens regular files only: a symbolic link, a named pipe, a device or a
folder put where an entry was is refused without waiting on it, and no more bytes are
read than the file's header declares (a file of another size is refused before its
payload is read).

What the checksum protects: an entry damaged, cut short or mixed up on disk is never
used. What it does not: anyone who may write the cache folder can write a valid entry
with other counts (the checksum is not a signature), so a cache folder shared with
others is trusted like the code itself.

>>> import pandas as pd
>>> frame = pd.DataFrame({"a": [1, 2], "b": ["甲", None]})
>>> tables, meta = loads(dumps({"t": frame}, {"note": "x"}))
>>> tables["t"].equals(frame), meta
(True, {'note': 'x'})
>>> blob = dumps({"t": frame}, {"note": "x"})
>>> loads(blob[:-1])
Traceback (most recent call last):
...
analysis.store.StoreError: checksum mismatch: the file was changed or cut short
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import tempfile
import time
from pathlib import Path
from typing import Collection, Mapping

import pandas as pd

#: First bytes of every file (format version 2: Arrow IPC tables; version 1 held Parquet).
MAGIC = b"ANALYSIS-STORE/2\n"
_DIGEST = 64
_LENGTH = 10
#: Suffix of temporary files while a write is in progress.
TMP_SUFFIX = ".tmp"


class StoreError(ValueError):
    """A stored file is not a whole, unchanged file of this format (treat it as a cache miss)."""


def dumps(tables: Mapping[str, pd.DataFrame], meta: Mapping[str, object]) -> bytes:
    """Return the bytes of a file holding ``tables`` (an Arrow IPC stream each) and ``meta`` (JSON).

    Raises:
        TypeError: when ``meta`` is not JSON-serializable or a value of ``tables`` is not a DataFrame.
    """
    return b"".join(_pieces(tables, meta))


def _pieces(tables: Mapping[str, pd.DataFrame], meta: Mapping[str, object]) -> list:
    """The file's pieces in order (magic, checksum, header length, header, then each table's stream as an
    Arrow buffer): what :func:`dumps` joins and :func:`write` writes one after the other, so a big entry
    is never copied into one blob."""
    import pyarrow as pa

    parts, entries = [], []
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    for name, frame in tables.items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"table {name!r} is a {type(frame).__name__}, not a DataFrame")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
            writer.write_table(table)
        del table
        parts.append(sink.getvalue())
        entries.append({"name": name, "length": parts[-1].size})
    header = json.dumps({"tables": entries, "meta": dict(meta)}, ensure_ascii=False, sort_keys=True,
                        allow_nan=True).encode("utf-8")
    checksum = hashlib.sha256(header)
    for part in parts:
        checksum.update(memoryview(part))
    digest = checksum.hexdigest().encode("ascii")
    return [MAGIC, digest, b"%010d" % len(header), header, *parts]


def loads(blob: bytes | bytearray | memoryview, only: Collection[str] | None = None
          ) -> tuple[dict[str, pd.DataFrame], dict]:
    """Parse bytes written by :func:`dumps`, after checking the magic and the checksum.

    The tables are read from views of ``blob`` (no copy of the payload). ``only``: the
    names of the tables to decode (the checksum still covers every byte); the others are
    left out of the result, unread. A name in ``only`` that the file lacks is not an error
    here: the caller sees it missing.

    Raises:
        StoreError: when anything is wrong (the message says what).
    """
    import pyarrow as pa

    view = memoryview(blob).cast("B")
    if bytes(view[:len(MAGIC)]) != MAGIC:
        raise StoreError("not a file of this format (the magic bytes differ)")
    pos = len(MAGIC)
    digest = bytes(view[pos:pos + _DIGEST])
    length_field = bytes(view[pos + _DIGEST:pos + _DIGEST + _LENGTH])
    body = view[pos + _DIGEST + _LENGTH:]
    if hashlib.sha256(body).hexdigest().encode("ascii") != digest:
        raise StoreError("checksum mismatch: the file was changed or cut short")
    if not length_field.isdigit() or int(length_field) > len(body):
        raise StoreError("bad header length")
    split = int(length_field)
    try:
        header = json.loads(bytes(body[:split]).decode("utf-8"))
        entries = header["tables"]
        meta = header["meta"]
        tables: dict[str, pd.DataFrame] = {}
        offset = split
        for entry in entries:
            length = int(entry["length"])
            if length < 0:
                raise ValueError("a negative table length")
            chunk = body[offset:offset + length]
            offset += length
            name = str(entry["name"])
            if only is None or name in only:
                tables[name] = pa.ipc.open_stream(pa.BufferReader(pa.py_buffer(chunk))).read_all().to_pandas()
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError, pa.ArrowException) as exc:
        raise StoreError(f"unreadable content: {exc}") from None
    if offset != len(body) or not isinstance(meta, dict):
        raise StoreError("the payload does not match its header")
    return tables, meta


_PREFIX = len(MAGIC) + _DIGEST + _LENGTH
#: The header of an entry is at most this long (it lists a few tables and the caller's metadata).
MAX_HEADER_BYTES = 256 * 2**20


def _declared_size(handle, prefix: bytes, size: int) -> tuple[bytes, int]:
    """Read the header; return it and the total size the header declares (checked before the checksum)."""
    length_field = prefix[len(MAGIC) + _DIGEST:]
    if not prefix.startswith(MAGIC) or not length_field.isdigit():
        raise StoreError("not a file of this format (the magic bytes differ)")
    header_length = int(length_field)
    if header_length > min(size - _PREFIX, MAX_HEADER_BYTES):
        raise StoreError("bad header length")
    header = handle.read(header_length)
    try:
        entries = json.loads(header.decode("utf-8"))["tables"]
        payload = sum(int(entry["length"]) for entry in entries)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        raise StoreError("unreadable header") from None
    return header, _PREFIX + header_length + payload


def read(path: Path, only: Collection[str] | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Read and verify the file at ``path``: a regular file, read no further than its header declares.
    ``only``: decode these tables alone (:func:`loads`).

    The file is opened without following a symbolic link and without waiting (a named
    pipe put in its place returns at once); it must be a regular file whose size is the
    one its header declares; then the checksum is verified (:func:`loads`).

    Raises:
        OSError: when it cannot be read (missing, no permission).
        StoreError: when it is a link, pipe, device or folder, or not a whole, unchanged file of this format.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if Path(path).is_symlink():
            raise StoreError("a symbolic link, not a stored file") from None
        raise exc
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise StoreError("not a regular file (a pipe, device or folder)")
        if info.st_size < _PREFIX:
            raise StoreError("checksum mismatch: the file was changed or cut short")
        prefix = _read_exactly(handle, _PREFIX)
        header, declared = _declared_size(handle, prefix, info.st_size)
        if declared != info.st_size:
            raise StoreError(f"the file is {info.st_size:,} bytes, but its header declares {declared:,}")
        blob = bytearray(declared)  # one buffer the size declared, filled in place (no joined copies)
        blob[:_PREFIX] = prefix
        blob[_PREFIX:_PREFIX + len(header)] = header
        _read_into(handle, memoryview(blob)[_PREFIX + len(header):])
        if handle.read(1):
            raise StoreError("the file grew while it was read")
    return loads(blob, only)


def _read_exactly(handle, size: int) -> bytes:
    buffer = bytearray(size)
    _read_into(handle, memoryview(buffer))
    return bytes(buffer)


def _read_into(handle, target: memoryview) -> None:
    """Fill ``target`` from ``handle`` (StoreError when the file ends first)."""
    done = 0
    while done < len(target):
        n = handle.readinto(target[done:done + (1 << 24)])
        if not n:
            raise StoreError("checksum mismatch: the file was changed or cut short")
        done += n


def _host() -> str:
    return socket.gethostname().replace(".", "_") or "host"


def _tmp_prefix(path: Path) -> str:
    return f"{path.name}.{_host()}.{os.getpid()}."


def write(path: Path, tables: Mapping[str, pd.DataFrame], meta: Mapping[str, object]) -> None:
    """Write the file atomically: a temporary file in the same folder, then a rename.

    Raises:
        OSError: when the folder cannot be written (the temporary file is removed).
        TypeError: as :func:`dumps`.
    """
    path = Path(path)
    pieces = _pieces(tables, meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_tmp_prefix(path), suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(memoryview(piece))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def remove_orphans(folder: Path, *, max_age: float = 24 * 3600) -> list[Path]:
    """Delete temporary files left by interrupted writes in ``folder``; return those deleted.

    A temporary file is an orphan when the process named in it (on this host) is gone,
    or when it is older than ``max_age`` seconds (a writer on another host sharing the
    folder). Files that cannot be deleted (a read-only folder) are left alone.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / f"k.bin.{_host()}.999999999.x1.tmp").write_bytes(b"half")
    >>> [p.name.split(".")[0] for p in remove_orphans(folder)]
    ['k']
    """
    folder = Path(folder)
    removed: list[Path] = []
    try:
        candidates = list(folder.glob(f"*{TMP_SUFFIX}"))
    except OSError:
        return removed
    host = _host()
    now = time.time()
    for tmp in candidates:
        parts = tmp.name.split(".")
        orphan = False
        try:
            if now - tmp.stat().st_mtime > max_age:
                orphan = True
            elif len(parts) >= 5 and parts[-4] == host and parts[-3].isdigit():
                orphan = not _alive(int(parts[-3]))
        except OSError:
            continue
        if orphan:
            try:
                tmp.unlink()
            except OSError:
                continue
            removed.append(tmp)
    return removed
