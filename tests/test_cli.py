"""python -m analysis: every command prints a table in CSV or JSON; bad input exits 2 naming the file."""

import io
import json
import subprocess
import sys

import pandas as pd

from analysis.cli import main
from analysis.paths import corpus_dir, project_root

SEED = str(corpus_dir() / "organization-work-speech.txt")


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_corpus_csv_and_json_agree(capsys):
    status, out, _ = run(capsys, "corpus", SEED)
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert len(table) == 1
    for column in ["id", "title", "han_chars", "paragraphs", "redactions", "encoding"]:
        assert column in table.columns
    assert "text" not in table.columns and "raw" not in table.columns
    status, out, _ = run(capsys, "corpus", SEED, "--format", "json")
    records = json.loads(out)
    assert records[0]["han_chars"] == int(table.loc[0, "han_chars"])


def test_outline_lists_the_four_sections_and_the_announced_count(capsys):
    status, out, _ = run(capsys, "outline", SEED, "--format", "json")
    assert status == 0
    payload = json.loads(out)
    top = [row["path"] for row in payload["rows"] if row["level"] == 1]
    assert top == ["一", "二", "三", "四"]
    assert payload["announced"][0]["announced"] == 5
    status, out, _ = run(capsys, "outline", SEED)
    table = pd.read_csv(io.StringIO(out))
    assert {"path", "level", "number", "title", "start", "end", "han_chars", "share", "unheaded"} <= set(table.columns)


def test_terms_by_section_top_n(capsys):
    status, out, _ = run(capsys, "terms", SEED, "--by", "section", "--top", "3")
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert {"document", "path", "term", "tokens", "occurrences", "per_10k_tokens", "per_10k_content_tokens"} <= set(table.columns)
    assert table.groupby("path").size().max() <= 3
    talent = table[table["path"] == "三"]
    assert "人才" in set(talent["term"])


def test_kwic_hits_carry_paths_and_raw_offsets(capsys):
    status, out, _ = run(capsys, "kwic", SEED, "人才", "--window", "5", "--format", "json")
    assert status == 0
    hits = json.loads(out)
    raw = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")
    assert hits and all(raw[h["raw_start"]:h["raw_end"]] == "人才" for h in hits)
    assert raw.count("人才") == len(hits)


def test_themes_and_compare(capsys):
    status, out, _ = run(capsys, "themes", SEED, "--by", "section")
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert {"document", "path", "theme", "hits", "share_tokens", "share_han", "share_sentences"} <= set(table.columns)
    status, out, _ = run(capsys, "compare", SEED + "#三", SEED + "#四", "--statistic", "g2")
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert {"term", "g2", "p", "p_fdr"} <= set(table.columns)
    top = table.sort_values("g2", ascending=False).iloc[0]
    assert top["g2"] > 0


def test_missing_file_exits_2_naming_it(capsys):
    status, _, err = run(capsys, "corpus", "no/such/speech.txt")
    assert status == 2
    assert "no/such/speech.txt" in err


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True,
                            cwd=project_root(), timeout=60)
    assert result.returncode == 0
    for command in ["corpus", "outline", "terms", "kwic", "themes", "compare", "report"]:
        assert command in result.stdout


def test_report_prints_the_figure_manifest(capsys, monkeypatch, tmp_path):
    from analysis.output import report

    def fake_run(*, corpus, document, out, progress):
        (tmp_path / "manifest.csv").write_text("stem,notebook\n02_structure_x,02_structure\n", encoding="utf-8")
        (tmp_path / "report.html").write_text("<html></html>", encoding="utf-8")
        assert (corpus, document, out) == ("my_corpus", "speech-2", str(tmp_path))
        return tmp_path / "report.html"

    monkeypatch.setattr(report, "run_notebooks", fake_run)
    status, out, err = run(capsys, "report", "--corpus", "my_corpus", "--out", str(tmp_path), "--document", "speech-2",
                           "--format", "json")
    assert status == 0
    assert json.loads(out)[0]["stem"] == "02_structure_x"
    assert "report.html" in err and "1 figures" in err
