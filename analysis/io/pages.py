"""Saved web pages (``.html .htm .shtml .xhtml .mhtml``): the speech's body text and what the page says about it.

The body is found by readability-lxml (the Readability algorithm: the block with the
most running text, and its siblings that belong to it), chosen over trafilatura by
measurement on 22 saved pages with hand extractions (``tests/benchmarks/measure_readers.py``:
both found every Han character of the speech; readability kept less of the page's
chrome, median precision 0.99 against 0.98, worst page 0.96 against 0.91, since trafilatura
kept the "recommended" link lists and previous/next links). Around it, site-independent
cleanup that works on any layout:

- before extraction, elements that are page chrome by tag (``nav``, ``header``, ``footer``,
  ``aside``, ``form``, ``figcaption``, scripts, players) or by class/id words (menu,
  breadcrumb, share, related, comment, copyright …) are dropped, unless one holds most of
  the page's text;
- after extraction, lines that are chrome by content: 来源/责任编辑/发布时间 lines, share and
  print prompts, previous/next links, lists of dated links, video prompts, photo captions
  and credits (图为…, ××摄);
- the lines above the speech that repeat its title, subtitle (——在…上的讲话), speaker and
  date (（2024年3月15日）) become the document's ``title``, ``speaker`` and ``date``.

Metadata: ``title``; ``date``: the date under the title, else the date in a note on where
the speech was given (※这是…2021年12月6日在…上的讲话), else a news agency's dateline
(（新华社北京4月24日电）) in the year of publication, else the publication date; ``published``:
the page's publication date (``article:published_time``-style meta tags, else a 发布时间/日期
line, else the first date printed with a time of day); ``source`` (来源：…); ``source_url``
(the canonical URL); ``speaker`` (a name under the title).

Safety: the page is parsed by lxml's HTML parser with network access off and no entity
expansion; nothing in it runs (scripts are dropped unread); an MHTML archive's HTML part
is taken with the standard ``email`` parser.

>>> page = page_from_html("<html><head><title>在全县组织工作会议上的讲话_某县党建网</title></head><body>"
...     "<div class='nav'><a href='/'>首页</a><a href='/a'>党建动态</a></div>"
...     "<div class='article'><h1>在全县组织工作会议上的讲话</h1><p>（2024年3月15日）</p>"
...     "<p>来源：某县组织部 责任编辑：某某</p><p>同志们：</p><p>今天召开全县组织工作会议，主要任务是总结工作、部署任务。</p>"
...     "<p>一、提高政治站位。我们要深入学习贯彻党的二十大精神，把各项工作做实做细。</p></div>"
...     "<div class='share'>分享到：微信 微博</div></body></html>")
>>> print(page.text)
同志们：
今天召开全县组织工作会议，主要任务是总结工作、部署任务。
一、提高政治站位。我们要深入学习贯彻党的二十大精神，把各项工作做实做细。
>>> page.meta["title"], page.meta["date"], page.meta["source"]
('在全县组织工作会议上的讲话', '2024-03-15', '某县组织部')
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field

from analysis.io.formats import Extracted

__all__ = ["Page", "page_from_html", "read_page", "decode_page"]


@dataclass(frozen=True)
class Page:
    """A page's body text (paragraphs one per line), its metadata and notes."""

    text: str
    meta: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- decoding

_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_GB = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "gb18030"}


def _charset(name: str) -> str:
    name = name.strip().lower()
    return "gb18030" if name in _GB else name


def _mhtml_html(data: bytes) -> bytes | tuple[bytes, str] | None:
    """The first ``text/html`` part of an MHTML archive, with its charset; None when it is not one."""
    head = data[:4096].lower()
    if b"multipart/related" not in head and b"mime-version" not in head:
        return None
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            return payload, _charset(part.get_content_charset() or "")
    return None


def decode_page(data: bytes) -> tuple[str, str]:
    """Decode a saved page: an MHTML archive's HTML part, a byte-order mark, the ``<meta charset>``,
    else UTF-8, else the loader's detection (:func:`analysis.io.corpus.decode_text`).

    Returns:
        ``(html, encoding)``; ``encoding`` is ``mhtml:<charset>`` for an archive.

    >>> decode_page('<meta charset="gbk"><p>讲话</p>'.encode("gbk"))
    ('<meta charset="gbk"><p>讲话</p>', 'gb18030')
    """
    prefix = ""
    got = _mhtml_html(data)
    if got is not None:
        data, declared = got
        prefix = "mhtml:"
    else:
        found = _META_CHARSET_RE.search(data[:8192])
        declared = _charset(found.group(1).decode("ascii")) if found else ""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), prefix + "utf-8-sig"
    if declared and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode(declared), prefix + declared
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), prefix + "utf-8"
    except UnicodeDecodeError:
        from analysis.io.corpus import decode_text

        text, encoding = decode_text(data)
        return text, prefix + encoding


# --------------------------------------------------------------------------- parsing

_CHROME_TAGS = ("script", "style", "noscript", "template", "iframe", "frame", "object", "embed", "video",
                "audio", "canvas", "svg", "form", "button", "select", "input", "textarea", "nav", "header",
                "footer", "aside", "figcaption", "map", "link", "meta")
#: Words in a class or id that mark page chrome (matched as whole words of the attribute).
_CHROME_WORDS = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|menus|breadcrumbs?|crumbs?|position|location|weizhi|dqwz|footer|foot|"
    r"bottom|copyright|share|sharing|bdshare|social|related|relate|recommend|tuijian|xgwz|xgxw|hot|rank|"
    r"comments?|pinglun|sidebar|side|toolbar|tools|qrcode|ewm|erweima|print|pager|pages|prev|next|"
    r"ads?|banner|login|search|topbar|header|head|caption|pic-?info|img-?desc|zrbj|video|player|"
    r"fontsize|zihao|subnav|links?|friendlink|yqlj)(?:$|[\s_-])", re.IGNORECASE)
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section", "article",
               "blockquote", "pre", "dd", "dt", "dl", "ul", "ol", "center", "hr", "td", "th", "figure", "main"}


def _parse(html: str):
    import lxml.html

    html = re.sub(r"\A\s*<\?xml[^>]*\?>", "", html)  # lxml refuses a str with an encoding declaration
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True,
                                  default_doctype=False)
    return lxml.html.document_fromstring(html or "<html></html>", parser=parser)


def _han(text: str) -> int:
    return len(_HAN_RE.findall(text))


def _drop(el) -> None:
    """Remove an element but keep its tail text (the text after it belongs to its parent)."""
    parent = el.getparent()
    if parent is None:
        return
    el.drop_tree()


def _strip_chrome(root) -> None:
    """Drop chrome elements by tag and by class/id words, never one that holds most of the page's text."""
    body = root.find("body")
    total = _han((body if body is not None else root).text_content()) or 1
    for el in list(root.iter(*_CHROME_TAGS)):
        if el.getparent() is None:
            continue
        if el.tag in ("header", "footer", "aside") and _han(el.text_content()) > total / 2:
            continue
        _drop(el)
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in ("html", "body") or el.getparent() is None:
            continue
        words = f"{el.get('class', '')} {el.get('id', '')}".strip()
        if words and _CHROME_WORDS.search(words) and _han(el.text_content()) <= total / 2:
            _drop(el)


def _block_text(el) -> str:
    """The text of an element with a line break at every block boundary, blank runs collapsed."""
    parts: list[str] = []

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(el)
    lines = (re.sub(r"[ \t\r\f\v\u00a0\u3000]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- metadata

_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "pubdate", "publishdate", "PubDate",
                   "publish_date", "firstpublishedtime", "datePublished", "dc.date", "DC.Date", "date",
                   "og:release_date", "ArticlePublishTime")
_PUBLISHED_LINE_RE = re.compile(r"(?:发布时间|发布日期|发表时间|发稿时间|更新时间|时间|日期)\s*[:：]\s*" + _DATE_RE.pattern)
#: A date with a time of day, as pages print their publication: 2024-03-19 08:00.
_STAMPED_RE = re.compile(_DATE_RE.pattern + r"\s+\d{1,2}:\d{2}")
_SOURCE_RE = re.compile(r"(?:文章来源|稿件来源|信息来源|来源)\s*[:：]\s*([^\s|｜/，,。；;]{2,40})")
_SOURCE_TAIL_RE = re.compile(r"(?:作者|编辑|责任编辑|发布时间|时间|日期|点击|浏览|字号).*$")


def _iso(m: re.Match) -> str | None:
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _meta_content(root, names: tuple[str, ...]) -> str:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for el in root.iter("meta"):
                if (el.get(attr) or "").strip().lower() == name.lower() and (el.get("content") or "").strip():
                    return el.get("content").strip()
    return ""


def _published(root, page_text: str) -> str:
    value = _meta_content(root, _PUBLISHED_META)
    for el in root.iter("time"):
        value = value or (el.get("datetime") or "")
    m = _DATE_RE.search(value) if value else None
    if m and _iso(m):
        return _iso(m)
    m = _PUBLISHED_LINE_RE.search(page_text) or _STAMPED_RE.search(page_text)
    return (_iso(m) or "") if m else ""


def _canonical(root) -> str:
    for el in root.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and (el.get("href") or "").startswith("http"):
            return el.get("href").strip()
    url = _meta_content(root, ("og:url",))
    return url if url.startswith("http") else ""


def _source(page_text: str) -> str:
    m = _SOURCE_RE.search(page_text)
    if not m:
        return ""
    return _SOURCE_TAIL_RE.sub("", m.group(1)).strip()


def _page_title(root) -> str:
    value = _meta_content(root, ("og:title", "ArticleTitle", "title", "twitter:title"))
    if not value:
        el = root.find(".//title")
        value = el.text_content().strip() if el is not None else ""
        # "标题_栏目_站名", "标题 - 站名", "标题--栏目-站名": the longest piece is the title
        pieces = [p.strip() for p in re.split(r"\s*(?:--|_|\||｜| - | – )\s*", value) if p.strip()]
        value = max(pieces, key=_han) if pieces else value
    return value


# --------------------------------------------------------------------------- line cleanup

_CHROME_LINE_RE = re.compile(
    r"^(?:【?(?:文章|稿件|信息)?来源|责任编辑|责编|编辑|审核|校对|作者|记者|通讯员|发布时间|发布日期|发表时间|"
    r"浏览次数|点击数|点击量|阅读次数|阅读量|字号|【?字体|分享到|分享|打印|关闭|收藏|上一篇|下一篇|"
    r"相关(?:文章|阅读|新闻|链接|报道)|推荐阅读|延伸阅读|热点推荐|扫一扫|扫码|返回顶部|图片来源|"
    r"视频加载|点击播放|播放视频|您的浏览器|当前位置|您当前的位置|首页\s*[>＞›»])")
_INLINE_CHROME_RE = re.compile(r"责任编辑\s*[:：]|分享到\s*[:：]|【\s*打印\s*】|【\s*关闭\s*】|扫一扫|点击数\s*[:：]|"
                               r"浏览次数\s*[:：]|^.{0,30}(?:信息|文章|稿件)?来源\s*[:：].{0,30}$")
#: A line that is only a time stamp: 2024-03-19 08:00, 2024年03月19日 08:00:00.
_STAMP_RE = re.compile(r"^\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_CAPTION_RE = re.compile(r"^(?:图为|▲|△|图\s*[:：]|图片\s*[:：]|（图片|\(图片|资料图)")
_CREDIT_RE = re.compile(r"(?:记者|通讯员|摄影|摄)\s*[\w·×X某]{0,12}\s*摄?\s*[)）]?$|^[（(]?\s*[\w·×X某]{2,12}\s*摄\s*[)）]?$")
_DATED_LINK_RE = re.compile(r"[\[［(（【]\s*(?:\d{4}[-/.])?\d{1,2}[-/.]\d{1,2}\s*[\]］)）】]\s*$|\s(?:\d{4}-)?\d{2}-\d{2}$")
_SENTENCE_END_RE = re.compile(r"[。！？；…]")


def _chrome_line(line: str) -> bool:
    short = len(line) <= 80 and not _SENTENCE_END_RE.search(line[:-1])
    if _CHROME_LINE_RE.match(line) and len(line) <= 120:
        return True
    if _INLINE_CHROME_RE.search(line) and len(line) <= 120:
        return True
    if short and (_CAPTION_RE.match(line) or _CREDIT_RE.search(line)):
        return True
    if short and _DATED_LINK_RE.search(line):
        return True
    if _STAMP_RE.match(line) and ":" in line:
        return True
    return line in {"视频", "图片", "播放", "更多", "更多>>", "返回", "打印本页", "关闭窗口"}


_DATE_LINE_RE = re.compile(r"^[（(]?\s*(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*[年.\-/]\s*[\d一二三四五六七八九十]{1,2}\s*[月.\-/]?"
                           r"(?:\s*[\d一二三四五六七八九十]{1,3}\s*日?)?(?:\s*[，,、]\s*\S{1,10})?\s*[）)]?$")
_SUBTITLE_RE = re.compile(r"^(?:——|－－|--|—)\s*\S")
_NAME_RE = re.compile(r"^(?:[\u4e00-\u9fff]{1,16}(?:书记|部长|主任|局长|县长|市长|区长|省长|主席|校长|总理)\s*)?"
                      r"[\u4e00-\u9fff×X某*]{2,4}$")
_SALUTATION_RE = re.compile(r"(?:同志|朋友|代表|各位|同学|老师|同胞|来宾|女士|先生|青年)[^。]{0,30}[：:]$")
_OUTLINE_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[，,、]|\d{1,2}[.、．](?!\d))")
_SERIES_RE = re.compile(r"学习材料|学习专栏|专题|每周一学|学习资料|推荐材料")
_TITLE_WORD_RE = re.compile(r"讲话|报告|致辞|演讲|发言|说明|党课|主持词")
#: "※这是××2021年12月6日在××上的讲话。": a note on where the speech was given (kept as metadata).
_GIVEN_RE = re.compile(r"^[※*]?\s*[（(]?\s*这是.{0,40}?(在.{2,80}?(?:上|时)的?.{0,12}(?:讲话|报告|发言|致辞|演讲).{0,12})[。.]?\s*[）)]?$")
#: A line that only says where the text came from: （来源：新华社）, 《人民日报》（2018年05月21日 01 版）.
_OCCASION_IN_TITLE_RE = re.compile(r"在.{2,80}?(?:上|时)的")
#: A news agency's dateline: （新华社北京4月24日电）: the month and day of the event.
_DATELINE_RE = re.compile(r"社[^（）()\d]{0,12}?(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*电")
_SOURCE_LINE_RE = re.compile(r"^[（(]\s*(?:信息|文章|稿件)?来源\s*[:：]\s*(.{1,40}?)\s*[）)]$|^[（(][^（）()]{0,30}电\s*[）)]"
                             r"(?:\s*[（(]\s*来源\s*[:：].{0,40}[）)])?$|^《\s*[^》]{1,20}\s*》\s*[（(][^）)]{0,30}版\s*[）)]$")


def _head(lines: list[str], page_title: str) -> tuple[list[str], dict]:
    """Take the title, subtitle, speaker and date lines off the top of the body.

    The head is the run of short lines before the salutation or the first sentence. It is
    taken off only when it reads as a speech's head: it has a date or speaker line, a
    subtitle, a line that is the page's title, or a line naming a speech (讲话, 报告 …); an
    outline heading (一、…) is never part of it.
    """
    from analysis.io.infer import date_in

    block: list[str] = []
    for line in lines[:8]:
        if (len(line) > 90 or _SENTENCE_END_RE.search(line[:-1]) or _SALUTATION_RE.search(line)
                or _OUTLINE_RE.match(line)):
            break
        block.append(line)
    meta: dict = {}
    titles: list[str] = []
    series: list[str] = []
    marked = False
    compact_title = re.sub(r"\s+", "", page_title)
    for line in block:
        compact = re.sub(r"\s+", "", line)
        if _DATE_LINE_RE.match(compact) and date_in(compact):
            meta.setdefault("date", date_in(compact)[0])
            meta.setdefault("date_precision", date_in(compact)[1])
            marked = True
        elif titles and _NAME_RE.match(compact):
            meta.setdefault("speaker", re.sub(r"^.*(?:书记|部长|主任|局长|县长|市长|区长|省长|主席|校长|总理)", "", compact)
                            or compact)
            marked = True
        elif _SUBTITLE_RE.match(line) and titles:
            titles.append(line)
            marked = True
        elif _SERIES_RE.search(line) and not _TITLE_WORD_RE.search(line) and not titles:
            series.append(line)
        elif "speaker" in meta or "date" in meta:
            break  # a short line after the speaker or date: the speech has begun
        else:
            if not any(compact.strip("※*") in re.sub(r"\s+", "", t) for t in titles):  # a title shown twice
                titles.append(line)
            else:
                series.append(line)
            if (compact_title and (compact in compact_title or compact_title in compact)) or _TITLE_WORD_RE.search(line):
                marked = True
    if not marked:
        return lines, {}
    taken = len(series) + len(titles) + ("speaker" in meta) + ("date" in meta)
    if titles:
        title = "".join(titles).strip("※* ")
        meta["title"] = re.sub(r"^[\u4e00-\u9fff]{2,4}[：:]", "", title)  # 习近平：在……上的讲话
    return lines[taken:], meta


def _tail(lines: list[str]) -> tuple[list[str], dict]:
    """Take the note on where the speech was given (※这是…在…上的讲话) and source lines off either end."""
    from analysis.io.infer import date_in

    meta: dict = {}
    out = list(lines)
    for end in (-1, 0, -1, 0, -1):
        if not out:
            break
        line = out[end]
        given = _GIVEN_RE.match(line)
        source = _SOURCE_LINE_RE.match(line)
        if given and len(line) <= 120:
            meta.setdefault("given", line.strip("※* "))
            found = date_in(line)
            if found:
                meta.setdefault("given_date", found)
            out.pop(end)
        elif source and len(line) <= 80:
            if source.group(1):
                meta.setdefault("source", source.group(1).strip())
            dateline = _DATELINE_RE.search(line)
            if dateline:
                meta.setdefault("dateline", (int(dateline.group(1)), int(dateline.group(2))))
            out.pop(end)
    return out, meta


def _head_around_title(page_text: str, title: str) -> dict:
    """The speaker and date lines under the title where the page shows them outside the body block."""
    compact_title = re.sub(r"\s+", "", title)
    lines = _clean_lines(page_text)
    for i, line in enumerate(lines):
        compact = re.sub(r"\s+", "", line)
        if compact_title and len(compact) >= 6 and (compact == compact_title or compact in compact_title
                                                    or compact_title in compact):
            _, head = _head(lines[i:i + 8], title)
            return {k: v for k, v in head.items() if k in ("date", "date_precision", "speaker")}
    return {}


def _clean_lines(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        if _chrome_line(line):
            continue
        out.append(line)
    return out


def page_from_html(html: str) -> Page:
    """The body text and metadata of a page's HTML (see the module docstring).

    Args:
        html: The decoded HTML.

    Returns:
        A :class:`Page`: ``text`` (paragraphs one per line) and ``meta`` with ``title``,
        ``date``, ``date_precision``, ``published``, ``source``, ``source_url``,
        ``speaker`` where the page states them.
    """
    from readability import Document as Readable

    root = _parse(html)
    page_text = _block_text(root.find("body") if root.find("body") is not None else root)
    page_title = _page_title(root)
    meta = {"title": page_title, "published": _published(root, page_text), "source": _source(page_text),
            "source_url": _canonical(root)}
    _strip_chrome(root)
    body = Readable(root).summary(html_partial=True)
    raw_lines = _block_text(_parse(f"<html><body>{body}</body></html>").find("body")).split("\n")
    lines, tail = _tail(_clean_lines("\n".join(raw_lines)))
    for line in raw_lines[-6:]:  # a dateline in a source line that the cleanup took away
        dateline = _DATELINE_RE.search(line) if _SOURCE_LINE_RE.match(line) else None
        if dateline:
            tail.setdefault("dateline", (int(dateline.group(1)), int(dateline.group(2))))
    lines, head = _head(lines, page_title)
    meta.update(head)
    if "date" not in head or "speaker" not in head:
        for key, value in _head_around_title(page_text, meta["title"]).items():
            meta.setdefault(key, value)
    if not meta.get("source") and tail.get("source"):
        meta["source"] = tail["source"]
    if tail.get("given"):
        meta["note"] = f"the page says: {tail['given']}"
        from analysis.io.infer import infer_metadata

        occasion = infer_metadata("", title=tail["given"]).get("occasion")
        if occasion and not _OCCASION_IN_TITLE_RE.search(meta.get("title", "")):
            meta["occasion"] = occasion
        if not meta.get("date") and tail.get("given_date"):
            meta["date"], meta["date_precision"] = tail["given_date"]
    if not meta.get("date") and tail.get("dateline") and meta["published"]:
        month, day = tail["dateline"]  # the year of publication, or the one before for a December dateline
        year = int(meta["published"][:4]) - (1 if month > int(meta["published"][5:7]) else 0)
        if 1 <= month <= 12 and 1 <= day <= 31:
            meta["date"], meta["date_precision"] = f"{year:04d}-{month:02d}-{day:02d}", "day"
    if not meta.get("date") and meta["published"]:
        meta["date"], meta["date_precision"] = meta["published"], "day"
    return Page("\n".join(lines), {k: v for k, v in meta.items() if v}, ())


def read_page(data: bytes, *, settings) -> Extracted:
    """File reader of a saved page (:mod:`analysis.io.formats`): :func:`decode_page`, then :func:`page_from_html`."""
    html, encoding = decode_page(data)
    page = page_from_html(html)
    return Extracted(page.text, f"html:{encoding}", meta=page.meta, notes=page.notes)
