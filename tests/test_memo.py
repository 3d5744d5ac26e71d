"""analysis.memo: a costly step is computed once per content of its inputs, and a hit gives back the same table."""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd
import pytest

from analysis import memo
from analysis.stats.compare import _example_features, speech_index
from analysis.stats.similarity import speech_map


@pytest.fixture
def memo_on(tmp_path, monkeypatch):
    """Memoization on, into a cache folder of this test; the counters start at zero."""
    monkeypatch.setenv(memo.ENV, "1")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    for name in memo.stats:
        monkeypatch.setitem(memo.stats, name, 0)
    return tmp_path / "cache" / "memo"


def _entries(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _same_table(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return (a.equals(b) and list(map(str, a.dtypes)) == list(map(str, b.dtypes)) and a.index.equals(b.index)
            and a.attrs == b.attrs)


def test_off_unless_the_report_turns_it_on(tmp_path, monkeypatch):
    monkeypatch.delenv(memo.ENV, raising=False)
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    speech_index(_example_features(), n_resamples=50)
    assert _entries(tmp_path / "cache" / "memo") == []


def test_a_second_call_is_a_hit_with_the_same_table(memo_on):
    fs = _example_features()
    first = speech_index(fs, n_resamples=50)
    computed = memo.stats["computed"]  # speech_index and the steps inside it that are memoized too
    again = speech_index(_example_features(), n_resamples=50)  # another object with the same content
    assert memo.stats["computed"] == computed and memo.stats["hits"] == 1  # answered at the top, nothing inside
    assert _same_table(first, again) and again.attrs["result"]["estimate"] == "index"
    assert _same_table(again, speech_index.__wrapped__(fs, n_resamples=50))  # what the function itself gives
    assert not [p for p in memo_on.rglob("*") if p.name.endswith(".tmp")]


#: Calls of :func:`_first_rows` that were computed (not answered from the cache).
CALLS: list = []


@memo.memoized
def _first_rows(fs, n=1, *, seed=0):
    CALLS.append((n, seed))
    return fs.documents.head(n)


def test_a_tuple_of_tables_comes_back_as_a_tuple(memo_on):
    fs = _example_features()
    first = speech_map(fs, on="themes")
    again = speech_map(fs, on="themes")
    assert memo.stats["hits"] == 1 and isinstance(again, tuple) and len(again) == 2
    assert all(_same_table(a, b) for a, b in zip(first, again))


def test_the_key_covers_parameters_content_and_settings(memo_on):
    CALLS.clear()
    fs = _example_features()
    _first_rows(fs)
    _first_rows(fs, 2)  # a parameter
    _first_rows(fs, seed=1)  # a keyword
    docs = fs.documents.copy()
    docs.loc[0, "kind"] = str(docs.loc[0, "kind"]) + "·"  # one cell of the content
    _first_rows(dataclasses.replace(fs, documents=docs))
    _first_rows(dataclasses.replace(fs, settings=fs.settings.replace(hmm=not fs.settings.hmm)))  # the settings
    assert len(CALLS) == 5 and memo.stats["hits"] == 0 and len(_entries(memo_on)) == 5
    _first_rows(_example_features(), seed=1)
    assert len(CALLS) == 5 and memo.stats["hits"] == 1
    keys = {memo.fingerprint(v) for v in (1, 1.0, "1", [1], (1,), None, True)}
    assert len(keys) == 7


def test_a_damaged_entry_is_a_miss_and_is_rewritten(memo_on):
    CALLS.clear()
    fs = _example_features()
    first = _first_rows(fs, 3)
    (entry,) = _entries(memo_on)
    entry.write_bytes(entry.read_bytes()[:-10])  # cut short
    again = _first_rows(fs, 3)
    assert len(CALLS) == 2 and memo.stats["hits"] == 0 and _same_table(first, again)
    _first_rows(fs, 3)
    assert len(CALLS) == 2 and memo.stats["hits"] == 1  # the entry was written whole again


def test_an_argument_without_a_content_key_is_computed_not_stored(memo_on):
    calls = []

    @memo.memoized
    def count_rows(table, callback):
        calls.append(1)
        return table.head(1)

    table = pd.DataFrame({"a": [1, 2]})
    count_rows(table, print)
    count_rows(table, print)
    assert len(calls) == 2 and memo.stats["unkeyable"] == 2 and _entries(memo_on) == []
    with pytest.raises(memo.Unkeyable):
        memo.fingerprint(pd.DataFrame({"a": [[1], [2]]}))


def test_a_hit_warns_what_the_call_warned_from_the_callers_line(memo_on):
    fs = _example_features().select(["t", "g"])  # two speeches: the map warns and is empty
    with warnings.catch_warnings(record=True) as first:
        warnings.simplefilter("always")
        speech_map(fs)
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        speech_map(fs)
    assert memo.stats["hits"] == 1
    assert [str(w.message) for w in again] == [str(w.message) for w in first] and len(first) == 1
    assert {w.filename for w in first + again} == {__file__}  # the caller, never the wrapper


def test_results_that_are_not_tables_are_not_stored(memo_on):
    @memo.memoized
    def total(table):
        return int(table["a"].sum())

    assert total(pd.DataFrame({"a": [1, 2]})) == 3 and total(pd.DataFrame({"a": [1, 2]})) == 3
    assert memo.stats["computed"] == 2 and _entries(memo_on) == []


def test_a_long_table_is_hashed_a_slice_at_a_time_to_the_same_key(monkeypatch):
    """The hashes of a column go to the digest a slice of HASH_ROWS rows at a time (no 8-byte hash per row of a
    13-million-row token table held at once); the fingerprint is the one all the hashes in one piece give, and
    it still tells tables apart."""
    import hashlib

    frame = pd.DataFrame({"token": pd.Categorical(list("人才基层人才") * 5), "start": range(30),
                          "path": ["一", "二"] * 15}, index=pd.RangeIndex(30))
    whole = memo._frame_digest(frame)
    monkeypatch.setattr(memo, "HASH_ROWS", 7)
    assert memo._frame_digest(frame) == whole
    # the same digest as the hashes of each column in one piece (the layout the slices add up to)
    digest = hashlib.sha256()
    digest.update(memo._frame_head(frame))
    digest.update(b"index")
    digest.update(pd.util.hash_pandas_object(pd.Series(range(30)), index=False, categorize=False).to_numpy().tobytes())
    digest.update(b"values")
    for name in frame.columns:
        digest.update(pd.util.hash_pandas_object(frame[name], index=False, categorize=False).to_numpy().tobytes())
    assert digest.hexdigest() == whole
    changed = frame.assign(start=frame["start"].where(frame.index != 25, 99))
    assert memo._frame_digest(changed) != whole
