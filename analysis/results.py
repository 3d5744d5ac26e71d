"""What every number that leaves the library is: column declarations, the decision rules, formatting.

One module owns three things, and every surface (notebook tables, CSV headers, chart
axes, findings, the report) renders from them instead of guessing from a column name:

* **Declarations.** :data:`COLUMNS` names each column the project writes and what it
  holds: a count *of what*, a share *of what*, a difference of shares in percentage
  points, a log ratio, a p-value or its adjusted form, an interval bound *of which
  quantity* … A table adds what only it knows (the two sides, the estimate its interval
  bounds belong to, the FDR family) with :func:`declare`; :func:`column_kind` reads the
  two together. :func:`glossary` turns the declarations into the glossary of the docs.
* **Decision rules.** :data:`ALPHA`, :data:`MIN_UNITS`, :data:`MIN_TOTAL`,
  :data:`MIN_EXPECTED`, :data:`MIN_GROUP`, :data:`MAX_GROUP_SPAN_YEARS` and
  :func:`is_significant`: a difference is significant only when its interval excludes
  0, both sides have enough units and the adjusted p is under α, each where it applies.
  Nothing else in the library decides significance.
* **Formatting.** :func:`format_value` and :func:`render_table` print each kind in its
  own unit (shares as %, share differences in pp, log ratios as signed numbers, p-values
  in 2 significant digits), never another's.

>>> import pandas as pd
>>> t = declare(pd.DataFrame({"theme": ["talent"], "share_a": [0.024], "share_b": [0.005],
...                           "diff": [-0.019], "ci_low": [-0.031], "ci_high": [-0.008]}),
...             result="theme_shift", estimate="diff", sides={"a": "2023 seed", "b": "2020 p-xi"})
>>> [format_value(column_kind(t, c), t[c].iloc[0]) for c in ["share_a", "diff", "ci_low"]]
['2.4%', '−1.9 pp', '−3.1 pp']
>>> bool(is_significant(ci_low=-0.031, ci_high=-0.008, units_a=30, units_b=40))
True
>>> bool(is_significant(ci_low=-0.031, ci_high=-0.008, units_a=8, units_b=8))
False
"""

from __future__ import annotations

import html as htmllib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ALPHA", "CI_LEVEL", "MIN_UNITS", "MIN_TOTAL", "MIN_EXPECTED", "MIN_GROUP", "MAX_GROUP_SPAN_YEARS",
    "Column", "COLUMNS", "NotApplicable", "is_significant", "interval_excludes_zero", "units_note",
    "declare", "declared", "with_sides", "column_kind", "format_value", "format_frame", "render_table", "header_of",
    "glossary", "glossary_markdown", "write_glossary", "undeclared_columns", "significance_rule",
]

# --------------------------------------------------------------------------- decision rules

#: Significance level: of adjusted (FDR) p-values, and 1 − the interval's level.
ALPHA = 0.05
#: Level of every bootstrap interval.
CI_LEVEL = 0.95
#: Fewest resampling units (sentences or paragraphs) on each side for a bootstrap interval
#: to be read (Efron & Tibshirani 1993 advise against the bootstrap on a handful of units).
MIN_UNITS = 20
#: Fewest occurrences of a term on both sides together for it to be tested: every such term
#: is in the comparison's FDR family, whatever a display later shows (Bourgon, Gentleman &
#: Huber 2010: a filter on the total does not bias the test).
MIN_TOTAL = 5
#: Expected count under which Fisher's exact test replaces the χ²₁ approximation (Cochran 1954).
MIN_EXPECTED = 5.0
#: Fewest speeches in a comparison group before it is compared without a warning and
#: before a percentile among peers is given.
MIN_GROUP = 5
#: A comparison group whose dates span more years than this carries a warning (era and
#: speaker change the language more than content does).
MAX_GROUP_SPAN_YEARS = 20


class NotApplicable(ValueError):
    """An analysis that cannot run for these speeches (one section, an undefined index …).

    The report shows ``reason`` in the analysis' place and goes on.
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def interval_excludes_zero(ci_low, ci_high) -> np.ndarray:
    """True where the interval [ci_low, ci_high] lies wholly above or below 0 (NaN bounds: False)."""
    lo = np.asarray(ci_low, dtype=float)
    hi = np.asarray(ci_high, dtype=float)
    with np.errstate(invalid="ignore"):
        return (lo > 0) | (hi < 0)


def is_significant(*, ci_low=None, ci_high=None, p_adj=None, units_a=None, units_b=None,
                   alpha: float = ALPHA, min_units: int = MIN_UNITS) -> np.ndarray:
    """The one significance rule: every criterion that applies must hold.

    * an interval, when given, excludes 0;
    * the units on each side, when given, number at least ``min_units``;
    * the adjusted p, when given, is below ``alpha`` (NaN: not tested, not significant).

    Args:
        ci_low, ci_high: Interval bounds (scalars or arrays).
        p_adj: Adjusted p-values (Benjamini–Hochberg within the comparison's family).
        units_a, units_b: Resampling units of each side.
        alpha: Level for ``p_adj``.
        min_units: Fewest units per side.

    Returns:
        A boolean array (0-d for scalars).

    Raises:
        ValueError: when no criterion is given, or only one interval bound.

    >>> is_significant(p_adj=[0.01, 0.2, float("nan")]).tolist()
    [True, False, False]
    """
    if (ci_low is None) != (ci_high is None):
        raise ValueError("is_significant: give both interval bounds or neither")
    if ci_low is None and p_adj is None:
        raise ValueError("is_significant: needs an interval or an adjusted p-value")
    parts = []
    if ci_low is not None:
        parts.append(interval_excludes_zero(ci_low, ci_high))
    if p_adj is not None:
        p = np.asarray(p_adj, dtype=float)
        with np.errstate(invalid="ignore"):
            parts.append(np.nan_to_num(p, nan=np.inf) < alpha)
    for units in (units_a, units_b):
        if units is not None:
            u = np.asarray(units, dtype=float)
            parts.append(np.nan_to_num(u, nan=0.0) >= min_units)
    out = parts[0]
    for part in parts[1:]:
        out = out & part
    return np.asarray(out, dtype=bool)


def units_note(units_a: int, units_b: int, *, unit: str = "sentence", min_units: int = MIN_UNITS) -> str:
    """The warning for a bootstrap built from too few units on a side; ``""`` when both have enough.

    >>> units_note(30, 3, unit="paragraph")
    'B has only 3 paragraphs (< 20): interval not reliable, not called significant'
    """
    parts = [f"{side} has only {n} {unit}{'' if n == 1 else 's'} (< {min_units})"
             for side, n in (("A", units_a), ("B", units_b)) if n < min_units]
    return "; ".join(parts) + ": interval not reliable, not called significant" if parts else ""


def significance_rule() -> str:
    """The significance rule in words, for tables, the report and the docs."""
    return (f"A difference is called significant only when its {CI_LEVEL:.0%} interval excludes 0 and each "
            f"side has at least {MIN_UNITS} resampling units (theme shifts), or when its Benjamini–Hochberg "
            f"adjusted p is below {ALPHA:g} within the comparison's family of every term occurring at least "
            f"{MIN_TOTAL} times on the two sides (keyness; Fisher's exact test where an expected count is "
            f"below {MIN_EXPECTED:g}).")


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Column:
    """What one column holds.

    Attributes:
        kind: ``id``, ``label``, ``text``, ``flag``, ``bool``, ``year``, ``date``, ``count``,
            ``share`` (a fraction of a whole, shown as %), ``share_diff`` (a difference of two
            shares, shown in percentage points), ``rate`` (per 10,000 of a denominator),
            ``log_ratio``, ``statistic``, ``p``, ``p_adj``, ``bound`` (an interval bound of the
            table's declared estimate), ``percentile`` (0–100), ``number``, ``offset``.
        of: What is counted, or the share's or rate's denominator.
        text: One line for the glossary.
    """

    kind: str
    of: str = ""
    text: str = ""


def _c(kind: str, text: str, of: str = "") -> Column:
    return Column(kind, of, text)


#: Every column name the project writes, with what it holds. Patterns (a regex) cover
#: families such as ``hits_<theme>``; see :data:`PATTERNS`.
COLUMNS: dict[str, Column] = {
    # identity and metadata
    "id": _c("id", "document id (file stem, manifest id or JSONL/CSV id)"),
    "document": _c("id", "document id"),
    "documents": _c("count", "documents in the row's group or period", "documents"),
    "title": _c("label", "title of the document"),
    "date": _c("date", "date as written in the source (YYYY, YYYY-MM or YYYY-MM-DD)"),
    "date_precision": _c("label", "precision of date: year, month or day"),
    "sort_date": _c("date", "date used for ordering (YYYY-MM-DD, the period's first day when imprecise)"),
    "year": _c("year", "year of the document or period"),
    "decade": _c("year", "decade of the year (1990 = 1990–1999)"),
    "period": _c("label", "period of a trend row (year, decade, congress …)"),
    "period_start": _c("year", "first year of the period"),
    "period_end": _c("year", "last year of the period"),
    "congress": _c("label", "Party congress whose term holds the date"),
    "level": _c("label", "administrative level of the occasion, or outline depth (0 = preamble/closing)"),
    "region": _c("label", "place of the occasion (redacted ×× kept as written)"),
    "speaker": _c("label", "speaker as the source names them"),
    "speaker_role": _c("label", "speaker's office (e.g. 区委书记)"),
    "occasion": _c("label", "occasion (e.g. 全区组织工作会议)"),
    "kind": _c("label", "kind of text (organization_work, party_building, government_report …), or of a token/node"),
    "collection": _c("label", "JSONL/CSV file stem, or the folder of a single file"),
    "source": _c("label", "where the text came from; in relay tables, the id of the earliest dated source holding the passage or term"),
    "source_path": _c("label", "file the document was read from"),
    "file": _c("label", "file name"),
    "files": _c("label", "files written for a figure, separated by ;"),
    "note": _c("text", "what the loader did to the text (conversions, skipped parts)"),
    "notes": _c("text", "notes on the row"),
    "encoding": _c("label", "text encoding detected"),
    "sha256": _c("label", "SHA-256 of the file's bytes"),
    "lines_repaired": _c("count", "line breaks removed because they split a word or number", "line breaks"),
    "found": _c("count", "top-level points the parser found", "points"),
    "inferred": _c("label", "metadata fields read from the text rather than given in a manifest"),
    "published": _c("date", "publication date printed on a saved web page"),
    "source_url": _c("label", "canonical address of a saved web page"),
    "source_file": _c("label", "file the document was read from (corpus import, profiles)"),
    "source_sha256": _c("label", "SHA-256 of the imported source file"),
    "source_repository": _c("label", "repository the reference text came from"),
    "source_commit": _c("label", "commit of that repository"),
    "corpus_file": _c("label", "reference corpus file of a profile"),
    "corpus_row": _c("number", "line of the document in its reference corpus file"),
    "text_sha256": _c("label", "SHA-256 of the normalized text"),
    "settings_fingerprint": _c("label", "fingerprint of the analysis settings"),
    "lexicon_sha256": _c("label", "SHA-256 of the theme lexicon"),
    "code_sha256": _c("label", "SHA-256 of the feature code"),
    "format": _c("label", "file format the document was read from"),
    "repost_group": _c("label", "group of copies of the same speech (reposts)"),
    "copies": _c("count", "copies of the speech found among the files", "files"),
    "freq": _c("count", "frequency a dictionary entry is given in the segmenter", "frequency units"),
    "jieba_freq": _c("count", "frequency jieba's own dictionary gives the word", "frequency units"),
    "to_simplified": _c("bool", "traditional characters were converted to simplified"),
    "profiled": _c("bool", "the document is a reference profile (counts, no text)"),
    "label": _c("label", "name of the row in charts and findings"),
    "label_zh": _c("label", "Chinese name of the theme"),
    "label_en": _c("label", "English name of the theme"),
    "label_a": _c("label", "name of side A"),
    "label_b": _c("label", "name of side B"),
    "a": _c("label", "side A of a comparison (ids, or a group's name)"),
    "b": _c("label", "side B of a comparison (ids, or a group's name)"),
    "comparison": _c("label", "the comparison, 'A vs B'"),
    "speeches_b": _c("count", "speeches on side B", "speeches"),
    # outline
    "path": _c("label", "outline path (一, 一（二）, preamble, closing)"),
    "parent": _c("label", "outline path of the parent node"),
    "section": _c("label", "outline section (a node with its sub-points)"),
    "node": _c("label", "outline node"),
    "number": _c("number", "the point's number in its series"),
    "heading": _c("text", "the heading as written"),
    "unheaded": _c("bool", "a part without a heading of its own"),
    "points": _c("count", "top-level headed points found", "points"),
    "announced": _c("count", "points the speech announces (讲三点意见 → 3)", "points"),
    "announced_matches": _c("bool", "the announced count equals the points found"),
    "largest_point": _c("label", "path of the longest top-level point"),
    "order": _c("number", "position in outline order"),
    "position": _c("number", "position of the hit in the document (0 = first character)"),
    "first_path": _c("label", "outline path where the item first appears"),
    "first_term": _c("label", "the term that makes the first appearance"),
    "first_order": _c("number", "outline order of the first appearance"),
    "top_part": _c("label", "top-level part holding most hits"),
    "top_theme": _c("label", "theme with the most hits"),
    "start": _c("offset", "start offset in the normalized text (characters)"),
    "end": _c("offset", "end offset in the normalized text (characters)"),
    "raw_start": _c("offset", "start offset in the file's text as read"),
    "raw_end": _c("offset", "end offset in the file's text as read"),
    "sentence": _c("number", "sentence number in the document"),
    "paragraph": _c("number", "paragraph number in the document"),
    # sizes (counts of what)
    "han_chars": _c("count", "Han characters (CJK ideographs; no punctuation, digits or redaction marks)", "Han characters"),
    "own_han_chars": _c("count", "Han characters of the node's own text, without its sub-points", "Han characters"),
    "chars": _c("count", "characters of the normalized text", "characters"),
    "paragraphs": _c("count", "paragraphs with text", "paragraphs"),
    "sentences": _c("count", "sentences with Han characters", "sentences"),
    "redactions": _c("count", "redaction runs (××, XX, 某某, ***)", "redactions"),
    "all_tokens": _c("count", "tokens of every kind: words, numbers, Latin, punctuation, redactions", "tokens"),
    "word_tokens": _c("count", "word tokens (Han words; stopwords included): the denominator of shares of tokens", "word tokens"),
    "content_tokens": _c("count", "word tokens that are not stopwords", "word tokens"),
    "tokens": _c("count", "the term as a whole token (what the segmenter made of it)", "tokens"),
    "occurrences": _c("count", "every occurrence of the term in the normalized text, inside longer tokens too", "occurrences"),
    "theme_hits": _c("count", "hits of a theme's terms (leftmost-longest)", "theme hits"),
    "hits": _c("count", "theme hits (leftmost-longest matches of the theme's terms)", "theme hits"),
    "hits_a": _c("count", "theme hits on side A", "theme hits"),
    "hits_b": _c("count", "theme hits on side B", "theme hits"),
    "count": _c("count", "tokens of the term (whole tokens)", "tokens"),
    "doc_freq": _c("count", "documents in which the term occurs as a token", "documents"),
    "terms": _c("count", "terms in the theme's list", "terms"),
    "shared_terms": _c("text", "terms the theme shares with another theme"),
    "term": _c("label", "term (a word or formula as segmented)"),
    "token": _c("label", "token as segmented"),
    "term1": _c("label", "first term of a pair"),
    "term2": _c("label", "second term of a pair"),
    "ngram": _c("label", "n consecutive terms of one sentence, joined by a space"),
    "document_a": _c("id", "first document of a pair"),
    "document_b": _c("id", "second document of a pair"),
    "jsd_bits": _c("number", "Jensen–Shannon divergence of the two term (or theme) distributions, in bits "
                   "(0 = same, 1 = disjoint; Lin 1991)"),
    "cosine": _c("number", "cosine similarity of the two count vectors (0 … 1)"),
    "vocabulary": _c("count", "terms (or themes) of the shared vocabulary a similarity is computed on", "terms"),
    "tokens_a": _c("count", "tokens of the first document on the shared vocabulary", "tokens"),
    "tokens_b": _c("count", "tokens of the second document on the shared vocabulary", "tokens"),
    "on": _c("label", "what a similarity is computed on: terms or themes"),
    "theme": _c("label", "theme key of the lexicon"),
    "themes": _c("label", "themes a term belongs to, separated by |"),
    "item": _c("label", "tracked term or theme"),
    "item_type": _c("label", "term or theme"),
    "is_stop": _c("bool", "the token is a stopword"),
    "quoted": _c("count", "tokens inside quotation marks", "tokens"),
    "whole_token": _c("bool", "the occurrence is a whole token"),
    "left": _c("text", "context before the hit"),
    "hit": _c("text", "the hit"),
    "right": _c("text", "context after the hit"),
    "units": _c("count", "resampling units (sentences or paragraphs)", "units"),
    "units_a": _c("count", "resampling units on side A", "units"),
    "units_b": _c("count", "resampling units on side B", "units"),
    "unit": _c("label", "resampling unit: sentence or paragraph"),
    "n_resamples": _c("count", "bootstrap replicates", "replicates"),
    "valid": _c("count", "bootstrap replicates in which the estimate is defined", "replicates"),
    "group_size": _c("count", "speeches in the peer group", "speeches"),
    "speeches": _c("count", "speeches", "speeches"),
    "cooccurrences": _c("count", "co-occurrences of the pair: within the window (collocations), or units "
                        "(sentences or paragraphs) holding both (networks)", "pairs"),
    # co-occurrence networks (analysis.stats.network)
    "layer": _c("label", "what a network's nodes are: term (theme-lexicon terms) or theme"),
    "term_a": _c("label", "first item of a pair (alphabetically first)"),
    "term_b": _c("label", "second item of a pair"),
    "units_with_a": _c("count", "units (sentences or paragraphs) holding term_a", "units"),
    "units_with_b": _c("count", "units (sentences or paragraphs) holding term_b", "units"),
    "units_with": _c("count", "units (sentences or paragraphs) holding the term", "units"),
    "n_units": _c("count", "units counted (sentences, paragraphs or outline nodes): of the network, or of the "
                  "cross-tab's group", "units"),
    "jaccard": _c("number", "Jaccard coefficient: units with both / units with either (0–1)"),
    "weight": _c("number", "the edge weight: the measure the network was drawn with (jaccard, pmi or g2)"),
    "degree": _c("count", "edges of the node", "edges"),
    "strength": _c("number", "sum of the weights of the node's edges"),
    "community": _c("number", "Louvain community of the node (1 = the largest)"),
    "cooccurrences_a": _c("count", "units holding both items on side A", "units"),
    "cooccurrences_b": _c("count", "units holding both items on side B", "units"),
    "weight_a": _c("number", "edge weight on side A (0: no edge)"),
    "weight_b": _c("number", "edge weight on side B (0: no edge)"),
    "weight_diff": _c("number", "edge weight B − A"),
    "rank_a": _c("number", "dense frequency rank of the term on side A (1 = most frequent; absent: last rank + 1)"),
    "rank_b": _c("number", "dense frequency rank of the term on side B (1 = most frequent; absent: last rank + 1)"),
    "status": _c("label", "an edge in both networks (kept), only in B (gained) or only in A (lost)"),
    # coding rules and cross-tabs (analysis.stats.coding)
    "code": _c("label", "a coding rule of the codes file"),
    "coded": _c("bool", "the unit matches the coding rule"),
    "observed": _c("count", "units in the cell (coded units of the row's code in the column's group)", "units"),
    "residual": _c("statistic", "adjusted standardized residual (Agresti 2013 §2.4.5): beyond ±1.96 the cell "
                   "departs from independence at 5 % (not adjusted for the many cells)"),
    "small_expected": _c("bool", "the cell's expected count is below 5: χ² is unreliable for the table"),
    "pearson_chi2": _c("statistic", "Pearson χ² of the cross-tab (no continuity correction)"),
    "dof": _c("count", "degrees of freedom of the χ² test", "degrees of freedom"),
    "cells": _c("count", "cells of the cross-tab", "cells"),
    "small_expected_cells": _c("count", "cells with an expected count below 5", "cells"),
    "cramers_v": _c("number", "Cramér's V of the cross-tab (0 = independence, 1 = complete association)"),
    "node_pairs": _c("count", "pairs with the node term", "pairs"),
    "collocate_pairs": _c("count", "pairs with the collocate", "pairs"),
    "pairs": _c("count", "all pairs counted", "pairs"),
    "f_target": _c("count", "tokens of the term on side A (the target)", "tokens"),
    "f_reference": _c("count", "tokens of the term on side B (the reference)", "tokens"),
    "expected_target": _c("number", "expected tokens on side A if both sides used the term alike"),
    "expected_reference": _c("number", "expected tokens on side B if both sides used the term alike"),
    "expected": _c("number", "expected count under independence (co-occurrences, or a cross-tab cell)"),
    # shares, rates
    "share": _c("share", "the theme's share (the row's share_of says of what)"),
    "share_of": _c("label", "denominator of the shares: tokens (word tokens), han (Han characters) or sentences"),
    "share_tokens": _c("share", "theme hits / word tokens", "word tokens"),
    "share_han": _c("share", "Han characters inside theme hits / Han characters", "Han characters"),
    "share_sentences": _c("share", "sentences mentioning the theme / sentences", "sentences"),
    "share_a": _c("share", "the theme's share on side A"),
    "share_b": _c("share", "the theme's share on side B"),
    "share_talent": _c("share", "share of the talent theme"),
    "share_grassroots": _c("share", "share of the grassroots theme"),
    "share_of_document": _c("share", "the part's Han characters / the document's", "Han characters"),
    "share_of_parent": _c("share", "the part's Han characters / its parent's", "Han characters"),
    "own_share": _c("share", "Han characters of the node's own text / the node's (heading and text before its first sub-point)", "Han characters"),
    "preamble_share": _c("share", "preamble's Han characters / the document's", "Han characters"),
    "body_share": _c("share", "numbered body's Han characters / the document's", "Han characters"),
    "closing_share": _c("share", "closing's Han characters / the document's", "Han characters"),
    "largest_point_share": _c("share", "longest point's Han characters / the document's", "Han characters"),
    "largest_point_share_of_body": _c("share", "longest point's Han characters / the body's", "Han characters"),
    "group_median": _c("share", "median share in the peer group"),
    "group_min": _c("share", "smallest share in the peer group"),
    "group_max": _c("share", "largest share in the peer group"),
    "rate_of": _c("label", "what the rates count: tokens, occurrences or theme_hits"),
    "per_10k_han": _c("rate", "10,000 × count / Han characters (the count named by rate_of)", "10,000 Han characters"),
    "per_10k_tokens": _c("rate", "10,000 × count / word tokens", "10,000 word tokens"),
    "per_10k_content_tokens": _c("rate", "10,000 × count / word tokens that are not stopwords", "10,000 content tokens"),
    "rate_target": _c("rate", "tokens of the term per 10,000 word tokens of side A", "10,000 word tokens"),
    "rate_reference": _c("rate", "tokens of the term per 10,000 word tokens of side B", "10,000 word tokens"),
    "rate_han_target": _c("rate", "tokens of the term per 10,000 Han characters of side A", "10,000 Han characters"),
    "rate_han_reference": _c("rate", "tokens of the term per 10,000 Han characters of side B", "10,000 Han characters"),
    "p_a": _c("share", "the term's tokens / word tokens of side A", "word tokens"),
    "p_b": _c("share", "the term's tokens / word tokens of side B", "word tokens"),
    "f_a": _c("count", "tokens of the term on side A", "tokens"),
    "f_b": _c("count", "tokens of the term on side B", "tokens"),
    "percentile": _c("percentile", "percentile of the speech's share among the group (mean rank, 0–100)"),
    "entropy_norm": _c("number", "normalized Shannon entropy of theme hits H* (0 = one theme, 1 = even)"),
    "hhi": _c("number", "Herfindahl–Hirschman index of theme hits Σp² (1/K = even, 1 = one theme)"),
    "total": _c("count", "theme hits in the part", "theme hits"),
    "measure": _c("label", "the column attention diversity was computed from"),
    "entropy": _c("number", "Shannon entropy of theme hits, in nats"),
    "parts": _c("count", "outline parts the dispersion is computed over", "parts"),
    "covered_tokens": _c("count", "word tokens inside theme hits", "word tokens"),
    "covered_han": _c("count", "Han characters inside theme hits", "Han characters"),
    "sentences_with": _c("count", "sentences with at least one hit of the theme", "sentences"),
    "in_corpus": _c("bool", "the speech is in the corpus folder studied (not a reference profile)"),
    "dp": _c("number", "Gries' dispersion DP (0 = spread like the text, near 1 = concentrated)"),
    "dp_norm": _c("number", "DP normalized by its maximum for the parts' sizes"),
    # differences, effect sizes, tests
    "diff": _c("share_diff", "difference of shares, B − A, in percentage points"),
    "delta_p": _c("share_diff", "the term's contribution to the shift: p(B) − p(A), in percentage points"),
    "index": _c("log_ratio", "ln(share of the numerator theme / share of the denominator theme); 0 = equal"),
    "log_ratio": _c("log_ratio", "Hardie's Log Ratio: log2 of the ratio of the rates, A over B (zero counts → 0.5)"),
    "g2": _c("statistic", "signed log-likelihood G² (keyness: + more in A; co-occurrence: + together more often "
             "than expected)"),
    "chi2": _c("statistic", "signed Pearson χ² (+: more in A)"),
    "chi2_yates": _c("statistic", "signed Pearson χ² with Yates' correction"),
    "fightin_delta": _c("log_ratio", "weighted log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008)"),
    "fightin_z": _c("statistic", "z-score of fightin_delta"),
    "simple_maths": _c("number", "Kilgarriff's simple-maths ratio (>1: more in A)"),
    "pmi": _c("number", "pointwise mutual information, log2"),
    "se": _c("share_diff", "bootstrap standard deviation of diff"),
    "p": _c("p", "p-value of the test named by p_test"),
    "p_test": _c("label", "test behind p: g2, chi2, chi2_yates, fightin or fisher"),
    "p_fdr": _c("p_adj", "Benjamini–Hochberg adjusted p within the family named by fdr_family"),
    "fdr_family": _c("label", "the family of tests p_fdr was adjusted over"),
    "fdr_family_size": _c("count", "tests in the FDR family", "tests"),
    "low_expected": _c("bool", "an expected count is below 5 (Fisher's exact test used)"),
    "tested": _c("bool", "the term is in the comparison's FDR family (occurs at least MIN_TOTAL times)"),
    "side": _c("label", "the side the term is key to"),
    "significant": _c("bool", "significant by the one rule of analysis.results.is_significant"),
    "ci_low": _c("bound", "lower bound of the 95% interval of the table's estimate (in the estimate's unit)"),
    "ci_high": _c("bound", "upper bound of the 95% interval of the table's estimate (in the estimate's unit)"),
    "flag": _c("flag", "why a number should be read with care"),
    "warnings": _c("flag", "warnings about the row"),
    "group_warning": _c("flag", "why a comparison group should be read with care"),
    "message": _c("text", "what a warning says"),
    "mid_word_matches": _c("count", "occurrences whose first characters complete a word with the text before them "
                           "(创新发展理念 for 新发展理念): inside occurrences, shown apart", "occurrences"),
    "occurrences_lower_bound": _c("bool", "occurrences were derived from term counts only (a profile that did not "
                                  "store the term): the true count may be higher"),
    "occurrences_within_tokens": _c("count", "occurrences inside tokens, from term counts alone", "occurrences"),
    "text_occurrences": _c("count", "occurrences counted on the normalized text", "occurrences"),
    "across_tokens": _c("count", "occurrences that straddle a token boundary", "occurrences"),
    "formula": _c("label", "a formula (提法)"),
    "rule": _c("label", "how a formula was recognised: numbered, phrase, dictionary or quoted"),
    "first": _c("year", "first period with an occurrence"),
    "last": _c("year", "last period with an occurrence"),
    "first_not_mid_word": _c("year", "first period with an occurrence that is not a mid-word match"),
    "peak": _c("year", "period of the highest rate"),
    "peak_rate": _c("rate", "the highest rate (per 10,000 Han characters)"),
    "periods_with_hits": _c("count", "periods with at least one occurrence", "periods"),
    "periods": _c("count", "periods with documents", "periods"),
    "appearance_order": _c("number", "order of first appearance among the items (1 = first)"),
    # relay (analysis.stats.relay) and formula discovery (analysis.stats.formulas)
    "source_date": _c("date", "date of the source named (YYYY-MM-DD; the first day of its year or month when imprecise)"),
    "source_level": _c("label", "level of the source named (national, provincial, city …; reports count as national)"),
    "lag_days": _c("number", "days from the source's date to the speech's (positive: the source is earlier)"),
    "similarity": _c("number", "alignment similarity of the passage with its source, 0–100 (normalized Indel, on Han characters)"),
    "source_start": _c("offset", "start offset of the aligned passage in the source's normalized text"),
    "source_end": _c("offset", "end offset of the aligned passage in the source's normalized text"),
    "also": _c("label", "the other sources holding the passage or term, 'id (date)' separated by ;"),
    "sources": _c("count", "sources holding the passage or term", "sources"),
    "mode": _c("label", "how relay was read: passage (aligned text) or formula (formulas and rare terms, from counts)"),
    "terms_taken_up": _c("count", "formulas and rare terms taken up", "terms"),
    "relayed_han": _c("count", "Han characters of the section inside relayed passages", "Han characters"),
    "share_relayed": _c("share", "Han characters inside relayed passages / Han characters of the section", "Han characters"),
    "term_type": _c("label", "formula (a dictionary or tracked formula) or rare_term (a multi-word token few sources hold)"),
    "higher": _c("id", "id of the higher-level speech"),
    "taken_up": _c("bool", "the local speech takes up the point or formula"),
    "local_paths": _c("label", "outline paths of the local speech where the formula occurs, separated by ;"),
    "boundary": _c("number", "boundary stability of a candidate formula: the smaller of its left and right branching entropies, in bits"),
    "association": _c("number", "association of a candidate formula: the smallest PMI over its split points, in bits"),
    "first_date": _c("date", "date of the first dated document holding the item"),
    "first_document": _c("id", "the first dated document holding the item"),
    "first_kind": _c("label", "kind of the first dated document holding the item"),
    "last_date": _c("date", "date of the last dated document holding the item"),
    "last_document": _c("id", "the last dated document holding the item"),
    "in_dictionary": _c("bool", "the dictionary already holds the candidate"),
    "mass": _c("number", "a row's mass in the correspondence analysis (its share of the table's total)"),
    "marked": _c("bool", "the speech is one of those compared (starred on the map)"),
    "count_start": _c("count", "occurrences in the first span", "occurrences"),
    "rate_start": _c("rate", "occurrences per 10,000 Han characters in the first span", "10,000 Han characters"),
    "rank_start": _c("number", "rank among the tracked items in the first span (1 = most frequent)"),
    "count_end": _c("count", "occurrences in the second span", "occurrences"),
    "rate_end": _c("rate", "occurrences per 10,000 Han characters in the second span", "10,000 Han characters"),
    "rank_end": _c("number", "rank among the tracked items in the second span"),
    "places_gained": _c("number", "rank_start − rank_end: places climbed between the spans"),
    "name": _c("label", "chart name within its notebook"),
    "data": _c("label", "the CSV file holding the chart's data"),
    # answers
    "question": _c("text", "what a summary row answers"),
    "answer": _c("text", "the answer, read off the tables it names"),
    "median": _c("number", "median over the reference documents"),
    "max": _c("number", "largest value over the reference documents"),
    "field": _c("label", "a field of the study"),
    # findings
    "statistic": _c("label", "the column a finding reports"),
    "value": _c("number", "the finding's value (unit: see its statistic and unit columns)"),
    "value_unit": _c("label", "the unit of a finding's value and interval"),
    "subject": _c("label", "what a finding is about (theme or term)"),
    "text": _c("text", "the finding, one sentence computed from its table; in echo, the speech's own passage"),
    "rank": _c("number", "rank of the finding by effect size and robustness (1 = strongest)"),
    "effect": _c("number", "size of the effect used to rank findings (|diff| in pp, |log_ratio|)"),
    "notebook": _c("label", "notebook that recorded the row"),
    "figure": _c("label", "figure a row belongs to"),
    # figure manifest
    "stem": _c("label", "file stem of the figure"),
    "caption": _c("text", "caption of the figure"),
    "skipped": _c("text", "formats not written and why"),
    "settings": _c("label", "settings fingerprint"),
    "fingerprint": _c("label", "settings fingerprint"),
    "made": _c("date", "when the row was written"),
    # peers, groups
    "by": _c("label", "metadata column forming the groups"),
    "group": _c("label", "group value or name"),
    "years": _c("label", "years the group spans"),
    "levels": _c("label", "levels in the group"),
    "kinds": _c("label", "kinds in the group"),
    "speaker_roles": _c("label", "speaker roles in the group"),
}

#: Column families: (regex, Column). ``hits_<theme>``, ``share_<theme>`` …
PATTERNS: list[tuple[re.Pattern, Column]] = [
    (re.compile(r"^hits_[a-z_]+$"), _c("count", "theme hits of the named theme", "theme hits")),
    (re.compile(r"^share_[a-z_]+$"), _c("share", "share of the named theme")),
    (re.compile(r"^per_10k_[a-z_]+$"), _c("rate", "rate per 10,000 of the named denominator")),
    (re.compile(r"^(dim|axis)_?\d+$"), _c("number", "coordinate on a correspondence-analysis axis")),
]

_KIND_UNITS = {"share": "%", "share_diff": "pp", "rate": "per 10k", "log_ratio": "log ratio", "p": "p",
               "p_adj": "adj. p", "percentile": "percentile"}


def _lookup(name: str) -> Column | None:
    if name in COLUMNS:
        return COLUMNS[name]
    for pattern, column in PATTERNS:
        if pattern.match(name):
            return column
    return None


def undeclared_columns(columns: Sequence[str]) -> list[str]:
    """The names among ``columns`` that neither :data:`COLUMNS` nor a pattern declares.

    >>> undeclared_columns(["theme", "hits_talent", "zzz"])
    ['zzz']
    """
    return [str(c) for c in columns if _lookup(str(c)) is None]


def declare(table: pd.DataFrame, *, result: str, estimate: str | None = None,
            sides: Mapping[str, str] | None = None, family: Mapping[str, Any] | None = None,
            kinds: Mapping[str, str] | None = None, note: str = "") -> pd.DataFrame:
    """Attach what a table is to a copy of it (``attrs["result"]``); the table's columns stay as they are.

    Args:
        table: A result table (not changed).
        result: Its name (``theme_shift``, ``keyness`` …).
        estimate: The column its ``ci_low``/``ci_high`` bound (``diff``, ``index``).
        sides: ``{"a": label, "b": label}``: the two sides, A and B, for differences B − A.
        family: The FDR family: ``{"name": ..., "size": m, "method": "Benjamini–Hochberg"}``.
        kinds: Per-table kinds overriding :data:`COLUMNS` (e.g. ``{"value": "share_diff"}``).
        note: One sentence shown under the table.

    Returns:
        A shallow copy with ``attrs["result"]`` set.
    """
    out = table.copy(deep=False)
    out.attrs = dict(table.attrs)
    out.attrs["result"] = {"result": result, "estimate": estimate, "sides": dict(sides or {}),
                           "family": dict(family or {}), "kinds": dict(kinds or {}), "note": note}
    return out


def with_sides(table: pd.DataFrame, *, a: str, b: str) -> pd.DataFrame:
    """A copy of a declared table with its sides A and B named (other declarations kept)."""
    meta = declared(table) or {"result": "table", "estimate": None, "family": {}, "kinds": {}, "note": ""}
    out = table.copy(deep=False)
    out.attrs = dict(table.attrs)
    out.attrs["result"] = {**meta, "sides": {"a": a, "b": b}}
    return out


def declared(table: pd.DataFrame) -> dict:
    """The declaration of a table (empty dict when it has none)."""
    return dict(table.attrs.get("result") or {})


def column_kind(table: pd.DataFrame | None, name: str) -> str:
    """The kind of column ``name`` in ``table``: the table's override, the bound's estimate, else the glossary's.

    >>> column_kind(None, "diff"), column_kind(None, "log_ratio"), column_kind(None, "unknown_column")
    ('share_diff', 'log_ratio', 'number')
    """
    meta = declared(table) if table is not None else {}
    kinds = meta.get("kinds") or {}
    if name in kinds:
        return kinds[name]
    column = _lookup(name)
    if column is None:
        return "number"
    if column.kind == "bound":
        estimate = meta.get("estimate")
        return column_kind(table, estimate) if estimate and estimate != name else "number"
    return column.kind


# --------------------------------------------------------------------------- formatting


def _minus(text: str) -> str:
    return text.replace("-", "−")


def format_value(kind: str, value: Any) -> str:
    """One value in its kind's unit: ``share`` → ``12.3%``, ``share_diff`` → ``+1.2 pp`` …

    >>> format_value("share", 0.1234), format_value("share_diff", -0.0123), format_value("log_ratio", 0.847)
    ('12.3%', '−1.2 pp', '+0.85')
    >>> format_value("p_adj", 0.00097), format_value("count", 3173), format_value("bool", True)
    ('0.00097', '3,173', 'yes')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if kind in ("id", "label", "text", "flag", "date"):
        return str(value)
    if kind == "bool":
        return "yes" if bool(value) else "no"
    if isinstance(value, str):
        return value
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return ""
    if kind == "share":
        return f"{x * 100:.1f}%"
    if kind == "share_diff":
        return _minus(f"{x * 100:+.1f} pp")
    if kind == "log_ratio":
        return _minus(f"{x:+.2f}")
    if kind == "statistic":
        return _minus(f"{x:+.1f}")
    if kind in ("p", "p_adj"):
        return f"{x:.2g}"
    if kind == "rate":
        return f"{x:,.2f}"
    if kind == "percentile":
        return f"{x:.0f}"
    if kind in ("count", "offset"):
        return f"{int(round(x)):,}" if x == round(x) else f"{x:,.1f}"
    if kind == "year":
        return str(int(x))
    if abs(x) >= 1000 or x == int(x):
        return f"{x:,.0f}" if x == int(x) else f"{x:,.1f}"
    return _minus(f"{x:.3g}") if abs(x) < 0.01 else _minus(f"{x:.3f}")


def header_of(table: pd.DataFrame | None, name: str) -> str:
    """A column header with its unit, e.g. ``diff (pp, B − A)``, ``share_a (%)``.

    >>> header_of(None, "share_a"), header_of(None, "diff"), header_of(None, "tokens")
    ('share_a (%)', 'diff (pp, B − A)', 'tokens')
    """
    kind = column_kind(table, name)
    unit = _KIND_UNITS.get(kind)
    if kind == "share_diff" and name in ("diff", "value", "delta_p"):
        unit = "pp, B − A"
    elif kind == "log_ratio" and name == "log_ratio":
        unit = "log2, A/B"
    elif kind == "log_ratio" and name == "index":
        unit = "ln ratio"
    if kind in ("p", "p_adj", "percentile"):
        return name
    return f"{name} ({unit})" if unit else name


def format_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell of ``table`` as the text :func:`format_value` gives for its column's kind; headers with units."""
    out = pd.DataFrame({header_of(table, c): [format_value(column_kind(table, c), v) for v in table[c]]
                        for c in table.columns})
    return out


def render_table(table: pd.DataFrame, *, caption: str = "", max_rows: int = 60, empty: str = "",
                 total_rows: int | None = None) -> str:
    """An HTML table for the report or a notebook: formatted from the declarations, everything escaped.

    Args:
        table: A result table (declared with :func:`declare`, or plain).
        caption: Shown above the table.
        max_rows: Rows shown (the rest counted in a line below).
        empty: Sentence shown instead of an empty table.
        total_rows: Rows of the whole table when ``table`` holds only its first rows (the rows
            left out are counted from it); None: ``len(table)``.

    Returns:
        An HTML fragment.
    """
    meta = declared(table)
    esc = htmllib.escape
    parts = []
    if caption:
        parts.append(f'<p class="caption">{esc(caption)}</p>')
    if table.empty:
        parts.append(f'<p class="empty">{esc(empty or "Nothing to list: the table is empty.")}</p>')
        return "".join(parts)
    shown = table.head(max_rows)
    text = format_frame(shown)
    numeric = {header_of(table, c) for c in table.columns
               if column_kind(table, c) not in ("id", "label", "text", "flag", "date", "bool")}
    head = "".join(f"<th>{esc(h)}</th>" for h in text.columns)
    rows = []
    for record in text.itertuples(index=False):
        cells = "".join(f'<td class="{"num" if h in numeric else "text"}">{esc(v)}</td>'
                        for h, v in zip(text.columns, record))
        rows.append(f"<tr>{cells}</tr>")
    wide = " wide" if len(text.columns) > 6 else ""
    parts.append(f'<div class="table-wrap"><table class="data{wide}"><thead><tr>{head}</tr></thead>'
                 f'<tbody>{"".join(rows)}</tbody></table></div>')
    notes = []
    sides = meta.get("sides") or {}
    if sides.get("a") or sides.get("b"):
        notes.append(f"A = {sides.get('a', '')}; B = {sides.get('b', '')}; differences are B − A.")
    family = meta.get("family") or {}
    if family:
        notes.append(f"p_fdr: {family.get('method', 'Benjamini–Hochberg')} over {family.get('size', '?')} tests "
                     f"({family.get('name', '')}).")
    if meta.get("note"):
        notes.append(str(meta["note"]))
    total = len(table) if total_rows is None else max(int(total_rows), len(table))
    if total > max_rows:
        notes.append(f"{total - max_rows:,} more rows in the CSV.")
    if notes:
        parts.append(f'<p class="table-note">{esc(" ".join(notes))}</p>')
    return "".join(parts)


# --------------------------------------------------------------------------- glossary


def glossary() -> pd.DataFrame:
    """The glossary: one row per declared column: ``column, kind, unit, of, meaning``.

    >>> g = glossary().set_index("column")
    >>> g.loc["diff", "unit"], g.loc["tokens", "of"]
    ('pp', 'tokens')
    """
    rows = [(name, c.kind, _KIND_UNITS.get(c.kind, ""), c.of, c.text) for name, c in COLUMNS.items()]
    rows += [(p.pattern, c.kind, _KIND_UNITS.get(c.kind, ""), c.of, c.text) for p, c in PATTERNS]
    return pd.DataFrame(rows, columns=["column", "kind", "unit", "of", "meaning"])


def glossary_markdown() -> str:
    """The glossary as a Markdown table (``docs/glossary.md`` is written from it)."""
    lines = ["| column | kind | unit | counts / denominator | meaning |", "|---|---|---|---|---|"]
    for row in glossary().itertuples(index=False):
        name = row.column.replace("|", "\\|")
        lines.append(f"| `{name}` | {row.kind} | {row.unit} | {row.of} | {row.meaning.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


GLOSSARY_INTRO = """# Glossary: what every column holds

Every table the workbook writes (the CSV of each figure, `findings.csv`, `manifest.csv`, every
`python -m analysis … --format csv`) uses these column names, and only these. A count names what it
counts, a share or rate its denominator, a difference its sides (always B − A) and its unit. The
table is generated from the declarations in `analysis/results.py`
(`python -m analysis glossary --write`); a test fails when a CSV the project writes has a column
that is not here.

Units: `%` a share (a fraction of a whole, printed as a percentage); `pp` percentage points (a
difference of two shares); `log ratio` a logarithm of a ratio (never percentage points); `per 10k`
a rate per 10,000 of the denominator named.

## The decision rules

{rule}

"""


def write_glossary(path):
    """Write the glossary page (``docs/glossary.md``) from the declarations; returns its path."""
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GLOSSARY_INTRO.format(rule=significance_rule()) + glossary_markdown(), encoding="utf-8")
    return path
