"""Text structure: the outline of a speech (outline) and its segmentation into tokens and formulas (segment)."""
