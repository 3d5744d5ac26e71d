"""Prepare ``lab/``, the folder ``make lab`` opens: your own copies of the notebooks.

JupyterLab autosaves what it shows. Opened on ``notebooks/`` it rewrites the committed
notebooks and their outputs within minutes; so ``make lab`` opens ``lab/`` instead (git
ignores it), holding a copy of each ``notebooks/NN_*.ipynb``. A copy is made only when
``lab/`` has none of that name: your edits and runs there are kept across ``make lab``.
The copies are unpaired (no jupytext ``.py`` beside them), so the file browser shows each
notebook once. ``lab/`` sits beside ``notebooks/``, so a path such as ``../my_speeches`` in
the parameters cell means the same folder in both.

Usage::

    python scripts/lab.py                 # copy what lab/ lacks
    python scripts/lab.py --fresh 03_terms   # replace lab/03_terms.ipynb by the committed one
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_notebooks(*, source: Path = ROOT / "notebooks", target: Path = ROOT / "lab",
                   fresh: tuple[str, ...] = ()) -> list[Path]:
    """Copy each ``source/NN_*.ipynb`` that ``target`` lacks (or that is named in ``fresh``), unpaired.

    Returns:
        The copies written.
    """
    target.mkdir(exist_ok=True)
    written = []
    for notebook in sorted(source.glob("[0-9][0-9]_*.ipynb")):
        copy = target / notebook.name
        if copy.exists() and notebook.stem not in fresh:
            continue
        data = json.loads(notebook.read_text(encoding="utf-8"))
        data.get("metadata", {}).pop("jupytext", None)  # no paired .py: one entry per notebook
        copy.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(copy)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", nargs="*", default=[], metavar="NOTEBOOK",
                        help="notebooks (e.g. 03_terms) to copy again over your copy in lab/")
    args = parser.parse_args(argv)
    written = copy_notebooks(fresh=tuple(Path(n).stem for n in args.fresh))
    for path in written:
        print(f"lab: copied {path.name}", file=sys.stderr)
    print(f"lab: {len(written)} notebook(s) copied into {ROOT / 'lab'}; your copies there are kept", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
