"""Metadata helpers the analyses share: year and decade, and what a group of speeches holds.

:func:`with_year` gives every documents table an integer ``year`` and ``decade``;
:func:`describe_group` says who is in a comparison group (n, years, levels, kinds,
speaker roles) and warns when the group is too small, spans too many years or mixes
national leaders with local speakers (:mod:`analysis.results` holds the limits).

>>> docs = pd.DataFrame({"id": ["a", "b", "c"], "date": ["1962-01-01", "2020", "2023-05"],
...                      "level": ["national", "national", "district"]})
>>> with_year(docs)[["year", "decade"]].values.tolist()
[[1962, 1960], [2020, 2020], [2023, 2020]]
>>> g = describe_group(docs, ["a", "b", "c"], name="all")
>>> g[["group", "speeches", "years"]].values.tolist()
[['all', 3, '1962–2023']]
>>> g["group_warning"].iloc[0]
'only 3 speeches (< 5); spans 61 years (> 20); mixes national and local speakers'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.calendar import LOCAL_LEVELS, level_class, with_decade, with_year
from analysis.results import MAX_GROUP_SPAN_YEARS, MIN_GROUP, declare

__all__ = ["with_year", "with_decade", "describe_group", "group_warning", "corpus_totals", "collection_summary",
           "level_class", "LOCAL_LEVELS"]


def _values(meta: pd.DataFrame, column: str) -> list[str]:
    if column not in meta.columns:
        return []
    return sorted({str(v) for v in meta[column].dropna() if str(v).strip()})


def group_warning(meta: pd.DataFrame, *, min_group: int = MIN_GROUP, max_span: int = MAX_GROUP_SPAN_YEARS) -> str:
    """Why a group of speeches should be compared with care; ``""`` when nothing applies.

    Args:
        meta: The group's rows of a documents table (``year``/``date``, ``level`` when known).
        min_group: Fewest speeches without a warning.
        max_span: Most years between the first and the last speech without a warning.
    """
    meta = with_year(meta)
    parts = []
    n = len(meta)
    if n < min_group:
        parts.append(f"only {n} speech{'' if n == 1 else 'es'} (< {min_group})")
    years = pd.to_numeric(meta["year"], errors="coerce").dropna() if "year" in meta.columns else pd.Series([])
    if len(years) and int(years.max() - years.min()) > max_span:
        parts.append(f"spans {int(years.max() - years.min())} years (> {max_span})")
    levels = {level_class(v) for v in _values(meta, "level")}
    if "national" in levels and "local" in levels:
        parts.append("mixes national and local speakers")
    return "; ".join(parts)


def describe_group(documents: pd.DataFrame, ids: Sequence[str], *, name: str = "") -> pd.DataFrame:
    """Who is in a group of speeches: n, years, levels, kinds, speaker roles, and a warning.

    Args:
        documents: A documents table (``id`` and metadata).
        ids: The group's ids.
        name: The group's name.

    Returns:
        One row: ``group, speeches, years`` (``first–last``), ``levels, kinds,
        speaker_roles`` (distinct values joined by ``, ``), ``group_warning``
        (:func:`group_warning`). Declared as a ``group`` result.
    """
    wanted = {str(i) for i in ids}
    meta = with_year(documents[documents["id"].astype(str).isin(wanted)])
    years = pd.to_numeric(meta["year"], errors="coerce").dropna() if "year" in meta.columns else pd.Series([])
    span = "" if not len(years) else (f"{int(years.min())}" if years.min() == years.max()
                                      else f"{int(years.min())}–{int(years.max())}")
    row = {"group": name, "speeches": len(meta), "years": span,
           "levels": ", ".join(_values(meta, "level")), "kinds": ", ".join(_values(meta, "kind")),
           "speaker_roles": ", ".join(_values(meta, "speaker_role")), "group_warning": group_warning(meta)}
    return declare(pd.DataFrame([row]), result="group")


def corpus_totals(table: pd.DataFrame) -> pd.DataFrame:
    """The corpus in one row: ``documents`` and the sums of its size columns (those it has).

    Args:
        table: A corpus table (:func:`analysis.io.corpus.corpus_table`).

    Returns:
        One row: ``documents``, then ``han_chars, paragraphs, redactions, lines_repaired`` where present.

    >>> corpus_totals(pd.DataFrame({"id": ["a", "b"], "han_chars": [10, 5]})).values.tolist()
    [[2, 15]]
    """
    row = {"documents": len(table)}
    for column in ("han_chars", "paragraphs", "redactions", "lines_repaired"):
        if column in table.columns:
            row[column] = int(pd.to_numeric(table[column], errors="coerce").fillna(0).sum())
    return declare(pd.DataFrame([row]), result="corpus_totals")


def collection_summary(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per collection and kind: documents, first and last year, Han characters.

    >>> d = pd.DataFrame({"id": ["a", "b"], "collection": "c", "kind": "report", "year": [1954, 2025],
    ...                   "han_chars": [100, 50]})
    >>> collection_summary(d).values.tolist()
    [['c', 'report', 2, 1954, 2025, 150]]
    """
    table = with_year(documents).groupby(["collection", "kind"], sort=False).agg(
        documents=("id", "size"), period_start=("year", "min"), period_end=("year", "max"),
        han_chars=("han_chars", "sum")).reset_index()
    return declare(table, result="collections")
