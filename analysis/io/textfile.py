"""File readers for plain text, Markdown and Word files (registered in :mod:`analysis.io.formats`).

Each takes a file's bytes and returns an :class:`~analysis.io.formats.Extracted`; the
loader (:mod:`analysis.io.corpus`) builds the Document. A ``.txt`` file that holds a
saved web page (HTML) is read as a page (:mod:`analysis.io.pages`), with a note.

>>> read_text("同志们：\\n今天开会。".encode("utf-8"), settings=None).raw
'同志们：\\n今天开会。'
>>> got = read_text(b"<html><body><p>\\xe5\\x90\\x8c\\xe5\\xbf\\x97\\xe4\\xbb\\xac</p></body></html>", settings=None)
>>> got.raw, got.notes[0][:30]
('同志们', 'the .txt file holds a web page')
"""

from __future__ import annotations

import re

from analysis.io.formats import Extracted

__all__ = ["looks_like_html", "read_doc", "read_docx", "read_markdown", "read_text"]

#: The start of an HTML document (after blanks and a byte-order mark).
_HTML_START_RE = re.compile(r"\A[\s\ufeff]*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])",
                            re.IGNORECASE | re.DOTALL)
#: Tags that only HTML has (a text that quotes one or two is still a text).
_TAG_RE = re.compile(r"</?(?:div|p|span|a|br|table|td|li|ul|script|style|meta|body|head)\b[^>]*>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether a decoded text is a web page: it starts like one, or its first 20,000
    characters hold at least 20 HTML tags and a ``<body`` or ``<div``.

    >>> looks_like_html("<!DOCTYPE html><html><body>甲</body></html>"), looks_like_html("用<p>标记")
    (True, False)
    """
    head = text[:20_000]
    if _HTML_START_RE.match(head):
        return True
    return len(_TAG_RE.findall(head)) >= 20 and bool(re.search(r"<(?:body|div)\b", head, re.IGNORECASE))


def read_text(data: bytes, *, settings) -> Extracted:
    """A plain-text file (UTF-8, GB18030/GBK, UTF-16 with BOM …; :func:`analysis.io.corpus.decode_text`).

    A file holding HTML is read as a web page (:func:`analysis.io.pages.page_from_html`).
    """
    from analysis.io.corpus import decode_text

    raw, encoding = decode_text(data)
    if looks_like_html(raw):
        from analysis.io.pages import page_from_html

        page = page_from_html(raw)
        note = ("the .txt file holds a web page (HTML): read as a page, its menus, links and markup left out")
        return Extracted(page.text, f"html:{encoding}", meta=page.meta, notes=(note, *page.notes))
    return Extracted(raw, encoding)


def read_markdown(data: bytes, *, settings) -> Extracted:
    """A Markdown file: decoded as text, normalized with ``markdown=True``."""
    from analysis.io.corpus import decode_text

    raw, encoding = decode_text(data)
    return Extracted(raw, encoding, markdown=True)


def read_docx(data: bytes, *, settings) -> Extracted:
    """A Word file (``.docx``): body text in reading order (:mod:`analysis.io.word`), after the zip checks."""
    from analysis.io.readers import _check_zip, _docx_text

    _check_zip(data, settings)
    raw, skipped = _docx_text(data, settings)
    notes = ()
    if skipped:
        said = ", ".join(f"{n} {what}{'s' if n > 1 else ''}" for what, n in skipped.items())
        notes = (f"not loaded from the Word file: {said}",)
    return Extracted(raw, "docx", notes=notes)


def read_doc(data: bytes, *, settings) -> Extracted:
    """An old Word file (``.doc``): refused with what to do.

    No maintained reader of the Word 97–2003 binary format is on PyPI (textract and
    the ``antiword`` wrapper call external programs); Debian's antiword and catdoc are
    programs from 2005–2016 that would have to be installed on every machine. Saving the
    file again as ``.docx`` loses nothing.

    Raises:
        CorpusError: Always.
    """
    from analysis.io.corpus import CorpusError

    raise CorpusError("this is an old Word file (.doc, Word 97–2003), which is not read",
                      fix="open it in Word, WPS or LibreOffice and save it as .docx (or as .txt), then load that")
