"""Scale benchmark, run on demand (never in CI): ``.venv/bin/python tests/benchmarks/bench_scale.py [--sizes 4 16 40]``.

Whole processes, cold caches, on generated speech-like text: the seed's paragraphs
shuffled and repeated (seeded, so every run reads the same text) to 4, 16 and 40 MB,
written to a temporary folder and deleted afterwards. Nothing from ../shared is written
anywhere. For each size it runs, one after the other in this run:

* ``python -m analysis terms FILE`` (load, normalize, outline, segment, count);
* ``jieba.lcut`` + ``Counter`` and ``rjieba.cut`` + ``Counter`` on the same file (HMM on), each a whole process,

and prints MB/s, peak RSS (MB, and MB per MB of text) and the ratio of ``terms`` to each
baseline. Then, in this process, ``build_features`` on ../shared/corpora (when present):
cold with one worker, cold with two, warm, and warm after changing one document.

Targets (issue 15) are printed beside each figure; the script exits 0 either way, since
a shared machine's load moves absolute figures (the ratios are what to compare).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus" / "organization-work-speech.txt"

BASELINE_JIEBA = (
    "import sys, collections, jieba, logging\n"
    "jieba.setLogLevel(logging.ERROR)\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "print(len(collections.Counter(jieba.lcut(text))))\n"
)
BASELINE_RJIEBA = (
    "import sys, collections, rjieba\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "print(len(collections.Counter(rjieba.cut(text, True))))\n"
)


def speech_like(megabytes: float, seed: int = 15) -> str:
    """Seed paragraphs, shuffled in blocks and repeated until ``megabytes`` of UTF-8."""
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
    rng = random.Random(seed)
    target = int(megabytes * 1e6)
    out, size = [], 0
    while size < target:
        block = paragraphs[:]
        rng.shuffle(block)
        for p in block:
            out.append(p)
            size += len(p.encode("utf-8")) + 1
            if size >= target:
                break
    return "\n".join(out) + "\n"


def run_measured(argv: list[str], env: dict) -> tuple[float, float]:
    """Run a whole process and return (seconds, its own peak RSS in MB) using os.wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:4]} failed ({proc.returncode}): {err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def bench_terms(sizes: list[float]) -> dict:
    python = sys.executable
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for mb in sizes:
            path = Path(tmp) / f"speech-{mb:g}mb.txt"
            path.write_text(speech_like(mb), encoding="utf-8")
            real_mb = path.stat().st_size / 1e6
            env = {**os.environ, "ANALYSIS_CACHE_DIR": tempfile.mkdtemp(prefix="cache-", dir=tmp)}
            row = {"mb": real_mb}
            row["terms"] = run_measured([python, "-m", "analysis", "terms", str(path)], env)
            row["jieba"] = run_measured([python, "-c", BASELINE_JIEBA, str(path)], env)
            row["rjieba"] = run_measured([python, "-c", BASELINE_RJIEBA, str(path)], env)
            results[mb] = row
            t, rss = row["terms"]
            print(f"{real_mb:6.1f} MB  terms {t:7.1f} s {real_mb / t:6.2f} MB/s peak {rss:6.0f} MB "
                  f"({rss / real_mb:5.1f} MB/MB) | jieba.lcut+Counter {row['jieba'][0]:7.1f} s "
                  f"({row['jieba'][0] / t:5.2f}x terms' speed) | rjieba.cut+Counter {row['rjieba'][0]:6.1f} s "
                  f"({row['rjieba'][0] / t:5.2f}x)", flush=True)
    return results


def bench_features() -> dict:
    sys.path.insert(0, str(ROOT))
    from analysis import paths

    corpora = paths.shared_dir() / "corpora"
    if not corpora.is_dir():
        print("../shared/corpora missing: build_features benchmark skipped")
        return {}
    os.environ["ANALYSIS_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-features-")
    from analysis.features import build_features
    from analysis.io.corpus import load_corpus

    t = time.perf_counter()
    docs = load_corpus(sorted(corpora.glob("*.jsonl")))
    load = time.perf_counter() - t
    mb = sum(len(x.encode("utf-8")) for x in docs["text"]) / 1e6
    out = {"documents": len(docs), "mb": mb, "load": load}
    t = time.perf_counter()
    build_features(docs, progress=False)
    out["cold_1"] = time.perf_counter() - t
    t = time.perf_counter()
    build_features(docs, progress=False)
    out["warm"] = time.perf_counter() - t
    changed = docs.copy()
    changed.loc[0, "text"] = changed.loc[0, "text"] + "\n抓好基层党建。"
    t = time.perf_counter()
    build_features(changed, progress=False)
    out["warm_one_changed"] = time.perf_counter() - t
    os.environ["ANALYSIS_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-features-")
    t = time.perf_counter()
    build_features(docs, progress=False, workers=2)
    out["cold_2"] = time.perf_counter() - t
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"build_features on ../shared/corpora: {len(docs)} documents, {mb:.2f} MB; load {mb / load:.2f} MB/s")
    for name, target in (("cold_1", 5.0), ("cold_2", None), ("warm", 100.0), ("warm_one_changed", None)):
        seconds = out[name]
        note = f"target >= {target:g} MB/s" if target else ""
        print(f"  {name:17s} {seconds:7.2f} s {mb / seconds:7.2f} MB/s  {note}")
    print(f"  two workers / one worker: {out['cold_1'] / out['cold_2']:.2f}x (target >= 1.6 on 100 MB of many documents)")
    print(f"  peak RSS of this process {out['peak_rss_mb']:.0f} MB")
    return out


def bench_corpus(megabytes: float, files: int) -> dict:
    """``terms`` on a folder of many generated speeches (whole processes): cold with one and two
    workers, warm, and warm after changing one file; peak RSS of the process tree."""
    python = sys.executable
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        folder = Path(tmp) / "speeches"
        folder.mkdir()
        per_file = megabytes / files
        for i in range(files):
            (folder / f"speech-{i:05d}.txt").write_text(speech_like(per_file, seed=1000 + i), encoding="utf-8")
        mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        caches = {name: tempfile.mkdtemp(prefix=f"cache-{name}-", dir=tmp) for name in ("one", "two")}

        def run(workers: int, cache: str) -> tuple[float, float]:
            env = {**os.environ, "ANALYSIS_CACHE_DIR": caches[cache]}
            return run_measured([python, "-m", "analysis", "terms", str(folder), "--workers", str(workers)], env)

        out["mb"] = mb
        out["cold_1"] = run(1, "one")
        out["cold_2"] = run(2, "two")
        out["warm"] = run(1, "two")
        first = sorted(folder.iterdir())[0]
        first.write_text(first.read_text(encoding="utf-8") + "\n抓好基层党建。\n", encoding="utf-8")
        out["warm_one_changed"] = run(1, "two")
    print(f"terms on a folder of {files} speeches, {mb:.1f} MB (whole process, streamed file by file):")
    for name, target in (("cold_1", None), ("cold_2", None), ("warm", 100.0), ("warm_one_changed", None)):
        seconds, rss = out[name]
        note = f"target >= {target:g} MB/s" if target else ""
        print(f"  {name:17s} {seconds:7.1f} s {mb / seconds:7.2f} MB/s  peak {rss:6.0f} MB  {note}")
    print(f"  two workers / one worker: {out['cold_1'][0] / out['cold_2'][0]:.2f}x (target >= 1.6)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="*", default=[4, 16, 40], help="MB of generated text")
    parser.add_argument("--skip-features", action="store_true")
    parser.add_argument("--corpus-mb", type=float, default=100, help="MB of the many-speeches folder (0: skip)")
    parser.add_argument("--corpus-files", type=int, default=1000, help="files in that folder")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f}")
    terms = bench_terms(args.sizes) if args.sizes else {}
    if len(terms) >= 2:
        sizes = sorted(terms)
        a, b = terms[sizes[0]], terms[sizes[1]]
        growth = (b["terms"][0] / a["terms"][0]) / (b["mb"] / a["mb"])
        print(f"cost growth {sizes[0]:g}->{sizes[1]:g} MB: {b['terms'][0] / a['terms'][0]:.2f}x time for "
              f"{b['mb'] / a['mb']:.2f}x text ({growth:.2f} per unit; target: 16 MB at most 4.4x 4 MB)")
    if not args.skip_features:
        bench_features()
    if args.corpus_mb:
        bench_corpus(args.corpus_mb, args.corpus_files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
