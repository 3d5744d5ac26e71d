"""count_tokens and quoted_tokens (integer codes and bincount) against a plain pandas reference.

The reference is the straightforward computation: a groupby over the string columns,
then nodes in order of first appearance with each node's rows sorted by token, kind and
stopword flag; quoted tokens by shifting the string column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.features import TERM_COUNT_COLUMNS, build_features, count_tokens, quoted_tokens
from analysis.paths import corpus_dir

OPEN, CLOSE = tuple("“‘「『"), tuple("”’」』")


def reference_quoted(tokens: pd.DataFrame) -> np.ndarray:
    words = tokens["token"].astype(str)
    doc = tokens["document"]
    quoted = (words.shift(1, fill_value="").str[-1:].isin(OPEN) & words.shift(-1, fill_value="").str[:1].isin(CLOSE)
              & doc.eq(doc.shift(1)) & doc.eq(doc.shift(-1)))
    if {"start", "end"} <= set(tokens.columns):
        quoted &= tokens["start"].eq(tokens["end"].shift(1)) & tokens["end"].eq(tokens["start"].shift(-1))
    return (quoted & tokens["kind"].eq("word")).to_numpy(dtype=bool)


def reference_counts(tokens: pd.DataFrame) -> pd.DataFrame:
    tokens = tokens.reset_index(drop=True)
    frame = pd.DataFrame({
        "document": tokens["document"].to_numpy(dtype=object),
        "path": tokens["path"].to_numpy(dtype=object),
        "token": tokens["token"].astype(str).to_numpy(dtype=object),
        "kind": tokens["kind"].to_numpy(dtype=object),
        "is_stop": tokens["is_stop"].fillna(False).astype(bool).to_numpy(),
        "quoted": reference_quoted(tokens).astype(np.int64),
    })
    keys = ["document", "path", "token", "kind", "is_stop"]
    table = frame.groupby(keys, sort=False, dropna=False).agg(count=("quoted", "size"), quoted=("quoted", "sum")).reset_index()
    rank = table.groupby(["document", "path"], sort=False, dropna=False).ngroup()
    order = pd.DataFrame({"r": rank, "t": table["token"].astype(str), "k": table["kind"].astype(str), "s": table["is_stop"]})
    table = table.loc[order.sort_values(list(order.columns), kind="stable").index].reset_index(drop=True)
    return table.astype({"count": "int64", "quoted": "int64"})[TERM_COUNT_COLUMNS]


@pytest.fixture(scope="module")
def seed_tokens():
    text = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")
    docs = pd.DataFrame({"id": ["seed", "copy"], "text": [text, text[: len(text) // 3]]})
    return build_features(docs, progress=False, cache=False).tokens


def test_counts_equal_the_reference_on_the_seed(seed_tokens):
    got = count_tokens(seed_tokens)
    pd.testing.assert_frame_equal(got, reference_counts(seed_tokens))
    assert int(got["count"].sum()) == len(seed_tokens)
    assert got["quoted"].sum() > 10
    assert (quoted_tokens(seed_tokens) == reference_quoted(seed_tokens)).all()


def test_counts_equal_the_reference_on_hand_made_tables():
    t = pd.DataFrame({
        "document": ["a", "a", "a", "a", "b", "b", "b", "a"],
        "path": ["一", "一", "一", None, "一", "二", "二", "一"],
        "token": ["“", "主心骨", "”", "人才", "人才", 1, "1", "人才"],
        "kind": ["punct", "word", "punct", "word", "word", "number", "number", "word"],
        "is_stop": [False, False, False, False, None, False, False, True],
    })
    got = count_tokens(t)
    pd.testing.assert_frame_equal(got, reference_counts(t), check_dtype=False)
    # worked by hand: node (a, 一) holds “ 主心骨 ” 人才(stop); (b, 二) holds 1 twice (int 1 and "1")
    assert got.loc[(got["document"] == "b") & (got["path"] == "二"), "count"].tolist() == [2]
    assert got.loc[got["token"] == "主心骨", "quoted"].tolist() == [1]
    assert got.groupby(["document", "path"], sort=False, dropna=False).ngroups == 4


def test_quoted_needs_touching_marks_in_one_document():
    t = pd.DataFrame({"document": ["a", "a", "b", "b", "b", "b"], "token": ["“", "人才", "”", "“", "基层", "”"],
                      "kind": ["punct", "word", "punct", "punct", "word", "punct"],
                      "start": [0, 1, 0, 0, 2, 4], "end": [1, 3, 1, 1, 4, 5]})
    assert quoted_tokens(t).tolist() == [False, False, False, False, False, False]
    assert quoted_tokens(t.assign(start=[0, 1, 0, 0, 1, 3], end=[1, 3, 1, 1, 3, 4])).tolist() == \
        reference_quoted(t.assign(start=[0, 1, 0, 0, 1, 3], end=[1, 3, 1, 1, 3, 4])).tolist() == \
        [False, False, False, False, True, False]


@pytest.mark.parametrize("storage", ["pyarrow", "python", "object"])
def test_sorted_categoricals_equal_pandas_own(storage):
    """as_sorted_categorical (Arrow dictionary encoding) against pd.Categorical with the sorted distinct values."""
    import pyarrow as pa

    from analysis.features.counting import as_sorted_categorical

    rng = np.random.default_rng(7)
    words = np.array(["人才", "基层", "〓", "a", "", "𠀀字", "党的领导", "Z"], dtype=object)
    values = words[rng.integers(0, len(words), 500)].astype(object)
    values[rng.integers(0, 500, 40)] = None
    if storage == "object":
        series = pd.Series(values, dtype=object)
    else:
        series = pd.Series(values, dtype=pd.StringDtype(storage=storage, na_value=np.nan))
    if storage == "pyarrow":  # several chunks, as a concatenation leaves them
        series = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([values[:200].tolist(), values[200:].tolist()],
                                                                         type=pa.large_string())))
    got = as_sorted_categorical(series)
    distinct = sorted({v for v in values if v is not None})
    expected = pd.Categorical(list(values), categories=distinct)
    assert list(got.categories) == distinct
    assert np.array_equal(got.codes, expected.codes) and (got.codes == -1).sum() == sum(v is None for v in values)


def _compact_reference(table: pd.DataFrame) -> pd.DataFrame:
    """The text columns made categorical afterwards, by Arrow's dictionary encoding (as_sorted_categorical)."""
    from analysis.features.counting import as_sorted_categorical

    return table.assign(**{c: as_sorted_categorical(table[c].astype("str")) for c in ("document", "path", "token", "kind")})


def test_compact_counts_made_from_codes_equal_the_table_made_categorical(seed_tokens):
    hand = pd.DataFrame({"document": ["a", "a", "b"], "path": ["一", None, "二"], "token": ["人才", "基层", "人才"],
                         "kind": "word", "is_stop": False})
    # a selection's tokens: the document column keeps categories of documents no longer there
    selected = seed_tokens[seed_tokens["document"] == "copy"].reset_index(drop=True)
    assert set(selected["document"].cat.categories) == {"seed", "copy"}
    for tokens in (seed_tokens, hand, selected):
        got = count_tokens(tokens, compact=True)
        assert all(isinstance(got[c].dtype, pd.CategoricalDtype) for c in ("document", "path", "token", "kind"))
        pd.testing.assert_frame_equal(got, _compact_reference(count_tokens(tokens)))
    assert list(count_tokens(selected, compact=True)["document"].cat.categories) == ["copy"]
