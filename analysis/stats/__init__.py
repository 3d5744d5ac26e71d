"""Analyses: FeatureSet in, tidy DataFrame out (counts, themes, keyness, reuse)."""
