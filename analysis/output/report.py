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
writes ``<out>/report.html`` (and ``<out>/report.pdf``, printed by Chromium): the
question, corpus, settings, date and a summary of findings first (each linking to
its figure), then each notebook's narrative, readable tables and numbered figures
with their captions, code hidden. plotly.js is included once, inline: the report
opens offline, from any folder, in any browser. Without Chromium it says on stderr
what was skipped and how to get a browser.

Findings: a notebook contributes to the summary by
``analysis.output.export.record_findings(rows, notebook=NOTEBOOK, figure="chart_name")``
(rows from :mod:`analysis.output.findings` or its own, with a ``text`` column); the
report reads ``<out>/findings.csv``.

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
    from tqdm import tqdm

    from analysis.output import export

    files = _notebook_list(notebooks)
    env, corpus, out_dir = _notebook_env(corpus=corpus, document=document, out=out)
    export.check_output_folder(out_dir)  # a read-only folder fails here, before any notebook runs
    loaded = [(p, nbformat.read(p, as_version=4)) for p in files]
    export.clear_findings([p.stem for p in files], directory=out_dir)  # the notebooks record them afresh
    static = export.find_chromium() is not None
    if progress and not static:
        _say_no_chromium(before=True)
    total = sum(1 for _, nb in loaded for c in nb.cells if c.cell_type == "code")
    # The bar redraws in place on a terminal; in a log (CI, a pipe) only the per-notebook lines are printed.
    bar = tqdm(total=total, unit="cell", file=sys.stderr, disable=not (progress and sys.stderr.isatty()),
               leave=False, dynamic_ncols=True)
    config = _kernel_config()
    executed = []
    try:
        for number, (path, nb) in enumerate(loaded, 1):
            bar.set_description(path.stem)
            began = time.perf_counter()
            _execute(path, nb, env=env, config=config, timeout=timeout, kernel_name=kernel_name, bar=bar)
            if progress:
                cells = sum(1 for c in nb.cells if c.cell_type == "code")
                bar.write(f"[{number}/{len(loaded)}] {path.name}: ok, {cells} code cells, "
                          f"{time.perf_counter() - began:.1f} s", file=sys.stderr)
            executed.append((path.stem, nb))
    finally:
        bar.close()
    path = _write_report(executed, out_dir=out_dir, corpus=corpus, document=document, title=title, static=static)
    if progress and not static:
        manifest = export.read_figure_manifest(out_dir)
        ran = manifest["notebook"].isin([p.stem for p in files])
        _say_no_chromium(before=False, charts=int((manifest.loc[ran, "skipped"] != "").sum()))
    return path


def _notebook_env(*, corpus: str | Path | None, document: str | None,
                  out: str | Path | None) -> tuple[dict, Path | None, Path]:
    """The notebooks' environment (corpus, document, figures folder) and the resolved folders.

    Raises:
        ReportError: when ``corpus`` is given and is not a folder.
    """
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
    return env, corpus, out_dir


def _execute(path: Path, nb, *, env: dict, config, timeout: int, kernel_name: str, bar) -> None:
    """Run one notebook in memory (its outputs are filled in); a failing cell becomes a ReportError naming it."""
    from nbclient import NotebookClient

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
    try:
        client.execute(env=env)
    except Exception as error:  # a failing cell (CellExecutionError), a timeout, a dead or missing kernel
        index = current["cell"]
        source = nb.cells[index].source if index is not None else ""
        raise ReportError(path.name, index, _last_line(error), source=source) from error


def _write_report(executed: list, *, out_dir: Path, corpus: Path | None, document: str | None, title: str,
                  static: bool) -> Path:
    """Assemble the report of the notebooks run (their figures and findings only) and write it, with its PDF."""
    from analysis.output import export
    from analysis.settings import Settings

    ran = {stem for stem, _ in executed}
    manifest = export.read_figure_manifest(out_dir)
    manifest = manifest[manifest["notebook"].isin(ran)].reset_index(drop=True)
    findings = export.read_findings(out_dir)
    findings = findings[findings["notebook"].isin(ran)].reset_index(drop=True)
    documents, chosen = _corpus_documents(corpus, document)
    notes = []
    if not static:
        skipped = int((manifest["skipped"] != "").sum())
        notes.append(f"No Chromium was found: {skipped} chart(s) were written as HTML and CSV only (no PNG, "
                     "SVG or PDF), the notebooks' static images and the PDF report were skipped.")
    html = build_report(executed, title=title, figures=manifest, findings=findings, corpus=corpus,
                        documents=documents, document=chosen, settings=Settings(), notes=notes)
    path = export.write_report(html, directory=out_dir, name=REPORT_NAME)
    export.write_report_pdf(path)  # report.pdf beside it (an old one is removed when there is no Chromium)
    return path


def _say_no_chromium(*, before: bool, charts: int = 0) -> None:
    """Tell the user on stderr what a missing browser leaves out, and every way to get one."""
    from analysis.output.export import NO_CHROMIUM

    if before:
        print(f"warning: {NO_CHROMIUM}", file=sys.stderr)
        return
    print(
        f"warning: no Chromium, so these were skipped: PNG, SVG and PDF of {charts} chart(s), the static "
        "images beside the notebooks' charts, and report.pdf (report.html and every CSV were written). "
        "Install a browser (`apt-get install chromium`; or Google Chrome / Microsoft Edge with BROWSER_PATH "
        "naming it; or `plotly_get_chrome` with internet) and run the report again.",
        file=sys.stderr,
    )


def _corpus_documents(corpus: Path | None, document: str | None):
    """The corpus's documents (metadata for the report's opening) and the speech studied."""
    from analysis.io.corpus import load_corpus, select_document

    folder = corpus if corpus is not None else paths.corpus_dir()
    try:
        documents, _ = load_corpus(folder, on_error="collect")
    except Exception:  # the notebooks already reported what was wrong; the opening then names the folder only
        return None, document
    chosen = document
    try:
        chosen = select_document(documents, document, default="organization-work-speech")["id"].iloc[0]
    except Exception:
        pass
    return documents.drop(columns=[c for c in ("raw", "raw_offsets") if c in documents.columns]), chosen




# --------------------------------------------------------------------------- assembly

QUESTION = (
    "How much of an organization-work speech, and of each of its sections, goes to each theme "
    "(talent 人才 versus the grassroots 基层, cadres, members, theory, discipline, loyalty, rural "
    "revitalization …), how is the speech organized, which terms and formulas (提法) carry it, and "
    "which shifts in emphasis between parts or speeches are larger than chance?"
)
"""The workbook's question, printed at the top of the report (``question=`` replaces it)."""

#: Column names whose values are shares (fractions) and are printed as percentages.
_SHARE_COLUMN = re.compile(r"(^|_)(share|percent_of)(_|$)|^share")
#: Columns printed as percentage points when the table also has share columns.
_PP_COLUMNS = {"delta", "ci_low", "ci_high"}
_MISSING = {"nan", "NaN", "None", "<NA>", "NaT"}
_NUMBER = re.compile(r"^[+\-−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?(e[+\-]?\d+)?%?$", re.I)


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
        # The toolbar is always shown, in the strip above the chart (see STYLE), never over a legend.
        config={"displaylogo": False, "responsive": True, "displayModeBar": True,
                "toImageButtonOptions": {"format": "png", "filename": div_id, "scale": 3}},
    )


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _notebook_title(name: str, nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if match:
                return match.group(1).strip()
    return name


def _short_paths(text: str) -> str:
    """Absolute paths of this machine → their last part (a report travels to other machines)."""
    return re.sub(r"(?<![\w.])(?:/[^\s/'\":,()]+){2,}/([^\s/'\":,()]+)", r"\1", text)


# ----------------------------------------------------------------- tables for reading


def _cell_text(cell) -> str:
    return re.sub(r"\s+", " ", cell.text_content()).strip()


def _header_names(rows) -> list[str]:
    """Column names of a pandas HTML table, one per column, joining multi-row headers."""
    grid: list[list[str]] = []
    for tr in rows:
        line: list[str] = []
        for cell in tr:
            if cell.tag not in ("th", "td"):
                continue
            span = int(cell.get("colspan", "1") or 1)
            line += [_cell_text(cell)] * span
        grid.append(line)
    width = max((len(line) for line in grid), default=0)
    names = []
    for col in range(width):
        parts = [line[col] for line in grid if col < len(line) and line[col]]
        names.append(" ".join(dict.fromkeys(parts)))
    return names


def _as_float(text: str) -> float | None:
    clean = text.replace(",", "").replace("−", "-")
    if not _NUMBER.match(text.replace("−", "-")) or clean.endswith("%"):
        return None
    try:
        return float(clean)
    except ValueError:
        return None


def _format_table(table, *, empty: str) -> str:
    """One pandas HTML table made readable: no index column, percentages, labels, classes for alignment."""
    from lxml import etree

    thead = table.find("thead")
    tbody = table.find("tbody")
    head_rows = list(thead) if thead is not None else []
    body_rows = [tr for tr in (tbody if tbody is not None else table) if tr.tag == "tr"]
    if not body_rows:
        return f'<p class="empty">{htmllib.escape(empty)}</p>'
    # The index: leading <th> cells of the body rows. A plain counter (0, 1, 5 …, unnamed) is noise.
    n_index = 0
    for cell in body_rows[0]:
        if cell.tag != "th":
            break
        n_index += 1
    drop_index = False
    if n_index == 1:
        head_first = [_cell_text(tr[0]) for tr in head_rows if len(tr)]
        labels = [_cell_text(tr[0]) for tr in body_rows if len(tr)]
        drop_index = all(h == "" for h in head_first) and all(re.fullmatch(r"-?\d+", v) for v in labels)
    if drop_index:
        for tr in head_rows + body_rows:
            if len(tr):
                tr.remove(tr[0])
        if head_rows and all(_cell_text(c) == "" for c in head_rows[-1]) and len(head_rows) > 1:
            thead.remove(head_rows[-1])
            head_rows = head_rows[:-1]
        n_index = 0
    names = _header_names(head_rows) if head_rows else []
    has_share = any(_SHARE_COLUMN.search(n.split(" ")[-1]) or _SHARE_COLUMN.search(n) for n in names)
    for tr in head_rows:
        for cell in tr:
            if cell.text and "_" in cell.text:
                cell.text = cell.text.replace("_", "_\u200b")  # headers may wrap at underscores
            if cell.text in fonts_labels():
                cell.text = fonts_labels()[cell.text]
    numeric_cols = [True] * len(names)
    for tr in body_rows:
        for col, cell in enumerate(tr):
            name = names[col] if col < len(names) else ""
            text = _cell_text(cell)
            if text in _MISSING:
                cell.text, text = "", ""
                for child in list(cell):
                    cell.remove(child)
            if text in fonts_labels():
                cell.text, text = fonts_labels()[text], fonts_labels()[text]
            value = _as_float(text)
            last = name.split(" ")[-1] if name else ""
            # the variable is the top header (a pivot's leaf row names categories, e.g. the share measure)
            if value is not None and _SHARE_COLUMN.search(name.split(" ")[0]) and -1.0 <= value <= 1.0 \
                    and cell.tag == "td":
                cell.text = f"{value * 100:.1f}%"
            elif value is not None and has_share and last in _PP_COLUMNS and cell.tag == "td" and abs(value) <= 1:
                cell.text = f"{value * 100:+.1f} pp".replace("-", "−")
            if text and value is None and cell.tag == "td":
                if col < len(numeric_cols):
                    numeric_cols[col] = False
                classes = "text" if len(text) > 14 else "label"
                cell.set("class", classes)
            elif value is not None and cell.tag == "td":
                cell.set("class", "num")
    for tr in head_rows:  # numeric columns' headers align with their numbers
        col = 0
        for cell in tr:
            span = int(cell.get("colspan", "1") or 1)
            if span == 1 and col < len(numeric_cols) and numeric_cols[col] and col >= n_index and tr is head_rows[-1]:
                cell.set("class", "num")
            col += span
    for attr in ("border", "class", "style"):
        table.attrib.pop(attr, None)
    columns = max(len(names), max(len(tr) for tr in body_rows))
    table.set("class", "data wide" if columns > 8 else "data")
    return etree.tostring(table, encoding="unicode", method="html")


def fonts_labels() -> dict[str, str]:
    """Outline parts as charts label them (``preamble`` → 开头), so tables and charts agree."""
    from analysis.plots.charts import PART_LABELS

    return PART_LABELS


def _tables_html(fragment: str, *, empty: str) -> str:
    """Every pandas table in an HTML output made readable (see :func:`_format_table`)."""
    import lxml.html

    if "<table" not in fragment:
        return fragment
    parts = lxml.html.fragments_fromstring(fragment)
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(htmllib.escape(part))
            continue
        if part.tag == "style":
            continue
        for style in part.iter("style"):
            style.getparent().remove(style)
        tables = [part] if part.tag == "table" else list(part.iter("table"))
        if not tables:
            out.append(lxml.html.tostring(part, encoding="unicode"))
            continue
        for table in tables:
            out.append(_format_table(table, empty=empty))
        tail = "".join(t.tail or "" for t in tables).strip()
        if tail:
            out.append(f"<p>{htmllib.escape(tail)}</p>")
    return "".join(out)


def _plain_html(text: str, *, empty: str) -> str:
    """A text/plain output as a reader wants it: dicts and Series as tables, no dtype lines or reprs."""
    import ast

    stripped = text.strip()
    if re.fullmatch(r"<[\w.]+ object at 0x[0-9a-f]+>", stripped) or re.fullmatch(r"\w+\(.*\)", stripped, flags=re.S) \
            and stripped.split("(")[0] in {"Exported", "FeatureSet", "Settings"}:
        return ""
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            value = ast.literal_eval(stripped)
        except (ValueError, SyntaxError):
            value = None
        if isinstance(value, dict):
            if not value:
                return f'<p class="empty">{htmllib.escape(empty)}</p>'
            rows = "".join(f'<tr><td class="label">{htmllib.escape(str(k))}</td>'
                           f'<td class="label">{htmllib.escape(_short_paths(str(v)))}</td></tr>'
                           for k, v in value.items())
            return f'<table class="data"><thead><tr><th>setting</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>'
    lines = stripped.splitlines()
    if lines and re.match(r"^(Name: .*, )?(Length: \d+, )?dtype: \w+$", lines[-1]):
        body = lines[:-1]
        pairs = [re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in body]
        if body and all(len(p) == 2 for p in pairs):
            rows = "".join(
                f'<tr><td class="label">{htmllib.escape(fonts_labels().get(k, k))}</td>'
                f'<td class="{"num" if _as_float(v) is not None else "label"}">{htmllib.escape(v)}</td></tr>'
                for k, v in pairs
            )
            return f'<table class="data"><tbody>{rows}</tbody></table>'
        return f'<pre class="text">{htmllib.escape(chr(10).join(body))}</pre>'
    if stripped in ("", "Series([], dtype: object)") or re.fullmatch(r"Empty DataFrame.*", stripped, flags=re.S):
        return f'<p class="empty">{htmllib.escape(empty)}</p>'
    return f'<pre class="text">{htmllib.escape(_short_paths(text))}</pre>'


# ----------------------------------------------------------------- figures


def _exported_name(source: str) -> str | None:
    """The chart name of an ``export_figure(fig, "name", ...)`` call in a cell, if any."""
    match = re.search(r"export_figure\(\s*[\w.\[\]\"']+\s*,\s*[\"']([^\"']+)[\"']", source)
    return match.group(1) if match else None


def _stem_of(output, cell, notebook: str) -> str | None:
    meta = (output.get("metadata") or {}).get("analysis") or {}
    if meta.get("stem"):
        return str(meta["stem"])
    name = _exported_name(cell.get("source", ""))
    if name:
        from analysis.output.export import safe_stem

        try:
            return safe_stem(notebook, name)
        except ValueError:
            return None
    return None


def _is_figure(output) -> bool:
    data = output.get("data") or {}
    return PLOTLY_MIME in data or any(m in data for m in ("image/png", "image/jpeg", "image/svg+xml"))


class _Figures:
    """Numbers the figures of the report in order and finds their manifest rows."""

    def __init__(self, manifest):
        self.rows = {}
        if manifest is not None and len(manifest):
            self.rows = {r["stem"]: r for r in manifest.to_dict("records")}
        self.numbers: dict[str, int] = {}
        self.count = 0

    def number(self, key: str) -> int:
        if key not in self.numbers:
            self.count += 1
            self.numbers[key] = self.count
        return self.numbers[key]


def _layout_title(spec: dict) -> str:
    title = (spec.get("layout") or {}).get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return re.sub(r"<[^>]+>", " ", str(title or "")).strip()


def _figure_html(output, *, key: str, stem: str | None, number: int, figures: _Figures, div_id: str) -> str:
    data = output.get("data") or {}
    row = figures.rows.get(stem or "")
    anchor = f"fig-{stem}" if stem else f"fig-{number}"
    if PLOTLY_MIME in data:
        spec = data[PLOTLY_MIME]
        if isinstance(spec, str):
            spec = json.loads(spec)
        body = f'<div class="chart">{_plotly_div(spec, div_id)}</div>'
        fallback_title = _layout_title(spec)
    else:
        body, fallback_title = "", ""
        for mime in ("image/png", "image/jpeg"):
            if mime in data:
                payload = _text(data[mime]).replace("\n", "")
                base64.b64decode(payload, validate=True)  # refuse to embed junk
                alt = htmllib.escape((row or {}).get("title", "") or f"Figure {number}")
                body = f'<div class="image"><img alt="{alt}" src="data:{mime};base64,{payload}"></div>'
                break
        if not body and "image/svg+xml" in data:
            body = f'<div class="image">{_text(data["image/svg+xml"])}</div>'
    if row:
        title = row.get("title") or fallback_title or stem
        caption = row.get("caption", "")
        files = [f for f in str(row.get("files", "")).split(";") if f]
        links = " · ".join(f'<a href="{htmllib.escape(f)}">{htmllib.escape(f.rsplit(".", 1)[-1].upper())}</a>'
                           for f in files)
        skipped = row.get("skipped", "")
        extra = f' <span class="files">Files: {links}{" (" + htmllib.escape(skipped) + ")" if skipped else ""}</span>'
    else:
        title, caption, extra = fallback_title or "Chart", "", ""
    text = htmllib.escape(title.rstrip(".")) + "." + (f" {htmllib.escape(caption)}" if caption else "")
    return (f'<figure id="{anchor}" class="figure">{body}'
            f'<figcaption><strong>Figure {number}.</strong> {text}{extra}</figcaption></figure>')


# ----------------------------------------------------------------- the opening


def _corpus_html(documents, *, document: str | None, corpus: str | Path | None) -> str:
    import pandas as pd

    where = f"<code>{htmllib.escape(Path(corpus).name)}/</code>" if corpus else "the bundled <code>corpus/</code>"
    if documents is None or len(documents) == 0:
        return f"<p>Corpus: {where}.</p>"
    docs = documents
    full = docs["text"].fillna("").astype(str).str.len() > 0 if "text" in docs.columns else pd.Series(True, index=docs.index)
    n_profiles = int((~full).sum())
    dates = pd.to_datetime(docs["date"], errors="coerce") if "date" in docs.columns else pd.Series(dtype="datetime64[ns]")
    span = ""
    if dates.notna().any():
        lo, hi = dates.min().year, dates.max().year
        span = f", dated {lo}" + (f"–{hi}" if hi != lo else "")
    levels = docs["level"].fillna("").astype(str) if "level" in docs.columns else pd.Series([], dtype=str)
    level_text = ", ".join(f"{n} {lvl}" for lvl, n in levels[levels != ""].value_counts().items())
    intro = (f"<p>Corpus: {where}, {len(docs)} document(s) ({len(docs) - n_profiles} full text(s), "
             f"{n_profiles} profiled document(s): counts only, no text){span}"
             + (f"; levels: {htmllib.escape(level_text)}" if level_text else "") + ".")
    if document:
        intro += f" The single-speech notebooks study <code>{htmllib.escape(str(document))}</code>."
    intro += "</p>"
    shown = docs.head(20)
    cols = [c for c in ("id", "title", "date", "level", "region", "han_chars") if c in docs.columns]
    head = "".join(f'<th{" class=num" if c == "han_chars" else ""}>{"Han characters" if c == "han_chars" else c}</th>'
                   for c in cols)
    rows = []
    for _, r in shown.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            v = "" if v is None or (isinstance(v, float) and pd.isna(v)) else v
            if c == "han_chars" and v != "":
                cells.append(f'<td class="num">{int(v):,}</td>')
            else:
                cls = "text" if c == "title" else "label"
                cells.append(f'<td class="{cls}">{htmllib.escape(str(v))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p>… and {len(docs) - len(shown)} more documents.</p>" if len(docs) > len(shown) else ""
    table = f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return intro + table + more + _profiles_html()


def _profiles_html() -> str:
    """A sentence on the shipped reference profiles the comparison and trend notebooks read (empty if none)."""
    from analysis.profiles import list_profiles

    try:
        listed = list_profiles()
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return ""
    if listed.empty:
        return ""
    parts = []
    for collection, part in listed.groupby("collection", sort=False):
        years = part["year"].dropna().astype(int) if "year" in part.columns else []
        span = f", {min(years)}–{max(years)}" if len(years) else ""
        parts.append(f"{len(part)} {htmllib.escape(str(collection))}{span}")
    return (f"<p>Reference profiles (counts only, no text; <code>corpus/profiles/</code>), compared with and "
            f"tracked over time by the comparison and trend notebooks: {len(listed)} documents "
            f"({'; '.join(parts)}).</p>")


def _settings_html(settings) -> str:
    if settings is None:
        return ""
    d = settings.describe() if hasattr(settings, "describe") else dict(settings)
    fingerprint = settings.fingerprint() if hasattr(settings, "fingerprint") else ""

    def lexicon(key: str) -> str:
        path = d.get(key)
        sha = (d.get(f"{key}_sha256") or "")[:12]
        return f"<code>{htmllib.escape(Path(str(path)).name)}</code> (sha256 {sha}…)" if path else "—"

    items = [
        f"segmenter {htmllib.escape(str(d.get('segmenter')))} {htmllib.escape(str(d.get('segmenter_version') or ''))}"
        f", HMM {'on' if d.get('hmm') else 'off'}, stopwords {'removed' if d.get('use_stopwords') else 'kept'}",
        f"dictionary {lexicon('dictionary')}, stopwords {lexicon('stopwords')}, themes {lexicon('themes')}",
        f"normalization: traditional → simplified {'on' if d.get('to_simplified') else 'off'}, "
        f"broken lines repaired {'on' if d.get('repair_lines') else 'off'}",
    ]
    return ("<p>Settings (fingerprint <code>" + htmllib.escape(fingerprint) + "</code>, recorded with every figure): "
            + "; ".join(items) + ".</p>")


def _findings_html(findings, figures: _Figures) -> str:
    if findings is None or len(findings) == 0:
        return ("<p>No findings were recorded: the notebooks that test shifts record them with "
                "<code>analysis.output.export.record_findings</code>.</p>")
    items = []
    ordered = findings.assign(_rank=findings["significant"].map({True: 0, False: 1}).fillna(2))
    ordered = ordered.assign(_figure=ordered["figure"].map(lambda f: figures.numbers.get(f, 10**6)))
    ordered = ordered.sort_values(["_rank", "_figure", "notebook", "order"], kind="stable")
    for row in ordered.to_dict("records"):
        link = ""
        stem = row.get("figure") or ""
        if stem and stem in figures.numbers:
            link = f' <a href="#fig-{htmllib.escape(stem)}">(Figure {figures.numbers[stem]})</a>'
        elif stem:
            link = f' <span class="files">({htmllib.escape(stem)})</span>'
        cls = {True: "significant", False: "not-significant"}.get(row.get("significant"), "note")
        items.append(f'<li class="{cls}">{htmllib.escape(str(row.get("text", "")))}{link}</li>')
    n_sig = int((findings["significant"] == True).sum())  # noqa: E712 - object column with None
    return (f"<p>{n_sig} significant finding(s), computed from the tables below "
            "(intervals: 95% bootstrap; keyness: Benjamini–Hochberg FDR p &lt; 0.05):</p>"
            f'<ul class="findings">{"".join(items)}</ul>')


STYLE = """
:root { --ink: #1f2328; --muted: #59636e; --rule: #d8dee4; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font-family: %(family)s; color: var(--ink); margin: 0; line-height: 1.7;
       font-size: 16px; background: #fff; }
main { max-width: 1000px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header.report h1 { font-size: 2rem; margin: 0 0 .25rem; }
header.report .made { color: var(--muted); margin: 0 0 1rem; }
header.report h2 { font-size: 1.2rem; margin: 1.4rem 0 .4rem; }
ul.findings li { margin: .25rem 0; }
ul.findings li.not-significant { color: var(--muted); }
nav.toc { border: 1px solid var(--rule); border-radius: 6px; padding: .75rem 1.25rem; margin: 1.5rem 0 2rem; background: #f6f8fa; }
nav.toc ol { margin: .25rem 0; padding-left: 1.5rem; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
section.notebook { border-top: 3px solid var(--rule); padding-top: 1rem; margin-top: 2.5rem; }
h1, h2, h3, h4 { line-height: 1.35; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.35rem; margin-top: 2rem; } h3 { font-size: 1.15rem; }
/* Chinese text is never justified: justification spreads the characters of a line apart. */
p, li, td, th, figcaption { text-align: left; text-justify: none; }
pre { background: #f6f8fa; border: 1px solid var(--rule); border-radius: 4px; padding: .6rem .8rem;
      font-size: 13px; line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere; }
table.data { border-collapse: collapse; margin: .75rem 0; font-size: 14px; font-variant-numeric: tabular-nums;
             max-width: 100%%; }
table.data.wide { font-size: 12.5px; }
table.data th, table.data td { border-bottom: 1px solid var(--rule); padding: .3rem .55rem; vertical-align: top; }
table.data thead th { border-bottom: 2px solid var(--ink); font-weight: 600; overflow-wrap: break-word; }
table.data th.num { text-align: right; }
table.data td.num { text-align: right; white-space: nowrap; }
table.data td.label { overflow-wrap: break-word; }
table.data td.text { min-width: 10em; max-width: 24em; overflow-wrap: anywhere; }
table.data.wide td.text { min-width: 8em; }
table.data.wide th, table.data.wide td { padding: .25rem .4rem; }
table.data tbody th { text-align: left; font-weight: 600; white-space: nowrap; }
p.empty { color: var(--muted); font-style: italic; }
figure.figure { margin: 1.5rem 0; }
figcaption { font-size: 14px; color: var(--ink); margin-top: .4rem; }
figcaption .files, .files { color: var(--muted); font-size: 13px; }
/* The plotly toolbar sits in a strip above the chart, never over its legend or title. */
.chart { padding-top: 30px; }
.chart .modebar-container { top: -30px !important; }
.image img { max-width: 100%%; height: auto; }
section.notes pre { background: #fff8e6; }
code { font-size: 90%%; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.toc { break-after: page; }
  .chart { padding-top: 0; zoom: 0.76; }
  table.data, table.data.wide { font-size: 8.5pt; }
  table.data th { overflow-wrap: anywhere; }
  /* A wide table takes the page's width and wraps inside its cells rather than running off the page. */
  table.data.wide { table-layout: fixed; width: 100%%; font-size: 7pt; }
  table.data.wide th, table.data.wide td { padding: .1rem .2rem; white-space: normal; overflow-wrap: anywhere; }
  table.data td.text { min-width: 7em; }
  .chart .modebar-container { display: none !important; }
  figure.figure, table.data tr { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  section.notebook { break-before: page; border-top: 0; }
  a { color: inherit; }
}
"""


def build_report(
    notebooks: Sequence[tuple[str, object]],
    *,
    title: str = "Organization-work speeches: workbook report",
    figures=None,
    findings=None,
    corpus: str | Path | None = None,
    documents=None,
    document: str | None = None,
    settings=None,
    question: str = QUESTION,
    made: str | None = None,
    notes: Sequence[str] = (),
) -> str:
    """Assemble executed notebooks into one self-contained HTML page a colleague can read.

    The page opens with the question, the corpus (documents, dates, levels, profiled
    documents), the settings (segmenter, lexicon versions by content hash), the date it
    was made and a summary of findings (:func:`analysis.output.export.read_findings`,
    significant ones first), each linking to its figure. Then each notebook: markdown as
    narrative, code hidden, outputs made readable: figures numbered with their manifest
    title and caption under them (a chart is matched to its manifest row by the output's
    metadata or the ``export_figure`` call in its cell); tables without the index column,
    shares as percentages, ``preamble``/``closing`` as the charts name them (开头/结尾);
    empty tables replaced by a sentence (a cell's metadata ``{"report": {"empty": "..."}}``
    gives it); dict and Series reprs as tables; stderr gathered at the end. plotly.js is
    included once, inline. Cells tagged ``remove-cell`` are left out, outputs of cells
    tagged ``remove-output`` too. Chart div ids are ``nb<NN>-fig<MM>``.

    Args:
        notebooks: ``(name, notebook)`` pairs (an ``nbformat`` notebook with outputs).
        title: Page title.
        figures: The figure manifest (:func:`analysis.output.export.read_figure_manifest`): captions,
            file links, and a list of every figure at the end. None leaves them out.
        findings: The findings table (:func:`analysis.output.export.read_findings`).
        corpus: Corpus folder that was analysed (only its name is shown).
        documents: Its documents (:func:`analysis.io.corpus.load_corpus`), listed at the top.
        document: Id of the speech the single-speech notebooks study.
        settings: The :class:`analysis.settings.Settings` the notebooks used.
        question: The question the report answers, printed first.
        made: Date printed as "made on" (default: today, ISO format).
        notes: Extra lines for the "notes from the run" section (e.g. what was skipped).

    Returns:
        The HTML document.
    """
    import datetime

    from plotly.offline import get_plotlyjs

    fig_index = _Figures(figures)
    # first pass: number the figures in reading order, so the summary can link to them
    for name, nb in notebooks:
        for cell in nb.cells:
            tags = set((cell.get("metadata") or {}).get("tags") or [])
            if cell.cell_type != "code" or tags & (HIDDEN_TAGS | HIDDEN_OUTPUT_TAGS):
                continue
            for k, output in enumerate(cell.get("outputs") or []):
                if _is_figure(output):
                    stem = _stem_of(output, cell, name)
                    fig_index.number(stem or f"{name}:{id(cell)}:{k}")

    sections, toc, stderr_notes = [], [], list(notes)
    for n, (name, nb) in enumerate(notebooks, 1):
        prefix = f"nb{n:02d}"
        headings = _Headings(prefix)
        parts: list[str] = []
        chart_count = 0
        for cell in nb.cells:
            meta = cell.get("metadata") or {}
            tags = set(meta.get("tags") or [])
            if tags & HIDDEN_TAGS:
                continue
            if cell.cell_type == "markdown":
                parts.append(f'<div class="markdown">{_markdown(cell.source, headings)}</div>')
                continue
            if cell.cell_type != "code" or tags & HIDDEN_OUTPUT_TAGS:
                continue
            empty = ((meta.get("report") or {}).get("empty")) or "Nothing to list: the table is empty."
            for k, output in enumerate(cell.get("outputs") or []):
                kind = output.get("output_type")
                if kind == "stream":
                    text = _short_paths(_text(output.get("text")))
                    if output.get("name") == "stderr":
                        stderr_notes.append(f"{name}: {text.strip()}")
                    else:
                        parts.append(f'<pre class="stdout">{htmllib.escape(text)}</pre>')
                    continue
                if kind == "error":
                    trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(output.get("traceback") or []))
                    parts.append(f'<pre class="error">{htmllib.escape(_short_paths(trace))}</pre>')
                    continue
                data = output.get("data") or {}
                if _is_figure(output):
                    stem = _stem_of(output, cell, name)
                    key = stem or f"{name}:{id(cell)}:{k}"
                    if PLOTLY_MIME in data:
                        chart_count += 1
                    parts.append(_figure_html(output, key=key, stem=stem, number=fig_index.number(key),
                                              figures=fig_index, div_id=f"{prefix}-fig{chart_count:02d}"))
                elif "text/html" in data:
                    parts.append(f'<div class="html-output">{_tables_html(_text(data["text/html"]), empty=empty)}</div>')
                elif "text/markdown" in data:
                    parts.append(f'<div class="markdown">{_markdown(_text(data["text/markdown"]), headings)}</div>')
                elif "text/plain" in data:
                    parts.append(_plain_html(_text(data["text/plain"]), empty=empty))
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
    figures_html = _figures_table(figures, fig_index)
    if figures_html:
        toc.append('<li><a href="#figures-h1">List of figures</a></li>')
    notes_html = ""
    if stderr_notes:
        toc.append('<li><a href="#notes-h1">Notes from the run</a></li>')
        notes_html = ('<section class="notebook notes" id="notes"><h1 id="notes-h1">Notes from the run</h1>'
                      "<p>Warnings the notebooks printed while running (paths shortened to file names).</p>"
                      + "".join(f"<pre>{htmllib.escape(t)}</pre>" for t in stderr_notes) + "</section>")
    made = made or datetime.date.today().isoformat()
    header = (
        f'<header class="report"><h1>{htmllib.escape(title)}</h1>'
        f'<p class="made">Made on {htmllib.escape(made)} from {len(notebooks)} notebook(s); code hidden; '
        "every figure's data is in the CSV beside it.</p>"
        f'<h2 id="question">Question</h2><p>{htmllib.escape(question)}</p>'
        f'<h2 id="corpus">Corpus and settings</h2>{_corpus_html(documents, document=document, corpus=corpus)}'
        f"{_settings_html(settings)}"
        f'<h2 id="findings">Findings</h2>{_findings_html(findings, fig_index)}'
        "</header>\n"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{htmllib.escape(title)}</title>\n"
        f"<style>{STYLE % {'family': fonts.CSS_FAMILY}}</style>\n"
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        "</head>\n<body>\n<main>\n"
        + header
        + f'<nav class="toc"><strong>Contents</strong><ol>{"".join(toc)}</ol></nav>\n'
        + "\n".join(sections)
        + figures_html
        + notes_html
        + "\n</main>\n</body>\n</html>\n"
    )


def _figures_table(figures, fig_index: _Figures | None = None) -> str:
    if figures is None or len(figures) == 0:
        return ""
    rows = []
    for row in figures.itertuples():
        links = " ".join(
            f'<a href="{htmllib.escape(f)}">{htmllib.escape(f.rsplit(".", 1)[-1].upper())}</a>'
            for f in str(row.files).split(";")
            if f
        )
        skipped = f' <span class="files">({htmllib.escape(row.skipped)})</span>' if row.skipped else ""
        number = fig_index.numbers.get(row.stem) if fig_index else None
        ref = f'<a href="#fig-{htmllib.escape(row.stem)}">Figure {number}</a>' if number else "—"
        rows.append(
            f'<tr><td class="label">{ref}</td><td class="text">{htmllib.escape(row.title)}</td>'
            f'<td class="label"><code>{htmllib.escape(row.stem)}</code></td><td class="label">{links}{skipped}</td></tr>'
        )
    return (
        '<section class="notebook" id="figures"><h1 id="figures-h1">List of figures</h1>'
        "<p>Every exported chart, with its data (CSV) beside it; the files sit next to this report.</p>"
        '<table class="data"><thead><tr><th>figure</th><th>title</th><th>file stem</th><th>files</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></section>"
    )
