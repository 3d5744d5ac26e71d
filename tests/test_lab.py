"""``make lab`` works on copies in lab/: made when missing, kept afterwards, unpaired (one entry per notebook)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from analysis.paths import notebooks_dir, project_root

spec = importlib.util.spec_from_file_location("lab", project_root() / "scripts" / "lab.py")
lab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lab)


def test_copies_are_made_once_unpaired_and_kept(tmp_path):
    target = tmp_path / "lab"
    written = lab.copy_notebooks(target=target)
    committed = sorted(p.name for p in notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in written) == committed and len(committed) >= 6
    first = target / committed[0]
    data = json.loads(first.read_text(encoding="utf-8"))
    assert "jupytext" not in data["metadata"]  # no paired .py is written beside the copy
    original = json.loads((notebooks_dir() / committed[0]).read_text(encoding="utf-8"))
    assert [c["source"] for c in data["cells"]] == [c["source"] for c in original["cells"]]
    first.write_text(first.read_text(encoding="utf-8").replace("NOTEBOOK", "MINE", 1), encoding="utf-8")
    assert lab.copy_notebooks(target=target) == []  # your copy is kept
    assert "MINE" in first.read_text(encoding="utf-8")
    assert lab.copy_notebooks(target=target, fresh=(Path(committed[0]).stem,)) == [first]
    assert "MINE" not in first.read_text(encoding="utf-8")


def test_lab_is_ignored_by_git_and_make_lab_opens_it():
    assert "lab/" in (project_root() / ".gitignore").read_text(encoding="utf-8").split()
    makefile = (project_root() / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nlab: setup\n", 1)[1].split("\n\n", 1)[0]
    assert "scripts/lab.py" in recipe and "--ServerApp.root_dir=lab" in recipe and "notebooks" not in recipe
    assert '"*.py"' in makefile.split("LAB_HIDE :=", 1)[1].splitlines()[0]
