"""Peak memory of ``report`` (the CLI process and every Jupyter kernel it starts), run on demand (never in CI).

``.venv/bin/python tests/benchmarks/bench_report_memory.py [--input big|many|both] [--mb 64] [--files 1000]
[--file-kb 100] [--keep DIR] [--project DIR] [--notebooks 01 02 ...]``

Inputs, generated into a temporary folder (or ``--keep DIR``, reused when already there):

* ``big``: one ``.txt`` of ``--mb`` MiB (default 64, the documented ``--max-document-mb`` cap) made of
  the seed's paragraphs shuffled and repeated (seeded, so every run reads the same text);
* ``many``: ``--files`` speeches (default 1,000) of ``--file-kb`` KB each, made the same way.

For each input it runs ``python -m analysis report --corpus DIR --out OUT`` in a fresh process with a
cold feature and render cache, and samples every 0.2 s (psutil) the resident memory of that process and
of all its descendants. It prints the peak of the whole tree, the CLI process's own peak, and the peak
of each kernel (kernels start one after the other, one per notebook, in the order the report runs them,
so the n-th kernel is the n-th notebook), the tree's peak PSS (shared pages counted once: Chromium's
processes share most of theirs) and its parts at that moment (the CLI, the kernel running, the other processes) and the largest other processes (Chromium), with the wall time of each notebook from the report's stderr.
``--limit-gb N`` runs the report under an address-space limit (a regression then fails with MemoryError
instead of taking a shared machine down), but Chromium reserves terabytes of address space and does not
start under it, so every chart's static render is then skipped (the charts' HTML and CSV are still
written): the figures in docs/performance.md were taken that way. Default: no limit. ``--project DIR`` measures another checkout (e.g.
``git worktree add /tmp/before main``) for before/after figures.

Results measured on the project's machine are in ``docs/performance.md`` (section "The report on big
inputs").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus" / "organization-work-speech.txt"
MIB = 1 << 20


def speech_like(size: int, seed: int) -> str:
    """Seed paragraphs, shuffled in blocks and repeated until ``size`` bytes of UTF-8 (no more)."""
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
    rng = random.Random(seed)
    out, used = [], 0
    while True:
        block = paragraphs[:]
        rng.shuffle(block)
        for p in block:
            n = len(p.encode("utf-8")) + 1
            if used + n > size:
                return "\n".join(out) + "\n"
            out.append(p)
            used += n


def make_inputs(folder: Path, *, which: str, mb: float, files: int, file_kb: float) -> Path:
    """Write the input corpus folder ``folder/<which>`` (kept when it is already there); return it."""
    target = folder / which
    if target.is_dir() and any(target.iterdir()):
        return target
    target.mkdir(parents=True, exist_ok=True)
    if which == "big":
        (target / "big-speech.txt").write_text(speech_like(int(mb * MIB) - 1024, seed=22), encoding="utf-8")
    else:
        for i in range(files):
            (target / f"speech-{i:05d}.txt").write_text(speech_like(int(file_kb * 1000), seed=1000 + i),
                                                        encoding="utf-8")
    return target


class TreeSampler(threading.Thread):
    """Samples the RSS of a process and its descendants: the tree's peak and each process's own peak.

    Every ``pss_every``-th sample also sums the tree's PSS (proportional set size: a page shared by n
    processes counts 1/n in each), which counts Chromium's many processes' shared pages once, as the
    machine does; the RSS sum counts them once per process.
    """

    def __init__(self, pid: int, every: float = 0.2, live: Path | None = None, pss_every: int = 5):
        super().__init__(daemon=True)
        self.pss_every = pss_every
        self.tree_pss_peak = 0
        self.pss_at_peak: dict[str, int] = {}
        self.samples = 0
        self.live = live
        self.root = psutil.Process(pid)
        self.every = every
        self.stop = threading.Event()
        self.tree_peak = 0
        self.peaks: dict[int, int] = {}
        self.kinds: dict[int, str] = {}
        self.started: dict[int, float] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    if p.pid not in self.kinds:
                        line = " ".join(p.cmdline())
                        # a kernel is a child of the CLI (a worker forked by a kernel keeps its command line)
                        self.kinds[p.pid] = ("kernel" if "ipykernel" in line and p.ppid() == self.root.pid else
                                             "cli" if p.pid == self.root.pid else "other")
                        self.started[p.pid] = p.create_time()
                except psutil.Error:
                    continue
                total += rss
                self.peaks[p.pid] = max(self.peaks.get(p.pid, 0), rss)
            self.tree_peak = max(self.tree_peak, total)
            self.samples += 1
            if self.samples % self.pss_every == 0:
                pss, parts = 0, {}
                for p in procs:
                    try:
                        one = p.memory_full_info().pss
                    except psutil.Error:
                        continue
                    pss += one
                    kind = self.kinds.get(p.pid, "other")
                    if kind == "kernel":  # which kernel: its place in the order they started (= the notebook)
                        kind = f"kernel {sorted((k for k, v in self.kinds.items() if v == 'kernel'), key=self.started.get).index(p.pid) + 1}"
                    parts[kind] = parts.get(kind, 0) + one
                if pss > self.tree_pss_peak:
                    self.tree_pss_peak, self.pss_at_peak = pss, parts
            if self.live is not None:  # peaks so far, for a run that is stopped before it ends
                kernels = sorted((p for p, k in self.kinds.items() if k == "kernel"), key=self.started.get)
                self.live.write_text(json.dumps({"tree_peak_mb": round(self.tree_peak / 1e6),
                                                 "tree_pss_peak_mb": round(self.tree_pss_peak / 1e6),
                                                 "kernel_peaks_mb": [round(self.peaks[p] / 1e6) for p in kernels],
                                                 "at": time.strftime("%H:%M:%S")}))
            self.stop.wait(self.every)


def measure(corpus: Path, *, project: Path, limit_gb: float, notebooks: list[str] | None,
            live: Path | None = None) -> dict:
    """Run ``report`` on ``corpus`` with cold caches; return peaks (MB) and per-notebook seconds."""
    limit = int(limit_gb * 1e9)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        env = {**os.environ, "ANALYSIS_CACHE_DIR": str(Path(tmp) / "cache"), "PYTHONUNBUFFERED": "1"}
        argv = [str(project / ".venv" / "bin" / "python"), "-m", "analysis", "report", "--corpus", str(corpus),
                "--out", str(Path(tmp) / "out")]
        if notebooks:
            code = ("import sys; from pathlib import Path; from analysis.output.report import run_notebooks;"
                    f"run_notebooks([p for p in sorted(Path('notebooks').glob('*.ipynb')) if p.name[:2] in "
                    f"{notebooks!r}], corpus={str(corpus)!r}, out={str(Path(tmp) / 'out')!r})")
            argv = [argv[0], "-c", code]
        began = time.perf_counter()
        load_before = os.getloadavg()
        cap = (lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))) if limit else None
        proc = subprocess.Popen(argv, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, preexec_fn=cap)
        sampler = TreeSampler(proc.pid, live=live)
        sampler.start()
        out, err = proc.communicate()
        sampler.stop.set()
        sampler.join()
        seconds = time.perf_counter() - began
    kernels = sorted((pid for pid, kind in sampler.kinds.items() if kind == "kernel"), key=sampler.started.get)
    timings = [line.strip() for line in err.splitlines() if line.startswith("[") or "skipped:" in line]
    return {
        "status": proc.returncode, "seconds": round(seconds, 1), "load": [load_before, os.getloadavg()],
        "tree_peak_mb": round(sampler.tree_peak / 1e6), "tree_pss_peak_mb": round(sampler.tree_pss_peak / 1e6),
        "tree_pss_at_peak_mb": {k: round(v / 1e6) for k, v in sorted(sampler.pss_at_peak.items())},
        "cli_peak_mb": round(sampler.peaks.get(proc.pid, 0) / 1e6),
        "other_peaks_mb": sorted((round(v / 1e6) for pid, v in sampler.peaks.items()
                                  if sampler.kinds.get(pid) == "other"), reverse=True)[:6],
        "kernel_peaks_mb": [round(sampler.peaks[pid] / 1e6) for pid in kernels],
        "notebooks": timings, "stderr_tail": err.strip().splitlines()[-3:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", choices=["big", "many", "both"], default="both")
    parser.add_argument("--mb", type=float, default=64.0, help="size of the big document in MiB")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--file-kb", type=float, default=100.0)
    parser.add_argument("--keep", type=Path, help="write (or reuse) the inputs here instead of a temporary folder")
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout whose report is measured")
    parser.add_argument("--limit-gb", type=float, default=0.0,
                        help="address-space limit per process (0: none; a limit keeps Chromium from starting)")
    parser.add_argument("--notebooks", nargs="*", help="two-digit prefixes of the notebooks to run (default all)")
    parser.add_argument("--live", type=Path, help="keep the peaks so far in this file (<input>.json) while running")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-inputs-"))
    results = {}
    for which in (["big", "many"] if args.input == "both" else [args.input]):
        corpus = make_inputs(folder, which=which, mb=args.mb, files=args.files, file_kb=args.file_kb)
        size = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
        live = args.live.with_name(f"{args.live.stem}-{which}.json") if args.live else None
        result = measure(corpus, project=args.project.resolve(), limit_gb=args.limit_gb, notebooks=args.notebooks,
                         live=live)
        results[which] = {"mb": round(size, 1), **result}
        print(json.dumps({which: results[which]}, ensure_ascii=False, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
