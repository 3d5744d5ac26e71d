"""Features: everything later stages need from a document, computed once and cached.

``features(document, settings)`` is a pure function of one document's normalized text
and the settings: it parses the outline, splits sentences at outline boundaries,
segments the text and labels every token with its outline path and sentence. A
:class:`FeatureSet` stacks the features of many documents with their metadata; every
analysis (frequencies, section shares, themes, keyness, dispersion) reads a FeatureSet
and returns a tidy DataFrame.

Full texts and reference profiles: a FeatureSet may also hold profiled documents
(:mod:`analysis.profiles`: counts, no text). The count-based analyses read the count
tables :attr:`FeatureSet.term_counts`, :attr:`FeatureSet.sentence_tokens` and
:meth:`FeatureSet.theme_counts`, derived from the tokens of full texts
(:func:`count_tokens`, :func:`count_sentence_tokens`, :func:`count_theme_hits`) and stored
in profiles, so both give the same numbers; :func:`combine` stacks FeatureSets.

Where things live (this package, split by responsibility; every public name is importable
from ``analysis.features``):

- :mod:`~analysis.features.tables`: column lists, :class:`DocumentFeatures`, :class:`ThemeCounts`;
- :mod:`~analysis.features.featureset`: :class:`FeatureSet`, :class:`StoredCounts`, :func:`combine`;
- :mod:`~analysis.features.counting`: :func:`count_tokens`, :func:`count_sentence_tokens`,
  :func:`count_theme_hits`, :func:`quoted_tokens`, :func:`count_features`;
- :mod:`~analysis.features.document`: :func:`features`, one document;
- :mod:`~analysis.features.caches`: the feature cache and the file-counts cache, and the
  hash of the code their keys cover (this whole folder, ``chars.py`` and ``text/``);
- :mod:`~analysis.features.executors`: :func:`build_features` (one process or a pool) and
  :func:`stream_features` (:func:`stream_batches`: the same in batches); :mod:`~analysis.features.dask_backend`: the Dask backend.

Caching: :func:`build_features` stores each document's features under
``paths.cache_dir()/features/`` keyed by the SHA-256 of its normalized text, the
settings fingerprint, a hash of the code that computes features and the engine that
segments (:func:`analysis.text.segment.engine_signature`). An entry is data
only (:mod:`analysis.store`: each DataFrame field as an Arrow stream, the other fields as JSON,
a SHA-256 over all of it), written to a temporary name and renamed; it is verified on
read, and any failure is a miss that recomputes and replaces it (:func:`cached_features`).
Same key, same result; change one document and only it is recomputed.

>>> import pandas as pd
>>> docs = pd.DataFrame({"id": ["demo"], "text": ["同志们：\\n一、重视人才\\n要关心人才。\\n"]})
>>> fs = build_features(docs, progress=False, cache=False)
>>> fs.nodes["path"].tolist()
['preamble', '一']
>>> int(fs.tokens.loc[fs.tokens["token"] == "人才"].shape[0])
2
"""

from analysis.features.caches import (CACHE_SUFFIX, COUNTS_SUFFIX, cache_key, cache_writable, cached_features,
                                      clean_cache, counted_features, counts_cache_dir, feature_cache_dir)
from analysis.features.counting import (DocumentCounts, count_features, count_sentence_tokens, count_theme_hits,
                                        count_tokens, factorize_text, quoted_tokens)
from analysis.features.dask_backend import features_partition
from analysis.features.document import features
from analysis.features.executors import BACKENDS, build_features, stream_batches, stream_features
from analysis.features.featureset import FeatureSet, ProfileError, StoredCounts, combine
from analysis.text.cooccurrence import PAIR_COLUMNS  # noqa: F401 (column list of stored pair counts)
from analysis.features.tables import (CATEGORICAL_TOKEN_COLUMNS, FIRST_HIT_COLUMNS, OCCURRENCE_COLUMNS,
                                      SENTENCE_COLUMNS, SENTENCE_THEME_COLUMNS, SENTENCE_TOKEN_COLUMNS,
                                      TERM_COUNT_COLUMNS, THEME_TERM_COLUMNS, TOKEN_COLUMNS, DocumentFeatures,
                                      ThemeCounts)

__all__ = [
    "BACKENDS", "CACHE_SUFFIX", "CATEGORICAL_TOKEN_COLUMNS", "COUNTS_SUFFIX", "FIRST_HIT_COLUMNS",
    "OCCURRENCE_COLUMNS", "SENTENCE_COLUMNS", "SENTENCE_THEME_COLUMNS", "SENTENCE_TOKEN_COLUMNS",
    "TERM_COUNT_COLUMNS", "THEME_TERM_COLUMNS", "TOKEN_COLUMNS",
    "DocumentCounts", "DocumentFeatures", "FeatureSet", "ProfileError", "StoredCounts", "ThemeCounts",
    "build_features", "cache_key", "cache_writable", "cached_features", "clean_cache", "combine",
    "count_features", "count_sentence_tokens", "count_theme_hits", "count_tokens", "counted_features",
    "counts_cache_dir", "factorize_text", "feature_cache_dir", "features", "features_partition", "quoted_tokens",
    "stream_batches", "stream_features",
]
