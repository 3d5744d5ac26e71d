"""Tests for analysis.stats.compare: speech against speech, checked against scipy and hand counts.

The speeches are short texts written for these tests (no text from ../shared/corpora):
``talent`` is about talent, ``grassroots`` about the grassroots; ``oneline`` is the talent
text with its line breaks removed (one paragraph), as in a scraped speech.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.features import build_features
from analysis.stats import compare as C
from analysis import speeches as S
from analysis.results import declared, units_note
from analysis.stats.keyness import fisher_p
from analysis.stats.themes import theme_coverage

TALENT = (
    "同志们：\n今天召开全区组织工作会议。我讲三点意见。\n"
    "一、抓好人才工作\n"
    + "".join(f"要引进人才，培养人才第{i}批。\n" for i in range(1, 13))
    + "要关心基层干部。\n"
    "二、抓好干部工作\n"
    + "".join(f"干部要担当作为第{i}次。\n" for i in range(1, 9))
    + "三、抓好党员工作\n党员要发挥作用。\n"
    "同志们，让我们共同努力。\n"
)
GRASSROOTS = (
    "同志们：\n这次会议很重要。\n"
    "一、加强基层治理\n"
    + "".join(f"社区要服务群众，基层要减负第{i}项。\n" for i in range(1, 15))
    + "二、加强基层党组织\n"
    + "".join(f"基层党组织要过硬第{i}条。村里也要人才。\n" for i in range(1, 9))
)


@pytest.fixture(scope="module")
def fs():
    docs = pd.DataFrame({
        "id": ["talent", "grassroots", "oneline"],
        "text": [TALENT, GRASSROOTS, TALENT.replace("\n", "")],
        "date": ["2023-05-01", "2020-01-02", "2021"],
        "kind": ["organization_work", "party_building", "party_building"],
        "level": ["county-district", "national", "national"],
    })
    out = build_features(docs, progress=False, cache=False)
    from dataclasses import replace

    return replace(out, documents=C.with_year(out.documents))


def _shares(fs, document, theme, column="share_tokens"):
    cov = theme_coverage(fs, by="document")
    return float(cov.loc[(cov["document"] == document) & (cov["theme"] == theme), column].iloc[0])


# --------------------------------------------------------------------------- flags and percentiles


def test_units_note_names_the_side_and_the_count():
    assert units_note(20, 20) == ""
    assert units_note(1, 25, unit="paragraph") == \
        "A has only 1 paragraph (< 20): interval not reliable, not called significant"
    assert "A has only 3" in units_note(3, 4, min_units=5) and "B has only 4" in units_note(3, 4, min_units=5)


@pytest.mark.parametrize("score", [0.0, 0.2, 0.35, 0.5, 1.0])
def test_percentile_of_equals_scipy_mean_kind(score):
    values = [0.1, 0.2, 0.2, 0.35, 0.4, 0.5, 0.5, 0.9]
    assert C.percentile_of(values, score) == pytest.approx(stats.percentileofscore(values, score, kind="mean"))


def test_percentile_of_ignores_nan_and_empty():
    assert C.percentile_of([np.nan, 1.0, 3.0], 2.0) == 50.0
    assert math.isnan(C.percentile_of([], 1.0))


def test_fisher_p_equals_scipy_term_by_term():
    ft, fr = [0, 3, 12, 0, 7], [9, 1, 0, 0, 7]
    expected = [stats.fisher_exact([[a, 900 - a], [b, 4000 - b]]).pvalue for a, b in zip(ft, fr)]
    assert fisher_p(ft, fr, 900, 4000) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- themes and shifts


def test_speech_themes_orders_by_date_and_keys_rows_by_document(fs):
    table = C.speech_themes(fs)
    assert list(dict.fromkeys(table["document"])) == ["grassroots", "oneline", "talent"]  # 2020, 2021, 2023
    assert table.groupby("document")["label"].nunique().eq(1).all()
    assert table.drop_duplicates("document")["label"].is_unique
    assert table.loc[(table["document"] == "talent") & (table["theme"] == "talent"), "share"].iloc[0] == \
        pytest.approx(_shares(fs, "talent", "talent"))


def test_theme_shift_diff_is_share_b_minus_share_a_and_interval_brackets_it(fs):
    shift = C.theme_shift(fs, "talent", "grassroots", n_resamples=400, seed=1).set_index("theme")
    a, b = _shares(fs, "talent", "talent"), _shares(fs, "grassroots", "talent")
    assert shift.loc["talent", "share_a"] == pytest.approx(a)
    assert shift.loc["talent", "diff"] == pytest.approx(b - a)
    assert shift.loc["talent", "ci_low"] <= shift.loc["talent", "diff"] <= shift.loc["talent", "ci_high"]
    # talent falls from A to B and the interval says so; both sides have ≥ 20 sentences
    assert shift.loc["talent", "ci_high"] < 0 and bool(shift.loc["talent", "significant"])
    assert (shift["flag"] == "").all()
    assert list(shift.columns[:10]) == ["label_zh", "share_of", "hits_a", "hits_b", "share_a", "share_b", "diff",
                                        "ci_low", "ci_high", "se"]
    assert declared(shift.reset_index())["estimate"] == "diff"


def test_theme_shift_flags_a_text_without_line_breaks(fs):
    shift = C.theme_shift(fs, "oneline", "grassroots", unit="paragraph", n_resamples=200, seed=1)
    assert (shift["units_a"] == 1).all()
    assert shift["flag"].iloc[0] == "A has only 1 paragraph (< 20): interval not reliable, not called significant"
    assert not shift["significant"].any()  # a one-unit bootstrap never counts as evidence


def test_theme_shifts_stacks_comparisons_and_is_empty_without_any(fs):
    comps = C.plan_comparisons(fs, "talent", others=["grassroots"], groups={"pb": {"kind": "party_building"}})
    table = C.theme_shifts(fs, comps, n_resamples=100)
    assert list(dict.fromkeys(table["comparison"])) == ["talent vs grassroots", "talent vs pb"]
    assert C.theme_shifts(fs, [], n_resamples=100).empty
    assert "ci_low" in C.theme_shifts(fs, []).columns


def test_plan_comparisons_drops_missing_and_never_puts_the_speech_in_its_group(fs):
    with pytest.warns(UserWarning, match="nowhere"):
        comps = C.plan_comparisons(fs, "talent", others=["nowhere"],
                                   groups={"all": {"level": ["county-district", "national"]}})
    assert [c.name for c in comps] == ["talent vs all"]
    assert comps[0].documents_b == ("grassroots", "oneline")
    with pytest.raises(KeyError, match="missing"):
        C.plan_comparisons(fs, "missing")
    with pytest.warns(UserWarning, match="no metadata column \\['collection'\\]"):
        assert C.plan_comparisons(fs, "talent", groups={"x": {"collection": "speeches"}}) == []


def test_speech_index_matches_log_ratio_of_shares(fs):
    table = C.speech_index(fs, n_resamples=300, seed=3).set_index("document")
    for doc in ("talent", "grassroots"):
        expected = math.log(_shares(fs, doc, "talent") / _shares(fs, doc, "grassroots"))
        assert table.loc[doc, "index"] == pytest.approx(expected)
        assert table.loc[doc, "ci_low"] <= table.loc[doc, "index"] <= table.loc[doc, "ci_high"]
    assert table.loc["talent", "index"] > 0 > table.loc["grassroots", "index"]
    assert list(table.index) == ["grassroots", "oneline", "talent"]  # by date


def test_speech_index_selects_from_blocks_not_the_whole_set_per_speech(monkeypatch):
    """Each speech's FeatureSet is the one fs.select gives it directly; the whole set is filtered
    about √n times (blocks of ⌈√n⌉ speeches), not once per speech (quadratic on 1,000 speeches)."""
    from analysis.features import FeatureSet
    from analysis.profiles import load_profiles

    profiles = load_profiles()
    ids = profiles.documents["id"].astype(str).tolist()[:10]
    whole = profiles.select(ids)
    calls = []
    select = FeatureSet.select
    monkeypatch.setattr(FeatureSet, "select", lambda self, keep: calls.append(self is whole) or select(self, keep))
    pairs = list(C._one_by_one(whole, ids))
    assert [d for d, _ in pairs] == ids
    assert sum(calls) == 3  # ⌈√10⌉ = 4: blocks of 4, 4 and 2 speeches
    monkeypatch.setattr(FeatureSet, "select", select)
    for document, one in pairs:
        direct = whole.select([document])
        assert one.documents["id"].tolist() == [document]
        pd.testing.assert_frame_equal(one.term_counts, direct.term_counts)
        pd.testing.assert_frame_equal(one.sentences, direct.sentences)
        pd.testing.assert_frame_equal(one.sentence_tokens, direct.sentence_tokens)
    single = list(C._one_by_one(whole, ids[:1]))
    assert len(single) == 1 and single[0][1].documents["id"].tolist() == ids[:1]


def test_speech_index_flags_few_units():
    docs = pd.DataFrame({"id": ["short"], "text": ["一、人才\n人才很重要。基层也重要。\n"]})
    fs = build_features(docs, progress=False, cache=False)
    row = C.speech_index(fs, n_resamples=50).iloc[0]
    assert "only 3 sentences (< 20)" in row["flag"]  # the heading, and two sentences


# --------------------------------------------------------------------------- keyness


def _independent_keyness(fs, a, b, *, min_total=5, min_expected=5.0):
    """Counts, then scipy for every test and for the FDR: no code from analysis.stats.keyness."""
    from collections import Counter

    def counts(doc):
        t = fs.tokens[(fs.tokens["document"] == doc) & (fs.tokens["kind"] == "word")]
        return Counter(t.loc[~t["is_stop"].astype(bool), "token"]), int(len(t))

    (ca, na), (cb, nb) = counts(a), counts(b)
    rows = []
    for term in sorted(set(ca) | set(cb)):
        x, y = ca.get(term, 0), cb.get(term, 0)
        if x + y < min_total:
            continue
        table = np.array([[x, na - x], [y, nb - y]])
        expected = stats.contingency.expected_freq(table)
        if expected[:, 0].min() < min_expected:
            p = stats.fisher_exact(table).pvalue
        else:
            p = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood").pvalue
        rows.append((term, x, y, p))
    frame = pd.DataFrame(rows, columns=["term", "f_a", "f_b", "p"])
    frame["p_fdr"] = stats.false_discovery_control(frame["p"].to_numpy(), method="bh")
    return frame


def test_significant_keyness_equals_an_independent_computation(fs):
    got = C.significant_keyness(fs, "talent", "grassroots", alpha=0.05)
    ref = _independent_keyness(fs, "talent", "grassroots")
    ref = ref[ref["p_fdr"] < 0.05].set_index("term")
    assert sorted(got["term"]) == sorted(ref.index)
    got = got.set_index("term")
    assert got["p_fdr"].to_numpy() == pytest.approx(ref.loc[got.index, "p_fdr"].to_numpy(), rel=1e-9)
    assert (got["p_fdr"] < 0.05).all()


def test_significant_keyness_keeps_terms_absent_on_one_side(fs):
    got = C.significant_keyness(fs, "talent", "grassroots")
    by_term = got.set_index("term")
    assert {"社区", "基层"} <= set(by_term.index)  # 0 in A (社区) or few; many in B
    assert by_term.loc["社区", "f_target"] == 0 and by_term.loc["社区", "side"] == "B"
    assert np.isfinite(by_term.loc["社区", "log_ratio"])
    assert by_term.loc["人才", "side"] == "A"


def test_keyness_by_comparison_has_the_same_columns_with_and_without_comparisons(fs):
    comps = C.plan_comparisons(fs, "talent", others=["grassroots"])
    full = C.keyness_by_comparison(fs, comps)
    assert list(full.columns) == ["comparison", "label_a", "label_b"] + C.KEYNESS_COLUMNS
    assert list(C.keyness_by_comparison(fs, []).columns) == list(full.columns)


def test_significant_keyness_never_fills_with_non_significant_terms(fs):
    all_terms = C.significant_keyness(fs, "talent", "grassroots", alpha=1.0)
    strict = C.significant_keyness(fs, "talent", "grassroots", alpha=1e-12, top=10)
    assert len(strict) < len(all_terms)
    assert (strict["p_fdr"] < 1e-12).all()
    top = C.significant_keyness(fs, "talent", "grassroots", top=2)
    assert top.groupby("side").size().le(2).all()


# --------------------------------------------------------------------------- structure and peers


def test_speech_structure_by_hand(fs):
    from analysis.chars import count_han

    row = C.speech_structure(fs).set_index("document").loc["talent"]
    preamble = count_han("同志们：今天召开全区组织工作会议。我讲三点意见。")
    closing = count_han("同志们，让我们共同努力。")
    total = count_han(TALENT)
    assert row["han_chars"] == total
    assert row["preamble_share"] == pytest.approx(preamble / total)
    assert row["closing_share"] == pytest.approx(closing / total)
    assert row["preamble_share"] + row["body_share"] + row["closing_share"] == pytest.approx(1.0)
    assert row["points"] == 3 and row["announced"] == 3 and bool(row["announced_matches"])
    section_one = count_han("一、抓好人才工作" + "".join(f"要引进人才，培养人才第{i}批。" for i in range(1, 13))
                            + "要关心基层干部。")
    assert row["largest_point"] == "一"
    assert row["largest_point_share"] == pytest.approx(section_one / total)
    grass = C.speech_structure(fs).set_index("document").loc["grassroots"]
    assert pd.isna(grass["announced"]) and pd.isna(grass["announced_matches"]) and grass["closing_share"] == 0


def test_peer_position_percentiles_and_group_sizes(fs):
    table = C.peer_position(fs, "talent", by="kind", min_group=2)
    assert set(table["group"]) == {"party_building"}  # the speech is never its own peer
    row = table[table["theme"] == "talent"].iloc[0]
    peers = [_shares(fs, d, "talent") for d in ("grassroots", "oneline")]
    assert row["group_size"] == 2
    assert row["percentile"] == pytest.approx(stats.percentileofscore(peers, row["share"], kind="mean"))
    assert row["group_median"] == pytest.approx(np.median(peers))


def test_peer_position_by_decade(fs):
    table = C.peer_position(fs, "talent", by="decade")
    assert set(table["group"]) == {2020}
    assert table["group_size"].eq(2).all()
    # two peers are fewer than MIN_GROUP: no percentile, and the table says why
    assert table["percentile"].isna().all()
    assert table["group_warning"].str.contains("only 2 speeches").all()
    with pytest.raises(KeyError, match="speaker"):
        C.peer_position(fs, "talent", by="speaker")


# --------------------------------------------------------------------------- loading


def test_reference_features_come_from_the_shipped_profiles_without_shared(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a.txt").write_text(TALENT, encoding="utf-8")
    monkeypatch.setattr(S.paths, "shared_dir", lambda: tmp_path / "no-shared")  # ../shared is not needed
    fs = S.corpus_features(corpus=folder)
    ids = list(fs.documents["id"])
    assert ids[0] == "a" and "p-xi-2020-zzlx" in ids and len(ids) == 1 + 80
    assert fs.profiled == ids[1:]  # the reference speeches are counts, not texts
    assert {"year", "decade"} <= set(fs.documents.columns)
    assert len(S.corpus_features(corpus=folder, documents=["a", "p-xi-2020-zzlx"]).documents) == 2
    assert fs.documents["in_corpus"].tolist() == [True] + [False] * 80


def test_reference_features_without_profiles_warns_and_keeps_the_corpus(tmp_path, monkeypatch):
    from analysis import profiles

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a.txt").write_text(TALENT, encoding="utf-8")
    monkeypatch.setattr(profiles, "profiles_dir", lambda: tmp_path / "no-profiles")
    with pytest.warns(UserWarning, match="no reference speeches"):
        fs = S.corpus_features(corpus=folder)
    assert list(fs.documents["id"]) == ["a"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(S.corpus_features(corpus=folder, references=[]).documents) == 1
    with pytest.raises(FileNotFoundError, match="nothing.jsonl"):
        S.corpus_features(corpus=folder, references=[tmp_path / "nothing.jsonl"])
