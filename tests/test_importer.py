"""`corpus import`: a researcher's folder of pages, PDFs and Word files into a clean corpus folder."""

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.io.corpus import CorpusError, load_corpus
from analysis.io.importer import IMPORT_COLUMNS, import_corpus
from analysis.io.reposts import find_reposts
from speech_pages import CHROMIUM, print_page, print_pdf, render_page

TITLE = "在全县组织工作会议上的讲话"
#: A speech written for these tests.
PARAGRAPHS = ["同志们：",
              "今天召开全县组织工作会议，主要任务是总结去年工作，分析当前形势，部署今年任务。",
              "一、提高政治站位，把牢组织工作正确方向",
              "全县各级党组织要深入学习贯彻党的二十大精神，坚持以党的政治建设为统领，把党的领导落实到组织工作各方面、全过程。",
              "二、突出事业为上，建设高素质干部队伍",
              "要坚持好干部标准，树立正确选人用人导向，加大优秀年轻干部发现培养选拔力度，让想干事、能干事、干成事的干部有机会有舞台。",
              "三、抓实基层基础，建强战斗堡垒",
              "要持续整顿软弱涣散村党组织，选优配强村党组织书记，发展壮大村级集体经济，推动基层党组织全面进步、全面过硬。",
              "四、聚焦人才引育，激发创新活力",
              "要完善人才引进培养使用评价激励机制，建好用好人才驿站，为全县高质量发展提供有力人才支撑。",
              "同志们，让我们紧密团结在以习近平同志为核心的党中央周围，奋发有为，推动全县组织工作再上新台阶！"]
BODY = "\n".join(PARAGRAPHS)


def _docx(path: Path, paragraphs):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


def _folder(tmp_path: Path, *, with_pdf: bool) -> Path:
    src = tmp_path / "collected"
    src.mkdir()
    # the county site: the speech with its date line
    (src / "county-site.html").write_text(render_page(TITLE, BODY, date="2024年3月15日", speaker="县委书记 王某某",
                                                      layout="party_site"), encoding="utf-8")
    # a Word draft: no date, one sentence edited
    _docx(src / "draft.docx", [TITLE] + [p.replace("奋发有为", "真抓实干") for p in PARAGRAPHS])
    if with_pdf:
        html = tmp_path / "print.html"
        html.write_text(print_page(TITLE, BODY), encoding="utf-8")
        print_pdf(html, src / "printed.pdf")
    # another speech, and a file that cannot be read
    (src / "other.txt").write_text("在全市人才工作推进会上的讲话\n同志们：\n今天专题研究人才工作，重点谈引才育才留才三件事。",
                                   encoding="utf-8")
    (src / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    return src


def test_reposts_groups_and_the_copy_kept():
    docs = pd.DataFrame({"id": ["a", "b", "c", "d"], "date": ["2024", "2024-03-15", "", "2023-01-01"],
                         "text": [BODY, "来源：某网\n" + BODY.replace("奋发有为", "真抓实干"), BODY[:200],
                                  "全市人才工作推进会今天召开，研究引才育才留才的具体措施，部署下一步工作。"]})
    got = find_reposts(docs)
    assert got["group"].tolist() == ["b", "b", "b", "d"]
    assert got["copies"].tolist() == [3, 3, 3, 1]
    assert got["keep"].tolist() == [False, True, False, True]   # 2024-03-15 is earlier than "2024" (any day)
    assert (got["containment"] >= 0.8).all()
    with pytest.raises(ValueError, match="threshold"):
        find_reposts(docs, threshold=0)


def test_import_writes_texts_and_a_manifest_that_loads(tmp_path):
    src = _folder(tmp_path, with_pdf=False)
    out = tmp_path / "clean"
    result = import_corpus([src], out=out)
    manifest = pd.read_csv(out / "manifest.csv", dtype=str, keep_default_na=False)
    assert list(manifest.columns) == list(IMPORT_COLUMNS)
    assert sorted(manifest["id"]) == ["county-site", "draft", "other"]
    page = manifest.set_index("id").loc["county-site"]
    assert (page["date"], page["level"], page["kind"], page["occasion"]) == (
        "2024-03-15", "county", "organization_work", "全县组织工作会议")
    assert page["speaker"] == "王某某" and page["source_url"].startswith("https://")
    assert "date" in page["inferred"].split(",") and page["format"] == "html:utf-8"
    assert (out / "county-site.txt").read_text(encoding="utf-8") == BODY + "\n"
    assert set(manifest.loc[manifest["id"] != "other", "repost_group"]) == {"county-site"}
    assert list(result.skipped["file"].str.endswith("old.doc")) == [True]
    assert "old Word file" in result.summary() and "county-site kept" in result.summary()
    loaded = load_corpus(out)  # checksums match, levels are valid, inferred is kept
    assert sorted(loaded["id"]) == ["county-site", "draft", "other"]
    assert loaded.set_index("id").loc["county-site", "han_chars"] > 200
    with pytest.raises(CorpusError, match="already holds a manifest"):
        import_corpus([src], out=out)


def test_import_refuses_an_output_folder_inside_a_source(tmp_path):
    src = _folder(tmp_path, with_pdf=False)
    with pytest.raises(CorpusError, match="inside a source folder"):
        import_corpus([src], out=src / "clean")


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_page_pdf_and_docx_of_one_speech_are_one_speech_and_dedupe_keeps_one(tmp_path):
    src = _folder(tmp_path, with_pdf=True)
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        assert main(["corpus", "import", str(src), "--out", str(tmp_path / "all")]) == 0
    manifest = pd.read_csv(io.StringIO(stdout.getvalue()), dtype=str, keep_default_na=False)
    speech = manifest[manifest["id"] != "other"]
    assert sorted(speech["id"]) == ["county-site", "draft", "printed"]
    assert set(speech["repost_group"]) == {"county-site"} and set(speech["copies"]) == {"3"}
    assert manifest.set_index("id").loc["printed", "format"] == "pdf"
    assert "1 speech(es) found more than once (3 documents)" in stderr.getvalue()
    assert "old.doc" in stderr.getvalue()

    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        assert main(["corpus", "import", str(src), "--out", str(tmp_path / "one"), "--dedupe"]) == 0
    kept = pd.read_csv(tmp_path / "one" / "manifest.csv", dtype=str, keep_default_na=False)
    assert sorted(kept["id"]) == ["county-site", "other"]     # the dated page is kept
    assert sorted(p.name for p in (tmp_path / "one").glob("*.txt")) == ["county-site.txt", "other.txt"]
    assert "left out: draft, printed" in stderr.getvalue() or "left out: printed, draft" in stderr.getvalue()


def test_corpus_command_still_describes_paths(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(TITLE + "\n" + BODY, encoding="utf-8")
    assert main(["corpus", str(tmp_path)]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert table.loc[0, "id"] == "a" and table.loc[0, "level"] == "county"
    assert main(["corpus", str(tmp_path), "--dedupe"]) == 2


def test_repost_shingles_are_those_of_the_reuse_statistics():
    from analysis.io.reposts import _shingles
    from analysis.stats.reuse import shingles

    for text in (BODY, "人才强国，战略", "甲乙", ""):
        assert _shingles(text, 5) == shingles(text, n=5)
