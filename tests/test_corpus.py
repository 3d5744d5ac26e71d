"""Tests for analysis.io.corpus: the seed, every input format and encoding, every bad input,
and (marked ``shared``) the reference corpora in ../shared/corpora."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.io.corpus import (
    date_documents,
    PROBLEM_COLUMNS,
    CorpusError,
    Document,
    corpus_table,
    decode_text,
    describe_paths,
    iter_documents,
    load_corpus,
    make_document,
    read_manifest,
)
from analysis.settings import Settings
from analysis.chars import REDACTION

FIXTURES = Path(__file__).parent / "fixtures"
SPEECH = (FIXTURES / "speech.txt").read_text(encoding="utf-8")
SEED = paths.corpus_dir() / "organization-work-speech.txt"
SEED_SHA256 = "971df02eaf8a0627280f6ec127cf8434f16e3162ad31906adf50f8d274961697"
HEADER = "id,file,title,date,date_precision,level,region,speaker_role,occasion,source,sha256,note"


def han_count(text: str) -> int:
    """Han characters counted independently of analysis.chars: a plain code-point range check."""
    return sum(1 for c in text if 0x4E00 <= ord(c) <= 0x9FFF or 0x3400 <= ord(c) <= 0x4DBF
               or 0x20000 <= ord(c) <= 0x3134F or 0xF900 <= ord(c) <= 0xFAFF)


def write_manifest(folder: Path, rows: list[dict]) -> Path:
    path = folder / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER.split(","), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in HEADER.split(",")})
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the seed


def test_seed_loads_with_its_manifest_checksum_and_metadata():
    docs = load_corpus(paths.corpus_dir())
    assert len(docs) == 1
    row = docs.iloc[0]
    assert row["id"] == "organization-work-speech"
    assert row["sha256"] == SEED_SHA256 == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert (row["date"], row["date_precision"], row["level"]) == ("2023", "year", "county-district")
    assert row["region"] == "××区"
    assert "inferred" in row["note"] and "secretary" in row["speaker_role"]
    assert row["encoding"] == "utf-8"
    assert row["source_path"] == "corpus/organization-work-speech.txt"


def test_seed_counts_match_an_independent_computation():
    raw = SEED.read_text(encoding="utf-8")
    row = load_corpus(SEED).iloc[0]
    assert row["han_chars"] == han_count(raw) == 5840
    assert row["redactions"] == raw.count("××") == 9
    assert row["paragraphs"] == len([line for line in raw.split("\n") if line.strip()]) == 26
    assert row["raw"] == raw
    assert row["text"] == raw.replace("××", REDACTION).strip()


def test_loading_never_writes_to_the_corpus_folder():
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in paths.corpus_dir().rglob("*")}
    load_corpus(paths.corpus_dir())
    describe_paths(paths.corpus_dir())
    after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in paths.corpus_dir().rglob("*")}
    assert before == after


def test_manifest_of_the_corpus_is_valid_and_matches_the_file():
    m = read_manifest(paths.corpus_dir() / "manifest.csv")
    assert m.loc[0, "sha256"] == SEED_SHA256
    assert list(m.columns[2:14]) == HEADER.split(",")


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("speech-utf8.txt", "utf-8"),
        ("speech-utf8-bom.txt", "utf-8-sig"),
        ("speech-gbk.txt", "gb18030"),
        ("speech-gb18030.txt", "gb18030"),
        ("speech-gbk-crlf.txt", "gb18030"),
        ("speech-utf16le-bom.txt", "utf-16-le"),
        ("speech-utf16be-bom.txt", "utf-16-be"),
    ],
)
def test_each_encoding_decodes_to_the_same_text(name, encoding):
    row = load_corpus(FIXTURES / "encodings" / name).iloc[0]
    assert row["encoding"] == encoding
    assert row["raw"].replace("\r\n", "\n") == SPEECH
    assert row["text"].split("\n")[:3] == ["在全县组织工作会议上的讲话", "（2024年3月5日）", "同志们："]
    assert row["redactions"] == 2 and "今年引进高层次人才12名" in row["text"]
    assert row["han_chars"] == han_count(SPEECH)
    assert row["sha256"] == sha(FIXTURES / "encodings" / name)


@pytest.mark.parametrize("name, text", [("short-gbk-jianghua.txt", "讲话"), ("short-gbk-tongzhi.txt", "同志们好"),
                                        ("short-gbk-nihao.txt", "你好。")])
def test_short_gbk_texts_are_not_mistaken_for_korean_or_big5(name, text):
    row = load_corpus(FIXTURES / "encodings" / name).iloc[0]
    assert (row["raw"], row["encoding"]) == (text, "gb18030")


def test_gb18030_four_byte_characters_decode(tmp_path):
    text = "关于𠮷字的说明。€"
    (tmp_path / "ext.txt").write_bytes(text.encode("gb18030"))
    row = load_corpus(tmp_path / "ext.txt").iloc[0]
    assert (row["raw"], row["encoding"]) == (text, "gb18030")


def test_strict_utf8_is_tried_before_any_guess():
    assert decode_text("同志们".encode("utf-8")) == ("同志们", "utf-8")
    assert decode_text("ok".encode("ascii")) == ("ok", "utf-8")


def test_markdown_file_loses_its_markup(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# 全县组织工作会议讲话\n\n## 一、总体要求\n\n**要抓好落实。**\n", encoding="utf-8")
    row = load_corpus(path).iloc[0]
    assert row["text"] == "全县组织工作会议讲话\n一、总体要求\n要抓好落实。"
    assert (row["title"], row["redactions"]) == ("全县组织工作会议讲话", 0)


def test_docx_paragraphs_are_joined_by_line_breaks(tmp_path):
    import docx

    word = docx.Document()
    for line in SPEECH.strip().split("\n"):
        word.add_paragraph(line)
    path = tmp_path / "2024年全县讲话.docx"
    word.save(path)
    row = load_corpus(path).iloc[0]
    assert row["encoding"] == "docx"
    assert row["raw"] == SPEECH.strip()
    assert row["sha256"] == sha(path)
    assert row["title"] == "在全县组织工作会议上的讲话"
    # the date under the title (（2024年3月5日）) wins over the year in the file name, and is marked inferred
    assert (row["date"], row["date_precision"]) == ("2024-03-05", "day")
    assert "date" in row["inferred"].split(",")


# --------------------------------------------------------------------------- JSONL and CSV corpora


def test_jsonl_records_load_with_their_metadata_ids_and_text_checksums(tmp_path):
    path = tmp_path / "speeches.jsonl"
    records = [
        {"title": "2019年甲县讲话", "year": "2019", "kind": "local_speech", "source_url": "https://example.org/a",
         "text": "同志们：\n今天开会。"},
        {"id": "B-7", "title": "乙市讲话", "date": "2021年03月02日", "kind": "local_speech",
         "source_path": "Item/1.aspx", "text": "要讲\n3\n点意见。"},
    ]
    lines = [json.dumps(records[0], ensure_ascii=False), "", json.dumps(records[1], ensure_ascii=False)]
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8") + b"\n")
    docs = load_corpus(path)
    assert docs["id"].tolist() == ["speeches:1", "B-7"]  # line number, or the record's own id
    a, b = docs.iloc[0], docs.iloc[1]
    assert (a["date"], a["date_precision"], a["kind"], a["source"]) == ("2019", "year", "local_speech",
                                                                         "https://example.org/a")
    assert (b["date"], b["date_precision"]) == ("2021-03-02", "day")
    assert b["source"] == "Item/1.aspx" and b["record_source_path"] == "Item/1.aspx"
    assert b["text"] == "要讲3点意见。"
    assert a["sha256"] == hashlib.sha256(records[0]["text"].encode("utf-8")).hexdigest()
    assert set(docs["encoding"]) == {"utf-8"}


def test_csv_corpus_in_gbk_loads_rows_with_metadata(tmp_path):
    path = tmp_path / "table.csv"
    with path.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "date", "level", "正文"])
        writer.writerow(["丙区讲话", "2022-05", "county-district", "第一段。\n第二段。"])
        writer.writerow(["丁区讲话", "", "", "××同志讲话。"])
    docs = load_corpus(path)
    assert docs["id"].tolist() == ["table:1", "table:2"]
    assert docs["encoding"].tolist() == ["gb18030", "gb18030"]
    assert (docs.loc[0, "date"], docs.loc[0, "date_precision"], docs.loc[0, "level"]) == ("2022-05", "month",
                                                                                          "county-district")
    assert docs.loc[0, "paragraphs"] == 2 and docs.loc[1, "redactions"] == 1


# --------------------------------------------------------------------------- folders and manifests


def test_folder_with_manifest_rows_and_unlisted_files(tmp_path):
    shutil.copy(FIXTURES / "encodings" / "speech-gbk.txt", tmp_path / "county.txt")
    (tmp_path / "2021年区委书记讲话.txt").write_text("讲话稿\n同志们：\n今天开会。", encoding="utf-8")
    (tmp_path / "README.md").write_text("说明文件，不是讲话。", encoding="utf-8")
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "terms.txt").write_text("词表", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("隐藏", encoding="utf-8")
    write_manifest(tmp_path, [{"id": "county-2024", "file": "county.txt", "title": "全县组织工作会议讲话",
                               "date": "2024-03-05", "level": "county-district", "region": "某省甲县",
                               "speaker_role": "county Party secretary", "sha256": sha(tmp_path / "county.txt"),
                               "note": "speaker role inferred"}])
    docs = load_corpus(tmp_path)
    assert docs["id"].tolist() == ["2021年区委书记讲话", "county-2024"]
    listed = docs.set_index("id").loc["county-2024"]
    assert (listed["date"], listed["date_precision"], listed["region"]) == ("2024-03-05", "day", "某省甲县")
    assert listed["note"] == "speaker role inferred" and listed["encoding"] == "gb18030"
    unlisted = docs.set_index("id").loc["2021年区委书记讲话"]
    assert (unlisted["title"], unlisted["date"], unlisted["date_precision"]) == ("讲话稿", "2021", "year")
    assert unlisted["level"] == "" and "date from the file name" in unlisted["note"]


def test_manifest_false_ignores_the_manifest():
    row = load_corpus(SEED, manifest=False).iloc[0]
    assert row["title"] == "organization-work-speech" and row["level"] == ""
    assert "title from the file name" in row["note"]


def test_traditional_to_simplified_is_applied_and_recorded(tmp_path):
    (tmp_path / "old.txt").write_text("廣州共產黨報告。", encoding="utf-8")
    # issue 12: a traditional text is detected and converted by default; to_simplified=False keeps it
    plain = load_corpus(tmp_path, settings=Settings(to_simplified=False)).iloc[0]
    converted = load_corpus(tmp_path, settings=Settings(to_simplified=True)).iloc[0]
    detected = load_corpus(tmp_path).iloc[0]
    assert (plain["text"], bool(plain["to_simplified"])) == ("廣州共產黨報告。", False)
    assert (converted["text"], bool(converted["to_simplified"])) == ("广州共产党报告。", True)
    assert (detected["text"], bool(detected["to_simplified"])) == ("广州共产党报告。", True)
    assert "converted from traditional characters (OpenCC t2s)" in detected["note"]


def test_make_document_is_pure_and_maps_back():
    raw = "××同志讲\n4\n点意见。"
    d1, d2 = make_document(raw, id="x"), make_document(raw, id="x")
    assert isinstance(d1, Document) and d1.text == d2.text == "〓同志讲4点意见。"
    assert np.array_equal(d1.raw_offsets, d2.raw_offsets)
    assert d1.raw[d1.raw_offsets[d1.text.index("4")]] == "4"


def test_corpus_table_has_no_text_and_leaves_its_input_alone():
    docs = load_corpus(paths.corpus_dir())
    copy = docs.copy()
    table = corpus_table(docs)
    assert not {"text", "raw", "raw_offsets"} & set(table.columns)
    assert {"id", "title", "level", "han_chars", "paragraphs", "redactions", "encoding"} <= set(table.columns)
    pd.testing.assert_frame_equal(docs.drop(columns="raw_offsets"), copy.drop(columns="raw_offsets"))
    pd.testing.assert_frame_equal(table, describe_paths(paths.corpus_dir()))
    pd.testing.assert_frame_equal(table, corpus_table(iter_documents(paths.corpus_dir())))


def test_iter_documents_streams_file_by_file(tmp_path):
    (tmp_path / "a.txt").write_text("甲。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("乙。", encoding="utf-8")
    documents = iter_documents(tmp_path)
    first = next(documents)
    assert first.id == "a"
    (tmp_path / "b.txt").write_bytes(b"")  # b is read only when asked for
    with pytest.raises(CorpusError, match="b.txt.*empty"):
        next(documents)


def test_jsonl_is_read_line_by_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "甲。"}\n{"text": "乙。"}\n{broken\n', encoding="utf-8")
    documents = iter_documents(path)
    assert [next(documents).text, next(documents).text] == ["甲。", "乙。"]
    with pytest.raises(CorpusError, match="line 3"):
        next(documents)


# --------------------------------------------------------------------------- bad input


def bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str, str]]:
    """Make one folder per bad case: name -> (path to load, message pattern, file named)."""
    cases = {}

    def case(name: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        return folder

    f = case("empty")
    (f / "empty.txt").write_bytes(b"")
    cases["empty"] = (f, r"empty \(0 bytes\)", "empty.txt")
    f = case("blank")
    (f / "blank.txt").write_text("\u3000\n \n", encoding="utf-8")
    cases["blank"] = (f, "no text", "blank.txt")
    f = case("binary")
    (f / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01")
    cases["binary"] = (f, "binary", "image.txt")
    f = case("undecodable")
    (f / "mixed.txt").write_bytes("同志们".encode("utf-8") + b"\xff\xfe\xff" + "讲话".encode("utf-8"))
    cases["undecodable"] = (f, "cannot be decoded: the file reads as UTF-8 up to byte 0xFF at offset 9", "mixed.txt")
    f = case("jsonl")
    (f / "bad.jsonl").write_text('{"text": "甲。"}\n{"text": "乙。",}\n', encoding="utf-8")
    cases["jsonl"] = (f, "bad.jsonl, line 2: the line is not valid JSON", "bad.jsonl")
    f = case("jsonl-no-text")
    (f / "notext.jsonl").write_text('{"title": "甲"}\n', encoding="utf-8")
    cases["jsonl-no-text"] = (f, "line 1: the record has no text field", "notext.jsonl")
    f = case("duplicate")
    (f / "x").mkdir()
    (f / "y").mkdir()
    (f / "x" / "speech.txt").write_text("甲。", encoding="utf-8")
    (f / "y" / "speech.txt").write_text("乙。", encoding="utf-8")
    cases["duplicate"] = (f, "id 'speech' is already used", "speech.txt")
    f = case("missing")
    (f / "here.txt").write_text("甲。", encoding="utf-8")
    write_manifest(f, [{"id": "gone", "file": "gone.txt"}])
    cases["missing"] = (f, "manifest.csv, line 2.*lists 'gone.txt', but there is no such file", "manifest.csv")
    f = case("traversal")
    (tmp_path / "outside.txt").write_text("外。", encoding="utf-8")
    (f / "inside.txt").write_text("甲。", encoding="utf-8")
    write_manifest(f, [{"id": "out", "file": "../outside.txt"}])
    cases["traversal"] = (f, "line 2: file '../outside.txt' lies outside the manifest's folder", "manifest.csv")
    f = case("checksum")
    (f / "changed.txt").write_text("改过的文本。", encoding="utf-8")
    write_manifest(f, [{"id": "changed", "file": "changed.txt", "sha256": "0" * 64}])
    cases["checksum"] = (f, "sha256 is [0-9a-f]{64}, but .*manifest.csv \\(line 2\\) says 0{64}", "changed.txt")
    f = case("csv")
    (f / "table.csv").write_text("title,body_text\n甲,乙\n", encoding="utf-8")
    cases["csv"] = (f, "line 1: the CSV has no text column \\(columns: title, body_text\\)", "table.csv")
    f = case("unsupported")
    (f / "speech.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    cases["unsupported"] = (f, "old Word file \\(.doc, Word 97–2003\\), which is not read", "speech.doc")
    f = case("docx")
    (f / "broken.docx").write_bytes(b"not a zip file")
    cases["docx"] = (f, "not a readable Word .docx file", "broken.docx")
    f = case("level")
    (f / "a.txt").write_text("甲。", encoding="utf-8")
    write_manifest(f, [{"id": "a", "file": "a.txt", "level": "village"}])
    cases["level"] = (f, "level 'village' is not one of", "manifest.csv")
    cases["nowhere"] = (tmp_path / "does-not-exist", "no such file or folder", "does-not-exist")
    cases["empty-folder"] = (case("nothing"), "holds no documents", "nothing")
    return cases


CASES = ["empty", "blank", "binary", "undecodable", "jsonl", "jsonl-no-text", "duplicate", "missing", "traversal",
         "checksum", "csv", "unsupported", "docx", "level", "nowhere", "empty-folder"]


@pytest.mark.parametrize("name", CASES)
def test_each_bad_input_raises_an_error_that_names_the_file_and_the_fix(tmp_path, name):
    target, pattern, filename = bad_inputs(tmp_path)[name]
    with pytest.raises(CorpusError) as info:
        load_corpus(target)
    err = info.value
    assert re.search(pattern, str(err)), str(err)
    assert err.file and err.file.endswith(filename)
    assert err.fix and "What to do:" in str(err)


def test_collect_loads_everything_loadable_and_lists_every_problem(tmp_path):
    cases = bad_inputs(tmp_path)
    folders = [cases[name][0] for name in CASES if name not in ("nowhere", "level")]
    good = tmp_path / "good"
    good.mkdir()
    (good / "fine.txt").write_text("完好的讲话。", encoding="utf-8")
    docs, problems = load_corpus([good, *folders, cases["jsonl"][0] / "bad.jsonl"], on_error="collect")
    # loaded: the good file, the good JSONL line, the first of the duplicates, the files beside bad manifests
    assert sorted(docs["id"]) == ["bad:1", "fine", "here", "inside", "speech"]
    assert list(problems.columns) == list(PROBLEM_COLUMNS)
    assert len(problems) == len(folders)  # one problem per bad case; the repeated bad.jsonl is read once
    jsonl = problems[problems["file"].str.endswith("bad.jsonl")].iloc[0]
    assert jsonl["line"] == 2 and "not valid JSON" in jsonl["problem"] and jsonl["fix"]
    dup = problems[problems["problem"].str.contains("already used")].iloc[0]
    assert dup["document"] == "speech"
    assert problems["fix"].str.len().min() > 10


def test_on_error_must_be_known():
    with pytest.raises(ValueError, match="collect"):
        load_corpus(SEED, on_error="ignore")
    with pytest.raises(ValueError, match="problems.append"):
        iter_documents(SEED, on_error="collect")


def test_iter_documents_reports_to_a_callable_and_goes_on(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text("乙。", encoding="utf-8")
    seen: list[CorpusError] = []
    ids = [d.id for d in iter_documents(tmp_path, on_error=seen.append)]
    assert ids == ["b"] and len(seen) == 1 and seen[0].file.endswith("a.txt")


def test_manifest_file_passed_as_a_corpus_file_is_refused():
    with pytest.raises(CorpusError, match="this is a manifest"):
        load_corpus(paths.corpus_dir() / "manifest.csv")


# --------------------------------------------------------------------------- ../shared/corpora

SHARED = paths.shared_dir() / "corpora"
NUMBER_UNIT_BREAK = re.compile(r"[0-9]\n[年月日号]")
CONTINUATION_START = re.compile(r"(?m)^[，、。；：？！）》”’%]")
BARE_NUMBER_LINE = re.compile(r"(?m)^[0-9.%]+$")
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
CHAPTER = re.compile(r"第[一二三四五六七八九十]+章")


@pytest.fixture(scope="module")
def shared_docs(reference_corpus):
    """The four corpora, not the saved pages, as loaded once per test run (``reference_corpus`` in conftest.py)."""
    return reference_corpus


@pytest.mark.shared
def test_every_shared_document_loads_with_its_metadata(shared_docs):
    docs, problems = shared_docs
    assert problems.empty, problems.to_dict("records")
    counts = docs["source_path"].map(lambda p: Path(p).name).value_counts().to_dict()
    assert counts == {"gov-work-reports.jsonl": 72, "cpc-congress-reports.jsonl": 15,
                      "party-building-texts.jsonl": 8, "speeches.jsonl": 80}
    assert (docs["title"].str.len() > 0).all() and (docs["source"].str.len() > 0).all()
    assert docs["kind"].notna().all()
    reports = docs[docs["kind"] == "report"]
    assert len(reports) == 52 and (reports["date"] == reports["year"].astype(str)).all()
    assert (reports["date_precision"] == "year").all()
    congress = docs[docs["source_path"].str.endswith("cpc-congress-reports.jsonl")]
    assert congress["congress"].notna().all() and congress["congress"].dtype == "Int64"
    party = docs[docs["source_path"].str.endswith("party-building-texts.jsonl")]
    assert (party["date_precision"] == "day").all() and party["record_source_path"].notna().all()
    assert docs["id"].is_unique


@pytest.mark.shared
def test_no_zero_width_or_full_width_character_survives(shared_docs):
    docs, _ = shared_docs
    raw_with_zw = docs["raw"].map(lambda t: bool(ZERO_WIDTH.search(t))).sum()
    assert raw_with_zw > 0  # the raw texts do have them
    for text in docs["text"]:
        assert not ZERO_WIDTH.search(text)
        assert "\u3000" not in text and not re.search("[０-９Ａ-Ｚａ-ｚ]", text)


#: Words broken by a line break in the scraped texts: (as broken, as repaired, documents with it).
BROKEN_WORDS = [("政府工作报\n告", "政府工作报告", 2), ("所作的\n政府工作报告", "所作的政府工作报告", 11),
                ("着力\n破除", "着力破除", 1)]


@pytest.mark.shared
@pytest.mark.parametrize(("broken", "repaired", "documents"), BROKEN_WORDS)
def test_listed_broken_words_are_repaired(shared_docs, broken, repaired, documents):
    docs, _ = shared_docs
    affected = docs[docs["raw"].str.contains(broken, regex=False)]
    assert len(affected) == documents
    assert affected["text"].str.contains(repaired, regex=False).all()
    assert not docs["text"].str.contains(broken, regex=False).any()


@pytest.mark.shared
def test_numbers_split_from_their_units_and_bare_number_lines_are_repaired(shared_docs):
    docs, _ = shared_docs
    assert docs["raw"].map(lambda t: bool(NUMBER_UNIT_BREAK.search(t))).sum() > 0
    assert docs["raw"].map(lambda t: bool(BARE_NUMBER_LINE.search(t))).sum() > 0
    for text in docs["text"]:
        assert not NUMBER_UNIT_BREAK.search(text)
        assert not CONTINUATION_START.search(text)
        assert not BARE_NUMBER_LINE.search(text)
    assert docs["lines_repaired"].sum() > 1500


@pytest.mark.shared
def test_headings_and_paragraph_breaks_survive_repair(shared_docs):
    docs, _ = shared_docs
    chapters = ends = 0
    for raw, text, off in zip(docs["raw"], docs["text"], docs["raw_offsets"]):
        starts = {line.strip() for line in text.split("\n")}
        for line in raw.split("\n"):
            head = line.strip(" \u3000")
            if CHAPTER.match(head):  # 第一章 … headings keep their own line
                chapters += 1
                assert head in starts, head[:12]
        # a raw line ending a sentence still ends a line, unless the next line opens with ” or ）
        index = {int(p): i for i, p in enumerate(off[:-1])}
        for m in re.finditer("。\n(?=[^”’）)])", raw):
            i = index[m.start()]
            ends += 1
            assert i + 1 == len(text) or text[i + 1] == "\n", text[max(0, i - 10):i + 10]
    assert chapters >= 20 and ends > 7000


def _t2s(ch: str) -> str:
    from opencc import OpenCC

    return OpenCC("t2s").convert(ch)


@pytest.mark.shared
def test_offsets_map_every_shared_document_back(shared_docs):
    docs, _ = shared_docs
    rng = np.random.default_rng(7)
    for raw, text, off, simplified in zip(docs["raw"], docs["text"], docs["raw_offsets"], docs["to_simplified"]):
        assert len(off) == len(text) + 1 and off[-1] == len(raw)
        assert (np.diff(off) > 0).all()
        for i in rng.integers(0, len(text), 50):
            ch = text[i]
            if "\u4e00" <= ch <= "\u9fff":
                # texts in traditional characters are converted (issue 12): compare converted
                assert (_t2s(raw[off[i]]) if simplified else raw[off[i]]) == ch


def test_select_document_by_name_environment_default_or_first(monkeypatch):
    from analysis.io.corpus import select_document

    docs = pd.DataFrame({"id": ["a", "b", "c"], "text": ["甲", "乙", "丙"]})
    monkeypatch.delenv("ANALYSIS_DOCUMENT", raising=False)
    assert select_document(docs, "c")["id"].tolist() == ["c"]
    assert select_document(docs, default="b")["id"].tolist() == ["b"]
    assert select_document(docs, default="zz")["id"].tolist() == ["a"]
    monkeypatch.setenv("ANALYSIS_DOCUMENT", "c")
    assert select_document(docs, default="b")["id"].tolist() == ["c"]
    assert select_document(docs, "a")["id"].tolist() == ["a"]
    with pytest.raises(ValueError, match="'zz' is not in the corpus; its ids are: a, b, c"):
        select_document(docs, "zz")
    with pytest.raises(ValueError, match="no document"):
        select_document(docs.iloc[0:0])
    assert docs["id"].tolist() == ["a", "b", "c"]


# --------------------------------------------------------------------------- dating

META_FIELDS = ["id", "title", "date", "date_precision", "level", "region", "speaker", "speaker_role",
               "occasion", "kind", "source", "note"]


@pytest.mark.shared
def test_speeches_keep_every_metadata_field_as_a_column(shared_docs):
    docs, _ = shared_docs
    speeches = docs[docs["collection"] == "speeches"]
    assert len(speeches) == 80
    assert set(META_FIELDS) <= set(speeches.columns)
    records = [json.loads(line) for line in (SHARED / "speeches.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id = speeches.set_index("id")
    for record in records:
        row = by_id.loc[record["id"]]
        for field in META_FIELDS[1:]:
            if field == "note":
                assert row["note"].startswith((record["note"] or "").strip())
            else:
                assert row[field] == (record[field] or "").strip(), (record["id"], field)
        assert row["year"] == int(record["date"][:4])
    assert speeches["kind"].value_counts().to_dict() == {"other_speech": 51, "party_building": 23,
                                                         "organization_work": 5, "cadre_training": 1}


@pytest.mark.shared
def test_every_shared_document_has_a_year_a_sortable_date_and_a_collection(shared_docs):
    docs, _ = shared_docs
    assert docs["year"].dtype == "Int64" and docs["year"].notna().all()
    assert docs["sort_date"].notna().all() and (docs["sort_date"].dt.year == docs["year"]).all()
    assert docs["collection"].value_counts().to_dict() == {"speeches": 80, "gov-work-reports": 72,
                                                           "cpc-congress-reports": 15, "party-building-texts": 8}
    congress = docs[docs["collection"] == "cpc-congress-reports"].set_index("congress")
    # read off the congress table by hand: the 19th opened on 18 October 2017, the 9th in 1969
    assert congress.loc[19, "date"] == "2017-10-18" and congress.loc[9, "year"] == 1969
    assert congress["note"].str.contains("congresses.csv").all()
    resolutions = docs[docs["kind"] == "npc_resolution"]
    assert len(resolutions) == 20 and (resolutions["date_precision"] == "year").all()
    # each NPC resolution approves the government work report of its own year; the file has no
    # report for 1962 and 2020 (../shared/corpora/README.md lists the missing years)
    reports = set(docs.loc[docs["kind"] == "report", "year"])
    assert set(resolutions["year"]) - reports == {1962, 2020} and resolutions["year"].is_unique


def test_dating_from_the_reference_tables_and_the_unknown():
    table = pd.DataFrame({
        "id": ["c", "n", "x", "d"],
        "title": ["报告", "第十四届全国人民代表大会第一次会议决议", "无日期", "讲话"],
        "date": ["", "", "", "2020-06"], "congress": [20, None, None, None], "note": ["", "", "", ""],
        "source_path": ["a/cpc.jsonl", "a/gov.jsonl", "a/b/x.txt", "a/d.csv"]})
    out = date_documents(table)
    assert out["date"].tolist() == ["2022-10-16", "2023", "", "2020-06"]
    assert out["year"].tolist()[:2] == [2022, 2023] and pd.isna(out["year"][2]) and out["year"][3] == 2020
    assert out["sort_date"].dt.strftime("%Y-%m-%d").tolist()[3] == "2020-06-01" and pd.isna(out["sort_date"][2])
    assert "year unknown" in out["note"][2]
    assert out["collection"].tolist() == ["cpc", "gov", "b", "d"]
    assert table["date"].tolist() == ["", "", "", "2020-06"]  # input unchanged


def test_chinese_numerals_up_to_ninety_nine():
    from analysis.io.dating import _zh_number

    assert [_zh_number(t) for t in ["二", "十", "十四", "二十", "二十三", "14"]] == [2, 10, 14, 20, 23, 14]


def test_the_reference_tables_cover_every_congress():
    from analysis.io.corpus import congress_dates

    dates = congress_dates()
    assert sorted(dates) == list(range(1, 21))
    assert all(d.startswith(str(y)) for y, d in dates.values())
    assert [y for y, _ in dates.values()] == sorted(y for y, _ in dates.values())


def test_data_folders_inside_a_corpus_are_not_scanned(tmp_path):
    (tmp_path / "a.txt").write_text("同志们：\n一、讲话\n", encoding="utf-8")
    for sub in ("profiles", "reference", "lexicon"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    docs = load_corpus(tmp_path)
    assert docs["id"].tolist() == ["a"] and docs["collection"].tolist() == [tmp_path.name]
