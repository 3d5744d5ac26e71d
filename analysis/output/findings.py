"""Findings written from the numbers, for the summary at the top of the report.

A *finding* is one sentence computed from an analysis table, with the numbers behind it
(statistic, value, interval, p) and whether it is significant. Notebooks turn their tables
into finding rows with these functions and record them with
:func:`analysis.output.export.record_findings`; the report prints them, significant ones
first, each linking to the figure that shows it.

* :func:`shift_findings`: theme shifts between two texts or parts
  (:func:`analysis.stats.themes.emphasis_shift`): significant when the bootstrap interval
  of Δ excludes 0;
* :func:`keyness_findings`: key terms (:func:`analysis.stats.keyness.compare_terms`):
  significant when the Benjamini–Hochberg corrected p is below ``alpha``.

Any other notebook can build its own rows: a DataFrame with a ``text`` column and any of
:data:`analysis.output.export.FINDINGS_COLUMNS`.

>>> import pandas as pd
>>> shift = pd.DataFrame({"theme": ["talent", "grassroots"], "label_zh": ["人才", "基层"],
...     "share_of": "tokens", "share_a": [0.12, 0.001], "share_b": [0.004, 0.05],
...     "delta": [-0.116, 0.049], "ci_low": [-0.15, 0.03], "ci_high": [-0.09, 0.07],
...     "units_a": [60, 60], "units_b": [80, 80], "n_resamples": [2000, 2000]})
>>> rows = shift_findings(shift, label_a="三", label_b="四")
>>> rows["text"].iloc[0]
'人才 (talent) falls from 12.0% of word tokens in 三 to 0.4% in 四: Δ −11.6 pp, 95% CI [−15.0, −9.0] (bootstrap, 2,000 resamples of 60 and 80 sentences).'
>>> rows["significant"].tolist()
[True, True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["shift_findings", "keyness_findings", "SHARE_WORDS"]

#: How each share is named in a sentence.
SHARE_WORDS = {
    "tokens": "of word tokens",
    "han": "of Han characters",
    "sentences": "of sentences",
}

#: Below this many resampled units on a side, an interval is flagged (METHODS.md: about 20).
FEW_UNITS = 20


def _minus(text: str) -> str:
    return text.replace("-", "−")


def _pp(value: float) -> str:
    return _minus(f"{value * 100:+.1f}")


def shift_findings(shift: pd.DataFrame, *, label_a: str = "A", label_b: str = "B",
                   labels_en: dict[str, str] | None = None, top: int | None = None) -> pd.DataFrame:
    """Turn an emphasis-shift table into finding rows: one per significant shift, one summing up the rest.

    A shift is significant when its 95% bootstrap interval excludes 0 (the interval of
    :func:`analysis.stats.themes.emphasis_shift`). Significant shifts come first, largest
    |Δ| first; the other themes are summed up in one sentence. Intervals built from fewer
    than 20 units on a side are flagged in the sentence (METHODS.md).

    Args:
        shift: Rows of :func:`analysis.stats.themes.emphasis_shift` (columns ``theme``,
            ``share_a``, ``share_b``, ``delta``, ``ci_low``, ``ci_high``; ``label_zh``,
            ``share_of``, ``units_a``, ``units_b``, ``n_resamples``, ``unit``
            used when present).
        label_a: Name of A in the sentences (a section path, a speech's title or year).
        label_b: Name of B.
        labels_en: English theme names by theme key (default: the key, e.g. ``talent``).
        top: Keep at most this many significant shifts (default all).

    Returns:
        Finding rows: ``kind`` (``theme_shift``), ``subject`` (theme), ``a``, ``b``,
        ``statistic`` (``delta_<share>``), ``value``, ``ci_low``, ``ci_high`` (fractions,
        not percent), ``p`` (empty), ``significant``, ``text``.
    """
    share = str(shift["share_of"].iloc[0]) if "share_of" in shift.columns and len(shift) else "tokens"
    words = SHARE_WORDS.get(share, share)
    unit = str(shift["unit"].iloc[0]) if "unit" in shift.columns and len(shift) else "sentence"
    names_en = dict(labels_en or {})
    rows = []
    table = shift.assign(_abs=shift["delta"].abs()).sort_values("_abs", ascending=False, kind="stable")
    significant = table[(table["ci_low"] > 0) | (table["ci_high"] < 0)]
    rest = table.drop(significant.index)
    if top is not None:
        significant = significant.head(top)
    for row in significant.itertuples(index=False):
        theme = str(row.theme)
        zh = getattr(row, "label_zh", None) or theme
        name = f"{zh} ({names_en.get(theme, theme)})" if zh != theme else theme
        verb = "rises" if row.delta > 0 else "falls"
        n = getattr(row, "n_resamples", None)
        ua, ub = getattr(row, "units_a", None), getattr(row, "units_b", None)
        boot = "bootstrap"
        if n is not None and not pd.isna(n):
            boot += f", {int(n):,} resamples"
            if ua is not None and ub is not None and not (pd.isna(ua) or pd.isna(ub)):
                boot += f" of {int(ua):,} and {int(ub):,} {unit}s"
        flag = (f"; few {unit}s on a side (< {FEW_UNITS}): read the interval with care"
                if ua is not None and ub is not None and min(ua, ub) < FEW_UNITS else "")
        text = (f"{name} {verb} from {row.share_a:.1%} {words} in {label_a} to {row.share_b:.1%} in {label_b}: "
                f"Δ {_pp(row.delta)} pp, 95% CI [{_pp(row.ci_low)}, {_pp(row.ci_high)}] ({boot}){flag}.")
        text = text.replace("[+", "[").replace(", +", ", ").replace("Δ +", "Δ +")
        rows.append(dict(kind="theme_shift", subject=theme, a=label_a, b=label_b, statistic=f"delta_{share}",
                         value=row.delta, ci_low=row.ci_low, ci_high=row.ci_high, p=np.nan, significant=True,
                         text=text))
    if len(rest):
        names = "、".join(str(getattr(r, "label_zh", None) or r.theme) for r in rest.itertuples(index=False))
        text = (f"No significant shift between {label_a} and {label_b} for {len(rest)} other theme(s) "
                f"({names}): their 95% intervals include 0.")
        if not len(significant):
            text = (f"No theme's share {words} differs significantly between {label_a} and {label_b}: "
                    f"every 95% interval includes 0.")
        rows.append(dict(kind="theme_shift", subject="", a=label_a, b=label_b, statistic=f"delta_{share}",
                         value=np.nan, ci_low=np.nan, ci_high=np.nan, p=np.nan, significant=False, text=text))
    return pd.DataFrame(rows, columns=["kind", "subject", "a", "b", "statistic", "value", "ci_low", "ci_high", "p",
                                       "significant", "text"])


def keyness_findings(keyness: pd.DataFrame, *, label_a: str = "A", label_b: str = "B", statistic: str = "g2",
                     alpha: float = 0.05, top: int = 5) -> pd.DataFrame:
    """Turn a keyness table into finding rows: the terms significantly key to either side.

    Significant means a Benjamini–Hochberg corrected p (``p_fdr``) below ``alpha``;
    terms without a p-value (expected count below 5) are never called significant.

    Args:
        keyness: Rows of :func:`analysis.stats.keyness.compare_terms` (columns ``term``,
            ``f_target``, ``f_reference``, ``p_fdr`` and the ``statistic`` column; A is the
            target).
        label_a: Name of A (the target).
        label_b: Name of B (the reference).
        statistic: Column ranked and quoted (``g2``, ``log_ratio`` …).
        alpha: Significance level for ``p_fdr``.
        top: Terms kept per side.

    Returns:
        Finding rows as :func:`shift_findings` gives (``kind`` = ``keyness``,
        ``subject`` = term, ``p`` = ``p_fdr``); one row saying so when no term is significant.

    >>> k = pd.DataFrame({"term": ["人才", "基层", "工作"], "g2": [40.2, -12.5, 0.3], "f_target": [54, 0, 9],
    ...                   "f_reference": [2, 20, 10], "p_fdr": [1e-9, 0.004, 0.9]})
    >>> keyness_findings(k, label_a="三", label_b="四")["text"].tolist()[0]
    '人才 is key to 三 against 四: G² = 40.2, FDR p = 1e-09 (54 vs 2 tokens).'
    """
    names = {"g2": "G²", "log_ratio": "Log Ratio", "chi2": "χ²", "fightin_z": "z"}
    label = names.get(statistic, statistic)
    sig = keyness[keyness["p_fdr"].notna() & (keyness["p_fdr"] < alpha)]
    rows = []
    for side, part, target, other in ((1, sig[sig[statistic] > 0], label_a, label_b),
                                      (-1, sig[sig[statistic] < 0], label_b, label_a)):
        part = part.reindex(part[statistic].abs().sort_values(ascending=False, kind="stable").index).head(top)
        for row in part.itertuples(index=False):
            value = getattr(row, statistic)
            f_t, f_r = (row.f_target, row.f_reference) if side > 0 else (row.f_reference, row.f_target)
            text = (f"{row.term} is key to {target} against {other}: {label} = {_minus(f'{abs(value):.1f}')}, "
                    f"FDR p = {row.p_fdr:.2g} ({int(f_t)} vs {int(f_r)} tokens).")
            rows.append(dict(kind="keyness", subject=str(row.term), a=label_a, b=label_b, statistic=statistic,
                             value=value, ci_low=np.nan, ci_high=np.nan, p=row.p_fdr, significant=True, text=text))
    if not rows:
        tested = int(keyness["p_fdr"].notna().sum())
        rows.append(dict(kind="keyness", subject="", a=label_a, b=label_b, statistic=statistic, value=np.nan,
                         ci_low=np.nan, ci_high=np.nan, p=np.nan, significant=False,
                         text=f"No term is significantly key to {label_a} or {label_b} "
                              f"(FDR p < {alpha:g}; {tested} term(s) had counts large enough to test)."))
    return pd.DataFrame(rows, columns=["kind", "subject", "a", "b", "statistic", "value", "ci_low", "ci_high", "p",
                                       "significant", "text"])
