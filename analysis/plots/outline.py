"""Figures of a speech's outline: a treemap of its parts and bars of their lengths.

Both builders take rows of :func:`analysis.text.outline.section_lengths` (never changed),
draw exactly the rows they are given, and return a styled plotly figure
(:func:`analysis.plots.charts.apply_style`); they never show or write it
(:func:`analysis.output.export.export_figure` writes). Select rows before calling, and show
the same rows as the table beside the chart.

>>> import pandas as pd
>>> from analysis.text.outline import text_section_lengths
>>> lengths = text_section_lengths("前言。\\n一、甲\\n（一）乙乙。\\n（二）丙。", document="d")
>>> fig = plot_outline_treemap(lengths)
>>> list(fig.data[0].ids)
['d', 'd/preamble', 'd/一', 'd/一（一）', 'd/一（二）']
>>> plot_section_lengths(lengths[lengths["level"] <= 1]).data[0].x.tolist()
[2, 7]
"""

from __future__ import annotations

import pandas as pd

from analysis.plots import charts

__all__ = ["WARNING_MARK", "MAX_PARTS", "parts_to_draw", "plot_outline_treemap", "plot_section_lengths",
           "node_label"]

_NEEDED = ("document", "path", "parent", "level", "title", "han_chars")
_KIND_NAMES = charts.PART_LABELS
_SOURCE = "rows of analysis.text.outline.section_lengths(documents)"


#: The mark put before the label of a node the outline diagnostics warn about.
WARNING_MARK = "※ "  # U+203B, in every CJK font (a warning sign may not be)
#: The outline drawn around a warned node's box in the treemap.
_WARNING_LINE = dict(color="#c0392b", width=4)


#: Most outline parts one chart draws. A speech has a few dozen; a text of many repeated or
#: concatenated speeches can have tens of thousands, whose bars would make an image hundreds of
#: thousands of pixels tall (and a browser that renders it, gigabytes).
MAX_PARTS = 100


def parts_to_draw(table: pd.DataFrame, *, limit: int = MAX_PARTS) -> pd.DataFrame:
    """The rows of an outline table that one chart can draw: all of them, or those of the first ``limit`` parts.

    A part is an outline node (``document`` and ``path``); a table may hold one row per part
    (:func:`analysis.text.outline.section_lengths`) or several (one per theme, as
    :func:`analysis.stats.themes.theme_coverage` by section). A table of at most ``limit``
    parts is returned as it is. A longer one is cut to whole subtrees in document order: its
    top-level parts (``level`` ≤ 1: preamble, sections, closing) when it has any, else its
    parts (e.g. sub-points alone, for bars), the first ``limit`` of them with all their rows.
    Top-level parts have no parent, so a cut outline is still a treemap.

    Args:
        table: Rows with columns ``path`` and ``level`` (``document`` when there are several
            documents), in document order. Not modified.
        limit: Most parts kept (at least 1).

    Returns:
        The same columns, the rows of at most ``limit`` parts, the index kept.

    Raises:
        KeyError: ``path`` or ``level`` is missing.
        ValueError: ``limit`` is below 1.

    >>> import pandas as pd
    >>> table = pd.DataFrame({"path": ["一", "一（一）", "二", "三"], "level": [1, 2, 1, 1]})
    >>> parts_to_draw(table)["path"].tolist()
    ['一', '一（一）', '二', '三']
    >>> parts_to_draw(table, limit=2)["path"].tolist()
    ['一', '二']
    """
    if limit < 1:
        raise ValueError(f"parts_to_draw: limit must be at least 1, not {limit}")
    charts.require_columns(table, ("path", "level"), source=_SOURCE)

    def parts(rows: pd.DataFrame) -> pd.Series:
        path = rows["path"].astype(str)
        return rows["document"].astype(str) + "\x00" + path if "document" in rows.columns else path

    if parts(table).nunique() <= limit:
        return table
    top = table[table["level"] <= 1]
    rows = top if len(top) else table
    keys = parts(rows)
    return rows[keys.isin(keys.drop_duplicates().head(limit))]


def _warned(table: pd.DataFrame, warnings: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """(document, path) → warning messages, from ``warnings`` rows or the table's ``warnings`` column."""
    out: dict[tuple[str, str], list[str]] = {}
    if warnings is not None:
        charts.require_columns(warnings, ("document", "path", "message"),
                               source="analysis.text.outline.outline_warnings(documents)")
        for doc, path, message in zip(warnings["document"], warnings["path"], warnings["message"]):
            if path:
                out.setdefault((str(doc), path), []).append(message)
    elif "warnings" in table.columns and "document" in table.columns:
        for doc, path, message in zip(table["document"], table["path"], table["warnings"]):
            if isinstance(message, str) and message and path not in _KIND_NAMES:
                out.setdefault((str(doc), path), []).append(message)
    return {k: "; ".join(v) for k, v in out.items()}


def node_label(path: str, title: str, *, width: int = 10) -> str:
    """A short label for a node: its path and the start of its title.

    Args:
        path: The node's path (``"二（三）"``, ``"preamble"``, ``"closing"``).
        title: The node's title.
        width: Characters of the title kept (then …).

    Returns:
        ``"二（三） 加强领导班子建设"``; ``"开头"`` and ``"结尾"`` for preamble and closing.

    >>> node_label("二（三）", "加强领导班子建设和干部队伍建设")
    '二（三） 加强领导班子建设和干…'
    >>> node_label("preamble", "同志们：这次会议")
    '开头'
    """
    if path in _KIND_NAMES:
        return _KIND_NAMES[path]
    short = title if len(title) <= width else title[:width] + "…"
    return f"{path} {short}".strip()


def plot_outline_treemap(table: pd.DataFrame, *, title: str = "", height: int = 720,
                         warnings: pd.DataFrame | None = None):
    """Treemap of outline nodes, each box sized by its Han characters (children included).

    Each document is a root box holding its preamble, top-level sections and closing;
    a section holds its sub-points (and its unheaded part). A parent's own text (its
    heading and the lines before the first sub-point) is the part of its box not covered
    by children (plotly ``branchvalues="total"``).

    Args:
        table: Rows of :func:`analysis.text.outline.section_lengths` (columns ``document``,
            ``path``, ``parent``, ``level``, ``title``, ``han_chars``; ``share_of_document``
            is shown on hover when present). Every row's parent must be in the table.
        title: Chart title.
        height: Height in CSS pixels.
        warnings: Rows of :func:`analysis.text.outline.outline_warnings` (``document``,
            ``path``, ``message``); each warned node is marked: :data:`WARNING_MARK` before
            its label, a red border, the message on hover. Without it, a ``warnings`` column
            of ``table`` (from :func:`analysis.text.outline.outline_table`) is used when present.

    Returns:
        A styled plotly ``Figure`` with one ``Treemap`` trace.

    Raises:
        KeyError: A needed column is missing.
        ValueError: A row's parent is not in the table.

    >>> from analysis.text.outline import text_section_lengths
    >>> trace = plot_outline_treemap(text_section_lengths("一、甲\\n（一）乙乙", document="d")).data[0]
    >>> list(zip(trace.ids, trace.parents, trace.values))
    [('d', '', 5), ('d/一', 'd', 5), ('d/一（一）', 'd/一', 3)]
    """
    import plotly.graph_objects as go


    charts.require_columns(table, _NEEDED, source=_SOURCE)
    warned = _warned(table, warnings)
    ids, labels, parents, values, hover, lines = [], [], [], [], [], []
    for document, rows in table.groupby("document", sort=False):
        doc = str(document)
        known = set(rows["path"])
        ids.append(doc)
        labels.append(doc)
        parents.append("")
        values.append(int(rows.loc[rows["level"] <= 1, "han_chars"].sum()))
        hover.append("")
        lines.append(None)
        for row in rows.itertuples(index=False):
            parent = row.parent if isinstance(row.parent, str) else None
            if parent is not None and parent not in known:
                raise ValueError(f"{doc}: node {row.path!r} has parent {parent!r}, which is not in the "
                                 "table; pass whole subtrees (e.g. all rows of the document)")
            ids.append(f"{doc}/{row.path}")
            # sub-points: path on one line, a short title on the next, so the label fits its box
            # at a readable size (plotly shrinks a label to its box)
            message = warned.get((doc, row.path))
            mark = WARNING_MARK if message else ""
            labels.append(mark + (node_label(row.path, row.title) if row.level <= 1 else
                                  f"{row.path}<br>{node_label('', row.title, width=6)}"))
            parents.append(f"{doc}/{parent}" if parent else doc)
            values.append(int(row.han_chars))
            share = getattr(row, "share_of_document", None)
            text = (f"{row.title}<br>{share:.1%} of the document" if share is not None
                    and pd.notna(share) else row.title)
            hover.append(text + (f"<br>{WARNING_MARK}{message}" if message else ""))
            lines.append(message)
    marker = {}
    if any(lines):
        marker = dict(line=dict(color=[_WARNING_LINE["color"] if m else "white" for m in lines],
                                width=[_WARNING_LINE["width"] if m else 1 for m in lines]))
    fig = go.Figure(go.Treemap(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total", marker=marker,
        customdata=hover, hovertemplate="%{label}<br>%{value} Han characters<br>%{customdata}<extra></extra>",
        textinfo="label+percent root", sort=False, textfont=dict(size=15),
    ))
    fig.update_layout(uniformtext=dict(minsize=11, mode="show"))
    fig.update_layout(title=title or None, margin={"t": 50 if title else 10, "l": 10, "r": 10, "b": 10})
    return charts.apply_style(fig, height=height)


def plot_section_lengths(table: pd.DataFrame, *, title: str = "", height: int | None = None,
                         warnings: pd.DataFrame | None = None):
    """Horizontal bars of Han characters per node, in document order (first on top).

    Args:
        table: Rows of :func:`analysis.text.outline.section_lengths` to draw (e.g. the rows with
            ``level <= 1`` for preamble, sections and closing; or ``level == 2`` for the
            sub-points). Columns ``path``, ``title``, ``han_chars``;
            ``share_of_document`` is printed on the bars when present.
        title: Chart title.
        height: Height in CSS pixels (default: grows with the number of bars).
        warnings: Rows of :func:`analysis.text.outline.outline_warnings`; a warned node's bar
            label starts with :data:`WARNING_MARK` (rows need a ``document`` column to be
            matched). Without it, a ``warnings`` column of ``table`` is used when present.

    Returns:
        A styled plotly ``Figure`` (from :func:`analysis.plots.charts.bar_chart`), one bar per row.

    Raises:
        KeyError: A needed column is missing.

    >>> from analysis.text.outline import text_section_lengths
    >>> fig = plot_section_lengths(text_section_lengths("一、甲\\n二、乙乙", document="d"))
    >>> list(fig.data[0].y), list(fig.data[0].text)
    (['一 甲', '二 乙乙'], ['40.0%', '60.0%'])
    """

    charts.require_columns(table, ("path", "title", "han_chars"), source=_SOURCE)
    warned = _warned(table, warnings)
    documents = table["document"].astype(str) if "document" in table.columns else [""] * len(table)
    bars = pd.DataFrame({
        "part": [(WARNING_MARK if (d, p) in warned else "") + node_label(p, t)
                 for d, p, t in zip(documents, table["path"], table["title"])],
        "han_chars": table["han_chars"].astype("int64").to_numpy(),
    })
    text = None
    if "share_of_document" in table.columns:
        bars["share"] = [f"{s:.1%}" if pd.notna(s) else "" for s in table["share_of_document"]]
        text = "share"
    return charts.bar_chart(
        bars, x="han_chars", y="part", orientation="h", text=text, title=title,
        labels={"han_chars": "Han characters", "part": ""},
        height=height or max(300, 60 + 34 * len(bars)),
    )
