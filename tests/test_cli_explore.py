"""The command line of issue 25: network, codes, and a profiles folder as a PATH of track, terms and themes."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis.cli import main
from analysis.profiles import profile_tables, write_profiles
from analysis.results import undeclared_columns

# Short texts written for these tests (not from any corpus).
TEXT_A = "一、人才工作\n要引进人才，服务基层。人才要到基层去。干部要关心人才。\n二、基层治理\n基层党组织要有人才。村书记是人才。\n"
TEXT_B = "一、干部队伍\n干部要培养人才。干部是人才。\n二、人才\n人才服务基层。干部关心人才。\n"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli25")
    (root / "texts").mkdir()
    (root / "texts" / "a.txt").write_text(TEXT_A, encoding="utf-8")
    docs = pd.DataFrame({"id": ["b"], "text": [TEXT_B], "source_path": ["b.txt"], "sha256": ["1"],
                         "date": ["2001"], "kind": ["speech"]})
    write_profiles(profile_tables(docs, progress=False), root / "profiles")
    return root


def _run(capsys, *argv) -> pd.DataFrame:
    assert main(list(argv)) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(out))
    assert undeclared_columns(table.columns) == []
    return table


def test_track_terms_and_themes_read_a_profiles_folder(folders, capsys):
    table = _run(capsys, "track", "人才", "基层", "--by", "decade", str(folders / "profiles"))
    assert set(table["item"]) == {"人才", "基层"} and table["documents"].sum() == 2
    terms = _run(capsys, "terms", str(folders / "profiles"), str(folders / "texts"))
    assert set(terms["document"]) == {"a", "b"}
    themes = _run(capsys, "themes", str(folders / "profiles"))
    assert set(themes["document"]) == {"b"}


def test_network_nodes_edges_and_difference(folders, capsys):
    edges = _run(capsys, "network", str(folders / "texts"), "--min-count", "1")
    assert {"term_a", "term_b", "weight"} <= set(edges.columns) and len(edges) > 0
    nodes = _run(capsys, "network", str(folders / "texts"), "--min-count", "1", "--nodes")
    assert {"term", "community"} <= set(nodes.columns)
    diff = _run(capsys, "network", str(folders / "texts"), str(folders / "profiles"), "--document", "a",
                "--against", "b", "--min-count", "1", "--layer", "theme")
    assert set(diff["status"]) <= {"gained", "lost", "kept"} and len(diff) > 0


def test_codes_cells_and_tests(folders, capsys):
    cells = _run(capsys, "codes", str(folders / "texts"))
    assert {"code", "group", "residual", "small_expected"} <= set(cells.columns)
    tests = _run(capsys, "codes", str(folders / "texts"), "--tests")
    assert {"pearson_chi2", "dof", "p"} <= set(tests.columns)


def test_codes_refuse_a_bad_rule_with_its_position(folders, tmp_path, capsys):
    bad = tmp_path / "codes.yaml"
    bad.write_text("codes:\n  x: {rule: '人才 AND'}\n", encoding="utf-8")
    assert main(["codes", str(folders / "texts"), "--codes", str(bad)]) == 2
    assert "rule 'x', position 7" in capsys.readouterr().err


def test_dispersion_terms_and_themes(folders, capsys):
    table = _run(capsys, "dispersion", "人才", str(folders / "texts"))
    assert set(table["item"]) == {"人才"} and table["position"].between(0, 1).all()
    themes = _run(capsys, "dispersion", "--theme", "talent", "--", str(folders / "profiles"))
    assert set(themes["document"]) == {"b"}
