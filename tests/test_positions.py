"""Dispersion: positions by hand, themes on full texts and profiles alike, section starts, the chart."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.features import ProfileError, build_features
from analysis.plots.positions import plot_item_positions
from analysis.profiles import profile_feature_set, profile_tables
from analysis.results import undeclared_columns
from analysis.stats.positions import item_positions, section_starts

# A short text written for these tests (not from any corpus).
TEXT = "一、人才\n要引进人才。人才工作。\n二、基层\n基层要治理。人才到基层去。\n"


@pytest.fixture(scope="module")
def docs():
    return pd.DataFrame({"id": ["d"], "text": [TEXT], "source_path": ["d.txt"], "sha256": ["0"]})


def test_term_positions_by_hand(docs):
    fs = build_features(docs, progress=False, cache=False)
    # 7 sentences: 一、人才 | 要引进人才 | 人才工作 | 二、基层 | 基层要治理 | 人才到基层去 (and the heading counts)
    n = len(fs.sentences)
    whole = item_positions(fs, terms=["人才"])
    inside = item_positions(fs, terms=["人才"], inside=True)
    ranks = {s: (i + 0.5) / n for i, s in enumerate(sorted(fs.sentences["sentence"]))}
    assert whole["position"].tolist() == [ranks[s] for s in whole["sentence"]]
    assert set(whole["sentence"]) < set(inside["sentence"])  # 人才工作 only with inside=True
    assert undeclared_columns(whole.columns) == []


def test_theme_positions_are_the_same_on_a_profile(docs):
    fs = build_features(docs, progress=False, cache=False)
    prof = profile_feature_set(profile_tables(docs, progress=False))
    full = item_positions(fs, themes=["talent", "grassroots"])
    stored = item_positions(prof, themes=["talent", "grassroots"])
    pd.testing.assert_frame_equal(full, stored)
    with pytest.raises(ProfileError):
        item_positions(prof, terms=["人才"])
    pd.testing.assert_frame_equal(section_starts(fs), section_starts(prof))


def test_section_starts_and_chart(docs):
    fs = build_features(docs, progress=False, cache=False)
    starts = section_starts(fs)
    assert starts["path"].tolist() == ["一", "二"] and starts["position"].iloc[0] == 0
    fig = plot_item_positions(item_positions(fs, terms=["人才", "基层"]), starts)
    assert [t.name for t in fig.data] == ["人才", "基层"] and len(fig.layout.shapes) == 2


def test_thousands_of_section_starts_become_one_unlabelled_trace():
    """A very long speech (more starts than MAX_MARKS): every start drawn, in one trace, no labels."""
    import numpy as np
    import pandas as pd

    from analysis.plots.positions import MAX_MARKS, plot_item_positions

    pos = pd.DataFrame({"document": ["d"], "item": ["人才"], "item_type": "term", "sentence": [0], "path": ["一"],
                        "position": [0.5]})
    n = MAX_MARKS + 1
    starts = pd.DataFrame({"document": "d", "path": [f"{i}" for i in range(n)], "position": np.linspace(0, 1, n)})
    fig = plot_item_positions(pos, starts)
    marks = [t for t in fig.data if t.name == "section starts"]
    assert len(marks) == 1 and not fig.layout.annotations and not fig.layout.shapes
    assert sum(x is not None for x in marks[0].x) == 2 * n  # two ends of each start's line (all apart by > 0.001)
    few = plot_item_positions(pos, starts.head(MAX_MARKS))
    assert len(few.layout.shapes) == MAX_MARKS == len(few.layout.annotations)


def test_hundreds_of_thousands_of_ticks_are_drawn_once_per_thousandth():
    """Past MAX_TICKS, ticks of one item and speech within the same thousandth are one tick; fewer are all drawn."""
    import numpy as np
    import pandas as pd

    from analysis.plots.positions import MAX_TICKS, plot_item_positions

    n = MAX_TICKS + 1
    pos = pd.DataFrame({"document": "d", "item": ["人才", "基层"] * (n // 2) + ["人才"] * (n % 2), "item_type": "term",
                        "sentence": range(n), "path": "一", "position": np.linspace(0, 1, n)})
    fig = plot_item_positions(pos, pd.DataFrame({"document": ["d"], "path": ["一"], "position": [0.0]}))
    drawn = {t.name: len(t.x) for t in fig.data}
    assert drawn == {"人才": 1001, "基层": 1001}  # every thousandth 0.000 … 1.000 holds hits of both
    few = plot_item_positions(pos.head(MAX_TICKS), pd.DataFrame({"document": ["d"], "path": ["一"], "position": [0.0]}))
    assert sum(len(t.x) for t in few.data) == MAX_TICKS
