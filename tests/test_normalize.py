"""Tests for analysis.io.normalize: what changes, what must not, and the map back to the raw text."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import paths
from analysis.io.normalize import Normalized, normalize, raw_span
from analysis.chars import REDACTION

SEED = paths.corpus_dir() / "organization-work-speech.txt"

SPACES = "\u3000\u00a0\u2002\u2003\u2009\u202f\t "
LINE_ENDS = "\r\n\u2028\u2029\x0b\x0c\x85"
REDACTION_CHARS = "×╳XxＸｘ*＊某○□■〓"


def related(raw_char: str, text_char: str, *, simplified: bool = False) -> bool:
    """Whether ``text_char`` may legitimately have been produced from ``raw_char``."""
    if raw_char == text_char:
        return True
    if text_char == " ":
        return raw_char in SPACES
    if text_char == "\n":
        return raw_char in LINE_ENDS
    if text_char == REDACTION:
        return raw_char in REDACTION_CHARS
    if unicodedata.normalize("NFKC", raw_char) == text_char and text_char.isascii() and text_char.isalnum():
        return True  # full-width digit or letter
    if simplified:
        return "\u4e00" <= raw_char <= "\u9fff" and "\u4e00" <= text_char <= "\u9fff"
    return False


def assert_offsets_valid(n: Normalized, raw: str) -> None:
    off = n.raw_offsets
    assert len(off) == len(n.text) + 1
    assert off[-1] == len(raw)
    assert np.all(np.diff(off) > 0) or len(n.text) == 0, "offsets must strictly increase"
    for i, ch in enumerate(n.text):
        assert related(raw[off[i]], ch, simplified=n.to_simplified), (i, raw[off[i]], ch)


# --------------------------------------------------------------------------- characters


@pytest.mark.parametrize("zw", ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"])
def test_zero_width_characters_are_removed(zw):
    raw = f"党的{zw}建设{zw}"
    n = normalize(raw)
    assert n.text == "党的建设"
    assert_offsets_valid(n, raw)


def test_a_line_holding_only_zero_width_characters_disappears_with_its_break():
    n = normalize("国内生产总值达到74.4\n\u200b\n万亿元。")
    assert n.text == "国内生产总值达到74.4万亿元。"


@pytest.mark.parametrize("space", ["\u3000", "\u00a0", "\u2002", "\u202f", "\t"])
def test_spaces_become_ascii_and_line_edges_are_trimmed(space):
    # (a space between two Han characters is removed, issue 12: hence GDP here)
    n = normalize(f"{space}{space}第一段{space}GDP内容。\n{space}第二段。{space}")
    assert n.text == "第一段 GDP内容。\n第二段。"


def test_full_width_digits_and_letters_become_ascii_but_outline_punctuation_stays():
    n = normalize("１９９７年ＧＤＰ增长ｘ，一、（一）１．要求：好。")
    assert n.text == "1997年GDP增长x，一、（一）1．要求：好。"


def test_line_ends_are_unified():
    assert normalize("甲。\r\n乙。\r丙。\u2028丁。").text == "甲。\n乙。\n丙。\n丁。"


def test_blank_line_runs_collapse_to_one_break():
    raw = "\n\n甲段。\n\n\n\n乙段。\n \n\u3000\n丙段。\n\n"
    n = normalize(raw)
    assert n.text == "甲段。\n乙段。\n丙段。"
    assert_offsets_valid(n, raw)


def test_bytes_are_refused_with_a_hint():
    with pytest.raises(TypeError, match="decode"):
        normalize("讲话".encode("utf-8"))


# --------------------------------------------------------------------------- line repair

REPAIRS = [
    # (before, after, breaks repaired): broken words and numbers are joined
    ("政府工作报\n告", "政府工作报告", 1),
    ("今年经济增长，2018\n年以来稳中有进。", "今年经济增长，2018年以来稳中有进。", 1),
    ("我重点讲\n4\n点意见。", "我重点讲4点意见。", 2),
    ("广义货币M\n2\n增长百分之十。", "广义货币M2增长百分之十。", 2),
    ("细颗粒物（PM\n2.5\n）浓度下降。", "细颗粒物（PM2.5）浓度下降。", 2),
    ("他说：“\n要团结。\n”大家鼓掌。", "他说：“要团结。”大家鼓掌。", 2),
    ("消除了种种疑虑\n，掀起了新的热潮。", "消除了种种疑虑，掀起了新的热潮。", 1),
    ("要咬定目标不放松\n。心中有目标。", "要咬定目标不放松。心中有目标。", 1),
    ("上半年\nGDP\n达到\n2508\n亿元。", "上半年GDP达到2508亿元。", 4),
    ("市委党校\n2018\n年秋季学期开学了。", "市委党校2018年秋季学期开学了。", 2),
    # a heading broken after its number is joined, then stays on its own line
    ("意见如下。\n1\n、这是\n“实干”\n的要求\n。正文。", "意见如下。\n1、这是“实干”的要求。正文。", 4),
    # a marker alone on its line is joined with its title
    ("规定如下：\n一、\n继续保持收支平衡。", "规定如下：\n一、继续保持收支平衡。", 1),
    # paragraphs separated by blank lines: a single break inside a sentence is an artifact
    ("甲段。\n\n这是一个被链接\n打断的句子。\n\n乙段。\n\n丙段。", "甲段。\n这是一个被链接打断的句子。\n乙段。\n丙段。", 1),
    # a Latin token between Han text is glued
    ("增长率达\nGDP\n的一半。", "增长率达GDP的一半。", 2),
]

KEPT = [
    # real paragraph breaks
    "第一段到此结束。\n第二段从这里开始。",
    "会议强调！\n要抓好落实；\n做到：\n心中有数。",
    # a heading line is never pulled into the paragraph before it, nor the paragraph after it into it
    "我们要做好以下工作\n一、加强党的建设\n（一）提高组织力\n第一，要学习。\n1．抓好培训\n（1）全员轮训\n第二章 附则",
    "一、深入学习贯彻党的创新理论，深刻认识实干的现实意义\n大家都已认真学习过。",
    "三、以行动大担当推动事业大发展，打造高质量发展增长极\n思想解放是行动担当的前提。",
    # an unnumbered heading or label in a text whose paragraphs are single lines
    "核心阅读\n党建思想是在长期实践中形成的。",
    "蔡奇同志的总结讲话\n学习贯彻新思想，要求全党上下一致。",
    # a title block: title, date line, speaker, salutation
    "在全区组织工作会议上的讲话\n（2023年6月1日）\n张三\n同志们：\n今天开会。",
    # an indented line starts a paragraph, even after an unfinished line
    "国务院总理\n\u3000\u3000李四\n各位代表：",
    # a dash-led list item starts a new paragraph
    "主要成就如下\n——经济运行稳中向好。",
    # Latin lines without punctuation (a licence footer) stay lines, even between blank-line paragraphs
    "甲段。\n\n乙段。\n\nPublic domain\nPublic domain\nfalse",
]


@pytest.mark.parametrize(("before", "after", "repaired"), REPAIRS)
def test_lines_broken_inside_a_word_or_number_are_repaired(before, after, repaired):
    n = normalize(before)
    assert n.text == after
    assert n.lines_repaired == repaired
    assert_offsets_valid(n, before)


@pytest.mark.parametrize("text", KEPT)
def test_real_paragraphs_and_headings_are_not_merged(text):
    n = normalize(text)
    expected = "\n".join(line for line in (raw.strip(" \u3000") for raw in text.split("\n")) if line)
    assert n.text == expected
    assert n.lines_repaired == 0


def test_repair_can_be_switched_off():
    n = normalize("政府工作报\n告", repair_lines=False)
    assert n.text == "政府工作报\n告"
    assert n.lines_repaired == 0


def test_seed_speech_needs_no_repair_and_keeps_its_26_paragraphs():
    raw = SEED.read_text(encoding="utf-8")
    n = normalize(raw)
    assert n.lines_repaired == 0
    assert n.text == raw.replace("××", REDACTION).strip("\n")
    assert n.text.count("\n") + 1 == 26


# --------------------------------------------------------------------------- redactions


@pytest.mark.parametrize(
    ("raw", "text", "count"),
    [
        ("××同志讲话", "〓同志讲话", 1),
        ("×××书记", "〓书记", 1),
        ("XX区和xx县", "〓区和〓县", 2),
        ("＊＊同志", "〓同志", 1),
        ("***单位", "〓单位", 1),
        ("某某乡", "〓乡", 1),
        ("○○同志", "〓同志", 1),
        ("□□村", "〓村", 1),
        ("××和XX", "〓和〓", 2),
        ("ＸＸ市", "〓市", 1),  # full-width X becomes X first
        ("某些地方某人说", "某些地方某人说", 0),  # 某 alone is an ordinary word
        ("XXL码和Linux系统", "XXL码和Linux系统", 0),  # X inside Latin words is no mark
        ("二○○二年", "二○○二年", 0),  # ○ as a Chinese zero
        ("3×5的方阵", "3×5的方阵", 0),  # a single × is a multiplication sign
    ],
)
def test_redaction_marks_are_counted_and_replaced_by_one_placeholder(raw, text, count):
    n = normalize(raw)
    assert (n.text, n.redactions) == (text, count)
    assert_offsets_valid(n, raw)


def test_markdown_marks_are_dropped_and_not_taken_for_redactions():
    raw = "# 在全县会议上的讲话\n## 一、总体要求\n**（一）坚持原则。**要**同志负责，__务必__落实。"
    md = normalize(raw, markdown=True)
    assert md.text == "在全县会议上的讲话\n一、总体要求\n（一）坚持原则。要〓同志负责，务必落实。"
    assert md.redactions == 1
    assert_offsets_valid(md, raw)
    plain = normalize("**（一）坚持原则。**")  # in plain text, ** is a redaction mark
    assert (plain.text, plain.redactions) == ("〓（一）坚持原则。〓", 2)


def test_seed_has_nine_redactions():
    n = normalize(SEED.read_text(encoding="utf-8"))
    assert n.redactions == 9 == n.text.count(REDACTION)


# --------------------------------------------------------------------------- traditional → simplified


def test_traditional_to_simplified_is_off_by_default_and_recorded_when_on():
    raw = "廣州共產黨報告\n我們黨的組織工作會議。"
    off = normalize(raw)
    assert off.text == raw and off.to_simplified is False
    on = normalize(raw, to_simplified=True)
    assert on.text == "广州共产党报告\n我们党的组织工作会议。"
    assert on.to_simplified is True
    assert_offsets_valid(on, raw)


# --------------------------------------------------------------------------- offsets


def test_raw_span_maps_a_whole_span_back():
    raw = "\u3000\u3000政府工作报\n告\u200b：２０２３\n年，××同志。\n\n下一段。"
    n = normalize(raw)
    assert n.text == "政府工作报告：2023年，〓同志。\n下一段。"
    start = n.text.index("报告")
    s, e = raw_span(n, start, start + 2)
    assert raw[s:e] == "报\n告"
    s, e = raw_span(n, n.text.index("2023"), n.text.index("2023") + 5)
    assert raw[s:e] == "２０２３\n年"
    s, e = raw_span(n, n.text.index(REDACTION), n.text.index(REDACTION) + 1)
    assert raw[s:e] == "××"
    s, e = raw_span(n, 0, len(n.text))
    assert raw[s:e] == raw.strip("\u3000")
    assert raw_span(n, 3, 3) == (int(n.raw_offsets[3]),) * 2


def test_raw_span_rejects_spans_outside_the_text():
    n = normalize("甲乙")
    with pytest.raises(ValueError, match="not inside"):
        raw_span(n, 1, 5)


ALPHABET = list("党的建设组织工作报告年月日二一，。、：（）“”") + [
    "\n", "\n\n", " ", "\u3000", "\u00a0", "\t", "\u200b", "\u200d", "\ufeff", "\r\n", "\r",
    "１", "２", "Ａ", "ｂ", "×", "X", "x", "某", "*", "＊", "○", "〓", "1", "2", "a", "M", "廣", "黨",
]


@settings(max_examples=150, deadline=None)
@given(
    raw=st.lists(st.sampled_from(ALPHABET), max_size=80).map("".join),
    to_simplified=st.booleans(),
    repair=st.booleans(),
    data=st.data(),
)
def test_every_normalized_character_maps_back_to_a_related_raw_character(raw, to_simplified, repair, data):
    n = normalize(raw, to_simplified=to_simplified, repair_lines=repair)
    assert_offsets_valid(n, raw)
    for bad in "\u200b\u200d\ufeff\u3000\u00a0\t\r１２Ａｂ":
        assert bad not in n.text
    assert "\n\n" not in n.text and not n.text.startswith("\n") and not n.text.endswith("\n")
    # any span maps back to a raw stretch that holds exactly its source characters
    start = data.draw(st.integers(0, len(n.text)))
    end = data.draw(st.integers(start, len(n.text)))
    s, e = raw_span(n, start, end)
    assert all(s <= n.raw_offsets[i] < e for i in range(start, end))
    if not to_simplified:
        def han(chars):
            return [c for c in chars if "\u4e00" <= c <= "\u9fff" and c != "某"]

        assert han(raw[s:e]) == han(n.text[start:end])
