"""analysis.io.corpus against hostile input: links out of the corpus folder, documents too big
to hold, Word files that inflate, huge lines, and long loads (every input is built here)."""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.io.corpus import CorpusError, iter_documents, load_corpus
from analysis.settings import Settings

SPEECH = "同志们：\n一、抓好人才工作\n要重视基层干部培养。\n二、加强组织建设\n要把支部建在一线。\n"
#: Text that must never come out of the project once it lies outside the corpus folder.
SECRET = "外泄机密材料不得显示"


@pytest.fixture
def linked(tmp_path):
    """A corpus folder with one speech and a symbolic link to a file in another folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "speech.txt").write_text(SPEECH, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere-private"
    elsewhere.mkdir()
    secret = elsewhere / "diary-private.txt"
    secret.write_text(f"私人日记\n今天写下{SECRET}。\n", encoding="utf-8")
    (corpus / "notes.txt").symlink_to(secret)
    return corpus, secret


def _no_leak(text: str, secret: Path) -> None:
    assert str(secret) not in text and secret.name not in text and secret.parent.name not in text
    assert SECRET not in text


def test_a_link_found_by_scanning_the_folder_is_refused_without_showing_its_target(linked):
    corpus, secret = linked
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus)
    message = str(caught.value)
    assert "notes.txt" in message and "outside the corpus folder" in message
    _no_leak(message, secret)
    docs, problems = load_corpus(corpus, on_error="collect")
    assert docs["id"].tolist() == ["speech"]
    assert len(problems) == 1 and problems.loc[0, "file"].endswith("corpus/notes.txt")
    _no_leak(problems.to_string(), secret)


def test_a_link_given_as_an_explicit_path_is_refused(linked):
    corpus, secret = linked
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus / "notes.txt")
    assert "notes.txt" in str(caught.value)
    _no_leak(str(caught.value), secret)


def test_a_manifest_row_naming_the_link_is_refused(linked):
    corpus, secret = linked
    (corpus / "manifest.csv").write_text("id,file,title\nn,notes.txt,笔记\ns,speech.txt,讲话\n", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus)
    assert "outside" in str(caught.value)
    _no_leak(str(caught.value), secret)


def test_a_linked_folder_leading_outside_is_refused_with_its_manifest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "speech.txt").write_text(SPEECH, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere-folder"
    elsewhere.mkdir()
    (elsewhere / "hidden.txt").write_text(f"{SECRET}。\n", encoding="utf-8")
    (elsewhere / "manifest.csv").write_text("id,file\nh,hidden.txt\n", encoding="utf-8")
    (corpus / "more").symlink_to(elsewhere, target_is_directory=True)
    docs, problems = load_corpus(corpus, on_error="collect")
    assert docs["id"].tolist() == ["speech"]
    assert problems["file"].str.endswith("corpus/more").tolist() == [True]
    _no_leak(problems.to_string(), elsewhere / "hidden.txt")


def test_links_inside_the_folder_still_load_once_and_a_dangling_link_is_reported(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "speech.txt").write_text(SPEECH, encoding="utf-8")
    (corpus / "alias.txt").symlink_to(corpus / "sub" / "speech.txt")
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere-at-all.txt")
    docs, problems = load_corpus(corpus, on_error="collect")
    assert docs["id"].tolist() == ["speech"]
    assert problems["file"].str.endswith("corpus/gone.txt").tolist() == [True]
    assert "nowhere-at-all" not in problems.to_string()


@pytest.mark.parametrize("command", [["kwic"], ["terms", "--by", "document"]])
def test_kwic_and_terms_never_print_the_linked_text(linked, capsys, command):
    corpus, secret = linked
    term = SECRET[:4] if command[0] == "kwic" else None
    argv = [command[0], str(corpus), *([term] if term else []), *command[1:]]
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2 and "notes.txt" in err
    _no_leak(out + err, secret)
    status = main([*argv, "--keep-going", "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0 and "notes.txt" in err
    _no_leak(out + err, secret)
    for word in ("私人日记", "外泄", "机密"):
        assert word not in out


# --------------------------------------------------------------------------- the size of one document


def test_a_file_over_the_cap_is_refused_naming_file_size_cap_and_the_fix(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("党" * 1000, encoding="utf-8")  # 3,000 bytes
    with pytest.raises(CorpusError) as caught:
        load_corpus(path, settings=Settings(max_document_bytes=2048))
    message = str(caught.value)
    assert "long.txt" in message and "3,000 bytes" in message and "2,048 bytes" in message
    assert "--max-document-mb" in message and "max_document_bytes" in message
    assert load_corpus(path, settings=Settings(max_document_bytes=4096))["han_chars"].tolist() == [1000]
    assert load_corpus(path, settings=Settings(max_document_bytes=0))["han_chars"].tolist() == [1000]


def test_the_default_cap_refuses_a_huge_file_before_reading_it(tmp_path, monkeypatch):
    from analysis.settings import MAX_DOCUMENT_BYTES

    assert Settings().max_document_bytes == MAX_DOCUMENT_BYTES == 64 * 2**20
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: takes no disk
        fh.truncate(MAX_DOCUMENT_BYTES + 1)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    with pytest.raises(CorpusError, match="huge.txt.*more than the limit of 67,108,864 bytes"):
        load_corpus(path)


def test_the_cap_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "long.txt"
    path.write_text("党" * 1000, encoding="utf-8")
    assert main(["corpus", str(path), "--max-document-mb", "0.001"]) == 2
    err = capsys.readouterr().err
    assert "long.txt" in err and "3,000 bytes" in err and "--max-document-mb" in err
    assert main(["corpus", str(path), "--max-document-mb", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["han_chars"] == 1000


def _docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _no_parsing(monkeypatch):
    import docx

    monkeypatch.setattr(docx, "Document", lambda *a, **k: pytest.fail("the Word file was parsed"))


def test_a_docx_that_inflates_like_a_zip_bomb_is_refused_before_parsing(tmp_path, monkeypatch):
    """A real .docx whose document.xml packs a thousand times: refused from the zip directory."""
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes(SPEECH)))
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<w:p><w:r><w:t>" + "党".encode() * 2_000_000
                                    + b"</w:t></w:r></w:p></w:body>")
            out.writestr(info.filename, data)
    assert bomb.stat().st_size < 100_000  # 6 MB of XML packed into a few KB
    _no_parsing(monkeypatch)
    with pytest.raises(CorpusError) as caught:
        load_corpus(bomb)
    message = str(caught.value)
    assert "bomb.docx" in message and "word/document.xml" in message and "times" in message


def test_a_docx_unpacking_to_more_than_the_cap_is_refused_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "speech.docx"
    path.write_bytes(_docx_bytes(SPEECH))
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert load_corpus(path, settings=Settings(max_document_bytes=unpacked))["han_chars"].iloc[0] > 20
    _no_parsing(monkeypatch)
    with pytest.raises(CorpusError) as caught:
        load_corpus(path, settings=Settings(max_document_bytes=unpacked - 1))
    assert "speech.docx" in str(caught.value) and f"{unpacked:,} bytes" in str(caught.value)
    assert "unpacked" in str(caught.value)


def test_a_jsonl_line_over_the_cap_is_skipped_and_reported_and_the_rest_loads(tmp_path):
    path = tmp_path / "records.jsonl"
    lines = [{"id": "a", "text": SPEECH}, {"id": "big", "text": "党" * 5000}, {"id": "c", "text": SPEECH}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8")
    docs, problems = load_corpus(path, settings=Settings(max_document_bytes=4000), on_error="collect")
    assert docs["id"].tolist() == ["a", "c"]
    assert problems["line"].tolist() == [2]
    assert "15," in problems.loc[0, "problem"] and "4,000 bytes" in problems.loc[0, "problem"]


def test_a_csv_record_over_the_cap_is_reported(tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(f"id,text\na,{SPEECH.replace(chr(10), ' ')}\nbig,{'党' * 2000}\n", encoding="utf-8")
    docs, problems = load_corpus(path, settings=Settings(max_document_bytes=1000), on_error="collect")
    assert docs["id"].tolist() == ["a"]
    assert problems["document"].tolist() == ["big"] and "6,000 bytes" in problems.loc[0, "problem"]


def test_a_utf8_csv_is_streamed_row_by_row(tmp_path, monkeypatch):
    path = tmp_path / "rows.csv"
    path.write_text("id,text\n" + "".join(f"r{i},第{i}条讲话内容。\n" for i in range(50)), encoding="utf-8-sig")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read whole"))
    documents = iter_documents(path)
    first = next(documents)
    assert first.id == "r0" and first.encoding == "utf-8-sig"
    assert len(list(documents)) == 49


def test_a_gb18030_csv_still_loads(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes("id,text\nr1,讲话内容\n".encode("gb18030"))
    docs = load_corpus(path)
    assert docs[["id", "text", "encoding"]].values.tolist() == [["r1", "讲话内容", "gb18030"]]


def test_loading_many_rows_shows_progress_on_a_terminal_only(tmp_path, capsys, monkeypatch):
    path = tmp_path / "rows.csv"
    path.write_text("id,text\n" + "".join(f"r{i},第{i}条。\n" for i in range(3000)), encoding="utf-8")
    assert main(["corpus", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 3001 and err == ""  # not a terminal: no progress
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["corpus", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 3001
    assert "loading" in err and "3000" in err and "doc" in err


# --------------------------------------------------------------------------- memory on pathological text


def test_jieba_never_gets_a_run_longer_than_the_limit_and_the_tokens_still_partition_the_text():
    from analysis.text import segment

    seg = segment.make_tokenizer()
    given: list[int] = []
    cut = seg._cut
    # The engine gets Han runs joined by newlines, at which jieba always cuts (its graph is
    # built per block): every block between newlines is at most MAX_JIEBA_RUN long.
    seg._cut = lambda s, hmm: (given.extend(map(len, s.split("\n"))), cut(s, hmm))[1]
    text = "党" * (2 * segment.MAX_JIEBA_RUN + 123) + "。人才工作"
    try:
        tokens = segment.tokenize(text, tokenizer=seg)
    finally:
        seg._cut = cut  # the tokenizer is shared by the process
    assert max(given) == segment.MAX_JIEBA_RUN and sum(given) == len(text) - 1
    assert "".join(tokens["token"]) == text
    assert tokens["start"].tolist()[1:] == tokens["end"].tolist()[:-1]
    tail = segment.tokenize("。人才工作", tokenizer=seg)["token"].tolist()
    assert tokens["token"].tolist()[-len(tail):] == tail
