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


def test_a_kernel_cell_that_grew_memory_is_followed_by_a_collection(no_automatic_gc, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    import analysis.notebook as nb

    if nb._resident_bytes() is None:
        pytest.skip("resident memory cannot be read on this system")
    shell = InteractiveShell.instance()
    try:
        assert nb.collect_between_cells() and nb.collect_between_cells()
        assert sum(isinstance(c, nb._CellCollector) for c in shell.events.callbacks["post_run_cell"]) == 1
        holder = {}
        monkeypatch.setattr(nb, "COLLECT_GROWTH", 10**15)  # no cell grows that much: nothing collected
        shell.user_ns["_keep"] = holder
        shell.run_cell("import numpy as np, weakref\nclass C: pass\nc = C(); c.me = c; c.big = np.ones(4_000_000)\n"
                       "_keep['ref'] = weakref.ref(c); del c")
        assert holder["ref"]() is not None
        gc.collect()
        shell.run_cell("pass")  # the collector's base: memory after that collection
        monkeypatch.setattr(nb, "COLLECT_GROWTH", 8 * 2**20)  # a cell that grows by 32 MB: collected after it
        shell.run_cell("c = C(); c.me = c; c.big = np.ones(4_000_000)\n_keep['ref'] = weakref.ref(c); del c")
        assert holder["ref"]() is None
    finally:
        InteractiveShell.clear_instance()
