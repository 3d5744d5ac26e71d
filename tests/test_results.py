"""Tests for analysis.results: declarations, the one significance rule, formatting, the glossary."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.features import build_features
from analysis.output.findings import keyness_findings, shift_findings
from analysis.results import (
    ALPHA,
    MIN_UNITS,
    column_kind,
    declare,
    format_value,
    glossary,
    glossary_markdown,
    header_of,
    is_significant,
    render_table,
    undeclared_columns,
)
from analysis.stats.keyness import compare_terms
from analysis.stats.themes import emphasis_shift

# --------------------------------------------------------------------------- the rule


def test_is_significant_needs_every_criterion_that_applies():
    assert is_significant(ci_low=0.01, ci_high=0.2).item()
    assert not is_significant(ci_low=-0.01, ci_high=0.2).item()
    assert not is_significant(ci_low=0.01, ci_high=0.2, units_a=MIN_UNITS - 1, units_b=50).item()
    assert is_significant(ci_low=0.01, ci_high=0.2, units_a=MIN_UNITS, units_b=MIN_UNITS).item()
    assert is_significant(p_adj=[ALPHA / 2, ALPHA, np.nan]).tolist() == [True, False, False]
    assert not is_significant(ci_low=np.nan, ci_high=np.nan).item()
    with pytest.raises(ValueError):
        is_significant(ci_low=0.1)
    with pytest.raises(ValueError):
        is_significant()


# --------------------------------------------------------------------------- units


def test_each_kind_prints_in_its_own_unit_and_no_other():
    assert format_value("share", 0.024) == "2.4%"
    assert format_value("share_diff", -0.019) == "−1.9 pp"
    assert format_value("log_ratio", 0.847) == "+0.85"  # a log ratio is never percentage points
    assert format_value("p_adj", 0.00097) == "0.00097"
    assert format_value("count", 2484) == "2,484"
    assert format_value("rate", 42.8141) == "42.81"
    assert format_value("share", float("nan")) == ""


def test_interval_bounds_take_the_unit_of_the_declared_estimate():
    shift = declare(pd.DataFrame({"diff": [-0.133], "ci_low": [-0.158], "ci_high": [-0.109]}),
                    result="theme_shift", estimate="diff")
    index = declare(pd.DataFrame({"index": [0.847], "ci_low": [0.5], "ci_high": [1.2]}),
                    result="speech_index", estimate="index")
    assert [format_value(column_kind(shift, c), shift[c].iloc[0]) for c in shift.columns] == \
        ["−13.3 pp", "−15.8 pp", "−10.9 pp"]
    assert [format_value(column_kind(index, c), index[c].iloc[0]) for c in index.columns] == ["+0.85", "+0.50", "+1.20"]
    assert header_of(shift, "ci_low") == "ci_low (pp)" and header_of(index, "ci_low") == "ci_low (log ratio)"


def test_render_table_escapes_text_and_states_sides_and_family():
    table = declare(pd.DataFrame({"term": ["<b>x</b>"], "p_fdr": [0.01]}), result="keyness",
                    sides={"a": "2023 speech", "b": "2020 speech"}, family={"name": "all terms", "size": 18})
    html = render_table(table)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
    assert "A = 2023 speech; B = 2020 speech" in html and "over 18 tests" in html


# --------------------------------------------------------------------------- the glossary


def test_glossary_declares_every_column_once_with_a_meaning():
    g = glossary()
    assert g["column"].is_unique
    assert (g["meaning"].str.len() > 0).all()
    assert undeclared_columns(["hits_talent", "share_grassroots", "per_10k_han", "diff"]) == []


def test_docs_glossary_is_written_from_the_declarations():
    page = (paths.project_root() / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert glossary_markdown() in page, "docs/glossary.md is stale: python -m analysis glossary --write"


# --------------------------------------------------------------------------- findings agree with their tables

_EIGHT = "".join(f"第{i}句讲人才工作和基层治理。" for i in range(8))


@pytest.fixture(scope="module")
def tiny():
    """Two speeches of 8 sentences each: too few units for any interval to count."""
    a = "一、人才\n" + "".join(f"要引进人才，培养人才第{i}批。\n" for i in range(8))
    b = "一、基层\n" + "".join(f"社区要服务群众，基层要减负第{i}项。\n" for i in range(8))
    docs = pd.DataFrame({"id": ["a", "b"], "text": [a, b]})
    return build_features(docs, progress=False, cache=False)


def test_two_speeches_of_eight_sentences_are_not_significant_anywhere(tiny):
    shift = emphasis_shift(tiny, "a", "b", n_resamples=300, seed=1)
    assert (shift["units_a"] <= 9).all()
    talent = shift.set_index("theme").loc["talent"]
    assert talent["ci_high"] < 0  # the interval alone would exclude 0 …
    assert not shift["significant"].any()  # … but 8 sentences a side are too few for the one rule
    rows = shift_findings(shift, label_a="a", label_b="b")
    assert not rows["significant"].any()
    assert "too few" in rows["text"].iloc[0]


def test_every_significance_flag_in_findings_matches_its_table(tiny):
    fs = tiny
    shift = emphasis_shift(fs, "a", "b", n_resamples=300, seed=1, min_units=5)  # a looser table: some significant
    rows = shift_findings(shift, label_a="a", label_b="b")
    table = shift.set_index("theme")
    for row in rows.itertuples():
        if row.subject:
            assert row.significant == bool(table.loc[row.subject, "significant"])
    assert set(rows.loc[rows["significant"], "subject"]) == set(table.index[table["significant"]])
    keyness = compare_terms(fs, "a", "b")
    krows = keyness_findings(keyness, label_a="a", label_b="b", top=100)
    by_term = keyness.set_index("term")
    for row in krows.itertuples():
        if row.subject:
            assert bool(by_term.loc[row.subject, "significant"]) == row.significant
    assert set(krows.loc[krows["significant"], "subject"]) == set(by_term.index[by_term["significant"]])


def test_shift_findings_name_both_sides_and_never_say_falls():
    shift = pd.DataFrame({"theme": ["talent"], "share_a": [0.024], "share_b": [0.005], "diff": [-0.019],
                          "ci_low": [-0.031], "ci_high": [-0.008], "units_a": [40], "units_b": [40],
                          "significant": [True]})
    text = shift_findings(shift, label_a="seed (2023)", label_b="p-xi (2020)")["text"].iloc[0]
    assert "falls" not in text and "rises" not in text
    assert "in seed (2023) (A, 2.4%) than in p-xi (2020) (B, 0.5%)" in text
    assert "B − A = −1.9 pp" in text and "[−3.1, −0.8] pp" in text
