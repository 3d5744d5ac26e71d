"""analysis: a workbook library for comparing Chinese Party organization-work speeches.

The pipeline runs files → Document (``corpus``, ``normalize``) → outline (``outline``)
→ tokens (``segment``) → features (``features``) → tables (``counts``, ``themes``,
``keyness``, ``reuse``) → figures (``plots``, ``export``) → report (``report``).

Importing the package does no work: no files are read and no jieba dictionary is
loaded until a function asks for it.
"""

__version__ = "0.1.0"
