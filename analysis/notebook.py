"""What every notebook's setup cell needs, in one call: :func:`workbook`.

A notebook's parameters cell names the study, the corpus folder and the figures folder;
the next cell calls ``wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS,
figures=FIGURES)`` and from then on

* ``wb.settings``, ``wb.study``, ``wb.corpus``, ``wb.figures``, ``wb.document`` (the
  speech in focus) are at hand;
* ``wb.show(table)`` displays a result table formatted from its declarations
  (:mod:`analysis.results`) and hands the typed table to the report;
* ``wb.export(fig, "name", data=..., title=..., caption=...)`` writes the chart and its
  data to the figures folder, which is an argument, not an environment variable;
* ``wb.findings(rows, figure="name")`` records finding rows for the report's summary;
* ``wb.notes()`` shows the notes written on the speech in focus (never another's).

>>> table = show(pd.DataFrame({"theme": ["talent"], "share_a": [0.12]}))
>>> "12.0%" in table._repr_html_() and RESULT_MIME in table._repr_mimebundle_()
True
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.results import declared, format_frame, render_table
from analysis.settings import Settings

__all__ = ["Workbook", "workbook", "show", "Shown", "RESULT_MIME", "NOTE_MIME", "PAYLOAD_ROWS"]

#: MIME type of a typed result table in a notebook's output (read by the report).
RESULT_MIME = "application/vnd.analysis.result+json"
#: MIME type of a note that stands in for an analysis that could not run.
NOTE_MIME = "application/vnd.analysis.note+json"
#: Most rows a shown table hands to the report (the report prints ``max_rows`` of them). A longer table
#: (the outline of a very long speech, every keyword-in-context hit) travels as its first rows and its
#: length, so neither the kernel, the notebook file nor the report process holds it whole.
PAYLOAD_ROWS = 1000
#: Most characters of one cell a shown table hands to the report; a longer text (every outline issue of a
#: speech with 50,000 sections, every path where a term occurs) is cut there and says how much was left out.
PAYLOAD_CELL_CHARS = 2000


def _cell(value):
    """A table cell as the report carries it: :func:`_jsonable`, a text past :data:`PAYLOAD_CELL_CHARS` cut.

    >>> _cell("人" * 2005)[-23:]
    '人人… (5 more characters)'
    """
    value = _jsonable(value)
    if isinstance(value, str) and len(value) > PAYLOAD_CELL_CHARS:
        return f"{value[:PAYLOAD_CELL_CHARS]}… ({len(value) - PAYLOAD_CELL_CHARS:,} more characters)"
    return value


def _jsonable(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        x = float(value)
        return None if np.isnan(x) or np.isinf(x) else x
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    return value if isinstance(value, (int, str)) else str(value)


@dataclass
class Shown:
    """A result table as a notebook shows it: formatted HTML and plain text, plus the typed table for the report."""

    table: pd.DataFrame
    caption: str = ""
    max_rows: int = 60

    def _repr_html_(self) -> str:
        return render_table(self.table, caption=self.caption, max_rows=self.max_rows)

    def __repr__(self) -> str:
        text = format_frame(self.table.head(self.max_rows)).to_string(index=False)
        return (self.caption + "\n" if self.caption else "") + text

    def payload(self) -> dict:
        """The typed table: columns, rows (JSON values), declaration and caption.

        At most ``max(max_rows, PAYLOAD_ROWS)`` rows are carried; a longer table also gives
        ``total_rows``, its full length, so the report can say how many rows were left out. A
        text cell carries at most :data:`PAYLOAD_CELL_CHARS` characters and says how many more it had.
        """
        limit = max(self.max_rows, PAYLOAD_ROWS)
        head = self.table.head(limit)
        rows = [[_cell(v) for v in record] for record in head.itertuples(index=False, name=None)]
        out = {"columns": [str(c) for c in self.table.columns], "rows": rows,
               "result": json.loads(json.dumps(declared(self.table), default=str)), "caption": self.caption,
               "max_rows": self.max_rows}
        if len(self.table) > limit:
            out["total_rows"] = len(self.table)
        return out

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": repr(self), "text/html": self._repr_html_(), RESULT_MIME: self.payload()}


def show(table: pd.DataFrame, *, caption: str = "", max_rows: int = 60, kinds: dict | None = None) -> Shown:
    """Show a result table the way the report prints it (units from its declarations).

    Args:
        table: A result table (plain tables work too; their columns are read from the glossary).
        caption: One sentence above the table.
        max_rows: Rows shown (the rest are counted below it).
        kinds: Column kinds for this table (see :class:`analysis.results.Column`), e.g.
            ``{"value": "text"}`` for a long table of mixed values.

    Returns:
        A :class:`Shown`; as a cell's last value it displays the table.
    """
    from analysis.results import declare

    frame = table.reset_index(drop=True) if not isinstance(table.index, pd.RangeIndex) else table
    if kinds:
        meta = declared(frame)
        frame = declare(frame, result=meta.get("result", "table"), estimate=meta.get("estimate"),
                        sides=meta.get("sides"), family=meta.get("family"),
                        kinds={**(meta.get("kinds") or {}), **kinds}, note=meta.get("note", ""))
    return Shown(frame, caption=caption, max_rows=max_rows)


@dataclass
class _Note:
    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": self.text, "text/markdown": self.text, NOTE_MIME: {"text": self.text}}


@dataclass
class Workbook:
    """The setup of one notebook: its name, settings, study, corpus and figures folders."""

    notebook: str
    settings: Settings
    study: object
    corpus: Path
    figures: Path
    document: str | None
    exported: list[str] = field(default_factory=list)

    def show(self, table: pd.DataFrame, *, caption: str = "", max_rows: int = 60, kinds: dict | None = None) -> Shown:
        """:func:`show`."""
        return show(table, caption=caption, max_rows=max_rows, kinds=kinds)

    def export(self, fig, name: str, *, data: pd.DataFrame, title: str = "", caption: str = "",
               documents=None, tables: dict[str, pd.DataFrame] | None = None):
        """Write a figure of any kind and its data to the figures folder (:func:`analysis.output.export.export_figure`).

        With no data (nothing to compare for these speeches) nothing is written and the
        figure, which says what is missing, is returned as it is.
        """
        from analysis.output.export import export_figure

        if data is None or len(data) == 0:
            return fig
        self.exported.append(name)
        docs = list(documents) if documents is not None else ([self.document] if self.document else [])
        return export_figure(fig, name, notebook=self.notebook, data=data, title=title, caption=caption,
                             documents=docs, settings=self.settings, directory=self.figures, tables=tables)

    def export_network(self, nodes: pd.DataFrame, edges: pd.DataFrame, name: str, *, title: str = "",
                       caption: str = "", documents=None):
        """Write a network as GraphML, GEXF and node and edge CSV (:meth:`export` of its networkx graph).

        With no edges nothing is written and None is returned.
        """
        from analysis.stats.network import network_graph

        if edges is None or len(edges) == 0:
            return None
        return self.export(network_graph(nodes, edges), name, data=edges, tables={"nodes": nodes}, title=title,
                           caption=caption, documents=documents)

    def findings(self, rows: pd.DataFrame, *, figure: str = "") -> pd.DataFrame:
        """Record finding rows for the report (:func:`analysis.output.export.record_findings`); returns them."""
        from analysis.output.export import record_findings

        record_findings(rows, notebook=self.notebook, figure=figure, directory=self.figures)
        return rows

    def notes(self, document: str | None = None) -> _Note:
        """The notes written on the speech in focus for this notebook, or a sentence saying there are none.

        A notes file that does not parse gives a sentence naming it (and a warning), never an error.
        """
        from analysis.io.notes import NOTES_FILE, document_notes

        doc = document or self.document
        try:
            text = document_notes(str(doc), notebook=self.notebook, corpus=self.corpus)
        except ValueError as error:
            warnings.warn(str(error), stacklevel=2)
            return _Note(f"The notes file ({NOTES_FILE}) could not be read, so no notes are shown: {error}")
        return _Note(text or f"No notes on {doc} in {NOTES_FILE}.")

    def describe(self) -> dict:
        """The settings a reader needs to reproduce the notebook (segmenter, lexicons, share, unit)."""
        keys = ("segmenter", "segmenter_version", "hmm", "themes", "use_stopwords", "to_simplified")
        out = {k: v for k, v in self.settings.describe().items() if k in keys}
        out.update(share=getattr(self.study, "share", ""), unit=getattr(self.study, "unit", ""))
        return out


#: Growth of the kernel's resident memory (bytes) since the last collection that makes a cell's end collect garbage.
COLLECT_GROWTH = 256 * 2**20

#: Resident memory (bytes) of a kernel above which a cell's end stops the chart renderer's Chromium
#: (:func:`analysis.output.export.stop_export_server`; the next static render starts it again, 2-3 s).
STOP_RENDERER_ABOVE = 2**30


def _resident_bytes() -> int | None:
    """This process's resident memory (Linux ``/proc/self/statm``), or None where it cannot be read."""
    import os

    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class _CellCollector:
    """After a cell that left the kernel :data:`COLLECT_GROWTH` or more above its memory after the
    last collection (or the lowest reading since): collect cyclic garbage and release free memory
    (:func:`analysis.memory.release_free_memory`). After any cell that leaves the kernel above
    :data:`STOP_RENDERER_ABOVE`: stop the chart renderer's Chromium if it runs.

    pandas frames sit in reference cycles, freed only by Python's cyclic collector, which runs
    after so many new objects rather than bytes: a cell's big temporary tables (on a long
    document, a few hundred objects holding a gigabyte) can outlive it and stack up under the
    next cell. Freed memory stays with the allocators (Arrow's pool, the C heap) unless handed
    back, and the next cell's peak comes on top of it. Chromium (about 0.5 GB) stays alive
    between charts to save its start-up; in a kernel already holding a gigabyte (a cap-size
    document) the start-up is cheap beside the memory it would add to the next cell's peak. A
    collection costs tens of milliseconds, so cells that did not grow the kernel are left alone
    (on the bundled corpus, none do).
    """

    def __init__(self) -> None:
        self.base = _resident_bytes()

    def __call__(self, *_) -> None:
        import gc
        import sys

        from analysis.memory import release_free_memory

        now = _resident_bytes()
        if now is None or self.base is None:
            return
        if now - self.base >= COLLECT_GROWTH:
            gc.collect()
            release_free_memory()  # what Arrow's pool and the C heap hold free goes back to the system
            now = self.base = _resident_bytes() or now
        else:  # growth counts from the last collection, or from the lowest reading since
            self.base = min(self.base, now)
        export = sys.modules.get("analysis.output.export")
        if export is not None and now >= STOP_RENDERER_ABOVE:
            export.stop_export_server()


def collect_between_cells() -> bool:
    """In an IPython kernel, register (once) a :class:`_CellCollector` to run after each cell;
    return whether one is registered. Outside IPython, or where memory cannot be read, nothing."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    if shell is None or _resident_bytes() is None:
        return False
    callbacks = shell.events.callbacks.get("post_run_cell", [])
    if not any(isinstance(c, _CellCollector) for c in callbacks):
        shell.events.register("post_run_cell", _CellCollector())
    return True


def workbook(notebook: str, *, study=None, corpus: str | Path | None = None, figures: str | Path | None = None,
             document: str | None = None, settings: Settings | None = None) -> Workbook:
    """Set a notebook up: settings, the study, the corpus and figures folders, display options.

    Args:
        notebook: The notebook's name (``"04_emphasis"``).
        study: A study file or :class:`analysis.study.Study`; None: ``$ANALYSIS_STUDY``,
            the corpus folder's ``study.yaml``, else one made from the corpus folder.
        corpus: The corpus folder; None: the study's, else ``$ANALYSIS_CORPUS_DIR``, else ``corpus/``.
        figures: The figures folder; None: ``$ANALYSIS_FIGURES_DIR``, else ``figures/``.
        document: The speech in focus; None: ``$ANALYSIS_DOCUMENT``, else the study's first.
        settings: The settings; None: defaults.

    Returns:
        A :class:`Workbook`.

    Raises:
        analysis.study.StudyError: the study file cannot be used.
    """
    import os

    from analysis.study import resolve_study

    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 100)
    collect_between_cells()
    settings = settings or Settings()
    the_study = resolve_study(study, corpus=corpus)
    folder = Path(corpus) if corpus is not None else (the_study.corpus or paths.corpus_dir())
    out = Path(figures).resolve() if figures is not None else paths.figures_dir()
    chosen = document or os.environ.get("ANALYSIS_DOCUMENT") or the_study.document
    return Workbook(notebook=notebook, settings=settings, study=the_study, corpus=Path(folder), figures=out,
                    document=chosen)
