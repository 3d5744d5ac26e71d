"""Co-occurrence counts: how many sentences (or paragraphs) hold two terms, or two themes, together.

The pair table is the one count every co-occurrence network is made of, and the one a
reference profile stores (:mod:`analysis.profiles`, table ``cooccurrences``): counts per
document, never the sentences themselves, so no sentence can be rebuilt from it.

A row ``(document, layer, term_a, term_b, cooccurrences)`` with ``term_a < term_b`` counts
the units of the document holding both; a row with ``term_a == term_b`` counts the units
holding that term at all (its unit frequency, the margin of every pair it is in). The
layer is ``term`` (the theme lexicon's terms, as matched by
:func:`analysis.text.lexicon.theme_hits`) or ``theme`` (the themes those terms count in).
A unit counts once per pair however often the terms occur in it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PAIR_COLUMNS", "LAYERS", "UNITS", "unit_pairs", "pairs_of_items"]

#: Columns of a pair table (:func:`unit_pairs`).
PAIR_COLUMNS = ["document", "layer", "term_a", "term_b", "cooccurrences"]
#: What a pair is made of: the lexicon's terms, or the themes they count in.
LAYERS = ("term", "theme")
#: The units a pair shares: a sentence, or a paragraph.
UNITS = ("sentence", "paragraph")


def pairs_of_items(items: pd.DataFrame, *, unit: str = "sentence", layer: str = "term") -> pd.DataFrame:
    """Count the units holding each pair of items (and each item alone) per document.

    Args:
        items: One row per occurrence: ``document``, the unit column (``sentence`` or
            ``paragraph``) and ``item`` (a term or a theme); repeats are counted once per unit.
        unit: The column naming the unit.
        layer: The value of the ``layer`` column of the result.

    Returns:
        :data:`PAIR_COLUMNS`: one row per document and pair ``term_a <= term_b`` found in at
        least one unit, sorted by document (first appearance), term_a, term_b;
        ``cooccurrences`` int64.

    Example:
        >>> items = pd.DataFrame({"document": "d", "sentence": [0, 0, 1, 1, 1],
        ...                       "item": ["人才", "基层", "人才", "人才", "干部"]})
        >>> pairs_of_items(items)[["term_a", "term_b", "cooccurrences"]].values.tolist()
        [['人才', '人才', 2], ['人才', '基层', 1], ['人才', '干部', 1], ['基层', '基层', 1], ['干部', '干部', 1]]
    """
    if items.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "cooccurrences" else object) for c in PAIR_COLUMNS})
    # integer codes: documents by first appearance, items in sorted order (so code order is text order)
    doc, doc_names = pd.factorize(items["document"].astype(str), sort=False)
    item, item_names = pd.factorize(items["item"].astype(str), sort=True)
    unit_codes, _ = pd.factorize(items[unit], sort=False)
    distinct = pd.DataFrame({"d": doc, "u": unit_codes, "i": item}).drop_duplicates()
    joined = distinct.merge(distinct, on=["d", "u"], suffixes=("_a", "_b"))
    joined = joined[joined["i_a"].to_numpy() <= joined["i_b"].to_numpy()]
    size = max(len(item_names), 1)
    key = (joined["d"].to_numpy(dtype=np.int64) * size + joined["i_a"].to_numpy()) * size + joined["i_b"].to_numpy()
    del joined
    key, cooccurrences = np.unique(key, return_counts=True)  # sorted: document, item_a, item_b
    names = np.asarray(item_names, dtype=object)
    out = pd.DataFrame({"document": np.asarray(doc_names, dtype=object)[key // (size * size)], "layer": layer,
                        "term_a": names[key // size % size], "term_b": names[key % size],
                        "cooccurrences": cooccurrences.astype(np.int64)})
    return out[PAIR_COLUMNS].reset_index(drop=True)


def unit_pairs(hits: pd.DataFrame, *, unit: str = "sentence") -> pd.DataFrame:
    """The pair table of theme hits: term pairs and theme pairs sharing a unit, per document.

    Args:
        hits: :func:`analysis.text.lexicon.theme_hits` (``document, theme, term, sentence,
            paragraph`` …).
        unit: ``sentence`` or ``paragraph``.

    Returns:
        :data:`PAIR_COLUMNS`, the ``term`` layer first, then the ``theme`` layer (see the module).

    Raises:
        ValueError: for an unknown unit.

    Example:
        >>> hits = pd.DataFrame({"document": "d", "sentence": [0, 0], "paragraph": 0,
        ...                      "term": ["人才", "村书记"], "theme": ["talent", "grassroots"]})
        >>> unit_pairs(hits).query("term_a != term_b")[["layer", "term_a", "term_b"]].values.tolist()
        [['term', '人才', '村书记'], ['theme', 'grassroots', 'talent']]
    """
    if unit not in UNITS:
        raise ValueError(f"unit={unit!r}: co-occurrence units are {', '.join(UNITS)}")
    parts = [pairs_of_items(hits[["document", unit, column]].rename(columns={column: "item"}), unit=unit, layer=column)
             for column in LAYERS]
    return pd.concat(parts, ignore_index=True)[PAIR_COLUMNS]
