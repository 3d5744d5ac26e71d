"""Run every notebook on a study and write one HTML report (and its PDF).

:func:`run_notebooks` executes the workbook's notebooks (``notebooks/*.ipynb``, in name
order) with nbclient, in memory: the committed ``.ipynb`` files are read, never
rewritten. Each kernel runs with the notebooks folder as working directory and with

* ``ANALYSIS_STUDY`` = the study file (when given; read by :func:`analysis.study.resolve_study`),
* ``ANALYSIS_CORPUS_DIR`` = the corpus to analyse (when given),
* ``ANALYSIS_FIGURES_DIR`` = the output folder, and
* ``ANALYSIS_MEMO`` = ``1`` (unless set): the costly steps are answered from a disk cache
  keyed by the content of their inputs (:mod:`analysis.memo`), and
* ``ANALYSIS_UNATTENDED`` = ``1``: nobody clicks the widgets, so the explorer does not
  prepare the lines of every term in advance (:func:`analysis.paths.unattended`).

**The report never dies for one part.** A cell that cannot run for these speeches (a
speech with one section, an undefined index, an unreadable notes file …) leaves a short
explanation in its place, the notebook goes on, and the part is listed at the top of the
report and on stderr. ``strict=True`` (CLI ``--strict``) makes any such part an error.

The page itself is assembled by :func:`analysis.output.report_html.build_report` from the
typed results, findings and figures, through a template.

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 概览\\n\\n说明文字。")])
>>> html = build_report([("01_overview", nb)])
>>> "<h1" in html and "概览" in html and "Noto Sans CJK SC" in html
True
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from analysis import paths
from analysis.memory import name_lean_pool
from analysis.output.report_html import PLOTLY_MIME, QUESTION, build_report  # noqa: F401 (re-exported)

__all__ = ["ReportError", "build_report", "run_notebooks", "QUESTION", "REPORT_NAME"]

REPORT_NAME = "report.html"
#: Options of the report's kernels: no output cache (``Out``, ``_``), so a cell's displayed value (a
#: shown table, an exported chart with its images) is freed once the next cell has run.
KERNEL_ARGUMENTS = ("--InteractiveShell.cache_size=0",)

#: Kernels started for one notebook at most: a kernel that dies before its first cell ("Kernel died before
#: replying to kernel_info", seen once on a busy machine) is replaced; one that dies while running a cell is not.
KERNEL_STARTS = 2


class ReportError(RuntimeError):
    """A notebook failed while the report was being built (in strict mode, or before any notebook ran).

    Attributes:
        notebook: File name of the failing notebook.
        cell: Index of the failing cell in the notebook (0-based, counting every cell).
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


def _notebook_list(notebooks: Iterable[str | Path] | None) -> list[Path]:
    found = sorted(paths.notebooks_dir().glob("*.ipynb")) if notebooks is None else [Path(n) for n in notebooks]
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
    """Kernel-manager settings: CurveZMQ encryption when available (quiet kernels)."""
    import zmq
    from traitlets.config import Config

    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config


def run_notebooks(
    notebooks: Iterable[str | Path] | None = None,
    *,
    study: str | Path | None = None,
    corpus: str | Path | None = None,
    document: str | None = None,
    out: str | Path | None = None,
    strict: bool = False,
    progress: bool = True,
    timeout: int = 1200,
    kernel_name: str = "python3",
    title: str = "Organization-work speeches: workbook report",
) -> Path:
    """Execute the notebooks in memory on a study and write one HTML report (and its PDF).

    Args:
        notebooks: Notebook files to run, in the order given; default every
            ``notebooks/*.ipynb`` sorted by name.
        study: A study file (YAML, :mod:`analysis.study`); default the corpus folder's
            ``study.yaml``, else a study made from the corpus folder.
        corpus: Corpus folder; default the study's, else the bundled ``corpus/``.
        document: Id of the speech the single-speech notebooks study (default: the
            study's first speech in focus).
        out: Output folder for figures and the report; default :func:`analysis.paths.figures_dir`.
        strict: Any part that cannot run is an error (default: it is skipped and listed).
        progress: Print one line per notebook and a progress bar (on stderr).
        timeout: Seconds one cell may run.
        kernel_name: Jupyter kernel.
        title: Title of the report when the study has none.

    Returns:
        Path of the report, ``<out>/report.html``.

    Raises:
        ReportError: a notebook is missing; ``corpus`` is not a folder; the study file is
            unusable; in strict mode, a cell failed (named by notebook and cell).
        analysis.output.export.OutputFolderError: ``out`` cannot be written (checked first).
    """
    import nbformat
    from tqdm import tqdm

    from analysis.output import export
    from analysis.study import StudyError, resolve_study

    files = _notebook_list(notebooks)
    env, corpus, out_dir = _notebook_env(study=study, corpus=corpus, document=document, out=out)
    try:
        the_study = resolve_study(study, corpus=corpus)
    except StudyError as error:
        raise ReportError(str(study or corpus or "study"), None, f"StudyError: {error}") from error
    export.check_output_folder(out_dir)  # a read-only folder fails here, before any notebook runs
    loaded = [(p, nbformat.read(p, as_version=4)) for p in files]
    export.clear_findings([p.stem for p in files], directory=out_dir)  # the notebooks record them afresh
    static = export.find_chromium() is not None
    if progress and not static:
        _say_no_chromium(before=True)
    total = sum(1 for _, nb in loaded for c in nb.cells if c.cell_type == "code")
    bar = tqdm(total=total, unit="cell", file=sys.stderr, disable=not (progress and sys.stderr.isatty()),
               leave=False, dynamic_ncols=True)
    config = _kernel_config()
    executed, skipped = [], []
    try:
        for number, (path, nb) in enumerate(loaded, 1):
            bar.set_description(path.stem)
            began = time.perf_counter()
            failed = _execute(path, nb, env=env, config=config, timeout=timeout, kernel_name=kernel_name, bar=bar,
                              strict=strict)
            skipped += failed
            errors = _error_cells(nb)
            if strict and errors:
                index, reason = errors[0]
                raise ReportError(path.name, index, reason, source=nb.cells[index].source)
            if progress:
                cells = sum(1 for c in nb.cells if c.cell_type == "code")
                state = "ok" if not errors and not failed else f"{len(errors) + len(failed)} part(s) skipped"
                bar.write(f"[{number}/{len(loaded)}] {path.name}: {state}, {cells} code cells, "
                          f"{time.perf_counter() - began:.1f} s", file=sys.stderr)
                for index, reason in errors:
                    bar.write(f"  skipped: {path.name}, cell {index}: {reason}", file=sys.stderr)
            executed.append((path.stem, nb))
    finally:
        bar.close()
    path = _write_report(executed, out_dir=out_dir, study=the_study, title=title, static=static, skipped=skipped)
    if progress and not static:
        manifest = export.read_figure_manifest(out_dir)
        ran = manifest["notebook"].isin([p.stem for p in files])
        _say_no_chromium(before=False, charts=int((manifest.loc[ran, "skipped"] != "").sum()))
    return path


def _notebook_env(*, study: str | Path | None, corpus: str | Path | None, document: str | None,
                  out: str | Path | None) -> tuple[dict, Path | None, Path]:
    """The notebooks' environment (study, corpus, document, figures folder) and the resolved folders."""
    env = dict(os.environ)
    for key in ("ANALYSIS_STUDY", "ANALYSIS_DOCUMENT", "ANALYSIS_CORPUS_DIR"):
        env.pop(key, None)  # only what this call names reaches the notebooks
    if study is not None:
        study = Path(study).resolve()
        if not study.is_file():
            raise ReportError(str(study), None, "FileNotFoundError: the study file does not exist")
        env["ANALYSIS_STUDY"] = str(study)
    if document is not None:
        env["ANALYSIS_DOCUMENT"] = str(document)
    if corpus is not None:
        corpus = Path(corpus).resolve()
        if not corpus.is_dir():
            raise ReportError(str(corpus), None, "NotADirectoryError: the corpus folder does not exist")
        env["ANALYSIS_CORPUS_DIR"] = str(corpus)
    out_dir = Path(out).resolve() if out is not None else paths.figures_dir().resolve()
    env["ANALYSIS_FIGURES_DIR"] = str(out_dir)
    # the costly steps (bootstraps, similarity, trends) are memoized on their inputs (analysis.memo)
    env.setdefault("ANALYSIS_MEMO", "1")
    env[paths.UNATTENDED] = "1"  # widgets are drawn into the report, never clicked
    name_lean_pool(env)  # Arrow's pool that hands freed memory back (analysis.memory), unless one is named
    # the kernels import this project's analysis (beside the notebooks), not another installed copy
    env["PYTHONPATH"] = os.pathsep.join([str(paths.project_root()), *filter(None, [env.get("PYTHONPATH")])])
    return env, corpus, out_dir


def _error_cells(nb) -> list[tuple[int, str]]:
    """``(cell index, reason)`` of every cell whose output is an error, except those that only follow from one."""
    from analysis.output.report_html import _error_reason

    out = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs") or []:
            if output.get("output_type") == "error":
                if output.get("ename") == "NameError" and out:  # follows from the part skipped above
                    continue
                out.append((index, _error_reason(output)))
    return out


def _execute(path: Path, nb, *, env: dict, config, timeout: int, kernel_name: str, bar, strict: bool) -> list[dict]:
    """Run one notebook in memory (outputs filled in). Cells that raise leave their error as output and
    the rest runs; a dead kernel or a timeout skips the rest of the notebook (an error in strict mode).

    Returns:
        The parts skipped for reasons other than a cell's own error (``notebook, cell, reason``).
    """
    from nbclient import NotebookClient

    current = {"cell": None}

    def started(cell, cell_index, **_):
        current["cell"] = cell_index

    def finished(cell, cell_index, **_):
        if cell.cell_type == "code":
            bar.update(1)

    def client():
        return NotebookClient(nb, timeout=timeout, kernel_name=kernel_name,
                              resources={"metadata": {"path": str(path.parent.resolve())}},
                              on_cell_start=started, on_cell_executed=finished, record_timing=False,
                              ipython_hist_file=":memory:", config=config, allow_errors=not strict,
                              extra_arguments=list(KERNEL_ARGUMENTS))

    try:
        for attempt in range(KERNEL_STARTS):
            try:
                client().execute(env=env)
                break
            except Exception:  # noqa: BLE001 - judged below
                if current["cell"] is not None or attempt + 1 == KERNEL_STARTS:
                    raise
                # no cell started: the kernel died or failed while starting (a busy machine); nothing ran, so
                # starting a new one runs the notebook as if the first had started
    except Exception as error:  # a timeout, a dead or missing kernel (or, in strict mode, a failing cell)
        index = current["cell"]
        source = nb.cells[index].source if index is not None else ""
        if strict:
            raise ReportError(path.name, index, _last_line(error), source=source) from error
        return [{"notebook": path.stem, "cell": index, "dependents": 0,
                 "reason": f"the notebook stopped here ({_last_line(error)}); its later parts were not run"}]
    return []


def _write_report(executed: list, *, out_dir: Path, study, title: str, static: bool, skipped: list) -> Path:
    """Assemble the report of the notebooks run (their figures and findings only) and write it, with its PDF."""
    from analysis.output import export
    from analysis.settings import Settings
    from analysis.speeches import corpus_documents

    ran = {stem for stem, _ in executed}
    manifest = export.read_figure_manifest(out_dir)
    manifest = manifest[manifest["notebook"].isin(ran)].reset_index(drop=True)
    findings = export.read_findings(out_dir)
    findings = findings[findings["notebook"].isin(ran)].reset_index(drop=True)
    documents = corpus_documents(study.corpus)
    notes = []
    if not static:
        count = int((manifest["skipped"] != "").sum())
        notes.append(f"No Chromium was found: {count} chart(s) were written as HTML and CSV only (no PNG, "
                     "SVG or PDF), the notebooks' static images and the PDF report were skipped.")
    for _, nb in executed:
        for cell in nb.cells:
            for output in cell.get("outputs") or []:
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    text = "".join(output.get("text") or "") if isinstance(output.get("text"), list) else str(output.get("text") or "")
                    if text.strip():
                        notes.append(text.strip())
    parts = dict(title=title, figures=manifest, findings=findings, study=study,
                 groups=_study_groups(study, documents), corpus=study.corpus, documents=documents,
                 settings=Settings(), skipped=skipped, notes=notes)
    # the report loads plotly.js from the folder, where the charts' HTML files load it too: once per folder
    export.write_plotlyjs(out_dir)
    path = export.write_report(build_report(executed, **parts, plotlyjs="directory"), directory=out_dir,
                               name=REPORT_NAME)
    # report.pdf beside it, printed from the static variant (charts as the exported SVG images, no plotly.js
    # to run); without Chromium an old PDF is removed
    printable = build_report(executed, **parts, static=True, directory=out_dir) if static else None
    export.write_report_pdf(path, page=printable)
    return path


def _study_groups(study, documents):
    """Who is on each side of the study's comparisons, from metadata alone (no features are computed)."""
    import pandas as pd

    from analysis.stats.meta import describe_group

    meta = documents if documents is not None else pd.DataFrame(columns=["id"])
    if study.references in (None, "profiles"):
        try:
            from analysis.profiles import list_profiles

            meta = pd.concat([meta, list_profiles()], ignore_index=True)
        except (FileNotFoundError, OSError, KeyError, ValueError):
            pass
    frames = []
    for c in study.comparisons:
        a_ids = [] if c.a.startswith("group:") else [c.a]
        for spec in (c.a, c.b):
            if spec.startswith("group:"):
                name = spec[len("group:"):]
                ids = study.group_ids(meta, name, exclude=a_ids if spec == c.b else ())
                frames.append(describe_group(meta, ids, name=name))
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True).drop_duplicates("group").reset_index(drop=True)


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
