"""Issue 22: no file can crash, hang, exhaust memory or slip by unannounced.

Each test is written from one case of the issue: the file is built here from its
description, and the loader must answer with a Document or with the project's own
:class:`CorpusError` naming the file (and the line or part), while ``--keep-going``
loads the rest. Silent cases must now say something (a :class:`CorpusWarning`).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis import store
from analysis.cli import main
from analysis.io import guards
from analysis.io.corpus import CorpusError, load_corpus
from analysis.io.word import MAX_LETTER_NUMBER, MAX_LIST_NUMBER, docx_text, format_number
from analysis.settings import Settings

from docx_parts import damage_data, docx, numbering_xml, paragraph, patch_central

SPEECH = "同志们：\n一、加强干部队伍建设\n要关心年轻干部。\n二、夯实基层基础\n抓好支部建设。\n"


def _good(folder: Path) -> None:
    (folder / "good.txt").write_text(SPEECH, encoding="utf-8")


def _collect(path, **kwargs):
    return load_corpus(path, on_error="collect", **kwargs)


def _one_problem(path, **kwargs) -> CorpusError:
    with pytest.raises(CorpusError) as caught:
        load_corpus(path, **kwargs)
    return caught.value


def _numbered_docx(**numbering) -> bytes:
    return docx([paragraph("加强组织建设", num_id=1), paragraph("严管干部", num_id=1)],
                numbering=numbering_xml(**numbering))


# --------------------------------------------------------------------------- tracebacks that took the corpus down


def test_a_docx_whose_document_xml_is_flagged_encrypted_names_file_and_part(tmp_path):
    path = tmp_path / "locked.docx"
    path.write_bytes(patch_central(docx([paragraph("人才工作")]), "word/document.xml", flags=0x1))
    error = _one_problem(path)
    assert error.file.endswith("locked.docx") and "word/document.xml" in error.problem
    assert "encrypted" in error.problem


def test_a_damaged_deflate_stream_in_numbering_xml_names_file_and_part(tmp_path):
    path = tmp_path / "damaged.docx"
    path.write_bytes(damage_data(_numbered_docx(), "word/numbering.xml"))
    _good(tmp_path)
    docs, problems = _collect(tmp_path)
    assert docs["id"].tolist() == ["good"]
    [row] = problems.to_dict("records")
    assert row["file"].endswith("damaged.docx") and "word/numbering.xml" in row["problem"]


def test_zip_compression_method_99_as_aes_archives_use_names_file_and_part(tmp_path):
    path = tmp_path / "aes.docx"
    path.write_bytes(patch_central(docx([paragraph("人才工作")]), "word/document.xml", method=99))
    error = _one_problem(path)
    assert error.file.endswith("aes.docx") and "word/document.xml" in error.problem and "99" in error.problem


def test_a_jsonl_line_nested_200000_deep_is_a_problem_naming_the_line_and_the_next_line_loads(tmp_path):
    path = tmp_path / "deep.jsonl"
    deep = '{"text": "甲", "x": ' + "[" * 200_000 + "]" * 200_000 + "}"
    path.write_text(deep + "\n" + json.dumps({"text": SPEECH}, ensure_ascii=False) + "\n", encoding="utf-8")
    docs, problems = _collect(path)
    assert docs["id"].tolist() == ["deep:2"]
    [row] = problems.to_dict("records")
    assert row["file"].endswith("deep.jsonl") and row["line"] == 1 and "nested" in row["problem"]


# --------------------------------------------------------------------------- aborts that named no file


def test_a_non_integer_w_val_in_numbering_xml_names_file_and_part(tmp_path):
    path = tmp_path / "badnum.docx"
    path.write_bytes(_numbered_docx(start="abc"))
    error = _one_problem(path)
    assert error.file.endswith("badnum.docx") and "word/numbering.xml" in error.problem and "'abc'" in error.problem


def test_a_5000_digit_json_id_names_file_and_line(tmp_path):
    path = tmp_path / "bigid.jsonl"
    path.write_text('{"id": ' + "7" * 5000 + ', "text": "甲乙"}\n', encoding="utf-8")
    error = _one_problem(path)
    assert error.file.endswith("bigid.jsonl") and error.line == 1 and "5,000 digits" in error.problem


def test_a_file_name_that_is_not_utf8_loads_with_nine_other_oddly_named_files(tmp_path):
    folder = os.fsencode(tmp_path)
    gbk_name = "讲话".encode("gb18030") + b".txt"  # as GBK tools write names
    odd = ["a b.txt", "#1.txt", "-x.txt", "ü.txt", "😀.txt", "' ;.txt", "100%.txt", "[1].txt", "=sum.txt"]
    for name in [gbk_name] + [n.encode() for n in odd]:
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(SPEECH.encode("utf-8"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs, problems = _collect(tmp_path)
    assert problems.empty and len(docs) == 10
    shown = [d for d in docs["id"] if "\\x" in d]
    assert shown == ["\\xbd\\xb2\\xbb\\xb0"]  # escaped, printable, and never a lone surrogate
    docs["source_path"].map(lambda s: s.encode("utf-8"))  # every shown path is valid UTF-8
    said = [str(w.message) for w in caught if issubclass(w.category, guards.CorpusWarning)]
    assert any("not UTF-8" in m and "讲话" in m for m in said)  # the GB18030 reading is offered


def test_an_unreadable_subfolder_is_a_problem_naming_it_and_the_rest_loads(tmp_path, monkeypatch):
    _good(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text(SPEECH, encoding="utf-8")
    real = os.scandir

    def scandir(path="."):
        if Path(path) == locked:  # root reads everything, so the refusal is simulated
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    docs, problems = _collect(tmp_path)
    assert docs["id"].tolist() == ["good"]
    [row] = problems.to_dict("records")
    assert row["file"].endswith("locked") and "cannot be read" in row["problem"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_subfolder_by_its_permissions(tmp_path):  # pragma: no cover - non-root runs only
    _good(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text(SPEECH, encoding="utf-8")
    locked.chmod(0)
    try:
        docs, problems = _collect(tmp_path)
    finally:
        locked.chmod(0o755)
    assert docs["id"].tolist() == ["good"] and problems["file"].str.endswith("locked").any()


def _entry_and_rewrite(tmp_path, monkeypatch, change):
    """Count a folder once (warm cache), rewrite its file-counts entry with ``change`` and a valid checksum."""
    from analysis.features import counts_cache_dir, stream_features

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _good(corpus)
    clean = stream_features([corpus], count_themes=False).term_counts
    [entry] = counts_cache_dir().glob("*.counts")
    tables, meta = store.read(entry)
    store.write(entry, change(tables), meta)
    return corpus, clean


def test_a_cache_entry_missing_a_column_is_a_miss_and_recomputed(tmp_path, monkeypatch, capsys):
    from analysis.features import stream_features

    def drop(tables):
        return {**tables, "term_counts": tables["term_counts"].drop(columns=["document"])}

    corpus, clean = _entry_and_rewrite(tmp_path, monkeypatch, drop)
    again = stream_features([corpus], count_themes=False).term_counts
    pd.testing.assert_frame_equal(again, clean)
    assert main(["terms", str(corpus), "--top", "3"]) == 0
    assert "error" not in capsys.readouterr().err


def test_a_cache_entry_with_a_column_of_another_kind_is_a_miss(tmp_path, monkeypatch):
    from analysis.features import stream_features

    def retype(tables):
        return {**tables, "term_counts": tables["term_counts"].assign(count=lambda t: t["count"].astype(str))}

    corpus, clean = _entry_and_rewrite(tmp_path, monkeypatch, retype)
    pd.testing.assert_frame_equal(stream_features([corpus], count_themes=False).term_counts, clean)


# --------------------------------------------------------------------------- tiny files, huge cost


def test_a_list_starting_at_ten_to_the_15_in_upper_roman_is_refused_by_part_not_hung(tmp_path):
    path = tmp_path / "roman.docx"
    path.write_bytes(_numbered_docx(start=str(10**15), fmt="upperRoman"))
    assert path.stat().st_size < 2000
    error = _one_problem(path)
    assert error.file.endswith("roman.docx") and "word/numbering.xml" in error.problem


def test_a_list_starting_at_ten_to_the_9_in_letters_gives_a_short_label(tmp_path):
    path = tmp_path / "letters.docx"
    path.write_bytes(_numbered_docx(start=str(10**9), fmt="lowerLetter"))
    text = load_corpus(path)["raw"].iloc[0]
    # the start is capped at 32,767 as Word caps it; letters stop at 780, so decimal digits show
    assert text.split("\n") == ["32767.加强组织建设", "32768.严管干部"]


def test_list_labels_are_bounded_as_words_are():
    assert format_number(MAX_LETTER_NUMBER, "lowerLetter") == "z" * 30
    assert format_number(MAX_LETTER_NUMBER + 1, "upperLetter") == str(MAX_LETTER_NUMBER + 1)
    assert format_number(MAX_LIST_NUMBER, "upperRoman") == "M" * 32 + "DCCLXVII"  # 32,767 by hand
    assert format_number(MAX_LIST_NUMBER + 1, "upperRoman") == "32768"
    assert max(len(format_number(n, f)) for n in (1, 99, 780, 3999, 32767, 10**6)
               for f in ("upperRoman", "lowerLetter", "chineseCounting", "decimal")) <= 40


def test_the_text_a_docx_produces_counts_against_the_cap(tmp_path):
    # 120 placeholders of about 35 roman digits each (31,000 is M 31 times): over 4,000 characters of
    # label per empty paragraph, 1.7 MB from 400 of them
    numbering = numbering_xml(start="31000", fmt="upperRoman", text="%1" * 120)
    data = docx([paragraph("", num_id=1)] * 400, numbering=numbering)
    assert len(data) < 10_000
    path = tmp_path / "labels.docx"
    path.write_bytes(data)
    error = _one_problem(path, settings=Settings(max_document_bytes=2**20))
    assert error.file.endswith("labels.docx") and "produces" in error.problem and "1,048,576" in error.problem
    with pytest.raises(Exception) as caught:
        docx_text(data, max_bytes=2**20)
    assert caught.value.size > 2**20 >= caught.value.size - 120 * 43 - 1  # stopped at the paragraph that passed it


def test_a_level_text_longer_than_word_writes_is_refused():
    data = docx([paragraph("甲", num_id=1)], numbering=numbering_xml(text="%1" * 1000))
    with pytest.raises(ValueError, match="w:lvlText"):
        docx_text(data)


@pytest.mark.parametrize("line, what", [
    ('{"text": "甲", "x": ' + "[" * 40 + "]" * 40 + "}", "nested more than 32"),
    ('{"text": "甲", "n": 1234567890123456789}', "19 digits"),
])
def test_json_nesting_and_integer_size_are_bounded(tmp_path, line, what):
    path = tmp_path / "bounded.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    error = _one_problem(path)
    assert error.line == 1 and what in error.problem


# --------------------------------------------------------------------------- cache entries


def test_a_cache_entry_replaced_by_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "k.counts"
    os.mkfifo(fifo)
    with pytest.raises(store.StoreError, match="not a regular file"):
        store.read(fifo)  # opened without waiting: a writer never comes


def test_a_cache_entry_replaced_by_a_link_to_dev_zero_is_refused(tmp_path):
    link = tmp_path / "k.counts"
    link.symlink_to("/dev/zero")
    with pytest.raises(store.StoreError, match="symbolic link"):
        store.read(link)


def test_a_cache_entry_is_read_no_further_than_its_header_declares(tmp_path):
    path = tmp_path / "k.features"
    store.write(path, {"t": pd.DataFrame({"a": [1]})}, {"m": 1})
    assert store.read(path)[1] == {"m": 1}
    with path.open("ab") as handle:
        handle.write(b"\0" * 10)
    with pytest.raises(store.StoreError, match="header declares"):
        store.read(path)


def test_terms_with_a_fifo_in_the_counts_cache_finishes(tmp_path):
    """The reviewer's hang: the entry of a file replaced by a FIFO. Run in a process with a generous guard."""
    cache = tmp_path / "cache"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _good(corpus)
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "analysis", "terms", str(corpus), "--top", "2"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    [entry] = (cache / "counts").glob("*.counts")
    entry.unlink()
    os.mkfifo(entry)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and second.stdout == first.stdout


# --------------------------------------------------------------------------- silent or misleading


def test_a_fifo_in_a_folder_is_named_and_the_rest_loads(tmp_path):
    _good(tmp_path)
    os.mkfifo(tmp_path / "pipe.txt")
    docs, problems = _collect(tmp_path)
    assert docs["id"].tolist() == ["good"]
    [row] = problems.to_dict("records")
    assert row["file"].endswith("pipe.txt") and "named pipe" in row["problem"]


def test_a_fifo_given_directly_is_named_as_a_pipe_not_an_empty_folder(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    error = _one_problem(tmp_path / "pipe.txt")
    assert "named pipe" in error.problem and "holds no documents" not in error.problem


def test_a_device_given_directly_is_named_as_a_device():
    error = _one_problem(Path("/dev/null"))
    assert error.file == "/dev/null" and "character device" in error.problem


def test_a_docx_with_two_document_xml_entries_is_refused(tmp_path):
    data = docx([paragraph("公开的文字")])
    with zipfile.ZipFile(tmp_path / "two.docx", "w") as out:
        for info in zipfile.ZipFile(__import__("io").BytesIO(data)).infolist():
            out.writestr(info.filename, zipfile.ZipFile(__import__("io").BytesIO(data)).read(info))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it writes
            out.writestr("word/document.xml", "<w:document xmlns:w='%s'><w:body><w:p><w:r><w:t>藏起的文字"
                         "</w:t></w:r></w:p></w:body></w:document>" % "http://schemas.openxmlformats.org/"
                         "wordprocessingml/2006/main")
    error = _one_problem(tmp_path / "two.docx")
    assert error.file.endswith("two.docx") and "two parts named word/document.xml" in error.problem


@pytest.mark.parametrize("rid, kind", [([1, 2], "array"), ({"a": 1}, "object"), (True, "boolean")])
def test_json_ids_that_are_no_string_or_number_are_refused_not_repr(tmp_path, rid, kind):
    path = tmp_path / "ids.jsonl"
    path.write_text(json.dumps({"id": rid, "text": "甲乙"}) + "\n" + json.dumps({"id": 7, "text": "丙丁"}) + "\n",
                    encoding="utf-8")
    docs, problems = _collect(path)
    assert docs["id"].tolist() == ["7"]
    [row] = problems.to_dict("records")
    assert row["line"] == 1 and f"JSON {kind}" in row["problem"] and "[1, 2]" not in row["problem"]


def test_json_metadata_that_is_no_string_is_written_as_json_not_a_python_repr(tmp_path):
    path = tmp_path / "meta.jsonl"
    path.write_text(json.dumps({"title": [1, "甲"], "speaker": True, "text": "丙丁"}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    row = load_corpus(path).iloc[0]
    assert row["title"] == '[1,"甲"]'


def test_terminal_control_characters_in_a_title_never_reach_stdout(tmp_path, capsys):
    path = tmp_path / "bell.jsonl"
    path.write_text(json.dumps({"title": "讲话\x07\x1b[31m红", "id": "a\x1bb", "text": SPEECH}) + "\n",
                    encoding="utf-8")
    with pytest.warns(guards.CorpusWarning, match="bell.jsonl") as caught:
        assert main(["corpus", str(path), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    [row] = json.loads(out)
    assert row["title"] == "讲话[31m红" and row["id"] == "a\\x1bb" and "control characters" in row["note"]
    assert all("\x1b" not in str(w.message) for w in caught)


@pytest.mark.parametrize("text, what", [("。，！？……——\n“”《》", "punctuation"), ("××××\n×××", "redaction marks")])
def test_a_document_of_only_punctuation_or_only_redaction_marks_warns(tmp_path, text, what):
    path = tmp_path / "empty-ish.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(guards.CorpusWarning, match=f"empty-ish.txt.*only {what}"):
        load_corpus(path)


def test_profiles_build_writes_no_progress_bar_into_a_log(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _good(corpus)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)  # a log file
    assert main(["profiles", "build", str(corpus), "--out", str(tmp_path / "profiles")]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "it/s" not in err and "%|" not in err and "wrote the profiles" in err


def _profiles(tmp_path, text: str, name: str) -> Path:
    from analysis.profiles import profile_tables, write_profiles

    docs = pd.DataFrame({"id": ["d"], "text": [text], "source_path": ["d.txt"], "sha256": ["0"]})
    write_profiles(profile_tables(docs, progress=False), tmp_path / name)
    return tmp_path / name


def test_a_half_rewritten_profiles_folder_is_refused_by_name(tmp_path):
    from analysis.profiles import PROFILE_TABLES, ProfileSetError, load_profiles

    old = _profiles(tmp_path, SPEECH, "old")
    new = _profiles(tmp_path, SPEECH.replace("干部", "人才"), "new")
    assert load_profiles(old).documents["id"].tolist() == ["d"]
    # a rebuild killed after writing term counts: one new file among old ones
    (old / PROFILE_TABLES["term_counts"]).write_bytes((new / PROFILE_TABLES["term_counts"]).read_bytes())
    with pytest.raises(ProfileSetError, match="term_counts.parquet"):
        load_profiles(old)
    # killed before build.json was written: no build.json beside the tables
    (new / "build.json").unlink()
    with pytest.raises(ProfileSetError, match="incomplete"):
        load_profiles(new)


# --------------------------------------------------------------------------- the command line, every case at once


def _hostile_folder(folder: Path) -> list[str]:
    """A folder with one good speech and one file per crashing case; returns the bad files' names."""
    folder.mkdir()
    _good(folder)
    (folder / "locked.docx").write_bytes(patch_central(docx([paragraph("甲")]), "word/document.xml", flags=0x1))
    (folder / "damaged.docx").write_bytes(damage_data(_numbered_docx(), "word/numbering.xml"))
    (folder / "aes.docx").write_bytes(patch_central(docx([paragraph("甲")]), "word/document.xml", method=99))
    (folder / "badnum.docx").write_bytes(_numbered_docx(start="x"))
    (folder / "deep.jsonl").write_text('{"text": "甲", "x": ' + "[" * 200_000 + "]" * 200_000 + "}\n")
    (folder / "bigid.jsonl").write_text('{"id": ' + "9" * 5000 + ', "text": "甲"}\n')
    os.mkfifo(folder / "pipe.txt")
    return ["locked.docx", "damaged.docx", "aes.docx", "badnum.docx", "deep.jsonl", "bigid.jsonl", "pipe.txt"]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["terms", "themes"])
def test_terms_and_themes_with_two_workers_keep_going_past_every_bad_file(tmp_path, command):
    folder = tmp_path / "corpus"
    bad = _hostile_folder(folder)
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run([sys.executable, "-m", "analysis", command, str(folder), "--workers", "2", "--keep-going"],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    for name in bad:
        assert any(name in line for line in run.stderr.splitlines() if line.startswith("warning:")), name
    assert "good" in run.stdout
    strict = subprocess.run([sys.executable, "-m", "analysis", command, str(folder)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert strict.returncode == 2 and "Traceback" not in strict.stderr and strict.stderr.startswith("error: ")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_control_characters_in_the_text_are_escaped_on_stdout(tmp_path, capsys, fmt):
    path = tmp_path / "esc.txt"
    path.write_text("同志们：\x1b[2J要关心\x9b人才\x07工作。\n", encoding="utf-8")
    assert main(["kwic", str(path), "人才", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\x9b")
    if fmt == "json":  # escaped as JSON escapes: the same values
        assert json.loads(out)[0]["left"].endswith("\x1b[2J要关心\x9b")
    else:
        assert "\\x1b[2J" in out and "\\x9b" in out


def test_a_feature_cache_entry_with_a_table_of_another_shape_is_a_miss(tmp_path, monkeypatch):
    from analysis.features import cached_features, feature_cache_dir, features

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    document = {"id": "d", "text": SPEECH}
    cached_features(document)
    [entry] = feature_cache_dir().glob("*.features")
    tables, meta = store.read(entry)
    store.write(entry, {**tables, "tokens": tables["tokens"].drop(columns=["start"])}, meta)  # a valid checksum
    value = cached_features(document)
    assert list(value.tokens.columns) == list(features(document).tokens.columns)
    assert "start" in store.read(entry)[0]["tokens"].columns  # the entry was recomputed and replaced


def test_word_xml_nested_deeper_than_python_recurses_is_an_error_naming_the_part(tmp_path):
    def nested(depth: int) -> bytes:
        return docx(["<w:ins>" * depth + paragraph("甲") + "</w:ins>" * depth])

    (tmp_path / "fine.docx").write_bytes(nested(500))  # deep, but readable: loads
    assert load_corpus(tmp_path / "fine.docx")["raw"].tolist() == ["甲"]
    (tmp_path / "deep.docx").write_bytes(nested(5000))
    error = _one_problem(tmp_path / "deep.docx")
    assert error.file.endswith("deep.docx") and "word/document.xml" in error.problem
