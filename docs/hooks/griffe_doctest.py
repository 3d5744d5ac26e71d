"""Griffe extension for the API pages: the ``>>>`` examples of a docstring become ``pycon`` code blocks.

The docstrings keep plain doctest examples (they run under ``--doctest-modules``); as
Markdown, ``>>>`` would be a quote and ``['a', 'b']`` a link, so each example, with the
output lines after it, is fenced before mkdocstrings renders it.
"""

from __future__ import annotations

import griffe


def fence_doctests(text: str) -> str:
    """Fence every run of doctest lines (``>>>``, ``...`` and their output up to a blank line).

    >>> print(fence_doctests("Intro.\\n\\n>>> 1 + 1\\n2\\n\\nAfter."))
    Intro.
    <BLANKLINE>
    ```pycon
    >>> 1 + 1
    2
    ```
    <BLANKLINE>
    After.
    """
    out: list[str] = []
    block: list[str] = []
    indent = ""

    def close():
        if block:
            out.extend([f"{indent}```pycon", *block, f"{indent}```"])
            block.clear()

    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(">>>") and not block:
            indent = line[: len(line) - len(stripped)]
            block.append(line)
        elif block and stripped:
            block.append(line)
        else:
            close()
            out.append(line)
    close()
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctest examples of every docstring griffe loads."""

    def on_instance(self, *, obj, **kwargs) -> None:  # noqa: D102
        docstring = getattr(obj, "docstring", None)
        if docstring is not None and ">>>" in docstring.value:
            docstring.value = fence_doctests(docstring.value)
