"""Run every notebook and assemble one self-contained HTML report.

:func:`run_notebooks` executes the workbook's notebooks (``notebooks/*.ipynb``, in
name order) with nbclient, in memory: the committed ``.ipynb`` files are read, never
rewritten. Each kernel runs with the notebooks folder as working directory and with

* ``ANALYSIS_CORPUS_DIR`` = the corpus to analyse (when given; read by
  :func:`analysis.paths.corpus_dir`), and
* ``ANALYSIS_FIGURES_DIR`` = the output folder (read by
  :func:`analysis.paths.figures_dir`, so every ``export_figure`` call lands there).

It shows one line per notebook and a progress bar over cells, stops at the first
failing cell with a :class:`ReportError` naming the notebook and the cell, and
writes ``<out>/report.html``: a table of contents, then each notebook's narrative
(markdown), tables, images and interactive plotly charts, code hidden. plotly.js is
included once, inline: the report opens offline, from any folder, in any browser.

:func:`build_report` does the assembly alone (for notebooks already executed).
``python -m analysis report [--corpus DIR] [--out DIR]`` calls :func:`run_notebooks`.

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 概览\\n\\n说明文字。")])
>>> html = build_report([("01_overview", nb)])
>>> "<h1" in html and "概览" in html and "Noto Sans CJK SC" in html
True
"""

from __future__ import annotations

import base64
import html as htmllib
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from analysis import paths
from analysis.plots import fonts

__all__ = ["ReportError", "build_report", "run_notebooks"]

REPORT_NAME = "report.html"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
HIDDEN_TAGS = {"remove-cell", "remove_cell", "hide-cell"}
HIDDEN_OUTPUT_TAGS = {"remove-output", "remove_output", "hide-output"}


class ReportError(RuntimeError):
    """A notebook failed while the report was being built.

    Attributes:
        notebook: File name of the failing notebook.
        cell: Index of the failing cell in the notebook (0-based, counting every cell,
            as ``nbformat`` does).
        error: Last line of the error (``"ValueError: ..."``).
    """

    def __init__(self, notebook: str, cell: int | None, error: str, *, source: str = ""):
        self.notebook = notebook
        self.cell = cell
        self.error = error
        where = f"{notebook}, cell {cell}" if cell is not None else notebook
        first = source.strip().splitlines()[0][:80] if source.strip() else ""
        shown = f" (`{first}`)" if first else ""
        super().__init__(
            f"{where}{shown} failed: {error}. Open the notebook in Jupyter and run it to see the full traceback."
        )


# --------------------------------------------------------------------------- running


def _notebook_list(notebooks: Iterable[str | Path] | None) -> list[Path]:
    if notebooks is None:
        found = sorted(paths.notebooks_dir().glob("*.ipynb"))
    else:
        found = [Path(n) for n in notebooks]
    missing = [str(p) for p in found if not p.is_file()]
    if missing:
        raise ReportError(missing[0], None, "FileNotFoundError: no such notebook")
    return found


def _last_line(error: BaseException) -> str:
    ename = getattr(error, "ename", None)
    evalue = getattr(error, "evalue", None)
    if ename:
        return f"{ename}: {evalue}" if evalue else str(ename)
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[-1] if lines else ''}".rstrip(": ")


def _kernel_config():
    """Kernel-manager settings: CurveZMQ encryption when available.

    Recent ipykernel warns on stderr about unencrypted TCP otherwise, once per notebook.
    """
    import zmq
    from traitlets.config import Config

    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config


def run_notebooks(
    notebooks: Iterable[str | Path] | None = None,
    *,
    corpus: str | Path | None = None,
    document: str | None = None,
    out: str | Path | None = None,
    progress: bool = True,
    timeout: int = 1200,
    kernel_name: str = "python3",
    title: str = "Organization-work speeches: workbook report",
) -> Path:
    """Execute the notebooks in memory and write one HTML report.

    Args:
        notebooks: Notebook files to run, in the order given; default every
            ``notebooks/*.ipynb`` sorted by name.
        corpus: Corpus folder for the notebooks (``ANALYSIS_CORPUS_DIR``); default the
            bundled ``corpus/``.
        document: Id of the speech the single-speech notebooks study
            (``ANALYSIS_DOCUMENT``, read by :func:`analysis.io.corpus.select_document`);
            default the seed speech when the corpus has it, else the corpus's first.
        out: Output folder for figures and the report (``ANALYSIS_FIGURES_DIR``);
            default :func:`analysis.paths.figures_dir`.
        progress: Print one line per notebook and a progress bar (on stderr).
        timeout: Seconds one cell may run.
        kernel_name: Jupyter kernel (``python3`` is the Python running this function).
        title: Title of the report.

    Returns:
        Path of the report, ``<out>/report.html``.

    Raises:
        ReportError: A notebook is missing, or a cell failed (the message names the
            notebook, the cell index and the error's last line); or ``corpus`` is not
            a folder.
        analysis.output.export.OutputFolderError: ``out`` cannot be written (checked
            before any notebook runs; the message names the folder).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from tqdm import tqdm

    files = _notebook_list(notebooks)
    env = dict(os.environ)
    if document is not None:
        env["ANALYSIS_DOCUMENT"] = str(document)
    if corpus is not None:
        corpus = Path(corpus).resolve()
        if not corpus.is_dir():
            raise ReportError(str(corpus), None, "NotADirectoryError: the corpus folder does not exist")
        env["ANALYSIS_CORPUS_DIR"] = str(corpus)
    out_dir = Path(out).resolve() if out is not None else paths.figures_dir().resolve()
    env["ANALYSIS_FIGURES_DIR"] = str(out_dir)
    from analysis.output.export import check_output_folder

    check_output_folder(out_dir)  # a read-only folder fails here, before any notebook runs

    config = _kernel_config()
    loaded = [(p, nbformat.read(p, as_version=4)) for p in files]
    total = sum(1 for _, nb in loaded for c in nb.cells if c.cell_type == "code")
    # The bar redraws in place on a terminal; in a log (CI, a pipe) only the per-notebook lines are printed.
    bar = tqdm(total=total, unit="cell", file=sys.stderr, disable=not (progress and sys.stderr.isatty()),
               leave=False, dynamic_ncols=True)
    executed = []
    try:
        for number, (path, nb) in enumerate(loaded, 1):
            bar.set_description(path.stem)
            current = {"cell": None}

            def started(cell, cell_index, **_):
                current["cell"] = cell_index

            def finished(cell, cell_index, **_):
                if cell.cell_type == "code":
                    bar.update(1)

            client = NotebookClient(
                nb,
                timeout=timeout,
                kernel_name=kernel_name,
                resources={"metadata": {"path": str(path.parent.resolve())}},
                on_cell_start=started,
                on_cell_executed=finished,
                record_timing=False,
                ipython_hist_file=":memory:",
                config=config,
            )
            began = time.perf_counter()
            try:
                client.execute(env=env)
            except CellExecutionError as error:
                index = current["cell"]
                source = nb.cells[index].source if index is not None else ""
                raise ReportError(path.name, index, _last_line(error), source=source) from error
            except Exception as error:  # timeout, dead kernel, missing kernel
                index = current["cell"]
                source = nb.cells[index].source if index is not None else ""
                raise ReportError(path.name, index, _last_line(error), source=source) from error
            if progress:
                cells = sum(1 for c in nb.cells if c.cell_type == "code")
                bar.write(
                    f"[{number}/{len(loaded)}] {path.name}: ok, {cells} code cells, "
                    f"{time.perf_counter() - began:.1f} s",
                    file=sys.stderr,
                )
            executed.append((path.stem, nb))
    finally:
        bar.close()

    from analysis.output import export

    manifest = export.read_manifest(out_dir)
    html = build_report(executed, title=title, figures=manifest, corpus=corpus)
    return export.write_report(html, directory=out_dir, name=REPORT_NAME)


# --------------------------------------------------------------------------- assembly


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "section"


class _Headings:
    """Collects headings while markdown is rendered, giving each a stable id."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.items: list[tuple[int, str, str]] = []

    def add(self, level: int, inner_html: str) -> str:
        anchor = f"{self.prefix}-h{len(self.items) + 1}"
        text = htmllib.unescape(re.sub(r"<[^>]+>", "", inner_html)).strip()
        self.items.append((level, text, anchor))
        return anchor


def _markdown(source: str, headings: _Headings) -> str:
    import mistune

    class Renderer(mistune.HTMLRenderer):
        def heading(self, text: str, level: int, **attrs) -> str:
            anchor = headings.add(level, text)
            return f'<h{level} id="{anchor}">{text}</h{level}>\n'

    md = mistune.create_markdown(
        renderer=Renderer(escape=False), plugins=["table", "strikethrough", "footnotes", "url"]
    )
    return md(source)


def _plotly_div(spec: dict, div_id: str) -> str:
    import plotly.io as pio

    fig = {"data": spec.get("data", []), "layout": spec.get("layout", {})}
    layout = fig["layout"]
    if isinstance(layout, dict) and not (layout.get("font") or {}).get("family"):
        layout = {**layout, "font": {**(layout.get("font") or {}), "family": fonts.CSS_FAMILY}}
        fig["layout"] = layout
    return pio.to_html(
        fig,
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        validate=False,
        default_height="auto",
        config={"displaylogo": False, "responsive": True},
    )


def _output_html(output, div_id: str, headings: _Headings) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        css = "stderr" if output.get("name") == "stderr" else "stdout"
        return f'<pre class="{css}">{htmllib.escape(_text(output.get("text")))}</pre>'
    if kind == "error":
        trace = "\n".join(output.get("traceback") or [])
        trace = re.sub(r"\x1b\[[0-9;]*m", "", trace)
        return f'<pre class="error">{htmllib.escape(trace)}</pre>'
    data = output.get("data") or {}
    if PLOTLY_MIME in data:
        spec = data[PLOTLY_MIME]
        if isinstance(spec, str):
            spec = json.loads(spec)
        return f'<div class="chart">{_plotly_div(spec, div_id)}</div>'
    if "text/html" in data:
        return f'<div class="html-output">{_text(data["text/html"])}</div>'
    if "image/svg+xml" in data:
        return f'<div class="image">{_text(data["image/svg+xml"])}</div>'
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            payload = _text(data[mime]).replace("\n", "")
            base64.b64decode(payload, validate=True)  # refuse to embed junk
            return f'<div class="image"><img alt="" src="data:{mime};base64,{payload}"></div>'
    if "text/markdown" in data:
        return f'<div class="markdown">{_markdown(_text(data["text/markdown"]), headings)}</div>'
    if "text/plain" in data:
        return f'<pre class="text">{htmllib.escape(_text(data["text/plain"]))}</pre>'
    return ""


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _notebook_title(name: str, nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if match:
                return match.group(1).strip()
    return name


def _figures_table(figures) -> str:
    if figures is None or len(figures) == 0:
        return ""
    rows = []
    for row in figures.itertuples():
        links = " ".join(
            f'<a href="{htmllib.escape(f)}">{htmllib.escape(f.rsplit(".", 1)[-1])}</a>'
            for f in str(row.files).split(";")
            if f
        )
        skipped = f' <span class="skipped">({htmllib.escape(row.skipped)})</span>' if row.skipped else ""
        rows.append(
            f"<tr><td><code>{htmllib.escape(row.stem)}</code></td><td>{htmllib.escape(row.title)}</td>"
            f"<td>{links}{skipped}</td></tr>"
        )
    return (
        '<section class="notebook" id="figures"><h1 id="figures-h1">Figures</h1>'
        "<p>Every exported chart, with its data (CSV) beside it; the files sit next to this report.</p>"
        "<table><thead><tr><th>file stem</th><th>title</th><th>files</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )


STYLE = """
:root { --ink: #1f2328; --muted: #59636e; --rule: #d8dee4; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font-family: %(family)s; color: var(--ink); margin: 0; line-height: 1.75;
       font-size: 16px; background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header.report h1 { font-size: 2rem; margin: 0 0 .25rem; }
header.report p { color: var(--muted); margin: 0 0 1.5rem; }
nav.toc { border: 1px solid var(--rule); border-radius: 6px; padding: .75rem 1.25rem; margin-bottom: 2rem; background: #f6f8fa; }
nav.toc ol { margin: .25rem 0; padding-left: 1.5rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
section.notebook { border-top: 3px solid var(--rule); padding-top: 1rem; margin-top: 2.5rem; }
h1, h2, h3, h4 { line-height: 1.35; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.35rem; margin-top: 2rem; } h3 { font-size: 1.15rem; }
p, li { text-align: justify; }
pre { background: #f6f8fa; border: 1px solid var(--rule); border-radius: 4px; padding: .6rem .8rem;
      overflow-x: auto; font-size: 13px; line-height: 1.5; white-space: pre-wrap; }
pre.stderr { background: #fff8e6; } pre.error { background: #ffebe9; }
table { border-collapse: collapse; border: 0; margin: .75rem 0; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { border: 0; border-bottom: 1px solid var(--rule); padding: .3rem .7rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td { text-align: right; } td:first-child, th:first-child { text-align: left; }
.html-output { overflow-x: auto; }
.chart { margin: 1rem 0; overflow-x: auto; }
.image img { max-width: 100%%; height: auto; }
.skipped { color: var(--muted); font-size: 13px; }
code { font-size: 90%%; }
"""


def build_report(
    notebooks: Sequence[tuple[str, object]],
    *,
    title: str = "Organization-work speeches: workbook report",
    figures=None,
    corpus: str | Path | None = None,
) -> str:
    """Assemble executed notebooks into one self-contained HTML page.

    Markdown cells become the narrative; code is hidden; outputs are kept: tables
    (``text/html``), images, text, and plotly charts (``application/vnd.plotly.v1+json``),
    which are drawn by plotly.js included once, inline. Cells tagged
    ``remove-cell`` are left out, outputs of cells tagged ``remove-output`` too.
    Chart div ids are ``nb<NN>-fig<MM>``, so the page is the same on every run.

    Args:
        notebooks: ``(name, notebook)`` pairs (an ``nbformat`` notebook with outputs).
        title: Page title.
        figures: The figure manifest (:func:`analysis.output.export.read_manifest`), listed at
            the end with links to the files; None leaves the list out.
        corpus: Corpus folder that was analysed (only its name is shown).

    Returns:
        The HTML document.
    """
    from plotly.offline import get_plotlyjs

    sections, toc = [], []
    for n, (name, nb) in enumerate(notebooks, 1):
        prefix = f"nb{n:02d}"
        headings = _Headings(prefix)
        parts: list[str] = []
        figure_count = 0
        for cell in nb.cells:
            tags = set((cell.get("metadata") or {}).get("tags") or [])
            if tags & HIDDEN_TAGS:
                continue
            if cell.cell_type == "markdown":
                parts.append(f'<div class="markdown">{_markdown(cell.source, headings)}</div>')
            elif cell.cell_type == "code" and not tags & HIDDEN_OUTPUT_TAGS:
                for output in cell.get("outputs") or []:
                    figure_count += 1 if PLOTLY_MIME in (output.get("data") or {}) else 0
                    parts.append(_output_html(output, f"{prefix}-fig{figure_count:02d}", headings))
        nb_title = _notebook_title(name, nb)
        top = [h for h in headings.items if h[0] == 1]
        anchor = top[0][2] if top else prefix
        toc_items = "".join(
            f'<li><a href="#{a}">{htmllib.escape(t)}</a></li>' for level, t, a in headings.items if level == 2
        )
        toc.append(
            f'<li><a href="#{anchor}">{htmllib.escape(nb_title)}</a> <small><code>{htmllib.escape(name)}</code></small>'
            + (f"<ol>{toc_items}</ol>" if toc_items else "")
            + "</li>"
        )
        heading = "" if top else f'<h1 id="{prefix}">{htmllib.escape(nb_title)}</h1>'
        sections.append(
            f'<section class="notebook" id="{prefix}-{_slug(name)}">{heading}{"".join(parts)}</section>'
        )
    figures_html = _figures_table(figures)
    if figures_html:
        toc.append('<li><a href="#figures-h1">Figures</a></li>')
    corpus_note = f" Corpus: <code>{htmllib.escape(Path(corpus).name)}</code>." if corpus else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{htmllib.escape(title)}</title>\n"
        f"<style>{STYLE % {'family': fonts.CSS_FAMILY}}</style>\n"
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        "</head>\n<body>\n<main>\n"
        f'<header class="report"><h1>{htmllib.escape(title)}</h1>'
        f"<p>{len(notebooks)} notebook(s), code hidden.{corpus_note}</p></header>\n"
        f'<nav class="toc"><strong>Contents</strong><ol>{"".join(toc)}</ol></nav>\n'
        + "\n".join(sections)
        + figures_html
        + "\n</main>\n</body>\n</html>\n"
    )
