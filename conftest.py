"""Test-run rule for every test, doctest and nbval notebook: nothing writes into figures/.

The researcher's ``figures/`` is the output of ``make report``; a test run exports charts,
the manifest and findings into a temporary folder instead (``ANALYSIS_FIGURES_DIR``, which the
notebooks' kernels inherit). Tests that need a particular folder set it themselves.
"""

import os
import shutil
import tempfile

_SAVED: dict[str, str | None] = {}


def pytest_configure(config):
    _SAVED["ANALYSIS_FIGURES_DIR"] = os.environ.get("ANALYSIS_FIGURES_DIR")
    _SAVED["folder"] = tempfile.mkdtemp(prefix="analysis-test-figures-")
    os.environ["ANALYSIS_FIGURES_DIR"] = _SAVED["folder"]


def pytest_unconfigure(config):
    folder = _SAVED.pop("folder", None)
    previous = _SAVED.pop("ANALYSIS_FIGURES_DIR", None)
    if previous is None:
        os.environ.pop("ANALYSIS_FIGURES_DIR", None)
    else:
        os.environ["ANALYSIS_FIGURES_DIR"] = previous
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
