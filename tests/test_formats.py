"""The format registry, the .doc refusal, and cache keys that cover every reader module."""

import hashlib
from pathlib import Path

import pytest

from analysis.features import caches
from analysis.io import formats
from analysis.io.corpus import CorpusError, load_corpus
from analysis.io.textfile import looks_like_html


def test_every_format_has_an_importable_reader_and_one_owner_per_suffix():
    seen = set()
    for fmt in formats.FORMATS:
        assert callable(fmt.load()), fmt.name
        assert not seen & set(fmt.suffixes)
        seen |= set(fmt.suffixes)
    assert {".txt", ".md", ".docx", ".doc", ".html", ".htm", ".shtml", ".mhtml", ".pdf", ".jsonl", ".csv"} <= seen
    assert formats.format_for(Path("A.PDF")).name == "PDF"


def test_old_word_files_are_refused_with_what_to_do(tmp_path):
    (tmp_path / "speech.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(CorpusError, match=r"old Word file.*save it as \.docx"):
        load_corpus(tmp_path)


def test_unknown_types_name_the_readable_formats(tmp_path):
    (tmp_path / "speech.rtf").write_text("{\\rtf1 x}", encoding="ascii")
    with pytest.raises(CorpusError, match=r"'\.rtf'.*\.pdf"):
        load_corpus(tmp_path)


@pytest.mark.parametrize("text, html", [
    ("<!DOCTYPE html><html><body>甲</body></html>", True),
    ("\ufeff  <html lang='zh'><body>甲</body></html>", True),
    ("同志们：\n要用<div>标签</div>说明问题。", False),
    ("同志们：" + "<p>段落</p>" * 25 + "<div>尾</div>", True),
])
def test_html_in_a_text_file_is_recognized(text, html):
    assert looks_like_html(text) is html


def _expected_hash(names):
    root = Path(caches.__file__).resolve().parent.parent  # analysis/
    digest = hashlib.sha256()
    for name in names:
        files = sorted((root / name).rglob("*.py")) if name.endswith("/") else [root / name]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def test_loader_key_covers_every_io_module_including_new_ones(tmp_path, monkeypatch):
    io_modules = sorted(p.name for p in (Path(caches.__file__).parent.parent / "io").glob("*.py"))
    assert {"pages.py", "pdf.py", "formats.py", "infer.py", "corpus.py"} <= set(io_modules)
    assert caches._hash_modules(caches._LOADER_MODULES) == _expected_hash(["io/"])
    # a module added to a hashed folder changes the key without touching any list
    pkg = tmp_path / "analysis"
    (pkg / "io").mkdir(parents=True)
    (pkg / "features").mkdir()
    (pkg / "features" / "caches.py").write_text("", encoding="utf-8")
    (pkg / "io" / "corpus.py").write_text("a = 1\n", encoding="utf-8")
    monkeypatch.setattr(caches, "__file__", str(pkg / "features" / "caches.py"))
    before = caches._hash_modules(("io/",))
    (pkg / "io" / "newreader.py").write_text("b = 2\n", encoding="utf-8")
    assert caches._hash_modules(("io/",)) != before


def test_a_missing_module_in_the_key_is_an_error_not_skipped():
    with pytest.raises(FileNotFoundError, match="analysis/io/gone.py"):
        caches._hash_modules(("io/gone.py",))
    with pytest.raises(FileNotFoundError, match="analysis/nothing/"):
        caches._hash_modules(("nothing/",))


def test_feature_key_covers_the_text_package():
    assert caches._hash_modules(caches._CODE_MODULES) == _expected_hash(["features/", "chars.py", "text/"])


def test_feature_key_covers_every_module_of_the_features_package():
    """The features stage is a package: every module in it (tables, counting, caches, executors) is feature code."""
    folder = Path(caches.__file__).parent
    names = {p.name for p in folder.glob("*.py")}
    assert {"__init__.py", "tables.py", "counting.py", "document.py", "caches.py", "executors.py"} <= names
    assert "features/" in caches._CODE_MODULES
    assert not (folder.parent / "features.py").exists()  # no module shadowing the package
