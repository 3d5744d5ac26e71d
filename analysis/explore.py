"""The explorer: pick speeches, themes or terms and a share; click a chart to read the lines behind it.

:func:`explore` puts three charts of the workbook side by side in JupyterLab and keeps
them in step with a few controls:

* the **section × theme heatmap** (:func:`analysis.stats.themes.theme_coverage` drawn by
  :func:`analysis.plots.emphasis.plot_theme_coverage`), rows by outline section or by
  speech/group;
* the **talent–grassroots bars** (:func:`analysis.stats.themes.talent_grassroots_index`,
  :func:`analysis.plots.emphasis.plot_talent_grassroots_index`);
* the **shift chart** (:func:`analysis.stats.themes.emphasis_shift`,
  :func:`analysis.plots.emphasis.plot_emphasis_shift`): the first two speeches or groups
  picked, or, with one speech picked, its two top-level sections richest in talent and in
  grassroots (:func:`analysis.stats.themes.contrast_sections`).

A click on a heatmap cell, a bar or a theme of the shift chart lists the keyword-in-context
lines of that theme's terms (or of the term) in that part, with their outline paths
(:func:`analysis.stats.counts.kwic`, which reads the feature cache). Reference profiles
hold counts, no text: for them the explorer says why it shows no lines. A button writes
the chart chosen beside it through the one export path
(:func:`analysis.output.export.export_figure`, with the table it draws).

No statistic is computed here: every number comes from the functions named above. The
logic lives in :class:`Explorer` (plain methods: :meth:`Explorer.update`,
:meth:`Explorer.click_cell`, :meth:`Explorer.click_bar`, :meth:`Explorer.click_theme`,
:meth:`Explorer.click_term`, :meth:`Explorer.export`), so it is tested without a
browser; :meth:`Explorer.widget` wires it to ipywidgets: every clickable element (a heatmap
cell, a bar, a theme) is a widget button, so a click reaches the kernel through the widget
protocol alone; everything is served by the installed packages, so it works offline.

>>> import pandas as pd
>>> from analysis.features import build_features
>>> docs = pd.DataFrame({"id": ["d"], "text": ["一、重视人才\\n引进人才，服务基层。\\n二、建好人才驿站\\n基层党组织。\\n"]})
>>> ex = explore(build_features(docs, progress=False, cache=False), texts=docs, terms=["人才"], rows="speech")
>>> ex.coverage[["document", "theme", "theme_hits"]].values.tolist()
[['d', '人才', 3]]
>>> ex.click_cell("d", "人才")[["path", "hit", "whole_token"]].values.tolist()
[['一', '人才', True], ['一', '人才', True], ['二', '人才', False]]
"""

from __future__ import annotations

import functools
import html
from dataclasses import replace
from pathlib import Path
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis import paths
from analysis.plots.charts import part_label
from analysis.plots.compare import empty_figure
from analysis.plots.emphasis import plot_emphasis_shift, plot_talent_grassroots_index, plot_theme_coverage
from analysis.plots.outline import MAX_PARTS, parts_to_draw
from analysis.plots.scatter import plot_term_scatter
from analysis.settings import Settings
from analysis.stats.counts import kwic
from analysis.stats.scatter import term_scatter
from analysis.stats.themes import contrast_sections, emphasis_shift, lexicon_from_dict, talent_grassroots_index, theme_coverage
from analysis.stats.units import section_members
from analysis.text.lexicon import resolve_lexicon
from analysis.types import SHARES, check_choice

__all__ = ["explore", "Explorer", "CHARTS", "KWIC_COLUMNS"]

#: The charts the explorer draws (names used by :meth:`Explorer.export` and the export menu).
CHARTS = ("heatmap", "bars", "shift", "scatter")
#: :meth:`Explorer.warm` runs KWIC ahead for texts of at most this many characters in all (a few
#: seconds on speeches; on a 64 MiB document it would take minutes and gigabytes before any click).
WARM_CHARS = 2_000_000
#: Columns of :attr:`Explorer.lines` (KWIC lines of the last click).
KWIC_COLUMNS = ["document", "path", "term", "left", "hit", "right", "whole_token", "start", "end"]
#: Values of ``rows``: outline sections of the speeches picked, or one row per speech or group picked.
ROWS = ("section", "speech")
GROUP = "group:"
#: The two themes of the bars (numerator, denominator of the index).
BAR_THEMES = ("talent", "grassroots")


class Explorer:
    """State and callbacks of the explorer (built by :func:`explore`; see the module docstring).

    Attributes:
        selection: Picked items: speech ids and ``group:NAME`` (a study group).
        themes: Themes of the heatmap (lexicon order), or None with a term set.
        terms: The term set (one heatmap column per term), or None.
        share: ``tokens``, ``han`` or ``sentences``.
        rows: ``section`` or ``speech``.
        coverage: The heatmap's table (:func:`analysis.stats.themes.theme_coverage` rows).
        index: The bars' table (:func:`analysis.stats.themes.talent_grassroots_index`).
        shift: The shift chart's table (:func:`analysis.stats.themes.emphasis_shift`), or None.
        figures: Chart name → plotly ``Figure``.
        lines: KWIC lines of the last click (:data:`KWIC_COLUMNS`).
        message: One sentence on the last click (how many lines, or why there are none).
    """

    def __init__(self, fs, *, texts: pd.DataFrame | None = None, study=None, lexicon: pd.DataFrame | None = None,
                 settings: Settings | None = None, figures: str | Path | None = None, notebook: str = "explore",
                 level: int = 1, window: int = 20, n_resamples: int = 1000, seed: int = 20240):
        self.fs = fs
        self.settings = settings or fs.settings
        self.study = study
        self.lexicon = resolve_lexicon(fs, lexicon)
        # a loader (callable) is called at the first click that needs lines, not here: a report or a
        # look at the charts never holds the texts (on a 64 MiB speech, hundreds of MB)
        self._load_texts = texts if callable(texts) else None
        self._texts = None if callable(texts) else _text_table(texts)
        self.figures_dir = figures
        self.notebook = notebook
        self.level, self.window, self.n_resamples, self.seed = level, window, n_resamples, seed
        self.selection: list[str] = []
        self.themes: list[str] | None = None
        self.terms: list[str] | None = None
        self.share, self.rows = "tokens", "section"
        self.coverage = self.index = self.shift = None
        self.figures: dict = {}
        self.lines = pd.DataFrame(columns=KWIC_COLUMNS)
        self.message = "Click a heatmap cell, a bar or a theme of the shift chart to read its lines."
        self.exported: list = []
        self.notes: list[str] = []
        self._kwic_memo: dict[str, pd.DataFrame] = {}
        self._row_keys: dict[str, object] = {}
        self._col_keys: dict[str, str] = {}
        self._bar_rows: dict[str, object] = {}
        self._shift_sides: tuple = ()
        self._widget = None

    @property
    def texts(self) -> pd.DataFrame | None:
        """The speeches' texts (``id``, ``text``) for KWIC, or None; loaded when first needed."""
        if self._texts is None and self._load_texts is not None:
            load, self._load_texts = self._load_texts, None
            self._texts = _text_table(load())
        return self._texts

    # ------------------------------------------------------------------ choices
    def options(self) -> list[str]:
        """What can be picked: every speech id of the FeatureSet, then ``group:NAME`` for each study group."""
        ids = [str(i) for i in self.fs.documents["id"]]
        groups = [GROUP + name for name in (getattr(self.study, "groups", None) or {})]
        return ids + groups

    def theme_names(self) -> list[str]:
        """The lexicon's themes, in its order."""
        return list(dict.fromkeys(self.lexicon["theme"]))

    def documents_of(self, item: str) -> list[str]:
        """The speech ids of a picked item (a speech id, or ``group:NAME`` through the study)."""
        if item.startswith(GROUP):
            if self.study is None:
                raise KeyError(f"{item!r}: groups come from a study; pass study=")
            return self.study.group_ids(self.fs.documents, item[len(GROUP):])
        known = set(self.fs.documents["id"].astype(str))
        if item not in known:
            raise KeyError(f"{item!r} is not a speech of this FeatureSet; known ids: {sorted(known)[:12]}")
        return [item]

    # ------------------------------------------------------------------ update
    def update(self, *, selection: Sequence[str] | None = None, themes: Sequence[str] | None = None,
               terms: Sequence[str] | str | None = None, share: str | None = None, rows: str | None = None) -> "Explorer":
        """Set any of the controls and recompute the three tables and charts.

        Args:
            selection: Speech ids and ``group:NAME`` items (first two are A and B of the shift).
            themes: Themes of the heatmap (an empty list: every theme); clears the term set.
            terms: A term set (list, or one string of terms separated by spaces or commas);
                each term is a heatmap column; an empty one goes back to the themes.
            share: ``tokens``, ``han`` or ``sentences``.
            rows: ``section`` (outline sections up to ``level``) or ``speech``.

        Returns:
            The explorer (its ``coverage``, ``index``, ``shift`` and ``figures`` renewed).

        Raises:
            KeyError: an unknown speech, group or theme.
            ValueError: an unknown share or rows, or a bad term.
        """
        if selection is not None:
            chosen = [str(s) for s in selection]
            for item in chosen:
                self.documents_of(item)
            self.selection = chosen
        if themes is not None:
            unknown = [t for t in themes if t not in set(self.theme_names())]
            if unknown:
                raise KeyError(f"unknown theme(s) {unknown}; themes: {self.theme_names()}")
            self.themes, self.terms = (list(themes) or None), None
        if terms is not None:
            parsed = _parse_terms(terms)
            self.terms = parsed or None
        if share is not None:
            check_choice("share", share, SHARES, caller="explore")
            self.share = share
        if rows is not None:
            check_choice("rows", rows, ROWS, caller="explore")
            self.rows = rows
        if not self.selection:
            self.selection = self.options()[:1]
        self._compute()
        return self

    def _column_lexicon(self) -> pd.DataFrame:
        """The heatmap's lexicon: one theme per term of the term set, else the chosen themes."""
        if self.terms:
            return lexicon_from_dict({t: {"label_zh": t, "terms": [t]} for t in self.terms}, source="the term set")
        if self.themes:
            return self.lexicon[self.lexicon["theme"].isin(self.themes)].reset_index(drop=True)
        return self.lexicon

    def _docs(self, item: str, *, text_only: bool) -> list[str]:
        docs = self.documents_of(item)
        if not text_only:
            return docs
        profiled = set(self.fs.profiled)
        dropped = [d for d in docs if d in profiled]
        if dropped:
            self.notes.append(f"{item}: {len(dropped)} reference profile(s) left out of the term set (a profile "
                              "counts the lexicon's themes only; its text is not shipped)")
        return [d for d in docs if d not in profiled]

    def _coverage(self, lexicon: pd.DataFrame, *, text_only: bool) -> pd.DataFrame:
        """theme_coverage of the picked speeches: by section, or one pooled row per picked item."""
        if self.rows == "section":
            docs = list(dict.fromkeys(d for item in self.selection for d in self._docs(item, text_only=text_only)))
            if not docs:
                return pd.DataFrame()
            cov = theme_coverage(self.fs.select(docs), by="section", lexicon=lexicon)
            cov = cov[cov["level"] <= self.level]
            drawn = parts_to_draw(cov, limit=MAX_PARTS)  # a grid of buttons per cell: at most MAX_PARTS parts
            if len(drawn) < len(cov):
                parts = len(cov[["document", "path"]].drop_duplicates())
                note = f"the first {MAX_PARTS} of {parts:,} parts are shown (rows: speech shows whole speeches)"
                if note not in self.notes:
                    self.notes.append(note)
            return drawn.reset_index(drop=True)
        parts = []
        for item in self.selection:
            docs = self._docs(item, text_only=text_only)
            if not docs:
                continue
            sub = self.fs.select(docs)
            sub = replace(sub, documents=sub.documents.assign(explored=item))
            parts.append(theme_coverage(sub, by="explored", lexicon=lexicon).rename(columns={"explored": "document"}))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def _compute(self) -> None:
        share = self.share
        self.notes = []
        # the lexicon's own coverage (profiles are counted with it); a term set is counted on full texts only
        full = self._coverage(self.lexicon, text_only=False)
        if self.terms:
            self.coverage = self._coverage(self._column_lexicon(), text_only=True)
        elif self.themes and len(full):
            self.coverage = full[full["theme"].isin(self.themes)].reset_index(drop=True)
        else:
            self.coverage = full
        rows = "path" if self.rows == "section" else "document"
        several = bool(len(full)) and self.rows == "section" and full["document"].nunique() > 1
        # heatmap
        if len(self.coverage):
            heat = plot_theme_coverage(self.coverage, share=share, rows=rows, title=f"Theme shares (%, share_{share})")
            keys = ["document", "path"] if self.rows == "section" else ["document"]
            row_keys = list(dict.fromkeys(self.coverage[keys].itertuples(index=False, name=None)))
            self._row_keys = dict(zip(list(heat.data[0].y), row_keys))
            col_keys = list(dict.fromkeys(self.coverage["theme"]))
            self._col_keys = dict(zip(list(heat.data[0].x), col_keys))
        else:
            heat = empty_figure("; ".join(self.notes) or "Nothing picked")
            self._row_keys, self._col_keys = {}, {}
        # bars (always the lexicon's talent and grassroots themes)
        if len(full) and set(BAR_THEMES) <= set(full["theme"]):
            index = talent_grassroots_index(full, share=share)
            unit_keys = ["document", "path"] if self.rows == "section" else ["document"]
            labels = [(f"{k[0]} · {part_label(str(k[1]))}" if several else str(k[-1]))
                      for k in index[unit_keys].itertuples(index=False, name=None)]
            self.index = index  # the table as the library gives it (exported with the chart)
            drawn = index.assign(**{unit_keys[-1]: labels})  # rows labelled "speech · section" when several
            bars = plot_talent_grassroots_index(drawn, rows=unit_keys[-1], title="Talent (人才) and grassroots (基层)")
            self._bar_rows = dict(zip([part_label(v) for v in labels],
                                      index[unit_keys].itertuples(index=False, name=None)))
        else:
            self.index = None
            bars = empty_figure("The lexicon has no talent and grassroots themes")
            self._bar_rows = {}
        # shift: the lexicon's themes (profiles included), or the term set on full texts
        sides = self._shift_pair()
        self.shift, self._shift_sides = None, ()
        if sides is None:
            shift_fig = empty_figure("Pick two speeches or groups (or one speech with sections) to see the shift")
        elif self.terms and set(self.fs.profiled) & set(_side_docs(sides[0][0]) + _side_docs(sides[1][0])):
            shift_fig = empty_figure("A term set is counted on full texts only; A or B is a reference profile")
        else:
            (a, label_a), (b, label_b) = sides
            shift = emphasis_shift(self.fs, a, b, lexicon=self._column_lexicon() if self.terms else None, share=share,
                                   n_resamples=self.n_resamples, seed=self.seed)
            if self.themes and not self.terms:
                shift = shift[shift["theme"].isin(self.themes)].reset_index(drop=True)
            self.shift, self._shift_sides = shift, (a, b)
            shift_fig = plot_emphasis_shift(shift, label_a=f"{label_a} (A)", label_b=f"{label_b} (B)",
                                            title=f"Theme shares: {label_a} (A) and {label_b} (B)")
        # term scatter: two speeches or groups (not two sections of one speech), every term, ranks in A and B
        self.scatter, self._scatter_sides = None, ()
        raw = [str(x) for side in (sides or ()) for x in (side[0] if isinstance(side[0], list) else [side[0]])]
        if sides is not None and not any("#" in x for x in raw):  # two sections of one speech: no scatter
            (a, label_a), (b, label_b) = sides
            self.scatter, self._scatter_sides = term_scatter(self.fs, a, b), (a, b)
            scatter_fig = plot_term_scatter(self.scatter, label_a=label_a, label_b=label_b,
                                            title=f"Term ranks: {label_a} (A) against {label_b} (B)")
        else:
            scatter_fig = empty_figure("Pick two speeches or groups to see the term scatter")
        self.figures = {"heatmap": heat, "bars": bars, "shift": shift_fig, "scatter": scatter_fig}

    def _shift_pair(self):
        """A and B of the shift chart: the first two picked items, else two sections of the one speech picked
        (:func:`analysis.stats.themes.contrast_sections`: richest in talent, richest in grassroots)."""
        specs = []
        for item in self.selection:
            docs = self.documents_of(item)
            if docs:
                specs.append((docs if item.startswith(GROUP) else docs[0], item))
        if len(specs) >= 2:
            return specs[0], specs[1]
        if len(specs) == 1 and isinstance(specs[0][0], str):
            doc = specs[0][0]
            try:
                a, b = contrast_sections(theme_coverage(self.fs.select([doc]), by="section"), share=self.share)
            except (KeyError, ValueError):
                return None
            if a is None or b is None or a == b:
                return None
            return (f"{doc}#{a}", part_label(a)), (f"{doc}#{b}", part_label(b))
        return None

    # ------------------------------------------------------------------ clicks
    def click_cell(self, row, column: str) -> pd.DataFrame:
        """KWIC lines of a heatmap cell: the column's theme terms (or term) in the row's section or speech.

        Args:
            row: The row as drawn (its label, e.g. ``一`` or ``doc · 一``) or its key
                (a speech id or ``group:NAME`` with rows by speech; ``(document, path)`` by section).
            column: The column as drawn (label) or its theme (or term).

        Returns:
            :attr:`lines`: one row per hit (:data:`KWIC_COLUMNS`), document and text order.
        """
        key = self._row_keys.get(row, row) if isinstance(row, str) else tuple(row)
        theme = self._col_keys.get(column, column)
        return self._show_lines(self._terms_of(theme, heatmap=True), key, what=f"{self._label(theme)}")

    def click_bar(self, row, theme: str) -> pd.DataFrame:
        """KWIC lines of a bar: ``theme`` (talent or grassroots) in the bar's section or speech."""
        key = self._bar_rows.get(row, row) if isinstance(row, str) else tuple(row)
        theme = {"人才": "talent", "基层": "grassroots"}.get(theme, theme)
        return self._show_lines(self._terms_of(theme, heatmap=False), key, what=self._label(theme, heatmap=False))

    def click_theme(self, theme: str) -> pd.DataFrame:
        """KWIC lines of a row of the shift chart: the theme's terms (or the term) in A and in B."""
        lexicon = self._column_lexicon()
        theme = dict(zip(lexicon["label_zh"], lexicon["theme"])).get(theme, theme)
        terms = self._terms_of(theme, heatmap=True)
        frames, notes = [], []
        for side in self._shift_sides:
            for spec in (side if isinstance(side, list) else [side]):
                doc, _, path = str(spec).partition("#")
                lines, why = self._collect(terms, [doc], path or None)
                frames.append(lines)
                notes += why
        lines = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KWIC_COLUMNS)
        return self._finish(lines, f"{self._label(theme)} in A and B", _merge_notes(notes))

    def scatter_terms(self) -> list[str]:
        """The terms the scatter labels, in the chart's order (significant first by |Log Ratio|, then the most
        frequent; see :func:`analysis.plots.scatter.plot_term_scatter`); [] without a scatter."""
        if self.scatter is None or not len(self.scatter):
            return []
        return [str(note.text) for note in self.figures["scatter"].layout.annotations]

    def click_scatter_term(self, term: str) -> pd.DataFrame:
        """KWIC lines of a term of the scatter in A and in B (reference profiles say why they have none)."""
        frames, notes = [], []
        for side in self._scatter_sides:
            for doc in _side_docs(side):
                lines, why = self._collect([term], [str(doc)], None)
                frames.append(lines)
                notes += why
        lines = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KWIC_COLUMNS)
        return self._finish(lines, f"{term} in A and B", _merge_notes(notes))

    def click_term(self, term: str) -> pd.DataFrame:
        """KWIC lines of one term in every picked speech."""
        docs = list(dict.fromkeys(d for item in self.selection for d in self.documents_of(item)))
        return self._lines_in([term], docs, None, what=term)

    def _label(self, theme: str, *, heatmap: bool = True) -> str:
        lex = self._column_lexicon() if heatmap else self.lexicon
        labels = dict(zip(lex["theme"], lex["label_zh"]))
        return labels.get(theme, theme)

    def _terms_of(self, theme: str, *, heatmap: bool) -> list[str]:
        lex = self._column_lexicon() if heatmap else self.lexicon
        terms = lex.loc[lex["theme"] == theme, "term"].astype(str).tolist()
        if not terms:
            raise KeyError(f"{theme!r} is not a column of the chart; columns: {list(dict.fromkeys(lex['theme']))}")
        return terms

    def _show_lines(self, terms: list[str], key, *, what: str) -> pd.DataFrame:
        if isinstance(key, tuple) and len(key) == 2:
            document, path = key
            return self._lines_in(terms, [str(document)], str(path), what=what)
        item = key[0] if isinstance(key, tuple) else key
        return self._lines_in(terms, self.documents_of(str(item)), None, what=what)

    def _lines_in(self, terms: list[str], documents: list[str], section: str | None, *, what: str) -> pd.DataFrame:
        lines, notes = self._collect(terms, documents, section)
        return self._finish(lines, what + (f" in {section}" if section else ""), _merge_notes(notes))

    def _collect(self, terms: list[str], documents: list[str], section: str | None) -> tuple[pd.DataFrame, list[str]]:
        """KWIC of each term in the documents (and section), and the speeches that have no text."""
        have = set(self.texts["id"]) if self.texts is not None else set()
        without = [d for d in documents if d not in have]
        with_text = [d for d in documents if d in have]
        frames = [self._kwic(term)[lambda t: t["document"].isin(with_text)] for term in terms]
        lines = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KWIC_COLUMNS)
        if section is not None and len(lines):
            members = section_members(self.fs.nodes[self.fs.nodes["document"].isin(with_text)])
            inside = set(members.loc[members["section"] == section, ["document", "path"]].itertuples(index=False, name=None))
            lines = lines[[(d, p) in inside for d, p in zip(lines["document"], lines["path"])]]
        return lines, without

    def _finish(self, lines: pd.DataFrame, what: str, notes: list[str]) -> pd.DataFrame:
        lines = _outermost(lines)
        order = {d: i for i, d in enumerate(self.fs.documents["id"].astype(str))}
        lines = (lines.assign(_d=lines["document"].map(order)).sort_values(["_d", "start", "end"], kind="stable")
                 .drop(columns="_d").reset_index(drop=True)) if len(lines) else lines.reset_index(drop=True)
        self.lines = lines[KWIC_COLUMNS]
        whole = int(lines["whole_token"].sum()) if len(lines) else 0
        self.message = (f"{len(lines)} lines of {what} ({whole} whole tokens)" + ("; " if notes else ".")
                        + "; ".join(notes) + ("." if notes else ""))
        return self.lines

    def _kwic(self, term: str) -> pd.DataFrame:
        """KWIC of one term over every speech with text (once per term; ``match="text"``, whole_token marked)."""
        if term not in self._kwic_memo:
            if self.texts is None or not any(term in t for t in self.texts["text"]):
                found = pd.DataFrame(columns=KWIC_COLUMNS)
            else:
                fs, texts = self._text_features()
                found = kwic(fs, term, documents=texts, window=self.window).assign(term=term)
            self._kwic_memo[term] = found[KWIC_COLUMNS]
        return self._kwic_memo[term]

    def warm(self) -> int:
        """Run KWIC once for every lexicon term found in the texts, so that later clicks only filter lines.

        Returns:
            The number of terms whose lines are now at hand (0 when the texts are longer than
            :data:`WARM_CHARS` in all).
        """
        if self.texts is None or sum(len(x) for x in self.texts["text"]) > WARM_CHARS:
            return 0  # long texts: each click runs KWIC for its own terms instead
        terms = [t for t in dict.fromkeys(self.lexicon["term"].astype(str)) if any(t in x for x in self.texts["text"])]
        for term in terms:
            self._kwic(term)
        return len(terms)

    def _text_features(self):
        """The FeatureSet of the speeches with text, and their texts (made once)."""
        if "text_fs" not in self._kwic_memo:
            known = set(self.fs.documents["id"].astype(str))
            ids = [i for i in self.texts["id"] if i in known]
            self._kwic_memo["text_fs"] = (self.fs.select(ids), self.texts[self.texts["id"].isin(ids)])
        return self._kwic_memo["text_fs"]

    # ------------------------------------------------------------------ export
    def data(self, chart: str) -> pd.DataFrame | None:
        """The table a chart draws (``heatmap``: coverage, ``bars``: index, ``shift``: shift, ``scatter``: term ranks)."""
        check_choice("chart", chart, CHARTS, caller="Explorer.data")
        return {"heatmap": self.coverage, "bars": self.index, "shift": self.shift, "scatter": self.scatter}[chart]

    def export(self, chart: str, *, name: str | None = None):
        """Write a chart and its table through :func:`analysis.output.export.export_figure`.

        Returns:
            The :class:`analysis.output.export.Exported` files, or None when the chart draws no rows.
        """
        from analysis.output.export import export_figure

        data = self.data(chart)
        if data is None or len(data) == 0:
            self.message = f"Nothing to export: the {chart} chart draws no rows."
            return None
        docs = list(dict.fromkeys(d for item in self.selection for d in self.documents_of(item)))
        written = export_figure(self.figures[chart], name or f"explore_{chart}", notebook=self.notebook, data=data,
                               title=f"Explorer: {chart}", caption=f"{chart} of {', '.join(self.selection)} "
                               f"(share_{self.share}).", documents=docs, settings=self.settings,
                               directory=self.figures_dir)
        self.exported.append(written)
        self.message = f"Exported the {chart} chart: " + ", ".join(sorted(k for k in written if k != "manifest")) + "."
        return written

    # ------------------------------------------------------------------ widgets
    def lines_html(self) -> str:
        """The last click's lines as an HTML table (class ``explorer-kwic``) under its message."""
        head = f'<p class="explorer-message">{html.escape(self.message)}</p>'
        if self.notes:
            head += '<p class="explorer-notes">' + html.escape("; ".join(self.notes)) + ".</p>"
        if not len(self.lines):
            return head
        cells = "".join(
            f"<tr><td>{html.escape(str(r.document))}</td><td>{html.escape(str(r.path))}</td>"
            f'<td style="text-align:right">{html.escape(r.left)}</td><td><b>{html.escape(r.hit)}</b></td>'
            f"<td>{html.escape(r.right)}</td><td>{'✓' if r.whole_token else ''}</td></tr>"
            for r in self.lines.itertuples())
        return (head + '<div style="max-height:360px;overflow:auto"><table class="explorer-kwic">'
                "<thead><tr><th>speech</th><th>path</th><th>left</th><th>hit</th><th>right</th>"
                f"<th>whole token</th></tr></thead><tbody>{cells}</tbody></table></div>")

    def widget(self):
        """The explorer as ipywidgets (controls, the heatmap grid, the bars, the shift chart, the KWIC lines), made once."""
        if self._widget is None:
            if not paths.unattended():  # in a report's kernel nobody clicks: no lines prepared
                self.warm()  # a click then answers without running KWIC (seconds once, here, instead of at a click)
            self._widget = _build_widget(self)
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        if paths.unattended():  # a report's kernel: no one to click, and the report keeps no widgets
            return {"text/plain": f"Explorer of {', '.join(self.selection)}: open the notebook in JupyterLab to "
                                  "click its charts (this kernel runs unattended, so no widgets were made)."}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


def _merge_notes(without: list[str]) -> list[str]:
    """One sentence on the speeches whose lines cannot be shown (reference profiles: no text)."""
    without = list(dict.fromkeys(without))
    if not without:
        return []
    shown = ", ".join(without[:3]) + (f" and {len(without) - 3} more" if len(without) > 3 else "")
    return [f"no lines for {shown}: a reference profile holds counts only, no text, so KWIC cannot show its lines "
            "(load its full text to read them)"]


def _side_docs(spec) -> list[str]:
    """The speech ids of a side of the shift (an id, ``id#path`` or a list of ids)."""
    return [str(d).partition("#")[0] for d in (spec if isinstance(spec, list) else [spec])]


def _text_table(texts: pd.DataFrame | None) -> pd.DataFrame | None:
    if texts is None:
        return None
    if not {"id", "text"} <= set(texts.columns):
        raise ValueError("explore: texts= needs the loaded documents (columns id and text), e.g. load_corpus(folder)")
    keep = [c for c in ("id", "text", "sha256") if c in texts.columns]  # no raw offsets: lines only
    return texts[keep].assign(id=texts["id"].astype(str)).reset_index(drop=True)


def _parse_terms(terms: Sequence[str] | str) -> list[str]:
    if isinstance(terms, str):
        terms = terms.replace("，", " ").replace(",", " ").replace("、", " ").split()
    return list(dict.fromkeys(str(t).strip() for t in terms if str(t).strip()))


def _outermost(lines: pd.DataFrame) -> pd.DataFrame:
    """Drop hits that lie inside a longer hit of another term (人才 inside 人才工作): each stretch of text once."""
    if len(lines) < 2:
        return lines
    keep = np.ones(len(lines), dtype=bool)
    for _, group in lines.groupby("document", sort=False):
        starts, ends = group["start"].to_numpy(), group["end"].to_numpy()
        for i, row in enumerate(group.index):
            inside = (starts <= starts[i]) & (ends >= ends[i]) & ((ends - starts) > (ends[i] - starts[i]))
            if inside.any():
                keep[lines.index.get_loc(row)] = False
    dup = lines.duplicated(["document", "start", "end"])
    return lines[keep & ~dup.to_numpy()]


def _colour(value: float, top: float) -> str:
    """The heatmap's Blues colour of a value (0 → white, the largest value → dark blue)."""
    from plotly.colors import sample_colorscale

    share = 0.0 if not np.isfinite(value) or top <= 0 else min(1.0, max(0.0, value / top))
    return sample_colorscale("Blues", [share])[0]


def _heat_grid(ex: Explorer, on_cell):
    """The heatmap as a grid of buttons: one per cell, coloured like the chart, labelled with its % (click: KWIC)."""
    import ipywidgets as w

    fig = ex.figures["heatmap"]
    if not len(fig.data) or fig.data[0].type != "heatmap":
        return w.HTML("<i>" + html.escape(fig.layout.annotations[0].text if fig.layout.annotations else "") + "</i>")
    trace = fig.data[0]
    z = np.asarray(trace.z, dtype=float)
    xs, ys = [str(x) for x in trace.x], [str(y) for y in trace.y]
    top = float(np.nanmax(z)) if np.isfinite(z).any() else 0.0
    cells = [w.HTML("")] + [w.HTML(f"<b>{html.escape(x.replace('<br>', ''))}</b>") for x in xs]
    for i, y in enumerate(ys):
        cells.append(w.HTML(html.escape(y)))
        for j, x in enumerate(xs):
            value = z[i, j]
            button = w.Button(description="" if not np.isfinite(value) else f"{value:.1f}",
                              tooltip=f"{y} · {x.replace('<br>', '')}", layout=w.Layout(width="auto", height="28px"))
            button.style.button_color = _colour(value, top)
            if np.isfinite(value) and top > 0 and value / top > 0.55:
                button.style.text_color = "white"
            button.add_class("explorer-cell")
            button.on_click(lambda _, y=y, x=x: on_cell(y, x))
            cells.append(button)
    first = max(80, 9 * max(len(y) for y in ys))
    return w.GridBox(cells, layout=w.Layout(grid_template_columns=f"{first}px repeat({len(xs)}, minmax(48px, 72px))",
                                            grid_gap="2px"))


def _bar_rows(ex: Explorer, on_bar):
    """The talent–grassroots bars as buttons whose widths follow the shares (click: KWIC)."""
    import ipywidgets as w

    from analysis.plots.charts import COLORWAY

    if ex.index is None or not len(ex.index):
        return w.HTML("<i>No talent and grassroots shares to draw.</i>")
    columns = [f"share_{t}" for t in BAR_THEMES]
    values = ex.index[columns].to_numpy(dtype=float) * 100
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    names = {"talent": "人才", "grassroots": "基层"}
    rows = [w.HTML(f"<b>Talent (人才) and grassroots (基层), share_{html.escape(ex.share)} (%)</b>")]
    for label, pair in zip(ex._bar_rows, values):
        shown = part_label(label)
        bars = []
        for k, (theme, value) in enumerate(zip(BAR_THEMES, pair)):
            width = 4 + (360 * value / top if np.isfinite(value) and top > 0 else 0)
            button = w.Button(description=f"{names[theme]} {value:.1f}" if np.isfinite(value) else names[theme],
                              tooltip=f"{shown} · {names[theme]}", layout=w.Layout(width=f"{max(width, 72):.0f}px",
                                                                                 height="24px"))
            button.style.button_color = COLORWAY[k]
            button.style.text_color = "white"
            button.add_class("explorer-bar")
            button.on_click(lambda _, shown=shown, theme=theme: on_bar(shown, theme))
            bars.append(button)
        rows.append(w.HBox([w.HTML(html.escape(shown), layout=w.Layout(width="180px")), w.VBox(bars)]))
    return w.VBox(rows)


def _shift_rows(ex: Explorer, on_theme):
    """The shift chart (plotly, in an output area) and one button per theme (click: KWIC in A and B)."""
    import ipywidgets as w
    from IPython.display import display

    out = w.Output()
    with out:
        display(ex.figures["shift"])
    if ex.shift is None or not len(ex.shift):
        return w.VBox([out])
    label = "label_zh" if "label_zh" in ex.shift.columns else "theme"
    buttons = []
    for name, diff in zip(ex.shift[label].astype(str), ex.shift["diff"].to_numpy(dtype=float)):
        button = w.Button(description=f"{name} {100 * diff:+.2f} pp", tooltip=f"shift · {name}",
                          layout=w.Layout(width="auto"))
        button.add_class("explorer-theme")
        button.on_click(lambda _, name=name: on_theme(name))
        buttons.append(button)
    return w.VBox([out, w.HTML("<b>Lines of a theme in A and B:</b>"),
                   w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))])


def _scatter_rows(ex: Explorer, on_term):
    """The term scatter (plotly, in an output area) and one button per labelled term (click: KWIC in A and B)."""
    import ipywidgets as w
    from IPython.display import display

    from analysis.output.figures import plotly_mimebundle

    if ex.scatter is None:  # one speech picked: a line of text, no output area (nothing to draw yet)
        return w.VBox([w.HTML("<i>Pick two speeches or groups to see the term scatter.</i>")])
    out = w.Output()
    with out:  # plotly's JSON bundle as JupyterLab's plotly extension reads it, without plotly's renderer machinery
        display(plotly_mimebundle(ex.figures["scatter"]), raw=True)
    terms = ex.scatter_terms()
    if not terms:
        return w.VBox([out])
    buttons = []
    for term in terms:
        button = w.Button(description=term, tooltip=f"scatter · {term}", layout=w.Layout(width="auto"))
        button.add_class("explorer-term")
        button.on_click(lambda _, term=term: on_term(term))
        buttons.append(button)
    return w.VBox([out, w.HTML("<b>Lines of a term in A and B:</b>"),
                   w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))])


def _build_widget(ex: Explorer):
    """ipywidgets around an Explorer: controls, the heatmap grid, the bars, the shift chart, the KWIC lines.

    Every clickable element is a widget button (a heatmap cell, a bar, a theme of the shift), so a
    click reaches the kernel through the widget protocol only; its callback calls the Explorer's method.
    """
    import ipywidgets as w

    pick = w.SelectMultiple(options=ex.options(), value=tuple(ex.selection), rows=6, description="Speeches",
                            layout=w.Layout(width="360px"))
    themes = w.SelectMultiple(options=ex.theme_names(), value=tuple(ex.themes or ex.theme_names()), rows=6,
                              description="Themes", layout=w.Layout(width="300px"))
    terms = w.Text(value=" ".join(ex.terms or []), description="Terms", placeholder="人才 基层 (overrides themes)",
                   continuous_update=False)  # the value (and the charts) change on Enter or leaving the box
    share = w.Dropdown(options=list(SHARES), value=ex.share, description="Share")
    rows = w.Dropdown(options=list(ROWS), value=ex.rows, description="Rows")
    chart = w.Dropdown(options=list(CHARTS), value="heatmap", description="Chart", layout=w.Layout(width="200px"))
    button = w.Button(description="Export chart", icon="download")
    lines = w.HTML(value=ex.lines_html(), layout=w.Layout(width="auto"))
    lines.add_class("explorer-lines")

    def show_lines(_=None):
        lines.value = ex.lines_html()

    def reporting(callback):
        """A callback whose error is shown above the lines (a widget callback's exception is otherwise hidden)."""
        def run(*args):
            try:
                callback(*args)
            except (KeyError, ValueError) as error:
                ex.message = f"Could not answer: {error}"
                show_lines()
        return run

    on_cell = reporting(lambda y, x: (ex.click_cell(y, x), show_lines()))
    on_bar = reporting(lambda y, theme: (ex.click_bar(y, theme), show_lines()))
    on_theme = reporting(lambda name: (ex.click_theme(name), show_lines()))
    on_term = reporting(lambda term: (ex.click_scatter_term(term), show_lines()))

    def parts():
        return [_heat_grid(ex, on_cell), _bar_rows(ex, on_bar), _shift_rows(ex, on_theme), _scatter_rows(ex, on_term)]

    def changed(_=None):
        typed = terms.value.strip()
        ex.update(selection=list(pick.value) or ex.options()[:1], themes=list(themes.value), share=share.value,
                  rows=rows.value)
        if typed:
            ex.update(terms=typed)
        box.children = [box.children[0], *parts(), lines]

    def export(_=None):
        ex.export(chart.value)
        show_lines()

    changed, export = reporting(changed), reporting(export)
    for control in (pick, themes, share, rows, terms):
        control.observe(changed, names="value")
    button.on_click(export)
    controls = w.HBox([pick, themes, w.VBox([terms, share, rows, w.HBox([chart, button])])])
    box = w.VBox([controls, *parts(), lines])
    box.add_class("explorer")
    box.explorer = ex
    box.controls = {"speeches": pick, "themes": themes, "terms": terms, "share": share, "rows": rows, "chart": chart,
                    "export": button}
    box.lines = lines
    return box


def explore(fs, *, texts: pd.DataFrame | None = None, workbook=None, study=None, selection: Sequence[str] | None = None,
            themes: Sequence[str] | None = None, terms: Sequence[str] | str | None = None, share: str | None = None,
            rows: str = "section", level: int = 1, lexicon: pd.DataFrame | None = None,
            settings: Settings | None = None, figures: str | Path | None = None, notebook: str | None = None,
            window: int = 20, n_resamples: int = 1000, seed: int = 20240) -> Explorer:
    """An explorer of theme shares with clickable charts and KWIC lines (display it as a cell's last value).

    Args:
        fs: The FeatureSet the workbook uses (e.g. :func:`analysis.speeches.corpus_features`);
            reference profiles count, but have no lines to show.
        texts: The loaded documents with text (``id``, ``text``) for KWIC, or a function
            that loads them (called at the first click that needs lines); None: the
            workbook's corpus folder (read at the first such click) when ``workbook`` is
            given, else no lines.
        workbook: An :class:`analysis.notebook.Workbook`: its study, settings, figures
            folder, notebook name, share and speech in focus are the defaults.
        study: A study (its groups can be picked as ``group:NAME``).
        selection: Speech ids and ``group:NAME`` picked first (default: the speech in focus,
            else the first speech).
        themes: Themes shown in the heatmap (default: every theme of the lexicon).
        terms: A term set instead of themes (one heatmap column per term).
        share: ``tokens`` (theme hits / word tokens), ``han`` (Han characters in hits / Han
            characters) or ``sentences`` (sentences mentioning / sentences); the charts are in %.
        rows: ``section`` (outline sections up to ``level``, preamble and closing too) or
            ``speech`` (one row per picked speech or group, pooled).
        level: Deepest outline level shown with rows by section (1: 一, 二 …; 2: 一（一）…).
        lexicon: The theme lexicon (default: the FeatureSet's).
        settings: Settings (default: the workbook's, else the FeatureSet's).
        figures: The folder the export button writes to (default: the workbook's, else figures/).
        notebook: The name the export is filed under (default: the workbook's, else ``explore``).
        window: KWIC context characters on each side.
        n_resamples: Bootstrap replicates of the shift chart's interval.
        seed: Bootstrap seed.

    Returns:
        An :class:`Explorer` whose tables (``coverage``: one row per row × column of the
        heatmap with ``theme_hits`` and ``share_*`` as fractions; ``index``: one row per
        bar pair; ``shift``: one row per theme, ``diff`` = B − A) and figures are filled;
        as a cell's last value it shows the widgets.

    Raises:
        KeyError: an unknown speech, group or theme.
        ValueError: an unknown share or rows, or ``texts`` without ``id`` and ``text``.

    Example:
        >>> from analysis.features import build_features
        >>> docs = pd.DataFrame({"id": ["d"], "text": ["一、重视人才\\n引进人才，服务基层。\\n"]})
        >>> ex = explore(build_features(docs, progress=False, cache=False), texts=docs)
        >>> ex.index[["path", "hits_talent", "hits_grassroots"]].values.tolist()
        [['一', 2, 1]]
        >>> len(ex.click_bar("一", "talent")), ex.message
        (2, '2 lines of 人才 in 一 (1 whole tokens).')
    """
    if workbook is not None:
        study = study if study is not None else workbook.study
        settings = settings or workbook.settings
        figures = figures if figures is not None else workbook.figures
        notebook = notebook or workbook.notebook
        share = share or getattr(workbook.study, "share", None)
        if texts is None:
            from analysis.io.corpus import load_corpus

            corpus = workbook.corpus
            texts = functools.partial(load_corpus, corpus, settings=settings)  # read at the first click
        if selection is None and workbook.document:
            selection = [workbook.document]
    ex = Explorer(fs, texts=texts, study=study, lexicon=lexicon, settings=settings, figures=figures,
                  notebook=notebook or "explore", level=level, window=window, n_resamples=n_resamples, seed=seed)
    known = ex.options()
    first = [s for s in (selection or []) if s in known] or known[:1]
    ex.update(selection=first, themes=list(themes) if themes else [], share=share or "tokens", rows=rows)
    if terms:
        ex.update(terms=terms)
    return ex
