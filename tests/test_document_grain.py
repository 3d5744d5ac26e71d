"""Term counts handed on per document (``grain="document"``): the same sums as the per-node table, the same
``terms`` rows, and a warm run that decodes the small table alone (issue 23, warm speed on one large file)."""

from collections import Counter

import pandas as pd
import pytest

from analysis import store
from analysis.features import combine, stream_batches, stream_features
from analysis.features.caches import counts_cache_dir
from analysis.stats.batched import term_frequency_batches
from analysis.stats.counts import term_frequencies
from analysis.text.segment import tokenize

TEXTS = {
    "a": "一、人才工作\n（一）引进人才。培养人才，用好人才。\n二、基层治理\n基层是基础，人才在基层。",
    "b": "一、党建引领\n抓党建，强基层。\n二、人才强国\n人才强国战略，人才第一资源。",
    "c": "没有提纲的一段话：人才、基层、党建都要抓。",
}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TEXTS.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    return corpus


def test_document_counts_are_the_tokens_of_each_document_counted_by_hand(folder):
    fs = combine(*stream_batches(folder, progress=False, grain="document"))
    table = fs.term_counts
    assert "path" not in table.columns
    got = {(str(d), str(t)): int(n) for d, t, n in zip(table["document"], table["token"], table["count"])}
    expected = {}
    for doc, text in TEXTS.items():
        for token, n in Counter(t for t in tokenize(text)["token"] if t.strip()).items():
            expected[(doc, token)] = n
    assert got == expected
    # one row per document and distinct token (kinds and flags of one token agree here)
    assert len(table) == len(expected)


def test_terms_by_document_are_the_same_rows_from_either_grain(folder):
    by_node = term_frequencies(stream_features(folder, progress=False), by="document")
    for batch_rows in (1, 10_000):  # a batch per document, and one batch
        stacked = pd.concat(list(term_frequency_batches(
            stream_batches(folder, progress=False, grain="document", batch_rows=batch_rows), by="document")),
            ignore_index=True)
        pd.testing.assert_frame_equal(stacked, by_node)


def test_a_warm_run_decodes_the_document_table_alone_and_gives_the_cold_rows(folder, monkeypatch):
    cold = pd.concat(list(term_frequency_batches(stream_batches(folder, progress=False, grain="document"))),
                     ignore_index=True)
    assert len(list(counts_cache_dir().glob("*.counts"))) == len(TEXTS)
    asked = []
    real_read = store.read

    def recording(path, only=None):
        asked.append(set(only or ()))
        return real_read(path, only)

    monkeypatch.setattr(store, "read", recording)
    warm = pd.concat(list(term_frequency_batches(stream_batches(folder, progress=False, grain="document"))),
                     ignore_index=True)
    pd.testing.assert_frame_equal(warm, cold)
    assert len(asked) == len(TEXTS)
    assert all("document_term_counts" in a and "term_counts" not in a for a in asked)
    # the same entries serve the per-node grain, which decodes the per-node table instead
    asked.clear()
    nodes = combine(*stream_batches(folder, progress=False))
    assert "path" in nodes.term_counts.columns and all("term_counts" in a for a in asked) and len(asked) == 3


def test_another_grain_is_refused():
    with pytest.raises(ValueError, match="grain"):
        list(stream_batches([], grain="sentence"))


def test_store_decodes_only_the_tables_asked_for_and_still_checks_every_byte():
    blob = bytearray(store.dumps({"a": pd.DataFrame({"x": [1, 2]}), "b": pd.DataFrame({"y": ["甲"]})}, {"m": 1}))
    tables, meta = store.loads(bytes(blob), only={"b"})
    assert list(tables) == ["b"] and tables["b"]["y"].tolist() == ["甲"] and meta == {"m": 1}
    blob[-40] ^= 1  # a byte of a table that is not decoded
    with pytest.raises(store.StoreError, match="checksum"):
        store.loads(bytes(blob), only={"b"})


def test_document_counts_equal_a_pandas_groupby_dtypes_and_order_included(folder):
    from analysis.features.counting import count_tokens, document_counts
    from analysis.features.tables import DOCUMENT_COUNT_COLUMNS

    def grouped(table):
        out = (table.groupby(["document", "token", "kind", "is_stop"], sort=False, observed=True, dropna=False)
               [["count", "quoted"]].sum().reset_index())
        return out.astype({"count": "int64", "quoted": "int64"})[DOCUMENT_COUNT_COLUMNS]

    many = combine(*stream_batches(folder, progress=False)).term_counts  # categoricals shared by documents
    hand = pd.DataFrame({"document": "d", "path": ["一", "二", "一", "二"], "token": ["人才", "人才", None, "，"],
                         "kind": ["word", "word", "word", "punct"], "is_stop": [False, False, True, False],
                         "count": [1, 2, 3, 4], "quoted": [0, 1, 0, 0]})
    plain = count_tokens(pd.DataFrame({"document": ["a", "a", "b"], "token": ["人才", "，", "人才"],
                                       "kind": ["word", "punct", "word"]}))
    for table in (many, many.iloc[:0], hand, plain):
        got, expected = document_counts(table), grouped(table)
        pd.testing.assert_frame_equal(got, expected)
    assert document_counts(hand)["count"].tolist() == [3, 3, 4]
