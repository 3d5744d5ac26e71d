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
# # 03 · Terms: which words and formulas does the speech use, and in what context?
#
# Term counts are only as good as the segmentation. Out of the box jieba cuts the
# formulas (提法) this register is studied for: 两个/维护, 十三个/坚持, 乡村/振兴,
# 全面/从严治党. Here every text goes through `analysis.text.segment`: a formula layer first
# (punctuated formulas such as 不忘初心、牢记使命; numeral + 个/大/项 + head word such as
# 两个确立 or 三大攻坚战; short slogans in quotation marks such as “试金石”), then a
# private jieba tokenizer loaded with the domain dictionary `corpus/lexicon/dictionary.yaml`
# (one entry per term, with category and note).
#
# Terms are tokens that contain a Han character or a Latin word; numbers, punctuation
# and the redaction placeholder 〓 are not terms. Stopwords (function words and this
# register's fillers such as 要、进一步、切实、不断; `corpus/lexicon/stopwords.yaml`) are
# left out of the counts; one-character content words such as 党 and 人 are kept.
# Rates are per 10,000 Han characters (independent of segmentation) and per 10,000
# counted terms.

# %% tags=["parameters"]
NOTEBOOK = "03_terms"
STUDY = None  # a study file (YAML); None: $ANALYSIS_STUDY, else the corpus folder's study.yaml, else one made from the corpus folder
CORPUS = None  # folder of your own speeches, e.g. "../my_speeches" (relative to notebooks/); None: the study's, else corpus/
DOCUMENT = None  # id of the speech to study; None: $ANALYSIS_DOCUMENT, else the study's first speech in focus
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
TOP_N = 30  # terms in the table and bar chart
CLOUD_N = 100  # terms in the word cloud
FORMULAS_N = 25  # formulas in the bar chart
KWIC_TERMS = ["人才", "基层"]  # keyword-in-context terms
WINDOW = 15  # characters of context on each side

# %%
import pandas as pd

from analysis.features import build_features
from analysis.notebook import workbook
from analysis.plots.terms import plot_formula_frequencies, plot_term_frequencies, plot_word_cloud
from analysis.speeches import focus_document
from analysis.stats.counts import collocations, formula_frequencies, kwic, segmentation_robustness, term_frequencies
from analysis.stats.units import hits_by_section
from analysis.text.segment import dictionary_summary

wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS, figures=FIGURES, document=DOCUMENT)
wb.describe()

# %% [markdown]
# ## The dictionary and the stopword list
#
# Entries per category (formulas, the six systems of organization work, programmes,
# government-report vocabulary …), the punctuated formulas matched before segmentation,
# and the size of the stopword list.

# %%
wb.show(dictionary_summary(wb.settings))

# %%
document = focus_document(wb.corpus, wb.document, settings=wb.settings)  # read alone, not with the whole folder
DOCUMENT = str(document["id"].iloc[0])
fs = build_features(document, settings=wb.settings, progress=False)
wb.show(fs.documents[["id", "title", "date", "han_chars", "word_tokens", "all_tokens"]])

# %% [markdown]
# ## Top terms
#
# `tokens` counts the term as a whole token; `occurrences` also counts it inside longer
# tokens (人才 inside 人才强国战略; see the glossary). The rates are rates of
# `tokens`: `per_10k_han` per 10,000 Han characters of the speech, `per_10k_tokens` per
# 10,000 word tokens, `per_10k_content_tokens` per 10,000 word tokens that are not
# stopwords; `doc_freq` the documents (of those loaded) that use the term.

# %%
frequencies = term_frequencies(fs, by="document")
top = frequencies.head(TOP_N)
wb.show(top[["term", "tokens", "occurrences", "per_10k_han", "per_10k_tokens", "per_10k_content_tokens", "doc_freq"]])

# %%
bars = plot_term_frequencies(top, title=f"Top {TOP_N} terms of {DOCUMENT} (tokens)")
wb.export(bars, "top_terms", data=top, title=f"Top {TOP_N} terms of {DOCUMENT}",
          caption="Whole tokens of each term after stopword removal; formulas are single terms.")

# %% [markdown]
# ## Word cloud
#
# Drawn from the same counts (our tokens, never re-split by the word-cloud library; no
# bigram collocations; seeded layout), with the CJK font of the workbook. The table is
# what the cloud draws.

# %%
cloud_terms = frequencies.head(CLOUD_N)[["term", "tokens"]]
wb.show(cloud_terms, max_rows=20)

# %%
cloud = plot_word_cloud(cloud_terms, top_n=CLOUD_N, random_state=42)
wb.export(cloud, "word_cloud", data=cloud_terms, title=f"Word cloud of {DOCUMENT}",
          caption=f"The {CLOUD_N} most frequent terms after stopword removal; size by tokens; seeded layout.")

# %% [markdown]
# ## Formulas (提法)
#
# `rule` says how a formula was recognised: `numbered` (numeral + 个/大/项 + head word),
# `phrase` (a punctuated formula of the dictionary), `dictionary` (a dictionary entry of
# category formula) or `quoted` (a short slogan standing alone in quotation marks);
# `quoted` counts the hits written between quotation marks.

# %%
formulas = formula_frequencies(fs, by="document", settings=wb.settings)
wb.show(formulas.drop(columns=[c for c in ("document",) if c in formulas.columns]))

# %%
shown = formulas.head(FORMULAS_N)
formula_bars = plot_formula_frequencies(shown, title=f"Formulas in {DOCUMENT} (tokens)")
wb.export(formula_bars, "formulas", data=shown, title=f"Formulas in {DOCUMENT}",
          caption="Whole tokens of each political formula, coloured by how the segmenter recognised it.")

# %% [markdown]
# ## Keyword in context
#
# Every occurrence in the running text, with its outline path and its offsets in the
# raw file; `whole_token` says whether the segmenter made the occurrence one term
# (人才 inside 人才驿站 or 人才强国战略 is not counted as 人才 above).

# %%
contexts = pd.concat([kwic(document, term, window=WINDOW, settings=wb.settings) for term in KWIC_TERMS],
                     ignore_index=True)
wb.show(contexts[["hit", "path", "left", "right", "whole_token", "raw_start"]], max_rows=40)

# %% [markdown]
# Where the terms stand: occurrences per top-level section.

# %%
wb.show(hits_by_section(contexts, fs.nodes), caption="Occurrences of each term per top-level part")

# %% [markdown]
# ## Collocates of the first term
#
# Terms within five counted terms of the first KWIC term in the same sentence, scored by
# signed log-likelihood G² (Dunning 1993) on the co-occurrence table (Evert 2008); PMI
# for comparison. With one speech these are descriptive, not tests.

# %%
wb.show(collocations(fs, term=KWIC_TERMS[0], window=5, min_count=2)[
    ["term2", "cooccurrences", "expected", "pmi", "g2"]].head(12))

# %% [markdown]
# ## Does a count depend on segmentation?
#
# The same counts with jieba's HMM (guessing unknown words) switched on. Formulas and
# dictionary entries do not move; what moves is plain text jieba does not know.

# %%
robust = segmentation_robustness(document, settings=wb.settings, differences_only=True)
wb.show(robust[["term", "jieba", "jieba_hmm", "spread"]].head(15))
