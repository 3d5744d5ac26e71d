"""segment: tokens partition the text; formulas and dictionary entries stay whole; stopwords; jieba stays quiet."""

import json
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from analysis.paths import corpus_dir, project_root, shared_dir
from analysis.text.segment import (
    KINDS,
    LexiconError,
    find_formulas,
    load_dictionary,
    load_split_words,
    load_stopwords,
    make_tokenizer,
    tokenize,
)
from analysis.settings import Settings
from analysis.chars import REDACTION, sentence_spans

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")

#: Formulas and terms named in issue 5 (and docs/methods.md) that must be one token.
ISSUE_TERMS = [
    "两个确立", "两个维护", "四个意识", "四个自信", "十三个坚持", "三个区分开来", "不忘初心、牢记使命",
    "新时代党的组织路线", "新时代党的建设总要求", "全面从严治党", "党建引领基层治理", "抓党建促乡村振兴",
    "年轻干部", "软弱涣散", "领导班子", "选人用人", "党建引领", "基层治理", "乡村振兴", "枫桥经验",
    "千万工程", "新时代",
]

#: Seed passages where an entry's characters occur but the entry is not the word meant:
#: 用党的创新理论|武装全党, 把党|建设得, 机关党建|工作, 广大|党员. Each must still be
#: whole in the frames below.
SEED_FALSE_SUBSTRINGS = {"理论武装", "理论学习", "党建", "党建工作", "大党"}

FRAMES = ["我们要把{}放在重要位置。", "会上强调{}，大家一致同意。", "关于{}的问题"]


@pytest.fixture(scope="module")
def seg():
    return make_tokenizer()


@pytest.fixture(scope="module")
def dictionary():
    return load_dictionary()


def words(seg, text):
    return [text[s:e] for s, e, _ in seg.spans(text)]


# --- the partition -----------------------------------------------------------------

PIECES = [
    "两个", "确立", "十三个坚持", "三大", "攻坚战", "八项规定", "不忘初心", "、", "牢记使命", "“", "”", "‘", "’",
    "党建", "引领", "人才", "〓", "×", "××", "X", "XX", "*", "2023", "5.2%", "年", "GDP", "5G", "二〇三五", "十",
    "个", "大", "，", "。", "\n", " ", "\u3000", "\u200b", "𠀀", "々", "a", "．", "％", "１", "Ｘ",
]


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join) | st.text(max_size=40))
def test_tokens_partition_any_text(text):
    seg = make_tokenizer()
    table = tokenize(text, tokenizer=seg)
    assert "".join(table["token"]) == text
    if len(table):
        assert table["start"].tolist() == [0, *table["end"].tolist()[:-1]]
        assert table["end"].iloc[-1] == len(text)
    for row in table.itertuples(index=False):
        assert row.end > row.start and text[row.start:row.end] == row.token
        assert row.kind in KINDS


def test_seed_tokens_partition_and_columns(seg):
    table = tokenize(SEED, tokenizer=seg)
    assert list(table.columns) == ["start", "end", "token", "kind"]
    assert "".join(table["token"]) == SEED
    assert set(table["kind"]) <= set(KINDS)
    assert str(table["start"].dtype) == "int64"


# --- formulas and dictionary entries ----------------------------------------------------


@pytest.mark.parametrize("term", ISSUE_TERMS)
def test_issue_terms_are_one_token_alone_and_framed(seg, term):
    assert words(seg, term) == [term]
    for frame in FRAMES:
        assert term in words(seg, frame.format(term))


def test_issue_terms_are_one_token_wherever_they_stand_in_the_seed(seg):
    spans = {(s, e) for s, e, _ in seg.spans(SEED)}
    found = 0
    for term in ISSUE_TERMS:
        for m in re.finditer(re.escape(term), SEED):
            found += 1
            assert (m.start(), m.end()) in spans or _inside_longer_token(seg, SEED, m.start(), m.end()), term
    assert found >= 40
    assert "十三个坚持" in words(seg, SEED) and "三个区分开来" in words(seg, SEED)


def _inside_longer_token(seg, text, start, end):
    return any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in seg.spans(text))


def test_every_dictionary_entry_is_one_token_alone_and_in_frames(seg, dictionary):
    failures = []
    for term in dictionary["term"]:
        if words(seg, term) != [term]:
            failures.append((term, words(seg, term)))
        for frame in FRAMES:
            if term not in words(seg, frame.format(term)):
                failures.append((term, frame))
    assert failures == []
    assert len(dictionary) >= 300


def test_every_dictionary_entry_in_the_seed_is_whole_in_its_seed_sentences(seg, dictionary):
    """In each seed sentence holding an entry, the entry is one token or inside a longer one."""
    sentences = [SEED[s:e] for s, e in sentence_spans(SEED)]
    checked, failures = 0, []
    for term in dictionary["term"]:
        if term in SEED_FALSE_SUBSTRINGS:
            continue
        for sentence in (s for s in sentences if term in s):
            starts = {a for a, _, _ in seg.spans(sentence)}
            for m in re.finditer(re.escape(term), sentence):
                checked += 1
                if any(x in starts for x in range(m.start() + 1, m.end())):
                    failures.append((term, sentence))
    assert failures == []
    assert checked > 500


def test_split_words_are_cut(seg):
    for word in load_split_words():
        assert words(seg, word) != [word]
    assert words(seg, "引进人才") == ["引进", "人才"]


def test_punctuated_formulas_in_their_variants(seg):
    assert words(seg, "不忘初心、牢记使命") == ["不忘初心、牢记使命"]
    assert words(seg, "不忘初心，牢记使命") == ["不忘初心，牢记使命"]
    assert words(seg, "不忘初心牢记使命") == ["不忘初心牢记使命"]
    assert words(seg, "提高政治判断力、政治领悟力、政治执行力。")[1] == "政治判断力、政治领悟力、政治执行力"


def test_numbered_formulas_by_pattern(seg):
    # Not dictionary entries: found by numeral + 个/大/项 + head word.
    assert find_formulas("实行五个统筹，坚持三个有利于，经受四大考验")["formula"].tolist() == ["五个统筹", "三个有利于", "四大考验"]
    assert words(seg, "落实中央八项规定精神") == ["落实", "中央八项规定精神"]
    assert "第二个百年奋斗目标" in words(seg, "向第二个百年奋斗目标进军")
    # Ordinary phrases and congresses are left alone.
    assert find_formulas("这是一个伟大的时代").empty
    assert words(seg, "党的十九大战略部署") == ["党的十九大", "战略部署"]
    assert "二十大" in words(seg, "学习二十大报告")


def test_quoted_slogans(seg):
    assert words(seg, "把任务作为“试金石”“磨刀石”") == ["把", "任务", "作为", "“", "试金石", "”", "“", "磨刀石", "”"]
    table = find_formulas("做到“两个维护”，打通“最后一公里”，“我们的梦想”")
    assert table[["formula", "rule"]].values.tolist() == [["两个维护", "numbered"], ["最后一公里", "quoted"]]
    # A quoted span yields to a formula inside it; long quotations are not slogans.
    assert "两个确立" in words(seg, "“坚决拥护两个确立”")
    long_quote = "“这是一句很长很长很长很长的引语”"
    assert long_quote[1:-1] not in words(seg, long_quote)


def test_find_formulas_on_the_seed(seg):
    table = find_formulas(SEED, tokenizer=seg)
    assert list(table.columns) == ["start", "end", "formula", "rule"]
    found = set(table["formula"])
    assert {"十三个坚持", "两个确立", "两个维护", "三个区分开来", "千万工程", "枫桥经验"} <= found
    for row in table.itertuples(index=False):
        assert SEED[row.start:row.end] == row.formula


# --- kinds: redaction, numbers, latin -----------------------------------------------------


def test_redactions_are_never_terms(seg):
    table = tokenize(f"{REDACTION}同志，{REDACTION}{REDACTION}区", tokenizer=seg)
    assert table.loc[table["kind"] == "redaction", "token"].tolist() == [REDACTION] * 3
    raw = tokenize("××同志在XX区讲话，***工程", tokenizer=seg)
    assert raw.loc[raw["kind"] == "redaction", "token"].tolist() == ["××", "XX", "***"]
    assert "×" not in raw.loc[raw["kind"] == "word", "token"].tolist()
    assert tokenize("Xbox", tokenizer=seg)["kind"].tolist() == ["latin"]


def test_numbers_and_latin(seg):
    table = tokenize("2023年GDP增长5.2%，5G基站，到二〇三五年，（二）十四五", tokenizer=seg)
    pairs = dict(zip(table["token"], table["kind"]))
    assert pairs["2023"] == "number" and pairs["5.2%"] == "number" and pairs["GDP"] == "latin"
    assert pairs["5G"] == "latin" and pairs["二〇三五"] == "number" and pairs["二"] == "number"
    assert pairs["十四五"] == "word"


# --- stopwords ----------------------------------------------------------------------------------


def test_stopwords_for_this_register():
    stop = load_stopwords()
    assert {"要", "进一步", "切实", "不断", "的", "和"} <= stop
    assert not {"党", "人", "才", "民", "人才", "干部", "基层", "坚持"} & stop
    assert load_stopwords(Settings(use_stopwords=False)) == frozenset()


def test_stopword_file_is_editable(tmp_path):
    path = tmp_path / "stop.yaml"
    path.write_text("mine: [人才]\n", encoding="utf-8")
    assert load_stopwords(Settings(stopwords=path)) == frozenset({"人才"})
    path.write_text("mine: 人才\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="stop.yaml"):
        load_stopwords(Settings(stopwords=path))


# --- settings, caching, errors --------------------------------------------------------------------


def test_tokenizer_is_cached_per_fingerprint_and_hmm_is_recorded(seg):
    assert make_tokenizer() is seg
    assert seg.hmm is False
    with_hmm = make_tokenizer(Settings(hmm=True))
    assert with_hmm is not seg and with_hmm.hmm is True
    assert with_hmm.fingerprint != seg.fingerprint
    text = "坚持党建引领基层治理，做到两个维护。"
    assert "".join(tokenize(text, tokenizer=with_hmm)["token"]) == text
    assert "党建引领基层治理" in words(with_hmm, text)


def test_an_edited_dictionary_gives_a_new_tokenizer(tmp_path):
    path = tmp_path / "dictionary.yaml"
    original = Settings().dictionary.read_text(encoding="utf-8")
    path.write_text(original + "  - {term: 燕赵英才计划, category: programme, note: test}\n", encoding="utf-8")
    custom = make_tokenizer(Settings(dictionary=path))
    assert custom is not make_tokenizer()
    assert words(custom, "实施燕赵英才计划") == ["实施", "燕赵英才计划"]


def test_dictionary_errors_name_the_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(LexiconError, match="nope.yaml"):
        load_dictionary(Settings(dictionary=missing))
    dupes = tmp_path / "dupes.yaml"
    dupes.write_text("entries:\n  - {term: 人才, category: talent}\n  - {term: 人才, category: talent}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="more than once"):
        load_dictionary(Settings(dictionary=dupes))
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - {term: 人才}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="category"):
        load_dictionary(Settings(dictionary=bad))


def test_unknown_segmenter_and_bad_input():
    with pytest.raises(ValueError, match="segmenter"):
        make_tokenizer(Settings(segmenter="thulac"))
    with pytest.raises(TypeError):
        tokenize(b"bytes")


def test_rjieba_agrees_on_the_seed(seg):
    pytest.importorskip("rjieba")
    other = make_tokenizer(Settings(segmenter="rjieba"))
    assert words(other, SEED) == words(seg, SEED)


@pytest.mark.slow
def test_jieba_log_never_reaches_stderr_and_cache_goes_to_the_project_cache(tmp_path):
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(tmp_path / "cache")}
    code = ("from analysis.settings import Settings; from analysis.text.segment import tokenize; "
            "print('|'.join(tokenize('坚持两个确立', settings=Settings(segmenter='jieba-python')).token))")
    for _ in range(2):  # first run builds jieba's cache, second reads it
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=project_root())
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "坚持|两个确立"
        assert done.stderr == ""
    assert list((tmp_path / "cache").glob("jieba-*.cache"))


def test_importing_segment_does_no_work():
    code = "import sys, analysis.text.segment; print('jieba' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project_root())
    assert done.stdout.strip() == "False"


# --- the reference corpora (read at run time, never copied) ----------------------------------------


def _shared_texts():
    folder = shared_dir() / "corpora"
    texts = {}
    for name in ("cpc-congress-reports", "gov-work-reports", "party-building-texts"):
        for line in (folder / f"{name}.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            key = f"{name}:{record.get('year') or record.get('congress') or record.get('date')}:{record.get('kind')}"
            texts[key] = re.sub("[\u200b\u200d]", "", record["text"])
    return texts


@pytest.mark.shared
@pytest.mark.slow
def test_every_entry_found_in_the_reference_corpora_is_whole_somewhere(seg, dictionary):
    texts = list(_shared_texts().values())
    pending = set(dictionary["term"])
    for text in texts:
        starts = {s for s, _, _ in seg.spans(text)}
        for term in [t for t in pending if t in text]:
            # One token, or inside a longer one (党建引领 in 党建引领基层治理).
            if any(not any(x in starts for x in range(m.start() + 1, m.end())) for m in re.finditer(re.escape(term), text)):
                pending.discard(term)
    absent = {t for t in pending if not any(t in text for text in texts)}
    assert pending - absent == set()


@pytest.mark.shared
def test_formulas_whole_in_2024_report_and_20th_congress_report(seg):
    texts = _shared_texts()
    gwr = texts["gov-work-reports:2024:report"]
    congress = texts["cpc-congress-reports:20:congress_report"]
    expect = {
        "gwr": (gwr, ["高质量发展", "新质生产力", "中国式现代化", "以习近平同志为核心的党中央", "乡村全面振兴", "一带一路"]),
        "congress": (congress, ["全面从严治党", "四个意识", "中国特色社会主义", "全过程人民民主", "中华民族伟大复兴",
                                "新时代中国特色社会主义", "人类命运共同体", "中国式现代化", "新时代",
                                "自我革命", "不忘初心、牢记使命", "中央八项规定精神"]),
    }
    formulas = set(load_dictionary().query("category == 'formula'")["term"])
    for name, (text, terms) in expect.items():
        tokens = words(seg, text)
        for term in terms:
            assert term in tokens, (name, term)
        # No formula of the dictionary is split into pieces that compose it exactly
        # (两个|确立). A cut whose tokens run past the formula's edges is another
        # reading of the characters (中国共产党|的|领导人 is not 党的领导).
        starts = {s for s, _, _ in seg.spans(text)} | {len(text)}
        for formula in formulas:
            for m in re.finditer(re.escape(formula), text):
                inner = any(x in starts for x in range(m.start() + 1, m.end()))
                assert not (inner and m.start() in starts and m.end() in starts), (name, formula)


# --- the vectorised path (Segmenter.arrays) against the plain reference (Segmenter.spans) ------


def _same_as_reference(seg, text):
    arrays = seg.arrays(text)
    got = list(zip(arrays.starts.tolist(), arrays.ends.tolist(), arrays.kind_labels().tolist()))
    assert got == seg.spans(text)
    assert arrays.tokens().tolist() == [text[s:e] for s, e, _ in got]
    # ids follow first appearance; the vocabulary holds each distinct token once
    assert len(set(arrays.vocabulary.tolist())) == len(arrays.vocabulary)
    if len(arrays):
        firsts = [arrays.ids.tolist().index(i) for i in range(len(arrays.vocabulary))]
        assert firsts == sorted(firsts)


@hsettings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ["两个确立", "不忘初心、牢记使命", "“试金石”", "5G网络", "A股", "AA股"]),
                max_size=40).map("".join) | st.text(max_size=60))
def test_arrays_equal_the_reference_spans_on_any_text(text):
    _same_as_reference(make_tokenizer(), text)


def test_arrays_equal_the_reference_on_the_seed_and_edge_cases(seg):
    for text in [SEED, "", "〓〓", "二〇二三年人才", "×××", "人" * 25_000, "人才\n\n  党建", "㐀人才𠀀党", "\ud800人才"]:
        _same_as_reference(seg, text)


def test_arrays_equal_the_reference_with_the_python_engine():
    seg = make_tokenizer(Settings(segmenter="jieba-python"))
    _same_as_reference(seg, SEED)


@pytest.mark.shared
def test_arrays_equal_the_reference_on_every_reference_document(seg):
    from analysis.io.corpus import load_corpus

    folder = shared_dir() / "corpora"
    documents = load_corpus(sorted(folder.glob("*.jsonl")))
    assert len(documents) >= 175
    plain = re.compile(seg._formula_re.pattern.split("])(?:", 1)[1][:-1])
    for text in documents["text"]:
        _same_as_reference(seg, text)
        assert [m.span() for m in plain.finditer(text)] == [m.span() for m in seg._formula_re.finditer(text)]


def test_formula_prefix_lookahead_matches_the_same_spans(seg):
    """The first-character lookahead only skips positions where no formula starts."""
    pattern = seg._formula_re.pattern
    assert pattern.startswith("(?=[") and pattern.endswith(")")
    plain = re.compile(pattern[pattern.index("])(?:") + 5:-1])
    text = SEED + "".join(FRAMES).format("两个确立", "三大攻坚战", "中央八项规定精神") + "一乡一业，一村一策"
    assert [m.span() for m in plain.finditer(text)] == [m.span() for m in seg._formula_re.finditer(text)]
    assert len(list(plain.finditer(text))) >= 16


def test_arrays_in_small_chunks_equal_the_reference(seg, monkeypatch):
    """Chunk cuts (after a line break before visible text) change no token."""
    from analysis.text import segment

    monkeypatch.setattr(segment, "_CHUNK", 40)
    assert len(segment._chunks(SEED, 40)) > 20  # the seed has long paragraphs
    text = SEED + "\n“两个\n维护”\n \n××同志\nXX\n5G网络\n二〇二三年\n" + "人" * 120 + "\n\u200b人才\n"
    _same_as_reference(seg, text)
    for start, end in segment._chunks(text, 40)[:-1]:
        assert text[end - 1] == "\n" and not text[end].isspace()


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ["\n", "\n\n", "两个确立", "“试金石”"]), max_size=60).map("".join))
def test_arrays_in_tiny_chunks_equal_the_reference_on_any_text(text):
    from analysis.text import segment

    old = segment._CHUNK
    segment._CHUNK = 3
    try:
        _same_as_reference(make_tokenizer(), text)
    finally:
        segment._CHUNK = old
