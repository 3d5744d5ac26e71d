"""Coding rules applied to sentences or outline nodes, and codes cross-tabulated with χ² and adjusted residuals.

:func:`code_units` applies the rules of a codes file (:mod:`analysis.text.codes`) to every
sentence (or outline node's own text) of the full texts; :func:`code_crosstab` counts the
coded units by a metadata column or an outline level and tests each code for independence
from the grouping.

Codes are not exclusive (a sentence may carry several), so each code gets its own
2 × k table, coded / not coded by the k groups (the cross-tabulation of KH Coder, Higuchi
2016, ch. 4): Pearson's χ² with (k − 1) degrees of freedom and no continuity correction
(the statistic of :func:`scipy.stats.chi2_contingency` with ``correction=False``), and for
each cell of the coded row the adjusted standardized residual (Agresti 2013, *Categorical
Data Analysis*, 3rd ed., §2.4.5; Haberman 1973)

    r = (O − E) / sqrt(E · (1 − row total / N) · (1 − column total / N)),

approximately standard normal under independence: |r| > 1.96 marks a cell that departs
from independence at 5 % (per cell, not adjusted for the many cells). A cell whose
expected count is below 5 is flagged (``small_expected``): χ² is unreliable for that
code's table (Agresti 2013 §3.2.4 / Cochran 1954), and such tables are named, not hidden.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.features import FeatureSet, factorize_text
from analysis.results import MIN_EXPECTED, declare
from analysis.types import check_choice

__all__ = ["CODING_UNITS", "code_units", "code_crosstab", "adjusted_residuals", "section_of"]

#: Units a rule is applied to: a sentence, or an outline node's own text.
CODING_UNITS = ("sentence", "node")


def _occurrences(joined: str, bounds: list[tuple[int, int, int]], term: str) -> list[tuple[int, int]]:
    """Occurrences of ``term`` in a unit's joined tokens that do not straddle a word boundary.

    ``bounds``: (joined start, joined end, text start) of each token. An occurrence counts
    when it is a run of whole tokens, or lies inside one token. Returns text offsets.
    """
    starts = {b[0]: k for k, b in enumerate(bounds)}
    ends = {b[1] for b in bounds}
    out = []
    i = joined.find(term)
    while i >= 0:
        j = i + len(term)
        k = _token_at(bounds, i)
        inside = bounds[k][0] <= i and j <= bounds[k][1]
        if (i in starts and j in ends) or inside:
            out.append((bounds[k][2] + i - bounds[k][0], bounds[k][2] + i - bounds[k][0] + len(term)))
        i = joined.find(term, i + 1)
    return out


def _token_at(bounds: list[tuple[int, int, int]], pos: int) -> int:
    lo, hi = 0, len(bounds) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if bounds[mid][0] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _evaluate(node, occ: dict[str, list[tuple[int, int]]]) -> bool:
    kind = node[0]
    if kind == "term":
        return bool(occ[node[1]])
    if kind == "and":
        return _evaluate(node[1], occ) and _evaluate(node[2], occ)
    if kind == "or":
        return _evaluate(node[1], occ) or _evaluate(node[2], occ)
    if kind == "not":
        return not _evaluate(node[1], occ)
    _, a, b, n = node  # near: the gap between two occurrences is at most n characters
    return any(max(s2 - e1, s1 - e2, 0) <= n for s1, e1 in occ[a] for s2, e2 in occ[b])


def code_units(fs: FeatureSet, *, codes: pd.DataFrame | None = None, unit: str = "sentence") -> pd.DataFrame:
    """Apply coding rules to every sentence (or outline node) of the full texts.

    Args:
        fs: A FeatureSet of full texts (a reference profile is refused: rules read running text).
        codes: :func:`analysis.text.codes.load_codes` (default: ``corpus/lexicon/codes.yaml``).
        unit: ``sentence``, or ``node`` (an outline node's own sentences, without its sub-points).

    Returns:
        One row per document, unit and code: ``document``, ``sentence`` (−1 for node units),
        ``path``, ``code``, ``coded`` (bool). Units in text order, codes in file order.

    Raises:
        analysis.features.ProfileError: for a profiled document.
        ValueError: for an unknown unit.

    Example:
        >>> from analysis.features import build_features
        >>> from analysis.text.codes import codes_from_dict
        >>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["要引进人才。要培养干部人才。个人才能。"]}),
        ...                     progress=False, cache=False)
        >>> codes = codes_from_dict({"codes": {"t": {"rule": "人才 AND (引进 OR 培养) NOT 干部"}}})
        >>> code_units(fs, codes=codes)["coded"].tolist()
        [True, False, False]
    """
    from analysis.text.codes import load_codes, rule_terms

    check_choice("unit", unit, CODING_UNITS, caller="code_units")
    fs.require_text("coding rules (they read each sentence's words)")
    codes = load_codes() if codes is None else codes
    terms = list(dict.fromkeys(t for tree in codes["parsed"] for t in rule_terms(tree)))
    tokens = fs.tokens
    # Units in order of first appearance, each unit's tokens by start: one sort of integer codes,
    # then plain slices (a 64 MiB document has hundreds of thousands of sentences).
    doc_codes, doc_names = pd.factorize(tokens["document"], sort=False)
    part_codes, part_names = pd.factorize(tokens["sentence" if unit == "sentence" else "path"], sort=False)
    unit_codes, _ = pd.factorize(doc_codes.astype(np.int64) * (len(part_names) + 1) + part_codes, sort=False)
    order = np.lexsort((tokens["start"].to_numpy(dtype=np.int64), unit_codes))
    token_codes, token_names = factorize_text(tokens["token"])  # one str per distinct token, shared
    # arrays in unit order, made Python objects one unit at a time (a list of every token's start was
    # 0.4 GB of ints on a 64 MiB document)
    word_codes = token_codes[order]
    starts = tokens["start"].to_numpy(dtype=np.int64)[order]
    edges = np.concatenate([[0], np.flatnonzero(np.diff(unit_codes[order])) + 1, [len(order)]]) if len(order) else [0]
    firsts = order[np.asarray(edges[:-1], dtype=np.int64)]  # a token of each unit: its document, sentence, path
    coded: list[bool] = []
    for lo, hi in zip(np.asarray(edges[:-1]).tolist(), np.asarray(edges[1:]).tolist()):
        words = [token_names[k] for k in word_codes[lo:hi].tolist()]
        bounds, pos = [], 0
        for word, start in zip(words, starts[lo:hi].tolist()):
            bounds.append((pos, pos + len(word), start))
            pos += len(word)
        joined = "".join(words)
        occ = {t: _occurrences(joined, bounds, t) for t in terms}
        coded.extend(_evaluate(tree, occ) for tree in codes["parsed"])
    n_codes = len(codes)
    documents = np.asarray([str(d) for d in doc_names], dtype=object)[doc_codes[firsts]]
    paths = tokens["path"].take(firsts).astype(str).to_numpy()
    sentences = (tokens["sentence"].to_numpy(dtype=np.int64)[firsts] if unit == "sentence"
                 else np.full(len(firsts), -1, dtype=np.int64))
    out = pd.DataFrame({"document": np.repeat(documents, n_codes), "sentence": np.repeat(sentences, n_codes),
                        "path": np.repeat(np.asarray(paths, dtype=object), n_codes),
                        "code": np.tile(np.asarray(codes["code"], dtype=object), len(firsts)),
                        "coded": np.asarray(coded, dtype=bool)},
                       columns=["document", "sentence", "path", "code", "coded"])
    return out.astype({"sentence": "int64", "coded": bool})


def section_of(fs: FeatureSet, *, level: int = 1) -> pd.DataFrame:
    """Each node's ancestor-or-self at outline ``level`` (column ``section``), for cross-tabs by section.

    >>> from analysis.features import build_features
    >>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["一、甲\\n（一）乙\\n人才。\\n"]}), progress=False, cache=False)
    >>> section_of(fs).query("path == '一（一）'")["section"].tolist()
    ['一']
    """
    from analysis.stats.units import ancestor_at_level

    out = ancestor_at_level(fs.nodes, level).rename(columns={"ancestor": "section"})
    return out.assign(document=out["document"].astype(str))


def adjusted_residuals(observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts and adjusted standardized residuals of a two-way table (Agresti 2013 §2.4.5).

    >>> e, r = adjusted_residuals(np.array([[10, 20], [30, 40]]))
    >>> e.tolist(), r.round(4).tolist()
    ([[12.0, 18.0], [28.0, 42.0]], [[-0.8909, 0.8909], [0.8909, -0.8909]])
    """
    observed = np.asarray(observed, dtype=float)
    n = observed.sum()
    rows = observed.sum(axis=1, keepdims=True)
    cols = observed.sum(axis=0, keepdims=True)
    expected = rows * cols / n
    with np.errstate(divide="ignore", invalid="ignore"):
        residual = (observed - expected) / np.sqrt(expected * (1 - rows / n) * (1 - cols / n))
    return expected, residual


def code_crosstab(coded: pd.DataFrame, *, by: str = "section", documents: pd.DataFrame | None = None,
                  sections: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cross-tabulate coded units by a grouping, one 2 × k χ² test per code.

    Args:
        coded: :func:`code_units`.
        by: ``section`` (the unit's top-level outline section; give ``sections`` from
            :func:`section_of`), ``path``, ``document``, or a metadata column of ``documents``.
        documents: The documents table (``fs.documents``) when ``by`` is a metadata column.
        sections: :func:`section_of` when ``by`` is ``section``.

    Returns:
        ``(cells, tests)``. ``cells``: one row per code and group: ``code``, ``group``,
        ``observed`` (coded units), ``n_units`` (units in the group), ``expected``,
        ``residual`` (adjusted standardized residual of the coded cell), ``small_expected``.
        ``tests``: one row per code: ``code``, ``observed`` (coded units in all), ``n_units``,
        ``pearson_chi2``, ``dof``, ``p``, ``cramers_v``, ``cells`` (2·k), ``small_expected_cells``.
        A code coded nowhere (or everywhere) has χ² and p NaN.

    Raises:
        ValueError: when ``by`` cannot be resolved.

    Example:
        >>> coded = pd.DataFrame({"document": "d", "sentence": range(4), "path": ["一", "一", "二", "二"],
        ...                       "code": "c", "coded": [True, True, False, True]})
        >>> cells, tests = code_crosstab(coded, by="path")
        >>> cells[["group", "observed", "n_units"]].values.tolist()
        [['一', 2, 2], ['二', 1, 2]]
        >>> float(tests.loc[0, "pearson_chi2"]).__round__(4), int(tests.loc[0, "dof"])
        (1.3333, 1)
    """
    from scipy.stats import chi2

    table = coded.copy()
    if by == "section":
        if sections is None:
            raise ValueError("code_crosstab(by='section') needs sections=section_of(fs)")
        table = table.merge(sections, on=["document", "path"], how="left")
        table["group"] = table["section"].fillna(table["path"])
    elif by in table.columns:
        table["group"] = table[by]
    elif documents is not None and by in documents.columns:
        table["group"] = table["document"].map(dict(zip(documents["id"].astype(str), documents[by])))
    else:
        raise ValueError(f"code_crosstab: by={by!r} is neither section, a column of the coded units nor a metadata "
                         "column of documents (pass documents=fs.documents)")
    table["group"] = table["group"].astype(str)
    order = list(dict.fromkeys(table["group"]))
    cells, tests = [], []
    for code in dict.fromkeys(table["code"]):
        part = table[table["code"] == code]
        units = part.groupby("group", sort=False).size().reindex(order, fill_value=0)
        yes = part[part["coded"]].groupby("group", sort=False).size().reindex(order, fill_value=0)
        observed = np.vstack([yes.to_numpy(), (units - yes).to_numpy()])
        expected, residual = adjusted_residuals(observed)
        k = len(order)
        defined = observed.sum(axis=1).min() > 0 and k > 1
        stat = float(((observed - expected) ** 2 / expected).sum()) if defined else np.nan
        dof = (k - 1) if k > 1 else 0
        n = observed.sum()
        tests.append({"code": code, "observed": int(yes.sum()), "n_units": int(n), "pearson_chi2": stat, "dof": dof,
                      "p": float(chi2.sf(stat, dof)) if defined else np.nan,
                      "cramers_v": float(np.sqrt(stat / n)) if defined else np.nan,  # min(r−1, c−1) = 1 for 2 × k
                      "cells": 2 * k, "small_expected_cells": int((expected < MIN_EXPECTED).sum())})
        for j, group in enumerate(order):
            cells.append({"code": code, "group": group, "observed": int(yes.iloc[j]), "n_units": int(units.iloc[j]),
                          "expected": float(expected[0, j]), "residual": float(residual[0, j]) if defined else np.nan,
                          "small_expected": bool(expected[0, j] < MIN_EXPECTED or expected[1, j] < MIN_EXPECTED)})
    cells_t = declare(pd.DataFrame(cells), result="code_crosstab",
                      note=f"coded units by {by}; residual: adjusted standardized residual (|r| > 1.96: 5 % per cell)")
    tests_t = declare(pd.DataFrame(tests), result="code_chi2",
                      note=f"one 2 × k Pearson χ² per code (coded / not coded by {by}); no continuity correction")
    return cells_t, tests_t
