"""One immutable settings object, passed explicitly and fingerprinted.

Every cache entry, reference profile and exported figure records the fingerprint, so
a result can be traced to the segmenter, its HMM flag and the exact content of the
dictionary, stopword list and theme lexicon that produced it.

>>> s = Settings()
>>> s.hmm
False
>>> s.fingerprint() == Settings().fingerprint()
True
>>> s.fingerprint() != Settings(hmm=True).fingerprint()
True
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from analysis import paths


#: Default :attr:`Settings.max_document_bytes`: 64 MiB. The longest speech or report in
#: ../shared/corpora is well under 1 MB. Loading takes about 9 times a document's size,
#: segmenting and counting it up to about 45 times (README, "Untrusted files and exported
#: tables", measured with tests/benchmarks/bench_memory.py).
MAX_DOCUMENT_BYTES = 64 * 2**20


def _default(name: str) -> Path:
    return paths.lexicon_dir() / name


@dataclass(frozen=True)
class Settings:
    """Analysis settings (frozen; use :meth:`replace` to vary one).

    Attributes:
        segmenter: ``"jieba"``: jieba's segmentation (its dictionary plus ours, max-probability
            route), computed by rjieba when installed, else by jieba's Python code (same tokens;
            see :func:`analysis.text.segment.engine_for`); ``"rjieba"`` or ``"jieba-python"``
            force one engine.
        hmm: jieba's HMM for unknown words. Off by default: dictionary-only
            segmentation is reproducible and keeps the domain dictionary in charge;
            :func:`analysis.stats.counts.segmentation_robustness` shows what turning it on changes.
        dictionary: YAML file of domain terms (one entry per term, with category and note).
        stopwords: YAML file of stopwords for this register.
        themes: YAML theme lexicon.
        use_stopwords: Drop stopwords from term counts (tokens are always kept).
        to_simplified: Convert traditional to simplified characters (OpenCC ``t2s``) while
            normalizing: ``"auto"`` (default) when the text is written in traditional
            characters (:func:`analysis.io.normalize.is_traditional`), True always, False
            never (keep a traditional text as it is). The loader records in each document's
            ``to_simplified`` and ``note`` whether it converted.
        repair_lines: Join lines broken inside a word or number while normalizing.
        max_document_bytes: The largest single document the loader reads, in bytes
            (default :data:`MAX_DOCUMENT_BYTES`, 64 MiB; ``None`` or 0: no limit): a text
            file's size, a ``.docx``'s declared unpacked size, a JSON Lines line or a
            CSV record's text in UTF-8. A bigger document is refused with an error
            naming the file, its size and this limit, before it is read into memory.
            On the command line: ``--max-document-mb``. Not part of the fingerprint: it
            decides whether a document loads, never what is computed from it.
    """

    segmenter: str = "jieba"
    hmm: bool = False
    dictionary: Path = field(default_factory=lambda: _default("dictionary.yaml"))
    stopwords: Path = field(default_factory=lambda: _default("stopwords.yaml"))
    themes: Path = field(default_factory=lambda: _default("themes.yaml"))
    use_stopwords: bool = True
    to_simplified: bool | str = "auto"
    repair_lines: bool = True
    max_document_bytes: int | None = field(default=MAX_DOCUMENT_BYTES, metadata={"fingerprint": False})

    def replace(self, **changes) -> "Settings":
        """Return a copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def describe(self) -> dict:
        """Return a JSON-ready description: every field, file content hashes, versions.

        Paths are given relative to the project when they lie inside it, and by their file
        name (with their content hash) when not, so the description (and the fingerprint)
        does not depend on where the clone or the file lives.
        """
        out: dict = {}
        for f in dataclasses.fields(self):
            if not f.metadata.get("fingerprint", True):
                continue
            value = getattr(self, f.name)
            if isinstance(value, Path):
                out[f.name] = _display_path(value)
                out[f.name + "_sha256"] = _file_sha256(value)
            else:
                out[f.name] = value
        out["segmenter_version"] = _version({"jieba-python": "jieba"}.get(self.segmenter, self.segmenter))
        return out

    def fingerprint(self) -> str:
        """Return a short content hash of :meth:`describe` (16 hex digits)."""
        blob = json.dumps(self.describe(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _display_path(path: Path) -> str:
    """The path relative to the project when inside it, else the file's name: never where a clone
    lives (the content hash beside it says which file it is), so fingerprints match across checkouts."""
    try:
        return Path(path).resolve().relative_to(paths.project_root()).as_posix()
    except ValueError:
        return Path(path).name


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


@functools.lru_cache(maxsize=None)
def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
