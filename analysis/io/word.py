"""Read every word a Word ``.docx`` file shows, in reading order.

python-docx's ``Document.paragraphs`` sees only the body's top-level paragraphs: text in
tables, text boxes, content controls and tracked insertions is lost, and headings
numbered by Word's automatic numbering lose their ``一、``. :func:`docx_text` walks the
body XML itself:

- paragraphs in document order, including those inside content controls (``w:sdt``);
- tables: each cell's paragraphs, row by row, cell by cell, each on its own line;
- text boxes (``w:txbxContent``, the modern ``mc:Choice`` only, not its duplicate
  ``mc:Fallback``): their paragraphs right after the paragraph that anchors them;
- tracked changes in the accepted view: insertions (``w:ins``, ``w:moveTo``) in,
  deletions (``w:del``, ``w:moveFrom``) out;
- automatic numbering: the label each numbered paragraph shows is rebuilt from
  ``numbering.xml`` (abstract numbering, level, start, ``numFmt`` such as
  ``chineseCounting``, ``lvlText`` such as ``%1、`` or ``（%1）``), also when the
  numbering comes from the paragraph's style; bullets get no label;
- tabs and breaks become ``\\t`` and ``\\n``; field codes (``w:instrText``) are not text.

What is not loaded (comments, footnotes, endnotes, headers and footers) is counted and
returned, so the loader can say so in the document's ``note``.

>>> import io, zipfile
>>> xml = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
...        '<w:p><w:r><w:t>人才</w:t></w:r><w:ins><w:r><w:t>工作</w:t></w:r></w:ins>'
...        '<w:del><w:r><w:delText>旧</w:delText></w:r></w:del></w:p></w:body></w:document>')
>>> buf = io.BytesIO()
>>> with zipfile.ZipFile(buf, "w") as z:
...     z.writestr("word/document.xml", xml)
>>> docx_text(buf.getvalue())
('人才工作', {})
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from analysis.chars import CIRCLED, CN_DIGITS, FULLWIDTH_DIGITS

__all__ = ["DocxError", "docx_text", "format_number"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_w = "{%s}" % W


class DocxError(ValueError):
    """The bytes are not a readable ``.docx`` (no zip, no ``word/document.xml``, bad XML)."""


# --------------------------------------------------------------------------- number formats

_CN_DIGITS = CN_DIGITS
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = CIRCLED


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十", hundred: str = "百") -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 and digits is _CN_DIGITS else digits[tens]) + ten + (digits[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        tail = "" if rest == 0 else (digits[0] + digits[rest] if rest < 10 else
                                      (digits[rest // 10] + ten + (digits[rest % 10] if rest % 10 else "")))
        return digits[hundreds] + hundred + tail
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """Render counter ``n`` in Word's ``numFmt`` ``fmt`` (decimal where a format has no form for ``n``).

    >>> [format_number(12, f) for f in ("decimal", "chineseCounting", "chineseCountingThousand",
    ...                                 "decimalEnclosedCircle", "upperRoman", "lowerLetter", "ideographTraditional")]
    ['12', '十二', '十二', '⑫', 'XII', 'l', '12']
    """
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwanCounting",
               "taiwanCountingThousand", "ideographDigital", "koreanCounting"):
        return _chinese(n)
    if fmt in ("chineseLegalSimplified", "japaneseLegal", "taiwanCountingThousand_legal"):
        return _chinese(n, _CN_LEGAL, "拾", "佰")
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(str.maketrans("0123456789", FULLWIDTH_DIGITS))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


# --------------------------------------------------------------------------- numbering definitions


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False


@dataclass
class _Numbering:
    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstractId, overrides)
    style_num: dict[str, tuple[str, int]] = field(default_factory=dict)  # styleId -> (numId, ilvl)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # abstractId -> level -> value
    started: set = field(default_factory=set)

    def label(self, num_id: str, ilvl: int) -> str:
        if num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None or level.fmt == "bullet" or level.fmt == "none" and "%" in level.text:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        key = (num_id, ilvl)
        if ilvl in overrides and key not in self.started:
            counters[ilvl] = overrides[ilvl]  # a startOverride restarts this list instance
            self.started.add(key)
        elif ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = level.start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def value(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, _Level())
            n = counters.get(k, lv.start)
            return format_number(n, "decimal" if level.legal and k != ilvl else lv.fmt)

        return re.sub(r"%([1-9])", value, level.text)


def _attr(el, name: str) -> str | None:
    return el.get(_w + name) if el is not None else None


def _read_numbering(z: zipfile.ZipFile, etree) -> _Numbering:
    numbering = _Numbering()
    names = set(z.namelist())
    if "word/numbering.xml" in names:
        root = etree.fromstring(z.read("word/numbering.xml"))
        for ab in root.iter(_w + "abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in ab.findall(_w + "lvl"):
                level = _Level()
                level.start = int(_attr(lvl.find(_w + "start"), "val") or 1)
                level.fmt = _attr(lvl.find(_w + "numFmt"), "val") or "decimal"
                text = lvl.find(_w + "lvlText")
                level.text = _attr(text, "val") if text is not None and _attr(text, "val") is not None else ""
                level.legal = lvl.find(_w + "isLgl") is not None
                levels[int(_attr(lvl, "ilvl") or 0)] = level
            numbering.abstract[_attr(ab, "abstractNumId")] = levels
        for num in root.iter(_w + "num"):
            overrides = {}
            for ov in num.findall(_w + "lvlOverride"):
                start = ov.find(_w + "startOverride")
                if start is not None:
                    overrides[int(_attr(ov, "ilvl") or 0)] = int(_attr(start, "val") or 1)
            numbering.nums[_attr(num, "numId")] = (_attr(num.find(_w + "abstractNumId"), "val"), overrides)
    if "word/styles.xml" in names:
        root = etree.fromstring(z.read("word/styles.xml"))
        for style in root.iter(_w + "style"):
            num_pr = style.find(f"{_w}pPr/{_w}numPr")
            if num_pr is not None:
                num_id = _attr(num_pr.find(_w + "numId"), "val")
                ilvl = int(_attr(num_pr.find(_w + "ilvl"), "val") or 0)
                if num_id:
                    numbering.style_num[_attr(style, "styleId")] = (num_id, ilvl)
    return numbering


# --------------------------------------------------------------------------- body walk

_SKIP = {_w + t for t in ("del", "moveFrom", "instrText", "delText", "delInstrText", "footnoteReference",
                          "endnoteReference", "commentReference", "pPr", "rPr", "sectPr", "tblPr",
                          "trPr", "tcPr", "sdtPr", "fldData")}


_WRAPPERS = {_w + t for t in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag")}


def _own(el, tag: str):
    """The ``tag`` children of a table or row, also inside content controls and insertions."""
    for child in el:
        if child.tag == _w + tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _own(child, tag)


class _Walker:
    def __init__(self, numbering: _Numbering):
        self.numbering = numbering
        self.lines: list[str] = []

    def block(self, el) -> None:
        """A body, cell, text box or content control's content: paragraphs and tables in order."""
        for child in el:
            tag = child.tag
            if tag == _w + "p":
                self.paragraph(child)
            elif tag == _w + "tbl":
                for row in _own(child, "tr"):
                    for cell in _own(row, "tc"):
                        self.block(cell)  # a nested table is read by its cell's block()
            elif tag in (_w + "sdt",):
                content = child.find(_w + "sdtContent")
                if content is not None:
                    self.block(content)
            elif tag in (_w + "ins", _w + "moveTo", _w + "customXml", _w + "smartTag"):
                self.block(child)  # paragraphs or tables inserted as tracked changes
            elif tag == "{%s}AlternateContent" % MC:
                choice = child.find("{%s}Choice" % MC)
                if choice is not None:
                    self.block(choice)

    def paragraph(self, p) -> None:
        label = self._label(p)
        parts: list[str] = []
        boxes: list = []
        self._runs(p, parts, boxes)
        self.lines.append(label + "".join(parts))
        for box in boxes:
            self.block(box)

    def _label(self, p) -> str:
        num_pr = p.find(f"{_w}pPr/{_w}numPr")
        num_id, ilvl = None, 0
        if num_pr is not None:
            num_id = _attr(num_pr.find(_w + "numId"), "val")
            ilvl = int(_attr(num_pr.find(_w + "ilvl"), "val") or 0)
        if num_id is None:
            style = _attr(p.find(f"{_w}pPr/{_w}pStyle"), "val")
            if style in self.numbering.style_num:
                num_id, style_ilvl = self.numbering.style_num[style]
                ilvl = ilvl if num_pr is not None else style_ilvl
        if not num_id or num_id == "0":
            return ""
        return self.numbering.label(num_id, ilvl)

    def _runs(self, el, parts: list[str], boxes: list) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == _w + "t":
                parts.append(child.text or "")
            elif tag == _w + "tab":
                parts.append("\t")
            elif tag in (_w + "br", _w + "cr"):
                parts.append("\n")
            elif tag == _w + "noBreakHyphen":
                parts.append("-")
            elif tag == _w + "txbxContent":
                boxes.append(child)
            elif tag == "{%s}Fallback" % MC:
                continue  # the same text box again, for old readers
            else:
                self._runs(child, parts, boxes)


_NOT_LOADED = (("word/comments.xml", "comment"), ("word/footnotes.xml", "footnote"),
               ("word/endnotes.xml", "endnote"))


def _count_notes(z: zipfile.ZipFile, etree) -> dict[str, int]:
    names = set(z.namelist())
    out: dict[str, int] = {}
    for part, what in _NOT_LOADED:
        if part not in names:
            continue
        root = etree.fromstring(z.read(part))
        tag = {"comment": "comment", "footnote": "footnote", "endnote": "endnote"}[what]
        count = 0
        for el in root.iter(_w + tag):
            # separator notes (ids -1 and 0, or w:type) hold no text of the author
            if el.get(_w + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            if "".join(t.text or "" for t in el.iter(_w + "t")).strip():
                count += 1
        if count:
            out[what] = count
    headers = [n for n in names if re.fullmatch(r"word/(header|footer)\d*\.xml", n)]
    texts = 0
    for name in headers:
        root = etree.fromstring(z.read(name))
        if "".join(t.text or "" for t in root.iter(_w + "t")).strip():
            texts += 1
    if texts:
        out["header/footer"] = texts
    return out


def docx_text(data: bytes) -> tuple[str, dict[str, int]]:
    """Return the body text of a ``.docx`` and what was not loaded.

    Args:
        data: The file's bytes.

    Returns:
        ``(text, skipped)``: the text, one paragraph (or table cell paragraph, or text
        box paragraph) per line, with automatic numbering labels rebuilt; ``skipped``
        maps ``"comment"``, ``"footnote"``, ``"endnote"``, ``"header/footer"`` to the
        number of such parts holding text that were not loaded (absent when none).

    Raises:
        DocxError: The bytes are not a zip, lack ``word/document.xml``, or hold broken XML.
    """
    from lxml import etree

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        body_xml = z.read("word/document.xml")
    except zipfile.BadZipFile:
        raise DocxError("this is not a readable Word .docx file (not a zip archive)") from None
    except KeyError:
        raise DocxError("this is not a readable Word .docx file (it has no word/document.xml)") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(body_xml, parser)
        numbering = _read_numbering(z, etree)
        skipped = _count_notes(z, etree)
    except etree.XMLSyntaxError as exc:
        raise DocxError(f"this Word file's XML is broken ({exc})") from None
    body = root.find(_w + "body")
    walker = _Walker(numbering)
    walker.block(body if body is not None else root)
    return "\n".join(walker.lines), skipped
