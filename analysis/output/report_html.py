"""The report page, built from typed results through a template.

:func:`build_report` fills ``templates/report.html.j2`` (Jinja2, autoescaped) with:

* the study (:mod:`analysis.study`): what is compared, the groups with their size,
  years, levels, kinds, speaker roles and warnings;
* the strongest ten findings (:func:`analysis.output.findings.rank_findings`), each
  linked to its figure, and every finding in an appendix;
* each notebook's narrative (its Markdown cells, rendered with raw HTML escaped), its
  typed result tables (the ``application/vnd.analysis.result+json`` outputs of
  :func:`analysis.notebook.show`, rendered by :func:`analysis.results.render_table`),
  its figures, and a short explanation wherever a part could not run.

Nothing is read back from a notebook's HTML, and no unit is guessed from a column name.
User text (notes, titles, metadata) is escaped; the page carries a Content-Security-Policy
that allows only the scripts it wrote (by their SHA-256).

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 概览\\n\\n说明 <script>x()</script>")])
>>> html = build_report([("01_overview", nb)])
>>> "<h1" in html and "概览" in html and "<script>x()" not in html and "Content-Security-Policy" in html
True
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html as htmllib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.notebook import NOTE_MIME, RESULT_MIME
from analysis.plots import fonts
from analysis.results import declare, render_table, significance_rule

__all__ = ["build_report", "QUESTION", "SUMMARY_SIZE", "safe_markdown"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
HIDDEN_TAGS = {"remove-cell", "remove_cell", "hide-cell"}
HIDDEN_OUTPUT_TAGS = {"remove-output", "remove_output", "hide-output"}
#: Findings shown in the report's summary; the rest are in the appendix and findings.csv.
SUMMARY_SIZE = 10
_TEMPLATES = Path(__file__).with_name("templates")

QUESTION = (
    "How much of each speech studied, and of each of its sections, goes to each theme "
    "(talent 人才 versus the grassroots 基层, cadres, members, theory, discipline, loyalty, rural "
    "revitalization …), how is each speech organized, which terms and formulas (提法) carry it, and "
    "which differences in emphasis between parts or speeches are larger than chance?"
)
"""The workbook's question, printed at the top of the report (``question=`` replaces it)."""


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


_SAFE_SCHEMES = ("http://", "https://", "#", "mailto:")


def safe_markdown(source: str, headings: _Headings | None = None) -> str:
    """Markdown to HTML with raw HTML escaped and only http(s), mailto and in-page links kept.

    >>> safe_markdown('**a** <img src=x onerror=alert(1)> [x](javascript:alert(1))')
    '<p><strong>a</strong> &lt;img src=x onerror=alert(1)&gt; <a>x</a></p>\\n'
    """
    import mistune

    class Renderer(mistune.HTMLRenderer):
        def heading(self, text: str, level: int, **attrs) -> str:
            if headings is None:
                return f"<h{level}>{text}</h{level}>\n"
            anchor = headings.add(level, text)
            return f'<h{level} id="{anchor}">{text}</h{level}>\n'

        def link(self, text: str, url: str, title=None) -> str:
            if not url.lower().startswith(_SAFE_SCHEMES):
                return f"<a>{text}</a>"
            return super().link(text, url, title)

        def image(self, text: str, url: str, title=None) -> str:
            return htmllib.escape(text or "")

    md = mistune.create_markdown(renderer=Renderer(escape=True), plugins=["table", "strikethrough"])
    return md(source)


def _plotly_div(spec: dict, div_id: str) -> str:
    import plotly.io as pio

    fig = {"data": spec.get("data", []), "layout": spec.get("layout", {})}
    layout = fig["layout"]
    if isinstance(layout, dict) and not (layout.get("font") or {}).get("family"):
        fig["layout"] = {**layout, "font": {**(layout.get("font") or {}), "family": fonts.CSS_FAMILY}}
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id, validate=False,
                       default_height="auto",
                       config={"displaylogo": False, "responsive": True, "displayModeBar": True,
                               "toImageButtonOptions": {"format": "png", "filename": div_id, "scale": 3}})


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _short_paths(text: str) -> str:
    """Absolute paths of this machine → their last part (a report travels to other machines)."""
    return re.sub(r"(?<![\w.])(?:/[^\s/'\":,()]+){2,}/([^\s/'\":,()]+)", r"\1", text)


def _notebook_title(name: str, nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if match:
                return match.group(1).strip()
    return name


def _exported_name(source: str) -> str | None:
    match = re.search(r"(?:export_figure|\.export)\(\s*[\w.\[\]\"']+\s*,\s*[\"']([^\"']+)[\"']", source)
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
    return PLOTLY_MIME in data or any(m in data for m in ("image/png", "image/jpeg"))


class _Figures:
    """Numbers the figures of the report in order and finds their manifest rows."""

    def __init__(self, manifest):
        self.rows = {r["stem"]: r for r in manifest.to_dict("records")} if manifest is not None and len(manifest) else {}
        self.numbers: dict[str, int] = {}

    def number(self, key: str) -> int:
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
        return self.numbers[key]


def _static_chart(output, row: dict | None, *, directory: Path | None, alt: str) -> str:
    """A chart as an image for the printable page: the exported SVG (vector) when the manifest lists it,
    else the PNG shown beside the chart in the notebook, else a note."""
    esc = htmllib.escape
    files = [f for f in str((row or {}).get("files", "")).split(";") if f]
    svg = next((f for f in files if f.endswith(".svg")), None)
    if svg and directory is not None and (Path(directory) / svg).is_file():
        payload = base64.b64encode((Path(directory) / svg).read_bytes()).decode("ascii")
        return f'<div class="image"><img alt="{esc(alt)}" src="data:image/svg+xml;base64,{payload}"></div>'
    png = (output.get("data") or {}).get("image/png")
    if png:
        payload = _text(png).replace("\n", "")
        base64.b64decode(payload, validate=True)  # refuse to embed junk
        return f'<div class="image"><img alt="{esc(alt)}" src="data:image/png;base64,{payload}"></div>'
    return '<div class="skipped"><p>This chart is interactive only: see report.html.</p></div>'


def _figure_html(output, *, stem: str | None, number: int, figures: _Figures, div_id: str,
                 static: bool = False, directory: Path | None = None) -> str:
    esc = htmllib.escape
    data = output.get("data") or {}
    row = figures.rows.get(stem or "")
    anchor = f"fig-{stem}" if stem else f"fig-{number}"
    fallback = ""
    if PLOTLY_MIME in data:
        spec = data[PLOTLY_MIME]
        spec = json.loads(spec) if isinstance(spec, str) else spec
        if static:
            body = _static_chart(output, row, directory=directory, alt=(row or {}).get("title", "") or f"Figure {number}")
        else:
            body = f'<div class="chart">{_plotly_div(spec, div_id)}</div>'
        title = (spec.get("layout") or {}).get("title")
        fallback = re.sub(r"<[^>]+>", " ", str(title.get("text") if isinstance(title, dict) else title or "")).strip()
    else:
        body = ""
        for mime in ("image/png", "image/jpeg"):
            if mime in data:
                payload = _text(data[mime]).replace("\n", "")
                base64.b64decode(payload, validate=True)  # refuse to embed junk
                alt = esc((row or {}).get("title", "") or f"Figure {number}")
                body = f'<div class="image"><img alt="{alt}" src="data:{mime};base64,{payload}"></div>'
                break
    if row:
        title = row.get("title") or fallback or stem
        caption = row.get("caption", "")
        files = [f for f in str(row.get("files", "")).split(";") if f]
        links = " · ".join(f'<a href="{esc(f)}">{esc(f.rsplit(".", 1)[-1].upper())}</a>' for f in files)
        skipped = row.get("skipped", "")
        extra = f' <span class="files">Files: {links}{" (" + esc(skipped) + ")" if skipped else ""}</span>'
    else:
        title, caption, extra = fallback or "Chart", "", ""
    text = esc(str(title).rstrip(".")) + "." + (f" {esc(caption)}" if caption else "")
    return (f'<figure id="{esc(anchor)}" class="figure">{body}'
            f'<figcaption><strong>Figure {number}.</strong> {text}{extra}</figcaption></figure>')


def _result_html(payload: dict) -> str:
    table = pd.DataFrame(payload.get("rows") or [], columns=payload.get("columns") or [])
    meta = payload.get("result") or {}
    if meta:
        table = declare(table, result=meta.get("result", "table"), estimate=meta.get("estimate"),
                        sides=meta.get("sides"), family=meta.get("family"), kinds=meta.get("kinds"),
                        note=meta.get("note", ""))
    html = render_table(table, caption=payload.get("caption", ""), max_rows=int(payload.get("max_rows") or 60),
                        total_rows=payload.get("total_rows"))
    return f'<div class="result">{html}</div>'


def _error_reason(output) -> str:
    name = str(output.get("ename", "Error"))
    value = re.sub(r"\x1b\[[0-9;]*m", "", str(output.get("evalue", ""))).strip()
    if name == "NotApplicable":
        return _short_paths(value)
    if name == "NameError":
        return f"depends on an earlier part that could not run ({value})"
    return _short_paths(f"{name}: {value}")


def _notebook_parts(name: str, nb, *, prefix: str, figures: _Figures, skipped: list, static: bool = False,
                    directory: Path | None = None) -> tuple[list[str], _Headings]:
    """The HTML parts of one executed notebook, in cell order; skipped parts appended to ``skipped``."""
    headings = _Headings(prefix)
    parts: list[str] = []
    charts = 0
    root = None  # the last part that could not run, which later failures depend on
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata") or {}
        tags = set(meta.get("tags") or [])
        if tags & HIDDEN_TAGS:
            continue
        if cell.cell_type == "markdown":
            parts.append(f'<div class="markdown">{safe_markdown(cell.source, headings)}</div>')
            continue
        if cell.cell_type != "code" or tags & HIDDEN_OUTPUT_TAGS:
            continue
        for output in cell.get("outputs") or []:
            kind = output.get("output_type")
            if kind == "error":
                if output.get("ename") == "NameError" and root is not None:  # follows from a part skipped above
                    root["dependents"] += 1
                    parts.append('<div class="skipped"><p>Not run: it needs the part above that could not run.</p></div>')
                    continue
                root = {"notebook": name, "cell": index, "reason": _error_reason(output), "dependents": 0}
                skipped.append(root)
                parts.append(f'<div class="skipped"><p>Not run for these speeches: {htmllib.escape(root["reason"])}</p></div>')
                continue
            data = output.get("data") or {}
            if RESULT_MIME in data:
                payload = data[RESULT_MIME]
                parts.append(_result_html(json.loads(payload) if isinstance(payload, str) else payload))
            elif _is_figure(output):
                stem = _stem_of(output, cell, name)
                if PLOTLY_MIME in data:
                    charts += 1
                key = stem or f"{name}:{index}"
                parts.append(_figure_html(output, stem=stem, number=figures.number(key), figures=figures,
                                          div_id=f"{prefix}-fig{charts:02d}", static=static, directory=directory))
            elif NOTE_MIME in data or "text/markdown" in data:
                text = data[NOTE_MIME]["text"] if NOTE_MIME in data else _text(data["text/markdown"])
                parts.append(f'<div class="markdown note">{safe_markdown(text, headings)}</div>')
    return parts, headings


def _findings_table(findings: pd.DataFrame, figures: _Figures) -> str:
    if findings is None or findings.empty:
        return '<p class="empty">No findings were recorded.</p>'
    shown = findings.assign(figure=findings["figure"].map(lambda f: f"Figure {figures.numbers[f]}"
                                                            if f in figures.numbers else (f or "")))
    columns = [c for c in ("rank", "text", "significant", "warnings", "notebook", "figure") if c in shown.columns]
    return render_table(shown[columns], max_rows=len(shown))


def _figures_table(manifest: pd.DataFrame | None, figures: _Figures) -> str:
    if manifest is None or len(manifest) == 0:
        return ""
    esc = htmllib.escape
    rows = []
    for row in manifest.itertuples():
        links = " ".join(f'<a href="{esc(f)}">{esc(f.rsplit(".", 1)[-1].upper())}</a>'
                         for f in str(row.files).split(";") if f)
        skipped = f' <span class="files">({esc(row.skipped)})</span>' if row.skipped else ""
        number = figures.numbers.get(row.stem)
        ref = f'<a href="#fig-{esc(row.stem)}">Figure {number}</a>' if number else "—"
        rows.append(f'<tr><td class="label">{ref}</td><td class="text">{esc(row.title)}</td>'
                    f'<td class="label"><code>{esc(row.stem)}</code></td><td class="label">{links}{skipped}</td></tr>')
    return ('<table class="data"><thead><tr><th>figure</th><th>title</th><th>file stem</th><th>files</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _corpus_html(documents: pd.DataFrame | None, corpus: str | Path | None) -> str:
    esc = htmllib.escape
    where = f"<code>{esc(Path(corpus).name)}/</code>" if corpus else "the bundled <code>corpus/</code>"
    if documents is None or len(documents) == 0:
        return f"<p>Corpus folder: {where}.</p>"
    columns = [c for c in ("id", "title", "date", "level", "kind", "speaker_role", "han_chars") if c in documents.columns]
    return (f"<p>Corpus folder: {where}, {len(documents)} speech(es) with full text.</p>"
            + render_table(documents[columns], max_rows=30))


def _settings_html(settings) -> str:
    if settings is None:
        return ""
    esc = htmllib.escape
    d = settings.describe()

    def lexicon(key: str) -> str:
        path = d.get(key)
        sha = (d.get(f"{key}_sha256") or "")[:12]
        return f"<code>{esc(Path(str(path)).name)}</code> (sha256 {esc(sha)}…)" if path else "—"

    items = [
        f"segmenter {esc(str(d.get('segmenter')))} {esc(str(d.get('segmenter_version') or ''))}, "
        f"HMM {'on' if d.get('hmm') else 'off'}, stopwords {'removed' if d.get('use_stopwords') else 'kept'}",
        f"dictionary {lexicon('dictionary')}, stopwords {lexicon('stopwords')}, themes {lexicon('themes')}",
    ]
    return (f"<p>Settings (fingerprint <code>{esc(settings.fingerprint())}</code>, recorded with every figure): "
            + "; ".join(items) + ".</p>")


def _csp(html: str, *, files: bool = False) -> str:
    """A Content-Security-Policy allowing exactly the inline scripts of ``html`` (by hash), no other script
    (``files``: also scripts from the page's own folder, i.e. ``plotly.min.js`` beside it)."""
    hashes = sorted({base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
                     for m in re.finditer(r"<script[^>]*>(.*?)</script>", html, flags=re.S)})
    sources = " ".join((["'self'"] if files else []) + [f"'sha256-{h}'" for h in hashes]) or "'none'"
    policy = (f"default-src 'none'; script-src {sources}; style-src 'unsafe-inline'; img-src data:; "
              "font-src data:; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; "
              "form-action 'none'")
    return f'<meta http-equiv="Content-Security-Policy" content="{htmllib.escape(policy)}">'


def build_report(
    notebooks: Sequence[tuple[str, object]],
    *,
    title: str = "Organization-work speeches: workbook report",
    figures: pd.DataFrame | None = None,
    findings: pd.DataFrame | None = None,
    study=None,
    groups: pd.DataFrame | None = None,
    corpus: str | Path | None = None,
    documents: pd.DataFrame | None = None,
    settings=None,
    question: str = QUESTION,
    made: str | None = None,
    skipped: Sequence[dict] = (),
    notes: Sequence[str] = (),
    static: bool = False,
    directory: str | Path | None = None,
    plotlyjs: str = "inline",
) -> str:
    """Assemble executed notebooks, findings and the study into one HTML page.

    The page is interactive (plotly.js once, inline). ``static=True`` gives the variant that
    is printed to PDF: every chart is an image (the exported SVG from ``directory``, else
    the notebook's PNG) and the page holds no plotly.js, so printing runs no script.

    Args:
        notebooks: ``(name, notebook)`` pairs (``nbformat`` notebooks with outputs).
        title: Page title (the study's title when it has one).
        figures: The figure manifest (captions, file links, the list of figures).
        findings: The findings table (:func:`analysis.output.export.read_findings`).
        study: The :class:`analysis.study.Study` the notebooks ran.
        groups: The comparison groups (:func:`analysis.stats.meta.describe_group` rows).
        corpus: The corpus folder (only its name is shown).
        documents: The corpus folder's documents (metadata).
        settings: The :class:`analysis.settings.Settings` used.
        question: Printed first.
        made: Date printed as "made on" (default today).
        skipped: Parts that could not run (``notebook``, ``cell``, ``reason``) found before assembly.
        notes: Lines for "notes from the run".
        static: Charts as images, no plotly.js (the printable variant).
        plotlyjs: ``"inline"`` (the page works alone) or ``"directory"``: the page loads
            ``plotly.min.js`` from its own folder, where the charts' HTML files load it too
            (:func:`analysis.output.export.write_plotlyjs`), so the folder holds plotly.js once.
        directory: The figures folder the SVG files are read from (``static`` only); default
            :func:`analysis.paths.figures_dir`.

    Returns:
        The HTML document.
    """
    import jinja2
    from markupsafe import Markup
    from plotly.offline import get_plotlyjs

    from analysis.output.findings import rank_findings

    if plotlyjs not in ("inline", "directory"):
        raise ValueError(f"build_report: plotlyjs must be 'inline' or 'directory', not {plotlyjs!r}")
    fig_index = _Figures(figures)
    folder = (Path(directory) if directory is not None else paths.figures_dir()) if static else None
    skipped_parts = list(skipped)
    sections, toc = [], []
    for n, (name, nb) in enumerate(notebooks, 1):
        prefix = f"nb{n:02d}"
        parts, headings = _notebook_parts(name, nb, prefix=prefix, figures=fig_index, skipped=skipped_parts,
                                          static=static, directory=folder)
        nb_title = _notebook_title(name, nb)
        top = [h for h in headings.items if h[0] == 1]
        anchor = f"{prefix}-{_slug(name)}"
        toc.append({"anchor": top[0][2] if top else f"{anchor}-title", "title": nb_title,
                    "children": [{"anchor": a, "title": t} for level, t, a in headings.items if level == 2]})
        sections.append({"anchor": anchor, "title": nb_title, "has_title": bool(top),
                         "parts": [Markup(p) for p in parts]})
    ranked = rank_findings(findings) if findings is not None and len(findings) else pd.DataFrame()
    summary = []
    if len(ranked):
        for row in ranked.head(SUMMARY_SIZE).to_dict("records"):
            stem = row.get("figure") or ""
            summary.append({"text": str(row.get("text", "")), "link": f"fig-{stem}" if stem in fig_index.numbers else "",
                            "number": fig_index.numbers.get(stem)})
    toc.append({"anchor": "appendix-findings", "title": "Appendix A: every finding", "children": []})
    figures_html = _figures_table(figures, fig_index)
    if figures_html:
        toc.append({"anchor": "figures-h1", "title": "Appendix B: list of figures", "children": []})
    study_html = render_table(study.describe()) if study is not None else ""
    groups_html = (render_table(groups, caption="Who is on each side B (a group is compared as one pooled text)")
                   if groups is not None and len(groups) else "")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    page = env.get_template("report.html.j2").render(
        csp="@@CSP@@",
        title=(getattr(study, "title", "") or title),
        style=Markup((_TEMPLATES / "report.css").read_text(encoding="utf-8").replace("%(family)s", fonts.CSS_FAMILY)),
        head_scripts=([] if static else [Markup("window.PlotlyConfig = {MathJaxConfig: 'local'};")]
                      + ([Markup(get_plotlyjs())] if plotlyjs == "inline" else [])),
        script_files=["plotly.min.js"] if not static and plotlyjs == "directory" else [],
        made=made or datetime.date.today().isoformat(),
        notebook_count=len(notebooks),
        skipped=skipped_parts,
        question=question,
        study_html=Markup(study_html),
        study_notes=list(getattr(study, "notes", ()) or ()),
        groups_html=Markup(groups_html),
        corpus_html=Markup(_corpus_html(documents, corpus)),
        settings_html=Markup(_settings_html(settings)),
        rule=significance_rule(),
        summary=summary,
        n_significant=int((ranked["significant"].astype(str) == "True").sum()) if len(ranked) else 0,
        n_findings=len(ranked),
        toc=toc,
        sections=sections,
        findings_html=Markup(_findings_table(ranked, fig_index)),
        figures_html=Markup(figures_html),
        run_notes=[_short_paths(t) for t in notes],
    )
    return page.replace("@@CSP@@", _csp(page, files=not static and plotlyjs == "directory"), 1)
