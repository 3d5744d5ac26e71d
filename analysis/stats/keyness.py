"""Keyness: which terms are more frequent in a target than in a reference, with honest statistics.

Every statistic is computed per term from the term's counts and the two corpus sizes,
and every one is *signed*: positive means "more in the target" (for the simple-maths
ratio, which is a ratio, read "greater than 1"). Tables always carry both counts and
both rates, so no statistic appears without the numbers behind it.

Scorers (vectorized over numpy arrays, so they can be reused outside DataFrames):

- :func:`log_likelihood`: G² over the full 2×2 table (Dunning 1993; Rayson & Garside 2000).
- :func:`chi_squared`: Pearson χ², with or without Yates' continuity correction.
- :func:`log_ratio`: Hardie's (2014) Log Ratio effect size.
- :func:`weighted_log_odds`: "Fightin' Words" log-odds with an informative Dirichlet prior
  (Monroe, Colaresi & Quinn 2008).
- :func:`simple_maths`: Kilgarriff's (2009) simple-maths keyness.
- :func:`benjamini_hochberg`: FDR-adjusted p-values (Benjamini & Hochberg 1995).
- :func:`fisher_p`: Fisher's exact test, used where an expected count is below 5.

Tables: :func:`keyness` compares two count tables; :func:`compare_terms` compares any two
documents, sections or groups of a :class:`analysis.features.FeatureSet` (the CLI's
``compare A B``).

>>> import pandas as pd
>>> t = pd.DataFrame({"term": ["人才", "基层", "干部"], "count": [30, 5, 20]})
>>> r = pd.DataFrame({"term": ["人才", "基层", "干部"], "count": [5, 30, 20]})
>>> k = keyness(t, r, totals=(1000, 1000))
>>> k[["term", "f_target", "f_reference"]].values.tolist()
[['人才', 30, 5], ['干部', 20, 20], ['基层', 5, 30]]
>>> k["g2"].round(3).tolist()
[20.13, 0.0, -20.13]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.memo import memoized
from analysis.results import ALPHA, MIN_EXPECTED, MIN_TOTAL, declare, is_significant, with_sides
from analysis.types import CountTable, FeatureSetLike, Selection, check_choice

#: Rates are given per this many tokens (and per this many Han characters).
RATE_PER = 10_000

#: Statistic columns of :func:`keyness`, in output order.
STATISTICS = ["g2", "chi2", "chi2_yates", "log_ratio", "fightin_delta", "fightin_z", "simple_maths"]

#: ``statistic`` names accepted by :func:`keyness` and :func:`compare_terms` → (sort column, p-value source).
STATISTIC_OPTIONS = {
    "g2": ("g2", "g2"),
    "chi2": ("chi2", "chi2"),
    "chi2_yates": ("chi2_yates", "chi2_yates"),
    "logratio": ("log_ratio", "g2"),
    "log_ratio": ("log_ratio", "g2"),
    "fightin": ("fightin_z", "fightin"),
    "simplemaths": ("simple_maths", "g2"),
    "simple_maths": ("simple_maths", "g2"),
}


# --------------------------------------------------------------------------- scorers


def _arrays(*values: Any) -> list[np.ndarray]:
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values])
    return [np.array(a, dtype=float) for a in arrays]


def contingency(f_target, f_reference, n_target, n_reference) -> tuple[np.ndarray, np.ndarray]:
    """Return the observed and expected 2×2 tables of each term.

    Rows are (term, all other tokens), columns (target, reference):
    ``O = [[f_T, f_R], [N_T − f_T, N_R − f_R]]`` and ``E_ij = row_i · col_j / N``.

    Args:
        f_target: Counts of each term in the target (array-like).
        f_reference: Counts of each term in the reference.
        n_target: Tokens in the target (scalar or array).
        n_reference: Tokens in the reference.

    Returns:
        ``(observed, expected)``, each of shape ``(..., 2, 2)``.

    Example:
        >>> o, e = contingency([10], [0], 100, 100)
        >>> e[0].tolist()
        [[5.0, 5.0], [95.0, 95.0]]
    """
    ft, fr, nt, nr = _arrays(f_target, f_reference, n_target, n_reference)
    observed = np.stack([np.stack([ft, fr], -1), np.stack([nt - ft, nr - fr], -1)], -2)
    total = nt + nr
    rows = observed.sum(-1)  # (..., 2)
    cols = np.stack([nt, nr], -1)  # (..., 2)
    expected = rows[..., :, None] * cols[..., None, :] / total[..., None, None]
    return observed, expected


def _sign(f_target, f_reference, n_target, n_reference) -> np.ndarray:
    ft, fr, nt, nr = _arrays(f_target, f_reference, n_target, n_reference)
    # Compare rates without division: f_T/N_T vs f_R/N_R.
    return np.sign(ft * nr - fr * nt)


def log_likelihood(f_target, f_reference, n_target, n_reference) -> np.ndarray:
    """Signed log-likelihood G² of each term (Dunning 1993; Rayson & Garside 2000).

    ``G² = 2 Σ_ij O_ij ln(O_ij / E_ij)`` over the full 2×2 table of :func:`contingency`
    (cells with O = 0 contribute 0), given the sign of ``f_T/N_T − f_R/N_R``. This is
    ``scipy.stats.chi2_contingency(O, lambda_="log-likelihood", correction=False)``.
    Rayson's online calculator sums only the two term cells; the full-table value is
    the one with the χ²(1) reference distribution.

    Args:
        f_target: Counts of each term in the target.
        f_reference: Counts of each term in the reference.
        n_target: Tokens in the target.
        n_reference: Tokens in the reference.

    Returns:
        Array of signed G² values.

    Example:
        >>> log_likelihood([10, 0], [0, 10], 100, 100).round(4).tolist()
        [14.3895, -14.3895]
    """
    observed, expected = contingency(f_target, f_reference, n_target, n_reference)
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    g2 = 2.0 * cells.sum(axis=(-2, -1))
    return np.abs(g2) * _sign(f_target, f_reference, n_target, n_reference)


def chi_squared(f_target, f_reference, n_target, n_reference, *, yates: bool = False) -> np.ndarray:
    """Signed Pearson χ² of each term, optionally with Yates' continuity correction.

    ``χ² = Σ_ij (O_ij − E_ij)² / E_ij``. With ``yates=True`` each observed cell is first
    moved towards its expected value by ``min(0.5, |E − O|)`` (Yates 1934; the same
    capped form as ``scipy.stats.chi2_contingency(O, correction=True)``).

    Args:
        f_target: Counts of each term in the target.
        f_reference: Counts of each term in the reference.
        n_target: Tokens in the target.
        n_reference: Tokens in the reference.
        yates: Apply the continuity correction.

    Returns:
        Array of signed χ² values.

    Example:
        >>> chi_squared([10], [0], 100, 100).round(4).tolist()
        [10.5263]
        >>> chi_squared([10], [0], 100, 100, yates=True).round(4).tolist()
        [8.5263]
    """
    observed, expected = contingency(f_target, f_reference, n_target, n_reference)
    if yates:
        diff = expected - observed
        observed = observed + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = ((observed - expected) ** 2 / expected).sum(axis=(-2, -1))
    return chi2 * _sign(f_target, f_reference, n_target, n_reference)


def log_ratio(f_target, f_reference, n_target, n_reference, *, zero: float = 0.5) -> np.ndarray:
    """Log Ratio effect size (Hardie 2014): ``log2((f_T/N_T) / (f_R/N_R))``.

    A zero count is replaced by ``zero`` (Hardie's 0.5) so that terms found on one side
    only get a finite value. Each point is a doubling of the relative frequency.

    Args:
        f_target: Counts of each term in the target.
        f_reference: Counts of each term in the reference.
        n_target: Tokens in the target.
        n_reference: Tokens in the reference.
        zero: Value that replaces a zero count.

    Returns:
        Array of Log Ratio values (positive: more in the target).

    Example:
        >>> log_ratio([8, 0], [2, 4], 100, 100).tolist()
        [2.0, -3.0]
    """
    ft, fr, nt, nr = _arrays(f_target, f_reference, n_target, n_reference)
    ft = np.where(ft == 0, zero, ft)
    fr = np.where(fr == 0, zero, fr)
    return np.log2((ft / nt) / (fr / nr))


def simple_maths(f_target, f_reference, n_target, n_reference, *, n: float = 1.0, per: float = 1e6) -> np.ndarray:
    """Simple-maths keyness (Kilgarriff 2009): ``(fpm_T + n) / (fpm_R + n)``.

    ``fpm`` is the frequency per million tokens (``per``); ``n`` shifts the list towards
    rarer (small n) or commoner (large n, e.g. 100) terms. A ratio: above 1 means more
    in the target.

    Args:
        f_target: Counts of each term in the target.
        f_reference: Counts of each term in the reference.
        n_target: Tokens in the target.
        n_reference: Tokens in the reference.
        n: The smoothing constant.
        per: Normalization base (1e6 in Kilgarriff 2009).

    Returns:
        Array of ratios.

    Example:
        >>> simple_maths([3], [1], 1_000_000, 1_000_000).tolist()
        [2.0]
    """
    ft, fr, nt, nr = _arrays(f_target, f_reference, n_target, n_reference)
    return (ft / nt * per + n) / (fr / nr * per + n)


def weighted_log_odds(f_target, f_reference, alpha, *, n_target=None, n_reference=None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted log-odds with an informative Dirichlet prior, "Fightin' Words".

    Monroe, Colaresi & Quinn (2008, Political Analysis 16:372), eqs. 16 and 18–20::

        δ_w = ln((f_T + α_w) / (n_T + α_0 − f_T − α_w)) − ln((f_R + α_w) / (n_R + α_0 − f_R − α_w))
        σ²(δ_w) ≈ 1/(f_T + α_w) + 1/(f_R + α_w)
        z_w = δ_w / σ(δ_w)

    with ``α_0 = Σ_w α_w`` over the vocabulary and ``n`` the total count over that
    vocabulary. Build ``alpha`` with :func:`dirichlet_prior`.

    Args:
        f_target: Counts of each term in the target.
        f_reference: Counts of each term in the reference.
        alpha: Prior pseudo-count α_w of each term (same length), all > 0.
        n_target: Target size; default ``Σ f_target`` (the vocabulary total, as in the paper).
        n_reference: Reference size; default ``Σ f_reference``.

    Returns:
        ``(delta, z)`` arrays.

    Raises:
        ValueError: when a prior pseudo-count is not positive.

    Example:
        >>> d, z = weighted_log_odds([3, 1], [1, 3], [1.0, 1.0])
        >>> [round(float(v), 4) for v in d], [round(float(v), 4) for v in z]
        ([1.3863, -1.3863], [1.6008, -1.6008])
    """
    ft, fr, a = _arrays(f_target, f_reference, alpha)
    if np.any(~(a > 0)):
        raise ValueError("weighted_log_odds: every prior pseudo-count alpha_w must be > 0; "
                         "give terms missing from the background a small count (see dirichlet_prior)")
    a0 = a.sum()
    nt = ft.sum() if n_target is None else float(n_target)
    nr = fr.sum() if n_reference is None else float(n_reference)
    with np.errstate(divide="ignore", invalid="ignore"):  # a one-term vocabulary has no "other" mass: NaN
        delta = np.log((ft + a) / (nt + a0 - ft - a)) - np.log((fr + a) / (nr + a0 - fr - a))
        z = delta / np.sqrt(1.0 / (ft + a) + 1.0 / (fr + a))
    return delta, z


def dirichlet_prior(terms: Sequence[str], background: CountTable, *, scale: float | None = None, missing: float = 0.5) -> np.ndarray:
    """Return the informative Dirichlet prior α_w of each term from a background corpus.

    ``α_w = α_0 · b_w / Σ_v b_v`` over ``terms`` (Monroe et al. 2008, §3.5.2), where
    ``b_w`` is the term's background count and ``missing`` stands in for a term absent
    from the background. With ``scale=None`` the background counts are used as they
    are (``α_w = b_w``, the prior of Hessel's and the ``fightin-words`` package's
    informed mode); a number rescales the prior to that total strength α_0.

    Args:
        terms: The vocabulary, in output order.
        background: Background counts: a DataFrame with ``term`` and ``count``, a
            Series indexed by term, or a mapping term → count.
        scale: Total prior strength α_0, or None for the raw background counts.
        missing: Pseudo-count for terms the background lacks (> 0).

    Returns:
        Array of α_w, aligned with ``terms``.

    Example:
        >>> dirichlet_prior(["甲", "乙", "丙"], {"甲": 3, "乙": 1}).tolist()
        [3.0, 1.0, 0.5]
        >>> dirichlet_prior(["甲", "乙"], {"甲": 3, "乙": 1}, scale=8).tolist()
        [6.0, 2.0]
    """
    counts = _as_counts(background, "background")
    b = counts.reindex(list(terms)).astype(float).fillna(missing).to_numpy()
    b = np.where(b > 0, b, missing)
    if scale is None:
        return b
    return float(scale) * b / b.sum()


def fisher_p(f_target, f_reference, n_target, n_reference) -> np.ndarray:
    """Two-sided p-values of Fisher's exact test on each term's 2×2 table (Fisher 1922; Agresti 2013 §3.5).

    The table is ``[[f_T, N_T − f_T], [f_R, N_R − f_R]]``; terms with the same counts
    are tested once. Equal to ``scipy.stats.fisher_exact(table).pvalue`` term by term.

    Example:
        >>> [f"{p:.2g}" for p in fisher_p([0, 3], [30, 1], 1000, 1000)]
        ['1.5e-09', '0.62']
    """
    from scipy.stats import fisher_exact

    ft = np.asarray(f_target, dtype=np.int64)
    fr = np.asarray(f_reference, dtype=np.int64)
    nt, nr = int(n_target), int(n_reference)
    cache: dict[tuple[int, int], float] = {}
    out = np.empty(ft.shape, dtype=float)
    for k, (x, y) in enumerate(zip(ft.tolist(), fr.tolist())):
        if (x, y) not in cache:
            cache[(x, y)] = float(fisher_exact([[x, nt - x], [y, nr - y]]).pvalue)
        out[k] = cache[(x, y)]
    return out


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini–Hochberg FDR-adjusted p-values (Benjamini & Hochberg 1995).

    ``q_(i) = min_{j ≥ i} min(1, p_(j) · m / j)`` over the m p-values that are not NaN;
    NaN stays NaN (a test that was withheld is not counted in m, the "independent
    filtering" of Bourgon, Gentleman & Huber 2010: the filter, the expected count, is
    computed from the term's total, not from its split between the corpora). Equal to
    ``scipy.stats.false_discovery_control(p, method="bh")`` on the non-NaN values.

    Args:
        p: Array-like of p-values in [0, 1] or NaN.

    Returns:
        Array of adjusted p-values, same shape.

    Example:
        >>> benjamini_hochberg([0.01, 0.04, float("nan"), 0.03]).round(3).tolist()
        [0.03, 0.04, nan, 0.04]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    if np.any((q < 0) | (q > 1)):
        raise ValueError("benjamini_hochberg: p-values must lie in [0, 1]")
    order = np.argsort(q, kind="stable")
    scaled = q[order] * m / np.arange(1, m + 1)
    scaled = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(scaled, 1.0)
    out[ok] = adjusted
    return out


# --------------------------------------------------------------------------- tables


def _as_counts(table: CountTable, name: str) -> pd.Series:
    """Return a term → count Series from a DataFrame(term, count), a Series or a mapping."""
    if isinstance(table, pd.DataFrame):
        if not {"term", "count"} <= set(table.columns):
            raise ValueError(f"{name}: a count table needs columns 'term' and 'count', got {list(table.columns)}")
        series = table.groupby("term", sort=False)["count"].sum()
    elif isinstance(table, pd.Series):
        series = table.groupby(level=0, sort=False).sum()
    elif isinstance(table, Mapping):
        series = pd.Series(dict(table), dtype=float)
    else:
        raise TypeError(f"{name}: expected a DataFrame with term and count, a Series or a dict, got {type(table).__name__}")
    series.index = series.index.astype(object)
    if (series < 0).any():
        raise ValueError(f"{name}: counts must be non-negative")
    return series


def keyness(
    target: CountTable,
    reference: CountTable,
    *,
    totals: tuple[float, float] | None = None,
    han_totals: tuple[float, float] | None = None,
    statistic: str = "g2",
    background: CountTable | None = None,
    prior_scale: float | None = None,
    simple_maths_n: float = 1.0,
    min_expected: float = MIN_EXPECTED,
    min_total: int = MIN_TOTAL,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Compare a target count table with a reference count table, term by term.

    Args:
        target: Target counts: DataFrame with ``term`` and ``count`` (or Series/dict).
        reference: Reference counts, same form.
        totals: ``(N_T, N_R)`` tokens in each corpus; default: the sums of the tables.
            Give the full token totals when the tables omit stopwords.
        han_totals: ``(C_T, C_R)`` Han characters in each corpus; adds per-10k-Han rates.
        statistic: Sort column and source of ``p``: ``g2`` (χ²₁ p of G²), ``chi2``,
            ``chi2_yates``, ``fightin`` (two-sided normal p of z), ``logratio`` or
            ``simplemaths`` (both sorted by their effect size, with the p of G²).
        background: Background counts for the Fightin' Words prior (see
            :func:`dirichlet_prior`); default: the pooled target and reference counts.
        prior_scale: α_0 for the prior; None uses the background counts as they are.
        simple_maths_n: Kilgarriff's n.
        min_expected: Expected count below which a term is flagged ``low_expected``
            and tested by Fisher's exact test instead of the χ²₁ approximation
            (not for ``fightin``, whose z is tested as it is).
        min_total: Fewest tokens on the two sides together for a term to be tested.
            Every such term is in the FDR family (``tested``; ``fdr_family_size``), and
            the family does not depend on what a display later filters.
        alpha: Level of ``significant`` (:func:`analysis.results.is_significant`).

    Returns:
        One row per term found in either table, sorted by the statistic (descending, ties
        by term): ``term, f_target, f_reference, rate_target, rate_reference`` (per 10k
        tokens), ``rate_han_target, rate_han_reference`` (per 10k Han characters; only
        with ``han_totals``), ``expected_target, expected_reference, g2, chi2,
        chi2_yates, log_ratio, fightin_delta, fightin_z, simple_maths, p`` (NaN for
        terms below ``min_total``), ``p_fdr`` (Benjamini–Hochberg over the tested
        terms), ``p_test`` (the test behind ``p``: the statistic's χ²₁, ``fightin`` or
        ``fisher``), ``low_expected``, ``tested``, ``fdr_family_size``, ``significant``.
        Positive statistics (ratio > 1) mean more in the target. The table is declared
        (:func:`analysis.results.declare`) with its FDR family.

    Raises:
        ValueError: for an unknown statistic, or totals smaller than the table sums.

    Example:
        >>> k = keyness({"甲": 8, "乙": 2}, {"甲": 2, "乙": 8}, statistic="logratio", min_expected=0)
        >>> k[["term", "log_ratio"]].values.tolist()
        [['甲', 2.0], ['乙', -2.0]]
    """
    check_choice("statistic", statistic, STATISTIC_OPTIONS, caller="keyness")
    sort_column, p_source = STATISTIC_OPTIONS[statistic]
    terms, ft, fr = _aligned_counts(_as_counts(target, "target"), _as_counts(reference, "reference"))
    nt, nr = _totals(ft, fr, totals)
    _, expected = contingency(ft, fr, nt, nr)
    low = expected.min(axis=(-2, -1)) < min_expected if len(terms) else np.zeros(0, dtype=bool)
    scores = _scores(terms, ft, fr, nt, nr, background=background, prior_scale=prior_scale,
                     simple_maths_n=simple_maths_n)
    p = _p_values(scores, p_source) if len(terms) else np.zeros(0)
    tests = np.full(len(terms), p_source, dtype=object)
    exact = low & (p_source != "fightin")
    if exact.any():
        p[exact] = fisher_p(np.round(ft[exact]), np.round(fr[exact]), round(nt), round(nr))
        tests[exact] = "fisher"
    tested = (ft + fr) >= min_total
    p = np.where(tested, p, np.nan)
    p_fdr = benjamini_hochberg(p)

    data: dict[str, Any] = {
        "term": pd.array(terms, dtype="string"),
        "f_target": ft.astype(np.int64) if np.all(ft == np.round(ft)) else ft,
        "f_reference": fr.astype(np.int64) if np.all(fr == np.round(fr)) else fr,
        "rate_target": ft / nt * RATE_PER,
        "rate_reference": fr / nr * RATE_PER,
    }
    if han_totals is not None:
        data["rate_han_target"] = ft / float(han_totals[0]) * RATE_PER
        data["rate_han_reference"] = fr / float(han_totals[1]) * RATE_PER
    data.update(
        expected_target=expected[..., 0, 0] if len(terms) else np.zeros(0),
        expected_reference=expected[..., 0, 1] if len(terms) else np.zeros(0),
        **scores,
        p=p,
        p_fdr=p_fdr,
        p_test=np.where(tested, tests, ""),
        low_expected=low,
        tested=tested,
        fdr_family_size=int(tested.sum()),
        significant=is_significant(p_adj=p_fdr, alpha=alpha),
    )
    table = pd.DataFrame(data)
    table = table.sort_values([sort_column, "term"], ascending=[False, True], kind="stable")
    family = {"name": f"every term with at least {min_total} tokens on the two sides together",
              "size": int(tested.sum()), "method": "Benjamini–Hochberg"}
    return declare(table.reset_index(drop=True), result="keyness", family=family,
                   note=f"p: {p_source} (χ²₁), Fisher's exact test where an expected count is below {min_expected:g}; "
                        f"significant: p_fdr < {alpha:g}.")


def _aligned_counts(t: pd.Series, r: pd.Series) -> tuple[list, np.ndarray, np.ndarray]:
    """Terms found on either side (target order first), with both counts; terms counted 0 twice dropped."""
    terms = list(dict.fromkeys(list(t.index) + list(r.index)))
    ft = t.reindex(terms).fillna(0).to_numpy(dtype=float)
    fr = r.reindex(terms).fillna(0).to_numpy(dtype=float)
    keep = (ft + fr) > 0
    return [w for w, k in zip(terms, keep) if k], ft[keep], fr[keep]


def _totals(ft: np.ndarray, fr: np.ndarray, totals: tuple[float, float] | None) -> tuple[float, float]:
    """Corpus sizes N_T, N_R: the given totals (checked against the counts) or the table sums."""
    nt, nr = (float(ft.sum()), float(fr.sum())) if totals is None else (float(totals[0]), float(totals[1]))
    if nt < ft.sum() or nr < fr.sum():
        raise ValueError(f"totals {totals} are smaller than the table sums ({ft.sum():g}, {fr.sum():g}); "
                         "pass the full token counts of the target and the reference")
    if nt <= 0 or nr <= 0:
        raise ValueError("keyness: the target and the reference must each have at least one token")
    return nt, nr


def _scores(terms: list, ft: np.ndarray, fr: np.ndarray, nt: float, nr: float, *, background: CountTable | None,
            prior_scale: float | None, simple_maths_n: float) -> dict[str, np.ndarray]:
    """Every statistic column of :func:`keyness`, in :data:`STATISTICS` order."""
    bg = background if background is not None else pd.Series(ft + fr, index=terms)
    alpha = dirichlet_prior(terms, bg, scale=prior_scale) if len(terms) else np.zeros(0)
    delta, z = weighted_log_odds(ft, fr, alpha) if len(terms) else (np.zeros(0), np.zeros(0))
    return {
        "g2": log_likelihood(ft, fr, nt, nr),
        "chi2": chi_squared(ft, fr, nt, nr),
        "chi2_yates": chi_squared(ft, fr, nt, nr, yates=True),
        "log_ratio": log_ratio(ft, fr, nt, nr),
        "fightin_delta": delta,
        "fightin_z": z,
        "simple_maths": simple_maths(ft, fr, nt, nr, n=simple_maths_n),
    }


def _p_values(scores: Mapping[str, np.ndarray], p_source: str) -> np.ndarray:
    """p of the statistic named by ``p_source``: χ²₁ for G² and χ², two-sided normal for Fightin' Words z."""
    from scipy import stats

    if p_source == "fightin":
        return 2.0 * stats.norm.sf(np.abs(scores["fightin_z"]))
    return stats.chi2.sf(np.abs(scores[p_source]), 1)


def top_keyness(table: pd.DataFrame, *, n: int = 10, statistic: str = "g2", drop_low_expected: bool = True) -> pd.DataFrame:
    """The ``n`` most positive and ``n`` most negative terms of a keyness table, for a bar chart.

    Args:
        table: A :func:`keyness` / :func:`compare_terms` table (not changed).
        n: Terms per side.
        statistic: Signed statistic column to rank by (``g2``, ``log_ratio``, ``fightin_z`` …).
        drop_low_expected: Leave out terms flagged ``low_expected`` (their test is unreliable).

    Returns:
        The selected rows plus ``side`` (``A``, the target / ``B``, the reference), A terms first
        (descending), then reference terms (from the most negative), ties by term.

    Example:
        >>> k = keyness({"甲": 30, "乙": 5, "丙": 10}, {"甲": 5, "乙": 30, "丙": 10})
        >>> top_keyness(k, n=1)[["term", "side"]].values.tolist()
        [['甲', 'A'], ['乙', 'B']]
    """
    if statistic == "simple_maths":
        raise ValueError("top_keyness ranks signed statistics; simple_maths is a ratio (rank by log_ratio instead)")
    rows = table[~table["low_expected"].astype(bool)] if drop_low_expected else table
    pos = rows[rows[statistic] > 0].sort_values([statistic, "term"], ascending=[False, True], kind="stable").head(n)
    neg = rows[rows[statistic] < 0].sort_values([statistic, "term"], ascending=[True, True], kind="stable").head(n)
    return pd.concat([pos.assign(side="A"), neg.assign(side="B")], ignore_index=True)


# --------------------------------------------------------------------------- selections


def _term_counts(fs: FeatureSetLike) -> pd.DataFrame:
    """The FeatureSet's term-count table (one row per node and distinct token), full texts and profiles alike."""
    return fs.term_counts


def _descendants(nodes: pd.DataFrame, document: str, path: str) -> set[str]:
    """Return ``path`` and the paths of all its descendants in ``document``."""
    doc_nodes = nodes[nodes["document"] == document] if "document" in nodes.columns else nodes
    paths = [str(p) for p in doc_nodes["path"]]
    if "parent" in doc_nodes.columns:
        children: dict[str, list[str]] = {}
        for child, parent in zip(doc_nodes["path"], doc_nodes["parent"]):
            if isinstance(parent, str):
                children.setdefault(parent, []).append(str(child))
        out, todo = {path}, [path]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return out
    return {p for p in paths if p == path or (p.startswith(path) and p[len(path):len(path) + 1] in "（(0123456789.、")}


def _normalize_spec(spec: Selection) -> list[tuple[str | None, str | None, dict]]:
    """Turn a selection spec into a list of (document or None, section or None, metadata filter)."""
    if isinstance(spec, str):
        doc, sep, section = spec.partition("#")
        return [(doc, section if sep and section else None, {})]
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(x, (str, type(None))) for x in spec):
        return [(spec[0], spec[1], {})]
    if isinstance(spec, Mapping):
        spec = dict(spec)
        docs = spec.pop("documents", spec.pop("document", None))
        section = spec.pop("section", spec.pop("path", None))
        if docs is None:
            return [(None, section, spec)]
        if isinstance(docs, str):
            docs = [docs]
        return [(d, section, spec) for d in docs]
    if isinstance(spec, (list, tuple, set, frozenset)):
        out: list = []
        for item in spec:
            out.extend(_normalize_spec(item))
        return out
    raise TypeError(f"cannot select with {spec!r}: give a document id, 'id#path', (id, path), "
                    "a list of those, or a dict like {'documents': [...], 'section': '三', 'year': 2023}")


def select_mask(fs: FeatureSetLike, spec: Selection, *, table: str | pd.DataFrame = "tokens") -> np.ndarray:
    """Return a boolean mask over ``fs.tokens`` (or ``fs.sentences``, or any table with ``document`` and ``path``) for a selection.

    A selection is any two documents, sections or groups:

    - ``"doc"``: a document; ``"doc#三"``: the node 三 of ``doc`` with its descendants;
    - ``("doc", "三")``: the same as a tuple;
    - a list of those: their union (a group);
    - a dict: ``{"documents": [...], "section": "三"}`` and/or metadata filters on
      ``fs.documents`` columns, e.g. ``{"year": [2022, 2023], "level": "district"}``.

    Args:
        fs: A FeatureSet (``.documents``, ``.nodes``, ``.tokens``, ``.sentences``).
        spec: The selection.
        table: ``"tokens"``, ``"sentences"``, ``"term_counts"`` (an attribute of ``fs``),
            or a DataFrame with ``document`` and ``path`` columns.

    Returns:
        Boolean numpy array aligned with the rows of that table.

    Raises:
        KeyError: when a document, section or metadata column does not exist.
    """
    frame = table if isinstance(table, pd.DataFrame) else getattr(fs, table)
    # integer codes of the two columns (hashed once, in C), never an object array per row
    doc_codes, doc_index = _text_codes(frame["document"])
    path_codes = path_index = None  # the path column's codes, made when a section is asked for
    known = set(fs.documents["id"].astype(str))
    mask = np.zeros(len(frame), dtype=bool)
    whole: list[int] = []  # codes of the documents selected whole: one pass over the table for all
    for doc, section, meta in _normalize_spec(spec):
        if doc is not None and doc not in known:
            raise KeyError(f"document {doc!r} is not in this FeatureSet; known ids: {sorted(known)[:20]}")
        if doc is None:
            docs_meta = fs.documents
            for column, value in meta.items():
                if column not in docs_meta.columns:
                    raise KeyError(f"no metadata column {column!r}; columns: {list(docs_meta.columns)}")
                values = value if isinstance(value, (list, tuple, set)) else [value]
                docs_meta = docs_meta[docs_meta[column].isin(list(values))]
            docs = list(docs_meta["id"].astype(str))
        else:
            docs = [doc]
        if section is None:  # a group can name thousands of documents
            whole.extend(k for d in docs for k in doc_index.get(d, []))
            continue
        if path_index is None:
            path_codes, path_index = _text_codes(frame["path"])
        for d in docs:
            part = np.isin(doc_codes, doc_index.get(d, []))
            wanted = _descendants(fs.nodes, d, section)
            if section not in set(fs.nodes.loc[fs.nodes["document"] == d, "path"].astype(str)):
                raise KeyError(f"document {d!r} has no outline node {section!r}; see its outline "
                               "(python -m analysis outline FILE)")
            part &= np.isin(path_codes, [k for p in wanted for k in path_index.get(str(p), [])])
            mask |= part
    if whole:
        mask |= np.isin(doc_codes, whole)
    return mask


def _text_codes(column: pd.Series) -> tuple[np.ndarray, dict[str, list[int]]]:
    """Integer codes of a column (-1 for missing) and, for each value as text, the codes it has
    (values are compared as text, so a str id and a categorical of str match alike)."""
    codes, uniques = pd.factorize(column)
    index: dict[str, list[int]] = {}
    for k, value in enumerate(uniques):
        if isinstance(value, str):
            index.setdefault(value, []).append(k)
    return np.asarray(codes), index


def selection_totals(fs: FeatureSetLike, spec: Selection) -> dict:
    """Return the size of a selection: word tokens, Han characters, sentences, documents.

    Args:
        fs: A FeatureSet.
        spec: A selection (see :func:`select_mask`).

    Returns:
        Dict with ``tokens`` (tokens of kind ``word``, stopwords included),
        ``han_chars`` (from the sentence table), ``sentences`` and ``documents``.
    """
    counts = _term_counts(fs)
    words = select_mask(fs, spec, table=counts) & counts["kind"].isin(["word"]).to_numpy()
    smask = select_mask(fs, spec, table="sentences")
    return {
        "tokens": int(counts.loc[words, "count"].sum()),
        "han_chars": int(fs.sentences.loc[smask, "han_chars"].sum()),
        "sentences": int(smask.sum()),
        "documents": int(fs.sentences.loc[smask, "document"].nunique()),
    }


def count_terms(fs: FeatureSetLike, spec: Selection, *, drop_stopwords: bool = True, kinds: Sequence[str] = ("word",)) -> pd.DataFrame:
    """Count the terms of a selection of a FeatureSet.

    Args:
        fs: A FeatureSet.
        spec: A selection (see :func:`select_mask`).
        drop_stopwords: Leave out tokens flagged ``is_stop``.
        kinds: Token kinds counted as terms (default: Han words only).

    Returns:
        Columns ``term, count``, by descending count then term.
    """
    tokens = _term_counts(fs)
    mask = select_mask(fs, spec, table=tokens) & tokens["kind"].isin(list(kinds)).to_numpy()
    if drop_stopwords:
        mask &= ~tokens["is_stop"].astype(bool).to_numpy()
    counts = tokens.loc[mask].groupby(tokens.loc[mask, "token"].astype(str), sort=False)["count"].sum()
    table = pd.DataFrame({"term": counts.index.astype(str), "count": counts.to_numpy(dtype=np.int64)})
    return table.sort_values(["count", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


@memoized
def compare_terms(
    fs_or_tables: FeatureSetLike | Mapping[str, CountTable],
    a: Selection,
    b: Selection,
    *,
    statistic: str = "g2",
    drop_stopwords: bool = True,
    background: CountTable | None = None,
    prior_scale: float | None = None,
    simple_maths_n: float = 1.0,
    min_expected: float = MIN_EXPECTED,
    min_total: int = MIN_TOTAL,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Keyness of the terms of A (target) against B (reference): any two documents, sections or groups.

    Token totals are the word tokens of each side (stopwords included, so rates are per
    10k running words even when stopwords are not listed); Han-character totals come
    from the sentence table. See :func:`keyness` for the statistics.

    Args:
        fs_or_tables: A FeatureSet, or a mapping name → count table (term, count); then
            ``a`` and ``b`` are names in it and the totals are the table sums.
        a: The target selection (see :func:`select_mask`).
        b: The reference selection.
        statistic: ``g2`` | ``chi2`` | ``chi2_yates`` | ``logratio`` | ``fightin`` | ``simplemaths``.
        drop_stopwords: Leave stopwords out of the term list.
        background: Background counts for the Fightin' Words prior (default: A and B pooled).
        prior_scale: α_0 of the prior (None: raw background counts).
        simple_maths_n: Kilgarriff's n.
        min_expected: Expected count below which Fisher's exact test gives ``p``.
        min_total: Fewest tokens on both sides together for a term to be tested (the FDR family).
        alpha: Level of ``significant``.

    Returns:
        The :func:`keyness` table: ``term, f_target, f_reference, rate_target,
        rate_reference, rate_han_target, rate_han_reference, expected_target,
        expected_reference, g2, chi2, chi2_yates, log_ratio, fightin_delta, fightin_z,
        simple_maths, p, p_fdr, p_test, low_expected, tested, fdr_family_size,
        significant``; target = A. Declared with its sides (A, B) and FDR family.

    Example:
        >>> tables = {"A": {"人才": 12, "工作": 40}, "B": {"人才": 2, "工作": 44}}
        >>> compare_terms(tables, "A", "B", min_expected=0)[["term", "f_target", "f_reference"]].values.tolist()
        [['人才', 12, 2], ['工作', 40, 44]]
    """
    options = dict(statistic=statistic, background=background, prior_scale=prior_scale,
                   simple_maths_n=simple_maths_n, min_expected=min_expected, min_total=min_total, alpha=alpha)
    if isinstance(fs_or_tables, Mapping):
        for name in (a, b):
            if name not in fs_or_tables:
                raise KeyError(f"{name!r} is not one of the count tables {list(fs_or_tables)}")
        return with_sides(keyness(fs_or_tables[a], fs_or_tables[b], **options), a=str(a), b=str(b))
    fs = fs_or_tables
    tab_a = count_terms(fs, a, drop_stopwords=drop_stopwords)
    tab_b = count_terms(fs, b, drop_stopwords=drop_stopwords)
    tot_a, tot_b = selection_totals(fs, a), selection_totals(fs, b)
    if tot_a["tokens"] == 0 or tot_b["tokens"] == 0:
        empty = a if tot_a["tokens"] == 0 else b
        raise ValueError(f"compare_terms: selection {empty!r} has no word tokens; check the document id and section")
    table = keyness(tab_a, tab_b, totals=(tot_a["tokens"], tot_b["tokens"]),
                    han_totals=(tot_a["han_chars"], tot_b["han_chars"]), **options)
    return with_sides(table, a=_side_name(a), b=_side_name(b))


def _side_name(spec: Selection) -> str:
    """A selection in words, for the sides of a table."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, Mapping):
        docs = spec.get("documents", spec.get("document"))
        docs = [docs] if isinstance(docs, str) else list(docs or [])
        name = ", ".join(map(str, docs[:3])) + (f" … ({len(docs)} documents)" if len(docs) > 3 else "")
        section = spec.get("section") or spec.get("path")
        return f"{name}#{section}" if section else name
    if isinstance(spec, (list, tuple)):
        items = [str(x) for x in spec]
        return ", ".join(items[:3]) + (f" … ({len(items)} documents)" if len(items) > 3 else "")
    return str(spec)
