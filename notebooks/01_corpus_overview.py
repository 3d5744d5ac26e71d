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
# # 01 · The corpus: what is in it, and what did loading change?
#
# Every later notebook reads the same table: one row per document, built by
# `analysis.io.corpus.load_corpus` from the files in the corpus folder and the folder's
# `manifest.csv`. This notebook shows that table without the texts (read one file at a time
# by `analysis.io.corpus.describe_paths`, which keeps no text): metadata, size
# (Han characters, paragraphs), redaction marks, the encoding each file was read in,
# and how much normalization had to repair.
#
# Loading checks each file against the sha256 in the manifest and never writes to
# the corpus folder. Normalization removes zero-width characters, unifies spaces,
# turns full-width digits and letters into ASCII, joins lines broken inside a word or
# number, and replaces every redaction mark (××, XX, ＊＊, 某某 …) with one placeholder
# (〓) that later stages keep out of term counts. Han characters are CJK ideographs:
# punctuation, digits and redaction marks are not counted.

# %% tags=["parameters"]
NOTEBOOK = "01_corpus_overview"
STUDY = None  # a study file (YAML); None: $ANALYSIS_STUDY, else the corpus folder's study.yaml, else one made from the corpus folder
CORPUS = None  # folder of your own speeches, e.g. "../my_speeches" (relative to notebooks/); None: the study's, else corpus/
FIGURES = None  # output folder; None: $ANALYSIS_FIGURES_DIR, else figures/
TO_SIMPLIFIED = "auto"  # traditional → simplified (OpenCC t2s): "auto" for texts written in traditional characters, True always, False never

# %%
from analysis.io.corpus import corpus_table, describe_paths
from analysis.notebook import workbook
from analysis.settings import Settings
from analysis.stats.meta import corpus_totals

wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS, figures=FIGURES, settings=Settings(to_simplified=TO_SIMPLIFIED))
wb.show(wb.study.describe(), caption="The study these notebooks run: what is compared with what.")

# %% [markdown]
# ## Problems found while loading
#
# Loaded with `on_error="collect"`: a file that cannot be read (empty, binary,
# undecodable, checksum mismatch, a manifest row without its file …) is listed here
# with what to do, and everything else still loads. An empty table means every file
# loaded and matched its manifest checksum.

# %%
documents, problems = describe_paths(wb.corpus, settings=wb.settings, on_error="collect")
wb.show(problems, caption="Files that could not be loaded (none: every file loaded).")

# %% [markdown]
# ## The overview
#
# One row per document. `paragraphs` counts non-blank lines of the normalized text;
# `redactions` counts marks replaced by 〓; `lines_repaired` counts line breaks removed
# because they split a word or number.

# %%
table = corpus_table(documents)
wb.show(table[["id", "title", "date", "level", "region", "han_chars", "paragraphs", "redactions",
               "lines_repaired", "encoding"]])

# %%
wb.show(corpus_totals(table))

# %% [markdown]
# ## Where the metadata comes from
#
# Values come from the manifest; `note` says which of them are inferred rather than
# stated in the text. For a file without a manifest row the loader reads what it can (the title
# from the first line or the file name, a year from the name or title) and says so in
# `note`.

# %%
wb.show(table[["id", "speaker_role", "occasion", "source", "note"]].melt(id_vars="id", var_name="field"),
        kinds={"value": "text"})

# %% [markdown]
# ## Provenance
#
# The file each document came from, its checksum (verified against the manifest),
# and whether traditional characters were converted.

# %%
wb.show(table[["id", "source_path", "encoding", "sha256", "to_simplified"]])
