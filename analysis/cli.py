"""Command line: ``python -m analysis <command> ... --format csv|json``.

Every command prints one tidy table to standard output (CSV by default, or JSON
records with ``--format json``); progress and warnings go to standard error, and a
problem with an input exits with status 2 and a message naming the file. In CSV, a
text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return first) gets a leading ``'`` (:mod:`analysis.output.csvsafe`); numbers
and JSON are written exactly. ``--max-document-mb MB`` sets the largest single
document read (default 64; 0: no limit).

Commands:
    corpus PATH...                 one row per document: id, metadata, han_chars, paragraphs, redactions, encoding
    corpus import SRC... --out DIR [--dedupe]
                                   pages, PDFs, Word and text files → DIR/*.txt and DIR/manifest.csv (metadata
                                   read from the text marked in ``inferred``); prints the manifest, and on stderr
                                   what was skipped and the speeches found more than once
    outline PATH...                outline nodes (path, level, number, title, offsets, han_chars, share, unheaded,
                                   warnings) and the announced count; JSON adds one record per warning
    terms PATH... [--by document|section|node|COLUMN] [--top N]
                                   every term with ``tokens`` (whole tokens) and ``occurrences``
                                   (also inside longer tokens), rates named by denominator
    kwic PATH... TERM [--window N]
    themes PATH... [--by document|section|node|COLUMN]
                                   COLUMN: any metadata column (year, decade, level, kind …): documents
                                   pooled per value
    track TERM... [--theme NAME...] [--by year|decade|congress|kind|level] [--pool] PATH...
                                   one row per term or theme per period: occurrences, tokens,
                                   theme_hits, rates, documents and the period's size
                                   (terms, themes and track read a profiles folder as a PATH too)
    network PATH... [--document ID...] [--against ID...] [--layer term|theme] [--measure jaccard|pmi|g2]
                                   co-occurrence edges, --nodes with communities, or edges gained and lost
    dispersion TERM... [--theme NAME...] [--inside] [--dp [--level N]] PATH...
                                   where terms or themes fall along each speech (positions 0-1, paths);
                                   --dp: Gries's DP per speech and item across the outline's parts
    first TERM... [--theme NAME...] PATH...
                                   where terms or themes first appear (path, sentence, position, order)
    ngrams PATH... [--n N] [--by document|node|COLUMN] [--min-count N] [--top N]
                                   runs of N consecutive terms within a sentence (texts only)
    collocations PATH... [--term TERM] [--window N] [--min-count N] [--statistic g2|pmi] [--top N]
                                   pairs of terms within a window, with PMI and signed G² (texts only)
    similarity PATH... [--on terms|themes] [--document ID] [--min-count N]
                                   Jensen–Shannon divergence and cosine of speech pairs
                                   (themes, first, dispersion of themes and similarity read profiles too)
    codes PATH... [--by section|COLUMN] [--unit sentence|node] [--tests]
                                   coding rules cross-tabulated: adjusted residuals, chi2 per code
    compare A B [--statistic g2|chi2|logratio|fightin|simplemaths] [--top N] [--significant] [--themes]
                                   A and B are files or folders, or ids of speeches in the corpus folder
                                   or the reference profiles, each optionally followed by ``#PATH`` to
                                   take one outline section, e.g. ``speech.txt#三`` or ``p-xi-2020-zzlx#第一``;
                                   --significant: only terms significant at the FDR (--alpha);
                                   --themes: theme shift B − A with bootstrap intervals
                                   terms, themes, track, compare, network, ngrams, collocations and
                                   similarity take [--workers N]
                                   [--backend local|dask] [--scheduler ADDRESS]; progress bars on
                                   stderr when it is a terminal
    report [--study FILE] [--corpus DIR] [--out DIR] [--document ID] [--strict]
                                   run the notebooks on a study; print the manifest of the figures written
    profiles build PATH... [--out DIR] [--workers N]
                                   reference profiles (counts, no text) of the documents, written
                                   to DIR (default corpus/profiles/); prints the profiles written
    echo SPEECH SOURCES... [--mode auto|passage|formula] [--shares] [--before-only]
                                   the passages of SPEECH that relay a source (section, path, start, end,
                                   text, source, source_date, source_level, lag_days, similarity, also);
                                   SOURCES ``profiles``: formula mode (formulas and rare terms per node)
    formulas discover PATH... [--min-docs N] [--min-count N] [--new-only]
                                   candidate formulas with first/last dated appearance and in_dictionary
    profiles list [DIR]            one row per profiled document: id, title, date, year, level,
                                   kind, collection, han_chars …
    glossary [--write]             every column the project writes, with what it counts and its unit
    frequencies [--write]          the frequency each dictionary entry is given (both engines load
                                   the same); --write stores it beside the dictionary after an edit

>>> build_parser().parse_args(["terms", "a.txt", "--top", "5"]).top
5
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Callable, Iterable, Sequence

import pandas as pd


def _to_simplified(args) -> bool | str:
    """``--simplified`` → True, ``--keep-traditional`` → False, else ``"auto"``."""
    if getattr(args, "simplified", False):
        return True
    return False if getattr(args, "keep_traditional", False) else "auto"


class _NoControls:
    """Standard output with terminal control characters escaped (text from files never drives a terminal).

    JSON gets ``\\u009b``-style escapes (the same JSON value); CSV cells get ``\\xNN`` (line breaks
    and tabs, which CSV quotes, are kept).
    """

    _JSON = re.compile("[\x7f-\x9f]")  # json already escapes everything below 0x20
    _CSV = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

    def __init__(self, stream, fmt: str):
        self.stream, self.json = stream, fmt == "json"

    def write(self, text: str) -> int:
        if self.json:
            text = self._JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        else:
            text = self._CSV.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
        return self.stream.write(text)


def _emit(table: pd.DataFrame, fmt: str, *, extra: dict | None = None) -> None:
    out = _NoControls(sys.stdout, fmt)
    if fmt == "json":
        records = json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso"))
        payload: object = records if extra is None else {**extra, "rows": records}
        json.dump(payload, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:  # cells a spreadsheet would run as formulas get a leading ' (JSON stays exact)
        from analysis.output.csvsafe import write_csv

        write_csv(table, out)  # a slice of rows at a time: the CSV is never one string


def _say(message: str) -> None:
    """A line on standard error with control characters shown as ``\\xNN`` (file text never drives the terminal)."""
    from analysis.io.guards import shown_name

    print("\n".join(shown_name(line) for line in str(message).split("\n")), file=sys.stderr)


def _settings(args: argparse.Namespace, **options):
    from analysis.settings import MAX_DOCUMENT_BYTES, Settings

    megabytes = getattr(args, "max_document_mb", None)
    cap = MAX_DOCUMENT_BYTES if megabytes is None else int(megabytes * 2**20)
    return Settings(to_simplified=_to_simplified(args), max_document_bytes=cap, **options)


def _load(paths: Sequence[str], args: argparse.Namespace) -> pd.DataFrame:
    from analysis.io.corpus import load_corpus

    return _loaded(load_corpus, paths, args)


def _loaded(loader: Callable, paths: Sequence[str], args: argparse.Namespace) -> pd.DataFrame:
    settings = _settings(args)
    progress = _progress_wanted()  # a count of documents on a terminal, nothing in a log or a pipe
    if getattr(args, "keep_going", False):
        documents, problems = loader(list(paths), settings=settings, on_error="collect", progress=progress)
        for row in problems.itertuples(index=False):
            _say(f"warning: {row.file}: {row.problem} ({row.fix})")
        return documents
    return loader(list(paths), settings=settings, progress=progress)


def _progress_wanted() -> bool:
    """Progress bars go to standard error, and only when it is a terminal (never into a pipe or log)."""
    return sys.stderr.isatty()


def _features(documents: pd.DataFrame, args: argparse.Namespace, *, counts_only: bool = False,
              count_themes: bool = True):
    """The FeatureSet of ``documents``; ``counts_only`` for commands that read count tables only
    (each document's tokens are counted and dropped: memory holds counts, not token tables)."""
    from dataclasses import replace

    from analysis.features import build_features
    from analysis.stats.meta import with_year

    settings = _settings(args, hmm=getattr(args, "hmm", False))
    fs = build_features(documents, settings=settings, progress=_progress_wanted(),
                        workers=getattr(args, "workers", 1), backend=getattr(args, "backend", "local"),
                        scheduler=getattr(args, "scheduler", None), counts_only=counts_only,
                        count_themes=count_themes)
    return replace(fs, documents=with_year(fs.documents))  # year and decade for --by


def _counted(paths: Sequence[str], args: argparse.Namespace, *, count_themes: bool = True):
    """Counts-only features of the files in ``paths``, streamed file by file (texts never all in
    memory: :func:`analysis.features.stream_features`); with ``--backend dask`` the workers read and count them."""
    from dataclasses import replace

    from analysis.features import stream_features
    from analysis.stats.meta import with_year

    settings = _settings(args, hmm=getattr(args, "hmm", False))
    keep_going = getattr(args, "keep_going", False)
    result = stream_features(list(paths), settings=settings, on_error="collect" if keep_going else "raise",
                             workers=getattr(args, "workers", 1), progress=_progress_wanted(),
                             count_themes=count_themes, **_backend(args))
    fs = result[0] if keep_going else result
    if keep_going:
        for row in result[1].itertuples(index=False):
            _say(f"warning: {row.file}: {row.problem} ({row.fix})")
    return replace(fs, documents=with_year(fs.documents))  # year and decade for --by


def _backend(args: argparse.Namespace) -> dict:
    """``backend`` and ``scheduler`` of the command line, as the streamed readers take them."""
    return {"backend": getattr(args, "backend", "local"), "scheduler": getattr(args, "scheduler", None)}


def _is_profiles(path: str) -> bool:
    """A folder of reference profiles (it holds ``build.json``), read as counts rather than as texts."""
    from pathlib import Path

    from analysis.profiles import BUILD_FILE

    return Path(path).is_dir() and (Path(path) / BUILD_FILE).is_file()


def _with_profiles(paths: Sequence[str], args: argparse.Namespace, counted: Callable):
    """The FeatureSet of ``paths``: profiles folders loaded as profiles, the other paths by ``counted(paths)``."""
    from dataclasses import replace

    from analysis.features import combine
    from analysis.profiles import load_profiles
    from analysis.stats.meta import with_year

    folders = [p for p in paths if _is_profiles(p)]
    others = [p for p in paths if p not in folders]
    parts = [counted(others)] if others else []
    settings = _settings(args, hmm=getattr(args, "hmm", False))
    for folder in folders:
        fs = load_profiles(folder, settings=settings)
        parts.append(replace(fs, documents=with_year(fs.documents)))
    return combine(*parts) if len(parts) > 1 else parts[0]


def cmd_corpus(args: argparse.Namespace) -> None:
    from pathlib import Path

    from analysis.io.corpus import describe_paths

    if args.paths[0] == "import" and not Path("import").exists():
        return cmd_corpus_import(args)
    if args.out or args.dedupe:
        raise ValueError("--out and --dedupe belong to `corpus import SRC... --out DIR`")
    _emit(_loaded(describe_paths, args.paths, args), args.format)  # streamed: one text in memory at a time


def cmd_corpus_import(args: argparse.Namespace) -> None:
    """``corpus import SRC... --out DIR [--dedupe]``: the manifest written on stdout, a summary on stderr."""
    from analysis.io.importer import import_corpus

    sources = args.paths[1:]
    if not sources or not args.out:
        raise ValueError("usage: python -m analysis corpus import SRC... --out DIR [--dedupe]")
    result = import_corpus(sources, out=args.out, dedupe=args.dedupe, settings=_settings(args),
                           progress=_progress_wanted())
    print(result.summary(), file=sys.stderr)
    _emit(result.manifest, args.format)


def cmd_outline(args: argparse.Namespace) -> None:
    from analysis.text.outline import announced_table, outline_nodes_table, outline_warnings

    documents = _load(args.paths, args)
    nodes = outline_nodes_table(documents)
    announced = announced_table(documents)
    if args.format == "json":
        extra = {"announced": json.loads(announced.to_json(orient="records", force_ascii=False)),
                 "warnings": json.loads(outline_warnings(documents).to_json(orient="records", force_ascii=False))}
        _emit(nodes, "json", extra=extra)
    else:
        counts = announced.set_index("document")
        nodes = nodes.assign(
            announced=nodes["document"].map(counts["announced"]),
            found=nodes["document"].map(counts["found"]),
        )
        _emit(nodes, "csv")


def cmd_terms(args: argparse.Namespace) -> None:
    from functools import partial

    from analysis.stats.batched import term_frequency_batches
    from analysis.stats.counts import BATCHED_BY, term_frequencies

    if args.by in BATCHED_BY:  # streamed, a batch at a time, each formatted where it is computed
        workers = getattr(args, "workers", 1)
        # counts per document need no node: each document's term counts summed (a row per distinct token)
        grain = "document" if args.by == "document" else "node"
        pieces = term_frequency_batches(_batches(args.paths, args, count_themes=False, grain=grain), by=args.by,
                                        stopwords=not args.keep_stopwords, workers=workers,
                                        then=partial(_top_formatted, by=args.by, top=args.top, fmt=args.format,
                                                     listed=workers > 1))
        _write_pieces(pieces, args.format)
        return
    fs = _with_profiles(args.paths, args, lambda paths: _counted(paths, args, count_themes=False))
    table = term_frequencies(fs, by=args.by, stopwords=not args.keep_stopwords)
    _emit(_top(table, args.by, args.top), args.format)


def _batches(paths: Sequence[str], args: argparse.Namespace, *, count_themes: bool = True, grain: str = "node"):
    """Counts-only FeatureSets of consecutive documents (:func:`analysis.features.stream_batches`, term counts of
    ``grain``), then each profiles folder among ``paths``; for commands whose rows each belong to one document."""
    from dataclasses import replace

    from analysis.features import stream_batches
    from analysis.profiles import load_profiles
    from analysis.stats.meta import with_year

    folders = [p for p in paths if _is_profiles(p)]
    others = [p for p in paths if p not in folders]
    settings = _settings(args, hmm=getattr(args, "hmm", False))
    if others:
        problems: list = []
        keep_going = getattr(args, "keep_going", False)
        for fs in stream_batches(others, settings=settings, on_error="collect" if keep_going else "raise",
                                 problems=problems, workers=getattr(args, "workers", 1),
                                 progress=_progress_wanted(), count_themes=count_themes, grain=grain,
                                 **_backend(args)):
            yield replace(fs, documents=with_year(fs.documents))
        for problem in problems:
            _say(f"warning: {problem.file}: {problem.problem} ({problem.fix})")
    for folder in folders:
        fs = load_profiles(folder, settings=settings)
        yield replace(fs, documents=with_year(fs.documents))


def _emit_batches(tables, fmt: str) -> None:
    """:func:`_emit` of the stacked ``tables``, written one table at a time (the same bytes)."""
    _write_pieces((_formatted(table, fmt) for table in tables), fmt)


def _formatted(table: pd.DataFrame, fmt: str) -> tuple[str, Iterable[str] | None]:
    """One table of a stack as text, for :func:`_write_pieces`: (CSV header, its rows' text made 50,000
    rows at a time as they are written), or ("", [the JSON records without the enclosing brackets],
    or None when there are none)."""
    if fmt == "json":
        records = json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso"))
        return "", [json.dumps(records, ensure_ascii=False, indent=1)[2:-2]] if records else None
    from analysis.output.csvsafe import neutralize_formulas

    header = table.iloc[:0].to_csv(index=False, lineterminator="\n")
    return header, (neutralize_formulas(table.iloc[start:start + 50_000]).to_csv(index=False, header=False,
                                                                                 lineterminator="\n")
                    for start in range(0, len(table), 50_000))


def _top_formatted(table: pd.DataFrame, *, by: str, top: int, fmt: str,
                   listed: bool) -> tuple[str, Iterable[str] | None]:
    """:func:`_formatted` of :func:`_top` (module level: a worker process runs it on the batch it computed);
    ``listed``: the text made at once, to be sent back from a worker (else made as it is written)."""
    header, body = _formatted(_top(table, by, top), fmt)
    return header, list(body) if listed and body is not None else body


def _write_pieces(pieces, fmt: str) -> None:
    """Write the pieces :func:`_formatted` made of a stack of tables as one CSV (the first header) or
    one JSON list."""
    out = _NoControls(sys.stdout, fmt)
    first = True
    for header, body in pieces:
        if fmt == "json":
            if body is not None:
                out.write(("[\n" if first else ",\n") + "".join(body))
                first = False
            continue
        if first:
            out.write(header)
        for part in body:
            out.write(part)
        first = False
    if fmt == "json":
        out.write("[]\n" if first else "\n]\n")


def cmd_kwic(args: argparse.Namespace) -> None:
    from analysis.stats.counts import kwic

    table = kwic(_load(args.paths, args), args.term, window=args.window)
    _emit(table, args.format)


def cmd_themes(args: argparse.Namespace) -> None:
    from analysis.stats.themes import theme_coverage

    if args.by in ("document", "section", "node"):  # streamed, a batch at a time
        from analysis.features.counting import themes_once

        lexicon = themes_once(_settings(args))[0]  # parsed once, not once per batch
        _emit_batches((theme_coverage(fs, by=args.by, lexicon=lexicon) for fs in _batches(args.paths, args)),
                      args.format)
        return
    fs = _with_profiles(args.paths, args, lambda paths: _counted(paths, args))
    _emit(theme_coverage(fs, by=args.by), args.format)


def cmd_network(args: argparse.Namespace) -> None:
    from analysis.stats.network import cooccurrence_edges, network_difference, network_nodes

    fs = _with_profiles(args.paths, args, lambda paths: _counted(paths, args))
    options = dict(layer=args.layer, unit=args.unit, measure=args.measure, min_count=args.min_count)
    if args.against:
        a = args.document or [i for i in fs.documents["id"].astype(str) if i not in set(args.against)]
        _emit(network_difference(fs, a=a, b=args.against, **options), args.format)
        return
    edges = cooccurrence_edges(fs, documents=args.document or None, **options)
    _emit(network_nodes(edges) if args.nodes else edges, args.format)


def cmd_dispersion(args: argparse.Namespace) -> None:
    from analysis.stats.placement import item_dispersion
    from analysis.stats.positions import item_positions

    terms, themes, paths = _items_and_paths(args, "dispersion")
    fs = _with_profiles(paths, args, lambda others: _features(_load(others, args), args))
    if args.dp:
        _emit(item_dispersion(fs, terms=terms, themes=themes, level=args.level), args.format)
        return
    _emit(item_positions(fs, terms=terms, themes=themes, inside=args.inside), args.format)


def _refuse_profiles(paths: Sequence[str], what: str, why: str) -> None:
    """Refuse a profiles folder for a command that reads running text, saying why and what to pass instead."""
    folders = [p for p in paths if _is_profiles(p)]
    if folders:
        raise ValueError(f"{what}: {folders[0]} is a profiles folder (counts, no text); {why}; "
                         "pass the texts themselves (files or folders of speeches)")


def _top(table: pd.DataFrame, by: str, n: int) -> pd.DataFrame:
    """The first ``n`` rows of each group of ``by`` (section: each document's section)."""
    if not n:
        return table
    group = ["document", "path"] if by in ("section", "node") else [by]
    return table.groupby(group, sort=False, group_keys=False).head(n).reset_index(drop=True)


def cmd_ngrams(args: argparse.Namespace) -> None:
    from analysis.stats.counts import ngrams

    _refuse_profiles(args.paths, "ngrams", "an n-gram is a run of consecutive tokens, and profiles hold how often "
                     "each term occurs per section, not the order of the tokens")
    fs = _features(_load(args.paths, args), args, count_themes=False)
    table = ngrams(fs, n=args.n, by=args.by, stopwords=not args.keep_stopwords, min_count=args.min_count)
    _emit(_top(table, args.by, args.top), args.format)


def cmd_collocations(args: argparse.Namespace) -> None:
    from analysis.stats.counts import collocations

    _refuse_profiles(args.paths, "collocations", "a collocation window counts term positions in running text, and "
                     "profiles hold no token order (`network PATH` reads the sentence co-occurrences of the "
                     "lexicon's terms that profiles do hold)")
    fs = _features(_load(args.paths, args), args, count_themes=False)
    table = collocations(fs, term=args.term, window=args.window, stopwords=not args.keep_stopwords,
                         min_count=args.min_count, statistic=args.statistic)
    _emit(table.head(args.top) if args.top else table, args.format)


def cmd_similarity(args: argparse.Namespace) -> None:
    from analysis.stats.similarity import profile_matrix, similar_speeches, speech_similarity

    fs = _with_profiles(args.paths, args, lambda paths: _counted(paths, args, count_themes=args.on == "themes"))
    if args.document:
        ids = fs.documents["id"].astype(str).tolist()
        if args.document not in ids:
            raise ValueError(f"similarity --document {args.document!r}: no such speech in {', '.join(args.paths)}; "
                             f"ids: {', '.join(ids[:20])}{' …' if len(ids) > 20 else ''}")
        table = similar_speeches(fs, args.document, on=args.on, min_count=args.min_count)
    else:
        table = speech_similarity(profile_matrix(fs, on=args.on, min_count=args.min_count))
    _emit(table, args.format)


def _items_and_paths(args: argparse.Namespace, command: str) -> tuple[list[str], list[str], list[str]]:
    """``TERM... [--theme NAME...] PATH...`` of dispersion and first: (terms, themes, paths), checked."""
    from pathlib import Path

    themes = list(args.theme or [])
    paths_after = [t for t in themes if Path(t).exists()]  # --theme NAME PATH: the path is no theme
    themes = [t for t in themes if t not in paths_after]
    terms, paths = _split_terms(list(args.items) + paths_after)
    if not paths:
        raise ValueError(f"{command} needs at least one PATH after the terms; none of {args.items} is a file or folder")
    if not terms and not themes:
        raise ValueError(f"{command} needs at least one TERM before the paths, or --theme NAME")
    _check_themes(themes, _settings(args))
    if terms:
        _refuse_profiles(paths, f"{command} of terms", "a term is found in each sentence's tokens, and profiles "
                         "store theme counts per sentence only (ask for --theme NAME instead)")
    return terms, themes, paths


def cmd_first(args: argparse.Namespace) -> None:
    from analysis.stats.placement import item_first_appearance

    terms, themes, paths = _items_and_paths(args, "first")
    fs = _with_profiles(paths, args, lambda others: _features(_load(others, args), args))
    _emit(item_first_appearance(fs, terms=terms, themes=themes), args.format)


def cmd_codes(args: argparse.Namespace) -> None:
    from analysis.stats.coding import code_crosstab, code_units, section_of
    from analysis.text.codes import load_codes

    fs = _features(_load(args.paths, args), args)
    coded = code_units(fs, codes=load_codes(args.codes), unit=args.unit)
    cells, tests = code_crosstab(coded, by=args.by, documents=fs.documents,
                                 sections=section_of(fs) if args.by == "section" else None)
    _emit(tests if args.tests else cells, args.format)


def _split_terms(items: Sequence[str]) -> tuple[list[str], list[str]]:
    """``TERM... PATH...``: the leading items that are no file or folder are terms."""
    from pathlib import Path

    for i, item in enumerate(items):
        if Path(item).exists():
            return list(items[:i]), list(items[i:])
    return list(items), []


def _check_themes(names: Sequence[str], settings) -> None:
    """Refuse a theme name the lexicon does not have, listing the themes it has."""
    from analysis.stats.themes import describe_themes

    known = list(describe_themes(settings)["theme"])
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown theme(s) {unknown}; the lexicon's themes are: {', '.join(known)}")


def cmd_track(args: argparse.Namespace) -> None:
    from pathlib import Path

    from analysis.stats.track import track

    themes = list(args.theme or [])
    # --theme takes one or more names; an existing file or folder after them is a PATH, not a theme
    paths_after = [t for t in themes if Path(t).exists()]
    themes = [t for t in themes if t not in paths_after]
    terms, paths = _split_terms(list(args.items) + paths_after)
    if not paths:
        raise ValueError(f"track needs at least one PATH after the terms; none of {args.items} is a file or folder")
    if not terms and not themes:
        raise ValueError("track needs at least one TERM before the paths, or --theme NAME")
    _check_themes(themes, _settings(args))
    fs = _with_profiles(paths, args, lambda others: _features(_load(others, args), args))
    _emit(track(fs, terms=terms, themes=themes, by=args.by, pool=args.pool), args.format)


def _side(spec: str) -> tuple[str, str | None]:
    path, _, section = spec.partition("#")
    return path, (section or None)


def _side_features(spec: str, args: argparse.Namespace, prefix: str):
    """The FeatureSet of one side of ``compare``: a file or folder (ids prefixed), else a speech id.

    A file's documents get ``prefix`` before their ids, so the same file may be both A and
    B (two sections of one speech). A speech id is looked up by
    :func:`analysis.speeches.speech_features` (the corpus folder, then the shipped profiles).
    """
    from pathlib import Path

    from analysis.speeches import speech_features

    if Path(spec).exists():
        docs = _load([spec], args)
        return _features(docs.assign(id=[prefix + str(i) for i in docs["id"]]), args)
    return speech_features(spec, corpus=args.corpus, settings=_settings(args, hmm=getattr(args, "hmm", False)))


COMPARE_THEME_COLUMNS = ["a", "b", "theme", "share_a", "share_b", "diff", "ci_low", "ci_high", "units_a", "units_b",
                         "label_zh", "hits_a", "hits_b", "significant", "share_of", "unit", "n_resamples", "flag"]


def cmd_compare(args: argparse.Namespace) -> None:
    from dataclasses import replace

    from analysis.features import combine
    from analysis.stats.keyness import compare_terms, top_keyness
    from analysis.stats.meta import with_year
    from analysis.stats.themes import emphasis_shift

    (path_a, section_a), (path_b, section_b) = _side(args.a), _side(args.b)
    fs_a, fs_b = _side_features(path_a, args, "A:"), _side_features(path_b, args, "B:")
    ids_a, ids_b = list(fs_a.documents["id"].astype(str)), list(fs_b.documents["id"].astype(str))
    extra = [i for i in ids_b if i not in set(ids_a)]  # the same speech id on both sides is loaded once
    fs = combine(fs_a, fs_b.select(extra)) if extra else fs_a
    fs = replace(fs, documents=with_year(fs.documents))
    a = {"documents": ids_a, "section": section_a}
    b = {"documents": ids_b, "section": section_b}
    sides = {"a": args.a, "b": args.b}
    print(f"A = {args.a}; B = {args.b}; differences are B − A, log ratios A over B", file=sys.stderr)
    if args.themes:
        table = emphasis_shift(fs, a, b, share=args.share, unit=args.unit, n_resamples=args.resamples,
                               seed=args.seed).assign(**sides)
        _emit(table[COMPARE_THEME_COLUMNS], args.format)
        return
    # One table, one FDR family (every term tested), whatever is shown: --significant and --top only hide rows.
    table = compare_terms(fs, a, b, statistic=args.statistic, alpha=args.alpha)
    family = int(table["fdr_family_size"].iloc[0]) if len(table) else 0
    if args.significant:
        table = table[table["significant"]]
    if args.top:
        column = {"logratio": "log_ratio", "fightin": "fightin_z", "simplemaths": "log_ratio"}.get(
            args.statistic, args.statistic)
        table = top_keyness(table, n=args.top, statistic=column, drop_low_expected=False)
    print(f"p_fdr: Benjamini–Hochberg over the {family:,} terms with at least 5 tokens on the two sides together; "
          f"{len(table):,} row(s) shown", file=sys.stderr)
    if args.significant and table.empty:
        print(f"no term is significant at FDR {args.alpha:g} between A and B", file=sys.stderr)
    table = table.assign(**sides)
    _emit(table[["a", "b"] + [c for c in table.columns if c not in ("a", "b")]], args.format)


def cmd_report(args: argparse.Namespace) -> None:
    from analysis.output.report import run_notebooks

    from analysis.output.export import read_figure_manifest

    path = run_notebooks(study=args.study, corpus=args.corpus, document=args.document, out=args.out,
                         strict=args.strict, progress=True)
    manifest = read_figure_manifest(path.parent)
    pdf = path.with_suffix(".pdf")
    also = f" and {pdf.name}" if pdf.is_file() else ""
    print(f"report written to {path}{also}; {len(manifest)} figures listed in {path.parent / 'manifest.csv'}",
          file=sys.stderr)
    _emit(manifest, args.format)  # the figures written, one row each


def cmd_profiles_build(args: argparse.Namespace) -> None:
    from pathlib import Path

    from analysis.profiles import PROFILE_TABLES, build_profiles, profiles_dir
    from analysis.settings import Settings

    out = Path(args.out) if args.out else profiles_dir()
    table = build_profiles(list(args.paths), out=out, settings=Settings(), progress=_progress_wanted(),
                           workers=args.workers)  # no progress bar in a log file or a pipe
    size = sum((out / f).stat().st_size for f in PROFILE_TABLES.values())
    print(f"wrote the profiles of {len(table)} documents to {out} ({size:,} bytes)", file=sys.stderr)
    _emit(table, args.format)


def cmd_profiles_list(args: argparse.Namespace) -> None:
    from analysis.profiles import list_profiles

    _emit(list_profiles(args.directory), args.format)


def _add_profiles(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profiles", help="build or list reference profiles (counts of documents, no text)",
                       description="Reference profiles: the counts of documents without their text.")
    actions = p.add_subparsers(dest="action", required=True, metavar="action")
    b = actions.add_parser("build", help="profile the documents of PATH... into --out",
                           description="Load the documents, compute their profiles and write them (Parquet) "
                                       "into --out; prints one row per profile written.")
    b.set_defaults(func=cmd_profiles_build)
    b.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of documents (e.g. ../shared/corpora)")
    b.add_argument("--out", default=None, help="profiles folder (default: corpus/profiles/)")
    b.add_argument("--workers", type=int, default=1, help="processes computing features (default 1)")
    b.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
    ls = actions.add_parser("list", help="one row per profiled document",
                            description="One row per profiled document: id, title, date, year, level, kind, "
                                        "collection, han_chars, tokens, sentences, announced, source.")
    ls.set_defaults(func=cmd_profiles_list)
    ls.add_argument("directory", nargs="?", default=None, metavar="DIR", help="profiles folder (default: corpus/profiles/)")
    ls.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
def cmd_echo(args: argparse.Namespace) -> None:
    """``echo SPEECH SOURCES...``: the passages of SPEECH that relay a source (or, against profiles, its formulas)."""
    from analysis.stats import relay

    documents = _load([args.speech], args)
    ids = documents["id"].astype(str).tolist()
    speech = args.document or ids[0]
    if speech not in ids:
        raise KeyError(f"{args.speech}: no speech with id {speech!r}; ids: {ids[:20]}")
    profiles = [s for s in args.sources if s == "profiles"]
    files = [s for s in args.sources if s != "profiles"]
    mode = args.mode if args.mode != "auto" else ("formula" if profiles and not files else "passage")
    if mode == "passage":
        if profiles:
            raise ValueError("echo --mode passage needs full texts: name files or folders of sources, not profiles "
                             "(profiles carry no text; use --mode formula)")
        sources = _load(files, args)
        own = documents[documents["id"].astype(str) == speech]
        both = pd.concat([own, sources[~sources["id"].astype(str).isin([speech])]], ignore_index=True)
        table = relay.echo(both, speech, before_only=args.before_only, similarity=args.similarity,
                           min_han=args.min_han)
        if args.shares:
            table = relay.relay_shares(table, both, speech)
    else:
        from analysis.features import combine
        from analysis.profiles import load_profiles

        fs = _features(documents[documents["id"].astype(str) == speech], args)
        refs = []
        if profiles:
            refs.append(load_profiles(collection=["speeches"], settings=fs.settings))
        if files:
            refs.append(_features(_load(files, args), args))
        fs = combine(fs, *refs) if refs else fs
        table = relay.formula_relay(fs, speech, before_only=True)  # a formula is taken up from an earlier text
    _say(f"echo: {mode} mode ({'aligned passages of full texts' if mode == 'passage' else 'formulas and rare terms'}"
         f"), {len(table)} rows")
    _emit(table, args.format, extra={"mode": mode} if args.format == "json" else None)


def cmd_formulas(args: argparse.Namespace) -> None:
    """``formulas discover PATH...``: candidate formulas with their first and last dated appearance."""
    from analysis.stats.formulas import discover_formulas

    if args.action != "discover" or not args.paths:
        raise ValueError("usage: python -m analysis formulas discover PATH... [--min-docs N] [--min-count N]")
    table = discover_formulas(_load(args.paths, args), min_docs=args.min_docs, min_count=args.min_count)
    if args.new_only:
        table = table[~table["in_dictionary"]].reset_index(drop=True)
    _emit(table, args.format)


def cmd_glossary(args: argparse.Namespace) -> None:
    from analysis import paths
    from analysis.results import glossary, write_glossary

    if args.write:
        path = write_glossary(paths.project_root() / "docs" / "glossary.md")
        print(f"glossary written to {path}", file=sys.stderr)
    _emit(glossary(), args.format)


def cmd_frequencies(args: argparse.Namespace) -> None:
    from analysis.text import segment

    if args.write:
        path = segment.write_frequency_table()
        print(f"frequency table written to {path}", file=sys.stderr)
    _emit(segment.load_frequency_table(), args.format)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m analysis``."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    def add_compute(p: argparse.ArgumentParser) -> None:
        p.add_argument("--hmm", action="store_true", help="let jieba guess unknown words (HMM)")
        p.add_argument("--workers", type=int, default=1,
                       help="processes computing features, and terms' frequencies of each batch of a folder "
                            "(default 1; with --backend dask and no --scheduler: the workers of a local cluster)")
        p.add_argument("--backend", choices=["local", "dask"], default="local",
                       help="local (this machine) or dask (dask.distributed; see README)")
        p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="with --backend dask: a running scheduler, e.g. tcp://10.0.0.5:8786 "
                            "(default: a local cluster for this run)")

    def add(name: str, func: Callable, help_text: str, *, paths: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        if paths:
            p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of speeches")
        p.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
        p.add_argument("--keep-going", action="store_true",
                       help="load what can be loaded and report bad files on stderr instead of stopping")
        p.add_argument("--simplified", action="store_true",
                       help="convert every text to simplified characters (default: only texts written "
                            "in traditional characters)")
        p.add_argument("--keep-traditional", action="store_true",
                       help="keep texts written in traditional characters as they are")
        p.add_argument("--max-document-mb", type=float, default=None, metavar="MB",
                       help="refuse a single document larger than MB mebibytes (default 64; 0: no limit)")
        return p

    p = add("corpus", cmd_corpus, "one row per document: metadata, Han characters, paragraphs, redactions, encoding; "
            "`corpus import SRC... --out DIR [--dedupe]` writes a clean corpus folder")
    p.add_argument("--out", default=None, metavar="DIR", help="with `corpus import`: the folder to write")
    p.add_argument("--dedupe", action="store_true",
                   help="with `corpus import`: keep one copy of each speech found more than once")
    add("outline", cmd_outline, "the outline nodes of each document and the announced number of points")
    p = add("terms", cmd_terms, "term frequencies by document or by outline section")
    p.add_argument("--by", default="document",
                   help="document; section (a node with its sub-points); node (a node's own text); "
                        "or a metadata column (default document)")
    p.add_argument("--top", type=int, default=0, help="keep the N most frequent terms per group")
    p.add_argument("--keep-stopwords", action="store_true", help="count stopwords too")
    add_compute(p)
    p = add("kwic", cmd_kwic, "keyword in context: every hit of TERM with its outline path and raw offsets", paths=False)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders, then the term")
    p.add_argument("--window", type=int, default=20, help="characters of context on each side (default 20)")
    p = add("themes", cmd_themes, "theme coverage by document, outline section or a metadata column (e.g. year)")
    p.add_argument("--by", default="document",
                   help="document; section (a node with its sub-points); node (a node's own text); "
                        "or a metadata column such as year or kind (default document)")
    add_compute(p)
    p = add("network", cmd_network, "co-occurrence network of theme-lexicon terms or themes: edges (or --nodes), "
            "or with --against the edges gained and lost; PATH may be a profiles folder")
    p.add_argument("--document", action="extend", nargs="+", metavar="ID", default=[],
                   help="the documents pooled into the network (default: all; with --against: side A)")
    p.add_argument("--against", action="extend", nargs="+", metavar="ID", default=[],
                   help="side B: print the difference network B against A (edges gained, lost, kept)")
    p.add_argument("--layer", choices=["term", "theme"], default="term", help="nodes: lexicon terms or themes")
    p.add_argument("--unit", choices=["sentence", "paragraph"], default="sentence",
                   help="the unit two items share (profiles: sentence)")
    p.add_argument("--measure", choices=["jaccard", "pmi", "g2"], default="jaccard", help="edge weight")
    p.add_argument("--min-count", type=int, default=2, help="fewest units a pair must share (default 2)")
    p.add_argument("--nodes", action="store_true", help="print the nodes with their Louvain communities")
    add_compute(p)
    p = add("dispersion", cmd_dispersion, "where terms or themes fall along each speech: one row per sentence "
            "holding them, with its outline path and position 0-1 (themes: profiles folders too)", paths=False)
    p.add_argument("items", nargs="*", metavar="TERM... PATH...",
                   help="the terms, then files or folders (the first existing path ends the terms)")
    p.add_argument("--theme", action="extend", nargs="+", metavar="NAME", help="themes of the lexicon to place")
    p.add_argument("--inside", action="store_true", help="count a term inside longer tokens too")
    p.add_argument("--dp", action="store_true",
                   help="one row per speech and item: Gries's dispersion DP across the outline's parts (a term's "
                        "hits are its occurrences, inside longer tokens too)")
    p.add_argument("--level", type=int, default=1, help="with --dp: outline level of the parts (default 1)")
    p = add("first", cmd_first, "where terms or themes first appear in each speech: outline path, sentence, "
            "position 0-1 and order (themes: profiles folders too)", paths=False)
    p.add_argument("items", nargs="*", metavar="TERM... PATH...",
                   help="the terms, then files or folders (the first existing path ends the terms)")
    p.add_argument("--theme", action="extend", nargs="+", metavar="NAME", help="themes of the lexicon to place")
    p = add("ngrams", cmd_ngrams, "n-grams: runs of N consecutive terms within a sentence, by document, section, "
            "node or a metadata column (needs texts: profiles hold no token order)")
    p.add_argument("--n", type=int, default=2, help="terms per n-gram (default 2)")
    p.add_argument("--by", default="document",
                   help="document; node (an outline node's own text); or a metadata column (default document)")
    p.add_argument("--min-count", type=int, default=2, help="fewest hits of an n-gram (default 2)")
    p.add_argument("--top", type=int, default=0, help="keep the N most frequent n-grams per group")
    p.add_argument("--keep-stopwords", action="store_true", help="let n-grams run through stopwords")
    add_compute(p)
    p = add("collocations", cmd_collocations, "collocations: pairs of terms within --window terms of each other in a "
            "sentence, with PMI and signed G² (needs texts: profiles hold no token order)")
    p.add_argument("--term", default=None, help="only the collocates of this term (default: every pair once)")
    p.add_argument("--window", type=int, default=5, help="largest distance in terms (default 5)")
    p.add_argument("--min-count", type=int, default=3, help="fewest co-occurrences of a pair (default 3)")
    p.add_argument("--statistic", choices=["g2", "pmi"], default="g2", help="sort by (default g2)")
    p.add_argument("--top", type=int, default=0, help="keep the N highest pairs")
    p.add_argument("--keep-stopwords", action="store_true", help="count stopwords as terms")
    add_compute(p)
    p = add("similarity", cmd_similarity, "Jensen–Shannon divergence and cosine similarity of every pair of speeches "
            "(or of each speech to --document) on one vocabulary; PATH may be a profiles folder")
    p.add_argument("--on", choices=["terms", "themes"], default="terms", help="term counts or theme hits")
    p.add_argument("--document", default=None, metavar="ID", help="every other speech's distance from this one, "
                                                                   "nearest first")
    p.add_argument("--min-count", type=int, default=5,
                   help="vocabulary: terms with at least this many tokens over the speeches (default 5)")
    add_compute(p)
    p = add("codes", cmd_codes, "coding rules (corpus/lexicon/codes.yaml) cross-tabulated by section or a metadata "
            "column: coded units, expected counts, adjusted residuals (or --tests: chi2 per code)")
    p.add_argument("--codes", default=None, metavar="FILE", help="a codes file (default corpus/lexicon/codes.yaml)")
    p.add_argument("--by", default="section", help="section, path, document or a metadata column (default section)")
    p.add_argument("--unit", choices=["sentence", "node"], default="sentence", help="what a rule is applied to")
    p.add_argument("--tests", action="store_true", help="print one chi2 test per code instead of the cells")
    p = add("track", cmd_track, "terms, formulas and themes per period: occurrences, tokens, theme hits, rates",
            paths=False)
    p.add_argument("items", nargs="*", metavar="TERM... PATH...",
                   help="the terms to track, then files or folders (the first existing path ends the terms)")
    p.add_argument("--theme", action="extend", nargs="+", metavar="NAME",
                   help="one or more themes of the lexicon to track; an unknown name is an error that lists the themes")
    p.add_argument("--by", default="year", help="year, decade, congress, kind, level or a metadata column (default year)")
    p.add_argument("--pool", action="store_true", help="pool documents of different kinds in one period")
    add_compute(p)
    p = add("compare", cmd_compare, "keyness of terms (or, with --themes, the theme shift) of A against B",
            paths=False)
    p.add_argument("a", metavar="A", help="file, folder or speech id, optionally #SECTION (e.g. speech.txt#三)")
    p.add_argument("b", metavar="B", help="file, folder or speech id, optionally #SECTION")
    p.add_argument("--statistic", "--measure", dest="statistic", default="g2",
                   choices=["g2", "chi2", "logratio", "fightin", "simplemaths"],
                   help="keyness statistic that sorts the table and gives p (default g2; --measure is an old alias)")
    p.add_argument("--top", type=int, default=0, help="keep the N most key terms on each side")
    p.add_argument("--significant", action="store_true",
                   help="only terms significant at the false discovery rate --alpha (Benjamini–Hochberg; "
                        "Fisher's exact test where expected counts are below 5)")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="level of the significant column and of --significant (default 0.05)")
    p.add_argument("--themes", action="store_true",
                   help="theme shift B − A with bootstrap intervals instead of keyness")
    p.add_argument("--share", choices=["tokens", "han", "sentences"], default="tokens",
                   help="theme share for --themes (default tokens)")
    p.add_argument("--unit", choices=["sentence", "paragraph"], default="sentence",
                   help="bootstrap unit for --themes (default sentence)")
    p.add_argument("--resamples", type=int, default=2000, help="bootstrap replicates for --themes (default 2000)")
    p.add_argument("--seed", type=int, default=20240, help="bootstrap seed for --themes")
    p.add_argument("--corpus", default=None, help="folder where speech ids are looked up (default: corpus/); "
                                                  "the reference speeches are searched too")
    add_compute(p)
    _add_profiles(sub)
    p = add("echo", cmd_echo, "the passages of SPEECH that relay a source (exact or edited), each with the earliest "
            "source, its date and level and the lag; against profiles, the formulas and rare terms it takes up",
            paths=False)
    p.add_argument("speech", metavar="SPEECH", help="file or folder holding the local speech")
    p.add_argument("sources", nargs="+", metavar="SOURCES",
                   help="files or folders of full texts, or the word profiles (the shipped 80 speeches, counts only)")
    p.add_argument("--document", default=None, help="id of the speech when SPEECH holds several")
    p.add_argument("--mode", choices=["auto", "passage", "formula"], default="auto",
                   help="passage (aligned text; needs full texts) or formula (formulas and rare terms; works on "
                        "profiles); auto: formula when the only source is profiles")
    p.add_argument("--shares", action="store_true", help="passage mode: the share of each section that relays, "
                                                          "by source level, instead of the passages")
    p.add_argument("--before-only", action="store_true", help="passage mode: only sources dated on or before the "
                                                               "speech (formula mode always)")
    p.add_argument("--similarity", type=float, default=85.0, help="lowest alignment similarity, 0-100 (default 85)")
    p.add_argument("--min-han", type=int, default=10, help="shortest passage in Han characters (default 10)")
    p = add("formulas", cmd_formulas, "formulas discover PATH...: candidate formulas (number-led and recurring "
            "strings with stable boundaries), each with its first and last dated appearance", paths=False)
    p.add_argument("action", choices=["discover"], help="discover")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of texts")
    p.add_argument("--min-docs", type=int, default=3, help="fewest documents holding a candidate (default 3)")
    p.add_argument("--min-count", type=int, default=5, help="fewest occurrences (default 5)")
    p.add_argument("--new-only", action="store_true", help="only candidates the dictionary does not hold")
    p = sub.add_parser("report", help="run every notebook and write figures/ and the HTML report",
                       description="Run every notebook on a corpus, write the figures and report.html, "
                                   "and print the figure manifest (one row per figure).")
    p.set_defaults(func=cmd_report)
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="format of the printed manifest")
    p.add_argument("--study", default=None, metavar="FILE",
                   help="a study file (YAML): the speeches in focus, groups, comparisons, sections "
                        "(default: the corpus folder's study.yaml, else every speech of the corpus folder compared "
                        "with the others and with matching reference speeches)")
    p.add_argument("--corpus", default=None, help="corpus folder for the notebooks (default: the study's, else corpus/)")
    p.add_argument("--out", default=None, help="output folder (default: figures/)")
    p.add_argument("--document", default=None,
                   help="id of the speech the single-speech notebooks study (default: the study's first in focus)")
    p.add_argument("--strict", action="store_true",
                   help="stop at any part that cannot run for these speeches (default: skip it, list it at the "
                        "top of the report and on stderr)")
    p = sub.add_parser("glossary", help="every column the project writes: what it counts, its unit, its meaning",
                       description="Print the glossary of columns (declared in analysis/results.py); --write "
                                   "writes docs/glossary.md from it.")
    p.set_defaults(func=cmd_glossary)
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
    p.add_argument("--write", action="store_true", help="write docs/glossary.md")
    p = sub.add_parser("frequencies", help="the frequency each dictionary entry is given (both engines load the same)",
                       description="Print the frequency table of the dictionary's entries; --write recomputes it "
                                   "with jieba and stores it beside the dictionary (run it after editing the dictionary).")
    p.set_defaults(func=cmd_frequencies)
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
    p.add_argument("--write", action="store_true", help="recompute the table and store it beside the dictionary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command in ("track", "dispersion", "first") and not any(x.startswith("-") for x in extra if x != "--"):
        args.items += [x for x in extra if x != "--"]  # TERM... --theme NAME [--] PATH...: paths after an option
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "kwic":
        if len(args.paths) < 2:
            parser.error("kwic needs at least one PATH and then the TERM")
        args.term = args.paths[-1]
        args.paths = args.paths[:-1]
    from analysis.io.corpus import CorpusError
    from analysis.plots.fonts import FontError
    from analysis.output.report import ReportError

    try:
        args.func(args)
    except BrokenPipeError:
        return 0
    except ReportError as exc:
        print(f"report failed: {exc}", file=sys.stderr)
        return 1
    except (CorpusError, FontError, OSError, ValueError, KeyError) as exc:  # ProfileError is a ValueError
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        _say(f"error: {message}")
        return 2
    return 0
