"""Tests for analysis.stats.similarity: JSD and cosine against scipy, CA against a hand-worked SVD and a published example."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial import distance

from analysis.stats import similarity as S

#: Greenacre's smoking data (staff group × smoking), Greenacre 1984 and Correspondence
#: Analysis in Practice (2017, ch. 3 and 8): total inertia 0.08519, principal inertias
#: 0.07476 and 0.01002 (87.8 % and 11.8 %).
SMOKING = pd.DataFrame(
    [[4, 2, 3, 2], [4, 3, 7, 4], [25, 10, 12, 4], [18, 24, 33, 13], [10, 6, 7, 2]],
    index=["SM", "JM", "SE", "JE", "SC"], columns=["none", "light", "medium", "heavy"],
)


def test_jsd_hand_worked():
    # P = (1/2, 1/2), Q = (1, 0): M = (3/4, 1/4); H(M) = 0.811278 bits, H(P) = 1, H(Q) = 0.
    expected = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25)) - 0.5
    assert S.jensen_shannon([1, 1], [2, 0]) == pytest.approx(expected)
    assert S.jensen_shannon([3, 0], [0, 5]) == 1.0
    assert S.jensen_shannon([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0, abs=1e-15)
    assert math.isnan(S.jensen_shannon([0, 0], [1, 1]))


@pytest.mark.parametrize("seed", range(5))
def test_jsd_equals_scipy_squared_distance_in_bits(seed):
    rng = np.random.default_rng(seed)
    p = rng.poisson(3, size=40) * (rng.random(40) > 0.3)
    q = rng.poisson(3, size=40) * (rng.random(40) > 0.3)
    assert S.jensen_shannon(p, q) == pytest.approx(distance.jensenshannon(p, q, base=2) ** 2, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_cosine_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.poisson(4, size=30), rng.poisson(4, size=30)
    assert S.cosine(x, y) == pytest.approx(1 - distance.cosine(x, y))
    assert S.cosine(x * 7.5, y) == pytest.approx(S.cosine(x, y))  # rates and counts agree


def test_speech_similarity_uses_one_vocabulary_for_both():
    m = pd.DataFrame({"甲": [5, 0, 2], "乙": [1, 4, 2], "丙": [0, 3, 2]}, index=["x", "y", "z"])
    table = S.speech_similarity(m)
    assert table[["document_a", "document_b"]].values.tolist() == [["x", "y"], ["x", "z"], ["y", "z"]]
    for row in table.itertuples():
        p, q = m.loc[row.document_a].to_numpy(), m.loc[row.document_b].to_numpy()
        assert row.jsd_bits == pytest.approx(distance.jensenshannon(p, q, base=2) ** 2)
        assert row.cosine == pytest.approx(1 - distance.cosine(p, q))
        assert row.vocabulary == 3


def test_ca_inertia_total_is_chi2_over_n():
    chi2 = stats.chi2_contingency(SMOKING.to_numpy(), correction=False).statistic
    assert S.ca_inertia(SMOKING).sum() == pytest.approx(chi2 / SMOKING.to_numpy().sum())


def test_ca_matches_greenacre_published_smoking_figures():
    inertia = S.ca_inertia(SMOKING)
    assert inertia.sum() == pytest.approx(0.08519, abs=5e-6)
    assert inertia[:2] == pytest.approx([0.07476, 0.01002], abs=5e-6)
    coords, axes = S.correspondence_analysis(SMOKING)
    assert axes["eigenvalue"].to_numpy() == pytest.approx(inertia[:2], rel=1e-9)
    assert axes["total_inertia"].iloc[0] == pytest.approx(inertia.sum(), rel=1e-9)
    assert axes["explained"].round(3).tolist() == [0.878, 0.118]


def test_ca_row_coordinates_equal_the_hand_worked_svd():
    n = SMOKING.to_numpy(dtype=float)
    p = n / n.sum()
    r, c = p.sum(1), p.sum(0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sv, _ = np.linalg.svd(s)
    principal = (u[:, :2] / np.sqrt(r)[:, None]) * sv[:2]  # F = D_r^{-1/2} U Σ
    coords, _ = S.correspondence_analysis(SMOKING)
    got = coords[["dim_1", "dim_2"]].to_numpy()
    for k in range(2):  # an axis's sign is arbitrary
        assert np.abs(got[:, k]) == pytest.approx(np.abs(principal[:, k]), rel=1e-8)
        assert abs(np.corrcoef(got[:, k], principal[:, k])[0, 1]) == pytest.approx(1.0)
    assert coords["mass"].to_numpy() == pytest.approx(r)


def test_ca_needs_three_rows_and_columns():
    with pytest.raises(ValueError, match="at least 3"):
        S.correspondence_analysis(pd.DataFrame({"a": [1, 2], "b": [2, 1], "c": [1, 1]}, index=["x", "y"]))


def test_profile_matrix_and_speech_map_on_a_featureset():
    from analysis.features import build_features

    texts = {
        "a": "一、人才\n引进人才，培养人才，服务人才。干部要担当。\n",
        "b": "一、基层\n基层治理，社区服务，基层减负。干部要担当。\n",
        "c": "一、干部\n干部队伍，干部考核，人才引进。基层服务。\n",
        "d": "一、党员\n党员教育，党员管理，基层党员。人才培养。\n",
    }
    docs = pd.DataFrame({"id": list(texts), "text": list(texts.values()), "date": ["2019", "2020", "2021", "2022"],
                         "kind": ["x", "y", "x", "y"]})
    fs = build_features(docs, progress=False, cache=False)
    m = S.profile_matrix(fs, min_count=2)
    counts = fs.tokens[(fs.tokens["document"] == "a") & (fs.tokens["token"] == "人才")]
    assert m.loc["a", "人才"] == len(counts) == 4  # heading and three in the text
    assert (m.sum(axis=0) >= 2).all()
    themes = S.profile_matrix(fs, on="themes")
    assert themes.loc["a", "talent"] == 4
    coords, axes = S.speech_map(fs, min_count=1, mark=["a"])
    assert list(coords["document"]) == ["a", "b", "c", "d"]
    assert coords.loc[coords["marked"], "document"].tolist() == ["a"]
    assert coords["decade"].tolist() == [2010, 2020, 2020, 2020]
    assert axes["explained"].between(0, 1).all()
    with pytest.raises(ValueError, match="on must be"):
        S.profile_matrix(fs, on="words")


def test_similar_speeches_is_oriented_and_sorted():
    from analysis.features import FeatureSet
    from analysis.stats import counts

    tokens = pd.DataFrame({
        "document": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
        "path": "一", "token": ["人才", "人才", "基层", "干部", "人才", "人才", "基层", "党员", "社区", "社区", "基层", "党员"],
        "kind": "word", "is_stop": False, "start": list(range(0, 8, 2)) * 3, "end": list(range(2, 10, 2)) * 3,
    })
    fs = FeatureSet.from_tables(pd.DataFrame({"id": ["a", "b", "c"], "date": ["2020", "2021", "2022"]}), tokens)
    assert counts.term_frequencies(fs)["tokens"].sum() == 12
    table = S.similar_speeches(fs, "a", min_count=1)
    assert table["document"].tolist() == ["b", "c"]  # b shares 人才 and 基层 with a
    m = S.profile_matrix(fs, min_count=1)
    assert table.loc[0, "jsd_bits"] == pytest.approx(distance.jensenshannon(m.loc["a"], m.loc["b"], base=2) ** 2)
    assert table["decade"].tolist() == [2020, 2020]
