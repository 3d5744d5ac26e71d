"""features(): outline paths, sentences and tokens of one document; the content-keyed cache."""


import pandas as pd
import pytest

from analysis import features as features_mod
from analysis.features import build_features, cache_key, cached_features, features
from analysis.text.outline import parse_outline
from analysis.paths import corpus_dir
from analysis.settings import Settings

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")
SHORT = "同志们：\n下面我讲两点意见。\n一、重视人才\n要关心人才。要留住人才！\n二、夯实基层基础\n抓党建促乡村振兴。\n同志们，让我们共同努力！\n"


@pytest.fixture(scope="module")
def seed_features():
    return features({"id": "seed", "text": SEED})


def test_every_token_and_sentence_lies_in_the_text_and_node_it_names(seed_features):
    outline = parse_outline(SEED)
    for row in seed_features.tokens.itertuples(index=False):
        assert SEED[row.start:row.end] == row.token
        assert outline.path_at(row.start) == row.path
    for row in seed_features.sentences.itertuples(index=False):
        assert SEED[row.start:row.end].strip() == SEED[row.start:row.end] != ""
        assert outline.path_at(row.start) == row.path
        assert outline.path_at(row.end - 1) == row.path  # split at outline boundaries


def test_sentences_cover_every_visible_character_once(seed_features):
    covered = [0] * len(SEED)
    for s, e in seed_features.sentences[["start", "end"]].itertuples(index=False):
        for i in range(s, e):
            covered[i] += 1
    assert all(c <= 1 for c in covered)
    assert all(covered[i] == 1 for i, ch in enumerate(SEED) if not ch.isspace())


def test_han_characters_add_up(seed_features):
    independent = sum(1 for ch in SEED if "\u4e00" <= ch <= "\u9fff")
    assert seed_features.han_chars == independent
    assert seed_features.sentences["han_chars"].sum() == independent


def test_short_text_paths_and_counts():
    f = features({"id": "s", "text": SHORT})
    assert f.sentences["path"].tolist() == ["preamble", "preamble", "一", "一", "一", "二", "二", "closing"]
    talent = f.tokens[f.tokens["token"] == "人才"]
    assert talent["path"].tolist() == ["一", "一", "一"]
    assert talent["sentence"].tolist() == [2, 3, 4]
    assert f.announced == 2


def test_build_features_stacks_documents_and_keeps_metadata(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    docs = pd.DataFrame({"id": ["a", "b"], "text": [SHORT, "一、总体要求\n坚持党建引领。"], "year": [2023, 2024]})
    fs = build_features(docs, progress=False)
    assert fs.documents["id"].tolist() == ["a", "b"]
    assert fs.documents["year"].tolist() == [2023, 2024]
    assert "text" not in fs.documents.columns
    assert set(fs.tokens["document"]) == {"a", "b"}
    assert fs.documents.set_index("id")["all_tokens"].to_dict() == fs.tokens.groupby("document").size().to_dict()
    words = fs.tokens[fs.tokens["kind"] == "word"].groupby("document").size().to_dict()
    assert fs.documents.set_index("id")["word_tokens"].to_dict() == words
    assert fs.select(["b"]).tokens["document"].unique().tolist() == ["b"]
    with pytest.raises(KeyError, match="zzz"):
        fs.select(["zzz"])


def test_build_features_rejects_duplicate_ids():
    docs = pd.DataFrame({"id": ["a", "a"], "text": ["甲", "乙"]})
    with pytest.raises(ValueError, match="duplicate document ids"):
        build_features(docs, progress=False, cache=False)


def test_cache_is_keyed_by_content_and_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    first = cached_features({"id": "a", "text": SHORT})
    files = list((tmp_path / "features").glob("*.features"))
    assert len(files) == 1
    again = cached_features({"id": "other-id", "text": SHORT})
    assert again.document == "other-id" and set(again.tokens["document"]) == {"other-id"}
    assert again.tokens.drop(columns="document").equals(first.tokens.drop(columns="document"))
    assert len(list((tmp_path / "features").glob("*.features"))) == 1
    assert cache_key(SHORT, Settings()) != cache_key(SHORT, Settings(hmm=True))
    assert cache_key(SHORT, Settings()) != cache_key(SHORT + "。", Settings())


def test_interrupted_cache_write_leaves_no_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))

    from analysis import store

    def broken_replace(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    with pytest.raises(RuntimeError):
        cached_features({"id": "a", "text": SHORT})
    assert list((tmp_path / "features").iterdir()) == []


def test_corrupt_cache_entry_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    from analysis import store

    path = tmp_path / "features" / f"{cache_key(SHORT, Settings())}{features_mod.CACHE_SUFFIX}"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an entry")
    value = cached_features({"id": "a", "text": SHORT})
    assert len(value.tokens) > 0
    tables, meta = store.read(path)  # replaced by a whole, verified entry
    pd.testing.assert_frame_equal(tables["tokens"], value.tokens)


def test_nodes_are_the_outline_section_lengths(seed_features):
    from analysis.text.outline import section_lengths

    expected = section_lengths(pd.DataFrame({"id": ["seed"], "text": [SEED]}))
    pd.testing.assert_frame_equal(seed_features.nodes, expected)
    assert seed_features.announced == 5
    assert seed_features.nodes.loc[seed_features.nodes["level"] == 1, "path"].tolist() == ["一", "二", "三", "四"]


def test_workers_give_the_same_featureset(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    docs = pd.DataFrame({"id": ["a", "b", "c"], "text": [SHORT, SEED, "一、总体要求\n坚持党建引领。"]})
    one = build_features(docs, progress=False, cache=False)
    two = build_features(docs, progress=False, cache=False, workers=2)
    for table in ["documents", "nodes", "sentences", "tokens"]:
        pd.testing.assert_frame_equal(getattr(one, table), getattr(two, table))
    with pytest.raises(ValueError, match="workers"):
        build_features(docs, progress=False, workers=0)


# --- vectorised helpers against their plain definitions ------------------------------------------


def test_sentence_han_chars_of_the_seed_equal_count_han():
    from analysis.chars import count_han
    from analysis.features import features

    text = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")
    table = features({"id": "seed", "text": text}).sentences
    assert table["han_chars"].tolist() == [count_han(text[s:e]) for s, e in zip(table["start"], table["end"])]
    assert table["han_chars"].sum() > 5000
