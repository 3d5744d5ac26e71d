"""The fast loader gives exactly what the plain per-character definition gives.

:func:`analysis.io.normalize.normalize` skips steps whose characters are absent, counts odd
characters from one scan, and finds edge spaces, blank lines, redaction marks and spaces
between Han characters with patterns rewritten to start with a character class;
:func:`~analysis.io.normalize.is_traditional` reads only a prefix and skips OpenCC when too
few characters could change; the loader counts Han characters from the runs of other
characters. :func:`reference_normalize` below is the plain definition (every step on every
text, the original patterns, one Python test per character for odd characters, OpenCC on
every sample, a list of offsets), and these tests compare the two on the seed, on odd
strings written here, on generated strings and on every document of ../shared/corpora.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import paths
from analysis.chars import HAN_CLASS, REDACTION, count_han
from analysis.io import corpus, decoding, document
from analysis.io import normalize as N

SEED = paths.corpus_dir() / "organization-work-speech.txt"
CORPORA = paths.shared_dir() / "corpora"


# --------------------------------------------------------------------------- the plain definition


def reference_is_odd(ch: str) -> bool:
    return unicodedata.category(ch) in ("Co", "Cn", "Cs")


def reference_is_traditional(text: str, *, min_changed: int = 3) -> bool:
    han = re.findall(f"[{HAN_CLASS}]", text)
    if not han:
        return False
    sample = "".join(han[:20000])
    converted = N._opencc().convert(sample)
    changed = sum(1 for a, b in zip(sample, converted) if a != b)
    return changed >= min_changed and changed >= N.TRADITIONAL_SHARE * len(sample)


class Plain:
    """A text and, per character, its raw index, as a Python list."""

    def __init__(self, text: str, src: list[int]):
        self.text, self.src = text, src

    def edit(self, edits):
        text, src, pos = [], [], 0
        for start, end, repl in edits:
            text.append(self.text[pos:start])
            src += self.src[pos:start]
            text.append(repl)
            src += self.src[start:end] if len(repl) == end - start else [self.src[start]] * len(repl)
            pos = end
        text.append(self.text[pos:])
        src += self.src[pos:]
        return Plain("".join(text), src), len(edits)

    def sub(self, pattern, repl):
        return self.edit([(m.start(), m.end(), repl) for m in pattern.finditer(self.text)])

    def translate(self, table):
        def one(c):
            to = table.get(ord(c), c)
            return chr(to) if isinstance(to, int) else to

        return Plain("".join(one(c) for c in self.text), self.src)

    def tracked(self):
        return N._Tracked(self.text, np.array(self.src, dtype=np.int64))


def plain(t) -> Plain:
    return Plain(t.text, [int(i) for i in t.src])


def reference_normalize(raw: str, *, to_simplified=False, repair_lines=True, markdown=False):
    """Every step on the whole text, in the order normalize's docstring gives."""
    t = Plain(raw, list(range(len(raw))))
    t = t.sub(N._LINE_ENDS_RE, "\n")[0]
    t = t.sub(N._ZW_LINE_RE, "")[0]
    t = t.sub(N._ZW_RE, "")[0]
    t = t.translate(N._TRANSLATE)
    odd = sum(1 for ch in t.text if reference_is_odd(ch))
    if N._COMPAT_RE.search(t.text):
        t = t.translate(N._compat_table())
    if markdown:
        t = t.sub(N._MD_HEADING_RE, "")[0]
        t = t.edit([e for m in N._MD_EMPHASIS_RE.finditer(t.text)
                    for e in ((m.start(), m.start() + 2, ""), (m.end() - 2, m.end(), ""))])[0]
    else:
        t = t.edit([e for m in N._LINE_EMPHASIS_RE.finditer(t.text) if N._emphasized_heading(t.text, m)
                    for e in ((m.start(1), m.end(1), ""), (m.start(3), m.end(3), ""))])[0]
    edits = []
    for m in N._HAN_SPACE_RE.finditer(t.text):
        line_start = t.text.rfind("\n", 0, m.start()) + 1
        if not N._MARKER_BEFORE_SPACE_RE.fullmatch(t.text[line_start:m.start()].lstrip(" ")):
            edits.append((m.start(), m.end(), ""))
    t = t.edit(edits)[0]
    converted = bool(to_simplified) and (to_simplified != "auto" or reference_is_traditional(t.text))
    if converted:
        t = plain(N._to_simplified(t.tracked()))
    repaired = 0
    if repair_lines:
        tracked, repaired = N._repair_lines(t.tracked())
        t = plain(tracked)
    t = t.sub(N._EDGE_SPACES_RE, "")[0]
    t = t.sub(N._BLANK_LINES_RE, "\n")[0]
    t = t.sub(N._OUTER_NEWLINES_RE, "")[0]
    t, redactions = t.sub(N.REDACTION_RE, REDACTION)
    return {"text": t.text, "raw_offsets": t.src + [len(raw)], "redactions": redactions,
            "lines_repaired": repaired, "to_simplified": converted, "odd_characters": odd}


def assert_same(raw: str, **options) -> None:
    got = N.normalize(raw, **options)
    want = reference_normalize(raw, **options)
    assert got.raw is raw
    assert got.raw_offsets.dtype == np.int64 and not got.raw_offsets.flags.writeable
    assert got.text == want["text"]
    assert got.raw_offsets.tolist() == want["raw_offsets"]
    for key in ("redactions", "lines_repaired", "to_simplified", "odd_characters"):
        assert getattr(got, key) == want[key], key


OPTIONS = [dict(to_simplified=s, repair_lines=r, markdown=m)
           for s in (False, True, "auto") for r in (True, False) for m in (False, True)]

ALL_BMP = "".join(chr(c) for c in range(0x10000))

#: Written for these tests: each holds characters one step of normalize acts on.
ODD = [
    "", "\n", "\n\n\n", "  \u3000\n\n", "甲乙丙", "\n\n甲\n\n",
    "私用\ue000区\uf8ff和\U000f0000\U0010fffd字\n",
    "未分配\u0378\u03a2\ufdd0\ufffe\uffff\U0001fffe\U000e0080\U00040000。",
    "孤立代理\ud800\udc00\udfff字",
    "控制\x00\x01\x07\x1b\x7f\x80\x9f字\x0b\x0c\x85行",
    "\ufeff开头\r\n第二行\r第三行\u2028第四\u2029第五",
    "全角ＡＢＣ１２３ａｂｃ！（一）、．＠",
    "扩展\U00020000\U0002a6df\U00030000\U0003134f\U000323af兼容\U0002f800\u2f00\u2e80\uf900字",
    "表情😀🀄\U0001f9ff",
    "零宽\u200b\u200c\u200d\u2060\ufeff\n\u200b\n74.4\n\u200b\n万亿元",
    "\u3000\u3000政府工作报\n告\u200b：２０２３\n年，××同志讲\n4\n点意见。\n\n\n一、总体要求\n",
    "## 标题\n**强调**正文__下划__\n\n***\n某某同志○○□□■■＊＊XX xx ab××cd 二○○二年 ○○年",
    "**一、标题**\n正文 让人 才在乡村振 兴中\n第一条 党员\n  前后空格  \n",
    "組織工作會議上的講話。\n堅持黨的領導，\n發揚優良傳統。",
    "\t\u00a0\u1680\u2000\u200a\u202f\u205f空格\t",
    "\ud7ff\ue000\uf8ff\U000ffffd\U000fffff\U0010ffff\U0010fffe",
    ALL_BMP,
    "".join(chr(c) for c in range(0x10000, 0x110000, 97)),
    "\n".join(ALL_BMP[i:i + 37] for i in range(0, 0x10000, 37)),
]


# --------------------------------------------------------------------------- the rewritten patterns

PATTERN_ALPHABET = list("党的建设二○年月日一十 \n×╳XxAb*＊某□■〓，。：、") + ["\n\n", "  ", "**", "__"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PATTERN_ALPHABET), max_size=60).map("".join))
def test_each_rewritten_pattern_finds_the_original_matches(text):
    def spans(pattern):
        return [m.span() for m in pattern.finditer(text)]

    assert spans(N._EDGE_SPACES_FAST_RE) == spans(N._EDGE_SPACES_RE)
    assert spans(N._BLANK_LINES_FAST_RE) == spans(N._BLANK_LINES_RE)
    assert spans(N._REDACTION_FAST_RE) == spans(N.REDACTION_RE)
    assert spans(N._HAN_SPACE_FAST_RE) == spans(N._HAN_SPACE_RE)
    assert [(s, e) for s, e, _ in N._outer_newline_edits(text)] == spans(N._OUTER_NEWLINES_RE)


@pytest.mark.parametrize("text", ["××", "Ａ××", "a××b", "××××A", "x××", "二○○二", "○○○年", "〓", "〓〓××",
                                  "*＊*", "某某某", "□■□", "AXXb", "XX", "\n\n\n", "\n", "", " a ", "甲 乙"])
def test_rewritten_patterns_on_hand_picked_strings(text):
    assert [m.span() for m in N._REDACTION_FAST_RE.finditer(text)] == [m.span() for m in N.REDACTION_RE.finditer(text)]
    assert [m.span() for m in N._EDGE_SPACES_FAST_RE.finditer(text)] == \
        [m.span() for m in N._EDGE_SPACES_RE.finditer(text)]
    assert [(s, e) for s, e, _ in N._outer_newline_edits(text)] == \
        [m.span() for m in N._OUTER_NEWLINES_RE.finditer(text)]


def test_the_scan_class_holds_every_odd_character():
    rare = N._rare_characters(ALL_BMP + "\U00020000\U000f0000\U0010ffff")
    odd = [ch for ch in ALL_BMP if reference_is_odd(ch)]
    assert odd and all(rare[ch] == 1 for ch in odd)
    assert all(rare[ch] == 1 for ch in "\U00020000\U000f0000\U0010ffff\r\u2028\u200b\u3000１Ａａ\uf900\u2f00")
    assert rare["党"] == 0 and rare["\n"] == 0 and rare[" "] == 0


# --------------------------------------------------------------------------- normalize = the definition


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_normalize_equals_the_definition_on_odd_strings(options):
    for raw in ODD:
        assert_same(raw, **options)


@pytest.mark.parametrize("options", OPTIONS[:4], ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_normalize_equals_the_definition_on_the_seed(options):
    assert_same(SEED.read_text(encoding="utf-8"), **options)
    assert_same(SEED.read_text(encoding="utf-8"), to_simplified="auto")


ALPHABET = list("党的建设组织工作报告年月日二一○，。、：（）“”") + [
    "\n", "\n\n", " ", "\u3000", "\u00a0", "\t", "\u200b", "\ufeff", "\r\n", "\r", "\u2028", "\x85",
    "１", "Ａ", "ｂ", "×", "X", "x", "某", "*", "＊", "〓", "1", "a", "#", "## ", "**", "__",
    "廣", "黨", "組", "織", "\ue000", "\u0378", "\ud800", "\U00020000", "\U000f0000", "\uf900", "\u2f00",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=80).map("".join), st.sampled_from(OPTIONS))
def test_normalize_equals_the_definition_on_generated_strings(raw, options):
    assert_same(raw, **options)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("组织工作会议讲话党领导坚持發揚優良傳統組織會議講話黨領導堅") + ["。"]),
                min_size=1, max_size=120).map("".join))
def test_is_traditional_equals_the_definition_near_its_threshold(text):
    assert N.is_traditional(text) == reference_is_traditional(text)


def test_is_traditional_reads_only_the_first_20000_han_characters():
    simplified = "组织工作会议讲话。" * 2600        # 20,800 Han characters
    assert N._first_han(simplified + "組織會議講話" * 50, 20000) == "".join(
        re.findall(f"[{HAN_CLASS}]", simplified))[:20000]
    late = simplified + "組織會議講話" * 500     # traditional only after the sample
    early = "組織會議講話" * 400 + simplified    # 2,400 of the 20,000 sampled are traditional
    assert not N.is_traditional(late) and not reference_is_traditional(late)
    assert N.is_traditional(early) and reference_is_traditional(early)
    assert N._first_han("a。b", 5) == "" and N._first_han("甲a乙", 1) == "甲"


@pytest.mark.parametrize("text", ["", "abc", "党的建设\n", "\U00020000x\uf900", ALL_BMP, "一" * 70000 + "a" * 70000])
def test_loader_han_count_equals_count_han(text):
    assert document._count_han(text) == count_han(text)


# --------------------------------------------------------------------------- the loader


def check_loaded(frame) -> int:
    """Compare every loaded row with the definition applied to its raw text; return the rows."""
    for row in frame.itertuples():
        want = reference_normalize(row.raw, to_simplified="auto", repair_lines=True,
                                   markdown=str(row.source_path).endswith(".md"))
        assert row.text == want["text"], row.id
        assert row.raw_offsets.dtype == np.int64 and row.raw_offsets.tolist() == want["raw_offsets"], row.id
        assert (row.redactions, row.lines_repaired, row.to_simplified) == \
            (want["redactions"], want["lines_repaired"], want["to_simplified"]), row.id
        assert row.han_chars == count_han(row.text), row.id
        odd = want["odd_characters"]
        assert (f"{odd} private-use or unassigned character(s) kept" in row.note) == bool(odd), row.id
        assert N.is_traditional(row.text) == reference_is_traditional(row.text), row.id
    return len(frame)


def test_loading_the_seed_equals_the_definition():
    assert check_loaded(corpus.load_corpus(SEED)) == 1


def test_loading_odd_files_equals_the_definition(tmp_path):
    files = {
        "crlf.txt": "第一行\r\n第二行\r\n\r\n一、标题\r\n正文。".encode("utf-8"),
        "bom8.txt": "\ufeff讲话\u3000全文。\n私用\ue000。".encode("utf-8"),
        "bom16.txt": "\ufeff讲话\U00020000\ue001。".encode("utf-16-le"),
        "gbk.txt": "组织工作会议讲话。同志们：\n一、总体要求\n坚持党的领导。".encode("gbk"),
        "ctrl.txt": "控制\x01\x02字符\x7f。\n正文\x1b。".encode("utf-8"),
        "md.md": "# 标题\n\n## 一、总体\n\n**重点**内容\ue000。".encode("utf-8"),
        "trad.txt": "組織工作會議上的講話。\n堅持黨的領導。".encode("utf-8"),
        "astral.txt": ("𠀀𪛟😀\U000f0001" * 50 + "。").encode("utf-8"),
        "records.jsonl": '{"id": "r1", "text": "正文\\ue000。\\r\\n××同志"}\n{"id": "r2", "text": "\\u0378字"}\n'.encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    frame = corpus.load_corpus(tmp_path)
    assert check_loaded(frame) == len(files) + 1
    assert frame.set_index("id").loc["bom16", "encoding"] == "utf-16-le"


@pytest.mark.shared
def test_loading_every_reference_document_equals_the_definition():
    files = sorted(CORPORA.glob("*.jsonl")) if CORPORA.is_dir() else []
    loaded = sum(check_loaded(corpus.load_corpus(path)) for path in files)
    assert loaded >= 175  # the four collections of ../shared/corpora


# --------------------------------------------------------------------------- decoding


def reference_cjk_score(text: str) -> float:
    good = bad = other = 0
    for ch in text:
        o = ord(ch)
        if o < 128:
            if o < 32 and ch not in "\t\n\r\f\v":
                bad += 1
            continue
        if (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F
                or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x2027 or o in (0xB7, 0xD7)):
            good += 1
        elif 0xE000 <= o <= 0xF8FF or unicodedata.category(ch) in ("Cc", "Co", "Cn"):
            bad += 1
        else:
            other += 1
    total = good + bad + other
    return (good - 2 * bad) / total if total else 0.0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.characters(), st.sampled_from(list("党，。\t\n\r\x0b\x0c\x01\x1f\x7f\ue000\u0378\x85·×‐")),
                          st.sampled_from(["\U000f0001", "\U000e0001", "\U00020000", "\U00040000", "\ud800"])),
                max_size=60).map("".join))
def test_cjk_score_equals_the_definition_on_generated_strings(text):
    assert decoding._cjk_score(text) == reference_cjk_score(text)


def test_cjk_score_equals_the_definition_on_decodings_of_the_seed():
    data = SEED.read_text(encoding="utf-8").encode("gb18030")
    texts = [ALL_BMP, "".join(chr(c) for c in range(0x10000, 0x110000, 89)), data.decode("gb18030")]
    texts += [data.decode(codec, "replace") for codec in ("big5", "cp949", "latin-1", "shift_jis", "utf-16-le")]
    for text in texts:
        assert decoding._cjk_score(text) == reference_cjk_score(text)
