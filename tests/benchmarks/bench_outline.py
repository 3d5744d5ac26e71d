"""Outline stage benchmark, run on demand (never in CI): ``.venv/bin/python tests/benchmarks/bench_outline.py``.

``[--sizes 4 16] [--repeat 5] [--against REV]``

Times ``parse_outline(text)`` plus ``text_section_lengths(text, outline=parsed)`` on one
generated speech-like document per size (the seed's paragraphs shuffled and repeated, as
in ``bench_scale.py``; loaded with ``load_corpus`` from a temporary file, deleted
afterwards) and prints MB/s (10**6 bytes of UTF-8 per second, best of ``--repeat`` runs,
CPU time of this process) and the cost per MB relative to the smallest size (1.0 when
the cost is linear in size).

``--against REV`` also times the outline module of git revision ``REV`` (e.g. ``HEAD~3``
or the merge base) in the same run, on the same texts, and prints the speed-up and
whether the two give the same outline and section table. The module is loaded from
``git show REV:analysis/text/outline.py`` into a temporary folder; it must still run
against today's ``analysis.chars``.

Issue 15 asks this stage to be at least 3 times as fast as before and linear in size.
Measured on 2026-11-30 (2 shared cores, AMD EPYC, Python 3.11), ``--against 0c2a1c4``
(the code before the change), best of 5: 4 MB 50.5 MB/s against 7.3 (6.9 times),
16 MB 46.4 MB/s against 7.4 (6.2 times), cost per MB at 16 MB 1.09 times that at 4 MB
(1.05 with the garbage collector off: a full collection of the heap lands in the 16 MB
run), outline and table identical.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import speech_like  # noqa: E402

from analysis.io.corpus import load_corpus  # noqa: E402
from analysis.text import outline  # noqa: E402


def old_module(rev: str, folder: Path):
    source = subprocess.run(["git", "show", f"{rev}:analysis/text/outline.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = folder / "outline_at_rev.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("outline_at_rev", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def run(module, text: str, repeat: int) -> tuple[float, float, object, pd.DataFrame]:
    """Best CPU seconds of parse_outline and of text_section_lengths, and their last results."""
    module.parse_outline("一、甲\n二、乙")  # build the module's tables outside the timing
    best_parse = best_lengths = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        parsed = module.parse_outline(text)
        t1 = time.process_time()
        table = module.text_section_lengths(text, document="d", outline=parsed)
        t2 = time.process_time()
        best_parse, best_lengths = min(best_parse, t1 - t0), min(best_lengths, t2 - t1)
    return best_parse, best_lengths, parsed, table


def same(a, b, table_a: pd.DataFrame, table_b: pd.DataFrame) -> bool:
    fields = lambda o: ([dataclasses.astuple(n) for n in o.nodes], o.announced,  # noqa: E731
                        [dataclasses.astuple(i) for i in o.issues], o.length, o.closing_points, o.pieces())
    try:
        pd.testing.assert_frame_equal(table_a, table_b, check_exact=True)
    except AssertionError:
        return False
    return fields(a) == fields(b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="*", default=[4, 16], help="MB of generated text")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="git revision whose outline module to time too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = old_module(args.against, folder) if args.against else None
        base = None
        print(f"{'MB':>6} {'parse s':>8} {'lengths s':>9} {'MB/s':>7} {'cost/MB':>7}"
              + (f" | {args.against + ' MB/s':>14} {'speed-up':>8} same" if old else ""))
        for size in args.sizes:
            path = folder / f"speech-{size:g}mb.txt"
            path.write_text(speech_like(size), encoding="utf-8")
            text = load_corpus([path])["text"].iloc[0]
            path.unlink()
            mb = len(text.encode("utf-8")) / 1e6
            parse_s, lengths_s, parsed, table = run(outline, text, args.repeat)
            total = parse_s + lengths_s
            base = base or total / mb
            line = f"{mb:6.1f} {parse_s:8.3f} {lengths_s:9.3f} {mb / total:7.1f} {total / mb / base:7.2f}"
            if old:
                old_parse, old_lengths, old_parsed, old_table = run(old, text, args.repeat)
                old_total = old_parse + old_lengths
                line += (f" | {mb / old_total:14.1f} {old_total / total:8.1f} "
                         f"{'yes' if same(parsed, old_parsed, table, old_table) else 'NO'}")
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
