# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Structure: how is the speech organized, and which parts get the most room?
#
# An organization-work speech is built on a numbered outline: a preamble, sections
# `一、` with sub-points `（一）`, sometimes an unnumbered part, and a closing
# exhortation. How many Han characters each part gets is itself a finding.
#
# This notebook parses the outline of the speech in focus (the study's first speech, or
# `DOCUMENT`)
# (`analysis.text.outline.parse_outline`), measures every part
# (`analysis.text.outline.section_lengths`) and compares the number of points the
# preamble announces with the number of sections found. Shares are shares of Han
# characters (CJK ideographs; punctuation, digits and redaction marks excluded).

# %% tags=["parameters"]
NOTEBOOK = "02_structure"
STUDY = None  # a study file (YAML); None: $ANALYSIS_STUDY, else the corpus folder's study.yaml, else one made from the corpus folder
CORPUS = None  # folder of your own speeches, e.g. "../my_speeches" (relative to notebooks/); None: the study's, else corpus/
DOCUMENT = None  # id of the speech to study; None: $ANALYSIS_DOCUMENT, else the study's first speech in focus
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/

# %%
from analysis.notebook import workbook
from analysis.speeches import focus_document
from analysis.plots.outline import parts_to_draw, plot_outline_treemap, plot_section_lengths
from analysis.text.outline import announced_table, outline_table, outline_warnings, section_lengths

wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS, figures=FIGURES, document=DOCUMENT)
document = focus_document(wb.corpus, wb.document, settings=wb.settings)  # read alone, not with the whole folder
DOCUMENT = str(document["id"].iloc[0])
wb.show(document[["id", "title", "date", "level", "han_chars", "paragraphs", "redactions"]])

# %% [markdown]
# ## The outline
#
# One row per part. `level` is 1 for top-level sections and 0 for the preamble and
# the closing; `（未编号）` marks an unheaded part attached to the section it follows.
# `start`/`end` are offsets in the normalized text, children included.

# %%
outline = outline_table(document)
wb.show(outline[["path", "kind", "level", "number", "title", "start", "end", "unheaded", "han_chars", "share"]])

# %% [markdown]
# ## Where the outline may be wrong
#
# Warnings a reader can act on: a point holding more than half of its part while its
# siblings hold a tenth or less, a series that restarts or skips a number, an announced
# count that differs from the points found, a list nested under a point much longer
# than its siblings. Warned points are marked ※ in the charts below. An empty table
# means none of these fired.

# %%
warned = outline_warnings(document)
wb.show(warned, caption="Outline warnings (none: the outline passed every check)")

# %% [markdown]
# ## Room per part
#
# Han characters of every part (children included), its share of the document and of
# its parent, and its sentences, paragraphs and redaction marks. At each level the
# shares add up: preamble, sections and closing cover the document; a section's
# sub-points plus its own text (`own_share`: heading and lines before the first
# sub-point) cover the section.

# %%
lengths = section_lengths(document)
wb.show(lengths[["path", "parent", "level", "title", "han_chars", "share_of_document", "share_of_parent",
                 "own_share", "sentences", "paragraphs", "redactions"]])

# %% [markdown]
# The treemap draws the table above: each box is sized by its Han characters, and a
# section's box holds its sub-points. A chart draws at most
# `analysis.plots.outline.MAX_PARTS` parts (`parts_to_draw`): an outline with more is drawn
# by its first top-level parts, in document order, and the chart's CSV holds the rows drawn.

# %%
drawn = parts_to_draw(lengths)
treemap = plot_outline_treemap(drawn, warnings=warned, title="Outline of the speech, sized by Han characters")
wb.export(treemap, "outline_treemap", data=drawn, title=f"Outline of {DOCUMENT} sized by Han characters",
          caption="Preamble, sections, sub-points and closing of the speech; box area = Han characters.")

# %% [markdown]
# ## Section lengths: top level

# %%
top = parts_to_draw(lengths[lengths["level"] <= 1])
wb.show(top[["path", "title", "han_chars", "share_of_document", "sentences", "paragraphs"]])

# %%
top_bars = plot_section_lengths(top, warnings=warned, title="Han characters per part")
wb.export(top_bars, "section_lengths", data=top, title=f"Han characters per part of {DOCUMENT}",
          caption="Preamble, top-level sections and closing; labels give the share of the document.")

# %% [markdown]
# ## Section lengths: sub-points

# %%
subs = parts_to_draw(lengths[lengths["level"] == 2])
wb.show(subs[["path", "title", "han_chars", "share_of_document", "share_of_parent", "sentences"]],
        caption="Sub-points (level 2); empty when the speech has none.")

# %%
sub_bars = plot_section_lengths(subs, warnings=warned, title="Han characters per sub-point")
wb.export(sub_bars, "subpoint_lengths", data=subs, title=f"Han characters per sub-point of {DOCUMENT}",
          caption="Sub-points of every section (and the unheaded part); labels give the share of the document.")

# %% [markdown]
# ## Announced versus found
#
# The preamble often announces how many points follow (`重点强调5方面意见`,
# `讲三点意见`). `found` counts the top-level sections the parser found; `issues`
# lists numbering gaps, duplicates and out-of-order numbers. A mismatch is reported
# as it is, not repaired.

# %%
wb.show(announced_table(document))

# %% [markdown]
# ## Notes on this speech
#
# Notes written by someone who read the speech, kept in the corpus folder's
# `notes.yaml` under the speech's id; nothing is shown for a speech without notes.

# %%
wb.notes()
