"""Fixtures shared by several test modules."""

import pytest

from analysis.paths import shared_dir


@pytest.fixture(scope="session")
def congress_fs():
    """Features of the 19th and 20th congress reports in ../shared/corpora, with their ids by congress.

    Skips (only the tests that use it) when ../shared/corpora is missing.
    """
    path = shared_dir() / "corpora" / "cpc-congress-reports.jsonl"
    if not path.exists():
        pytest.skip(f"../shared/corpora not found: {path}")
    from analysis.corpus import load_corpus
    from analysis.features import build_features

    docs = load_corpus([path])
    docs = docs[docs["congress"].astype(str).isin(["19", "20"])]
    return build_features(docs, progress=False), dict(zip(docs["congress"].astype(str), docs["id"]))
