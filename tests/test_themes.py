"""Tests for analysis.stats.themes: hand-worked coverage, index, diversity, DP, shifts; the lexicon; the seed.

The toy FeatureSet below is built by hand (tokens, sentences, nodes) so that every
expected number can be worked out on paper; the comments give the arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from analysis.features import FeatureSet
import pytest

from analysis.stats import themes as T
from analysis.chars import count_han

TOL = 1e-9

LEX = T.lexicon_from_dict({
    "talent": {"label_zh": "人才", "terms": ["人才", "人才驿站", "专家"]},
    "grassroots": {"label_zh": "基层", "terms": ["基层", "基层党组织", "社区", "社区治理",
                                              {"term": "村书记", "also": ["rural"]}]},
    "rural": {"label_zh": "乡村振兴", "terms": ["乡村振兴"]},
})


def build(docs: dict) -> FeatureSet:
    """docs: {id: [(path, level, parent, [sentence token lists])]} → a FeatureSet from those tables."""
    tokens, sentences, nodes, meta = [], [], [], []
    for doc, parts in docs.items():
        pos, sent = 0, 0
        for para, (path, level, parent, sents) in enumerate(parts):
            nodes.append((doc, path, level, parent))
            for words in sents:
                start = pos
                for w in words:
                    kind = "punct" if w in "，。：" else "word"
                    tokens.append((doc, path, sent, para, pos, pos + len(w), w, kind, w == "要"))
                    pos += len(w)
                sentences.append((doc, sent, start, pos, path, para, count_han("".join(words))))
                sent += 1
            pos += 1  # a line break between parts (not a token)
        meta.append(doc)
    return FeatureSet.from_tables(
        pd.DataFrame({"id": meta, "year": [2022 + i for i in range(len(meta))]}),
        pd.DataFrame(tokens, columns=["document", "path", "sentence", "paragraph", "start", "end", "token", "kind", "is_stop"]),
        nodes=pd.DataFrame(nodes, columns=["document", "path", "level", "parent"]),
        sentences=pd.DataFrame(sentences, columns=["document", "sentence", "start", "end", "path", "paragraph", "han_chars"]),
    )


D1 = [
    ("preamble", 0, None, [["同志们", "："]]),                                   # 1 word, 3 Han
    ("一", 1, None, [["引进", "人才", "，", "培育", "人才", "。"]]),              # 4 words, 8 Han; 人才 ×2
    ("一（一）", 2, "一", [["人才驿站", "服务", "专家智库", "。"]]),              # 3 words, 10 Han; 人才驿站, 专家 (inside)
    ("二", 1, None, [["加强", "基层党组织", "建设", "。"],                       # 3 words, 9 Han; 基层党组织
                     ["社区", "治理", "要", "人才", "。"]]),                     # 4 words, 7 Han; 社区治理 (phrase), 人才
    ("closing", 0, None, [["发挥", "个人", "才能", "。"]]),                      # 3 words, 6 Han; 人才 straddles: rejected
]


@pytest.fixture()
def fs():
    return build({"d1": D1})


# --------------------------------------------------------------------------- lexicon


def test_lexicon_rules():
    assert LEX[LEX["term"] == "村书记"][["theme", "home"]].values.tolist() == [["grassroots", "grassroots"], ["rural", "grassroots"]]
    with pytest.raises(T.ThemeLexiconError, match="listed under both"):
        T.lexicon_from_dict({"a": {"label_zh": "甲", "terms": ["人才"]}, "b": {"label_zh": "乙", "terms": ["人才"]}})
    with pytest.raises(T.ThemeLexiconError, match="not a theme"):
        T.lexicon_from_dict({"a": {"label_zh": "甲", "terms": [{"term": "人才", "also": ["zz"]}]}})
    with pytest.raises(T.ThemeLexiconError, match="label_zh"):
        T.lexicon_from_dict({"a": {"terms": ["人才"]}})
    with pytest.raises(T.ThemeLexiconError, match="bad term"):
        T.lexicon_from_dict({"a": {"label_zh": "甲", "terms": ["人 才"]}})


def test_project_lexicon_has_required_themes_with_rationale():
    info = T.describe_themes().set_index("theme")
    required = {"talent", "grassroots", "cadres", "party_members", "theory_study", "discipline_supervision",
                "political_loyalty", "rural_revitalization", "development"}
    assert required <= set(info.index)
    assert (info["rationale"].str.len() > 40).all() and (info["label_zh"].str.len() > 0).all()
    lex = T.load_themes()
    # Shared terms are exactly the declared ones, and 村党组织书记 counts in grassroots and rural revitalization.
    assert set(lex.loc[lex["term"] == "村党组织书记", "theme"]) == {"grassroots", "rural_revitalization"}
    assert lex.loc[lex["term"] == "村党组织书记", "home"].eq("grassroots").all()
    counts = lex.groupby("term")["theme"].size()
    assert set(counts[counts > 1].index) == set(lex.loc[lex["shared"], "term"])


def test_bad_lexicon_file_names_the_file(tmp_path):
    bad = tmp_path / "themes.yaml"
    bad.write_text("themes:\n  a: {label_zh: 甲, terms: [人才]}\n  b: {label_zh: 乙, terms: [人才]}\n", encoding="utf-8")
    with pytest.raises(T.ThemeLexiconError, match=str(bad)):
        T.load_themes(path=bad)
    with pytest.raises(T.ThemeLexiconError, match="not found"):
        T.load_themes(path=tmp_path / "missing.yaml")


def test_every_project_term_is_one_token_or_a_phrase():
    """Each term, between full stops, is found exactly once by theme_hits with the project's tokenizer."""
    segment = pytest.importorskip("analysis.text.segment")
    lex = T.load_themes()
    terms = list(dict.fromkeys(lex["term"]))
    tokenizer = segment.make_tokenizer()
    text = "。".join(terms) + "。"
    toks = segment.tokenize(text, tokenizer=tokenizer)
    toks = toks[toks["kind"] != "space"].assign(document="t", path="p", sentence=0, paragraph=0, is_stop=False)
    hits = T.theme_hits(toks, lexicon=lex)
    hits = hits[hits["theme"] == hits["home"]]
    assert hits["term"].tolist() == terms, "a term is not found as itself; see the match column"
    assert set(hits["match"]) <= {"token", "phrase"}
    # Report which terms rely on phrase matching (several tokens): they must still be whole words here.
    phrases = hits.loc[hits["match"] == "phrase", "term"].tolist()
    assert all(len(p) >= 2 for p in phrases)


# --------------------------------------------------------------------------- hits


def test_hits_leftmost_longest_phrases_inside_and_rejections(fs):
    hits = T.theme_hits(fs, lexicon=LEX)
    assert hits[["term", "theme", "match", "path"]].values.tolist() == [
        ["人才", "talent", "token", "一"],
        ["人才", "talent", "token", "一"],
        ["人才驿站", "talent", "token", "一（一）"],
        ["专家", "talent", "inside", "一（一）"],
        ["基层党组织", "grassroots", "token", "二"],
        ["社区治理", "grassroots", "phrase", "二"],
        ["人才", "talent", "token", "二"],
    ]
    assert hits.loc[hits["term"] == "社区治理", "n_tokens"].tolist() == [2]
    rejected = T.rejected_matches(fs, lexicon=LEX)
    assert rejected[["term", "tokens"]].values.tolist() == [["人才", "个人/才能"]]


def test_declared_shared_term_counts_in_both_themes():
    fs2 = build({"d": [("一", 1, None, [["村书记", "带头", "。"]])]})
    hits = T.theme_hits(fs2, lexicon=LEX)
    assert hits[["theme", "home"]].values.tolist() == [["grassroots", "grassroots"], ["rural", "grassroots"]]


# --------------------------------------------------------------------------- coverage


def test_coverage_by_document_hand_worked(fs):
    cov = T.theme_coverage(fs, lexicon=LEX).set_index("theme")
    # 18 word tokens (1+4+3+3+4+3), 43 Han characters (3+8+10+9+7+6), 6 sentences.
    talent, grass, rural = cov.loc["talent"], cov.loc["grassroots"], cov.loc["rural"]
    assert (talent["word_tokens"], talent["han_chars"], talent["sentences"]) == (18, 43, 6)
    assert talent["theme_hits"] == 5 and talent["covered_han"] == 2 + 2 + 4 + 2 + 2
    assert talent["share_tokens"] == pytest.approx(5 / 18, abs=TOL)
    assert talent["share_han"] == pytest.approx(12 / 43, abs=TOL)
    assert talent["share_sentences"] == pytest.approx(3 / 6, abs=TOL)
    assert grass["theme_hits"] == 2 and grass["covered_tokens"] == 1 + 2
    assert grass["share_tokens"] == pytest.approx(2 / 18, abs=TOL)
    assert grass["share_han"] == pytest.approx((5 + 4) / 43, abs=TOL)
    assert grass["share_sentences"] == pytest.approx(2 / 6, abs=TOL)
    assert rural["theme_hits"] == 0 and rural["share_tokens"] == 0
    assert list(T.theme_coverage(fs, lexicon=LEX).columns[:9]) == [
        "document", "theme", "label_zh", "theme_hits", "share_tokens", "share_han", "share_sentences", "word_tokens", "covered_tokens"]


def test_coverage_by_section_includes_children_and_adds_up(fs):
    cov = T.theme_coverage(fs, by="section", lexicon=LEX)
    assert list(dict.fromkeys(cov["path"])) == ["preamble", "一", "一（一）", "二", "closing"]
    t = cov[cov["theme"] == "talent"].set_index("path")
    assert t.loc["一", "theme_hits"] == 4 and t.loc["一", "word_tokens"] == 7 and t.loc["一", "han_chars"] == 18
    assert t.loc["一", "share_han"] == pytest.approx((2 + 2 + 4 + 2) / 18, abs=TOL)
    assert t.loc["一（一）", "share_tokens"] == pytest.approx(2 / 3, abs=TOL)
    assert t.loc["二", "share_sentences"] == pytest.approx(1 / 2, abs=TOL)
    # Level 1 plus level 0 partitions the document: counts add up to the document's.
    doc = T.theme_coverage(fs, lexicon=LEX).set_index("theme")
    top = cov[cov["level"] <= 1].groupby("theme")[["theme_hits", "word_tokens", "han_chars", "sentences", "covered_han"]].sum()
    for theme in ["talent", "grassroots", "rural"]:
        for column in top.columns:
            assert top.loc[theme, column] == doc.loc[theme, column]
    # Shares weighted by tokens add up to the document share.
    part = cov[(cov["level"] <= 1) & (cov["theme"] == "talent")]
    assert (part["share_tokens"] * part["word_tokens"]).sum() / part["word_tokens"].sum() == pytest.approx(doc.loc["talent", "share_tokens"], abs=TOL)


def test_coverage_by_metadata_group_and_no_mutation():
    fs2 = build({"d1": D1, "d2": [("一", 1, None, [["基层", "社区", "。"]])]})
    before = {name: getattr(fs2, name).copy() for name in ["documents", "nodes", "sentences", "tokens"]}
    cov = T.theme_coverage(fs2, by="year", lexicon=LEX).set_index(["year", "theme"])
    assert cov.loc[(2023, "grassroots"), "theme_hits"] == 2 and cov.loc[(2023, "grassroots"), "share_tokens"] == 1.0
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(fs2, name), frame)
    with pytest.raises(KeyError, match="metadata column"):
        T.theme_coverage(fs2, by="region", lexicon=LEX)


def test_talent_grassroots_index(fs):
    cov = T.theme_coverage(fs, lexicon=LEX)
    idx = T.talent_grassroots_index(cov)
    assert idx["index"][0] == pytest.approx(math.log((5 / 18) / (2 / 18)), abs=TOL)
    idx_han = T.talent_grassroots_index(cov, share="han")
    assert idx_han["index"][0] == pytest.approx(math.log(12 / 9), abs=TOL)
    by_section = T.talent_grassroots_index(T.theme_coverage(fs, by="section", lexicon=LEX)).set_index("path")
    assert np.isnan(by_section.loc["一", "index"]) and by_section.loc["一", "flag"] == "no grassroots hits"
    assert by_section.loc["preamble", "flag"] == "no talent and no grassroots hits"
    assert by_section.loc["二", "index"] == pytest.approx(math.log(1 / 2), abs=TOL)


def test_attention_diversity_hand_worked(fs):
    div = T.attention_diversity(T.theme_coverage(fs, lexicon=LEX)).iloc[0]
    p = np.array([5, 2]) / 7
    h = -(p * np.log(p)).sum()
    assert div["themes"] == 3 and div["total"] == 7
    assert div["entropy"] == pytest.approx(h, abs=TOL)
    assert div["entropy_norm"] == pytest.approx(h / math.log(3), abs=TOL)
    assert div["hhi"] == pytest.approx(29 / 49, abs=TOL)
    assert div["top_theme"] == "talent"


def test_dispersion_dp_hand_worked(fs):
    dp = T.theme_dispersion(fs, lexicon=LEX).set_index("theme")
    s = np.array([3, 18, 16, 6]) / 43  # preamble, 一 (with 一（一）), 二, closing
    v = np.array([0, 4, 1, 0]) / 5
    expected = 0.5 * np.abs(v - s).sum()
    assert dp.loc["talent", "dp"] == pytest.approx(expected, abs=TOL)
    assert dp.loc["talent", "dp_norm"] == pytest.approx(expected / (1 - 3 / 43), abs=TOL)
    assert dp.loc["talent", "top_part"] == "一" and dp.loc["talent", "parts"] == 4
    assert np.isnan(dp.loc["rural", "dp"])
    dp2 = T.theme_dispersion(fs, lexicon=LEX, level=2).set_index("theme")
    s2 = np.array([3, 8, 10, 16, 6]) / 43
    v2 = np.array([0, 2, 2, 1, 0]) / 5
    assert dp2.loc["talent", "dp"] == pytest.approx(0.5 * np.abs(v2 - s2).sum(), abs=TOL)


def test_first_appearance(fs):
    first = T.first_appearance(fs, lexicon=LEX).set_index("theme")
    assert first.loc["talent", ["path", "term", "order"]].tolist() == ["一", "人才", 1]
    assert first.loc["grassroots", ["path", "term", "order"]].tolist() == ["二", "基层党组织", 2]
    assert first.loc["rural", "path"] == "" and pd.isna(first.loc["rural", "order"])


# --------------------------------------------------------------------------- shifts


def test_emphasis_shift_point_values_equal_coverage(fs):
    shift = T.emphasis_shift(fs, "d1#一", "d1#二", lexicon=LEX, n_resamples=2000, seed=1).set_index("theme")
    cov = T.theme_coverage(fs, by="section", lexicon=LEX).set_index(["path", "theme"])
    for theme in ["talent", "grassroots"]:
        a, b = cov.loc[("一", theme), "share_tokens"], cov.loc[("二", theme), "share_tokens"]
        assert shift.loc[theme, "share_a"] == pytest.approx(a, abs=TOL)
        assert shift.loc[theme, "diff"] == pytest.approx(b - a, abs=TOL)
        assert shift.loc[theme, "ci_low"] <= shift.loc[theme, "diff"] <= shift.loc[theme, "ci_high"]
    assert shift.loc["talent", "hits_a"] == 4 and shift.loc["grassroots", "hits_b"] == 2
    again = T.emphasis_shift(fs, "d1#一", "d1#二", lexicon=LEX, n_resamples=2000, seed=1)
    pd.testing.assert_frame_equal(shift.reset_index(), again)
    han = T.emphasis_shift(fs, "d1#一", "d1#二", lexicon=LEX, share="han", n_resamples=50).set_index("theme")
    assert han.loc["talent", "share_a"] == pytest.approx(10 / 18, abs=TOL)


def test_vectorized_bootstrap_equals_loop(fs):
    """Replicates computed with weight matrices equal shares recomputed from explicit resamples."""
    hits = T._counted(fs, LEX)
    strata, num, den, _ = T._resampling_units(fs, "d1", hits, ["talent", "grassroots", "rural"], "tokens", "sentence")
    w = T._weights(np.random.default_rng(3), strata, 200)
    vectorized = (w @ num) / (w @ den)[:, None]
    for r in range(200):
        picks = np.repeat(np.arange(len(den)), w[r].astype(int))
        assert len(picks) == len(den)
        loop = num[picks].sum(axis=0) / den[picks].sum()
        np.testing.assert_allclose(vectorized[r], loop, rtol=0, atol=TOL)


def test_bootstrap_se_matches_binomial_se():
    """share_sentences over sentences is a mean of 0/1: the bootstrap SE ≈ sqrt(p(1−p)/n)."""
    rng = np.random.default_rng(0)
    flags_a = rng.random(400) < 0.3
    flags_b = rng.random(300) < 0.5
    sents_a = [["人才", "。"] if f else ["工作", "。"] for f in flags_a]
    sents_b = [["基层", "。"] if f else ["工作", "。"] for f in flags_b]
    fs2 = build({"a": [("一", 1, None, sents_a)], "b": [("一", 1, None, sents_b)]})
    shift = T.emphasis_shift(fs2, "a", "b", lexicon=LEX, share="sentences", n_resamples=4000, seed=7).set_index("theme")
    pa, pb = flags_a.mean(), flags_b.mean()
    talent, grass = shift.loc["talent"], shift.loc["grassroots"]
    # Talent is only in A, grassroots only in B: each Δ's SE is one side's binomial SE (plug-in, n not n − 1).
    assert talent["share_a"] == pytest.approx(pa, abs=TOL) and talent["share_b"] == 0
    assert talent["diff"] == pytest.approx(-pa, abs=TOL)
    assert talent["se"] == pytest.approx(math.sqrt(pa * (1 - pa) / 400), rel=0.08)
    assert grass["diff"] == pytest.approx(pb, abs=TOL)
    assert grass["se"] == pytest.approx(math.sqrt(pb * (1 - pb) / 300), rel=0.08)
    # The percentile interval is close to the normal one.
    z = 1.959963984540054
    assert grass["ci_low"] == pytest.approx(pb - z * math.sqrt(pb * (1 - pb) / 300), abs=0.01)


def test_stratified_weights_keep_each_document_size():
    strata = np.array(["a"] * 5 + ["b"] * 3)
    w = T._weights(np.random.default_rng(1), strata, 100)
    assert (w[:, :5].sum(axis=1) == 5).all() and (w[:, 5:].sum(axis=1) == 3).all()


def test_stratified_weights_draw_as_one_multinomial_per_stratum_in_order_of_first_appearance():
    """The weights equal, draw for draw, a plain reading of the stratified bootstrap: for each stratum
    in order of first appearance, one multinomial over its units (interleaved, not sorted)."""
    def by_hand(rng, strata, n):
        w = np.zeros((n, len(strata)))
        for stratum in dict.fromkeys(strata.tolist()):
            idx = [i for i, s in enumerate(strata) if s == stratum]
            w[:, idx] = rng.multinomial(len(idx), [1 / len(idx)] * len(idx), size=n)
        return w

    rng = np.random.default_rng(7)
    for trial in range(50):
        strata = np.array([f"d{k}" for k in rng.integers(0, 1 + trial % 6, 1 + trial)], dtype=object)
        expected = by_hand(np.random.default_rng(trial), strata, 40)
        assert (T._weights(np.random.default_rng(trial), strata, 40) == expected).all()


def test_index_shift(fs):
    fs2 = build({"d1": D1, "d2": [("一", 1, None, [["基层", "社区", "人才", "。"], ["基层", "。"]])]})
    table = T.index_shift(fs2, "d1", "d2", lexicon=LEX, n_resamples=500, seed=2).set_index("side")
    assert table.loc["A", "index"] == pytest.approx(math.log(5 / 2), abs=TOL)
    assert table.loc["B", "index"] == pytest.approx(math.log(1 / 3), abs=TOL)
    assert table.loc["B − A", "index"] == pytest.approx(math.log(1 / 3) - math.log(5 / 2), abs=TOL)
    assert table.loc["B", "valid"] < 500 and "replicates" in table.loc["B", "flag"]


def test_word_shift_sums_to_theme_shift(fs):
    shift = T.emphasis_shift(fs, "d1#一", "d1#二", lexicon=LEX, n_resamples=10).set_index("theme")
    ws = T.word_shift(fs, "d1#一", "d1#二", lexicon=LEX)
    for theme in ["talent", "grassroots"]:
        part = ws[ws["themes"].str.split("|").apply(lambda x: theme in x)]
        assert part["delta_p"].sum() == pytest.approx(shift.loc[theme, "diff"], abs=TOL)
    row = ws.set_index("term").loc["人才"]
    assert (row["f_a"], row["f_b"]) == (2, 1)
    assert row["delta_p"] == pytest.approx(1 / 7 - 2 / 7, abs=TOL)
    every = T.word_shift(fs, "d1#一", "d1#二", lexicon=LEX, terms="all", drop_stopwords=False)
    assert every["delta_p"].sum() == pytest.approx(0, abs=TOL)
    assert every["delta_p"].abs().is_monotonic_decreasing


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed_fs():
    pytest.importorskip("analysis.text.segment")
    from analysis.features import build_features
    from analysis.paths import corpus_dir

    text = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")
    try:
        from analysis.io.corpus import load_corpus

        docs = load_corpus([corpus_dir() / "organization-work-speech.txt"])
    except ImportError:
        docs = pd.DataFrame({"id": ["organization-work-speech"], "text": [text]})
    return build_features(docs, progress=False, cache=False)


def test_seed_talent_section_and_grassroots_subsections(seed_fs):
    cov = T.theme_coverage(seed_fs, by="section")
    share = cov.pivot_table(index="path", columns="theme", values="share_tokens")
    level1 = cov.loc[cov["level"] == 1, "path"].unique().tolist()
    assert share.loc[level1, "talent"].idxmax() == "三"
    assert share.loc[level1, "grassroots"].idxmax() == "四"
    for part in ["四（一）", "四（二）"]:
        assert share.loc[part, "grassroots"] > share.loc[part, "talent"]
    idx = T.talent_grassroots_index(T.theme_coverage(seed_fs, by="section")).set_index("path")
    assert idx.loc["四", "index"] < 0
    assert idx.loc["三", "flag"] == "no grassroots hits"
    # Level-1 and level-0 nodes partition the speech: hits add up to the document's.
    doc = T.theme_coverage(seed_fs).set_index("theme")["theme_hits"]
    top = cov[cov["level"] <= 1].groupby("theme")["theme_hits"].sum()
    assert (top.reindex(doc.index) == doc).all()


def test_seed_shift_between_sections_is_signed(seed_fs):
    doc = seed_fs.documents["id"].iloc[0]
    shift = T.emphasis_shift(seed_fs, f"{doc}#三", f"{doc}#四", n_resamples=2000, seed=1).set_index("theme")
    assert shift.loc["talent", "ci_high"] < 0 < shift.loc["grassroots", "ci_low"]


# --------------------------------------------------------------------------- real documents (../shared/corpora)


@pytest.mark.shared
def test_coverage_and_shift_on_two_congress_reports(congress_fs):
    fs, ids = congress_fs
    doc = T.theme_coverage(fs)
    for column in ["share_tokens", "share_han", "share_sentences"]:
        assert doc[column].between(0, 1).all()
    sec = T.theme_coverage(fs, by="section")
    top = sec[sec["level"] <= 1].groupby(["document", "theme"])[["theme_hits", "word_tokens", "han_chars"]].sum()
    full = doc.set_index(["document", "theme"])[["theme_hits", "word_tokens", "han_chars"]]
    pd.testing.assert_frame_equal(top.loc[full.index].astype(np.int64), full.astype(np.int64))
    shift = T.emphasis_shift(fs, ids["19"], ids["20"], n_resamples=2000, seed=3)
    assert (shift["ci_low"] <= shift["diff"] + TOL).all() and (shift["diff"] <= shift["ci_high"] + TOL).all()
    cov = doc.set_index(["document", "theme"])["share_tokens"]
    for row in shift.itertuples():
        assert row.diff == pytest.approx(cov[(ids["20"], row.theme)] - cov[(ids["19"], row.theme)], abs=TOL)
    ws = T.word_shift(fs, ids["19"], ids["20"])
    talent = ws[ws["themes"].str.split("|").apply(lambda x: "talent" in x)]
    assert talent["delta_p"].sum() == pytest.approx(shift.set_index("theme").loc["talent", "diff"], abs=TOL)
    diversity = T.attention_diversity(doc)
    assert diversity["entropy_norm"].between(0, 1).all() and diversity["hhi"].between(1 / 12, 1).all()


def test_groups_and_documents_without_hits():
    fs3 = build({"d1": D1, "d2": [("一", 1, None, [["基层", "社区", "。"], ["工作", "。"]])],
                 "d3": [("一", 1, None, [["工作", "落实", "。"]])]})
    shift = T.emphasis_shift(fs3, ["d1", "d2"], {"year": 2024}, lexicon=LEX, n_resamples=300, seed=4).set_index("theme")
    # Group A pools d1 (18 word tokens, 5 talent, 2 grassroots hits) and d2 (3 tokens, 2 grassroots hits).
    assert shift.loc["talent", "share_a"] == pytest.approx(5 / 21, abs=TOL)
    assert shift.loc["grassroots", "share_a"] == pytest.approx(4 / 21, abs=TOL)
    assert shift.loc["grassroots", "share_b"] == 0 and shift.loc["grassroots", "units_a"] == 8
    cov = T.theme_coverage(fs3, lexicon=LEX).set_index(["document", "theme"])
    assert cov.loc[("d3", "talent"), "theme_hits"] == 0 and cov.loc[("d3", "talent"), "share_han"] == 0
    empty = T.theme_hits(fs3.tokens[fs3.tokens["document"] == "d3"], lexicon=LEX)
    assert empty.empty and list(empty.columns)[:3] == ["document", "theme", "term"]


def test_project_tokenizer_rejects_terms_across_word_boundaries():
    segment = pytest.importorskip("analysis.text.segment")
    text = "要充分发挥个人才能，积极加入党组织，防范工作风险，缩小区域差距，培养骨干部门。"
    toks = segment.tokenize(text)
    toks = toks[toks["kind"] != "space"].assign(document="x", path="p", sentence=0, paragraph=0, is_stop=False)
    lex = T.load_themes()
    assert T.theme_hits(toks, lexicon=lex)["term"].tolist() == ["党组织"]
    fs = FeatureSet.from_tables(pd.DataFrame({"id": ["x"]}), toks)
    assert set(T.rejected_matches(fs, lexicon=lex)["term"]) == {"人才", "入党", "作风", "小区", "干部"}


def test_contrast_sections_picks_the_talent_and_grassroots_sections_of_the_seed(seed_fs):
    coverage = T.theme_coverage(seed_fs, by="section")
    assert T.contrast_sections(coverage) == ("三", "四")
    assert T.contrast_sections(coverage, share="sentences") == ("三", "四")
    assert T.contrast_sections(coverage, sections=("二", None)) == ("二", "四")
    # B is never the part already taken as A: the next grassroots-heaviest is 一 (0.4 % against 二 0.2 %, 三 0)
    assert T.contrast_sections(coverage, sections=("四", None)) == ("四", "一")
    with pytest.raises(ValueError, match="'九' is not in the outline"):
        T.contrast_sections(coverage, sections=("九", None))


def test_contrast_sections_needs_two_sections_and_one_document():
    one = pd.DataFrame({"document": "d", "path": ["一", "一"], "level": 1, "theme": ["talent", "grassroots"],
                        "share_tokens": [0.1, 0.2]})
    with pytest.raises(ValueError, match="no two parts to set side by side"):
        T.contrast_sections(one)
    with pytest.raises(ValueError, match="one document"):
        T.contrast_sections(pd.concat([one, one.assign(document="e")]))


def test_coverage_by_node_counts_own_text_and_partitions_the_document(fs):
    node = T.theme_coverage(fs, by="node", lexicon=LEX)
    section = T.theme_coverage(fs, by="section", lexicon=LEX)
    assert list(node.columns) == list(section.columns)
    n = node.set_index(["path", "theme"])
    s = section.set_index(["path", "theme"])
    counts = ["theme_hits", "word_tokens", "han_chars", "sentences", "covered_han", "covered_tokens"]
    # A section is its own text plus its sub-points: 一 = node 一 + node 一（一）.
    for theme in ["talent", "grassroots"]:
        for column in counts:
            assert s.loc[("一", theme), column] == n.loc[("一", theme), column] + n.loc[("一（一）", theme), column]
    # Every node, own text only, together partitions the document.
    doc = T.theme_coverage(fs, lexicon=LEX).set_index("theme")
    summed = node.groupby("theme")[counts].sum()
    for theme in ["talent", "grassroots", "rural"]:
        for column in counts:
            assert summed.loc[theme, column] == doc.loc[theme, column]


def test_share_argument_is_checked_once_everywhere(fs):
    cov = T.theme_coverage(fs, by="section", lexicon=LEX)
    for call in (lambda: T.talent_grassroots_index(cov, share="share_tokens"),
                 lambda: T.emphasis_shift(fs, "d1#一", "d1#二", lexicon=LEX, share="words", n_resamples=5)):
        with pytest.raises(ValueError, match=r"share='(share_tokens|words)' is not one of 'tokens', 'han', 'sentences'"):
            call()


def _plain_document_text(starts, ends, tokens):
    """The plain definition: tokens in order, each gap filled with NUL characters."""
    text, pos = "", 0
    for s, e, t in zip(starts, ends, tokens):
        text += "\x00" * (s - pos) + t
        pos = e
    return text


def test_document_text_equals_the_plain_rebuild_on_the_seed_and_with_gaps():
    import numpy as np

    from analysis.features import features
    from analysis.paths import corpus_dir
    from analysis.text.lexicon import _document_text

    seed = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")
    tokens = features({"id": "seed", "text": seed}).tokens  # spaces dropped: gaps at line breaks
    cases = [(tokens["start"].to_numpy(), tokens["end"].to_numpy(), tokens["token"].astype(object).tolist()),
             (np.array([2, 4, 9]), np.array([4, 5, 11]), ["人才", "，", "基层"])]
    for starts, ends, words in cases:
        text = _document_text(starts, ends, words, "d")
        assert text == _plain_document_text(starts.tolist(), ends.tolist(), words)
    assert _document_text(*cases[1][:2], cases[1][2], "d") == "\x00\x00人才，\x00\x00\x00\x00基层"
    with pytest.raises(ValueError, match="overlap"):
        _document_text(np.array([0, 1]), np.array([2, 3]), ["人才", "才能"], "d")
    with pytest.raises(ValueError, match="does not match its span"):
        _document_text(np.array([0]), np.array([3]), ["人才"], "d")


def _plain_matches(starts, ends, tokens, terms):
    """The matching rule written plainly, character by character (the reference for match_document)."""
    text = _plain_document_text(starts, ends, tokens)
    owner = [-1] * len(text)
    for k, (s, e) in enumerate(zip(starts, ends)):
        owner[s:e] = [k] * (e - s)
    token_starts, token_ends = set(starts), set(ends)
    candidates, rejected = [], []
    for term in terms:
        for i in range(len(text) - len(term) + 1):
            if text[i:i + len(term)] != term:
                continue
            j = i + len(term)
            if i in token_starts and j in token_ends:
                candidates.append((i, j, term, "token" if owner[i] == owner[j - 1] else "phrase"))
            elif owner[i] == owner[j - 1] >= 0:
                candidates.append((i, j, term, "inside"))
            else:
                rejected.append((i, j, term))
    chosen, last = [], -1
    for c in sorted(candidates, key=lambda c: (c[0], -(c[1] - c[0]), c[2])):
        if c[0] >= last:
            chosen.append(c)
            last = c[1]
    covered = set()
    for i, j, _, _ in chosen:
        covered.update(range(i, j))
    return chosen, sorted(r for r in rejected if not set(range(r[0], r[1])) <= covered)


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402


@hsettings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="甲乙丙", min_size=1, max_size=3), st.integers(0, 2)), max_size=12),
       st.lists(st.text(alphabet="甲乙丙", min_size=1, max_size=4), min_size=1, max_size=6, unique=True))
def test_match_document_follows_the_rule_written_plainly(pieces, terms):
    """Any tokens (with gaps between some) and terms, overlapping and nested ones included."""
    from analysis.text.lexicon import match_document

    starts, ends, tokens, pos = [], [], [], 0
    for token, gap in pieces:
        pos += gap
        starts.append(pos)
        ends.append(pos + len(token))
        tokens.append(token)
        pos += len(token)
    terms = sorted(terms, key=lambda t: (-len(t), t))
    accepted, rejected = match_document(np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), tokens,
                                        terms, "d")
    assert (accepted, rejected) == _plain_matches(starts, ends, tokens, terms)
