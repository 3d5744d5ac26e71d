"""Tests for analysis.stats.keyness: every statistic against an independent computation, to 1e-9.

Independent references: ``scipy.stats.chi2_contingency`` (Pearson χ² with and without
Yates, and ``lambda_="log-likelihood"`` for G²), ``scipy.stats.false_discovery_control``
(Benjamini–Hochberg), worked examples written out by hand below, and the
``fightin-words`` package (PyPI 1.0.5, kenlimmj/fightin-words) run side by side.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pandas as pd

from analysis.features import FeatureSet
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.stats import keyness as K

TOL = 1e-9


def _random_tables(seed: int = 7, n: int = 200):
    rng = np.random.default_rng(seed)
    nt = rng.integers(200, 5000, size=n)
    nr = rng.integers(200, 5000, size=n)
    ft = rng.integers(0, 60, size=n)
    fr = rng.integers(0, 60, size=n)
    fr[::7] = 0  # zero cells on both sides
    ft[3::11] = 0
    both = (ft + fr) == 0
    ft[both] = 1
    return ft, fr, nt, nr


# --------------------------------------------------------------------------- scipy references


def test_g2_matches_scipy_log_likelihood():
    ft, fr, nt, nr = _random_tables()
    ours = K.log_likelihood(ft, fr, nt, nr)
    for i in range(len(ft)):
        table = [[ft[i], fr[i]], [nt[i] - ft[i], nr[i] - fr[i]]]
        ref = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood").statistic
        sign = np.sign(ft[i] / nt[i] - fr[i] / nr[i])
        assert ours[i] == pytest.approx(sign * ref, abs=TOL, rel=0)


@pytest.mark.parametrize("yates", [False, True])
def test_chi2_matches_scipy(yates):
    ft, fr, nt, nr = _random_tables(seed=11)
    ours = K.chi_squared(ft, fr, nt, nr, yates=yates)
    for i in range(len(ft)):
        table = [[ft[i], fr[i]], [nt[i] - ft[i], nr[i] - fr[i]]]
        ref = stats.chi2_contingency(table, correction=yates).statistic
        sign = np.sign(ft[i] / nt[i] - fr[i] / nr[i])
        assert ours[i] == pytest.approx(sign * ref, abs=TOL, rel=0)


def test_yates_correction_is_capped_like_scipy():
    # |O − E| = 0.25 < 0.5: the correction may not overshoot (scipy gh-13875).
    ours = K.chi_squared([1], [1], 2, 2, yates=True)
    ref = stats.chi2_contingency([[1, 1], [1, 1]], correction=True).statistic
    assert ours[0] == pytest.approx(ref, abs=TOL)
    ours = K.chi_squared([3], [2], 10, 10, yates=True)
    ref = stats.chi2_contingency([[3, 2], [7, 8]], correction=True).statistic
    assert ours[0] == pytest.approx(ref, abs=TOL)


def test_p_values_match_scipy_where_given():
    ft, fr, nt, nr = _random_tables(seed=3, n=60)
    target = pd.DataFrame({"term": [f"w{i}" for i in range(60)], "count": ft})
    reference = pd.DataFrame({"term": [f"w{i}" for i in range(60)], "count": fr})
    # One shared pair of totals so that the table is one comparison.
    N_T, N_R = int(ft.sum()) + 4000, int(fr.sum()) + 3000
    for statistic, lam, corr in [("g2", "log-likelihood", False), ("chi2", None, False), ("chi2_yates", None, True)]:
        table = K.keyness(target, reference, totals=(N_T, N_R), statistic=statistic).set_index("term")
        for i in range(60):
            row = table.loc[f"w{i}"]
            ref = stats.chi2_contingency([[ft[i], fr[i]], [N_T - ft[i], N_R - fr[i]]], correction=corr, lambda_=lam)
            expected_min = ref.expected_freq.min()
            assert bool(row["low_expected"]) == (expected_min < 5)
            if ft[i] + fr[i] < 5:  # below MIN_TOTAL: not in the family, no p
                assert np.isnan(row["p"]) and not bool(row["tested"])
            elif expected_min < 5:  # Fisher's exact test where the χ² approximation is unreliable
                fisher = stats.fisher_exact([[ft[i], N_T - ft[i]], [fr[i], N_R - fr[i]]]).pvalue
                assert row["p"] == pytest.approx(fisher, abs=TOL, rel=0) and row["p_test"] == "fisher"
            else:
                assert row["p"] == pytest.approx(ref.pvalue, abs=TOL, rel=0) and row["p_test"] == statistic
        given_p = table["p"].dropna()
        assert len(given_p) == int((ft + fr >= 5).sum()) == int(table["fdr_family_size"].iloc[0])
        fdr = stats.false_discovery_control(given_p.to_numpy(), method="bh")
        np.testing.assert_allclose(table.loc[given_p.index, "p_fdr"].to_numpy(), fdr, rtol=0, atol=TOL)
        assert (table["significant"] == (table["p_fdr"].fillna(1) < 0.05)).all()


def test_benjamini_hochberg_matches_scipy_with_ties_and_nan():
    rng = np.random.default_rng(5)
    p = rng.uniform(0, 1, 300) ** 3
    p[::10] = p[1::10]  # ties
    p[[0, 50]] = [0.0, 1.0]
    np.testing.assert_allclose(K.benjamini_hochberg(p), stats.false_discovery_control(p, method="bh"), rtol=0, atol=TOL)
    with_nan = p.copy()
    with_nan[::9] = np.nan
    ours = K.benjamini_hochberg(with_nan)
    ok = ~np.isnan(with_nan)
    assert np.isnan(ours[~ok]).all()
    np.testing.assert_allclose(ours[ok], stats.false_discovery_control(with_nan[ok], method="bh"), rtol=0, atol=TOL)
    assert np.isnan(K.benjamini_hochberg([np.nan])).all()
    with pytest.raises(ValueError):
        K.benjamini_hochberg([1.5])


# --------------------------------------------------------------------------- worked by hand


def test_worked_example_by_hand():
    # 人才: 30 of 1,000 tokens in the target, 5 of 1,000 in the reference.
    # Expected counts: row total 35 split 17.5 / 17.5; other tokens 1,965 split 982.5 / 982.5.
    g2 = 2 * (30 * math.log(30 / 17.5) + 5 * math.log(5 / 17.5)
              + 970 * math.log(970 / 982.5) + 995 * math.log(995 / 982.5))
    chi2 = 12.5 ** 2 * (2 / 17.5 + 2 / 982.5)  # every |O − E| is 12.5
    chi2_yates = 12.0 ** 2 * (2 / 17.5 + 2 / 982.5)  # |O − E| − 0.5
    lr = math.log2((30 / 1000) / (5 / 1000))  # = log2 6
    sm = (30_000 + 1) / (5_000 + 1)  # per million, n = 1
    # Fightin' Words with a background of 人才 4, 工作 96 (α_0 = 100) and vocabulary totals
    # n_T = 30 + 970, n_R = 5 + 995.
    a = 4.0
    delta = math.log((30 + a) / (1000 + 100 - 30 - a)) - math.log((5 + a) / (1000 + 100 - 5 - a))
    z = delta / math.sqrt(1 / (30 + a) + 1 / (5 + a))

    target = pd.DataFrame({"term": ["人才", "工作"], "count": [30, 970]})
    reference = pd.DataFrame({"term": ["人才", "工作"], "count": [5, 995]})
    background = pd.DataFrame({"term": ["人才", "工作"], "count": [4, 96]})
    row = K.keyness(target, reference, background=background).set_index("term").loc["人才"]
    assert row["f_target"] == 30 and row["f_reference"] == 5
    assert row["rate_target"] == pytest.approx(300.0, abs=TOL)
    assert row["rate_reference"] == pytest.approx(50.0, abs=TOL)
    assert row["expected_target"] == pytest.approx(17.5, abs=TOL)
    assert row["g2"] == pytest.approx(g2, abs=TOL)
    assert row["chi2"] == pytest.approx(chi2, abs=TOL)
    assert row["chi2_yates"] == pytest.approx(chi2_yates, abs=TOL)
    assert row["log_ratio"] == pytest.approx(lr, abs=TOL)
    assert row["simple_maths"] == pytest.approx(sm, abs=TOL)
    assert row["fightin_delta"] == pytest.approx(delta, abs=TOL)
    assert row["fightin_z"] == pytest.approx(z, abs=TOL)
        # By hand: the χ²₁ survival function is erfc(sqrt(x/2)).
    assert row["p"] == pytest.approx(math.erfc(math.sqrt(g2 / 2)), abs=TOL)


def test_log_ratio_zero_is_half():
    assert K.log_ratio([4], [0], 100, 100)[0] == pytest.approx(math.log2(4 / 0.5), abs=TOL)
    assert K.log_ratio([0], [4], 100, 200)[0] == pytest.approx(math.log2((0.5 / 100) / (4 / 200)), abs=TOL)


def test_simple_maths_n_is_tunable():
    one = K.simple_maths([10], [1], 10_000, 10_000, n=1)[0]
    hundred = K.simple_maths([10], [1], 10_000, 10_000, n=100)[0]
    assert one == pytest.approx((1000 + 1) / (100 + 1), abs=TOL)
    assert hundred == pytest.approx((1000 + 100) / (100 + 100), abs=TOL)


def test_han_rates_and_sorting_and_signs():
    t = {"人才": 12, "基层": 2, "干部": 6}
    r = {"人才": 2, "基层": 12, "干部": 6}
    table = K.keyness(t, r, totals=(100, 100), han_totals=(250, 200), statistic="logratio", min_expected=0)
    assert table["term"].tolist() == ["人才", "干部", "基层"]
    row = table.set_index("term").loc["人才"]
    assert row["rate_han_target"] == pytest.approx(12 / 250 * 1e4, abs=TOL)
    assert row["rate_han_reference"] == pytest.approx(2 / 200 * 1e4, abs=TOL)
    for column in ["g2", "chi2", "chi2_yates", "log_ratio", "fightin_delta", "fightin_z"]:
        values = table.set_index("term")[column]
        assert values["人才"] > 0 > values["基层"]
        assert values["干部"] == pytest.approx(0, abs=TOL)
    assert table.set_index("term")["simple_maths"]["人才"] > 1 > table.set_index("term")["simple_maths"]["基层"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12))
def test_swapping_target_and_reference_flips_signs(pairs):
    pairs = [(a, b) if a + b else (1, 0) for a, b in pairs]
    t = {f"w{i}": a for i, (a, _) in enumerate(pairs)}
    r = {f"w{i}": b for i, (_, b) in enumerate(pairs)}
    totals = (sum(t.values()) + 50, sum(r.values()) + 80)
    ab = K.keyness(t, r, totals=totals).set_index("term").sort_index()
    ba = K.keyness(r, t, totals=totals[::-1]).set_index("term").sort_index()
    for column in ["g2", "chi2", "chi2_yates", "log_ratio", "fightin_delta", "fightin_z"]:
        np.testing.assert_allclose(ab[column], -ba[column], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ab["p"], ba["p"], rtol=0, atol=1e-12)


def test_inputs_not_mutated_and_errors():
    t = pd.DataFrame({"term": ["甲", "乙"], "count": [3, 1]})
    r = pd.DataFrame({"term": ["乙", "丙"], "count": [2, 2]})
    t0, r0 = t.copy(), r.copy()
    table = K.keyness(t, r)
    pd.testing.assert_frame_equal(t, t0)
    pd.testing.assert_frame_equal(r, r0)
    assert set(table["term"]) == {"甲", "乙", "丙"}
    assert table["low_expected"].all() and table["p"].isna().all() and table["p_fdr"].isna().all()
    with pytest.raises(ValueError, match=r"keyness: statistic='tfidf' is not one of"):
        K.keyness(t, r, statistic="tfidf")
    with pytest.raises(ValueError, match="smaller than the table sums"):
        K.keyness(t, r, totals=(2, 100))
    with pytest.raises(ValueError, match="'term' and 'count'"):
        K.keyness(t.rename(columns={"count": "n"}), r)


def test_columns_in_contract_order():
    table = K.keyness({"甲": 3}, {"甲": 1, "乙": 5}, han_totals=(10, 20))
    assert table.columns.tolist() == [
        "term", "f_target", "f_reference", "rate_target", "rate_reference", "rate_han_target",
        "rate_han_reference", "expected_target", "expected_reference", "g2", "chi2", "chi2_yates",
        "log_ratio", "fightin_delta", "fightin_z", "simple_maths", "p", "p_fdr", "p_test", "low_expected",
        "tested", "fdr_family_size", "significant",
    ]


# --------------------------------------------------------------------------- fightin-words package


class _TwoRows:
    """Adapter that lets fightin-words 1.0.5 compute the comparison it documents.

    As published, ``FWExtractor.transform(X)`` (1) calls ``xrange`` (Python 2 only) and
    (2) vectorizes ``' '.join(X)`` as ONE document, then sums rows ``[:len(X[0])]`` for
    corpus 1 and ``[len(X[0]):]`` for corpus 2, where ``len(X[0])`` is the character
    length of the first text: it compares the pooled text with an empty corpus. We patch
    ``xrange = range`` into its module and pass a ``CountVectorizer`` subclass that splits
    the joined string back into the two texts and lays out the count matrix so the
    package's own slicing picks corpus 1's counts for the first rows and corpus 2's for
    the rest. Everything the package computes (priors, a0, n1, n2, delta, variance, z)
    runs unchanged.
    """

    @staticmethod
    def vectorizer(vocabulary, n_first_chars):
        from scipy import sparse
        from sklearn.feature_extraction.text import CountVectorizer

        class TwoRowVectorizer(CountVectorizer):
            def fit_transform(self, raw_documents, y=None):
                (joined,) = raw_documents
                first, second = joined[:n_first_chars], joined[n_first_chars + 1:]
                rows = super().fit_transform([first, second]).toarray()
                layout = np.zeros((n_first_chars + 1, rows.shape[1]), dtype=rows.dtype)
                layout[0], layout[n_first_chars] = rows[0], rows[1]
                return sparse.csr_matrix(layout)

        return TwoRowVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, vocabulary=vocabulary)


# Two small "speeches" written for this test, as space-separated tokens.
_SPEECH_A = ("人才 是 第一 资源 要 引进 人才 培育 人才 留住 人才 人才 驿站 专家 博士 "
             "干部 要 担当 作为 基层 党组织 要 加强 人才 工作 创新 发展 专家 人才 政策").split()
_SPEECH_B = ("基层 党组织 是 战斗 堡垒 要 加强 基层 治理 社区 网格 基层 基层 党员 "
             "干部 要 下沉 社区 村 书记 集体 经济 乡村 振兴 基层 党组织 发展 党员 人才").split()


def _package(monkeypatch):
    pytest.importorskip("sklearn")
    try:
        module = importlib.import_module("fightin-words.fightin-words")
    except ImportError:  # pragma: no cover
        pytest.skip("fightin-words is not installed (pip install fightin-words==1.0.5)")
    monkeypatch.setattr(module, "xrange", range, raising=False)
    return module


def _package_z(module, prior):
    vocab = sorted(set(_SPEECH_A) | set(_SPEECH_B))
    text_a, text_b = " ".join(_SPEECH_A), " ".join(_SPEECH_B)
    cv = _TwoRows.vectorizer(vocab, len(text_a))
    extractor = module.FWExtractor(prior=prior if isinstance(prior, float) else [prior[w] for w in vocab], cv=cv)
    return dict(extractor.transform([text_a, text_b])), vocab


def _counts(tokens):
    return pd.Series(tokens).value_counts().rename_axis("term").reset_index(name="count")


def test_fightin_words_matches_package_informative_prior(monkeypatch):
    module = _package(monkeypatch)
    # Background corpus: both speeches plus a third text written here; α_w = its raw counts.
    extra = "发展 发展 经济 创新 工作 工作 加强 干部 党员 人才 基层 社区 政策 资源".split()
    background = pd.Series(_SPEECH_A + _SPEECH_B + extra).value_counts()
    # np.float64 priors: with Python floats the package's sums run in float32 (NumPy 2, NEP 50).
    prior = {w: np.float64(background[w]) for w in background.index}
    theirs, vocab = _package_z(module, prior)
    ours = K.keyness(_counts(_SPEECH_A), _counts(_SPEECH_B), background=background.rename_axis("term").reset_index(name="count"))
    ours = ours.set_index("term")["fightin_z"]
    assert set(ours.index) == set(vocab)
    for w in vocab:
        assert ours[w] == pytest.approx(theirs[w], abs=TOL, rel=0), w
    assert ours["人才"] > 0 > ours["基层"]


def test_fightin_words_matches_package_uniform_prior(monkeypatch):
    module = _package(monkeypatch)
    vocab = sorted(set(_SPEECH_A) | set(_SPEECH_B))
    # The package's uniform prior (its default 0.01), passed as float64 pseudo-counts.
    theirs, _ = _package_z(module, {w: np.float64(0.01) for w in vocab})
    f_a = _counts(_SPEECH_A).set_index("term")["count"].reindex(vocab).fillna(0).to_numpy()
    f_b = _counts(_SPEECH_B).set_index("term")["count"].reindex(vocab).fillna(0).to_numpy()
    _, z = K.weighted_log_odds(f_a, f_b, np.full(len(vocab), 0.01))
    np.testing.assert_allclose(z, [theirs[w] for w in vocab], rtol=0, atol=TOL)
    # With prior=0.01 as a Python float the package adds it to float32 counts in float32,
    # so it agrees only to float32 precision.
    theirs32, _ = _package_z(module, 0.01)
    np.testing.assert_allclose(z, [theirs32[w] for w in vocab], rtol=1e-5, atol=1e-5)


def test_dirichlet_prior_scaling_and_missing():
    alpha = K.dirichlet_prior(["甲", "乙", "丙"], {"甲": 6, "乙": 2}, scale=10)
    assert alpha.tolist() == pytest.approx([10 * 6 / 8.5, 10 * 2 / 8.5, 10 * 0.5 / 8.5], abs=TOL)
    with pytest.raises(ValueError, match="alpha_w"):
        K.weighted_log_odds([1], [1], [0.0])


# --------------------------------------------------------------------------- selections of a FeatureSet


def _toy_featureset():
    """Two documents written by hand; tokens partition the text (spaces aside)."""
    rows = []
    sentences = []

    def add(doc, path, sentence, words, han):
        start = sum(len(r[6]) for r in rows if r[0] == doc)
        for w in words:
            kind = "punct" if w in "，。" else "word"
            rows.append((doc, path, sentence, 0, start, start + len(w), w, kind, w in {"的", "要"}))
            start += len(w)
        sentences.append((doc, sentence, 0, 0, path, 0, han))

    add("d1", "一", 0, ["要", "引进", "人才", "，", "人才", "是", "资源", "。"], 11)
    add("d1", "一（一）", 1, ["培育", "人才", "。"], 4)
    add("d1", "二", 2, ["加强", "基层", "党组织", "。"], 7)
    add("d2", "一", 0, ["基层", "治理", "要", "加强", "。"], 7)
    tokens = pd.DataFrame(rows, columns=["document", "path", "sentence", "paragraph", "start", "end", "token", "kind", "is_stop"])
    sents = pd.DataFrame(sentences, columns=["document", "sentence", "start", "end", "path", "paragraph", "han_chars"])
    nodes = pd.DataFrame({
        "document": ["d1", "d1", "d1", "d2"],
        "path": ["一", "一（一）", "二", "一"],
        "level": [1, 2, 1, 1],
        "parent": [None, "一", None, None],
    })
    documents = pd.DataFrame({"id": ["d1", "d2"], "year": [2022, 2023]})
    return FeatureSet.from_tables(documents, tokens, nodes=nodes, sentences=sents)


def test_selections_and_compare_terms():
    fs = _toy_featureset()
    assert K.selection_totals(fs, "d1#一") == {"tokens": 8, "han_chars": 15, "sentences": 2, "documents": 1}
    assert K.selection_totals(fs, ("d1", "二"))["tokens"] == 3
    assert K.selection_totals(fs, {"year": 2023})["tokens"] == 4
    assert K.selection_totals(fs, ["d1#二", "d2"])["tokens"] == 7
    assert K.selection_totals(fs, {"documents": ["d1"], "section": None})["tokens"] == 11
    counts = K.count_terms(fs, "d1#一")
    assert dict(counts.values.tolist()) == {"人才": 3, "培育": 1, "引进": 1, "资源": 1, "是": 1}
    assert counts["term"].iloc[0] == "人才"
    table = K.compare_terms(fs, "d1#一", "d1#二", min_expected=0).set_index("term")
    assert table.loc["人才", "f_target"] == 3 and table.loc["人才", "f_reference"] == 0
    # Totals: 8 word tokens (要 included) in 一, 3 in 二; Han 15 and 7.
    assert table.loc["人才", "rate_target"] == pytest.approx(3 / 8 * 1e4, abs=TOL)
    assert table.loc["人才", "rate_han_target"] == pytest.approx(3 / 15 * 1e4, abs=TOL)
    assert "要" not in table.index
    assert table.loc["人才", "g2"] == pytest.approx(K.log_likelihood([3], [0], 8, 3)[0], abs=TOL)
    with pytest.raises(KeyError, match="no outline node"):
        K.compare_terms(fs, "d1#五", "d2")
    with pytest.raises(KeyError, match="not in this FeatureSet"):
        K.compare_terms(fs, "d9", "d2")


# --------------------------------------------------------------------------- real documents (../shared/corpora)


@pytest.mark.shared
def test_compare_terms_on_two_congress_reports(congress_fs):
    fs, ids = congress_fs
    table = K.compare_terms(fs, ids["20"], ids["19"], statistic="g2")
    totals = K.selection_totals(fs, ids["20"]), K.selection_totals(fs, ids["19"])
    words = fs.tokens[(fs.tokens["kind"] == "word") & ~fs.tokens["is_stop"].astype(bool)]
    assert table["f_target"].sum() == (words["document"] == ids["20"]).sum()
    assert table["f_reference"].sum() == (words["document"] == ids["19"]).sum()
    sample = table.iloc[::max(1, len(table) // 40)]
    for row in sample.itertuples():
        o = [[row.f_target, row.f_reference],
             [totals[0]["tokens"] - row.f_target, totals[1]["tokens"] - row.f_reference]]
        ref = stats.chi2_contingency(o, correction=False, lambda_="log-likelihood")
        assert abs(row.g2) == pytest.approx(ref.statistic, abs=TOL)
        if not row.low_expected:
            assert row.p == pytest.approx(ref.pvalue, abs=TOL)
        assert row.rate_han_target == pytest.approx(row.f_target / totals[0]["han_chars"] * 1e4, abs=TOL)
    given_p = table["p"].dropna()
    np.testing.assert_allclose(table.loc[given_p.index, "p_fdr"], stats.false_discovery_control(given_p), atol=TOL)
    assert table["g2"].is_monotonic_decreasing
    swapped = K.compare_terms(fs, ids["19"], ids["20"]).set_index("term")
    both = table.set_index("term")
    np.testing.assert_allclose(both["g2"], -swapped.loc[both.index, "g2"], atol=TOL)


def test_a_group_of_whole_documents_is_selected_in_one_pass(monkeypatch):
    """select_mask of a group of n whole documents (a list, or a metadata filter) is the union of the
    documents' own masks, made with one pass over the table, not one per document."""
    from analysis.profiles import load_profiles
    from analysis.stats import keyness as K

    fs = load_profiles()
    ids = fs.documents["id"].astype(str).tolist()
    table = fs.term_counts
    doc = table["document"].astype(str).to_numpy()
    group = ids[:40]
    years = sorted(set(fs.documents["year"].dropna()))[:3]
    by_year = fs.documents.loc[fs.documents["year"].isin(years), "id"].astype(str)
    passes = []
    isin = np.isin
    monkeypatch.setattr(np, "isin", lambda *a, **k: passes.append(len(a[0])) or isin(*a, **k))
    mask = K.select_mask(fs, group, table=table)
    assert passes == [len(table)]
    passes.clear()
    years_mask = K.select_mask(fs, {"year": years}, table=table)
    assert passes == [len(table)]
    monkeypatch.setattr(np, "isin", isin)
    assert (mask == np.array([d in set(group) for d in doc])).all() and mask.sum() > 0
    assert (years_mask == np.array([d in set(by_year) for d in doc])).all() and years_mask.sum() > 0
    mixed = K.select_mask(fs, [ids[0], f"{ids[1]}#一"], table="sentences")  # a section beside a whole document
    sentences = fs.sentences
    expected = (sentences["document"].astype(str) == ids[0]).to_numpy() | (
        (sentences["document"].astype(str) == ids[1]) & sentences["path"].astype(str).str.startswith("一")).to_numpy()
    assert (mixed == expected).all()
