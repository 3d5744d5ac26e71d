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
# This notebook parses the outline of one speech from the project corpus
# (`analysis.text.outline.parse_outline`), measures every part
# (`analysis.text.outline.section_lengths`) and compares the number of points the
# preamble announces with the number of sections found. Shares are shares of Han
# characters (CJK ideographs; punctuation, digits and redaction marks excluded).

# %% tags=["parameters"]
CORPUS = None  # folder of your own speeches, e.g. "../my_speeches" (relative to notebooks/); None: $ANALYSIS_CORPUS_DIR, else the bundled corpus/
DOCUMENT = None  # id of the speech to study; None: $ANALYSIS_DOCUMENT, else the seed speech, else the first
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
NOTEBOOK = "02_structure"

# %%
import os
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.io.notes import NOTES_FILE, document_notes
from IPython.display import Markdown
from analysis.io.corpus import load_corpus, select_document
from analysis.output.export import export_figure
from analysis.plots.outline import plot_outline_treemap, plot_section_lengths
from analysis.settings import Settings
from analysis.text.outline import announced_table, outline_table, section_lengths

pd.set_option("display.max_colwidth", 30)
pd.set_option("display.width", 160)
settings = Settings()
if FIGURES is not None:  # export_figure writes to $ANALYSIS_FIGURES_DIR
    os.environ["ANALYSIS_FIGURES_DIR"] = str(Path(FIGURES).resolve())
corpus = Path(CORPUS) if CORPUS is not None else paths.corpus_dir()
# the outline uses only the normalization options (no dictionary or lexicon)
{k: v for k, v in settings.describe().items() if k in ("to_simplified", "repair_lines")}

# %%
documents = load_corpus(corpus, settings=settings)
document = select_document(documents, DOCUMENT, default="organization-work-speech")
DOCUMENT = document["id"].iloc[0]
document[["id", "title", "date", "level", "han_chars", "paragraphs", "redactions"]]

# %% [markdown]
# ## The outline
#
# One row per part. `level` is 1 for top-level sections and 0 for the preamble and
# the closing; `（未编号）` marks an unheaded part attached to the section it follows.
# `start`/`end` are offsets in the normalized text, children included.

# %%
outline = outline_table(document)
outline[["path", "kind", "level", "number", "title", "start", "end", "unheaded", "han_chars"]].assign(
    share=outline["share"].round(3)
)

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
lengths[["path", "parent", "level", "title", "han_chars", "share_of_document", "share_of_parent",
         "own_share", "sentences", "paragraphs", "redactions"]].round(3)

# %%
checks = pd.DataFrame({
    "parts": ["preamble + sections + closing"]
    + [f"sub-points of {p} + its own text" for p in lengths.loc[lengths["level"] == 1, "path"]],
    "sum_of_shares": [lengths.loc[lengths["level"] <= 1, "share_of_document"].sum()]
    + [
        lengths.loc[lengths["parent"] == p, "share_of_parent"].sum()
        + lengths.loc[lengths["path"] == p, "own_share"].item()
        for p in lengths.loc[lengths["level"] == 1, "path"]
    ],
})
checks.round(6)

# %% [markdown]
# The treemap draws the table above: each box is sized by its Han characters, and a
# section's box holds its sub-points.

# %%
treemap = plot_outline_treemap(lengths, title="Outline of the speech, sized by Han characters")
export_figure(  # shows the interactive chart and a static image beside it
    treemap, "outline_treemap", notebook=NOTEBOOK, data=lengths,
    title="Outline sized by Han characters",
    caption="Preamble, sections, sub-points and closing of the speech; box area = Han characters.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## Section lengths: top level

# %%
top = lengths[lengths["level"] <= 1]
top[["path", "title", "han_chars", "share_of_document", "sentences", "paragraphs"]].round(3)

# %%
top_bars = plot_section_lengths(top, title="Han characters per part")
export_figure(  # shows the interactive chart and a static image beside it
    top_bars, "section_lengths", notebook=NOTEBOOK, data=top,
    title="Han characters per part",
    caption="Preamble, top-level sections and closing; labels give the share of the document.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## Section lengths: sub-points

# %%
subs = lengths[lengths["level"] == 2]
subs[["path", "title", "han_chars", "share_of_document", "share_of_parent", "sentences"]].round(3)

# %%
sub_bars = plot_section_lengths(subs, title="Han characters per sub-point")
export_figure(  # shows the interactive chart and a static image beside it
    sub_bars, "subpoint_lengths", notebook=NOTEBOOK, data=subs,
    title="Han characters per sub-point",
    caption="Sub-points of every section (and the unheaded part); labels give the share of the document.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## Announced versus found
#
# The preamble often announces how many points follow (`重点强调5方面意见`,
# `讲三点意见`). `found` counts the top-level sections the parser found; `issues`
# lists numbering gaps, duplicates and out-of-order numbers. A mismatch is reported
# as it is, not repaired.

# %%
announced_table(document)

# %% [markdown]
# ## Notes on this speech
#
# Notes written by someone who read the speech, kept in the corpus folder's
# `notes.yaml` under the speech's id; nothing is shown for a speech without notes.

# %%
Markdown(document_notes(DOCUMENT, notebook=NOTEBOOK, corpus=corpus) or f"No notes on {DOCUMENT} in {NOTES_FILE}.")
