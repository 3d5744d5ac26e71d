"""counts: frequencies add up, rates agree with an independent route, statistics match scipy, KWIC maps to raw text."""

import math
from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from scipy.stats import chi2_contingency

from analysis.io.corpus import load_corpus
from analysis.stats.counts import (
    collocations,
    formula_frequencies,
    kwic,
    ngrams,
    segmentation_robustness,
    term_frequencies,
    tfidf,
)
from analysis.features import FeatureSet, build_features
from analysis.paths import corpus_dir
from analysis.text.segment import TERM_KINDS, load_stopwords, make_tokenizer, tokenize
from analysis.chars import count_han, sentence_spans

SEED_PATH = corpus_dir() / "organization-work-speech.txt"
SEED = SEED_PATH.read_text(encoding="utf-8")

# Short texts written for these tests.
TEXTS = {
    "a": "一、加强人才工作\n要引进人才，培养人才。坚持党建引领基层治理。\n二、夯实基层基础\n做到“两个维护”，建强基层党组织。",
    "b": "同志们：\n人才是第一资源。要进一步引进人才，留住人才，用好人才。\n基层治理要有新突破。",
    "c": "坚决做到两个维护，增强“四个意识”。2024年要引进人才，〓同志要抓好基层党建。",
}
META = pd.DataFrame({"id": ["a", "b", "c"], "year": [2023, 2023, 2024], "level": ["区", "市", "区"]})


def hand_tables(texts=TEXTS, meta=META):
    """A FeatureSet-like object built with tokenize(): one sentence per 。！？ or line."""
    stop = load_stopwords()
    frames = []
    for doc, text in texts.items():
        t = tokenize(text)
        ends = [e for _, e in sentence_spans(text)]
        t = t.assign(
            document=doc,
            path="一",
            sentence=[sum(1 for e in ends if e <= s) for s in t["start"]],
            is_stop=t["token"].isin(stop),
        )
        frames.append(t[t["kind"] != "space"])
    return FeatureSet.from_tables(documents=meta.copy(), tokens=pd.concat(frames, ignore_index=True))


@pytest.fixture(scope="module")
def fs():
    make_tokenizer()
    return hand_tables()


@pytest.fixture(scope="module")
def seed_docs():
    return load_corpus(SEED_PATH)


@pytest.fixture(scope="module")
def seed_fs(seed_docs):
    return build_features(seed_docs.assign(year=2023), progress=False, cache=False)


def eligible_counts(tokens, stopwords=True):
    mask = tokens["kind"].isin(TERM_KINDS)
    if stopwords:
        mask &= ~tokens["is_stop"]
    return tokens[mask].groupby("document").size()


# --- term_frequencies ------------------------------------------------------------


def test_counts_add_up_to_the_term_tokens_per_document(fs):
    table = term_frequencies(fs)
    sums = table.groupby("document")["tokens"].sum()
    assert sums.to_dict() == eligible_counts(fs.tokens).to_dict()
    assert (table.groupby("document")["content_tokens"].first() == sums).all()
    keep = term_frequencies(fs, stopwords=False)
    assert keep.groupby("document")["tokens"].sum().to_dict() == eligible_counts(fs.tokens, stopwords=False).to_dict()
    assert keep["tokens"].sum() > table["tokens"].sum()


def test_rates_agree_with_an_independent_route(fs):
    table = term_frequencies(fs).set_index(["document", "term"])
    for doc, text in TEXTS.items():
        han = count_han(text)  # characters of the text, not of tokens
        words = [w for w, k in zip(tokenize(text)["token"], tokenize(text)["kind"]) if k in TERM_KINDS]
        kept = [w for w in words if w not in load_stopwords()]
        for term, n in Counter(kept).items():
            row = table.loc[(doc, term)]
            assert row["tokens"] == n
            assert row["per_10k_han"] == pytest.approx(1e4 * n / han)
            assert row["per_10k_content_tokens"] == pytest.approx(1e4 * n / len(kept))
            assert row["per_10k_tokens"] == pytest.approx(1e4 * n / len(words))
            assert row["han_chars"] == han


def test_seed_frequencies_from_build_features(seed_fs):
    table = term_frequencies(seed_fs)
    tokens = seed_fs.tokens
    assert table["tokens"].sum() == eligible_counts(tokens).sum()
    assert table["han_chars"].iloc[0] == count_han(SEED) == seed_fs.documents["han_chars"].iloc[0]
    top = table.head(30)["term"].tolist()
    assert "人才" in top and "的" not in top and "要" not in top
    counts = table.set_index("term")["tokens"]
    assert counts["十三个坚持"] == 1 and counts["乡村振兴"] >= 4 and counts["年轻干部"] >= 4
    assert not table["term"].str.contains("〓|×").any()


def test_by_node_has_the_columns_the_cli_prints(seed_fs):
    table = term_frequencies(seed_fs, by="node")
    assert list(table.columns) == [
        "document", "path", "term", "tokens", "occurrences", "mid_word_matches", "occurrences_lower_bound", "rate_of",
        "per_10k_han", "per_10k_tokens", "per_10k_content_tokens", "doc_freq", "han_chars", "word_tokens",
        "content_tokens",
    ]
    # Nodes (own text only) partition the document: node counts add up to the document's.
    whole = term_frequencies(seed_fs).set_index("term")
    assert table.groupby("term")["tokens"].sum().sort_index().equals(whole["tokens"].sort_index())
    # occurrences too: each occurrence belongs to the node of its first character
    counted = table[table["occurrences"].notna()]
    by_term = counted.groupby("term")["occurrences"].sum().astype("int64").sort_index()
    assert by_term.equals(whole["occurrences"].dropna().astype("int64").sort_index())
    assert table.groupby("path")["han_chars"].first().sum() == count_han(SEED)
    assert table["path"].iloc[0] == "preamble"


def test_by_section_counts_a_section_with_its_sub_points(seed_fs):
    nodes = term_frequencies(seed_fs, by="node")
    sections = term_frequencies(seed_fs, by="section")
    assert list(sections.columns) == list(nodes.columns)
    own = nodes.set_index(["path", "term"])["tokens"]
    # 三 = its own text (the heading) + 三（一）+ 三（二）+ 三（三）, summed independently here.
    parts = ["三", "三（一）", "三（二）", "三（三）"]
    expected = sum(int(own.get((p, "人才"), 0)) for p in parts)
    got = sections.set_index(["path", "term"])["tokens"]
    assert got[("三", "人才")] == expected and expected > int(own.get(("三", "人才"), 0))
    # Level-1 sections with the preamble and closing partition the document.
    top = seed_fs.nodes.loc[seed_fs.nodes["level"] <= 1, "path"]
    whole = term_frequencies(seed_fs).set_index("term")["tokens"]
    summed = sections[sections["path"].isin(top)].groupby("term")["tokens"].sum()
    assert summed.sort_index().equals(whole.sort_index())
    # Rows follow the outline: 三 comes before 三（一）.
    order = list(dict.fromkeys(sections["path"]))
    assert order.index("三") < order.index("三（一）") < order.index("四")
    # A sub-point is the same under both meanings (it has no sub-points of its own).
    assert got[("三（一）", "人才")] == own[("三（一）", "人才")]


def test_by_metadata_and_overall(fs):
    by_year = term_frequencies(fs, by="year")
    assert list(by_year.columns[:2]) == ["year", "term"]
    row = by_year.set_index(["year", "term"]).loc[(2023, "人才")]
    assert row["tokens"] == 5 and row["doc_freq"] == 2
    overall = term_frequencies(fs, by=None).set_index("term")
    assert overall.loc["人才", "tokens"] == 6 and overall.loc["人才", "doc_freq"] == 3
    assert "document" not in overall.columns
    two = term_frequencies(fs, by=["year", "level"])
    assert list(two.columns[:3]) == ["year", "level", "term"]
    with pytest.raises(ValueError, match="year"):
        term_frequencies(fs, by="region")


def test_order_min_count_and_inputs_untouched(fs):
    before_tokens, before_docs = fs.tokens.copy(), fs.documents.copy()
    table = term_frequencies(fs, min_count=2)
    assert ((table["tokens"] >= 2) | (table["occurrences"] >= 2)).all()
    for _, group in table.groupby("document", sort=False):
        keys = list(zip(-group["tokens"], -group["occurrences"].fillna(0), group["term"]))
        assert keys == sorted(keys)
    assert term_frequencies(fs)["document"].drop_duplicates().tolist() == ["a", "b", "c"]
    assert fs.tokens.equals(before_tokens) and fs.documents.equals(before_docs)


PIECES = ["人才", "基层", "党建引领", "两个维护", "要", "的", "，", "。", "2024", "GDP", "〓", "\n", "两个", "确立"]


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join), min_size=1, max_size=3))
def test_counts_add_up_for_any_texts(texts):
    make_tokenizer()
    docs = {f"d{i}": t for i, t in enumerate(texts)}
    fs = hand_tables(docs, pd.DataFrame({"id": list(docs)}))
    table = term_frequencies(fs)
    expected = eligible_counts(fs.tokens)
    assert table.groupby("document")["tokens"].sum().to_dict() == expected.to_dict()
    for doc, text in docs.items():
        rows = table[table["document"] == doc]
        if len(rows) and count_han(text):
            assert rows["han_chars"].iloc[0] == count_han(text)
            assert rows["per_10k_content_tokens"].sum() == pytest.approx(1e4)


# --- n-grams, collocations, tf-idf -------------------------------------------------


def test_ngrams_stay_inside_sentences_and_skip_punctuation(fs):
    table = ngrams(fs, n=2, by=None)
    grams = set(table["ngram"])
    assert "引进 人才" in grams
    assert not any(g.startswith("人才 培养") for g in grams)  # a comma stands between them
    trigrams = ngrams(fs, n=3)
    assert all(len(g.split(" ")) == 3 for g in trigrams["ngram"])
    with pytest.raises(ValueError):
        ngrams(fs, n=1)


def test_ngrams_break_at_stopwords():
    t = tokenize("引进人才要培养人才").assign(document="d", sentence=0)
    t = t.assign(is_stop=t["token"] == "要")
    fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=t)
    assert ngrams(fs, n=2)["ngram"].tolist() == ["培养 人才", "引进 人才"]
    assert "人才 要" in set(ngrams(fs, n=2, stopwords=False)["ngram"])


def test_collocation_g2_matches_scipy_and_pmi_by_hand(seed_fs):
    table = collocations(seed_fs, term="人才", window=4, min_count=2)
    assert len(table) > 5 and (table["term1"] == "人才").all() and "人才" not in set(table["term2"])
    for row in table.head(8).itertuples(index=False):
        o11 = row.cooccurrences
        o12 = row.node_pairs - o11
        o21 = row.collocate_pairs - o11
        o22 = row.pairs - row.node_pairs - row.collocate_pairs + o11
        g2, p, _, expected = chi2_contingency([[o11, o12], [o21, o22]], lambda_="log-likelihood", correction=False)
        assert abs(row.g2) == pytest.approx(g2, rel=1e-9)
        assert row.p == pytest.approx(p, rel=1e-6)
        assert row.expected == pytest.approx(expected[0][0])
        assert row.pmi == pytest.approx(math.log2(o11 / expected[0][0]))
    assert table["g2"].is_monotonic_decreasing


def test_collocation_counts_on_a_worked_example():
    # Sentences: [引进 人才] [培养 人才] [引进 人才]; window 1 → ordered pairs both ways.
    t = tokenize("引进人才。培养人才。引进人才。").assign(document="d", is_stop=False)
    t = t.assign(sentence=(t["token"] == "。").cumsum().shift(fill_value=0))
    fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=t)
    table = collocations(fs, window=1, min_count=1).set_index(["term1", "term2"])
    assert table.loc[("人才", "引进"), "cooccurrences"] == 2
    assert table.loc[("人才", "引进"), "pairs"] == 6  # 3 pairs, counted in both directions
    assert table.loc[("人才", "引进"), "node_pairs"] == 3
    assert table.loc[("人才", "引进"), "expected"] == pytest.approx(3 * 2 / 6)
    assert table.loc[("人才", "引进"), "pmi"] == pytest.approx(math.log2(2 / 1))
    with pytest.raises(ValueError):
        collocations(fs, statistic="dice")


def test_tfidf_against_the_formula(fs):
    table = tfidf(fs).set_index(["document", "term"])
    freq = term_frequencies(fs)
    freq = freq[freq["tokens"] > 0]  # rows of terms found only inside longer tokens have no TF
    docs = freq["document"].nunique()
    df = freq.groupby("term")["document"].nunique()
    for row in freq.itertuples(index=False):
        if row.tokens == 0:
            continue
        tf = row.tokens / row.content_tokens
        assert table.loc[(row.document, row.term), "tfidf"] == pytest.approx(tf * math.log(docs / df[row.term]))
    smooth = tfidf(fs, smooth=True).set_index(["document", "term"])
    row = freq.iloc[0]
    expected = row["tokens"] / row["content_tokens"] * (math.log((1 + docs) / (1 + df[row["term"]])) + 1)
    assert smooth.loc[(row["document"], row["term"]), "tfidf"] == pytest.approx(expected)
    assert table.loc[("c", "人才"), "tfidf"] == 0  # in every document
    with pytest.raises(ValueError):
        tfidf(fs, by=None)


# --- formulas ------------------------------------------------------------------------


def test_formula_frequencies(fs, seed_fs):
    table = formula_frequencies(fs, by=None).set_index("formula")
    assert table.loc["两个维护", "tokens"] == 2 and table.loc["两个维护", "quoted"] == 1
    assert table.loc["两个维护", "rule"] == "numbered"
    assert table.loc["四个意识", "quoted"] == 1
    assert table.loc["党建引领基层治理", "rule"] == "dictionary"
    seed = formula_frequencies(seed_fs).set_index("formula")
    assert {"十三个坚持", "两个确立", "两个维护", "三个区分开来", "千万工程", "枫桥经验"} <= set(seed.index)
    assert seed.loc["千万工程", "quoted"] == 1


# --- KWIC ---------------------------------------------------------------------------------


def test_kwic_hits_paths_and_raw_offsets(seed_docs):
    table = kwic(seed_docs, "人才", window=10)
    assert list(table.columns) == [
        "document", "path", "left", "hit", "right", "start", "end", "raw_start", "raw_end", "whole_token",
    ]
    text, raw = seed_docs["text"].iloc[0], seed_docs["raw"].iloc[0]
    assert len(table) == text.count("人才")
    for row in table.itertuples(index=False):
        assert text[row.start:row.end] == "人才" and raw[row.raw_start:row.raw_end] == "人才"
        assert len(row.left) <= 10 and len(row.right) <= 10 and "\n" not in row.left + row.right
    assert table["path"].iloc[0] == "一（二）"
    assert table["path"].str.startswith("三").sum() > 10
    tokens_only = kwic(seed_docs, "人才", match="token")
    assert len(tokens_only) == table["whole_token"].sum() < len(table)


def test_kwic_maps_back_through_normalization():
    from analysis.io.corpus import make_document

    doc = make_document("一、总体要求\n××同志强调人\u200b才工作。\n（一）引进人才", id="d")
    docs = pd.DataFrame({"id": [doc.id], "text": [doc.text], "raw": [doc.raw], "raw_offsets": [doc.raw_offsets]})
    table = kwic(docs, "人才", window=4)
    first, second = table.itertuples(index=False)
    assert doc.raw[first.raw_start:first.raw_end] == "人\u200b才"  # the removed character is inside
    assert doc.raw[second.raw_start:second.raw_end] == "人才"
    assert table["path"].tolist() == ["一", "一（一）"]
    assert first.left == "〓同志强调"[-4:]
    redaction = kwic(docs, "〓同志", window=2).iloc[0]
    assert doc.raw[redaction.raw_start:redaction.raw_end] == "××同志"
    plain = kwic(pd.DataFrame({"id": ["x"], "text": ["引进人才"]}), "人才")
    assert plain["raw_start"].isna().all()
    with pytest.raises(ValueError):
        kwic(docs, "")


# --- segmentation robustness ------------------------------------------------------------


@pytest.mark.slow
def test_segmentation_robustness_lists_differences(seed_docs):
    table = segmentation_robustness(seed_docs[["id", "text"]])
    variants = ["jieba", "jieba_hmm"] + (["rjieba"] if "rjieba" in table.columns else [])
    assert list(table.columns) == ["document", "term", *variants, "spread", "differs"]
    assert table["differs"].any()
    assert table["spread"].is_monotonic_decreasing
    same = table.set_index("term")
    for formula in ("十三个坚持", "两个确立", "乡村振兴"):
        assert same.loc[formula, "spread"] == 0
    assert (table["jieba"] == term_frequencies_seed_counts(seed_docs).reindex(table["term"]).fillna(0).to_numpy()).all()
    only = segmentation_robustness(seed_docs[["id", "text"]], differences_only=True, by=None)
    assert only["differs"].all() and "document" not in only.columns
    # segmented 300 characters at a time (cut at line or sentence ends): the whole text's counts
    from unittest import mock

    import analysis.stats.counts as counts_module

    with mock.patch.object(counts_module, "ROBUSTNESS_CHUNK", 300):
        pieces = segmentation_robustness(seed_docs[["id", "text"]])
    pd.testing.assert_frame_equal(pieces, table)


def term_frequencies_seed_counts(seed_docs):
    t = tokenize(seed_docs["text"].iloc[0])
    t = t.assign(document="s", is_stop=t["token"].isin(load_stopwords()))
    fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["s"]}), tokens=t)
    table = term_frequencies(fs)
    return table[table["tokens"] > 0].set_index("term")["tokens"]


def test_by_a_metadata_column_named_like_a_token_column():
    """speeches.jsonl has a ``kind`` column, as the tokens table does: grouping by it keeps the words."""
    import pandas as pd

    from analysis.features import FeatureSet
    from analysis.stats.counts import term_frequencies

    tokens = pd.DataFrame({"document": ["a", "a", "a", "b"], "path": "一", "sentence": 0,
                           "token": ["人才", "，", "人才", "基层"], "kind": ["word", "punct", "word", "word"],
                           "is_stop": False})
    fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["a", "b"], "kind": ["organization_work", "other_speech"]}),
                       tokens=tokens)
    table = term_frequencies(fs, by="kind")
    assert table[["kind", "term", "tokens"]].values.tolist() == [["organization_work", "人才", 2], ["other_speech", "基层", 1]]


# --- occurrences counted on the text ------------------------------------------------------------

from analysis.stats.counts import occurrence_check, term_occurrences, text_occurrences  # noqa: E402
from analysis.text.occurrences import check_terms, count_occurrences, is_mid_word  # noqa: E402

#: Sentences written for these tests: 改革开放 inside 全面深化改革|开放, across a redaction, whole; 人才 in
#: 人才强国战略 and across 个人|才能; 新发展理念 after 创 (mid-word) and whole; 新时代 in 创新|时代.
OCC_TEXTS = {
    "x": "一、全面深化改革开放\n我们要全面深化改革开放，坚持改革开放。××说，改革××开放。\n二、人才\n实施人才强国战略，发挥个人才能，培养人才。",
    "y": "坚持创新发展理念，贯彻新发展理念，开创新时代，进入创新时代。中国共产党的领导，党的领导。",
}
OCC_TERMS = ["改革开放", "人才", "新发展理念", "新时代", "党的领导", "才能", "深化改革开放"]


def plain_count(text: str, term: str) -> int:
    """The independent count: str.count on each stretch between redaction marks."""
    return sum(part.count(term) for part in text.split("\u3013"))


@pytest.fixture(scope="module")
def occ_docs():
    from analysis.io.normalize import normalize

    texts = {k: normalize(v).text for k, v in OCC_TEXTS.items()}
    docs = pd.DataFrame({"id": list(texts), "text": list(texts.values())})
    return docs, build_features(docs, progress=False, cache=False)


def test_occurrences_equal_a_substring_count_of_the_text(occ_docs):
    docs, fs = occ_docs
    assert "\u3013" in docs.loc[0, "text"]  # ×× became the redaction mark
    table = term_occurrences(fs, OCC_TERMS)
    got = table.groupby(["document", "term"])["occurrences"].sum()
    for doc, text in zip(docs["id"], docs["text"]):
        for term in OCC_TERMS:
            assert got.get((doc, term), 0) == plain_count(text, term) == text_occurrences(text, term), (doc, term)
    # by hand: the heading, the sentence (both in 全面深化改革|开放) and 坚持改革开放; none across ××
    assert got[("x", "改革开放")] == 3 and got[("x", "人才")] == 4 and got[("x", "才能")] == 1
    freq = term_frequencies(fs).set_index(["document", "term"])
    assert freq.loc[("x", "改革开放"), "occurrences"] == 3 and freq.loc[("x", "改革开放"), "tokens"] == 1
    assert not freq["occurrences_lower_bound"].any()
    check = occurrence_check(fs, docs, ["改革开放", "人才"]).set_index(["document", "term"])
    assert (check["occurrences"] == check["text_occurrences"]).all()
    assert check.loc[("x", "改革开放"), "occurrences_within_tokens"] == 1  # the old route saw the whole token only
    assert check.loc[("x", "人才"), "across_tokens"] == 1  # 个人|才能


def test_occurrences_are_given_to_the_node_of_their_first_character(occ_docs):
    _, fs = occ_docs
    table = term_occurrences(fs, ["改革开放", "人才"]).set_index(["document", "path", "term"])["occurrences"]
    assert table[("x", "一", "改革开放")] == 3 and table[("x", "二", "人才")] == 4
    by_node = term_frequencies(fs, by="node").set_index(["document", "path", "term"])
    assert by_node.loc[("x", "一", "改革开放"), "occurrences"] == 3


def test_mid_word_matches_follow_the_rule(occ_docs):
    _, fs = occ_docs
    table = term_occurrences(fs, OCC_TERMS).groupby(["document", "term"])[["occurrences", "mid_word_matches"]].sum()
    # rule 2: 创|新发展理念 reads 创新|发展|理念 in general language; 贯彻 新发展理念 is the formula
    assert table.loc[("y", "新发展理念")].tolist() == [2, 1]
    # rule 1: 创新|时代 holds 新时代 mid-word; 开创|新时代 does not (the token ends before the match)
    assert table.loc[("y", "新时代")].tolist() == [2, 1]
    # rule 1: 中国共产党|的|领导; 个人|才能
    assert table.loc[("y", "党的领导")].tolist() == [2, 1] and table.loc[("x", "人才")].tolist() == [4, 1]
    # not mid-word: 全面深化改革|开放 (改革 is a word of its own)
    assert table.loc[("x", "改革开放")].tolist() == [3, 0]
    assert is_mid_word("创", "新发展理念") and not is_mid_word("同", "乡村振兴") and not is_mid_word("，", "新时代")
    track_row = formula_frequencies(fs).set_index(["document", "formula"]).loc[("y", "新发展理念")]
    assert (track_row["tokens"], track_row["occurrences"], track_row["mid_word_matches"]) == (2, 2, 1)


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="甲乙〓，", min_size=0, max_size=40), min_size=1, max_size=3),
       st.lists(st.text(alphabet="甲乙", min_size=2, max_size=4), min_size=1, max_size=6))
def test_the_matcher_counts_as_str_count_does(texts, terms):
    """Any texts and terms (overlapping ones such as 甲甲 in 甲甲甲 included) on one-character tokens."""
    rows = [{"document": f"d{i}", "path": "一", "start": k, "end": k + 1, "token": ch}
            for i, text in enumerate(texts) for k, ch in enumerate(text)]
    tokens = pd.DataFrame(rows, columns=["document", "path", "start", "end", "token"])
    found = count_occurrences(tokens, terms).groupby(["document", "term"])["occurrences"].sum()
    for i, text in enumerate(texts):
        for term in set(terms):
            assert found.get((f"d{i}", term), 0) == plain_count(text, term), (text, term)


@hsettings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="甲乙〓，", min_size=0, max_size=40), min_size=1, max_size=3),
       st.lists(st.text(alphabet="甲乙", min_size=2, max_size=4), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=6), st.randoms(use_true_random=False))
def test_the_matcher_counts_across_its_passes_and_on_tokens_out_of_order(texts, terms, chunk, rng):
    """The text hashed a few characters a pass (a match may straddle two passes), tokens of 1–3 characters
    given in shuffled rows, two nodes per document: still str.count's numbers, node by node."""
    from unittest import mock

    import analysis.text.occurrences as occurrences

    rows, node_of = [], {}  # node_of[i][k]: the node of the token holding character k of text i
    for i, text in enumerate(texts):
        k, node_of[i] = 0, []
        while k < len(text):
            size = rng.randint(1, 3)
            piece = text[k:k + size]
            node = "一" if k < len(text) // 2 else "二"
            rows.append({"document": f"d{i}", "path": node, "start": k, "end": k + len(piece), "token": piece})
            node_of[i] += [node] * len(piece)
            k += len(piece)
    rng.shuffle(rows)
    tokens = pd.DataFrame(rows, columns=["document", "path", "start", "end", "token"])
    with mock.patch.object(occurrences, "_CHUNK", chunk):
        found = count_occurrences(tokens, terms)
    by_doc = found.groupby(["document", "term"])["occurrences"].sum()
    for i, text in enumerate(texts):
        for term in set(terms):
            assert by_doc.get((f"d{i}", term), 0) == plain_count(text, term), (text, term, chunk)
            # a match belongs to the node of the token holding its first character
            first_node = sum(1 for p in _match_starts(text, term) if node_of[i][p] == "一")
            assert found[(found["document"] == f"d{i}") & (found["term"] == term)
                         & (found["path"] == "一")]["occurrences"].sum() == first_node


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8])
def test_blocks_of_any_size_give_the_hand_counted_mid_word_matches(occ_docs, chunk):
    """The text searched a few characters a block: a match, and the character before it that the
    mid-word rule reads, may lie in another block; the numbers by hand stay."""
    from unittest import mock

    import analysis.text.occurrences as occurrences

    docs, fs = occ_docs
    with mock.patch.object(occurrences, "_CHUNK", chunk):
        table = term_occurrences(fs, OCC_TERMS)
        on_text = count_occurrences(fs.tokens, OCC_TERMS, texts=dict(zip(docs["id"], docs["text"])))
    sums = table.groupby(["document", "term"])[["occurrences", "mid_word_matches"]].sum()
    assert sums.loc[("y", "新发展理念")].tolist() == [2, 1] and sums.loc[("y", "新时代")].tolist() == [2, 1]
    assert sums.loc[("y", "党的领导")].tolist() == [2, 1] and sums.loc[("x", "人才")].tolist() == [4, 1]
    assert sums.loc[("x", "改革开放")].tolist() == [3, 0]
    for doc, text in zip(docs["id"], docs["text"]):
        for term in OCC_TERMS:
            assert sums["occurrences"].get((doc, term), 0) == plain_count(text, term), (doc, term, chunk)
    # rows in text order of their first match (y is one node): as str.find orders them
    y_text = docs.set_index("id").loc["y", "text"]
    assert table.loc[table["document"] == "y", "path"].nunique() == 1
    assert table.loc[table["document"] == "y", "term"].tolist() == sorted(
        [t for t in OCC_TERMS if t in y_text], key=lambda t: (y_text.find(t), OCC_TERMS.index(t)))
    # counted on the texts themselves (as a profile build does): the same rows
    assert on_text.equals(table.drop(columns="occurrences_lower_bound").astype({"mid_word_matches": "int64"}))


def _match_starts(text: str, term: str) -> list[int]:
    """Where str.count's matches start (leftmost, non-overlapping; terms here hold no 〓), by a plain scan."""
    starts, k = [], 0
    while True:
        k = text.find(term, k)
        if k < 0:
            return starts
        starts.append(k)
        k += len(term)


def test_terms_that_cannot_be_counted_are_refused():
    for bad, reason in (("人", "two characters"), ("改革\u3013开放", "redaction"), ("改革 开放", "whitespace")):
        with pytest.raises(ValueError, match=reason):
            check_terms([bad])


def test_no_occurrence_across_a_line_break_or_a_space():
    docs = pd.DataFrame({"id": ["s"], "text": ["一、改革\n开放要坚持，改革 开放也要坚持，改革开放。"]})
    fs = build_features(docs, progress=False, cache=False)
    table = term_occurrences(fs, ["改革开放", "要坚持"])
    assert table.groupby("term")["occurrences"].sum().to_dict() == {"改革开放": 1, "要坚持": 2}
    assert plain_count(docs.loc[0, "text"], "改革开放") == 1


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.lists(st.sampled_from(["人才", "基层", "干部", "的", "，"]), max_size=8), max_size=3),
                min_size=1, max_size=3),
       st.integers(min_value=1, max_value=4), st.sampled_from([None, "人才", "基层"]))
def test_collocations_count_pairs_as_a_plain_loop_does(documents, window, term):
    """Documents of sentences of tokens (的 a stopword, ， punctuation): every count of the pair table
    equals a loop over positions of counted tokens within ``window`` in one sentence, both directions."""
    from analysis.stats.counts import collocations

    rows, pairs = [], Counter()
    for d, sentences in enumerate(documents):
        for s, words in enumerate(sentences):
            kept = [w for w in words if w not in ("的", "，")]
            for i, a in enumerate(kept):
                for b in kept[i + 1:i + 1 + window]:
                    pairs[(a, b)] += 1
                    pairs[(b, a)] += 1
            rows += [{"document": f"d{d}", "sentence": s, "token": w, "kind": "punct" if w == "，" else "word",
                      "is_stop": w == "的"} for w in words]
    if not rows:
        return
    fs = FeatureSet.from_tables(pd.DataFrame({"id": [f"d{d}" for d in range(len(documents))]}), pd.DataFrame(rows))
    table = collocations(fs, term=term, window=window, min_count=1)
    margins = Counter()
    for (a, _), n in pairs.items():
        margins[a] += n
    expected = {(a, b): n for (a, b), n in pairs.items() if a != b and (a == term if term else a < b)}
    got = {(r.term1, r.term2): r.cooccurrences for r in table.itertuples()}
    assert got == expected
    for r in table.itertuples():
        assert (r.node_pairs, r.collocate_pairs, r.pairs) == (margins[r.term1], margins[r.term2], sum(pairs.values()))


def test_occurrences_from_counts_sum_each_groups_tokens_and_list_terms_in_text_order():
    """Σ count · str.count over a group's rows, the same token repeated in nodes and kinds; with a whole
    vocabulary (more than 50 terms: every substring looked up) a token's terms come in text order."""
    from analysis.stats.counts import occurrences_from_counts

    filler = [f"词{chr(0x4e00 + i)}" for i in range(60)]  # terms that occur nowhere
    terms = ["为数不多", "为数", "不多", "人才", *filler]
    counts = pd.DataFrame({
        "document": ["d", "d", "d", "d", "e"],
        "path": ["一", "二", "二", "二", "一"],
        "token": ["为数不多", "人才人才", "为数不多", "为数不多", "人才"],
        "kind": ["word", "word", "word", "other", "word"],
        "count": [2, 1, 3, 1, 5],
    })
    counts["token"] = counts["token"].astype("category")
    for by in (("document",), ("document", "path"), ()):
        got = occurrences_from_counts(counts, terms, by=by)
        keys = list(by)
        expected = {}
        for _, row in counts.iterrows():
            for term in terms:
                n = str(row["token"]).count(term)
                if n:
                    key = (*[row[k] for k in keys], term)
                    expected[key] = expected.get(key, 0) + n * row["count"]
        assert {(*[r[k] for k in keys], r["term"]): r["occurrences"] for _, r in got.iterrows()} == expected, by
    by_document = occurrences_from_counts(counts, terms, by=("document",))
    assert by_document["term"].tolist() == ["为数", "为数不多", "不多", "人才", "人才"]  # by position, then length
    assert by_document["occurrences"].tolist() == [6, 6, 6, 2, 5]
