"""The layout is the pipeline: a module imports only from its own stage or an earlier one.

Stages, earliest first: foundation (paths, settings, chars, types, store, memory, …) → io → text →
features → stats → plots → output → cli. Every ``import``/``from … import`` of an
``analysis`` module is checked, including imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis.paths import project_root

PACKAGE = project_root() / "analysis"
STAGES = ["foundation", "io", "text", "features", "stats", "plots", "output", "cli"]
FOUNDATION = {"paths", "settings", "chars", "types", "store", "results", "calendar", "memo", "memory", "__init__"}
#: Top-level modules that belong to a stage: where compared speeches come from (features), and the
#: study and notebook setup that the notebooks and the report read (output).
TOP_LEVEL = {"profiles": "features", "speeches": "features", "cache_schema": "features", "study": "output", "notebook": "output",
             "explore": "output"}


def stage_of(module: str) -> str:
    """Stage of a dotted module name inside the package (``analysis.stats.themes`` → ``stats``)."""
    parts = module.split(".")
    assert parts[0] == "analysis", module
    head = parts[1] if len(parts) > 1 else "__init__"
    if head in FOUNDATION:
        return "foundation"
    if head in {"cli", "__main__"}:
        return "cli"
    if head in TOP_LEVEL:
        return TOP_LEVEL[head]
    if head in STAGES:
        return head
    raise AssertionError(f"module {module} belongs to no stage; add it to a subpackage or to FOUNDATION")


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every analysis import in a file; ``from analysis.x import y`` counts y when it is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "analysis"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "analysis":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                sub = PACKAGE.parent / Path(*candidate.split("."))
                found.append((node.lineno, candidate if sub.with_suffix(".py").exists() or sub.is_dir() else node.module))
    return found


def violations(package: Path = PACKAGE) -> list[str]:
    out = []
    for path in sorted(package.rglob("*.py")):
        mine = module_name(path)
        for line, other in imported_modules(path):
            if other == "analysis":
                continue
            if STAGES.index(stage_of(other)) > STAGES.index(stage_of(mine)):
                out.append(f"{path.relative_to(package.parent)}:{line}: {mine} ({stage_of(mine)}) imports "
                           f"{other} ({stage_of(other)}), a later stage")
    return out


def test_no_module_imports_a_later_stage():
    assert violations() == []


def test_every_module_has_a_stage():
    for path in PACKAGE.rglob("*.py"):
        stage_of(module_name(path))


def test_the_check_catches_an_upward_import(tmp_path):
    fake = tmp_path / "analysis"
    (fake / "io").mkdir(parents=True)
    (fake / "stats").mkdir()
    for p in ["__init__.py", "io/__init__.py", "stats/__init__.py", "stats/counts.py"]:
        (fake / p).write_text("", encoding="utf-8")
    (fake / "io" / "corpus.py").write_text("def f():\n    from analysis.stats import counts\n", encoding="utf-8")
    global PACKAGE
    saved, PACKAGE = PACKAGE, fake
    try:
        found = violations(fake)
    finally:
        PACKAGE = saved
    assert len(found) == 1 and "analysis.io.corpus (io) imports analysis.stats.counts (stats)" in found[0]


#: Module pairs that import each other today, each with the reason it is left (none may be added).
KNOWN_MUTUAL = {
    # features/ is another piece of work's; executors hands chunks to dask_backend, which reuses its helpers
    ("analysis.features.dask_backend", "analysis.features.executors"),
}


def mutual_imports(package: Path = PACKAGE) -> set[tuple[str, str]]:
    """Pairs of modules (sorted) each of which imports the other, counting imports inside functions."""
    edges = set()
    for path in sorted(package.rglob("*.py")):
        mine = module_name(path)
        edges |= {(mine, other) for _, other in imported_modules(path) if other != mine}
    return {(a, b) for a, b in edges if (b, a) in edges and a < b}


def test_no_two_modules_import_each_other():
    assert mutual_imports() <= KNOWN_MUTUAL, sorted(mutual_imports() - KNOWN_MUTUAL)


def test_the_check_catches_two_modules_importing_each_other(tmp_path):
    fake = tmp_path / "analysis"
    (fake / "plots").mkdir(parents=True)
    for p in ["__init__.py", "plots/__init__.py"]:
        (fake / p).write_text("", encoding="utf-8")
    (fake / "plots" / "charts.py").write_text("from analysis.plots import fonts\n", encoding="utf-8")
    (fake / "plots" / "fonts.py").write_text("def f():\n    from analysis.plots.charts import x\n", encoding="utf-8")
    global PACKAGE
    saved, PACKAGE = PACKAGE, fake
    try:
        found = mutual_imports(fake)
    finally:
        PACKAGE = saved
    assert found == {("analysis.plots.charts", "analysis.plots.fonts")}


@pytest.mark.parametrize("folder", ["io", "text", "stats", "plots", "output"])
def test_stage_folders_exist(folder):
    assert (PACKAGE / folder / "__init__.py").is_file()
