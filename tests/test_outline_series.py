"""Outline rules of issue 20, each on a short handwritten text: restarted series, a second list
after the last point, a first item glued to a photo credit, a later list of another kind,
announcements, inline lists that end with their paragraph, dash-led parts, bare numerals."""

from __future__ import annotations

import pytest

from analysis.text.outline import parse_outline

BODY = "要把这项工作抓紧抓实，持续用力。"


def assert_lossless(text: str) -> None:
    o = parse_outline(text)
    pieces = o.pieces()
    assert "".join(text[s:e] for _, s, e in pieces) == text
    assert [s for _, s, _ in pieces[1:]] == [e for _, _, e in pieces[:-1]]
    paths = [n.path for n in o.nodes]
    assert len(set(paths)) == len(paths)


def tops(o) -> list[str]:
    return [n.path for n in o.nodes if n.level == 1 and not n.unheaded]


def children(o, path: str) -> list[str]:
    return [n.path for n in o.nodes if n.parent == path and not n.unheaded]


# --------------------------------------------------------------------------- restarted series

RESTART = ("同志们：\n今天讲几点意见。\n"
           + "".join(f"第{n}，抓好第{n}项工作。{BODY}\n{BODY}\n" for n in "一二三四")
           + "同志们！\n下面讲讲落实。\n"
           + "".join(f"第{n}，落实第{n}项要求。{BODY}\n" for n in "一二三")
           + "同志们，让我们团结一心。")


def test_a_restarted_enumeration_is_a_new_series_not_dropped_or_spliced():
    o = parse_outline(RESTART)
    assert tops(o) == ["第一", "第二", "第三", "第四", "第一#2", "第二#2", "第三#2"]
    assert all(not children(o, p) for p in tops(o))
    assert [(i.kind, i.path) for i in o.issues] == [("restart", "第一#2")]
    assert ("restart", "第一#2") in [(w.kind, w.path) for w in o.warnings]
    assert_lossless(RESTART)


def test_an_enumeration_that_goes_on_is_not_a_restart():
    text = RESTART.replace("第一，落实", "第五，落实").replace("第二，落实", "第六，落实").replace("第三，落实", "第七，落实")
    o = parse_outline(text)
    assert tops(o) == ["第一", "第二", "第三", "第四", "第五", "第六", "第七"] and o.issues == ()


# --------------------------------------------------------------------------- a second list after the last point

def second_list(between: str) -> str:
    return ("同志们：\n"
            + "".join(f"第{n}，关于第{n}个方面。{BODY}\n" for n in "一二三四五六")
            + between
            + "".join(f"{n}是落实第{n}项措施。{BODY}\n" for n in "一二三四五六七八")
            + "同志们，让我们团结一心。")


@pytest.mark.parametrize("between", ["同志们！\n", "同志们！做好今年的工作，要抓好以下方面。\n"])
def test_a_second_list_after_an_address_line_is_not_nested_under_the_last_point(between):
    o = parse_outline(second_list(between))
    assert tops(o) == ["第一", "第二", "第三", "第四", "第五", "第六"] + [f"{n}是" for n in "一二三四五六七八"]
    assert not children(o, "第六")
    assert_lossless(second_list(between))


def test_a_list_right_under_its_point_stays_nested():
    text = ("同志们：\n" + "".join(f"第{n}，关于第{n}个方面。{BODY}\n" for n in "一二三")
            + "".join(f"{n}是落实第{n}项措施。{BODY}\n" for n in "一二")
            + "第四，关于第四个方面。" + BODY + "\n同志们，让我们团结一心。")
    o = parse_outline(text)
    assert tops(o) == ["第一", "第二", "第三", "第四"] and children(o, "第三") == ["第三一是", "第三二是"]


def test_a_later_list_of_headings_after_an_enumeration_is_its_own_series():
    text = ("同志们：\n今天先讲五好。\n" + "".join(f"第{n}，要做到第{n}好。{BODY}\n" for n in "一二三四五")
            + "下面讲四个问题。\n" + "".join(f"{n}、第{n}个问题\n{BODY}\n{BODY}\n" for n in "一二三四")
            + "同志们，让我们团结一心。")
    o = parse_outline(text)
    assert tops(o) == ["第一", "第二", "第三", "第四", "第五", "一", "二", "三", "四"]
    assert not children(o, "第五")
    assert_lossless(text)


# --------------------------------------------------------------------------- glued to a photo credit

def test_a_first_item_glued_to_a_photo_credit_opens_its_list():
    text = ("同志们：\n今天讲三点意见。\n图为培训班现场。记者 〓 摄第一，加强政治引领。" + BODY
            + "第二，夯实基层基础。" + BODY + "第三，抓好人才队伍。" + BODY + "\n同志们，让我们团结一心。")
    o = parse_outline(text)
    assert tops(o) == ["第一", "第二", "第三"] and o.announced == 3
    assert_lossless(text)


def test_ordinal_words_go_on_with_numbers():
    o = parse_outline("首先，抓学习。" + BODY + "其次，抓落实。" + BODY + "第三，抓作风。" + BODY)
    assert tops(o) == ["首先", "其次", "第三"]
    assert tops(parse_outline("首先，抓学习。" + BODY + "第三，抓作风。" + BODY)) == []  # 第三 goes on from 2 only


def test_an_ordinal_inside_a_clause_is_still_no_item():
    text = "全省考核位居第一，成绩突出。第二，夯实基层基础。" + BODY
    assert tops(parse_outline(text)) == []


# --------------------------------------------------------------------------- announcements

@pytest.mark.parametrize("preamble, announced", [
    ("我还想讲一点意见。", None),                    # 一点: "a little", no count
    ("去年会议提出的3点要求，大家落实得好。", None),   # another occasion's count
    ("今年要做好8项重点工作。", 8),
    ("下面讲以下三个方面。", 3),
    ("我讲几点意见。", None),
])
def test_announcements(preamble, announced):
    text = preamble + "\n" + "".join(f"{n}、第{n}部分\n{BODY}\n" for n in "一二三")
    assert parse_outline(text).announced == announced


def test_an_announcement_right_before_a_later_series_counts():
    text = ("同志们：\n" + "".join(f"其{n}，第{n}条规矩。{BODY}" for n in "一二三") + "\n" + BODY + "\n"
            + "重点要做到以下4个方面。" + "".join(f"{n}是第{n}个要求。{BODY}" for n in "一二三四") + "\n")
    o = parse_outline(text)
    assert o.announced == 4 and o.announced_points == 4 and len(tops(o)) == 7


# --------------------------------------------------------------------------- inline lists

def test_the_last_item_of_an_inline_list_ends_with_its_paragraph():
    text = ("一、总体要求\n做好工作要抓三件事。一是抓学习。二是抓落实。三是抓作风，这一条最要紧。\n"
            + BODY * 5 + "\n" + BODY * 5 + "\n二、具体任务\n" + BODY + "\n")
    o = parse_outline(text)
    nodes = {n.path: n for n in o.nodes}
    assert children(o, "一") == ["一一是", "一二是", "一三是"]
    assert text[nodes["一三是"].start:nodes["一三是"].end] == "三是抓作风，这一条最要紧。\n"
    assert nodes["一（未编号）"].unheaded and text[nodes["一（未编号）"].start:].startswith(BODY)
    assert_lossless(text)


def test_an_inline_item_whose_paragraph_breaks_mid_sentence_runs_on():
    text = ("一、总体要求\n做好工作要抓三件事。一是抓学习。二是抓落实。三是抓作风，这一条\n最要紧。\n"
            "二、具体任务\n" + BODY + "\n")
    o = parse_outline(text)
    nodes = {n.path: n for n in o.nodes}
    assert "一（未编号）" not in nodes and text[nodes["一三是"].start:nodes["一三是"].end].endswith("最要紧。\n")


# --------------------------------------------------------------------------- dash-led parts

def dash_speech(opening: str) -> str:
    parts = "".join(f"——{opening}第{n}个方面。{BODY}\n{BODY}\n" for n in "一二三四五")
    return "同志们：\n今天我们在这里集会。\n" + parts + "同志们，让我们团结一心。"


def test_dash_led_parts_with_a_shared_opening_are_the_top_level():
    text = dash_speech("我们纪念他，就要学习他的")
    o = parse_outline(text)
    assert tops(o) == ["——1", "——2", "——3", "——4", "——5"]
    assert [n.kind for n in o.nodes][0] == "preamble" and o.nodes[-1].kind == "closing"
    assert_lossless(text)


def test_dashes_without_a_shared_opening_or_in_a_numbered_speech_are_not_parts():
    loose = "同志们：\n" + "".join(f"——{w}。{BODY}\n" for w in ["甲乙丙", "丁戊己", "庚辛壬"])
    assert tops(parse_outline(loose)) == []
    numbered = "一、第一部分\n" + dash_speech("我们纪念他，就要学习他的") + "\n二、第二部分\n" + BODY
    assert tops(parse_outline(numbered)) == ["一", "二"]


# --------------------------------------------------------------------------- bare numerals stay right

def test_bare_numeral_headings_stay_right():
    text = "前言。\n" + "".join(f"{n}\n{BODY}\n{BODY}\n" for n in "一二三") + "同志们，让我们团结一心。"
    o = parse_outline(text)
    assert tops(o) == ["一", "二", "三"] and o.warnings == ()
