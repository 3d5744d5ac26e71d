"""The feature cache: data only, verified on read, every failure a recompute.

Entries are :mod:`analysis.store` files (Parquet tables + JSON, SHA-256 over both). These
tests alter entries byte by byte, plant files under the computed key, kill a writer
mid-write and make the folder unwritable; each time the result must be the clean one.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import random
import signal
import subprocess
import sys
import time
import warnings

import pandas as pd
import pytest

from analysis import features as features_mod
from analysis.features import caches as caches_mod
from analysis import store
from analysis.features import build_features, cache_key, cached_features, features
from analysis.paths import corpus_dir, project_root
from analysis.settings import Settings

SHORT = "同志们：\n一、重视人才\n要关心优秀年轻干部，〓同志讲“两个确立”。\n二、夯实基层\n抓好基层党建。2023年。\n"
SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")


def assert_same(a, b):
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True)
        else:
            assert x == y, f.name


def entry_path(tmp_path, text, settings=None):
    return tmp_path / "features" / f"{cache_key(text, settings or Settings())}{features_mod.CACHE_SUFFIX}"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def count_computes(monkeypatch):
    calls = []
    real = features_mod.features

    def counting(document, settings=None):
        calls.append(str(caches_mod._get(document, "id")))
        return real(document, settings)

    monkeypatch.setattr(caches_mod, "features", counting)
    return calls


@pytest.mark.parametrize("text", [SEED, SHORT, "", "   \n", "〓〓"])
def test_every_field_round_trips(cache_dir, text):
    clean = features({"id": "d", "text": text})
    first = cached_features({"id": "d", "text": text})
    again = cached_features({"id": "d", "text": text})  # read from the entry
    assert_same(clean, first)
    assert_same(clean, again)
    tables, meta = store.read(entry_path(cache_dir, text))
    names = {f.name for f in dataclasses.fields(features_mod.DocumentFeatures)}
    assert set(tables) | set(meta["fields"]) == names


def test_fields_added_to_documentfeatures_round_trip(cache_dir, monkeypatch):
    """The cache iterates over the dataclass's fields: a table or a scalar added later is kept."""
    base = features({"id": "d", "text": SHORT})
    Extended = dataclasses.make_dataclass(
        "DocumentFeatures",
        [("term_counts", pd.DataFrame), ("theme_version", str)],
        bases=(features_mod.DocumentFeatures,), frozen=True,
    )
    value = Extended(**{f.name: getattr(base, f.name) for f in dataclasses.fields(base)},
                     term_counts=pd.DataFrame({"term": ["人才", "基层"], "count": [3, 1]}), theme_version="v2")
    monkeypatch.setattr(caches_mod, "DocumentFeatures", Extended)
    key = cache_key(SHORT, Settings())
    path = entry_path(cache_dir, SHORT)
    assert caches_mod._write_cache(path, value, key)
    back = caches_mod._read_cache(path, key, SHORT, Settings())
    assert_same(back, value)


def test_changing_one_document_recomputes_only_it(cache_dir, count_computes):
    docs = pd.DataFrame({"id": ["a", "b", "c"], "text": [SHORT, SEED, "一、总体要求\n坚持党建引领。"]})
    cold = build_features(docs, progress=False)
    assert count_computes == ["a", "b", "c"]
    warm = build_features(docs, progress=False)
    assert count_computes == ["a", "b", "c"]
    for table in ("documents", "nodes", "sentences", "tokens"):
        pd.testing.assert_frame_equal(getattr(cold, table), getattr(warm, table))
    build_features(docs.assign(text=[SHORT, SEED, "一、总体要求\n坚持党建引领，抓基层。"]), progress=False)
    assert count_computes == ["a", "b", "c", "c"]


@pytest.mark.slow
def test_fuzz_flipped_bytes_are_recomputed_or_identical(cache_dir, count_computes):
    """Flip one byte at a time, everywhere in an entry: each read gives the clean features."""
    document = {"id": "d", "text": SHORT}
    clean = features(document)
    cached_features(document)
    path = entry_path(cache_dir, SHORT)
    pristine = path.read_bytes()
    rng = random.Random(15)
    positions = list(range(0, 120)) + sorted(rng.sample(range(120, len(pristine)), 280))
    recomputed = 0
    assert len(positions) == 400  # as many flips as the demonstration
    for pos in positions:
        blob = bytearray(pristine)
        blob[pos] ^= rng.randrange(1, 256)
        path.write_bytes(bytes(blob))
        before = len(count_computes)
        value = cached_features(document)
        assert_same(value, clean)
        if len(count_computes) > before:
            recomputed += 1
            tables, _ = store.read(path)  # the entry was replaced by a whole one
            pd.testing.assert_frame_equal(tables["tokens"], clean.tokens)
    # Every byte is under the checksum, so every flip is a recompute.
    assert recomputed == len(positions)
    for cut in (0, 1, len(store.MAGIC) + 10, len(pristine) // 2, len(pristine) - 1):
        path.write_bytes(pristine[:cut])
        assert_same(cached_features(document), clean)


def test_an_entry_for_another_text_or_settings_under_this_key_is_a_miss(cache_dir, count_computes):
    other = "一、总体要求\n坚持党建引领。"
    cached_features({"id": "x", "text": other})
    planted = entry_path(cache_dir, other).read_bytes()  # whole and checksummed, but not this text's
    path = entry_path(cache_dir, SHORT)
    path.write_bytes(planted)
    value = cached_features({"id": "d", "text": SHORT})
    assert_same(value, features({"id": "d", "text": SHORT}))
    assert count_computes[-1] == "d"


def test_a_crafted_file_under_the_computed_key_cannot_run_code(cache_dir, tmp_path):
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Exploit())
    path = entry_path(cache_dir, SHORT)
    path.parent.mkdir(parents=True, exist_ok=True)
    legacy = path.with_suffix(".pkl")
    # 1. a pickle under the entry's name and under the former pickle name
    path.write_bytes(payload)
    legacy.write_bytes(payload)
    # 2. a pickle inside a well-formed, correctly checksummed entry
    header = b'{"meta": {"fields": {}, "key": "x", "kind": "DocumentFeatures"}, "tables": [{"length": %d, "name": "tokens"}]}' % len(payload)
    import hashlib

    crafted = store.MAGIC + hashlib.sha256(header + payload).hexdigest().encode() + b"%010d" % len(header) + header + payload
    clean = features({"id": "d", "text": SHORT})
    for blob in (payload, crafted):
        path.write_bytes(blob)
        assert_same(cached_features({"id": "d", "text": SHORT}), clean)
        docs = pd.DataFrame({"id": ["d"], "text": [SHORT]})
        fs = build_features(docs, progress=False)
        pd.testing.assert_frame_equal(fs.tokens, clean.tokens)
    # 3. the command line, end to end
    path.write_bytes(crafted)
    speech = tmp_path / "speech.txt"
    speech.write_text(SHORT, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "analysis", "terms", str(speech)], capture_output=True, text=True,
                          cwd=project_root(), env={**os.environ, "ANALYSIS_CACHE_DIR": str(cache_dir)})
    assert done.returncode == 0, done.stderr
    assert "人才" in done.stdout
    assert not marker.exists()
    assert not legacy.exists()  # former pickle entries are deleted unread


@pytest.mark.slow
def test_a_write_killed_midway_leaves_a_temporary_file_that_the_next_run_removes(cache_dir):
    code = (
        "import time\n"
        "from analysis import store\n"
        "store.os.replace = lambda *a: time.sleep(120)\n"
        "from analysis.features import cached_features\n"
        f"cached_features({{'id': 'd', 'text': {SHORT!r}}})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=project_root(),
                            env={**os.environ, "ANALYSIS_CACHE_DIR": str(cache_dir)})
    folder = cache_dir / "features"
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not list(folder.glob("*.tmp")):
            time.sleep(0.2)
        tmp = list(folder.glob("*.tmp"))
        assert tmp, "the writer never started its temporary file"
        time.sleep(0.3)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert [p.exists() for p in tmp] == [True]
    fs = build_features(pd.DataFrame({"id": ["d"], "text": [SHORT]}), progress=False)
    assert not list(folder.glob("*.tmp"))
    assert len(list(folder.glob(f"*{features_mod.CACHE_SUFFIX}"))) == 1
    assert len(fs.tokens) > 0


def test_a_live_writers_temporary_file_is_kept(cache_dir):
    folder = cache_dir / "features"
    folder.mkdir(parents=True)
    mine = folder / f"k.features.{store._host()}.{os.getpid()}.abc.tmp"
    mine.write_bytes(b"half")
    assert features_mod.clean_cache() == []
    assert mine.exists()
    old = folder / "k.features.otherhost.1.abc.tmp"
    old.write_bytes(b"half")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    assert features_mod.clean_cache() == [old]


def test_an_unwritable_cache_folder_means_computing_without_a_cache_with_one_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(caches_mod, "_WARNED", set())
    docs = pd.DataFrame({"id": ["a", "b", "c"], "text": [SHORT, SEED, "一、总体要求\n坚持党建引领。"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fs = build_features(docs, progress=False)
        build_features(docs, progress=False)
        cached_features({"id": "z", "text": SHORT})
    messages = [str(w.message) for w in caught if "not writable" in str(w.message)]
    assert len(messages) == 1, messages
    plain = build_features(docs, progress=False, cache=False)
    for table in ("documents", "nodes", "sentences", "tokens"):
        pd.testing.assert_frame_equal(getattr(fs, table), getattr(plain, table))


def test_streaming_with_an_unwritable_cache_folder_warns_once_and_counts_the_same(tmp_path, monkeypatch):
    from analysis.features import stream_features

    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "a.txt").write_text(SHORT, encoding="utf-8")
    (folder / "b.txt").write_text(SEED, encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(caches_mod, "_WARNED", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fs = stream_features(folder, progress=False)
        stream_features(folder, progress=False)
    messages = [str(w.message) for w in caught if "not writable" in str(w.message)]
    assert len(messages) == 1, messages
    plain = stream_features(folder, progress=False, cache=False)
    pd.testing.assert_frame_equal(fs.term_counts, plain.term_counts)
