"""Command line: ``python -m analysis <command> ... --format csv|json``.

Every command prints one tidy table to standard output (CSV by default, or JSON
records with ``--format json``); progress and warnings go to standard error, and a
problem with an input exits with status 2 and a message naming the file.

Commands:
    corpus PATH...                 one row per document: id, metadata, han_chars, paragraphs, redactions, encoding
    outline PATH...                outline nodes (path, level, number, title, offsets, han_chars, share, unheaded)
                                   and the announced count
    terms PATH... [--by document|section|COLUMN] [--top N]
    kwic PATH... TERM [--window N]
    themes PATH... [--by document|section|COLUMN]
                                   COLUMN: any metadata column (year, level, kind …): documents pooled per value
    compare A B [--measure g2|chi2|logratio|fightin|simplemaths] [--top N] [--significant] [--themes]
                                   A and B are files or folders, or ids of speeches in the corpus folder
                                   or the reference speeches, each optionally followed by ``#PATH`` to
                                   take one outline section, e.g. ``speech.txt#三`` or ``p-xi-2020-zzlx#第一``;
                                   --significant: only terms significant at the FDR (--alpha);
                                   --themes: theme shift B − A with bootstrap intervals
    report [--corpus DIR] [--out DIR] [--document ID]
                                   run the notebooks; print the manifest of the figures written

>>> build_parser().parse_args(["terms", "a.txt", "--top", "5"]).top
5
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

import pandas as pd


def _emit(table: pd.DataFrame, fmt: str, *, extra: dict | None = None) -> None:
    out = sys.stdout
    if fmt == "json":
        records = json.loads(table.to_json(orient="records", force_ascii=False))
        payload: object = records if extra is None else {**extra, "rows": records}
        json.dump(payload, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        table.to_csv(out, index=False, lineterminator="\n")


def _load(paths: Sequence[str], args: argparse.Namespace) -> pd.DataFrame:
    from analysis.io.corpus import load_corpus
    from analysis.settings import Settings

    settings = Settings(to_simplified=getattr(args, "simplified", False))
    if getattr(args, "keep_going", False):
        documents, problems = load_corpus(list(paths), settings=settings, on_error="collect")
        for row in problems.itertuples(index=False):
            print(f"warning: {row.file}: {row.problem} ({row.fix})", file=sys.stderr)
        return documents
    return load_corpus(list(paths), settings=settings)


def _features(documents: pd.DataFrame, args: argparse.Namespace):
    from dataclasses import replace

    from analysis.features import build_features
    from analysis.settings import Settings
    from analysis.stats.compare import with_year

    settings = Settings(hmm=getattr(args, "hmm", False), to_simplified=getattr(args, "simplified", False))
    fs = build_features(documents, settings=settings, progress=sys.stderr.isatty())
    return replace(fs, documents=with_year(fs.documents))  # year and decade for --by


def cmd_corpus(args: argparse.Namespace) -> None:
    from analysis.io.corpus import corpus_table

    _emit(corpus_table(_load(args.paths, args)), args.format)


def cmd_outline(args: argparse.Namespace) -> None:
    from analysis.text.outline import announced_table, outline_nodes_table

    documents = _load(args.paths, args)
    nodes = outline_nodes_table(documents)
    announced = announced_table(documents)
    if args.format == "json":
        extra = {"announced": json.loads(announced.to_json(orient="records", force_ascii=False))}
        _emit(nodes, "json", extra=extra)
    else:
        counts = announced.set_index("document")
        nodes = nodes.assign(
            announced=nodes["document"].map(counts["announced"]),
            found=nodes["document"].map(counts["found"]),
        )
        _emit(nodes, "csv")


def cmd_terms(args: argparse.Namespace) -> None:
    from analysis.stats.counts import term_frequencies

    fs = _features(_load(args.paths, args), args)
    table = term_frequencies(fs, by=args.by, stopwords=not args.keep_stopwords)
    if args.top:
        group = ["document", "path"] if args.by == "section" else [args.by]
        table = table.groupby(group, sort=False, group_keys=False).head(args.top).reset_index(drop=True)
    _emit(table, args.format)


def cmd_kwic(args: argparse.Namespace) -> None:
    from analysis.stats.counts import kwic

    table = kwic(_load(args.paths, args), args.term, window=args.window)
    _emit(table, args.format)


def cmd_themes(args: argparse.Namespace) -> None:
    from analysis.stats.themes import theme_coverage

    fs = _features(_load(args.paths, args), args)
    _emit(theme_coverage(fs, by=args.by), args.format)


def _side(spec: str) -> tuple[str, str | None]:
    path, _, section = spec.partition("#")
    return path, (section or None)


def _side_documents(spec: str, args: argparse.Namespace) -> pd.DataFrame:
    """The documents of one side of ``compare``: a file or folder, else a speech id."""
    from pathlib import Path

    if Path(spec).exists():
        return _load([spec], args)
    from analysis.settings import Settings
    from analysis.stats.compare import speech_documents

    known = speech_documents(corpus=args.corpus, settings=Settings(to_simplified=args.simplified))
    match = known[known["id"].astype(str) == spec]
    if match.empty:
        ids = ", ".join(str(i) for i in known["id"][:12]) + (" …" if len(known) > 12 else "")
        raise ValueError(f"{spec!r} is neither a file or folder nor the id of a speech in the corpus folder "
                         f"or the reference speeches (ids: {ids}); see python -m analysis corpus")
    return match.reset_index(drop=True)


COMPARE_THEME_COLUMNS = ["theme", "share_a", "share_b", "diff", "ci_low", "ci_high", "units_a", "units_b",
                         "label_zh", "hits_a", "hits_b", "significant", "measure", "unit", "n_resamples", "flag"]


def cmd_compare(args: argparse.Namespace) -> None:
    from analysis.stats.compare import significant_keyness, theme_shift
    from analysis.stats.keyness import compare_terms, top_keyness

    (path_a, section_a), (path_b, section_b) = _side(args.a), _side(args.b)
    # Each side is loaded on its own and its ids prefixed, so the same file may be both A and B
    # (two sections of one speech).
    docs_a = _side_documents(path_a, args)
    docs_b = _side_documents(path_b, args)
    docs_a = docs_a.assign(id=["A:" + str(i) for i in docs_a["id"]])
    docs_b = docs_b.assign(id=["B:" + str(i) for i in docs_b["id"]])
    fs = _features(pd.concat([docs_a, docs_b], ignore_index=True), args)
    a = {"documents": list(docs_a["id"]), "section": section_a}
    b = {"documents": list(docs_b["id"]), "section": section_b}
    if args.themes:
        table = theme_shift(fs, a, b, share=args.share, unit=args.unit, n_resamples=args.resamples, seed=args.seed)
        _emit(table[COMPARE_THEME_COLUMNS], args.format)
        return
    if args.significant:
        if args.measure not in ("g2", "chi2", "chi2_yates"):
            raise ValueError("--significant tests with g2 or chi2; choose --measure g2 or chi2")
        table = significant_keyness(fs, a, b, statistic=args.measure, alpha=args.alpha, top=args.top or None)
    else:
        table = compare_terms(fs, a, b, measure=args.measure)
        if args.top:
            by = {"logratio": "log_ratio", "fightin": "fightin_z", "simplemaths": "log_ratio"}.get(args.measure,
                                                                                               args.measure)
            table = top_keyness(table, n=args.top, by=by, drop_low_expected=False)
    _emit(table, args.format)


def cmd_report(args: argparse.Namespace) -> None:
    from analysis.output.report import run_notebooks

    from analysis.output.export import read_manifest

    path = run_notebooks(corpus=args.corpus, document=args.document, out=args.out, progress=True)
    manifest = read_manifest(path.parent)
    print(f"report written to {path}; {len(manifest)} figures listed in {path.parent / 'manifest.csv'}",
          file=sys.stderr)
    _emit(manifest, args.format)  # the figures written, one row each


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m analysis``."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    def add(name: str, func: Callable, help_text: str, *, paths: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        if paths:
            p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of speeches")
        p.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
        p.add_argument("--keep-going", action="store_true",
                       help="load what can be loaded and report bad files on stderr instead of stopping")
        p.add_argument("--simplified", action="store_true", help="convert traditional to simplified characters")
        return p

    add("corpus", cmd_corpus, "one row per document: metadata, Han characters, paragraphs, redactions, encoding")
    add("outline", cmd_outline, "the outline nodes of each document and the announced number of points")
    p = add("terms", cmd_terms, "term frequencies by document or by outline section")
    p.add_argument("--by", default="document", help="document, section, or a metadata column (default document)")
    p.add_argument("--top", type=int, default=0, help="keep the N most frequent terms per group")
    p.add_argument("--keep-stopwords", action="store_true", help="count stopwords too")
    p.add_argument("--hmm", action="store_true", help="let jieba guess unknown words (HMM)")
    p = add("kwic", cmd_kwic, "keyword in context: every hit of TERM with its outline path and raw offsets", paths=False)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders, then the term")
    p.add_argument("--window", type=int, default=20, help="characters of context on each side (default 20)")
    p = add("themes", cmd_themes, "theme coverage by document, outline section or metadata column")
    p.add_argument("--by", default="document",
                   help="document, section, or a metadata column such as year, level, kind (default document)")
    p.add_argument("--hmm", action="store_true", help="let jieba guess unknown words (HMM)")
    p = add("compare", cmd_compare, "keyness of terms (or, with --themes, the theme shift) of A against B",
            paths=False)
    p.add_argument("a", metavar="A", help="file, folder or speech id, optionally #SECTION (e.g. speech.txt#三)")
    p.add_argument("b", metavar="B", help="file, folder or speech id, optionally #SECTION")
    p.add_argument("--measure", choices=["g2", "chi2", "logratio", "fightin", "simplemaths"], default="g2")
    p.add_argument("--top", type=int, default=0, help="keep the N most key terms on each side")
    p.add_argument("--significant", action="store_true",
                   help="only terms significant at the false discovery rate --alpha (Benjamini–Hochberg; "
                        "Fisher's exact test where expected counts are below 5)")
    p.add_argument("--alpha", type=float, default=0.05, help="false discovery rate for --significant (default 0.05)")
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
    p.add_argument("--hmm", action="store_true", help="let jieba guess unknown words (HMM)")
    p = sub.add_parser("report", help="run every notebook and write figures/ and the HTML report",
                       description="Run every notebook on a corpus, write the figures and report.html, "
                                   "and print the figure manifest (one row per figure).")
    p.set_defaults(func=cmd_report)
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="format of the printed manifest")
    p.add_argument("--corpus", default=None, help="corpus folder for the notebooks (default: corpus/)")
    p.add_argument("--out", default=None, help="output folder (default: figures/)")
    p.add_argument("--document", default=None,
                   help="id of the speech the single-speech notebooks study (default: the seed if present, else the first)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except (CorpusError, FontError, OSError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0
