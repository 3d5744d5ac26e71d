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
# The comparison here is between two parts of the speech in focus: the parts the study
# names, else the top-level section giving most room to talent and the one giving most
# room to the grassroots.
# The same functions compare any two documents, sections or groups; notebook 05 sets
# speech against speech.

# %% tags=["parameters"]
NOTEBOOK = "04_emphasis"
STUDY = None  # a study file (YAML); None: $ANALYSIS_STUDY, else the corpus folder's study.yaml, else one made from the corpus folder
CORPUS = None  # folder of your own speeches, e.g. "../my_speeches" (relative to notebooks/); None: the study's, else corpus/
DOCUMENT = None  # id of the speech to study; None: $ANALYSIS_DOCUMENT, else the study's first speech in focus
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
SECTION_A = None  # part A of the comparison; None: the study's, else the top-level section with the largest talent share
SECTION_B = None  # part B, differences are B − A; None: the study's, else the one with the largest grassroots share
N_RESAMPLES = 2000  # bootstrap replicates (sentences resampled within each part)
SEED = 20240  # bootstrap seed
TOP_N = 12  # terms per side in the keyness chart, terms in the word-shift chart

# %%
from analysis.features import build_features
from analysis.notebook import workbook
from analysis.output.findings import keyness_findings, shift_findings
from analysis.plots.emphasis import (
    plot_emphasis_shift,
    plot_keyness,
    plot_talent_grassroots_index,
    plot_theme_coverage,
    plot_word_shift,
)
from analysis.plots.outline import parts_to_draw
from analysis.speeches import focus_document
from analysis.stats.keyness import compare_terms, top_keyness
from analysis.stats.summaries import section_contrast_summary
from analysis.stats.themes import (
    attention_diversity,
    contrast_sections,
    describe_themes,
    emphasis_shift,
    index_shift,
    talent_grassroots_index,
    theme_coverage,
    theme_hits,
    theme_placement,
    word_shift,
)

wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS, figures=FIGURES, document=DOCUMENT)
SHARE, UNIT = wb.study.share, wb.study.unit
wb.describe()

# %% [markdown]
# ## The theme lexicon
#
# Twelve themes: the nine the question asks for plus three of the six "systems"
# (组织体系, 制度规范, 新兴领域). A term counts in one theme unless the lexicon declares
# it in two (`shared_terms`): village-level party organization terms (村党组织书记,
# 村书记, 驻村工作队 …) count in grassroots and rural revitalization; 党员干部 in party
# members and cadres.

# %%
themes = describe_themes(wb.settings)
wb.show(themes[["theme", "label_zh", "label_en", "terms", "shared_terms"]])

# %%
# read alone, not with the whole folder; its text is not kept once counted (fs holds the tables)
fs = build_features(focus_document(wb.corpus, wb.document, settings=wb.settings), settings=wb.settings, progress=False)
DOCUMENT = str(fs.documents["id"].iloc[0])
hits = theme_hits(fs)
wb.show(fs.documents[["id", "title", "date", "han_chars", "word_tokens", "paragraphs"]])

# %% [markdown]
# ## Theme shares, section by section
#
# One row per outline node (children included: 三 contains 三（一）…（三）) and theme,
# in the share named by the study (`share_tokens`: theme hits / word tokens).

# %%
coverage = theme_coverage(fs, by="section", hits=hits)
wb.show(coverage[["path", "label_zh", "theme_hits", "word_tokens", f"share_{SHARE}"]], max_rows=36)

# %%
drawn = parts_to_draw(coverage)  # a chart draws at most analysis.plots.outline.MAX_PARTS parts
heatmap = plot_theme_coverage(drawn, share=SHARE, title=f"Theme shares by section of {DOCUMENT} (%)")
wb.export(heatmap, "theme_heatmap", data=drawn, title=f"Theme shares by section of {DOCUMENT}",
          caption=f"Share of each theme in each outline node (share_{SHARE}); nodes include their sub-points.")

# %% [markdown]
# ## Talent versus grassroots per section
#
# `index` = ln(s_talent / s_grassroots), a log ratio: positive when talent gets more
# room, 0 when equal; undefined (empty, with a `flag`) when one of the two themes has no
# hit (a ratio with a zero is not a number, and printing ±∞ would hide how few the hits are).

# %%
tg = talent_grassroots_index(parts_to_draw(coverage), share=SHARE)
wb.show(tg[["path", "share_of", "hits_talent", "hits_grassroots", "share_talent", "share_grassroots", "index", "flag"]])

# %%
tg_chart = plot_talent_grassroots_index(tg, title=f"Talent (人才) and grassroots (基层) shares by section of {DOCUMENT}")
wb.export(tg_chart, "talent_grassroots", data=tg, title=f"Talent and grassroots shares by section of {DOCUMENT}",
          caption=f"Share of the talent and grassroots themes in each outline node (share_{SHARE}); "
                  "hover gives the log ratio ln(s_talent/s_grassroots).")

# %% [markdown]
# ## Where the themes sit in the speech
#
# Attention diversity across the themes per top-level part (normalized entropy H*: 0 =
# one theme only, 1 = even; HHI = Σ p²), dispersion DP of each theme across the
# top-level parts (Gries 2008: 0 = spread like the text, near 1 = concentrated), and
# the outline path where each theme first appears.

# %%
diversity = attention_diversity(coverage[coverage["level"] <= 1])
wb.show(diversity[["path", "total", "entropy_norm", "hhi", "top_theme"]])

# %%
wb.show(theme_placement(fs, hits=hits))

# %% [markdown]
# ## Section A against section B
#
# Δ = share in B − share in A (a difference of shares, in percentage points), with a
# 95 % percentile bootstrap interval: sentences are resampled with replacement within
# each part, 2,000 times, with a fixed seed. `significant` follows the workbook's one
# rule: the interval excludes 0 and each part has at least 20 sentences.

# %%
a_path, b_path = contrast_sections(coverage, sections=(SECTION_A or wb.study.section_pair(DOCUMENT)[0],
                                                       SECTION_B or wb.study.section_pair(DOCUMENT)[1]), share=SHARE)
a, b = f"{DOCUMENT}#{a_path}", f"{DOCUMENT}#{b_path}"
shift = emphasis_shift(fs, a, b, share=SHARE, unit=UNIT, n_resamples=N_RESAMPLES, seed=SEED)
wb.show(shift[["theme", "label_zh", "hits_a", "hits_b", "share_a", "share_b", "diff", "ci_low", "ci_high",
               "significant", "units_a", "units_b", "flag"]])

# %%
dumbbell = plot_emphasis_shift(shift, label_a=f"{a_path} (A)", label_b=f"{b_path} (B)",
                               title=f"Theme shares in section {a_path} (A) and section {b_path} (B) of {DOCUMENT}")
wb.export(dumbbell, "shift_dumbbell", data=shift, title=f"Theme shares, section {a_path} (A) vs {b_path} (B)",
          caption="Left: share of each theme in A and B. Right: B − A in percentage points with a 95% bootstrap "
                  f"interval ({N_RESAMPLES} resamples of {UNIT}s within each part, seed {SEED}).")

# %% [markdown]
# The talent-versus-grassroots index of each part and its change, same replicates. A
# part where one of the two themes has no hit has an undefined index, flagged rather
# than given as ±∞; the B − A row is a difference of log ratios, not of shares.

# %%
wb.show(index_shift(fs, a, b, share=SHARE, unit=UNIT, n_resamples=N_RESAMPLES, seed=SEED))

# %% [markdown]
# ## Keyness: which words mark section A and which mark section B
#
# Signed log-likelihood G² of every word (stopwords left out), A as target, B as
# reference. Every word with at least 5 tokens in the two parts together is tested (χ²₁,
# or Fisher's exact test where an expected count is below 5) and `p_fdr` is
# Benjamini–Hochberg over all of them: the family is stated under the table and does
# not change with what is shown.

# %%
keyness = compare_terms(fs, a, b, statistic="g2")
key_top = top_keyness(keyness, n=TOP_N, statistic="g2", drop_low_expected=False)
wb.show(key_top[["term", "side", "f_target", "f_reference", "rate_target", "rate_reference", "g2", "log_ratio",
                 "p_test", "p_fdr", "significant"]])

# %%
key_chart = plot_keyness(key_top, statistic="g2", label_a=a_path, label_b=b_path,
                         title=f"Key words of section {a_path} (A, right) and section {b_path} (B, left)")
wb.export(key_chart, "keyness", data=key_top, title=f"Keyness, section {a_path} (A) vs {b_path} (B)",
          caption=f"Signed log-likelihood G² of the top {TOP_N} words on each side; pale bars are not significant "
                  "after Benjamini–Hochberg correction. Labels give the tokens in A / B.")

# %% [markdown]
# ## Findings for the report
#
# The theme shifts the table calls significant and the words significantly more
# frequent in one part, written as sentences from the tables above and recorded in
# `findings.csv` beside the figures.

# %%
labels_en = dict(zip(themes["theme"], themes["label_en"]))
wb.findings(shift_findings(shift, label_a=f"section {a_path}", label_b=f"section {b_path}", labels_en=labels_en),
            figure="shift_dumbbell")
wb.findings(keyness_findings(keyness, label_a=f"section {a_path}", label_b=f"section {b_path}", statistic="g2"),
            figure="keyness")

# %% [markdown]
# ## Word shift: which theme terms carry the change
#
# Each theme term's contribution δp = p(B) − p(A), its share of the word tokens of B
# minus that of A (Gallagher et al. 2021). The contributions of a theme's terms add up
# to the theme's Δ in the table above.

# %%
shift_terms = word_shift(fs, a, b)
ws_top = shift_terms.head(TOP_N * 2)
wb.show(ws_top[["term", "theme", "f_a", "f_b", "p_a", "p_b", "delta_p"]])

# %%
ws_chart = plot_word_shift(ws_top, label_a=a_path, label_b=b_path, labels=dict(zip(themes["theme"], themes["label_zh"])),
                           title=f"Theme terms that carry the difference between section {a_path} and {b_path}")
wb.export(ws_chart, "word_shift", data=ws_top, title=f"Word shift, section {a_path} (A) to {b_path} (B)",
          caption="Contribution δp = p(B) − p(A) of each theme term, per 10,000 word tokens; labels give the "
                  "tokens A → B.")

# %% [markdown]
# ## What the numbers say about A and B
#
# Read off the tables above for whichever speech is studied: where each theme peaks,
# the two shifts with their intervals and the one significance rule, and how many
# sub-points of B give the grassroots more room than talent.

# %%
wb.show(section_contrast_summary(coverage, shift, a=a_path, b=b_path, share=SHARE))

# %% [markdown]
# ## Notes on this speech
#
# Notes written by someone who read the speech, kept in the corpus folder's
# `notes.yaml` under the speech's id; nothing is shown for a speech without notes.

# %%
wb.notes()
