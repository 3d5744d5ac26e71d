"""Wall-clock linearity, run on demand (never in CI): ``.venv/bin/python tests/benchmarks/bench_linear.py``.

Moved from tests/test_scaling.py (tests count work, never time). Each case times a stage on
the seed (or a generated unit) repeated k and 4k times, best of three, in the same run, and
prints the ratio: about 4 when the cost is linear, about 16 when quadratic. A ratio above the
bound is reported as SLOW (the exit status is 1). On a busy machine the ratios are noisy:
rerun when the load average is low.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from analysis.paths import corpus_dir  # noqa: E402
from analysis.text import outline  # noqa: E402
from analysis.text.segment import make_tokenizer  # noqa: E402

SEED = (corpus_dir() / "organization-work-speech.txt").read_text(encoding="utf-8")


def _best_time(func, arg, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        func(arg)
        best = min(best, time.perf_counter() - t)
    return best


def ratio(func, small, large, repeat: int = 3) -> float:
    func(small)  # warm up
    return _best_time(func, large, repeat) / _best_time(func, small, repeat)


def cases():
    """(name, ratio, bound) for each stage; the comments give the ratios measured before each fix."""
    yield "outline, seed 4x->16x (16.4 before the fix)", ratio(outline.parse_outline, SEED * 4, SEED * 16), 8
    unit = "甲。第一，乙。" * 2000
    yield "outline, unconfirmed enumerations (14.6 before)", ratio(outline.parse_outline, unit * 4, unit * 16), 8
    for label, unit in [
        ("restarts and later lists", "第一，甲。第二，乙。第三，丙。\n同志们！\n一是丁。二是戊。三是己。\n庚。\n" * 300),
        ("the same, line breaks lost", "第一，甲。第二，乙。第三，丙。同志们！一是丁。二是戊。三是己。庚。" * 300),
        ("dash-led parts", "——我们要做到甲。\n乙。\n" * 1000),
    ]:
        yield f"outline, {label}", ratio(outline.parse_outline, unit * 4, unit * 16), 8
    small, large = SEED * 4, SEED * 16
    parsed = {text: outline.parse_outline(text) for text in (small, large)}
    yield "section lengths", ratio(lambda text: outline.text_section_lengths(text, outline=parsed[text]), small, large), 8
    seg = make_tokenizer()
    yield "formula layer, 8x->64x (bound 16)", ratio(seg.formula_spans, SEED * 8, SEED * 64), 16
    from analysis.features import features

    yield "features", ratio(features, {"id": "s", "text": SEED * 4}, {"id": "l", "text": SEED * 16}, repeat=2), 8


def main() -> int:
    import os

    print(f"load average {os.getloadavg()[0]:.1f}")
    slow = 0
    for name, value, bound in cases():
        flag = "ok" if value < bound else "SLOW"
        slow += flag == "SLOW"
        print(f"{value:6.2f}  (bound {bound})  {flag}  {name}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
