"""Segmentation: normalized text → tokens that keep the Party's formulas (提法) whole.

Out of the box jieba splits 两个/维护, 十三个/坚持, 乡村/振兴, 全面/从严治党 and cannot
hold a formula with punctuation such as 不忘初心、牢记使命. This module segments in
three layers, each a pure function of the text and the settings:

1. **Formula layer** (before segmentation). Spans that must be one token are found
   first: punctuated formulas from the dictionary's ``phrases`` list; numbered
   formulas, a Chinese numeral + 个/大/项 + a head word from the dictionary's
   ``numbered`` lists (两个确立, 三大攻坚战, 八项规定); and short slogans in quotation
   marks (“试金石”, 2–12 characters, at least two Han, no sentence punctuation, no
   的/了/吗…; a quoted span that contains a phrase or numbered formula yields to it).
2. **Character classes.** The gaps between formula spans are split into runs: Han
   (segmented in step 3), numbers (``2023``, ``5.2%``), Latin words (``GDP``, ``5G``),
   whitespace, the redaction placeholder :data:`analysis.chars.REDACTION` (〓) and
   raw redaction marks (××, XX, ***) if un-normalized text is passed, and single
   punctuation characters.
3. **Dictionary segmentation.** Han runs are cut by jieba's algorithm over jieba's own
   dictionary plus ``corpus/lexicon/dictionary.yaml``; every entry gets a frequency that
   keeps it whole, stored beside the dictionary in ``dictionary.freq.tsv`` (rebuilt by
   ``python -m analysis frequencies --write``; see :func:`load_frequency_table`), and the
   dictionary's ``split`` words (jieba phrases such as 引进人才) get frequency 0, so
   they are cut into their parts. HMM is off unless :attr:`Settings.hmm` says otherwise.
   The engine is rjieba (Rust) when installed, else jieba's Python code, reported once
   (:func:`engine_for`); both give the same tokens (tests/test_engines.py: the seed with
   and without HMM, every document of ../shared/corpora). Raw rjieba keeps hyphenated
   number ranges (2011-2020, 3-5) whole where jieba cuts them; no engine ever sees them
   here, since step 2 hands it Han runs only, so both give number | - | number.

Tokens partition the text exactly: ``"".join(tokens.token) == text``. Token kinds:

* ``word``: contains a Han character (formulas included);
* ``latin``: letters, possibly with digits (``GDP``, ``5G``);
* ``number``: digits with an optional decimal part and percent sign, or Chinese
  numerals standing alone (二, 十四, 二〇三五) unless the dictionary lists them (十四五);
* ``punct``: one punctuation or symbol character;
* ``space``: a run of whitespace (or zero-width characters);
* ``redaction``: 〓 (one token per placeholder), or a raw mark such as ×× (one per run).

Counting (:mod:`analysis.stats.counts`) treats ``word`` and ``latin`` tokens as terms.

No jieba state lives at module level: tokenizers are built on demand, once per process
and settings (a small function-level cache keyed by the settings fingerprint); each
lexicon file is parsed once per content (libyaml's ``CSafeLoader`` where available), and
jieba's "Loading model" log lines are silenced while a tokenizer is built.

>>> tokenize("坚持“两个确立”，〓同志").token.tolist()
['坚持', '“', '两个确立', '”', '，', '〓', '同志']
>>> tokenize("全面从严治党和乡村振兴").token.tolist()
['全面从严治党', '和', '乡村振兴']
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import re
import warnings
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import yaml

from analysis import paths
from analysis.settings import Settings
from analysis.types import check_choice
from analysis.chars import CN_NUMBER_CHARS, CN_NUMERALS, HAN_CLASS, HAN_RE, REDACTION, code_points

#: Token kinds, in the order they are documented.
KINDS = ("word", "latin", "number", "punct", "space", "redaction")
#: Kinds that count as terms in :mod:`analysis.stats.counts`.
TERM_KINDS = ("word", "latin")
#: Segmenters :func:`make_tokenizer` can build: ``jieba`` (jieba's segmentation by the fastest
#: engine installed), ``rjieba`` (forces the Rust engine), ``jieba-python`` (forces jieba's own code).
SEGMENTERS = ("jieba", "rjieba", "jieba-python")
#: Columns of :func:`tokenize`.
TOKEN_COLUMNS = ["start", "end", "token", "kind"]
#: Columns of :func:`load_dictionary`.
DICTIONARY_COLUMNS = ["term", "category", "note", "freq", "source"]
#: Columns of :func:`find_formulas`.
FORMULA_COLUMNS = ["start", "end", "formula", "rule"]

NUMERALS = CN_NUMERALS + "百"
#: Separators accepted between the parts of a punctuated formula.
_PHRASE_SEPARATOR = "[、，,]?"
_OPEN_QUOTES = "“‘「『"
_CLOSE_QUOTES = "”’」』"
#: Characters that disqualify a quoted span from being a slogan term.
_NOT_IN_SLOGAN = "的了吗呢吧啊么是把被"
_SLOGAN_MIN, _SLOGAN_MAX = 2, 12
#: Frequency floor for dictionary entries (jieba's dictionary totals ~6e7; common
#: words such as 工作 have ~1e5). See :func:`make_tokenizer`.
_FREQ_FLOOR = 2000
_FREQ_MARGIN = 50

_SPACE = "\\s\u200b\u200c\u200d\u2060\ufeff"
_LATIN = "A-Za-z\uff21-\uff3a\uff41-\uff5a"
_DIGIT = "0-9\uff10-\uff19"
_PLAIN_RE = re.compile(
    "(?P<redaction>" + REDACTION + "|\u00d7+|\\*{2,}|\uff0a{2,}"
    f"|(?<![{_LATIN}])(?:X{{2,}}|x{{2,}}|\uff38{{2,}})(?![{_LATIN}]))"
    f"|(?P<han>[{HAN_CLASS}\u3007]+)"
    f"|(?P<latin>[{_LATIN}{_DIGIT}]*[{_LATIN}][{_LATIN}{_DIGIT}]*)"
    f"|(?P<number>[{_DIGIT}]+(?:[.．][{_DIGIT}]+)?[%％]?)"
    f"|(?P<space>[{_SPACE}]+)"
    "|(?P<punct>.)",
    re.S,
)


#: Chinese numerals: a token made only of these (二, 十四, 三千) is a ``number``, unless
#: it is a dictionary entry (十四五).
_HAN_NUMERALS = frozenset(CN_NUMBER_CHARS)
#: jieba builds a graph over every character of the run it is given (hundreds of bytes per
#: character), so a Han run longer than this is handed over in pieces of this length. Real
#: text never has 10,000 Han characters without punctuation; a file of one repeated
#: character does, and would otherwise take gigabytes.
MAX_JIEBA_RUN = 10_000
_ZERO_NUMERAL_RE = re.compile(f"[{CN_NUMBER_CHARS}]*〇[{CN_NUMBER_CHARS}]*")


class LexiconError(ValueError):
    """A dictionary or stopword file is missing or malformed (the message names the file)."""


# ---------------------------------------------------------------------------
# Lexicon files


#: The C-accelerated YAML loader when PyYAML was built with libyaml, else the Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_text(path: Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(
            f"{what} file not found: {path}. Restore it from git (corpus/lexicon/) or point "
            f"Settings.{'dictionary' if what == 'dictionary' else 'stopwords'} at an existing YAML file."
        ) from None


@functools.lru_cache(maxsize=16)
def _parse_yaml(path: str, what: str, content: str) -> dict:
    """Parse a lexicon file's content once per process (keyed by the content itself)."""
    try:
        data = yaml.load(content, Loader=_YAML_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path}: not valid YAML ({exc}); fix the line it names.") from None
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: expected a mapping at the top level of the {what} file.")
    return data


_FULLWIDTH_ASCII = {0xFF01 + i: 0x21 + i for i in range(94)}


def _read_yaml(path: Path, what: str) -> dict:
    """Read a lexicon file, parsed once per distinct content (an edited file is parsed again).

    The mapping returned is shared between callers: read it, never change it.
    """
    return _parse_yaml(str(path), what, _read_text(path, what))


def load_dictionary(settings: Settings | None = None) -> pd.DataFrame:
    """Read the domain dictionary (entries and punctuated phrases) as a table.

    Args:
        settings: Settings whose ``dictionary`` path is read; the default when None.

    Returns:
        One row per term, in file order: ``term``, ``category``, ``note``, ``freq``
        (the file's frequency hint, or <NA>), ``source`` (``"entry"`` or ``"phrase"``).

    Raises:
        LexiconError: when the file is missing, is not YAML, or an entry lacks a term
            or category, contains whitespace or a character it cannot be kept whole with
            (anything but Han characters, Latin letters, digits, ``+ - ·``; entries that mix
            these, such as ``5G网络`` or ``1+X证书``, are kept whole by
            :meth:`Segmenter.mixed_spans`), or is listed twice (the message names the file
            and the entry).

    Example:
        >>> table = load_dictionary()
        >>> table.loc[table["term"] == "两个确立", ["category", "source"]].values.tolist()
        [['formula', 'entry']]
    """
    settings = settings or Settings()
    path = Path(settings.dictionary)
    return _dictionary_table(str(path), _read_text(path, "dictionary")).copy()


@functools.lru_cache(maxsize=8)
def _dictionary_table(path_name: str, content: str) -> pd.DataFrame:
    """The table of :func:`load_dictionary`, built once per file content (callers copy it)."""
    path = Path(path_name)
    data = _parse_yaml(path_name, "dictionary", content)
    rows = []
    for source, key, field in (("entry", "entries", "term"), ("phrase", "phrases", "phrase")):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise LexiconError(f"{path}: '{key}' must be a list of mappings.")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not item.get(field) or not item.get("category"):
                raise LexiconError(f"{path}: {key}[{i}] = {item!r} needs '{field}' and 'category'.")
            term = str(item[field])
            if re.search(f"[{_SPACE}]", term):
                raise LexiconError(f"{path}: {key}[{i}] {term!r} contains whitespace; remove it.")
            if source == "entry":
                term = term.translate(_FULLWIDTH_ASCII)  # the normalizer folds ５Ｇ to 5G in texts
                if not _ENTRY_RE.fullmatch(term):
                    bad = "".join(sorted(set(_ENTRY_RE.sub("", term))))
                    raise LexiconError(
                        f"{path}: {key}[{i}] {term!r} holds {bad!r}, which a term cannot be kept whole "
                        f"with (entries may mix Han characters with Latin letters, digits, '+', '-' "
                        f"and '·'); move it to 'phrases' if it is a punctuated formula, or remove those characters.")
            freq = item.get("freq")
            if freq is not None and (not isinstance(freq, int) or freq <= 0):
                raise LexiconError(f"{path}: {key}[{i}] {term!r}: freq must be a positive integer.")
            rows.append((term, str(item["category"]), str(item.get("note", "")), freq, source))
    table = pd.DataFrame(rows, columns=DICTIONARY_COLUMNS)
    table["freq"] = pd.array(table["freq"].tolist(), dtype="Int64")
    dupes = sorted(set(table["term"][table["term"].duplicated()]))
    if dupes:
        raise LexiconError(f"{path}: terms listed more than once: {dupes}; keep one entry per term.")
    return table


def load_split_words(settings: Settings | None = None) -> tuple[str, ...]:
    """Return the words of jieba's dictionary that the domain dictionary says to cut.

    Args:
        settings: Settings whose ``dictionary`` path is read; the default when None.

    Returns:
        The ``split`` entries of the dictionary file, in file order.

    Raises:
        LexiconError: when the list is malformed or repeats a dictionary entry.

    Example:
        >>> "引进人才" in load_split_words()
        True
    """
    settings = settings or Settings()
    path = Path(settings.dictionary)
    items = _read_yaml(path, "dictionary").get("split") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("term") for i in items):
        raise LexiconError(f"{path}: 'split' must be a list of mappings with a 'term'.")
    words = tuple(str(i["term"]) for i in items)
    clash = sorted(set(words) & set(load_dictionary(settings)["term"]))
    if clash:
        raise LexiconError(f"{path}: {clash} are both entries and split words; keep one.")
    return words


def _numbered_heads(settings: Settings) -> dict[str, list[str]]:
    path = Path(settings.dictionary)
    heads = _read_yaml(path, "dictionary").get("numbered") or {}
    if not isinstance(heads, dict) or not all(isinstance(v, list) for v in heads.values()):
        raise LexiconError(f"{path}: 'numbered' must map a counter (个, 大, 项) to a list of head words.")
    unknown = set(heads) - {"个", "大", "项"}
    if unknown:
        raise LexiconError(f"{path}: 'numbered' counters must be 个, 大 or 项, not {sorted(unknown)}.")
    return {k: [str(h) for h in v] for k, v in heads.items()}


def dictionary_summary(settings: Settings | None = None) -> pd.DataFrame:
    """Entries of the dictionary per source and category, with the size of the stopword list.

    Returns:
        Columns ``source, category, entries, stopwords`` (the same stopword count on every
        row), sorted by source, then entries descending.

    Example:
        >>> t = dictionary_summary()
        >>> list(t.columns), bool((t["entries"] > 0).all())
        (['source', 'category', 'entries', 'stopwords'], True)
    """
    dictionary = load_dictionary(settings)
    table = dictionary.groupby(["source", "category"]).size().rename("entries").reset_index()
    table = table.assign(stopwords=len(load_stopwords(settings)))
    return table.sort_values(["source", "entries"], ascending=[True, False], kind="stable").reset_index(drop=True)


def load_stopwords(settings: Settings | None = None) -> frozenset:
    """Return the stopwords in force: the YAML list, or nothing when stopwords are off.

    The file groups words under keys (``function``, ``filler``, ``register``); every
    list is read. When :attr:`Settings.use_stopwords` is False the result is empty, so
    no token is flagged ``is_stop`` and every term is counted.

    Args:
        settings: Settings whose ``stopwords`` path and ``use_stopwords`` flag are used.

    Returns:
        A frozenset of stopword strings.

    Raises:
        LexiconError: when the file is missing, is not YAML, or a group is not a list.

    Example:
        >>> words = load_stopwords()
        >>> "进一步" in words, "党" in words, "人" in words
        (True, False, False)
        >>> load_stopwords(Settings(use_stopwords=False))
        frozenset()
    """
    settings = settings or Settings()
    if not settings.use_stopwords:
        return frozenset()
    path = Path(settings.stopwords)
    return _stopword_set(str(path), _read_text(path, "stopwords"))


@functools.lru_cache(maxsize=8)
def _stopword_set(path_name: str, content: str) -> frozenset:
    """The stopwords of one file content, read once per process."""
    path = Path(path_name)
    data = _parse_yaml(path_name, "stopwords", content)
    words: set[str] = set()
    for key, items in data.items():
        if not isinstance(items, list):
            raise LexiconError(f"{path}: group '{key}' must be a list of words.")
        words.update(str(w) for w in items)
    return frozenset(words)


# ---------------------------------------------------------------------------
# The tokenizer


@contextlib.contextmanager
def _quiet_jieba() -> Iterator[None]:
    """Silence jieba's logger ("Building prefix dict", "Loading model cost") while inside."""
    logger = logging.getLogger("jieba")
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _formula_regexes(settings: Settings, dictionary: pd.DataFrame) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """Compile (phrase-or-numbered, numbered only, quoted slogan) patterns."""
    heads = _numbered_heads(settings)
    numbered = []
    if heads.get("个"):
        # Not 一个 alone: 一个伟大的…, 一个根本问题 are ordinary phrases (一个中心 is an entry).
        numbered.append(f"(?<![第{NUMERALS}])(?!一个)[{NUMERALS}]+个(?:{_alternation(heads['个'])})")
    if heads.get("大"):
        # Single numerals only, and not after 的/十: keeps 十九大, 二十大 (congresses) out.
        numbered.append(f"(?<![第的{NUMERALS}])[一二三四五六七八九两]大(?:{_alternation(heads['大'])})")
    if heads.get("项"):
        numbered.append(f"(?<![第{NUMERALS}])(?!一项)[{NUMERALS}]+项(?:{_alternation(heads['项'])})")
    numbered_re = "|".join(numbered) or "(?!)"
    phrases = dictionary.loc[dictionary["source"] == "phrase", "term"].tolist()
    phrase_res = [
        _PHRASE_SEPARATOR.join(re.escape(part) for part in re.split("[、，,]", p) if part)
        for p in sorted(phrases, key=lambda p: (-len(p), p))
    ]
    layer = re.compile("|".join([*phrase_res, numbered_re]))
    # Entries that contain a phrase or numbered formula but are longer (中央八项规定,
    # 八项规定精神) would be cut by the formula layer: they join it, longest first.
    entries = dictionary.loc[dictionary["source"] == "entry", "term"]
    forced = [t for t in entries if (m := layer.search(t)) and m.group() != t]
    combined = "|".join([*(re.escape(t) for t in sorted(forced, key=lambda t: (-len(t), t))), *phrase_res, numbered_re])
    # Every alternative starts with one of these characters; the lookahead lets the regex
    # engine skip other positions quickly (7x faster on speech text), matching the same spans.
    firsts = {t[0] for t in forced} | {next(part for part in re.split("[、，,]", p) if part)[0] for p in phrases}
    if numbered:
        firsts |= set(NUMERALS)
    if firsts:
        combined = f"(?=[{''.join(re.escape(c) for c in sorted(firsts))}])(?:{combined})"
    quoted = (
        f"(?<=[{_OPEN_QUOTES}])"
        f"[^{_OPEN_QUOTES}{_CLOSE_QUOTES}{_SPACE}，。；：！？,.;:!?（）()《》〈〉【】{_NOT_IN_SLOGAN}]"
        f"{{{_SLOGAN_MIN},{_SLOGAN_MAX}}}"
        f"(?=[{_CLOSE_QUOTES}])"
    )
    return re.compile(combined), re.compile(f"(?:{numbered_re})"), re.compile(quoted)


class Segmenter:
    """A ready tokenizer: the formula layer plus a private ``jieba.Tokenizer``.

    Build one with :func:`make_tokenizer`; pass it to :func:`tokenize` to reuse it.

    Attributes:
        fingerprint: The settings fingerprint it was built from.
        hmm: Whether jieba's HMM guesses unknown words.
        engine: ``"rjieba"`` or ``"jieba"`` (jieba's Python code): which engine cuts Han runs.
        jieba: The private ``jieba.Tokenizer`` when the engine is ``"jieba"``, else None
            (do not call ``add_word`` on it).
    """

    def __init__(self, *, settings: Settings, jieba_tokenizer, dictionary: pd.DataFrame, cut=None, engine: str = "jieba"):
        self.fingerprint = settings.fingerprint()
        self.segmenter = settings.segmenter
        self.engine = engine
        self.hmm = bool(settings.hmm)
        self.jieba = jieba_tokenizer
        self._cut = cut or (lambda s, hmm: jieba_tokenizer.cut(s, HMM=hmm))
        self._formula_re, self._numbered_re, self._quoted_re = _formula_regexes(settings, dictionary)
        self._entries = frozenset(dictionary["term"])
        self._phrases = frozenset(dictionary.loc[dictionary["source"] == "phrase", "term"])
        self._kinds: dict[str, str] = {}
        self._formula_entries = frozenset(
            dictionary.loc[(dictionary["source"] == "entry") & (dictionary["category"] == "formula"), "term"]
        )
        self._mixed_re = _mixed_regex(dictionary)

    def __repr__(self) -> str:
        return (f"Segmenter(segmenter={self.segmenter!r}, engine={self.engine!r}, hmm={self.hmm}, "
                f"fingerprint={self.fingerprint!r})")

    def formula_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Return the formula-layer spans of ``text`` as (start, end, rule), in text order.

        ``rule`` is ``"phrase"``, ``"numbered"`` or ``"quoted"``.
        """
        spans = []
        for m in self._formula_re.finditer(text):
            rule = self.formula_rule(m.group()) or "phrase"
            spans.append((m.start(), m.end(), rule))
        # The formula matches do not overlap and come in text order, so their ends are
        # sorted too: one pointer walks them alongside the quoted matches (one pass).
        taken = [(s, e) for s, e, _ in spans]
        j = 0
        for m in self._quoted_re.finditer(text):
            content = m.group()
            if len(HAN_RE.findall(content)) < 2:
                continue
            while j < len(taken) and taken[j][1] <= m.start():
                j += 1
            if j < len(taken) and taken[j][0] < m.end():
                continue  # overlaps a phrase or numbered formula, which wins
            spans.append((m.start(), m.end(), "quoted"))
        spans.sort()
        return spans

    def mixed_spans(self, text: str, taken: list[tuple[int, int, str]] = ()) -> list[tuple[int, int, str]]:
        """Spans of dictionary entries that mix Latin letters, digits or ``+`` with Han
        characters (``5G网络``, ``A股``, ``1+X证书``, ``党建+网格``), outside ``taken``.

        jieba cannot keep them whole (the loader splits Latin from Han before jieba sees
        them), so they are matched first, longest entry first, as whole tokens. An entry
        that starts or ends with a Latin letter or digit needs a boundary there
        (``A股`` is not found inside ``AA股``).
        """
        if self._mixed_re is None:
            return []
        out = []
        for m in self._mixed_re.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e, _ in taken):
                out.append((m.start(), m.end(), "mixed"))
        return out

    def arrays(self, text: str) -> "TokenArrays":
        """Segment ``text`` into :class:`TokenArrays`: the tokens as integer columns.

        The same tokens as :meth:`spans` (tests/test_segment.py checks it on the seed
        and every document of ../shared/corpora), computed without a Python step per
        Han token: every Han run goes to the engine in one call per batch, joined by a
        newline (which jieba's block split always cuts at and returns on its own), and
        pieces become integer ids by hashing in C (``pandas.factorize``).

        Raises:
            RuntimeError: if the engine lost or merged characters (never seen; a check
                that the tokens partition the text).
        """
        vocab: dict[str, int] = {}
        chunks = []
        for start, end in _chunks(text, _CHUNK):
            # Chunks end after a line break followed by visible text: no token, formula,
            # quotation or Han run crosses such a point, so chunking changes no token.
            piece = text[start:end] if (start, end) != (0, len(text)) else text
            formulas = self.formula_spans(piece)
            build = _ArrayBuilder(piece, vocab)
            build.segment(self, sorted(formulas + self.mixed_spans(piece, formulas)))
            chunks.append(build.finish(self, offset=start))
        return _renumbered(chunks, vocab, len(text))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Return the token spans of ``text`` as (start, end, kind); they partition it.

        The plain reference: one Python step per token. :meth:`arrays` gives the same
        tokens faster; :func:`tokenize` uses it.
        """
        out: list[tuple[int, int, str]] = []
        self._spans_into(text, out)
        return out

    def _spans_into(self, text: str, out) -> None:
        """Append the token spans of ``text`` to the list ``out``."""
        pos = 0
        formulas = self.formula_spans(text)
        for start, end, _ in sorted(formulas + self.mixed_spans(text, formulas)):
            self._plain(text, pos, start, out)
            out.append((start, end, "word"))
            pos = end
        self._plain(text, pos, len(text), out)

    def _plain(self, text: str, start: int, end: int, out: list) -> None:
        for m in _PLAIN_RE.finditer(text, start, end):
            kind = m.lastgroup
            if kind == "han":
                self._han(text, m.start(), m.end(), out)
            elif kind == "redaction" and m.group()[0] == REDACTION:
                out.extend((i, i + 1, "redaction") for i in range(m.start(), m.end()))
            else:
                out.append((m.start(), m.end(), kind))

    def _han(self, text: str, start: int, end: int, out: list) -> None:
        """Segment a Han run: numerals written with 〇 first (二〇二三), then jieba."""
        pos = start
        for m in _ZERO_NUMERAL_RE.finditer(text, start, end):
            self._jieba(text, pos, m.start(), out)
            out.append((m.start(), m.end(), "number"))
            pos = m.end()
        self._jieba(text, pos, end, out)

    def _kind(self, piece: str) -> str:
        numeral = piece not in self._entries and all(ch in _HAN_NUMERALS for ch in piece)
        return "number" if numeral or not HAN_RE.search(piece) else "word"

    def _jieba(self, text: str, start: int, end: int, out: list) -> None:
        for piece_start in range(start, end, MAX_JIEBA_RUN):
            self._jieba_run(text, piece_start, min(piece_start + MAX_JIEBA_RUN, end), out)

    def _jieba_run(self, text: str, start: int, end: int, out: list) -> None:
        if start >= end:
            return
        pos = start
        kinds = self._kinds  # the kind of each distinct piece, worked out once
        for piece in self._cut(text[start:end], self.hmm):
            stop = pos + len(piece)
            kind = kinds.get(piece)
            if kind is None:
                kind = self._kind(piece)
                if len(kinds) < 1_000_000:
                    kinds[piece] = kind
            out.append((pos, stop, kind))
            pos = stop
        if pos != end:  # pragma: no cover - jieba always returns its input
            raise RuntimeError(f"{self.segmenter} lost characters in {text[start:end]!r}")

    def formula_rule(self, token: str) -> str | None:
        """Return why ``token`` is a formula (``phrase``, ``numbered``, ``dictionary``) or None.

        Quoted slogans are recognised by their context, not their text: see
        :func:`analysis.stats.counts.formula_frequencies`.
        """
        if self._numbered_re.fullmatch(token):
            return "numbered"
        if token in self._formula_entries:
            return "dictionary"
        if token in self._phrases or self._formula_re.fullmatch(token):
            return "phrase"
        return None


#: Characters an entry may mix with Han characters and still be kept whole.
_MIXED_CHARS = "A-Za-z0-9+"
_MIXED_RE = re.compile(f"[{_MIXED_CHARS}]")
#: What a dictionary entry may hold: Han characters, Latin letters, digits, + - · and 〇.
_ENTRY_RE = re.compile(f"[{HAN_CLASS}\u3007{_MIXED_CHARS}\\-·]+")


def _mixed_regex(dictionary: pd.DataFrame) -> re.Pattern | None:
    """One regex for the entries that mix Latin letters, digits or ``+`` with Han characters."""
    terms = [t for t in dictionary.loc[dictionary["source"] == "entry", "term"]
             if _MIXED_RE.search(t) and HAN_RE.search(t)]
    if not terms:
        return None
    parts = []
    for term in sorted(terms, key=lambda t: (-len(t), t)):
        body = re.escape(term)
        if re.match(r"[A-Za-z0-9]", term):
            body = r"(?<![A-Za-z0-9])" + body
        if re.search(r"[A-Za-z0-9]$", term):
            body += r"(?![A-Za-z0-9])"
        parts.append(body)
    return re.compile("|".join(parts))


def _entry_frequency(tok, term: str) -> int:
    """A jieba frequency that keeps ``term`` whole in context.

    jieba picks the segmentation with the highest product of word probabilities
    (f_w / total). :meth:`jieba.Tokenizer.suggest_freq` gives the smallest frequency
    that beats the term's own best split; we multiply it by a margin so that the term
    also wins against splits that borrow a neighbouring character, and keep a floor so
    that short terms are not outweighed by common neighbours. A term jieba already
    rates higher keeps its own frequency.
    """
    needed = tok.suggest_freq(term, False)
    return int(max(tok.FREQ.get(term) or 0, min(needed * _FREQ_MARGIN, 10**7), _FREQ_FLOOR))


# ---------------------------------------------------------------------------
# The frequency table stored with the dictionary

#: Columns of :func:`compute_frequency_table`.
FREQUENCY_COLUMNS = ["term", "freq", "jieba_freq"]
#: A word that no Han run can contain (a private-use character): rjieba is given it with the
#: frequency that jieba's Python ``add_word`` keeps in its total and rjieba's drops.
_TOTAL_PAD = "\ue000\ue001"
_FREQ_HEADER = "# frequency table of {name}: generated by `python -m analysis frequencies --write`; do not edit\n"


def frequency_path(settings: Settings | None = None) -> Path:
    """Return where the frequency table of ``settings.dictionary`` is stored: beside it.

    >>> frequency_path().name
    'dictionary.freq.tsv'
    """
    settings = settings or Settings()
    path = Path(settings.dictionary)
    return path.with_name(path.stem + ".freq.tsv")


def _jieba_python(cache: Path | None = None):
    """A private, initialized ``jieba.Tokenizer`` with jieba's own dictionary (no domain entries)."""
    import jieba  # imported here: importing analysis.text.segment does no work

    cache = paths.cache_dir() if cache is None else cache
    with contextlib.suppress(OSError):
        cache.mkdir(parents=True, exist_ok=True)
    tok = jieba.Tokenizer(dictionary=jieba.DEFAULT_DICT)
    tok.tmp_dir = str(cache)
    tok.cache_file = f"jieba-{jieba.__version__}-default.cache"
    with _quiet_jieba():
        tok.initialize()
    return tok


def _entry_order(dictionary: pd.DataFrame) -> pd.DataFrame:
    """Han entries, shorter first (a longer entry's suggested frequency already sees them)."""
    entries = dictionary[(dictionary["source"] == "entry") & dictionary["term"].str.contains(HAN_RE)]
    return entries.assign(_n=entries["term"].str.len()).sort_values(["_n", "term"], kind="stable")


def compute_frequency_table(settings: Settings | None = None) -> pd.DataFrame:
    """Compute, with jieba's Python code, the frequency each dictionary entry is given.

    Entries are added to a fresh ``jieba.Tokenizer`` shorter first; an entry with a
    ``freq`` in the YAML file keeps it, any other gets :func:`_entry_frequency`
    (``max(jieba's own frequency, 50 × suggest_freq, 2000)``) given the entries added
    before it. Both engines are then loaded with exactly these frequencies, so rjieba
    never has to agree with jieba's ``suggest_freq`` (its own agrees on most entries,
    not all). Takes a few seconds: it loads jieba's dictionary.

    Returns:
        One row per Han entry in the order they are added: ``term``, ``freq`` (int64),
        ``jieba_freq`` (the frequency jieba's own dictionary gave the word before, 0 when
        it had none: jieba's Python ``add_word`` adds the new frequency to its total
        without taking the old one out, rjieba's replaces it; :func:`make_tokenizer`
        evens the totals out with it).
    """
    settings = settings or Settings()
    order = _entry_order(load_dictionary(settings))
    tok = _jieba_python()
    rows = []
    with _quiet_jieba():
        for term, freq in zip(order["term"], order["freq"]):
            value = int(freq) if pd.notna(freq) else _entry_frequency(tok, term)
            before = int(tok.FREQ.get(term) or 0)
            tok.add_word(term, value)
            rows.append((term, value, before))
    table = pd.DataFrame(rows, columns=FREQUENCY_COLUMNS)
    return table.astype({"freq": "int64", "jieba_freq": "int64"})


def _dictionary_digest(settings: Settings) -> str:
    import hashlib

    return hashlib.sha256(Path(settings.dictionary).read_bytes()).hexdigest()


def _jieba_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("jieba")
    except metadata.PackageNotFoundError:  # pragma: no cover - jieba is a dependency
        return "none"


def format_frequency_table(table: pd.DataFrame, settings: Settings | None = None) -> str:
    """Return the text of the stored table: a header naming the dictionary's SHA-256 and jieba's version."""
    settings = settings or Settings()
    lines = [
        _FREQ_HEADER.format(name=Path(settings.dictionary).name),
        f"# dictionary_sha256\t{_dictionary_digest(settings)}\n",
        f"# jieba\t{_jieba_version()}\n",
        "term\tfreq\tjieba_freq\n",
    ]
    lines.extend(f"{t}\t{int(f)}\t{int(j)}\n" for t, f, j in zip(table["term"], table["freq"], table["jieba_freq"]))
    return "".join(lines)


def write_frequency_table(settings: Settings | None = None, path: Path | None = None) -> Path:
    """Compute the frequency table and write it beside the dictionary (atomically); return its path.

    Run it after editing the dictionary: ``python -m analysis frequencies --write``.
    """
    settings = settings or Settings()
    path = Path(path) if path is not None else frequency_path(settings)
    _write_text_atomic(path, format_frequency_table(compute_frequency_table(settings), settings))
    return path


def _parse_frequency_file(path: Path, digest: str) -> pd.DataFrame | None:
    """The table in ``path`` when it was made from the dictionary with ``digest`` by this jieba; else None."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    header = dict(line[2:].split("\t", 1) for line in lines if line.startswith("# ") and "\t" in line)
    if header.get("dictionary_sha256") != digest or header.get("jieba") != _jieba_version():
        return None
    body = [line for line in lines if line and not line.startswith("#")]
    if not body or body[0] != "term\tfreq\tjieba_freq":
        return None
    rows = []
    for line in body[1:]:
        parts = line.split("\t")
        if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
            return None
        rows.append((parts[0], int(parts[1]), int(parts[2])))
    return pd.DataFrame(rows, columns=FREQUENCY_COLUMNS).astype({"freq": "int64", "jieba_freq": "int64"})


def load_frequency_table(settings: Settings | None = None) -> pd.DataFrame:
    """Return the frequency table of the dictionary's Han entries, as both engines load them.

    Read from the table stored beside the dictionary (:func:`frequency_path`) when its
    header names this dictionary's SHA-256 and this jieba version. Otherwise (an edited
    or a researcher's own dictionary) the table is computed with
    :func:`compute_frequency_table` and kept in ``paths.cache_dir()/lexicon/`` under the
    dictionary's hash, so that is paid once.

    Returns:
        The table of :func:`compute_frequency_table` (``term``, ``freq``, ``jieba_freq``).

    Example:
        >>> table = load_frequency_table().set_index("term")
        >>> bool(table.loc["两个确立", "freq"] >= 2000), int(table.loc["两个确立", "jieba_freq"])
        (True, 0)
    """
    settings = settings or Settings()
    digest = _dictionary_digest(settings)
    stored = _parse_frequency_file(frequency_path(settings), digest)
    if stored is not None:
        return stored
    cached_path = paths.cache_dir() / "lexicon" / f"{digest[:32]}-jieba{_jieba_version()}.freq.tsv"
    cached = _parse_frequency_file(cached_path, digest)
    if cached is not None:
        return cached
    table = compute_frequency_table(settings)
    with contextlib.suppress(OSError):  # a read-only cache folder: compute again next time
        cached_path.parent.mkdir(parents=True, exist_ok=True)
        _write_text_atomic(cached_path, format_frequency_table(table, settings))
    return table


def _write_text_atomic(path: Path, text: str) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# Engines

#: Engines that compute jieba's segmentation: ``rjieba`` (Rust, the default when installed)
#: and ``jieba`` (jieba's own Python code, the fallback).
ENGINES = ("rjieba", "jieba")
_FALLBACK_WARNED: set[str] = set()


def _rjieba_available() -> bool:
    """Whether rjieba is installed, found without importing it (the import loads its dictionary,
    about 0.1 s, which a run reading only cached counts never needs)."""
    import importlib.util

    try:
        return importlib.util.find_spec("rjieba") is not None
    except (ImportError, ValueError):  # a parent package broken, or a module without a spec in sys.modules
        return False


def engine_for(settings: Settings | None = None) -> str:
    """Return the engine that will cut Han text under ``settings``: ``"rjieba"`` or ``"jieba"``.

    ``segmenter="jieba"`` (the default) means jieba's segmentation computed by the
    fastest engine installed: rjieba (same tokens, tested on the seed and on every
    document of the reference corpora), else jieba's Python code, with one warning per
    process saying so. ``"rjieba"`` and ``"jieba-python"`` force one engine.

    Raises:
        ValueError: for an unknown segmenter, or ``"rjieba"`` when it is not installed.

    >>> engine_for(Settings(segmenter="jieba-python"))
    'jieba'
    """
    settings = settings or Settings()
    check_choice("segmenter", settings.segmenter, SEGMENTERS, caller="Settings")
    if settings.segmenter == "jieba-python":
        return "jieba"
    if _rjieba_available():
        return "rjieba"
    if settings.segmenter == "rjieba":
        raise ValueError(
            "Settings.segmenter='rjieba' needs the rjieba package: `.venv/bin/pip install rjieba`, "
            "or use segmenter='jieba'."
        )
    if "jieba" not in _FALLBACK_WARNED:
        _FALLBACK_WARNED.add("jieba")
        warnings.warn(
            "rjieba is not installed: segmenting with jieba's Python code (same tokens, about 10x "
            "slower). Install it with `.venv/bin/pip install -c constraints.txt rjieba`.",
            RuntimeWarning,
            stacklevel=3,
        )
    return "jieba"


@functools.lru_cache(maxsize=8)
def _engine_version(engine: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(engine)
    except metadata.PackageNotFoundError:  # pragma: no cover - both are dependencies
        return "none"


def engine_signature(settings: Settings | None = None) -> str:
    """Return ``ENGINE-VERSION`` of the engine that cuts under ``settings`` (e.g. ``rjieba-0.2.2``).

    Not part of the settings fingerprint (both engines give the same tokens, so profiles
    and figures stay comparable across machines); the feature cache adds it to its key,
    so an engine upgrade never reuses entries the other version computed.

    >>> engine_signature(Settings(segmenter="jieba-python"))
    'jieba-0.42.1'
    """
    engine = engine_for(settings)
    return f"{engine}-{_engine_version(engine)}"


def _build(settings: Settings) -> Segmenter:
    engine = engine_for(settings)
    dictionary = load_dictionary(settings)
    table = load_frequency_table(settings)
    frequencies = dict(zip(table["term"], table["freq"].astype(int)))
    order = _entry_order(dictionary)
    missing = [t for t in order["term"] if t not in frequencies]
    if missing:  # pragma: no cover - the table is made from the same file
        raise LexiconError(f"{settings.dictionary}: no frequency for {missing[:5]}; run `python -m analysis frequencies --write`.")
    split_words = load_split_words(settings)
    if engine == "rjieba":
        cut = _rjieba_cut(order["term"], frequencies, split_words, pad=int(table["jieba_freq"].sum()))
        return Segmenter(settings=settings, jieba_tokenizer=None, dictionary=dictionary, cut=cut, engine="rjieba")
    tok = _jieba_python()
    with _quiet_jieba():
        for term in order["term"]:
            tok.add_word(term, frequencies[term])
        for term in split_words:
            # Frequency 0: jieba's DAG skips the word, so it is cut into its parts.
            tok.total -= tok.FREQ.get(term) or 0
            tok.FREQ[term] = 0
    return Segmenter(settings=settings, jieba_tokenizer=tok, dictionary=dictionary, engine="jieba")


def _rjieba_cut(terms, frequencies: dict[str, int], split_words, pad: int = 0):
    """A private ``rjieba.Jieba`` given the entries with the stored frequencies, and the split words.

    jieba picks the route with the highest sum of ``log(freq) - log(total)``, so the total
    matters whenever two routes have different numbers of words (社会观 against 社会|观).
    jieba's Python ``add_word`` adds an entry's frequency to the total without removing
    the frequency the word had before; rjieba's replaces it. ``pad`` (the sum of those
    earlier frequencies) goes to a private-use word no text contains, so the totals agree.
    """
    import rjieba

    rj = rjieba.Jieba()
    for term in terms:
        rj.add_word(term, int(frequencies[term]), None)
    if pad:
        rj.add_word(_TOTAL_PAD, pad, None)
    for term in split_words:
        rj.add_word(term, 0, None)
    return lambda s, hmm: rj.cut(s, hmm)


@functools.lru_cache(maxsize=8)
def _cached(fingerprint: str, engine: str, settings: Settings) -> Segmenter:
    return _build(settings)


def make_tokenizer(settings: Settings | None = None) -> Segmenter:
    """Build (or reuse) the tokenizer for ``settings``: once per process and settings.

    Han text is cut by jieba's algorithm (a DAG of dictionary words, the route with
    the highest product of word probabilities) over jieba's own dictionary plus every
    entry of the domain dictionary, each with the frequency stored beside the
    dictionary (:func:`load_frequency_table`: the entry's ``freq`` from the YAML file
    when given, otherwise ``max(jieba's own frequency, 50 × jieba.suggest_freq(term),
    2000)``). The engine is rjieba when installed, else jieba's Python code (see
    :func:`engine_for`); both get the same entries and frequencies and give the same
    tokens. jieba's log never reaches stderr; its prefix cache lives in
    :func:`analysis.paths.cache_dir`. Tokenizers are cached per settings fingerprint,
    so an edit of the dictionary file gives a fresh tokenizer.

    Args:
        settings: Analysis settings (``segmenter``, ``hmm``, ``dictionary``); the
            default :class:`Settings` when None.

    Returns:
        A :class:`Segmenter`; its ``engine`` says which engine cuts.

    Raises:
        ValueError: when ``settings.segmenter`` is not one of :data:`SEGMENTERS`, or is
            ``"rjieba"`` and that package is not installed.
        LexiconError: when the dictionary file is missing or malformed.

    Example:
        >>> seg = make_tokenizer()
        >>> seg.hmm
        False
        >>> make_tokenizer() is seg
        True
    """
    settings = settings or Settings()
    return _cached(settings.fingerprint(), engine_for(settings), settings)


_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
_NUMBER = _KIND_CODE["number"]
#: Han characters handed to the engine per call (joined runs): bounds the engine's list of pieces.
_ENGINE_BATCH = 1_000_000


@dataclasses.dataclass(frozen=True)
class TokenArrays:
    """The tokens of one text as columns of integers: what :func:`tokenize` returns, compactly.

    Attributes:
        starts, ends: Offsets of each token into the text (half-open), in text order;
            they partition the text. int32 (int64 for a text of 2**31 characters or more).
        kinds: uint8 codes into :data:`KINDS`.
        ids: int32 index of each token into ``vocabulary``.
        vocabulary: object array of the distinct token strings, in order of first appearance.
    """

    starts: np.ndarray
    ends: np.ndarray
    kinds: np.ndarray
    ids: np.ndarray
    vocabulary: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    def tokens(self) -> np.ndarray:
        """The token strings (one object per distinct token, shared by its occurrences)."""
        return self.vocabulary.take(self.ids)

    def kind_labels(self) -> np.ndarray:
        return KIND_LABELS.take(self.kinds)


#: :data:`KINDS` as an object array, to turn kind codes into labels with ``take``.
KIND_LABELS = np.array(KINDS, dtype=object)


# Character classes of the vectorised pass (see :meth:`Segmenter.arrays`).
_C_SPECIAL, _C_HAN, _C_SPACE, _C_REDACTION, _C_COMPLEX, _C_PUNCT = range(6)
#: Characters whose token depends on their neighbours (numbers, Latin words, ××, ***):
#: runs of them go through :data:`_PLAIN_RE` as before.
_COMPLEX_CLASS = f"{_LATIN}{_DIGIT}.．%％*＊\u00d7"


@functools.lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """The class of every BMP character, from the same character classes :data:`_PLAIN_RE` uses."""
    bmp = "".join(map(chr, range(0x10000)))
    table = np.full(0x10000, _C_PUNCT, dtype=np.uint8)
    for code, pattern in ((_C_COMPLEX, f"[{_COMPLEX_CLASS}]+"), (_C_SPACE, f"[{_SPACE}]+"),
                          (_C_HAN, f"[{HAN_CLASS}\u3007]+")):
        for m in re.finditer(pattern, bmp):
            table[m.start():m.end()] = code
    table[ord(REDACTION)] = _C_REDACTION
    return table


def _char_classes(text: str) -> np.ndarray:
    """One class code per character of ``text`` (uint8)."""
    points = code_points(text)
    classes = _class_table().take(np.minimum(points, 0xFFFF))
    astral = points > 0xFFFF
    if points.dtype.itemsize > 2 and astral.any():
        han = re.compile(f"[{HAN_CLASS}]")
        where = np.flatnonzero(astral)
        classes[where] = [_C_HAN if han.match(chr(c)) else _C_PUNCT for c in points[where].tolist()]
    return classes


class _ArrayBuilder:
    """Collects the tokens of one text: Han runs for the engine, the other tokens by class."""

    def __init__(self, text: str, vocab: dict[str, int]) -> None:
        self.text = text
        self.vocab = vocab  # shared by the chunks of one text
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def ids_of(self, pieces) -> np.ndarray:
        """Vocabulary ids of ``pieces`` (strings), adding new ones."""
        vocab = self.vocab
        out = np.empty(len(pieces), dtype=np.int64)
        for i, piece in enumerate(pieces):
            vid = vocab.get(piece)
            if vid is None:
                vid = vocab[piece] = len(vocab)
            out[i] = vid
        return out

    def add(self, starts, ends, kinds, ids) -> None:
        self.parts.append((np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64),
                           np.asarray(kinds, dtype=np.uint8), np.asarray(ids, dtype=np.int64)))

    def add_pieces(self, starts, ends, kinds) -> None:
        """Tokens whose strings are cut from the text here (few per text, or few distinct)."""
        text = self.text
        codes, uniques = pd.factorize(np.array([text[s:e] for s, e in zip(starts, ends)], dtype=object))
        self.add(starts, ends, kinds, self.ids_of(uniques)[codes] if len(codes) else codes)

    def segment(self, seg: "Segmenter", specials: list[tuple[int, int, str]]) -> None:
        text = self.text
        n = len(text)
        classes = _char_classes(text)
        boundary = np.zeros(n + 1, dtype=bool)
        if specials:
            sp = np.array([(s, e) for s, e, _ in specials], dtype=np.int64)
            depth = np.zeros(n + 1, dtype=np.int64)
            np.add.at(depth, sp[:, 0], 1)
            np.add.at(depth, sp[:, 1], -1)
            classes[np.cumsum(depth[:n]) > 0] = _C_SPECIAL
            boundary[sp[:, 0]] = True
            boundary[sp[:, 1]] = True
        boundary[0] = True
        boundary[1:n] |= classes[1:] != classes[:-1]
        single = (classes == _C_PUNCT) | (classes == _C_REDACTION)  # one token per character
        boundary[:n] |= single
        starts = np.flatnonzero(boundary[:n])
        ends = np.append(starts[1:], n)
        kind = classes[starts] if n else classes[:0]
        del boundary, single

        for code, label in ((_C_PUNCT, "punct"), (_C_REDACTION, "redaction"), (_C_SPACE, "space"),
                            (_C_SPECIAL, "word")):
            pick = kind == code
            if pick.any():
                self.add_pieces(starts[pick], ends[pick], np.full(int(pick.sum()), _KIND_CODE[label], np.uint8))
        pick = kind == _C_COMPLEX
        if pick.any():
            self._complex(starts[pick].tolist(), ends[pick].tolist())
        pick = kind == _C_HAN
        if pick.any():
            self._han(seg, starts[pick], ends[pick], zero="\u3007" in text)

    def _complex(self, starts: list[int], ends: list[int]) -> None:
        """Runs of numbers, Latin letters and redaction marks: :data:`_PLAIN_RE` decides, as before."""
        text = self.text
        out_s, out_e, out_k = [], [], []
        for start, end in zip(starts, ends):
            for m in _PLAIN_RE.finditer(text, start, end):
                out_s.append(m.start())
                out_e.append(m.end())
                out_k.append(_KIND_CODE[m.lastgroup])
        self.add_pieces(out_s, out_e, out_k)

    def _han(self, seg: "Segmenter", starts: np.ndarray, ends: np.ndarray, zero: bool) -> None:
        """Han runs: numerals written with 〇 first (二〇二三), the rest to the engine in batches."""
        text = self.text
        if zero or (ends - starts).max() > MAX_JIEBA_RUN:
            run_s, run_e, num_s, num_e = [], [], [], []
            for s, e in zip(starts.tolist(), ends.tolist()):
                pos = s
                if zero and text.find("\u3007", s, e) != -1:
                    for z in _ZERO_NUMERAL_RE.finditer(text, s, e):
                        run_s.append(pos)
                        run_e.append(z.start())
                        num_s.append(z.start())
                        num_e.append(z.end())
                        pos = z.end()
                run_s.append(pos)
                run_e.append(e)
            if num_s:
                self.add_pieces(num_s, num_e, np.full(len(num_s), _NUMBER, np.uint8))
            chunks = [(p, min(p + MAX_JIEBA_RUN, e)) for s, e in zip(run_s, run_e) for p in range(s, e, MAX_JIEBA_RUN)]
            starts = np.array([s for s, _ in chunks], dtype=np.int64)
            ends = np.array([e for _, e in chunks], dtype=np.int64)
        lo = 0
        while lo < len(starts):
            # A batch of runs whose joined length stays under _ENGINE_BATCH characters.
            hi = lo + max(1, int(np.searchsorted(np.cumsum(ends[lo:] - starts[lo:] + 1), _ENGINE_BATCH, "right")))
            self.add(*self._cut_runs(seg, starts[lo:hi], ends[lo:hi]))
            lo = hi

    def finish(self, seg: "Segmenter", offset: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The chunk's tokens in text order: starts shifted by ``offset``, kinds, ids (each
        token ends where the next starts: the tokens are checked to partition the chunk)."""
        n = len(self.text)
        if self.parts:
            starts, ends, kinds, ids = (np.concatenate(c) for c in zip(*self.parts))
        else:
            starts = ends = ids = np.zeros(0, dtype=np.int64)
            kinds = np.zeros(0, dtype=np.uint8)
        self.parts = []
        order = np.argsort(starts, kind="stable")
        starts, ends, kinds, ids = starts.take(order), ends.take(order), kinds.take(order), ids.take(order)
        del order
        if len(starts) and (starts[0] != 0 or ends[-1] != n or not np.array_equal(ends[:-1], starts[1:])):
            raise RuntimeError(f"{seg.segmenter}: tokens do not partition the text (lost or merged characters)")
        if not len(starts) and n:
            raise RuntimeError(f"{seg.segmenter}: no tokens for a text of {n} characters")
        return (starts + offset).astype(np.int32 if offset + n < 2**31 else np.int64), kinds, ids.astype(np.int32)

    def _cut_runs(self, seg: "Segmenter", starts: np.ndarray, ends: np.ndarray):
        text = self.text
        joined = "\n".join([text[s:e] for s, e in zip(starts.tolist(), ends.tolist())])
        pieces = seg._cut(joined, seg.hmm)
        if not isinstance(pieces, list):
            pieces = list(pieces)
        lens = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        pend = np.cumsum(lens)
        if len(pend) == 0 or pend[-1] != len(joined):
            raise RuntimeError(f"{seg.segmenter} lost characters in a batch of {len(starts)} Han runs")
        pstart = pend - lens
        run_len = ends - starts
        joined_start = np.cumsum(run_len + 1) - (run_len + 1)
        keep = np.ones(len(pieces), dtype=bool)
        separators = np.searchsorted(pstart, joined_start[1:] - 1)
        if len(separators) and (np.any(separators >= len(pstart)) or not np.array_equal(pstart[separators], joined_start[1:] - 1)
                                or np.any(lens[separators] != 1)):
            raise RuntimeError(f"{seg.segmenter} merged characters across Han runs")
        keep[separators] = False
        pstart, lens = pstart[keep], lens[keep]
        run = np.searchsorted(joined_start, pstart, side="right") - 1
        tstart = pstart - joined_start[run] + starts[run]
        codes, uniques = pd.factorize(np.array(pieces, dtype=object)[keep])
        del pieces
        kinds_of = seg._kinds
        unique_kinds = np.empty(len(uniques), dtype=np.uint8)
        for i, piece in enumerate(uniques):
            kind = kinds_of.get(piece)
            if kind is None:
                kind = seg._kind(piece)
                if len(kinds_of) < 1_000_000:
                    kinds_of[piece] = kind
            unique_kinds[i] = _KIND_CODE[kind]
        return tstart, tstart + lens, unique_kinds[codes], self.ids_of(uniques)[codes]


#: Characters segmented at a time (:meth:`Segmenter.arrays`): bounds the memory of the
#: intermediate arrays and of the engine's list of pieces for a long document.
_CHUNK = 2_000_000


def _chunks(text: str, size: int) -> list[tuple[int, int]]:
    """Split ``text`` into spans of about ``size`` characters, each ending after a line break
    that is followed by a visible character (or at the end of the text)."""
    spans, start = [], 0
    cut_re = re.compile(f"\n(?=[^{_SPACE}])")
    while len(text) - start > size:
        m = cut_re.search(text, start + size)
        if m is None:
            break
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _renumbered(chunks: list[tuple], vocab: dict[str, int], n: int) -> TokenArrays:
    """Join the chunks' tokens and number the vocabulary by first appearance."""
    starts = np.concatenate([c[0] for c in chunks])
    kinds = np.concatenate([c[1] for c in chunks])
    ids = np.concatenate([c[2] for c in chunks])
    del chunks[:]
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    if len(ends):
        ends[-1] = n
    vocabulary = np.empty(len(vocab), dtype=object)
    vocabulary[np.fromiter(vocab.values(), dtype=np.int64, count=len(vocab))] = list(vocab.keys())
    # Renumber by first appearance, so the ids do not depend on the order of the passes.
    used, first = np.unique(ids, return_index=True)
    rank = np.empty(len(used), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(used))
    remap = np.full(len(vocabulary), -1, dtype=np.int32)
    remap[used] = rank
    new_vocab = np.empty(len(used), dtype=object)
    new_vocab[rank] = vocabulary.take(used)
    return TokenArrays(starts, ends, kinds, remap.take(ids), new_vocab)


def tokenize(text: str, *, settings: Settings | None = None, tokenizer: Segmenter | None = None) -> pd.DataFrame:
    """Segment ``text`` into tokens that partition it exactly.

    Args:
        text: Normalized text (see :mod:`analysis.io.normalize`); raw text works too.
        settings: Settings for :func:`make_tokenizer`; ignored when ``tokenizer`` is given.
        tokenizer: A :class:`Segmenter` from :func:`make_tokenizer`, to reuse.

    Returns:
        One row per token, in text order: ``start``, ``end`` (offsets into ``text``,
        half-open), ``token`` (``text[start:end]``), ``kind`` (one of :data:`KINDS`).

    Raises:
        TypeError: when ``text`` is not a str.

    Example:
        >>> tokenize("要增强“四个意识”，2023年GDP增长5.2%。")[["token", "kind"]].values.tolist()[:6]
        [['要', 'word'], ['增强', 'word'], ['“', 'punct'], ['四个意识', 'word'], ['”', 'punct'], ['，', 'punct']]
        >>> tokenize("2023年GDP增长5.2%").kind.tolist()
        ['number', 'word', 'latin', 'word', 'number']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a str, got {type(text).__name__}")
    seg = tokenizer or make_tokenizer(settings)
    arrays = seg.arrays(text)
    return pd.DataFrame({"start": arrays.starts.astype(np.int64), "end": arrays.ends.astype(np.int64),
                         "token": arrays.tokens(),
                         "kind": arrays.kind_labels()}, columns=TOKEN_COLUMNS)


def _span_frame(text: str, spans: list[tuple[int, int, str]], columns: list[str]) -> pd.DataFrame:
    """One row per (start, end, label) span: start, end, the span's text, the label."""
    start, end, text_column, label_column = columns
    shared: dict[str, str] = {}  # one string object per distinct token, not one per occurrence
    return pd.DataFrame(
        {
            start: pd.array([s for s, _, _ in spans], dtype="int64"),
            end: pd.array([e for _, e, _ in spans], dtype="int64"),
            text_column: [shared.setdefault(piece, piece) for piece in (text[s:e] for s, e, _ in spans)],
            label_column: [label for _, _, label in spans],
        },
        columns=columns,
    )


def find_formulas(text: str, *, settings: Settings | None = None, tokenizer: Segmenter | None = None) -> pd.DataFrame:
    """List the spans the formula layer keeps whole (before any segmentation).

    Args:
        text: The text to scan.
        settings: Settings for :func:`make_tokenizer`; ignored when ``tokenizer`` is given.
        tokenizer: A :class:`Segmenter` to reuse.

    Returns:
        One row per span, in text order: ``start``, ``end``, ``formula`` (the text),
        ``rule`` (``phrase``: a punctuated formula from the dictionary; ``numbered``:
        numeral + 个/大/项 + head word; ``quoted``: a short slogan in quotation marks).
        Dictionary entries that jieba keeps whole are not listed here.

    Example:
        >>> find_formulas("不忘初心、牢记使命，做到“两个维护”，当好“主心骨”")[["formula", "rule"]].values.tolist()
        [['不忘初心、牢记使命', 'phrase'], ['两个维护', 'numbered'], ['主心骨', 'quoted']]
    """
    seg = tokenizer or make_tokenizer(settings)
    return _span_frame(text, seg.formula_spans(text), FORMULA_COLUMNS)
