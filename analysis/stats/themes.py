"""Themes: how much of a speech, and of each section, goes to talent, grassroots, cadres ….

The theme lexicon is versioned data (``corpus/lexicon/themes.yaml``, read by
:func:`load_themes`); :func:`theme_hits` finds its terms in a FeatureSet's tokens,
following the segmentation: a term counts as one token, a run of whole tokens, or part
of one longer token (a formula kept whole), never across a word boundary
(:func:`rejected_matches` lists those places), leftmost-longest across all themes.
Everything else is counting:

- :func:`theme_coverage`: per document, outline node or metadata group, each theme's share
  by three named measures: ``share_tokens`` (hits / word tokens), ``share_han`` (Han
  characters covered by hits / Han characters) and ``share_sentences`` (sentences that
  mention the theme / sentences with Han text).
- :func:`talent_grassroots_index`: ln(s_talent / s_grassroots), NaN and flagged when a
  share is 0.
- :func:`attention_diversity`: normalized Shannon entropy H* and the Herfindahl–Hirschman
  index over themes (Boydstun, Bevan & Thomas 2014).
- :func:`theme_dispersion`: Gries's (2008) DP of each theme across the sections.
- :func:`first_appearance`: the outline path where each theme first appears.
- :func:`emphasis_shift` and :func:`index_shift`: Δ share from A to B with a seeded
  bootstrap interval that resamples sentences (or paragraphs) within each speech.
- :func:`word_shift`: per-term contributions δp_w = p_w,B − p_w,A (Gallagher et al. 2021).

Comparisons take any two documents, sections or groups (see
:func:`analysis.stats.keyness.select_mask`); keyness between them is
:func:`analysis.stats.keyness.compare_terms`.

>>> import pandas as pd
>>> from analysis.features import build_features
>>> fs = build_features(pd.DataFrame({"id": ["d"], "text": ["一、重视人才\\n引进人才，服务基层。\\n"]}),
...                     progress=False, cache=False)
>>> cov = theme_coverage(fs).set_index("theme")
>>> cov.loc[["talent", "grassroots"], ["theme_hits", "word_tokens"]].values.tolist()
[[2, 6], [1, 6]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.memo import memoized
from analysis.features import ThemeCounts
from analysis.results import CI_LEVEL, MIN_UNITS, NotApplicable, declare, is_significant, units_note
from analysis.settings import Settings
from analysis.stats.keyness import _term_counts, count_terms, select_mask
from analysis.stats.units import ancestor_at_level, section_members
from analysis.text.lexicon import (ThemeLexiconError, doc_arrays as _doc_arrays, lexicon_from_dict, load_themes,
                                   match_document as _match_document, resolve_lexicon as _resolve_lexicon,
                                   theme_hits, themes_in_order as _themes_in_order)
from analysis.text.lexicon import _lexicon_path
from analysis.types import OUTLINE_UNITS, SHARES, FeatureSetLike, Selection, check_choice

__all__ = [
    "ThemeLexiconError", "load_themes", "lexicon_from_dict", "describe_themes", "theme_hits",
    "theme_coverage", "talent_grassroots_index", "attention_diversity", "theme_dispersion", "theme_placement",
    "first_appearance", "contrast_sections", "emphasis_shift", "index_shift", "word_shift", "rejected_matches",
]

#: The three share denominators of :func:`theme_coverage` (``share=`` everywhere; column ``share_<share>``).
SHARE_MEASURES = SHARES


def _counted(fs: FeatureSetLike, lexicon: pd.DataFrame, hits: pd.DataFrame | None = None) -> ThemeCounts:
    """Theme hits counted per sentence and node: the FeatureSet's own (full texts and profiles), computed once with it."""
    return fs.theme_counts(lexicon, hits=hits)


def _sentence_hits(fs: FeatureSetLike, counts: ThemeCounts) -> pd.DataFrame:
    """Per-sentence theme counts with each sentence's outline path."""
    return counts.sentences.merge(fs.sentences[["document", "sentence", "path"]], on=["document", "sentence"],
                                  how="inner", sort=False)


def _sentence_tokens(fs: FeatureSetLike) -> pd.DataFrame:
    return fs.sentence_tokens


def describe_themes(settings: Settings | None = None, *, path: str | Path | None = None) -> pd.DataFrame:
    """One row per theme: its labels, rationale and term counts (for a settings cell or a review).

    Returns:
        Columns ``theme, label_zh, label_en, terms, shared_terms, rationale``.

    Example:
        >>> describe_themes().set_index("theme").loc["talent", "label_zh"]
        '人才'
    """
    import yaml

    file = _lexicon_path(settings, path)
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    lex = lexicon_from_dict(data["themes"], source=str(file))
    rows = []
    for name, spec in data["themes"].items():
        part = lex[lex["theme"] == name]
        rows.append((name, spec["label_zh"], spec.get("label_en", ""), len(part), int(part["shared"].sum()),
                     " ".join(str(spec.get("rationale", "")).split())))
    return pd.DataFrame(rows, columns=["theme", "label_zh", "label_en", "terms", "shared_terms", "rationale"])


# --------------------------------------------------------------------------- matching


def _tokens_of(fs: FeatureSetLike) -> pd.DataFrame:
    return fs.tokens


def rejected_matches(fs: FeatureSetLike, *, lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """Places where a term's characters occur but straddle a word boundary, so they were not counted.

    E.g. 人才 in 个人/才能 or 作风 in 工作/风险. Use it to check that the segmenter, not
    chance, decided; if a rejection is wrong, add the word to the dictionary.

    Args:
        fs: A FeatureSet or its tokens table.
        lexicon: The :func:`load_themes` table.

    Returns:
        Columns ``document, term, theme, start, end, tokens`` (the tokens it straddles,
        joined by ``/``), in document order.
    """
    fs.require_text("rejected_matches")
    lexicon = _resolve_lexicon(fs, lexicon)
    tokens = _tokens_of(fs)
    terms = sorted(set(lexicon["term"]), key=lambda t: (-len(t), t))
    home_of = dict(zip(lexicon["term"], lexicon["home"]))
    rows = []
    for document, doc in tokens.groupby("document", sort=False):
        starts, ends, words, _ = _doc_arrays(doc)
        _, rejected = _match_document(starts, ends, words, terms, str(document))
        for i, j, term in sorted(rejected):
            first = int(np.searchsorted(starts, i, side="right")) - 1
            last = int(np.searchsorted(starts, j, side="left"))
            rows.append((document, term, home_of[term], i, j, "/".join(words[first:last])))
    table = pd.DataFrame(rows, columns=["document", "term", "theme", "start", "end", "tokens"])
    for c in ["start", "end"]:
        table[c] = table[c].astype(np.int64)
    return table


# --------------------------------------------------------------------------- coverage


def _node_word_tokens(fs: FeatureSetLike) -> pd.DataFrame:
    """Word tokens per document and outline node: ``document, path, tokens`` (nodes with none have no row).

    What summing the word rows of :attr:`FeatureSet.term_counts` per node gives, without
    building that table (one row per node and distinct token, tens of millions of rows for
    a document at the size cap): the full texts' tokens are counted per node with one
    group-by, the counted documents' and profiles' stored term counts summed. A
    FeatureSet-like object without ``tokens``/``stored`` is summed from its term counts.
    """
    def per_node(table: pd.DataFrame, value: str | None) -> pd.DataFrame:
        words = table.loc[table["kind"] == "word", ["document", "path"] + ([value] if value else [])]
        grouped = words.groupby(["document", "path"], sort=False, observed=True)
        out = (grouped[value].sum() if value else grouped.size()).rename("tokens").reset_index()
        return out.astype({"document": "str", "path": "str", "tokens": "int64"})

    tokens, stored = getattr(fs, "tokens", None), getattr(fs, "stored", None)
    if tokens is None:
        return per_node(_term_counts(fs), "count")
    parts = [per_node(tokens, None)] if len(tokens) else []
    if stored is not None and len(stored.term_counts):
        parts.append(per_node(stored.term_counts, "count"))
    if not parts:
        return pd.DataFrame({"document": pd.Series(dtype="str"), "path": pd.Series(dtype="str"),
                             "tokens": pd.Series(dtype="int64")})
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _counted_documents(fs: FeatureSetLike) -> list[str]:
    """The documents the term-count table has rows for (those with a token), in its order, without building it.

    :attr:`FeatureSet.term_counts` lists the full texts in order of their first token, then,
    when profiles or counted documents are stacked with them, every document in the
    FeatureSet's order.
    """
    tokens, stored = getattr(fs, "tokens", None), getattr(fs, "stored", None)
    if tokens is None:
        return [str(d) for d in dict.fromkeys(_term_counts(fs)["document"])]
    full = list(dict.fromkeys(str(d) for d in pd.unique(tokens["document"]))) if len(tokens) else []
    if stored is None or not len(stored.term_counts):
        return full
    have = set(full) | {str(d) for d in pd.unique(stored.term_counts["document"])}
    return [d for d in fs.documents["id"].astype(str) if d in have]


def _unit_tables(fs: FeatureSetLike, counts: ThemeCounts, by: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Per-unit denominators and per-unit-theme numerators, before shares.

    Returns (denominators, numerators, key columns): denominators keyed by the unit
    columns (tokens, han_chars, sentences), numerators by unit and theme (hits,
    covered_tokens, covered_han, sentences_with).
    """
    sentences = fs.sentences
    tok = _node_word_tokens(fs)
    sen = sentences[sentences["han_chars"] > 0].groupby(["document", "path"], sort=False).agg(
        han_chars=("han_chars", "sum"), sentences=("sentence", "size")).reset_index()
    per_sentence = _sentence_hits(fs, counts).groupby(["document", "path", "theme"], sort=False)
    hit = per_sentence[["hits", "covered_tokens", "covered_han"]].sum().reset_index()
    with_ = per_sentence.size().rename("sentences_with").reset_index()
    if by in OUTLINE_UNITS:
        anc = (section_members(fs.nodes).rename(columns={"section": "unit"}) if by == "section"
               else fs.nodes[["document", "path"]].assign(unit=fs.nodes["path"]))
        keys = ["document", "unit"]

        def lift(frame: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
            merged = frame.merge(anc, on=["document", "path"], how="inner")
            return merged.drop(columns="path").groupby(keys + extra, sort=False).sum(numeric_only=True).reset_index()
    else:
        if by == "document":
            keymap = fs.documents[["id"]].assign(unit=fs.documents["id"]).rename(columns={"id": "document"})
        else:
            if by not in fs.documents.columns:
                raise KeyError(f"theme_coverage: by={by!r} is neither 'document', 'section', 'node' nor a metadata "
                               f"column ({list(fs.documents.columns)})")
            keymap = fs.documents[["id", by]].rename(columns={"id": "document", by: "unit"})
        keys = ["unit"]

        def lift(frame: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
            merged = frame.merge(keymap, on="document", how="inner")
            return merged.drop(columns=["document", "path"]).groupby(keys + extra, sort=False).sum(
                numeric_only=True).reset_index()

    dens = lift(tok, []).merge(lift(sen, []), on=keys, how="outer")
    nums = lift(hit, ["theme"]).merge(lift(with_, ["theme"]), on=keys + ["theme"], how="outer")
    return dens, nums, keys


@memoized
def theme_coverage(fs: FeatureSetLike, *, by: str = "document", lexicon: pd.DataFrame | None = None,
                   hits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each theme's share of each document, outline node or metadata group, by three named measures.

    - ``share_tokens`` = hits / word tokens (a multi-token phrase is one hit);
    - ``share_han`` = Han characters inside hits / Han characters;
    - ``share_sentences`` = sentences with at least one hit / sentences with Han text.

    With ``by="section"`` a node's counts include its sub-points (三 includes 三（一）…):
    nodes at one level together with the level-0 nodes (preamble, closing) partition the
    document, so their hits and tokens add up to the document's. With ``by="node"`` each
    node counts its own text only, and all nodes together partition the document.

    Args:
        fs: A FeatureSet.
        by: ``"document"``, ``"section"`` (every outline node with its sub-points),
            ``"node"`` (every outline node, its own text only) or a metadata column of
            ``fs.documents`` (e.g. ``"year"``: documents pooled per value).
        lexicon: The :func:`load_themes` table; default: the FeatureSet's settings' lexicon.
        hits: Precomputed :func:`theme_hits` (to avoid matching twice).

    Returns:
        One row per unit per theme (themes in lexicon order, zero rows kept): ``document``
        (or the ``by`` column), ``path`` and ``level`` (by section), ``theme, label_zh,
        theme_hits, share_tokens, share_han, share_sentences, word_tokens,
        covered_tokens, han_chars, covered_han, sentences, sentences_with``. Shares are
        NaN when the unit has no word tokens (or Han characters, or sentences).
    """
    lexicon = _resolve_lexicon(fs, lexicon)
    dens, nums, keys = _unit_tables(fs, _counted(fs, lexicon, hits), by)
    themes = _themes_in_order(lexicon)
    labels = dict(zip(lexicon["theme"], lexicon["label_zh"]))
    if by in OUTLINE_UNITS:
        units = fs.nodes[["document", "path", "level"]].rename(columns={"path": "unit"})
    elif by == "document":
        units = fs.documents[["id"]].rename(columns={"id": "unit"})
    else:
        units = pd.DataFrame({"unit": list(dict.fromkeys(fs.documents[by]))})
    units = units.assign(_u=np.arange(len(units)))
    grid = units.merge(pd.DataFrame({"theme": themes, "_t": np.arange(len(themes))}), how="cross")
    grid = grid.merge(dens, on=keys, how="left").merge(nums, on=keys + ["theme"], how="left")
    for c in ["tokens", "han_chars", "sentences", "hits", "covered_tokens", "covered_han", "sentences_with"]:
        grid[c] = grid[c].fillna(0).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["share_tokens"] = np.where(grid["tokens"] > 0, grid["hits"] / grid["tokens"].where(grid["tokens"] > 0), np.nan)
        grid["share_han"] = np.where(grid["han_chars"] > 0, grid["covered_han"] / grid["han_chars"].where(grid["han_chars"] > 0), np.nan)
        grid["share_sentences"] = np.where(grid["sentences"] > 0,
                                           grid["sentences_with"] / grid["sentences"].where(grid["sentences"] > 0), np.nan)
    grid["label_zh"] = grid["theme"].map(labels)
    grid = grid.sort_values(["_u", "_t"], kind="stable")
    first = ["document", "unit", "level"] if by in OUTLINE_UNITS else ["unit"]
    out = grid[first + ["theme", "label_zh", "hits", "share_tokens", "share_han", "share_sentences", "tokens",
                        "covered_tokens", "han_chars", "covered_han", "sentences", "sentences_with"]]
    rename = {"unit": "path"} if by in OUTLINE_UNITS else {"unit": "document" if by == "document" else by}
    out = out.rename(columns={**rename, "hits": "theme_hits", "tokens": "word_tokens"}).reset_index(drop=True)
    return declare(out, result="theme_coverage")


def contrast_sections(coverage: pd.DataFrame, *, sections: tuple[str | None, str | None] = (None, None),
                      themes: tuple[str, str] = ("talent", "grassroots"), share: str = "tokens",
                      level: int = 1) -> tuple[str, str]:
    """Choose two sections of one speech to compare: the one giving most room to one theme, then the other.

    A section named in ``sections`` is kept (after checking it exists); an empty slot gets
    the section at ``level`` with the largest ``share_<share>`` for its theme (ties: first in
    the outline), never the section already chosen for the other slot. On the seed this
    gives 三 (talent) and 四 (grassroots); on any other speech, its own talent-heaviest
    and grassroots-heaviest sections.

    Args:
        coverage: :func:`theme_coverage` ``by="section"`` of ONE document.
        sections: ``(A, B)`` outline paths, each or both None to choose.
        themes: The themes that choose A and B.
        share: ``tokens``, ``han`` or ``sentences`` (the column ``share_<share>``).
        level: Outline level to choose from (1: top-level sections).

    Returns:
        ``(path_a, path_b)``.

    Raises:
        ValueError: Several documents in ``coverage``, or a named section that is not in it.
        analysis.results.NotApplicable: fewer than two sections at ``level`` to choose from.

    Example:
        >>> cov = pd.DataFrame({"document": "d", "path": ["一", "一", "二", "二"], "level": 1,
        ...                     "theme": ["talent", "grassroots"] * 2, "share_tokens": [0.1, 0.0, 0.0, 0.2]})
        >>> contrast_sections(cov), contrast_sections(cov, sections=("二", None))
        (('一', '二'), ('二', '一'))
    """
    check_choice("share", share, SHARES, caller="contrast_sections")
    if coverage["document"].nunique() != 1:
        raise ValueError("contrast_sections needs the section coverage of one document")
    paths_all = list(dict.fromkeys(coverage["path"]))
    for named in sections:
        if named is not None and named not in paths_all:
            raise ValueError(f"section {named!r} is not in the outline; its parts are: {', '.join(paths_all)}")
    candidates = coverage[coverage["level"] == level]
    chosen: list[str | None] = list(sections)
    for slot, theme in enumerate(themes):
        if chosen[slot] is not None:
            continue
        taken = {p for p in chosen if p is not None}
        rows = candidates[(candidates["theme"] == theme) & ~candidates["path"].isin(taken)]
        if rows.empty:
            found = candidates["path"].nunique()
            raise NotApplicable(f"the speech has {found} section(s) at outline level {level}, so there are no two "
                                "parts to set side by side; name two outline nodes (SECTION_A, SECTION_B, or "
                                "sections in the study file) to compare them")
        best = rows[f"share_{share}"].fillna(-1.0).to_numpy().argmax()  # first maximum: outline order
        chosen[slot] = str(rows["path"].iloc[best])
    return chosen[0], chosen[1]


def _unit_columns(table: pd.DataFrame) -> list[str]:
    known = ["document", "path", "level"]
    cols = [c for c in known if c in table.columns]
    if not cols:
        cols = [c for c in table.columns if c not in {"theme", "label_zh"} and not pd.api.types.is_numeric_dtype(table[c])][:1]
    return cols


def talent_grassroots_index(coverage: pd.DataFrame, *, share: str = "tokens", numerator: str = "talent",
                            denominator: str = "grassroots") -> pd.DataFrame:
    """Talent-versus-grassroots index ln(s_talent / s_grassroots) per unit of a coverage table.

    Positive: more room for talent than for grassroots; 0: equal shares; each unit of ln
    is a factor of e. When either share is 0 (or undefined) the index is NaN and
    ``flag`` says which theme had no hits, instead of printing ±inf.

    Args:
        coverage: A :func:`theme_coverage` table.
        share: ``tokens``, ``han`` or ``sentences`` (the column ``share_<share>``).
        numerator: Theme in the numerator.
        denominator: Theme in the denominator.

    Returns:
        The unit columns (``document``[, ``path``, ``level``]) then ``share_of`` (the share used),
        hits_<numerator>, hits_<denominator>, share_<numerator>, share_<denominator>,
        index, flag``.

    Example:
        >>> cov = pd.DataFrame({"document": ["d", "d"], "theme": ["talent", "grassroots"],
        ...                     "theme_hits": [6, 2], "share_tokens": [0.06, 0.02]})
        >>> round(float(talent_grassroots_index(cov)["index"][0]), 4)
        1.0986
    """
    check_choice("share", share, SHARES, caller="talent_grassroots_index")
    column = f"share_{share}"
    if column not in coverage.columns:
        raise KeyError(f"talent_grassroots_index: the coverage table has no column {column!r}; make it with theme_coverage")
    keys = _unit_columns(coverage)
    parts = []
    for theme in (numerator, denominator):
        part = coverage[coverage["theme"] == theme]
        if part.empty:
            raise KeyError(f"theme {theme!r} is not in the coverage table; themes: {sorted(set(coverage['theme']))}")
        parts.append(part[keys + ["theme_hits", column]].rename(columns={"theme_hits": f"hits_{theme}",
                                                                         column: f"share_{theme}"}))
    table = parts[0].merge(parts[1], on=keys, how="left", sort=False)
    a, b = table[f"share_{numerator}"].to_numpy(dtype=float), table[f"share_{denominator}"].to_numpy(dtype=float)
    ok = (a > 0) & (b > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["index"] = np.where(ok, np.log(np.where(ok, a, 1.0) / np.where(ok, b, 1.0)), np.nan)
    flags = []
    for x, y in zip(a, b):
        missing = [name for name, v in ((numerator, x), (denominator, y)) if not (v > 0)]
        flags.append("" if not missing else "no " + " and no ".join(missing) + " hits")
    table["flag"] = flags
    table.insert(len(keys), "share_of", share)
    return declare(table.reset_index(drop=True), result="talent_grassroots_index",
                   note=f"index = ln(share_{numerator} / share_{denominator}): a log ratio, 0 when equal.")


def attention_diversity(coverage: pd.DataFrame, *, column: str = "theme_hits") -> pd.DataFrame:
    """Attention diversity over themes (Boydstun, Bevan & Thomas 2014, Policy Studies Journal 42:173).

    With ``p_k`` the proportion of a unit's theme attention that goes to theme k
    (``column`` value of k over the sum over themes): normalized Shannon entropy
    ``H* = −Σ p_k ln p_k / ln K`` (0 = all attention on one theme, 1 = evenly spread over
    all K themes) and the Herfindahl–Hirschman index ``HHI = Σ p_k²`` (1/K … 1).

    Args:
        coverage: A :func:`theme_coverage` table.
        column: Column that measures attention: ``theme_hits`` (default) or a share column
            (``share_tokens`` …).

    Returns:
        Unit columns then ``measure`` (the attention column used), ``themes`` (K), ``total``, ``entropy`` (nats),
        ``entropy_norm`` (H*), ``hhi``, ``top_theme``; NaN when a unit has no hits.

    Example:
        >>> cov = pd.DataFrame({"document": "d", "theme": ["a", "b", "c", "d"], "theme_hits": [1, 1, 1, 1]})
        >>> attention_diversity(cov)[["entropy_norm", "hhi"]].values.tolist()
        [[1.0, 0.25]]
    """
    keys = _unit_columns(coverage)
    rows = []
    for key, part in coverage.groupby(keys, sort=False):
        v = part[column].to_numpy(dtype=float)
        v = np.where(np.isnan(v), 0.0, v)
        k = len(v)
        total = v.sum()
        if total > 0:
            p = v / total
            nz = p[p > 0]
            h = float(-(nz * np.log(nz)).sum())
            h_norm = h / np.log(k) if k > 1 else np.nan
            hhi = float((p ** 2).sum())
            top = str(part["theme"].iloc[int(np.argmax(v))])
        else:
            h = h_norm = hhi = np.nan
            top = ""
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, column, k, total, h, h_norm, hhi, top))
    return pd.DataFrame(rows, columns=keys + ["measure", "themes", "total", "entropy", "entropy_norm", "hhi", "top_theme"])


def theme_dispersion(fs: FeatureSetLike, *, level: int = 1, lexicon: pd.DataFrame | None = None,
                     hits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Dispersion DP of each theme across the sections of each document (Gries 2008).

    Parts are the outline nodes at ``level`` plus the level-0 nodes (preamble, closing);
    deeper text counts in its level-``level`` ancestor, so the parts partition the
    document. With ``s_p`` a part's share of the document's Han characters and ``v_p``
    its share of the theme's hits: ``DP = ½ Σ_p |v_p − s_p|`` (0 = spread like the
    text, near 1 = all in one small part), and ``DP_norm = DP / (1 − min_p s_p)``
    (Lijffijt & Gries 2012, International Journal of Corpus Linguistics 17:147).

    Args:
        fs: A FeatureSet.
        level: Outline level of the parts (1 = 一, 二, …; 2 = 一（一）…).
        lexicon: The :func:`load_themes` table.
        hits: Precomputed :func:`theme_hits`.

    Returns:
        Columns ``document, theme, theme_hits, parts, dp, dp_norm, top_part`` (the part with
        most hits); NaN when a theme has no hits in a document.
    """
    lexicon = _resolve_lexicon(fs, lexicon)
    sentence_hits = _sentence_hits(fs, _counted(fs, lexicon, hits))
    part_of = ancestor_at_level(fs.nodes, level).rename(columns={"ancestor": "part"})
    sizes = fs.sentences.merge(part_of, on=["document", "path"], how="inner").groupby(
        ["document", "part"], sort=False)["han_chars"].sum()
    h = sentence_hits.merge(part_of, on=["document", "path"], how="inner").groupby(
        ["document", "theme", "part"], sort=False)["hits"].sum().sort_index()
    rows = []
    for document in list(dict.fromkeys(fs.nodes["document"])):
        if document not in sizes.index.get_level_values(0):
            continue
        s = sizes.loc[document].astype(float)
        s = s / s.sum()
        for theme in _themes_in_order(lexicon):
            try:
                v = h.loc[(document, theme)].reindex(s.index).fillna(0).astype(float)
            except KeyError:
                rows.append((document, theme, 0, len(s), np.nan, np.nan, ""))
                continue
            total = v.sum()
            dp = 0.5 * float(np.abs(v / total - s).sum())
            dp_norm = dp / (1 - float(s.min())) if len(s) > 1 else np.nan
            rows.append((document, theme, int(total), len(s), dp, dp_norm, str(v.idxmax())))
    return pd.DataFrame(rows, columns=["document", "theme", "theme_hits", "parts", "dp", "dp_norm", "top_part"])


def theme_placement(fs: FeatureSetLike, *, level: int = 1, lexicon: pd.DataFrame | None = None,
                    hits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where each theme sits in each speech: its dispersion and its first appearance, one row per theme.

    :func:`theme_dispersion` joined with :func:`first_appearance`.

    Returns:
        ``document, theme, theme_hits, dp, dp_norm, top_part, first_path, first_term, first_order``.
    """
    first = first_appearance(fs, lexicon=lexicon, hits=hits)[["document", "theme", "path", "term", "order"]].rename(
        columns={"path": "first_path", "term": "first_term", "order": "first_order"})
    table = theme_dispersion(fs, level=level, lexicon=lexicon, hits=hits).merge(first, on=["document", "theme"],
                                                                                how="left")
    return declare(table[["document", "theme", "theme_hits", "dp", "dp_norm", "top_part", "first_path", "first_term",
                          "first_order"]], result="theme_placement")


def first_appearance(fs: FeatureSetLike, *, lexicon: pd.DataFrame | None = None, hits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where each theme first appears in each document: the outline path, as a priority signal.

    Args:
        fs: A FeatureSet.
        lexicon: The :func:`load_themes` table.
        hits: Precomputed :func:`theme_hits`.

    Returns:
        Columns ``document, theme, path, sentence, start, term, position`` (start over the
        document's length, 0–1) and ``order`` (1 = the theme that appears first); themes
        without hits have empty path and NaN position.
    """
    lexicon = _resolve_lexicon(fs, lexicon)
    first = _counted(fs, lexicon, hits).first
    rows = []
    for document in _counted_documents(fs):
        firsts = first[first["document"] == document].set_index("theme")
        for theme in _themes_in_order(lexicon):
            if theme in firsts.index:
                r = firsts.loc[theme]
                rows.append((document, theme, r["path"], int(r["sentence"]), int(r["start"]), r["term"],
                             float(r["position"])))
            else:
                rows.append((document, theme, "", -1, -1, "", np.nan))
    table = pd.DataFrame(rows, columns=["document", "theme", "path", "sentence", "start", "term", "position"])
    table["order"] = table.groupby("document")["position"].rank(method="first").astype("Int64")
    return table


# --------------------------------------------------------------------------- shifts


def _resampling_units(fs: FeatureSetLike, spec: Selection, counts: ThemeCounts, themes: list[str], share: str,
                      unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (strata, numerators[n, K], denominators[n], hits per theme[K]) of a selection's resampling units."""
    smask = select_mask(fs, spec, table="sentences")
    sents = fs.sentences.loc[smask & (fs.sentences["han_chars"] > 0).to_numpy(),
                             ["document", "sentence", "paragraph", "path", "han_chars"]]
    if sents.empty:
        raise ValueError(f"selection {spec!r} has no sentences with Han text")
    ntok = _sentence_tokens(fs).set_index(["document", "sentence"])["word_tokens"].rename("tokens")
    sel_hits = counts.sentences.merge(sents[["document", "sentence"]], on=["document", "sentence"], how="inner")
    hit_totals = sel_hits.groupby("theme")["hits"].sum().reindex(themes, fill_value=0).to_numpy()
    value = {"tokens": "hits", "han": "covered_han", "sentences": None}[share]
    num = (sel_hits.assign(v=1 if value is None else sel_hits[value])
           .pivot_table(index=["document", "sentence"], columns="theme", values="v", aggfunc="sum", fill_value=0)
           .reindex(columns=themes, fill_value=0))
    frame = sents.set_index(["document", "sentence"]).join(ntok).join(num)
    frame = frame.fillna({"tokens": 0, **{t: 0 for t in themes}})
    frame["den"] = {"tokens": frame["tokens"], "han": frame["han_chars"], "sentences": 1}[share]
    if unit == "paragraph":
        frame = frame.reset_index().groupby(["document", "paragraph"], sort=False)[themes + ["den"]].sum()
        strata = frame.index.get_level_values("document").to_numpy()
    elif unit == "sentence":
        strata = frame.index.get_level_values("document").to_numpy()
    else:
        check_choice("unit", unit, ("sentence", "paragraph"), caller="emphasis_shift")
    return strata, frame[themes].to_numpy(dtype=float), frame["den"].to_numpy(dtype=float), hit_totals


def _weights(rng: np.random.Generator, strata: np.ndarray, n_resamples: int) -> np.ndarray:
    """Bootstrap weights (R × n): multinomial counts drawn within each stratum (document)."""
    w = np.zeros((n_resamples, len(strata)))
    # the strata in order of first appearance, each with its positions in ascending order: one sort,
    # not one scan of every unit per stratum (1,000 speeches of 100 KB hold about 500,000 sentences)
    codes = pd.factorize(np.asarray(strata), use_na_sentinel=False)[0]
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes))
    for end, size in zip(ends, np.diff(ends, prepend=0)):
        idx = order[end - size:end]
        w[:, idx] = rng.multinomial(size, np.full(size, 1.0 / size), size=n_resamples)
    return w


def _bootstrap(fs, a, b, *, lexicon, share, unit, n_resamples, seed):
    check_choice("share", share, SHARES, caller="emphasis_shift")
    if n_resamples < 1:
        raise ValueError("n_resamples must be positive (use ≥ 2,000 for reported intervals)")
    lexicon = _resolve_lexicon(fs, lexicon)
    themes = _themes_in_order(lexicon)
    counts = _counted(fs, lexicon)
    rng = np.random.default_rng(seed)
    out = {}
    for name, spec in (("a", a), ("b", b)):
        strata, num, den, hit_totals = _resampling_units(fs, spec, counts, themes, share, unit)
        point = num.sum(axis=0) / den.sum()
        w = _weights(rng, strata, n_resamples)
        with np.errstate(divide="ignore", invalid="ignore"):
            boot = (w @ num) / (w @ den)[:, None]
        out[name] = (point, boot, hit_totals, len(strata))
    return themes, out


def _interval(values: np.ndarray, ci: float) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan
    lo, hi = np.quantile(values, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


@memoized
def emphasis_shift(fs: FeatureSetLike, a: Selection, b: Selection, *, lexicon: pd.DataFrame | None = None, share: str = "tokens",
                   unit: str = "sentence", n_resamples: int = 2000, seed: int = 20240, ci: float = CI_LEVEL,
                   min_units: int = MIN_UNITS) -> pd.DataFrame:
    """Shift of each theme's share from A to B, Δs_k = s_k,B − s_k,A, with a bootstrap interval.

    The interval is the percentile interval of Δ over ``n_resamples`` bootstrap
    replicates; each replicate resamples sentences (or paragraphs) with replacement
    within each speech of A and of B (a stratified bootstrap: every speech keeps its
    number of units), and recomputes the shares as ratio estimators (hits over tokens of
    the resampled units). Seeded, so a notebook gives the same interval every run.

    Args:
        fs: A FeatureSet.
        a: Selection A (see :func:`analysis.stats.keyness.select_mask`): document, section or group.
        b: Selection B.
        lexicon: The :func:`load_themes` table.
        share: ``tokens`` (share_tokens), ``han`` (share_han) or ``sentences`` (share_sentences).
        unit: Resampling unit, ``sentence`` or ``paragraph``.
        n_resamples: Bootstrap replicates (≥ 2,000 for reported intervals).
        seed: Seed of ``numpy.random.default_rng``.
        ci: Confidence level of the percentile interval.
        min_units: Fewest units per side for a shift to be called significant.

    Returns:
        One row per theme: ``theme, label_zh, share_of`` (the share used), ``hits_a,
        hits_b, share_a, share_b, diff`` (B − A, a difference of shares), ``ci_low,
        ci_high`` (its interval), ``se`` (bootstrap standard deviation of ``diff``),
        ``significant`` (:func:`analysis.results.is_significant`: the interval excludes 0
        and each side has ``min_units`` units), ``units_a, units_b, unit, n_resamples,
        flag`` (why the interval should be read with care). Declared
        (:func:`analysis.results.declare`) with ``diff`` as the estimate and the sides.

    Example:
        >>> from analysis.stats.compare import _example_features
        >>> s = emphasis_shift(_example_features(), "t", "g", n_resamples=200).set_index("theme")
        >>> s.loc["talent", ["share_a", "share_b", "diff"]].astype(float).round(3).tolist()
        [0.288, 0.0, -0.288]
        >>> bool(s.loc["talent", "significant"])
        True
    """
    lexicon = _resolve_lexicon(fs, lexicon)
    labels = dict(zip(lexicon["theme"], lexicon["label_zh"]))
    themes, out = _bootstrap(fs, a, b, lexicon=lexicon, share=share, unit=unit, n_resamples=n_resamples, seed=seed)
    (pa, ba, ha, na), (pb, bb, hb, nb) = out["a"], out["b"]
    delta_boot = bb - ba
    rows = []
    note = units_note(na, nb, unit=unit, min_units=min_units)
    for k, theme in enumerate(themes):
        lo, hi = _interval(delta_boot[:, k], ci)
        rows.append((theme, labels[theme], share, int(ha[k]), int(hb[k]), pa[k], pb[k], pb[k] - pa[k], lo, hi,
                     float(np.nanstd(delta_boot[:, k], ddof=1)) if n_resamples > 1 else np.nan,
                     na, nb, unit, n_resamples, note))
    table = pd.DataFrame(rows, columns=["theme", "label_zh", "share_of", "hits_a", "hits_b", "share_a", "share_b", "diff",
                                        "ci_low", "ci_high", "se", "units_a", "units_b", "unit", "n_resamples", "flag"])
    significant = is_significant(ci_low=table["ci_low"], ci_high=table["ci_high"], units_a=table["units_a"],
                                 units_b=table["units_b"], min_units=min_units)
    table.insert(table.columns.get_loc("se") + 1, "significant", significant)
    return declare(table, result="theme_shift", estimate="diff", sides={"a": _side_label(a), "b": _side_label(b)},
                   note=f"{ci:.0%} percentile bootstrap interval of diff ({n_resamples:,} resamples of {unit}s "
                        f"within each side, seed {seed}).")


def _side_label(spec: Selection) -> str:
    from analysis.stats.keyness import _side_name

    return _side_name(spec)


def index_shift(fs: FeatureSetLike, a: Selection, b: Selection, *, lexicon: pd.DataFrame | None = None, share: str = "tokens",
                unit: str = "sentence", n_resamples: int = 2000, seed: int = 20240, ci: float = 0.95,
                numerator: str = "talent", denominator: str = "grassroots") -> pd.DataFrame:
    """The talent-versus-grassroots index of A and of B, their difference, and bootstrap intervals.

    Same bootstrap (and, with the same seed, the same replicates) as :func:`emphasis_shift`.
    Replicates where a share is 0 give no index; ``valid_a``/``valid_b`` count the
    replicates that did, and an interval from fewer than 95 % valid replicates is
    flagged.

    Returns:
        One row per side and one for the difference: ``side`` (``A``, ``B``, ``B − A``),
        ``share_of, index, ci_low, ci_high, valid, n_resamples, flag``.
    """
    lexicon = _resolve_lexicon(fs, lexicon)
    themes, out = _bootstrap(fs, a, b, lexicon=lexicon, share=share, unit=unit, n_resamples=n_resamples, seed=seed)
    i, j = themes.index(numerator), themes.index(denominator)

    def idx(shares: np.ndarray) -> np.ndarray:
        x, y = shares[..., i], shares[..., j]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x > 0) & (y > 0), np.log(x / y), np.nan)

    point_a, point_b = float(idx(out["a"][0])), float(idx(out["b"][0]))
    boot_a, boot_b = idx(out["a"][1]), idx(out["b"][1])
    rows = []
    for side, point, boot in (("A", point_a, boot_a), ("B", point_b, boot_b), ("B − A", point_b - point_a, boot_b - boot_a)):
        valid = int(np.isfinite(boot).sum())
        lo, hi = _interval(boot, ci)
        flag = ""
        if not np.isfinite(point):
            flag = "a share is 0: index undefined"
        elif valid < 0.95 * n_resamples:
            flag = f"only {valid} of {n_resamples} replicates have both themes"
        rows.append((side, share, point, lo, hi, valid, n_resamples, flag))
    table = pd.DataFrame(rows, columns=["side", "share_of", "index", "ci_low", "ci_high", "valid", "n_resamples", "flag"])
    return declare(table, result="index_shift", estimate="index", sides={"a": _side_label(a), "b": _side_label(b)},
                   note=f"index = ln(share of {numerator} / share of {denominator}), a log ratio; the B − A row is "
                        f"a difference of log ratios, not of shares.")


def word_shift(fs: FeatureSetLike, a: Selection, b: Selection, *, lexicon: pd.DataFrame | None = None, terms: str = "themes",
               drop_stopwords: bool = True) -> pd.DataFrame:
    """Per-term contributions to a shift from A to B: δp_w = p_w,B − p_w,A (Gallagher et al. 2021).

    ``p_w`` is the term's count over the word tokens of the side (stopwords included in
    the denominator), so the proportion shifts of a theme's terms add up exactly to the
    theme's Δ share_tokens in :func:`emphasis_shift` (Gallagher et al. 2021, EPJ Data
    Science 10:4, "proportion shift"). With ``terms="all"`` every word is listed and the
    δp_w sum to 0 (when stopwords are kept).

    Args:
        fs: A FeatureSet.
        a: Selection A.
        b: Selection B.
        lexicon: The :func:`load_themes` table.
        terms: ``themes`` (theme terms, counted as theme hits) or ``all`` (every word).
        drop_stopwords: With ``terms="all"``, leave stopwords out of the list.

    Returns:
        Columns ``term, theme`` (home theme; empty for non-theme words), ``themes``
        (all themes it counts in, joined by ``|``), ``f_a, f_b, p_a, p_b, delta_p``,
        sorted by |δp| descending, ties by term.
    """
    from analysis.stats.keyness import selection_totals

    n_a, n_b = selection_totals(fs, a)["tokens"], selection_totals(fs, b)["tokens"]
    if n_a == 0 or n_b == 0:
        raise ValueError(f"word_shift: selection {a if n_a == 0 else b!r} has no word tokens")
    lexicon = _resolve_lexicon(fs, lexicon)
    home = dict(zip(lexicon["term"], lexicon["home"]))
    all_themes = lexicon.groupby("term", sort=False)["theme"].apply(lambda s: "|".join(s)).to_dict()
    if terms == "themes":
        terms_hit = _counted(fs, lexicon).terms
        terms_hit = terms_hit[terms_hit["theme"] == terms_hit["home"]]
        counts = []
        for spec in (a, b):
            sel = terms_hit.loc[select_mask(fs, spec, table=terms_hit)]
            counts.append(sel.groupby("term", sort=False)["hits"].sum())
    elif terms == "all":
        counts = [count_terms(fs, spec, drop_stopwords=drop_stopwords).set_index("term")["count"] for spec in (a, b)]
    else:
        check_choice("terms", terms, ("themes", "all"), caller="word_shift")
    table = pd.concat([counts[0].rename("f_a"), counts[1].rename("f_b")], axis=1).fillna(0).astype(np.int64)
    table.index = table.index.astype(str)
    table = table.rename_axis("term").reset_index()
    table["theme"] = table["term"].map(home).fillna("")
    table["themes"] = table["term"].map(all_themes).fillna("")
    table["p_a"] = table["f_a"] / n_a
    table["p_b"] = table["f_b"] / n_b
    table["delta_p"] = table["p_b"] - table["p_a"]
    table["_abs"] = table["delta_p"].abs()
    table = table.sort_values(["_abs", "term"], ascending=[False, True], kind="stable").drop(columns="_abs")
    return table[["term", "theme", "themes", "f_a", "f_b", "p_a", "p_b", "delta_p"]].reset_index(drop=True)
