"""Metadata read from a speech's own words: date, occasion, speaker's role, level and kind.

A speech's title line usually names the occasion and so the level (在全县组织工作会议上的讲话),
the lines under it the speaker (县委书记 ××) and the date (（2024年3月15日）). These
functions read them from the title and the *head* of the text: the short lines before
the first sentence (a line over 90 characters, or one with a full stop inside, ends it),
never from the body, where dates of other events abound.

- ``date``: the first date in the title or a head line: ``2024年3月15日``, ``（2019年3月4日）``,
  ``二〇一九年三月四日``, ``2024-03-15``; ``2024年3月`` gives month precision. A bare year in
  the title (2019年春节团拜会) gives year precision.
- ``occasion``: X in ``在X上的讲话`` / ``在X时的讲话`` (also 发言, 报告, 致辞, 主旨演讲, 总结讲话 …).
- ``speaker_role``: a role word in the head (县委书记, 组织部部长, 市长, 总书记 …).
- ``level``: from the occasion (else the title and head): national words (全国, 中央, 党的
  二十大, 政治局, 国务院), then the most local place word (全镇/乡镇/街道 → township, 全区/区委/
  ××区 → district, 全县/县委 → county, 全市/市委 → city, 全省/省委/自治区 → provincial), then
  institutions (a school, a company, the army, a Party branch); a national leader's role
  (总书记, 国家主席) gives national when no place word does.
- ``kind``: ``organization_work`` (组织工作, 组织部, 组织路线, 干部工作, 人才工作 …),
  ``cadre_training`` (党校, 干部培训, 读书班), ``party_building`` (党建, 党的建设, 主题教育,
  纪委全会, 民主生活会, 全面从严治党 …), else ``other_speech`` when an occasion was read (a
  title that names no occasion and none of these words leaves the kind empty).

:func:`fill_metadata` fills only the fields a manifest (or the file) left empty and lists
the fields it filled in ``inferred``, so a researcher can check them.

>>> infer_metadata("同志们：\\n今天我们召开会议。", title="在全县组织工作会议上的讲话（2024年3月15日）")
{'date': '2024-03-15', 'date_precision': 'day', 'occasion': '全县组织工作会议', 'level': 'county', 'kind': 'organization_work'}
>>> fill_metadata({"title": "在全市党建工作会议上的讲话", "level": "provincial"}, text="市委书记 ××\\n同志们：")["inferred"]
'occasion,speaker_role,kind'
"""

from __future__ import annotations

import re

__all__ = ["INFERRED_FIELDS", "LEVEL_WORDS", "date_in", "fill_metadata", "head_lines", "infer_metadata"]

#: The fields :func:`infer_metadata` may fill, in order.
INFERRED_FIELDS = ("date", "date_precision", "occasion", "speaker_role", "level", "kind")

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_DAY_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?(?!\d)")
_MONTH_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")
_CN_DATE_RE = re.compile(r"([一二〇零○Ｏ九八七六五四三]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                         r"(?:\s*([一二三四五六七八九十]{1,3})\s*日)?")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_SENTENCE_END_RE = re.compile(r"[。！？；]")


def _cn_small(text: str) -> int:
    """一 … 三十一 as a number."""
    if "十" not in text:
        return _CN_DIGIT.get(text, 0)
    tens, _, ones = text.partition("十")
    return (_CN_DIGIT.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)


def date_in(text: str, *, bare_year: bool = False) -> tuple[str, str] | None:
    """The first date in a short text, as ``(ISO date, precision)``, or None.

    Args:
        text: A title or head line.
        bare_year: Also take a year alone (``2019年``), with precision ``year``.

    >>> date_in("（二〇一九年三月四日）"), date_in("2024年3月"), date_in("2019年春节团拜会", bare_year=True)
    (('2019-03-04', 'day'), ('2024-03', 'month'), ('2019', 'year'))
    """
    found = []
    for m in _DAY_RE.finditer(text):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            found.append((m.start(), f"{y:04d}-{mo:02d}-{d:02d}", "day"))
            break
    for m in _CN_DATE_RE.finditer(text):
        y = int("".join(str(_CN_DIGIT[c]) for c in m.group(1)))
        mo, d = _cn_small(m.group(2)), _cn_small(m.group(3) or "")
        if 1900 <= y <= 2099 and 1 <= mo <= 12:
            found.append((m.start(), f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= d <= 31 else f"{y:04d}-{mo:02d}",
                          "day" if 1 <= d <= 31 else "month"))
            break
    for m in _MONTH_RE.finditer(text):
        if 1 <= int(m.group(2)) <= 12:
            found.append((m.start(), f"{m.group(1)}-{int(m.group(2)):02d}", "month"))
            break
    if found:
        _, date, precision = min(found)
        return date, precision
    if bare_year:
        m = _YEAR_RE.search(text)
        if m:
            return m.group(1), "year"
    return None


def head_lines(text: str, *, limit: int = 6) -> list[str]:
    """The short lines at the top of a text, before its first sentence (at most ``limit``).

    >>> head_lines("在全县组织工作会议上的讲话\\n县委书记 ××\\n（2024年3月15日）\\n同志们：\\n今天开会。")
    ['在全县组织工作会议上的讲话', '县委书记 ××', '（2024年3月15日）', '同志们：']
    """
    out = []
    for line in text[:4000].split("\n", 4 * limit + 8):  # only the top is read, however long the text
        line = line.strip()
        if not line:
            continue
        if len(line) > 90 or _SENTENCE_END_RE.search(line[:-1]) or len(out) >= limit:
            break
        out.append(line)
        if line.endswith(("：", ":")):  # the salutation (同志们：): the speech begins
            break
    return out


_OCCASION_RE = re.compile(r"在(.{2,80}?)(?:上|时|期间)的?(?:总结|主旨|重要|开幕|闭幕|即席|专题|动员|书面)?"
                          r"(?:讲话|发言|报告|致辞|演讲|主持词|讲话要点|辅导报告|党课)")
_ROLE_RE = re.compile(
    r"(?:(?:省|市|县|区|州|盟|旗|镇|乡|街道)(?:委|党委|党工委|政府)(?:常委、|副)?(?:组织部)?"
    r"(?:常务副部长|副部长|部长|副书记|书记)"
    r"|组织部(?:常务副)?(?:副)?部长|(?:党委|党组|党工委)(?:副)?书记|总书记|国家主席|国务院总理|"
    r"(?:副)?(?:省长|市长|县长|区长|州长|镇长|乡长|局长|校长|主任))")
_NATIONAL_RE = re.compile(r"全国|全党|中央|中共中央|国务院|政治局|党的[一二三四五六七八九十]{1,3}大|"
                          r"中国共产党第[一二三四五六七八九十]{1,3}次全国|[一二三四五六七八九十]{2,3}届[一二三四五六七八九]中全会|"
                          r"全国人民代表大会|全国人大|政协全国|国家")
_LOCAL_RES = (
    ("township", re.compile(r"全镇|全乡|全街道?|镇党委|乡党委|街道党工委|[\u4e00-\u9fff]{1,4}(?:镇|乡|街道)(?:党委|组织|党建|工作)")),
    ("provincial", re.compile(r"(?<!特别行政)(?<!民族)自治区(?:委|党委|政府|组织|党建|工作)|全省|省委|省政府|省直")),
    ("district", re.compile(r"全区|(?<!行政)(?<!特)区委|区政府|区直|[\u4e00-\u9fff]{1,4}(?<!行政)(?<!特)区(?:委|组织|党建|工作|第)")),
    ("county", re.compile(r"全县|县委|县政府|县直|全旗|旗委|[\u4e00-\u9fff]{1,4}县(?:委|组织|党建|工作|第)")),
    ("city", re.compile(r"全市|市委|市政府|市直|全州|州委|[\u4e00-\u9fff]{2,4}市(?:委|组织|党建|工作|第|[\u4e00-\u9fff]*会议)")),
)
_INSTITUTION_RE = re.compile(r"学校|中学|小学|大学|学院|一中|教代会|海军|陆军|空军|全军|军队|军委|公司|集团|医院|"
                             r"党支部|支部|机关党委|工委")
_NATIONAL_ROLE_RE = re.compile(r"总书记|国家主席|国务院总理")
_LOCAL_ORDER = ("township", "district", "county", "city", "provincial")

#: Words of the occasion (or title) that give the kind, checked in this order.
_KIND_RES = (
    ("organization_work", re.compile(r"组织工作|组织部|组织路线|组工|干部工作|人才工作|选人用人|干部队伍建设|"
                                     r"老干部工作|基层党组织建设|组织建设")),
    ("cadre_training", re.compile(r"党校|干部培训|读书班|培训班|干部学院|轮训|中青年干部")),
    ("party_building", re.compile(r"党建|党的建设|主题教育|党史学习教育|纪委|纪律检查|全面从严治党|党风廉政|"
                                  r"民主生活会|组织生活会|党内|整风|党员|党支部|党章|巡视|廉政|作风建设|党代会|"
                                  r"代表会议|群团工作")),
)

#: The level words, for documentation and tests: level → pattern.
LEVEL_WORDS = {"national": _NATIONAL_RE.pattern, **{name: rx.pattern for name, rx in _LOCAL_RES},
               "institution": _INSTITUTION_RE.pattern}


def _level(*texts: str, role: str = "") -> str:
    for text in texts:
        if not text:
            continue
        if _NATIONAL_RE.search(text):
            return "national"
        hits = {name for name, rx in _LOCAL_RES if rx.search(text)}
        for name in _LOCAL_ORDER:
            if name in hits:
                return name
        if _INSTITUTION_RE.search(text):
            return "institution"
    return "national" if _NATIONAL_ROLE_RE.search(role) else ""


def _kind(text: str, *, occasion: bool) -> str:
    for name, rx in _KIND_RES:
        if rx.search(text):
            return name
    return "other_speech" if occasion else ""


def infer_metadata(text: str, *, title: str = "", occasion: str = "") -> dict:
    """Date, occasion, speaker's role, level and kind read from the title and the head of the text.

    Args:
        text: The speech's text (its first lines are read).
        title: Its title, when known apart from the text.
        occasion: The occasion, when known (level and kind are then read from it first).

    Returns:
        A dict with the keys of :data:`INFERRED_FIELDS` that could be read (none empty).
    """
    head = head_lines(text)
    lines = ([title] if title else []) + head
    out: dict = {}
    for i, line in enumerate(lines):
        found = date_in(line, bare_year=(i == 0 and bool(title)))
        if found:
            out["date"], out["date_precision"] = found
            break
    given = occasion
    occasion = ""
    for line in ([] if given else lines):
        matches = _OCCASION_RE.findall(line)
        if matches:
            occasion = re.sub(r"^[“\"]?(?:中共)?", lambda m: m.group(0) if m.group(0).startswith(("“", '"')) else "",
                              matches[-1]).strip()
            break
    if occasion:
        out["occasion"] = occasion
    occasion = given or occasion
    role = ""
    for line in lines:
        m = _ROLE_RE.search(line)
        if m:
            role = m.group(0)
            break
    if role:
        out["speaker_role"] = role
    level = _level(occasion, *lines, role=role)
    if level:
        out["level"] = level
    kind = _kind(occasion or (title or (head[0] if head else "")), occasion=bool(occasion))
    if kind:
        out["kind"] = kind
    return out


def fill_metadata(meta: dict, *, text: str) -> dict:
    """Fill the empty fields of ``meta`` with :func:`infer_metadata`; list them in ``inferred``.

    The given values win: a field is filled only when empty (``date_precision`` goes with
    ``date``). Returns a new dict (``meta`` is not changed); ``inferred`` is added only when
    something was filled, merged with one already there.

    >>> fill_metadata({"date": "2023"}, text="在全区组织工作会议上的讲话\\n（2023年2月1日）")
    {'date': '2023', 'occasion': '全区组织工作会议', 'level': 'district', 'kind': 'organization_work', 'inferred': 'occasion,level,kind'}
    """
    out = dict(meta)
    got = infer_metadata(text, title=str(meta.get("title") or ""), occasion=str(meta.get("occasion") or ""))
    filled = []
    for key in INFERRED_FIELDS:
        if key == "date_precision":
            continue
        if got.get(key) and not str(out.get(key) or "").strip():
            out[key] = got[key]
            if key == "date":
                out["date_precision"] = got["date_precision"]
            filled.append(key)
    if filled:
        before = [f for f in str(out.get("inferred") or "").split(",") if f]
        out["inferred"] = ",".join(before + [f for f in filled if f not in before])
    return out
