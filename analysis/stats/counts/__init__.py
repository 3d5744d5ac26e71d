"""Counting terms: frequencies and rates, n-grams, collocations, TF-IDF, KWIC, robustness.

Every function reads a FeatureSet-like object (anything with ``.tokens`` and
``.documents`` tables, see :mod:`analysis.features`) or, where running text is needed
(:func:`kwic`, :func:`segmentation_robustness`), a loaded documents table, and returns
a tidy DataFrame. Inputs are never changed.

What counts as a term: tokens of kind ``word`` (contains a Han character, formulas
included) and ``latin`` (GDP, 5G); see :data:`analysis.text.segment.TERM_KINDS`. Numbers,
punctuation, spaces and redaction placeholders are tokens but not terms. With
``stopwords=True`` (the default) tokens flagged ``is_stop`` are left out as well; the
FeatureSet flags them from :func:`analysis.text.segment.load_stopwords`, which is empty
when :attr:`Settings.use_stopwords` is False.

Counts say what they count (docs/methods.md, "Counting a term"): ``tokens`` is the term as
a whole token; ``occurrences`` every occurrence in the normalized text (人才 inside
人才强国战略, 改革开放 across 全面深化改革|开放), counted on the text of full texts and
stored for chosen terms in reference profiles (:func:`term_occurrences`); derived from a
term-count table (:func:`occurrences_from_counts`) it is a lower bound, flagged
``occurrences_lower_bound``. ``mid_word_matches`` counts the occurrences whose first
character completes a word with the text before it (:mod:`analysis.text.occurrences`).
Rates name their denominator: per 10,000 Han characters, ``per_10k_han = 1e4 · f / C``,
where C counts the Han characters of the group's text (all tokens, whatever their kind),
so the denominator does not depend on segmentation; per 10,000 word tokens,
``per_10k_tokens = 1e4 · f / N`` with N all term tokens of the group (stopwords
included); and ``per_10k_content_tokens`` over the term tokens that are not stopwords.
The column ``rate_of`` names the count f the rates use (``tokens`` in
:func:`term_frequencies`). With ``stopwords=True`` the counts of a group add up to its
``content_tokens``.

Where each part lives (every public name is importable from here):

- :mod:`analysis.stats.counts.common`: the tables every count starts from, :func:`term_counts`;
- :mod:`analysis.stats.counts.occurrences`: :func:`term_occurrences` and the other occurrence counts;
- :mod:`analysis.stats.counts.frequencies`: :func:`term_frequencies`, :func:`formula_frequencies`;
- :mod:`analysis.stats.counts.phrases`: :func:`ngrams`, :func:`collocations`, :func:`tfidf`;
- :mod:`analysis.stats.counts.running_text`: :func:`kwic`, :func:`segmentation_robustness`.

>>> import pandas as pd
>>> from analysis.features import FeatureSet
>>> from analysis.text.segment import tokenize
>>> text = "引进人才，培养人才。"
>>> tokens = tokenize(text).assign(document="d", path="一", sentence=0, is_stop=False)
>>> fs = FeatureSet.from_tables(documents=pd.DataFrame({"id": ["d"]}), tokens=tokens)
>>> term_frequencies(fs)[["document", "term", "tokens", "per_10k_han"]].values.tolist()
[['d', '人才', 2, 2500.0], ['d', '培养', 1, 1250.0], ['d', '引进', 1, 1250.0]]
"""

from __future__ import annotations

from analysis.stats.counts.common import TERM_COUNT_COLUMNS, per_distinct, require_texts, term_counts
from analysis.stats.counts.frequencies import BATCHED_BY, formula_frequencies, term_frequencies
from analysis.stats.counts.occurrences import (TERM_OCCURRENCE_COLUMNS, occurrence_check, occurrences_from_counts,
                                               occurrences_lower_bound, term_occurrences, text_occurrences)
from analysis.stats.counts.phrases import collocations, ngrams, tfidf
from analysis.stats.counts.running_text import ROBUSTNESS_CHUNK, kwic, segmentation_robustness

__all__ = ["BATCHED_BY", "ROBUSTNESS_CHUNK", "TERM_COUNT_COLUMNS", "TERM_OCCURRENCE_COLUMNS", "collocations",
           "formula_frequencies", "kwic", "ngrams", "occurrence_check", "occurrences_from_counts",
           "occurrences_lower_bound", "per_distinct", "require_texts", "segmentation_robustness", "term_counts",
           "term_frequencies", "term_occurrences", "text_occurrences", "tfidf"]
