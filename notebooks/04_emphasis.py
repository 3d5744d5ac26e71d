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
# # 04 · Emphasis: how much room do talent, grassroots, cadres … get, and where?
#
# The question the workbook exists for: how much of a speech, and of each of its
# sections, goes to talent (人才) versus the grassroots (基层), to cadres, members,
# theory, discipline, loyalty, rural revitalization; and how the emphasis shifts
# between two parts or two speeches.
#
# Themes are lists of terms in a versioned lexicon (`corpus/lexicon/themes.yaml`, each
# theme with a rationale). A term counts where the segmenter has it as a word, a run of
# whole words, or part of one longer word (a formula the dictionary keeps whole); never
# across a word boundary. Three shares are given and named in every table:
# `share_tokens` (theme hits / word tokens), `share_han` (Han characters inside hits /
# Han characters) and `share_sentences` (sentences mentioning the theme / sentences).
#
# The comparison here is between two parts of one speech: by default the top-level
# section giving most room to talent and the one giving most room to the grassroots.
# The same functions compare any two documents, sections or groups; notebook 05 sets
# speech against speech.

# %% tags=["parameters"]
CORPUS = None  # folder of your own speeches, e.g. "../my_speeches" (relative to notebooks/); None: $ANALYSIS_CORPUS_DIR, else the bundled corpus/
DOCUMENT = None  # id of the speech to study; None: $ANALYSIS_DOCUMENT, else the seed speech, else the first
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
NOTEBOOK = "04_emphasis"
SECTION_A = None  # part A of the comparison; None: the top-level section with the largest talent share
SECTION_B = None  # part B, shifts are B − A; None: the one with the largest grassroots share
SHARE = "tokens"  # theme share of: tokens | han (Han characters) | sentences
N_RESAMPLES = 2000  # bootstrap replicates (sentences resampled within each part)
SEED = 20240  # bootstrap seed
TOP_N = 12  # terms per side in the keyness chart, terms in the word-shift chart

# %%
import os
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.io.notes import NOTES_FILE, document_notes
from IPython.display import Markdown
from analysis.features import build_features
from analysis.io.corpus import load_corpus, select_document
from analysis.output.export import export_figure, record_findings
from analysis.output.findings import keyness_findings, shift_findings
from analysis.stats.keyness import compare_terms, top_keyness
from analysis.plots.emphasis import (
    plot_keyness,
    plot_emphasis_shift,
    plot_talent_grassroots_index,
    plot_theme_coverage,
    plot_word_shift,
)
from analysis.settings import Settings
from analysis.stats.themes import (
    attention_diversity,
    describe_themes,
    emphasis_shift,
    contrast_sections,
    first_appearance,
    index_shift,
    talent_grassroots_index,
    theme_coverage,
    theme_dispersion,
    theme_hits,
    word_shift,
)

pd.set_option("display.max_colwidth", 60)
pd.set_option("display.width", 200)
pd.set_option("display.max_rows", 80)
settings = Settings()
if FIGURES is not None:  # export_figure writes to $ANALYSIS_FIGURES_DIR
    os.environ["ANALYSIS_FIGURES_DIR"] = str(Path(FIGURES).resolve())
corpus = Path(CORPUS) if CORPUS is not None else paths.corpus_dir()
{k: v for k, v in settings.describe().items() if k in ("segmenter", "segmenter_version", "hmm", "themes", "use_stopwords")}

# %% [markdown]
# ## The theme lexicon
#
# Twelve themes: the nine the question asks for plus three of the six "systems"
# (组织体系, 制度规范, 新兴领域). A term counts in one theme unless the lexicon declares
# it in two (`shared_terms`): village-level party organization terms (村党组织书记,
# 村书记, 驻村工作队 …) count in grassroots and rural revitalization; 党员干部 in party
# members and cadres.

# %%
describe_themes(settings)[["theme", "label_zh", "label_en", "terms", "shared_terms"]]

# %%
documents = load_corpus(corpus, settings=settings)
document = select_document(documents, DOCUMENT, default="organization-work-speech")
DOCUMENT = document["id"].iloc[0]
fs = build_features(document, settings=settings, progress=False)
hits = theme_hits(fs)
document[["id", "title", "date", "han_chars", "paragraphs"]]

# %% [markdown]
# ## Theme shares, section by section
#
# One row per outline node (children included: 三 contains 三（一）…（三）), one column
# per theme, in percent of the share named in the parameters cell.

# %%
coverage = theme_coverage(fs, by="section", hits=hits)
SECTION_A, SECTION_B = contrast_sections(coverage, sections=(SECTION_A, SECTION_B), share=SHARE)
heat = coverage.assign(percent=(coverage[f"share_{SHARE}"] * 100).round(1)).pivot_table(
    index="path", columns="label_zh", values="percent", sort=False)
heat

# %%
heatmap = plot_theme_coverage(coverage, share=SHARE, title="Theme shares by section (%)")
export_figure(  # shows the interactive chart and a static image beside it
    heatmap, "theme_heatmap", notebook=NOTEBOOK, data=coverage,
    title="Theme shares by section",
    caption=f"Share of each theme in each outline node (share_{SHARE}); nodes include their sub-points.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## Talent versus grassroots per section
#
# `index` = ln(s_talent / s_grassroots): positive when talent gets more room, 0 when
# equal; NaN with a `flag` when one of the two themes has no hit at all (a ratio with a
# zero is not a number, and printing ±∞ would hide how few the hits are).

# %%
tg = talent_grassroots_index(coverage, share=SHARE)
tg_cols = ["path", "share_of", "hits_talent", "hits_grassroots", "share_talent", "share_grassroots", "index", "flag"]
tg[tg_cols].round(4)

# %%
tg_chart = plot_talent_grassroots_index(tg, title="Talent (人才) and grassroots (基层) shares by section")
export_figure(  # shows the interactive chart and a static image beside it
    tg_chart, "talent_grassroots", notebook=NOTEBOOK, data=tg,
    title="Talent and grassroots shares by section",
    caption=f"Share of the talent and grassroots themes in each outline node (share_{SHARE}); hover gives ln(s_talent/s_grassroots).",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# The same comparison under the three shares, for the top-level parts and the
# sub-points of the two parts compared below: the direction
# must not depend on the share.

# %%
robust = pd.concat([
    talent_grassroots_index(coverage, share=s)[["path", "share_of", "share_talent", "share_grassroots", "index"]]
    for s in ("tokens", "han", "sentences")
])
robust = robust[robust["path"].str.startswith((SECTION_A, SECTION_B))]
robust.pivot_table(index="path", columns="share_of", values=["share_talent", "share_grassroots", "index"], sort=False).round(3)

# %% [markdown]
# ## Where the themes sit in the speech
#
# Attention diversity across the twelve themes per top-level part (normalized entropy
# H*: 0 = one theme only, 1 = even; HHI = Σ p²), dispersion DP of each theme across the
# top-level parts (Gries 2008: 0 = spread like the text, near 1 = concentrated), and
# the outline path where each theme first appears.

# %%
diversity = attention_diversity(coverage[coverage["level"] <= 1])
diversity[["path", "total", "entropy_norm", "hhi", "top_theme"]].round(3)

# %%
placement = theme_dispersion(fs, hits=hits).merge(
    first_appearance(fs, hits=hits)[["theme", "path", "term", "order"]].rename(
        columns={"path": "first_path", "term": "first_term", "order": "first_order"}), on="theme")
placement[["theme", "hits", "dp", "dp_norm", "top_part", "first_path", "first_term", "first_order"]].round(3)

# %% [markdown]
# ## Section A against section B
#
# A is the section giving most room to talent, B the one giving most room to the
# grassroots, unless the parameters cell names them.
# Δ = share in B − share in A, in the share of the parameters cell, with a
# 95 % percentile bootstrap interval: sentences are resampled with replacement within
# each part, 2,000 times, with a fixed seed.

# %%
a, b = f"{DOCUMENT}#{SECTION_A}", f"{DOCUMENT}#{SECTION_B}"
shift = emphasis_shift(fs, a, b, share=SHARE, n_resamples=N_RESAMPLES, seed=SEED)
shift[["theme", "label_zh", "hits_a", "hits_b", "share_a", "share_b", "delta", "ci_low", "ci_high", "units_a", "units_b"]].round(4)

# %%
dumbbell = plot_emphasis_shift(shift, label_a=f"{SECTION_A} (A)", label_b=f"{SECTION_B} (B)",
                               title=f"Theme shares in section {SECTION_A} and section {SECTION_B}")
export_figure(  # shows the interactive chart and a static image beside it
    dumbbell, "shift_dumbbell", notebook=NOTEBOOK, data=shift,
    title=f"Theme shares, section {SECTION_A} vs {SECTION_B}",
    caption="Left: share of each theme in A and B. Right: B − A in percentage points with a 95% bootstrap interval "
            f"({N_RESAMPLES} resamples of sentences within each part, seed {SEED}).",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# The talent-versus-grassroots index of each part and its change, same replicates. A
# part where one of the two themes has no hit has
# an undefined index, flagged rather than given as ±∞.

# %%
index_shift(fs, a, b, share=SHARE, n_resamples=N_RESAMPLES, seed=SEED).round(3)

# %% [markdown]
# ## Keyness: which words mark section A and which mark section B
#
# Signed log-likelihood G² of every word (stopwords left out), A as target, B as
# reference; `p_fdr` is Benjamini–Hochberg over the words whose expected counts are
# at least 5 (the others are flagged `low_expected` and get no p-value). Counts and
# rates per 10,000 word tokens are given with every statistic.

# %%
keyness = compare_terms(fs, a, b, statistic="g2")
counts = pd.Series({"words compared": len(keyness), "with expected counts ≥ 5": int((~keyness["low_expected"]).sum()),
                    "of these, FDR p < 0.05": int((keyness["p_fdr"] < 0.05).sum())})
counts

# %% [markdown]
# Two parts of one speech give small counts: few words reach an expected count of 5.
# The chart therefore ranks all words by G² and draws the flagged ones pale; their
# `p` and `p_fdr` stay empty (NaN) in the table.

# %%
key_top = top_keyness(keyness, n=TOP_N, statistic="g2", drop_low_expected=False)
key_top[["term", "side", "f_target", "f_reference", "rate_target", "rate_reference", "g2", "log_ratio",
         "low_expected"]].round(3).assign(p_fdr=key_top["p_fdr"].map(lambda v: "" if pd.isna(v) else f"{v:.2g}"))

# %%
key_chart = plot_keyness(key_top, statistic="g2", label_a=SECTION_A, label_b=SECTION_B,
                         title=f"Key words of section {SECTION_A} (right) and section {SECTION_B} (left)")
export_figure(  # shows the interactive chart and a static image beside it
    key_chart, "keyness", notebook=NOTEBOOK, data=key_top,
    title=f"Keyness, section {SECTION_A} vs {SECTION_B}",
    caption=f"Signed log-likelihood G² of the top {TOP_N} words on each side; pale bars have expected counts "
            "below 5 and no p-value. Labels give the counts in A / B.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## Findings for the report
#
# The theme shifts whose 95 % interval excludes 0 and the words significantly key to
# one part (FDR p < 0.05), written as sentences from the tables above. They are
# recorded in `findings.csv` beside the figures; the report's summary lists them and
# links each to its figure.

# %%
labels_en = dict(zip(describe_themes(settings)["theme"], describe_themes(settings)["label_en"]))
findings = pd.concat([
    shift_findings(shift, label_a=f"section {SECTION_A}", label_b=f"section {SECTION_B}", labels_en=labels_en),
    keyness_findings(keyness, label_a=f"section {SECTION_A}", label_b=f"section {SECTION_B}", statistic="g2"),
], ignore_index=True)
record_findings(findings[findings["kind"] == "theme_shift"], notebook=NOTEBOOK, figure="shift_dumbbell")
record_findings(findings[findings["kind"] == "keyness"], notebook=NOTEBOOK, figure="keyness")
findings[["kind", "subject", "significant", "text"]]

# %% [markdown]
# ## Word shift: which theme terms carry the change
#
# Each theme term's contribution δp = p(B) − p(A), its share of the word tokens of B
# minus that of A (Gallagher et al. 2021). The contributions of a theme's terms add up
# to the theme's Δ in the table above.

# %%
shift_terms = word_shift(fs, a, b)
ws_top = shift_terms.head(TOP_N * 2)
ws_top.assign(delta_per_10k=ws_top["delta_p"] * 1e4)[["term", "theme", "f_a", "f_b", "p_a", "p_b", "delta_per_10k"]].round(4)

# %%
labels = dict(zip(coverage["theme"], coverage["label_zh"]))
ws_chart = plot_word_shift(ws_top, label_a=SECTION_A, label_b=SECTION_B, labels=labels,
                           title=f"Theme terms that carry the shift from section {SECTION_A} to {SECTION_B}")
export_figure(  # shows the interactive chart and a static image beside it
    ws_chart, "word_shift", notebook=NOTEBOOK, data=ws_top,
    title=f"Word shift, section {SECTION_A} to {SECTION_B}",
    caption="Contribution δp = p(B) − p(A) of each theme term, per 10,000 word tokens; labels give the counts A → B.",
    documents=[DOCUMENT], settings=settings,
)

# %% [markdown]
# ## What the numbers say about A and B
#
# Read off the tables above for whichever speech is studied: where each theme peaks,
# which way the two shifts go and whether their intervals exclude 0, and how many
# sub-points of B give the grassroots more room than talent. The last row is an
# invariant of the method (the word-shift contributions of a theme add up to its Δ),
# not a finding.

# %%
share = coverage.pivot_table(index="path", columns="theme", values=f"share_{SHARE}", sort=False)
level1 = coverage.loc[coverage["level"] == 1, "path"].unique()
sub_b = fs.nodes.loc[(fs.nodes["parent"] == SECTION_B) & ~fs.nodes["unheaded"].astype(bool), "path"].tolist()
by_theme = shift_terms.assign(theme_list=shift_terms["themes"].str.split("|")).explode("theme_list")
delta = shift.set_index("theme")
direction = {True: "excludes 0", False: "includes 0"}
pd.DataFrame({
    "question": [
        "top-level section with the largest talent share",
        "top-level section with the largest grassroots share",
        f"talent Δ (B − A), 95% interval",
        f"grassroots Δ (B − A), 95% interval",
        f"sub-points of B = {SECTION_B} with a larger grassroots than talent share",
        "word-shift contributions of talent terms add up to the talent Δ (invariant)",
    ],
    "answer": [
        share.loc[level1, "talent"].idxmax() if len(level1) else "",
        share.loc[level1, "grassroots"].idxmax() if len(level1) else "",
        f"{delta.loc['talent', 'delta']:+.4f} [{delta.loc['talent', 'ci_low']:+.4f}, {delta.loc['talent', 'ci_high']:+.4f}]: "
        + direction[bool(delta.loc["talent", "ci_low"] > 0 or delta.loc["talent", "ci_high"] < 0)],
        f"{delta.loc['grassroots', 'delta']:+.4f} [{delta.loc['grassroots', 'ci_low']:+.4f}, "
        f"{delta.loc['grassroots', 'ci_high']:+.4f}]: "
        + direction[bool(delta.loc["grassroots", "ci_low"] > 0 or delta.loc["grassroots", "ci_high"] < 0)],
        f"{int((share.loc[sub_b, 'grassroots'] > share.loc[sub_b, 'talent']).sum())} of {len(sub_b)}",
        str(abs(by_theme.loc[by_theme["theme_list"] == "talent", "delta_p"].sum() - delta.loc["talent", "delta"]) < 1e-12)
        if SHARE == "tokens" else "n/a (share is not tokens)",
    ],
})

# %% [markdown]
# ## Notes on this speech
#
# Notes written by someone who read the speech, kept in the corpus folder's
# `notes.yaml` under the speech's id; nothing is shown for a speech without notes.

# %%
Markdown(document_notes(DOCUMENT, notebook=NOTEBOOK, corpus=corpus) or f"No notes on {DOCUMENT} in {NOTES_FILE}.")
