"""Comparison at the level of speeches: one speech against another, or against a group.

Built on the count-based analyses (theme coverage, emphasis and index shifts with their
bootstrap, keyness), so a reference profile and a full text give the same tables:
nothing here reads running text.

Where the speeches come from is decided in :mod:`analysis.speeches`; this module only
reads FeatureSets.

- :func:`plan_comparisons` / :func:`comparison_table` / :func:`comparison_groups`: which
  comparisons can be made (a speech against named speeches and against metadata
  groups), and who is in each group, with a warning for small, long or mixed groups.
- :func:`speech_themes`: each speech's theme shares, ordered by date, rows keyed by document.
- :func:`theme_shift` / :func:`theme_shifts`: Δ share of each theme with a bootstrap
  interval, flagged when a side has too few resampling units.
- :func:`speech_index`: the talent-versus-grassroots index of each speech with its interval.
- :func:`significant_keyness` / :func:`keyness_by_comparison`: the terms key to either
  side at a Benjamini–Hochberg FDR, Fisher's exact test where expected counts are small.
- :func:`speech_structure`: size and shape of each speech's outline.
- :func:`peer_position` / :func:`peer_positions`: a speech's theme shares as percentiles
  among peers by kind, level or decade.

>>> [c.name for c in plan_comparisons(_example_features(), "t", others=["g"])]
['t vs g']
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
import pandas as pd

from analysis.memo import memoized
from analysis.results import ALPHA, CI_LEVEL, MIN_EXPECTED, MIN_GROUP, MIN_TOTAL, MIN_UNITS, declare
from analysis.stats.meta import describe_group, group_warning, with_year
from analysis.types import FeatureSetLike, Selection

__all__ = ["Comparison",
           "plan_comparisons",
           "comparison_table", "comparison_groups", "speech_themes", "theme_shift", "theme_shifts", "speech_index",
           "significant_keyness", "keyness_by_comparison", "speech_structure", "percentile_of", "peer_position", "peer_positions"]

# --------------------------------------------------------------------------- examples


@lru_cache(maxsize=1)
def _example_features():
    """Three short speeches written for the docstring examples (a FeatureSet, built once)."""
    from analysis.features import build_features

    talent = "同志们：\n一、人才\n" + "".join(f"要引进人才，培养人才第{i}批。\n" for i in range(1, 25))
    grassroots = "同志们：\n一、基层\n" + "".join(f"社区要服务群众，基层要减负第{i}项。\n" for i in range(1, 25))
    mixed = "一、干部\n" + "".join(f"干部要到基层锻炼，人才要到一线第{i}次。\n" for i in range(1, 25))
    docs = pd.DataFrame({"id": ["t", "g", "m"], "text": [talent, grassroots, mixed],
                         "date": ["2023", "2020-06-29", "2021"], "kind": ["district", "national", "national"]})
    fs = build_features(docs, progress=False, cache=False)
    return replace(fs, documents=with_year(fs.documents))


# --------------------------------------------------------------------------- what to compare


@dataclass(frozen=True)
class Comparison:
    """One comparison: selection A against selection B (see :func:`analysis.stats.keyness.select_mask`).

    Attributes:
        name: Short label, e.g. ``"seed vs p-xi-2020-zzlx"``.
        a: Selection A (a document id).
        b: Selection B (a document id or a list of ids).
        label_a: Legend name of A.
        label_b: Legend name of B.
        documents_b: The ids in B.
        warning: Why B (a group) should be read with care (:func:`analysis.stats.meta.group_warning`).
    """

    name: str
    a: Selection
    b: Selection
    label_a: str
    label_b: str
    documents_b: tuple[str, ...]
    warning: str = ""


def _group_ids(documents: pd.DataFrame, spec: Mapping[str, Any], exclude: str) -> list[str]:
    meta = documents
    for column, value in spec.items():
        if column not in meta.columns:
            raise KeyError(f"no metadata column {column!r} for a group; columns: {list(documents.columns)}")
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        meta = meta[meta[column].isin(values)]
    return [str(i) for i in meta["id"] if str(i) != exclude]


def plan_comparisons(fs: FeatureSetLike, document: str, *, others: Sequence[str] = (),
                     groups: Mapping[str, Mapping[str, Any]] | None = None, label: str | None = None) -> list[Comparison]:
    """The comparisons of one speech with other speeches and with groups that this FeatureSet allows.

    A speech or group that is not in the FeatureSet (e.g. the reference speeches are
    missing, or no speech has the metadata column a group filters on) is left out with a
    warning naming it, so a notebook still runs.

    Args:
        fs: A FeatureSet.
        document: The id of the speech studied (A in every comparison).
        others: Ids of single speeches to compare it with.
        groups: Name → metadata filter, e.g. ``{"organization & party building":
            {"kind": ["organization_work", "party_building"]}}``; the speech itself is
            never in its own comparison group.
        label: Legend name of the speech (default: its id).

    Returns:
        A list of :class:`Comparison`, speeches first, then groups.

    Raises:
        KeyError: when ``document`` is not in the FeatureSet.

    Example:
        >>> comps = plan_comparisons(_example_features(), "t", others=["g"], groups={"national": {"kind": "national"}})
        >>> [(c.name, c.documents_b) for c in comps]
        [('t vs g', ('g',)), ('t vs national', ('g', 'm'))]
    """
    ids = [str(i) for i in fs.documents["id"]]
    if document not in ids:
        raise KeyError(f"document {document!r} is not in this FeatureSet; ids: {ids[:20]}")
    label = label or document
    out = []
    for other in others:
        if other not in ids:
            warnings.warn(f"speech {other!r} is not in the corpus or the reference speeches: comparison left out",
                          stacklevel=2)
            continue
        out.append(Comparison(f"{label} vs {other}", document, other, label, other, (other,)))
    for name, spec in (groups or {}).items():
        absent = [column for column in spec if column not in fs.documents.columns]
        if absent:
            warnings.warn(f"group {name!r}: no metadata column {absent} in these speeches "
                          f"(columns: {list(fs.documents.columns)}): comparison left out", stacklevel=2)
            continue
        members = _group_ids(fs.documents, spec, exclude=document)
        if not members:
            warnings.warn(f"group {name!r} ({dict(spec)}) has no speech here: comparison left out", stacklevel=2)
            continue
        meta = fs.documents[fs.documents["id"].astype(str).isin(members)]
        out.append(Comparison(f"{label} vs {name}", document, members, label, f"{name} ({len(members)})",
                              tuple(members), group_warning(meta)))
    return out


def comparison_table(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """One row per comparison: ``comparison, a, b`` (ids joined by ``;``), ``speeches_b``, ``group_warning``.

    >>> comparison_table([Comparison("x vs y", "x", "y", "x", "y", ("y",))]).values.tolist()
    [['x vs y', 'x', 'y', 1, '']]
    """
    table = pd.DataFrame([(c.name, str(c.a), ";".join(c.documents_b), len(c.documents_b), c.warning)
                          for c in comparisons], columns=["comparison", "a", "b", "speeches_b", "group_warning"])
    return declare(table, result="comparisons")


def comparison_groups(fs: FeatureSetLike, comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """Who is on side B of each comparison: :func:`analysis.stats.meta.describe_group` per comparison.

    Returns:
        One row per comparison: ``comparison`` and the columns of ``describe_group``
        (``group, speeches, years, levels, kinds, speaker_roles, group_warning``).

    >>> comparison_groups(_example_features(), plan_comparisons(_example_features(), "t", others=["g"]))[
    ...     ["comparison", "speeches", "years"]].values.tolist()
    [['t vs g', 1, '2020']]
    """
    frames = [describe_group(fs.documents, c.documents_b, name=c.label_b).assign(comparison=c.name)
              for c in comparisons]
    columns = ["comparison", "group", "speeches", "years", "levels", "kinds", "speaker_roles", "group_warning"]
    table = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame({c: [] for c in columns})
    return declare(table, result="groups")


# --------------------------------------------------------------------------- themes per speech


@memoized
def speech_themes(fs: FeatureSetLike, *, documents: Sequence[str] | None = None, share: str = "tokens") -> pd.DataFrame:
    """Each speech's share of each theme, ordered by date, rows keyed by document.

    Args:
        fs: A FeatureSet.
        documents: Ids to keep (default: all).
        share: ``tokens``, ``han`` or ``sentences`` (see :func:`analysis.stats.themes.theme_coverage`).

    Returns:
        One row per document per theme: ``document, label`` (``"<year> <id>"``, unique
        per document), ``date, year, kind, level`` (when present), ``theme, label_zh,
        share_of, share, theme_hits, word_tokens``, ordered by date (then id), themes in lexicon order.

    Example:
        >>> t = speech_themes(_example_features())
        >>> t.drop_duplicates("document")["label"].tolist()
        ['2020 g', '2021 m', '2023 t']
        >>> round(float(t.query("document == 't' and theme == 'talent'")["share"].iloc[0]), 3)
        0.288
    """
    from analysis.stats.themes import theme_coverage

    column = f"share_{share}"
    cov = theme_coverage(fs, by="document")
    if column not in cov.columns:
        raise ValueError(f"share must be tokens, han or sentences, got {share!r}")
    meta = with_year(fs.documents).rename(columns={"id": "document"})
    meta["document"] = meta["document"].astype(str)
    if documents is not None:
        meta = meta[meta["document"].isin([str(d) for d in documents])]
    meta = meta.assign(_date=meta["date"].astype(str) if "date" in meta.columns else "")
    meta = meta.sort_values(["_date", "document"], kind="stable")
    year = meta["year"].astype("string").fillna("") if "year" in meta.columns else ""
    meta = meta.assign(label=(year + " " + meta["document"]).str.strip(), _order=np.arange(len(meta)))
    keep = ["document", "label", "_order"] + [c for c in ("date", "year", "kind", "level") if c in meta.columns]
    cov = cov.assign(document=cov["document"].astype(str)).merge(meta[keep], on="document", how="inner")
    cov = cov.assign(_t=cov.groupby("document").cumcount()).sort_values(["_order", "_t"], kind="stable")
    cov = cov.rename(columns={column: "share"}).assign(share_of=share)
    out = keep[:2] + keep[3:] + ["theme", "label_zh", "share_of", "share", "theme_hits", "word_tokens"]
    return cov[out].reset_index(drop=True)


# --------------------------------------------------------------------------- shifts with intervals


def theme_shift(fs: FeatureSetLike, a: Selection, b: Selection, **options: Any) -> pd.DataFrame:
    """Shift of each theme's share from A to B with a bootstrap interval: :func:`analysis.stats.themes.emphasis_shift`.

    The same function under the name the speech-level notebook uses; one table, one
    significance rule (:func:`analysis.results.is_significant`).

    Example:
        >>> s = theme_shift(_example_features(), "t", "g", n_resamples=200).set_index("theme")
        >>> s.loc["talent", ["share_a", "share_b", "diff"]].astype(float).round(3).tolist()
        [0.288, 0.0, -0.288]
        >>> theme_shift(_example_features(), "t", "g", unit="paragraph", min_units=30, n_resamples=50)["flag"].iloc[0]
        'A has only 26 paragraphs (< 30); B has only 26 paragraphs (< 30): interval not reliable, not called significant'
    """
    from analysis.stats.themes import emphasis_shift

    return emphasis_shift(fs, a, b, **options)


@memoized
def theme_shifts(fs: FeatureSetLike, comparisons: Sequence[Comparison], **options: Any) -> pd.DataFrame:
    """:func:`theme_shift` for each comparison, stacked, with ``comparison, label_a, label_b`` first.

    Options are passed to :func:`theme_shift`. Returns an empty table with the same
    columns when there is no comparison.
    """
    frames = [theme_shift(fs, c.a, c.b, **options).assign(comparison=c.name, label_a=c.label_a, label_b=c.label_b,
                                                          group_warning=c.warning)
              for c in comparisons]
    columns = ["comparison", "label_a", "label_b", "theme", "label_zh", "share_of", "hits_a", "hits_b", "share_a",
               "share_b", "diff", "ci_low", "ci_high", "significant", "units_a", "units_b", "unit", "n_resamples", "flag",
               "group_warning"]
    table = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame({c: [] for c in columns})
    return declare(table, result="theme_shift", estimate="diff",
                   note="Each row: diff = share in B − share in A of its comparison (A = label_a, B = label_b).")


@memoized
def speech_index(fs: FeatureSetLike, *, documents: Sequence[str] | None = None, share: str = "tokens", unit: str = "sentence",
                 n_resamples: int = 2000, seed: int = 20240, ci: float = CI_LEVEL, min_units: int = MIN_UNITS,
                 numerator: str = "talent", denominator: str = "grassroots") -> pd.DataFrame:
    """The talent-versus-grassroots index ln(s_talent / s_grassroots) of each speech, with a bootstrap interval.

    The index and its interval are those of :func:`analysis.stats.themes.index_shift`
    (side A), computed for each speech on its own: its sentences (or paragraphs) are
    resampled ``n_resamples`` times. Undefined (NaN, flagged) when a theme has no hit.

    Args:
        fs: A FeatureSet.
        documents: Ids (default: all), kept in date order.
        share: ``tokens``, ``han`` or ``sentences``.
        unit: ``sentence`` or ``paragraph``.
        n_resamples: Bootstrap replicates per speech.
        seed: Seed of the bootstrap.
        ci: Confidence level.
        min_units: Fewest units for a usable interval.
        numerator: Theme in the numerator.
        denominator: Theme in the denominator.

    Returns:
        One row per speech, in date order: ``document, label, share_of, hits_<numerator>,
        hits_<denominator>, index, ci_low, ci_high, valid`` (replicates with both themes),
        ``units, unit, flag``.

    Example:
        >>> i = speech_index(_example_features(), n_resamples=200).set_index("document")
        >>> round(float(i.loc["m", "index"]), 3), i.loc["t", "flag"]
        (0.0, 'a share is 0: index undefined')
    """
    from analysis.stats.themes import index_shift

    themes = speech_themes(fs, documents=documents, share=share)
    order = themes.drop_duplicates("document")[["document", "label"]]
    hits = themes.pivot_table(index="document", columns="theme", values="theme_hits", aggfunc="sum")
    rows = []
    labels = dict(zip(order["document"], order["label"]))
    for document, one in _one_by_one(fs, list(labels)):
        label = labels[document]
        units = _units(one, document, unit)
        result = index_shift(one, document, document, share=share, unit=unit, n_resamples=n_resamples, seed=seed,
                             ci=ci, numerator=numerator, denominator=denominator).iloc[0]
        few = f"only {units} {unit}{'' if units == 1 else 's'} (< {min_units}): interval not reliable"
        flags = [f for f in (result["flag"], few if units < min_units else "") if f]
        rows.append((document, label, share, int(hits.loc[document, numerator]),
                     int(hits.loc[document, denominator]), result["index"], result["ci_low"], result["ci_high"],
                     int(result["valid"]), units, unit, "; ".join(flags)))
    table = pd.DataFrame(rows, columns=["document", "label", "share_of", f"hits_{numerator}", f"hits_{denominator}",
                                        "index", "ci_low", "ci_high", "valid", "units", "unit", "flag"])
    return declare(table, result="speech_index", estimate="index",
                   note=f"index = ln(share of {numerator} / share of {denominator}), a log ratio (0: equal shares); "
                        f"{ci:.0%} bootstrap interval ({n_resamples:,} resamples of {unit}s, seed {seed}).")


def _one_by_one(fs: FeatureSetLike, documents: list) -> Iterator[tuple[Any, FeatureSetLike]]:
    """``(document, the FeatureSet of that document alone)`` for each of ``documents``, in their order.

    Each is selected from a block of about √n documents, each block selected once from ``fs``:
    n documents cost about 2√n passes over ``fs``'s tables rather than n (1,000 speeches: 64
    rather than 1,000; each pass filters every count table, millions of rows).
    """
    size = max(1, math.isqrt(max(len(documents) - 1, 0)) + 1)  # ⌈√n⌉
    for start in range(0, len(documents), size):
        block = documents[start:start + size]
        part = fs.select(block) if len(block) > 1 else fs
        for document in block:
            yield document, part.select([document])


def _units(fs: FeatureSetLike, document: str, unit: str) -> int:
    sentences = fs.sentences[(fs.sentences["document"] == document) & (fs.sentences["han_chars"] > 0)]
    return int(len(sentences) if unit == "sentence" else sentences["paragraph"].nunique())


# --------------------------------------------------------------------------- keyness, significant only


def significant_keyness(fs: FeatureSetLike, a: Selection, b: Selection, *, statistic: str = "g2", alpha: float = ALPHA,
                        min_total: int = MIN_TOTAL, min_expected: float = MIN_EXPECTED,
                        top: int | None = None) -> pd.DataFrame:
    """The terms key to A or to B at a false discovery rate ``alpha``, and only those.

    The rows of :func:`analysis.stats.keyness.compare_terms` whose ``significant`` is
    true: every term that occurs at least ``min_total`` times on the two sides together
    is tested (χ²₁ p of ``statistic``, Fisher's exact test where an expected count is
    below ``min_expected``) and adjusted by Benjamini & Hochberg (1995) over that whole
    family, so ``p_fdr`` is the same number as in the full table; this function only
    hides rows. Non-significant terms are never added to fill the list.

    Args:
        fs: A FeatureSet.
        a: Selection A (target).
        b: Selection B (reference).
        statistic: ``g2``, ``chi2`` or ``chi2_yates`` (the asymptotic test used where counts allow).
        alpha: FDR level.
        min_total: Fewest occurrences (A + B) for a term to be tested.
        min_expected: Expected count under which the exact test is used.
        top: Keep at most this many terms per side (the most significant); None keeps all.

    Returns:
        The columns of :func:`analysis.stats.keyness.compare_terms` (``p_test`` says
        ``fisher`` where the exact test was used) plus ``side`` (``A``/``B``, by the sign of
        ``log_ratio``), sorted A then B, by ``p_fdr`` then by |log_ratio| descending, then term.

    Example:
        >>> k = significant_keyness(_example_features(), "t", "g", top=2)
        >>> k[["side", "term", "f_target", "f_reference", "p_test"]].values.tolist()
        [['A', '人才', 49, 0, 'g2'], ['A', '培养', 24, 0, 'g2'], ['B', '基层', 0, 25, 'g2'], ['B', '减负', 0, 24, 'g2']]
    """
    from analysis.stats.keyness import compare_terms

    if statistic not in ("g2", "chi2", "chi2_yates"):
        raise ValueError(f"statistic must be g2, chi2 or chi2_yates for the significance test, got {statistic!r}")
    table = compare_terms(fs, a, b, statistic=statistic, alpha=alpha, min_total=min_total, min_expected=min_expected)
    meta = dict(table.attrs)
    table = table[table["significant"]].copy()
    table["side"] = np.where(table["log_ratio"] > 0, "A", "B")
    table["_abs"] = table["log_ratio"].abs()
    table = table.sort_values(["side", "p_fdr", "_abs", "term"], ascending=[True, True, False, True], kind="stable")
    if top is not None:
        table = table.groupby("side", sort=False).head(top)
    table = table.drop(columns="_abs").reset_index(drop=True)
    table.attrs = meta
    return table


#: Columns of :func:`significant_keyness` (those of :func:`analysis.stats.keyness.compare_terms` and ``side``).
KEYNESS_COLUMNS = ["term", "f_target", "f_reference", "rate_target", "rate_reference", "rate_han_target",
                   "rate_han_reference", "expected_target", "expected_reference", "g2", "chi2", "chi2_yates",
                   "log_ratio", "fightin_delta", "fightin_z", "simple_maths", "p", "p_fdr", "p_test", "low_expected",
                   "tested", "fdr_family_size", "significant", "side"]


@memoized
def keyness_by_comparison(fs: FeatureSetLike, comparisons: Sequence[Comparison], **options: Any) -> pd.DataFrame:
    """:func:`significant_keyness` for each comparison, stacked, with ``comparison, label_a, label_b`` first.

    Options are passed to :func:`significant_keyness`; an empty table (same columns) when
    there is no comparison.
    """
    frames = [significant_keyness(fs, c.a, c.b, **options).assign(comparison=c.name, label_a=c.label_a,
                                                                  label_b=c.label_b) for c in comparisons]
    first = ["comparison", "label_a", "label_b"]
    if not frames:
        return pd.DataFrame({c: [] for c in first + KEYNESS_COLUMNS})
    table = pd.concat(frames, ignore_index=True)
    return table[first + [c for c in table.columns if c not in first]]


# --------------------------------------------------------------------------- structure


def speech_structure(fs: FeatureSetLike) -> pd.DataFrame:
    """Size and shape of each speech: length, points, preamble/body/closing shares, the largest point.

    Read from the outline nodes (no text): the body is every top-level point (level 1)
    with its sub-points; the preamble and the closing are the level-0 parts.

    Args:
        fs: A FeatureSet.

    Returns:
        One row per document (FeatureSet order): ``document, han_chars, sentences,
        paragraphs, points`` (top-level headed points found), ``announced`` (Int64, <NA>
        when the speech announces no count), ``announced_matches`` (boolean, <NA> when
        none announced), ``preamble_share, body_share, closing_share`` (of the Han
        characters; they add up to 1), ``largest_point`` (its path), ``largest_point_share``
        (of the document), ``largest_point_share_of_body``.

    Example:
        >>> st = speech_structure(_example_features())
        >>> st[["document", "points", "preamble_share", "body_share"]].round(3).values.tolist()
        [['t', 1, 0.011, 0.989], ['g', 1, 0.009, 0.991], ['m', 1, 0.0, 1.0]]
    """
    nodes = fs.nodes
    announced = dict(zip(fs.documents["id"].astype(str), fs.documents["announced"]))
    sents = fs.sentences[fs.sentences["han_chars"] > 0].groupby("document", sort=False).agg(
        sentences=("sentence", "size"), paragraphs=("paragraph", "nunique"))
    rows = []
    for document in [str(d) for d in fs.documents["id"]]:
        doc = nodes[nodes["document"] == document]
        top = doc[doc["level"] == 0]
        total = float(doc.loc[doc["level"] <= 1, "han_chars"].sum())
        part = {k: float(top.loc[top["kind"] == k, "han_chars"].sum()) for k in ("preamble", "closing")}
        level1 = doc[doc["level"] == 1]
        points = int((~level1["unheaded"].astype(bool)).sum())
        ann = announced.get(document, pd.NA)
        largest = level1.sort_values(["han_chars", "path"], ascending=[False, True], kind="stable").head(1)
        body = total - part["preamble"] - part["closing"]
        big = float(largest["han_chars"].iloc[0]) if len(largest) else np.nan
        share = (lambda x: x / total if total else np.nan)
        rows.append((document, int(total), int(sents["sentences"].get(document, 0)),
                     int(sents["paragraphs"].get(document, 0)), points, ann,
                     pd.NA if pd.isna(ann) else bool(int(ann) == points),
                     share(part["preamble"]), share(body), share(part["closing"]),
                     str(largest["path"].iloc[0]) if len(largest) else "", share(big),
                     big / body if body else np.nan))
    out = pd.DataFrame(rows, columns=["document", "han_chars", "sentences", "paragraphs", "points", "announced",
                                      "announced_matches", "preamble_share", "body_share", "closing_share",
                                      "largest_point", "largest_point_share", "largest_point_share_of_body"])
    out["announced"] = out["announced"].astype("Int64")
    out["announced_matches"] = out["announced_matches"].astype("boolean")
    return out


# --------------------------------------------------------------------------- among peers


def percentile_of(values: ArrayLike, score: float) -> float:
    """Percentile rank of ``score`` among ``values``: % below plus half the % equal (ties split).

    The "mean" definition of ``scipy.stats.percentileofscore(values, score, kind="mean")``;
    NaN values are ignored; NaN when no value is left.

    Example:
        >>> percentile_of([1, 2, 3, 4], 3), percentile_of([1, 2, 3, 4], 10)
        (62.5, 100.0)
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0 or np.isnan(score):
        return float("nan")
    return float(100.0 * ((v < score).sum() + 0.5 * (v == score).sum()) / v.size)


def peer_position(fs: FeatureSetLike, document: str, *, by: str = "kind", share: str = "tokens",
                  groups: Sequence[Any] | None = None, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Where a speech sits among its peers: for each theme, its share and percentile within each group.

    Peers are the other speeches of the FeatureSet grouped by a metadata column
    (``kind``, ``level``, or ``decade``, derived from the year); the speech itself is
    never in a group.

    Args:
        fs: A FeatureSet.
        document: The speech's id.
        by: Metadata column that forms the groups (``decade`` is derived when missing).
        share: ``tokens``, ``han`` or ``sentences``.
        groups: Group values to keep, in this order (default: every value, by size descending).
        min_group: Fewest peers for a percentile (:data:`analysis.results.MIN_GROUP`); a
            smaller group gets no percentile and a ``group_warning``.

    Returns:
        One row per group per theme: ``document, by, group, theme, label_zh, share_of,
        share`` (the speech's), ``group_size, group_median, group_min, group_max,
        percentile`` (0–100, see :func:`percentile_of`; NaN for groups under
        ``min_group``), ``group_warning``.

    Example:
        >>> p = peer_position(_example_features(), "t", by="kind", min_group=2)
        >>> p.loc[p["theme"] == "talent", ["group", "group_size", "percentile"]].values.tolist()
        [['national', 2, 100.0]]
        >>> peer_position(_example_features(), "t", by="kind")["percentile"].isna().all()
        np.True_
    """
    table = speech_themes(fs, share=share)
    meta = with_year(fs.documents).rename(columns={"id": "document"})
    meta["document"] = meta["document"].astype(str)
    if by not in meta.columns:
        raise KeyError(f"no metadata column {by!r} to group peers; columns: {list(meta.columns)}")
    if document not in set(meta["document"]):
        raise KeyError(f"document {document!r} is not in this FeatureSet")
    table = table.drop(columns=[c for c in ("kind", "level", "year", "date") if c in table.columns and c != by])
    if by not in table.columns:
        table = table.merge(meta[["document", by]], on="document", how="left")
    own = table[table["document"] == document].set_index("theme")
    peers = table[(table["document"] != document) & table[by].notna()]
    if groups is None:
        sizes = peers.drop_duplicates("document")[by].value_counts(sort=False)
        groups = sorted(sizes.index, key=lambda g: (-int(sizes[g]), str(g)))
    rows = []
    for group in groups:
        members = peers[peers[by] == group]
        ids = members["document"].unique()
        warning = group_warning(meta[meta["document"].isin(ids)], min_group=min_group)
        small = len(ids) < min_group
        for theme in own.index:
            values = members.loc[members["theme"] == theme, "share"].to_numpy(dtype=float)
            score = float(own.loc[theme, "share"])
            rows.append((document, by, group, theme, own.loc[theme, "label_zh"], own.loc[theme, "share_of"], score,
                         int(members["document"].nunique()),
                         float(np.nanmedian(values)) if values.size else np.nan,
                         float(np.nanmin(values)) if values.size else np.nan,
                         float(np.nanmax(values)) if values.size else np.nan,
                         np.nan if small else percentile_of(values, score), warning))
    table = pd.DataFrame(rows, columns=["document", "by", "group", "theme", "label_zh", "share_of", "share",
                                        "group_size", "group_median", "group_min", "group_max", "percentile",
                                        "group_warning"])
    return declare(table, result="peer_position",
                   note=f"Percentiles need at least {min_group} peers; smaller groups show none.")


def peer_positions(fs: FeatureSetLike, document: str, *, by: Sequence[str] = ("kind", "level", "decade"),
                   share: str = "tokens") -> pd.DataFrame:
    """:func:`peer_position` for several groupings, stacked; a grouping whose column these speeches lack is skipped.

    Args:
        fs: A FeatureSet.
        document: The speech's id.
        by: Metadata columns that form the peer groups (``decade`` is derived from the year).
        share: ``tokens``, ``han`` or ``sentences``.

    Returns:
        The :func:`peer_position` columns, groupings in the order of ``by``; empty (same
        columns) when no grouping applies.

    Warns:
        UserWarning: naming each column that is missing.

    Example:
        >>> p = peer_positions(_example_features(), "t", by=["kind", "decade"])
        >>> p.drop_duplicates(["by", "group"])[["by", "group", "group_size"]].values.tolist()
        [['kind', 'national', 2], ['decade', 2020, 2]]
    """
    columns = with_year(fs.documents).columns
    frames = []
    for column in by:
        if column not in columns:
            warnings.warn(f"no metadata column {column!r} in these speeches: no peers by {column}", stacklevel=2)
            continue
        frames.append(peer_position(fs, document, by=column, share=share))
    if not frames:
        return pd.DataFrame({c: [] for c in ["document", "by", "group", "theme", "label_zh", "share_of", "share",
                                             "group_size", "group_median", "group_min", "group_max", "percentile",
                                             "group_warning"]})
    out = pd.concat(frames, ignore_index=True)
    out.attrs = dict(frames[0].attrs)
    return out
