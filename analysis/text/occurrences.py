"""Occurrences of terms in the normalized text, and the matches that start in the middle of a word.

An *occurrence* of a term is a substring match in the normalized text, counted as
``str.count`` counts (every non-overlapping match, leftmost first), inside longer words
too, never across a redaction mark 〓: a term holding 〓 is refused, so no match can
contain one. Counting on the text, not on a term-count table, finds the matches that
straddle a token boundary (全面深化改革|开放 holds 改革开放; 中国共产党|的|领导 holds
党的领导), which a term-count table cannot see.

A *mid-word match* is an occurrence whose first character completes a word with the
text before it, so that the text does not say the term there (2013's 创新发展理念 is
创新 + 发展理念, not 新发展理念). The rule, decided once for every term:

1. the project's segmentation has a token that begins before the match and ends right
   after the match's first character (创新|时代 holds 新时代; 工人|才 holds 人才); or
2. the project's segmentation starts a token at the match, the token before it is a
   single Han character c, and the general-language segmentation of c followed by the
   term (jieba's own dictionary without the project's entries, HMM off) begins with the
   two-character word c + the term's first character (创|新发展理念, where the entry
   新发展理念 forced the cut, reads 创新|发展|理念 in general language).

A term inside one longer token (人才 in 人才强国战略) is not a mid-word match, nor is one
whose first *word* ends a longer token (全面深化改革|开放: 改革 is a word of its own), nor
one after a character that stands alone (同|乡村振兴 reads 同|乡村|振兴). Mid-word matches
are counted within the occurrences and reported beside them (``mid_word_matches``), never
silently dropped.

The counting engine finds every term of a vocabulary at once: polynomial hashes of every
window of the text (numpy, one pass per term length), each candidate verified character
by character, so the counts are exact; per term, overlapping matches (哈哈 in 哈哈哈) are
reduced to the non-overlapping ones ``str.count`` sees.

>>> import pandas as pd
>>> from analysis.text.segment import tokenize
>>> text = "全面深化改革开放，坚持改革开放。"
>>> tokens = tokenize(text).assign(document="d", path="一")
>>> count_occurrences(tokens, ["改革开放"]).values.tolist()
[['d', '一', '改革开放', 2, 0]]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.chars import REDACTION, code_points, is_han, offset_array

__all__ = ["OCCURRENCE_COLUMNS", "TRACKED_TERMS", "check_terms", "profile_terms", "count_occurrences", "text_order",
           "stored_occurrences", "is_mid_word"]

#: Columns of :func:`count_occurrences` (and of a profile's ``term_occurrences`` table):
#: occurrences of a term in an outline node, and how many of them are mid-word matches.
OCCURRENCE_COLUMNS = ["document", "path", "term", "occurrences", "mid_word_matches"]

#: The terms tracked by default in the trend notebook (06_trends: TERMS, XI_FORMULAS,
#: EARLY_FORMULAS, ITEMS). A profile stores their occurrences with the dictionary's
#: formulas (:func:`profile_terms`).
TRACKED_TERMS = (
    "人才", "基层",
    "新时代", "全面从严治党", "四个意识", "四个自信", "两个维护", "两个确立", "不忘初心", "乡村振兴", "高质量发展",
    "新发展理念",
    "阶级斗争", "无产阶级专政", "四个现代化", "以经济建设为中心", "改革开放", "精神文明", "市场经济", "三个代表",
    "科学发展观", "小康社会", "和谐社会",
)

_BASES = (0x100000001B3, 0x9E3779B97F4A7C15 | 1, 0xC2B2AE3D27D4EB4F)  # odd, hence invertible mod 2**64


def check_terms(terms: Iterable[str]) -> list[str]:
    """The distinct terms, in order, after refusing those occurrences cannot be counted for.

    Raises:
        ValueError: for a term shorter than two characters, or holding the redaction mark
            〓 or whitespace (occurrences never cross a redaction or a line).

    >>> check_terms(["人才", "基层", "人才"])
    ['人才', '基层']
    """
    out = list(dict.fromkeys(str(t) for t in terms))
    for term in out:
        if len(term) < 2:
            raise ValueError(f"term {term!r}: occurrences are counted for terms of at least two characters")
        if REDACTION in term:
            raise ValueError(f"term {term!r} holds the redaction mark 〓; occurrences never cross a redaction")
        if any(c.isspace() for c in term):
            raise ValueError(f"term {term!r} holds whitespace; give the term as it is written, without spaces")
    return out


def profile_terms(settings=None) -> list[str]:
    """The terms whose occurrences a reference profile stores, counted on the text when it is built.

    The dictionary's entries of category ``formula`` (``corpus/lexicon/dictionary.yaml``,
    punctuated phrases included) and :data:`TRACKED_TERMS`, sorted. On a profile, the
    occurrences of any other term come from its term-count table and are lower bounds.

    >>> terms = profile_terms()
    >>> "新发展理念" in terms and "两个确立" in terms and "人才" in terms
    True
    """
    from analysis.text.segment import load_dictionary

    dictionary = load_dictionary(settings)
    formulas = dictionary.loc[dictionary["category"] == "formula", "term"].astype(str)
    return sorted({t for t in (*formulas, *TRACKED_TERMS) if len(t) >= 2 and REDACTION not in t
                   and not any(c.isspace() for c in t)})


# --------------------------------------------------------------------------- the text of a tokens table


def text_order(document: np.ndarray, start: np.ndarray) -> np.ndarray | None:
    """The row order by document code, then start (``np.lexsort``, stable; NaN starts last), or None when the
    rows are in that order already (the usual case: tokens come in text order), so no copy is made.

    >>> text_order(np.array([0, 0, 1]), np.array([0, 2, 0])) is None, text_order(np.array([0, 0]), np.array([2, 0]))
    (True, array([1, 0]))
    """
    if len(start) < 2:
        return None
    same = document[1:] == document[:-1]
    if bool(np.all((document[1:] > document[:-1]) | (same & (start[1:] >= start[:-1])))):
        return None
    return np.lexsort((start, document))


def _layout(tokens: pd.DataFrame, texts: Mapping[str, str] | None):
    """Every document's code points in one array (documents separated by a 0), and the tokens' global offsets.

    Without ``texts`` the text is rebuilt from the tokens at their offsets; the gaps
    (whitespace, which tokens leave out) become 0, a code no term holds. Works on integer
    codes throughout (no per-token Python objects): a 64 MiB document's tokens cost arrays,
    not strings.

    Returns:
        ``(docs, base, codes, tok_start, tok_end, path_codes, path_names)``: document ids in
        order of first appearance, each document's first global offset (and the total
        length last), the code points, the tokens' global start and end (text order),
        each token's path as an index into ``path_names`` (-1: no path).
    """
    doc_index, doc_names = pd.factorize(tokens["document"], sort=False)  # codes in order of first appearance
    docs = [str(d) for d in doc_names]
    start, end = (offset_array(tokens[column]) for column in ("start", "end"))
    order = text_order(doc_index, start)
    if order is not None:
        doc_index, start, end = doc_index[order], start[order], end[order]
    lengths = np.zeros(len(docs), dtype=np.int64)
    if len(end):
        np.maximum.at(lengths, doc_index, end)
    if texts is not None:
        lengths = np.maximum(lengths, [len(texts[d]) for d in docs])
    base = np.concatenate([[0], np.cumsum(lengths + 1)])
    tok_start = base[doc_index] + start  # int64 (base is), whatever the offsets' dtype
    tok_end = tok_start + (end - start)
    del doc_index, start, end
    codes = np.zeros(int(base[-1]), dtype=np.uint32)
    if texts is not None:
        for i, d in enumerate(docs):
            codes[base[i]:base[i] + len(texts[d])] = code_points(texts[d])
    elif len(tok_start):
        word_codes, words = pd.factorize(tokens["token"], sort=False)
        if order is not None:
            word_codes = word_codes[order]
        vocabulary = [code_points(str(w)).astype(np.uint32) for w in words]
        word_lengths = np.array([len(v) for v in vocabulary], dtype=np.int64)
        flat = np.concatenate(vocabulary) if vocabulary else np.zeros(0, dtype=np.uint32)
        offsets = np.concatenate([[0], np.cumsum(word_lengths)[:-1]]) if len(vocabulary) else np.zeros(0, np.int64)
        sizes = tok_end - tok_start
        if not np.array_equal(word_lengths[word_codes], sizes):
            raise ValueError("the tokens table's offsets do not match its tokens (end − start ≠ token length)")
        for size in np.unique(sizes):  # one vectorized copy per token length
            if size <= 0:
                continue
            which = np.flatnonzero(sizes == size)
            for part in np.array_split(which, max(1, len(which) * int(size) // (1 << 22))):
                step = np.arange(int(size))
                codes[tok_start[part][:, None] + step] = flat[offsets[word_codes[part]][:, None] + step]
    if "path" in tokens.columns:
        path_codes, path_names = pd.factorize(tokens["path"], sort=False)
        if order is not None:
            path_codes = path_codes[order]
        path_names = np.asarray(path_names.astype(object), dtype=object)
    else:
        path_codes, path_names = np.full(len(tok_start), -1, dtype=np.int64), np.zeros(0, dtype=object)
    return docs, base, codes, tok_start, tok_end, path_codes, path_names


# --------------------------------------------------------------------------- matching


def _powers(base: int, n: int) -> np.ndarray:
    out = np.full(max(n, 1), base, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out, dtype=np.uint64)[:n]  # wraps modulo 2**64


def _term_hash(term_codes: np.ndarray, inverse_powers: np.ndarray) -> int:
    return int((term_codes.astype(np.uint64) * inverse_powers[: len(term_codes)]).sum(dtype=np.uint64))


def _has_border(term: str) -> bool:
    """True when a proper prefix of ``term`` is also its suffix (its matches may overlap)."""
    return any(term[:k] == term[-k:] for k in range(1, len(term)))


#: Code points hashed in one pass of :func:`_find` (bounds its memory: about 40 bytes a code point).
_CHUNK = 1 << 22


def _find(codes: np.ndarray, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Global start positions and term indices of every non-overlapping match, sorted by position.

    The text is hashed in passes of :data:`_CHUNK` code points (each reaching the longest
    term's length into the next, so no match is cut), then the matches are reduced per term
    to the non-overlapping ones, leftmost first.
    """
    n = len(codes)
    term_codes = [code_points(t).astype(np.uint32) for t in terms]
    lengths = np.array([len(c) for c in term_codes], dtype=np.int64)
    if not len(terms) or n == 0 or lengths.min() > n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    longest = int(lengths.max())
    for base in _BASES:
        inverse = pow(base, -1, 1 << 64)
        inverse_powers = _powers(inverse, longest + 1)
        hashes = np.array([_term_hash(c, inverse_powers) for c in term_codes], dtype=np.uint64)
        if len(set(zip(lengths.tolist(), hashes.tolist()))) == len(terms):
            break  # no two terms of one length share a hash
    else:  # pragma: no cover - three independent 64-bit hashes colliding
        raise RuntimeError("hash collision between terms; please report the terms")
    size = min(n, _CHUNK + longest) + 1
    powers, inverse_powers = _powers(base, size), _powers(inverse, size)
    bits = np.uint64(min(24, max(12, 2 * int(np.log2(len(terms) + 1)) + 4)))  # a filter table of 2**bits flags
    by_length = []
    for length in np.unique(lengths):
        ids = np.flatnonzero(lengths == length)
        order = np.argsort(hashes[ids], kind="stable")
        table = np.zeros(1 << int(bits), dtype=bool)
        table[(hashes[ids][order] >> (np.uint64(64) - bits)) & np.uint64((1 << int(bits)) - 1)] = True
        by_length.append((int(length), hashes[ids][order], ids[order], ids, np.stack([term_codes[i] for i in ids]),
                          table))
    found_pos, found_term = [], []
    for first in range(0, n, _CHUNK):
        piece = codes[first:min(n, first + _CHUNK + longest - 1)]
        core = min(_CHUNK, n - first)  # matches starting here belong to this pass
        pos, term = _find_in(piece, core, by_length, powers, inverse_powers, bits)
        found_pos.append(pos + first)
        found_term.append(term)
    pos, term = np.concatenate(found_pos), np.concatenate(found_term)
    order = np.lexsort((term, pos))
    pos, term = pos[order], term[order]
    overlapping = [i for i, t in enumerate(terms) if _has_border(t)]
    if overlapping:  # keep the leftmost non-overlapping matches, as str.count does
        keep = np.ones(len(pos), dtype=bool)
        for i in overlapping:
            last = -1
            for j in np.flatnonzero(term == i):
                if pos[j] < last:
                    keep[j] = False
                else:
                    last = pos[j] + lengths[i]
        pos, term = pos[keep], term[keep]
    return pos.astype(np.int64), term.astype(np.int64)


def _find_in(codes: np.ndarray, core: int, by_length: list, powers: np.ndarray, inverse_powers: np.ndarray,
             bits: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """Matches starting in ``codes[:core]`` (every term, overlapping ones too), unsorted."""
    n = len(codes)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(codes.astype(np.uint64) * inverse_powers[:n], dtype=np.uint64, out=prefix[1:])
    mask = np.uint64((1 << int(bits)) - 1)
    found_pos, found_term = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for length, sorted_hashes, sorted_ids, ids, matrix, table in by_length:
        m = min(core, n - length + 1)
        if m <= 0:
            continue
        window = (prefix[length:length + m] - prefix[:m]) * powers[:m]  # Σ c[i+k]·B^-k
        maybe = np.flatnonzero(table[(window >> (np.uint64(64) - bits)) & mask])
        candidates = window[maybe]
        del window
        slot = np.minimum(np.searchsorted(sorted_hashes, candidates), len(sorted_hashes) - 1)
        hit = sorted_hashes[slot] == candidates
        pos = maybe[hit]
        if not len(pos):
            continue
        which = sorted_ids[slot[hit]]
        row = np.searchsorted(ids, which)
        exact = (codes[pos[:, None] + np.arange(length)] == matrix[row]).all(axis=1)
        found_pos.append(pos[exact].astype(np.int64))
        found_term.append(which[exact].astype(np.int64))
    return np.concatenate(found_pos), np.concatenate(found_term)


# --------------------------------------------------------------------------- mid-word matches


@lru_cache(maxsize=1)
def _general_segmenter():
    """jieba with its own dictionary only (no project entries): the general-language judge of rule 2."""
    from analysis.text.segment import _jieba_python

    return _jieba_python()


@lru_cache(maxsize=65536)
def _general_word_before(char: str, term: str) -> bool:
    """Rule 2: general-language segmentation of ``char + term`` begins with the word ``char + term[0]``."""
    word = char + term[0]
    segmenter = _general_segmenter()
    if not segmenter.FREQ.get(word):
        return False
    first = next(iter(segmenter.cut(char + term, HMM=False)), "")
    return first == word


def is_mid_word(before: str, term: str) -> bool:
    """Rule 2 of the module's rule alone: does the single character ``before`` make a word with ``term``'s first?

    >>> is_mid_word("创", "新发展理念"), is_mid_word("同", "乡村振兴")
    (True, False)
    """
    return len(before) == 1 and is_han(before) and _general_word_before(before, term)


def _mid_word(pos: np.ndarray, term: np.ndarray, terms: list[str], codes: np.ndarray, tok_start: np.ndarray,
              tok_end: np.ndarray) -> np.ndarray:
    """The mid-word flag of each match (see the module's rule)."""
    out = np.zeros(len(pos), dtype=bool)
    if not len(pos) or not len(tok_start):
        return out
    index = np.searchsorted(tok_start, pos, side="right") - 1
    valid = index >= 0
    safe = np.clip(index, 0, None)
    out |= valid & (tok_start[safe] < pos) & (tok_end[safe] == pos + 1)  # rule 1
    before = safe - 1
    orphan = valid & (tok_start[safe] == pos) & (before >= 0)
    before = np.clip(before, 0, None)
    orphan &= (tok_end[before] == pos) & (tok_end[before] - tok_start[before] == 1)
    candidates = np.flatnonzero(orphan)
    if len(candidates):  # rule 2, judged once per (character before, term)
        from analysis.chars import char_flags

        previous = codes[pos[candidates] - 1]
        han = (char_flags(previous.astype(np.uint32)) & 1) != 0
        candidates, previous = candidates[han], previous[han]
        pairs, inverse = np.unique(np.stack([previous.astype(np.int64), term[candidates]]), axis=1,
                                   return_inverse=True)
        judged = np.array([_general_word_before(chr(int(c)), terms[int(t)]) for c, t in pairs.T], dtype=bool)
        out[candidates] = judged[inverse.reshape(-1)]
    return out


# --------------------------------------------------------------------------- the table


def count_occurrences(tokens: pd.DataFrame, terms: Sequence[str], *,
                      texts: Mapping[str, str] | None = None, per_node: bool = True) -> pd.DataFrame:
    """Occurrences of ``terms`` in the text of each outline node, with the mid-word matches among them.

    Args:
        tokens: A tokens table of one or more documents (:attr:`analysis.features.FeatureSet.tokens`):
            ``document``, ``start``, ``end``, ``token`` and ``path``. The tokens leave out
            only whitespace, so the text is rebuilt from them exactly (whitespace never
            lies inside a term).
        terms: Terms of at least two characters (:func:`check_terms`).
        texts: Document id → normalized text, to count on the text itself (what a
            profile build does); by default the text rebuilt from the tokens.
        per_node: False: one row per document and term (``path`` None), which is all a
            count per document needs (a long document has thousands of nodes).

    Returns:
        One row per document, outline node and term with at least one occurrence, in
        text order of the first occurrence: :data:`OCCURRENCE_COLUMNS` (``document``,
        ``path`` (the node of the match's first character), ``term``, ``occurrences``,
        ``mid_word_matches``: how many of those occurrences start mid-word).

    Raises:
        ValueError: for a term that cannot be counted (:func:`check_terms`), or a tokens
            table without ``start``/``end``.

    Example:
        >>> from analysis.text.segment import tokenize
        >>> text = "坚持创新发展理念，贯彻新发展理念。〓〓新发展理念"
        >>> t = tokenize(text).assign(document="d", path="一")
        >>> count_occurrences(t, ["新发展理念"]).values.tolist(), text.count("新发展理念")
        ([['d', '一', '新发展理念', 3, 1]], 3)
    """
    terms = check_terms(terms)
    missing = {"document", "start", "end", "token"} - set(tokens.columns)
    if missing:
        raise ValueError(f"counting occurrences on the text needs the tokens' offsets; the tokens table lacks "
                         f"{sorted(missing)} (build the features with analysis.features.build_features)")
    if texts is None:
        tokens = tokens[tokens["start"].notna()]
    docs, base, codes, tok_start, tok_end, path_codes, path_names = _layout(tokens, texts)
    pos, term = _find(codes, terms)
    if not len(pos):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("occurrences", "mid_word_matches") else object)
                             for c in OCCURRENCE_COLUMNS})
    mid = _mid_word(pos, term, terms, codes, tok_start, tok_end)
    del codes
    token = np.clip(np.searchsorted(tok_start, pos, side="right") - 1, 0, None)
    document = np.searchsorted(base, pos, side="right") - 1
    if per_node and len(path_codes):
        path = path_codes[token].astype(np.int64) + 1
    else:
        path, path_names = np.zeros(len(pos), dtype=np.int64), np.zeros(0, dtype=object)
    del token
    # one integer key per (document, node, term); groups in text order of their first match
    n_paths, n_terms = len(path_names) + 1, len(terms)
    if len(docs) * n_paths * n_terms < 2 ** 62:
        key = (document * n_paths + path) * n_terms + term
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:  # pragma: no cover - beyond 2**62 combinations
        _, first, inverse = np.unique(np.stack([document, path, term]), axis=1, return_index=True,
                                      return_inverse=True)
    inverse = inverse.reshape(-1)
    occurrences = np.bincount(inverse, minlength=len(first))
    mid_words = np.bincount(inverse, weights=mid, minlength=len(first)).round().astype(np.int64)
    order = np.argsort(first, kind="stable")
    at = first[order]
    names = np.concatenate([np.array([None], dtype=object), path_names])
    table = pd.DataFrame({
        "document": np.asarray(docs, dtype=object)[document[at]],
        "path": names[path[at]],
        "term": np.asarray(terms, dtype=object)[term[at]],
        "occurrences": occurrences[order].astype(np.int64),
        "mid_word_matches": mid_words[order],
    })
    for column in ("document", "path", "term"):  # Python objects, as the profiles store them
        table[column] = table[column].astype(object)
    return table[OCCURRENCE_COLUMNS]


def stored_occurrences(tokens: pd.DataFrame, terms: Sequence[str], *, texts: Mapping[str, str] | None = None
                       ) -> pd.DataFrame:
    """The occurrence table a document keeps when its text is dropped (counts-only features, profiles).

    :func:`count_occurrences`, plus one row with ``path`` None and 0 occurrences for each
    term a document lacks, so the table lists every term counted for every document: a
    term listed for a document has exact occurrences there; any other term's occurrences,
    derived from term counts, are lower bounds.

    Args:
        tokens: The tokens of one or more documents (as for :func:`count_occurrences`).
        terms: The terms to count (e.g. :func:`profile_terms`).
        texts: Document id → normalized text (default: rebuilt from the tokens).

    Returns:
        :data:`OCCURRENCE_COLUMNS`, by document (in order of first appearance), then term
        (sorted), then node in text order.

    Example:
        >>> from analysis.text.segment import tokenize
        >>> t = tokenize("全面深化改革开放").assign(document="d", path="一")
        >>> stored_occurrences(t, ["新时代", "改革开放"]).values.tolist()
        [['d', '一', '改革开放', 1, 0], ['d', None, '新时代', 0, 0]]
    """
    terms = sorted(check_terms(terms))
    found = count_occurrences(tokens, terms, texts=texts)
    docs = [str(d) for d in pd.unique(tokens["document"])] if len(tokens) else list(texts or ())
    seen = set(zip(found["document"].astype(str), found["term"]))
    absent = pd.DataFrame([(d, None, t, 0, 0) for d in docs for t in terms if (d, t) not in seen],
                          columns=OCCURRENCE_COLUMNS)
    table = pd.concat([f for f in (found, absent) if len(f)], ignore_index=True) if len(found) or len(absent) else found
    if not len(table):
        return table
    rank_doc = {d: i for i, d in enumerate(docs)}
    rank_term = {t: i for i, t in enumerate(terms)}
    table = table.assign(_doc=table["document"].astype(str).map(rank_doc), _term=table["term"].map(rank_term),
                         _order=np.arange(len(table)))
    table = table.sort_values(["_doc", "_term", "_order"], kind="stable").drop(columns=["_doc", "_term", "_order"])
    table["path"] = table["path"].astype(object).where(table["path"].notna(), None)
    return table.astype({"occurrences": "int64", "mid_word_matches": "int64"}).reset_index(drop=True)
