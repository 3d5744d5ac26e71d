"""One table of the file formats the loader reads, each with its reader.

A new format touches :data:`FORMATS` and nothing else: :mod:`analysis.io.corpus` finds a
file's reader here (by its extension), and the feature cache keys hash every module of
``analysis/io`` (:func:`analysis.features._hash_modules`), so a new reader module is
covered without a list to keep.

Two kinds of reader:

- a *file* reader turns one file's bytes into one text: ``extract(data, *, settings)``
  returns an :class:`Extracted` (the text, the encoding or format it was read as,
  metadata the file itself states, notes on what was left out);
  :func:`analysis.io.corpus.read_file` builds the :class:`~analysis.io.corpus.Document`.
- a *records* reader yields many documents from one file (JSON Lines, CSV):
  ``read(path, row, settings)`` yields Documents or CorpusErrors.

Readers are named as ``"module:function"`` and imported when first used, so reading a
folder of ``.txt`` files never imports the PDF or HTML libraries.

>>> format_for("speech.SHTML").name
'web page'
>>> format_for("speech.pdf").reader
'analysis.io.pdf:read_pdf'
>>> format_for("notes.xyz") is None
True
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

__all__ = ["Extracted", "Format", "FORMATS", "format_for", "supported_text", "suffixes"]


@dataclass(frozen=True)
class Extracted:
    """What a file reader got out of one file.

    Attributes:
        raw: The text, decoded (paragraphs one per line).
        encoding: How it was read: the text encoding (``utf-8``, ``gb18030`` …) or the
            format (``docx``, ``html:utf-8``, ``pdf``).
        meta: Metadata the file states itself (a page's title, date, source, URL); the
            manifest wins over it.
        notes: What the reader left out or guessed, for the ``note`` column.
        markdown: Normalize as Markdown (heading marks and emphasis dropped).
    """

    raw: str
    encoding: str
    meta: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    markdown: bool = False


@dataclass(frozen=True)
class Format:
    """One readable format: its name, its extensions and its reader (``"module:function"``)."""

    name: str
    suffixes: tuple[str, ...]
    reader: str
    records: bool = False

    def load(self) -> Callable:
        """Import and return the reader function."""
        module, _, name = self.reader.partition(":")
        return getattr(importlib.import_module(module), name)


#: Every format the loader reads. ``.doc`` is listed so that it gets its own clear message.
FORMATS: tuple[Format, ...] = (
    Format("plain text", (".txt",), "analysis.io.textfile:read_text"),
    Format("Markdown", (".md",), "analysis.io.textfile:read_markdown"),
    Format("Word document", (".docx",), "analysis.io.textfile:read_docx"),
    Format("old Word document", (".doc",), "analysis.io.textfile:read_doc"),
    Format("web page", (".html", ".htm", ".shtml", ".xhtml", ".mhtml", ".mht"), "analysis.io.pages:read_page"),
    Format("PDF", (".pdf",), "analysis.io.pdf:read_pdf"),
    Format("JSON Lines corpus", (".jsonl",), "analysis.io.readers:_read_jsonl", records=True),
    Format("CSV corpus", (".csv", ".tsv"), "analysis.io.readers:_read_csv", records=True),
)

_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}


def format_for(path: str | Path) -> Format | None:
    """The :class:`Format` of a file, by its extension (any case), or None when none reads it."""
    return _BY_SUFFIX.get(Path(path).suffix.lower())


def suffixes() -> frozenset[str]:
    """Every extension some reader takes (lower case, with the dot)."""
    return frozenset(_BY_SUFFIX)


def supported_text() -> str:
    """The readable formats, as said in error messages.

    >>> "'.pdf'" in supported_text()
    True
    """
    shown = [fmt for fmt in FORMATS if fmt.name != "old Word document"]
    return ", ".join(f"{fmt.name} ({' '.join(repr(s) for s in fmt.suffixes)})" for fmt in shown)
