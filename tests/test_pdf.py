"""PDFs: text layer in reading order, running heads and page numbers removed, paragraphs rebuilt."""

import hashlib
import json
import re
import struct
from collections import Counter
from pathlib import Path

import pytest

from analysis.io.corpus import CorpusError, load_corpus
from analysis.io.pdf import _Line, _drop_running, _paragraphs, pdf_text
from analysis.paths import shared_dir
from speech_pages import CHROMIUM, print_page, print_pdf

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

TITLE = "在全市人才工作会议上的讲话"
#: Paragraphs written for this test: long enough to wrap, many enough for several pages.
_WHAT = ("引进", "培养", "使用", "评价", "激励", "服务")
_WHO = ("青年人才", "领军人才", "技能人才", "乡村人才", "科技人才")
PARAGRAPHS = [TITLE, "同志们："] + [
    f"第{i}项工作，要坚持党管人才原则，做好{_WHO[i % 5]}的{_WHAT[i % 6]}工作，"
    f"把各方面优秀人才集聚到事业中来，为全市高质量发展提供坚强的人才支撑和智力保障，"
    f"各级党委和政府要把{_WHAT[(i + 2) % 6]}{_WHO[(i + 3) % 5]}摆在突出位置，"
    + "研究解决实际问题，" * (i % 7) + "主要负责同志亲自抓、负总责。"
    for i in range(1, 31)]  # of different lengths, as real paragraphs are (pages do not repeat line by line) + ["同志们，让我们携手奋进，共同开创人才工作新局面！"]


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    html = folder / "speech.html"
    html.write_text(print_page(TITLE, "\n".join(PARAGRAPHS[1:])), encoding="utf-8")
    return print_pdf(html, folder / "speech.pdf")  # Chromium's header (date, title) and footer (path, n/m)


@needs_chromium
@pytest.mark.slow
def test_printed_speech_comes_back_as_its_paragraphs(printed):
    text, pages = pdf_text(printed.read_bytes())
    assert pages >= 3
    assert text.split("\n") == PARAGRAPHS
    assert "file:" not in text and not re.search(r"\d+/\d+", text)


@needs_chromium
@pytest.mark.slow
def test_pdf_loads_with_a_note_and_its_outline(printed, tmp_path):
    (tmp_path / "talent.pdf").write_bytes(printed.read_bytes())
    doc = load_corpus(tmp_path).iloc[0]
    assert doc["encoding"] == "pdf" and "text layer" in doc["note"]
    assert doc["title"] == TITLE and doc["level"] == "city" and doc["occasion"] == "全市人才工作会议"
    assert doc["paragraphs"] == len(PARAGRAPHS)


def _line(text, x0, x1, top, page, height=12.0):
    return _Line(text, x0, x1, top, top + height, page)


def test_running_heads_and_page_numbers_go_body_stays():
    pages = []
    for n in range(3):
        pages.append([_line("某某县委组织部 2024年工作文件", 100, 400, 20, n),        # running head, every page
                      _line("正文第一行，写到右边距为止。", 60, 500, 100, n),
                      _line(f"- {n + 1} -", 280, 320, 770, n),                       # page number
                      _line("2024年3月15日", 300, 400, 740, n) if n == 0 else _line("正文", 60, 90, 400, n)])
    kept = _drop_running(pages, [792.0] * 3)
    texts = [[line.text for line in lines] for lines in kept]
    assert texts == [["正文第一行，写到右边距为止。", "2024年3月15日"],       # once only: not a running foot
                     ["正文第一行，写到右边距为止。", "正文"], ["正文第一行，写到右边距为止。", "正文"]]


def test_paragraphs_from_indents_short_lines_and_page_breaks():
    size = 12.0
    lines = [_line("标题居中", 250, 350, 50, 0),
             _line("　　第一段第一行写满了整行", 84, 500, 80, 0),   # indented: a new paragraph
             _line("第一段第二行也写满整行了", 60, 500, 96, 0),
             _line("第一段末行短", 60, 200, 112, 0),               # short: the paragraph ends
             _line("　　第二段开头写满整行了", 84, 500, 128, 0),
             _line("第二段跨页接着写", 60, 500, 40, 1),             # not indented: goes on over the page
             _line("English words and", 84, 500, 60, 1),
             _line("more words", 60, 300, 76, 1)]
    assert _paragraphs([[x for x in lines if x.page == 0], [x for x in lines if x.page == 1]]) == [
        "标题居中", "　　第一段第一行写满了整行第一段第二行也写满整行了第一段末行短",
        "　　第二段开头写满整行了第二段跨页接着写", "English words and more words"]


def test_pdf_without_text_layer_says_it_needs_ocr(tmp_path):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    path = tmp_path / "scan.pdf"
    document.save(str(path))
    with pytest.raises(CorpusError, match="no text layer.*OCR"):
        load_corpus(tmp_path)


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j, out = list(range(256)), 0, bytearray()
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _encrypted_pdf(user: bytes = b"secret", owner: bytes = b"owner") -> bytes:
    """A one-page PDF protected by a user password (standard security handler, revision 2; PDF 1.7 §7.6.3)."""
    pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
    padded = lambda pw: (pw + pad)[:32]  # noqa: E731
    o = _rc4(hashlib.md5(padded(owner)).digest()[:5], padded(user))
    p, doc_id = -44, b"0123456789abcdef"
    key = hashlib.md5(padded(user) + o + struct.pack("<i", p) + doc_id).digest()[:5]
    u = _rc4(key, pad)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
               b"<< /Filter /Standard /V 1 /R 2 /O <" + o.hex().encode() + b"> /U <" + u.hex().encode()
               + b"> /P " + str(p).encode() + b" >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<" % (len(objects) + 1) + doc_id.hex().encode()
            + b"> <" + doc_id.hex().encode() + b">] >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return bytes(out)


def test_encrypted_pdf_says_so(tmp_path):
    (tmp_path / "locked.pdf").write_bytes(_encrypted_pdf())
    with pytest.raises(CorpusError, match="encrypted"):
        load_corpus(tmp_path)


def test_damaged_pdf_says_it_cannot_be_opened(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a PDF body\n")
    with pytest.raises(CorpusError, match="cannot be opened"):
        load_corpus(tmp_path)


@needs_chromium
@pytest.mark.slow
@pytest.mark.shared
def test_shared_speeches_printed_to_pdf(tmp_path):
    path = shared_dir() / "corpora" / "speeches.jsonl"
    rows = {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    han = re.compile(r"[\u4e00-\u9fff]")
    for sid in ("sx-xi-2021-dsxx", "sx-xi-2023-jtxx4"):
        row = rows[sid]
        html = tmp_path / f"{sid}.html"
        html.write_text(print_page(row["title"], row["text"]), encoding="utf-8")
        text, _ = pdf_text(print_pdf(html, tmp_path / f"{sid}.pdf").read_bytes())
        want = Counter(han.findall(row["title"] + row["text"]))
        got = Counter(han.findall(text))
        assert sum((want & got).values()) == sum(want.values()) == sum(got.values()), sid
        paragraphs = [p.strip() for p in (row["title"] + "\n" + row["text"]).split("\n") if p.strip()]
        same = set(paragraphs) & set(text.split("\n"))
        assert len(same) >= 0.9 * len(paragraphs), sid  # the outline needs the paragraph breaks
