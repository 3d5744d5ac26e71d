"""The bad-input suite of issue 12: real-world files that used to lose text or structure.

Each file in ``tests/fixtures/bad_inputs/`` (rebuilt by ``tests/fixtures/make_bad_inputs.py``,
all written for these tests) is loaded through the public loader and checked for the value
a reader sees in it. Every case here failed on the code before issue 12.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.io.corpus import CorpusError, load_corpus
from analysis.io.normalize import normalize, raw_span
from analysis.settings import Settings
from analysis.text.outline import parse_outline

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bad_inputs"


def load(name: str, **settings):
    return load_corpus(FIXTURES / name, manifest=False, settings=Settings(**settings) if settings else None)


def doc(name: str, **settings):
    return load(name, **settings).iloc[0]


def outline_of(name: str):
    return parse_outline(doc(name)["text"])


def level_counts(outline) -> dict[int, int]:
    counts: dict[int, int] = {}
    for n in outline.nodes:
        if n.level > 0 and not n.unheaded:
            counts[n.level] = counts.get(n.level, 0) + 1
    return counts


def test_the_suite_has_at_least_thirty_files():
    assert len([p for p in FIXTURES.iterdir() if p.is_file()]) >= 30


# --------------------------------------------------------------------------- outlines


def test_a_point_glued_to_a_photo_caption_continues_its_series():
    o = outline_of("outline-glued-caption.txt")
    assert [n.path for n in o.nodes if n.level == 1] == ["第一", "第二", "第三"]
    assert (o.announced, o.found) == (3, 3)
    assert o.nodes[-1].kind == "closing"


def test_a_gap_in_an_inline_series_is_reported():
    o = outline_of("outline-series-gap.txt")
    assert o.found == 3
    assert [(i.kind, i.path, i.expected, i.found) for i in o.issues] == [("gap", "第五", 3, 5)]


def test_di_yi_ge_wenti_with_a_colon_is_the_top_level_with_di_yi_beneath():
    o = outline_of("outline-wenti-colon.txt")
    assert level_counts(o) == {1: 3, 2: 4}
    assert (o.announced, o.found) == (3, 3)
    assert [n.title for n in o.nodes if n.level == 1] == ["关于形势", "关于任务", "关于作风"]


def test_di_yi_ge_wenti_inline_after_a_sentence_end():
    o = outline_of("outline-wenti-inline.txt")
    assert (o.announced, o.found) == (4, 4)


def test_di_yi_ge_fangmian_title_lines():
    o = outline_of("outline-fangmian.txt")
    assert (o.announced, o.found) == (3, 3)
    assert [n.title for n in o.nodes if n.level == 1][0] == "提高政治站位"


def test_di_yi_dian_points_and_a_last_point_after_zuihou():
    o = outline_of("outline-dian.txt")
    assert o.found == 4 and o.announced is None  # 讲几点意见 announces no count
    assert o.issues == ()


def test_a_bare_numeral_alone_on_its_line_is_a_heading():
    o = outline_of("outline-bare-numerals.txt")
    assert [n.path for n in o.nodes] == ["preamble", "一", "二", "三"]
    # the heading takes the next paragraph's first sentence as its title
    assert o.nodes[1].title.startswith("要把这项工作")


@pytest.mark.parametrize("name, found", [("outline-variants-dot.txt", 3), ("outline-variants-space.txt", 2),
                                         ("outline-variants-comma.txt", 3)])
def test_heading_variants_at_the_start_of_a_line(name, found):
    o = outline_of(name)
    assert o.found == found
    assert [n.title for n in o.nodes if n.level == 1][:2] == ["加强党的建设", "做好人才工作"]


def test_markdown_emphasis_around_headings_in_a_txt_is_not_redaction():
    row = doc("outline-markdown-emphasis.txt")
    assert row["redactions"] == 0 and "*" not in row["text"]
    o = parse_outline(row["text"])
    assert [n.title for n in o.nodes if n.level == 1] == ["提高政治站位", "夯实基层基础", "建强人才队伍"]


def test_an_announcement_cong_n_ge_fangmian_lai_tan():
    o = outline_of("outline-announce-from.txt")
    assert (o.announced, o.found) == (4, 4)


def test_a_closing_that_numbers_its_demands_keeps_them_out_of_the_sections():
    o = outline_of("outline-closing-demands.txt")
    assert [n.path for n in o.nodes] == ["preamble", "一", "二", "closing"]
    assert (o.announced, o.found, o.closing_points) == (2, 2, 3)
    text = doc("outline-closing-demands.txt")["text"]
    closing = o.nodes[-1]
    assert text[closing.start:closing.end].startswith("同志们，最后我提三点要求")


def test_an_inline_list_in_an_opening_paragraph_is_not_the_sections_sub_points():
    o = outline_of("outline-inline-list.txt")
    assert [n.path for n in o.nodes if n.level > 0] == ["一", "一第一", "一第二", "二"]


# --------------------------------------------------------------------------- Word files


def test_word_table_and_text_box_text_is_loaded_in_reading_order():
    row = doc("word-table-textbox.docx")
    # (the normalizer joins a short label cell to the next cell's line, as it joins short lines)
    assert row["text"].replace("\n", "") == ("同志们：今天部署人才工作。引才要拓宽人才引进渠道。育才要完善人才培养机制。"
                                            "留才：要优化人才服务，让人才安心扎根。大家要把人才工作抓紧抓实。")
    # every Han character the file shows, the text box once (not its VML fallback too)
    assert row["han_chars"] == 61  # 11 + 2 + 9 + 2 + 9 + 16 + 12, counted by hand
    assert row["text"].count("人才") == 6


def theme_hit_count(name: str, theme: str, **settings) -> int:
    from analysis.features import build_features
    from analysis.stats.themes import theme_hits

    fs = build_features(load(name, **settings), progress=False)
    return int((theme_hits(fs)["theme"] == theme).sum())


def talent_hits(name: str, **settings) -> int:
    return theme_hit_count(name, "talent", **settings)


def test_word_talent_theme_hits_come_back():
    # 人才 six times in the table, the text box and the paragraphs (it lost every hit before)
    assert talent_hits("word-table-textbox.docx") >= 6


def test_word_tracked_changes_read_in_the_accepted_view():
    assert doc("word-tracked-changes.docx")["text"] == "要加强人才工作。"


def test_word_content_controls_are_loaded():
    assert doc("word-content-control.docx")["text"] == "会议要求：\n要建强基层党组织，做好人才工作。\n党员要发挥作用。"


def test_word_automatic_numbering_labels_are_rebuilt():
    row = doc("word-auto-numbering.docx")
    assert "一、提高政治站位" in row["text"] and "二（二）" not in row["text"]
    o = parse_outline(row["text"])
    assert [n.path for n in o.nodes if n.level > 0] == ["一", "二", "二（一）", "二（二）", "三"]
    assert (o.announced, o.found) == (3, 3)


def test_word_numbering_from_a_paragraph_style():
    row = doc("word-style-numbering.docx")
    assert row["text"].split("\n")[1::2] == ["一、加强领导", "二、狠抓落实"]


def test_word_nested_tables_and_rows_in_content_controls_are_read_once_in_order():
    assert doc("word-nested-table.docx")["text"] == "人才工作\n基层组织\n党员队伍"


def test_word_comments_and_footnotes_not_loaded_are_named_in_the_note():
    row = doc("word-comments-footnotes.docx")
    assert row["text"] == "要做好人才工作。"
    assert "not loaded from the Word file: 1 comment, 1 footnote" in row["note"]


# --------------------------------------------------------------------------- tables and encodings


@pytest.mark.parametrize("name", ["table-tab.csv", "table-semicolon.csv", "table-excel-unicode.csv"])
def test_tab_semicolon_and_utf16_tables_named_csv(name):
    docs = load(name)
    assert docs["id"].tolist() == ["d1", "d2"]
    assert docs["title"].tolist() == ["甲县组织工作会议讲话", "乙县组织工作会议讲话"]
    assert docs["text"].iloc[0] == "要抓好人才工作和基层组织建设。"
    assert docs["date"].tolist() == ["2023-03-01", "2024-03-01"]


@pytest.mark.parametrize("name", ["table-chinese-columns.csv", "table-chinese-tab.tsv"])
def test_chinese_column_names_map_to_the_metadata(name):
    docs = load(name)
    assert docs["id"].tolist() == ["d1", "d2"]
    assert docs["title"].iloc[1] == "乙县组织工作会议讲话"
    assert (docs["date"].iloc[1], docs["date_precision"].iloc[1]) == ("2024-03-01", "day")
    assert docs["text"].iloc[1] == "要建强基层党组织，做好人才服务。"


def test_an_undecodable_file_names_the_first_really_bad_byte():
    data = (FIXTURES / "undecodable-gbk.txt").read_bytes()
    offset = data.index(b"\xff\xfe")
    with pytest.raises(CorpusError) as info:
        load("undecodable-gbk.txt")
    message = str(info.value)
    assert f"offset {offset} " in message and "0xFF" in message and "line 3" in message
    assert "offset 0 " not in message


# --------------------------------------------------------------------------- PDF copies and odd characters


def test_spaces_between_han_characters_are_removed_with_the_offsets_kept():
    row = doc("pdf-han-spaces.txt")
    assert row["text"] == "要让人才在乡村振兴中大显身手，把人才工作摆在突出位置。"
    n = normalize(row["raw"])
    i = n.text.index("振兴")
    s, e = raw_span(n, i, i + 2)
    assert n.raw[s:e] == "振 兴"


def test_compatibility_ideographs_count_as_their_clean_twin():
    odd, clean = doc("pdf-compat.txt"), doc("pdf-compat-clean.txt")
    assert odd["text"] == clean["text"]
    assert odd["han_chars"] == clean["han_chars"] == 14


def test_a_private_use_character_is_counted_and_noted_and_the_text_kept():
    row = doc("odd-private-use.txt")
    assert "\ue000" in row["text"]
    assert "1 private-use or unassigned character(s)" in row["note"]


def test_a_private_use_character_in_a_chart_label_becomes_a_visible_placeholder():
    import pandas as pd

    from analysis.output.figures import with_placeholders
    from analysis.plots import charts, fonts

    table = pd.DataFrame({"term": ["人\ue000才", "基层"], "count": [2, 1]})
    fig = charts.bar_chart(table, x="count", y="term")
    shown, replaced = with_placeholders(fig)
    assert list(shown.data[0].y) == ["人[U+E000]才", "基层"]
    assert replaced["\ue000"] >= 1
    fonts.check_glyphs(charts.figure_strings(shown))  # nothing left that prints as a box


def test_a_traditional_text_is_detected_converted_and_recorded():
    row = doc("traditional.txt")
    assert bool(row["to_simplified"]) is True
    assert "人才队伍建设" in row["text"] and "基层党组织" in row["text"]
    assert "converted from traditional characters (OpenCC t2s)" in row["note"]
    kept = doc("traditional.txt", to_simplified=False)
    assert "人才隊伍建設" in kept["text"] and bool(kept["to_simplified"]) is False


def test_a_traditional_text_gets_its_theme_hits():
    # every theme read 0 on the traditional characters; converted, 人才 counts twice
    assert theme_hit_count("traditional.txt", "grassroots") >= 1  # 基層 → 基层
    assert theme_hit_count("traditional.txt", "grassroots", to_simplified=False) == 0


# --------------------------------------------------------------------------- dictionary entries


def test_dictionary_entries_mixing_latin_digits_and_plus_stay_whole():
    from analysis.text.segment import tokenize

    settings = Settings(dictionary=FIXTURES / "dictionary-mixed.yaml")
    tokens = tokenize("加快5G网络建设，关注A股，推行1+X证书，探索党建+网格模式，AA股不算。",
                      settings=settings)["token"].tolist()
    for term in ("5G网络", "A股", "1+X证书", "党建+网格"):
        assert term in tokens
    assert "AA" in tokens and "A股" not in tokens[tokens.index("AA"):]


def test_a_dictionary_entry_that_cannot_be_kept_whole_is_refused_by_name():
    from analysis.text.segment import LexiconError, load_dictionary

    with pytest.raises(LexiconError, match="人才#驿站"):
        load_dictionary(Settings(dictionary=FIXTURES / "dictionary-bad-entry.yaml"))


def test_the_command_line_converts_traditional_texts_unless_told_to_keep_them(capsys):
    from analysis.cli import main

    path = str(FIXTURES / "traditional.txt")
    assert main(["corpus", path, "--format", "json"]) == 0
    converted = json.loads(capsys.readouterr().out)[0]
    assert main(["corpus", path, "--format", "json", "--keep-traditional"]) == 0
    kept = json.loads(capsys.readouterr().out)[0]
    assert (converted["to_simplified"], kept["to_simplified"]) == (True, False)


def test_an_unpaired_surrogate_escape_in_a_jsonl_record_is_a_problem_naming_the_line(tmp_path):
    path = tmp_path / "speeches.jsonl"
    lines = [json.dumps({"id": "a", "text": "人才\ud800工作"}), json.dumps({"id": "b", "text": "基层工作😀"}),
             json.dumps({"id": "c", "text": "基层", "title": "题\udc00"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # json.dumps writes the \ud800 escapes
    docs, problems = load_corpus(path, on_error="collect")
    assert docs["id"].tolist() == ["b"] and docs["text"].iloc[0] == "基层工作😀"
    assert problems["line"].tolist() == [1, 3] and problems["document"].tolist() == ["a", "c"]
    assert "unpaired surrogate" in problems["problem"].iloc[0] and "'title'" in problems["problem"].iloc[1]
    with pytest.raises(CorpusError, match="unpaired surrogate"):
        load_corpus(path)
