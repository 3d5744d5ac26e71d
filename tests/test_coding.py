"""Coding rules: the parser (and its errors), matching per sentence and node, cross-tabs against scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from analysis.features import ProfileError, build_features
from analysis.results import undeclared_columns
from analysis.stats.coding import adjusted_residuals, code_crosstab, code_units, section_of
from analysis.text.codes import CodeRuleError, codes_from_dict, load_codes, parse_rule

# Short texts written for these tests (not from any corpus).
TEXT = ("一、人才工作\n要引进人才。要培养干部人才。个人才能要发挥。人才服务基层。\n"
        "二、基层工作\n基层要治理。人才到基层去。基层党组织要有力量。\n")


@pytest.fixture(scope="module")
def fs():
    return build_features(pd.DataFrame({"id": ["d"], "text": [TEXT]}), progress=False, cache=False)


def _codes(**rules):
    return codes_from_dict({"codes": {k: {"rule": v} for k, v in rules.items()}})


@pytest.mark.parametrize("rule,tree", [
    ("人才", ("term", "人才")),
    ("人才 OR 基层 AND 干部", ("or", ("term", "人才"), ("and", ("term", "基层"), ("term", "干部")))),
    ("NOT 人才", ("not", ("term", "人才"))),
    ("(人才 OR 基层) NOT 干部", ("and", ("or", ("term", "人才"), ("term", "基层")), ("not", ("term", "干部")))),
    ("人才 NEAR/3 基层 OR 干部", ("or", ("near", "人才", "基层", 3), ("term", "干部"))),
])
def test_parse(rule, tree):
    assert parse_rule(rule) == tree


@pytest.mark.parametrize("rule,position,what", [
    ("人才 AND", 7, "expected a term"),
    ("人才 基层", 4, "expected AND, OR, NOT"),
    ("(人才 OR 基层", 10, "expected ')'"),
    ("人才 NEAR/x 基层", 4, "NEAR/n"),
    ("(人才 OR 基层) NEAR/3 干部", 12, "a single term before NEAR"),
    (") 人才", 1, "expected a term"),
])
def test_errors_name_the_rule_and_position(rule, position, what):
    with pytest.raises(CodeRuleError) as info:
        parse_rule(rule, name="talent")
    message = str(info.value)
    assert "rule 'talent'" in message and f"position {position}:" in message and what in message


def test_a_codes_file_with_a_bad_rule_names_the_file_and_code(tmp_path):
    path = tmp_path / "codes.yaml"
    path.write_text("codes:\n  ok: {rule: 人才}\n  broken: {rule: '人才 AND (基层'}\n", encoding="utf-8")
    with pytest.raises(CodeRuleError, match=r"codes.yaml: rule 'broken', position"):
        load_codes(path)
    path.write_text("codes:\n  norule: {label_zh: 甲}\n", encoding="utf-8")
    with pytest.raises(CodeRuleError, match="'norule' needs a 'rule'"):
        load_codes(path)


def test_the_shipped_codes_parse():
    codes = load_codes()
    assert len(codes) >= 8 and codes["code"].is_unique


def test_rules_per_sentence(fs):
    codes = _codes(t="人才 AND (引进 OR 培养) NOT 干部", any_talent="人才", near="人才 NEAR/2 基层",
                   near1="人才 NEAR/1 基层", far="人才 NEAR/0 基层", org="基层党组织", bare="基层")
    got = code_units(fs, codes=codes).pivot(index="sentence", columns="code", values="coded")
    assert len(got) == len(fs.sentences)
    # headings are sentences too: 人才 inside the token 人才工作 counts; 个人/才能 straddles a boundary and does not
    assert got.index[got["any_talent"]].tolist() == [0, 1, 2, 4, 7]
    assert got.index[got["t"]].tolist() == [1]                 # 要引进人才 (要培养干部人才 has 干部)
    assert got.index[got["near"]].tolist() == [4, 7]           # gaps of 2 (服务) and 1 (到) characters
    assert got.index[got["near1"]].tolist() == [7]
    assert not got["far"].any()
    assert got.index[got["org"]].tolist() == [8]
    assert got["bare"].sum() == 5                              # 基层 inside 基层工作 and 基层党组织 counts


def test_rules_per_node(fs):
    codes = _codes(both="人才 AND 基层")
    got = code_units(fs, codes=codes, unit="node").set_index("path")["coded"]
    assert bool(got["一"]) and bool(got["二"])


def test_units_do_not_depend_on_the_order_of_the_token_rows(fs):
    """Token rows given shuffled: the same table (units in first-appearance order, tokens by offset)."""
    from analysis.features import FeatureSet

    codes = _codes(t="人才 AND (引进 OR 培养) NOT 干部", near="人才 NEAR/2 基层", bare="基层")
    shuffled = FeatureSet.from_tables(fs.documents, fs.tokens.sample(frac=1, random_state=7),
                                      nodes=fs.nodes, sentences=fs.sentences)
    for unit in ("sentence", "node"):
        table = code_units(fs, codes=codes, unit=unit)
        again = code_units(shuffled, codes=codes, unit=unit)
        key = ["document", "sentence", "path", "code"]
        pd.testing.assert_frame_equal(again.sort_values(key).reset_index(drop=True),
                                      table.sort_values(key).reset_index(drop=True))
    assert table["coded"].sum() == 4  # by hand: 基层 and 人才 NEAR/2 基层 in both nodes; t in neither (一 has 干部)


def test_profiles_are_refused(tmp_path):
    from analysis.profiles import profile_feature_set, profile_tables

    docs = pd.DataFrame({"id": ["d"], "text": [TEXT], "source_path": ["d.txt"], "sha256": ["0"]})
    prof = profile_feature_set(profile_tables(docs, progress=False))
    with pytest.raises(ProfileError, match="coding rules"):
        code_units(prof)


@pytest.mark.parametrize("table", [
    [[10, 20], [30, 40]], [[3, 0, 7], [12, 9, 4]], [[1, 5, 2, 8], [40, 33, 20, 17]], [[50, 2], [1, 60]]])
def test_chi2_expected_and_p_against_scipy(table):
    table = np.array(table)
    rows = []
    for j in range(table.shape[1]):
        rows += [(j, True)] * int(table[0, j]) + [(j, False)] * int(table[1, j])
    coded = pd.DataFrame({"document": "d", "sentence": range(len(rows)), "path": [f"p{j}" for j, _ in rows],
                          "code": "c", "coded": [c for _, c in rows]})
    cells, tests = code_crosstab(coded, by="path")
    stat, p, dof, expected = chi2_contingency(table, correction=False)
    assert tests.loc[0, "pearson_chi2"] == pytest.approx(stat, rel=1e-9, abs=1e-12)
    assert tests.loc[0, "p"] == pytest.approx(p, rel=1e-9, abs=1e-300)
    assert tests.loc[0, "dof"] == dof
    np.testing.assert_allclose(cells["expected"], expected[0], rtol=1e-9)
    assert cells["small_expected"].tolist() == list((expected < 5).any(axis=0))
    assert tests.loc[0, "small_expected_cells"] == int((expected < 5).sum())


def test_adjusted_residuals_by_hand_and_the_2x2_identity():
    # Agresti's formula worked by hand for [[10, 20], [30, 40]]: E11 = 30·40/100 = 12,
    # r = (10 − 12) / sqrt(12 · (1 − 30/100) · (1 − 40/100)) = −2 / sqrt(5.04)
    _, r = adjusted_residuals(np.array([[10, 20], [30, 40]]))
    assert r[0, 0] == pytest.approx(-2 / np.sqrt(5.04), rel=1e-12)
    # in a 2 × 2 table every adjusted residual squared is Pearson's χ²
    for table in ([[10, 20], [30, 40]], [[5, 17], [9, 2]]):
        _, r = adjusted_residuals(np.array(table))
        stat = chi2_contingency(np.array(table), correction=False)[0]
        np.testing.assert_allclose(r ** 2, stat, rtol=1e-9)


def test_crosstab_by_section_and_metadata(fs):
    coded = code_units(fs, codes=_codes(talent="人才", grass="基层"))
    cells, tests = code_crosstab(coded, by="section", sections=section_of(fs))
    assert set(cells["group"]) == {"一", "二"} | (set(cells["group"]) - {"一", "二"})
    assert cells.groupby("code")["observed"].sum().to_dict() == coded.groupby("code")["coded"].sum().to_dict()
    assert (cells["small_expected"]).any()  # a tiny text: every cell flagged where E < 5
    docs = fs.documents.assign(kind="x")
    cells2, _ = code_crosstab(coded, by="kind", documents=docs)
    assert set(cells2["group"]) == {"x"}
    with pytest.raises(ValueError, match="sections"):
        code_crosstab(coded, by="section")
    with pytest.raises(ValueError, match="metadata"):
        code_crosstab(coded, by="nope")
    for table in (cells, tests, coded):
        assert undeclared_columns(table.columns) == []
