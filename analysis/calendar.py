"""Dates and levels every stage reads: years and decades of documents, administrative levels,
and the dates of Party congresses and NPC sessions (tables in ``corpus/reference/``).

The loader dates undated congress reports and NPC resolutions with these tables, trends
assign periods by the congress in force, and comparisons match speeches by year and
level; all of them read it here, so no analysis imports a loader for a date.

>>> congress_dates()[20], npc_session_years()[(14, 3)]
((2022, '2022-10-16'), 2025)
"""

from __future__ import annotations

import csv
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis import paths

__all__ = ["congress_dates", "npc_session_years", "with_year", "with_decade", "level_class", "LOCAL_LEVELS"]

#: Levels below the centre: their speakers are local (a district secretary, a province's head).
LOCAL_LEVELS = ("provincial", "province", "city", "municipal", "prefecture", "county", "district", "county-district",
                "township",
                "village", "local")



def with_decade(documents: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a documents table with an integer ``decade`` column (1990, 2000 …).

    The decade comes from ``year`` when the table has it, else from the first four digits
    of ``date``; <NA> when neither gives a year. The input is not changed.

    >>> with_decade(pd.DataFrame({"id": ["a", "b"], "date": ["2023", "1962-11-29"]}))["decade"].tolist()
    [2020, 1960]
    """
    if "year" in documents.columns:
        year = pd.to_numeric(documents["year"], errors="coerce")
    elif "date" in documents.columns:
        year = pd.to_numeric(documents["date"].astype(str).str.extract(r"^(\d{4})")[0], errors="coerce")
    else:
        year = pd.Series(np.nan, index=documents.index)
    return documents.assign(decade=(year // 10 * 10).astype("Int64"))


def with_year(documents: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a documents table with ``year`` (from ``date`` when missing) and ``decade``.

    >>> with_year(pd.DataFrame({"id": ["a"], "date": ["2020-06-29"]}))[["year", "decade"]].values.tolist()
    [[2020, 2020]]
    >>> with_year(pd.DataFrame({"id": ["a", "b"], "date": ["2020", "1999"], "year": [2021, None]}))["year"].tolist()
    [2021, 1999]
    """
    out = documents
    if "date" in out.columns:
        from_date = pd.to_numeric(out["date"].astype(str).str.extract(r"^(\d{4})")[0], errors="coerce")
        if "year" in out.columns:  # a missing year is read from the date (tables stacked from several sources)
            from_date = pd.to_numeric(out["year"], errors="coerce").fillna(from_date)
        out = out.assign(year=from_date.astype("Int64"))
    return with_decade(out)


def level_class(level: object) -> str:
    """``national``, ``local`` (any level of :data:`LOCAL_LEVELS` or a compound of them), another value, or ``""``.

    >>> level_class("county-district"), level_class("national"), level_class("institution"), level_class(None)
    ('local', 'national', 'institution', '')
    """
    value = str(level or "").strip().lower()
    if not value or value in ("nan", "<na>", "none"):
        return ""
    if value in LOCAL_LEVELS or all(part in LOCAL_LEVELS for part in value.replace("/", "-").split("-")):
        return "local"
    return value


@lru_cache(maxsize=4)
def _reference_table(name: str) -> tuple[tuple, ...]:
    """Rows of a dating table in ``corpus/reference/`` (as tuples of strings)."""
    path = paths.project_root() / "corpus" / "reference" / name
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(tuple(row.values()) for row in csv.DictReader(handle))


def congress_dates() -> dict[int, tuple[int, str]]:
    """Party congress number → (year, opening date), from ``corpus/reference/congresses.csv``.

    >>> congress_dates()[20]
    (2022, '2022-10-16')
    """
    return {int(n): (int(y), d) for n, y, d in _reference_table("congresses.csv")}


def npc_session_years() -> dict[tuple[int, int], int]:
    """(NPC term, session) → year, from ``corpus/reference/npc_sessions.csv``.

    >>> npc_session_years()[(14, 3)], npc_session_years()[(2, 3)]
    (2025, 1962)
    """
    return {(int(t), int(s)): int(y) for t, s, y in _reference_table("npc_sessions.csv")}
