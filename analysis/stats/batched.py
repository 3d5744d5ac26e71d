"""Term frequencies of a corpus given in batches of documents: two passes, the second on worker processes.

:func:`term_frequency_batches` is :func:`analysis.stats.counts.term_frequencies` by
document, section or node for a corpus too large to hold at once (``python -m analysis
terms`` over a folder): the first pass reads each batch of counts
(:func:`analysis.features.stream_batches`) and keeps one number per term, the documents
holding it (``doc_freq``); the second computes each batch's rows, on ``workers`` processes
when there are several batches, and hands them on in document order.

>>> import pandas as pd
>>> from analysis.features import FeatureSet
>>> t = pd.DataFrame({"document": ["a", "a", "b"], "token": ["人才", "基层", "人才"], "kind": "word"})
>>> fs = FeatureSet.from_tables(pd.DataFrame({"id": ["a", "b"]}), t)
>>> parts = list(term_frequency_batches([fs.select(["a"]), fs.select(["b"])]))
>>> pd.concat(parts)[["document", "term", "doc_freq"]].values.tolist()
[['a', '人才', 2], ['a', '基层', 1], ['b', '人才', 2]]
"""

from __future__ import annotations

import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

from analysis.features import FeatureSet
from analysis.stats.counts.common import _checked, _term_counts
from analysis.stats.counts.frequencies import BATCHED_BY, _term_frequencies
from analysis.stats.counts.occurrences import _countable
from analysis.text.segment import TERM_KINDS
from analysis.types import check_choice

__all__ = ["term_frequency_batches"]


def term_frequency_batches(
    batches: Iterable[FeatureSet],
    *,
    by: str = "document",
    stopwords: bool = True,
    min_count: int = 1,
    kinds: Sequence[str] = TERM_KINDS,
    workers: int = 1,
    then: Callable[[pd.DataFrame], Any] | None = None,
) -> Iterator[Any]:
    """:func:`analysis.stats.counts.term_frequencies` of a FeatureSet given in batches of documents, one table
    per batch.

    The tables, stacked, are ``term_frequencies(combine(*batches), by=by, ...)`` row for row
    (test: tests/test_counts_batches.py), whatever ``workers``; memory holds the latest batch,
    up to two spilled batches per worker on their way to it (each worker computes one) and one
    count per term, never the whole corpus's counts. Two passes: the first counts, for each term, the documents holding it as
    a token (``doc_freq``, and with it the vocabulary a term found only inside longer tokens is
    listed from) and writes each batch but the latest to a temporary file; the second reads
    them back and computes their rows, the latest last.

    Args:
        batches: FeatureSets of disjoint documents (e.g.
            :func:`analysis.features.stream_batches`), read once.
        by: ``"document"``, ``"section"`` or ``"node"``: groups that lie inside one document.
        stopwords, min_count, kinds: As :func:`analysis.stats.counts.term_frequencies`.
        workers: Processes of the second pass (with two batches or more); 1 computes in this process.
        then: Applied to each batch's table where it is computed (on a worker when ``workers`` > 1, so
            it must be a module-level function or a ``functools.partial`` of one), e.g. formatting it
            for output; the iterator then yields what it returns.

    Returns:
        An iterator of tables with the columns of :func:`analysis.stats.counts.term_frequencies`, in
        document order (or of ``then``'s results).

    Raises:
        ValueError: for another ``by``, a document id in two batches, or ``workers`` below 1.
    """
    check_choice("by", by, BATCHED_BY, caller="term_frequency_batches")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    documents: dict[str, int] = {}
    seen: set[str] = set()
    held = None  # the latest batch stays in memory: a run of one batch (one large file) is never spilled
    spans: list[tuple[int, int]] = []  # where each spilled batch lies in the file
    with tempfile.TemporaryFile(prefix="terms-") as spill:
        for fs in batches:
            ids = [str(i) for i in _checked(fs).documents["id"]]
            twice = sorted(seen.intersection(ids))
            if twice:
                raise ValueError(f"term_frequency_batches: document ids occur in two batches: {twice[:5]}")
            seen.update(ids)
            table = _term_counts(fs)  # each node lies in its document's sections: by does not change doc_freq
            eligible = table["kind"].isin(list(kinds))
            if stopwords and "is_stop" in table.columns:
                eligible &= ~table["is_stop"].fillna(False).astype(bool)
            pairs = table.loc[eligible, ["document", "token"]].drop_duplicates()
            per_term = pairs["token"].astype(str).value_counts(sort=False)
            for term, n in zip(per_term.index.tolist(), per_term.to_numpy().tolist()):
                documents[term] = documents.get(term, 0) + n
            if held is not None:
                begin = spill.tell()
                pickle.dump(held, spill, protocol=pickle.HIGHEST_PROTOCOL)
                spans.append((begin, spill.tell()))
            held = fs
            del fs, table, eligible, pairs, per_term
        # indexed by term as text even when no document holds a term (an empty dict gives an integer index)
        doc_freq = pd.Series(list(documents.values()), index=pd.Index(list(documents), dtype=str), dtype="int64")
        vocabulary = _countable(documents)
        del documents, seen
        options = dict(by=by, stopwords=stopwords, min_count=min_count, kinds=kinds, vocabulary=vocabulary,
                       doc_freq=doc_freq)
        finish = then or _same

        def spilled() -> Iterator[bytes]:
            for begin, end in spans:
                spill.seek(begin)
                yield spill.read(end - begin)

        if workers > 1 and spans:
            yield from _on_workers(spilled(), held, options, finish, workers)
            return
        for blob in spilled():
            yield finish(_term_frequencies(pickle.loads(blob), **options))
        if held is not None:
            fs, held = held, None
            yield finish(_term_frequencies(fs, **options))


def _same(table: pd.DataFrame) -> pd.DataFrame:
    return table


# ---------------------------------------------------------------------------
# the second pass on worker processes

_OPTIONS: dict = {}
_FINISH: list = []


def _start_worker(options: dict, finish: Callable[[pd.DataFrame], Any]) -> None:
    """Process-pool initializer: the vocabulary and document frequencies, and what to do with each
    batch's table, sent once per worker."""
    _OPTIONS.clear()
    _OPTIONS.update(options)
    _FINISH[:] = [finish]


def _frequencies_of(blob: bytes) -> Any:
    """One spilled batch's rows (what ``then`` makes of them), in a worker."""
    return _FINISH[0](_term_frequencies(pickle.loads(blob), **_OPTIONS))


def _on_workers(blobs: Iterator[bytes], held: FeatureSet | None, options: dict, finish: Callable[[pd.DataFrame], Any],
                workers: int) -> Iterator[Any]:
    """The batches' rows computed by ``workers`` processes, in order, with at most two batches per worker
    in flight; the held (latest) batch is computed here while the last spilled ones finish.

    The workers are forked from this process when it runs no other thread; otherwise (a Dask
    client's event loop, a progress bar's monitor) they are started afresh ("spawn", each
    importing the project once), since a thread holding a lock at the moment of a fork leaves the
    lock held in the child. Not a fork server: its workers are not this process's children, and
    their CPU time is then missing from what ``time`` reports for the command."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    if threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                             initargs=(options, finish)) as pool:
        pending: deque = deque()
        for blob in blobs:
            pending.append(pool.submit(_frequencies_of, blob))
            del blob
            while len(pending) >= 2 * workers:
                yield pending.popleft().result()
        last = [finish(_term_frequencies(held, **options))] if held is not None else []
        while pending:
            yield pending.popleft().result()
    yield from last
