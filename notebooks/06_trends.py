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
# seed speech sit in that history?
#
# The reference corpora are the government work reports 1954–2025 (52 reports and 20 NPC
# resolutions on them), the Party congress reports (12th–20th in full) and 80 speeches
# 1943–2025 (`speeches.jsonl`). This notebook reads them through one call,
# `reference_features`: by default from the reference profiles shipped in
# `corpus/profiles/` (counts, no text), so it runs on a fresh clone without `../shared`;
# `SOURCE = "texts"` reads the full texts from `../shared/corpora` instead (same counts). It
# prints counts, years, ids and titles only, never their text.
#
# What is counted (see the README's glossary):
# - `occurrences`: every occurrence of a term, inside longer words too (人才 inside
#   人才强国战略), derived from each document's term-count table;
# - `tokens`: the term as a whole word;
# - `theme_hits`: hits of a theme's terms (the talent theme counts 人才, 引才, 领军人才 …).
#
# Rates are per 10,000 Han characters of the period's documents (`per_10k_han`).
# A year without a document is a gap in every chart, never a zero and never
# interpolated; a year with documents and no hit is a zero. Reports and NPC
# resolutions are separate series.

# %% tags=["parameters"]
NOTEBOOK = "06_trends"
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
import pandas as pd

from analysis import paths
from analysis.features import build_features
from analysis.io.corpus import load_corpus, select_document
from analysis.output.export import export_figure
from analysis.plots.trends import plot_rank_change, plot_trend_heatmap, plot_trends
from analysis.settings import Settings
from analysis.stats.track import formula_summary, rank_by_period, rank_change, reference_features, track

pd.set_option("display.max_colwidth", 50)
pd.set_option("display.width", 200)
pd.set_option("display.max_rows", 120)
settings = Settings()
{k: v for k, v in settings.describe().items() if k in ("segmenter", "segmenter_version", "hmm", "dictionary", "themes")}

# %% [markdown]
# ## The reference corpora
#
# One row per collection and kind: how many documents, which years, how many Han
# characters. Every document has an integer `year` (a report's own year, a congress's
# opening year, an NPC resolution's session year, a speech's date).

# %%
reference = reference_features(collections=COLLECTIONS, source=SOURCE, settings=settings, progress=False)
docs = reference.documents
docs.groupby(["collection", "kind"], sort=False).agg(
    documents=("id", "size"), first_year=("year", "min"), last_year=("year", "max"), han_chars=("han_chars", "sum"),
).reset_index()

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
reports.pivot_table(index="year", columns="item", values=RATE, sort=False)

# %% [markdown]
# By decade (the mean of the yearly rates; each report counts once):

# %%
reports.assign(decade=reports["year"] // 10 * 10).pivot_table(
    index="decade", columns="item", values=RATE, aggfunc="mean", sort=False).round(2)

# %%
gov_chart = plot_trends(reports, rate=RATE, title="Talent and grassroots in the government work reports (per 10,000 Han characters)")
export_figure(
    gov_chart, "reports_talent_grassroots", notebook=NOTEBOOK, data=reports,
    title="Talent and grassroots in the government work reports, 1954–2025",
    caption="Occurrences of 人才 and 基层 and hits of the talent and grassroots themes per 10,000 Han characters "
            "of each year's report; gaps are years without a report.",
    documents=gov.documents.loc[gov.documents["kind"] == "report", "id"].tolist(),
    settings=settings,
)

# %% [markdown]
# ## The congress reports, 12th–20th congress

# %%
congress_ids = docs.loc[(docs["collection"] == "cpc-congress-reports") & (docs["congress"] >= FIRST_CONGRESS), "id"]
congress = reference.select(congress_ids)
congress_track = track(congress, terms=TERMS, themes=THEMES, by="congress")
congress_track.pivot_table(index="congress", columns="item", values=RATE, sort=False)

# %%
congress_chart = plot_trends(congress_track, rate=RATE, period="congress",
                             title="Talent and grassroots in the congress reports, 12th–20th (per 10,000 Han characters)")
export_figure(
    congress_chart, "congress_talent_grassroots", notebook=NOTEBOOK, data=congress_track,
    title="Talent and grassroots in the congress reports, 12th–20th",
    caption="Occurrences of 人才 and 基层 and theme hits per 10,000 Han characters of each congress report.",
    documents=congress_ids.tolist(), settings=settings,
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
speech_track[speech_track["item"].isin(THEMES)][
    ["decade", "kind", "item", "theme_hits", RATE, "documents", "han_chars"]]

# %%
speech_chart = plot_trends(speech_track, rate=RATE, period="decade",
                           title="Talent and grassroots in the speeches, by decade and kind (per 10,000 Han characters)")
export_figure(
    speech_chart, "speeches_talent_grassroots", notebook=NOTEBOOK, data=speech_track,
    title="Talent and grassroots in the speeches, by decade and kind",
    caption="Occurrences and theme hits per 10,000 Han characters of the decade's speeches of each kind; "
            "gaps are decades without a speech of that kind.",
    documents=speeches.documents["id"].tolist(), settings=settings,
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
formula_summary(report_formulas, rate=RATE)

# %% [markdown]
# The same formulas in the congress reports and the speeches together (pooled by year):

# %%
others = reference.select(docs.loc[docs["collection"] != "gov-work-reports", "id"])
formula_summary(track(others, terms=FORMULAS, pool=True), rate=RATE)

# %% [markdown]
# ### Adoption curves of the Xi-era formulas in the reports

# %%
xi_reports = report_formulas[report_formulas["item"].isin(XI_FORMULAS) & (report_formulas["year"] >= XI_FROM)]
xi_reports.pivot_table(index="year", columns="item", values="occurrences", aggfunc="sum", sort=False)

# %%
xi_chart = plot_trends(xi_reports, rate=RATE, columns=5, height=620,
                       title=f"Xi-era formulas in the government work reports since {XI_FROM} (per 10,000 Han characters)")
export_figure(
    xi_chart, "formulas_xi_era", notebook=NOTEBOOK, data=xi_reports,
    title="Adoption of Xi-era formulas in the government work reports",
    caption="Occurrences per 10,000 Han characters of each year's report; gaps are years without a report.",
    documents=gov.documents.loc[gov.documents["kind"] == "report", "id"].tolist(), settings=settings,
)

# %% [markdown]
# ### All the formulas, year by year
#
# Grey columns are years without a report (the palest blue is 0).

# %%
heat = plot_trend_heatmap(report_formulas, rate=RATE, title="Formulas in the government work reports (per 10,000 Han characters)")
export_figure(
    heat, "formulas_heatmap", notebook=NOTEBOOK, data=report_formulas,
    title="Formulas in the government work reports, 1954–2025",
    caption="Occurrences per 10,000 Han characters; grey columns are years without a report.",
    documents=gov.documents.loc[gov.documents["kind"] == "report", "id"].tolist(), settings=settings,
)

# %% [markdown]
# ### Rank change between two eras
#
# Each span's reports pooled (occurrences over their Han characters), the formulas ranked
# by that rate; a formula with no occurrence in a span has no rank there.

# %%
change = rank_change(report_formulas, SLOPE_START, SLOPE_END, rate=RATE)
change

# %%
slope = plot_rank_change(change, title=f"Rank of formulas in the reports, {SLOPE_START[0]}–{SLOPE_START[1]} "
                                        f"against {SLOPE_END[0]}–{SLOPE_END[1]}")
export_figure(
    slope, "formulas_rank_change", notebook=NOTEBOOK, data=change,
    title="Rank change of formulas between two eras of government work reports",
    caption="Rank by occurrences per 10,000 Han characters of the pooled reports of each span; "
            "1 = most frequent among the tracked formulas.",
    documents=gov.documents.loc[gov.documents["kind"] == "report", "id"].tolist(), settings=settings,
)

# %% [markdown]
# Rank of each formula among the tracked ones in the last five report years, with the
# places gained since the previous report:

# %%
ranks = rank_by_period(report_formulas, rate=RATE)
ranks[ranks["year"] >= 2021].pivot(index="item", columns="year", values="rank")

# %% [markdown]
# ## The seed speech in that history
#
# The seed (a 2023 district organization-work conference speech) tracked the same way,
# beside the 2023 government work report, the 20th congress report (2022), the
# organization-work speech of 2020 and the percentile of the seed's rate among the 80
# speeches (each speech's own rate).

# %%
seed_docs = select_document(load_corpus(paths.corpus_dir(), settings=settings), None, default="organization-work-speech")
seed = build_features(seed_docs, settings=settings, progress=False)
ITEMS = TERMS + ["乡村振兴", "全面从严治党", "两个确立", "两个维护"]
seed_track = track(seed, terms=ITEMS, themes=THEMES).set_index("item")
per_speech = track(speeches, terms=ITEMS, themes=THEMES, by="id")
org_work = track(speeches.select(docs.loc[(docs["collection"] == "speeches") & (docs["kind"] == "organization_work") & (docs["year"] >= 2020), "id"]),
                 terms=ITEMS, themes=THEMES, pool=True, by="decade").set_index("item")
reference_2023 = track(gov.select(docs.loc[(docs["collection"] == "gov-work-reports") & (docs["kind"] == "report") & (docs["year"] == 2023), "id"]),
                       terms=ITEMS, themes=THEMES, pool=True).set_index("item")
congress_20 = track(congress.select(congress.documents.loc[congress.documents["congress"] == 20, "id"]),
                    terms=ITEMS, themes=THEMES, by="congress").set_index("item")
pd.DataFrame({
    "seed": seed_track[RATE],
    "gov report 2023": reference_2023[RATE],
    "20th congress report": congress_20[RATE],
    "organization-work speech 2020": org_work[RATE],
    "speeches: median": per_speech.groupby("item", sort=False)[RATE].median(),
    "seed percentile among speeches": per_speech.assign(seed=per_speech["item"].map(seed_track[RATE]))
        .assign(below=lambda t: t[RATE] < t["seed"]).groupby("item", sort=False)["below"].mean().mul(100).round(0),
}).round(2)

# %% [markdown]
# ## What the notebook shows, and whether it holds
#
# Three trends, with the numbers above:
#
# 1. **Talent rises in the government work reports.** 人才 goes from 0.8 occurrences
#    per 10,000 Han characters (mean of the 1950s reports) to 5.1 in the 2000s and 7.9
#    in the 2020s, with peaks in 2001 (9.8), 2010 (10.6, the year of the national
#    medium- and long-term talent development plan) and 2024–2025 (12.9 and 15.2, when
#    education, science and technology, and talent are planned as one). 基层 rises more
#    slowly (0.5 → 5.0). A reader of the reports would expect this: the talent strategy
#    (人才强国战略, 2002–2003) and the 2010 plan are well-known milestones.
# 2. **The congress reports move from grassroots to talent.** Grassroots comes first from
#    the 12th congress (3.4 theme hits per 10,000 against 0.7 for talent) to the 19th
#    (8.1 against 6.7); in the 20th report talent leads (14.1 against 11.4). That is the
#    report that gives education, science and technology, and talent a chapter of their
#    own. The grassroots peak of the 17th and 18th reports (13.1 and 13.4) matches their
#    sections on grassroots democracy and grassroots Party organizations. Someone who knows
#    the reports will recognise both.
# 3. **Formulas arrive in the order of their political history.** In the reports,
#    阶级斗争 comes first (1955, peak 1964, last in 1986), then 无产阶级专政 (1957–1983) and
#    四个现代化 (1978–1988, peak 1979). 精神文明, 市场经济 and 以经济建设为中心 come in 1981,
#    改革开放 in 1988 (peak 1992), 小康社会 in 1998, 三个代表 in 2001, 科学发展观 in 2004, and
#    和谐社会 in 2005–2007. Of the Xi-era Party formulas, 全面从严治党 comes first (2015),
#    then 四个意识 and 不忘初心 (2017), 四个自信 and 乡村振兴 (2018), 两个维护 (2019) and
#    两个确立 (2022). This matches when each was coined (两个确立 at the 2021 Sixth Plenum,
#    so first in the 2022 report). The rank chart shows the turnover: of the top formulas
#    of 1978–1992 (精神文明, 四个现代化, 改革开放), only 改革开放 is still near the top in
#    2013–2025, behind 高质量发展. These curves should look right to someone who knows the
#    texts.
#
# What does not fit, and the caveats:
# - The Xi-era Party formulas stay rare in the government work reports (at most 0.65 per
#    10,000: one occurrence a year). They belong to Party documents. Even so, 两个确立 has no
#    occurrence at all in the congress reports or the speeches here. The 20th report states
#    the content without the formula, and the speeches in the file that date from after 2021
#    do not use it.
# - Single early occurrences (新时代 in 2011, 新发展理念 in 2013, both before the formula
#    was coined) are generic uses of the same words. Check such a hit with KWIC on the full
#    text before calling it the formula's first appearance.
# - Each report year is one document, so one long passage moves a year's rate. The
#    speeches are few per decade (see `documents`), and their early decades rest on one or
#    two texts. 共同富裕 (not tracked here) appears in the reports of the 1980s–90s: it is
#    an older formula that the Xi era revived.
# - The seed speech gives talent far more room than any national text. Its talent theme
#    reaches 102.7 hits per 10,000 Han characters, against 24.5 in the 2020 organization-work
#    speech and 14.1 in the 20th congress report. Its grassroots share (49.7) is close to
#    that speech's 38.0. This is what a district speech with a whole section on talent work
#    looks like next to national documents.
