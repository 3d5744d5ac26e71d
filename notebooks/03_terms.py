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
CORPUS = None  # folder of your own speeches, e.g. "../my_speeches" (relative to notebooks/); None: $ANALYSIS_CORPUS_DIR, else the bundled corpus/
DOCUMENT = None  # id of the speech to study; None: $ANALYSIS_DOCUMENT, else the seed speech, else the first
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
NOTEBOOK = "03_terms"
TOP_N = 30  # terms in the table and bar chart
CLOUD_N = 100  # terms in the word cloud
FORMULAS_N = 25  # formulas in the bar chart
KWIC_TERMS = ["人才", "基层"]  # keyword-in-context terms
WINDOW = 15  # characters of context on each side

# %%
import os
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.features import build_features
from analysis.io.corpus import load_corpus, select_document
from analysis.output.export import export_figure
from analysis.plots.terms import plot_formula_frequencies, plot_term_frequencies, plot_word_cloud
from analysis.settings import Settings
from analysis.stats.counts import collocations, formula_frequencies, kwic, segmentation_robustness, term_frequencies
from analysis.text.segment import load_dictionary, load_stopwords

pd.set_option("display.max_colwidth", 40)
pd.set_option("display.width", 200)
pd.set_option("display.max_rows", 40)
settings = Settings()
if FIGURES is not None:  # export_figure writes to $ANALYSIS_FIGURES_DIR
    os.environ["ANALYSIS_FIGURES_DIR"] = str(Path(FIGURES).resolve())
corpus = Path(CORPUS) if CORPUS is not None else paths.corpus_dir()
{k: v for k, v in settings.describe().items() if k in ("segmenter", "segmenter_version", "hmm", "dictionary", "stopwords", "use_stopwords")}

# %% [markdown]
# ## The dictionary and the stopword list
#
# Entries per category (formulas, the six systems of organization work, programmes,
# government-report vocabulary …), the punctuated formulas matched before segmentation,
# and the size of the stopword list.

# %%
dictionary = load_dictionary(settings)
summary = dictionary.groupby(["source", "category"]).size().rename("entries").reset_index()
summary.assign(stopwords=len(load_stopwords(settings))).sort_values(["source", "entries"], ascending=[True, False], kind="stable")

# %%
documents = load_corpus(corpus, settings=settings)
document = select_document(documents, DOCUMENT, default="organization-work-speech")
DOCUMENT = document["id"].iloc[0]
fs = build_features(document, settings=settings, progress=False)
fs.documents[["id", "title", "date", "han_chars", "tokens"]]

# %% [markdown]
# ## Top terms
#
# `tokens` counts the term as a whole token; `occurrences` also counts it inside longer
# tokens (人才 inside 人才强国战略; see the README's glossary). The rates are rates of
# `tokens`: `per_10k_han` per 10,000 Han characters of the speech, `per_10k_tokens` per
# 10,000 word tokens, `per_10k_content_tokens` per 10,000 word tokens that are not
# stopwords; `doc_freq` the documents (of those loaded) that use the term.

# %%
frequencies = term_frequencies(fs, by="document")
top = frequencies.head(TOP_N)
top[["term", "tokens", "occurrences", "per_10k_han", "per_10k_tokens", "per_10k_content_tokens", "doc_freq"]].round(2)

# %%
bars = plot_term_frequencies(top, title=f"Top {TOP_N} terms of the speech")
export_figure(  # shows the interactive chart and a static image beside it
    bars, "top_terms", notebook=NOTEBOOK, data=top,
    title=f"Top {TOP_N} terms",
    caption="Term counts after stopword removal; formulas are single terms.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## Word cloud
#
# Drawn from the same counts (our tokens, never re-split by the word-cloud library; no
# bigram collocations; seeded layout), with the CJK font of the workbook. The table is
# what the cloud draws.

# %%
cloud_terms = frequencies.head(CLOUD_N)[["term", "tokens"]]
cloud_terms

# %%
cloud = plot_word_cloud(cloud_terms, top_n=CLOUD_N, random_state=42)
export_figure(  # shows the cloud at 800×450; the exported PNG keeps the full scale
    cloud, "word_cloud", notebook=NOTEBOOK, data=cloud_terms,
    title="Word cloud of the speech",
    caption=f"The {CLOUD_N} most frequent terms after stopword removal; size by tokens; seeded layout.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## Formulas (提法)
#
# `rule` says how a formula was recognised: `numbered` (numeral + 个/大/项 + head word),
# `phrase` (a punctuated formula of the dictionary), `dictionary` (a dictionary entry of
# category formula) or `quoted` (a short slogan standing alone in quotation marks);
# `quoted` counts the hits written between quotation marks.

# %%
formulas = formula_frequencies(fs, by="document", settings=settings)
formulas[["formula", "rule", "count", "quoted", "per_10k_han"]].round(2)

# %%
shown = formulas.head(FORMULAS_N)
formula_bars = plot_formula_frequencies(shown, title="Formulas in the speech")
export_figure(  # shows the interactive chart and a static image beside it
    formula_bars, "formulas", notebook=NOTEBOOK, data=shown,
    title="Formulas in the speech",
    caption="Counts of political formulas, coloured by how the segmenter recognised them.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## Keyword in context
#
# Every occurrence in the running text, with its outline path and its offsets in the
# raw file; `whole_token` says whether the segmenter made the occurrence one term
# (人才 inside 人才驿站 or 人才强国战略 is not counted as 人才 above).

# %%
kwic_tables = {term: kwic(document, term, window=WINDOW, settings=settings) for term in KWIC_TERMS}
kwic_tables[KWIC_TERMS[0]][["path", "left", "hit", "right", "whole_token", "raw_start"]]

# %%
kwic_tables[KWIC_TERMS[1]][["path", "left", "hit", "right", "whole_token", "raw_start"]]

# %% [markdown]
# Where the two terms stand: hits per top-level section.

# %%
sections = ["preamble", *fs.nodes.loc[fs.nodes["level"] == 1, "path"], "closing"]
pd.concat(
    [t.assign(section=t["path"].str.split("（").str[0]) for t in kwic_tables.values()]
).pivot_table(index="section", columns="hit", values="start", aggfunc="count", fill_value=0).reindex(sections, fill_value=0)

# %% [markdown]
# ## Collocates of 人才
#
# Terms within five counted terms of 人才 in the same sentence, scored by signed
# log-likelihood G² (Dunning 1993) on the co-occurrence table (Evert 2008); PMI for
# comparison. With one speech these are descriptive, not tests.

# %%
collocations(fs, term="人才", window=5, min_count=2)[["term2", "cooccurrences", "expected", "pmi", "g2"]].head(12).round(2)

# %% [markdown]
# ## Does a count depend on segmentation?
#
# The same counts with jieba's HMM (guessing unknown words) switched on. Formulas and
# dictionary entries do not move; what moves is plain text jieba does not know.

# %%
robust = segmentation_robustness(document, settings=settings, differences_only=True)
robust[["term", "jieba", "jieba_hmm", "spread"]].head(15)
