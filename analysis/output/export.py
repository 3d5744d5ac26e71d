"""The one writer to ``figures/``: each chart as PNG, SVG, PDF and HTML, its data as CSV.

:func:`export_figure` writes, for a figure named ``<notebook>_<name>`` (the *stem*):

===================  ==========================================================
``<stem>.png``       print scale (3× the layout size), via kaleido + Chromium
``<stem>.svg``       text kept as text, font family Noto Sans CJK SC
``<stem>.pdf``       via kaleido + Chromium (plotly figures only)
``<stem>.html``      self-contained: plotly.js inline (no CDN, works offline),
                     fixed div id (= stem), so re-runs give the same file
``<stem>.csv``       the table the chart draws (UTF-8 with BOM, so Excel reads
                     Chinese correctly; text cells that a spreadsheet would run
                     as a formula get a leading ``'``, see :mod:`analysis.output.csvsafe`)
``manifest.csv``     one row per stem, sorted by stem (replaced on re-run)
===================  ==========================================================

A word cloud gives PNG and SVG (no Chromium needed). Every string the figure draws
is first checked against the CJK font (:func:`analysis.plots.fonts.check_glyphs`): a
character that would print as a box stops the export.

Static formats come from one kaleido/Chromium process kept alive for the whole
Python process (started at the first export, stopped at exit; about 2–3 s to start,
then a fraction of a second per format). When no Chromium is found, one warning says
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
import io
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.output.csvsafe import restore_formulas, to_csv_text
from analysis.plots import fonts
from analysis.plots.charts import figure_strings, is_wordcloud

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
    "find_chromium",
    "read_manifest",
    "safe_stem",
    "start_export_server",
    "stop_export_server",
    "write_report",
]

PNG_SCALE = 3
"""PNG pixels per layout pixel: a 900×520 chart becomes 2700×1560 (about 300 dpi at 9 in)."""

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
    "No Chromium found for static chart export (PNG/SVG/PDF); writing HTML and CSV only: "
    "install it with `apt-get install chromium` or set BROWSER_PATH to a Chrome/Chromium binary."
)


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

    def __init__(self, stem: str, files: dict[str, Path], skipped: str = ""):
        super().__init__(files)
        self.stem = stem
        self.skipped = skipped

    def __repr__(self) -> str:
        names = sorted(p.name for k, p in self.items() if k != "manifest")
        extra = f", skipped={self.skipped!r}" if self.skipped else ""
        return f"Exported(stem={self.stem!r}, files={names}{extra})"


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
    plain_index = isinstance(data.index, pd.RangeIndex) and data.index.name is None
    return to_csv_text(data, index=not plain_index).encode(CSV_ENCODING)


@contextlib.contextmanager
def _manifest_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(folder / ".manifest.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_manifest(directory: Path | None = None) -> pd.DataFrame:
    """Read ``figures/manifest.csv`` (empty table with the right columns if absent).

    Args:
        directory: Folder holding the manifest; default :func:`analysis.paths.figures_dir`.

    Returns:
        One row per exported figure, columns :data:`MANIFEST_COLUMNS`, all strings (as
        given to :func:`export_figure`: the ``'`` put before formula-like cells on
        writing is taken off again).

    >>> import tempfile, pathlib
    >>> list(read_manifest(pathlib.Path(tempfile.mkdtemp())).columns) == list(MANIFEST_COLUMNS)
    True
    """
    folder = Path(directory) if directory is not None else paths.figures_dir()
    file = folder / MANIFEST
    if not file.is_file():
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in MANIFEST_COLUMNS})
    table = restore_formulas(pd.read_csv(file, dtype=str, keep_default_na=False, encoding=CSV_ENCODING))
    for column in MANIFEST_COLUMNS:
        if column not in table.columns:
            table[column] = ""
    return table[list(MANIFEST_COLUMNS)]


def _update_manifest(folder: Path, row: dict) -> Path:
    with _manifest_lock(folder):
        table = read_manifest(folder)
        table = table[table["stem"] != row["stem"]]
        table = pd.concat([table, pd.DataFrame([row], columns=list(MANIFEST_COLUMNS))], ignore_index=True)
        table = table.sort_values("stem", kind="stable").reset_index(drop=True)
        return atomic_write(folder / MANIFEST, to_csv_text(table).encode(CSV_ENCODING))


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


def _render_static(spec: dict, *, fmt: str, width: int, height: int, scale: float) -> bytes:
    """Render a plotly figure dict to PNG/SVG/PDF bytes with the running server."""
    with _lock:
        renderer = _state["renderer"]
        if renderer is None:
            raise RuntimeError("export server not running; call start_export_server() first")
        return renderer.render(spec, fmt=fmt, width=width, height=height, scale=scale)


# --------------------------------------------------------------------------- figures


def _with_cjk_font(fig):
    """Return a plotly Figure copy whose layout names the CJK font (unchanged if it does)."""
    import plotly.graph_objects as go

    out = go.Figure(fig)
    if not out.layout.font.family:
        out.update_layout(font_family=fonts.CSS_FAMILY)
    return out


def _plotly_html(fig, stem: str, title: str) -> bytes:
    html = fig.to_html(
        include_plotlyjs=True,
        full_html=True,
        div_id=stem,
        config={
            "displaylogo": False,
            "responsive": True,
            "toImageButtonOptions": {"format": "png", "filename": stem, "scale": PNG_SCALE},
        },
    )
    head = f"<title>{_escape(title or stem)}</title>\n"
    head += f"    <style>body {{font-family: {fonts.CSS_FAMILY};}}</style>\n"
    html = html.replace("<head>\n", "<head>\n    " + head, 1)
    return html.encode("utf-8")


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _wordcloud_svg(wc) -> bytes:
    svg = wc.to_svg(embed_font=False)
    svg = re.sub(r"font-family:\s*'[^']*'", "font-family:" + _svg_family(), svg, count=1)
    return svg.encode("utf-8")


def _svg_family() -> str:
    names = [n.strip() for n in fonts.CSS_FAMILY.split(",")]
    return ",".join(n if n in {"sans-serif", "serif"} else f"'{n}'" for n in names)


def _wordcloud_png(wc) -> bytes:
    buffer = io.BytesIO()
    wc.to_image().save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


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
) -> Exported:
    """Write a figure and the data it draws to ``figures/``, and record it in the manifest.

    Plotly figures give PNG (at :data:`PNG_SCALE`), SVG, PDF and self-contained HTML;
    word clouds give PNG and SVG. ``<stem>.csv`` holds ``data``; the manifest row for
    the stem is replaced (rows stay sorted by stem). Files of this stem in a format not
    written this time (e.g. an old PNG when Chromium is now missing) are removed, so
    the folder always matches the manifest. The figure itself is not changed; a plotly
    figure whose layout names no font gets :data:`analysis.plots.fonts.CSS_FAMILY`.

    Args:
        fig: A plotly ``Figure`` or a generated ``wordcloud.WordCloud``.
        name: Chart name within the notebook (ASCII letters, digits, ``_``, ``-``).
        notebook: Notebook name, e.g. ``"01_overview"`` (a path is reduced to its stem).
        data: The table the chart draws (written as ``<stem>.csv``).
        title: Title for the manifest (default: none).
        caption: Caption for the manifest, one or two sentences.
        documents: Ids of the corpus documents the chart uses.
        settings: The :class:`analysis.settings.Settings` used (its fingerprint is
            recorded), or a fingerprint string, or None.

    Returns:
        :class:`Exported`: format → Path for every file written, plus ``"manifest"``.

    Raises:
        analysis.plots.fonts.GlyphError: A string in the figure has a character the CJK font
            lacks (nothing is written).
        OutputFolderError: The figures folder cannot be written (checked first).
        ValueError: ``notebook`` or ``name`` has no usable characters.
        TypeError: ``fig`` or ``data`` is of the wrong kind.
    """
    stem = safe_stem(notebook, name)
    folder = check_output_folder(paths.figures_dir())
    fonts.check_glyphs(figure_strings(fig))
    csv = _csv_bytes(data)

    rendered: dict[str, bytes] = {}
    skipped = ""
    if is_wordcloud(fig):
        kind = "wordcloud"
        rendered["png"] = _wordcloud_png(fig)
        rendered["svg"] = _wordcloud_svg(fig)
    elif hasattr(fig, "to_plotly_json"):
        kind = "plotly"
        from analysis.plots.charts import HEIGHT, WIDTH

        figure = _with_cjk_font(fig)
        if start_export_server():
            spec = figure.to_dict()
            width = int(figure.layout.width or WIDTH)
            height = int(figure.layout.height or HEIGHT)
            for fmt in STATIC_FORMATS:
                scale = PNG_SCALE if fmt == "png" else 1
                rendered[fmt] = _render_static(spec, fmt=fmt, width=width, height=height, scale=scale)
        else:
            skipped = "png;svg;pdf (no Chromium)"
        rendered["html"] = _plotly_html(figure, stem, title)
    else:
        raise TypeError(f"export: expected a plotly Figure or a WordCloud, got {type(fig).__name__}")

    # Everything is rendered: only now touch the folder.
    written: dict[str, Path] = {}
    for fmt, payload in rendered.items():
        written[fmt] = atomic_write(folder / f"{stem}.{fmt}", payload)
    written["csv"] = atomic_write(folder / f"{stem}.csv", csv)
    row = {
        "stem": stem,
        "notebook": _notebook_name(notebook),
        "name": name,
        "title": title,
        "caption": caption,
        "kind": kind,
        "data": f"{stem}.csv",
        "files": ";".join(sorted(p.name for p in written.values())),
        "skipped": skipped,
        "documents": _documents(documents),
        "settings": _fingerprint(settings),
    }
    manifest = _update_manifest(folder, row)
    for fmt in ALL_FORMATS:
        if fmt not in written:
            (folder / f"{stem}.{fmt}").unlink(missing_ok=True)
    return Exported(stem, {**written, "manifest": manifest}, skipped)

