"""Test-run rule for every test, doctest and nbval notebook: nothing is written into the repository.

The researcher's ``figures/`` is the output of ``make report`` and ``.cache/`` holds their
feature and render caches; a test run exports charts, the manifest and findings, and caches
what it computes, into temporary folders instead (``ANALYSIS_FIGURES_DIR`` and
``ANALYSIS_CACHE_DIR``, which the notebooks' kernels inherit), removed at the end of the run.
Tests that need a particular folder set it themselves.

nbval's kernels memoize the costly steps as the report's kernels do (``ANALYSIS_MEMO=1``,
:mod:`analysis.memo`, keyed by the content of every input): a notebook that the main job ran
earlier in the run is checked against the same computed results without computing them twice.

With pytest-xdist (``make test`` runs two workers), the controller makes the temporary folders
and the workers inherit them, so every worker reads and writes one cache and one memo (both
are written atomically and safe to share); only the controller removes them.
"""

import os
import shutil
import tempfile

import pytest

_SAVED: dict = {}
_REDIRECTED = {"ANALYSIS_FIGURES_DIR": "figures", "ANALYSIS_CACHE_DIR": "cache"}


def _is_worker() -> bool:
    """True in a pytest-xdist worker whose controller already made the run's folders (inherited in the environment)."""
    return "PYTEST_XDIST_WORKER" in os.environ and all(os.environ.get(v) for v in _REDIRECTED)


def pytest_configure(config):
    if _is_worker():
        return  # the controller's folders, inherited
    root = tempfile.mkdtemp(prefix="analysis-test-run-")
    _SAVED["root"] = root
    for variable, name in _REDIRECTED.items():
        _SAVED[variable] = os.environ.get(variable)
        os.environ[variable] = os.path.join(root, name)


def pytest_unconfigure(config):
    if _SAVED.pop("memo", False):
        os.environ.pop("ANALYSIS_MEMO", None)
    if "root" not in _SAVED:
        return  # a worker: the controller removes the folders
    for variable in _REDIRECTED:
        previous = _SAVED.pop(variable, None)
        if previous is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = previous
    root = _SAVED.pop("root", None)
    if root:
        shutil.rmtree(root, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before an nbval cell (and so before its kernel starts) turn memoization on; off again for other tests."""
    nbval = type(item).__module__.split(".")[0] == "nbval"
    if nbval and "ANALYSIS_MEMO" not in os.environ:
        os.environ["ANALYSIS_MEMO"] = "1"
        _SAVED["memo"] = True
    elif not nbval and _SAVED.pop("memo", False):
        os.environ.pop("ANALYSIS_MEMO", None)
