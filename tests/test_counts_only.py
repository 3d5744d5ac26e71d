"""build_features(counts_only=True): workers send count tables back, and every count-based
analysis gives the numbers it gives on the full token tables."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.features import ProfileError, build_features, counted_features
from analysis.paths import corpus_dir
from analysis.stats import counts, themes
from analysis.text.occurrences import profile_terms

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")
DOCS = pd.DataFrame({
    "id": ["seed", "half", "short"],
    "text": [SEED, SEED[: len(SEED) // 2], "同志们：\n一、重视人才\n要关心人才。要留住人才！\n二、夯实基层基础\n抓党建促乡村振兴。\n"],
})


@pytest.fixture(scope="module")
def both():
    return (build_features(DOCS, progress=False, cache=False),
            build_features(DOCS, progress=False, cache=False, counts_only=True))


def test_count_tables_equal_those_of_the_token_tables(both):
    full, lean = both
    assert len(lean.tokens) == 0 and len(full.tokens) > 4000
    pd.testing.assert_frame_equal(lean.term_counts, full.term_counts)
    pd.testing.assert_frame_equal(lean.sentence_tokens, full.sentence_tokens)
    for name in ("sentences", "terms", "first"):
        pd.testing.assert_frame_equal(getattr(lean.theme_counts(), name), getattr(full.theme_counts(), name))
    pd.testing.assert_frame_equal(lean.documents, full.documents)
    assert lean.documents["all_tokens"].tolist() == full.tokens.groupby("document", sort=False, observed=True).size().tolist()


OCCURRENCES = ["occurrences", "mid_word_matches", "occurrences_lower_bound"]


def _same_counts(lean_table: pd.DataFrame, full_table: pd.DataFrame) -> None:
    """Equal but for occurrences: counted on the text for full texts, lower bounds (from term counts) on counted
    documents, which hold no text. Rows the full texts alone have are terms found only across tokens."""
    keys = ["document", "term"]
    merged = full_table.merge(lean_table, on=keys, how="left", suffixes=("", "_lean"), indicator=True)
    assert merged["_merge"].eq("both").sum() == len(lean_table)
    only_full = merged[merged["_merge"] == "left_only"]
    assert (only_full["tokens"] == 0).all() and (only_full["occurrences"] > 0).all()
    both = merged[merged["_merge"] == "both"]
    for column in full_table.columns:
        if column not in keys and column not in OCCURRENCES:
            assert (both[column] == both[column + "_lean"]).all(), column
    assert not full_table["occurrences_lower_bound"].any()
    # the formulas and tracked terms are counted on the text before it is dropped: exact; other terms: lower bounds
    stored = both["term"].isin(set(profile_terms()))
    counted = both["occurrences"].notna()
    exact, bound = counted & stored, counted & ~stored
    assert exact.sum() > 10 and not both.loc[exact, "occurrences_lower_bound_lean"].any()
    assert (both.loc[exact, "occurrences_lean"] == both.loc[exact, "occurrences"]).all()
    assert (both.loc[exact, "mid_word_matches_lean"] == both.loc[exact, "mid_word_matches"]).all()
    assert both.loc[bound, "occurrences_lower_bound_lean"].all()
    assert (both.loc[bound, "occurrences_lean"] <= both.loc[bound, "occurrences"]).all()
    assert (both.loc[bound, "occurrences_lean"] < both.loc[bound, "occurrences"]).any()  # hits across tokens


def test_analyses_give_the_same_numbers(both):
    full, lean = both
    _same_counts(counts.term_frequencies(lean), counts.term_frequencies(full))
    pd.testing.assert_frame_equal(themes.theme_coverage(lean), themes.theme_coverage(full))
    talent = counts.term_frequencies(lean).query("term == '人才'")
    assert int(talent["tokens"].sum()) == int((full.tokens["token"] == "人才").sum()) > 25


def test_counted_documents_keep_the_occurrences_of_formulas_counted_on_the_text():
    text = "一、全面深化改革开放\n坚持改革开放，坚持创新发展理念。××改革××开放。\n"
    lean = build_features(pd.DataFrame({"id": ["h"], "text": [text]}), progress=False, cache=False, counts_only=True)
    stored = lean.stored.term_occurrences
    assert set(stored["term"]) == set(profile_terms())  # every term listed, found or not
    got = stored.groupby("term")["occurrences"].sum()
    assert got["改革开放"] == text.count("改革开放") == 2 and got["新发展理念"] == 1 and got["人才"] == 0
    table = counts.term_occurrences(lean, ["改革开放", "新发展理念", "深化改革开放"]).set_index("term")
    assert table.loc["新发展理念", "mid_word_matches"] == 1 and not table.loc["改革开放", "occurrences_lower_bound"]
    assert "深化改革开放" not in table.index  # not stored, and invisible in the term counts (全面深化改革|开放)


def test_running_text_analyses_refuse_counted_documents(both):
    _, lean = both
    with pytest.raises(ProfileError, match="counts only, no running text"):
        counts.kwic(lean, "人才")


def test_two_workers_return_the_same_counts(both):
    _, lean = both
    pooled = build_features(DOCS, progress=False, cache=False, counts_only=True, workers=2)
    pd.testing.assert_frame_equal(pooled.term_counts, lean.term_counts)


def test_counted_features_of_one_document():
    c = counted_features({"id": "d", "text": "一、人才\n重视人才，“人才”。"}, cache=False)
    assert c.tokens == 10 and len(c.features.tokens) == 0  # 一 、 人才 重视 人才 ， “ 人才 ” 。
    assert c.term_counts.query("token == '人才'")[["count", "quoted"]].values.tolist() == [[3, 1]]


def test_without_theme_counts_terms_agree_and_theme_analyses_refuse(both):
    full, _ = both
    lean = build_features(DOCS, progress=False, cache=False, counts_only=True, count_themes=False)
    _same_counts(counts.term_frequencies(lean), counts.term_frequencies(full))
    with pytest.raises(ProfileError, match="count_themes=True"):
        themes.theme_coverage(lean)


# --- stream_features: files counted one by one, texts never held ------------------------------


def _corpus_folder(tmp_path):
    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED, encoding="utf-8")
    (folder / "b.txt").write_text(SEED[: len(SEED) // 3], encoding="utf-8")
    records = [{"id": "r1", "text": "一、人才\n重视人才。"}, {"id": "r2", "text": "抓基层，强基础。"}]
    import json

    (folder / "more.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("workers", [1, 2])
def test_stream_features_equals_build_features_on_the_loaded_corpus(tmp_path, workers):
    from analysis.features import stream_features
    from analysis.io.corpus import load_corpus

    folder = _corpus_folder(tmp_path)
    loaded = build_features(load_corpus(folder), progress=False, cache=False, counts_only=True)
    streamed = stream_features(folder, progress=False, cache=False, workers=workers)
    pd.testing.assert_frame_equal(streamed.documents, loaded.documents)
    # the same counts; streamed, the text columns are held as categoricals (codes, not a string per row)
    assert all(str(streamed.term_counts[c].dtype) == "category" for c in ("document", "path", "token", "kind"))
    pd.testing.assert_frame_equal(streamed.term_counts, loaded.term_counts, check_dtype=False, check_categorical=False)
    pd.testing.assert_frame_equal(counts.term_frequencies(streamed), counts.term_frequencies(loaded))
    pd.testing.assert_frame_equal(streamed.nodes, loaded.nodes)
    pd.testing.assert_frame_equal(streamed.theme_counts().terms, loaded.theme_counts().terms)
    pd.testing.assert_frame_equal(streamed.stored.term_occurrences, loaded.stored.term_occurrences)
    assert streamed.documents["id"].tolist() == ["a", "b", "r1", "r2"]


def test_stream_features_collects_problems_and_counts_the_rest(tmp_path):
    from analysis.features import stream_features
    from analysis.io.corpus import CorpusError, load_corpus

    folder = _corpus_folder(tmp_path)
    (folder / "bad.txt").write_bytes(b"\xff\xfe\x00\xd8broken")
    (folder / "old.doc").write_bytes(b"x")
    (folder / "dup.jsonl").write_text('{"id": "r1", "text": "人才"}\n', encoding="utf-8")
    fs, problems = stream_features(folder, progress=False, cache=False, on_error="collect")
    loaded, expected = load_corpus(folder, on_error="collect")
    assert fs.documents["id"].tolist() == loaded["id"].tolist() == ["a", "b", "r1", "r2"]
    pd.testing.assert_frame_equal(problems, expected)
    assert any(f.endswith("old.doc") for f in problems["file"])
    assert any("already used" in p for p in problems["problem"])  # dup.jsonl's r1
    with pytest.raises(CorpusError):
        stream_features(folder, progress=False, cache=False)


def test_a_warm_stream_reads_file_counts_and_recomputes_only_a_changed_file(tmp_path, monkeypatch):
    from analysis import memo
    from analysis.features import counts_cache_dir, stream_features
    from analysis.features import executors as features_mod

    folder = _corpus_folder(tmp_path)
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    cold = stream_features(folder, progress=False)
    assert len(list(counts_cache_dir().glob("*.counts"))) == 3  # one entry per file
    computed: list[str] = []
    real = features_mod.counted_features
    monkeypatch.setattr(features_mod, "counted_features",
                        lambda document, *a, **k: (computed.append(document["id"]), real(document, *a, **k))[1])

    def same(a, b):
        for name in ("documents", "nodes", "sentences", "term_counts", "sentence_tokens"):
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
        for name in ("sentences", "terms", "first"):
            pd.testing.assert_frame_equal(getattr(a.theme_counts(), name), getattr(b.theme_counts(), name))
        pd.testing.assert_frame_equal(a.stored.term_occurrences, b.stored.term_occurrences)  # through the cache
        pd.testing.assert_frame_equal(a.stored.cooccurrences, b.stored.cooccurrences)  # dtypes too
        assert memo.fingerprint(a) == memo.fingerprint(b)  # so a memoized step computed cold is a hit warm

    warm = stream_features(folder, progress=False)
    assert computed == []
    same(warm, cold)
    pd.testing.assert_frame_equal(counts.term_frequencies(warm), counts.term_frequencies(cold))

    (folder / "b.txt").write_text(SEED[: len(SEED) // 3] + "\n抓好基层党建。\n", encoding="utf-8")
    changed = stream_features(folder, progress=False)
    assert computed == ["b"]
    tokens_of = lambda fs: dict(zip(fs.documents["id"], fs.documents["all_tokens"]))  # noqa: E731
    assert tokens_of(changed)["b"] > tokens_of(cold)["b"] and tokens_of(changed)["a"] == tokens_of(cold)["a"]
    pd.testing.assert_frame_equal(changed.term_counts.query("document == 'a'"), cold.term_counts.query("document == 'a'"))

    computed.clear()
    for entry in counts_cache_dir().glob("*.counts"):  # a damaged entry is a miss, recomputed
        data = bytearray(entry.read_bytes())
        data[len(data) // 2] ^= 0xFF
        entry.write_bytes(bytes(data))
    again = stream_features(folder, progress=False)
    assert sorted(computed) == ["a", "b", "r1", "r2"]
    same(again, changed)


def test_a_warm_stream_gives_a_documents_counts_the_categories_of_its_own_text(tmp_path, monkeypatch):
    """A file's entry keeps its documents' counts together; read back, each document's text columns hold
    its own values only, as counting it gives: a rejected duplicate's words are in no category."""
    from analysis.features import stream_features

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("一、重视人才\n要关心人才。\n", encoding="utf-8")
    (folder / "more.jsonl").write_text('{"id": "a", "text": "独一无二的词语"}\n{"id": "c", "text": "夯实基层。"}\n',
                                       encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    runs = [stream_features(folder, progress=False, on_error="collect") for _ in ("cold", "warm")]
    for fs, problems in runs:
        assert fs.documents["id"].tolist() == ["a", "c"] and problems["problem"].str.contains("already used").any()
        tokens = fs.term_counts["token"]
        assert "独一无二" not in set(tokens.cat.categories) and set(tokens.cat.categories) == set(tokens)
    pd.testing.assert_frame_equal(runs[0][0].term_counts, runs[1][0].term_counts)
