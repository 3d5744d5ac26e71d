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
# # 07 · Explore: which ideas travel together, where the codes fall, and which words each speech ranks high
#
# Three views researchers know from content-analysis tools, on the speech in focus:
#
# - a **co-occurrence network**: theme-lexicon terms that share sentences, weighted by the
#   Jaccard coefficient, grouped into communities (Louvain), and the edges gained and lost
#   against the first speech the study compares it with;
# - **coding rules** (`corpus/lexicon/codes.yaml`: boolean combinations of terms, proximity)
#   applied to every sentence and cross-tabulated by the speech's top-level sections, with a
#   χ² test per code and adjusted standardized residuals;
# - a **term scatter**: each term's frequency rank in the speech against its rank in the
#   compared speech, coloured by keyness.
#
# Networks of reference speeches read the pair counts stored in their profiles (counts of
# sentences holding two terms, never the sentences). The network is also written as GraphML
# and GEXF with node and edge tables, for Gephi or R.
#
# At the end, an **explorer** (JupyterLab widgets) puts the theme heatmap, the talent–grassroots
# bars and the shift chart under a few controls; a click on a cell, a bar or a theme lists the
# sentences behind it.

# %% tags=["parameters"]
NOTEBOOK = "07_explore"
STUDY = None  # a study file (YAML); None: $ANALYSIS_STUDY, else the corpus folder's study.yaml, else one made from the corpus folder
CORPUS = None  # folder of the speeches studied; None: the study's, else corpus/
DOCUMENT = None  # the speech in focus; None: $ANALYSIS_DOCUMENT, else the study's first
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
LAYER = "term"  # network nodes: "term" (theme-lexicon terms) or "theme"
MEASURE = "jaccard"  # edge weight: jaccard, pmi or g2
MIN_COUNT = 2  # an edge needs at least this many shared sentences
SCATTER_TOP = 300  # terms within this rank on either side are drawn
DISPERSION_THEMES = ["talent", "grassroots"]  # themes placed along the speeches

# %%
import warnings

from analysis.explore import explore
from analysis.notebook import workbook
from analysis.plots.coding import plot_code_residuals
from analysis.plots.network import plot_cooccurrence_network, plot_network_difference
from analysis.plots.positions import plot_item_positions
from analysis.plots.scatter import plot_term_scatter
from analysis.speeches import corpus_features
from analysis.stats.coding import code_crosstab, code_units, section_of
from analysis.stats.network import cooccurrence_edges, network_difference, network_nodes
from analysis.stats.positions import item_positions, section_starts
from analysis.stats.scatter import term_scatter
from analysis.stats.themes import describe_themes
from analysis.study import plan_study
from analysis.text.codes import load_codes

warnings.simplefilter("always", UserWarning)
wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS, figures=FIGURES, document=DOCUMENT)
wb.describe()

# %% [markdown]
# The speech in focus and the first single speech the study compares it with (none when
# every comparison is with a group).

# %%
fs = corpus_features(corpus=wb.corpus, references=wb.study.reference_paths(), settings=wb.settings)
DOCUMENT = wb.document if wb.document in set(fs.documents["id"].astype(str)) else str(fs.documents["id"].iloc[0])
pairs = [c for c in plan_study(fs, wb.study) if len(c.documents_b) == 1 and c.documents_b[0] != DOCUMENT]
OTHER = pairs[0].documents_b[0] if pairs else None
wb.show(fs.documents[fs.documents["id"].isin([DOCUMENT, OTHER])].reindex(
    columns=["id", "title", "date", "level", "kind", "han_chars", "word_tokens"]), caption="The speeches of this notebook")

# %% [markdown]
# ## Co-occurrence network of the speech in focus
#
# One row per term: the sentences holding it, its edges, the summed weight of its edges
# and its community (1 = the largest). Then the edges: `cooccurrences` sentences hold
# both terms, `jaccard` = both / either, `pmi` = log2(observed / expected), `g2` the
# log-likelihood of the 2 × 2 table (positive: together more often than by chance).

# %%
edges = cooccurrence_edges(fs, documents=DOCUMENT, layer=LAYER, measure=MEASURE, min_count=MIN_COUNT)
nodes = network_nodes(edges)
wb.show(nodes, max_rows=60)

# %%
wb.show(edges[["term_a", "term_b", "cooccurrences", "units_with_a", "units_with_b", "n_units", "jaccard", "pmi",
               "g2"]], max_rows=40)

# %%
network_chart = plot_cooccurrence_network(nodes, edges, title=f"Co-occurrence network ({LAYER}s sharing sentences)")
wb.export(network_chart, "network", data=edges, title="Co-occurrence network of the speech in focus",
          caption=f"Theme-lexicon {LAYER}s sharing at least {MIN_COUNT} sentences; dot size: sentences holding the "
                  f"term; colour: Louvain community; line width: {MEASURE}.")

# %% [markdown]
# The same network as GraphML and GEXF (Chinese labels), with node and edge tables, for
# Gephi, R or networkx.

# %%
wb.export_network(nodes, edges, "network_graph", title="Co-occurrence network (GraphML, GEXF)",
                  caption=f"Nodes with their community; edges weighted by {MEASURE}.")

# %% [markdown]
# ## Edges gained and lost against the compared speech
#
# Both networks are drawn the same way; an edge is *gained* when only the compared speech
# (B) has it, *lost* when only the speech in focus (A) has it, *kept* when both do.

# %%
difference = (network_difference(fs, a=DOCUMENT, b=OTHER, layer=LAYER, measure=MEASURE, min_count=MIN_COUNT)
              if OTHER else None)
wb.show(difference if difference is not None else fs.documents.iloc[:0, :1],
        caption="" if OTHER else "No single speech is compared with the speech in focus in this study.", max_rows=60)

# %%
if difference is not None:
    difference_chart = plot_network_difference(difference, title=f"Edges gained (B) and lost (A): B = {OTHER}")
    display_value = wb.export(difference_chart, "network_difference", data=difference, documents=[DOCUMENT, OTHER],
                              title="Co-occurrence edges gained and lost",
                              caption=f"Edges of the network of {OTHER} (B) against the speech in focus (A): green "
                                      "only in B, orange dashed only in A, grey in both.")
else:
    display_value = None
display_value

# %% [markdown]
# ## Where talent and the grassroots fall along the speeches
#
# One row per sentence holding a theme's term, at its place in the speech (0 = the
# opening, 1 = the close); dotted lines mark where each top-level section starts.

# %%
placed = [d for d in (DOCUMENT, OTHER) if d]
positions = item_positions(fs, themes=DISPERSION_THEMES, documents=placed)
starts = section_starts(fs, documents=placed)
wb.show(positions, max_rows=60)

# %%
theme_names = dict(zip(describe_themes(wb.settings)["theme"], describe_themes(wb.settings)["label_zh"]))
dispersion_chart = plot_item_positions(positions, starts, labels=theme_names,
                                       title="Where the themes fall along each speech")
wb.export(dispersion_chart, "dispersion", data=positions, documents=placed, title="Dispersion of themes",
          caption="Each tick: a sentence holding the theme, at its relative place in the speech; dotted lines: "
                  "the top-level sections' starts.")

# %% [markdown]
# ## Coding rules by section
#
# The rules of the codes file, applied to every sentence of the speech; one row per
# code: coded sentences, Pearson's χ² of coded / not coded by top-level section, its p and
# Cramér's V, and how many cells expect fewer than 5 sentences (then χ² is unreliable).

# %%
codes = load_codes()
wb.show(codes[["code", "label_zh", "rule"]])

# %%
focus = fs.select([DOCUMENT])
coded = code_units(focus, codes=codes)
cells, tests = code_crosstab(coded, by="section", sections=section_of(focus))
wb.show(tests)

# %% [markdown]
# Each cell: coded sentences in the section, the count expected under independence and
# the adjusted standardized residual (beyond ±1.96: the section holds the code more, or
# less, often than the other sections at the 5 % level, cell by cell); `small_expected`
# marks cells expecting fewer than 5.

# %%
wb.show(cells, max_rows=80)

# %%
residual_chart = plot_code_residuals(cells, labels=dict(zip(codes["code"], codes["label_zh"])),
                                     title="Codes by section: adjusted residuals")
wb.export(residual_chart, "code_residuals", data=cells, title="Codes by section: adjusted residuals",
          caption="Coded sentences and adjusted standardized residual per code and top-level section; red: more "
                  "than expected, blue: fewer; * expected count below 5.")

# %% [markdown]
# ## Term scatter: the speech in focus against the compared speech
#
# Each term's dense frequency rank in A (x) and in B (y), log scales; colour: Log Ratio
# (A over B). The table lists the terms ranked highest on both sides first.

# %%
scatter = term_scatter(fs, DOCUMENT, OTHER, top=SCATTER_TOP) if OTHER else None
wb.show(scatter.head(40) if scatter is not None else fs.documents.iloc[:0, :1],
        caption="" if OTHER else "No single speech is compared with the speech in focus in this study.")

# %%
if scatter is not None:
    scatter_chart = plot_term_scatter(scatter, label_a=DOCUMENT, label_b=OTHER,
                                      title=f"Term ranks: {DOCUMENT} (x) against {OTHER} (y)")
    display_value = wb.export(scatter_chart, "term_scatter", data=scatter, documents=[DOCUMENT, OTHER],
                              title="Term ranks in two speeches",
                              caption="Dense frequency rank of each term in A and in B (1 = most frequent); colour: "
                                      "Log Ratio A over B; labels: significant terms first, then the most frequent.")
else:
    display_value = None
display_value

# %% [markdown]
# ## The explorer
#
# Pick speeches or the study's groups (`group:…`), themes or a term set (terms separated by
# spaces, one heatmap column each) and a share; rows are the outline sections of the speeches
# picked, or one row per speech or group. The heatmap (theme shares in %), the talent–grassroots
# bars and the shift chart (the first two speeches or groups picked, or the two top-level sections
# of one speech richest in talent and in grassroots, with a 95 % bootstrap interval) follow.
# A click on a heatmap cell, a bar or a theme button lists its keyword-in-context lines with their
# outline paths; `whole token` marks a hit the segmenter made one word. Reference profiles hold
# counts, no text: for them the explorer says why it shows no lines. *Export chart* writes the
# chosen chart and its table to the figures folder, like every chart of the workbook.
#
# The widgets need a running JupyterLab (they show as text in a static copy); the picture after
# them is the heatmap the explorer opens with.

# %% tags=["nbval-ignore-output"]
explorer = explore(fs, workbook=wb, selection=[DOCUMENT])
explorer

# %%
wb.export(explorer.figures["heatmap"], "explorer_heatmap", data=explorer.data("heatmap"),
          title="Theme shares by section of the speech in focus (explorer)",
          caption=f"Share of each theme in each top-level section (share_{explorer.share}), as the explorer opens; "
                  "in JupyterLab a click on a cell lists its lines.")
