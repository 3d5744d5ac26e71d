"""Output: the only writer to figures/ (export) and the report that runs the notebooks (report)."""
