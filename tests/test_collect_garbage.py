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
