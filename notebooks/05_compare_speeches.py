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
# What is compared with what comes from the study (`STUDY`, or the corpus folder's
# `study.yaml`; without one, every speech of the corpus folder is compared with the others
# and with the reference speeches that match its kind, level and era). Every comparison
# reads counts only (theme hits, term counts, outline sizes), never running text, and no
# sentence of a reference speech is shown: only ids, titles and figures. Differences are
# always B − A.

# %% tags=["parameters"]
NOTEBOOK = "05_compare_speeches"
STUDY = None  # a study file (YAML); None: $ANALYSIS_STUDY, else the corpus folder's study.yaml, else one made from the corpus folder
CORPUS = None  # folder of the speeches studied; None: the study's, else corpus/
DOCUMENT = None  # the speech in focus for peers and similarity; None: $ANALYSIS_DOCUMENT, else the study's first
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
PEERS_BY = ["kind", "level", "decade"]  # metadata columns that form the peer groups
MAP_COLOR = "kind"  # colour of the map: kind, level or decade
N_RESAMPLES = 2000  # bootstrap replicates
SEED = 20240  # bootstrap seed
TOP_N = 15  # key terms per side
MIN_COUNT = 5  # vocabulary of the similarity and the map: terms with at least this many tokens

# %%
import warnings

import pandas as pd
from IPython.display import display

from analysis.notebook import workbook
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
from analysis.speeches import corpus_features
from analysis.stats.compare import (
    comparison_groups,
    comparison_table,
    keyness_by_comparison,
    peer_positions,
    speech_index,
    speech_structure,
    speech_themes,
    theme_shifts,
)
from analysis.stats.similarity import similar_speeches, speech_map
from analysis.stats.themes import describe_themes
from analysis.study import plan_study

warnings.simplefilter("always", UserWarning)  # say which speeches or groups are missing, every run
wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS, figures=FIGURES, document=DOCUMENT)
SHARE, UNIT = wb.study.share, wb.study.unit
wb.describe()

# %% [markdown]
# ## The speeches
#
# The corpus folder and the reference speeches, loaded together (features cached by
# content). Every analysis here reads counts, so the corpus folder is counted file by file
# and held as counts, as the reference profiles are: no text stays in memory.
# If the reference speeches are missing, a warning says so and the comparisons
# that need them are left out below; everything else still runs on the corpus folder.

# %%
fs = corpus_features(corpus=wb.corpus, references=wb.study.reference_paths(), settings=wb.settings, counts_only=True)
DOCUMENT = wb.document if wb.document in set(fs.documents["id"].astype(str)) else str(fs.documents["id"].iloc[0])
wb.show(fs.documents[fs.documents["in_corpus"]].reindex(columns=["id", "title", "date", "level", "kind", "han_chars",
                                                                 "word_tokens"]),
        caption="The speeches of the corpus folder")

# %% [markdown]
# The comparisons of the study (A against B; a group never contains A), and who is on
# side B: its size, years, levels, kinds and speaker roles. A group of fewer than 5
# speeches, one spanning more than 20 years, or one mixing national and local speakers
# carries a warning into every table, chart and finding that uses it.

# %%
comparisons = plan_study(fs, wb.study)
compared = list(dict.fromkeys([d for c in comparisons for d in ([c.a] if isinstance(c.a, str) else list(c.a))]
                              + [d for c in comparisons for d in c.documents_b]))
wb.show(comparison_table(comparisons))

# %%
wb.show(comparison_groups(fs, comparisons))

# %% [markdown]
# ## Theme shares, speech by speech
#
# One row per speech compared and theme, ordered by date; the share is the study's
# (theme hits over word tokens by default).

# %%
themes = speech_themes(fs, documents=compared, share=SHARE)
wb.show(themes[["label", "label_zh", "theme_hits", "word_tokens", "share"]], max_rows=40)

# %%
heatmap = plot_speech_themes(themes, title="Theme shares per speech, by date (%)")
wb.export(heatmap, "speech_themes", data=themes, title="Theme shares per speech",
          caption=f"Share of each theme in each speech compared (share_{SHARE}), speeches by date.", documents=compared)

# %% [markdown]
# ## Theme shifts: each comparison
#
# `diff` = share in B − share in A, with a 95 % percentile bootstrap interval
# (sentences resampled within each speech, 2,000 times, seeded). `significant` is the
# workbook's one rule: the interval excludes 0 and each side has at least 20 units; a
# side with fewer (a text whose line breaks were lost has one paragraph) is flagged and
# drawn grey.

# %%
shifts = theme_shifts(fs, comparisons, share=SHARE, unit=UNIT, n_resamples=N_RESAMPLES, seed=SEED)
wb.show(shifts[["comparison", "label_zh", "hits_a", "hits_b", "share_a", "share_b", "diff", "ci_low", "ci_high",
                "significant", "units_a", "units_b", "flag", "group_warning"]], max_rows=48)

# %%
shift_chart = plot_theme_shifts(shifts, title="Theme shares: A against each B")
wb.export(shift_chart, "theme_shifts", data=shifts, title="Theme shifts with intervals", documents=compared,
          caption="Left: share of each theme in A and in each B. Right: B − A in percentage points with a 95% "
                  f"bootstrap interval ({N_RESAMPLES} resamples of {UNIT}s within each speech, seed {SEED}).")

# %% [markdown]
# The shifts the tables call significant, written out for the report's summary, with
# both sides named and each group's warning carried along.

# %%
labels_en = dict(zip(describe_themes(wb.settings)["theme"], describe_themes(wb.settings)["label_en"]))
shift_sentences = wb.findings(pd.concat(
    [shift_findings(shifts[shifts["comparison"] == c.name], label_a=c.label_a, label_b=c.label_b,
                    labels_en=labels_en, warning=c.warning) for c in comparisons],
    ignore_index=True) if comparisons else pd.DataFrame({"text": []}), figure="theme_shifts")
wb.show(shift_sentences.reindex(columns=["a", "b", "significant", "text"]))

# %% [markdown]
# ## Talent versus grassroots, speech by speech
#
# ln(s_talent / s_grassroots) per speech, a log ratio, with a 95 % bootstrap interval;
# positive when talent gets more room. A speech without a talent or a grassroots hit has
# no index (flagged), and an interval is flagged when fewer than 95 % of the replicates
# have both themes or the speech has fewer than 20 units.

# %%
index = speech_index(fs, documents=compared, share=SHARE, unit=UNIT, n_resamples=N_RESAMPLES, seed=SEED)
wb.show(index, max_rows=40)

# %%
index_chart = plot_speech_index(index, highlight=[DOCUMENT],
                                title="Talent versus grassroots: ln(s_talent / s_grassroots) per speech")
wb.export(index_chart, "speech_index", data=index, title="Talent–grassroots index per speech", documents=compared,
          caption=f"ln(s_talent/s_grassroots) (share_{SHARE}) with 95% bootstrap intervals; grey: flagged; "
                  "speeches without one of the two themes are left out.")

# %% [markdown]
# ## Keyness: the words that mark each side
#
# Every term with at least 5 tokens on the two sides together is tested (G², or Fisher's
# exact test where an expected count is below 5) and adjusted by Benjamini–Hochberg over
# that whole family; only the significant ones are listed, never padded with others. Log
# Ratio (log2 of the ratio of rates, a zero count taken as 0.5) gives the size.

# %%
keyness = keyness_by_comparison(fs, comparisons, top=TOP_N)
wb.show(keyness[["comparison", "side", "term", "f_target", "f_reference", "rate_target", "rate_reference",
                 "log_ratio", "p_test", "p_fdr", "fdr_family_size"]], max_rows=60)

# %%
for number, comparison in enumerate(comparisons, start=1):
    rows = keyness[keyness["comparison"] == comparison.name]
    chart = plot_significant_keyness(rows, label_a=comparison.label_a, label_b=comparison.label_b,
                                     title=f"Key terms: {comparison.label_a} (A, right) and {comparison.label_b} (B, left)")
    display(wb.export(chart, f"keyness_{number}", data=rows, title=f"Keyness, {comparison.name}",
                      documents=[DOCUMENT, *comparison.documents_b],
                      caption="Terms significant at FDR 0.05 (G², or Fisher's exact test for small expected counts); "
                              "Log Ratio; labels give the tokens in A / B."))
    wb.findings(keyness_findings(rows, label_a=comparison.label_a, label_b=comparison.label_b, statistic="log_ratio",
                                 warning=comparison.warning), figure=f"keyness_{number}")

# %% [markdown]
# ## Structure, side by side
#
# Read from the outline: Han characters, top-level points found and announced, the
# shares of the preamble, the numbered body and the closing, and the share of the largest
# point. A speech whose points are not numbered in a way the parser knows shows as all
# preamble.

# %%
structure = speech_structure(fs.select(compared))
wb.show(structure)

# %%
structure_chart = plot_speech_structure(structure, title="How the speeches are built: preamble, numbered points, closing")
wb.export(structure_chart, "speech_structure", data=structure, title="Structure per speech", documents=compared,
          caption="Share of Han characters in the preamble, the numbered points and the closing; the mark is the "
                  "largest point's share; right: length and points found (announced).")

# %% [markdown]
# ## Among its peers
#
# For the speech in focus and each theme, its share and its percentile among the other
# speeches of each kind, level and decade (0 = lower than all, 100 = higher than all;
# ties split), with the group's size and median. Groups of fewer than 5 speeches get no
# percentile: read `group_size` and `group_warning` first.

# %%
peers = peer_positions(fs, DOCUMENT, by=PEERS_BY, share=SHARE)
wb.show(peers[peers["theme"].isin(["talent", "grassroots"])], max_rows=40)

# %%
peer_rows = peers[peers["by"] == peers["by"].iloc[0]] if len(peers) else peers
peer_chart = plot_peer_position(peer_rows, title=f"Where {DOCUMENT} sits among speeches of each {PEERS_BY[0]}")
wb.export(peer_chart, "peer_position", data=peer_rows, title="Position among peers", documents=list(fs.documents["id"]),
          caption=f"Percentile of each theme share among the other speeches of each {PEERS_BY[0]} (n in the legend; "
                  "groups under 5 speeches have no percentile).")

# %% [markdown]
# ## Which speeches it resembles
#
# Jensen–Shannon divergence in bits (0 = same distribution, 1 = no term in common;
# Lin 1991) and cosine similarity, both on one vocabulary: the terms with at least
# `MIN_COUNT` tokens over all speeches. Then the same on the theme counts.

# %%
wb.show(similar_speeches(fs, DOCUMENT, on="terms", min_count=MIN_COUNT).reindex(
    columns=["document", "year", "kind", "level", "jsd_bits", "cosine", "vocabulary"]).head(10))

# %%
wb.show(similar_speeches(fs, DOCUMENT, on="themes").reindex(
    columns=["document", "year", "kind", "level", "jsd_bits", "cosine"]).head(10))

# %% [markdown]
# ## A map of all speeches
#
# Correspondence analysis (Greenacre 2017; `prince`) of the speeches × terms table on the
# same vocabulary: speeches close on the map use their words in similar proportions. The
# first two axes of a large sparse table explain a few percent of the inertia each: the
# map shows the main contrasts, not every difference.

# %%
coordinates, axes = speech_map(fs, on="terms", min_count=MIN_COUNT, mark=compared)
wb.show(axes)

# %%
map_chart = plot_speech_map(coordinates, axes, color=MAP_COLOR,
                            title=f"All speeches by their words (correspondence analysis), coloured by {MAP_COLOR}")
wb.export(map_chart, "speech_map", data=coordinates, title="Map of the speeches", documents=list(fs.documents["id"]),
          caption=f"Correspondence analysis of speeches × terms (terms with ≥ {MIN_COUNT} tokens); stars: the speeches "
                  "compared.")

# %% [markdown]
# ## Notes on this speech
#
# Notes written by someone who read the speeches, kept in the corpus folder's
# `notes.yaml` under the speech's id; nothing is shown for a speech without notes.

# %%
wb.notes()
