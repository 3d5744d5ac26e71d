"""What the numbers say: short answer tables computed from result tables, for any speech studied.

Each function reads tables the analyses made and returns ``question, answer`` rows whose
every number is read off those tables, so a notebook states its conclusions for
whichever speech is studied, and significance is the tables' own ``significant`` column
(:func:`analysis.results.is_significant`), never decided again here.

>>> import pandas as pd
>>> cov = pd.DataFrame({"document": "d", "path": ["一", "一", "二", "二"], "level": 1,
...                     "theme": ["talent", "grassroots"] * 2, "share_tokens": [0.1, 0.0, 0.02, 0.2]})
>>> shift = pd.DataFrame({"theme": ["talent", "grassroots"], "diff": [-0.08, 0.2], "ci_low": [-0.1, 0.1],
...                       "ci_high": [-0.05, 0.3], "significant": [True, False]})
>>> section_contrast_summary(cov, shift, a="一", b="二")["answer"].tolist()[:3]
['一', '二', '−8.0 pp [−10.0, −5.0] pp: significant (higher in A)']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.results import declare, format_value
from analysis.stats.compare import percentile_of

__all__ = ["section_contrast_summary", "describe_shift", "position_in_history"]


def describe_shift(row: pd.Series | dict) -> str:
    """One shift row in words: ``diff [ci_low, ci_high] pp: significant (higher in B)`` or ``not significant``."""
    diff, lo, hi = (format_value("share_diff", row[k]).replace(" pp", "") for k in ("diff", "ci_low", "ci_high"))
    significant = bool(row.get("significant", False))
    side = "higher in B" if float(row["diff"]) > 0 else "higher in A"
    verdict = f"significant ({side})" if significant else "not significant"
    return f"{diff} pp [{lo}, {hi}] pp: {verdict}"


def section_contrast_summary(coverage: pd.DataFrame, shift: pd.DataFrame, *, a: str, b: str, share: str = "tokens",
                             themes: tuple[str, str] = ("talent", "grassroots")) -> pd.DataFrame:
    """Answers about two parts of one speech: where each theme peaks, the two shifts, and sub-points of B.

    Args:
        coverage: :func:`analysis.stats.themes.theme_coverage` ``by="section"`` of one document.
        shift: :func:`analysis.stats.themes.emphasis_shift` of A against B (``theme, diff,
            ci_low, ci_high, significant``).
        a: Path of part A.
        b: Path of part B.
        share: The share the tables use (column ``share_<share>``).
        themes: The two themes asked about.

    Returns:
        ``question, answer`` rows (declared as a ``summary``).
    """
    column = f"share_{share}"
    wide = coverage.pivot_table(index="path", columns="theme", values=column, sort=False)
    level1 = [p for p in dict.fromkeys(coverage.loc[coverage["level"] == 1, "path"]) if p in wide.index]
    rows = []
    for theme in themes:
        peak = str(wide.loc[level1, theme].idxmax()) if level1 and theme in wide.columns and \
            wide.loc[level1, theme].notna().any() else "(no top-level section)"
        rows.append((f"top-level section with the largest {theme} share", peak))
    by_theme = shift.set_index("theme")
    for theme in themes:
        answer = describe_shift(by_theme.loc[theme]) if theme in by_theme.index else "(theme not in the lexicon)"
        rows.append((f"{theme}: share in B ({b}) − share in A ({a}), 95% interval", answer))
    subs = [p for p in wide.index if p.startswith(f"{b}（") and p.count("（") == 1 and "未编号" not in p]
    if subs and all(t in wide.columns for t in themes):
        more = int((wide.loc[subs, themes[1]] > wide.loc[subs, themes[0]]).sum())
        rows.append((f"sub-points of B ({b}) with a larger {themes[1]} than {themes[0]} share", f"{more} of {len(subs)}"))
    return declare(pd.DataFrame(rows, columns=["question", "answer"]), result="summary",
                   sides={"a": a, "b": b})


def position_in_history(values: pd.DataFrame, own: pd.DataFrame, *, item: str = "item", value: str = "per_10k_han",
                        min_group: int = 5) -> pd.DataFrame:
    """Where a speech's rates sit among reference documents: one row per item.

    Args:
        values: One row per reference document and item (``item``, ``value``).
        own: The speech's rows (``item``, ``value``).
        item: The item column.
        value: The rate column.
        min_group: Fewest reference documents for a percentile.

    Returns:
        ``item, value`` (the speech's), ``documents`` (references with the item's rate),
        ``median``, ``max`` (of the references), ``percentile`` (mean rank, 0–100, NaN below
        ``min_group``: :func:`analysis.stats.compare.percentile_of`).
    """
    rows = []
    for name, score in zip(own[item], own[value]):
        ref = pd.to_numeric(values.loc[values[item] == name, value], errors="coerce").dropna().to_numpy(dtype=float)
        pct = percentile_of(ref, float(score)) if len(ref) >= min_group else np.nan
        rows.append((name, float(score), len(ref), float(np.median(ref)) if len(ref) else np.nan,
                     float(ref.max()) if len(ref) else np.nan, pct))
    table = pd.DataFrame(rows, columns=[item, value, "documents", "median", "max", "percentile"])
    return declare(table, result="position", kinds={"median": "rate", "max": "rate"},
                   note=f"Percentiles need at least {min_group} reference documents.")
