"""Cyclic garbage of long documents and heavy cells is freed at once, not when the collector next runs."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from analysis.features import counting
from analysis.features.counting import COLLECT_AFTER_TOKENS, collect_after


class _Cycle:
    """An object in a reference cycle holding an array: what pandas frames leave behind."""


def _cycle(size: int = 1000):
    obj = _Cycle()
    obj.me, obj.data = obj, np.zeros(size)
    return weakref.ref(obj)


@pytest.fixture
def no_automatic_gc():
    was = gc.isenabled()
    gc.disable()
    yield
    if was:
        gc.enable()


def test_a_long_document_is_followed_by_a_collection_and_a_short_one_is_not(no_automatic_gc):
    alive = _cycle()
    collect_after(COLLECT_AFTER_TOKENS - 1)
    assert alive() is not None  # left to the collector
    collect_after(COLLECT_AFTER_TOKENS)
    assert alive() is None


def test_counting_a_long_document_collects(no_automatic_gc, monkeypatch):
    from analysis.features import features

    monkeypatch.setattr(counting, "COLLECT_AFTER_TOKENS", 5)
    value = features({"id": "d", "text": "一、人才工作\n要重视人才，关心基层干部。\n"})
    alive = _cycle()
    counting.count_features(value, count_themes=False)
    assert alive() is None
    monkeypatch.setattr(counting, "COLLECT_AFTER_TOKENS", 10**9)
    alive = _cycle()
    counting.count_features(value, count_themes=False)
    assert alive() is not None


def test_resident_memory_is_read_from_the_system():
    import analysis.notebook as nb

    now = nb._resident_bytes()
    if now is None:
        pytest.skip("resident memory cannot be read on this system")
    with open("/proc/self/status") as fh:
        status = dict(line.split(":", 1) for line in fh if ":" in line)
    vm_rss = int(status["VmRSS"].split()[0]) * 1024  # an independent reading, in kB
    assert 0 < now and abs(now - vm_rss) < 16 * 2**20


def test_a_kernel_cell_that_grew_memory_is_followed_by_a_collection(no_automatic_gc, monkeypatch):
    """The decision, on memory readings the test sets: whether a cell's RSS really grows
    depends on what the allocator has free (CI once reused freed pages), so readings are faked."""
    from IPython.core.interactiveshell import InteractiveShell

    import analysis.notebook as nb

    reading = {"bytes": 1_000 * 2**20}
    monkeypatch.setattr(nb, "_resident_bytes", lambda: reading["bytes"])
    monkeypatch.setattr(nb, "COLLECT_GROWTH", 64 * 2**20)
    shell = InteractiveShell.instance()
    try:
        assert nb.collect_between_cells() and nb.collect_between_cells()
        assert sum(isinstance(c, nb._CellCollector) for c in shell.events.callbacks["post_run_cell"]) == 1
        holder = {}
        shell.user_ns["_keep"] = holder
        make = "c = C(); c.me = c\n_keep['ref'] = weakref.ref(c); del c"
        shell.run_cell("import weakref\nclass C: pass\n" + make)
        assert holder["ref"]() is not None  # memory did not grow: left to the collector
        reading["bytes"] += 63 * 2**20
        shell.run_cell(make)
        assert holder["ref"]() is not None  # grew less than COLLECT_GROWTH
        reading["bytes"] += 2 * 2**20  # 65 MB since the base
        shell.run_cell(make)
        assert holder["ref"]() is None  # grew COLLECT_GROWTH or more: collected
        shell.run_cell(make)
        assert holder["ref"]() is not None  # the base moved to the reading after that collection
        reading["bytes"] -= 500 * 2**20  # a cell freed memory: growth counts from there
        shell.run_cell(make)
        reading["bytes"] += 70 * 2**20
        shell.run_cell(make)
        assert holder["ref"]() is None
    finally:
        InteractiveShell.clear_instance()


def test_a_cell_that_leaves_the_kernel_big_stops_the_chart_renderer(monkeypatch):
    """Readings set by the test: above STOP_RENDERER_ABOVE the renderer's Chromium is stopped after the
    cell, below it is left running (it is restarted by the next render, see analysis.output.export)."""
    from IPython.core.interactiveshell import InteractiveShell

    import analysis.notebook as nb
    from analysis.output import export

    stops = []
    monkeypatch.setattr(export, "stop_export_server", lambda: stops.append(True))
    reading = {"bytes": 600 * 2**20}
    monkeypatch.setattr(nb, "_resident_bytes", lambda: reading["bytes"])
    monkeypatch.setattr(nb, "STOP_RENDERER_ABOVE", 900 * 2**20)
    shell = InteractiveShell.instance()
    try:
        assert nb.collect_between_cells()
        shell.run_cell("x = 1")
        assert stops == []  # a small kernel keeps Chromium for its next chart
        reading["bytes"] = 950 * 2**20
        shell.run_cell("x = 2")
        assert stops == [True]
        reading["bytes"] = 700 * 2**20  # memory freed: Chromium may stay again
        shell.run_cell("x = 3")
        assert stops == [True]
    finally:
        InteractiveShell.clear_instance()


def test_releasing_free_memory_asks_arrow_and_touches_nothing_in_use(monkeypatch):
    import sys
    import types

    import pyarrow as pa

    import analysis.memory as nb

    kept = pa.array(["人才"] * 100_000)  # in use: must stay whole
    in_use = pa.total_allocated_bytes()
    nb.release_free_memory()
    assert pa.total_allocated_bytes() == in_use and kept[99_999].as_py() == "人才"
    calls = []
    fake = types.SimpleNamespace(default_memory_pool=lambda: types.SimpleNamespace(
        release_unused=lambda: calls.append("released")))
    monkeypatch.setitem(sys.modules, "pyarrow", fake)
    nb.release_free_memory()
    assert calls == ["released"]


def test_the_lean_allocator_is_chosen_unless_the_user_named_one(monkeypatch):
    """The pool only decides where bytes live: a user's ARROW_DEFAULT_MEMORY_POOL is kept; else jemalloc
    (when this pyarrow has it) becomes the default and is named to the processes started after."""
    import pyarrow as pa

    import analysis.memory as memory

    before = pa.default_memory_pool()
    try:
        monkeypatch.setenv(memory.ARROW_POOL_VARIABLE, "system")
        assert memory.use_lean_allocator() == before.backend_name  # the user's choice: nothing changed
        monkeypatch.delenv(memory.ARROW_POOL_VARIABLE)
        chosen = memory.use_lean_allocator()
        if memory.lean_arrow_pool() is None:
            assert chosen == before.backend_name
        else:
            assert chosen == "jemalloc" and pa.default_memory_pool().backend_name == "jemalloc"
            assert memory.os.environ[memory.ARROW_POOL_VARIABLE] == "jemalloc"
            assert pa.array(["人才", "基层"]).to_pylist() == ["人才", "基层"]
    finally:
        pa.set_memory_pool(before)


def test_report_kernels_are_told_the_lean_pool_unless_one_is_named(monkeypatch, tmp_path):
    import analysis.memory as memory
    from analysis.output import report

    monkeypatch.delenv(memory.ARROW_POOL_VARIABLE, raising=False)
    env, _, _ = report._notebook_env(study=None, corpus=None, document=None, out=tmp_path)
    assert env.get(memory.ARROW_POOL_VARIABLE) == memory.lean_arrow_pool()
    monkeypatch.setenv(memory.ARROW_POOL_VARIABLE, "system")
    env, _, _ = report._notebook_env(study=None, corpus=None, document=None, out=tmp_path)
    assert env[memory.ARROW_POOL_VARIABLE] == "system"
