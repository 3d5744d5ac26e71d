"""The Dask backend gives the FeatureSet of the local backend (a LocalCluster of two workers)."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from analysis.features import build_features, features_partition
from analysis.features.dask_backend import _dask_items
from analysis.io.corpus import load_corpus
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
        env = {**os.environ, "ANALYSIS_CACHE_DIR": str(tmp_path / "cli-cache")}
        run = [sys.executable, "-m", "analysis", "terms", str(folder), "--top", "5"]
        plain = subprocess.run(run, capture_output=True, text=True, cwd=project_root(), env=env)
        dask = subprocess.run([*run, "--backend", "dask", "--scheduler", cluster.scheduler_address],
                              capture_output=True, text=True, cwd=project_root(), env=env)
    assert plain.returncode == 0 and dask.returncode == 0, dask.stderr
    assert dask.stdout == plain.stdout and plain.stdout.count("\n") > 5
    with pytest.raises(ValueError, match="scheduler"):
        build_features(docs, progress=False, scheduler="tcp://127.0.0.1:1")
