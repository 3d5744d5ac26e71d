#!/usr/bin/env python3
"""Write environment.yml from constraints.txt: every pin of the pip environment, for conda.

Packages conda-forge carries are listed as conda packages (under their conda-forge name
where it differs from PyPI's); the few it does not carry go in the pip section, with the
same pins. Run by `make lock` after constraints.txt changes; tests/test_environment.py
fails when the two files disagree.

    python3 .ci/write-environment.py            # rewrite environment.yml
    python3 .ci/write-environment.py --check    # exit 1 when environment.yml is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: PyPI name (normalized) → conda-forge name, where they differ.
PYPI_TO_CONDA = {
    "kaleido": "python-kaleido",
    "tzdata": "python-tzdata",
    "fastjsonschema": "python-fastjsonschema",
    "jupyter-client": "jupyter_client",
    "jupyter-core": "jupyter_core",
    "jupyter-events": "jupyter_events",
    "jupyter-server": "jupyter_server",
    "jupyter-server-terminals": "jupyter_server_terminals",
    "jupyterlab-server": "jupyterlab_server",
    "jupyterlab-pygments": "jupyterlab_pygments",
    "prometheus-client": "prometheus_client",
    "typing-extensions": "typing_extensions",
    "pure-eval": "pure_eval",
    "stack-data": "stack_data",
}

#: Not on conda-forge (or not under a name we can vouch for): installed by pip inside the conda env.
PIP_ONLY = {
    "rjieba",
    "opencc-python-reimplemented",
    "fightin-words",
    "playwright",
    "jupyter-builder",
    "nest-asyncio2",
    "ipython-pygments-lexers",
}

HEADER = """\
# Conda environment for the workbook (conda-forge). Generated from constraints.txt by
# `python3 .ci/write-environment.py` (run by `make lock`): the same pins as the pip install,
# every package, direct and transitive; tests/test_environment.py keeps the files in step.
# Packages conda-forge does not carry are installed by pip inside the environment, pinned too.
#
#   conda env create -f environment.yml
#   conda activate speech-workbook
#   make report BIN=$CONDA_PREFIX/bin      # or: python -m analysis report
#
# System packages (Debian): chromium and fonts-noto-cjk; see .ci/system-packages.sh.
# On macOS and Windows an installed Chrome/Edge (BROWSER_PATH) and the system's CJK font do.
name: speech-workbook
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
"""


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_constraints(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalize(name)] = version.strip()
    return pins


def render(pins: dict[str, str]) -> str:
    conda = [f"  - {PYPI_TO_CONDA.get(n, n)}={v}" for n, v in sorted(pins.items()) if n not in PIP_ONLY]
    pip = [f"      - {n}=={v}" for n, v in sorted(pins.items()) if n in PIP_ONLY]
    return HEADER + "\n".join(conda) + "\n  - pip:\n" + "\n".join(pip + ["      - -e ."]) + "\n"


def main(argv: list[str]) -> int:
    text = render(read_constraints((ROOT / "constraints.txt").read_text(encoding="utf-8")))
    target = ROOT / "environment.yml"
    if "--check" in argv:
        if target.read_text(encoding="utf-8") != text:
            print("environment.yml is out of date: run python3 .ci/write-environment.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
