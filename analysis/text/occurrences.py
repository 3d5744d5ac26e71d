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
    from pathlib import Path

    from analysis.settings import Settings
    from analysis.text.segment import _read_text

    path = Path((settings or Settings()).dictionary)
    return list(_profile_terms(str(path), _read_text(path, "dictionary")))  # a new list: callers may change it


@lru_cache(maxsize=8)
def _profile_terms(path_name: str, content: str) -> tuple[str, ...]:
    """:func:`profile_terms` of one dictionary file's content, worked out once per process (every
    document counted asks for them)."""
    from analysis.text.segment import _dictionary_table

    dictionary = _dictionary_table(path_name, content)
    formulas = dictionary.loc[dictionary["category"] == "formula", "term"].astype(str)
    return tuple(sorted({t for t in (*formulas, *TRACKED_TERMS) if len(t) >= 2 and REDACTION not in t
                         and not any(c.isspace() for c in t)}))


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


def _layout(tokens: pd.DataFrame, texts: Mapping[str, str] | None) -> "_Text":
    """Where every document and token lies in one global text (documents separated by a 0).

    Without ``texts`` the text is rebuilt from the tokens at their offsets; the gaps
    (whitespace, which tokens leave out) become 0, a code no term holds. Works on integer
    codes throughout (no per-token Python objects), and holds no code points: a block of
    the text is made when it is searched (:meth:`_Text.codes`), so a 64 MiB document costs
    its token arrays, not its text too.

    Returns:
        A :class:`_Text`.
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
    text = _Text(docs=docs, base=base, tok_start=tok_start, tok_end=tok_end, texts=texts)
    if texts is None and len(tok_start):
        word_codes, words = _small_codes(tokens["token"])
        if order is not None:
            word_codes = word_codes[order]
        vocabulary = [code_points(str(w)).astype(np.uint32) for w in words]
        text.word_codes = word_codes
        text.word_lengths = np.array([len(v) for v in vocabulary], dtype=np.int64)
        text.flat = np.concatenate(vocabulary) if vocabulary else np.zeros(0, dtype=np.uint32)
        text.offsets = (np.concatenate([[0], np.cumsum(text.word_lengths)[:-1]]) if len(vocabulary)
                        else np.zeros(0, np.int64))
    if "path" in tokens.columns:
        path_codes, path_names = _small_codes(tokens["path"])
        if order is not None:
            path_codes = path_codes[order]
        text.path_codes, text.path_names = path_codes, path_names
    else:
        text.path_codes, text.path_names = np.full(len(tok_start), -1, dtype=np.int32), np.zeros(0, dtype=object)
    return text


def _small_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1: missing) and the values (object array) they index: a categorical's own codes in
    their own small type (no copy), another column factorized into int32 codes."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), np.asarray(column.cat.categories, dtype=object)
    codes, values = pd.factorize(column, sort=False)
    return (codes.astype(np.int32) if len(values) < 2 ** 31 else codes), np.asarray(values, dtype=object)


class _Text:
    """The global text of :func:`_layout`: documents' ids and first offsets (``base``, the total
    length last), the tokens' global ``tok_start``/``tok_end`` (text order) and ``path_codes``
    (an index into ``path_names``, -1: no path); its code points made a block at a time."""

    def __init__(self, *, docs, base, tok_start, tok_end, texts):
        self.docs, self.base, self.tok_start, self.tok_end, self.texts = docs, base, tok_start, tok_end, texts
        self.word_codes = self.word_lengths = self.flat = self.offsets = None
        self.path_codes = self.path_names = None

    @property
    def length(self) -> int:
        return int(self.base[-1])

    def codes(self, lo: int, hi: int) -> np.ndarray:
        """The code points of the global text from ``lo`` to ``hi`` (uint32; 0 between tokens and documents).

        Raises:
            ValueError: when a token's offsets do not match its length.
        """
        out = np.zeros(max(hi - lo, 0), dtype=np.uint32)
        if hi <= lo:
            return out
        if self.texts is not None:
            first = max(int(np.searchsorted(self.base, lo, side="right")) - 1, 0)
            for i in range(first, len(self.docs)):
                begin = int(self.base[i])
                if begin >= hi:
                    break
                text = self.texts[self.docs[i]]
                a, b = max(lo, begin), min(hi, begin + len(text))
                if a < b:
                    out[a - lo:b - lo] = code_points(text[a - begin:b - begin])
            return out
        if self.word_codes is None:
            return out
        i0 = int(np.searchsorted(self.tok_end, lo, side="right"))  # tokens ending after lo …
        i1 = int(np.searchsorted(self.tok_start, hi, side="left"))  # … and starting before hi
        if i1 <= i0:
            return out
        starts, ends = self.tok_start[i0:i1], self.tok_end[i0:i1]
        words = self.word_codes[i0:i1]
        sizes = ends - starts
        if not np.array_equal(self.word_lengths[words], sizes):
            raise ValueError("the tokens table's offsets do not match its tokens (end − start ≠ token length)")
        low = min(lo, int(starts[0]))  # tokens at the edges may reach outside [lo, hi)
        buffer = np.zeros(max(hi, int(ends[-1])) - low, dtype=np.uint32)
        for size in np.unique(sizes):  # one vectorized copy per token length
            if size <= 0:
                continue
            which = np.flatnonzero(sizes == size)
            step = np.arange(int(size))
            buffer[(starts[which] - low)[:, None] + step] = self.flat[self.offsets[words[which]][:, None] + step]
        return buffer[lo - low:hi - low]


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


#: Code points searched in one block of :func:`count_occurrences` (bounds its memory beyond the token arrays:
#: about 40 bytes a code point).
_CHUNK = 1 << 19


#: Vocabularies up to this many terms keep their matcher tables for the process (:func:`_kept_matcher_tables`):
#: the profile terms every document is counted for (171 with the bundled dictionary). Their flag tables take at
#: most 4 MiB a term length; a corpus's whole vocabulary (up to 16 MiB a term length) is not kept.
_KEPT_TERMS = 512


def _matcher_tables(terms: tuple[str, ...]) -> tuple:
    """What a :class:`_Matcher` of ``terms`` holds whatever the text: the terms' lengths, the longest, the
    hash base and its inverse, the flag bits, the per-length hash tables and the terms whose matches may
    overlap; never changed by a search."""
    term_codes = [code_points(t).astype(np.uint32) for t in terms]
    lengths = np.array([len(c) for c in term_codes], dtype=np.int64)
    longest = int(lengths.max()) if len(terms) else 0
    for base in _BASES:
        inverse = pow(base, -1, 1 << 64)
        inverse_powers = _powers(inverse, longest + 1)
        hashes = np.array([_term_hash(c, inverse_powers) for c in term_codes], dtype=np.uint64)
        if len(set(zip(lengths.tolist(), hashes.tolist()))) == len(terms):
            break  # no two terms of one length share a hash
    else:  # pragma: no cover - three independent 64-bit hashes colliding
        raise RuntimeError("hash collision between terms; please report the terms")
    bits = np.uint64(min(24, max(12, 2 * int(np.log2(len(terms) + 1)) + 4)))  # 2**bits flags
    by_length = []
    for length in np.unique(lengths):
        ids = np.flatnonzero(lengths == length)
        order = np.argsort(hashes[ids], kind="stable")
        table = np.zeros(1 << int(bits), dtype=bool)
        table[(hashes[ids][order] >> (np.uint64(64) - bits)) & np.uint64((1 << int(bits)) - 1)] = True
        by_length.append((int(length), hashes[ids][order], ids[order], ids,
                          np.stack([term_codes[i] for i in ids]), table))
    for item in by_length:  # shared by every matcher of these terms: read only
        for array in item[1:]:
            array.flags.writeable = False
    lengths.flags.writeable = False
    overlapping = tuple(i for i, t in enumerate(terms) if _has_border(t))
    return lengths, longest, base, inverse, bits, tuple(by_length), overlapping


#: :func:`_matcher_tables` worked out once per small vocabulary (each document counted asks for the
#: profile terms' tables).
_kept_matcher_tables = lru_cache(maxsize=4)(_matcher_tables)


class _Matcher:
    """Every term of a vocabulary found at once in blocks of a text (see the module's engine)."""

    def __init__(self, terms: list[str], block: int) -> None:
        """``terms`` (checked), searched in blocks of ``block`` code points at most."""
        key = tuple(terms)
        tables = _kept_matcher_tables(key) if len(key) <= _KEPT_TERMS else _matcher_tables(key)
        self.lengths, self.longest, base, inverse, self.bits, self.by_length, overlapping = tables
        size = block + self.longest + 1
        self.powers, self.inverse_powers = _powers(base, size), _powers(inverse, size)
        self.overlapping = list(overlapping)
        self.last_end = {i: -1 for i in self.overlapping}  # where each such term's last kept match ends

    def find(self, codes: np.ndarray, core: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
        """The matches starting in ``codes[:core]`` (``codes`` reaching the longest term into what follows),
        as global positions (``offset`` + index) and term indices, sorted by position then term.

        Blocks are given in text order: a term whose matches may overlap (哈哈 in 哈哈哈) keeps the
        leftmost non-overlapping ones, as ``str.count`` does, across blocks too.
        """
        pos, term = _find_in(codes, core, self.by_length, self.powers, self.inverse_powers, self.bits)
        order = np.lexsort((term, pos))
        pos, term = pos[order] + offset, term[order]
        if self.overlapping and len(pos):
            keep = np.ones(len(pos), dtype=bool)
            for i in self.overlapping:
                last = self.last_end[i]
                for j in np.flatnonzero(term == i):
                    if pos[j] < last:
                        keep[j] = False
                    else:
                        last = pos[j] + self.lengths[i]
                self.last_end[i] = last
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


def _mid_word(pos: np.ndarray, term: np.ndarray, terms: list[str], codes: np.ndarray, offset: int,
              tok_start: np.ndarray, tok_end: np.ndarray) -> np.ndarray:
    """The mid-word flag of each match (see the module's rule); ``codes`` is the text from ``offset`` on,
    starting at least one character before the first match."""
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

        previous = codes[pos[candidates] - 1 - offset]
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

    The text is searched a block of :data:`_CHUNK` code points at a time, each block counted
    before the next is made, so memory grows with the tokens, not with the matches.

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
            table without ``start``/``end``, or whose offsets do not match its tokens.

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
    if texts is None and tokens["start"].isna().any():  # (a filter copies every column: only when needed)
        tokens = tokens[tokens["start"].notna()]
    text = _layout(tokens, texts)
    per_node = per_node and len(text.path_names) > 0
    n_paths, n_terms = (len(text.path_names) if per_node else 0) + 1, len(terms)
    if len(text.docs) * n_paths * max(n_terms, 1) >= 2 ** 62:  # pragma: no cover - beyond any corpus
        raise ValueError("count_occurrences: too many documents, nodes and terms to count")
    blocks = []  # per block: (document, node, term) keys, their first match, occurrences, mid-word matches
    if terms and text.length:
        matcher = _Matcher(terms, min(_CHUNK, text.length))
        for first in range(0, text.length, _CHUNK):
            lo = max(first - 1, 0)  # one character before the block: the mid-word rule looks at it
            core = min(first + _CHUNK, text.length)
            codes = text.codes(lo, min(core + matcher.longest - 1, text.length))
            pos, term = matcher.find(codes[first - lo:], core - first, first)
            if not len(pos):
                continue
            mid = _mid_word(pos, term, terms, codes, lo, text.tok_start, text.tok_end)
            del codes
            document = np.searchsorted(text.base, pos, side="right") - 1
            if per_node:
                token = np.clip(np.searchsorted(text.tok_start, pos, side="right") - 1, 0, None)
                path = text.path_codes[token].astype(np.int64) + 1
            else:
                path = np.zeros(len(pos), dtype=np.int64)
            key = (document * n_paths + path) * n_terms + term
            keys, at, inverse = np.unique(key, return_index=True, return_inverse=True)
            inverse = inverse.reshape(-1)
            blocks.append((keys, pos[at], np.bincount(inverse, minlength=len(keys)),
                           np.bincount(inverse, weights=mid, minlength=len(keys)).round().astype(np.int64)))
    if not blocks:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("occurrences", "mid_word_matches") else object)
                             for c in OCCURRENCE_COLUMNS})
    keys, firsts, counts, mids = (np.concatenate([b[k] for b in blocks]) for k in range(4))
    keys, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.reshape(-1)
    occurrences = np.bincount(inverse, weights=counts, minlength=len(keys)).round().astype(np.int64)
    mid_words = np.bincount(inverse, weights=mids, minlength=len(keys)).round().astype(np.int64)
    first = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, inverse, firsts)
    term = keys % n_terms
    node = keys // n_terms
    order = np.lexsort((term, first))  # text order of the first match (two terms at one place: term order)
    names = np.concatenate([np.array([None], dtype=object), text.path_names if per_node else np.zeros(0, object)])
    # Python objects, as the profiles store them: each row refers to its value's one str (no inferred Arrow
    # column made and converted back, which on a long document's millions of rows made a str per row)
    return pd.DataFrame({
        "document": pd.Series(np.asarray(text.docs, dtype=object)[(node // n_paths)[order]], dtype=object),
        "path": pd.Series(names[(node % n_paths)[order]], dtype=object),
        "term": pd.Series(np.asarray(terms, dtype=object)[term[order]], dtype=object),
        "occurrences": occurrences[order],
        "mid_word_matches": mid_words[order],
    }, columns=OCCURRENCE_COLUMNS)


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
    docs = list(dict.fromkeys(str(d) for d in pd.unique(tokens["document"]))) if len(tokens) else list(texts or ())
    if not len(found) and not (docs and terms):
        return found
    # Integer ranks throughout (a document counted asks for this with every profile term): each found row's
    # document and term, then a row for each (document, term) not found.
    doc_rank = pd.Index(docs).get_indexer(found["document"].astype(str))
    term_rank = pd.Index(terms).get_indexer(found["term"])
    seen = np.zeros((len(docs), len(terms)), dtype=bool)
    seen[doc_rank, term_rank] = True
    absent_doc, absent_term = np.nonzero(~seen)  # by document, then term
    nothing = np.zeros(len(absent_doc), dtype=np.int64)
    table = pd.DataFrame({  # text columns of Python objects (None for no node), as count_occurrences makes them
        "document": pd.Series(np.concatenate([found["document"].to_numpy(dtype=object),
                                              np.asarray(docs, dtype=object)[absent_doc]]), dtype=object),
        "path": pd.Series(np.concatenate([found["path"].to_numpy(dtype=object),
                                          np.full(len(absent_doc), None, dtype=object)]), dtype=object),
        "term": pd.Series(np.concatenate([found["term"].to_numpy(dtype=object),
                                          np.asarray(terms, dtype=object)[absent_term]]), dtype=object),
        "occurrences": np.concatenate([found["occurrences"].to_numpy(dtype=np.int64), nothing]),
        "mid_word_matches": np.concatenate([found["mid_word_matches"].to_numpy(dtype=np.int64), nothing]),
    }, columns=OCCURRENCE_COLUMNS)
    # by document, then term, then (within one term) the found rows in their order: text order of the node
    order = np.lexsort((np.arange(len(table)), np.concatenate([term_rank, absent_term]),
                        np.concatenate([doc_rank, absent_doc])))
    table = table.take(order).reset_index(drop=True)
    table["path"] = table["path"].where(table["path"].notna(), None)
    return table
