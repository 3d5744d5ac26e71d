"""The echo and formulas commands: columns, modes, and every column declared in the glossary."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from analysis.cli import main
from analysis.paths import corpus_dir
from analysis.results import undeclared_columns

from test_relay import CITY, LOCAL, NAT, PLANTED, PROV

SEED = str(corpus_dir() / "organization-work-speech.txt")


@pytest.fixture()
def folders(tmp_path):
    """A local speech and three sources written for the tests, each file dated in its first line's manifest."""
    local = tmp_path / "local"
    local.mkdir()
    (local / "local.txt").write_text(LOCAL, encoding="utf-8")
    (local / "manifest.csv").write_text("id,file,date,level\nlocal,local.txt,2023-03-01,district\n", encoding="utf-8")
    sources = tmp_path / "sources"
    sources.mkdir()
    rows = ["id,file,date,level"]
    for name, text, date, level in [("nat", NAT, "2022-06-30", "national"), ("prov", PROV, "2022-12-20", "provincial"),
                                    ("city", CITY, "2023-01", "city")]:
        (sources / f"{name}.txt").write_text(text, encoding="utf-8")
        rows.append(f"{name},{name}.txt,{date},{level}")
    (sources / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return local, sources


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_echo_csv_columns_and_attribution(capsys, folders):
    local, sources = folders
    status, out, err = run(capsys, "echo", str(local), str(sources))
    assert status == 0, err
    table = pd.read_csv(io.StringIO(out))
    for column in ["section", "start", "end", "text", "source", "source_date", "source_level", "lag_days", "similarity"]:
        assert column in table.columns
    assert table["source"].tolist() == [source for _, source in PLANTED]
    assert undeclared_columns(table.columns) == []
    assert "passage mode" in err


def test_echo_json_names_the_mode_and_shares(capsys, folders):
    local, sources = folders
    status, out, _ = run(capsys, "echo", str(local), str(sources), "--format", "json")
    payload = json.loads(out)
    assert status == 0 and payload["mode"] == "passage" and len(payload["rows"]) == 3
    status, out, _ = run(capsys, "echo", str(local), str(sources), "--shares")
    shares = pd.read_csv(io.StringIO(out))
    assert status == 0 and undeclared_columns(shares.columns) == []
    assert set(shares["source_level"]) == {"all", "national", "city"}


def test_echo_against_profiles_is_formula_mode(capsys):
    status, out, err = run(capsys, "echo", str(corpus_dir()), "profiles")
    assert status == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert len(table) and (table["mode"] == "formula").all() and "formula mode" in err
    assert undeclared_columns(table.columns) == []
    # the seed is dated 2023: every source named is dated no later
    assert (pd.to_datetime(table["source_date"]) <= pd.Timestamp("2023-01-01")).all()


def test_echo_passage_mode_refuses_profiles(capsys):
    status, _, err = run(capsys, "echo", SEED, "profiles", "--mode", "passage")
    assert status == 2 and "profiles carry no text" in err


def test_formulas_discover(capsys, tmp_path):
    from test_formulas import DOCS

    for row in DOCS.itertuples():
        (tmp_path / f"{row.id}.txt").write_text(row.text, encoding="utf-8")
    status, out, err = run(capsys, "formulas", "discover", str(tmp_path), "--min-docs", "4", "--min-count", "4")
    assert status == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert undeclared_columns(table.columns) == []
    assert list(table.columns)[:2] == ["formula", "rule"]
