"""Dispersion DP and first appearance of terms and themes (analysis.stats.placement), checked by hand."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.features import ProfileError, build_features
from analysis.profiles import profile_tables, write_profiles, load_profiles
from analysis.stats.placement import DISPERSION_COLUMNS, FIRST_COLUMNS, item_dispersion, item_first_appearance
from analysis.stats.themes import first_appearance, theme_dispersion

# Written for this test: part 一 holds 人才 twice and 基层 once, part 二 holds 人才 inside 人才工作.
PART_ONE = "一、甲\n人才。人才。基层。\n"
PART_TWO = "二、乙\n人才工作。\n"
TEXT = PART_ONE + PART_TWO


@pytest.fixture(scope="module")
def fs():
    return build_features(pd.DataFrame({"id": ["d"], "text": [TEXT]}), progress=False, cache=False)


def _dp(counts: list[int], sizes: list[int]) -> tuple[float, float]:
    """Gries's DP and its normalized form worked out from the counts and part sizes alone."""
    v = [c / sum(counts) for c in counts]
    s = [z / sum(sizes) for z in sizes]
    dp = 0.5 * sum(abs(a - b) for a, b in zip(v, s))
    return dp, dp / (1 - min(s))


def test_term_dp_equals_the_hand_worked_value(fs):
    sizes = [len(re.findall(r"[\u4e00-\u9fff]", part)) for part in (PART_ONE, PART_TWO)]  # 8 and 6 Han characters, headings included
    assert sizes == [8, 6]
    table = item_dispersion(fs, terms=["人才", "基层"])
    assert list(table.columns) == DISPERSION_COLUMNS
    rows = table.set_index("item")
    for term in ["人才", "基层"]:
        counts = [PART_ONE.count(term), PART_TWO.count(term)]  # occurrences, 人才 inside 人才工作 too
        dp, dp_norm = _dp(counts, sizes)
        assert rows.loc[term, "hits"] == sum(counts)
        assert rows.loc[term, "dp"] == pytest.approx(dp, abs=1e-12)
        assert rows.loc[term, "dp_norm"] == pytest.approx(dp_norm, abs=1e-12)
    assert rows.loc["人才", "dp"] == pytest.approx(2 / 21) and rows.loc["基层", "dp"] == pytest.approx(3 / 7)


def test_themes_are_the_theme_functions_rows(fs):
    table = item_dispersion(fs, themes=["talent", "grassroots"])
    direct = theme_dispersion(fs).set_index("theme")
    for row in table.itertuples():
        assert row.item_type == "theme" and row.hits == direct.loc[row.item, "theme_hits"]
        assert row.dp == pytest.approx(direct.loc[row.item, "dp"], nan_ok=True)
    first = item_first_appearance(fs, themes=["talent"])
    assert first.loc[0, "path"] == first_appearance(fs).set_index("theme").loc["talent", "path"]


def test_first_appearance_path_start_and_order(fs):
    table = item_first_appearance(fs, terms=["基层", "人才", "干部"])
    assert list(table.columns) == FIRST_COLUMNS
    rows = table.set_index("item")
    assert rows.loc["人才", "start"] == TEXT.index("人才") and rows.loc["基层", "start"] == TEXT.index("基层")
    assert rows.loc["人才", "path"] == "一" and rows.loc["人才", "position"] == pytest.approx(
        TEXT.index("人才") / len(TEXT.rstrip("\n")))  # over the normalized text (no final line break)
    assert rows.loc["人才", "order"] == 1 and rows.loc["基层", "order"] == 2
    assert rows.loc["干部", "path"] == "" and pd.isna(rows.loc["干部", "order"])  # no hit: no place, no order


def test_two_terms_do_not_take_hits_from_each_other(fs):
    both = item_dispersion(fs, terms=["人才", "人才工作"]).set_index("item")
    assert both.loc["人才", "hits"] == 3 and both.loc["人才工作", "hits"] == 1


def test_terms_of_a_profile_are_refused_themes_work(tmp_path):
    docs = pd.DataFrame({"id": ["p"], "text": [TEXT], "source_path": ["p.txt"], "sha256": ["1"]})
    write_profiles(profile_tables(docs, progress=False), tmp_path / "profiles")
    profiled = load_profiles(tmp_path / "profiles")
    with pytest.raises(ProfileError, match="p .*counts only"):
        item_dispersion(profiled, terms=["人才"])
    with pytest.raises(ProfileError, match="use themes"):
        item_first_appearance(profiled, terms=["人才"])
    full = build_features(docs[["id", "text"]], progress=False, cache=False)
    a = item_dispersion(profiled, themes=["talent"]).drop(columns="document")
    b = item_dispersion(full, themes=["talent"]).drop(columns="document")
    pd.testing.assert_frame_equal(a, b)
