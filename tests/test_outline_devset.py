"""The outline parser on the development set of issue 12: speeches read by hand.

``tests/data/outline_devset.json`` holds, for 30 speeches of ``../shared/corpora/speeches.jsonl``,
the outline a reader sees, as numbers only (the count the speech announces and the headed
nodes per level; no text; ``deep`` false where only the top level was judged). Measured:
before issue 12 the parser got the top level (with the announced count) right on 25 of 30
and every level on 24; after it, 29 and 29. Still wrong: ``z-xi-2016-cpc95`` (eight
unnumbered parts, each opened by a dash and the same phrase: no numbering to find).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.io.normalize import normalize
from analysis.paths import shared_dir
from analysis.text.outline import parse_outline

DEVSET = Path(__file__).resolve().parent / "data" / "outline_devset.json"
#: The speeches whose outline the parser still gets wrong, and why (see the module docstring).
KNOWN_MISSES = {"z-xi-2016-cpc95": "unnumbered dash-led parts"}


def _levels(outline) -> dict[str, int]:
    counts: dict[str, int] = {}
    for n in outline.nodes:
        if n.level > 0 and not n.unheaded:
            counts[str(n.level)] = counts.get(str(n.level), 0) + 1
    return counts


def test_the_development_set_is_numbers_only_and_has_25_speeches_or_more():
    data = json.loads(DEVSET.read_text(encoding="utf-8"))["speeches"]
    assert len(data) >= 25 and len({d["id"] for d in data}) == len(data)
    for d in data:
        assert set(d) == {"id", "announced", "levels", "deep"}
        assert d["announced"] is None or isinstance(d["announced"], int)
        assert all(isinstance(v, int) for v in d["levels"].values())


@pytest.mark.shared
def test_share_right_on_the_development_set():
    path = shared_dir() / "corpora" / "speeches.jsonl"
    if not path.exists():
        pytest.skip(f"../shared/corpora not found: {path}")
    texts = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts[record["id"]] = record["text"]
    expected = json.loads(DEVSET.read_text(encoding="utf-8"))["speeches"]
    top_right, all_right, wrong = 0, 0, {}
    for d in expected:
        o = parse_outline(normalize(texts[d["id"]]).text)
        got = _levels(o)
        top = got.get("1", 0) == d["levels"].get("1", 0) and o.announced == d["announced"]
        every = top and (got == d["levels"] or not d["deep"])
        top_right += top
        all_right += every
        if not every:
            wrong[d["id"]] = (d["levels"], got)
    assert set(wrong) <= set(KNOWN_MISSES), wrong
    assert (top_right, all_right, len(expected)) == (29, 29, 30)
