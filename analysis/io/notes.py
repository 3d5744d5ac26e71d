"""Researchers' notes on particular speeches, kept beside the corpus and shown by the notebooks.

A corpus folder may hold ``notes.yaml``: for each document id, for each notebook, a
short Markdown text written by someone who read the speech (what the numbers mean for
it, what is odd about it). A notebook shows the notes of the speech it studies and says
nothing when there are none, so notes written for one speech never appear under another.
The loader skips ``.yaml`` files, so the notes are never read as a speech.

Format::

    organization-work-speech:
      02_structure: |
        - The preamble announces five points …
      04_emphasis: |
        - …

>>> document_notes("nobody", notebook="04_emphasis", corpus="/no/such/folder")
''
"""

from __future__ import annotations

from pathlib import Path

from analysis import paths

__all__ = ["NOTES_FILE", "document_notes"]

#: Name of the notes file inside a corpus folder.
NOTES_FILE = "notes.yaml"


def document_notes(document: str, *, notebook: str, corpus: str | Path | None = None) -> str:
    """The notes written on one speech for one notebook, as Markdown; ``""`` when there are none.

    Args:
        document: The speech's id.
        notebook: The notebook's name (e.g. ``"04_emphasis"``; a path is reduced to its stem).
        corpus: The corpus folder holding ``notes.yaml`` (default :func:`analysis.paths.corpus_dir`).

    Returns:
        The Markdown text, stripped; ``""`` when the folder has no notes file or the file
        has no entry for this speech and notebook.

    Raises:
        ValueError: when ``notes.yaml`` is not a mapping of id → notebook → text (the
            message names the file).
    """
    import yaml

    folder = Path(corpus) if corpus is not None else paths.corpus_dir()
    path = folder / NOTES_FILE
    if not path.is_file():
        return ""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError(f"{path}: expected document id → notebook name → Markdown text")
    text = data.get(str(document), {}).get(Path(notebook).stem, "")
    if not isinstance(text, str):
        raise ValueError(f"{path}: the notes on {document!r} for {notebook!r} must be text")
    return text.strip()
