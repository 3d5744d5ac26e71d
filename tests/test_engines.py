"""rjieba (the default engine) and jieba's Python code give the same tokens.

Both engines get the same entries with the same frequencies (the table stored beside the
dictionary) and only ever see Han runs: numbers, Latin words and punctuation are split by
the character-class layer before any engine runs.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from analysis.paths import corpus_dir
from analysis.settings import Settings
from analysis.text import segment
from analysis.text.segment import make_tokenizer, tokenize

pytest.importorskip("rjieba")

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")


def _pair(hmm: bool = False):
    return (make_tokenizer(Settings(segmenter="rjieba", hmm=hmm)),
            make_tokenizer(Settings(segmenter="jieba-python", hmm=hmm)))


def test_default_engine_is_rjieba_and_the_fingerprint_does_not_name_it():
    seg = make_tokenizer()
    assert seg.engine == "rjieba" and seg.jieba is None
    assert make_tokenizer(Settings(segmenter="jieba-python")).engine == "jieba"
    assert Settings().describe()["segmenter"] == "jieba"
    assert Settings().describe()["segmenter_version"] == Settings(segmenter="jieba-python").describe()["segmenter_version"]


@pytest.mark.parametrize("hmm", [False, True])
def test_engines_agree_token_for_token_on_the_seed(hmm):
    rust, python = _pair(hmm)
    a, b = tokenize(SEED, tokenizer=rust), tokenize(SEED, tokenizer=python)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) > 3000


@pytest.mark.parametrize("hmm", [False, True])
def test_hyphenated_number_ranges_are_split_the_same_way(hmm):
    """Raw rjieba (HMM on) keeps 2011-2020 and 3-5 whole where jieba cuts them; our
    character-class layer splits numbers and punctuation before either engine runs, so
    both give number, punct, number, and counts are equal."""
    import jieba
    import rjieba

    raw_rust = rjieba.Jieba().cut("2011-2020年", True)
    raw_python = jieba.Tokenizer().lcut("2011-2020年", HMM=True)
    assert raw_rust == ["2011-2020", "年"] and raw_python == ["2011", "-", "2020", "年"]  # the difference, by design
    text = "“十三五”时期（2016-2020年）培训3-5次，2011—2020年"
    rust, python = _pair(hmm)
    a, b = tokenize(text, tokenizer=rust), tokenize(text, tokenizer=python)
    pd.testing.assert_frame_equal(a, b)
    pairs = a[["token", "kind"]].values.tolist()
    assert pairs[5:9] == [["2016", "number"], ["-", "punct"], ["2020", "number"], ["年", "word"]]
    assert ["3", "number"] in pairs and ["5", "number"] in pairs and ["—", "punct"] in pairs


def test_the_stored_frequency_table_is_current():
    """The committed table names this dictionary's hash; regenerating it gives the same file."""
    settings = Settings()
    path = segment.frequency_path(settings)
    stored = segment._parse_frequency_file(path, segment._dictionary_digest(settings))
    assert stored is not None, f"{path} is stale: run `python -m analysis frequencies --write`"
    fresh = segment.compute_frequency_table(settings)
    assert segment.format_frequency_table(fresh, settings) == path.read_text(encoding="utf-8")
    pd.testing.assert_frame_equal(fresh, stored)


def test_an_edited_dictionary_gets_its_table_computed_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "dictionary.yaml"
    path.write_text(Settings().dictionary.read_text(encoding="utf-8")
                    + "  - {term: 燕赵英才计划, category: programme, note: test}\n", encoding="utf-8")
    settings = Settings(dictionary=path)
    table = segment.load_frequency_table(settings)
    assert table.set_index("term").loc["燕赵英才计划", "freq"] >= 2000
    assert list((tmp_path / "cache" / "lexicon").glob("*.freq.tsv"))
    pd.testing.assert_frame_equal(segment.load_frequency_table(settings), table)  # read back from the cache


def test_fallback_to_jieba_is_automatic_and_reported_once(monkeypatch):
    monkeypatch.setattr(segment, "_rjieba_available", lambda: False)
    monkeypatch.setattr(segment, "_FALLBACK_WARNED", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert segment.engine_for(Settings()) == "jieba"
        assert segment.engine_for(Settings()) == "jieba"
    assert len([w for w in caught if "rjieba is not installed" in str(w.message)]) == 1
    with pytest.raises(ValueError, match="rjieba package"):
        segment.engine_for(Settings(segmenter="rjieba"))


def test_lexicon_files_are_parsed_once(monkeypatch):
    calls = []
    real = segment.yaml.load
    monkeypatch.setattr(segment.yaml, "load", lambda *a, **k: calls.append(1) or real(*a, **k))
    segment._parse_yaml.cache_clear()
    segment._dictionary_table.cache_clear()
    segment._stopword_set.cache_clear()
    for _ in range(3):
        segment.load_dictionary()
        segment.load_split_words()
        segment._numbered_heads(Settings())
        segment.load_stopwords()
    assert len(calls) == 2  # dictionary.yaml and stopwords.yaml, once each


@pytest.mark.shared
@pytest.mark.slow
def test_engines_agree_on_every_document_of_the_reference_corpora(reference_corpus):
    """Found this way: with jieba's and rjieba's totals apart, one congress report had
    社会观 whole under jieba and 社会|观 under rjieba (see segment._rjieba_cut)."""
    docs, _ = reference_corpus  # the four corpora, loaded once per test run (conftest.py)
    rust, python = _pair(False)
    differing = []
    for doc_id, text in zip(docs["id"], docs["text"]):
        if rust.spans(text) != python.spans(text):
            differing.append(doc_id)
    assert len(docs) >= 170
    assert differing == []
