"""Tracking terms and themes over time (analysis.stats.track), occurrences from counts and from text,
KWIC on a FeatureSet, the trend charts and the track command.

The hand-built corpus below is written for these tests (four short "reports", one with a
gap year after it); the shared-corpus tests read ../shared/corpora and skip without it.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from analysis.features import FeatureSet
import pytest

from analysis.chars import REDACTION, count_han
from analysis.features import build_features
from analysis.io.corpus import date_documents, load_corpus
from analysis.paths import corpus_dir, shared_dir
from analysis.stats import track as T
from analysis.stats.counts import (
    kwic,
    occurrence_check,
    occurrences_from_counts,
    term_counts,
    term_frequencies,
    text_occurrences,
)

HAND = {
    "r2001": ("report", 2001, "坚持改革开放。推进改革开放。"),
    "r2002": ("report", 2002, "实施人才强国战略。坚持改革开放，建设小康社会。"),
    "r2004": ("report", 2004, "建设小康社会。全面建设小康社会。培养人才。"),
    "n2002": ("npc_resolution", 2002, "会议同意报告。坚持改革开放。"),
}
TERMS = ["改革开放", "小康社会", "人才"]
GOV = shared_dir() / "corpora" / "gov-work-reports.jsonl"


def independent_count(text: str, term: str) -> int:
    """Occurrences written apart from the library: a regex scan of each stretch between redaction marks."""
    return sum(len(re.findall(re.escape(term), part)) for part in text.split(REDACTION))


@pytest.fixture(scope="module")
def hand():
    docs = pd.DataFrame({"id": list(HAND), "kind": [v[0] for v in HAND.values()],
                         "year": [v[1] for v in HAND.values()], "text": [v[2] for v in HAND.values()]})
    return docs, build_features(docs, progress=False, cache=False)


@pytest.fixture(scope="module")
def gov():
    docs = load_corpus(GOV)
    return docs, build_features(docs, progress=False, workers=2)


# --- occurrences ---------------------------------------------------------------------


def test_occurrences_from_counts_follow_the_formula_by_hand():
    counts = pd.DataFrame({"document": "d", "token": ["人才", "人才强国战略", "人才引进人才", "个人", "才能"],
                           "count": [3, 2, 1, 4, 4]})
    table = occurrences_from_counts(counts, ["人才", "强国", "人"]).set_index("term")["occurrences"]
    # 3·1 + 2·1 + 1·2 = 7; 个人|才能 are separate tokens and give nothing; one-character terms are not counted
    assert table.to_dict() == {"人才": 7, "强国": 2}
    whole = occurrences_from_counts(counts).set_index("term")["occurrences"]
    assert whole["人才"] == 7 and whole["个人"] == 4 and whole["人才引进人才"] == 1


def test_text_route_counts_inside_words_never_across_redactions():
    assert text_occurrences("人才强国战略和人才驿站", "人才") == 2
    assert text_occurrences("两个〓维护", "两个维护") == 0
    with pytest.raises(ValueError, match="two characters"):
        text_occurrences("人才", "人")
    with pytest.raises(ValueError, match="redaction"):
        text_occurrences("人才", "人〓")


def test_both_routes_agree_on_the_seed():
    docs = load_corpus(corpus_dir() / "organization-work-speech.txt")
    fs = build_features(docs, progress=False)
    check = occurrence_check(fs, docs, ["人才", "基层", "乡村振兴", "两个确立", "党建引领", "组织工作"])
    assert (check["across_tokens"] == 0).all(), check
    counts = check.set_index("term")["occurrences"]
    assert counts["人才"] == independent_count(docs["text"].iloc[0], "人才") == 44
    assert counts["乡村振兴"] == 6  # dictionary formulas count as their occurrences, 4 of them whole tokens
    freq = term_frequencies(fs).set_index("term")
    assert (freq.loc["人才", "tokens"], freq.loc["人才", "occurrences"]) == (25, 44)
    assert (freq.loc["乡村振兴", "tokens"], freq.loc["乡村振兴", "occurrences"]) == (4, 6)


def test_a_term_found_only_inside_longer_tokens_is_a_row():
    tokens = pd.DataFrame({"document": ["a", "b"], "token": ["人才", "人才强国战略"], "kind": "word", "is_stop": False})
    fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["a", "b"]}), tokens=tokens)
    table = term_frequencies(fs).set_index(["document", "term"])
    assert (table.loc[("b", "人才"), "tokens"], table.loc[("b", "人才"), "occurrences"]) == (0, 1)


# --- track on the hand-built corpus ---------------------------------------------------------


def test_track_counts_and_rates_by_hand(hand):
    docs, fs = hand
    table = T.track(fs, terms=TERMS)
    assert list(table.columns) == ["year", "kind", *T.TRACK_COLUMNS]
    reports = table[table["kind"] == "report"].set_index(["item", "year"])
    texts = dict(zip(docs["id"], docs["text"]))
    for doc, (kind, year, text) in HAND.items():
        if kind != "report":
            continue
        for term in TERMS:
            row = reports.loc[(term, year)]
            expected = independent_count(text, term)
            assert row["occurrences"] == expected
            assert row["per_10k_han"] == pytest.approx(round(1e4 * expected / count_han(texts[doc]), 2))
            assert row["documents"] == 1 and row["han_chars"] == count_han(text)
    # 2003 has no document: no row (a gap); 2001 has documents and no 人才: a row with 0
    assert 2003 not in table["year"].tolist()
    assert reports.loc[("人才", 2001), "occurrences"] == 0 and reports.loc[("人才", 2001), "per_10k_han"] == 0
    # 人才 inside 人才强国战略: an occurrence, not a token
    assert (reports.loc[("人才", 2002), "occurrences"], reports.loc[("人才", 2002), "tokens"]) == (1, 0)
    # the NPC resolution is its own series unless pooled
    npc = table[table["kind"] == "npc_resolution"].set_index("item")
    assert npc.loc["改革开放", "occurrences"] == 1 and npc.loc["改革开放", "documents"] == 1
    pooled = T.track(fs, terms=["改革开放"], pool=True).set_index("year")
    assert "kind" not in pooled.columns
    assert pooled.loc[2002, "occurrences"] == 2 and pooled.loc[2002, "documents"] == 2
    han_2002 = count_han(texts["r2002"]) + count_han(texts["n2002"])
    assert pooled.loc[2002, "per_10k_han"] == pytest.approx(round(2e4 / han_2002, 2))


def test_track_themes_and_other_periods(hand):
    _, fs = hand
    table = T.track(fs, themes=["talent"], by="decade", pool=True)
    assert table["decade"].tolist() == [2000] and table["item_type"].tolist() == ["theme"]
    assert table["theme_hits"].iloc[0] == 2 and pd.isna(table["occurrences"].iloc[0])  # 人才强国战略, 人才
    assert table["rate_of"].iloc[0] == "theme_hits"
    by_kind = T.track(fs, terms=["改革开放"], by="kind").set_index("kind")
    assert by_kind.loc["report", "occurrences"] == 3 and by_kind.loc["report", "documents"] == 3
    with pytest.raises(ValueError, match="unknown theme"):
        T.track(fs, themes=["talents"])
    with pytest.raises(ValueError, match="at least one term"):
        T.track(fs)
    with pytest.raises(ValueError, match="two characters"):
        T.track(fs, terms=["人"])
    # a term the segmenter cuts (坚持|改革开放) is counted on the full texts, without a warning …
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        split = T.track(fs, terms=["坚持改革"], pool=True).set_index("year")["occurrences"]
    assert split.to_dict() == {2001: 1, 2002: 2, 2004: 0}
    # … and warned about where only term counts exist
    docs, _ = hand
    lean = build_features(docs, progress=False, cache=False, counts_only=True)
    with pytest.warns(UserWarning, match="several tokens"):
        bounded = T.track(lean, terms=["坚持改革"], pool=True)
    assert bounded["occurrences_lower_bound"].all() and bounded["occurrences"].eq(0).all()


def test_congress_periods_and_years():
    docs = pd.DataFrame({"year": [2012, 2013, 2022, 1995], "congress": pd.array([None, None, None, 14], dtype="Int64")})
    assert T.assign_periods(docs, by="congress").tolist() == [17, 18, 19, 14]
    dated = date_documents(pd.DataFrame({
        "id": ["a", "b", "c", "d"], "title": ["第十四届全国人民代表大会第三次会议关于政府工作报告的决议",
                                              "第二届全国人民代表大会第三次会议关于政府工作报告的决议", "报告", "报告"],
        "date": ["", "", "", "1954"], "congress": pd.array([None, None, 20, None], dtype="Int64"),
        "note": "", "source_path": "x.jsonl"}))
    assert dated["year"].tolist() == [2025, 1962, 2022, 1954]


def test_formula_summary_by_hand(hand):
    _, fs = hand
    table = T.track(fs, terms=TERMS)
    summary = T.formula_summary(table[table["kind"] == "report"]).set_index("item")
    assert summary.loc["改革开放", ["first", "last", "peak"]].tolist() == [2001, 2002, 2001]
    assert summary.loc["小康社会", ["first", "last", "peak"]].tolist() == [2002, 2004, 2004]
    assert summary.loc["人才", ["first", "last", "peak"]].tolist() == [2002, 2004, 2004]
    assert summary.loc["小康社会", "peak_rate"] == pytest.approx(round(2e4 / 18, 2))  # 2 in 18 Han characters
    assert summary["appearance_order"].tolist() == [1, 2, 2]
    assert summary["periods"].tolist() == [3, 3, 3] and summary["total"].tolist() == [3, 3, 2]


def test_ranks_and_rank_change_by_hand(hand):
    _, fs = hand
    table = T.track(fs, terms=TERMS)
    reports = table[table["kind"] == "report"]
    ranks = T.rank_by_period(reports).set_index(["year", "item"])
    assert ranks.loc[(2002, "人才"), "rank"] == 1 == ranks.loc[(2002, "改革开放"), "rank"]  # 500 each: a tie
    assert ranks.loc[(2004, "小康社会"), "rank"] == 1 and ranks.loc[(2004, "人才"), "rank"] == 2
    assert pd.isna(ranks.loc[(2004, "改革开放"), "rank"])  # no hit, no rank
    assert ranks.loc[(2004, "人才"), "places_gained"] == -1
    change = T.rank_change(reports, 2001, (2002, 2004)).set_index("item")
    assert change.loc["改革开放", "rank_start"] == 1
    # 2002–2004 pooled: 改革开放 1, 小康社会 3, 人才 2 occurrences in 38 Han characters
    assert change.loc["小康社会", ["count_end", "rank_end"]].tolist() == [3, 1]
    assert change.loc["人才", "rank_end"] == 2 and change.loc["改革开放", "rank_end"] == 3
    assert change.loc["小康社会", "rate_end"] == pytest.approx(round(3e4 / 38, 2))
    with pytest.raises(ValueError, match="no documents"):
        T.rank_change(reports, 2003, 2004)


# --- the government work reports ------------------------------------------------------------


@pytest.mark.shared
def test_track_occurrences_equal_the_text_in_every_report_year(gov):
    docs, fs = gov
    table = T.track(fs, terms=["人才", "基层"])
    reports = docs[docs["kind"] == "report"]
    assert len(reports) == 52 and reports["year"].notna().all()
    got = table[table["kind"] == "report"].set_index(["item", "year"])
    for row in reports.itertuples():
        for term in ("人才", "基层"):
            assert got.loc[(term, row.year), "occurrences"] == independent_count(row.text, term), (term, row.year)
    # every report year is a row, years without a hit included (人才 has none in 1955)
    for term in ("人才", "基层"):
        years = got.loc[term].index.tolist()
        assert years == sorted(reports["year"].tolist())
    assert got.loc[("人才", 1955), "occurrences"] == 0
    assert got.loc[("人才", 2010), "occurrences"] == 19  # the example: 2 whole tokens, 19 in the text
    assert got.loc[("人才", 2010), "tokens"] == 2
    # no report for 2020: no row; the NPC resolutions are their own series, each with a year
    assert 2020 not in got.loc["人才"].index
    npc = table[table["kind"] == "npc_resolution"]
    assert npc["year"].notna().all() and npc["documents"].sum() == 2 * 20


@pytest.mark.shared
def test_routes_agree_on_the_reports(gov):
    docs, fs = gov
    formulas = ["人才", "基层", "两个确立", "两个维护", "四个意识", "乡村振兴", "全面从严治党", "四个现代化", "阶级斗争"]
    check = occurrence_check(fs, docs, formulas)
    assert (check["across_tokens"] == 0).all(), check[check["across_tokens"] != 0]
    # a known difference: 改革开放 straddles 全面深化改革|开放 in some recent reports
    straddled = occurrence_check(fs, docs, ["改革开放"])
    assert (straddled["across_tokens"] >= 0).all() and straddled["across_tokens"].sum() > 0


@pytest.mark.shared
def test_kwic_on_a_featureset_matches_the_documents_route(gov):
    docs, fs = gov
    subset = docs[docs["year"].isin([2010, 2024])]
    small = fs.select(subset["id"])
    fast = kwic(small, "人才", documents=docs)
    slow = kwic(subset, "人才")
    assert fast.equals(slow) and len(fast) == 19 + 20
    token_hits = kwic(small, "人才", documents=docs, match="token")
    assert token_hits["whole_token"].all() and len(token_hits) == 2 + 7
    with pytest.raises(ValueError, match="documents="):
        kwic(small, "人才")
    changed = docs.assign(sha256="0" * 64)
    with pytest.raises(ValueError, match="differ"):
        kwic(small, "人才", documents=changed)
    with pytest.raises(ValueError, match="no running text"):
        kwic(small, "人才", documents=docs.head(1))


# --- charts ---------------------------------------------------------------------------------


def test_trend_charts_leave_gaps(hand):
    from analysis.plots.fonts import missing_glyphs
    from analysis.plots.charts import figure_strings
    from analysis.plots.trends import plot_rank_change, plot_trend_heatmap, plot_trends

    _, fs = hand
    table = T.track(fs, terms=TERMS)
    fig = plot_trends(table)
    report = [t for t in fig.data if t.name == "report" and t.legendgroup == "report"]
    first = report[0]
    assert list(first.x) == [2001, 2002, 2003, 2004] and first.y[2] is None and not first.connectgaps
    assert first.y[0] == pytest.approx(1666.67)
    heat = plot_trend_heatmap(table[table["kind"] == "report"])
    assert list(heat.data[0].x) == [2001, 2002, 2003, 2004]
    assert all(row[2] is None for row in heat.data[0].z)
    with pytest.raises(ValueError, match="one series"):
        plot_trend_heatmap(table)
    change = T.rank_change(table[table["kind"] == "report"], 2001, 2004)
    slope = plot_rank_change(change)
    assert {tr.name for tr in slope.data if tr.mode == "lines+markers"} == set(TERMS)
    for figure in (fig, heat, slope):
        assert not missing_glyphs(figure_strings(figure))


# --- command line ------------------------------------------------------------------------------


def test_track_command(tmp_path, capsys):
    from analysis.cli import main

    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "2019年甲县讲话.txt").write_text("实施人才强国战略，培养人才。", encoding="utf-8")
    (folder / "2021年甲县讲话.txt").write_text("抓好基层党建。", encoding="utf-8")
    assert main(["track", "人才", "基层", "--theme", "talent", str(folder), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    got = {(r["item"], r["year"]): (r["occurrences"], r["tokens"], r["theme_hits"]) for r in rows}
    assert got[("人才", 2019)] == (2, 1, None) and got[("人才", 2021)] == (0, 0, None)
    assert got[("talent", 2019)][2] == 2
    assert main(["track", "人才", str(folder), "--by", "decade"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # files without a manifest get the kind read from their text, so the series is by kind too
    assert lines[0].startswith("decade,kind,item,item_type,occurrences,mid_word_matches,occurrences_lower_bound,tokens")
    assert lines[1].startswith("2010,,人才,term,2,0,False,1")  # no kind read from its text
    assert main(["track", "人才", str(tmp_path / "missing")]) == 2
    assert main(["themes", str(folder), "--by", "year"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("year,theme")


def test_term_frequencies_by_a_kind_column(hand):
    # a metadata column named like a token column (kind) groups without clashing
    _, fs = hand
    table = term_frequencies(fs, by="kind").set_index(["kind", "term"])
    assert (table.loc[("report", "改革开放"), "tokens"], table.loc[("npc_resolution", "改革开放"), "tokens"]) == (3, 1)
    assert table.loc[("report", "人才"), "occurrences"] == 2 and table.loc[("report", "人才"), "doc_freq"] == 1


@pytest.mark.shared
def test_reform_and_opening_up_is_counted_on_the_text_in_every_report(gov):
    """改革开放 in the government work reports: track and term_frequencies give, document by document, the
    plain substring count of the normalized text, the hits inside 全面深化改革|开放 included."""
    docs, fs = gov
    term = "改革开放"
    expected = {str(i): independent_count(text, term) for i, text in zip(docs["id"], docs["text"])}
    by_id = T.track(fs, terms=[term], by="id", pool=True).set_index("id")
    freq = term_frequencies(fs, by="document").set_index(["document", "term"])
    for doc, count in expected.items():
        assert by_id.loc[doc, "occurrences"] == count, doc
        assert (freq.loc[(doc, term), "occurrences"] if (doc, term) in freq.index else 0) == count, doc
    assert not by_id["occurrences_lower_bound"].any()
    # the term-count route misses the hits that straddle 全面深化改革|开放; the text route does not
    check = occurrence_check(fs, docs, [term])
    assert (check["occurrences"] == check["text_occurrences"]).all()
    assert check["across_tokens"].sum() > 0 and check["occurrences_within_tokens"].sum() < sum(expected.values())


def test_first_appearance_not_counting_mid_word_matches():
    # written for this test: 新发展理念 in 2013 only inside 创新发展理念 (创|新发展理念), as itself from 2016
    docs = pd.DataFrame({"id": ["y2013", "y2016"], "year": [2013, 2016],
                         "text": ["坚持创新发展理念，推动发展。", "坚持新发展理念，推动高质量发展。"]})
    fs = build_features(docs, progress=False, cache=False)
    table = T.track(fs, terms=["新发展理念"])
    assert table["occurrences"].tolist() == [1, 1] and table["mid_word_matches"].tolist() == [1, 0]
    summary = T.formula_summary(table).iloc[0]
    assert (summary["first"], summary["first_not_mid_word"]) == (2013, 2016)


@pytest.mark.shared
def test_new_development_philosophy_in_the_reports(gov):
    _, fs = gov
    table = T.track(fs, terms=["新发展理念"])
    reports = table[table["kind"] == "report"]
    assert reports["mid_word_matches"].sum() == 1  # 创新发展理念, once
    summary = T.formula_summary(reports).iloc[0]
    assert summary["first"] == reports.loc[reports["mid_word_matches"] > 0, "year"].iloc[0]
    assert summary["first_not_mid_word"] > summary["first"]
