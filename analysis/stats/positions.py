"""Where terms and themes fall along each speech: the dispersion plot's table, with the sections' starts.

A position is the sentence's place in its speech, (i + 0.5) / n for the i-th of n
sentences (0 = the opening, 1 = the close), so speeches of any length line up; a sentence
holding the item several times counts once. Themes are read from the theme counts per
sentence (full texts and reference profiles alike); terms need running text (whole tokens
equal to the term, or tokens containing it with ``inside=True``). This is the lexical
dispersion plot of concordancers (AntConc's Plot, Voyant's Trends), placed on the outline.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.features import FeatureSet
from analysis.results import declare

__all__ = ["POSITION_COLUMNS", "item_positions", "section_starts"]

#: Columns of :func:`item_positions`.
POSITION_COLUMNS = ["document", "item", "item_type", "sentence", "path", "position"]


def _ranks(fs: FeatureSet, ids: list[str]) -> pd.DataFrame:
    s = fs.sentences[fs.sentences["document"].astype(str).isin(ids)][["document", "sentence", "path"]].copy()
    s["document"] = s["document"].astype(str)
    s = s.sort_values(["document", "sentence"], kind="stable")
    s["_i"] = s.groupby("document").cumcount()
    s["_n"] = s.groupby("document")["sentence"].transform("size")
    s["position"] = (s["_i"] + 0.5) / s["_n"]
    return s


def item_positions(fs: FeatureSet, *, terms: Sequence[str] = (), themes: Sequence[str] = (),
                   documents: Iterable[str] | None = None, inside: bool = False) -> pd.DataFrame:
    """One row per sentence holding a term or a theme, with its relative position in the speech.

    Args:
        fs: A FeatureSet; themes work on profiles too, terms need full texts.
        terms: Terms to place.
        themes: Theme keys of the lexicon to place.
        documents: The speeches (default all), in the order wanted.
        inside: Count a term inside longer tokens too (人才 in 人才工作).

    Returns:
        :data:`POSITION_COLUMNS`: ``document, item, item_type`` (term or theme), ``sentence``,
        ``path``, ``position`` (0–1), by document, item, position.

    Raises:
        analysis.features.ProfileError: for terms asked of a profiled document.

    Example:
        >>> from analysis.features import build_features
        >>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["人才。基层。人才和基层。干部。"]}),
        ...                     progress=False, cache=False)
        >>> item_positions(fs, terms=["人才"])["position"].tolist()
        [0.125, 0.625]
    """
    ids = [str(d) for d in documents] if documents is not None else fs.documents["id"].astype(str).tolist()
    ranks = _ranks(fs, ids).set_index(["document", "sentence"])
    parts = []
    if terms:
        fs.require_text("positions of terms (they read each sentence's tokens)", ids)
        tok = fs.tokens[fs.tokens["document"].astype(str).isin(ids)]
        words = tok["token"].astype(str)
        for term in terms:
            hit = words.str.contains(term, regex=False) if inside else words.eq(term)
            found = tok.loc[hit, ["document", "sentence"]].astype({"document": str}).drop_duplicates()
            parts.append(found.assign(item=term, item_type="term"))
    if themes:
        sent = fs.theme_counts().sentences
        sent = sent[sent["document"].astype(str).isin(ids) & sent["theme"].isin(list(themes)) & (sent["hits"] > 0)]
        parts.append(pd.DataFrame({"document": sent["document"].astype(str), "sentence": sent["sentence"],
                                   "item": sent["theme"], "item_type": "theme"}))
    if not parts:
        return pd.DataFrame(columns=POSITION_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    joined = ranks.reindex(pd.MultiIndex.from_frame(out[["document", "sentence"]]))
    out = out.assign(path=joined["path"].astype(str).to_numpy(), position=joined["position"].to_numpy())
    order = {d: i for i, d in enumerate(ids)}
    items = {x: i for i, x in enumerate([*terms, *themes])}
    out = out.assign(_d=out["document"].map(order), _x=out["item"].map(items))
    out = out.sort_values(["_d", "_x", "position"], kind="stable")[POSITION_COLUMNS].reset_index(drop=True)
    return declare(out.astype({"sentence": "int64"}), result="item_positions")


def section_starts(fs: FeatureSet, *, documents: Iterable[str] | None = None, level: int = 1) -> pd.DataFrame:
    """Where each outline section at ``level`` starts, as a position along its speech (for the plot's marks).

    Returns:
        Columns ``document, path, position`` (of the section's first sentence), in text order.

    >>> from analysis.features import build_features
    >>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["一、甲\\n人才。\\n二、乙\\n基层。\\n"]}),
    ...                     progress=False, cache=False)
    >>> section_starts(fs)[["path", "position"]].values.tolist()
    [['一', 0.0], ['二', 0.5]]
    """
    ids = [str(d) for d in documents] if documents is not None else fs.documents["id"].astype(str).tolist()
    ranks = _ranks(fs, ids)
    nodes = fs.nodes[fs.nodes["document"].astype(str).isin(ids)]
    parent = {(str(d), str(p)): q for d, p, q in zip(nodes["document"], nodes["path"], nodes["parent"])}
    lev = {(str(d), str(p)): int(v) for d, p, v in zip(nodes["document"], nodes["path"], nodes["level"])}

    def top(d: str, p: str) -> str:
        while lev.get((d, p), 0) > level and isinstance(parent.get((d, p)), str):
            p = parent[(d, p)]
        return p

    ranks["section"] = [top(d, str(p)) for d, p in zip(ranks["document"], ranks["path"])]
    kept = ranks[[lev.get((d, s), 0) == level for d, s in zip(ranks["document"], ranks["section"])]]
    first = kept.groupby(["document", "section"], sort=False)["_i"].min().reset_index()
    n = ranks.groupby("document")["_n"].first()
    first["position"] = first["_i"] / first["document"].map(n).to_numpy()
    out = first.rename(columns={"section": "path"})[["document", "path", "position"]]
    return out.assign(position=np.round(out["position"].astype(float), 6)).reset_index(drop=True)
