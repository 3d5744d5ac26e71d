"""The Dask backend gives the FeatureSet of the local backend (a LocalCluster of two workers)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from analysis.features import build_features, features_partition, stream_batches, stream_features
from analysis.features.dask_backend import _dask_items, count_files_partition, file_stamp
from analysis.io.corpus import load_corpus, plan_files
from analysis.paths import corpus_dir, project_root
from analysis.settings import Settings

pytest.importorskip("dask.distributed")

SPEECHES = {
    "talent.txt": "同志们：\n一、重视人才\n要关心优秀年轻干部，落实人才政策。\n二、夯实基层\n抓好基层党建。\n",
    "grassroots.txt": "一、总体要求\n坚持党建引领基层治理，做到“两个维护”。\n（一）抓班子\n选好带头人。\n",
}


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "speeches"
    folder.mkdir()
    for name, text in SPEECHES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "seed.txt").write_bytes((corpus_dir() / "organization-work-speech.txt").read_bytes())
    loaded = load_corpus(folder)
    extra = pd.DataFrame({"id": ["inline"], "text": ["二、推进改革\n深化干部人事制度改革。"]})
    return pd.concat([loaded, extra], ignore_index=True)


def test_workers_get_files_to_read_where_they_can(docs):
    rows = [{"id": i, "text": t} for i, t in zip(docs["id"], docs["text"])]
    items = _dask_items(docs, rows)
    assert [("text" in item) for item in items] == [False, False, False, True]
    # A worker reads the file itself, and looks it up in the cache by the text's hash.
    out = features_partition(items, Settings(), cache=False)
    assert [f.document for f in out] == list(docs["id"])
    moved = [{**items[0], "source_path": "/nowhere/speech.txt"}]
    assert features_partition(moved, Settings(), cache=False) == [(items[0]["id"],)]


def _cli_local_and_dask(argv: list[str], scheduler: str, cache) -> tuple[str, str]:
    """The command line's stdout run locally and through ``scheduler`` (both must succeed), one cache."""
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(cache)}
    out = []
    for extra in ([], ["--backend", "dask", "--scheduler", scheduler]):
        done = subprocess.run([sys.executable, "-m", "analysis", *argv, *extra], capture_output=True, text=True,
                              cwd=project_root(), env=env)
        assert done.returncode == 0, done.stderr
        out.append(done.stdout)
    return out[0], out[1]


@pytest.mark.slow
def test_dask_backend_equals_the_local_backend(docs, tmp_path, monkeypatch):
    from dask.distributed import LocalCluster

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    local = build_features(docs, progress=False, cache=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = build_features(docs, progress=False, backend="dask", scheduler=cluster.scheduler_address)
        again = build_features(docs, progress=False, backend="dask", scheduler=cluster.scheduler_address)  # warm
        for table in ("documents", "nodes", "sentences", "tokens"):
            pd.testing.assert_frame_equal(getattr(local, table), getattr(remote, table))
            pd.testing.assert_frame_equal(getattr(local, table), getattr(again, table))
        # The command line, against the same scheduler.
        folder = tmp_path / "speeches"
        plain, dask = _cli_local_and_dask(["terms", str(folder), "--top", "5"], cluster.scheduler_address,
                                          tmp_path / "cli-cache")
    assert dask == plain and plain.count("\n") > 5
    with pytest.raises(ValueError, match="scheduler"):
        build_features(docs, progress=False, scheduler="tcp://127.0.0.1:1")


def test_workers_count_the_files_they_see_as_the_client_does(tmp_path):
    folder = tmp_path / "speeches"
    folder.mkdir()
    for name, text in SPEECHES.items():
        (folder / name).write_text(text, encoding="utf-8")
    items = list(plan_files(folder))
    stamps = [file_stamp(path) for path, _ in items]
    assert all(stamp is not None and stamp[0] > 0 for stamp in stamps)
    out = count_files_partition(items, stamps, Settings(), cache=False)
    assert [[row["id"] for row, _ in documents] for documents, _ in out] == [["grassroots"], ["talent"]]
    assert [counts.tokens for documents, _ in out for _, counts in documents] == [
        int(fs.documents["all_tokens"].sum()) for fs in (stream_features(path, progress=False, cache=False)
                                                         for path, _ in items)]
    # A file changed since the client planned it, or not there, is left to the client (None).
    (folder / "talent.txt").write_text(SPEECHES["talent.txt"] + "再强调一点。\n", encoding="utf-8")
    moved = [(tmp_path / "nowhere.txt", items[0][1])]
    assert count_files_partition([items[1]], [stamps[1]], Settings(), cache=False) == [None]
    assert count_files_partition(moved, [stamps[0]], Settings(), cache=False) == [None]
    assert file_stamp(folder) is None and file_stamp(tmp_path / "nowhere.txt") is None


def _field(obj, dotted: str):
    for name in dotted.split("."):
        obj = getattr(obj, name)
    assert isinstance(obj, pd.DataFrame), dotted
    return obj


@pytest.mark.slow
def test_streamed_counting_on_dask_workers_equals_the_local_one(docs, tmp_path, monkeypatch):
    from dask.distributed import LocalCluster

    folder = tmp_path / "speeches"
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    local = stream_features(folder, progress=False, cache=False)
    tables = ("documents", "nodes", "sentences", "tokens", "stored.term_counts", "stored.sentence_tokens",
              "stored.term_occurrences", "stored.cooccurrences", "stored.themes.sentences", "stored.themes.terms",
              "stored.themes.first")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        for _ in ("cold", "warm"):  # the second run reads the workers' file-counts entries
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                remote = stream_features(folder, progress=False, backend="dask", scheduler=cluster.scheduler_address)
            assert not [w for w in seen if "counted on this machine" in str(w.message)]  # the workers counted
            for table in tables:
                pd.testing.assert_frame_equal(_field(local, table), _field(remote, table), obj=table)
        assert any((tmp_path / "cache" / "counts").iterdir())
        batches = list(stream_batches(folder, progress=False, backend="dask", scheduler=cluster.scheduler_address,
                                      batch_rows=1))
        assert [b.documents["id"].tolist() for b in batches] == [[i] for i in local.documents["id"]]
        plain, dask = _cli_local_and_dask(["themes", str(folder), "--by", "section", "--format", "json"],
                                          cluster.scheduler_address, tmp_path / "cli-cache")
    assert dask == plain and plain.count("theme") > 5
    with pytest.raises(ValueError, match="scheduler"):
        stream_features(folder, progress=False, scheduler="tcp://127.0.0.1:1")


# --------------------------------------------------------------------------- workers that differ, named before computing

def test_the_fingerprint_does_not_depend_on_where_a_settings_file_lives(tmp_path):
    text = Settings().themes.read_bytes()
    one, two = tmp_path / "one", tmp_path / "elsewhere" / "two"
    for folder in (one, two):
        folder.mkdir(parents=True)
        (folder / "themes.yaml").write_bytes(text)
    a, b = Settings(themes=one / "themes.yaml"), Settings(themes=two / "themes.yaml")
    assert a.fingerprint() == b.fingerprint()
    assert str(tmp_path) not in repr(a.describe())
    (two / "themes.yaml").write_bytes(text + b"\n# changed\n")
    assert a.fingerprint() != b.fingerprint()  # the content still decides


def test_workers_take_project_files_from_their_own_checkout(tmp_path):
    from analysis.features.dask_backend import local_settings, project_files

    relative = project_files(Settings())
    assert set(relative) == {"dictionary", "stopwords", "themes"}
    assert not any(r.startswith("/") for r in relative.values())
    # settings pickled from a checkout elsewhere: the worker uses its own files, same fingerprint
    foreign = Settings(dictionary=tmp_path / "other-checkout" / relative["dictionary"])
    assert local_settings(foreign, relative).fingerprint() == Settings().fingerprint()


class _FakeClient:
    """A client whose workers answer with given signatures (no cluster needed)."""

    def __init__(self, answers):
        self.answers, self.submitted = answers, []

    def run(self, func, *args):
        return {address: change(func(*args)) for address, change in self.answers.items()}

    def submit(self, *args, **kwargs):  # pragma: no cover - must not be reached
        self.submitted.append(args)
        raise AssertionError("computed before the workers were checked")


def test_a_worker_that_differs_is_named_with_its_cause_before_anything_is_computed():
    from analysis.features.dask_backend import _check_workers, project_files

    settings = Settings()
    old_code = lambda s: {**s, "code": "0" * 16}  # noqa: E731
    no_dictionary = lambda s: {**s, "describe": {**s["describe"], "dictionary_sha256": None}}  # noqa: E731
    client = _FakeClient({"tcp://a:1": lambda s: s, "tcp://b:2": old_code, "tcp://c:3": no_dictionary})
    with pytest.raises(ValueError) as err:
        _check_workers(client, settings, project_files(settings))
    message = str(err.value)
    assert "tcp://b:2: other feature code" in message
    assert "tcp://c:3: cannot read the dictionary file" in message
    assert "tcp://a:1" not in message and client.submitted == []
    _check_workers(_FakeClient({"tcp://a:1": lambda s: s}), settings, project_files(settings))  # the same: no error
