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
import zlib
from dataclasses import dataclass, field

from analysis.chars import CIRCLED, CN_DIGITS, FULLWIDTH_DIGITS

__all__ = ["DocxError", "DocxTooBig", "MAX_LIST_NUMBER", "MAX_LETTER_NUMBER", "docx_text", "format_number"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_w = "{%s}" % W


class DocxError(ValueError):
    """The bytes are not a readable ``.docx`` (no zip, no ``word/document.xml``, bad XML).

    Attributes:
        part: The part of the zip the problem is in (``word/numbering.xml`` …), or None.
    """

    def __init__(self, message: str, *, part: str | None = None):
        self.part = part
        super().__init__(message)


class DocxTooBig(DocxError):
    """The text a ``.docx`` produces would be larger than the caller's limit.

    Attributes:
        size: The UTF-8 bytes produced when reading stopped (more than ``limit``).
        limit: The limit in bytes.
    """

    def __init__(self, size: int, limit: int):
        self.size, self.limit = size, limit
        super().__init__(f"its text would be more than {limit:,} bytes")


#: The largest list number rendered in a numbering format: Word's "Start at" goes up to 32,767,
#: and a counter is an unsigned 16-bit value in the binary format; beyond it, decimal digits.
MAX_LIST_NUMBER = 32_767
#: Letter numbering (``a`` … ``z``, ``aa`` … ``zz`` …) stops at 780 (``z`` 30 times), as in Word;
#: beyond it, decimal digits. A label is therefore at most a few dozen characters per level.
MAX_LETTER_NUMBER = 780
#: A level text (``lvlText``) longer than this is refused: Word writes a few characters.
MAX_LEVEL_TEXT = 255


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
    if not 0 < n <= MAX_LIST_NUMBER:
        return str(n)
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz, up to z thirty times
    if not 0 < n <= MAX_LETTER_NUMBER:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """Render counter ``n`` in Word's ``numFmt`` ``fmt`` (decimal where a format has no form for ``n``).

    Roman numerals stop at :data:`MAX_LIST_NUMBER` and letters at :data:`MAX_LETTER_NUMBER`
    (decimal digits beyond), so no number makes a label longer than a few dozen characters.

    >>> [format_number(12, f) for f in ("decimal", "chineseCounting", "chineseCountingThousand",
    ...                                 "decimalEnclosedCircle", "upperRoman", "lowerLetter", "ideographTraditional")]
    ['12', '十二', '十二', '⑫', 'XII', 'l', '12']
    >>> format_number(10**15, "upperRoman"), format_number(10**9, "lowerLetter"), len(format_number(780, "lowerLetter"))
    ('1000000000000000', '1000000000', 30)
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


_INT_RE = re.compile(r"[+-]?\d{1,10}")


def _int(el, name: str, default: int, *, part: str, what: str) -> int:
    """An integer attribute (``w:val``, ``w:ilvl``), held to Word's 32-bit range; DocxError naming the part if not."""
    value = _attr(el, name)
    if value is None or value == "":
        return default
    text = value.strip()
    if not _INT_RE.fullmatch(text) or not -2**31 <= int(text) < 2**31:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise DocxError(f"in {part}, the {what} {shown!r} is not a whole number Word can hold", part=part)
    return int(text)


def _start(el, *, part: str, what: str) -> int:
    """A list's start value, capped at :data:`MAX_LIST_NUMBER` as Word caps it (and at least 0)."""
    return min(max(_int(el, "val", 1, part=part, what=what), 0), MAX_LIST_NUMBER)


def _read_numbering(z: zipfile.ZipFile, etree) -> _Numbering:
    numbering = _Numbering()
    names = set(z.namelist())
    part = "word/numbering.xml"
    if part in names:
        root = _parse(z, part, etree)
        for ab in root.iter(_w + "abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in ab.findall(_w + "lvl"):
                level = _Level()
                level.start = _start(lvl.find(_w + "start"), part=part, what="list start (w:start)")
                level.fmt = _attr(lvl.find(_w + "numFmt"), "val") or "decimal"
                text = lvl.find(_w + "lvlText")
                level.text = _attr(text, "val") if text is not None and _attr(text, "val") is not None else ""
                if len(level.text) > MAX_LEVEL_TEXT:
                    raise DocxError(f"in {part}, a level text (w:lvlText) is {len(level.text):,} characters long "
                                    f"(Word writes a few; at most {MAX_LEVEL_TEXT} are read)", part=part)
                level.legal = lvl.find(_w + "isLgl") is not None
                levels[_int(lvl, "ilvl", 0, part=part, what="list level (w:ilvl)")] = level
            numbering.abstract[_attr(ab, "abstractNumId")] = levels
        for num in root.iter(_w + "num"):
            overrides = {}
            for ov in num.findall(_w + "lvlOverride"):
                start = ov.find(_w + "startOverride")
                if start is not None:
                    ilvl = _int(ov, "ilvl", 0, part=part, what="list level (w:ilvl)")
                    overrides[ilvl] = _start(start, part=part, what="start override (w:startOverride)")
            numbering.nums[_attr(num, "numId")] = (_attr(num.find(_w + "abstractNumId"), "val"), overrides)
    part = "word/styles.xml"
    if part in names:
        root = _parse(z, part, etree)
        for style in root.iter(_w + "style"):
            num_pr = style.find(f"{_w}pPr/{_w}numPr")
            if num_pr is not None:
                num_id = _attr(num_pr.find(_w + "numId"), "val")
                ilvl = _int(num_pr.find(_w + "ilvl"), "val", 0, part=part, what="list level (w:ilvl)")
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
    def __init__(self, numbering: _Numbering, max_bytes: int | None = None):
        self.numbering = numbering
        self.lines: list[str] = []
        self.max_bytes = max_bytes
        self.size = 0  # UTF-8 bytes of the lines so far, with their line breaks

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
        line = label + "".join(parts)
        if self.max_bytes:  # what the file produces counts, not only what it holds
            self.size += len(line.encode("utf-8", "surrogatepass")) + 1
            if self.size - 1 > self.max_bytes:
                raise DocxTooBig(self.size - 1, self.max_bytes)
        self.lines.append(line)
        for box in boxes:
            self.block(box)

    def _label(self, p) -> str:
        num_pr = p.find(f"{_w}pPr/{_w}numPr")
        num_id, ilvl = None, 0
        if num_pr is not None:
            num_id = _attr(num_pr.find(_w + "numId"), "val")
            ilvl = _int(num_pr.find(_w + "ilvl"), "val", 0, part="word/document.xml", what="list level (w:ilvl)")
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
        root = _parse(z, part, etree)
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
        root = _parse(z, name, etree)
        if "".join(t.text or "" for t in root.iter(_w + "t")).strip():
            texts += 1
    if texts:
        out["header/footer"] = texts
    return out


def _unpack(z: zipfile.ZipFile, part: str) -> bytes:
    """The bytes of one part; every way unpacking can fail becomes a DocxError naming the part."""
    try:
        return z.read(part)
    except NotImplementedError:  # (a RuntimeError) compression method 99 (AES encryption), other unknown methods
        method = z.getinfo(part).compress_type
        reason = (f"it is packed with compression method {method}, which this reader does not know "
                  "(method 99 is AES encryption)")
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        reason = "it is encrypted (the file is password-protected)" if "encrypt" in str(exc) else f"{exc}"
    except zlib.error:
        reason = "its compressed data is damaged"
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, OverflowError) as exc:
        reason = f"it is damaged ({exc})"
    raise DocxError(f"the part {part} cannot be unpacked: {reason}", part=part)


def _parser(etree):
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)


def _parse(z: zipfile.ZipFile, part: str, etree):
    """Unpack and parse one XML part (entities not resolved, no network); DocxError naming the part."""
    data = _unpack(z, part)
    try:
        return etree.fromstring(data, _parser(etree))
    except etree.XMLSyntaxError as exc:
        raise DocxError(f"the XML of {part} is broken ({exc})", part=part) from None


def docx_text(data: bytes, *, max_bytes: int | None = None) -> tuple[str, dict[str, int]]:
    """Return the body text of a ``.docx`` and what was not loaded.

    Args:
        data: The file's bytes.
        max_bytes: Stop with :class:`DocxTooBig` once the text produced passes this many
            UTF-8 bytes (rebuilt list labels count); None or 0 for no limit.

    Returns:
        ``(text, skipped)``: the text, one paragraph (or table cell paragraph, or text
        box paragraph) per line, with automatic numbering labels rebuilt; ``skipped``
        maps ``"comment"``, ``"footnote"``, ``"endnote"``, ``"header/footer"`` to the
        number of such parts holding text that were not loaded (absent when none).

    Raises:
        DocxError: The bytes are not a zip, lack ``word/document.xml``, hold a part twice,
            hold a part that cannot be unpacked (encrypted, damaged, an unknown method),
            broken XML, a number Word cannot hold, or elements nested too deeply; its
            ``part`` names the part when there is one.
        DocxTooBig: The text would pass ``max_bytes``.
    """
    from lxml import etree

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = z.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, OverflowError,
            NotImplementedError, RuntimeError, IndexError, KeyError, UnicodeDecodeError):
        raise DocxError("this is not a readable Word .docx file (not a zip archive)") from None
    if "word/document.xml" not in names:
        raise DocxError("this is not a readable Word .docx file (it has no word/document.xml)")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DocxError(f"the Word file holds two parts named {name} (a reader would show only one of them, "
                            "and which one differs), so it is not loaded", part=name)
        seen.add(name)
    try:
        root = _parse(z, "word/document.xml", etree)
        numbering = _read_numbering(z, etree)
        skipped = _count_notes(z, etree)
        body = root.find(_w + "body")
        walker = _Walker(numbering, max_bytes)
        walker.block(body if body is not None else root)
    except RecursionError:
        raise DocxError("the Word file's XML is nested too deeply to read (Word nests a few dozen levels)",
                        part="word/document.xml") from None
    return "\n".join(walker.lines), skipped
