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
# # 08 · Relay: how the speech takes up higher-level texts, and which formulas it adopts
#
# A local speech relays national, provincial and city texts, often without saying so.
# This notebook reads relay in one of two modes, and says which one it used:
#
# - **passage** mode, when the reference speeches are there as full texts (`../shared`, or
#   a folder named in `SOURCES`): every sentence of the speech is aligned with every source
#   (character 5-gram candidates, then rapidfuzz alignment on Han characters, so edited
#   passages are found too); each passage names the earliest dated source holding it and
#   lists the others. Only the speech's own text is shown, with the sources' ids and dates.
# - **formula** mode, when only the shipped profiles are there (counts, no text): the
#   formulas (提法) and rare multi-word terms of each outline node that occur in an earlier
#   dated source, with the earliest one and the lag in days.
#
# The formula table, the timeline and the left-out points below always come from the
# profiles, so they are the same with and without `../shared`. A lag is counted from the
# source's date to the speech's; a date known only to the year counts from 1 January.

# %% tags=["parameters"]
NOTEBOOK = "08_relay"
STUDY = None  # a study file (YAML); None: $ANALYSIS_STUDY, else the corpus folder's study.yaml, else one made from the corpus folder
CORPUS = None  # folder of the speeches studied; None: the study's, else corpus/
DOCUMENT = None  # the speech studied; None: $ANALYSIS_DOCUMENT, else the study's first in focus
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
SOURCES = "auto"  # auto (full texts in ../shared when there, else profiles) | profiles | a list of files or folders
HIGHER = "p-xi-2020-zzlx"  # the higher-level speech whose points are checked for what is left out
SIMILARITY = 85.0  # lowest alignment similarity (0-100) of a relayed passage
TOP = 10  # longest passages shown
COLLECTIONS = ["gov-work-reports", "cpc-congress-reports", "speeches"]  # profiles searched for formulas (reports count as national)

# %%
import pandas as pd

from analysis.io.corpus import load_corpus
from analysis.notebook import workbook
from analysis.output.relay import relay_findings
from analysis.plots.relay import plot_formula_timeline, plot_relay_shares
from analysis.speeches import corpus_features, default_references, focus_document, join_references, reference_features
from analysis.stats.relay import echo, formula_relay, formula_shares, left_out, relay_shares

wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS, figures=FIGURES, document=DOCUMENT)
wb.describe()

# %% [markdown]
# ## Which mode
#
# Passage mode needs the sources' text; without it the notebook reads formulas.

# %% tags=["nbval-ignore-output"]
texts = default_references() if SOURCES == "auto" else ([] if SOURCES == "profiles" else list(SOURCES))
mode = "passage" if texts else "formula"
# the speech studied, read alone; its text is kept only where passages are aligned
documents = focus_document(wb.corpus, wb.document, settings=wb.settings, text=mode == "passage")
speech = str(documents["id"].iloc[0])
wb.show(pd.DataFrame({"document": [speech], "mode": [mode], "sources": [len(texts)]}),
        kinds={"sources": "count"})

# %% [markdown]
# ## Formulas the speech takes up, from the profiles
#
# One row per outline node and formula (or rare multi-word term held by at most three
# earlier sources): the earliest dated text using it among the government work reports,
# the congress reports and the reference speeches (`COLLECTIONS`), its level, the lag, and
# how many earlier texts hold it. This is when each formula first appeared nationally, as
# far as these texts show.

# %%
fs = join_references(corpus_features(corpus=wb.corpus, references=[], settings=wb.settings, counts_only=True),
                     reference_features(collections=COLLECTIONS, settings=wb.settings))
formulas = formula_relay(fs, speech)
wb.show(formulas[formulas["term_type"] == "formula"].drop(columns=["also"]), max_rows=40)

# %%
timeline = formulas[formulas["term_type"] == "formula"].drop_duplicates("term")
wb.export(
    plot_formula_timeline(formulas, title="提法的最早来源 (formulas the speech takes up, by earliest source)"),
    "formula_timeline", data=timeline,
    title="Formulas the speech takes up, at the date of their earliest source",
    caption="Each formula of the speech at the date of the earliest dated report, congress report or reference "
            "speech using it (profiles: occurrences per outline node); colour: that source's level.",
)

# %% [markdown]
# ## How much of each section relays, by source level
#
# Passage mode: the share of each section's Han characters inside relayed passages, by the
# level of the source named. Formula mode: the formulas and rare terms each section takes
# up, by the level of their earliest source.

# %% tags=["nbval-ignore-output"]
if mode == "passage":
    sources = load_corpus(texts, settings=wb.settings)
    both = pd.concat([documents[documents["id"].astype(str) == speech],
                      sources[sources["id"].astype(str) != speech]], ignore_index=True)
    relayed = echo(both, speech, similarity=SIMILARITY)
    shares = relay_shares(relayed, both, speech)
    value = "share_relayed"
else:
    relayed = formulas
    shares = formula_shares(formulas)
    value = "terms_taken_up"
wb.show(shares)

# %% tags=["nbval-ignore-output"]
wb.export(
    plot_relay_shares(shares, value=value, title=f"各部分的转述 (relay by section and source level, {mode} mode)"),
    "relay_shares", data=shares,
    title=f"Relay by section and source level ({mode} mode)",
    caption="Passage mode: share of each section's Han characters inside passages aligned with a source; formula "
            "mode: formulas and rare terms taken up from earlier sources. 'all' pools the levels.",
)

# %% [markdown]
# ## The longest relayed passages
#
# Passage mode only: the speech's own text of its longest relayed passages, with the
# source named (the earliest dated one holding the passage), its date, level and the lag.

# %% tags=["nbval-ignore-output"]
longest = relayed.sort_values(["han_chars", "start"], ascending=[False, True]).head(TOP) if mode == "passage" else \
    relayed.head(0)
wb.show(longest.drop(columns=["also", "source_start", "source_end"], errors="ignore"))

# %% [markdown]
# ## What is left out of the higher-level speech
#
# For each theme, the outline points and formulas of the higher-level speech that the
# speech takes up and those it leaves out (a point is taken up when the speech uses one of
# its formulas, or most of its five most frequent words when it has none).

# %%
if HIGHER in set(fs.documents["id"].astype(str)):
    gaps = left_out(fs, HIGHER, speech)
    summary = gaps.assign(theme=gaps["theme"].replace("", "(none)")).groupby(
        ["theme", "item_type"], sort=True)["taken_up"].agg(taken_up="sum", items="size").reset_index()
    summary = summary.assign(left_out=summary["items"] - summary["taken_up"])
else:
    gaps = summary = pd.DataFrame()
wb.show(summary, kinds={"items": "count", "left_out": "count", "taken_up": "count"})

# %%
wb.show(gaps[(gaps["item_type"] == "formula")].drop(columns=["higher"]) if len(gaps) else gaps, max_rows=40)

# %% [markdown]
# ## Findings

# %% tags=["nbval-ignore-output"]
wb.show(wb.findings(relay_findings(shares, relayed=relayed), figure="relay_shares"))
