"""Shared types and one way to refuse a bad choice.

:class:`FeatureSetLike` is what every analysis reads: a table of documents and the
outline nodes, sentences and tokens of those documents (see
:class:`analysis.features.FeatureSet`, which satisfies it). Analyses annotate their
first argument with it rather than ``Any``, so a reader knows what they need.

>>> check_choice("share", "tokens", SHARES, caller="theme_coverage")
'tokens'
>>> check_choice("share", "words", SHARES, caller="theme_coverage")
Traceback (most recent call last):
...
ValueError: theme_coverage: share='words' is not one of 'tokens', 'han', 'sentences'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Optional, Protocol, TypeVar, Union, runtime_checkable

import pandas as pd

#: Theme-share denominators (``share=`` everywhere; column ``share_<share>``):
#: word tokens, Han characters, sentences.
SHARES = ("tokens", "han", "sentences")

#: Keyness statistics accepted by ``statistic=`` (see :mod:`analysis.stats.keyness`).
KEYNESS_STATISTICS = ("g2", "chi2", "chi2_yates", "logratio", "log_ratio", "fightin", "simplemaths", "simple_maths")

#: Outline units accepted by ``by=``: ``section`` is a node with its sub-points
#: (三 includes 三（一）…); ``node`` is a node's own text only.
OUTLINE_UNITS = ("section", "node")

T = TypeVar("T")

#: A selection of text to compare (see :func:`analysis.stats.keyness.select_mask`): a
#: document id, ``"id#三"``, ``("id", "三")``, a mapping such as
#: ``{"documents": [...], "section": "三", "kind": "organization_work"}``, or a list of those.
Selection = Union[str, tuple[str, Optional[str]], Mapping[str, object], Sequence[object]]

#: Files to load: a file or folder (str or path), or several.
PathsArg = Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]]

#: A manifest to use instead of the folder's own: a ``manifest.csv`` path, or its table.
ManifestArg = Union[str, "os.PathLike[str]", pd.DataFrame, None]

#: What loading does with a bad file: ``"raise"`` (stop), ``"collect"`` (list it), or a callable
#: that receives each :class:`analysis.io.corpus.CorpusError`.
OnError = Union[str, Callable[..., None]]

#: Term counts: a DataFrame with ``term`` and ``count``, a Series indexed by term, or a mapping.
CountTable = Union[pd.DataFrame, pd.Series, Mapping[str, float]]


@runtime_checkable
class DocumentLike(Protocol):
    """A document as :func:`analysis.features.features` reads it: an ``id`` and its normalized ``text``."""

    id: str
    text: str


@runtime_checkable
class FeatureSetLike(Protocol):
    """What the analyses read: documents with their metadata, outline nodes, sentences, tokens.

    Attributes:
        documents: One row per document (``id`` first, then counts and metadata).
        nodes: One row per outline node (``document, path, level, parent`` …).
        sentences: One row per sentence piece (``document, sentence, path, paragraph, han_chars`` …).
        tokens: One row per token (``document, path, sentence, token, kind, is_stop`` …).
        settings: The :class:`analysis.settings.Settings` the features were computed with.

    A :class:`analysis.features.FeatureSet` also gives the count tables that reference
    profiles store (``term_counts``, ``sentence_tokens``, ``theme_counts(lexicon)``) and
    ``require_text(what)``, which refuses profiled documents; analyses use them when
    present and fall back to the tokens table.
    """

    documents: pd.DataFrame
    nodes: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame


def check_choice(name: str, value: T, choices: Iterable[T], *, caller: str) -> T:
    """Return ``value`` when it is one of ``choices``; otherwise raise one clear ValueError.

    Args:
        name: The argument's name, as the caller's signature spells it.
        value: The value given.
        choices: The accepted values, in the order to list them.
        caller: The public function (or CLI command) that was called.

    Raises:
        ValueError: ``"<caller>: <name>=<value> is not one of <choices>"``.
    """
    options = list(choices)
    if value not in options:
        listed = ", ".join(repr(c) for c in options)
        raise ValueError(f"{caller}: {name}={value!r} is not one of {listed}")
    return value
