"""Tests for analysis.io.notes: notes shown only under the speech they were written for."""

from __future__ import annotations

import pytest

from analysis.io.corpus import load_corpus
from analysis.io.notes import document_notes
from analysis.paths import corpus_dir


def test_notes_are_found_by_document_and_notebook(tmp_path):
    (tmp_path / "notes.yaml").write_text("a:\n  04_emphasis: |\n    - 甲的笔记\nb:\n  02_structure: 乙\n", encoding="utf-8")
    assert document_notes("a", notebook="04_emphasis", corpus=tmp_path) == "- 甲的笔记"
    assert document_notes("a", notebook="notebooks/04_emphasis.ipynb", corpus=tmp_path) == "- 甲的笔记"
    assert document_notes("b", notebook="04_emphasis", corpus=tmp_path) == ""  # never another speech's notes
    assert document_notes("c", notebook="02_structure", corpus=tmp_path) == ""


def test_a_folder_without_notes_has_none(tmp_path):
    assert document_notes("a", notebook="04_emphasis", corpus=tmp_path) == ""


@pytest.mark.parametrize("text", ["a: [1, 2]\n", "a:\n  04_emphasis: [1]\n", "a: {b: \n"])
def test_malformed_notes_name_the_file(tmp_path, text):
    (tmp_path / "notes.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="notes.yaml"):
        document_notes("a", notebook="04_emphasis", corpus=tmp_path)


def test_the_bundled_notes_are_about_the_seed_and_never_loaded_as_a_speech():
    assert "重点强调5方面意见" in document_notes("organization-work-speech", notebook="02_structure")
    assert document_notes("another-speech", notebook="04_emphasis") == ""
    assert list(load_corpus(corpus_dir())["id"]) == ["organization-work-speech"]
