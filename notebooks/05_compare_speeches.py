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
# # 05 · Speech against speech: where does this speech put its emphasis, compared with others?
#
# The workbook's main question, between speeches rather than within one: how much room a
# speech gives to talent, the grassroots, cadres, members, theory, discipline … compared
# with another speech and with a group of speeches; which words mark it; how it is built;
# where it sits among its peers; and which speeches it resembles.
#
# By default the speech studied is the bundled seed (a 2023 district organization-work
# conference speech), compared with the 2020-06-29 Politburo study speech on the
# organization line (`p-xi-2020-zzlx`) and with the group of organization-work and
# party-building speeches among the 80 reference speeches. Every comparison reads counts
# only (theme hits, term counts, outline sizes), never running text, and no sentence of
# a reference speech is shown: only ids, titles and figures.
#
# The parameters cell names the corpus folder, the speech, the speeches and groups to
# compare it with, and the figures folder: a researcher's own folder of speeches works
# the same way (`CORPUS = "my_speeches/"`, `REFERENCES = []` to compare only within it).

# %% tags=["parameters"]
NOTEBOOK = "05_compare_speeches"
CORPUS = None  # folder of the speeches studied; None: $ANALYSIS_CORPUS_DIR, else corpus/
REFERENCES = None  # reference speeches: None: the shipped profiles of the 80 speeches (corpus/profiles); files or folders of full texts; [] for none
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
DOCUMENT = None  # id of the speech studied; None: $ANALYSIS_DOCUMENT, else the seed, else the corpus's first speech
LABEL = None  # its name in legends; None: "seed" for the seed, else its id
OTHERS = ["p-xi-2020-zzlx"]  # single speeches to compare it with (ids)
GROUPS = {"organization & party building": {"kind": ["organization_work", "party_building"]}}  # name → metadata filter
PEERS_BY = ["kind", "level", "decade"]  # metadata columns that form the peer groups
MAP_COLOR = "kind"  # colour of the map: kind, level or decade
SHARE = "tokens"  # theme share: tokens (hits / word tokens), han (Han characters) or sentences
UNIT = "sentence"  # bootstrap unit: sentence or paragraph
N_RESAMPLES = 2000  # bootstrap replicates
SEED = 20240  # bootstrap seed
ALPHA = 0.05  # false discovery rate of the keyness lists
TOP_N = 15  # key terms per side
MIN_COUNT = 5  # vocabulary of the similarity and the map: terms with at least this many occurrences

# %%
import os
import warnings
from pathlib import Path

import pandas as pd
from IPython.display import display

from analysis import paths
from analysis.io.corpus import select_document
from analysis.io.notes import NOTES_FILE, document_notes
from IPython.display import Markdown
from analysis.output.export import export_figure, record_findings
from analysis.output.findings import keyness_findings, shift_findings
from analysis.plots.compare import (
    plot_peer_position,
    plot_significant_keyness,
    plot_speech_index,
    plot_speech_map,
    plot_speech_structure,
    plot_speech_themes,
    plot_theme_shifts,
)
from analysis.settings import Settings
from analysis.stats.compare import (
    comparison_table,
    keyness_by_comparison,
    peer_positions,
    plan_comparisons,
    reference_features,
    speech_index,
    speech_structure,
    speech_themes,
    theme_shifts,
)
from analysis.stats.similarity import ca_inertia, profile_matrix, similar_speeches, speech_map
from analysis.stats.themes import describe_themes

pd.set_option("display.max_colwidth", 50)
pd.set_option("display.width", 200)
pd.set_option("display.max_rows", 100)
warnings.simplefilter("always", UserWarning)  # say which speeches or groups are missing, every run
if FIGURES is not None:  # export_figure writes to $ANALYSIS_FIGURES_DIR
    os.environ["ANALYSIS_FIGURES_DIR"] = str(Path(FIGURES).resolve())
settings = Settings()
{k: v for k, v in settings.describe().items() if k in ("segmenter", "segmenter_version", "hmm", "themes")}

# %% [markdown]
# ## The speeches
#
# The corpus folder and the reference speeches, loaded together (features cached by
# content). If the reference speeches are missing, a warning says so and the comparisons
# that need them are left out below; everything else still runs on the corpus folder.

# %%
fs = reference_features(corpus=CORPUS, references=REFERENCES, settings=settings)
document = select_document(fs.documents, DOCUMENT, default="organization-work-speech")
DOCUMENT = str(document["id"].iloc[0])
LABEL = LABEL or ("seed" if DOCUMENT == "organization-work-speech" else DOCUMENT)
fs.documents.reindex(columns=["kind", "level"]).value_counts(dropna=False, sort=False).rename("speeches").reset_index()

# %%
document.reindex(columns=["id", "title", "date", "level", "han_chars", "tokens"])

# %% [markdown]
# The comparisons this corpus allows: the speech (A) against each named speech and each
# group (B). A group never contains the speech itself.

# %%
comparisons = plan_comparisons(fs, DOCUMENT, others=OTHERS, groups=GROUPS, label=LABEL)
compared = [DOCUMENT] + list(dict.fromkeys(d for c in comparisons for d in c.documents_b))
comparison_table(comparisons).assign(b=lambda t: t["b"].str.slice(0, 60))

# %% [markdown]
# ## Theme shares, speech by speech
#
# One row per speech (the speech studied and every speech it is compared with), ordered
# by date, one column per theme; the share is theme hits over word tokens (or the
# share set in the parameters cell), in percent.

# %%
themes = speech_themes(fs, documents=compared, share=SHARE)
themes.assign(percent=(themes["share"] * 100).round(2)).pivot_table(
    index="label", columns="label_zh", values="percent", sort=False)

# %%
heatmap = plot_speech_themes(themes, title="Theme shares per speech, by date (%)")
export_figure(heatmap, "speech_themes", notebook=NOTEBOOK, data=themes, title="Theme shares per speech",
              caption=f"Share of each theme in each speech (share_{SHARE}), speeches by date.",
              documents=compared, settings=settings)

# %% [markdown]
# ## Theme shifts: the speech against each comparison
#
# `diff` = share in B − share in A, with a 95 % percentile bootstrap interval
# (sentences resampled within each speech, 2,000 times, seeded). `significant` means the
# interval excludes 0 and each side has at least 20 units; a side with fewer (a text
# whose line breaks were lost has one paragraph) is flagged in `flag` and drawn grey.

# %%
shifts = theme_shifts(fs, comparisons, share=SHARE, unit=UNIT, n_resamples=N_RESAMPLES, seed=SEED)
shifts[["comparison", "theme", "label_zh", "hits_a", "hits_b", "share_a", "share_b", "diff", "ci_low", "ci_high",
        "significant", "units_a", "units_b", "flag"]].round(4)

# %%
shift_chart = plot_theme_shifts(shifts, title=f"Theme shares: {LABEL} against each comparison")
if len(shifts):  # nothing to export when the speeches compared are missing
    shown = export_figure(shift_chart, "theme_shifts", notebook=NOTEBOOK, data=shifts, title="Theme shifts with intervals",
                         caption="Left: share of each theme in A and in each B. Right: B − A in percentage points with a 95% "
                                 f"bootstrap interval ({N_RESAMPLES} resamples of {UNIT}s within each speech, seed {SEED}).",
                         documents=compared, settings=settings)
else:  # the chart says what is missing
    shown = shift_chart
shown

# %% [markdown]
# The significant shifts, written out for the report's summary (one sentence per theme
# whose interval excludes 0; a side with fewer than 20 units is flagged in the sentence).

# %%
labels_en = dict(zip(describe_themes(settings)["theme"], describe_themes(settings)["label_en"]))
shift_sentences = pd.concat(
    [shift_findings(shifts[shifts["comparison"] == c.name].rename(columns={"diff": "delta"}),
                    label_a=c.label_a, label_b=c.label_b, labels_en=labels_en) for c in comparisons],
    ignore_index=True) if comparisons else pd.DataFrame({"text": []})
record_findings(shift_sentences, notebook=NOTEBOOK, figure="theme_shifts")
shift_sentences.reindex(columns=["a", "b", "significant", "text"])

# %% [markdown]
# The significant shifts, largest first:

# %%
shifts.loc[shifts["significant"], ["comparison", "label_zh", "share_a", "share_b", "diff", "ci_low", "ci_high"]].assign(
    size=lambda t: t["diff"].abs()).sort_values(["comparison", "size"], ascending=[True, False]).drop(
    columns="size").round(4)

# %% [markdown]
# ## Talent versus grassroots, speech by speech
#
# ln(s_talent / s_grassroots) per speech with a 95 % bootstrap interval; positive when
# talent gets more room. A speech without a talent or a grassroots hit has no index (NaN,
# flagged), and an interval is flagged when fewer than 95 % of the replicates have both
# themes or the speech has fewer than 20 units.

# %%
index = speech_index(fs, documents=compared, share=SHARE, unit=UNIT, n_resamples=N_RESAMPLES, seed=SEED)
index.round(3)

# %%
index_chart = plot_speech_index(index, highlight=[DOCUMENT, *OTHERS],
                                title="Talent versus grassroots: ln(s_talent / s_grassroots) per speech")
export_figure(index_chart, "speech_index", notebook=NOTEBOOK, data=index, title="Talent–grassroots index per speech",
              caption=f"ln(s_talent/s_grassroots) (share_{SHARE}) with 95% bootstrap intervals; grey: flagged; "
                      "speeches without one of the two themes are left out.",
              documents=compared, settings=settings)

# %% [markdown]
# ## Keyness: the words that mark each side
#
# Only terms significant at a false discovery rate of 5 % (Benjamini–Hochberg) are
# listed, never padded with others. Every term with at least 5 occurrences on the two
# sides together is tested: by log-likelihood G² where both expected counts are at least
# 5, by Fisher's exact test otherwise, so a term absent on one side stays in when the
# other side has enough of it. Log Ratio (log2 of the ratio of rates, a zero count taken
# as 0.5) gives the size.

# %%
keyness = keyness_by_comparison(fs, comparisons, alpha=ALPHA, top=TOP_N)
keyness[["comparison", "side", "term", "f_target", "f_reference", "rate_target", "rate_reference", "log_ratio",
         "p_test"]].round(2).assign(p_fdr=keyness["p_fdr"].map(lambda v: f"{v:.2g}"))

# %%
for number, comparison in enumerate(comparisons, start=1):
    rows = keyness[keyness["comparison"] == comparison.name]
    chart = plot_significant_keyness(rows, label_a=comparison.label_a, label_b=comparison.label_b,
                                     title=f"Key terms: {comparison.label_a} (right) and {comparison.label_b} (left)")
    display(export_figure(chart, f"keyness_{number}", notebook=NOTEBOOK, data=rows, title=f"Keyness, {comparison.name}",
                          caption=f"Terms significant at FDR {ALPHA} (G², or Fisher's exact test for small expected "
                                  "counts); Log Ratio; labels give the counts A / B.",
                          documents=[DOCUMENT, *comparison.documents_b], settings=settings))
    record_findings(keyness_findings(rows, label_a=comparison.label_a, label_b=comparison.label_b,
                                     statistic="log_ratio", alpha=ALPHA),
                    notebook=NOTEBOOK, figure=f"keyness_{number}")

# %% [markdown]
# ## Structure, side by side
#
# Read from the outline: Han characters, top-level points found and announced, the
# shares of the preamble, the numbered body and the closing, and the share of the largest
# point. A speech whose points are not numbered in a way the parser knows (several older
# texts open their points with 首先 or inside paragraphs) shows as all preamble.

# %%
structure = speech_structure(fs)
structure = structure[structure["document"].isin(compared)].set_index("document").loc[compared].reset_index()
structure.round(3)

# %%
structure_chart = plot_speech_structure(structure, labels={DOCUMENT: LABEL},
                                        title="How the speeches are built: preamble, numbered points, closing")
export_figure(structure_chart, "speech_structure", notebook=NOTEBOOK, data=structure, title="Structure per speech",
              caption="Share of Han characters in the preamble, the numbered points and the closing; the mark is the "
                      "largest point's share; right: length and points found (announced).",
              documents=compared, settings=settings)

# %% [markdown]
# ## Among its peers
#
# For each theme, the speech's share and its percentile among the other speeches of each
# kind, level and decade (0 = lower than all, 100 = higher than all; ties split), with
# the group's size and median. Small groups say little: read `group_size` first.

# %%
peers = peer_positions(fs, DOCUMENT, by=PEERS_BY, share=SHARE)
peers[peers["theme"].isin(["talent", "grassroots"])].round(4)

# %%
peers.pivot_table(index=["by", "group", "group_size"], columns="label_zh", values="percentile", sort=False).round(0)

# %%
peer_rows = peers[peers["by"] == peers["by"].iloc[0]] if len(peers) else peers
peer_chart = plot_peer_position(peer_rows, title=f"Where {LABEL} sits among speeches of each {PEERS_BY[0]}")
if len(peer_rows):
    shown = export_figure(peer_chart, "peer_position", notebook=NOTEBOOK, data=peer_rows, title="Position among peers",
                         caption=f"Percentile of each theme share among the other speeches of each {PEERS_BY[0]} "
                                 "(n in the legend).",
                         documents=list(fs.documents["id"]), settings=settings)
else:  # the chart says what is missing
    shown = peer_chart
shown

# %% [markdown]
# ## Which speeches it resembles
#
# Jensen–Shannon divergence in bits (0 = same distribution, 1 = no term in common;
# Lin 1991) and cosine similarity, both on one vocabulary: the terms with at least
# `MIN_COUNT` occurrences over all speeches. Then the same on the twelve theme counts.

# %%
nearest_terms = similar_speeches(fs, DOCUMENT, on="terms", min_count=MIN_COUNT)
nearest_terms.reindex(columns=["document", "year", "kind", "level", "jsd_bits", "cosine", "vocabulary"]).head(10).round(3)

# %%
nearest_themes = similar_speeches(fs, DOCUMENT, on="themes")
nearest_themes.reindex(columns=["document", "year", "kind", "level", "jsd_bits", "cosine"]).head(10).round(3)

# %% [markdown]
# ## A map of all speeches
#
# Correspondence analysis (Greenacre 2017; `prince`) of the speeches × terms table on the
# same vocabulary: speeches close on the map use their words in similar proportions. The
# first two axes of a large sparse table explain a few percent of the inertia each: the
# map shows the main contrasts, not every difference. The check below compares the
# library's inertia with a hand-worked SVD of the standardized residuals.

# %%
coordinates, axes = speech_map(fs, on="terms", min_count=MIN_COUNT, mark=[DOCUMENT, *OTHERS])
axes.round(4)

# %%
matrix = profile_matrix(fs, on="terms", min_count=MIN_COUNT)
by_hand = ca_inertia(matrix[matrix.sum(axis=1) > 0]) if len(matrix) >= 3 else []
pd.Series({"total inertia, prince": round(float(axes["total_inertia"].iloc[0]), 6) if len(axes) else None,
           "total inertia, by hand": round(float(sum(by_hand)), 6) if len(by_hand) else None,
           "first axis, by hand": round(float(by_hand[0]), 6) if len(by_hand) else None}, name="check")

# %%
coordinates.reindex(columns=["document", "year", "kind", "level", "dim_1", "dim_2", "marked"]).round(3)

# %%
map_chart = plot_speech_map(coordinates, axes, color=MAP_COLOR,
                            title=f"All speeches by their words (correspondence analysis), coloured by {MAP_COLOR}")
if len(coordinates):
    shown = export_figure(map_chart, "speech_map", notebook=NOTEBOOK, data=coordinates, title="Map of the speeches",
                         caption=f"Correspondence analysis of speeches × terms (terms with ≥ {MIN_COUNT} occurrences); "
                                 "stars: the speech studied and the speeches compared.",
                         documents=list(fs.documents["id"]), settings=settings)
else:  # the chart says what is missing
    shown = map_chart
shown

# %% [markdown]
# ## Notes on this speech
#
# Notes written by someone who read the speeches, kept in the corpus folder's
# `notes.yaml` under the speech's id; nothing is shown for a speech without notes.

# %%
Markdown(document_notes(DOCUMENT, notebook=NOTEBOOK, corpus=CORPUS) or f"No notes on {DOCUMENT} in {NOTES_FILE}.")
