"""python -m analysis: every command prints a table in CSV or JSON; bad input exits 2 naming the file."""

import io
import json
import subprocess
import sys

import numpy as np
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
    # the seed announces 5 points and numbers 4 (its fifth part, to the organization department, is unheaded)
    assert [(w["path"], w["kind"]) for w in payload["warnings"]] == [("", "announced")]
    status, out, _ = run(capsys, "outline", SEED)
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert {"path", "level", "number", "title", "start", "end", "han_chars", "share", "unheaded",
            "warnings"} <= set(table.columns)
    assert table.loc[0, "warnings"] == "announces 5 points, 4 found" and (table["warnings"].iloc[1:] == "").all()


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
    assert {"document", "path", "theme", "theme_hits", "word_tokens", "share_tokens", "share_han",
            "share_sentences"} <= set(table.columns)
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

    def fake_run(*, study, corpus, document, out, strict, progress):
        (tmp_path / "manifest.csv").write_text("stem,notebook\n02_structure_x,02_structure\n", encoding="utf-8")
        (tmp_path / "report.html").write_text("<html></html>", encoding="utf-8")
        assert (study, corpus, document, out, strict) == (None, "my_corpus", "speech-2", str(tmp_path), False)
        return tmp_path / "report.html"

    monkeypatch.setattr(report, "run_notebooks", fake_run)
    status, out, err = run(capsys, "report", "--corpus", "my_corpus", "--out", str(tmp_path), "--document", "speech-2",
                           "--format", "json")
    assert status == 0
    assert json.loads(out)[0]["stem"] == "02_structure_x"
    assert "report.html" in err and "1 figures" in err


# --------------------------------------------------------------------------- compare between speeches, --by

import pytest

from analysis.paths import shared_dir

SPEECHES = shared_dir() / "corpora" / "speeches.jsonl"

OWN_A = "同志们：\n一、人才工作\n" + "".join(f"要引进人才，用好人才第{i}批。\n" for i in range(1, 25))
OWN_B = "同志们：\n一、基层工作\n" + "".join(f"社区要服务群众，基层要减负第{i}项。\n" for i in range(1, 25))


@pytest.fixture
def own_folder(tmp_path):
    (tmp_path / "talent-2022.txt").write_text(OWN_A, encoding="utf-8")
    (tmp_path / "grassroots-2023.txt").write_text(OWN_B, encoding="utf-8")
    return tmp_path


def test_compare_themes_gives_the_shift_with_intervals(capsys, own_folder):
    status, out, _ = run(capsys, "compare", str(own_folder / "talent-2022.txt"), str(own_folder / "grassroots-2023.txt"),
                         "--themes", "--resamples", "300")
    assert status == 0
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(table.columns[:10]) == ["a", "b", "theme", "share_a", "share_b", "diff", "ci_low", "ci_high", "units_a",
                                        "units_b"]
    assert table["a"].iloc[0].endswith("talent-2022.txt") and table["b"].iloc[0].endswith("grassroots-2023.txt")
    talent = table.set_index("theme").loc["talent"]
    assert talent["diff"] == pytest.approx(talent["share_b"] - talent["share_a"])
    assert talent["ci_high"] < 0 and talent["units_a"] >= 20
    status, out, _ = run(capsys, "compare", str(own_folder / "talent-2022.txt"), str(own_folder / "grassroots-2023.txt"),
                         "--themes", "--unit", "paragraph", "--resamples", "100", "--format", "json")
    rows = json.loads(out)
    assert rows[0]["flag"] == ""  # 26 paragraphs on each side


def test_compare_significant_lists_only_significant_terms_both_ways(capsys, own_folder):
    a, b = str(own_folder / "talent-2022.txt"), str(own_folder / "grassroots-2023.txt")
    status, out, _ = run(capsys, "compare", a, b, "--significant", "--top", "2")
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert (table["p_fdr"] < 0.05).all()
    assert set(table["side"]) == {"A", "B"} and table.groupby("side").size().max() <= 2
    assert "人才" in set(table["term"]) and (table.loc[table["term"] == "人才", "f_reference"] == 0).all()
    status, out, _ = run(capsys, "compare", a, b, "--top", "3")
    table = pd.read_csv(io.StringIO(out))
    assert len(table) == 6


def test_compare_significant_and_compare_share_one_fdr_family(capsys, own_folder):
    """The family is fixed by the comparison, not the display: --significant only hides rows."""
    a, b = str(own_folder / "talent-2022.txt"), str(own_folder / "grassroots-2023.txt")
    status, out, err = run(capsys, "compare", a, b)
    full = pd.read_csv(io.StringIO(out)).set_index("term")
    assert status == 0 and "A = " in err and "B − A" in err
    status, out, _ = run(capsys, "compare", a, b, "--significant")
    shown = pd.read_csv(io.StringIO(out)).set_index("term")
    assert len(shown) and len(shown) < len(full)
    pd.testing.assert_series_equal(shown["p_fdr"], full.loc[shown.index, "p_fdr"], check_exact=True)
    assert shown["fdr_family_size"].eq(full["fdr_family_size"].iloc[0]).all()
    # the family: every term with at least 5 tokens on the two sides together, whatever is printed
    assert full["fdr_family_size"].iloc[0] == int(((full["f_target"] + full["f_reference"]) >= 5).sum())
    # and by hand: Benjamini–Hochberg over the family's p-values equals p_fdr
    from scipy import stats

    tested = full[full["tested"]]
    expected = stats.false_discovery_control(tested["p"].to_numpy(), method="bh")
    np.testing.assert_allclose(tested["p_fdr"].to_numpy(), expected, rtol=1e-12)


def test_compare_significant_with_no_row_says_so(capsys, tmp_path):
    (tmp_path / "x.txt").write_text("同志们：\n要做好人才工作。\n", encoding="utf-8")
    (tmp_path / "y.txt").write_text("同志们：\n要做好基层工作。\n", encoding="utf-8")
    status, out, err = run(capsys, "compare", str(tmp_path / "x.txt"), str(tmp_path / "y.txt"), "--significant")
    assert status == 0 and "no term is significant" in err


def test_track_refuses_an_unknown_theme_and_lists_the_themes(capsys):
    status, _, err = run(capsys, "track", "--theme", "talent", "nosuchtheme", SEED)
    assert status == 2 and "nosuchtheme" in err and "grassroots" in err
    status, out, _ = run(capsys, "track", "--theme", "talent", "grassroots", SEED, "--format", "json")
    assert status == 0 and {r["item"] for r in json.loads(out)} == {"talent", "grassroots"}


def test_compare_names_an_unknown_speech(capsys, own_folder):
    status, _, err = run(capsys, "compare", str(own_folder / "talent-2022.txt"), "no-such-speech-id",
                         "--corpus", str(own_folder))
    assert status == 2
    assert "no-such-speech-id" in err and "talent-2022" in err


def test_compare_takes_a_document_id_from_the_corpus_folder(capsys, own_folder):
    status, out, _ = run(capsys, "compare", "talent-2022", "grassroots-2023#一", "--corpus", str(own_folder), "--top", "1")
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert table["term"].tolist()[0] == "人才"


@pytest.mark.shared
def test_compare_a_file_with_a_reference_speech_id(capsys):
    status, out, _ = run(capsys, "compare", SEED, "p-xi-2020-zzlx", "--themes", "--resamples", "200", "--format", "json")
    assert status == 0
    rows = {r["theme"]: r for r in json.loads(out)}
    assert rows["talent"]["units_b"] == 73 and rows["talent"]["diff"] < 0


@pytest.mark.shared
@pytest.mark.parametrize("by", ["kind", "level", "year"])
def test_themes_and_terms_by_a_metadata_column(capsys, by):
    status, out, _ = run(capsys, "themes", str(SPEECHES), "--by", by)
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert table.columns[0] == by and table.groupby(by).size().eq(12).all()
    status, out, _ = run(capsys, "terms", str(SPEECHES), "--by", by, "--top", "2")
    assert status == 0
    terms = pd.read_csv(io.StringIO(out))
    assert terms.columns[0] == by and len(terms) > 0 and terms.groupby(by).size().max() <= 2


def test_by_an_unknown_column_exits_2(capsys, own_folder):
    status, _, err = run(capsys, "themes", str(own_folder), "--by", "nosuch")
    assert status == 2 and "nosuch" in err


@pytest.mark.parametrize("argv", [
    ["corpus", SEED], ["outline", SEED], ["terms", SEED, "--top", "5"], ["terms", SEED, "--by", "section", "--top", "2"],
    ["kwic", SEED, "人才"], ["themes", SEED], ["themes", SEED, "--by", "section"],
    ["track", "人才", "--theme", "talent", SEED], ["compare", SEED + "#三", SEED + "#四"],
    ["compare", SEED + "#三", SEED + "#四", "--themes", "--resamples", "50"], ["profiles", "list"],
    ["frequencies"],
])
def test_every_csv_column_the_cli_writes_is_in_the_glossary(capsys, argv):
    from analysis.results import undeclared_columns

    status, out, err = run(capsys, *argv)
    assert status == 0, err
    header = pd.read_csv(io.StringIO(out), nrows=0).columns
    assert len(header) and undeclared_columns(header) == []
