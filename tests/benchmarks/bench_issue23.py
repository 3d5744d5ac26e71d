"""Memory and CPU of ``terms``/``themes``, before and after, side by side (issue 23), run on demand (never in CI).

``.venv/bin/python tests/benchmarks/bench_issue23.py [--speeches 100 300] [--big-mb 16]
[--commands terms themes] [--before DIR] [--warm]``

Writes speech-like text into a temporary folder (the seed's paragraphs shuffled into
speeches of 100 KB, seeded: every run reads the same text; and one file of ``--big-mb``
MB), then runs ``python -m analysis COMMAND PATH`` under ``/usr/bin/time -v`` for this
checkout and, with ``--before DIR``, for another checkout (e.g. the starting commit
unpacked with ``git archive``), one after the other, each with a cold cache of its own
(``--warm``: then once more on the same cache). Prints peak RSS (MB), user + system CPU
seconds, MB of text per CPU-second, and the memory target of the issue (300 MB + 2 MiB
per MB of text; one 64 MB file within 1 GB). The machine is shared: compare the ratios
within one run, not absolute figures across runs. Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import speech_like  # noqa: E402


def write_speeches(folder: Path, count: int, kb: int = 100) -> float:
    """``count`` speeches of ``kb`` KB in ``folder``; returns the MB written."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        text = speech_like(kb / 1000, seed=1000 + i)
        (folder / f"speech-{i:04d}.txt").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total / 1e6


def timed(project: Path, argv: list[str], cache: Path) -> dict:
    """Peak RSS (MB) and user+sys CPU (s) of ``python -m analysis ARGV`` run in ``project``."""
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(cache)}
    python = project / ".venv" / "bin" / "python"
    out = subprocess.run(["/usr/bin/time", "-v", str(python), "-m", "analysis", *argv], cwd=project, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = out.stderr

    def field(name: str) -> float:
        return float(re.search(rf"{name}: ([0-9.]+)", log).group(1))

    return {"status": out.returncode, "peak_mb": field(r"Maximum resident set size \(kbytes\)") / 1024,
            "cpu_s": field(r"User time \(seconds\)") + field(r"System time \(seconds\)")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeches", type=int, nargs="*", default=[100, 300])
    parser.add_argument("--big-mb", type=float, default=16)
    parser.add_argument("--commands", nargs="+", default=["terms", "themes"])
    parser.add_argument("--before", type=Path, help="another checkout to run first (its .venv)")
    parser.add_argument("--warm", action="store_true", help="run each command a second time on its cache")
    args = parser.parse_args()
    projects = ([("before", args.before)] if args.before else []) + [("after", ROOT)]
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench23-") as tmp:
        tmp = Path(tmp)
        inputs = []
        for n in args.speeches:
            inputs.append((f"{n} speeches", tmp / f"s{n}", write_speeches(tmp / f"s{n}", n)))
        if args.big_mb:
            big = tmp / "big.txt"
            big.write_text(speech_like(args.big_mb), encoding="utf-8")
            inputs.append((f"one {args.big_mb:g} MB file", big, big.stat().st_size / 1e6))
        for label, path, mb in inputs:
            for command in args.commands:
                target = 300 + 2 * mb * 1e6 / 2**20
                row = []
                for name, project in projects:
                    cache = tmp / f"cache-{name}-{command}-{path.name}"
                    runs = [timed(project, [command, str(path)], cache)]
                    if args.warm:
                        runs.append(timed(project, [command, str(path)], cache))
                    for kind, r in zip(("cold", "warm"), runs):
                        row.append(f"{name} {kind}: {r['peak_mb']:,.0f} MB, {r['cpu_s']:.1f} CPU-s "
                                   f"({mb / max(r['cpu_s'], 1e-9):.2f} MB/CPU-s){'' if r['status'] == 0 else ' FAILED'}")
                print(f"{command}, {label} ({mb:.1f} MB; target ≤ {target:,.0f} MB): " + "; ".join(row), flush=True)
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
