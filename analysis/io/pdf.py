"""PDFs with a text layer: the text in reading order, as paragraphs, without running heads and page numbers.

Read with pypdfium2 (PDFium, the engine of Chrome's PDF viewer), chosen by measurement
on Chinese PDFs printed by Chromium from five speeches (``tests/benchmarks/measure_readers.py``):
pypdfium2 returned every Han character in order (recall 1.000, 99% of 8-character runs
in place) in 0.4 CPU-s for the five; pdfminer.six and pdfplumber (which reads through
pdfminer) lost 11–14% of the Han characters on the same files (their CID font handling:
"Could not get FontBBox") and took 12 times as long.

What is done with the text layer:

1. each page's lines, with their boxes (PDFium's lines, in the page's reading order);
2. running heads and feet are dropped: a line in the top or bottom 8% of the page that
   is a page number (``3``, ``- 3 -``, ``第3页``, ``3/12``) or a file path or web address, or
   whose shape (digits as ``#``) comes back at the same height (within 3 points) on at
   least half of the pages (a title or date printed on every page); only lines at the
   page's edges go (nothing between them and the edge but other running lines);
3. lines are joined into paragraphs: a new paragraph starts at an indented line, after
   a line that stops well short of the right margin, or after a wide vertical gap; a
   paragraph may run on across a page break; a title centred over two lines, or set in larger
   type over two lines, stays one. Lines are joined without a space, except
   between two Latin letters or digits.

Errors: a PDF without a text layer (a scan) says it needs OCR first; an encrypted one
says so; a damaged one says it cannot be opened.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from analysis.io.formats import Extracted

__all__ = ["pdf_text", "read_pdf"]

#: Share of the page height at the top and bottom where running heads and feet are looked for.
BAND = 0.08
_PAGE_NUMBER_RE = re.compile(r"^\s*(?:[-—–·•\s]*\d{1,4}[-—–·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|"
                             r"\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?|[-—–]?\s*[ivxlc]{1,6}\s*[-—–]?)\s*$",
                             re.IGNORECASE)
_LATIN_RE = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class _Line:
    text: str
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    page: int


def _page_lines(page, number: int) -> list[_Line]:
    """The text lines of one page, with their boxes (y measured from the top)."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        height = page.get_height()
        lines: list[_Line] = []
        chars: list[str] = []
        boxes: list[tuple[float, float, float, float]] = []

        def flush() -> None:
            content = "".join(chars).strip()
            if content and boxes:
                lines.append(_Line(content, min(b[0] for b in boxes), max(b[2] for b in boxes),
                                   height - max(b[3] for b in boxes), height - min(b[1] for b in boxes), number))
            chars.clear()
            boxes.clear()

        for i, ch in enumerate(text[:count]):
            if ch in "\r\n":
                flush()
                continue
            box = textpage.get_charbox(i) if not ch.isspace() else None
            if box and boxes and box[0] < boxes[-1][0] - 4 and box[3] < boxes[-1][1]:
                flush()  # back to the left margin and below: a new line PDFium did not mark (——, rules)
            chars.append(ch)
            if box and (box[2] > box[0] or box[3] > box[1]):
                boxes.append(box)
        flush()
        return lines
    finally:
        textpage.close()


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_running(pages: list[list[_Line]], heights: list[float]) -> list[list[_Line]]:
    """Drop page numbers and lines repeated in the top or bottom band of the pages."""
    def in_band(line: _Line) -> bool:
        h = heights[line.page]
        return line.top < BAND * h or line.bottom > (1 - BAND) * h

    def key(line: _Line) -> tuple[str, int]:  # a running head comes back with its words, at its place
        return _shape(line.text), round(line.top / 3)

    places = Counter()
    for lines in pages:
        places.update({key(line) for line in lines if in_band(line)})
    repeated = {k for k, n in places.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}

    def running(line: _Line) -> bool:
        if not in_band(line):
            return False
        if _PAGE_NUMBER_RE.match(line.text) or line.text.startswith(("file:", "http:", "https:")):
            return True
        return key(line) in repeated

    out = []
    for lines in pages:  # only from the edges: the lines above (below) a running head are running too
        by_top = sorted(lines, key=lambda line: line.top)
        drop = set()
        for edge in (by_top, by_top[::-1]):
            for line in edge:
                if not running(line):
                    break
                drop.add(id(line))
        out.append([line for line in lines if id(line) not in drop])
    return out


def _paragraphs(pages: list[list[_Line]]) -> list[str]:
    """Join lines into paragraphs (see the module docstring)."""
    body = [line for lines in pages for line in lines]
    if not body:
        return []
    size = statistics.median(line.bottom - line.top for line in body) or 10.0
    left = Counter(round(line.x0) for line in body).most_common(1)[0][0]
    right = sorted(line.x1 for line in body)[int(0.9 * (len(body) - 1))]
    gaps = [b.top - a.bottom for a, b in zip(body, body[1:]) if a.page == b.page and b.top > a.bottom]
    gap = statistics.median(gaps) if gaps else size
    paragraphs: list[list[str]] = []
    previous: _Line | None = None
    middle = (left + right) / 2

    def centred(line: _Line) -> bool:
        return line.x0 > left + size and abs((line.x0 + line.x1) / 2 - middle) < size

    def large(line: _Line) -> bool:  # set in a larger type than the body: a title or heading
        return line.bottom - line.top > 1.15 * size

    for line in body:
        title_goes_on = (previous is not None and line.page == previous.page
                         and line.top - previous.bottom < gap + 0.8 * size
                         and ((len(paragraphs) == 1 and centred(previous) and centred(line))
                              or (large(previous) and large(line)
                                  and abs((line.bottom - line.top) - (previous.bottom - previous.top)) < 0.1 * size)))
        new = not title_goes_on and (previous is None
               or line.x0 > left + 0.8 * size                       # indented, or centred
               or previous.x1 < right - 1.5 * size                  # the line before stopped short
               or (line.page == previous.page and line.top - previous.bottom > gap + 0.8 * size))
        if new:
            paragraphs.append([line.text])
        else:
            last = paragraphs[-1][-1]
            sep = " " if _LATIN_RE.match(last[-1:]) and _LATIN_RE.match(line.text[:1]) else ""
            paragraphs[-1][-1] = last + sep + line.text
        previous = line
    return [p[0] for p in paragraphs]


def pdf_text(data: bytes) -> tuple[str, int]:
    """The text of a PDF as paragraphs (one per line), and its number of pages.

    Raises:
        CorpusError: Encrypted, damaged, or without a text layer.
    """
    import pypdfium2 as pdfium

    from analysis.io.corpus import CorpusError

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise CorpusError("the PDF is encrypted (it needs a password to open), so its text cannot be read",
                              fix="open it with its password and save or print it as a PDF without "
                                  "encryption, or export its text to a .txt file") from None
        raise CorpusError(f"the PDF cannot be opened ({exc})",
                          fix="check that the file is a complete PDF (download it again), or save it again "
                              "from a PDF viewer") from None
    try:
        pages, heights = [], []
        for number in range(len(document)):
            page = document[number]
            try:
                heights.append(page.get_height())
                pages.append(_page_lines(page, number))
            finally:
                page.close()
    finally:
        document.close()
    if not any(re.search(r"\w", line.text) for lines in pages for line in lines):
        raise CorpusError(f"the PDF has {len(pages)} page(s) but no text layer (it is a scan or pictures of "
                          "pages), so there is no text to read",
                          fix="run OCR on it first (e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`, or an OCR "
                              "program of your choice), check the recognized text, then load that")
    return "\n".join(_paragraphs(_drop_running(pages, heights))), len(pages)


def read_pdf(data: bytes, *, settings) -> Extracted:
    """File reader of a PDF (:mod:`analysis.io.formats`): :func:`pdf_text`."""
    text, pages = pdf_text(data)
    return Extracted(text, "pdf", notes=(f"read from the text layer of a {pages}-page PDF: running heads, "
                                         "page numbers and line breaks inside paragraphs removed",))
