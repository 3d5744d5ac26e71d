"""Theme lexicons and matching their terms in segmented text.

The theme lexicon is versioned data (``corpus/lexicon/themes.yaml``, read by
:func:`load_themes`). :func:`theme_hits` finds its terms in a tokens table following
the segmentation: a term counts as one token, a run of whole tokens, or part of one
longer token (a formula kept whole), never across a word boundary, leftmost-longest
across all themes. The analyses built on the hits live in :mod:`analysis.stats.themes`;
this module sits in the text stage so that :mod:`analysis.features` and
:mod:`analysis.profiles` can count theme hits too.

>>> import pandas as pd
>>> lex = lexicon_from_dict({"talent": {"label_zh": "人才", "terms": ["人才"]},
...                          "grassroots": {"label_zh": "基层", "terms": ["基层"]}})
>>> toks = pd.DataFrame({"document": "d", "path": "一", "sentence": 0, "paragraph": 0,
...                      "start": [0, 2, 4, 6], "end": [2, 4, 6, 7], "token": ["人才", "基层", "人才", "。"],
...                      "kind": ["word", "word", "word", "punct"], "is_stop": False})
>>> theme_hits(toks, lexicon=lex)[["theme", "term", "start"]].values.tolist()
[['talent', '人才', 0], ['grassroots', '基层', 2], ['talent', '人才', 4]]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.chars import count_han, offset_array
from analysis.settings import Settings
from analysis.types import FeatureSetLike

__all__ = ["ThemeLexiconError", "load_themes", "lexicon_from_dict", "lexicon_sha256", "themes_in_order",
           "resolve_lexicon", "match_document", "doc_arrays", "theme_hits", "HIT_COLUMNS"]

_GAP = "\x00"
#: Columns of :func:`theme_hits`.
HIT_COLUMNS = ["document", "theme", "term", "home", "match", "start", "end", "path", "sentence", "paragraph",
               "n_tokens", "han_chars"]


class ThemeLexiconError(ValueError):
    """A theme lexicon that cannot be used; the message names the file, theme and term."""


def _lexicon_path(settings: Settings | None = None, path: str | Path | None = None) -> Path:
    if path is not None:
        return Path(path)
    if settings is not None and getattr(settings, "themes", None) is not None:
        return Path(settings.themes)
    return Path(Settings().themes)


def load_themes(settings: Settings | None = None, *, path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the theme lexicon (YAML), one row per term per theme it counts in.

    Args:
        settings: :class:`analysis.settings.Settings`; its ``themes`` file is read.
        path: Read this YAML file instead.

    Returns:
        Columns ``theme, label_zh, term, home`` (the theme the term is listed under) and
        ``shared`` (True when the term counts in more than one theme), in file order.

    Raises:
        ThemeLexiconError: naming the file and the theme/term when a theme lacks a label,
            rationale or terms, a term is listed twice, or ``also`` names an unknown theme.

    Example:
        >>> lex = load_themes()
        >>> {"talent", "grassroots", "cadres"} <= set(lex["theme"])
        True
    """
    import yaml

    file = _lexicon_path(settings, path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ThemeLexiconError(f"{file}: theme lexicon not found; restore corpus/lexicon/themes.yaml "
                                "or point Settings(themes=...) at your own") from None
    except yaml.YAMLError as exc:
        raise ThemeLexiconError(f"{file}: not valid YAML ({exc}); fix the indicated line") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("themes"), Mapping):
        raise ThemeLexiconError(f"{file}: expected a top-level 'themes:' mapping of theme name → definition")
    return lexicon_from_dict(data["themes"], source=str(file))


def lexicon_from_dict(themes: Mapping[str, Any], *, source: str = "<dict>") -> pd.DataFrame:
    """Build and check a lexicon table from a mapping shaped like ``themes.yaml``'s ``themes:``.

    Args:
        themes: theme name → {label_zh, rationale (optional here), terms: [term or
            {term, also}]}.
        source: Name used in error messages.

    Returns:
        The :func:`load_themes` table.

    Raises:
        ThemeLexiconError: see :func:`load_themes`.

    Example:
        >>> lexicon_from_dict({"a": {"label_zh": "甲", "terms": ["甲乙", {"term": "丙", "also": ["b"]}]},
        ...                    "b": {"label_zh": "乙", "terms": ["丁"]}}).values.tolist()
        [['a', '甲', '甲乙', 'a', False], ['a', '甲', '丙', 'a', True], ['b', '乙', '丙', 'a', True], ['b', '乙', '丁', 'b', False]]
    """
    rows: list[tuple[str, str, str, str]] = []
    home: dict[str, str] = {}
    labels: dict[str, str] = {}
    also_of: dict[str, list[str]] = {}
    for name, spec in themes.items():
        if not isinstance(spec, Mapping) or not spec.get("label_zh") or not spec.get("terms"):
            raise ThemeLexiconError(f"{source}: theme {name!r} needs label_zh and a non-empty terms list")
        labels[str(name)] = str(spec["label_zh"])
        for entry in spec["terms"]:
            if isinstance(entry, Mapping):
                term, also = entry.get("term"), entry.get("also") or []
                if isinstance(also, str):
                    also = [also]
            else:
                term, also = entry, []
            if not isinstance(term, str) or not term.strip() or term != term.strip() or any(c.isspace() for c in term):
                raise ThemeLexiconError(f"{source}: theme {name!r} has a bad term {term!r}; terms are strings without spaces")
            if term in home:
                raise ThemeLexiconError(
                    f"{source}: term {term!r} is listed under both {home[term]!r} and {name!r}; list it once under "
                    f"its home theme and declare the other with {{term: {term}, also: [...]}}")
            home[term] = str(name)
            also_of[term] = [str(a) for a in also]
    for term, also in also_of.items():
        for other in also:
            if other not in labels:
                raise ThemeLexiconError(f"{source}: term {term!r} declares also {other!r}, which is not a theme; "
                                        f"themes are {list(labels)}")
            if other == home[term]:
                raise ThemeLexiconError(f"{source}: term {term!r} declares its own theme {other!r} in also")
    order = {name: i for i, name in enumerate(labels)}
    for term, theme in home.items():
        shared = bool(also_of[term])
        rows.append((theme, labels[theme], term, theme, shared))
        for other in also_of[term]:
            rows.append((other, labels[other], term, theme, True))
    table = pd.DataFrame(rows, columns=["theme", "label_zh", "term", "home", "shared"])
    table["_order"] = table["theme"].map(order)
    table["_pos"] = np.arange(len(table))
    table = table.sort_values(["_order", "_pos"], kind="stable").drop(columns=["_order", "_pos"])
    return table.reset_index(drop=True)


def themes_in_order(lexicon: pd.DataFrame) -> list[str]:
    """The lexicon's themes in file order.

    >>> themes_in_order(lexicon_from_dict({"b": {"label_zh": "乙", "terms": ["乙"]}, "a": {"label_zh": "甲", "terms": ["甲"]}}))
    ['b', 'a']
    """
    return list(dict.fromkeys(lexicon["theme"]))


def resolve_lexicon(fs: FeatureSetLike, lexicon: pd.DataFrame | None) -> pd.DataFrame:
    """``lexicon`` when given, else the lexicon of ``fs.settings`` (or of the default settings)."""
    if lexicon is not None:
        return lexicon
    return load_themes(getattr(fs, "settings", None))


def lexicon_sha256(lexicon: pd.DataFrame) -> str:
    """Content hash of a lexicon table (theme, label_zh, term, home, shared, in order).

    Two lexicons with the same hash give the same theme hits on the same tokens, whatever
    file (or dict) they came from; a profile records it to refuse another lexicon.

    >>> lex = lexicon_from_dict({"a": {"label_zh": "甲", "terms": ["甲乙"]}})
    >>> lexicon_sha256(lex) == lexicon_sha256(lex.copy()), len(lexicon_sha256(lex))
    (True, 64)
    """
    rows = lexicon[["theme", "label_zh", "term", "home", "shared"]].astype(str).values.tolist()
    blob = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- matching


def _document_text(starts: np.ndarray, ends: np.ndarray, tokens: Sequence[str], document: str) -> str:
    """Rebuild a document's text from its tokens (gaps filled with NUL).

    Joined a stretch between gaps at a time: no array of pieces the size of the token list.

    Raises:
        ValueError: when tokens overlap or a token's length differs from its span.
    """
    n = len(starts)
    lengths = ends - starts
    token_lengths = np.fromiter(map(len, tokens), dtype=lengths.dtype, count=n)
    bad = np.flatnonzero(token_lengths != lengths)
    if len(bad):
        k = int(bad[0])
        raise ValueError(f"document {document!r}: token {tokens[k]!r} at {starts[k]}–{ends[k]} does not match its span; "
                         "rebuild the features")
    previous_end = np.concatenate([np.zeros(1, dtype=ends.dtype), ends[:-1]])
    gaps = starts - previous_end
    if (gaps < 0).any():
        k = int(np.flatnonzero(gaps < 0)[0])
        raise ValueError(f"document {document!r}: tokens overlap at offset {starts[k]}; rebuild the features")
    words = tokens if isinstance(tokens, list) else list(tokens)
    parts, previous = [], 0
    for k in np.flatnonzero(gaps).tolist():  # mostly line breaks: a few per paragraph
        parts.append("".join(words[previous:k]))
        parts.append(_GAP * int(gaps[k]))
        previous = k
    parts.append("".join(words[previous:]))
    return "".join(parts)


#: Codes of the ``match`` column of :func:`match_document` and :func:`theme_hits`.
MATCH_KINDS = np.array(["token", "phrase", "inside"], dtype=object)


def _match_arrays(starts: np.ndarray, ends: np.ndarray, tokens: Sequence[str], terms: Sequence[str],
                  document: str) -> tuple[np.ndarray, ...]:
    """:func:`match_document` as arrays: accepted (start, end, term index, :data:`MATCH_KINDS` index) and rejected
    (start, end, term index), each sorted as :func:`match_document` lists them."""
    empty = np.zeros(0, dtype=np.int64)
    if len(starts) == 0 or not len(terms):
        return empty, empty, empty, empty, empty, empty, empty
    text = _document_text(starts, ends, tokens, document)
    found_at: list[int] = []
    found_term: list[int] = []
    for k, term in enumerate(terms):
        i = text.find(term)
        while i != -1:
            found_at.append(i)
            found_term.append(k)
            i = text.find(term, i + 1)
    del text
    at = np.array(found_at, dtype=np.int64)
    term = np.array(found_term, dtype=np.int64)
    del found_at, found_term
    end = at + np.array([len(t) for t in terms], dtype=np.int64)[term]
    # the token holding a candidate's first and last character (-1: a gap between tokens)
    first = np.searchsorted(starts, at, side="right") - 1
    first = np.where((first >= 0) & (at < ends[np.clip(first, 0, None)]), first, -1)
    last = np.searchsorted(starts, end - 1, side="right") - 1
    last = np.where((last >= 0) & (end - 1 < ends[np.clip(last, 0, None)]), last, -1)
    aligned = (first >= 0) & (starts[np.clip(first, 0, None)] == at) & (last >= 0) & (ends[np.clip(last, 0, None)] == end)
    inside = ~aligned & (first == last) & (first >= 0)
    kind = np.where(aligned, np.where(first == last, 0, 1), 2)
    ok = aligned | inside
    # leftmost-longest without overlap: by start, longer first, then the term's text
    text_rank = np.empty(len(terms), dtype=np.int64)
    text_rank[np.argsort(np.array(terms, dtype=object), kind="stable")] = np.arange(len(terms))
    cand = np.flatnonzero(ok)
    cand = cand[np.lexsort((text_rank[term[cand]], -(end[cand] - at[cand]), at[cand]))]
    keep = np.zeros(len(cand), dtype=bool)
    last_end = -1
    for k, (i, j) in enumerate(zip(at[cand].tolist(), end[cand].tolist())):
        if i >= last_end:
            keep[k] = True
            last_end = j
    chosen = cand[keep]
    # A rejected candidate only matters where no accepted hit covers it.
    rejected = np.flatnonzero(~ok)
    if len(rejected):  # covered characters before each offset (the accepted hits do not overlap)
        delta = np.zeros(int(end.max()) + 1, dtype=np.int32)
        np.add.at(delta, at[chosen], 1)
        np.add.at(delta, end[chosen], -1)
        covered_before = np.concatenate([[0], np.cumsum(np.cumsum(delta, dtype=np.int32) > 0, dtype=np.int64)])
        whole = covered_before[end[rejected]] - covered_before[at[rejected]] == end[rejected] - at[rejected]
        rejected = rejected[~whole]
        rejected = rejected[np.lexsort((text_rank[term[rejected]], end[rejected], at[rejected]))]
    return at[chosen], end[chosen], term[chosen], kind[chosen], at[rejected], end[rejected], term[rejected]


def match_document(starts: np.ndarray, ends: np.ndarray, tokens: Sequence[str], terms: Sequence[str],
                   document: str) -> tuple[list[tuple[int, int, str, str]], list[tuple[int, int, str]]]:
    """Match ``terms`` in one document, consistently with its segmentation.

    A candidate occurrence [i, j) is accepted when it is token-aligned (starts at a token
    start and ends at a token end: one token → ``"token"``, several → ``"phrase"``) or
    lies inside one token (``"inside"``: the segmenter kept a longer word or formula,
    e.g. 人才 in 人才工作领导小组). A candidate that starts or ends in the middle of a
    token and spans a token boundary is rejected: segmentation says its characters
    belong to different words (个人/才能 holds no 人才). Accepted candidates are
    resolved leftmost-longest without overlap.

    Returns:
        (accepted [(start, end, term, match)] in text order, rejected [(start, end, term)]
        sorted).
    """
    a_at, a_end, a_term, a_kind, r_at, r_end, r_term = _match_arrays(starts, ends, tokens, terms, document)
    accepted = [(i, j, terms[t], str(MATCH_KINDS[k])) for i, j, t, k in
                zip(a_at.tolist(), a_end.tolist(), a_term.tolist(), a_kind.tolist())]
    rejected = [(i, j, terms[t]) for i, j, t in zip(r_at.tolist(), r_end.tolist(), r_term.tolist())]
    return accepted, rejected


def doc_arrays(doc: pd.DataFrame) -> tuple:
    """One document's token starts, ends (in the table's integer dtype: no int64 copy of int32 offsets),
    token strings (a list) and rows, in text order."""
    if not doc["start"].is_monotonic_increasing:
        doc = doc.sort_values("start", kind="stable")
    return offset_array(doc["start"]), offset_array(doc["end"]), doc["token"].astype(object).tolist(), doc


def document_slices(table: pd.DataFrame):
    """``(document, rows)`` per document of a table, in order of first appearance (as
    ``groupby("document", sort=False)`` gives them), but as slices of ``table`` when each
    document's rows are consecutive (the tokens table's order), so no document's rows are
    copied; otherwise the group-by's groups.

    >>> t = pd.DataFrame({"document": ["b", "b", "a"], "x": [1, 2, 3]})
    >>> [(d, rows["x"].tolist()) for d, rows in document_slices(t)]
    [('b', [1, 2]), ('a', [3])]
    """
    if not len(table):
        return
    column = table["document"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, values = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, values = pd.factorize(column)
    if (codes < 0).any():  # a missing id: the group-by drops it
        yield from table.groupby("document", sort=False, observed=True)
        return
    bounds = np.concatenate([[0], np.flatnonzero(codes[1:] != codes[:-1]) + 1, [len(codes)]])
    run_codes = codes[bounds[:-1]]
    if len(np.unique(run_codes)) < len(run_codes):  # a document's rows are not consecutive
        yield from table.groupby("document", sort=False, observed=True)
        return
    for code, start, end in zip(run_codes.tolist(), bounds[:-1].tolist(), bounds[1:].tolist()):
        yield values[code], table.iloc[start:end]


def theme_hits(fs: FeatureSetLike, *, lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """Find every occurrence of every theme term, one row per occurrence per theme it counts in.

    Matching follows the segmentation: a term counts where it is one token, a run of
    whole tokens (a phrase), or part of one longer token (a formula or compound the
    dictionary keeps whole, e.g. 人才 in 人才工作领导小组); never where its characters
    straddle a word boundary (人才 in 个人/才能; see :func:`rejected_matches`). Overlaps
    are resolved leftmost-longest across all themes, so in 基层党组织 only the longest
    listed term counts. A term declared in two themes gives two rows (``home`` tells
    which is its own).

    Args:
        fs: A FeatureSet of full texts (a profiled document is refused: it has no
            running tokens), or a ``tokens`` table (document, path, sentence, paragraph,
            start, end, token, kind, is_stop).
        lexicon: The :func:`load_themes` table; default: the FeatureSet's settings' lexicon.

    Raises:
        analysis.features.ProfileError: for a FeatureSet holding profiled documents.

    Returns:
        Columns ``document, theme, term, home, match`` (``token``, ``phrase`` or
        ``inside``), ``start, end, path, sentence, paragraph, n_tokens`` (tokens the
        hit touches), ``han_chars``, in document order.
    """
    if hasattr(fs, "require_text"):
        fs.require_text("theme_hits (hit by hit, with offsets; FeatureSet.theme_counts counts profiles too)")
    lexicon = resolve_lexicon(fs, lexicon)
    tokens = (fs if isinstance(fs, pd.DataFrame) else fs.tokens)
    terms = sorted(set(lexicon["term"]), key=lambda t: (-len(t), t))
    themes_of = lexicon.groupby("term", sort=False)["theme"].apply(list).to_dict()
    home_of = dict(zip(lexicon["term"], lexicon["home"]))
    # Hits are assembled as columns (one array per field, a row per hit and theme), never as a
    # tuple per hit: a 64 MiB document has millions of hits.
    theme_lists = [list(themes_of[term]) for term in terms]
    n_themes = np.array([len(t) for t in theme_lists], dtype=np.int64)
    theme_offsets = np.concatenate([[0], np.cumsum(n_themes)[:-1]]) if terms else np.zeros(0, dtype=np.int64)
    flat_themes = np.array([theme for t in theme_lists for theme in t], dtype=object)
    term_names = np.array(terms, dtype=object)
    homes = np.array([home_of[term] for term in terms], dtype=object)
    han = np.array([count_han(term) for term in terms], dtype=np.int64)
    frames = []
    for document, doc in document_slices(tokens):
        starts, ends, words, doc = doc_arrays(doc)
        hit_starts, hit_ends, term_ids, kind_ids, *_ = _match_arrays(starts, ends, words, terms, str(document))
        del words
        n = len(hit_starts)
        if not n:
            continue
        kinds = MATCH_KINDS[kind_ids]
        firsts = np.searchsorted(starts, hit_starts, side="right") - 1
        spans = np.searchsorted(starts, hit_ends, side="left") - firsts
        repeat = n_themes[term_ids]  # a row per theme the term counts in, in the lexicon's order
        hit = np.repeat(np.arange(n), repeat)
        within = np.arange(len(hit)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        frames.append(pd.DataFrame({
            "document": np.full(len(hit), document, dtype=object),
            "theme": flat_themes[theme_offsets[term_ids[hit]] + within],
            "term": term_names[term_ids[hit]],
            "home": homes[term_ids[hit]],
            "match": kinds[hit],
            "start": hit_starts[hit],
            "end": hit_ends[hit],
            "path": doc["path"].take(firsts[hit]).astype(object).to_numpy(),
            "sentence": doc["sentence"].to_numpy().take(firsts[hit]),
            "paragraph": doc["paragraph"].to_numpy().take(firsts[hit]),
            "n_tokens": spans[hit],
            "han_chars": han[term_ids[hit]],
        }, columns=HIT_COLUMNS))
    hits = (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame({c: pd.Series(dtype=object) for c in HIT_COLUMNS}))
    for c in ["start", "end", "sentence", "paragraph", "n_tokens", "han_chars"]:
        hits[c] = hits[c].astype(np.int64)
    return hits
