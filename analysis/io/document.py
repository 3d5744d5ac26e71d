"""What a loaded document is: :class:`Document`, :class:`CorpusError` (a bad file's error naming it),
:func:`make_document` (the pure per-document step from raw text to a normalized Document) and the
metadata columns every loader fills. :mod:`analysis.io.corpus` is the loader that uses them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.chars import HAN_CLASS, paragraph_spans
from analysis.io.formats import FORMATS
from analysis.io.normalize import normalize
from analysis.settings import Settings

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
