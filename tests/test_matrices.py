"""Document × term and co-occurrence matrices: they sum to the count tables, round-trip through CSV and Parquet."""

from __future__ import annotations

import pandas as pd

from analysis.features import build_features
from analysis.output.matrix import write_matrix
from analysis.stats.matrices import cooccurrence_matrix, document_term_matrix
from analysis.stats.network import cooccurrence_edges, cooccurrence_pairs

# Short texts written for these tests (not from any corpus).
TEXTS = ["一、人才\n要引进人才，服务基层。人才要到基层去。\n", "一、干部\n干部要培养人才。干部联系基层。\n"]


def _fs():
    return build_features(pd.DataFrame({"id": ["a", "b"], "text": TEXTS}), progress=False, cache=False)


def test_document_term_matrix_sums_to_the_term_counts():
    fs = _fs()
    m = document_term_matrix(fs, stopwords=True, kinds=("word",))
    counts = fs.term_counts[fs.term_counts["kind"].astype(str) == "word"]
    expected = counts.groupby(["document", "token"], observed=True)["count"].sum()
    for (doc, term), value in expected.items():
        assert m.loc[doc, str(term)] == value
    assert int(m.to_numpy().sum()) == int(expected.sum())
    assert list(m.index) == ["a", "b"]


def test_cooccurrence_matrix_is_symmetric_and_equals_the_edges():
    fs = _fs()
    m = cooccurrence_matrix(cooccurrence_pairs(fs))
    assert (m.to_numpy() == m.to_numpy().T).all()
    for r in cooccurrence_edges(fs, min_count=1).itertuples():
        assert m.loc[r.term_a, r.term_b] == r.cooccurrences
        assert m.loc[r.term_a, r.term_a] == r.units_with_a


def test_csv_and_parquet_round_trip(tmp_path):
    m = document_term_matrix(_fs())
    back = pd.read_csv(write_matrix(m, tmp_path / "dtm.csv"), encoding="utf-8-sig", index_col="document")
    pd.testing.assert_frame_equal(back, m, check_dtype=False)
    pd.testing.assert_frame_equal(pd.read_parquet(write_matrix(m, tmp_path / "dtm.parquet")), m)
