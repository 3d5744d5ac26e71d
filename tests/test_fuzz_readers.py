"""The fuzz suite of the readers (issue 22), run in a child process under resource limits.

``tests/fuzz_readers.py`` feeds every reader arbitrary and mutated bytes (random bytes
under each extension, mutated real ``.docx`` zips and XML parts, deep and huge JSON,
odd CSV) and counts every input whose answer is not a Document or a CorpusError naming
the file. The child runs with its address space limited to 3 GiB and its CPU time
limited, so an input that would exhaust memory or hang fails the test instead of the
machine; the timeout below is only a generous guard.

CI runs a short budget (``ANALYSIS_FUZZ_EXAMPLES``, default 100 examples per strategy,
500 inputs); a long run on demand::

    ANALYSIS_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz_readers.py
    python tests/fuzz_readers.py --examples 5000 --memory-mb 3072
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
EXAMPLES = int(os.environ.get("ANALYSIS_FUZZ_EXAMPLES", "100"))
MEMORY_MB = 3072


def _cpu_limit() -> None:  # in the child: at most 60 CPU seconds per 100 examples per strategy, and at least 120
    seconds = max(120, 60 * EXAMPLES // 100)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))


@pytest.mark.slow
def test_no_input_escapes_the_readers_or_their_bounds(tmp_path):
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(tmp_path / "cache"), "TMPDIR": str(tmp_path)}
    run = subprocess.run([sys.executable, str(HERE / "fuzz_readers.py"), "--examples", str(EXAMPLES),
                          "--memory-mb", str(MEMORY_MB)], env=env, capture_output=True, text=True,
                         preexec_fn=_cpu_limit, timeout=max(900, 9 * EXAMPLES))
    assert run.stdout.strip(), run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["inputs"] == 5 * EXAMPLES
    assert result["failures"] == [], result
    assert run.returncode == 0, run.stderr[-3000:]
    assert result["documents"] > 0 and result["problems"] > 0  # both answers were exercised
    print(f"fuzz: {result}")  # the numbers, shown with pytest -s
