"""Findings on relay (:mod:`analysis.stats.relay`), read off its tables, for the report's summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.output.findings import FINDING_COLUMNS

__all__ = ["relay_findings"]


def relay_findings(shares: pd.DataFrame, *, relayed: pd.DataFrame | None = None, top: int = 3) -> pd.DataFrame:
    """Plain notes on relay, read off a shares table: the sections that relay most, and the mode used.

    Notes are descriptive (``significant`` empty): relay shares are measurements, not tests.

    Args:
        shares: :func:`analysis.stats.relay.relay_shares` (passage mode) or :func:`analysis.stats.relay.formula_shares` (formula mode).
        relayed: The :func:`analysis.stats.relay.echo` or :func:`analysis.stats.relay.formula_relay` table (for the lags), optional.
        top: Sections noted.

    Returns:
        Finding rows with :data:`analysis.output.findings.FINDING_COLUMNS` (``kind`` ``relay``).

    >>> s = pd.DataFrame({"document": "d", "section": ["一", "二"], "source_level": "all", "han_chars": [100, 50],
    ...                   "relayed_han": [20, 0], "share_relayed": [0.2, 0.0], "mode": "passage"})
    >>> relay_findings(s)["text"].tolist()
    ['20.0% of the Han characters of section 一 of d relay a source text (passage mode: aligned passages, 20 of 100 Han characters).']
    """
    pooled = shares[shares["source_level"] == "all"]
    rows = []
    passage = "share_relayed" in shares.columns
    value = "share_relayed" if passage else "terms_taken_up"
    for row in pooled.sort_values([value, "section"], ascending=[False, True], kind="stable").head(top).itertuples():
        if getattr(row, value) <= 0:
            continue
        if passage:
            text = (f"{row.share_relayed:.1%} of the Han characters of section {row.section} of {row.document} relay "
                    f"a source text (passage mode: aligned passages, {row.relayed_han} of {row.han_chars} Han "
                    "characters).")
            val, unit = float(row.share_relayed), "share"
        else:
            text = (f"Section {row.section} of {row.document} takes up {row.terms_taken_up} formulas or rare terms found in "
                    f"earlier sources (formula mode: profiles carry no text, so passages cannot be aligned).")
            val, unit = float(row.terms_taken_up), "terms"
        rows.append(dict(kind="relay", subject=str(row.section), a=str(row.document), b="", statistic=value,
                         value=val, value_unit=unit, ci_low=np.nan, ci_high=np.nan, p=np.nan, significant=None,
                         effect=0.0, warnings="", text=text))
    if relayed is not None and len(relayed) and relayed["lag_days"].notna().any():
        lag = relayed["lag_days"].dropna().astype(float)
        lag = lag[lag >= 0]
        if len(lag):
            rows.append(dict(kind="relay", subject="lag", a=str(relayed["document"].iloc[0]), b="",
                             statistic="lag_days", value=float(lag.median()), value_unit="days", ci_low=np.nan,
                             ci_high=np.nan, p=np.nan, significant=None, effect=0.0, warnings="",
                             text=f"The median lag from the earliest earlier source to the speech is "
                                  f"{int(lag.median())} days over {len(lag)} relayed items "
                                  f"({str(relayed['mode'].iloc[0])} mode)."))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
