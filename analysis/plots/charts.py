"""Figures from tidy tables: plotly charts and word clouds in one report style.

Every builder takes a tidy DataFrame (never changed) and returns a figure; none shows
or writes anything: :func:`analysis.output.export.export_figure` writes, the notebook displays.
All plotly figures go through :func:`apply_style`, which names the CJK font
(:data:`analysis.plots.fonts.CSS_FAMILY`) in the layout so PNG, SVG, PDF and HTML all draw
Chinese with Noto Sans CJK SC, and fixes the size so exports do not depend on a window.

>>> import pandas as pd
>>> table = pd.DataFrame({"term": ["干部", "组织", "基层"], "count": [12, 9, 4]})
>>> fig = bar_chart(table, x="count", y="term", title="高频词")
>>> fig.layout.font.family.split(",")[0]
'Noto Sans CJK SC'
>>> list(fig.data[0].y)
['干部', '组织', '基层']
>>> sorted(s for s in figure_strings(fig) if not s.isascii())
['基层', '干部', '组织', '高频词']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.plots import fonts

WIDTH = 900
"""Default figure width in CSS pixels (PNG export multiplies it by the export scale)."""
HEIGHT = 520
"""Default figure height in CSS pixels."""

COLORWAY = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
)
"""Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008, *Color Universal Design*)."""

THEME_COLOURS = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#332288", "#882255", "#44AA99", "#999933", "#AA4499", "#666666",
)
"""Twelve distinguishable colours for themes: Okabe–Ito (without yellow and black, which
vanish on white or read as text) followed by Paul Tol's muted scheme (Tol 2021,
*Colour Schemes*, SRON/EPS/TN/09-002). Enough for every theme of the lexicon at once."""


def theme_colours(themes) -> dict[str, str]:
    """Give each theme its own colour, in the order given (the lexicon's order keeps charts alike).

    Up to 12 themes get 12 different colours; beyond that, colours repeat (a chart
    with more themes should be split).

    >>> theme_colours(["talent", "grassroots", "talent"])
    {'talent': '#0072B2', 'grassroots': '#D55E00'}
    >>> len(set(theme_colours([f"t{i}" for i in range(12)]).values()))
    12
    """
    order = list(dict.fromkeys(str(t) for t in themes))
    return {t: THEME_COLOURS[i % len(THEME_COLOURS)] for i, t in enumerate(order)}


def wrap_label(label: str, *, width: int = 3) -> str:
    """Break a Chinese label longer than ``width`` characters into two lines (``<br>``) for a crowded axis.

    >>> wrap_label("理论学习"), wrap_label("人才"), wrap_label("从严治党责任")
    ('理论<br>学习', '人才', '从严治<br>党责任')
    """
    text = str(label)
    if len(text) <= width or " " in text or text.isascii():
        return text
    half = (len(text) + 1) // 2
    return text[:half] + "<br>" + text[half:]


def apply_style(fig, *, width: int = WIDTH, height: int = HEIGHT):
    """Return a copy of ``fig`` in the report style, with the CJK font named explicitly.

    Sets ``layout.font.family`` (and the hover-label and title fonts) to
    :data:`analysis.plots.fonts.CSS_FAMILY`, a white template with light grid lines, the
    Okabe–Ito colourway, readable font sizes and a fixed size, so that every export
    format draws the same picture. The input figure is not changed.

    Args:
        fig: A plotly ``Figure`` (or anything ``go.Figure`` accepts, such as a dict).
        width: Width in CSS pixels.
        height: Height in CSS pixels.

    Returns:
        A new styled ``plotly.graph_objects.Figure``.

    >>> import plotly.graph_objects as go
    >>> raw = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]))
    >>> styled = apply_style(raw)
    >>> styled.layout.font.family.startswith("Noto Sans CJK SC"), raw.layout.font.family
    (True, None)
    >>> styled.layout.width, styled.layout.height
    (900, 520)
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    out = go.Figure(fig)
    family = fonts.CSS_FAMILY
    out.update_layout(
        template=pio.templates["plotly_white"],
        font=dict(family=family, size=14, color="#222222"),
        title=dict(font=dict(family=family, size=18), x=0.0, xanchor="left", xref="paper"),
        hoverlabel=dict(font=dict(family=family, size=13)),
        legend=dict(font=dict(family=family, size=13)),
        colorway=list(COLORWAY),
        width=width,
        height=height,
        margin=dict(l=80, r=30, t=70, b=60),
        autosize=False,
    )
    out.update_xaxes(automargin=True, showline=True, linecolor="#888888", ticks="outside")
    out.update_yaxes(automargin=True, showline=True, linecolor="#888888", ticks="outside")
    return out


MAX_CATEGORIES = 100
"""Most values along one axis of a heatmap drawn from a table of any length (sections of a speech,
groups): a speech at the size cap has tens of thousands of sections, which no reader can tell apart
and which made one chart's HTML tens of megabytes. :func:`first_categories` cuts to this many."""


def legend_rows(labels: Sequence[str], *, width: float, font_size: int = 13) -> int:
    """The rows a horizontal legend of ``labels`` takes in ``width`` pixels (an estimate: a wide
    character such as a Han one is about a font size wide, another about 0.6 of it, and each entry
    adds 40 pixels of symbol and gap).

    >>> legend_rows(["甲" * 10, "b" * 10], width=400), legend_rows(["甲" * 30, "b" * 30], width=400)
    (1, 2)
    """
    import unicodedata

    rows, used = 1, 0.0
    for label in labels:
        wide = sum(unicodedata.east_asian_width(c) in "WF" for c in str(label))
        entry = 40 + font_size * (wide + 0.6 * (len(str(label)) - wide))
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def legend_under_title(fig, *, gap: int = 10):
    """Lay the title, then a horizontal legend's rows, then the plots, from the top down: the title
    pinned to the top, the legend right under it, and the top margin made to hold both and ``gap``
    pixels more (subplot titles need about 35). A legend above the plots anchored to them grew
    upward into a long title once it wrapped. Call after :func:`apply_style` (it reads the size).

    Returns:
        The figure, changed in place.
    """
    names = [t.name for t in fig.data if t.showlegend is not False and t.name]
    shown = fig.layout.showlegend if fig.layout.showlegend is not None else (
        len(fig.data) > 1 or any(t.showlegend for t in fig.data))  # plotly's rule: one trace has no legend
    if not shown or not names:
        return fig
    margin = fig.layout.margin
    width, height = fig.layout.width or WIDTH, fig.layout.height or HEIGHT
    rows = legend_rows(names, width=width - (margin.l or 0) - (margin.r or 0))
    title = 50 if fig.layout.title.text else 10
    return fig.update_layout(margin=dict(t=title + 24 * rows + gap),
                             title=dict(yref="container", y=1 - 12 / height, yanchor="top"),
                             legend=dict(orientation="h", yref="container", y=1 - title / height, yanchor="top",
                                         x=1, xanchor="right"))


def first_categories(table: pd.DataFrame, column: str, *, limit: int = MAX_CATEGORIES,
                     noun: str = "values") -> tuple[pd.DataFrame, str]:
    """The rows of the first ``limit`` values of ``column`` (in order of first appearance), and a note.

    Args:
        table: Any table holding ``column``; not changed.
        column: The column whose distinct values become one axis of a chart.
        limit: Most values kept (at least 1).
        noun: What a value is, for the note ("sections", "groups").

    Returns:
        ``(rows, note)``: all rows and ``""`` when ``column`` has at most ``limit`` values,
        else the rows of the first ``limit`` and a note such as ``"the first 100 of 51,234
        sections"`` to put in the chart's title.

    Raises:
        ValueError: ``limit`` is below 1.

    >>> t = pd.DataFrame({"section": ["一", "一", "二", "三"], "v": [1, 2, 3, 4]})
    >>> rows, note = first_categories(t, "section", limit=2, noun="sections")
    >>> rows["v"].tolist(), note
    ([1, 2, 3], 'the first 2 of 3 sections')
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    values = list(dict.fromkeys(table[column]))
    if len(values) <= limit:
        return table, ""
    kept = table[table[column].isin(set(values[:limit]))]
    return kept, f"the first {limit:,} of {len(values):,} {noun}"


def noted(title: str, note: str) -> str:
    """``title`` with ``note`` appended in parentheses (the title as it is when the note is empty).

    >>> noted("Relay by section", "the first 100 of 300 sections"), noted("Relay", "")
    ('Relay by section (the first 100 of 300 sections)', 'Relay')
    """
    return f"{title} ({note})" if note else title


def _labels(labels: Mapping[str, str] | None) -> dict:
    return dict(labels or {})


def _order(values: pd.Series) -> list:
    """Categories in order of first appearance (the table's order is the reader's order)."""
    return list(dict.fromkeys(values.tolist()))


def bar_chart(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    color: str | None = None,
    orientation: str | None = None,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    text: str | None = None,
    barmode: str = "group",
    hover: Sequence[str] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
):
    """Bar chart of a tidy table, categories in the table's own order.

    The category axis keeps the order of first appearance in ``table`` (sort the
    table first to choose it); with horizontal bars the first row is drawn on top.

    Args:
        table: Tidy table, one row per bar (per bar and colour group).
        x: Column on the x axis.
        y: Column on the y axis.
        color: Optional column that groups bars by colour.
        orientation: ``"h"`` or ``"v"``; default ``"h"`` when ``x`` is numeric and
            ``y`` is not, else ``"v"``.
        title: Chart title.
        labels: Axis/legend titles by column name (default: the column names).
        text: Optional column printed on the bars.
        barmode: ``"group"``, ``"stack"`` or ``"relative"``.
        hover: Extra columns shown on hover.
        width: Width in CSS pixels.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure``.

    Raises:
        KeyError: A named column is not in ``table``.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"section": ["一", "二"], "share": [0.6, 0.4]})
    >>> bar_chart(t, x="section", y="share").data[0].orientation
    'v'
    """
    import plotly.express as px

    _require(table, [x, y, color, text, *hover])
    if orientation is None:
        numeric_x = pd.api.types.is_numeric_dtype(table[x])
        numeric_y = pd.api.types.is_numeric_dtype(table[y])
        orientation = "h" if numeric_x and not numeric_y else "v"
    category = y if orientation == "h" else x
    orders = {category: _order(table[category])}
    if color:
        orders[color] = _order(table[color])
    fig = px.bar(
        table,
        x=x,
        y=y,
        color=color,
        orientation=orientation,
        title=title or None,
        labels=_labels(labels),
        text=text,
        barmode=barmode,
        hover_data=list(hover) or None,
        category_orders=orders,
        color_discrete_sequence=list(COLORWAY),
    )
    # with orientation "h", plotly express already lists the categories bottom-up so
    # that the first one is drawn on top
    return apply_style(fig, width=width, height=height)


def line_chart(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    color: str | None = None,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    markers: bool = True,
    hover: Sequence[str] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
):
    """Line chart of a tidy table (one line per ``color`` group), e.g. a term over years.

    Args:
        table: Tidy table, one row per point.
        x: Column on the x axis (rows are drawn in the table's order).
        y: Column on the y axis.
        color: Optional column, one line per value.
        title: Chart title.
        labels: Axis/legend titles by column name.
        markers: Draw point markers.
        hover: Extra columns shown on hover.
        width: Width in CSS pixels.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure``.

    Raises:
        KeyError: A named column is not in ``table``.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2018, 2019, 2018, 2019], "term": ["干部", "干部", "基层", "基层"],
    ...                   "rate": [1.5, 2.0, 0.5, 0.7]})
    >>> fig = line_chart(t, x="year", y="rate", color="term")
    >>> [trace.name for trace in fig.data], fig.layout.xaxis.tickvals
    (['干部', '基层'], (2018, 2019))
    """
    import plotly.express as px

    _require(table, [x, y, color, *hover])
    orders = {color: _order(table[color])} if color else {}
    fig = px.line(
        table,
        x=x,
        y=y,
        color=color,
        title=title or None,
        labels=_labels(labels),
        markers=markers,
        hover_data=list(hover) or None,
        category_orders=orders,
        color_discrete_sequence=list(COLORWAY),
    )
    _integer_ticks(fig, table[x])
    return apply_style(fig, width=width, height=height)


def _integer_ticks(fig, values: pd.Series) -> None:
    """Years and other integer x values: ticks on the values themselves, no "2,018.5"."""
    if pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values):
        ticks = sorted(set(values.dropna().tolist()))
        if len(ticks) <= 25:
            fig.update_xaxes(tickmode="array", tickvals=ticks, tickformat="d")
        else:
            fig.update_xaxes(tickformat="d")


def scatter_chart(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    color: str | None = None,
    text: str | None = None,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    hover: Sequence[str] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
):
    """Scatter plot of a tidy table, optionally labelling points (e.g. keyness plots).

    Args:
        table: Tidy table, one row per point.
        x: Column on the x axis.
        y: Column on the y axis.
        color: Optional column that colours points.
        text: Optional column printed beside each point.
        title: Chart title.
        labels: Axis/legend titles by column name.
        hover: Extra columns shown on hover.
        width: Width in CSS pixels.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure``.

    Raises:
        KeyError: A named column is not in ``table``.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"term": ["干部", "基层"], "a": [1.0, 2.0], "b": [3.0, 1.0]})
    >>> scatter_chart(t, x="a", y="b", text="term").data[0].mode
    'markers+text'
    """
    import plotly.express as px

    _require(table, [x, y, color, text, *hover])
    orders = {color: _order(table[color])} if color else {}
    fig = px.scatter(
        table,
        x=x,
        y=y,
        color=color,
        text=text,
        title=title or None,
        labels=_labels(labels),
        hover_data=list(hover) or None,
        category_orders=orders,
        color_discrete_sequence=list(COLORWAY),
    )
    if text:
        fig.update_traces(textposition="top center")
    return apply_style(fig, width=width, height=height)


def heatmap(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    z: str,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    colorscale: str = "Blues",
    text_format: str | None = ".2f",
    width: int = WIDTH,
    height: int = HEIGHT,
):
    """Heatmap of a tidy table (one row per cell), e.g. theme share by document.

    Rows and columns keep the order of first appearance in ``table``; missing cells
    stay empty (not zero).

    Args:
        table: Tidy table with one row per (``x``, ``y``) cell.
        x: Column giving the heatmap columns.
        y: Column giving the heatmap rows.
        z: Numeric column giving the colour.
        title: Chart title.
        labels: Axis/colour-bar titles by column name.
        colorscale: A plotly colour scale name.
        text_format: d3 format of the number printed in each cell; None prints nothing.
        width: Width in CSS pixels.
        height: Height in CSS pixels.

    Returns:
        A styled plotly ``Figure``.

    Raises:
        KeyError: A named column is not in ``table``.
        ValueError: Two rows share an (``x``, ``y``) cell.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc": ["甲", "甲", "乙"], "theme": ["党建", "干部", "党建"], "share": [0.2, 0.1, 0.3]})
    >>> fig = heatmap(t, x="theme", y="doc", z="share")
    >>> list(fig.data[0].x), list(fig.data[0].y)
    (['党建', '干部'], ['甲', '乙'])
    """
    import plotly.graph_objects as go

    _require(table, [x, y, z])
    if table.duplicated([x, y]).any():
        raise ValueError(f"heatmap: several rows share one ({x!r}, {y!r}) cell; aggregate the table first")
    names = _labels(labels)
    cols, rows = _order(table[x]), _order(table[y])
    grid = table.pivot(index=y, columns=x, values=z).reindex(index=rows, columns=cols)
    values = grid.astype(float).to_numpy()
    trace = go.Heatmap(
        x=cols,
        y=rows,
        z=values,
        colorscale=colorscale,
        colorbar=dict(title=dict(text=names.get(z, z))),
        hovertemplate=f"{names.get(x, x)}=%{{x}}<br>{names.get(y, y)}=%{{y}}<br>{names.get(z, z)}=%{{z}}<extra></extra>",
    )
    if text_format:
        trace.update(texttemplate=f"%{{z:{text_format}}}")
    fig = go.Figure(trace)
    fig.update_layout(title=title or None, xaxis_title=names.get(x, x), yaxis_title=names.get(y, y))
    fig.update_yaxes(autorange="reversed")
    return apply_style(fig, width=width, height=height)


def word_cloud(
    table: pd.DataFrame,
    *,
    term: str = "term",
    weight: str = "count",
    top_n: int = 150,
    width: int = 800,
    height: int = 450,
    scale: float = 3,
    random_state: int = 42,
    background_color: str = "white",
):
    """Word cloud of a term-frequency table, drawn with the CJK font.

    The words are the table's terms (tokens from our segmenter), never re-split by
    wordcloud's own regular expression, which drops one-character words; bigram
    collocations are off; the layout is seeded, so a re-run draws the same picture.
    Terms repeated in the table are summed. Words take the dark Okabe–Ito colours
    (:data:`COLORWAY`), readable on white.

    Args:
        table: Tidy table with a term column and a numeric weight column.
        term: Column of terms.
        weight: Column of weights (counts or rates); rows with weight <= 0 are dropped.
        top_n: Keep the ``top_n`` heaviest terms (ties broken by term).
        width: Layout width in pixels.
        height: Layout height in pixels.
        scale: Output scale: the PNG is ``width*scale`` × ``height*scale`` pixels.
        random_state: Seed of the layout.
        background_color: Background colour.

    Returns:
        A generated ``wordcloud.WordCloud`` (``.to_image()``/``.to_svg()`` render it).

    Raises:
        KeyError: A named column is not in ``table``.
        ValueError: No term has a positive weight.
        analysis.plots.fonts.FontError: The CJK font is not installed.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"term": ["干部", "组织", "党"], "count": [30, 20, 10]})
    >>> wc = word_cloud(t, width=200, height=120, scale=1)
    >>> sorted(wc.words_)
    ['党', '干部', '组织']
    """
    from wordcloud import WordCloud

    _require(table, [term, weight])
    freq = (
        table.loc[table[weight] > 0, [term, weight]]
        .groupby(term, sort=False)[weight]
        .sum()
        .reset_index()
        .sort_values([weight, term], ascending=[False, True], kind="stable")
        .head(top_n)
    )
    if freq.empty:
        raise ValueError(f"word_cloud: no term in column {term!r} has a positive {weight!r}")
    wc = WordCloud(
        font_path=str(fonts.cjk_font_file()),
        width=width,
        height=height,
        scale=scale,
        random_state=random_state,
        collocations=False,
        background_color=background_color,
        color_func=_word_color,
        prefer_horizontal=1.0,
        max_words=top_n,
        include_numbers=True,
        min_word_length=0,
    )
    return wc.generate_from_frequencies(dict(zip(freq[term].astype(str), freq[weight].astype(float))))


def _word_color(word=None, font_size=None, position=None, orientation=None, random_state=None, **kwargs) -> str:
    """Colour function for word clouds: a seeded pick among the dark palette colours."""
    dark = (COLORWAY[0], COLORWAY[1], COLORWAY[2], COLORWAY[3], COLORWAY[7])
    if random_state is None:
        return dark[0]
    return dark[random_state.randint(0, len(dark) - 1)]


def figure_strings(fig) -> list[str]:
    """Every string a plotly figure may draw: titles, axis and legend titles, tick and hover text.

    All string values in its data and layout (the template is left out: it draws
    nothing by itself), including string elements of arrays (categorical axis values,
    ``text``, ``hovertext``, ``customdata``). Feed the result to
    :func:`analysis.plots.fonts.check_glyphs`. The strings of any kind of figure (a word
    cloud's words too) come from :func:`analysis.output.figures.figure_strings`.

    Args:
        fig: A plotly ``Figure`` or figure dict.

    Returns:
        The strings, de-duplicated, in order of first appearance.

    Raises:
        TypeError: ``fig`` is neither.

    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2], hovertext=["第一", "第二"]))
    >>> fig = fig.update_layout(title="标题", xaxis_title="横轴")
    >>> sorted(s for s in figure_strings(fig) if not s.isascii())
    ['乙', '标题', '横轴', '甲', '第一', '第二']
    """
    if hasattr(fig, "to_plotly_json"):
        spec = fig.to_plotly_json()
    elif isinstance(fig, Mapping):
        spec = fig
    else:
        raise TypeError(f"figure_strings: expected a plotly Figure or figure dict, got {type(fig).__name__} "
                        "(analysis.output.figures.figure_strings reads every kind of figure)")
    layout = {k: v for k, v in dict(spec.get("layout") or {}).items() if k != "template"}
    return list(dict.fromkeys(_walk_strings([spec.get("data") or [], layout])))


def _walk_strings(value: Any) -> Iterator[str]:
    import numpy as np

    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _walk_strings(v)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind in "OUS":
            for v in value.ravel().tolist():
                yield from _walk_strings(v)
    elif isinstance(value, (list, tuple, pd.Series, pd.Index)):
        for v in value:
            yield from _walk_strings(v)
    elif isinstance(value, bytes):
        return


#: How the outline's level-0 parts are labelled in charts.
PART_LABELS = {"preamble": "开头", "closing": "结尾"}


def part_label(path: str) -> str:
    """Return the chart label of an outline path (``"preamble"`` → ``"开头"``; others unchanged).

    >>> part_label("preamble"), part_label("二（三）")
    ('开头', '二（三）')
    """
    return PART_LABELS.get(path, path)


def require_columns(table: pd.DataFrame, columns: Sequence[str | None], *, source: str = "") -> None:
    """Raise a KeyError naming the columns a plot needs that ``table`` lacks.

    Args:
        table: The table handed to a plot builder.
        columns: Column names it needs (None entries are ignored).
        source: Where a suitable table comes from, added to the message.

    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", None])
    """
    missing = [c for c in columns if c is not None and c not in table.columns]
    if missing:
        hint = f"; pass {source}" if source else ""
        raise KeyError(f"columns {missing} not in the table; it has {list(table.columns)}{hint}")


_require = require_columns
