"""Streaming by batches (issue 23): ``terms`` and ``themes`` computed one batch of documents at a
time give, stacked, the tables computed on the whole FeatureSet, and the command line writes the
same bytes."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.features import FeatureSet, combine, stream_batches, stream_features
from analysis.paths import corpus_dir
from analysis.stats import batched, counts, themes

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")


def _folder(tmp_path):
    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED, encoding="utf-8")
    (folder / "b.txt").write_text(SEED[: len(SEED) // 3], encoding="utf-8")
    # 人才强国战略 holds 人才 only inside a longer token; 人才 is a token in other documents,
    # so the whole set lists it for r1 with tokens 0 (a batch alone would not know the term).
    records = [{"id": "r1", "text": "一、实施人才强国战略\n落实人才强国战略。"}, {"id": "r2", "text": "抓基层，强基础。"}]
    (folder / "more.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                       encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = _folder(tmp_path_factory.mktemp("batches"))
    whole = stream_features(folder, progress=False, cache=False)
    parts = list(stream_batches(folder, progress=False, cache=False, batch_rows=1))  # one document per batch
    return folder, whole, parts


def test_batches_hold_every_document_once_in_order(corpus):
    _, whole, parts = corpus
    assert [list(p.documents["id"]) for p in parts] == [["a"], ["b"], ["r1"], ["r2"]]
    stacked = combine(*parts)
    pd.testing.assert_frame_equal(stacked.term_counts, whole.term_counts, check_dtype=False, check_categorical=False)
    pd.testing.assert_frame_equal(stacked.nodes, whole.nodes)


@pytest.mark.parametrize("by", ["document", "section", "node"])
def test_term_frequency_batches_stack_to_term_frequencies(corpus, by):
    _, whole, parts = corpus
    expected = counts.term_frequencies(whole, by=by)
    got = pd.concat(list(batched.term_frequency_batches(parts, by=by)), ignore_index=True)
    pd.testing.assert_frame_equal(got, expected)
    r1 = got[(got["document"] == "r1") & (got["term"] == "人才")]
    assert r1["tokens"].tolist() == [0] and r1["occurrences"].tolist() == [2]  # listed from the whole vocabulary
    assert int(got.loc[got["term"] == "人才", "doc_freq"].iloc[0]) == 2  # a and b: counted over every batch


def _rows_with_pid(blob):
    """The second pass's task, with the process that ran it in a column (module level: sent to workers)."""
    import os
    import pickle

    return batched._term_frequencies(pickle.loads(blob), **batched._OPTIONS).assign(_pid=os.getpid())


@pytest.mark.parametrize("by", ["document", "node"])
def test_term_frequency_batches_on_two_workers_give_the_same_rows_in_order(corpus, monkeypatch, by):
    import os

    _, whole, parts = corpus
    monkeypatch.setattr(batched, "_frequencies_of", _rows_with_pid)
    got = list(batched.term_frequency_batches(parts, by=by, workers=2))
    pids = {int(p) for t in got if "_pid" in t.columns for p in t["_pid"]}
    assert len(got) == len(parts) and "_pid" not in got[-1].columns  # the latest batch is computed here
    assert pids and os.getpid() not in pids  # the spilled batches were computed by other processes
    stacked = pd.concat([t.drop(columns="_pid", errors="ignore") for t in got], ignore_index=True)
    pd.testing.assert_frame_equal(stacked, counts.term_frequencies(whole, by=by))
    with pytest.raises(ValueError, match="workers"):
        list(batched.term_frequency_batches(parts, workers=0))


def test_term_frequency_batches_on_workers_beside_another_thread_are_started_afresh(corpus, monkeypatch):
    import multiprocessing
    import threading

    _, whole, parts = corpus
    asked = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: asked.append(method) or real(method))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # e.g. a Dask client's event loop
    other.start()
    try:
        got = pd.concat(list(batched.term_frequency_batches(parts, by="section", workers=2)), ignore_index=True)
    finally:
        stop.set()
        other.join()
    assert asked == ["spawn"]
    pd.testing.assert_frame_equal(got, counts.term_frequencies(whole, by="section"))
    asked.clear()
    alone = threading.active_count() == 1  # earlier tests may leave a thread (Dask's loop) in this process
    list(batched.term_frequency_batches(parts, workers=2))
    assert asked == ["fork" if alone else "spawn"]


@pytest.mark.parametrize("workers", [1, 2])
def test_term_frequency_batches_hand_on_what_then_makes_of_each_table(corpus, workers):
    from functools import partial

    _, _, parts = corpus
    tables = list(batched.term_frequency_batches(parts, by="node"))
    got = list(batched.term_frequency_batches(parts, by="node", workers=workers,
                                              then=partial(pd.DataFrame.to_csv, index=False)))
    assert got == [t.to_csv(index=False) for t in tables] and len(got) == len(parts)


def test_term_frequency_batches_without_stopwords_and_min_count(corpus):
    _, whole, parts = corpus
    expected = counts.term_frequencies(whole, stopwords=False, min_count=2)
    got = pd.concat(list(batched.term_frequency_batches(parts, stopwords=False, min_count=2)), ignore_index=True)
    pd.testing.assert_frame_equal(got, expected)


def test_term_frequency_batches_refuse_a_grouping_across_documents_and_repeated_ids(corpus):
    _, _, parts = corpus
    with pytest.raises(ValueError, match="by"):
        list(batched.term_frequency_batches(parts, by="year"))
    with pytest.raises(ValueError, match="two batches"):
        list(batched.term_frequency_batches([parts[0], parts[0]]))


@pytest.mark.parametrize("by", ["document", "section"])
def test_theme_coverage_by_batch_stacks_to_the_whole(corpus, by):
    _, whole, parts = corpus
    expected = themes.theme_coverage(whole, by=by)
    got = pd.concat([themes.theme_coverage(p, by=by) for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("command", [["terms"], ["terms", "--by", "section", "--top", "3"], ["themes"],
                                     ["terms", "--format", "json"]])
def test_the_streamed_command_writes_the_bytes_of_the_whole_table(corpus, command, capsys, monkeypatch):
    """The command line streams by batches; its output equals the whole table written at once."""
    from analysis import cli
    from analysis.features import executors

    folder, whole, _ = corpus
    monkeypatch.setattr(executors, "BATCH_ROWS", 1)
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(folder.parent / "cache"))
    assert cli.main([*command, str(folder)]) == 0
    streamed = capsys.readouterr().out
    args = cli.build_parser().parse_args([*command, str(folder)])
    from dataclasses import replace

    from analysis.stats.meta import with_year

    fs = replace(whole, documents=with_year(whole.documents))
    if command[0] == "themes":
        table = themes.theme_coverage(fs, by=args.by)
    else:
        table = cli._top(counts.term_frequencies(fs, by=args.by), args.by, args.top)
    cli._emit(table, args.format)
    assert streamed == capsys.readouterr().out


def test_term_frequency_batches_of_documents_without_a_term_give_the_empty_table():
    tokens = pd.DataFrame({"document": ["a", "a", "b"], "token": ["123", "。", "，"], "kind": ["number", "punct", "punct"]})
    fs = FeatureSet.from_tables(pd.DataFrame({"id": ["a", "b"]}), tokens)
    expected = counts.term_frequencies(fs)
    got = pd.concat(list(batched.term_frequency_batches([fs.select(["a"]), fs.select(["b"])])), ignore_index=True)
    assert got.empty and list(got.columns) == list(expected.columns)  # it raised a merge error on the empty index
