"""The views researchers already know, from the command line: ngrams, collocations, similarity, dispersion, first.

Each command in CSV and JSON on the seed, on short texts written here and on the shipped
profiles (corpus/profiles) where counts allow; the commands that need token order refuse a
profiles folder saying why. CSV equals the library function's table.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.paths import corpus_dir
from analysis.profiles import profile_tables, write_profiles
from analysis.results import undeclared_columns

SEED = str(corpus_dir() / "organization-work-speech.txt")
PROFILES = str(corpus_dir() / "profiles")
SEED_ID = "organization-work-speech"

# Short texts written for these tests (not from any corpus).
TEXT_A = "一、人才工作\n要引进人才，服务基层。引进人才要到基层去。干部要关心人才。\n二、基层治理\n基层党组织要引进人才。村书记是人才。\n"
TEXT_B = "一、干部队伍\n干部要培养人才。干部是人才。\n二、人才\n人才服务基层。干部关心人才。\n"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    (root / "texts").mkdir()
    (root / "texts" / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (root / "texts" / "b.txt").write_text(TEXT_B, encoding="utf-8")
    docs = pd.DataFrame({"id": ["c"], "text": [TEXT_B], "source_path": ["c.txt"], "sha256": ["1"], "date": ["2001"]})
    write_profiles(profile_tables(docs, progress=False), root / "profiles")
    return root


def _csv(capsys, *argv) -> pd.DataFrame:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert status == 0, err
    table = pd.read_csv(io.StringIO(out), keep_default_na=False, na_values=[""])
    assert len(table.columns) and undeclared_columns(table.columns) == []
    return table


def _both(capsys, *argv) -> pd.DataFrame:
    """The CSV table, after checking the JSON records hold the same rows and columns."""
    table = _csv(capsys, *argv)
    assert main([argv[0], "--format", "json", *argv[1:]]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == len(table) and (not records or list(records[0]) == list(table.columns))
    return table


def _refused(capsys, *argv) -> str:
    assert main(list(argv)) == 2
    return capsys.readouterr().err


# --------------------------------------------------------------------------- ngrams and collocations


def test_ngrams_on_short_texts_are_counted_by_hand(folders, capsys):
    table = _both(capsys, "ngrams", str(folders / "texts"), "--min-count", "1")
    a = table[table["document"] == "a"].set_index("ngram")
    assert a.loc["引进 人才", "count"] == TEXT_A.count("引进人才") == 3
    assert set(table["document"]) == {"a", "b"}
    top = _csv(capsys, "ngrams", str(folders / "texts"), "--min-count", "1", "--top", "1", "--n", "3")
    assert top.groupby("document").size().max() == 1 and top["ngram"].str.count(" ").eq(2).all()


def test_ngrams_and_collocations_on_the_seed_equal_the_library(capsys):
    from analysis.features import build_features
    from analysis.io.corpus import load_corpus
    from analysis.stats.counts import collocations, ngrams

    fs = build_features(load_corpus([SEED]), progress=False)
    table = _both(capsys, "ngrams", SEED, "--by", "node", "--top", "3")
    direct = ngrams(fs, by="node", min_count=2).groupby(["document", "path"], sort=False).head(3)
    assert table["ngram"].tolist() == direct["ngram"].tolist()
    assert table["count"].tolist() == direct["count"].tolist()
    table = _both(capsys, "collocations", SEED, "--term", "人才", "--top", "5")
    direct = collocations(fs, term="人才").head(5)
    assert table["term2"].tolist() == direct["term2"].tolist()
    np.testing.assert_allclose(table["g2"], direct["g2"], rtol=1e-12)


def test_collocations_on_short_texts(folders, capsys):
    table = _both(capsys, "collocations", str(folders / "texts"), "--min-count", "2", "--statistic", "pmi")
    assert {"term1", "term2", "cooccurrences", "pmi", "g2", "p"} <= set(table.columns)
    assert table["pmi"].is_monotonic_decreasing and (table["cooccurrences"] >= 2).all()


@pytest.mark.parametrize("command", ["ngrams", "collocations"])
def test_token_order_commands_refuse_profiles_and_say_why(folders, capsys, command):
    err = _refused(capsys, command, PROFILES)
    assert "profiles folder" in err and "order" in err and "pass the texts" in err

    err = _refused(capsys, command, str(folders / "texts"), str(folders / "profiles"))
    assert str(folders / "profiles") in err


def test_ngrams_by_section_sum_the_counts_of_each_section_and_its_descendants(capsys):
    """A section's n-grams (by="section": a node with everything under it) are those of its own node and of
    every node below it, summed; on the seed a descendant's path starts with its section's path (三 → 三（一）)."""
    sections = _csv(capsys, "ngrams", SEED, "--by", "section", "--min-count", "1")
    nodes = _csv(capsys, "ngrams", SEED, "--by", "node", "--min-count", "1")
    assert {"一", "三", "三（一）"} <= set(sections["path"])
    for path in ("一", "三", "三（一）", "preamble"):
        mine = nodes[nodes["path"].str.startswith(path)].groupby("ngram")["count"].sum().sort_index()
        theirs = sections[sections["path"] == path].set_index("ngram")["count"].sort_index()
        assert len(theirs) and theirs.equals(mine), path


# --------------------------------------------------------------------------- similarity


def test_similarity_pairs_on_short_texts_and_profiles(folders, capsys):
    from scipy.spatial.distance import jensenshannon

    table = _both(capsys, "similarity", str(folders / "texts"), str(folders / "profiles"), "--min-count", "1")
    assert len(table) == 3  # a-b, a-c, b-c
    pair = table.set_index(["document_a", "document_b"]).loc[("b", "c")]
    assert pair["jsd_bits"] == pytest.approx(0.0, abs=1e-12) and pair["cosine"] == pytest.approx(1.0)  # c is b
    from analysis.features import build_features, combine
    from analysis.io.corpus import load_corpus
    from analysis.profiles import load_profiles
    from analysis.stats.similarity import profile_matrix

    fs = combine(build_features(load_corpus([str(folders / "texts")]), progress=False),
                 load_profiles(folders / "profiles"))
    m = profile_matrix(fs, min_count=1)
    ab = table.set_index(["document_a", "document_b"]).loc[("a", "b")]
    assert ab["jsd_bits"] == pytest.approx(jensenshannon(m.loc["a"], m.loc["b"], base=2) ** 2, abs=1e-12)


def test_similarity_on_the_shipped_profiles_and_the_seed(capsys):
    themes = _both(capsys, "similarity", PROFILES, "--on", "themes")
    n = len(pd.read_parquet(corpus_dir() / "profiles" / "documents.parquet"))
    assert len(themes) == n * (n - 1) // 2 and themes["jsd_bits"].dropna().between(0, 1 + 1e-12).all()  # NaN: no hit; 1 + round-off
    near = _both(capsys, "similarity", SEED, PROFILES, "--document", SEED_ID)
    assert len(near) == n and near["jsd_bits"].is_monotonic_increasing and SEED_ID not in set(near["document"])
    err = _refused(capsys, "similarity", SEED, "--document", "no-such-speech")
    assert "no-such-speech" in err and SEED_ID in err


# --------------------------------------------------------------------------- dispersion and first appearance


def test_dispersion_dp_of_terms_and_themes(folders, capsys):
    table = _both(capsys, "dispersion", "人才", "基层", "--theme", "talent", "--dp", "--", str(folders / "texts"))
    assert table["item"].tolist() == ["人才", "基层", "talent"] * 2
    assert (table["document"].tolist() == ["a"] * 3 + ["b"] * 3) and table["dp"].between(0, 1).all()
    b = table[(table["document"] == "b") & (table["item"] == "人才")].iloc[0]
    assert b["hits"] == TEXT_B.count("人才") and b["parts"] == 2
    seed = _both(capsys, "dispersion", "人才", "--dp", SEED)
    assert seed.loc[0, "hits"] == 44 and seed.loc[0, "top_part"] == "三"  # 44 occurrences, as KWIC finds
    shipped = _both(capsys, "dispersion", "--dp", "--theme", "talent", PROFILES)
    assert shipped["item"].eq("talent").all() and shipped["dp"].dropna().between(0, 1).all()
    assert shipped["hits"].gt(0).any()


def test_first_appearance_of_terms_and_themes(folders, capsys):
    table = _both(capsys, "first", "基层", "人才", "--theme", "talent", "--", str(folders / "texts"))
    a = table[table["document"] == "a"].set_index("item")
    assert a.loc["人才", "path"] == "一" and a.loc["人才", "term"] == "人才"
    assert a.loc["人才", "order"] == 1 and a.loc["基层", "order"] == 3  # talent ties 人才 at the same start
    seed = _both(capsys, "first", "人才", "--theme", "talent", "grassroots", SEED)
    assert seed.set_index("item").loc["人才", "path"] == "一（二）"
    shipped = _both(capsys, "first", "--theme", "talent", PROFILES)
    assert shipped["path"].notna().any() and shipped["position"].dropna().between(0, 1).all()
    themes_of_profile = _both(capsys, "first", "--theme", "talent", "--", str(folders / "profiles"))
    assert themes_of_profile.loc[0, "path"] == "一"


@pytest.mark.parametrize("command", ["first", "dispersion"])
def test_terms_of_profiles_are_refused_and_paths_are_needed(capsys, command):
    err = _refused(capsys, command, "人才", PROFILES)
    assert "profiles folder" in err and "--theme" in err
    err = _refused(capsys, command, "人才", "no-such-file.txt")
    assert "needs at least one PATH" in err
    err = _refused(capsys, command, "--theme", "nosuchtheme", SEED)
    assert "nosuchtheme" in err and "talent" in err


# --------------------------------------------------------------------------- track on the shipped profiles


def test_track_reads_the_shipped_profiles(capsys):
    table = _both(capsys, "track", "人才", "基层", "--by", "decade", PROFILES)
    assert set(table["item"]) == {"人才", "基层"} and table["documents"].gt(0).all()
    assert table.groupby("item")["occurrences"].sum().gt(0).all()
