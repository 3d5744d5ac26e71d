"""Dating documents: a year, a sortable date and a collection for every row, from its own date or,
for the reference corpora, from the session or congress its title names (:func:`date_documents`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.calendar import congress_dates, npc_session_years
from analysis.chars import CN_DIGITS, cn_number
from analysis.io.document import _RECORDS

# --------------------------------------------------------------------------- dating


_NPC_NUMBER = f"[{CN_DIGITS[1:]}十\\d]{{1,3}}"
_NPC_RE = re.compile(f"第({_NPC_NUMBER})届全国人民代表大会第({_NPC_NUMBER})次会议")


def _zh_number(text: str) -> int | None:
    """Read a number written 1–99 in digits or Chinese numerals (十四 → 14, 二十 → 20)."""
    return cn_number(text) or None


def _whole_number(value: object) -> int | None:
    """An int from 20, "20" or 20.0; None for missing or anything else."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _date_from_reference(row: dict) -> tuple[str, str, str] | None:
    """(date, precision, note) for an undated congress report or NPC resolution, else None."""
    number = _whole_number(row.get("congress"))
    if number is not None and number in congress_dates():
        return (congress_dates()[number][1], "day",
                f"date: opening day of Party congress no. {number} (corpus/reference/congresses.csv)")
    m = _NPC_RE.search(str(row.get("title") or ""))
    if m:
        term, session = _zh_number(m.group(1)), _zh_number(m.group(2))
        year = npc_session_years().get((term or 0, session or 0))
        if year:
            return str(year), "year", f"year from the NPC session in the title (NPC term {term}, session {session}; corpus/reference/npc_sessions.csv)"
    return None


def _collection(source_path: str) -> str:
    """The records file's stem for a JSONL/CSV record, else the folder holding the file."""
    path = Path(str(source_path or ""))
    return path.stem if path.suffix.lower() in _RECORDS else path.parent.name


def _dated(row: dict) -> dict:
    """Return ``row`` with a date where reference tables give one, plus year, sort_date and collection."""
    out = dict(row)
    notes = [out["note"]] if out.get("note") else []
    if not out.get("date"):
        found = _date_from_reference(out)
        if found:
            out["date"], out["date_precision"], note = found
            notes.append(note)
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", str(out.get("date") or ""))
    if m:
        out["year"] = int(m.group(1))
        out["sort_date"] = pd.Timestamp(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    else:
        out["year"], out["sort_date"] = None, pd.NaT
        notes.append("year unknown: no date, year, congress or NPC session in the record")
    out["note"] = "; ".join(notes)
    out["collection"] = _collection(out.get("source_path", ""))
    return out


def date_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """Add ``year`` (integer), ``sort_date`` and ``collection`` to a loaded table; date the undated.

    Congress reports without a date get their congress's opening day and NPC resolutions
    the year of the session their title names (tables in ``corpus/reference/``); a
    document that still has no year keeps <NA> and ``note`` says so. ``sort_date`` is
    the first day of the date's period (2023 → 2023-01-01), for sorting and plotting.
    :func:`load_corpus` already does this; use it for tables made another way.

    Args:
        documents: A table with ``date`` and ``source_path`` (and optionally ``title``,
            ``congress``, ``note``). Not changed.

    Returns:
        The table with ``date, date_precision, note`` filled as above and the columns
        ``year`` (Int64), ``sort_date`` (datetime) and ``collection`` (records file stem,
        or the folder of a single file) set.

    Example:
        >>> t = pd.DataFrame({"id": ["r"], "title": ["第十四届全国人民代表大会第二次会议决议"],
        ...                   "date": [""], "source_path": ["x/gov-work-reports.jsonl"]})
        >>> date_documents(t)[["date", "year", "collection"]].values.tolist()
        [['2024', 2024, 'gov-work-reports']]
    """
    rows = [_dated(row) for row in documents.to_dict("records")]
    out = documents.copy()
    for column in ("date", "date_precision", "note"):
        if column in out.columns:
            out[column] = [row.get(column, "") for row in rows]
    out["year"] = pd.array([row["year"] for row in rows], dtype="Int64")
    out["sort_date"] = pd.to_datetime(pd.Series([row["sort_date"] for row in rows], index=out.index, dtype=object))
    out["collection"] = [row["collection"] for row in rows]
    return out
