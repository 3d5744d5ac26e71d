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
# # 06 · Trends: talent, grassroots and the formulas (提法) over seventy years
#
# When did a formula appear, how fast did it spread, when did it fade; how did talent
# (人才) and the grassroots (基层) rise or fall in official language; and where does the
# speech in focus sit in that history?
#
# The reference corpora are the government work reports 1954–2025 (52 reports and 20 NPC
# resolutions on them), the Party congress reports (12th–20th in full) and 80 speeches
# 1943–2025. This notebook reads them through one call, `reference_features`: by default
# from the reference profiles shipped in `corpus/profiles/` (counts, no text), so it runs
# on a fresh clone without `../shared`; `SOURCE = "texts"` reads the full texts from
# `../shared/corpora` instead (same counts). It prints counts, years, ids and titles only,
# never their text.
#
# What is counted (see the glossary):
# - `occurrences`: every occurrence of a term, inside longer words too (人才 inside
#   人才强国战略);
# - `tokens`: the term as a whole word;
# - `theme_hits`: hits of a theme's terms (the talent theme counts 人才, 引才, 领军人才 …).
#
# Rates are per 10,000 Han characters of the period's documents (`per_10k_han`).
# A year without a document is a gap in every chart, never a zero and never
# interpolated; a year with documents and no hit is a zero. Reports and NPC
# resolutions are separate series.

# %% tags=["parameters"]
NOTEBOOK = "06_trends"
STUDY = None  # a study file (YAML); None: $ANALYSIS_STUDY, else the corpus folder's study.yaml, else one made from the corpus folder
CORPUS = None  # folder of the speeches studied; None: the study's, else corpus/
DOCUMENT = None  # the speech placed in the history; None: $ANALYSIS_DOCUMENT, else the study's first in focus
FIGURES = None  # output folder for the charts; None: $ANALYSIS_FIGURES_DIR, else figures/
COLLECTIONS = ["gov-work-reports", "cpc-congress-reports", "speeches"]  # reference collections to read
SOURCE = "profiles"  # profiles (shipped counts, no ../shared needed) | texts (full texts in ../shared/corpora)
TERMS = ["人才", "基层"]  # terms tracked as occurrences
THEMES = ["talent", "grassroots"]  # themes tracked as theme hits
XI_FORMULAS = ["新时代", "全面从严治党", "四个意识", "四个自信", "两个维护", "两个确立", "不忘初心", "乡村振兴",
               "高质量发展", "新发展理念"]  # formulas of the Xi era
EARLY_FORMULAS = ["阶级斗争", "无产阶级专政", "四个现代化", "以经济建设为中心", "改革开放", "精神文明", "市场经济",
                  "三个代表", "科学发展观", "小康社会", "和谐社会"]  # formulas of earlier eras
RATE = "per_10k_han"  # per_10k_han | per_10k_tokens | per_10k_content_tokens
FIRST_CONGRESS = 12  # congress reports tracked from this congress (the 12th–20th are full political reports)
SLOPE_START = (1978, 1992)  # the two spans of the rank-change chart (inclusive years)
SLOPE_END = (2013, 2025)
XI_FROM = 2000  # first year drawn in the Xi-era adoption chart

# %%
from analysis.notebook import workbook
from analysis.output.findings import appearance_findings
from analysis.plots.trends import plot_rank_change, plot_trend_heatmap, plot_trends
from analysis.speeches import corpus_features, reference_features
from analysis.stats.summaries import position_in_history
from analysis.stats.meta import collection_summary
from analysis.stats.track import formula_summary, rank_by_period, rank_change, track

wb = workbook(NOTEBOOK, study=STUDY, corpus=CORPUS, figures=FIGURES, document=DOCUMENT)
wb.describe()

# %% [markdown]
# ## The reference corpora
#
# One row per collection and kind: how many documents, which years, how many Han
# characters. Every document has an integer `year` (a report's own year, a congress's
# opening year, an NPC resolution's session year, a speech's date).

# %%
reference = reference_features(collections=COLLECTIONS, source=SOURCE, settings=wb.settings, progress=False)
docs = reference.documents
wb.show(collection_summary(docs))

# %% [markdown]
# ## Talent and grassroots in the government work reports, 1954–2025
#
# The terms 人才 and 基层 (occurrences) and the talent and grassroots themes (theme
# hits), per 10,000 Han characters of each year's report. The table shows the reports;
# the chart draws them with a gap for every year without a report (1961–63, 1965–74,
# 1976–77, 1989–91, 1996, 2020).

# %%
gov = reference.select(docs.loc[docs["collection"] == "gov-work-reports", "id"])
gov_track = track(gov, terms=TERMS, themes=THEMES)
reports = gov_track[gov_track["kind"] == "report"]
wb.show(reports[["year", "item", "rate_of", "occurrences", "theme_hits", RATE, "han_chars"]], max_rows=20)

# %%
gov_chart = plot_trends(reports, rate=RATE, title="Talent and grassroots in the government work reports (per 10,000 Han characters)")
wb.export(
    gov_chart, "reports_talent_grassroots", data=reports,
    title="Talent and grassroots in the government work reports, 1954–2025",
    caption="Occurrences of 人才 and 基层 and hits of the talent and grassroots themes per 10,000 Han characters "
            "of each year's report; gaps are years without a report.",
    documents=gov.documents.loc[gov.documents["kind"] == "report", "id"].tolist(),
)

# %% [markdown]
# ## The congress reports, 12th–20th congress

# %%
congress_ids = docs.loc[(docs["collection"] == "cpc-congress-reports") & (docs["congress"] >= FIRST_CONGRESS), "id"]
congress = reference.select(congress_ids)
congress_track = track(congress, terms=TERMS, themes=THEMES, by="congress")
wb.show(congress_track[["congress", "item", "rate_of", "occurrences", "theme_hits", RATE, "han_chars"]])

# %%
congress_chart = plot_trends(congress_track, rate=RATE, period="congress",
                             title="Talent and grassroots in the congress reports, 12th–20th (per 10,000 Han characters)")
wb.export(
    congress_chart, "congress_talent_grassroots", data=congress_track,
    title="Talent and grassroots in the congress reports, 12th–20th",
    caption="Occurrences of 人才 and 基层 and theme hits per 10,000 Han characters of each congress report.",
    documents=congress_ids.tolist(),
)

# %% [markdown]
# ## The speeches, by decade and kind
#
# The 80 speeches are few per year, so they are grouped by decade, one series per kind
# (organization work, party building, cadre training, other national speeches).
# `documents` and `han_chars` say how much text stands behind each rate.

# %%
speeches = reference.select(docs.loc[docs["collection"] == "speeches", "id"])
speech_track = track(speeches, terms=TERMS, themes=THEMES, by="decade")
wb.show(speech_track[speech_track["item"].isin(THEMES)][
    ["decade", "kind", "item", "theme_hits", RATE, "documents", "han_chars"]])

# %%
speech_chart = plot_trends(speech_track, rate=RATE, period="decade",
                           title="Talent and grassroots in the speeches, by decade and kind (per 10,000 Han characters)")
wb.export(
    speech_chart, "speeches_talent_grassroots", data=speech_track,
    title="Talent and grassroots in the speeches, by decade and kind",
    caption="Occurrences and theme hits per 10,000 Han characters of the decade's speeches of each kind; "
            "gaps are decades without a speech of that kind.",
    documents=speeches.documents["id"].tolist(),
)

# %% [markdown]
# ## Formulas: when they appeared, peaked and faded
#
# Every formula is a dictionary entry, so it is counted wherever it stands, inside
# longer formulas too. `first` and `last` are the first and last report years with an
# occurrence; `peak` the year of the highest rate; `appearance_order` ranks the formulas
# by their first year (formulas first seen in the same year share a place).

# %%
FORMULAS = XI_FORMULAS + EARLY_FORMULAS
formula_track = track(gov, terms=FORMULAS)
report_formulas = formula_track[formula_track["kind"] == "report"]
report_summary = formula_summary(report_formulas, rate=RATE)
wb.show(report_summary)

# %%
wb.findings(appearance_findings(report_summary, collection="the government work reports"), figure="formulas_heatmap")

# %% [markdown]
# The same formulas in the congress reports and the speeches together (pooled by year):

# %%
others = reference.select(docs.loc[docs["collection"] != "gov-work-reports", "id"])
wb.show(formula_summary(track(others, terms=FORMULAS, pool=True), rate=RATE))

# %% [markdown]
# ### Adoption curves of the Xi-era formulas in the reports

# %%
xi_reports = report_formulas[report_formulas["item"].isin(XI_FORMULAS) & (report_formulas["year"] >= XI_FROM)]
wb.show(xi_reports[["year", "item", "occurrences", RATE]], max_rows=20)

# %%
xi_chart = plot_trends(xi_reports, rate=RATE, columns=5, height=620,
                       title=f"Xi-era formulas in the government work reports since {XI_FROM} (per 10,000 Han characters)")
wb.export(
    xi_chart, "formulas_xi_era", data=xi_reports,
    title="Adoption of Xi-era formulas in the government work reports",
    caption="Occurrences per 10,000 Han characters of each year's report; gaps are years without a report.",
    documents=gov.documents.loc[gov.documents["kind"] == "report", "id"].tolist(),
)

# %% [markdown]
# ### All the formulas, year by year
#
# Grey columns are years without a report (the palest blue is 0).

# %%
heat = plot_trend_heatmap(report_formulas, rate=RATE, title="Formulas in the government work reports (per 10,000 Han characters)")
wb.export(
    heat, "formulas_heatmap", data=report_formulas,
    title="Formulas in the government work reports, 1954–2025",
    caption="Occurrences per 10,000 Han characters; grey columns are years without a report.",
    documents=gov.documents.loc[gov.documents["kind"] == "report", "id"].tolist(),
)

# %% [markdown]
# ### Rank change between two eras
#
# Each span's reports pooled (occurrences over their Han characters), the formulas ranked
# by that rate; a formula with no occurrence in a span has no rank there.

# %%
change = rank_change(report_formulas, SLOPE_START, SLOPE_END, rate=RATE)
wb.show(change)

# %%
slope = plot_rank_change(change, title=f"Rank of formulas in the reports, {SLOPE_START[0]}–{SLOPE_START[1]} "
                                        f"against {SLOPE_END[0]}–{SLOPE_END[1]}")
wb.export(
    slope, "formulas_rank_change", data=change,
    title="Rank change of formulas between two eras of government work reports",
    caption="Rank by occurrences per 10,000 Han characters of the pooled reports of each span; "
            "1 = most frequent among the tracked formulas.",
    documents=gov.documents.loc[gov.documents["kind"] == "report", "id"].tolist(),
)

# %% [markdown]
# Rank of each formula among the tracked ones in the last five report years, with the
# places gained since the previous report:

# %%
ranks = rank_by_period(report_formulas, rate=RATE)
wb.show(ranks[ranks["year"] >= 2021])

# %% [markdown]
# ## The speech in focus in that history
#
# The speech in focus tracked the same way, and where its rate of each item sits among
# the 80 reference speeches (each speech's own rate; percentile by mean rank, given only
# when at least 5 speeches have a rate). The corpus is read as counts, as the profiles were
# built (the counts notebook 05 keeps, read back from the cache; no token table), so a speech at
# the size cap fits in memory.

# %%
counted = corpus_features(corpus=wb.corpus, references=[], settings=wb.settings, counts_only=True)
ids = counted.documents["id"].astype(str)
DOCUMENT = wb.document if wb.document in set(ids) else ids.iloc[0]
ITEMS = TERMS + ["乡村振兴", "全面从严治党", "两个确立", "两个维护"]
own = track(counted.select([DOCUMENT]), terms=ITEMS, themes=THEMES, by="id")
per_speech = track(speeches, terms=ITEMS, themes=THEMES, by="id")
wb.show(position_in_history(per_speech, own, value=RATE),
        caption=f"{DOCUMENT} among the reference speeches ({RATE}: occurrences for terms, theme hits for themes)")

# %% [markdown]
# ## Reading these curves
#
# Each report year is one document, so one long passage moves a year's rate; the
# speeches are few per decade (see `documents`), and their early decades rest on one or
# two texts. A single early occurrence of a formula before it was coined may be the
# same words used generically, or a segmentation artefact: check it with KWIC on the
# full texts (`python -m analysis kwic`) before calling it the formula's first
# appearance. The first and last years above are read off the tables, never typed in.
