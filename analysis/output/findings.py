"""Findings written from the numbers, for the summary at the top of the report.

A *finding* is one sentence computed from an analysis table, with the numbers behind it
(statistic, value and its unit, interval, p) and whether it is significant. Significance
is never decided here: it is the table's ``significant`` column, set by the one rule of
:func:`analysis.results.is_significant` (a table without one is judged by that same
function), so a finding and its table always agree.

* :func:`shift_findings`: theme shifts between two texts or parts
  (:func:`analysis.stats.themes.emphasis_shift`), worded "higher in B than in A" with
  both sides named;
* :func:`keyness_findings`: key terms (:func:`analysis.stats.keyness.compare_terms`);
* :func:`rank_findings`: significant findings first, then by effect size and robustness,
  for the report's summary of the strongest ten.

>>> import pandas as pd
>>> shift = pd.DataFrame({"theme": ["talent", "grassroots"], "label_zh": ["人才", "基层"],
...     "share_of": "tokens", "share_a": [0.12, 0.001], "share_b": [0.004, 0.05],
...     "diff": [-0.116, 0.049], "ci_low": [-0.15, 0.03], "ci_high": [-0.09, 0.07],
...     "units_a": [60, 60], "units_b": [80, 80], "n_resamples": [2000, 2000]})
>>> rows = shift_findings(shift, label_a="三", label_b="四")
>>> rows["text"].iloc[0]
'the talent theme (人才) takes a larger share of word tokens in 三 (A, 12.0%) than in 四 (B, 0.4%): B − A = −11.6 pp, 95% CI [−15.0, −9.0] pp (bootstrap, 2,000 resamples of 60 and 80 sentences).'
>>> rows["significant"].tolist()
[True, True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.results import ALPHA, CI_LEVEL, MIN_UNITS, is_significant

__all__ = ["shift_findings", "keyness_findings", "appearance_findings", "rank_findings", "SHARE_WORDS", "FINDING_COLUMNS"]

#: How each share is named in a sentence.
SHARE_WORDS = {
    "tokens": "of word tokens",
    "han": "of Han characters",
    "sentences": "of sentences",
}

#: Columns of a finding row (``findings.csv`` adds notebook, figure and order).
FINDING_COLUMNS = ["kind", "subject", "a", "b", "statistic", "value", "value_unit", "ci_low", "ci_high", "p",
                   "significant", "effect", "warnings", "text"]


def _minus(text: str) -> str:
    return text.replace("-", "−")


def _pp(value: float) -> str:
    return _minus(f"{value * 100:+.1f}")


def _significant(table: pd.DataFrame, **criteria) -> pd.Series:
    if "significant" in table.columns:
        return table["significant"].fillna(False).astype(bool)
    return pd.Series(is_significant(**criteria), index=table.index)


def _units_of(table: pd.DataFrame, column: str):
    return table[column] if column in table.columns else None


def shift_findings(shift: pd.DataFrame, *, label_a: str = "A", label_b: str = "B",
                   labels_en: dict[str, str] | None = None, top: int | None = None,
                   warning: str = "") -> pd.DataFrame:
    """Turn an emphasis-shift table into finding rows: one per significant shift, one summing up the rest.

    Significance is the table's ``significant`` column (from
    :func:`analysis.results.is_significant`: interval excludes 0 and each side has
    enough units); a table without it is judged by the same function. Shifts are worded
    with both sides named ("takes a larger share … in A than in B"), never as a rise or
    fall, since A and B may be different speeches rather than two moments.

    Args:
        shift: Rows of :func:`analysis.stats.themes.emphasis_shift` (``theme``,
            ``share_a``, ``share_b``, ``diff``, ``ci_low``, ``ci_high``; ``label_zh``,
            ``share_of``, ``units_a``, ``units_b``, ``n_resamples``, ``unit``,
            ``significant``, ``flag`` used when present).
        label_a: Name of A in the sentences.
        label_b: Name of B.
        labels_en: English theme names by theme key (default: the key).
        top: Keep at most this many significant shifts (default all).
        warning: A warning about the comparison (e.g. a small or mixed group), added to every row.

    Returns:
        Finding rows with :data:`FINDING_COLUMNS`: ``kind`` (``theme_shift``), ``subject``
        (theme), ``statistic`` (``diff_<share>``), ``value`` and ``ci_low``/``ci_high``
        (fractions; ``value_unit`` ``share_diff``: print them in percentage points),
        ``significant``, ``effect`` (|diff|), ``warnings``, ``text``.
    """
    share = str(shift["share_of"].iloc[0]) if "share_of" in shift.columns and len(shift) else "tokens"
    words = SHARE_WORDS.get(share, share)
    unit = str(shift["unit"].iloc[0]) if "unit" in shift.columns and len(shift) else "sentence"
    names_en = dict(labels_en or {})
    table = shift.assign(_abs=shift["diff"].abs(),
                         _sig=_significant(shift, ci_low=shift["ci_low"], ci_high=shift["ci_high"],
                                           units_a=_units_of(shift, "units_a"), units_b=_units_of(shift, "units_b")))
    table = table.sort_values("_abs", ascending=False, kind="stable")
    significant = table[table["_sig"]]
    rest = table[~table["_sig"]]
    if top is not None:
        significant = significant.head(top)
    rows = []
    for row in significant.itertuples(index=False):
        theme = str(row.theme)
        zh = getattr(row, "label_zh", None) or theme
        en = names_en.get(theme, theme)
        name = f"the {en} theme ({zh})" if zh != theme else f"the {theme} theme"
        n = getattr(row, "n_resamples", None)
        ua, ub = getattr(row, "units_a", None), getattr(row, "units_b", None)
        boot = "bootstrap"
        if n is not None and not pd.isna(n):
            boot += f", {int(n):,} resamples"
            if ua is not None and ub is not None and not (pd.isna(ua) or pd.isna(ub)):
                boot += f" of {int(ua):,} and {int(ub):,} {unit}s"
        larger, smaller = ((label_b, "B", row.share_b), (label_a, "A", row.share_a)) if row.diff > 0 else \
            ((label_a, "A", row.share_a), (label_b, "B", row.share_b))
        warn = "; ".join(w for w in (warning, str(getattr(row, "flag", "") or "")) if w)
        text = (f"{name} takes a larger share {words} in {larger[0]} ({larger[1]}, {larger[2]:.1%}) than in "
                f"{smaller[0]} ({smaller[1]}, {smaller[2]:.1%}): B − A = {_pp(row.diff)} pp, "
                f"{CI_LEVEL:.0%} CI [{_pp(row.ci_low)}, {_pp(row.ci_high)}] pp ({boot})"
                + (f"; read with care: {warn}" if warn else "") + ".")
        rows.append(dict(kind="theme_shift", subject=theme, a=label_a, b=label_b, statistic=f"diff_{share}",
                         value=row.diff, value_unit="share_diff", ci_low=row.ci_low, ci_high=row.ci_high, p=np.nan,
                         significant=True, effect=abs(row.diff), warnings=warn, text=text))
    if len(rest):
        names = "、".join(str(getattr(r, "label_zh", None) or r.theme) for r in rest.itertuples(index=False))
        few = ""
        if "units_a" in rest.columns and len(rest) and min(int(rest["units_a"].iloc[0]), int(rest["units_b"].iloc[0])) < MIN_UNITS:
            few = f" A side has fewer than {MIN_UNITS} {unit}s, so no shift is called significant."
        text = (f"No significant difference between {label_a} (A) and {label_b} (B) for {len(rest)} other theme(s) "
                f"({names}): their {CI_LEVEL:.0%} intervals include 0 or rest on too few {unit}s.{few}")
        if not len(significant):
            text = (f"No theme's share {words} differs significantly between {label_a} (A) and {label_b} (B): "
                    f"every {CI_LEVEL:.0%} interval includes 0 or rests on too few {unit}s.{few}")
        rows.append(dict(kind="theme_shift", subject="", a=label_a, b=label_b, statistic=f"diff_{share}",
                         value=np.nan, value_unit="share_diff", ci_low=np.nan, ci_high=np.nan, p=np.nan,
                         significant=False, effect=0.0, warnings=warning, text=text))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def keyness_findings(keyness: pd.DataFrame, *, label_a: str = "A", label_b: str = "B", statistic: str = "g2",
                     alpha: float = ALPHA, top: int = 5, warning: str = "") -> pd.DataFrame:
    """Turn a keyness table into finding rows: the terms significantly key to either side.

    Significance is the table's ``significant`` column (Benjamini–Hochberg ``p_fdr`` below
    α within the comparison's family, :func:`analysis.results.is_significant`); a table
    without it is judged by that function with ``alpha``.

    Args:
        keyness: Rows of :func:`analysis.stats.keyness.compare_terms` (``term``,
            ``f_target``, ``f_reference``, ``p_fdr``, ``log_ratio`` and the ``statistic``
            column; A is the target).
        label_a: Name of A (the target).
        label_b: Name of B (the reference).
        statistic: Column quoted (``g2``, ``chi2`` …); terms are ranked by |log_ratio|.
        alpha: Level used only when the table has no ``significant`` column.
        top: Terms kept per side.
        warning: A warning about the comparison, added to every row.

    Returns:
        Finding rows as :func:`shift_findings` gives (``kind`` = ``keyness``, ``subject`` =
        term, ``value`` = the log ratio, ``value_unit`` ``log_ratio``, ``p`` = ``p_fdr``,
        ``effect`` = |log ratio|); one row saying so when no term is significant.

    >>> k = pd.DataFrame({"term": ["人才", "基层", "工作"], "g2": [40.2, -12.5, 0.3], "f_target": [54, 0, 9],
    ...                   "f_reference": [2, 20, 10], "log_ratio": [4.7, -4.3, -0.1], "p_fdr": [1e-9, 0.004, 0.9]})
    >>> keyness_findings(k, label_a="三", label_b="四")["text"].tolist()[0]
    '人才 is more frequent in 三 (A: 54 tokens) than in 四 (B: 2 tokens): Log Ratio +4.70 (log2 of the rates), G² = 40.2, FDR p = 1e-09.'
    """
    names = {"g2": "G²", "chi2": "χ²", "chi2_yates": "χ² (Yates)", "fightin_z": "z"}
    label = names.get(statistic, statistic)
    sig_mask = _significant(keyness, p_adj=keyness["p_fdr"], alpha=alpha)
    sig = keyness[sig_mask]
    family = int(keyness["fdr_family_size"].iloc[0]) if "fdr_family_size" in keyness.columns and len(keyness) \
        else int(keyness["p_fdr"].notna().sum())
    rows = []
    ratio = "log_ratio" if "log_ratio" in keyness.columns else statistic
    for side in (1, -1):
        part = sig[np.sign(sig[ratio]) == side]
        part = part.reindex(part[ratio].abs().sort_values(ascending=False, kind="stable").index).head(top)
        for row in part.itertuples(index=False):
            value = float(getattr(row, ratio))
            more, less = ((label_a, "A", row.f_target), (label_b, "B", row.f_reference)) if side > 0 else \
                ((label_b, "B", row.f_reference), (label_a, "A", row.f_target))
            stat = getattr(row, statistic, np.nan) if statistic in keyness.columns else np.nan
            stat_text = "" if pd.isna(stat) or statistic == ratio else f", {label} = {_minus(f'{stat:.1f}')}"
            text = (f"{row.term} is more frequent in {more[0]} ({more[1]}: {int(more[2])} tokens) than in "
                    f"{less[0]} ({less[1]}: {int(less[2])} tokens): Log Ratio {_minus(f'{value:+.2f}')} "
                    f"(log2 of the rates){stat_text}, FDR p = {row.p_fdr:.2g}"
                    + (f"; read with care: {warning}" if warning else "") + ".")
            rows.append(dict(kind="keyness", subject=str(row.term), a=label_a, b=label_b, statistic="log_ratio",
                             value=value, value_unit="log_ratio", ci_low=np.nan, ci_high=np.nan, p=row.p_fdr,
                             significant=True, effect=abs(value), warnings=warning, text=text))
    if not rows:
        rows.append(dict(kind="keyness", subject="", a=label_a, b=label_b, statistic="log_ratio", value=np.nan,
                         value_unit="log_ratio", ci_low=np.nan, ci_high=np.nan, p=np.nan, significant=False,
                         effect=0.0, warnings=warning,
                         text=f"No term is significantly more frequent in {label_a} (A) or {label_b} (B) "
                              f"(Benjamini–Hochberg over {family:,} tested terms)."))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


#: Order of kinds among findings of equal standing: the workbook's question is emphasis first.
_KIND_ORDER = {"theme_shift": 0, "keyness": 1}


def rank_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings ranked for the summary: significant first, robust before warned, then by effect size.

    Effects of different kinds are not on one scale (|diff| in percentage points for
    shifts, |Log Ratio| for keyness), so each kind is ranked by its own effect and the
    kinds are interleaved: the strongest shift, the strongest key term, the second
    shift … A finding with a warning (few units, a small, long or mixed group) comes
    after every finding of its significance without one. Plain notes (no
    ``significant``) come last.

    Args:
        findings: Rows with ``significant``, ``effect``, ``kind`` and ``warnings``
            (missing columns are treated as empty).

    Returns:
        A copy, sorted, with ``rank`` (1 = strongest) first.

    >>> f = pd.DataFrame({"text": ["k1", "s1", "s2", "n"], "kind": ["keyness", "theme_shift", "theme_shift", "x"],
    ...                   "significant": [True, True, True, None], "effect": [5.0, 0.02, 0.05, 0.0],
    ...                   "warnings": ["", "", "", ""]})
    >>> rank_findings(f)["text"].tolist()
    ['s2', 'k1', 's1', 'n']
    """
    table = findings.copy()
    for column, default in (("significant", None), ("effect", 0.0), ("kind", ""), ("warnings", "")):
        if column not in table.columns:
            table[column] = default
    effect = pd.to_numeric(table["effect"], errors="coerce").fillna(0.0)
    sig = table["significant"].map(lambda v: 0 if v is True or str(v) == "True" else
                                   (1 if v is False or str(v) == "False" else 2))
    warned = table["warnings"].fillna("").astype(str).str.len().gt(0).astype(int)
    table = table.assign(_sig=sig, _warn=warned, _effect=-effect,
                         _kind=table["kind"].map(lambda k: _KIND_ORDER.get(str(k), len(_KIND_ORDER))))
    table = table.sort_values(["_sig", "_warn", "_kind", "_effect"], kind="stable")
    table["_within"] = table.groupby(["_sig", "_warn", "_kind"], sort=False).cumcount()
    table = table.sort_values(["_sig", "_warn", "_within", "_kind"], kind="stable")
    table = table.drop(columns=["_sig", "_warn", "_effect", "_kind", "_within"])
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


def appearance_findings(summary: pd.DataFrame, *, collection: str = "the reports", top: int | None = None) -> pd.DataFrame:
    """Turn a formula summary into plain notes: when each item first and last appears, and peaks.

    Every year is read off the table (:func:`analysis.stats.track.formula_summary`), so a
    sentence and the table never disagree. Notes are descriptive (``significant`` empty).

    Args:
        summary: Rows of ``formula_summary`` (``item``, ``first``, ``last``, ``peak``, ``peak_rate``, ``total``).
        collection: How the documents are named in the sentence.
        top: Keep the first ``top`` items by first appearance (default all).

    Returns:
        Finding rows (``kind`` ``appearance``) with :data:`FINDING_COLUMNS`.

    >>> s = pd.DataFrame({"item": ["甲", "乙"], "first": [1955, pd.NA], "last": [1986, pd.NA], "peak": [1964, pd.NA],
    ...                   "peak_rate": [3.2, float("nan")], "total": [40, 0]})
    >>> appearance_findings(s)["text"].tolist()
    ['甲 first appears in the reports in 1955 and last in 1986, peaking in 1964 (3.20 per 10,000 Han characters; 40 in all).', '乙 does not appear in the reports.']
    """
    table = summary.assign(_first=pd.to_numeric(summary["first"], errors="coerce")).sort_values("_first", kind="stable")
    if top is not None:
        table = table.head(top)
    rows = []
    for row in table.itertuples(index=False):
        if pd.isna(row.first):
            text = f"{row.item} does not appear in {collection}."
        else:
            clean = getattr(row, "first_not_mid_word", None)
            caveat = ""
            if clean is not None and not pd.isna(clean) and int(clean) != int(row.first):
                caveat = (f"; its matches before {int(clean)} complete a word with the text before them "
                          f"(mid-word matches, as 创新发展理念 for 新发展理念), so {int(clean)} is its first use as a term")
            elif clean is not None and pd.isna(clean):
                caveat = "; every match completes a word with the text before it (mid-word matches only)"
            text = (f"{row.item} first appears in {collection} in {int(row.first)} and last in {int(row.last)}, "
                    f"peaking in {int(row.peak)} ({float(row.peak_rate):.2f} per 10,000 Han characters; "
                    f"{int(row.total)} in all){caveat}.")
        rows.append(dict(kind="appearance", subject=str(row.item), a="", b="", statistic="first",
                         value=np.nan if pd.isna(row.first) else float(row.first), value_unit="year",
                         ci_low=np.nan, ci_high=np.nan, p=np.nan, significant=None, effect=0.0, warnings="",
                         text=text))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
