"""The one writer to ``figures/``: each chart as PNG, SVG, PDF and HTML, its data as CSV.

:func:`export_figure` writes, for a figure named ``<notebook>_<name>`` (the *stem*):

===================  ==========================================================
``<stem>.png``       print scale (3× the layout size), via kaleido + Chromium
``<stem>.svg``       text kept as text, font family Noto Sans CJK SC
``<stem>.pdf``       via kaleido + Chromium (plotly figures only)
``<stem>.html``      the interactive chart; it loads ``plotly.min.js`` from the
                     same folder (no CDN, works offline; copy the folder whole),
                     fixed div id (= stem), so re-runs give the same file
``plotly.min.js``    plotly.js, once per folder (not 4.8 MB in every chart)
``<stem>.csv``       the table the chart draws (UTF-8 with BOM, so Excel reads
                     Chinese correctly; text cells that a spreadsheet would run
                     as a formula get a leading ``'``, see :mod:`analysis.output.csvsafe`)
``manifest.csv``     one row per stem, sorted by stem (replaced on re-run)
``findings.csv``     findings the notebooks record (:func:`record_findings`),
                     summarised at the top of the report
===================  ==========================================================

The :class:`Exported` that :func:`export_figure` returns displays, in a notebook, as the
interactive chart *and* a static PNG beside it (1× the layout size), so a notebook saved
with its outputs shows the chart on GitHub and in ``nbconvert --to html`` too, and the
report can number the figure and print its manifest caption under it.

Each kind of figure is one entry of :data:`analysis.output.figures.KINDS`, which says
which files it gives: a word cloud PNG and SVG (no Chromium needed), a networkx graph
GraphML and GEXF (for Gephi, R or networkx). More tables than the one drawn are written
beside it (``tables=``: ``<stem>.<key>.csv``, e.g. a network's nodes). Every string the
figure draws is first checked against the CJK font: a character that would print as a box
(a private-use or unassigned one, or one the font lacks) is shown as its code point
(:func:`analysis.output.figures.with_placeholders`, ``[U+E000]``), counted in
``Exported.placeholders`` and named in a warning; the export goes on.

Static formats come from one kaleido/Chromium process kept alive for the whole
Python process (started at the first render that the cache cannot answer, stopped at
exit; about 2–3 s to start, then a fraction of a second per format). Every static render
is cached under ``.cache/renders/`` (:func:`analysis.paths.cache_dir`), keyed by a hash of
the figure's spec, its size, scale and format and the plotly and kaleido versions: a chart
that did not change costs no Chromium the second time (:func:`render_cache_dir`). The
notebook's small PNG is the print PNG scaled down, not a render of its own. When no Chromium is found, one warning says
so and how to fix it; HTML and CSV are still written, and the manifest's ``skipped``
column records what was left out.

Every file is written atomically: all formats are rendered in memory first, then
each is written to a temporary file in the same folder and renamed over the old
one. A failure while rendering leaves every previous file untouched.

The folder is :func:`analysis.paths.figures_dir` (``ANALYSIS_FIGURES_DIR`` overrides it).
:func:`check_output_folder` tries it before anything is rendered (and
:func:`analysis.output.report.run_notebooks` before any notebook runs): a folder that
cannot be written is an :class:`OutputFolderError` naming it.

>>> safe_stem("01_overview", "top terms (jieba)")
'01_overview_top_terms_jieba'
>>> MANIFEST_COLUMNS[:4]
('stem', 'notebook', 'name', 'title')
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import io
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.output.csvsafe import restore_formulas, to_csv_text
from analysis.output.figures import PNG_SCALE, figure_kind, figure_strings, with_placeholders
from analysis.plots import fonts

__all__ = [
    "ExportWarning",
    "Exported",
    "MANIFEST_COLUMNS",
    "OutputFolderError",
    "PNG_SCALE",
    "atomic_write",
    "check_output_folder",
    "export_figure",
    "export_server",
    "figure_strings",
    "FINDINGS_COLUMNS",
    "NO_CHROMIUM",
    "find_chromium",
    "read_figure_manifest",
    "read_findings",
    "render_cache_dir",
    "render_counts",
    "render_key",
    "record_findings",
    "safe_stem",
    "start_export_server",
    "stop_export_server",
    "write_plotlyjs",
    "write_report",
    "write_report_pdf",
    "clear_findings",
]

STATIC_FORMATS = ("png", "svg", "pdf")
ALL_FORMATS = ("png", "svg", "pdf", "html")

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = (
    "stem",
    "notebook",
    "name",
    "title",
    "caption",
    "kind",
    "data",
    "files",
    "skipped",
    "documents",
    "settings",
)
"""Columns of ``figures/manifest.csv``. ``files`` and ``documents`` are ``;``-separated."""

CSV_ENCODING = "utf-8-sig"

NO_CHROMIUM = (
    "No Chromium found for static chart export (PNG/SVG/PDF); writing HTML and CSV only. "
    "Get a browser in any of these ways: Debian/Ubuntu `apt-get install chromium`; an installed "
    "Google Chrome, Chromium or Microsoft Edge, named by BROWSER_PATH (e.g. macOS "
    "'/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', Windows "
    "'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'); or, with internet, "
    "kaleido's own installer: `plotly_get_chrome` (in the environment's bin folder)."
)

FINDINGS = "findings.csv"
FINDINGS_COLUMNS = ("notebook", "figure", "order", "kind", "subject", "a", "b", "statistic", "value", "value_unit",
                    "ci_low", "ci_high", "p", "significant", "effect", "warnings", "text")
"""Columns of ``findings.csv``: one row per finding. ``figure`` is the chart's stem (the
report links the finding to it), ``text`` the sentence the report prints, ``significant``
``True``/``False`` (or empty for a plain note); the numbers are kept for scripts."""

NOTEBOOK_PNG_SCALE = 1
"""Scale of the static PNG shown beside the interactive chart in a notebook (1× layout size)."""


class ExportWarning(UserWarning):
    """Something was left out of an export (e.g. no Chromium, so no PNG)."""


class OutputFolderError(PermissionError):
    """The output folder cannot be written (read-only, not a folder, no permission).

    A ``PermissionError`` (an ``OSError``), raised before any work is done.
    """


def check_output_folder(directory: Path | str | None = None) -> Path:
    """Make sure files can be written in the output folder, before anything is rendered or run.

    Creates the folder when it is missing, then creates and removes a temporary file in it
    (permission bits alone would not tell: root ignores them, a read-only mount does not).

    Args:
        directory: The folder; default :func:`analysis.paths.figures_dir`.

    Returns:
        The folder.

    Raises:
        OutputFolderError: The folder cannot be created or written; the message names it.

    >>> import tempfile, pathlib
    >>> check_output_folder(pathlib.Path(tempfile.mkdtemp()) / "new").name
    'new'
    """
    folder = Path(directory) if directory is not None else paths.figures_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputFolderError(
            f"cannot write to the output folder {folder} ({reason}), so nothing was run or written. "
            "What to do: choose another folder (`python -m analysis report --out DIR`, or the environment "
            "variable ANALYSIS_FIGURES_DIR), or make this one writable") from None
    return folder


class Exported(dict):
    """What :func:`export_figure` wrote: format (``png``, ``csv``, ``manifest`` ...) → Path.

    Its repr names files only (no absolute paths), so displaying it in a notebook
    keeps outputs free of machine-specific paths.
    """

    def __init__(self, stem: str, files: dict[str, Path], skipped: str = "", *, title: str = "",
                 interactive: dict | None = None, png: bytes | Callable[[], bytes] | None = None,
                 placeholders: dict[str, int] | None = None):
        super().__init__(files)
        self.stem = stem
        self.skipped = skipped
        self.title = title
        self._interactive = interactive
        self._png = png
        #: Characters the font cannot draw → occurrences shown as a placeholder.
        self.placeholders = dict(placeholders or {})

    def __repr__(self) -> str:
        names = sorted(p.name for k, p in self.items() if k != "manifest")
        extra = f", skipped={self.skipped!r}" if self.skipped else ""
        if self.placeholders:
            extra += f", placeholders={sum(self.placeholders.values())}"
        return f"Exported(stem={self.stem!r}, files={names}{extra})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Display as the interactive chart plus a static PNG beside it (when rendered).

        The plain-text form names the figure only (no file list: it would depend on
        whether Chromium was found, and nbval compares it). The output's metadata
        carries the stem, which the report uses to number the figure and caption it.
        """
        import base64

        data: dict = {"text/plain": f"Figure: {self.title or self.stem} [{self.stem}]"}
        if self._interactive:
            data.update(self._interactive)
        png = self._png
        if callable(png):
            try:
                png = self._png = png()
            except Exception:  # noqa: BLE001 - the server stopped: show the interactive chart alone
                png = None
        if png:
            data["image/png"] = base64.b64encode(png).decode("ascii")
        return data, {"analysis": {"stem": self.stem}}


# --------------------------------------------------------------------------- names


def safe_stem(notebook: str, name: str) -> str:
    """Return the file stem ``<notebook>_<name>``, reduced to ``[A-Za-z0-9_-]``.

    A notebook given as a path or file name is reduced to its stem
    (``notebooks/01_overview.ipynb`` → ``01_overview``).

    Args:
        notebook: Notebook name (or path).
        name: Chart name within the notebook.

    Returns:
        The stem.

    Raises:
        ValueError: Nothing safe is left of ``notebook`` or ``name`` (e.g. all Chinese);
            use an ASCII name.

    >>> safe_stem("notebooks/02_themes.ipynb", "share-by-year")
    '02_themes_share-by-year'
    """
    return f"{_notebook_name(notebook)}_{_clean('name', str(name))}"


def _notebook_name(notebook: str) -> str:
    nb = Path(str(notebook)).name
    for suffix in (".ipynb", ".py"):
        if nb.endswith(suffix):
            nb = nb[: -len(suffix)]
    return _clean("notebook", nb)


def _clean(label: str, value: str) -> str:
    clean = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_-]+", "_", value)).strip("_-")
    if not clean:
        raise ValueError(
            f"export: the {label} {value!r} has no letters or digits usable in a file "
            "name; give an ASCII name such as 'top_terms'"
        )
    return clean


# --------------------------------------------------------------------------- files


def atomic_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    Readers see either the old file or the new one, never a partial file; when
    writing fails the old file is left as it was and the temporary file is removed.

    Args:
        path: Target file (its folder is created if needed).
        data: The bytes to write.

    Returns:
        ``path``.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write(target, "组织".encode()).read_text(encoding="utf-8")
    '组织'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _csv_bytes(data: pd.DataFrame | pd.Series) -> bytes:
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"export: data must be the DataFrame the chart draws, got {type(data).__name__}")
    # An unnamed index is row numbers (of a filtered table, too): not data. A named one (a pivot's) is written.
    named = any(name is not None for name in data.index.names)
    return to_csv_text(data, index=named).encode(CSV_ENCODING)


@contextlib.contextmanager
def _manifest_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder itself (no lock file is left behind)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_table(directory: Path | None, name: str, columns, *, empty_dtype) -> pd.DataFrame:
    """Read a CSV table of the figures folder as text (formula escaping undone), with exactly
    ``columns`` in order (a column the file lacks is ""); empty with ``columns`` if absent."""
    folder = Path(directory) if directory is not None else paths.figures_dir()
    file = folder / name
    if not file.is_file():
        return pd.DataFrame({c: pd.Series([], dtype=empty_dtype) for c in columns})
    table = restore_formulas(pd.read_csv(file, dtype=str, keep_default_na=False, encoding=CSV_ENCODING))
    for column in columns:
        if column not in table.columns:
            table[column] = ""
    return table[list(columns)]


def _write_table(folder: Path, name: str, table: pd.DataFrame) -> Path:
    """Write a CSV table of the figures folder atomically, formula-like text cells neutralised."""
    return atomic_write(folder / name, to_csv_text(table).encode(CSV_ENCODING))


def read_figure_manifest(directory: Path | None = None) -> pd.DataFrame:
    """Read ``figures/manifest.csv`` (empty table with the right columns if absent).

    Args:
        directory: Folder holding the manifest; default :func:`analysis.paths.figures_dir`.

    Returns:
        One row per exported figure, columns :data:`MANIFEST_COLUMNS`, all strings (as
        given to :func:`export_figure`: the ``'`` put before formula-like cells on
        writing is taken off again).

    >>> import tempfile, pathlib
    >>> list(read_figure_manifest(pathlib.Path(tempfile.mkdtemp())).columns) == list(MANIFEST_COLUMNS)
    True
    """
    return _read_table(directory, MANIFEST, MANIFEST_COLUMNS, empty_dtype=str)


def _update_manifest(folder: Path, row: dict) -> Path:
    with _manifest_lock(folder):
        table = read_figure_manifest(folder)
        table = table[table["stem"] != row["stem"]]
        table = pd.concat([table, pd.DataFrame([row], columns=list(MANIFEST_COLUMNS))], ignore_index=True)
        table = table.sort_values("stem", kind="stable").reset_index(drop=True)
        return _write_table(folder, MANIFEST, table)


def write_report(html: str, *, directory: Path | None = None, name: str = "report.html") -> Path:
    """Write the workbook report (HTML) into the figures folder, atomically.

    Used by :func:`analysis.output.report.run_notebooks`; kept here so that one module
    writes to ``figures/``.

    Args:
        html: The complete HTML document.
        directory: Target folder; default :func:`analysis.paths.figures_dir`.
        name: File name.

    Returns:
        Path of the written file.

    >>> import tempfile, pathlib
    >>> write_report("<html></html>", directory=pathlib.Path(tempfile.mkdtemp())).name
    'report.html'
    """
    folder = Path(directory) if directory is not None else paths.figures_dir()
    return atomic_write(folder / name, html.encode("utf-8"))


def write_report_pdf(html: Path, *, name: str = "report.pdf", timeout: float = 180,
                     page: str | None = None) -> Path | None:
    """Print the report (an HTML file) to PDF with headless Chromium, beside it, atomically.

    The page's print style (A4, charts scaled to the page, a page per notebook) applies.

    Args:
        html: The report file (``report.html``); the PDF is written into its folder.
        name: File name of the PDF.
        timeout: Seconds Chromium may take.
        page: HTML to print instead of ``html``'s own (the report's static variant, whose
            charts are images: no plotly.js to execute). It is written to a temporary file
            beside ``html`` (so relative links resolve), printed, and removed. Its PDF is
            kept in the render cache (:func:`render_cache_dir`) under a key of the page, the
            folder and the browser, so the same page is printed once (no Chromium the second time).

    Returns:
        Path of the PDF, or None when no Chromium is found (nothing is written, and a PDF
        left by an earlier run is removed, so it never disagrees with the HTML).

    Raises:
        RuntimeError: Chromium ran but wrote no PDF (its stderr's last line is given).
    """
    import subprocess

    html = Path(html).resolve()
    target = html.parent / name
    browser = find_chromium()
    if browser is None:
        target.unlink(missing_ok=True)
        return None
    key = _pdf_key(page, folder=html.parent, browser=browser) if page is not None else None
    if key is not None:
        with contextlib.suppress(OSError):
            data = _pdf_cache_path(key).read_bytes()
            if _is_pdf(data):  # the same page printed before: no Chromium started
                render_counts["cached"] += 1
                return atomic_write(target, data)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=html.parent)
    os.close(fd)
    printed = html
    if page is not None:
        fd, source = tempfile.mkstemp(prefix=".print-", suffix=".html", dir=html.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(page.encode("utf-8"))
        printed = Path(source)
    try:
        result = subprocess.run(
            [browser, *_PRINT_FLAGS, f"--print-to-pdf={tmp}", printed.as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        if not Path(tmp).is_file() or Path(tmp).stat().st_size == 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"Chromium ({browser}) wrote no PDF of {html.name}: {last}")
        os.chmod(tmp, 0o644)
        if key is not None and _is_pdf(data := Path(tmp).read_bytes()):
            with contextlib.suppress(OSError):
                atomic_write(_pdf_cache_path(key), data)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
        if printed != html:
            printed.unlink(missing_ok=True)
    return target


_PRINT_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                "--virtual-time-budget=30000")


def _pdf_key(page: str, *, folder: Path, browser: str) -> str:
    """The content key of a printed page: the page, the folder it is printed in (its links), the browser and flags.

    The printable page is self-contained (its charts are embedded SVG), so equal keys print
    equal PDFs; a rerun with nothing changed takes the PDF from the render cache.
    """
    import hashlib

    try:
        stat = Path(browser).resolve().stat()
        build = f"{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        build = "?"
    head = f"report pdf v{RENDER_CACHE_VERSION}; {browser} {build}; {' '.join(_PRINT_FLAGS)}; {folder}\n"
    return hashlib.sha256(head.encode("utf-8") + page.encode("utf-8")).hexdigest()


def _pdf_cache_path(key: str) -> Path:
    return render_cache_dir() / key[:2] / f"{key}.report.pdf"


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


# --------------------------------------------------------------------------- findings


def read_findings(directory: Path | None = None) -> pd.DataFrame:
    """Read ``findings.csv`` (an empty table with the right columns if there is none).

    Args:
        directory: Folder holding it; default :func:`analysis.paths.figures_dir`.

    Returns:
        One row per finding, columns :data:`FINDINGS_COLUMNS`, in notebook and ``order``
        order; numbers as floats, ``significant`` as True/False/None.

    >>> import tempfile, pathlib
    >>> list(read_findings(pathlib.Path(tempfile.mkdtemp())).columns) == list(FINDINGS_COLUMNS)
    True
    """
    table = _read_table(directory, FINDINGS, FINDINGS_COLUMNS, empty_dtype=object)
    for column in ("value", "ci_low", "ci_high", "p", "effect"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    table["order"] = pd.to_numeric(table["order"], errors="coerce").fillna(0).astype(int)
    table["significant"] = table["significant"].map({"True": True, "False": False}).astype(object)
    table["significant"] = table["significant"].where(table["significant"].notna(), None)
    return table.sort_values(["notebook", "order"], kind="stable").reset_index(drop=True)


def record_findings(findings: pd.DataFrame, *, notebook: str, figure: str = "",
                    directory: Path | None = None) -> Path:
    """Record a notebook's findings for the report's summary (``findings.csv`` beside the manifest).

    Every notebook can contribute: compute the finding rows from the numbers (e.g.
    :func:`analysis.output.findings.shift_findings` of an emphasis-shift table), then
    call this once per chart. The rows of the same notebook and figure are replaced, so
    a re-run never leaves stale findings; an empty table records that there is nothing
    to report for that chart (and removes older rows).

    Args:
        findings: One row per finding with a ``text`` column (the sentence the report
            prints, written from the numbers) and any of :data:`FINDINGS_COLUMNS`
            (``significant`` True/False puts significant ones first in the summary).
        notebook: Notebook name (or path); the same as given to :func:`export_figure`.
        figure: Chart name within the notebook (as given to :func:`export_figure`): the
            report links each finding to that figure. Empty for findings without one.
        directory: Folder; default :func:`analysis.paths.figures_dir`.

    Returns:
        Path of ``findings.csv``.

    Raises:
        KeyError: ``findings`` has no ``text`` column.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> rows = pd.DataFrame({"text": ["人才 gains 5 pp"], "significant": [True]})
    >>> _ = record_findings(rows, notebook="04_emphasis", figure="shift", directory=folder)
    >>> read_findings(folder)[["notebook", "figure", "text"]].values.tolist()
    [['04_emphasis', '04_emphasis_shift', '人才 gains 5 pp']]
    """
    if "text" not in findings.columns:
        raise KeyError(f"record_findings: the table needs a 'text' column; it has {list(findings.columns)}")
    folder = Path(directory) if directory is not None else paths.figures_dir()
    name = _notebook_name(notebook)
    stem = safe_stem(name, figure) if figure else ""
    rows = findings.copy()
    for column in FINDINGS_COLUMNS:
        if column not in rows.columns:
            rows[column] = ""
    rows["notebook"] = name
    rows["figure"] = stem
    rows["order"] = range(len(rows))
    rows = rows[list(FINDINGS_COLUMNS)].astype(object).where(rows[list(FINDINGS_COLUMNS)].notna(), "")
    with _manifest_lock(folder):
        table = read_findings(folder).astype(object)
        table = table[~((table["notebook"] == name) & (table["figure"] == stem))]
        table = pd.concat([table, rows], ignore_index=True) if len(table) else rows
        table = table.sort_values(["notebook", "figure", "order"], kind="stable")
        return _write_table(folder, FINDINGS, table)


def clear_findings(notebooks: Iterable[str], *, directory: Path | None = None) -> None:
    """Remove the findings of ``notebooks`` (before they run again); other rows stay.

    Args:
        notebooks: Notebook names (or paths).
        directory: Folder; default :func:`analysis.paths.figures_dir`.
    """
    folder = Path(directory) if directory is not None else paths.figures_dir()
    if not (folder / FINDINGS).is_file():
        return
    names = {_notebook_name(n) for n in notebooks}
    with _manifest_lock(folder):
        table = read_findings(folder).astype(object)
        table = table[~table["notebook"].isin(names)]
        _write_table(folder, FINDINGS, table)


# --------------------------------------------------------------------------- Chromium


def find_chromium() -> str | None:
    """Return the Chrome/Chromium binary kaleido will use, or None.

    ``BROWSER_PATH`` wins when set (and must name an executable file); otherwise the
    same search kaleido's browser driver (choreographer) makes: ``PATH``, then the
    usual install paths such as Debian's ``/usr/bin/chromium``.

    Returns:
        Path of the executable, or None when there is none.
    """
    override = os.environ.get("BROWSER_PATH")
    if override:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:  # pragma: no cover - kaleido is a dependency
        return None
    found = Chromium.find_browser(skip_local=False)
    return found if found and os.path.isfile(found) else None


class _Renderer:
    """A kaleido browser living in its own thread and event loop.

    kaleido's own ``start_sync_server()`` would do, except that when Chromium fails
    to start its worker thread dies silently and the next call waits forever; here
    start-up errors are raised to the caller and every call has a timeout. Its own
    loop also keeps it independent of a Jupyter kernel's running loop.
    """

    def __init__(self, browser: str, *, timeout: float = 120):
        import kaleido

        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido", daemon=True)
        self._thread.start()

        async def open_browser():
            k = kaleido.Kaleido(n=1, timeout=90, mathjax=False, path=browser)
            await k.open()
            return k

        try:
            self._kaleido = self._call(open_browser())
        except BaseException:
            self._stop_loop()
            raise

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(self.timeout)

    def render(self, spec: dict, *, fmt: str, width: int, height: int, scale: float) -> bytes:
        opts = dict(format=fmt, width=width, height=height, scale=scale)
        return self._call(self._kaleido.calc_fig(spec, opts=opts))

    def close(self) -> None:
        try:
            self._call(self._kaleido.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


_lock = threading.RLock()
_state: dict = {"renderer": None, "warned": False, "atexit": False}


def _warn_once(message: str) -> None:
    if not _state["warned"]:
        _state["warned"] = True
        warnings.warn(message, ExportWarning, stacklevel=3)


def start_export_server() -> bool:
    """Start the kaleido/Chromium process used for PNG, SVG and PDF (if not running).

    :func:`export_figure` calls this itself at the first static export; call it
    earlier only to pay the start-up cost (2–3 s) at a time of your choosing. The
    process lives until :func:`stop_export_server` or the end of the Python process.

    Returns:
        True when static export is available, False when no Chromium was found or it
        failed to start (one :class:`ExportWarning` says so, with the fix).
    """
    with _lock:
        if _state["renderer"] is not None:
            return True
        browser = find_chromium()
        if browser is None:
            _warn_once(NO_CHROMIUM)
            return False
        try:
            _state["renderer"] = _Renderer(browser)
        except Exception as error:  # noqa: BLE001 - reported, export continues without
            _warn_once(
                f"Chromium at {browser} failed to start ({type(error).__name__}: {error}); "
                "writing HTML and CSV only: check that `chromium --headless` runs, or set BROWSER_PATH."
            )
            return False
        if not _state["atexit"]:
            atexit.register(stop_export_server)
            _state["atexit"] = True
        return True


def stop_export_server() -> None:
    """Stop the kaleido/Chromium process if it is running (safe to call any time)."""
    with _lock:
        renderer, _state["renderer"] = _state["renderer"], None
        if renderer is not None:
            with contextlib.suppress(Exception):
                renderer.close()


@contextlib.contextmanager
def export_server() -> Iterator[bool]:
    """Context manager: keep one Chromium alive for a batch of exports, stop it after.

    Yields:
        Whether static export is available (see :func:`start_export_server`).
    """
    available = start_export_server()
    try:
        yield available
    finally:
        stop_export_server()


RENDER_CACHE_VERSION = "2"  # 2: PNGs stored losslessly recompressed
"""Part of every render-cache key: raise it when a change here alters what a render gives."""

_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF"}

#: Static renders answered from the cache and made by Chromium in this process (for tests and progress).
render_counts = {"cached": 0, "rendered": 0}


def render_cache_dir() -> Path:
    """Return the folder of cached static renders, ``<cache>/renders`` (:func:`analysis.paths.cache_dir`).

    Entries are named by their key (:func:`render_key`) and written atomically; a damaged or
    foreign entry is a miss. ``make clean-cache`` removes them all.

    >>> render_cache_dir().name
    'renders'
    """
    return paths.cache_dir() / "renders"


def render_key(spec: dict, *, fmt: str, width: int, height: int, scale: float) -> str:
    """Return the content key of one static render: a SHA-256 of the spec, size, scale, format and versions.

    Args:
        spec: The plotly figure as a dict (``Figure.to_dict()``).
        fmt: ``png``, ``svg`` or ``pdf``.
        width: Layout width in pixels.
        height: Layout height in pixels.
        scale: Pixels per layout pixel.

    Returns:
        64 hex digits; equal specs (whatever their key order) give equal keys.

    >>> a = render_key({"data": [], "layout": {"a": 1, "b": 2}}, fmt="png", width=900, height=520, scale=3)
    >>> a == render_key({"layout": {"b": 2, "a": 1}, "data": []}, fmt="png", width=900, height=520, scale=3)
    True
    >>> a == render_key({"data": [], "layout": {"a": 1, "b": 2}}, fmt="svg", width=900, height=520, scale=3)
    False
    """
    import hashlib
    import json
    from importlib import metadata

    import plotly
    from plotly.utils import PlotlyJSONEncoder

    try:
        kaleido_version = metadata.version("kaleido")
    except metadata.PackageNotFoundError:  # pragma: no cover - kaleido is a dependency
        kaleido_version = "none"
    head = (f"renders v{RENDER_CACHE_VERSION}; plotly {plotly.__version__}; kaleido {kaleido_version}; "
            f"{fmt}; {int(width)}x{int(height)} @{float(scale)}\n")
    body = json.dumps(spec, cls=PlotlyJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(head.encode("utf-8") + body.encode("utf-8")).hexdigest()


def _is_render(fmt: str, data: bytes) -> bool:
    """Whether ``data`` looks like a real render of ``fmt`` (what the cache stores and accepts)."""
    if fmt == "svg":
        return b"<svg" in data[:500]
    return data.startswith(_MAGIC.get(fmt, b"\0"))


def _cache_path(key: str, fmt: str) -> Path:
    return render_cache_dir() / key[:2] / f"{key}.{fmt}"


def _cached_render(spec: dict, *, fmt: str, width: int, height: int, scale: float) -> bytes | None:
    """The cached render for these inputs, or None."""
    path = _cache_path(render_key(spec, fmt=fmt, width=width, height=height, scale=scale), fmt)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not _is_render(fmt, data):
        return None
    render_counts["cached"] += 1
    return data


def _render_and_store(spec: dict, *, fmt: str, width: int, height: int, scale: float) -> bytes:
    """Render with the running server and store the result in the cache (an unwritable cache is skipped)."""
    data = _render_static(spec, fmt=fmt, width=width, height=height, scale=scale)
    render_counts["rendered"] += 1
    if fmt == "png" and _is_render(fmt, data):
        data = recompress_png(data)
    if _is_render(fmt, data):
        with contextlib.suppress(OSError):
            atomic_write(_cache_path(render_key(spec, fmt=fmt, width=width, height=height, scale=scale), fmt), data)
    return data


def recompress_png(png: bytes) -> bytes:
    """The same image, losslessly recompressed (zlib at its best level, filters chosen per image).

    Chromium writes PNGs for speed; recompressing saves about a quarter of the bytes of a
    chart and changes no pixel.

    >>> from PIL import Image
    >>> buffer = io.BytesIO(); Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, format="PNG", compress_level=0)
    >>> small = recompress_png(buffer.getvalue())
    >>> len(small) < len(buffer.getvalue()), Image.open(io.BytesIO(small)).getpixel((5, 5))
    (True, (200, 30, 30))
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image.load()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    smaller = buffer.getvalue()
    return smaller if len(smaller) < len(png) else png


def _reduced_png(png: bytes, factor: int) -> bytes:
    """The PNG scaled down by ``factor`` (the notebook's image from the print PNG: no render of its own)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image.load()
    if factor > 1:
        image = image.resize((max(1, round(image.width / factor)), max(1, round(image.height / factor))),
                             Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _render_static(spec: dict, *, fmt: str, width: int, height: int, scale: float) -> bytes:
    """Render a plotly figure dict to PNG/SVG/PDF bytes with the running server."""
    with _lock:
        renderer = _state["renderer"]
        if renderer is None:
            raise RuntimeError("export server not running; call start_export_server() first")
        return renderer.render(spec, fmt=fmt, width=width, height=height, scale=scale)


# --------------------------------------------------------------------------- figures


PLOTLY_JS = "plotly.min.js"
"""The one copy of plotly.js in a figures folder, loaded by every chart's HTML file."""


@functools.lru_cache(maxsize=1)
def _plotlyjs_bytes() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


def write_plotlyjs(folder: Path) -> Path:
    """Write ``plotly.min.js`` into ``folder`` unless the same bytes are already there.

    Args:
        folder: The figures folder.

    Returns:
        Path of the file.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_plotlyjs(folder).name, write_plotlyjs(folder).stat().st_size > 1_000_000
    ('plotly.min.js', True)
    """
    target = Path(folder) / PLOTLY_JS
    payload = _plotlyjs_bytes()
    try:
        same = target.stat().st_size == len(payload) and target.read_bytes() == payload
    except OSError:
        same = False
    return target if same else atomic_write(target, payload)


def _fingerprint(settings) -> str:
    if settings is None:
        return ""
    if isinstance(settings, str):
        return settings
    if hasattr(settings, "fingerprint"):
        return str(settings.fingerprint())
    raise TypeError(f"export: settings must be a Settings, a fingerprint string or None, not {type(settings).__name__}")


def _documents(documents: Iterable[str] | str) -> str:
    if isinstance(documents, str):
        documents = [documents]
    return ";".join(sorted({str(d) for d in documents}))


def export_figure(
    fig,
    name: str,
    *,
    notebook: str,
    data: pd.DataFrame,
    title: str = "",
    caption: str = "",
    documents: Iterable[str] = (),
    settings=None,
    directory: str | Path | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Exported:
    """Write a figure and the data it draws to ``figures/``, and record it in the manifest.

    The figure's kind (:data:`analysis.output.figures.KINDS`) says what is written: plotly
    figures give PNG (at :data:`PNG_SCALE`), SVG, PDF and self-contained HTML; word clouds
    PNG and SVG; networkx graphs GraphML and GEXF. ``<stem>.csv`` holds ``data``; the manifest row for
    the stem is replaced (rows stay sorted by stem). Files of this stem in a format not
    written this time (e.g. an old PNG when Chromium is now missing) are removed, so
    the folder always matches the manifest. The figure itself is not changed; a plotly
    figure whose layout names no font gets :data:`analysis.plots.fonts.CSS_FAMILY`.

    Args:
        fig: A figure of a kind in :data:`analysis.output.figures.KINDS`: a plotly ``Figure``, a
            generated ``wordcloud.WordCloud`` or a networkx graph.
        name: Chart name within the notebook (ASCII letters, digits, ``_``, ``-``).
        notebook: Notebook name, e.g. ``"01_overview"`` (a path is reduced to its stem).
        data: The table the chart draws (written as ``<stem>.csv``).
        title: Title for the manifest (default: none).
        caption: Caption for the manifest, one or two sentences.
        documents: Ids of the corpus documents the chart uses.
        settings: The :class:`analysis.settings.Settings` used (its fingerprint is
            recorded), or a fingerprint string, or None.
        directory: Output folder; default :func:`analysis.paths.figures_dir` (``figures/``,
            or ``ANALYSIS_FIGURES_DIR`` when set).
        tables: More tables behind the figure, key → table, written as ``<stem>.<key>.csv``
            (a network's nodes beside its edges).

    Returns:
        :class:`Exported`: format → Path for every file written, plus ``"manifest"``.
        Shown as a notebook cell's last value, it displays the interactive chart with a
        static PNG beside it (the PNG when Chromium is available).

    Raises:
        analysis.plots.fonts.GlyphError: Only when a placeholder itself cannot be drawn
            (nothing is written); a character the CJK font lacks is replaced, see above.
        OutputFolderError: The figures folder cannot be written (checked first).
        ValueError: ``notebook`` or ``name`` has no usable characters.
        TypeError: ``fig`` or ``data`` is of the wrong kind.
    """
    stem = safe_stem(notebook, name)
    folder = check_output_folder(Path(directory) if directory is not None else paths.figures_dir())
    kind = figure_kind(fig)
    fig, replaced = with_placeholders(fig)
    if replaced:
        shown = ", ".join(f"U+{ord(c):04X} ×{n}" for c, n in sorted(replaced.items()))
        warnings.warn(f"{stem}: {sum(replaced.values())} character(s) the font cannot draw are shown as "
                      f"placeholders ({shown})", stacklevel=2)
    strings = figure_strings(fig)
    if strings:  # a kind that draws no text of its own (a network for Gephi) needs no font
        fonts.check_glyphs(strings)
    csv = _csv_bytes(data)
    more = {f"{key}.csv": _csv_bytes(table) for key, table in (tables or {}).items()}
    rendered = kind.render(fig, stem=stem, title=title, statics=_static_images)
    # Everything is rendered: only now touch the folder.
    written = {fmt: atomic_write(folder / f"{stem}.{fmt}", payload) for fmt, payload in rendered.files.items()}
    if "html" in written:
        write_plotlyjs(folder)
    written["csv"] = atomic_write(folder / f"{stem}.csv", csv)
    written.update({fmt: atomic_write(folder / f"{stem}.{fmt}", payload) for fmt, payload in more.items()})
    row = {
        "stem": stem,
        "notebook": _notebook_name(notebook),
        "name": name,
        "title": title,
        "caption": caption,
        "kind": rendered.kind,
        "data": f"{stem}.csv",
        "files": ";".join(sorted(p.name for p in written.values())),
        "skipped": rendered.skipped,
        "documents": _documents(documents),
        "settings": _fingerprint(settings),
    }
    manifest = _update_manifest(folder, row)
    _remove_stale(folder, stem, written)
    return Exported(stem, {**written, "manifest": manifest}, rendered.skipped, title=title,
                    interactive=rendered.interactive, png=rendered.notebook_png, placeholders=replaced)


def _static_images(spec: dict, *, width: int, height: int) -> tuple[dict[str, bytes], str, Callable | None]:
    """PNG (at :data:`PNG_SCALE`), SVG and PDF of a plotly figure dict, from the render cache or Chromium.

    Returns:
        (format → bytes, what was skipped, a callable giving the notebook's PNG); no files and
        ``"png;svg;pdf (no Chromium)"`` when no Chromium is found and the cache cannot answer.
    """
    sizes = {fmt: dict(fmt=fmt, width=width, height=height, scale=PNG_SCALE if fmt == "png" else 1)
             for fmt in STATIC_FORMATS}
    cached = {fmt: _cached_render(spec, **size) for fmt, size in sizes.items()}
    if not (all(data is not None for data in cached.values()) or start_export_server()):
        return {}, "png;svg;pdf (no Chromium)", None
    # an unchanged chart is answered from the cache: no Chromium is started for it
    files = {fmt: cached[fmt] if cached[fmt] is not None else _render_and_store(spec, **size)
             for fmt, size in sizes.items()}
    # the static image beside the chart in a notebook: the print PNG scaled down, when displayed
    return files, "", functools.partial(_reduced_png, files["png"], max(1, PNG_SCALE // NOTEBOOK_PNG_SCALE))


def _remove_stale(folder: Path, stem: str, written: Mapping[str, Path]) -> None:
    """Remove files of this stem in formats not written this time, so the folder matches the manifest."""
    for fmt in ALL_FORMATS:
        if fmt not in written:
            (folder / f"{stem}.{fmt}").unlink(missing_ok=True)

