"""Whole reports on speeches other than the bundled corpus: a researcher's own folder, a speech with no outline.

Each test runs the notebooks end to end into a temporary folder (minutes each), so this file is
a unit of work of its own for ``make test``'s workers (``tests/conftest.py``).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import paths
from analysis.output import export, report

OWN_SPEECH = """在全市组织工作会议上的讲话
同志们：
今天召开全市组织工作会议，主要任务是部署今年工作。下面，我讲三点意见。
一、加强干部队伍建设
（一）选优配强领导班子。要坚持好干部标准，把政治标准放在首位。
（二）大力培养年轻干部。要拓宽选人视野，加强实践锻炼。
二、深入实施人才强市战略
（一）加大引才力度。要落实人才政策，引进高层次人才和青年人才。
（二）优化人才服务。要建设人才驿站，为人才办实事。
三、夯实基层基础
（一）整顿软弱涣散基层党组织。要选好村党组织书记，推进党建引领基层治理。
（二）抓党建促乡村振兴。要发展壮大村级集体经济，加强驻村工作队管理。
同志们，让我们团结一心，为建设XX市作出新的更大贡献！
"""



@pytest.mark.slow
def test_the_notebooks_run_on_a_researchers_own_corpus(tmp_path):
    """A report on other speeches: nothing written for the seed, comparisons among the speeches studied."""
    corpus = tmp_path / "my_speeches"
    corpus.mkdir()
    (corpus / "city-2024.txt").write_text(OWN_SPEECH, encoding="utf-8")
    (corpus / "county-2024.txt").write_bytes(OWN_SPEECH.replace("全市", "全县").encode("gb18030"))
    out = tmp_path / "out"
    path = report.run_notebooks(corpus=corpus, out=out, progress=False)
    html = path.read_text(encoding="utf-8")
    assert "city-2024" in html and "organization-work-speech" not in html
    body = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    for seed_text in ("the seed", "bundled seed", "102.7", "p-xi-2020-zzlx vs"):
        assert seed_text not in body, seed_text
    manifest = export.read_figure_manifest(out)
    # the single-speech notebooks study the study's first speech; 05 compares the two with each other
    single = manifest[~manifest["notebook"].isin(["05_compare_speeches", "06_trends", "07_explore"])]
    assert set(single["documents"]) == {"city-2024"}
    shifts = pd.read_csv(out / "05_compare_speeches_theme_shifts.csv")
    assert set(shifts["comparison"]) == {"city-2024 (2024) vs county-2024 (2024)"}
    # no reference speech is local organization work: the report says so instead of comparing with whatever is there
    assert "compared with the corpus folder" in body
    dumbbell = pd.read_csv(out / "04_emphasis_shift_dumbbell.csv")
    talent, grassroots = (dumbbell.set_index("theme").loc[t] for t in ("talent", "grassroots"))
    assert talent["share_a"] > talent["share_b"] and grassroots["share_b"] > grassroots["share_a"]  # A = 二, B = 三
    findings = export.read_findings(out)
    assert not findings["text"].str.contains("organization-work-speech").any()
    assert units_by_column(html) == []


def units_by_column(html: str) -> list[str]:
    """Cells whose unit disagrees with their column's header: pp only under a (pp…) header, % only under (%)."""
    from lxml import html as lxml_html

    bad = []
    for table in lxml_html.fromstring(html).xpath("//table[contains(@class, 'data')]"):
        headers = [th.text_content() for th in table.xpath("./thead/tr/th")]
        for row in table.xpath("./tbody/tr"):
            for header, cell in zip(headers, row.xpath("./td")):
                value = cell.text_content().strip()
                if value.endswith(" pp") != ("(pp" in header):
                    if value.endswith(" pp") or (value and "(pp" in header):
                        bad.append(f"{header}: {value}")
                if value.endswith("%") != ("(%)" in header) and value and header not in ("value", "text", "answer"):
                    if value.endswith("%") or "(%)" in header:
                        bad.append(f"{header}: {value}")
    return bad


@pytest.mark.slow
def test_a_report_never_dies_for_one_part(tmp_path):
    """A speech without an outline and an unreadable notes file: the parts that cannot run are skipped and listed."""
    corpus = tmp_path / "flat"
    corpus.mkdir()
    (corpus / "flat-2024.txt").write_text("同志们：\n" + "今天我们要抓好基层党组织建设，做好人才工作。" * 30 + "\n",
                                          encoding="utf-8")
    (corpus / "notes.yaml").write_text("flat-2024: [unclosed\n", encoding="utf-8")
    out = tmp_path / "out"
    path = report.run_notebooks(corpus=corpus, out=out, progress=False)
    html = path.read_text(encoding="utf-8")
    assert "Parts not run for these speeches" in html and "no two" in html
    assert "could not be read" in html  # the notes file, named instead of stopping notebook 02
    with pytest.raises(report.ReportError, match="04_emphasis"):  # only the notebook that fails: 01–03 ran above
        report.run_notebooks([paths.notebooks_dir() / "04_emphasis.ipynb"], corpus=corpus, out=tmp_path / "strict",
                             progress=False, strict=True)
