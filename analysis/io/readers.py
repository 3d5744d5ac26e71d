"""Readers of one file: a single text (``.txt``, ``.md``, ``.docx``, a saved page, a PDF) or a file of
records (JSON Lines, CSV), each yielding Documents or CorpusErrors naming the file and line; the
size and zip guards a file passes before its text is produced.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from analysis.io import guards
from analysis.io.decoding import decode_text
from analysis.io.document import (
    _RESERVED,
    _SOME_TEXT_RE,
    MANIFEST_COLUMNS,
    TEXT_FIELDS,
    CorpusError,
    Document,
    make_document,
)
from analysis.io.formats import Format
from analysis.io.metadata import _canonical_fields, _display, _infer_meta, _ManifestRow, _record_meta
from analysis.settings import Settings

# --------------------------------------------------------------------------- readers
# Each reader yields Documents and CorpusErrors (never raises for a problem with the data).


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _checksum_error(row: _ManifestRow, actual: str, shown: str) -> CorpusError:
    return CorpusError(
        f"the file's sha256 is {actual}, but {row.manifest} (line {row.line}) says {row.values['sha256']}",
        file=shown,
        fix="the file changed since it was registered: restore the original, or if the change is "
            f"intended update the sha256 in {row.manifest} (`sha256sum {row.values['file']}`)")


def _single_meta(row: _ManifestRow | None) -> tuple[str | None, dict]:
    if row is None:
        return None, {}
    values = {(f"manifest_{k}" if k in _RESERVED and k not in MANIFEST_COLUMNS else k): v
              for k, v in row.values.items()}
    doc_id = values.pop("id", "") or None
    for key in ("file", "sha256"):
        values.pop(key, None)
    return doc_id, values


def _read_single(path: Path, row: _ManifestRow | None, settings: Settings,
                 fmt: Format) -> Iterator[Document | CorpusError]:
    """The one document of a single file, read by the file reader of its format (:mod:`analysis.io.formats`)."""
    shown = _display(path)
    try:
        too_big = _too_big(path.stat().st_size, settings, what="the file")
        if too_big is not None:
            yield too_big.located(file=shown)
            return
        data = path.read_bytes()
    except OSError as exc:
        yield CorpusError(f"the file cannot be read ({exc.strerror})", file=shown,
                          fix="check that it exists and that you may read it")
        return
    sha = hashlib.sha256(data).hexdigest()
    doc_id, meta = _single_meta(row)
    doc_id = doc_id or guards.shown_name(path.stem)
    if row is not None and row.values.get("sha256") and row.values["sha256"] != sha:
        yield _checksum_error(row, sha, shown).located(document=doc_id)
        return
    try:
        got = fmt.load()(data, settings=settings)
    except CorpusError as exc:
        yield exc.located(file=shown, document=doc_id)
        return
    del data  # the raw bytes are not kept beside the decoded text
    raw = got.raw
    if not _SOME_TEXT_RE.search(raw):  # raw.strip(those characters) is empty, without a copy
        yield CorpusError("the file contains no text (only spaces or blank lines)", file=shown,
                          document=doc_id, fix="put the speech's text in it, or remove the file")
        return
    stated = {k: v for k, v in got.meta.items() if v and not meta.get(k)}  # the manifest wins
    doc = make_document(raw, id=doc_id, meta={**meta, **stated}, encoding=got.encoding, sha256=sha,
                        source_path=shown, settings=settings, markdown=got.markdown)
    from analysis.io.infer import fill_metadata

    doc_meta = fill_metadata(doc.meta, text=doc.text)
    if stated:  # what the file says of itself (a page's title, date, source) is read, not given: say so
        said = [k for k in ("title", "date", "speaker", "source", "occasion") if k in stated]
        before = [f for f in str(doc_meta.get("inferred") or "").split(",") if f]
        if said:
            doc_meta["inferred"] = ",".join(said + [f for f in before if f not in said])
    doc_meta = _infer_meta(doc_meta, text=doc.text, stem=guards.shown_name(path.stem))
    if got.notes:
        doc_meta["note"] = "; ".join(([doc_meta["note"]] if doc_meta.get("note") else []) + list(got.notes))
    yield dataclasses.replace(doc, meta=doc_meta)


#: A ``.docx`` member that unpacks to more than this many times its packed size is refused
#: (ordinary Word XML packs 5–20×; a zip bomb hundreds of times), when it unpacks to more than
#: :data:`ZIP_RATIO_FLOOR` bytes (small parts say nothing).
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 2**20
#: More parts than this in one ``.docx`` is refused (Word writes a few dozen).
MAX_ZIP_MEMBERS = 10_000
_RAISE_LIMIT = ("if it really is one document, raise the limit: `--max-document-mb N` on the command "
                "line, or Settings(max_document_bytes=N) in Python (0 for none); otherwise split it")


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def _too_big(size: int, settings: Settings, *, what: str) -> CorpusError | None:
    """The error for a document of ``size`` bytes over :attr:`Settings.max_document_bytes`, or None."""
    cap = settings.max_document_bytes
    if not cap or size <= cap:
        return None
    return CorpusError(f"{what} is {size:,} bytes ({_mb(size)}), more than the limit of {cap:,} bytes "
                       f"({_mb(cap)}) for one document", fix=_RAISE_LIMIT)


def _check_zip(data: bytes, settings: Settings) -> None:
    """Refuse an Office file whose parts would unpack to too much, before anything is unpacked.

    Reads only the zip's central directory: the declared unpacked size of every part
    (their sum is held to :attr:`Settings.max_document_bytes`) and each part's
    compression ratio (at most :data:`MAX_ZIP_RATIO`). Python's zipfile never inflates
    a part beyond its declared size (it stops there and fails the CRC check), so the
    declared sizes bound the memory that parsing needs.

    Raises:
        CorpusError: Too many parts, too much unpacked, or a ratio only a zip bomb has
            (without a file; the caller adds it). A damaged zip is left to the parser.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except Exception:  # noqa: BLE001 - not a readable zip at all: the parser says so in its own words
        return
    if len(parts) > MAX_ZIP_MEMBERS:
        raise CorpusError(f"the Word file has {len(parts):,} parts (at most {MAX_ZIP_MEMBERS:,} are read)",
                          fix="open it in Word or LibreOffice and save it again as .docx, or as .txt")
    for part in parts:
        if part.file_size > ZIP_RATIO_FLOOR and part.file_size > MAX_ZIP_RATIO * max(part.compress_size, 1):
            ratio = part.file_size / max(part.compress_size, 1)
            raise CorpusError(
                f"the Word file's part {part.filename!r} would unpack from {part.compress_size:,} to "
                f"{part.file_size:,} bytes ({ratio:,.0f} times; Word files pack 5 to 20 times, a 'zip bomb' "
                f"hundreds of times, and more than {MAX_ZIP_RATIO} times is refused), so it is not opened",
                fix="if the file is genuine, open it in Word or LibreOffice and save it as .txt")
    too_big = _too_big(sum(part.file_size for part in parts), settings, what="unpacked, the Word file")
    if too_big is not None:
        raise too_big


def _docx_text(data: bytes, settings: Settings) -> tuple[str, dict[str, int]]:
    """Body text of a Word file in reading order, and what was not loaded (:mod:`analysis.io.word`).

    The text produced (with list labels rebuilt) is held to :attr:`Settings.max_document_bytes`.
    """
    if not data:
        raise CorpusError("the file is empty (0 bytes)", fix="put the speech's text in it, or remove the file")
    from analysis.io.word import DocxError, DocxTooBig, docx_text

    settings = settings or Settings()
    try:
        return docx_text(data, max_bytes=settings.max_document_bytes)
    except DocxTooBig as exc:
        raise _too_big(exc.size, settings, what="the text the Word file produces (when reading stopped)") from None
    except DocxError as exc:
        raise CorpusError(str(exc), fix="open it in Word or LibreOffice and save it again as .docx, or as .txt") from None


def _records_prefix(path: Path, row: _ManifestRow | None) -> tuple[str, dict]:
    if row is None:
        return path.stem, {}
    defaults = {k: v for k, v in row.values.items()
                if k not in ("id", "file", "sha256", "title", "note") and v}
    return row.values.get("id") or path.stem, defaults


def _record_document(record: dict, *, text_key: str, number: int, line: int, prefix: str,
                     defaults: dict, encoding: str, shown: str, settings: Settings,
                     what: str) -> Document | CorpusError:
    """Build the Document of one JSONL record or CSV row (``number`` names it, ``line`` locates it)."""
    raw = record.get(text_key)
    rid = record.get("id")
    if isinstance(rid, bool) or not isinstance(rid, (str, int, float, type(None))):
        return CorpusError(f"the {what}'s \"id\" is a JSON {_json_kind(rid)} ({_clip(guards.json_text(rid))}), "
                           "not a string or a number", file=shown, line=line,
                           fix="give the record a string id such as \"2023-01\", or remove \"id\" to number it "
                               "by its line")
    doc_id = guards.json_text(rid).strip() if rid not in (None, "") else f"{prefix}:{number}"
    size = _record_too_big(raw, settings)
    if size is not None:
        return _too_big(size, settings, what=f"the {what}'s text").located(file=shown, line=line, document=doc_id)
    if not isinstance(raw, str):
        return CorpusError(f"the {what}'s {text_key!r} is {type(raw).__name__}, not text",
                           file=shown, line=line, document=doc_id,
                           fix=f"make {text_key!r} a string holding the document's text")
    if not raw.strip():
        return CorpusError(f"the {what}'s {text_key!r} is empty", file=shown, line=line, document=doc_id,
                           fix=f"fill in the text or remove the {what}")
    for key, value in record.items():
        where = _lone_surrogate(value)
        if where is not None:
            return CorpusError(f"the {what}'s {str(key)!r} holds an unpaired surrogate (\\u{ord(value[where]):04x}, "
                               f"character {where + 1}), which is not valid Unicode",
                               file=shown, line=line, document=doc_id,
                               fix="repair the escape in the file (a pair such as \\ud83d\\ude00 is fine) or remove it")
    fields = {k: v for k, v in record.items() if k not in (text_key, "id")}
    meta = _record_meta(fields, defaults=defaults)
    doc = make_document(raw, id=doc_id, meta=meta, encoding=encoding,
                        sha256=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
                        source_path=shown, settings=settings)
    return dataclasses.replace(doc, meta=_infer_meta(doc.meta, text=doc.text, stem=doc_id, records=True))


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _json_kind(value: object) -> str:
    return {dict: "object", list: "array", bool: "boolean"}.get(type(value), type(value).__name__)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _lone_surrogate(value: object) -> int | None:
    """The index of the first unpaired surrogate in a string (JSON's \\ud800 escapes make them), or None."""
    if isinstance(value, str):
        m = _SURROGATE_RE.search(value)
        return m.start() if m else None
    return None


def _bounded_lines(fh, limit: int | None) -> Iterator[bytes | int]:
    """Yield the lines of a binary file; a line longer than ``limit`` bytes (without its line
    break) is skipped in 1 MiB pieces and yielded as its length instead (an ``int``)."""
    if not limit:
        yield from fh
        return
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        length = len(line)
        while not line.endswith(b"\n"):
            line = fh.readline(2**20)
            if not line:
                break
            length += len(line)
        yield length - (1 if line.endswith(b"\n") else 0)


def _record_too_big(text: object, settings: Settings) -> int | None:
    """The UTF-8 size of a record's text when it is over the cap, else None (cheap for short texts)."""
    cap = settings.max_document_bytes
    if not cap or not isinstance(text, str) or len(text) * 4 <= cap:
        return None
    size = len(text.encode("utf-8"))
    return size if size > cap else None


def _records_file(path: Path, row: _ManifestRow | None) -> tuple[str, str, dict, CorpusError | None]:
    """What reading a JSONL/CSV corpus file starts with: its shown name, id prefix, defaults and a checksum error."""
    shown = _display(path)
    prefix, defaults = _records_prefix(path, row)
    prefix = guards.shown_name(prefix)
    if row is not None and row.values.get("sha256"):
        actual = _file_sha256(path)
        if actual != row.values["sha256"]:
            return shown, prefix, defaults, _checksum_error(row, actual, shown)
    return shown, prefix, defaults, None


def _read_jsonl(path: Path, row: _ManifestRow | None, settings: Settings) -> Iterator[Document | CorpusError]:
    shown, prefix, defaults, error = _records_file(path, row)
    if error is not None:
        yield error
        return
    if path.stat().st_size == 0:
        yield CorpusError("the file is empty (0 bytes)", file=shown,
                          fix="put one JSON object per line in it, or remove the file")
        return
    found = False  # any non-blank line, good or bad
    with path.open("rb") as fh:  # streamed: one line at a time, none longer than the cap held in memory
        for number, bline in enumerate(_bounded_lines(fh, settings.max_document_bytes), start=1):
            if isinstance(bline, int):
                found = True
                yield _too_big(bline, settings, what="the line").located(file=shown, line=number)
                continue
            if bline.strip():
                found = True
            if number == 1 and bline.startswith(b"\xef\xbb\xbf"):
                bline = bline[3:]
            try:
                line = bline.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield CorpusError(f"the line is not UTF-8 (byte 0x{bline[exc.start]:02X} at column {exc.start + 1})",
                                  file=shown, line=number,
                                  fix="JSON Lines files must be UTF-8: re-save the file as UTF-8")
                continue
            if not line.strip():
                continue  # a blank line holds no record
            try:
                record = guards.parse_json_record(line)
            except guards.JsonLimitError as exc:
                yield CorpusError(f"the line is not read: {exc}", file=shown, line=number,
                                  fix="each line should be one flat JSON object; write long numbers as strings "
                                      "(in quotes)")
                continue
            except json.JSONDecodeError as exc:
                yield CorpusError(f"the line is not valid JSON ({exc.msg} at column {exc.colno})",
                                  file=shown, line=number,
                                  fix=f"repair or remove line {number}: each line must be one JSON object "
                                      "with a \"text\" field")
                continue
            if not isinstance(record, dict):
                yield CorpusError(f"the line holds a JSON {type(record).__name__}, not an object",
                                  file=shown, line=number,
                                  fix="write each document as one JSON object: {\"title\": …, \"text\": …}")
                continue
            record = _canonical_fields(record)
            text_key = next((k for k in TEXT_FIELDS if k in record), None)
            if text_key is None:
                yield CorpusError(f"the record has no text field (fields: {', '.join(map(str, record)) or 'none'})",
                                  file=shown, line=number,
                                  fix="put the document's text in a field named \"text\"")
                continue
            yield _record_document(record, text_key=text_key, number=number, line=number, prefix=prefix,
                                   defaults=defaults, encoding="utf-8", shown=shown,
                                   settings=settings, what="record")
    if not found:
        yield CorpusError("the file holds no records (only blank lines)", file=shown,
                          fix="put one JSON object per line in it, or remove the file")


def _read_csv(path: Path, row: _ManifestRow | None, settings: Settings) -> Iterator[Document | CorpusError]:
    shown, prefix, defaults, error = _records_file(path, row)
    if error is not None:
        yield error
        return
    with contextlib.ExitStack() as stack:
        encoding = _utf8_file(path)
        if encoding is not None:  # streamed: one row at a time
            source = stack.enter_context(path.open(encoding=encoding, newline=""))
        else:  # another encoding: detecting it needs the whole file
            try:
                text, encoding = decode_text(path.read_bytes())
            except CorpusError as exc:
                yield exc.located(file=shown)
                return
            source = io.StringIO(text, newline="")
            del text
        yield from _csv_rows(source, encoding=encoding, shown=shown, prefix=prefix, defaults=defaults,
                             settings=settings)


def _utf8_file(path: Path) -> str | None:
    """``"utf-8"`` or ``"utf-8-sig"`` when the whole file is valid UTF-8 without NUL bytes, else None.

    Reads the file in 1 MiB pieces and keeps none of them.
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        first = fh.read(2**20)
        if not first:
            return None
        encoding = "utf-8-sig" if first.startswith(b"\xef\xbb\xbf") else "utf-8"
        chunk = first
        try:
            while chunk:
                if b"\x00" in chunk:
                    return None
                decoder.decode(chunk)
                chunk = fh.read(2**20)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return encoding


def _csv_rows(source, *, encoding: str, shown: str, prefix: str, defaults: dict,
              settings: Settings) -> Iterator[Document | CorpusError]:
    head = source.readline()  # the header line tells the delimiter (Excel writes tabs or semicolons too)
    source.seek(0)
    reader = csv.DictReader(source, delimiter=sniff_delimiter(head))
    columns = [str(c).strip() for c in (reader.fieldnames or [])]
    canonical = list(_canonical_fields({c: None for c in columns}))
    lowered = {c.lower(): original for c, original in zip(canonical, columns)}
    text_col = next((lowered[name] for name in TEXT_FIELDS if name in lowered), None)
    if text_col is None:
        yield CorpusError(
            f"the CSV has no text column (columns: {', '.join(columns) or 'none'})", file=shown, line=1,
            fix=f"name the column that holds each document's text \"text\" (also accepted: "
                f"{', '.join(TEXT_FIELDS[1:])})")
        return
    found = False
    rows = enumerate(reader, start=1)
    while True:
        try:
            number, raw_row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over the csv module's limit of 131,072 characters
            yield CorpusError(f"the CSV cannot be read on from here ({exc})", file=shown, line=reader.line_num,
                              fix="check the quoting of this row; store very long texts in a .jsonl or .txt file")
            return
        record = {str(k).strip(): v for k, v in raw_row.items() if k is not None}
        if not any((v or "").strip() for v in record.values()):
            continue  # an empty row holds no record
        found = True
        record = {("text" if k == text_col else k): (v if v is not None else "") for k, v in record.items()}
        record = _canonical_fields(record)
        record = {k: (v if k == "text" or v.strip() else None) for k, v in record.items()}
        if record.get("id") is None:
            record.pop("id", None)
        yield _record_document(record, text_key="text", number=number, line=reader.line_num, prefix=prefix,
                               defaults=defaults, encoding=encoding, shown=shown, settings=settings,
                               what=f"data row {number}")
    if not found:
        yield CorpusError("the CSV has a header but no rows", file=shown, fix="add one row per document")


_DELIMITERS = (",", "\t", ";", "|")


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: ``,`` tab ``;`` or ``|``, read off its header line.

    Excel writes tab-separated "Unicode text" and, in many locales, semicolon-separated
    "CSV"; both are often named ``.csv``. The header is split with each candidate; the
    one that yields a known text column wins, else the one that yields the most columns
    (a comma on ties).

    >>> sniff_delimiter("标题\\t日期\\t正文\\n甲\\t2023\\t乙，丙"), sniff_delimiter("id;text\\n1;甲,乙"), sniff_delimiter("a,b\\n")
    ('\\t', ';', ',')
    """
    first = text.split("\n", 1)[0]
    best, best_key = ",", (-1, -1)
    for rank, delim in enumerate(_DELIMITERS):
        fields = next(csv.reader(io.StringIO(first), delimiter=delim), [])
        names = {str(f).strip().lower() for f in _canonical_fields({f: None for f in fields})}
        key = (int(any(name in names for name in TEXT_FIELDS)), len(fields))
        if key > best_key:
            best, best_key = delim, key
    return best
