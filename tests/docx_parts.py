"""Small Word files built part by part for the hostile-input tests, and zip-level patches.

No text from any corpus: the sentences are written for these tests.
"""

from __future__ import annotations

import io
import struct
import zipfile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def paragraph(text: str, *, num_id: int | None = None, ilvl: str = "0") -> str:
    """One ``w:p``; numbered by list ``num_id`` at level ``ilvl`` when given."""
    props = (f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr>'
             if num_id is not None else "")
    run = f"<w:r><w:t>{text}</w:t></w:r>" if text else ""
    return f"<w:p>{props}{run}</w:p>"


def document_xml(paragraphs: list[str]) -> str:
    return f'<w:document xmlns:w="{W}"><w:body>{"".join(paragraphs)}</w:body></w:document>'


def numbering_xml(*, start: str = "1", fmt: str = "decimal", text: str = "%1.", ilvl: str = "0") -> str:
    """One abstract list (id 0) with one level, used by list 1."""
    return (f'<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="{ilvl}">'
            f'<w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
            f'</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')


def docx(paragraphs: list[str], *, numbering: str | None = None,
         extra: tuple[tuple[str, str | bytes], ...] = ()) -> bytes:
    """A minimal ``.docx``: content types, ``word/document.xml``, optional numbering and extra parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("word/document.xml", document_xml(paragraphs))
        if numbering is not None:
            z.writestr("word/numbering.xml", numbering)
        for name, data in extra:
            z.writestr(name, data)
    return buffer.getvalue()


def real_docx(lines: list[str]) -> bytes:
    """A ``.docx`` written by python-docx (styles, settings, theme … as Word files carry them)."""
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        document.add_paragraph(line, style="List Number" if line.startswith("#") else None)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "干部", "人才"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _central_entries(data: bytes):
    """(offset, name) of every central-directory entry."""
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[pos + 28:pos + 34])
        yield pos, data[pos + 46:pos + 46 + name_len].decode("utf-8")
        pos = data.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)


def patch_central(data: bytes, part: str, *, flags: int | None = None, method: int | None = None) -> bytes:
    """Set the general-purpose flags or the compression method of ``part`` in the central directory."""
    out = bytearray(data)
    for pos, name in _central_entries(data):
        if name == part:
            if flags is not None:
                out[pos + 8:pos + 10] = struct.pack("<H", flags)
            if method is not None:
                out[pos + 10:pos + 12] = struct.pack("<H", method)
            return bytes(out)
    raise KeyError(part)


def damage_data(data: bytes, part: str, garbage: bytes = b"\xff\xff\xff\xff\xff\xff") -> bytes:
    """Overwrite the first compressed bytes of ``part`` (its local entry) with ``garbage``."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    pos = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[pos + 26:pos + 30])
    start = pos + 30 + name_len + extra_len
    return data[:start] + garbage + data[start + len(garbage):]
