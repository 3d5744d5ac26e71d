"""Metadata of a document: dates and titles read from file names, records and text, field aliases of
JSON Lines and CSV records, and ``manifest.csv`` files (:func:`read_manifest`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths
from analysis.chars import HEADING_RE as _HEADING_RE
from analysis.io import guards
from analysis.io.decoding import decode_text
from analysis.io.document import (
    _DATE_IN_TEXT_RE,
    _ISO_DATE_RE,
    _PRECISIONS,
    _RESERVED,
    LEVELS,
    MANIFEST_COLUMNS,
    META_COLUMNS,
    CorpusError,
)

# --------------------------------------------------------------------------- metadata helpers


def _display(path: Path) -> str:
    """Show a path relative to the project when inside it, else absolute (POSIX style)."""
    resolved = Path(path).resolve()
    try:
        shown = resolved.relative_to(paths.project_root()).as_posix()
    except ValueError:
        shown = resolved.as_posix()
    return guards.shown_name(shown)  # bytes that are not UTF-8 and control characters as \xNN


def _date_from(text: str) -> tuple[str, str] | None:
    """Find the first plausible date (1900–2099) in a file name or title."""
    for m in _DATE_IN_TEXT_RE.finditer(text):
        year, month, day = m.group(1), m.group(2), m.group(3)
        if month and 1 <= int(month) <= 12:
            if day and 1 <= int(day) <= 31:
                return f"{year}-{int(month):02d}-{int(day):02d}", "day"
            return f"{year}-{int(month):02d}", "month"
        return year, "year"
    return None


def _check_date(date: str, precision: str) -> tuple[str, str] | str:
    """Validate a manifest date; return ``(date, precision)`` or an error message."""
    m = _ISO_DATE_RE.fullmatch(date)
    if not m:
        return f"date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
    implied = "day" if m.group(3) else "month" if m.group(2) else "year"
    if m.group(2) and not 1 <= int(m.group(2)) <= 12 or m.group(3) and not 1 <= int(m.group(3)) <= 31:
        return f"date {date!r} has an impossible month or day"
    if precision and precision != implied:
        return f"date {date!r} has precision {implied!r}, but date_precision says {precision!r}"
    return date, implied


def _record_date(value: object) -> tuple[str, str]:
    """Turn a record's ``date``/``year`` value into ``(ISO date, precision)``."""
    text = str(value).strip()
    if _ISO_DATE_RE.fullmatch(text):
        checked = _check_date(text, "")
        if isinstance(checked, tuple):
            return checked
    found = _date_from(text)
    if found and found[0][:4] in text and len(text) <= 16:
        return found
    return text, ""


_TITLE_END = set("。！？!?：:，,；;")


def _infer_meta(meta: dict, *, text: str, stem: str, records: bool = False) -> dict:
    """Fill an empty title and date from the text or file name; say so in ``note``.

    For a record of a JSONL/CSV corpus (``records=True``) the file name says nothing
    about the one document: the title falls back to ``stem`` (the id) and the date
    is looked for in the title only.
    """
    out = dict(meta)
    notes = []
    if not out.get("title"):
        first = next((line.strip() for line in text.split("\n") if line.strip()), "")
        if (first and len(first) <= 60 and first[-1] not in _TITLE_END
                and not re.search("[。！？!?]", first) and not _HEADING_RE.match(first)):
            out["title"] = first
            notes.append("title from the first line")
        else:
            out["title"] = stem
            notes.append("title from the document id" if records else "title from the file name")
    if not out.get("date"):
        sources = (("title", out["title"]),) if records else (("file name", stem), ("title", out["title"]))
        for where, source in sources:
            found = _date_from(source)
            if found:
                out["date"], out["date_precision"] = found
                notes.append(f"date from the {where}")
                break
    if notes:
        out["note"] = "; ".join(([out["note"]] if out.get("note") else []) + notes)
    return out


#: Chinese (and common English) column names of a CSV or JSONL corpus → the loader's fields.
FIELD_ALIASES = {
    "标题": "title", "题目": "title", "篇名": "title", "文章标题": "title",
    "日期": "date", "时间": "date", "发布日期": "date", "发布时间": "date", "讲话日期": "date", "年份": "year",
    "正文": "text", "全文": "text", "内容": "text", "文本": "text", "content": "text", "body": "text",
    "作者": "speaker", "讲话人": "speaker", "发言人": "speaker", "讲话者": "speaker",
    "职务": "speaker_role", "身份": "speaker_role",
    "来源": "source", "出处": "source", "网址": "source_url", "链接": "source_url", "url": "source_url",
    "地区": "region", "地域": "region", "层级": "level", "级别": "level",
    "场合": "occasion", "会议": "occasion", "备注": "note", "说明": "note",
    "编号": "id", "序号": "id", "类别": "kind", "类型": "kind",
}


def _canonical_fields(record: dict) -> dict:
    """Rename a record's Chinese (or English synonym) field names to the loader's names.

    A name already present under its canonical form is left as it is (no value is lost).

    >>> _canonical_fields({"标题": "甲", "正文": "乙", "作者": "丙"})
    {'title': '甲', 'text': '乙', 'speaker': '丙'}
    """
    out: dict = {}
    keys = {str(k).strip() for k in record}
    for key, value in record.items():
        name = str(key).strip()
        alias = FIELD_ALIASES.get(name, FIELD_ALIASES.get(name.lower()))
        if alias and alias not in keys and alias not in out:
            out[alias] = value
        else:
            out[name] = value
    return out


def _record_meta(record: dict, *, defaults: dict) -> dict:
    """Map a JSONL/CSV record's fields onto the standard metadata plus extras."""
    meta: dict[str, Any] = {key: "" for key in META_COLUMNS}
    extras: dict[str, Any] = {}
    for key, value in record.items():
        name = str(key).strip()
        if name in META_COLUMNS:
            meta[name] = "" if value is None else guards.json_text(value).strip()
        elif name in _RESERVED:
            extras[f"record_{name}"] = value
        else:
            extras[name] = value
    for key, value in defaults.items():
        if key in META_COLUMNS and not meta.get(key) and value:
            meta[key] = value
    if meta["date"]:
        date, precision = _record_date(meta["date"])
        meta["date"] = date
        meta["date_precision"] = meta["date_precision"] or precision
    elif extras.get("year") not in (None, ""):
        date, precision = _record_date(extras["year"])
        meta["date"], meta["date_precision"] = date, precision
    if not meta["source"]:
        for key in ("source_url", "url", "record_source_path", "source_path", "link"):
            if extras.get(key):
                meta["source"] = str(extras[key])
                break
    meta.update(extras)
    return meta


# --------------------------------------------------------------------------- manifests


@dataclass(frozen=True)
class _ManifestRow:
    manifest: str
    line: int
    path: Path
    values: dict = field(default_factory=dict)


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read and check a ``manifest.csv``; one row per listed file.

    Args:
        path: The manifest file.

    Returns:
        DataFrame with columns ``line`` (line of the row in the CSV), ``path`` (the
        listed file, resolved), then :data:`MANIFEST_COLUMNS` (strings, "" when empty;
        ``date_precision`` filled in from the date's form), then any extra columns.

    Raises:
        CorpusError: The manifest cannot be decoded, has no ``file`` column, or a row has
            an empty ``file``, a file outside the manifest's folder, a duplicate file or
            id, an unknown ``level``, a malformed ``date`` or ``sha256``.

    Example:
        >>> m = read_manifest(paths.corpus_dir() / "manifest.csv")
        >>> m[["id", "file", "date", "date_precision", "level"]].values.tolist()
        [['organization-work-speech', 'organization-work-speech.txt', '2023', 'year', 'county-district']]
    """
    path = Path(path)
    shown = _display(path)
    folder = path.resolve().parent
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"the manifest cannot be read ({exc.strerror})", file=shown,
                          fix="check the path and the file's permissions") from None
    try:
        text, _ = decode_text(data)
    except CorpusError as exc:
        raise exc.located(file=shown) from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [str(c).strip() for c in (reader.fieldnames or [])]
    if "file" not in columns:
        raise CorpusError(
            f"the manifest has no 'file' column (columns found: {', '.join(columns) or 'none'})",
            file=shown, line=1,
            fix="make the first line the header " + ",".join(MANIFEST_COLUMNS))
    rows = []
    seen_files: dict[Path, int] = {}
    seen_ids: dict[str, int] = {}
    for raw_row in reader:
        line = reader.line_num
        row = {str(k).strip(): ("" if v is None else str(v).strip())
               for k, v in raw_row.items() if k is not None}
        if not any(row.values()):
            continue
        for key in MANIFEST_COLUMNS:
            row.setdefault(key, "")

        def fail(problem: str, fix: str) -> CorpusError:
            return CorpusError(problem, file=shown, line=line, fix=fix)

        if not row["file"]:
            raise fail("the row has no file name", "write the file's path relative to the manifest in 'file'")
        target = (folder / row["file"]).resolve()
        if not target.is_relative_to(folder):
            raise fail(f"file {row['file']!r} lies outside the manifest's folder",
                       f"move the file into {_display(folder)} and give its path relative to the manifest")
        if target in seen_files:
            raise fail(f"file {row['file']!r} is already listed on line {seen_files[target]}",
                       "keep one row per file")
        seen_files[target] = line
        if row["id"]:
            if row["id"] in seen_ids:
                raise fail(f"id {row['id']!r} is already used on line {seen_ids[row['id']]}",
                           "give every row its own id")
            seen_ids[row["id"]] = line
        if row["level"] and row["level"] not in LEVELS:
            raise fail(f"level {row['level']!r} is not one of {', '.join(LEVELS)}",
                       "use one of these values, or leave level empty and explain in 'note'")
        if row["date_precision"] and row["date_precision"] not in _PRECISIONS:
            raise fail(f"date_precision {row['date_precision']!r} is not one of {', '.join(_PRECISIONS)}",
                       "use year, month or day (or leave it empty: it follows from the date)")
        if row["date"]:
            checked = _check_date(row["date"], row["date_precision"])
            if isinstance(checked, str):
                raise fail(checked, "write the date as YYYY, YYYY-MM or YYYY-MM-DD with the matching precision")
            row["date"], row["date_precision"] = checked
        if row["sha256"] and not re.fullmatch(r"[0-9a-fA-F]{64}", row["sha256"]):
            raise fail(f"sha256 {row['sha256']!r} is not 64 hexadecimal digits",
                       f"put the output of `sha256sum {row['file']}` there, or leave it empty")
        row["sha256"] = row["sha256"].lower()
        extras = [c for c in row if c not in MANIFEST_COLUMNS]
        rows.append({"line": line, "path": target, **{c: row[c] for c in MANIFEST_COLUMNS},
                     **{c: row[c] for c in extras}})
    return pd.DataFrame(rows, columns=None if rows else ["line", "path", *MANIFEST_COLUMNS])


def _manifest_rows(manifest_path: Path) -> dict[Path, _ManifestRow]:
    table = read_manifest(manifest_path)
    shown = _display(manifest_path)
    out = {}
    for row in table.to_dict("records"):
        values = {k: v for k, v in row.items() if k not in ("line", "path")}
        out[row["path"]] = _ManifestRow(manifest=shown, line=int(row["line"]), path=row["path"], values=values)
    return out
