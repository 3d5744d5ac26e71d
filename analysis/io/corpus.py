"""Load speeches from files and folders into Documents and one tidy table.

A *document* is one speech (or report, or regulation). It comes from a single file
(``.txt``, ``.md``, ``.docx``, a saved web page, a PDF with a text layer) or from one record
of a JSON Lines or CSV corpus; each format's reader is registered in one table,
:data:`analysis.io.formats.FORMATS`. The
loader decodes it, normalizes it (:func:`analysis.io.normalize.normalize`), and keeps
the raw text, the map back to it, the encoding used and a checksum. It never writes
anywhere, least of all to ``corpus/``.

Where the metadata comes from:

- A folder's ``manifest.csv`` (columns ``id, file, title, date, date_precision,
  level, region, speaker_role, occasion, source, sha256, note``; more columns become
  extra metadata). ``file`` is the path relative to the manifest's folder; the file
  must exist, lie inside that folder and, when ``sha256`` is given, match it.
- JSON Lines / CSV records: their own fields (``title``, ``date``/``year``, ``kind``,
  ``source_url``/``source_path`` …); a manifest row naming the whole file fills the
  fields the records leave empty.
- Otherwise what the file itself says: a page's title, date, source and address
  (:mod:`analysis.io.pages`); the date, occasion, speaker's role, level and kind read from
  the title and first lines (:mod:`analysis.io.infer`); the title is the first line when it
  reads like a title (short, unpunctuated), else the file name; a date (``2023``,
  ``2023-06``, ``2023年6月29日``) in the file name or title gives ``date`` with its
  precision. The ``inferred`` column lists the fields read from the text (only those the
  manifest left empty), and ``note`` says where title and date came from.

Identifiers: the file stem for a single file (or the manifest's ``id``); for JSON
Lines and CSV, the record's ``id`` field when present, else ``<file stem>:<n>`` with
``n`` the line number (JSONL) or data-row number (CSV, 1 = first row after the
header). Checksums: ``sha256`` is that of the file's bytes for a single file and of
the record's text encoded as UTF-8 for a JSONL/CSV record.

One folder rule for every file, however it was found (scanned in a folder, listed in
a manifest, named directly): it must resolve inside that folder (the manifest's folder;
for a file named directly, its own folder). A symbolic link leading elsewhere, or to
nothing, is refused and where it leads is never shown.

Limits: one document is at most :attr:`Settings.max_document_bytes` (64 MiB by
default): a file's size is checked before it is read, a ``.docx``'s declared unpacked
size and compression ratios before it is unpacked (:data:`MAX_ZIP_RATIO`), a JSON
Lines line while it is read (a longer one is never held whole), a CSV record's text
once read. UTF-8 CSV corpora are streamed a row at a time.

Errors: every problem (empty, binary or undecodable file, malformed JSONL line, CSV
without a text column, duplicate id, manifest row for a missing file or one outside
its folder, a link out of the folder, a document over the size limit, a Word file
that would inflate like a zip bomb, checksum mismatch, a Word part that cannot be unpacked, a
JSON record nested too deeply, a named pipe or device, a folder that cannot be read) is a
:class:`CorpusError` that names the file (and line or part) and says what to do; whatever else
a reader raises becomes one too (:func:`read_file`), so no input ends a load with a traceback.
By default the first one is raised; with ``on_error="collect"`` everything loadable loads
and the problems come back as a table. Nothing is dropped silently: what loads but was
changed or looks wrong (control characters removed from metadata, a text of punctuation or
redaction marks only, a file name that is not UTF-8) is said in a
:class:`analysis.io.guards.CorpusWarning` naming the file.

>>> docs = load_corpus(paths.corpus_dir())
>>> docs[["id", "level", "han_chars", "redactions", "encoding"]].values.tolist()
[['organization-work-speech', 'county-district', 5840, 9, 'utf-8']]
"""


import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths  # noqa: F401 (the examples use it)
from analysis.calendar import congress_dates, npc_session_years  # noqa: F401 (also importable from here)
from analysis.io import guards
from analysis.io.dating import _dated, date_documents
from analysis.io.decoding import decode_text
from analysis.io.document import (_DATA_DIRS, _DERIVED, _IGNORED_NAMES, _SUPPORTED_TEXT, DATING_COLUMNS, LEVELS,
                                  MANIFEST_COLUMNS, META_COLUMNS, PROBLEM_COLUMNS, CorpusError, Document, make_document)
from analysis.io.formats import format_for
from analysis.io.metadata import _display, _manifest_rows, _ManifestRow, read_manifest
from analysis.io.readers import _clip, _read_single
from analysis.settings import Settings
from analysis.types import ManifestArg, OnError, PathsArg, check_choice

__all__ = [
    "CorpusError",
    "DATING_COLUMNS",
    "Document",
    "LEVELS",
    "MANIFEST_COLUMNS",
    "META_COLUMNS",
    "PROBLEM_COLUMNS",
    "corpus_table",
    "date_documents",
    "select_document",
    "decode_text",
    "describe_paths",
    "iter_documents",
    "load_corpus",
    "make_document",
    "read_manifest",
]


# --------------------------------------------------------------------------- finding files


def _skipped(rel: Path) -> bool:
    parts = rel.parts
    if any(p.startswith((".", "~$")) for p in parts):
        return True
    if _DATA_DIRS & set(parts[:-1]):
        return True
    name = parts[-1].lower()
    return (name == "manifest.csv" or name.startswith("readme") or name in _IGNORED_NAMES
            or name.endswith((".yaml", ".yml")))


def _skipped_dir(rel: Path) -> bool:
    return any(p.startswith((".", "~$")) for p in rel.parts) or bool(_DATA_DIRS & set(rel.parts))


def _as_list(paths_arg: PathsArg) -> list[Path]:
    if isinstance(paths_arg, (str, Path)):
        return [Path(paths_arg)]
    return [Path(p) for p in paths_arg]


def _unreadable_error(path: Path, exc: OSError) -> CorpusError:
    return CorpusError(f"this folder or file cannot be read ({exc.strerror or exc}), so what it holds is not loaded",
                       file=_display(path), fix="check that you may read it (permissions), or move it out of the folder")


def _outside_error(path: Path, root: Path) -> CorpusError:
    """The refusal of a file or folder that resolves outside ``root`` (its target is not shown)."""
    shown = f"{_display(path.parent)}/{path.name}"  # the link itself, never where it leads
    if not path.exists():
        return CorpusError("this is a symbolic link to nothing (its target does not exist), so it is not read",
                           file=shown, fix="remove the link, or replace it with the file itself")
    return CorpusError(f"this leads outside the corpus folder {_display(root)} (a symbolic link), so it is not "
                       "read; where it leads is not shown",
                       file=shown, fix="copy the file into the corpus folder instead of linking to it")


def _plan(paths_arg: PathsArg, manifest: ManifestArg) -> Iterator[tuple[Path, _ManifestRow | None] | CorpusError]:
    """Yield the files to read, each with its manifest row, in a stable order."""
    explicit: dict[Path, _ManifestRow] | None = None
    if manifest not in (None, False):
        try:
            explicit = _manifest_rows(Path(manifest))
        except CorpusError as exc:
            yield exc
            return
    cache: dict[Path, dict[Path, _ManifestRow] | CorpusError] = {}

    def rows_of(folder: Path) -> dict[Path, _ManifestRow] | CorpusError:
        if explicit is not None:
            return explicit
        if manifest is False:
            return {}
        if folder not in cache:
            mpath = folder / "manifest.csv"
            try:
                cache[folder] = _manifest_rows(mpath) if mpath.is_file() else {}
            except CorpusError as exc:
                cache[folder] = exc
        return cache[folder]

    seen: set[Path] = set()
    for given in _as_list(paths_arg):
        if not given.exists():
            yield CorpusError("no such file or folder", file=guards.shown_name(str(given)),
                              fix="check the spelling; relative paths start from the current folder")
            continue
        kind = guards.special_kind(given)
        if kind is not None:
            yield _special_error(given, kind)
            continue
        if given.is_file():
            resolved = given.resolve()
            if not resolved.is_relative_to(given.parent.resolve()):
                yield _outside_error(given, given.parent.resolve())
                continue
            if given.name.lower() == "manifest.csv":
                yield CorpusError("this is a manifest, not a corpus file", file=_display(given),
                                  fix="pass the folder that holds it (or give it as manifest=...)")
                continue
            if resolved in seen:
                continue
            seen.add(resolved)
            rows = rows_of(resolved.parent)
            if isinstance(rows, CorpusError):
                yield rows
                rows = {}
            yield resolved, rows.get(resolved)
            continue
        folder = given.resolve()
        files: list[Path] = []
        listed: dict[Path, _ManifestRow] = {}
        # One rule for every file and folder found here: it must resolve inside the folder.
        # A symbolic link leading out of it is refused, and its target is never shown.
        entries, outside, unreadable = [], [], []
        for p in guards.walk_folder(folder, prune=_skipped_dir,
                                    problem=lambda where, exc: unreadable.append(_unreadable_error(where, exc))):
            rel = p.relative_to(folder)
            try:
                if _skipped_dir(rel.parent) or (_skipped_dir(rel) if p.is_dir() else _skipped(rel)):
                    continue
                if not p.exists() or not p.resolve().is_relative_to(folder):
                    outside.append(p)
                else:
                    entries.append(p)
            except OSError as exc:  # e.g. a folder that may be listed but not entered
                unreadable.append(_unreadable_error(p, exc))
        yield from unreadable
        for p in outside:
            yield _outside_error(p, folder)
        if explicit is not None:
            folders = [folder]
        else:
            folders = [folder] + [p for p in entries if p.is_dir()]
        for sub in folders:
            rows = rows_of(sub)
            if isinstance(rows, CorpusError):
                yield rows
                continue
            for target, row in rows.items():
                if explicit is not None and not target.is_relative_to(folder):
                    continue
                if target in listed and listed[target] is not row:
                    yield CorpusError(f"the file is listed in two manifests ({listed[target].manifest} and "
                                      f"{row.manifest})", file=_display(target),
                                      fix="keep one row for it, in the manifest of its own folder")
                    continue
                listed[target] = row
                if not target.is_file():
                    yield CorpusError(f"the manifest lists {row.values['file']!r}, but there is no such file",
                                      file=row.manifest, line=row.line, document=row.values.get("id") or None,
                                      fix="correct the file name in the manifest, add the file, or delete the row")
        special = 0
        for p in entries:
            if p.is_file():
                files.append(p.resolve())
            elif not p.is_dir():
                kind = guards.special_kind(p)
                if kind is not None:  # a pipe or device is never opened: it would wait forever or never end
                    special += 1
                    yield _special_error(p, kind)
        files += [t for t in listed if t.is_file() and t not in files]
        if not files and not outside and not special and not unreadable:
            yield CorpusError("the folder holds no documents", file=_display(folder),
                              fix=f"add {_SUPPORTED_TEXT} files")
            continue
        for p in files:
            if p in seen:
                continue
            seen.add(p)
            yield p, listed.get(p)


# --------------------------------------------------------------------------- public loaders


def _handler(on_error: OnError) -> Callable[[CorpusError], None]:
    if on_error == "raise":
        def raise_(exc: CorpusError) -> None:
            raise exc
        return raise_
    if callable(on_error):
        return on_error
    if on_error == "collect":
        raise ValueError("iter_documents() streams, so it cannot return a problems table: pass "
                         "on_error=problems.append (any callable taking a CorpusError), or use "
                         "load_corpus(..., on_error='collect')")
    raise ValueError(f"on_error must be 'raise' or a callable, not {on_error!r}")


def iter_documents(paths: PathsArg, *, manifest: ManifestArg = None, settings: Settings | None = None,
                   on_error: OnError = "raise") -> Iterator[Document]:
    """Stream the documents found in files and folders, one :class:`Document` at a time.

    Folders are scanned recursively for the files of :data:`analysis.io.formats.FORMATS`
    (``.txt .md .docx .html .shtml .mhtml .pdf .jsonl .csv`` …), in sorted
    order (``.md`` files are normalized with ``markdown=True``: heading marks and
    emphasis delimiters are dropped); ``manifest.csv``, ``README*``, ``*.yaml``, hidden files and anything under a
    ``lexicon/`` folder are skipped; any other file is reported as a problem (it may be
    a speech in a format this loader does not read, such as ``.rtf``; ``.doc`` is refused with
    what to do).
    JSON Lines files are read line by line; a UTF-8 CSV corpus row by row (another
    encoding is decoded once as a whole, since detecting it needs the whole file). A
    file or folder that resolves outside the folder it was found in (a symbolic link)
    is refused without showing where it leads.
    Each document is built by the pure :func:`make_document`.

    Args:
        paths: A file or folder, or a list of them.
        manifest: None: each folder's own ``manifest.csv`` (for a single file, the one
            beside it); a path: that manifest for every file (paths in it are relative to
            its folder); False: no manifest.
        settings: Normalization settings (default :class:`Settings`).
        on_error: ``"raise"`` (default: the first problem raises :class:`CorpusError`) or
            a callable that receives each :class:`CorpusError` while loading goes on
            (e.g. ``problems.append``).

    Returns:
        An iterator of :class:`Document`.

    Raises:
        CorpusError: With ``on_error="raise"``, at the first problem.
        ValueError: When ``on_error`` is neither ``"raise"`` nor callable.

    Example:
        >>> [d.id for d in iter_documents(paths.corpus_dir())]
        ['organization-work-speech']
    """
    report = _handler(on_error)
    settings = settings or Settings()
    return _iterate(paths, manifest=manifest, settings=settings, report=report)


def _iterate(paths_arg: PathsArg, *, manifest: ManifestArg, settings: Settings,
             report: Callable[[CorpusError], None]) -> Iterator[Document]:
    ids = IdRegister()
    for item in plan_files(paths_arg, manifest=manifest, report=report):
        for result in read_file(item, settings=settings, report=report):
            if ids.accept(result, report):
                yield result


def plan_files(paths: PathsArg, *, manifest: ManifestArg = None,
               report: Callable[[CorpusError], None] | None = None) -> Iterator[tuple[Path, Any]]:
    """The files :func:`iter_documents` reads, in its order, each with its manifest row (opaque).

    Problems found while planning (a bad manifest, a path outside its folder) go to
    ``report`` (default: raised). Each item can be handed to :func:`read_file`, in
    another process too: this is how workers read their own files.
    """
    report = report or _handler("raise")
    for item in _plan(paths, manifest):
        if isinstance(item, CorpusError):
            report(item)
        else:
            yield item


def read_file(item: tuple[Path, Any], *, settings: Settings | None = None,
              report: Callable[[CorpusError], None] | None = None) -> Iterator[Document]:
    """The documents of one planned file (:func:`plan_files`); its problems go to ``report`` (default: raised).

    A path that became a pipe or device since it was planned is not opened. Whatever a
    reader raises becomes a last CorpusError naming the file (the documents before it are
    kept). Each document leaves with control characters out of its id and metadata, and a
    :class:`analysis.io.guards.CorpusWarning` for what was changed or has no words.
    """
    report = report or _handler("raise")
    settings = settings or Settings()
    path, row = item
    fmt = format_for(path)
    if fmt is None:
        hint = (" (old Word format)" if path.suffix.lower() == ".doc" else "")
        report(CorpusError(f"files of type {guards.shown_name(path.suffix) or '(no extension)'!r}{hint} are not read",
                           file=_display(path),
                           fix=f"convert it to {_SUPPORTED_TEXT}, or move it out of the folder"))
        return
    kind = guards.special_kind(path)
    if kind is not None:  # replaced since it was planned: never opened (a pipe would wait forever)
        report(_special_error(path, kind))
        return
    _warn_name(path)
    results = fmt.load()(path, row, settings) if fmt.records else _read_single(path, row, settings, fmt)
    for result in _guarded(results, path):
        if isinstance(result, CorpusError):
            report(result)
        else:
            yield _checked(result)


def _guarded(results: Iterator[Document | CorpusError], path: Path) -> Iterator[Document | CorpusError]:
    """A reader's results; whatever it raises becomes one last CorpusError naming the file (no traceback)."""
    while True:
        try:
            result = next(results)
        except StopIteration:
            return
        except CorpusError as exc:
            yield exc.located(file=_display(path))
            return
        except Exception as exc:  # noqa: BLE001 - the last guard: no input may end the whole load
            reason = guards.shown_name(_clip(f"{type(exc).__name__}: {exc}", 200))
            yield CorpusError(f"the file could not be read ({reason}); the rest of it is not loaded",
                              file=_display(path),
                              fix="check the file (open and save it again in the program that made it); if it "
                                  "looks fine, report this message as a bug")
            return
        yield result


def _special_error(path: Path, kind: str) -> CorpusError:
    return CorpusError(f"this is {kind}, not a file, so it is not read", file=_display(path),
                       fix="pass the files of the speeches, or move it out of the corpus folder")


def _warn_name(path: Path) -> None:
    """Warn about a file name that is not UTF-8 (its id and shown name use \\xNN escapes)."""
    import warnings

    if guards.shown_name(path.name) == path.name:
        return
    gbk = guards.gbk_reading(path.name)
    hint = f" (in GB18030 it reads {guards.shown_name(gbk)!r}: rename the file so)" if gbk else ""
    warnings.warn(f"{_display(path)}: the file name is not UTF-8 or holds control characters; it is shown and "
                  f"named with \\xNN escapes{hint}", guards.CorpusWarning, stacklevel=4)


_WORDLESS_RE = re.compile(r"[^\W_]")


def _checked(document: Document) -> Document:
    """Control characters out of the id and metadata, and a word for a document with no words (warnings)."""
    import warnings

    meta, removed = guards.clean_metadata(document.meta)
    doc_id = guards.shown_name(document.id)
    if removed or doc_id != document.id:
        fields = sorted(removed) + (["id"] if doc_id != document.id else [])
        chars = sorted({c for cs in removed.values() for c in cs})
        said = f"control characters ({', '.join(chars)}) removed from {', '.join(fields)}" if chars else \
            "control characters in the id shown as \\xNN"
        meta["note"] = "; ".join(([meta["note"]] if meta.get("note") else []) + [said])
        warnings.warn(f"{document.source_path} (document {doc_id}): {said}", guards.CorpusWarning, stacklevel=4)
        document = dataclasses.replace(document, id=doc_id, meta=meta)
    if not _WORDLESS_RE.search(document.text):
        what = "redaction marks" if document.redactions else "punctuation or symbols"
        warnings.warn(f"{document.source_path} (document {document.id}): the text holds no Han characters, letters "
                      f"or digits, only {what}; it is loaded, but every count of it is zero",
                      guards.CorpusWarning, stacklevel=4)
    return document


class IdRegister:
    """Document ids seen so far: a second document with a used id is a problem, not a row."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}

    def accept(self, document: "Document", report: Callable[[CorpusError], None]) -> bool:
        if document.id in self.sources:
            report(CorpusError(f"the id {document.id!r} is already used by {self.sources[document.id]}",
                               file=document.source_path, document=document.id,
                               fix="give one of them another id (rename the file, set 'id' in the "
                                   "manifest, or give the record its own \"id\")"))
            return False
        self.sources[document.id] = document.source_path
        return True


def documents_frame(rows: list[dict]) -> pd.DataFrame:
    """The documents table of :func:`load_corpus` without its text columns, from ``Document.row(full=False)`` rows."""
    return _frame(rows, full=False)



_TABLE_TAIL = ("source_path", "encoding", "sha256", "redactions", "han_chars", "paragraphs",
               "lines_repaired", "to_simplified")


def _frame(rows: list[dict], *, full: bool) -> pd.DataFrame:
    meta_extra: list[str] = []
    for row in rows:
        for key in row:
            if key not in ("id", *META_COLUMNS, *DATING_COLUMNS, *_DERIVED) and key not in meta_extra:
                meta_extra.append(key)
    rows = [_dated(row) for row in rows]
    columns = ["id", *META_COLUMNS, *DATING_COLUMNS, *meta_extra]
    columns += ["text", "raw", *_TABLE_TAIL, "raw_offsets"] if full else list(_TABLE_TAIL)
    frame = pd.DataFrame(rows, columns=columns)
    frame["year"] = pd.array([row["year"] for row in rows], dtype="Int64")
    frame["sort_date"] = pd.to_datetime(pd.Series([row["sort_date"] for row in rows], dtype=object))
    for col in meta_extra:  # whole numbers with gaps stay whole numbers (congress 1, 3 … not 1.0)
        values = [v for v in (row.get(col) for row in rows) if v is not None]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            frame[col] = pd.array([row.get(col) for row in rows], dtype="Int64")
    for col in ("redactions", "han_chars", "paragraphs", "lines_repaired"):
        frame[col] = frame[col].astype("int64")
    frame["to_simplified"] = frame["to_simplified"].astype(bool)
    return frame


def _problems_frame(problems: list[CorpusError]) -> pd.DataFrame:
    frame = pd.DataFrame([p.as_row() for p in problems], columns=list(PROBLEM_COLUMNS))
    frame["line"] = frame["line"].astype("Int64")
    return frame


def _counted(documents: Iterator[Document], progress: bool) -> Iterator[Document]:
    """Pass documents through, counting them on standard error when ``progress`` is set."""
    if not progress:
        return documents
    import sys

    from tqdm import tqdm

    return iter(tqdm(documents, desc="loading", unit="doc", file=sys.stderr, dynamic_ncols=True))


def load_corpus(paths: PathsArg, *, manifest: ManifestArg = None, settings: Settings | None = None,
                on_error: str = "raise", progress: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load files and folders into one table, one row per document.

    Args:
        paths: A file or folder, or a list of them (see :func:`iter_documents`).
        manifest: As in :func:`iter_documents`.
        settings: Normalization settings (default :class:`Settings`).
        on_error: ``"raise"`` (default) or ``"collect"``.
        progress: Count the documents loaded on standard error (tqdm), for long loads
            such as a CSV of a million rows (the command line turns it on when standard
            error is a terminal).

    Returns:
        With ``on_error="raise"``, a DataFrame with columns ``id``, the
        :data:`META_COLUMNS` (``title, date, date_precision, level, region,
        speaker_role, occasion, source, note``), extra metadata fields in order of first
        appearance (e.g. ``kind, year, congress, source_url``; ``year`` is always there, an
        integer (Int64, <NA> when unknown; see :func:`date_documents`)), then ``text`` (normalized),
        ``raw``, ``source_path``, ``encoding``, ``sha256``, ``redactions``, ``han_chars``,
        ``paragraphs``, ``lines_repaired``, ``to_simplified`` and ``raw_offsets`` (arrays).
        With ``on_error="collect"``, the tuple ``(documents, problems)`` where
        ``problems`` has columns ``file, line, document, problem, fix``.

    Raises:
        CorpusError: With ``on_error="raise"``, at the first problem.
        ValueError: When ``on_error`` is not ``"raise"`` or ``"collect"``.

    Example:
        >>> docs = load_corpus(paths.corpus_dir() / "organization-work-speech.txt")
        >>> row = docs.iloc[0]
        >>> row["id"], row["date"], row["date_precision"], int(row["paragraphs"]), bool(row["to_simplified"])
        ('organization-work-speech', '2023', 'year', 26, False)
    """
    check_choice("on_error", on_error, ("raise", "collect"), caller="load_corpus")
    problems: list[CorpusError] = []
    handler = "raise" if on_error == "raise" else problems.append
    documents = _counted(iter_documents(paths, manifest=manifest, settings=settings, on_error=handler), progress)
    rows = [doc.row() for doc in documents]
    frame = _frame(rows, full=True)
    if on_error == "collect":
        return frame, _problems_frame(problems)
    return frame


def corpus_table(documents: pd.DataFrame | Iterable[Document]) -> pd.DataFrame:
    """The corpus overview: one row per document, without the texts.

    Args:
        documents: The table from :func:`load_corpus`, or Documents.

    Returns:
        DataFrame with ``id``, the metadata columns (standard and extra), then
        ``source_path, encoding, sha256, redactions, han_chars, paragraphs,
        lines_repaired, to_simplified``. No ``text``, ``raw`` or ``raw_offsets``.
        The input is not changed.

    Example:
        >>> table = corpus_table(load_corpus(paths.corpus_dir()))
        >>> "text" in table.columns, int(table["han_chars"].sum())
        (False, 5840)
    """
    if isinstance(documents, pd.DataFrame):
        drop = [c for c in ("text", "raw", "raw_offsets") if c in documents.columns]
        return documents.drop(columns=drop).reset_index(drop=True)
    return _frame([doc.row(full=False) for doc in documents], full=False)


def describe_paths(paths: PathsArg, *, manifest: ManifestArg = None, settings: Settings | None = None,
                   on_error: str = "raise", progress: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """The :func:`corpus_table` of any files or folders, streamed (texts are not kept).

    Meant for ``python -m analysis corpus PATH...``: memory holds one document at a time.

    Args:
        paths: A file or folder, or a list of them.
        manifest: As in :func:`iter_documents`.
        settings: Normalization settings (default :class:`Settings`).
        on_error: ``"raise"`` (default) or ``"collect"``.
        progress: Count the documents described on standard error (as in :func:`load_corpus`).

    Returns:
        The :func:`corpus_table` columns; with ``on_error="collect"`` the tuple
        ``(table, problems)`` as in :func:`load_corpus`.

    Raises:
        CorpusError: With ``on_error="raise"``, at the first problem.
        ValueError: When ``on_error`` is not ``"raise"`` or ``"collect"``.

    Example:
        >>> describe_paths(paths.corpus_dir())[["id", "paragraphs", "encoding"]].values.tolist()
        [['organization-work-speech', 26, 'utf-8']]
    """
    check_choice("on_error", on_error, ("raise", "collect"), caller="describe_paths")
    problems: list[CorpusError] = []
    handler = "raise" if on_error == "raise" else problems.append
    rows = [doc.row(full=False) for doc in
            _counted(iter_documents(paths, manifest=manifest, settings=settings, on_error=handler), progress)]
    table = _frame(rows, full=False)
    if on_error == "collect":
        return table, _problems_frame(problems)
    return table


def select_document(documents: pd.DataFrame, document: str | None = None, *, default: str | None = None) -> pd.DataFrame:
    """Pick the one document a notebook studies, as a one-row table.

    The choice, in order: ``document`` when given; else the environment variable
    ``ANALYSIS_DOCUMENT`` (``python -m analysis report --document ID`` sets it); else
    ``default`` when the corpus has it; else the corpus's first document. So the
    notebooks run unchanged on the bundled seed and on a researcher's own corpus.

    Args:
        documents: The table from :func:`load_corpus`. Not modified.
        document: A document id, or None to choose as above.
        default: The id to prefer when none is named (the notebooks pass the seed's).

    Returns:
        The document's row (all columns), index reset.

    Raises:
        ValueError: An empty table, or a named id that is not in it (the message lists
            the ids there are).

    Example:
        >>> docs = pd.DataFrame({"id": ["a", "b"], "text": ["甲", "乙"]})
        >>> select_document(docs, default="b")["id"].tolist(), select_document(docs, default="z")["id"].tolist()
        (['b'], ['a'])
    """
    if documents.empty:
        raise ValueError("the corpus has no document: add speeches to the corpus folder")
    ids = [str(i) for i in documents["id"]]
    wanted = document or os.environ.get("ANALYSIS_DOCUMENT") or None
    if wanted is None:
        wanted = default if default in ids else ids[0]
    if wanted not in ids:
        shown = ", ".join(ids[:20]) + (" …" if len(ids) > 20 else "")
        raise ValueError(f"document {wanted!r} is not in the corpus; its ids are: {shown}")
    return documents[documents["id"].astype(str) == wanted].reset_index(drop=True)
