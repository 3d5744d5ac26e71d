"""Issue 23's targets, each measured in one run and printed as a Markdown table, run on demand (never in CI).

``.venv/bin/python tests/benchmarks/bench_targets.py [--speeches 300] [--big-mb 64] [--kwic-mb 8]
[--tiny 500] [--only memory speed files workers warm kwic dask]``

Every command is a whole process (``python -m analysis ...`` under ``/usr/bin/time -v``: peak
RSS, user + system CPU seconds of the process and the children it waited for, wall seconds),
each with a cold cache of its own unless a row says warm (then the same command once more on
that cache). Inputs, written into a temporary folder, nothing into the repository:

* real text: every text of ``../shared/corpora/*.jsonl`` as one ``.txt`` file each (skipped,
  and said, when ``../shared`` is missing), with ``jieba.lcut`` + ``Counter`` and
  ``rjieba.cut`` + ``Counter`` on the same texts as baselines, in the same run;
* speech-like text (the seed's paragraphs shuffled, :func:`bench_scale.speech_like`):
  ``--speeches`` speeches of 100 KB, one file of ``--big-mb`` MB, one of ``--kwic-mb`` MB (with
  and without 〇 in every paragraph), and ``--tiny`` files of one paragraph each.

The machine is shared: read the load average printed with the table, and compare ratios
within one run rather than absolute figures across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_issue23 import write_speeches  # noqa: E402
from bench_scale import BASELINE_JIEBA, BASELINE_RJIEBA, SEED, speech_like  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
SHARED = Path(os.environ.get("ANALYSIS_SHARED_DIR", ROOT.parent / "shared"))
MIB = 2**20


def run(argv: list[str], cache: Path | None = None, stdout: Path | None = None) -> dict:
    """Peak RSS (MB), CPU (user + system, s) and wall seconds of one whole process."""
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(cache)} if cache else dict(os.environ)
    start = time.perf_counter()
    with open(stdout or os.devnull, "w") as out:
        done = subprocess.run(["/usr/bin/time", "-v", *map(str, argv)], cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    log = done.stderr

    def field(name: str) -> float:
        return float(re.search(rf"{name}: ([0-9.]+)", log).group(1))

    if done.returncode != 0:
        raise RuntimeError(f"{argv[:6]} failed ({done.returncode}): {log[-1500:]}")
    return {"peak_mb": field(r"Maximum resident set size \(kbytes\)") / 1024, "wall_s": wall,
            "cpu_s": field(r"User time \(seconds\)") + field(r"System time \(seconds\)")}


def analysis(*argv) -> list:
    return [PYTHON, "-m", "analysis", *argv]


def mb_of(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, target: str, measured: str, met: bool | None, note: str = "") -> None:
        verdict = "—" if met is None else ("met" if met else "**not met**")
        self.rows.append((target, measured, verdict, note))
        print(f"| {target} | {measured} | {verdict} | {note} |", flush=True)


def real_texts(folder: Path) -> Path | None:
    """The shared corpora's texts, one file each, or None without ../shared."""
    files = sorted((SHARED / "corpora").glob("*.jsonl"))
    if not files:
        return None
    folder.mkdir(parents=True)
    n = 0
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") or ""
            if text.strip():
                (folder / f"text-{n:04d}.txt").write_text(text, encoding="utf-8")
                n += 1
    return folder


def baseline(script: str, folder: Path, tmp: Path) -> dict:
    """A baseline segmenter + Counter over the same texts (one process)."""
    joined = tmp / f"joined-{folder.name}.txt"
    joined.write_text("\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))), encoding="utf-8")
    return run([PYTHON, "-c", script, joined])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeches", type=int, default=300)
    parser.add_argument("--big-mb", type=float, default=64)
    parser.add_argument("--kwic-mb", type=float, default=8)
    parser.add_argument("--tiny", type=int, default=500)
    parser.add_argument("--only", nargs="*", default=["memory", "speed", "files", "workers", "warm", "kwic", "dask"])
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    table = Table()
    print("| target | measured | | notes |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-targets-") as tmp:
        tmp = Path(tmp)
        speeches = tmp / "speeches"
        mb = write_speeches(speeches, args.speeches)
        big = tmp / "big.txt"
        if {"memory", "warm"} & set(args.only):
            big.write_text(speech_like(args.big_mb), encoding="utf-8")
        if "memory" in args.only:
            for command in ("terms", "themes"):
                r = run(analysis(command, speeches), tmp / f"c-mem-{command}")
                limit = 300 + 2 * mb * 1e6 / MIB
                table.add(f"`{command}` over {args.speeches} speeches ({mb:.1f} MB) ≤ 300 MB + 2 MiB/MB = {limit:,.0f} MB",
                          f"{r['peak_mb']:,.0f} MB ({r['cpu_s']:.1f} CPU-s)", r["peak_mb"] <= limit)
        if {"memory", "warm"} & set(args.only):
            cache = tmp / "c-big"
            cold = run(analysis("terms", big), cache)
            warm = run(analysis("terms", big), cache)
            big_mb = mb_of(big)
            if "memory" in args.only:
                table.add(f"`terms` on one {big_mb:.0f} MB file ≤ 1,000 MB", f"cold {cold['peak_mb']:,.0f} MB, "
                          f"warm {warm['peak_mb']:,.0f} MB", max(cold["peak_mb"], warm["peak_mb"]) <= 1000)
            if "warm" in args.only:
                rate = big_mb / warm["wall_s"]
                table.add(f"warm `terms` on one {big_mb:.0f} MB file ≥ 50 MB/s",
                          f"{rate:.1f} MB/s ({warm['wall_s']:.1f} s; cold {cold['wall_s']:.1f} s)", rate >= 50)
        if "speed" in args.only:
            real = real_texts(tmp / "real")
            if real is None:
                table.add("cold `terms` ≥ 5 MB/CPU-s on real text", "not measured: ../shared is missing", None)
            else:
                real_mb = mb_of(real)
                r = run(analysis("terms", real), tmp / "c-real")
                jb, rj = baseline(BASELINE_JIEBA, real, tmp), baseline(BASELINE_RJIEBA, real, tmp)
                rate = real_mb / r["cpu_s"]
                table.add(f"cold `terms` ≥ 5 MB/CPU-s on real text ({real_mb:.2f} MB, the shared corpora's 175 texts)",
                          f"{rate:.2f} MB/CPU-s ({r['cpu_s']:.1f} CPU-s)", rate >= 5,
                          f"jieba.lcut+Counter {real_mb / jb['cpu_s']:.2f} MB/CPU-s, rjieba.cut+Counter "
                          f"{real_mb / rj['cpu_s']:.2f} MB/CPU-s in this run")
            plain = tmp / "plain.txt"
            zero = tmp / "zero.txt"
            text = speech_like(args.kwic_mb / 2, seed=23)
            plain.write_text(text, encoding="utf-8")
            zero.write_text("\n".join(p + "二〇二三年" if p else p for p in text.split("\n")), encoding="utf-8")
            a = run(analysis("terms", plain), tmp / "c-plain")
            b = run(analysis("terms", zero), tmp / "c-zero")
            ratio = (b["cpu_s"] / mb_of(zero)) / (a["cpu_s"] / mb_of(plain))
            table.add("the 〇 path as fast as the rest (CPU-s per MB, 〇 in every paragraph ÷ none)",
                      f"{ratio:.2f}× ({b['cpu_s']:.1f} and {a['cpu_s']:.1f} CPU-s)", ratio <= 1.1)
        if "files" in args.only:
            tiny = tmp / "tiny"
            tiny.mkdir()
            paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
            texts = [paragraphs[i % len(paragraphs)] for i in range(args.tiny)]
            for i, t in enumerate(texts):
                (tiny / f"t-{i:05d}.txt").write_text(t + "\n", encoding="utf-8")
            one = tmp / "tiny-one.txt"
            one.write_text("\n".join(texts) + "\n", encoding="utf-8")
            many = run(analysis("terms", tiny), tmp / "c-tiny")
            single = run(analysis("terms", one), tmp / "c-tiny-one")
            per_file = (many["cpu_s"] - single["cpu_s"]) / args.tiny * 1000
            table.add(f"fixed cost per file ≤ 5 ms (`terms` on {args.tiny} one-paragraph files − on one file of the same text)",
                      f"{per_file:.1f} ms ({many['cpu_s']:.1f} − {single['cpu_s']:.1f} CPU-s)", per_file <= 5)
        if "workers" in args.only:
            one = run(analysis("terms", speeches, "--workers", "1"), tmp / "c-w1")
            two = run(analysis("terms", speeches, "--workers", "2"), tmp / "c-w2")
            ratio = one["wall_s"] / two["wall_s"]
            table.add(f"two workers ≥ 1.8× one (`terms`, {args.speeches} speeches, cold, wall time)",
                      f"{ratio:.2f}× ({one['wall_s']:.1f} s → {two['wall_s']:.1f} s)", ratio >= 1.8,
                      f"load average {os.getloadavg()[0]:.1f} after")
        if "warm" in args.only:
            cache = tmp / "c-warm-many"
            run(analysis("terms", speeches), cache)
            warm = run(analysis("terms", speeches), cache)
            rate = mb / warm["wall_s"]
            table.add(f"warm `terms` over {args.speeches} speeches ≥ 20 MB/s", f"{rate:.1f} MB/s ({warm['wall_s']:.1f} s)",
                      rate >= 20)
        if "kwic" in args.only:
            seed_text = SEED.read_text(encoding="utf-8")
            repeated = tmp / "kwic.txt"
            repeated.write_text(seed_text * max(1, int(args.kwic_mb * 1e6 / len(seed_text.encode("utf-8")))),
                                encoding="utf-8")
            cache = tmp / "c-kwic"
            run(analysis("terms", repeated), cache)
            run(analysis("kwic", repeated, "人才"), cache)
            terms = run(analysis("terms", repeated), cache)
            kwic = run(analysis("kwic", repeated, "人才"), cache)
            ratio = kwic["cpu_s"] / terms["cpu_s"]
            table.add(f"warm `kwic 人才` ≤ 2× warm `terms` on the same file ({mb_of(repeated):.1f} MB of the seed repeated)",
                      f"{ratio:.2f}× ({kwic['cpu_s']:.1f} and {terms['cpu_s']:.1f} CPU-s)", ratio <= 2)
        if "dask" in args.only:
            local_out, dask_out = tmp / "local.csv", tmp / "dask.csv"
            local = run(analysis("terms", speeches, "--workers", "2"), tmp / "c-local", local_out)
            dask = run(analysis("terms", speeches, "--workers", "2", "--backend", "dask"), tmp / "c-dask", dask_out)
            same = local_out.read_bytes() == dask_out.read_bytes()
            ratio = dask["cpu_s"] / local["cpu_s"]
            table.add(f"`--backend dask` ≤ 1.1× the local CPU, byte-identical (`terms`, {args.speeches} speeches, "
                      "two workers, cold)", f"{ratio:.2f}× ({dask['cpu_s']:.1f} and {local['cpu_s']:.1f} CPU-s); "
                      f"output {'identical' if same else 'DIFFERENT'}", ratio <= 1.1 and same,
                      f"peak RSS of the client {dask['peak_mb']:,.0f} MB (local {local['peak_mb']:,.0f} MB)")
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
