"""Render speeches into saved web pages of several layouts, and print them to PDF, at test time.

Nothing rendered here is committed: tests call these functions on texts they write themselves
or on ../shared speeches (read at run time) and write into ``tmp_path``.

Layouts imitate the places local speeches are published: a Party-website article page
(menu, breadcrumb, 来源/责任编辑 line, share bar, related-article list, footer), a news portal
(video prompt, photo with caption and credit, "推荐阅读", comment box), and a plain
government page (table layout, print/close links, previous/next links).
"""

from __future__ import annotations

import html as _html
import subprocess
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
LAYOUTS = ("party_site", "news_portal", "gov_table", "gov_cms")


def _paras(text: str) -> str:
    return "\n".join(f"<p>{_html.escape(line)}</p>" for line in text.split("\n") if line.strip())


def render_page(title: str, text: str, *, date: str = "", speaker: str = "", layout: str = "party_site",
                source: str = "某某日报", url: str = "https://www.example.org/a/1.html") -> str:
    """A saved page (HTML) holding ``text`` under ``title`` with the chrome of ``layout``."""
    t = _html.escape(title)
    head_lines = f"<h1>{t}</h1>"
    if speaker:
        head_lines += f"<p class='author'>{_html.escape(speaker)}</p>"
    if date:
        head_lines += f"<p>（{_html.escape(date)}）</p>"
    related = "".join(f"<li><a href='/a/{i}.html'>关于做好第{i}季度基层党建工作的通知</a><span>[03-{10 + i}]</span></li>"
                      for i in range(1, 7))
    if layout == "party_site":
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{t}_某某县党建网</title>
<link rel="canonical" href="{url}"><meta name="PubDate" content="2024-03-18 09:30">
<script>var x = "<p>不应出现的脚本文字</p>";</script><style>.nav{{color:red}}</style></head><body>
<div class="top-nav"><a href="/">首页</a> | <a href="/dj">党建动态</a> | <a href="/zz">组织建设</a> | <a href="/gb">干部工作</a> | <a href="/rc">人才工作</a></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/dj">党建动态</a> &gt; 正文</div>
<div class="main"><div class="article">{head_lines}
<div class="info">来源：{_html.escape(source)}　　发布时间：2024-03-18 09:30　　责任编辑：王某</div>
<div class="content">{_paras(text)}</div>
<div class="share">分享到：<a>微信</a><a>微博</a><a>QQ空间</a></div>
<p>【打印本页】【关闭窗口】</p></div>
<div class="related"><h3>相关文章</h3><ul>{related}</ul></div></div>
<div class="footer">主办：中共某某县委组织部　版权所有　备案号：某ICP备00000000号</div></body></html>"""
    if layout == "news_portal":
        return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta property="og:title" content="{t}"><meta property="og:url" content="{url}">
<meta property="article:published_time" content="2024-03-19T08:00:00+08:00"><title>{t} - 某某新闻网</title></head><body>
<header><nav><a href="/">新闻</a><a href="/gn">国内</a><a href="/df">地方</a><a href="/sp">视频</a><a href="/tp">图片</a></nav></header>
<main><article><h1>{t}</h1><div class="meta"><span>2024-03-19 08:00</span> <span>来源：{_html.escape(source)}</span></div>
<div class="video-tip">视频加载中，请稍候……</div>
<figure><img src="/p/1.jpg"><figcaption>图为会议现场。记者 李某 摄</figcaption></figure>
{("<p>" + _html.escape(speaker) + "</p>") if speaker else ""}{("<p>（" + _html.escape(date) + "）</p>") if date else ""}
{_paras(text)}
<p>（责任编辑：赵某）</p></article>
<aside class="hot"><h3>热点推荐</h3><ol>{related}</ol></aside>
<section class="comment"><h3>网友评论</h3><form><textarea>说两句</textarea><button>发表</button></form></section></main>
<div class="recommend"><h3>推荐阅读</h3><ul>{related}</ul></div>
<footer>关于我们 | 联系我们 | 网站地图 Copyright © 某某新闻网</footer></body></html>"""
    if layout == "gov_table":
        return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>{t}</title></head>
<body><table width="100%"><tr><td class="menu"><a href="/">网站首页</a> <a href="/zw">政务公开</a> <a href="/xx">信息公开</a> <a href="/bs">网上办事</a></td></tr>
<tr><td><table><tr><td align="center"><b>{t}</b></td></tr>
<tr><td align="center">发布日期：2024年03月20日　信息来源：{_html.escape(source)}　浏览次数：1234　字号：[大 中 小]</td></tr>
{("<tr><td align='center'>" + _html.escape(speaker) + "</td></tr>") if speaker else ""}
{("<tr><td align='center'>（" + _html.escape(date) + "）</td></tr>") if date else ""}
<tr><td class="zw">{_paras(text)}</td></tr>
<tr><td>上一篇：全县人才工作推进会召开</td></tr><tr><td>下一篇：关于开展2024年度党员冬训的通知</td></tr>
<tr><td><a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></td></tr></table></td></tr>
<tr><td class="bottom">版权所有：某某县人民政府 地址：某某县人民路1号</td></tr></table></body></html>"""
    if layout == "gov_cms":  # a government CMS page: TRS_Editor body, long link lists around it, <br> lines
        many = "".join(f"<li><a href='/b/{i}.html'>某某镇召开第{i}次党委理论学习中心组学习会议暨专题研讨会</a></li>"
                       for i in range(1, 41))
        br_body = "<br/>".join(f"&emsp;&emsp;{_html.escape(line)}" for line in text.split("\n") if line.strip())
        return f"""<html><head><meta charset="utf-8"><title>{t}-某某市人民政府门户网站</title>
<meta name="ArticleTitle" content="{t}"><meta name="PubDate" content="2024/03/21 10:00"></head><body>
<div id="top"><ul class="list"><li><a href="/">首页</a></li><li><a href="/xxgk">信息公开</a></li></ul></div>
<div class="left"><h3>最新动态</h3><ul class="list">{many}</ul></div>
<div class="right"><div class="title">{t}</div>
<div class="property">发布时间：2024-03-21　来源：{_html.escape(source)}　【字体：大 中 小】</div>
{("<div style='text-align:center'>（" + _html.escape(date) + "）</div>") if date else ""}
<div id="zoom"><div class="TRS_Editor"><p>{br_body}</p></div></div>
<div class="pages">第1页 共1页</div></div>
<div class="foot">网站标识码：0000000000 某ICP备00000000号</div></body></html>"""
    raise ValueError(f"unknown layout {layout!r}")


def print_pdf(html_file: Path, pdf_file: Path, *, header_footer: bool = True) -> Path:
    """Print an HTML file to PDF with headless Chromium (its header and footer: date, title, page x/y)."""
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--print-to-pdf={pdf_file}"]
    if not header_footer:
        args.append("--no-pdf-header-footer")
    subprocess.run(args + [html_file.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    return pdf_file


def print_page(title: str, text: str) -> str:
    """A plain printable document: title, then one paragraph per line (as a speech is printed)."""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_html.escape(title)}</title>"
            "<style>body{font-family:'Noto Serif CJK SC',serif;font-size:16pt;line-height:1.6}"
            "p{text-indent:2em;margin:0}h1{text-align:center;font-size:20pt}</style></head><body>"
            f"<h1>{_html.escape(title)}</h1>{_paras(text)}</body></html>")
