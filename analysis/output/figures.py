"""Figure kinds: one registry says how each kind of figure is recognised, checked, rendered and shown.

:func:`analysis.output.export.export_figure` writes any figure through this table, so adding
a kind of figure is one :class:`FigureKind` in :data:`KINDS` and nothing else:

==============  ===========================  ==========================  ==========================
kind            recognised by                files (besides the CSV)     in a notebook and the report
==============  ===========================  ==========================  ==========================
``plotly``      ``to_plotly_json``           PNG, SVG, PDF, HTML         interactive chart + PNG
``wordcloud``   a ``wordcloud.WordCloud``    PNG, SVG                    PNG
``network``     a networkx graph             GraphML, GEXF               the figure's name (files
                                                                         for Gephi, R or networkx)
==============  ===========================  ==========================  ==========================

Each kind says which strings it draws (checked against the CJK font before anything is
written), how to show a character the font lacks as a placeholder, and how to render
itself in memory (:class:`Rendered`: the files, what was skipped, the image shown beside
it in a notebook, the interactive bundle). A notebook shows what :class:`Rendered` holds
(:class:`analysis.output.export.Exported`), and the report draws what the notebook shows
(an interactive chart, else an image), so neither needs a branch per kind. Static images
of plotly figures come from the caller (``statics``: the render cache and the Chromium
server of :mod:`analysis.output.export`), so this module starts no browser.

>>> import plotly.graph_objects as go
>>> figure_kind(go.Figure()).name, figure_kind(go.Figure()).formats
('plotly', ('png', 'svg', 'pdf', 'html'))
>>> [k.name for k in KINDS]
['plotly', 'wordcloud', 'network']
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analysis.plots import charts, fonts

__all__ = ["FigureKind", "KINDS", "PNG_SCALE", "Rendered", "figure_kind", "figure_strings", "network_files",
           "plotly_mimebundle", "render_figure", "with_placeholders"]

PNG_SCALE = 2
"""PNG pixels per layout pixel: a 900×520 chart becomes 1800×1040 (about 280 dpi across a 6.5 in column;
the SVG and PDF beside it are vector, for print at any size)."""

#: ``statics(spec, width=, height=)`` → (format → bytes, what was skipped, the notebook's PNG or a callable
#: giving it): the static images of a plotly figure dict.
Statics = Callable[..., tuple[dict[str, bytes], str, Any]]


@dataclass(frozen=True)
class Rendered:
    """A figure rendered in memory, before anything is written."""

    kind: str  #: the :class:`FigureKind` name, recorded in the manifest
    files: dict[str, bytes]  #: format → bytes
    skipped: str = ""  #: what was not rendered, and why
    notebook_png: bytes | Callable[[], bytes] | None = None  #: static image beside the figure in a notebook
    interactive: dict | None = None  #: mime bundle of the interactive figure in a notebook


@dataclass(frozen=True)
class FigureKind:
    """How one kind of figure is recognised, checked against the font, rendered and shown.

    Attributes:
        name: The manifest's ``kind``.
        detect: True for a figure of this kind.
        formats: The files it may write besides ``<stem>.csv`` (a static format is skipped
            when no Chromium is found).
        render: ``render(fig, *, stem, title, statics)`` → :class:`Rendered`.
        strings: The strings the figure draws, checked against the CJK font.
        placeholders: ``placeholders(fig, fix)`` → a copy of ``fig`` with ``fix`` applied to
            every string it draws (``fix`` replaces characters the font lacks); None: the
            figure draws no text of its own.
    """

    name: str
    detect: Callable[[Any], bool]
    formats: tuple[str, ...]
    render: Callable[..., Rendered]
    strings: Callable[[Any], list[str]] = lambda fig: []
    placeholders: Callable[[Any, Callable[[Any], Any]], Any] | None = None


# --------------------------------------------------------------------------- plotly


def _is_plotly(fig) -> bool:
    return hasattr(fig, "to_plotly_json")


def _with_cjk_font(fig):
    """Return a plotly Figure copy whose layout names the CJK font (unchanged if it does)."""
    import plotly.graph_objects as go

    out = go.Figure(fig)
    if not out.layout.font.family:
        out.update_layout(font_family=fonts.CSS_FAMILY)
    return out


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _plotly_html(fig, stem: str, title: str, *, png_scale: int) -> bytes:
    html = fig.to_html(
        include_plotlyjs="directory",
        full_html=True,
        div_id=stem,
        config={
            "displaylogo": False,
            "responsive": True,
            "toImageButtonOptions": {"format": "png", "filename": stem, "scale": png_scale},
        },
    )
    head = f"<title>{_escape(title or stem)}</title>\n"
    head += f"    <style>body {{font-family: {fonts.CSS_FAMILY};}}</style>\n"
    html = html.replace("<head>\n", "<head>\n    " + head, 1)
    return html.encode("utf-8")


def plotly_mimebundle(fig) -> dict:
    """The mime bundle plotly's own notebook renderer gives (``application/vnd.plotly.v1+json``).

    Built as ``pio.renderers["plotly_mimetype"].to_mimebundle`` builds it (its config is
    empty), without importing ``plotly.io._renderers``: that module imports nbformat, whose
    jsonschema format checkers compile dozens of grammars at import (seconds in every kernel).

    >>> import plotly.graph_objects as go
    >>> list(plotly_mimebundle(go.Figure(go.Bar(x=["人才"], y=[3]))))
    ['application/vnd.plotly.v1+json']
    """
    import json

    import plotly.io as pio

    return {"application/vnd.plotly.v1+json": json.loads(pio.to_json(fig.to_dict(), validate=False, remove_uids=False))}


def _plotly_placeholders(fig, fix):
    import plotly.graph_objects as go

    spec = fig.to_plotly_json()
    template = spec.get("layout", {}).get("template")
    layout = {k: fix(v) for k, v in dict(spec.get("layout") or {}).items() if k != "template"}
    if template is not None:
        layout["template"] = template
    return go.Figure(data=[fix(trace) for trace in spec.get("data") or []], layout=layout)


def _render_plotly(fig, *, stem: str, title: str, statics: Statics) -> Rendered:
    """PNG, SVG and PDF from ``statics`` (when it can), and the self-contained HTML."""
    figure = _with_cjk_font(fig)
    width = int(figure.layout.width or charts.WIDTH)
    height = int(figure.layout.height or charts.HEIGHT)
    files, skipped, notebook_png = statics(figure.to_dict(), width=width, height=height)
    files = {**files, "html": _plotly_html(figure, stem, title, png_scale=PNG_SCALE)}
    return Rendered("plotly", files, skipped, notebook_png, plotly_mimebundle(fig))


# --------------------------------------------------------------------------- word clouds


def _is_wordcloud(fig) -> bool:
    """A ``wordcloud.WordCloud`` (checked by name, so wordcloud is imported only when used)."""
    return type(fig).__name__ == "WordCloud" and hasattr(fig, "to_image")


def _wordcloud_strings(fig) -> list[str]:
    layout = getattr(fig, "layout_", None)
    words = [entry[0][0] for entry in layout] if layout else list(getattr(fig, "words_", {}) or {})
    return list(dict.fromkeys(str(w) for w in words))


def _wordcloud_placeholders(fig, fix):
    new = copy.copy(fig)
    new.layout_ = [((fix(word), freq), *rest) for (word, freq), *rest in fig.layout_]
    new.words_ = {fix(w): f for w, f in getattr(fig, "words_", {}).items()}
    return new


def _svg_family() -> str:
    names = [n.strip() for n in fonts.CSS_FAMILY.split(",")]
    return ",".join(n if n in {"sans-serif", "serif"} else f"'{n}'" for n in names)


def _wordcloud_svg(wc) -> bytes:
    svg = wc.to_svg(embed_font=False)
    svg = re.sub(r"font-family:\s*'[^']*'", "font-family:" + _svg_family(), svg, count=1)
    return svg.encode("utf-8")


def _wordcloud_png(wc, *, reduce: int = 1) -> bytes:
    buffer = io.BytesIO()
    image = wc.to_image()
    (image.reduce(reduce) if reduce > 1 else image).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _render_wordcloud(wc, *, stem: str, title: str, statics: Statics) -> Rendered:
    """PNG and SVG from the word cloud itself (no Chromium); the notebook's PNG at 1× its layout."""
    return Rendered("wordcloud", {"png": _wordcloud_png(wc), "svg": _wordcloud_svg(wc)},
                    notebook_png=_wordcloud_png(wc, reduce=max(1, round(getattr(wc, "scale", 1)))))


# --------------------------------------------------------------------------- networks


def _is_network(fig) -> bool:
    """A networkx graph (checked by module, so networkx is imported only when used)."""
    return type(fig).__module__.split(".")[0] == "networkx" and hasattr(fig, "adj")


def network_files(graph) -> dict[str, bytes]:
    """A networkx graph as GraphML and GEXF bytes (UTF-8).

    >>> import networkx as nx
    >>> g = nx.Graph(); g.add_node("人才", label="人才"); g.add_edge("人才", "基层", weight=0.5)
    >>> files = network_files(g)
    >>> nx.read_graphml(io.BytesIO(files["graphml"])).edges["人才", "基层"]["weight"]
    0.5
    """
    import networkx as nx

    out = {}
    for fmt, write in (("graphml", nx.write_graphml), ("gexf", nx.write_gexf)):
        buffer = io.BytesIO()
        write(graph, buffer)
        out[fmt] = buffer.getvalue()
    return out


def _render_network(graph, *, stem: str, title: str, statics: Statics) -> Rendered:
    """GraphML and GEXF; a notebook shows the figure's name (Gephi, R or networkx draw it)."""
    return Rendered("network", network_files(graph))


# --------------------------------------------------------------------------- the registry

#: Every kind of figure :func:`analysis.output.export.export_figure` writes, tried in order.
KINDS: tuple[FigureKind, ...] = (
    FigureKind("plotly", _is_plotly, ("png", "svg", "pdf", "html"), _render_plotly,
               strings=charts.figure_strings, placeholders=_plotly_placeholders),
    FigureKind("wordcloud", _is_wordcloud, ("png", "svg"), _render_wordcloud,
               strings=_wordcloud_strings, placeholders=_wordcloud_placeholders),
    # GraphML and GEXF keep the labels exactly (Gephi and R draw them with their own fonts): no check
    FigureKind("network", _is_network, ("graphml", "gexf"), _render_network),
)


def figure_kind(fig) -> FigureKind:
    """The :class:`FigureKind` of ``fig``.

    Raises:
        TypeError: ``fig`` is of no kind in :data:`KINDS` (the message lists them).

    >>> figure_kind(42)
    Traceback (most recent call last):
    ...
    TypeError: export: expected a figure of kind plotly, wordcloud or network, got int
    """
    for kind in KINDS:
        if kind.detect(fig):
            return kind
    names = [k.name for k in KINDS]
    raise TypeError(f"export: expected a figure of kind {', '.join(names[:-1])} or {names[-1]}, "
                    f"got {type(fig).__name__}")


def figure_strings(fig) -> list[str]:
    """Every string a figure draws (its kind's ``strings``), for :func:`analysis.plots.fonts.check_glyphs`.

    >>> import plotly.graph_objects as go
    >>> figure_strings(go.Figure(go.Bar(x=["甲"], y=[1])))
    ['甲', 'bar']
    """
    return figure_kind(fig).strings(fig)


def with_placeholders(fig):
    """Return ``(figure, replaced)``: a copy of ``fig`` whose undrawable characters show as placeholders.

    A private-use or unassigned character (or any the CJK font lacks) in a term, a
    title or a hover text would print as a box; it is replaced by its code point
    (:data:`analysis.plots.fonts.PLACEHOLDER`) so the figure still renders and the reader
    sees where it was. The input figure is not changed.

    Args:
        fig: A figure of any kind in :data:`KINDS`.

    Returns:
        The figure (``fig`` itself when nothing needed replacing, or when its kind draws
        no text of its own) and a dict character → occurrences replaced (empty when none).

    Raises:
        TypeError: ``fig`` is of no kind in :data:`KINDS`.

    >>> import plotly.graph_objects as go
    >>> new, replaced = with_placeholders(go.Figure(go.Bar(x=["组\\ue000织", "干部"], y=[1, 2])))
    >>> list(new.data[0].x), replaced
    (['组[U+E000]织', '干部'], {'\\ue000': 1})
    """
    kind = figure_kind(fig)
    if kind.placeholders is None:
        return fig, {}
    missing = fonts.missing_glyphs(kind.strings(fig))
    if not missing:
        return fig, {}
    replaced: dict[str, int] = {}

    def fix(value):
        if isinstance(value, str):
            hits = [c for c in value if c in missing]
            for c in hits:
                replaced[c] = replaced.get(c, 0) + 1
            return fonts.placeholder_label(value, missing) if hits else value
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(fix(v) for v in value)
        if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "OU":
            return [fix(v) for v in value.tolist()]
        return value

    return kind.placeholders(fig, fix), replaced


def render_figure(fig, *, stem: str, title: str, statics: Statics) -> Rendered:
    """Render ``fig`` in memory by its kind (nothing is written).

    Raises:
        TypeError: ``fig`` is of no kind in :data:`KINDS`.
    """
    return figure_kind(fig).render(fig, stem=stem, title=title, statics=statics)
