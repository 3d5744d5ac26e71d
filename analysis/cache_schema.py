"""The schema of the tables in a cache entry, checked before an entry is used.

A cache entry (:mod:`analysis.store`) is checksummed, so a damaged file is a miss; but an
entry whose checksum matches may still hold tables of another shape (written by other
code, or rewritten by hand). :func:`check_tables` holds each table to the columns the
current code writes, in order, and each column to its kind (whole numbers, numbers,
true/false, text), so a foreign entry is a miss and never an error deep inside an
analysis. It does not prove the counts right: what the checksum and this check do and do
not protect is said in the README (a shared cache is trusted like code).

>>> import pandas as pd
>>> check_tables({"sentence_tokens": pd.DataFrame({"document": ["a"], "sentence": [0], "word_tokens": [3]})},
...              counts_columns())
>>> check_tables({"sentence_tokens": pd.DataFrame({"sentence": [0], "word_tokens": [3]})}, counts_columns())
Traceback (most recent call last):
...
analysis.store.StoreError: table 'sentence_tokens' has columns ['sentence', 'word_tokens'], not ['document', 'sentence', 'word_tokens']
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

__all__ = ["check_tables", "counts_columns", "feature_columns"]

_INTS = {"level", "han_chars", "sentences", "paragraphs", "redactions", "own_han_chars", "sentence", "start", "end",
         "paragraph", "count", "quoted", "word_tokens", "hits", "covered_tokens", "covered_han", "occurrences",
         "mid_word_matches", "cooccurrences"}
_FLOATS = {"share_of_document", "share_of_parent", "own_share", "position"}
_BOOLS = {"unheaded", "is_stop"}


def feature_columns() -> dict[str, list[str]]:
    """The columns of the tables of a feature-cache entry (:class:`analysis.features.DocumentFeatures`)."""
    from analysis.features import tables as f  # the table module only: the features package imports this one
    from analysis.text.outline import _LENGTH_COLUMNS

    return {"nodes": list(_LENGTH_COLUMNS), "sentences": f.SENTENCE_COLUMNS, "tokens": f.TOKEN_COLUMNS}


def counts_columns() -> dict[str, list[str]]:
    """The columns of the tables of a file-counts entry (:func:`analysis.features.stream_features`)."""
    from analysis.features import tables as f
    from analysis.text.cooccurrence import PAIR_COLUMNS

    out = feature_columns()
    del out["tokens"]
    return {**out, "term_counts": f.TERM_COUNT_COLUMNS, "document_term_counts": f.DOCUMENT_COUNT_COLUMNS,
            "sentence_tokens": f.SENTENCE_TOKEN_COLUMNS,
            "theme_sentences": f.SENTENCE_THEME_COLUMNS, "theme_terms": f.THEME_TERM_COLUMNS,
            "theme_first": f.FIRST_HIT_COLUMNS, "term_occurrences": f.OCCURRENCE_COLUMNS,
            "cooccurrences": PAIR_COLUMNS}


def _dtype_ok(column: str, dtype) -> bool:
    """The kind test of a non-empty column by its dtype alone (a NumPy dtype by its kind letter)."""
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        letter = dtype.kind
        if column in _BOOLS:
            return letter == "b"
        if column in _INTS:
            return letter in "iu"
        if column in _FLOATS:
            return letter in "iuf"
        return False  # a number or true/false where text belongs
    if column in _BOOLS:
        return pd.api.types.is_bool_dtype(dtype)
    if column in _INTS:
        return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if column in _FLOATS:
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    return not pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def check_tables(tables: Mapping[str, pd.DataFrame], schema: Mapping[str, list[str]]) -> None:
    """Check the tables of an entry that ``schema`` names against their columns and kinds.

    Which tables an entry must hold is the caller's check (a feature entry holds the
    table fields of ``DocumentFeatures``, whatever they are; a table added to it later
    and not named in ``schema`` is not checked here).

    Args:
        tables: Table name → DataFrame, as :func:`analysis.store.read` returns them.
        schema: Table name → its columns in order (:func:`feature_columns`, :func:`counts_columns`).

    Returns:
        None when every table named in ``schema`` has its columns, in order, and their kinds.

    Raises:
        analysis.store.StoreError: Naming the first table or column that differs.
    """
    from analysis.store import StoreError

    for name, table in tables.items():
        if name not in schema:
            continue
        expected = schema[name]
        if list(table.columns) != expected:
            raise StoreError(f"table {name!r} has columns {list(table.columns)}, not {expected}")
        if not len(table):
            continue  # empty columns come back from Arrow as null-typed: nothing in them to misread
        for column, dtype in zip(expected, table.dtypes):  # one dtype each, no Series made per column
            if not _dtype_ok(column, dtype):
                raise StoreError(f"column {column!r} of table {name!r} has type {dtype}")
