"""The outline parser on the development set: all 80 speeches of ``../shared/corpora``, read by hand.

``tests/data/outline_devset.json`` holds, for each speech of ``../shared/corpora/speeches.jsonl``,
the outline a reader sees, as numbers and scheme names only (no text): the count the speech
announces, the headed nodes per level, the scheme of the first top-level point, and the
sub-points under each top-level point (``points``; null where only the top level was judged).

Measured (issue 12): 29 of 30 right at every level. Issue 20 read 50 more speeches; before its
rules the parser got the top level right on 59 of 80 and every level on 56 (a restarted
enumeration spliced or dropped, a later list nested under the last point, dash-led parts,
announcements missed, a list mixing 首先 其次 with 第三); after them 80 and 80.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.io.normalize import normalize
from analysis.paths import shared_dir
from analysis.text.outline import SCHEMES, parse_outline

DEVSET = Path(__file__).resolve().parent / "data" / "outline_devset.json"
#: The speeches whose outline the parser still gets wrong, and why (see the module docstring).
KNOWN_MISSES: dict[str, str] = {}
#: Shares reached (issue 20): the tests fail below them.
TOP_LEVEL_FLOOR = 80 / 80
SUB_POINTS_FLOOR = 80 / 80
FIELDS = {"id", "announced", "levels", "deep", "scheme", "points"}


def _levels(outline) -> dict[str, int]:
    counts: dict[str, int] = {}
    for n in outline.nodes:
        if n.level > 0 and not n.unheaded:
            counts[str(n.level)] = counts.get(str(n.level), 0) + 1
    return counts


def _points(outline) -> list[int]:
    tops = [n for n in outline.nodes if n.level == 1 and not n.unheaded]
    return [sum(1 for n in outline.nodes if n.parent == t.path and not n.unheaded) for t in tops]


def test_the_development_set_is_numbers_only_and_has_80_speeches():
    data = json.loads(DEVSET.read_text(encoding="utf-8"))["speeches"]
    assert len(data) >= 80 and len({d["id"] for d in data}) == len(data)
    schemes = {s.name for s in SCHEMES} | {"dash"}
    for d in data:
        assert set(d) == FIELDS, d["id"]
        assert d["announced"] is None or isinstance(d["announced"], int)
        assert all(isinstance(v, int) for v in d["levels"].values())
        assert d["scheme"] is None or d["scheme"] in schemes
        assert (d["scheme"] is None) == (d["levels"].get("1", 0) == 0), d["id"]
        if d["points"] is not None:  # the sub-points add up to the level-2 count
            assert all(isinstance(v, int) for v in d["points"])
            assert len(d["points"]) == d["levels"].get("1", 0) and sum(d["points"]) == d["levels"].get("2", 0), d["id"]


@pytest.fixture(scope="module")
def devset_results():
    path = shared_dir() / "corpora" / "speeches.jsonl"
    texts = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts[record["id"]] = record["text"]
    expected = json.loads(DEVSET.read_text(encoding="utf-8"))["speeches"]
    rows = []
    for d in expected:
        o = parse_outline(normalize(texts[d["id"]]).text)
        got = _levels(o)
        top = got.get("1", 0) == d["levels"].get("1", 0) and o.announced == d["announced"]
        tops = [n for n in o.nodes if n.level == 1 and not n.unheaded]
        scheme = tops[0].scheme if tops else None
        sub = top and scheme == d["scheme"] and (
            (got == d["levels"] and _points(o) == d["points"]) if d["deep"] else True)
        rows.append((d["id"], top, sub, d["levels"], got))
    return rows


@pytest.mark.shared
def test_share_right_at_each_level(devset_results):
    n = len(devset_results)
    top_share = sum(r[1] for r in devset_results) / n
    sub_share = sum(r[2] for r in devset_results) / n
    wrong = {r[0]: (r[3], r[4]) for r in devset_results if not r[2]}
    print(f"\noutline devset: top level right on {top_share:.1%} of {n}, sub-points on {sub_share:.1%}")
    assert top_share >= TOP_LEVEL_FLOOR, wrong
    assert sub_share >= SUB_POINTS_FLOOR, wrong
    assert set(wrong) <= set(KNOWN_MISSES), wrong
