"""Project paths: one side-effect-free place that says where things live.

Nothing here creates a folder or reads a file; callers create what they write.

>>> project_root().joinpath("analysis").is_dir()
True
>>> corpus_dir().name
'corpus'
"""

from __future__ import annotations

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """Return the repository root (the folder holding ``analysis/``)."""
    return _ROOT


def corpus_dir() -> Path:
    """Return the corpus folder the notebooks read (texts and manifest). Never written to.

    The bundled ``corpus/`` unless ``ANALYSIS_CORPUS_DIR`` names another folder
    (``python -m analysis report --corpus DIR`` sets it for the notebooks it runs).
    """
    override = os.environ.get("ANALYSIS_CORPUS_DIR")
    return Path(override) if override else _ROOT / "corpus"


def lexicon_dir() -> Path:
    """Return the folder of versioned lexicon data (dictionary, stopwords, themes).

    Always the project's own ``corpus/lexicon``, whichever corpus is analysed.
    """
    return _ROOT / "corpus" / "lexicon"


def figures_dir() -> Path:
    """Return the folder that only :mod:`analysis.output.export` writes to.

    ``ANALYSIS_FIGURES_DIR`` overrides it (used by ``python -m analysis report --out``).
    """
    override = os.environ.get("ANALYSIS_FIGURES_DIR")
    return Path(override) if override else _ROOT / "figures"


def notebooks_dir() -> Path:
    """Return the folder of the workbook's notebooks."""
    return _ROOT / "notebooks"


def cache_dir() -> Path:
    """Return the project cache folder (jieba's dictionary cache, feature cache).

    ``ANALYSIS_CACHE_DIR`` overrides it; the default is ``.cache/`` in the repository,
    which git ignores.
    """
    override = os.environ.get("ANALYSIS_CACHE_DIR")
    return Path(override) if override else _ROOT / ".cache"


def shared_dir() -> Path:
    """Return ``../shared`` beside the repository (reference corpora; may be missing).

    ``ANALYSIS_SHARED_DIR`` overrides it (a missing folder there makes the tests marked
    ``shared`` skip, as on a bare clone).
    """
    override = os.environ.get("ANALYSIS_SHARED_DIR")
    return Path(override) if override else _ROOT.parent / "shared"


#: Set to ``1`` by :func:`analysis.output.report.run_notebooks` for its kernels: nobody clicks there.
UNATTENDED = "ANALYSIS_UNATTENDED"


def unattended() -> bool:
    """True in a kernel that runs unattended (a report's): widgets are drawn, but nobody clicks them.

    >>> import os; os.environ.pop(UNATTENDED, None) and None; unattended()
    False
    """
    return os.environ.get(UNATTENDED, "") == "1"
