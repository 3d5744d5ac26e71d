"""Reference profiles: identical analyses on a profile and on the full text, determinism, no text stored."""

from __future__ import annotations

import importlib.util
import json
import warnings

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis import paths
from analysis.features import ProfileError, build_features, combine
from analysis.profiles import (PROFILE_TABLES, ProfileStaleWarning, list_profiles, load_profiles, profile_tables,
                               profiles_dir, read_profile_tables, write_profiles)
from analysis.stats import counts as C
from analysis.stats import keyness as K
from analysis.stats import themes as T
from analysis.text.lexicon import lexicon_from_dict
from analysis.text.occurrences import profile_terms

SHARED = paths.shared_dir() / "corpora"
#: Twelve real documents of every collection and shape: the five organization-work speeches (one of them
#: with its line breaks lost: one paragraph), speeches on Party building, a city secretary's speech, a
#: government work report, an NPC resolution, the 20th congress report.
IDS = ["p-xi-2020-zzlx", "d-deng-1962-ganbu", "d-deng-1979-zzlx", "d-deng-1981-zqn", "d-deng-1982-jingjian",
       "d-deng-1950-xinan", "d-deng-1979-gaoji", "z-xi-2015-dangxiao", "party-building-texts:2",
       "gov-work-reports:5", "gov-work-reports:6", "cpc-congress-reports:15"]
SEED = paths.corpus_dir() / "organization-work-speech.txt"
N_RESAMPLES = 300


@pytest.fixture(scope="module")
def shared_documents(reference_corpus):
    docs, _ = reference_corpus  # the four corpora (not the saved pages), loaded once per test run (conftest.py)
    return docs[docs["id"].isin(IDS)].reset_index(drop=True)


@pytest.fixture(scope="module")
def pair(shared_documents, tmp_path_factory):
    """(full-text FeatureSet, the same documents loaded back from their written profiles)."""
    full = build_features(shared_documents, progress=False)
    folder = tmp_path_factory.mktemp("profiles")
    write_profiles(profile_tables(shared_documents, progress=False), folder)
    return full, load_profiles(folder), folder


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as objects with None for missing (a str column from Parquet says NaN, an object column None)."""
    out = frame.reset_index(drop=True)
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The two tables hold the same values, row by row and column by column."""
    assert_frame_equal(_plain(a), _plain(b), check_dtype=False)
    assert len(a) > 0


OCCURRENCE_COLUMNS = ["occurrences", "mid_word_matches", "occurrences_lower_bound"]


def _same_but_bounds(full: pd.DataFrame, prof: pd.DataFrame, term: str = "term") -> None:
    """A table of the full texts and the same table of their profiles: every count but the occurrences is
    identical; occurrences are identical for the terms the profiles stored and lower bounds for the others.

    The full texts count occurrences on the text, so a term found only across tokens can be a row there
    and not on the profile; the rows the profile has are compared one by one.
    """
    assert not full["occurrences_lower_bound"].any()
    keys = list(full.columns[: list(full.columns).index(term) + 1])
    merged = _plain(full).merge(_plain(prof), on=keys, how="outer", suffixes=("", "_p"), indicator=True)
    only_full = merged[merged["_merge"] == "left_only"]
    assert merged["_merge"].ne("right_only").all()
    # a row of the full texts alone: no token (or formula) counted, occurrences found only across tokens
    first_count = "tokens" if "tokens" in full.columns else "count"
    assert (only_full[first_count] == 0).all() and (only_full["occurrences"] > 0).all()
    both = merged[merged["_merge"] == "both"]
    for column in full.columns:
        if column in keys or column in OCCURRENCE_COLUMNS:
            continue
        a, b = both[column], both[column + "_p"]
        assert ((a == b) | (a.isna() & b.isna()) | (pd.to_numeric(a, errors="coerce").sub(
            pd.to_numeric(b, errors="coerce")).abs() < 1e-9)).all(), column
    stored = set(profile_terms())
    counted = both["occurrences"].notna()
    exact = both[term].isin(stored) & counted
    assert not both.loc[exact, "occurrences_lower_bound_p"].astype(bool).any()
    assert (both.loc[exact, "occurrences"] == both.loc[exact, "occurrences_p"]).all()
    assert (both.loc[exact, "mid_word_matches"] == both.loc[exact, "mid_word_matches_p"]).all()
    bound = ~both[term].isin(stored) & counted
    assert both.loc[bound, "occurrences_lower_bound_p"].astype(bool).all()
    assert (both.loc[bound, "occurrences_p"] <= both.loc[bound, "occurrences"]).all()
    assert both.loc[bound, "mid_word_matches_p"].isna().all()
    assert len(both) > 0


# --------------------------------------------------------------------------- identical results


@pytest.mark.shared
def test_the_profiles_hold_every_document_and_no_token_in_order(pair):
    full, prof, _ = pair
    assert sorted(prof.profiled) == sorted(IDS) and full.profiled == []
    assert prof.tokens.empty and prof.nodes["title"].isna().all()
    _same(full.term_counts, prof.term_counts)
    _same(full.sentence_tokens, prof.sentence_tokens)
    for name in ("sentences", "terms", "first"):
        _same(getattr(full.theme_counts(), name), getattr(prof.theme_counts(), name))


@pytest.mark.shared
def test_section_lengths_and_sentences_are_identical(pair):
    full, prof, _ = pair
    _same(full.nodes.drop(columns="title"), prof.nodes.drop(columns="title"))
    keep = ["document", "sentence", "path", "paragraph", "han_chars"]
    _same(full.sentences[keep], prof.sentences[keep])
    assert prof.documents.set_index("id").loc[IDS, "han_chars"].tolist() == \
        full.documents.set_index("id").loc[IDS, "han_chars"].tolist()


@pytest.mark.shared
@pytest.mark.parametrize("by", ["document", "section", "year", "kind", ["collection", "year"], None])
@pytest.mark.parametrize("stopwords", [True, False])
def test_term_frequencies_and_rates_are_identical(pair, by, stopwords):
    full, prof, _ = pair
    _same_but_bounds(C.term_frequencies(full, by=by, stopwords=stopwords),
                     C.term_frequencies(prof, by=by, stopwords=stopwords))


@pytest.mark.shared
def test_tfidf_and_formula_frequencies_are_identical(pair):
    full, prof, _ = pair
    _same(C.tfidf(full, by="document"), C.tfidf(prof, by="document"))
    _same_but_bounds(C.formula_frequencies(full, by="document"), C.formula_frequencies(prof, by="document"),
                     term="formula")
    assert C.formula_frequencies(prof)["quoted"].sum() > 0  # the quoted counts survive too


@pytest.mark.shared
@pytest.mark.parametrize("by", ["document", "section", "kind"])
def test_theme_coverage_index_and_diversity_are_identical(pair, by):
    full, prof, _ = pair
    a, b = T.theme_coverage(full, by=by), T.theme_coverage(prof, by=by)
    _same(a, b)
    for share in ("tokens", "han", "sentences"):
        _same(T.talent_grassroots_index(a, share=share), T.talent_grassroots_index(b, share=share))
    _same(T.attention_diversity(a), T.attention_diversity(b))


@pytest.mark.shared
@pytest.mark.parametrize("level", [1, 2])
def test_theme_dispersion_and_first_appearance_are_identical(pair, level):
    full, prof, _ = pair
    _same(T.theme_dispersion(full, level=level), T.theme_dispersion(prof, level=level))
    _same(T.first_appearance(full), T.first_appearance(prof))


SELECTIONS = [("p-xi-2020-zzlx", "d-deng-1962-ganbu"),
              ({"kind": "organization_work"}, {"kind": "party_building"}),
              ("cpc-congress-reports:15#一", ["gov-work-reports:5", "gov-work-reports:6"])]


@pytest.mark.shared
@pytest.mark.parametrize(("a", "b"), SELECTIONS)
@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
def test_shifts_with_bootstrap_are_identical(pair, a, b, unit):
    full, prof, _ = pair
    for share in ("tokens", "han", "sentences"):
        options = dict(share=share, unit=unit, n_resamples=N_RESAMPLES)
        _same(T.emphasis_shift(full, a, b, **options), T.emphasis_shift(prof, a, b, **options))
    _same(T.index_shift(full, a, b, unit=unit, n_resamples=N_RESAMPLES),
          T.index_shift(prof, a, b, unit=unit, n_resamples=N_RESAMPLES))


@pytest.mark.shared
@pytest.mark.parametrize(("a", "b"), SELECTIONS)
def test_keyness_and_word_shift_are_identical(pair, a, b):
    full, prof, _ = pair
    assert K.selection_totals(full, a) == K.selection_totals(prof, a)
    for statistic in ("g2", "fightin", "logratio"):
        _same(K.compare_terms(full, a, b, statistic=statistic), K.compare_terms(prof, a, b, statistic=statistic))
    for terms in ("themes", "all"):
        _same(T.word_shift(full, a, b, terms=terms), T.word_shift(prof, a, b, terms=terms))


@pytest.mark.shared
def test_a_mixed_feature_set_gives_the_numbers_of_the_full_texts(pair):
    """Half the documents as full texts, half as profiles, in one FeatureSet: same results as all full texts."""
    full, prof, _ = pair
    texts, profiled = IDS[::2], IDS[1::2]
    mixed = combine(full.select(texts), prof.select(profiled))
    reference = combine(full.select(texts), full.select(profiled))  # same document order as the mixed set
    assert sorted(mixed.profiled) == sorted(profiled)
    for by in ("section", "node"):
        a, b = C.term_frequencies(reference, by=by), C.term_frequencies(mixed, by=by)
        _same_but_bounds(a[a["document"].isin(profiled)], b[b["document"].isin(profiled)])
        _same(a[a["document"].isin(texts)], b[b["document"].isin(texts)])  # the full texts are counted alike
    _same(T.theme_coverage(reference, by="section"), T.theme_coverage(mixed, by="section"))
    a, b = texts[0], {"documents": profiled}
    _same(T.emphasis_shift(reference, a, b, n_resamples=N_RESAMPLES), T.emphasis_shift(mixed, a, b, n_resamples=N_RESAMPLES))
    _same(K.compare_terms(reference, a, b), K.compare_terms(mixed, a, b))
    _same(T.first_appearance(reference), T.first_appearance(mixed))


# --------------------------------------------------------------------------- refusals


@pytest.mark.shared
def test_running_text_analyses_refuse_a_profile_by_name(pair):
    full, prof, _ = pair
    mixed = combine(full.select(IDS[:1]), prof.select(IDS[1:2]))
    for call in (lambda: C.ngrams(mixed), lambda: C.collocations(mixed), lambda: C.kwic(mixed, "人才"),
                 lambda: C.segmentation_robustness(prof), lambda: T.theme_hits(mixed), lambda: T.rejected_matches(mixed)):
        with pytest.raises(ProfileError, match=IDS[1]):
            call()
    C.ngrams(mixed.select(IDS[:1]))  # the full text alone is fine
    from analysis.stats.reuse import section_similarity

    with pytest.raises(ProfileError, match="reference profile"):
        section_similarity(prof.documents.assign(text=None), IDS[0], IDS[1])


@pytest.mark.shared
def test_another_theme_lexicon_is_refused_for_profiles_but_not_for_full_texts(pair):
    full, prof, _ = pair
    other = lexicon_from_dict({"talent": {"label_zh": "人才", "terms": ["人才"]},
                               "grassroots": {"label_zh": "基层", "terms": ["基层"]}})
    assert T.theme_coverage(full, lexicon=other)["theme_hits"].sum() > 0
    with pytest.raises(ProfileError, match="rebuild the profiles"):
        T.theme_coverage(prof, lexicon=other)
    C.term_frequencies(prof)  # counts that do not depend on the lexicon still work


def test_combine_refuses_duplicate_ids_and_other_settings():
    docs = pd.DataFrame({"id": ["a"], "text": ["一、人才\n"]})
    a = build_features(docs, progress=False, cache=False)
    with pytest.raises(ValueError, match="twice"):
        combine(a, a)
    b = build_features(docs.assign(id="b"), progress=False, cache=False, settings=a.settings.replace(hmm=True))
    with pytest.raises(ValueError, match="different settings"):
        combine(a, b)


# --------------------------------------------------------------------------- storage


def _handmade_documents(tmp_path):
    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "a.txt").write_text("同志们：\n下面讲两点。\n一、重视人才\n要关心“人才”。\n二、夯实基层\n抓党建促乡村振兴。\n",
                                  encoding="utf-8")
    (folder / "b.txt").write_text("一、基层治理\n加强基层党组织建设。\n", encoding="utf-8")
    from analysis.io.corpus import load_corpus

    return folder, load_corpus(folder)


def test_building_twice_gives_identical_bytes(tmp_path):
    _, docs = _handmade_documents(tmp_path)
    for name in ("one", "two"):
        write_profiles(profile_tables(docs, progress=False), tmp_path / name)
    for file in [*PROFILE_TABLES.values(), "build.json"]:
        assert (tmp_path / "one" / file).read_bytes() == (tmp_path / "two" / file).read_bytes(), file


def test_a_handmade_profile_round_trips_and_lists(tmp_path):
    _, docs = _handmade_documents(tmp_path)
    write_profiles(profile_tables(docs, progress=False), tmp_path / "p")
    fs = load_profiles(tmp_path / "p")
    full = build_features(docs, progress=False, cache=False)
    for by in ("section", "node"):
        _same_but_bounds(C.term_frequencies(full, by=by), C.term_frequencies(fs, by=by))
        _same(T.theme_coverage(full, by=by), T.theme_coverage(fs, by=by))
    listed = list_profiles(tmp_path / "p")
    assert listed["id"].tolist() == ["a", "b"] and listed["han_chars"].tolist() == full.documents["han_chars"].tolist()
    assert {"id", "title", "date", "year", "level", "kind", "collection", "han_chars"} <= set(listed.columns)
    assert load_profiles(tmp_path / "p", ids=["b"]).profiled == ["b"]
    with pytest.raises(KeyError, match="no profile"):
        load_profiles(tmp_path / "p", ids=["zz"])
    with pytest.raises(FileNotFoundError, match="profiles build"):
        load_profiles(tmp_path / "nowhere")


def test_a_stale_profile_warns_with_the_rebuild_command(tmp_path):
    _, docs = _handmade_documents(tmp_path)
    tables = profile_tables(docs, progress=False)
    tables["documents"] = tables["documents"].assign(settings_fingerprint="0000000000000000")
    write_profiles(tables, tmp_path / "p")
    with pytest.warns(ProfileStaleWarning, match="make profiles"):
        load_profiles(tmp_path / "p")
    write_profiles(profile_tables(docs, progress=False), tmp_path / "q")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_profiles(tmp_path / "q")


# --------------------------------------------------------------------------- the shipped profiles


def _committed():
    if not (profiles_dir() / "build.json").is_file():
        pytest.fail("corpus/profiles/ is missing: run make profiles")
    return read_profile_tables()


def test_the_shipped_profiles_cover_every_collection_and_load():
    tables = _committed()
    docs = tables["documents"]
    assert len(docs) == 175 and docs["id"].is_unique
    assert docs["collection"].value_counts().to_dict() == {"speeches": 80, "gov-work-reports": 72,
                                                           "cpc-congress-reports": 15, "party-building-texts": 8}
    assert docs["year"].notna().all() and docs["text_sha256"].str.len().eq(64).all()
    assert docs["source_repository"].str.contains("/").all() and docs["corpus_row"].notna().all()
    absent = [f for f in PROFILE_TABLES.values() if not (profiles_dir() / f).is_file()]
    assert not absent, f"corpus/profiles lacks {absent}: run make profiles and commit"
    size = sum((profiles_dir() / f).stat().st_size for f in PROFILE_TABLES.values())
    assert size < 5_000_000
    with warnings.catch_warnings():
        warnings.simplefilter("error", ProfileStaleWarning)  # the committed profiles match the current code
        fs = load_profiles(collection="speeches")
    assert len(fs.documents) == 80 and fs.tokens.empty


@pytest.mark.shared
def test_no_profile_holds_a_passage_of_the_corpora():
    """No string column, read in stored order, contains a run of 24 characters of a corpus text."""
    spec = importlib.util.spec_from_file_location("copycheck", paths.shared_dir() / "tools" / "check_no_copied_text.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    windows = check.corpus_windows(paths.shared_dir())
    width = check.WINDOW
    metadata = {"title", "occasion", "note", "source", "source_url", "source_file", "region", "speaker_role"}
    for name, table in _committed().items():
        for column in table.columns:
            if name == "documents" and column in metadata:
                continue  # record metadata (titles, occasions), not text
            values = table[column]
            if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
                continue
            stream = "".join("".join(str(v).split()) for v in values.dropna())
            hits = [stream[i:i + width] for i in range(len(stream) - width + 1) if stream[i:i + width] in windows]
            assert not hits, f"{name}.{column} holds corpus text: {hits[0]!r}"
    counts = _committed()["term_counts"]
    assert counts.loc[counts["kind"] == "word", "token"].str.len().max() < width  # a Han token is never a passage


@pytest.mark.shared
@pytest.mark.slow
def test_rebuilding_from_the_shared_corpora_gives_the_committed_bytes(tmp_path):
    from analysis.profiles import build_profiles

    from analysis.speeches import reference_sources

    build_profiles(reference_sources(), out=tmp_path, progress=False, workers=2)
    for file in [*PROFILE_TABLES.values(), "build.json"]:
        assert (tmp_path / file).read_bytes() == (profiles_dir() / file).read_bytes(), \
            f"{file} differs from corpus/profiles: run make profiles and commit"


def test_the_cli_lists_and_builds_profiles(tmp_path, capsys):
    from analysis.cli import main

    assert main(["profiles", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 175 and {"id", "title", "date", "year", "level", "kind", "collection", "han_chars"} <= set(rows[0])
    folder, _ = _handmade_documents(tmp_path)
    assert main(["profiles", "build", str(folder), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("id,title,date,year") and len(captured.out.splitlines()) == 3
    assert "wrote the profiles of 2 documents" in captured.err
    assert main(["profiles", "list", str(tmp_path / "nowhere")]) == 2
    assert "profiles build" in capsys.readouterr().err


# --------------------------------------------------------------------------- stored occurrences

#: Texts written for these tests: formulas across token boundaries (全面深化改革|开放), after a cut
#: (创|新发展理念), across a redaction mark (改革××开放), and 人才 inside 人才强国战略 and across 个人|才能.
OCCURRENCE_TEXTS = {
    "a.txt": "同志们：\n一、全面深化改革开放\n要全面深化改革开放，坚持改革开放不动摇。××同志说，改革××开放要有新意。\n"
             "二、新发展理念\n坚持创新发展理念，完整准确全面贯彻新发展理念。\n",
    "b.txt": "一、人才工作\n实施人才强国战略，引进人才，发挥个人才能。坚持中国共产党的领导。\n",
}


def _occurrence_documents(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, text in OCCURRENCE_TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    from analysis.io.corpus import load_corpus

    return load_corpus(folder)


def _plain_count(text: str, term: str) -> int:
    """Occurrences written apart from the library: str.count on each stretch between redaction marks."""
    return sum(part.count(term) for part in text.split("\u3013"))


def test_a_profile_stores_the_occurrences_of_formulas_counted_on_the_text(tmp_path):
    docs = _occurrence_documents(tmp_path)
    write_profiles(profile_tables(docs, progress=False), tmp_path / "p")
    prof = load_profiles(tmp_path / "p")
    full = build_features(docs, progress=False, cache=False)
    texts = dict(zip(docs["id"], docs["text"]))
    stored = ["改革开放", "新发展理念", "人才", "党的领导"]
    assert set(stored) <= set(profile_terms())
    for fs in (full, prof):
        table = C.term_occurrences(fs, stored)
        assert not table["occurrences_lower_bound"].any()
        got = table.groupby(["document", "term"])["occurrences"].sum()
        for doc, text in texts.items():
            for term in stored:
                assert got.get((doc, term), 0) == _plain_count(text, term), (doc, term)
    # by hand: 2 in 全面深化改革|开放 (heading and sentence), 1 whole token, none across ××; 创|新发展理念 is mid-word
    a = C.term_frequencies(prof, by="document").set_index(["document", "term"])
    assert a.loc[("a", "改革开放"), "occurrences"] == 3 and a.loc[("a", "改革开放"), "tokens"] == 1
    check = C.occurrence_check(full, docs, ["改革开放", "新发展理念"]).set_index(["document", "term"])
    assert check.loc[("a", "改革开放"), "text_occurrences"] == 3 and check.loc[("a", "改革开放"), "across_tokens"] == 2
    assert check.loc[("a", "新发展理念"), "mid_word_matches"] == 1  # 创新发展理念
    from analysis.stats.track import track

    one = track(full, terms=stored, by="id").set_index(["id", "item"])
    two = track(prof, terms=stored, by="id").set_index(["id", "item"])
    for column in ("occurrences", "mid_word_matches", "occurrences_lower_bound", "tokens"):
        assert one[column].tolist() == two[column].tolist(), column
    assert two.loc[("a", "新发展理念"), "mid_word_matches"] == 1 and two.loc[("b", "党的领导"), "mid_word_matches"] == 1


def test_other_terms_on_a_profile_are_lower_bounds(tmp_path):
    docs = _occurrence_documents(tmp_path)
    write_profiles(profile_tables(docs, progress=False), tmp_path / "p")
    prof = load_profiles(tmp_path / "p")
    full = build_features(docs, progress=False, cache=False)
    assert "深化改革开放" not in profile_terms()
    text = dict(zip(docs["id"], docs["text"]))["a"]
    on_text = C.term_occurrences(full, ["深化改革开放"])
    on_profile = C.term_occurrences(prof, ["深化改革开放"])
    assert on_text["occurrences"].sum() == _plain_count(text, "深化改革开放") == 2
    assert on_profile.empty  # split 全面深化改革|开放 in every place: invisible in the term counts
    from analysis.stats.track import track

    with pytest.warns(UserWarning, match="several tokens"):
        row = track(prof, terms=["深化改革开放"], by="id").set_index("id").loc["a"]
    assert row["occurrences"] == 0 and bool(row["occurrences_lower_bound"]) and pd.isna(row["mid_word_matches"])
    freq = C.term_frequencies(prof).set_index(["document", "term"])
    assert freq.loc[("a", "改革开放"), "occurrences_lower_bound"] == False  # noqa: E712 - stored
    assert freq.loc[("a", "坚持"), "occurrences_lower_bound"] == True  # noqa: E712 - not stored


def test_a_profiles_folder_without_stored_occurrences_still_loads(tmp_path):
    docs = _occurrence_documents(tmp_path)
    write_profiles(profile_tables(docs, progress=False), tmp_path / "p")
    (tmp_path / "p" / PROFILE_TABLES["term_occurrences"]).unlink()  # as a folder built before the table existed:
    build = json.loads((tmp_path / "p" / "build.json").read_text(encoding="utf-8"))  # its build.json never knew it
    del build["files_sha256"][PROFILE_TABLES["term_occurrences"]]
    (tmp_path / "p" / "build.json").write_text(json.dumps(build), encoding="utf-8")
    prof = load_profiles(tmp_path / "p")
    table = C.term_frequencies(prof)
    counted = table["occurrences"].notna()
    assert table.loc[counted, "occurrences_lower_bound"].all() and table.loc[counted, "mid_word_matches"].isna().all()
    assert table.loc[~counted, "term"].str.len().eq(1).all()
    # term counts see 改革开放 only where it is a whole token: 1 of the 3 in the text
    assert table.set_index(["document", "term"]).loc[("a", "改革开放"), "occurrences"] == 1
