"""Metadata read from a speech's title and first lines."""

import json
import re

import pytest

from analysis.io.infer import date_in, fill_metadata, head_lines, infer_metadata
from analysis.paths import shared_dir


@pytest.mark.parametrize("text, expected", [
    ("（2019年3月4日）", ("2019-03-04", "day")),
    ("2024年3月15日", ("2024-03-15", "day")),
    ("（二〇二三年十二月二十六日）", ("2023-12-26", "day")),
    ("2022.10.23", ("2022-10-23", "day")),
    ("（2024年3月）", ("2024-03", "month")),
    ("2024年13月5日", None),
    ("第2024号文件", None),
])
def test_dates(text, expected):
    assert date_in(text) == expected


def test_a_bare_year_only_when_asked():
    assert date_in("2019年春节团拜会") is None
    assert date_in("2019年春节团拜会", bare_year=True) == ("2019", "year")


@pytest.mark.parametrize("title, occasion, level, kind", [
    ("在全县组织工作会议上的讲话", "全县组织工作会议", "county", "organization_work"),
    ("在全市人才工作会议上的讲话", "全市人才工作会议", "city", "organization_work"),
    ("在全区党建工作会议上的讲话", "全区党建工作会议", "district", "party_building"),
    ("在全省组织部长会议上的讲话", "全省组织部长会议", "provincial", "organization_work"),
    ("在全镇党员大会上的讲话", "全镇党员大会", "township", "party_building"),
    ("在全国组织工作会议上的讲话", "全国组织工作会议", "national", "organization_work"),
    ("在县委党校春季开学典礼上的讲话", "县委党校春季开学典礼", "county", "cadre_training"),
    ("在庆祝香港回归祖国25周年大会暨香港特别行政区第六届政府就职典礼上的讲话",
     "庆祝香港回归祖国25周年大会暨香港特别行政区第六届政府就职典礼", "", "other_speech"),
    ("守纪律，讲规矩", "", "", ""),
    ("全面从严治党永远在路上", "", "", "party_building"),
])
def test_occasion_level_kind_from_the_title(title, occasion, level, kind):
    got = infer_metadata("同志们：\n今天开会。", title=title)
    assert got.get("occasion", "") == occasion
    assert got.get("level", "") == level
    assert got.get("kind", "") == kind


def test_speaker_role_and_date_from_the_lines_under_the_title():
    text = "在全县组织工作会议上的讲话\n县委书记 ××\n（2024年3月15日）\n同志们：\n2023年12月31日，我们召开了会议。"
    got = infer_metadata(text)
    assert got["speaker_role"] == "县委书记"
    assert (got["date"], got["date_precision"]) == ("2024-03-15", "day")


def test_dates_in_the_body_are_never_taken():
    assert "date" not in infer_metadata("同志们：\n2023年12月31日，我们召开了全县组织工作会议，研究部署了工作。")
    assert head_lines("标题\n这是第一句话。后面还有。\n（2024年3月15日）") == ["标题"]


def test_the_manifest_wins_and_inferred_lists_what_was_filled():
    meta = {"title": "在全区组织工作会议上的讲话", "level": "county-district", "date": "", "inferred": "title"}
    out = fill_metadata(meta, text="（2023年2月1日）\n同志们：")
    assert out["level"] == "county-district"
    assert (out["date"], out["date_precision"]) == ("2023-02-01", "day")
    assert out["inferred"] == "title,date,occasion,kind"
    assert meta["date"] == ""  # the input is not changed
    assert "inferred" not in fill_metadata({"title": "x"}, text="今天开会。")


def _cn_date(iso: str, precision: str) -> str:
    year, month, *day = iso.split("-")
    return f"{int(year)}年{int(month)}月" + (f"{int(day[0])}日" if precision == "day" else "")


def _same(a: str, b: str) -> bool:
    a, b = (re.sub(r"[\s“”\"（）()《》]", "", x or "") for x in (a, b))
    return bool(a) and (a == b or a in b or b in a)


@pytest.mark.shared
def test_against_the_metadata_of_the_80_speeches():
    """The share read right on ../shared/corpora/speeches.jsonl (figures in the README)."""
    path = shared_dir() / "corpora" / "speeches.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 80
    right = dict.fromkeys(("date", "level", "occasion", "kind", "level_read", "occasion_read", "kind_read"), 0)
    for row in rows:
        plain = infer_metadata(row["title"] + "\n" + row["text"])
        dated = infer_metadata(row["title"] + "\n（" + _cn_date(row["date"], row["date_precision"]) + "）\n"
                               + row["text"])
        right["date"] += dated.get("date") == row["date"]
        right["level"] += plain.get("level") == row["level"]
        right["level_read"] += bool(plain.get("level"))
        right["occasion"] += _same(plain.get("occasion", ""), row["occasion"])
        right["occasion_read"] += bool(plain.get("occasion"))
        right["kind"] += plain.get("kind") == row["kind"]
        right["kind_read"] += bool(plain.get("kind"))
        assert plain.get("date") in (None, row["date"][:4]), row["id"]  # a date read from the title is right
    # measured: date 80/80 (with the date line), level 21/80 (22 read: most titles name no place),
    # occasion 41/80 (45 read), kind 51/80 (55 read)
    assert right["date"] == 80
    assert right["level"] >= 21 and right["level"] >= right["level_read"] - 1
    assert right["occasion"] >= 41 and right["occasion"] >= right["occasion_read"] - 4
    assert right["kind"] >= 51 and right["kind"] >= right["kind_read"] - 4
