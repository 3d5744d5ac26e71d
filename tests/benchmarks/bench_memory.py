"""Peak memory of the command line on one big document, run on demand (never in CI).

``.venv/bin/python tests/benchmarks/bench_memory.py [--mb 50] [--char 党] [--commands corpus terms]
[--project DIR] [-- EXTRA CLI ARGS]``

Writes a file of ``--mb`` megabytes (10**6 bytes) of one repeated character into a
temporary folder (nothing is written into the repository), then runs
``python -m analysis <command> FILE`` for each command in a fresh process and prints
its peak resident memory (``ru_maxrss`` of that process, read with
``resource.getrusage(RUSAGE_CHILDREN)`` in a wrapper process of its own, so runs do
not see each other's peaks), its wall time and its exit status. The child runs with
an address-space limit (``--limit-gb``, default 12) so that a regression fails with
MemoryError instead of taking a shared machine down. The feature cache goes to a
temporary folder.

``--rows N`` writes a CSV corpus of N short rows instead (``id,text``, one sentence each),
the case where progress matters: run it on a terminal to see the loading count.

``--project DIR`` runs the command line of another checkout (e.g. the starting
commit, unpacked with ``git archive``), for before/after figures.

Figures measured (2 cores, 23 GB, Python 3.11) are in the README, section "Untrusted files and exported tables".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRAPPER = r"""
import json, resource, subprocess, sys
limit = int(sys.argv[1])
cmd = sys.argv[2:]
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
with open("/dev/null", "wb") as sink:
    proc = subprocess.run(cmd, stdout=sink, stderr=subprocess.PIPE, preexec_fn=cap)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if proc.stderr else []
print(json.dumps({"status": proc.returncode, "peak_mb": peak_kb / 1024, "stderr": tail}))
"""


def make_file(folder: Path, megabytes: float, char: str) -> Path:
    """Write ``megabytes`` MB of ``char`` (UTF-8) in 1 MB pieces; return the file."""
    unit = char.encode("utf-8")
    total = int(megabytes * 1_000_000) // len(unit)
    path = folder / f"one-char-{int(megabytes)}mb.txt"
    block = unit * (1_000_000 // len(unit))
    per_block = len(block) // len(unit)
    with path.open("wb") as fh:
        left = total
        while left > 0:
            n = min(left, per_block)
            fh.write(block[: n * len(unit)])
            left -= n
    return path


def make_rows(folder: Path, rows: int) -> Path:
    """Write a CSV corpus of ``rows`` short rows; return the file."""
    path = folder / f"rows-{rows}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,text\n")
        for i in range(rows):
            fh.write(f"r{i},第{i}条：加强基层组织建设。\n")
    return path


def measure(command: list[str], *, cwd: Path, env: dict, limit_gb: float) -> dict:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, str(int(limit_gb * 2**30)), *command],
                         capture_output=True, text=True, cwd=cwd, env=env, check=True)
    result = json.loads(out.stdout)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--char", default="党")
    parser.add_argument("--rows", type=int, default=0, help="a CSV of this many short rows instead")
    parser.add_argument("--commands", nargs="+", default=["corpus", "terms"])
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--limit-gb", type=float, default=12)
    parser.add_argument("extra", nargs="*", help="extra arguments for every command (after --)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        folder = Path(tmp)
        path = make_rows(folder, args.rows) if args.rows else make_file(folder, args.mb, args.char)
        env = dict(os.environ, ANALYSIS_CACHE_DIR=str(folder / "cache"), PYTHONPATH=str(args.project))
        size = path.stat().st_size
        what = f"{args.rows:,} rows" if args.rows else f"{args.char!r}"
        print(f"{path.name}: {size:,} bytes of {what}; project {args.project}")
        for name in args.commands:
            cmd = [sys.executable, "-m", "analysis", name, str(path), *args.extra]
            r = measure(cmd, cwd=args.project, env=env, limit_gb=args.limit_gb)
            print(f"{name:8s} status {r['status']}  peak RSS {r['peak_mb']:8.0f} MB "
                  f"({r['peak_mb'] * 2**20 / size:5.1f}× the file)  {r['seconds']:7.1f} s  {' '.join(r['stderr'])[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
