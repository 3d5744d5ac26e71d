"""The documentation site builds with ``mkdocs build --strict``, and nothing cites a file the repository lacks."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from analysis.paths import project_root

ROOT = project_root()


@pytest.mark.slow
def test_the_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    cli = (tmp_path / "site" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "profiles build" in cli and "--keep-going" in cli  # generated from the parser
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "load_corpus" in api and "export_figure" in api  # from the docstrings
    assert (tmp_path / "site" / "glossary" / "index.html").is_file()


def test_the_cli_reference_covers_every_command():
    sys.path.insert(0, str(ROOT / "docs" / "hooks"))
    try:
        import cli_reference
    finally:
        sys.path.pop(0)
    from analysis.cli import build_parser

    text = cli_reference.cli_reference()
    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices
    for name in commands:
        assert f"## `{name}`" in text, name


def test_every_nav_page_exists_and_every_page_is_in_the_nav():
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = {next(iter(item.values())) for item in config["nav"]}
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").glob("*.md")}
    assert listed == pages


CITED = re.compile(r"\b([A-Z][A-Z_]+\.md)\b")


def test_nothing_cites_a_markdown_file_the_repository_lacks():
    """Notes kept outside the repository are never cited: the project cites its own docs/ pages."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    names = {p.rsplit("/", 1)[-1] for p in files}
    missing = []
    for path in files:
        if not path.endswith((".py", ".md", ".yml", ".yaml", ".toml", "Makefile", ".cfg", ".j2", ".ipynb")):
            continue
        text = (ROOT / path).read_text(encoding="utf-8", errors="replace")
        missing += [f"{path}: {m}" for m in CITED.findall(text) if m not in names]
    assert missing == []
