"""analysis: a workbook library for comparing Chinese Party organization-work speeches.

The layout is the pipeline, one subpackage per stage; a module imports only from its
own stage or earlier ones (``tests/test_layout.py`` enforces it):

- ``paths``, ``settings``, ``chars``, ``types``, ``store``: the foundation (folders, the
  frozen settings, Han-character helpers, shared Protocols and choices, the data-only cache).
- ``io``: files → Documents (``io.corpus``; Word files in ``io.word``), text normalization
  (``io.normalize``), notes on a speech (``io.notes``).
- ``text``: the outline (``text.outline``), segmentation (``text.segment``), the theme
  lexicon and its matching (``text.lexicon``).
- ``features``: the hub, Document → DocumentFeatures → FeatureSet, cached by content;
  ``profiles``: FeatureSets stored as counts without text (reference profiles).
- ``stats``: analyses, FeatureSet in, tidy table out (``stats.counts``, ``stats.themes``,
  ``stats.keyness``, ``stats.reuse``, ``stats.units``, ``stats.track``, ``stats.compare``,
  ``stats.similarity``).
- ``plots``: a figure per table (``plots.charts``, ``plots.outline``, ``plots.terms``,
  ``plots.emphasis``, ``plots.compare``, ``plots.trends``; ``plots.fonts`` finds the CJK font).
- ``output``: the only writer to ``figures/`` (``output.export``, with ``output.csvsafe``
  for every CSV), finding sentences (``output.findings``) and the report (``output.report``).
- ``cli``: ``python -m analysis``.

Importing the package does no work: no files are read and no jieba dictionary is
loaded until a function asks for it.
"""

__version__ = "0.1.0"
