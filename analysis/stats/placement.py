"""Where terms and themes sit in each speech: dispersion DP and first appearance, for terms as for themes.

The statistics are :func:`analysis.stats.themes.theme_dispersion` (Gries 2008) and
:func:`analysis.stats.themes.first_appearance`; this module only lets a term stand where a
theme stands. A term is read as a theme of one term, counted by its own lexicon (so
two terms asked together never take hits from each other): its hits are its
occurrences found by :func:`analysis.text.lexicon.theme_hits`, a whole token, a run of
tokens or inside one longer token (人才 inside 人才工作), never across a word boundary.

Themes work on full texts and reference profiles alike (profiles store each sentence's
theme counts and each theme's first hit); terms need running text, so a profiled
document asked for a term is refused by name.

>>> import pandas as pd
>>> from analysis.features import build_features
>>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["一、甲\\n人才。基层。\\n二、乙\\n人才工作。\\n"]}),
...                     progress=False, cache=False)
>>> item_dispersion(fs, terms=["人才"])[["item", "hits", "parts"]].values.tolist()
[['人才', 2, 2]]
>>> item_first_appearance(fs, terms=["基层"])[["item", "path"]].values.tolist()
[['基层', '一']]
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.results import declare
from analysis.types import FeatureSetLike

__all__ = ["DISPERSION_COLUMNS", "FIRST_COLUMNS", "item_dispersion", "item_first_appearance", "term_lexicon"]

#: Columns of :func:`item_dispersion`.
DISPERSION_COLUMNS = ["document", "item", "item_type", "hits", "parts", "dp", "dp_norm", "top_part"]
#: Columns of :func:`item_first_appearance`.
FIRST_COLUMNS = ["document", "item", "item_type", "path", "sentence", "start", "term", "position", "order"]


def term_lexicon(term: str) -> pd.DataFrame:
    """The lexicon table of one theme holding one term (the theme is named after the term).

    Raises:
        analysis.text.lexicon.ThemeLexiconError: for an empty term or one with spaces.

    >>> term_lexicon("人才")[["theme", "term"]].values.tolist()
    [['人才', '人才']]
    """
    from analysis.text.lexicon import lexicon_from_dict

    return lexicon_from_dict({term: {"label_zh": term, "terms": [term]}}, source=f"term {term!r}")


def _require_terms_text(fs: FeatureSetLike, terms: Sequence[str], what: str) -> None:
    if terms:
        fs.require_text(f"{what} of terms (their occurrences are found in each sentence's tokens; profiles store "
                        "theme counts for the lexicon they were built with, not each term's; use themes)")


def _per_item(fs: FeatureSetLike, statistic, *, terms: Sequence[str], themes: Sequence[str], **options) -> pd.DataFrame:
    """``statistic(fs, lexicon=...)`` once per term (one-term lexicon) and once for the themes, stacked."""
    parts = []
    for term in dict.fromkeys(terms):
        parts.append(statistic(fs, lexicon=term_lexicon(term), **options).assign(item_type="term"))
    if themes:
        table = statistic(fs, **options)
        parts.append(table[table["theme"].isin(list(themes))].assign(item_type="theme"))
    if not parts:
        return pd.DataFrame(columns=["document", "theme", "item_type"])
    order = {d: i for i, d in enumerate(fs.documents["id"].astype(str))}
    items = {x: i for i, x in enumerate([*dict.fromkeys(terms), *themes])}
    out = pd.concat(parts, ignore_index=True).rename(columns={"theme": "item"})
    out["document"] = out["document"].astype(str)
    out = out.assign(_d=out["document"].map(order), _x=out["item"].map(items))
    return out.sort_values(["_d", "_x"], kind="stable").drop(columns=["_d", "_x"]).reset_index(drop=True)


def item_dispersion(fs: FeatureSetLike, *, terms: Sequence[str] = (), themes: Sequence[str] = (),
                    level: int = 1) -> pd.DataFrame:
    """Gries's DP of each term and theme across the outline parts of each speech.

    :func:`analysis.stats.themes.theme_dispersion` for the themes, and for each term as a
    theme of one term (its hits are its occurrences): ``DP = ½ Σ_p |v_p − s_p|`` with ``s_p``
    a part's share of the speech's Han characters and ``v_p`` its share of the hits.

    Args:
        fs: A FeatureSet; themes work on profiles too, terms need full texts.
        terms: Terms to measure.
        themes: Theme keys of the lexicon to measure.
        level: Outline level of the parts (1 = 一, 二 …).

    Returns:
        :data:`DISPERSION_COLUMNS`: ``document, item, item_type`` (term or theme), ``hits``,
        ``parts``, ``dp``, ``dp_norm``, ``top_part``; NaN DP where an item has no hit. In
        document order, then the items as asked.

    Raises:
        analysis.features.ProfileError: for terms asked of a profiled document.

    >>> from analysis.features import build_features
    >>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["一、甲\\n人才。人才。\\n二、乙\\n干部。干部。\\n"]}),
    ...                     progress=False, cache=False)
    >>> item_dispersion(fs, terms=["人才"])[["hits", "dp", "top_part"]].values.tolist()
    [[2, 0.5, '一']]
    """
    from analysis.stats.themes import theme_dispersion

    _require_terms_text(fs, terms, "dispersion")
    table = _per_item(fs, theme_dispersion, terms=terms, themes=themes, level=level).rename(
        columns={"theme_hits": "hits"})
    table = table.reindex(columns=DISPERSION_COLUMNS)
    return declare(table.astype({"hits": "int64", "parts": "int64"}), result="item_dispersion")


def item_first_appearance(fs: FeatureSetLike, *, terms: Sequence[str] = (), themes: Sequence[str] = ()) -> pd.DataFrame:
    """Where each term and theme first appears in each speech: the outline path and position.

    :func:`analysis.stats.themes.first_appearance` for the themes, and for each term as a
    theme of one term.

    Args:
        fs: A FeatureSet; themes work on profiles too, terms need full texts.
        terms: Terms to place.
        themes: Theme keys of the lexicon to place.

    Returns:
        :data:`FIRST_COLUMNS`: ``document, item, item_type``, ``path`` (outline path of the
        first hit; empty when there is none), ``sentence``, ``start`` (−1 when none),
        ``term`` (the term of the first hit), ``position`` (start over the speech's length,
        0–1) and ``order`` (1 = the item asked that appears first in the speech).

    Raises:
        analysis.features.ProfileError: for terms asked of a profiled document.

    >>> from analysis.features import build_features
    >>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["一、甲\\n基层。\\n二、乙\\n人才。\\n"]}),
    ...                     progress=False, cache=False)
    >>> item_first_appearance(fs, terms=["人才", "基层"])[["item", "path", "order"]].values.tolist()
    [['人才', '二', 2], ['基层', '一', 1]]
    """
    from analysis.stats.themes import first_appearance

    _require_terms_text(fs, terms, "first appearance")
    table = _per_item(fs, first_appearance, terms=terms, themes=themes).reindex(columns=FIRST_COLUMNS)
    table["order"] = table.groupby("document")["position"].rank(method="first").astype("Int64")
    return declare(table, result="item_first_appearance")
