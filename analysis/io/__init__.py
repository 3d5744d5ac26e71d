"""Loading: files of every supported format into Documents (corpus), and the normalized text with its map back to the raw text (normalize)."""
