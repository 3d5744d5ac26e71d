"""Outline warnings (analysis.text.diagnostics): each check on hand-worked lengths, the tidy
table, the warnings column of the outline table, and the marks in the structure charts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.plots.outline import WARNING_MARK, plot_outline_treemap, plot_section_lengths
from analysis.text.diagnostics import OutlineWarning, outline_warnings_of
from analysis.text.outline import Issue, outline_table, outline_warnings, parse_outline, text_section_lengths


def kinds(warnings) -> list[tuple[str, str]]:
    return [(w.kind, w.path) for w in warnings]


def node(path, han, *, parent=None, unheaded=False, kids=False):
    return (path, parent, han, unheaded, kids)


# --------------------------------------------------------------------------- the checks, on lengths

def test_dominant_needs_more_than_half_and_quiet_siblings():
    # 60 of 100 with siblings of 10, 10, 10, 10: 60% > 50%, each sibling 10% <= 10%
    assert kinds(outline_warnings_of([node("一", 10), node("二", 10), node("三", 60), node("四", 10), node("五", 10)],
                                     issues=[], announced=None, announced_points=None)) == [("dominant", "三")]
    # 60 of 100 with a sibling of 20: a loud sibling, no warning
    assert outline_warnings_of([node("一", 20), node("二", 60), node("三", 10), node("四", 10)],
                               issues=[], announced=None, announced_points=None) == []
    # exactly half is not more than half
    assert outline_warnings_of([node("一", 50), node("二", 10), node("三", 10), node("四", 10), node("五", 10),
                                node("六", 10)], issues=[], announced=None, announced_points=None) == []


def test_an_unheaded_part_is_never_dominant():
    assert outline_warnings_of([node("一（一）", 5, parent="一"), node("一（二）", 5, parent="一"),
                                node("一（未编号）", 90, parent="一", unheaded=True)],
                               issues=[], announced=None, announced_points=None) == []


def test_long_parent_is_a_point_with_sub_points_three_times_its_longest_sibling():
    nodes = [node("一", 100), node("二", 120), node("三", 361, kids=True), node("三（一）", 180, parent="三"),
             node("三（二）", 181, parent="三")]
    assert kinds(outline_warnings_of(nodes, issues=[], announced=None, announced_points=None)) == [("long_parent", "三")]
    nodes[2] = node("三", 360, kids=True)  # 360 = 3 x 120: not more than three times
    assert outline_warnings_of(nodes, issues=[], announced=None, announced_points=None) == []
    nodes[2] = node("三", 361)  # as long, but no sub-points: nothing nested under it
    assert outline_warnings_of(nodes, issues=[], announced=None, announced_points=None) == []


def test_numbering_issues_and_announced_counts():
    issues = [Issue("gap", "第五", 1, 3, 5), Issue("restart", "第一#2", 1, 5, 1)]
    warnings = outline_warnings_of([], issues=issues, announced=4, announced_points=3)
    assert warnings == [OutlineWarning("gap", "第五", "numbering skips from 2 to 5 at 第五"),
                        OutlineWarning("restart", "第一#2", "numbering starts again at 第一#2 after 4 points: a new series"),
                        OutlineWarning("announced", "", "announces 4 points, 3 found")]
    assert outline_warnings_of([], issues=[], announced=3, announced_points=3) == []


# --------------------------------------------------------------------------- on parsed texts

BODY = "要把这项工作抓紧抓实，持续用力。"


def test_a_point_that_swallows_the_speech_is_flagged_where_the_parser_cannot_tell():
    # one paragraph, no line breaks: 三是 runs to the end. Han characters: 一是 and 二是 5 + 14 = 19
    # each, 三是 5 + 20 x 14 = 285; of 323, 三是 holds 88% and each sibling 5.9% (<= 10%)
    text = "讲三点。一是抓学习。" + BODY + "二是抓落实。" + BODY + "三是抓作风。" + BODY * 20
    o = parse_outline(text)
    assert [n.path for n in o.nodes if n.level == 1] == ["一是", "二是", "三是"]
    assert kinds(o.warnings) == [("dominant", "三是")]


def test_the_tidy_table_and_the_outline_table_column():
    docs = pd.DataFrame({"id": ["a", "b"], "text": ["讲三点意见。\n一、甲\n正文。\n二、乙\n正文。", "一、甲\n二、乙"]})
    table = outline_warnings(docs)
    assert table.to_dict("records") == [
        {"document": "a", "path": "", "kind": "announced", "message": "announces 3 points, 2 found"}]
    nodes = outline_table(docs)
    assert nodes["warnings"].tolist() == ["announces 3 points, 2 found", "", "", "", ""]
    assert outline_warnings(docs.iloc[1:]).empty and list(outline_warnings(docs.iloc[1:]).columns) == [
        "document", "path", "kind", "message"]


def test_charts_mark_warned_points():
    lengths = text_section_lengths("一、甲\n二、乙乙\n三、丙", document="d")
    warnings = pd.DataFrame({"document": ["d"], "path": ["二"], "kind": ["dominant"], "message": ["holds 50%"]})
    tree = plot_outline_treemap(lengths, warnings=warnings).data[0]
    marked = [label.startswith(WARNING_MARK) for label in tree.labels]
    assert marked == [False, False, True, False]
    assert list(tree.marker.line.color) == ["white", "white", "#c0392b", "white"]
    bars = plot_section_lengths(lengths, warnings=warnings).data[0]
    assert [y.startswith(WARNING_MARK) for y in bars.y] == [False, True, False]
    assert not any(y.startswith(WARNING_MARK) for y in plot_section_lengths(lengths).data[0].y)


@pytest.mark.shared
def test_warnings_on_the_development_set_are_the_ones_judged_by_hand():
    """The speeches of ../shared/corpora where a warning fires, each looked at by hand:
    two enumerations that really start again (the outline is right, the warning says so) and
    one single-paragraph text whose inline list runs to the end of its section (a real error
    of section lengths: without line breaks the parser cannot tell where the last item ends)."""
    import json

    from analysis.io.normalize import normalize
    from analysis.paths import shared_dir

    path = shared_dir() / "corpora" / "speeches.jsonl"
    fired = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        warnings = parse_outline(normalize(record["text"]).text).warnings
        if warnings:
            fired[record["id"]] = kinds(warnings)
    assert fired == {"sx-chengy-2009-jdh": [("restart", "一是#2")],
                     "m-xi-2020-ztjy-sum": [("restart", "一是#2")],
                     "p-xi-2020-14th-expl": [("dominant", "二五是")]}
