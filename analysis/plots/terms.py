"""Figures of term counts: top-term bars, formula bars and a word cloud of our own tokens.

Every builder takes a table from :mod:`analysis.stats.counts` (never changed), draws exactly
the rows it is given (select and sort before calling, and show the same rows as the
table beside the chart) and returns a figure; none shows or writes anything:
:func:`analysis.output.export.export_figure` writes. Plotly figures go through
:func:`analysis.plots.charts.apply_style` (CJK font named in the layout).

>>> import pandas as pd
>>> table = pd.DataFrame({"term": ["人才", "基层", "干部"], "tokens": [24, 8, 17], "per_10k_han": [41.1, 13.7, 29.1]})
>>> fig = plot_term_frequencies(table)
>>> list(fig.data[0].y), [int(v) for v in fig.data[0].x]
(['人才', '干部', '基层'], [24, 17, 8])
>>> fig.layout.font.family.split(",")[0]
'Noto Sans CJK SC'
"""

from __future__ import annotations

import pandas as pd

from analysis.plots import charts

__all__ = ["plot_term_frequencies", "plot_formula_frequencies", "plot_word_cloud"]

_SOURCE = "a table from analysis.stats.counts"


def plot_term_frequencies(
    table: pd.DataFrame,
    *,
    value: str = "tokens",
    term: str = "term",
    title: str = "",
    height: int | None = None,
):
    """Horizontal bars of terms, largest on top.

    Args:
        table: Rows of :func:`analysis.stats.counts.term_frequencies` (one group), already
            cut to the terms to draw.
        value: Column drawn as bar length (``tokens``, ``occurrences``, ``per_10k_han`` ...).
        term: Column of terms.
        title: Chart title.
        height: Height in CSS pixels; by default 22 px per bar (at least 320).

    Returns:
        A styled plotly ``Figure`` with one horizontal ``Bar`` trace; bars sorted by
        ``value`` descending, ties by term.

    Raises:
        KeyError: A named column is missing.
    """
    charts.require_columns(table, [term, value], source=_SOURCE)
    data = table.sort_values([value, term], ascending=[False, True], kind="stable")
    names = {"count": "次数", "tokens": "整词次数", "occurrences": "出现次数", "per_10k_han": "每万汉字"}
    labels = {value: names.get(value, value), term: "词语"}
    fig = charts.bar_chart(
        data,
        x=value,
        y=term,
        orientation="h",
        title=title,
        labels=labels,
        height=height or max(320, 22 * len(data) + 120),
    )
    return fig


def plot_formula_frequencies(table: pd.DataFrame, *, title: str = "", height: int | None = None):
    """Horizontal bars of formula counts (whole tokens), coloured by how each formula was recognised.

    Args:
        table: Rows of :func:`analysis.stats.counts.formula_frequencies` (``formula``,
            ``rule``, ``tokens``), already cut to the formulas to draw.
        title: Chart title.
        height: Height in CSS pixels; by default 24 px per bar (at least 320).

    Returns:
        A styled plotly ``Figure``: one ``Bar`` trace per rule, largest formula on top.

    Raises:
        KeyError: A needed column is missing.

    >>> t = pd.DataFrame({"formula": ["两个维护", "新时代"], "rule": ["numbered", "dictionary"], "tokens": [2, 9]})
    >>> [trace.name for trace in plot_formula_frequencies(t).data]
    ['dictionary', 'numbered']
    """
    charts.require_columns(table, ["formula", "rule", "tokens"], source=_SOURCE)
    data = table.sort_values(["tokens", "formula"], ascending=[False, True], kind="stable")
    return charts.bar_chart(
        data,
        x="tokens",
        y="formula",
        color="rule",
        orientation="h",
        barmode="stack",  # one rule per formula: full-width bars, not grouped slots
        title=title,
        labels={"tokens": "整词次数 (tokens)", "formula": "提法", "rule": "识别方式"},
        height=height or max(320, 24 * len(data) + 120),
    )


def plot_word_cloud(table: pd.DataFrame, *, top_n: int = 120, random_state: int = 42, **options):
    """A seeded word cloud of term counts (our tokens, never re-split by wordcloud).

    Thin wrapper over :func:`analysis.plots.charts.word_cloud` (CJK font from
    :mod:`analysis.plots.fonts`, ``collocations=False``, fixed ``random_state``).

    Args:
        table: Rows of :func:`analysis.stats.counts.term_frequencies` (``term``, ``tokens``;
            a table with ``count`` instead works too).
        top_n: Number of terms drawn.
        random_state: Seed of the layout.
        **options: Passed on (``width``, ``height``, ``scale``, ``weight``: default
            ``tokens``, or ``count`` when the table has no ``tokens``).

    Returns:
        A generated ``wordcloud.WordCloud``.

    Raises:
        KeyError: A needed column is missing.

    >>> t = pd.DataFrame({"term": ["人才", "基层"], "tokens": [5, 3]})
    >>> sorted(plot_word_cloud(t, width=200, height=120, scale=1).words_)
    ['人才', '基层']
    """
    options.setdefault("weight", "tokens" if "tokens" in table.columns else "count")
    charts.require_columns(table, ["term", options["weight"]], source=_SOURCE)
    return charts.word_cloud(table, top_n=top_n, random_state=random_state, **options)
