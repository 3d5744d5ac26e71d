"""Tests for analysis.stats.relay: planted passages, earliest attribution, shares, formula mode, left-out points.

The hand-written tests use short texts written for them. The ``shared`` tests read the
80 reference speeches at run time, plant sentences of them (with edits) into a local
speech written here, and check what echo finds; nothing read from ``../shared`` is
written anywhere.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from analysis.chars import HAN_RE
from analysis.features import FeatureSet
from analysis.paths import shared_dir
from analysis.stats import relay as R

# ---------------------------------------------------------------- hand-written texts

NAT = ("同志们：\n一、关于干部工作\n"
       "要坚持新时代好干部标准，大力选拔敢于担当、善于作为的优秀年轻干部。"
       "要完善干部考核评价体系，推动能上能下常态化制度化。\n"
       "二、关于基层组织\n"
       "要持续整顿软弱涣散基层党组织，全面提升村级班子领导乡村振兴的能力。\n")
PROV = ("一、干部\n"
        "要坚持新时代好干部标准，大力选拔敢于担当、善于作为的优秀年轻干部。"
        "全省各级党委要把人才工作摆上更加突出的位置，加快建设人才集聚高地。\n")
CITY = ("一、人才\n"
        "全市要深化人才发展体制机制改革，为各类人才松绑减负，营造近悦远来的良好环境。\n")
# Own sentences of the district speech (nothing relayed), then three planted ones with edits.
OWN = [
    "过去一年，全区新建人才公寓两百套，引进急需紧缺人才一百二十名。",
    "××街道探索网格员与楼栋长联动的做法，群众满意度明显提升。",
    "今年区委组织部要牵头办好三件实事，年底前向区委常委会专题汇报。",
    "各镇街党（工）委书记要亲自研究本地人才工作，每季度至少走访一次重点企业。",
]
PLANTED = [  # (text in the local speech, expected source)
    ("要坚持新时代好干部标准，大力选拔敢于担当、善于作为的年轻干部。", "nat"),          # deletion
    ("要持续整顿软弱涣散的基层党组织，全面提升村级班子领导乡村振兴能力。", "nat"),      # insertion + deletion
    ("全区要深化人才发展体制机制改革，为各类人才松绑减负，营造近悦远来的良好生态。", "city"),  # substitutions
]
LOCAL = ("同志们：\n一、抓班子带队伍\n" + OWN[0] + PLANTED[0][0] + OWN[1] + "\n二、抓基层强基础\n"
         + PLANTED[1][0] + OWN[2] + "\n三、抓人才促发展\n" + PLANTED[2][0] + OWN[3] + "\n")
DOCS = pd.DataFrame({
    "id": ["local", "prov", "nat", "city"],
    "text": [LOCAL, PROV, NAT, CITY],
    "date": ["2023-03-01", "2022-12-20", "2022-06-30", "2023-01"],
    "level": ["district", "provincial", "national", "city"],
})


def _covers(passages: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Passages covering at least 80% of the Han characters of text[start:end]."""
    rows = []
    for row in passages.itertuples(index=False):
        lo, hi = max(start, row.start), min(end, row.end)
        if hi > lo and len(HAN_RE.findall(LOCAL[lo:hi])) >= 0.8 * len(HAN_RE.findall(LOCAL[start:end])):
            rows.append(row)
    return pd.DataFrame(rows)


def test_planted_passages_found_and_attributed_to_earliest():
    passages = R.echo(DOCS, "local")
    for text, source in PLANTED:
        start = LOCAL.index(text)
        hit = _covers(passages, start, start + len(text))
        assert len(hit) == 1, (text, passages)
        assert hit["source"].iloc[0] == source
    first = _covers(passages, LOCAL.index(PLANTED[0][0]), LOCAL.index(PLANTED[0][0]) + len(PLANTED[0][0]))
    # the provincial speech holds the sentence too, later: listed, not named
    assert first["also"].iloc[0] == "prov (2022-12-20)" and first["sources"].iloc[0] == 2
    assert first["lag_days"].iloc[0] == (pd.Timestamp("2023-03-01") - pd.Timestamp("2022-06-30")).days
    assert first["source_level"].iloc[0] == "national"


def test_own_sentences_never_attributed():
    passages = R.echo(DOCS, "local")
    for own in OWN:
        start = LOCAL.index(own)
        end = start + len(own)
        overlap = passages[(passages["start"] < end) & (passages["end"] > start)]
        assert overlap.empty, (own, overlap)


def test_passage_text_is_the_speech_own_text_with_outline():
    passages = R.echo(DOCS, "local")
    for row in passages.itertuples(index=False):
        assert row.text == LOCAL[row.start:row.end]
        assert row.han_chars == len(HAN_RE.findall(row.text))
        assert 85 <= row.similarity <= 100
    assert passages["section"].tolist() == ["一", "二", "三"]
    assert (passages["mode"] == "passage").all()
    assert list(passages.columns) == R.ECHO_COLUMNS


def test_similarity_is_rapidfuzz_indel_on_han():
    """The similarity of an edited sentence equals an independent Indel distance computed by hand (DP)."""
    passages = R.echo(DOCS, "local")
    row = passages.iloc[0]
    a = "".join(HAN_RE.findall(row.text))
    b = "".join(HAN_RE.findall(NAT[row.source_start:row.source_end]))
    # Indel distance by dynamic programming (insertions and deletions only) = |a| + |b| − 2·LCS
    lcs = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            lcs[i, j] = lcs[i - 1, j - 1] + 1 if a[i - 1] == b[j - 1] else max(lcs[i - 1, j], lcs[i, j - 1])
    expected = 100 * (1 - (len(a) + len(b) - 2 * lcs[-1, -1]) / (len(a) + len(b)))
    assert row["similarity"] == pytest.approx(expected, abs=0.06)


def test_before_only_drops_later_sources():
    passages = R.echo(DOCS.assign(date=["2022-07-01", "2022-12-20", "2022-06-30", "2023-01"]), "local",
                      before_only=True)
    assert set(passages["source"]) == {"nat"}


def test_relay_shares_add_up():
    passages = R.echo(DOCS, "local")
    shares = R.relay_shares(passages, DOCS, "local")
    allrows = shares[shares["source_level"] == "all"]
    assert allrows["relayed_han"].sum() == passages["han_chars"].sum()
    per_level = shares[shares["source_level"] != "all"].groupby("section")["relayed_han"].sum()
    assert (per_level.reindex(allrows["section"]).to_numpy() == allrows["relayed_han"].to_numpy()).all()
    three = shares[(shares["section"] == "三") & (shares["source_level"] == "city")].iloc[0]
    assert three["share_relayed"] == pytest.approx(three["relayed_han"] / three["han_chars"])
    assert three["relayed_han"] > 0


def test_unknown_speech_is_named():
    with pytest.raises(KeyError, match="nobody"):
        R.echo(DOCS, "nobody")


def test_sentence_spans_cover_sentences():
    text = "同志们：\n一、抓基层\n要强基。要固本！\n"
    assert [text[s:e] for s, e in R.sentence_spans(text)] == ["同志们：", "一、抓基层", "要强基。", "要固本！"]


# ---------------------------------------------------------------- formula mode and left-out points

def _fs():
    tokens = pd.DataFrame({
        "document": ["c1", "c1", "c2", "c2", "c2", "d", "d", "d", "d"],
        "path": ["一", "二", "一", "一", "二", "一", "一", "二", "二"],
        "token": ["两个确立", "四个意识", "两个确立", "基层治理新格局", "人才", "两个确立", "基层治理新格局", "四个意识", "人才"],
        "kind": "word",
    })
    docs = pd.DataFrame({"id": ["c1", "c2", "d"], "date": ["2021-11-11", "2022-10-16", "2023-03-01"],
                         "level": ["national", "national", "district"]})
    return FeatureSet.from_tables(docs, tokens)


def test_formula_relay_names_earliest_source_and_lag():
    table = R.formula_relay(_fs(), "d", terms=["两个确立", "四个意识"], rare=1)
    got = table[["path", "term", "term_type", "source", "lag_days", "sources"]].values.tolist()
    assert got == [
        ["一", "两个确立", "formula", "c1", (pd.Timestamp("2023-03-01") - pd.Timestamp("2021-11-11")).days, 2],
        ["一", "基层治理新格局", "rare_term", "c2", (pd.Timestamp("2023-03-01") - pd.Timestamp("2022-10-16")).days, 1],
        ["二", "四个意识", "formula", "c1", (pd.Timestamp("2023-03-01") - pd.Timestamp("2021-11-11")).days, 1],
    ]
    assert (table["mode"] == "formula").all()
    assert table.loc[0, "also"] == "c2 (2022-10-16)"


def test_formula_relay_before_only():
    fs = _fs()
    table = R.formula_relay(fs, "c1", terms=["两个确立", "四个意识"], rare=0)
    assert table.empty  # c1 is the earliest: nothing before it


def test_left_out_points_and_formulas():
    table = R.left_out(_fs(), "c2", "c1", terms=["两个确立", "四个意识"], themes=False)
    points = table[table["item_type"] == "point"].set_index("path")["taken_up"].to_dict()
    assert points == {"一": True, "二": False}
    formulas = table[table["item_type"] == "formula"][["item", "taken_up", "local_paths"]].values.tolist()
    assert formulas == [["两个确立", True, "一"]]



def test_left_out_on_full_texts_with_compact_counts():
    """Full texts give categorical count tables; a point without formulas is taken up when the local
    speech uses at least half of its five most frequent content words (worked by hand below)."""
    from analysis.features import build_features

    docs = pd.DataFrame({"id": ["h", "l"], "date": ["2022-01-01", "2023-01-01"], "text": [
        "一、干部\n干部要担当，干部要作为，干部要学习。\n二、乡村\n乡村振兴要推进，乡村产业要发展。\n",
        "一、队伍\n干部要担当，干部要学习。\n"]})
    fs = build_features(docs, progress=False, cache=False)
    assert isinstance(fs.term_counts["token"].dtype, pd.CategoricalDtype)
    table = R.left_out(fs, "h", "l", terms=["两个确立"], themes=False)
    # 一: 干部, 担当, 作为, 学习 (three of four in l): taken up; 二: its words (乡村, 推进, 产业 …): none in l
    assert table.set_index("path")["taken_up"].to_dict() == {"一": True, "二": False}


# ---------------------------------------------------------------- planted sentences of the shared speeches

# Own sentences of a district speech written for this test (no relay in them).
OWN_SHARED = [
    "同志们：",
    "今天召开全区组织工作会议，主要任务是总结去年工作，部署今年任务。",
    "过去一年，全区新建人才公寓两百套，引进急需紧缺人才一百二十名。",
    "××街道探索网格员与楼栋长联动的做法，群众满意度明显提升。",
    "今年区委组织部要牵头办好三件实事，年底前向区委常委会专题汇报。",
    "各镇街党（工）委书记要亲自研究本地人才工作，每季度至少走访一次重点企业。",
    "区里将拿出专项资金，支持村集体经济薄弱村发展特色种养和乡村旅游。",
    "老旧小区加装电梯的事，牵涉千家万户，社区党组织要带头把群众的意见收集上来。",
    "××镇去年把闲置校舍改成了人才驿站，今年要在全区推广这个做法。",
    "年轻干部到信访窗口、征迁一线轮岗，每人至少蹲点三个月。",
    "区委党校今年秋季主体班要增设数字经济专题，请区里几家重点企业负责人来授课。",
    "散会以后，各单位要把会议精神带回去，一周内报送贯彻落实情况。",
]


def _edit(sentence: str, kind: int, rng: random.Random) -> str:
    """Apply an edit to a sentence: 0 none, 1 insertion, 2 deletion, 3 substitution, 4 insertion + substitution."""
    chars = list(sentence)
    han = [i for i, c in enumerate(chars) if HAN_RE.match(c)]
    if kind in (1, 4):
        i = han[rng.randrange(2, len(han) - 2)]
        chars[i:i] = list("切实")
    if kind == 2:
        i = han[rng.randrange(2, len(han) - 3)]
        del chars[i:i + 2]
    if kind in (3, 4):
        han = [i for i, c in enumerate(chars) if HAN_RE.match(c)]
        i = han[rng.randrange(2, len(han) - 2)]
        chars[i] = "好" if chars[i] != "好" else "强"
    return "".join(chars)


def _han(text: str) -> str:
    return "".join(HAN_RE.findall(text))


@pytest.mark.shared
def test_planted_shared_sentences_found_and_attributed():
    path = shared_dir() / "corpora" / "speeches.jsonl"
    if not path.is_file():
        pytest.skip("../shared/corpora/speeches.jsonl is not here")
    from analysis.io.corpus import load_corpus

    speeches = load_corpus([path])
    dates = R.document_dates(speeches)
    rng = random.Random(26)
    dated = [i for i in speeches["id"].astype(str) if pd.notna(dates[i])]
    texts = dict(zip(speeches["id"].astype(str), speeches["text"]))
    hans = {i: _han(t) for i, t in texts.items()}
    planted = []
    for k, doc in enumerate(rng.sample(dated, 40)):
        spans = [(s, e) for s, e in R.sentence_spans(texts[doc]) if 20 <= len(_han(texts[doc][s:e])) <= 70
                 and "〔" not in texts[doc][s:e]]
        if not spans:
            continue
        s, e = spans[rng.randrange(len(spans))]
        original = texts[doc][s:e].strip()
        # independent expectation: the earliest dated speech whose Han characters hold the original sentence
        holders = [i for i in dated if _han(original) in hans[i]]
        expected = min(holders, key=lambda i: (dates[i], i))
        planted.append((_edit(original, k % 5, rng), expected))
    assert len(planted) >= 30
    pieces, spans = [], []
    offset = 0
    for k, own in enumerate(OWN_SHARED):
        pieces.append(own + "\n")
        offset += len(own) + 1
        for text, expected in planted[k * 3:(k + 1) * 3]:
            spans.append((offset, offset + len(text), expected))
            pieces.append(text + "\n")
            offset += len(text) + 1
    local = "".join(pieces)
    docs = pd.concat([pd.DataFrame({"id": ["local"], "text": [local], "date": ["2024-06-01"],
                                    "level": ["district"]}), speeches[["id", "text", "date", "level", "kind"]]],
                     ignore_index=True)
    passages = R.echo(docs, "local")
    found = attributed = 0
    for start, end, expected in spans:
        hit = passages[(passages["start"] < end) & (passages["end"] > start)]
        covered = sum(min(end, r.end) - max(start, r.start) for r in hit.itertuples())
        if len(hit) and covered >= 0.8 * (end - start):
            found += 1
            attributed += int(hit["source"].iloc[0] == expected)
    assert found >= 0.95 * len(spans), (found, len(spans))
    assert attributed >= 0.95 * len(spans), (attributed, len(spans))
    for own in OWN_SHARED:
        start = local.index(own)
        overlap = passages[(passages["start"] < start + len(own)) & (passages["end"] > start)]
        assert overlap.empty, (own, overlap[["source", "similarity"]])


def test_formula_shares_equal_a_plain_count_per_section_and_level():
    """Random relay tables: each row counts the distinct terms and occurrences of its section (and level), zeros kept."""
    import random

    from analysis.stats.relay import formula_shares

    rng = random.Random(5)
    for _ in range(20):
        n = rng.randint(1, 40)
        table = pd.DataFrame({"document": "d", "section": [rng.choice(["一", "二", "三", "preamble"]) for _ in range(n)],
                              "term": [rng.choice("甲乙丙丁") for _ in range(n)],
                              "occurrences": [rng.randint(1, 5) for _ in range(n)],
                              "source_level": [rng.choice(["national", "city"]) for _ in range(n)], "mode": "formula"})
        got = formula_shares(table)
        levels = sorted(set(table["source_level"]))
        expected = []
        for section in dict.fromkeys(table["section"]):
            for level in ["all", *levels]:
                rows = [r for r in table.itertuples() if r.section == section and level in ("all", r.source_level)]
                expected.append((section, level, len({r.term for r in rows}), sum(r.occurrences for r in rows)))
        assert list(zip(got["section"], got["source_level"], got["terms_taken_up"], got["occurrences"])) == expected


def _attribute_by_scan(found, dates):
    """The attribution as first written: each span joins the first kept span holding it, found by a scan."""
    by_span = {}
    for row in found:
        by_span.setdefault((row[0], row[1]), []).append(row)
    merged = {}
    for span in sorted(by_span, key=lambda se: (se[0], -(se[1] - se[0]))):
        home = next((k for k in merged if k[0] <= span[0] and span[1] <= k[1]), None)
        merged.setdefault(home or span, []).extend(by_span[span])
    far = pd.Timestamp.max

    def when(row):
        date = dates.get(row[3], pd.NaT)
        return (date if pd.notna(date) else far, -row[4], row[3])

    out = []
    for (start, end), rows in sorted(merged.items()):
        whole = sorted((r for r in rows if r[1] - r[0] >= 0.8 * (end - start)), key=when)
        part = sorted((r for r in rows if r[1] - r[0] < 0.8 * (end - start)), key=when)
        others = list(dict.fromkeys(r[3] for r in [*whole[1:], *part] if r[3] != whole[0][3]))
        out.append((start, end, *whole[0][2:7], others))
    return out


def test_nested_spans_join_the_first_span_holding_them_as_a_scan_finds_it():
    """_attribute finds the span holding a shorter one by bisecting (a scan was quadratic: a speech at the
    size cap ran for over 20 minutes here); the rows equal those of the scan on random nested spans."""
    import random

    from analysis.stats import relay

    rng = random.Random(7)
    dates = pd.Series({f"s{i}": pd.Timestamp(2000 + i, 1, 1) for i in range(4)})
    for _ in range(200):
        found = []
        for _ in range(rng.randint(1, 40)):
            start = rng.randint(0, 60)
            end = start + rng.randint(1, 25)
            found.append((start, end, end - start, f"s{rng.randint(0, 3)}", float(rng.randint(85, 100)), 0, 1))
        assert relay._attribute(found, dates) == _attribute_by_scan(found, dates)
