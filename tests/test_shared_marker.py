"""Every test that reads ../shared is marked ``shared`` (the one mechanism that skips it on a bare clone).

A static check of the test modules: a name reads ../shared when its definition mentions
``shared_dir``, ``reference_sources`` or ``default_references``, or another such name
(module constants, helpers, fixtures, here and in conftest.py); a test that uses one, in its
body or as a fixture argument, must carry ``@pytest.mark.shared`` (or its module a
``pytestmark`` with it).
"""

from __future__ import annotations

import ast
from pathlib import Path


TESTS = Path(__file__).resolve().parent
ROOTS = {"shared_dir", "reference_sources", "default_references"}


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def _definitions(tree: ast.Module) -> dict[str, ast.AST]:
    defs: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defs[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    defs[target.id] = node
    return defs


def _readers(defs: dict[str, ast.AST], known: set[str]) -> set[str]:
    """Names whose definitions reach ../shared, to a fixed point."""
    readers = set(known)
    while True:
        more = {name for name, node in defs.items() if name not in readers and _names(node) & readers}
        if not more:
            return readers
        readers |= more


def _is_marked(node: ast.FunctionDef) -> bool:
    return any("shared" in _names(d) and "mark" in _names(d) for d in node.decorator_list)


def _module_marked(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in n.targets)
               and "shared" in _names(n) for n in tree.body)


def unmarked_tests(folder: Path = TESTS) -> list[str]:
    """``file::test`` for each test that reaches ../shared without the marker."""
    conftest = ast.parse((folder / "conftest.py").read_text(encoding="utf-8"))
    conftest_defs = {k: v for k, v in _definitions(conftest).items() if not k.startswith("pytest_")}
    shared_fixtures = _readers(conftest_defs, ROOTS) - ROOTS
    found = []
    for path in sorted(folder.glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _module_marked(tree):
            continue
        defs = _definitions(tree)
        readers = _readers(defs, ROOTS | shared_fixtures)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                uses = _names(node) | {a.arg for a in node.args.args}
                if uses & readers and not _is_marked(node):
                    found.append(f"{path.name}::{node.name}")
    return found


def test_every_test_that_reads_shared_is_marked():
    assert unmarked_tests() == []


def test_the_check_finds_an_unmarked_reader(tmp_path):
    (tmp_path / "conftest.py").write_text(
        "import pytest\nfrom analysis.paths import shared_dir\n"
        "@pytest.fixture\ndef corpora():\n    return shared_dir() / 'corpora'\n", encoding="utf-8")
    (tmp_path / "test_x.py").write_text(
        "import pytest\nfrom analysis.paths import shared_dir\nFILE = shared_dir() / 'a.jsonl'\n"
        "def helper():\n    return FILE.read_text()\n"
        "def test_direct():\n    helper()\n"
        "def test_fixture(corpora):\n    pass\n"
        "@pytest.mark.shared\ndef test_marked(corpora):\n    helper()\n"
        "def test_plain():\n    pass\n", encoding="utf-8")
    assert unmarked_tests(tmp_path) == ["test_x.py::test_direct", "test_x.py::test_fixture"]


def test_marked_tests_skip_with_a_reason_when_shared_is_missing():
    """The collection hook in conftest.py: marked items get a skip marker naming the missing folder."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "ANALYSIS_SHARED_DIR": "/nonexistent/shared"}
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs",
                          "tests/test_track.py::test_routes_agree_on_the_reports",
                          "tests/test_track.py::test_new_development_philosophy_in_the_reports", "--no-header"],
                         capture_output=True, text=True, env=env, cwd=TESTS.parent, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:]
    assert "2 skipped" in out.stdout and "not found: /nonexistent/shared/corpora" in out.stdout, out.stdout[-2000:]


def test_a_test_run_never_writes_into_the_projects_figures_folder():
    """The root conftest.py points ANALYSIS_FIGURES_DIR and ANALYSIS_CACHE_DIR at temporary folders for the run."""
    from analysis import paths

    for folder in (paths.figures_dir(), paths.cache_dir()):
        assert not folder.resolve().is_relative_to(paths.project_root()), folder
