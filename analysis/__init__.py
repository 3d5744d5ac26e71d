"""analysis: a workbook library for comparing Chinese Party organization-work speeches.

The layout is the pipeline, one subpackage per stage; a module imports only from its
own stage or earlier ones (``tests/test_layout.py`` enforces it):

- ``paths``, ``settings``, ``chars``, ``types``, ``store``: the foundation (folders, the
  frozen settings, Han-character helpers, shared Protocols, the verified data-only file
  format of the cache).
- ``io``: files → Documents (``io.corpus``), text normalization (``io.normalize``).
- ``text``: the outline (``text.outline``) and segmentation (``text.segment``).
- ``features``: the hub, Document → DocumentFeatures → FeatureSet, cached by content.
- ``stats``: analyses, FeatureSet in, tidy table out (``stats.counts``,
  ``stats.themes``, ``stats.keyness``, ``stats.reuse``).
- ``plots``: a figure per table (``plots.charts``, ``plots.outline``, ``plots.terms``,
  ``plots.emphasis``; ``plots.fonts`` finds the CJK font).
- ``output``: the only writer to ``figures/`` (``output.export``) and the report
  (``output.report``).
- ``cli``: ``python -m analysis``.

Importing the package does no work: no files are read and no jieba dictionary is
loaded until a function asks for it.
"""

__version__ = "0.1.0"
