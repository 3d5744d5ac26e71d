"""Tests for analysis.study, analysis.speeches.match_references and the summary tables of analysis.stats.summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.features import build_features
from analysis.speeches import match_references
from analysis.stats.meta import describe_group, group_warning
from analysis.stats.summaries import describe_shift, position_in_history, section_contrast_summary
from analysis.study import GROUP_PREFIX, MAX_CHAINED, StudyError, default_study, load_study, plan_study, study_from_dict

# --------------------------------------------------------------------------- study files


def test_a_study_file_is_read_with_its_paths_relative_to_it(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (tmp_path / "study.yaml").write_text(
        "title: 两篇讲话\ncorpus: mine\nreferences: none\nfocus: [a]\n"
        "groups:\n  recent: {year: {from: 2020}}\n"
        "comparisons:\n  - {a: a, b: b}\n  - {a: a, b: 'group:recent'}\n"
        "sections:\n  - {document: a, a: 一, b: 二}\nshare: han\n", encoding="utf-8")
    study = load_study(tmp_path / "study.yaml")
    assert study.corpus == folder.resolve() and study.reference_paths() == []
    assert study.focus == ("a",) and study.share == "han" and study.unit == "sentence"
    assert [(c.a, c.b) for c in study.comparisons] == [("a", "b"), ("a", "group:recent")]
    assert study.section_pair("a") == ("一", "二") and study.section_pair("b") == (None, None)
    docs = pd.DataFrame({"id": ["a", "b", "c"], "year": [2019, 2021, 2024]})
    assert study.group_ids(docs, "recent", exclude=["a"]) == ["b", "c"]


@pytest.mark.parametrize("text, message", [
    ("focus: [a]\nshare: words\n", "share must be one of"),
    ("comparisons:\n  - {a: a}\n", r"comparisons\[0\] needs a and b"),
    ("comparisons:\n  - {a: a, b: 'group:nowhere'}\n", "not in groups"),
    ("colour: red\n", "unknown field"),
    ("focus: [a\n", "does not parse"),
])
def test_a_bad_study_file_is_named_with_its_field(tmp_path, text, message):
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StudyError, match=message) as info:
        load_study(path)
    assert str(path) in str(info.value)


def test_a_folder_without_a_study_compares_its_speeches_and_says_when_nothing_matches():
    docs = pd.DataFrame({"id": ["c", "a", "b"], "date": ["2024-01-02", "2022-05-01", "2023-03-01"],
                         "kind": ["organization_work"] * 3, "level": ["county"] * 3})
    refs = pd.DataFrame({"id": ["n1", "l1"], "kind": ["organization_work"] * 2, "level": ["national", "city"],
                         "year": [2020, 1990]})
    study = default_study(docs, corpus="/tmp/x", references=refs)
    assert study.focus == ("a", "b", "c")  # date order
    assert [(c.a, c.b) for c in study.comparisons] == [("a", "b"), ("a", "c"), ("b", "c")]  # every pair, A earlier
    assert not study.groups  # the national speech is not local, the city one is 30 years off
    assert len(study.notes) == 3 and "No reference speech matches a" in study.notes[0]
    many = pd.DataFrame({"id": [f"d{i}" for i in range(8)], "date": [f"20{10 + i}" for i in range(8)]})
    assert [(c.a, c.b) for c in default_study(many, references=None).comparisons][:2] == [("d0", "d1"), ("d1", "d2")]


def test_a_big_folder_without_a_study_compares_only_its_last_speeches_and_says_so():
    ids = [f"s{i:03d}" for i in range(40)]
    docs = pd.DataFrame({"id": ids[::-1], "date": [f"{1980 + i}-01-01" for i in range(40)][::-1],
                         "kind": ["organization_work"] * 40, "level": ["county"] * 40})
    refs = pd.DataFrame({"id": ["r1"], "kind": ["organization_work"], "level": ["county"], "year": [2010]})
    study = default_study(docs, references=refs)
    chained = [(c.a, c.b) for c in study.comparisons if not c.b.startswith("group:")]
    assert chained == [(f"s{i:03d}", f"s{i + 1:03d}") for i in range(27, 39)]  # the last 13 by date: 12 pairs
    assert len(chained) == MAX_CHAINED == 12
    # matched references only for the speeches compared (s027..s039); r1 (2010) is of the era of s020..s026 too
    matched = [c.a for c in study.comparisons if c.b.startswith("group:")]
    assert matched == [f"s{i:03d}" for i in range(27, 40)]
    assert study.focus == tuple(ids)  # every speech stays in focus
    focus = study.describe().set_index("field").loc["focus", "value"]
    assert focus.startswith("s000, s001") and focus.endswith("s039 (40 speeches; 20 not shown)")
    assert "holds 40 speeches" in study.notes[0] and "the other 27" in study.notes[0]
    small = default_study(docs.head(13), references=None)
    assert not any("holds" in n for n in small.notes) and len(small.comparisons) == 12


def test_match_references_wants_the_same_kind_level_class_and_era():
    docs = pd.DataFrame({"id": ["x", "same", "national", "old", "other_kind"],
                         "kind": ["organization_work"] * 4 + ["party_building"],
                         "level": ["county-district", "city", "national", "county", "district"],
                         "year": [2023, 2018, 2022, 2001, 2023]})
    assert match_references(docs, "x")["id"].tolist() == ["same"]
    with pytest.raises(KeyError):
        match_references(docs, "nobody")


# --------------------------------------------------------------------------- groups


def test_group_warnings_count_span_and_mixed_levels():
    small = pd.DataFrame({"id": ["a", "b"], "year": [2020, 2021], "level": ["national", "national"]})
    assert group_warning(small) == "only 2 speeches (< 5)"
    big = pd.DataFrame({"id": list("abcde"), "year": [1962, 1980, 2000, 2010, 2020],
                        "level": ["national", "national", "county", "national", "national"]})
    assert group_warning(big) == "spans 58 years (> 20); mixes national and local speakers"
    row = describe_group(big, list("abcde"), name="g").iloc[0]
    assert (row["speeches"], row["years"], row["levels"]) == (5, "1962–2020", "county, national")


@pytest.fixture(scope="module")
def three():
    talent = "同志们：\n一、人才\n" + "".join(f"要引进人才，培养人才第{i}批。\n" for i in range(1, 25))
    grassroots = "同志们：\n一、基层\n" + "".join(f"社区要服务群众，基层要减负第{i}项。\n" for i in range(1, 25))
    docs = pd.DataFrame({"id": ["t", "g", "m"], "text": [talent, grassroots, talent + grassroots],
                         "date": ["2023", "2020", "2021"], "level": ["district", "national", "national"]})
    return build_features(docs, progress=False, cache=False)


def test_plan_study_resolves_groups_never_holding_side_a_and_carries_warnings(three):
    study = study_from_dict({"groups": {"all": {}}, "comparisons": [{"a": "t", "b": "g"}, {"a": "t", "b": "group:all"},
                                                                   {"a": "t", "b": "nobody"}]})
    with pytest.warns(UserWarning, match="nobody"):
        plans = plan_study(three, study)
    assert [p.documents_b for p in plans] == [("g",), ("g", "m")]
    assert plans[1].label_b == "all (2 speeches)" and "only 2 speeches" in plans[1].warning
    assert plans[0].warning == "" and plans[0].label_a == "t (2023)"
    assert plans[1].b == ["g", "m"] and GROUP_PREFIX == "group:"


# --------------------------------------------------------------------------- summaries read off tables


def test_section_contrast_summary_reads_the_tables_it_is_given():
    cov = pd.DataFrame({"document": "d", "path": ["一", "一", "二", "二", "二（一）", "二（一）", "二（二）", "二（二）"],
                        "level": [1, 1, 1, 1, 2, 2, 2, 2], "theme": ["talent", "grassroots"] * 4,
                        "share_tokens": [0.10, 0.00, 0.02, 0.20, 0.0, 0.3, 0.05, 0.01]})
    shift = pd.DataFrame({"theme": ["talent", "grassroots"], "diff": [-0.08, 0.2], "ci_low": [-0.1, -0.01],
                          "ci_high": [-0.05, 0.3], "significant": [True, False]})
    answers = section_contrast_summary(cov, shift, a="一", b="二").set_index("question")["answer"].tolist()
    assert answers[:2] == ["一", "二"]
    assert answers[2] == "−8.0 pp [−10.0, −5.0] pp: significant (higher in A)"
    assert answers[3] == "+20.0 pp [−1.0, +30.0] pp: not significant"  # the table's own flag, not re-decided
    assert answers[4] == "1 of 2"


def test_describe_shift_takes_significance_from_the_row():
    row = {"diff": 0.05, "ci_low": 0.01, "ci_high": 0.09, "significant": False}  # e.g. too few units
    assert describe_shift(row).endswith("not significant")


def test_position_in_history_percentile_equals_scipy_and_needs_five_documents():
    rng = np.random.default_rng(3)
    values = pd.DataFrame({"item": ["人才"] * 12 + ["基层"] * 3, "per_10k_han": rng.uniform(0, 50, 15).round(2)})
    own = pd.DataFrame({"item": ["人才", "基层"], "per_10k_han": [30.0, 10.0]})
    table = position_in_history(values, own).set_index("item")
    ref = values.loc[values["item"] == "人才", "per_10k_han"]
    assert table.loc["人才", "percentile"] == pytest.approx(stats.percentileofscore(ref, 30.0, kind="mean"))
    assert table.loc["人才", "median"] == pytest.approx(ref.median()) and table.loc["人才", "documents"] == 12
    assert np.isnan(table.loc["基层", "percentile"])  # three reference documents: no percentile


# --------------------------------------------------------------------------- corpus and references


def test_a_corpus_speech_with_a_reference_id_is_kept_once_and_the_reference_copy_left_out(tmp_path):
    """Notebook 08 joins the corpus with the profiles; a researcher's copy of a reference speech
    (same id) must not make the join fail, and the corpus copy is the one kept."""
    from analysis.speeches import corpus_features, join_references

    (tmp_path / "mine.txt").write_text("一、人才工作\n人才是资源。\n", encoding="utf-8")
    (tmp_path / "ref-b.txt").write_text("一、基层\n基层是基础。基层要强。\n", encoding="utf-8")
    refs = build_features(pd.DataFrame({"id": ["ref-a", "ref-b"], "text": ["一、干部\n干部。\n", "一、其他\n其他。\n"]}),
                          progress=False, cache=False)
    own = corpus_features(corpus=tmp_path, references=[])
    joined = join_references(own, refs)
    assert joined.documents["id"].tolist() == ["mine", "ref-b", "ref-a"]
    counts = joined.term_counts.groupby("document")["count"].sum()
    assert counts["ref-b"] == own.term_counts.groupby("document")["count"].sum()["ref-b"]  # the corpus copy
    assert join_references(own, refs.select(["ref-b"])) is own
