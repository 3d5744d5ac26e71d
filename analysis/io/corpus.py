"""Load speeches from files and folders into Documents and one tidy table.

A *document* is one speech (or report, or regulation). It comes from a single file
(``.txt``, ``.md``, ``.docx``, a saved web page, a PDF with a text layer) or from one record
of a JSON Lines or CSV corpus; each format's reader is registered in one table,
:data:`analysis.io.formats.FORMATS`. The
loader decodes it, normalizes it (:func:`analysis.io.normalize.normalize`), and keeps
the raw text, the map back to it, the encoding used and a checksum. It never writes
anywhere, least of all to ``corpus/``.

Where the metadata comes from:

- A folder's ``manifest.csv`` (columns ``id, file, title, date, date_precision,
  level, region, speaker_role, occasion, source, sha256, note``; more columns become
  extra metadata). ``file`` is the path relative to the manifest's folder; the file
  must exist, lie inside that folder and, when ``sha256`` is given, match it.
- JSON Lines / CSV records: their own fields (``title``, ``date``/``year``, ``kind``,
  ``source_url``/``source_path`` …); a manifest row naming the whole file fills the
  fields the records leave empty.
- Otherwise what the file itself says: a page's title, date, source and address
  (:mod:`analysis.io.pages`); the date, occasion, speaker's role, level and kind read from
  the title and first lines (:mod:`analysis.io.infer`); the title is the first line when it
  reads like a title (short, unpunctuated), else the file name; a date (``2023``,
  ``2023-06``, ``2023年6月29日``) in the file name or title gives ``date`` with its
  precision. The ``inferred`` column lists the fields read from the text (only those the
  manifest left empty), and ``note`` says where title and date came from.

Identifiers: the file stem for a single file (or the manifest's ``id``); for JSON
Lines and CSV, the record's ``id`` field when present, else ``<file stem>:<n>`` with
``n`` the line number (JSONL) or data-row number (CSV, 1 = first row after the
header). Checksums: ``sha256`` is that of the file's bytes for a single file and of
the record's text encoded as UTF-8 for a JSONL/CSV record.

One folder rule for every file, however it was found (scanned in a folder, listed in
a manifest, named directly): it must resolve inside that folder (the manifest's folder;
for a file named directly, its own folder). A symbolic link leading elsewhere, or to
nothing, is refused and where it leads is never shown.

Limits: one document is at most :attr:`Settings.max_document_bytes` (64 MiB by
default): a file's size is checked before it is read, a ``.docx``'s declared unpacked
size and compression ratios before it is unpacked (:data:`MAX_ZIP_RATIO`), a JSON
Lines line while it is read (a longer one is never held whole), a CSV record's text
once read. UTF-8 CSV corpora are streamed a row at a time.

Errors: every problem (empty, binary or undecodable file, malformed JSONL line, CSV
without a text column, duplicate id, manifest row for a missing file or one outside
its folder, a link out of the folder, a document over the size limit, a Word file
that would inflate like a zip bomb, checksum mismatch, a Word part that cannot be unpacked, a
JSON record nested too deeply, a named pipe or device, a folder that cannot be read) is a
:class:`CorpusError` that names the file (and line or part) and says what to do; whatever else
a reader raises becomes one too (:func:`read_file`), so no input ends a load with a traceback.
By default the first one is raised; with ``on_error="collect"`` everything loadable loads
and the problems come back as a table. Nothing is dropped silently: what loads but was
changed or looks wrong (control characters removed from metadata, a text of punctuation or
redaction marks only, a file name that is not UTF-8) is said in a
:class:`analysis.io.guards.CorpusWarning` naming the file.

>>> docs = load_corpus(paths.corpus_dir())
>>> docs[["id", "level", "han_chars", "redactions", "encoding"]].values.tolist()
[['organization-work-speech', 'county-district', 5840, 9, 'utf-8']]
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import paths
from analysis.chars import CN_DIGITS, HEADING_RE as _HEADING_RE, cn_number
from analysis.calendar import congress_dates, npc_session_years  # noqa: F401 (also importable from here)
from analysis.io import guards
from analysis.io.formats import FORMATS, Format, format_for
from analysis.io.normalize import _class, normalize
from analysis.settings import Settings
from analysis.types import ManifestArg, OnError, PathsArg, check_choice
from analysis.chars import HAN_CLASS, paragraph_spans

__all__ = [
    "CorpusError",
    "DATING_COLUMNS",
    "Document",
    "LEVELS",
    "MANIFEST_COLUMNS",
    "META_COLUMNS",
    "PROBLEM_COLUMNS",
    "corpus_table",
    "date_documents",
    "select_document",
    "decode_text",
    "describe_paths",
    "iter_documents",
    "load_corpus",
    "make_document",
    "read_manifest",
]

#: Standard metadata columns, in table order (values are strings, "" when unknown).
META_COLUMNS = ("title", "date", "date_precision", "level", "region", "speaker_role",
                "occasion", "source", "note")
#: Columns every loaded table gets after the metadata (see :func:`date_documents`).
DATING_COLUMNS = ("year", "sort_date", "collection")
#: Columns of a manifest.csv (more columns are kept as extra metadata).
MANIFEST_COLUMNS = ("id", "file", "title", "date", "date_precision", "level", "region",
                    "speaker_role", "occasion", "source", "sha256", "note")
#: Levels a manifest may name: the administrative levels read from a speech's words
#: (:mod:`analysis.io.infer`), institutions, and the older coarse names.
LEVELS = ("national", "provincial", "city", "county", "district", "township", "institution",
          "municipal", "county-district")
#: Columns of the problems table returned with ``on_error="collect"``.
PROBLEM_COLUMNS = ("file", "line", "document", "problem", "fix")

_RECORDS = {s for fmt in FORMATS if fmt.records for s in fmt.suffixes}
_IGNORED_NAMES = {"thumbs.db", "desktop.ini"}
#: Sub-folders of a corpus folder that hold project data, not documents (never scanned).
_DATA_DIRS = {"lexicon", "profiles", "reference"}
#: Names accepted for the text column of a CSV corpus / the text field of a JSONL record.
TEXT_FIELDS = ("text", "content", "body", "正文", "全文", "内容")
_DERIVED = ("text", "raw", "source_path", "encoding", "sha256", "redactions", "han_chars",
            "paragraphs", "lines_repaired", "to_simplified", "raw_offsets")
_RESERVED = set(_DERIVED) | {"id"}
_PRECISIONS = ("year", "month", "day")
_ISO_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DATE_IN_TEXT_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:\s*[-_./年]\s*(\d{1,2})(?:\s*[-_./月]\s*(\d{1,2})\s*日?)?\s*月?)?(?!\d)"
)
#: A character that is not blank (not a space, line end or zero-width character).
_SOME_TEXT_RE = re.compile("[^ \t\r\n\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff]")
#: A run of characters that are not Han (see :func:`_count_han`).
_NON_HAN_RUN_RE = re.compile(f"[^{HAN_CLASS}]+")


def _count_han(text: str) -> int:
    """:func:`analysis.chars.count_han`, computed from the runs of other characters.

    The same number (the characters ``chars.HAN_RE`` matches), without building a string
    of every Han character: a speech is mostly Han, its other characters come in short
    runs. Scanned in slices of 64K characters so the list of runs stays small.
    """
    step = 1 << 16
    return len(text) - sum(sum(map(len, _NON_HAN_RUN_RE.findall(text, pos, pos + step)))
                           for pos in range(0, len(text), step))


_SUPPORTED_TEXT = ("'.txt', '.md' (UTF-8, GB18030/GBK, UTF-16 with BOM), '.docx', a web page ('.html', "
                   "'.shtml', '.mhtml'), a '.pdf' with a text layer, '.jsonl' or '.csv'")


class CorpusError(ValueError):
    """A problem with an input file, said so that a researcher can fix it.

    A ``ValueError`` subclass, so code that guards against bad input values catches it.

    Attributes:
        file: The file (as shown in tables: relative to the project when inside it).
        line: Line (JSONL, manifest) or data row (CSV) number, or None.
        document: The document id when known, or None.
        problem: What is wrong.
        fix: What to do about it.

    Example:
        >>> str(CorpusError("line 3 is not valid JSON", file="a.jsonl", line=3, fix="repair line 3"))
        'a.jsonl, line 3: line 3 is not valid JSON. What to do: repair line 3.'
    """

    def __init__(self, problem: str, *, file: str | None = None, line: int | None = None,
                 document: str | None = None, fix: str = ""):
        self.problem = problem.rstrip(".")
        self.file = file
        self.line = line
        self.document = document
        self.fix = fix.rstrip(".")
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "input"
        if self.line is not None:
            where += f", line {self.line}"
        if self.document:
            where += f" (document {self.document})"
        text = f"{where}: {self.problem}."
        if self.fix:
            text += f" What to do: {self.fix}."
        return text

    def located(self, *, file: str | None = None, line: int | None = None,
                document: str | None = None) -> "CorpusError":
        """Return a copy with the location filled in where it was missing."""
        return CorpusError(self.problem, file=self.file or file,
                           line=self.line if self.line is not None else line,
                           document=self.document or document, fix=self.fix)

    def as_row(self) -> dict:
        """Return the problem as a row of the problems table (:data:`PROBLEM_COLUMNS`)."""
        return {"file": self.file, "line": self.line, "document": self.document,
                "problem": self.problem, "fix": self.fix}


@dataclass(frozen=True, eq=False)
class Document:
    """One loaded document: metadata, raw and normalized text, and where they came from.

    Attributes:
        id: Stable, readable identifier (file stem, manifest id, record id or
            ``<file stem>:<line>``).
        meta: Metadata: the keys of :data:`META_COLUMNS` (strings, "" when unknown)
            followed by any extra fields (e.g. ``kind``, ``year``, ``congress``,
            ``source_url``). Treat as read-only.
        raw: The decoded text as stored (after a byte-order mark, if any).
        text: The normalized text (:func:`analysis.io.normalize.normalize`).
        raw_offsets: int64 array, ``len(text) + 1``: raw index of each normalized character.
        encoding: The encoding used to decode it (``utf-8``, ``utf-8-sig``, ``gb18030``,
            ``utf-16-le`` …; ``docx`` for Word files).
        sha256: SHA-256 of the file's bytes (single file) or of the record's text in UTF-8.
        source_path: The file it came from (relative to the project when inside it).
        redactions: Number of redaction marks replaced by the placeholder.
        lines_repaired: Number of line breaks inside words or numbers that were removed.
        to_simplified: Whether traditional→simplified conversion was applied.
        odd_characters: Private-use or unassigned characters kept in the text
            (:func:`analysis.io.normalize.is_odd_character`); charts replace them with a
            placeholder (:func:`analysis.plots.fonts.placeholder_strings`).
    """

    id: str
    meta: dict
    raw: str
    text: str
    raw_offsets: np.ndarray
    encoding: str
    sha256: str
    source_path: str
    redactions: int
    lines_repaired: int = 0
    to_simplified: bool = False
    odd_characters: int = 0

    @property
    def han_chars(self) -> int:
        """Han characters in the normalized text (:func:`analysis.chars.count_han`)."""
        return _count_han(self.text)

    @property
    def paragraphs(self) -> int:
        """Non-blank lines of the normalized text (:func:`analysis.chars.paragraph_spans`)."""
        return len(paragraph_spans(self.text))

    def row(self, *, full: bool = True) -> dict:
        """Return the document as one table row (``full=False`` leaves out the texts)."""
        out: dict[str, Any] = {"id": self.id}
        out.update(self.meta)
        if full:
            out.update(text=self.text, raw=self.raw)
        out.update(source_path=self.source_path, encoding=self.encoding, sha256=self.sha256,
                   redactions=self.redactions, han_chars=self.han_chars,
                   paragraphs=self.paragraphs, lines_repaired=self.lines_repaired,
                   to_simplified=self.to_simplified)
        if full:
            out["raw_offsets"] = self.raw_offsets
        return out


# --------------------------------------------------------------------------- pure per-document step


def make_document(raw: str, *, id: str, meta: dict | None = None, encoding: str = "str",
                  sha256: str | None = None, source_path: str = "",
                  settings: Settings | None = None, markdown: bool = False) -> Document:
    """Build a :class:`Document` from decoded text (pure: no I/O).

    Args:
        raw: The decoded raw text.
        id: The document id.
        meta: Metadata; missing standard keys become "" (the mapping is copied).
        encoding: The encoding the text was decoded from (``"str"`` when it was never bytes).
        sha256: The checksum to record; by default that of ``raw`` encoded as UTF-8.
        source_path: Where the text came from.
        settings: Normalization settings (``to_simplified``, ``repair_lines``).
        markdown: The text is Markdown (see :func:`analysis.io.normalize.normalize`).

    Returns:
        The :class:`Document`.

    Example:
        >>> d = make_document("同志们：\\n××同志讲\\n4\\n点意见。", id="demo", meta={"title": "示例"})
        >>> d.text, d.redactions, d.han_chars, d.meta["title"], d.meta["level"]
        ('同志们：\\n〓同志讲4点意见。', 1, 9, '示例', '')
    """
    settings = settings or Settings()
    n = normalize(raw, to_simplified=settings.to_simplified, repair_lines=settings.repair_lines,
                  markdown=markdown)
    full_meta = {key: "" for key in META_COLUMNS}
    full_meta.update(meta or {})
    notes = []
    if n.to_simplified:
        notes.append("converted from traditional characters (OpenCC t2s)"
                     if settings.to_simplified == "auto" else "converted to simplified characters (OpenCC t2s)")
    if n.odd_characters:
        notes.append(f"{n.odd_characters} private-use or unassigned character(s) kept; charts show them "
                     "as a placeholder")
    if notes:
        full_meta["note"] = "; ".join(([full_meta["note"]] if full_meta.get("note") else []) + notes)
    return Document(
        id=str(id),
        meta=full_meta,
        raw=raw,
        text=n.text,
        raw_offsets=n.raw_offsets,
        encoding=encoding,
        sha256=sha256 or hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        source_path=source_path,
        redactions=n.redactions,
        lines_repaired=n.lines_repaired,
        to_simplified=n.to_simplified,
        odd_characters=n.odd_characters,
    )


# --------------------------------------------------------------------------- decoding

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "cp936", "euc_cn"}
_RESAVE = "open it in a text editor and save it as UTF-8 (or save the Word file as .docx)"


_CJK_GOOD = "\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff00-\uffef\u2010-\u2027\u00b7\u00d7"
_CJK_GOOD_RUN_RE = re.compile(f"[{_CJK_GOOD}]+")
#: A run of characters :func:`_cjk_score` does not skip and does not call good.
_CJK_REST_RUN_RE = re.compile(f"[^\t\n\x0b\x0c\r\x20-\x7f{_CJK_GOOD}]+")
_BAD_ASCII_RE = re.compile("[\x00-\x08\x0e-\x1f]")  # below 32, not \t \n \v \f \r
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _cjk_bad_re() -> re.Pattern:
    """The non-ASCII characters of the Basic Multilingual Plane that :func:`_cjk_score` calls junk."""
    good = re.compile(f"[{_CJK_GOOD}]")
    return re.compile(_class([o for o in range(128, 0x10000) if not good.match(chr(o))
                              and (0xE000 <= o <= 0xF8FF or unicodedata.category(chr(o)) in ("Cc", "Co", "Cn"))]))


def _cjk_score(text: str) -> float:
    """Share of non-ASCII characters that are Han or CJK punctuation, penalizing junk.

    Per character: ASCII counts only when it is a control character other than
    ``\\t\\n\\v\\f\\r`` (junk); a non-ASCII character is good (CJK ideographs,
    CJK and full-width punctuation and forms, ``‐``-``‧``, ``·``, ``×``), junk (private use,
    control, unassigned) or other. Score: (good - 2 junk) / counted. Counted with two scans
    by character class (good runs, and the runs of the rest, which in Chinese text are few
    and short); beyond the Basic Multilingual Plane each distinct character's category is
    looked up once.
    """
    step = 1 << 16
    good = 0
    rest_runs: list[str] = []
    for pos in range(0, len(text), step):
        good += sum(map(len, _CJK_GOOD_RUN_RE.findall(text, pos, pos + step)))
        rest_runs += _CJK_REST_RUN_RE.findall(text, pos, pos + step)
    rest = "".join(rest_runs)
    del rest_runs
    astral: dict[str, int] = {}
    for ch in _ASTRAL_RE.findall(rest):
        astral[ch] = astral.get(ch, 0) + 1
    bad = (len(_BAD_ASCII_RE.findall(rest)) + len(_cjk_bad_re().findall(rest))
           + sum(n for ch, n in astral.items() if unicodedata.category(ch) in ("Cc", "Co", "Cn")))
    total = good + len(rest)  # good + junk + other
    return (good - 2 * bad) / total if total else 0.0


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding)``.

    The decision, in order: a byte-order mark wins (UTF-8, UTF-16, UTF-32); bytes
    with NUL characters and no mark are binary (unless charset-normalizer finds
    BOM-less UTF-16 that reads as Chinese); strict UTF-8; otherwise GB18030 and
    charset-normalizer's candidates compete on how Chinese the decoded text reads
    (share of Han characters and CJK punctuation among the non-ASCII characters),
    GB18030 winning ties. Short GBK texts fool detectors (``"讲话"`` in GBK is also
    valid Big5 and CP949), and this corpus is simplified Chinese, hence the tie rule.
    GBK and GB2312 files are decoded with GB18030, their superset, and reported as
    ``gb18030``.

    Args:
        data: The file's bytes.

    Returns:
        ``(text, encoding)``; the text does not include the byte-order mark.

    Raises:
        CorpusError: Empty input, binary data, or bytes no candidate decodes into
            Chinese text (the error has no file; callers add it).

    Example:
        >>> decode_text("讲话".encode("gbk"))
        ('讲话', 'gb18030')
        >>> decode_text("\\ufeff讲话".encode("utf-16-le"))
        ('讲话', 'utf-16-le')
    """
    if not data:
        raise CorpusError("the file is empty (0 bytes)",
                          fix="put the speech's text in it, or remove the file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec.replace("-sig", "")), codec
            except UnicodeDecodeError as exc:
                raise CorpusError(
                    f"the file starts with a {codec} byte-order mark, but the bytes at offset "
                    f"{exc.start + len(bom)} are not valid {codec}", fix=_RESAVE) from None
    import charset_normalizer

    if b"\x00" in data:
        for result in charset_normalizer.from_bytes(data):
            enc = result.encoding
            if enc.startswith(("utf_16", "utf_32")):
                codec = enc.replace("_", "-")
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError:
                    continue
                if _cjk_score(text) >= 0.5:
                    return text, codec
        raise CorpusError("this looks like a binary file, not text (it contains NUL bytes)",
                          fix="save the speech as plain text (.txt, UTF-8) or as .docx")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    candidates: list[tuple[str, str]] = []
    try:
        candidates.append(("gb18030", data.decode("gb18030")))
    except UnicodeDecodeError:
        pass
    detected = charset_normalizer.from_bytes(data)
    best = detected.best()
    for result in detected:
        enc = result.encoding
        if enc.startswith(("utf_16", "utf_32", "utf_8", "ascii")):
            continue
        codec = "gb18030" if enc in _GB_FAMILY else enc
        if any(codec == name for name, _ in candidates):
            continue
        try:
            candidates.append((codec, data.decode(codec)))
        except (UnicodeDecodeError, LookupError):
            continue
    scored = [(_cjk_score(text), -k, name, text) for k, (name, text) in enumerate(candidates)]
    if scored:
        score, _, name, text = max(scored)
        if score >= 0.5:
            return text, name
    codec, offset = _first_bad_byte(data, utf8_error)
    byte = data[offset]
    line = data.count(b"\n", 0, offset) + 1
    guess = f"; charset-normalizer's best guess, {best.encoding}, does not give Chinese text" if best else ""
    raise CorpusError(
        f"the bytes cannot be decoded: the file reads as {codec} up to byte 0x{byte:02X} at offset {offset} "
        f"(line {line}), which is not valid {codec}, and neither GB18030 nor a detected encoding reads "
        f"the whole file as Chinese{guess}",
        fix=f"the file may mix encodings or be damaged at that point: {_RESAVE}")


def _first_bad_byte(data: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, int]:
    """The encoding most of the file is in, and the offset of its first invalid byte.

    A GBK file with one damaged byte is "not UTF-8" at offset 0; the byte that is
    really wrong is the first one GB18030 rejects. The encoding that decodes more of the
    file (fewer replacement characters) is taken to be the file's own.
    """
    def first_error(codec: str) -> int | None:
        try:
            data.decode(codec)
        except UnicodeDecodeError as exc:
            return exc.start
        return None

    utf8_bad = data.decode("utf-8", errors="replace").count("\ufffd")
    gb_bad = data.decode("gb18030", errors="replace").count("\ufffd")
    gb_error = first_error("gb18030")
    if gb_error is not None and gb_bad < utf8_bad:
        return "GB18030", gb_error
    return "UTF-8", utf8_error.start


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




# --------------------------------------------------------------------------- finding files


def _skipped(rel: Path) -> bool:
    parts = rel.parts
    if any(p.startswith((".", "~$")) for p in parts):
        return True
    if _DATA_DIRS & set(parts[:-1]):
        return True
    name = parts[-1].lower()
    return (name == "manifest.csv" or name.startswith("readme") or name in _IGNORED_NAMES
            or name.endswith((".yaml", ".yml")))


def _skipped_dir(rel: Path) -> bool:
    return any(p.startswith((".", "~$")) for p in rel.parts) or bool(_DATA_DIRS & set(rel.parts))


def _as_list(paths_arg: PathsArg) -> list[Path]:
    if isinstance(paths_arg, (str, Path)):
        return [Path(paths_arg)]
    return [Path(p) for p in paths_arg]


def _unreadable_error(path: Path, exc: OSError) -> CorpusError:
    return CorpusError(f"this folder or file cannot be read ({exc.strerror or exc}), so what it holds is not loaded",
                       file=_display(path), fix="check that you may read it (permissions), or move it out of the folder")


def _outside_error(path: Path, root: Path) -> CorpusError:
    """The refusal of a file or folder that resolves outside ``root`` (its target is not shown)."""
    shown = f"{_display(path.parent)}/{path.name}"  # the link itself, never where it leads
    if not path.exists():
        return CorpusError("this is a symbolic link to nothing (its target does not exist), so it is not read",
                           file=shown, fix="remove the link, or replace it with the file itself")
    return CorpusError(f"this leads outside the corpus folder {_display(root)} (a symbolic link), so it is not "
                       "read; where it leads is not shown",
                       file=shown, fix="copy the file into the corpus folder instead of linking to it")


def _plan(paths_arg: PathsArg, manifest: ManifestArg) -> Iterator[tuple[Path, _ManifestRow | None] | CorpusError]:
    """Yield the files to read, each with its manifest row, in a stable order."""
    explicit: dict[Path, _ManifestRow] | None = None
    if manifest not in (None, False):
        try:
            explicit = _manifest_rows(Path(manifest))
        except CorpusError as exc:
            yield exc
            return
    cache: dict[Path, dict[Path, _ManifestRow] | CorpusError] = {}

    def rows_of(folder: Path) -> dict[Path, _ManifestRow] | CorpusError:
        if explicit is not None:
            return explicit
        if manifest is False:
            return {}
        if folder not in cache:
            mpath = folder / "manifest.csv"
            try:
                cache[folder] = _manifest_rows(mpath) if mpath.is_file() else {}
            except CorpusError as exc:
                cache[folder] = exc
        return cache[folder]

    seen: set[Path] = set()
    for given in _as_list(paths_arg):
        if not given.exists():
            yield CorpusError("no such file or folder", file=guards.shown_name(str(given)),
                              fix="check the spelling; relative paths start from the current folder")
            continue
        kind = guards.special_kind(given)
        if kind is not None:
            yield _special_error(given, kind)
            continue
        if given.is_file():
            resolved = given.resolve()
            if not resolved.is_relative_to(given.parent.resolve()):
                yield _outside_error(given, given.parent.resolve())
                continue
            if given.name.lower() == "manifest.csv":
                yield CorpusError("this is a manifest, not a corpus file", file=_display(given),
                                  fix="pass the folder that holds it (or give it as manifest=...)")
                continue
            if resolved in seen:
                continue
            seen.add(resolved)
            rows = rows_of(resolved.parent)
            if isinstance(rows, CorpusError):
                yield rows
                rows = {}
            yield resolved, rows.get(resolved)
            continue
        folder = given.resolve()
        files: list[Path] = []
        listed: dict[Path, _ManifestRow] = {}
        # One rule for every file and folder found here: it must resolve inside the folder.
        # A symbolic link leading out of it is refused, and its target is never shown.
        entries, outside, unreadable = [], [], []
        for p in guards.walk_folder(folder, prune=_skipped_dir,
                                    problem=lambda where, exc: unreadable.append(_unreadable_error(where, exc))):
            rel = p.relative_to(folder)
            try:
                if _skipped_dir(rel.parent) or (_skipped_dir(rel) if p.is_dir() else _skipped(rel)):
                    continue
                if not p.exists() or not p.resolve().is_relative_to(folder):
                    outside.append(p)
                else:
                    entries.append(p)
            except OSError as exc:  # e.g. a folder that may be listed but not entered
                unreadable.append(_unreadable_error(p, exc))
        yield from unreadable
        for p in outside:
            yield _outside_error(p, folder)
        if explicit is not None:
            folders = [folder]
        else:
            folders = [folder] + [p for p in entries if p.is_dir()]
        for sub in folders:
            rows = rows_of(sub)
            if isinstance(rows, CorpusError):
                yield rows
                continue
            for target, row in rows.items():
                if explicit is not None and not target.is_relative_to(folder):
                    continue
                if target in listed and listed[target] is not row:
                    yield CorpusError(f"the file is listed in two manifests ({listed[target].manifest} and "
                                      f"{row.manifest})", file=_display(target),
                                      fix="keep one row for it, in the manifest of its own folder")
                    continue
                listed[target] = row
                if not target.is_file():
                    yield CorpusError(f"the manifest lists {row.values['file']!r}, but there is no such file",
                                      file=row.manifest, line=row.line, document=row.values.get("id") or None,
                                      fix="correct the file name in the manifest, add the file, or delete the row")
        special = 0
        for p in entries:
            if p.is_file():
                files.append(p.resolve())
            elif not p.is_dir():
                kind = guards.special_kind(p)
                if kind is not None:  # a pipe or device is never opened: it would wait forever or never end
                    special += 1
                    yield _special_error(p, kind)
        files += [t for t in listed if t.is_file() and t not in files]
        if not files and not outside and not special and not unreadable:
            yield CorpusError("the folder holds no documents", file=_display(folder),
                              fix=f"add {_SUPPORTED_TEXT} files")
            continue
        for p in files:
            if p in seen:
                continue
            seen.add(p)
            yield p, listed.get(p)


# --------------------------------------------------------------------------- public loaders


def _handler(on_error: OnError) -> Callable[[CorpusError], None]:
    if on_error == "raise":
        def raise_(exc: CorpusError) -> None:
            raise exc
        return raise_
    if callable(on_error):
        return on_error
    if on_error == "collect":
        raise ValueError("iter_documents() streams, so it cannot return a problems table: pass "
                         "on_error=problems.append (any callable taking a CorpusError), or use "
                         "load_corpus(..., on_error='collect')")
    raise ValueError(f"on_error must be 'raise' or a callable, not {on_error!r}")


def iter_documents(paths: PathsArg, *, manifest: ManifestArg = None, settings: Settings | None = None,
                   on_error: OnError = "raise") -> Iterator[Document]:
    """Stream the documents found in files and folders, one :class:`Document` at a time.

    Folders are scanned recursively for the files of :data:`analysis.io.formats.FORMATS`
    (``.txt .md .docx .html .shtml .mhtml .pdf .jsonl .csv`` …), in sorted
    order (``.md`` files are normalized with ``markdown=True``: heading marks and
    emphasis delimiters are dropped); ``manifest.csv``, ``README*``, ``*.yaml``, hidden files and anything under a
    ``lexicon/`` folder are skipped; any other file is reported as a problem (it may be
    a speech in a format this loader does not read, such as ``.rtf``; ``.doc`` is refused with
    what to do).
    JSON Lines files are read line by line; a UTF-8 CSV corpus row by row (another
    encoding is decoded once as a whole, since detecting it needs the whole file). A
    file or folder that resolves outside the folder it was found in (a symbolic link)
    is refused without showing where it leads.
    Each document is built by the pure :func:`make_document`.

    Args:
        paths: A file or folder, or a list of them.
        manifest: None: each folder's own ``manifest.csv`` (for a single file, the one
            beside it); a path: that manifest for every file (paths in it are relative to
            its folder); False: no manifest.
        settings: Normalization settings (default :class:`Settings`).
        on_error: ``"raise"`` (default: the first problem raises :class:`CorpusError`) or
            a callable that receives each :class:`CorpusError` while loading goes on
            (e.g. ``problems.append``).

    Returns:
        An iterator of :class:`Document`.

    Raises:
        CorpusError: With ``on_error="raise"``, at the first problem.
        ValueError: When ``on_error`` is neither ``"raise"`` nor callable.

    Example:
        >>> [d.id for d in iter_documents(paths.corpus_dir())]
        ['organization-work-speech']
    """
    report = _handler(on_error)
    settings = settings or Settings()
    return _iterate(paths, manifest=manifest, settings=settings, report=report)


def _iterate(paths_arg: PathsArg, *, manifest: ManifestArg, settings: Settings,
             report: Callable[[CorpusError], None]) -> Iterator[Document]:
    ids = IdRegister()
    for item in plan_files(paths_arg, manifest=manifest, report=report):
        for result in read_file(item, settings=settings, report=report):
            if ids.accept(result, report):
                yield result


def plan_files(paths: PathsArg, *, manifest: ManifestArg = None,
               report: Callable[[CorpusError], None] | None = None) -> Iterator[tuple[Path, Any]]:
    """The files :func:`iter_documents` reads, in its order, each with its manifest row (opaque).

    Problems found while planning (a bad manifest, a path outside its folder) go to
    ``report`` (default: raised). Each item can be handed to :func:`read_file`, in
    another process too: this is how workers read their own files.
    """
    report = report or _handler("raise")
    for item in _plan(paths, manifest):
        if isinstance(item, CorpusError):
            report(item)
        else:
            yield item


def read_file(item: tuple[Path, Any], *, settings: Settings | None = None,
              report: Callable[[CorpusError], None] | None = None) -> Iterator[Document]:
    """The documents of one planned file (:func:`plan_files`); its problems go to ``report`` (default: raised).

    A path that became a pipe or device since it was planned is not opened. Whatever a
    reader raises becomes a last CorpusError naming the file (the documents before it are
    kept). Each document leaves with control characters out of its id and metadata, and a
    :class:`analysis.io.guards.CorpusWarning` for what was changed or has no words.
    """
    report = report or _handler("raise")
    settings = settings or Settings()
    path, row = item
    fmt = format_for(path)
    if fmt is None:
        hint = (" (old Word format)" if path.suffix.lower() == ".doc" else "")
        report(CorpusError(f"files of type {guards.shown_name(path.suffix) or '(no extension)'!r}{hint} are not read",
                           file=_display(path),
                           fix=f"convert it to {_SUPPORTED_TEXT}, or move it out of the folder"))
        return
    kind = guards.special_kind(path)
    if kind is not None:  # replaced since it was planned: never opened (a pipe would wait forever)
        report(_special_error(path, kind))
        return
    _warn_name(path)
    results = fmt.load()(path, row, settings) if fmt.records else _read_single(path, row, settings, fmt)
    for result in _guarded(results, path):
        if isinstance(result, CorpusError):
            report(result)
        else:
            yield _checked(result)


def _guarded(results: Iterator[Document | CorpusError], path: Path) -> Iterator[Document | CorpusError]:
    """A reader's results; whatever it raises becomes one last CorpusError naming the file (no traceback)."""
    while True:
        try:
            result = next(results)
        except StopIteration:
            return
        except CorpusError as exc:
            yield exc.located(file=_display(path))
            return
        except Exception as exc:  # noqa: BLE001 - the last guard: no input may end the whole load
            reason = guards.shown_name(_clip(f"{type(exc).__name__}: {exc}", 200))
            yield CorpusError(f"the file could not be read ({reason}); the rest of it is not loaded",
                              file=_display(path),
                              fix="check the file (open and save it again in the program that made it); if it "
                                  "looks fine, report this message as a bug")
            return
        yield result


def _special_error(path: Path, kind: str) -> CorpusError:
    return CorpusError(f"this is {kind}, not a file, so it is not read", file=_display(path),
                       fix="pass the files of the speeches, or move it out of the corpus folder")


def _warn_name(path: Path) -> None:
    """Warn about a file name that is not UTF-8 (its id and shown name use \\xNN escapes)."""
    import warnings

    if guards.shown_name(path.name) == path.name:
        return
    gbk = guards.gbk_reading(path.name)
    hint = f" (in GB18030 it reads {guards.shown_name(gbk)!r}: rename the file so)" if gbk else ""
    warnings.warn(f"{_display(path)}: the file name is not UTF-8 or holds control characters; it is shown and "
                  f"named with \\xNN escapes{hint}", guards.CorpusWarning, stacklevel=4)


_WORDLESS_RE = re.compile(r"[^\W_]")


def _checked(document: Document) -> Document:
    """Control characters out of the id and metadata, and a word for a document with no words (warnings)."""
    import warnings

    meta, removed = guards.clean_metadata(document.meta)
    doc_id = guards.shown_name(document.id)
    if removed or doc_id != document.id:
        fields = sorted(removed) + (["id"] if doc_id != document.id else [])
        chars = sorted({c for cs in removed.values() for c in cs})
        said = f"control characters ({', '.join(chars)}) removed from {', '.join(fields)}" if chars else \
            "control characters in the id shown as \\xNN"
        meta["note"] = "; ".join(([meta["note"]] if meta.get("note") else []) + [said])
        warnings.warn(f"{document.source_path} (document {doc_id}): {said}", guards.CorpusWarning, stacklevel=4)
        document = dataclasses.replace(document, id=doc_id, meta=meta)
    if not _WORDLESS_RE.search(document.text):
        what = "redaction marks" if document.redactions else "punctuation or symbols"
        warnings.warn(f"{document.source_path} (document {document.id}): the text holds no Han characters, letters "
                      f"or digits, only {what}; it is loaded, but every count of it is zero",
                      guards.CorpusWarning, stacklevel=4)
    return document


class IdRegister:
    """Document ids seen so far: a second document with a used id is a problem, not a row."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}

    def accept(self, document: "Document", report: Callable[[CorpusError], None]) -> bool:
        if document.id in self.sources:
            report(CorpusError(f"the id {document.id!r} is already used by {self.sources[document.id]}",
                               file=document.source_path, document=document.id,
                               fix="give one of them another id (rename the file, set 'id' in the "
                                   "manifest, or give the record its own \"id\")"))
            return False
        self.sources[document.id] = document.source_path
        return True


def documents_frame(rows: list[dict]) -> pd.DataFrame:
    """The documents table of :func:`load_corpus` without its text columns, from ``Document.row(full=False)`` rows."""
    return _frame(rows, full=False)


# --------------------------------------------------------------------------- dating


_NPC_NUMBER = f"[{CN_DIGITS[1:]}十\\d]{{1,3}}"
_NPC_RE = re.compile(f"第({_NPC_NUMBER})届全国人民代表大会第({_NPC_NUMBER})次会议")


def _zh_number(text: str) -> int | None:
    """Read a number written 1–99 in digits or Chinese numerals (十四 → 14, 二十 → 20)."""
    return cn_number(text) or None


def _whole_number(value: object) -> int | None:
    """An int from 20, "20" or 20.0; None for missing or anything else."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _date_from_reference(row: dict) -> tuple[str, str, str] | None:
    """(date, precision, note) for an undated congress report or NPC resolution, else None."""
    number = _whole_number(row.get("congress"))
    if number is not None and number in congress_dates():
        return (congress_dates()[number][1], "day",
                f"date: opening day of Party congress no. {number} (corpus/reference/congresses.csv)")
    m = _NPC_RE.search(str(row.get("title") or ""))
    if m:
        term, session = _zh_number(m.group(1)), _zh_number(m.group(2))
        year = npc_session_years().get((term or 0, session or 0))
        if year:
            return str(year), "year", f"year from the NPC session in the title (NPC term {term}, session {session}; corpus/reference/npc_sessions.csv)"
    return None


def _collection(source_path: str) -> str:
    """The records file's stem for a JSONL/CSV record, else the folder holding the file."""
    path = Path(str(source_path or ""))
    return path.stem if path.suffix.lower() in _RECORDS else path.parent.name


def _dated(row: dict) -> dict:
    """Return ``row`` with a date where reference tables give one, plus year, sort_date and collection."""
    out = dict(row)
    notes = [out["note"]] if out.get("note") else []
    if not out.get("date"):
        found = _date_from_reference(out)
        if found:
            out["date"], out["date_precision"], note = found
            notes.append(note)
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", str(out.get("date") or ""))
    if m:
        out["year"] = int(m.group(1))
        out["sort_date"] = pd.Timestamp(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    else:
        out["year"], out["sort_date"] = None, pd.NaT
        notes.append("year unknown: no date, year, congress or NPC session in the record")
    out["note"] = "; ".join(notes)
    out["collection"] = _collection(out.get("source_path", ""))
    return out


def date_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """Add ``year`` (integer), ``sort_date`` and ``collection`` to a loaded table; date the undated.

    Congress reports without a date get their congress's opening day and NPC resolutions
    the year of the session their title names (tables in ``corpus/reference/``); a
    document that still has no year keeps <NA> and ``note`` says so. ``sort_date`` is
    the first day of the date's period (2023 → 2023-01-01), for sorting and plotting.
    :func:`load_corpus` already does this; use it for tables made another way.

    Args:
        documents: A table with ``date`` and ``source_path`` (and optionally ``title``,
            ``congress``, ``note``). Not changed.

    Returns:
        The table with ``date, date_precision, note`` filled as above and the columns
        ``year`` (Int64), ``sort_date`` (datetime) and ``collection`` (records file stem,
        or the folder of a single file) set.

    Example:
        >>> t = pd.DataFrame({"id": ["r"], "title": ["第十四届全国人民代表大会第二次会议决议"],
        ...                   "date": [""], "source_path": ["x/gov-work-reports.jsonl"]})
        >>> date_documents(t)[["date", "year", "collection"]].values.tolist()
        [['2024', 2024, 'gov-work-reports']]
    """
    rows = [_dated(row) for row in documents.to_dict("records")]
    out = documents.copy()
    for column in ("date", "date_precision", "note"):
        if column in out.columns:
            out[column] = [row.get(column, "") for row in rows]
    out["year"] = pd.array([row["year"] for row in rows], dtype="Int64")
    out["sort_date"] = pd.to_datetime(pd.Series([row["sort_date"] for row in rows], index=out.index, dtype=object))
    out["collection"] = [row["collection"] for row in rows]
    return out


_TABLE_TAIL = ("source_path", "encoding", "sha256", "redactions", "han_chars", "paragraphs",
               "lines_repaired", "to_simplified")


def _frame(rows: list[dict], *, full: bool) -> pd.DataFrame:
    meta_extra: list[str] = []
    for row in rows:
        for key in row:
            if key not in ("id", *META_COLUMNS, *DATING_COLUMNS, *_DERIVED) and key not in meta_extra:
                meta_extra.append(key)
    rows = [_dated(row) for row in rows]
    columns = ["id", *META_COLUMNS, *DATING_COLUMNS, *meta_extra]
    columns += ["text", "raw", *_TABLE_TAIL, "raw_offsets"] if full else list(_TABLE_TAIL)
    frame = pd.DataFrame(rows, columns=columns)
    frame["year"] = pd.array([row["year"] for row in rows], dtype="Int64")
    frame["sort_date"] = pd.to_datetime(pd.Series([row["sort_date"] for row in rows], dtype=object))
    for col in meta_extra:  # whole numbers with gaps stay whole numbers (congress 1, 3 … not 1.0)
        values = [v for v in (row.get(col) for row in rows) if v is not None]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            frame[col] = pd.array([row.get(col) for row in rows], dtype="Int64")
    for col in ("redactions", "han_chars", "paragraphs", "lines_repaired"):
        frame[col] = frame[col].astype("int64")
    frame["to_simplified"] = frame["to_simplified"].astype(bool)
    return frame


def _problems_frame(problems: list[CorpusError]) -> pd.DataFrame:
    frame = pd.DataFrame([p.as_row() for p in problems], columns=list(PROBLEM_COLUMNS))
    frame["line"] = frame["line"].astype("Int64")
    return frame


def _counted(documents: Iterator[Document], progress: bool) -> Iterator[Document]:
    """Pass documents through, counting them on standard error when ``progress`` is set."""
    if not progress:
        return documents
    import sys

    from tqdm import tqdm

    return iter(tqdm(documents, desc="loading", unit="doc", file=sys.stderr, dynamic_ncols=True))


def load_corpus(paths: PathsArg, *, manifest: ManifestArg = None, settings: Settings | None = None,
                on_error: str = "raise", progress: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load files and folders into one table, one row per document.

    Args:
        paths: A file or folder, or a list of them (see :func:`iter_documents`).
        manifest: As in :func:`iter_documents`.
        settings: Normalization settings (default :class:`Settings`).
        on_error: ``"raise"`` (default) or ``"collect"``.
        progress: Count the documents loaded on standard error (tqdm), for long loads
            such as a CSV of a million rows (the command line turns it on when standard
            error is a terminal).

    Returns:
        With ``on_error="raise"``, a DataFrame with columns ``id``, the
        :data:`META_COLUMNS` (``title, date, date_precision, level, region,
        speaker_role, occasion, source, note``), extra metadata fields in order of first
        appearance (e.g. ``kind, year, congress, source_url``; ``year`` is always there, an
        integer (Int64, <NA> when unknown; see :func:`date_documents`)), then ``text`` (normalized),
        ``raw``, ``source_path``, ``encoding``, ``sha256``, ``redactions``, ``han_chars``,
        ``paragraphs``, ``lines_repaired``, ``to_simplified`` and ``raw_offsets`` (arrays).
        With ``on_error="collect"``, the tuple ``(documents, problems)`` where
        ``problems`` has columns ``file, line, document, problem, fix``.

    Raises:
        CorpusError: With ``on_error="raise"``, at the first problem.
        ValueError: When ``on_error`` is not ``"raise"`` or ``"collect"``.

    Example:
        >>> docs = load_corpus(paths.corpus_dir() / "organization-work-speech.txt")
        >>> row = docs.iloc[0]
        >>> row["id"], row["date"], row["date_precision"], int(row["paragraphs"]), bool(row["to_simplified"])
        ('organization-work-speech', '2023', 'year', 26, False)
    """
    check_choice("on_error", on_error, ("raise", "collect"), caller="load_corpus")
    problems: list[CorpusError] = []
    handler = "raise" if on_error == "raise" else problems.append
    documents = _counted(iter_documents(paths, manifest=manifest, settings=settings, on_error=handler), progress)
    rows = [doc.row() for doc in documents]
    frame = _frame(rows, full=True)
    if on_error == "collect":
        return frame, _problems_frame(problems)
    return frame


def corpus_table(documents: pd.DataFrame | Iterable[Document]) -> pd.DataFrame:
    """The corpus overview: one row per document, without the texts.

    Args:
        documents: The table from :func:`load_corpus`, or Documents.

    Returns:
        DataFrame with ``id``, the metadata columns (standard and extra), then
        ``source_path, encoding, sha256, redactions, han_chars, paragraphs,
        lines_repaired, to_simplified``. No ``text``, ``raw`` or ``raw_offsets``.
        The input is not changed.

    Example:
        >>> table = corpus_table(load_corpus(paths.corpus_dir()))
        >>> "text" in table.columns, int(table["han_chars"].sum())
        (False, 5840)
    """
    if isinstance(documents, pd.DataFrame):
        drop = [c for c in ("text", "raw", "raw_offsets") if c in documents.columns]
        return documents.drop(columns=drop).reset_index(drop=True)
    return _frame([doc.row(full=False) for doc in documents], full=False)


def describe_paths(paths: PathsArg, *, manifest: ManifestArg = None, settings: Settings | None = None,
                   on_error: str = "raise", progress: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """The :func:`corpus_table` of any files or folders, streamed (texts are not kept).

    Meant for ``python -m analysis corpus PATH...``: memory holds one document at a time.

    Args:
        paths: A file or folder, or a list of them.
        manifest: As in :func:`iter_documents`.
        settings: Normalization settings (default :class:`Settings`).
        on_error: ``"raise"`` (default) or ``"collect"``.
        progress: Count the documents described on standard error (as in :func:`load_corpus`).

    Returns:
        The :func:`corpus_table` columns; with ``on_error="collect"`` the tuple
        ``(table, problems)`` as in :func:`load_corpus`.

    Raises:
        CorpusError: With ``on_error="raise"``, at the first problem.
        ValueError: When ``on_error`` is not ``"raise"`` or ``"collect"``.

    Example:
        >>> describe_paths(paths.corpus_dir())[["id", "paragraphs", "encoding"]].values.tolist()
        [['organization-work-speech', 26, 'utf-8']]
    """
    check_choice("on_error", on_error, ("raise", "collect"), caller="describe_paths")
    problems: list[CorpusError] = []
    handler = "raise" if on_error == "raise" else problems.append
    rows = [doc.row(full=False) for doc in
            _counted(iter_documents(paths, manifest=manifest, settings=settings, on_error=handler), progress)]
    table = _frame(rows, full=False)
    if on_error == "collect":
        return table, _problems_frame(problems)
    return table


def select_document(documents: pd.DataFrame, document: str | None = None, *, default: str | None = None) -> pd.DataFrame:
    """Pick the one document a notebook studies, as a one-row table.

    The choice, in order: ``document`` when given; else the environment variable
    ``ANALYSIS_DOCUMENT`` (``python -m analysis report --document ID`` sets it); else
    ``default`` when the corpus has it; else the corpus's first document. So the
    notebooks run unchanged on the bundled seed and on a researcher's own corpus.

    Args:
        documents: The table from :func:`load_corpus`. Not modified.
        document: A document id, or None to choose as above.
        default: The id to prefer when none is named (the notebooks pass the seed's).

    Returns:
        The document's row (all columns), index reset.

    Raises:
        ValueError: An empty table, or a named id that is not in it (the message lists
            the ids there are).

    Example:
        >>> docs = pd.DataFrame({"id": ["a", "b"], "text": ["甲", "乙"]})
        >>> select_document(docs, default="b")["id"].tolist(), select_document(docs, default="z")["id"].tolist()
        (['b'], ['a'])
    """
    if documents.empty:
        raise ValueError("the corpus has no document: add speeches to the corpus folder")
    ids = [str(i) for i in documents["id"]]
    wanted = document or os.environ.get("ANALYSIS_DOCUMENT") or None
    if wanted is None:
        wanted = default if default in ids else ids[0]
    if wanted not in ids:
        shown = ", ".join(ids[:20]) + (" …" if len(ids) > 20 else "")
        raise ValueError(f"document {wanted!r} is not in the corpus; its ids are: {shown}")
    return documents[documents["id"].astype(str) == wanted].reset_index(drop=True)
