"""MkDocs hook: the command-line reference, generated from ``analysis.cli.build_parser()``.

Replaces the marker ``<!-- cli-reference -->`` in ``cli.md`` by the ``--help`` of the program
and of every command and sub-command, so the page can never disagree with the parser.
"""

from __future__ import annotations

import argparse
import os

MARKER = "<!-- cli-reference -->"


def _subcommands(parser: argparse.ArgumentParser):
    for action in parser._actions:  # argparse keeps sub-parsers only here
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def cli_reference() -> str:
    """Markdown: one section per command, its help text in a code block."""
    from analysis.cli import build_parser

    os.environ.setdefault("COLUMNS", "100")  # the same wrapping on every machine
    parser = build_parser()
    parser.prog = "python -m analysis"
    parts = ["### `python -m analysis`", "", "```text", parser.format_help().rstrip(), "```", ""]
    for name, sub in _subcommands(parser):
        parts += [f"### `{name}`", "", "```text", sub.format_help().rstrip(), "```", ""]
        for action, subsub in _subcommands(sub):
            parts += [f"#### `{name} {action}`", "", "```text", subsub.format_help().rstrip(), "```", ""]
    return "\n".join(parts)


def on_page_markdown(markdown: str, page, **_):
    if page.file.src_uri == "cli.md" and MARKER in markdown:
        return markdown.replace(MARKER, cli_reference())
    return markdown
