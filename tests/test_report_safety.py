"""A notes file is user text: in report.html it runs nothing, and nothing outside the report reaches report.pdf."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.notebook import workbook
from analysis.output import export, report

HOSTILE = """- a note with <script>window.__pwned = 1</script> inside
- <img src="x" onerror="window.__pwned = 2">
- <iframe src="file://{secret}"></iframe>
- [a link](javascript:window.__pwned=3) and <a href="file://{secret}">a file link</a>
"""


@pytest.fixture
def hostile_report(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("TOPSECRETCONTENT 机密", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "speech.txt").write_text("同志们：\n要做好人才工作。\n", encoding="utf-8")
    (corpus / "notes.yaml").write_text(
        "speech:\n  04_emphasis: |\n" + "".join(f"    {line}\n" for line in HOSTILE.format(secret=secret).splitlines()),
        encoding="utf-8")
    wb = workbook("04_emphasis", corpus=corpus, figures=tmp_path / "out", document="speech")
    note = wb.notes()
    assert "TOPSECRET" not in note.text and "<script>" in note.text  # the notes as written, script and all
    nb = new_notebook(cells=[new_markdown_cell("# 注释"),
                             new_code_cell("wb.notes()", outputs=[new_output("execute_result",
                                                                             data=note._repr_mimebundle_(),
                                                                             execution_count=1)])])
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    html = report.build_report([("04_emphasis", nb)], made="2024-01-01")
    path = export.write_report(html, directory=out, name="report.html")
    return path, secret


def test_notes_are_escaped_and_links_restricted(hostile_report):
    path, _ = hostile_report
    html = path.read_text(encoding="utf-8")
    body = html.split("</header>", 1)[1]
    assert "<script>window.__pwned" not in body and "&lt;script&gt;" in body
    assert "<iframe" not in body and "onerror=" not in body.replace("onerror=&quot;", "")
    assert 'href="javascript:' not in body and 'href="file:' not in body


@pytest.mark.browser
def test_notes_run_nothing_in_chromium_and_leak_nothing_into_the_pdf(hostile_report, tmp_path):
    from conftest import BROWSER_ARGS, CHROMIUM

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    path, secret = hostile_report
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.as_uri())
            page.wait_for_timeout(500)
            assert page.evaluate("typeof window.__pwned") == "undefined"  # no script of the notes ran
            assert page.evaluate("document.querySelectorAll('iframe, img[onerror], script:not([src])').length") == \
                page.evaluate("document.querySelectorAll('script:not([src])').length")  # no iframe, no handler image
            assert "TOPSECRET" not in page.content()
        finally:
            browser.close()
    assert dialogs == []
    pdf = export.write_report_pdf(path)
    assert pdf is not None and pdf.is_file()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "注释" in text and "TOPSECRET" not in text  # the report printed; the local file did not
