"""CSV that cannot execute: every CSV the project writes goes through :func:`to_csv_text`.

A spreadsheet (Excel, LibreOffice, Numbers) treats a cell whose text begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula, and our CSVs carry
a byte-order mark precisely so that Excel opens them. A speech title, a region, an
outline heading or a KWIC context is text from a file someone sent us, so such a cell
is *neutralised*: a single quote ``'`` is put in front of it, as the OWASP advice on
CSV injection says (https://owasp.org/www-community/attacks/CSV_Injection).

What is neutralised, and what is not:

- Only **string** cells (and string column names and index labels). Numeric columns
  stay numbers: a log ratio of ``-1.5`` is written as ``-1.5``, a spreadsheet reads it
  as the number it is, and a number cannot carry a formula. The string ``"-1.5"``
  (say, a title) is written ``'-1.5``.
- A string that already begins with quotes followed by a trigger (``'=x``) gets one
  more quote, so :func:`restore_cell` undoes the escaping exactly: reading our own
  CSVs back (the figure manifest) gives the original strings.
- JSON output is never escaped: it is for programs, and stays exact.

>>> neutralize_cell("=HYPERLINK(\\"http://x\\")"), neutralize_cell("-3"), neutralize_cell(-3), neutralize_cell("人才")
('\\'=HYPERLINK("http://x")', "'-3", -3, '人才')
>>> restore_cell(neutralize_cell("'=x")) == "'=x"
True
>>> import pandas as pd
>>> print(to_csv_text(pd.DataFrame({"title": ["@SUM(A1)", "讲话"], "log_ratio": [-1.5, 2.0]})), end="")
title,log_ratio
'@SUM(A1),-1.5
讲话,2.0
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "neutralize_cell", "neutralize_formulas", "restore_cell",
           "restore_formulas", "to_csv_text"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_TRIGGERED = re.compile("'*[=+\\-@\t\r]")
_ESCAPED = re.compile("'+[=+\\-@\t\r]")


def neutralize_cell(value: Any) -> Any:
    """Return ``value`` with ``'`` in front when it is a string a spreadsheet would run.

    Args:
        value: Any cell value; only ``str`` values can change.

    Returns:
        ``"'" + value`` for a string beginning with one of :data:`FORMULA_TRIGGERS`
        (or with quotes followed by one), else ``value`` unchanged.

    >>> neutralize_cell("+86"), neutralize_cell("\\t=1"), neutralize_cell(1.5)
    ("'+86", "'\\t=1", 1.5)
    """
    if isinstance(value, str) and _TRIGGERED.match(value):
        return "'" + value
    return value


def restore_cell(value: Any) -> Any:
    """Undo :func:`neutralize_cell` (for reading back a CSV this project wrote).

    >>> restore_cell("'=1+1"), restore_cell("'quoted"), restore_cell(3)
    ('=1+1', "'quoted", 3)
    """
    if isinstance(value, str) and _ESCAPED.match(value):
        return value[1:]
    return value


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype) or isinstance(
        column.dtype, pd.CategoricalDtype)


def _apply(table: pd.DataFrame, cell) -> pd.DataFrame:
    out = table.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if not _is_text(column):
            continue
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.cat.rename_categories([cell(c) for c in column.cat.categories])
        else:
            column = _each_distinct(column, cell)
        out.isetitem(position, column)
    out.columns = _labels(out.columns, cell)
    out.index = _labels(out.index, cell)
    return out


def _each_distinct(column: pd.Series, cell) -> pd.Series:
    """``column.map(cell)`` for a ``cell`` that returns its argument itself when it changes nothing: ``cell``
    is applied once per distinct value (a terms table repeats each document and term on many rows), and
    only the rows whose value changes are replaced (the column as it is when none does)."""
    try:
        codes, uniques = pd.factorize(column)  # missing values: code -1, never passed to cell (they never change)
    except TypeError:  # a cell that cannot be hashed (a list): every cell on its own
        return column.map(cell)
    before = list(uniques)
    after = [cell(u) for u in before]
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a is not b]
    if not changed:
        return column
    rows = np.isin(codes, changed)
    if column.dtype == object:  # through NumPy: a Series assignment would turn the column's None into NaN
        values = column.to_numpy(dtype=object, copy=True)
        values[rows] = np.asarray(after, dtype=object)[codes[rows]]
        return pd.Series(values, index=column.index, name=column.name, dtype=object)
    out = column.copy()
    out[rows] = np.asarray(after, dtype=object)[codes[rows]]
    return out


def _labels(index: pd.Index, cell) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_labels(level, cell) for level in index.levels])
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return index.map(cell)
    return index


def neutralize_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``table`` whose string cells and labels cannot run as formulas.

    Args:
        table: Any DataFrame. Not modified.

    Returns:
        The same columns and dtypes; string cells (object, ``str`` and categorical
        columns), string column names and string index labels passed through
        :func:`neutralize_cell`. Numeric, boolean and date columns are unchanged.

    >>> neutralize_formulas(pd.DataFrame({"=a": ["-x", "y"], "n": [-1, 2]})).to_dict("list")
    {"'=a": ["'-x", 'y'], 'n': [-1, 2]}
    """
    return _apply(table, neutralize_cell)


def restore_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralize_formulas` on a table read back from our own CSV.

    >>> restore_formulas(pd.DataFrame({"title": ["'=x", "'note"]}))["title"].tolist()
    ['=x', "'note"]
    """
    return _apply(table, restore_cell)


def to_csv_text(table: pd.DataFrame | pd.Series, *, index: bool = False) -> str:
    """Return ``table`` as CSV text (``\\n`` line ends) with formula cells neutralised.

    The one way this project writes a CSV: the command line's ``--format csv``, the
    figure CSVs, ``figures/manifest.csv`` and ``figures/findings.csv`` all use it.

    Args:
        table: The table (a Series is written as a one-column table).
        index: Write the index as the first column(s).

    Returns:
        The CSV text.

    >>> to_csv_text(pd.DataFrame({"context": ["-是基层", "是基层"]}))
    "context\\n'-是基层\\n是基层\\n"
    """
    if isinstance(table, pd.Series):
        table = table.to_frame()
    return neutralize_formulas(table).to_csv(index=index, lineterminator="\n")


def write_csv(table: pd.DataFrame | pd.Series, out, *, index: bool = False, chunk_rows: int = 50_000) -> None:
    """Write ``table`` as :func:`to_csv_text` would, to the text stream ``out``, a slice of rows at a time.

    The same bytes as ``out.write(to_csv_text(table))``, without the whole CSV held as one
    string (for a large table that string is several times the table's size).

    Args:
        table: The table (a Series is written as a one-column table).
        out: A writable text stream.
        index: Write the index as the first column(s).
        chunk_rows: Rows converted and written at a time.

    >>> import io
    >>> t = pd.DataFrame({"term": ["-是", "人才", "基层"], "n": [1, 2, 3]})
    >>> buf = io.StringIO(); write_csv(t, buf, chunk_rows=2); buf.getvalue() == to_csv_text(t)
    True
    """
    if isinstance(table, pd.Series):
        table = table.to_frame()
    if len(table) <= chunk_rows:
        out.write(to_csv_text(table, index=index))
        return
    for start in range(0, len(table), chunk_rows):
        part = neutralize_formulas(table.iloc[start:start + chunk_rows])
        out.write(part.to_csv(index=index, header=start == 0, lineterminator="\n"))

