"""Griffe extension for the API pages: doctest examples fenced, Sphinx roles shown as code.

The docstrings keep plain doctest examples (they run under ``--doctest-modules``); as
Markdown, ``>>>`` would be a quote and ``['a', 'b']`` a link, so each example, with the
output lines after it, is fenced before mkdocstrings renders it. Cross-references written
as Sphinx roles (``:func:`analysis.text.outline.parse_outline```) would print their role
markup; they become inline code with the name (the last part only after ``~``).
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(r":(?:func|class|mod|data|attr|meth|exc|obj|py:[a-z]+):`(~?)([^`]+)`")


def plain_roles(text: str) -> str:
    """Replace Sphinx cross-reference roles by inline code.

    >>> plain_roles("See :func:`analysis.io.normalize.normalize` and :class:`~analysis.features.FeatureSet`.")
    'See `analysis.io.normalize.normalize` and `FeatureSet`.'
    """
    return _ROLE.sub(lambda m: f"`{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}`", text)


def fence_doctests(text: str) -> str:
    """Fence every run of doctest lines (``>>>``, ``...`` and their output up to a blank line).

    >>> fence_doctests("Intro.\\n\\n>>> 1 + 1\\n2\\n\\nAfter.").split("\\n")
    ['Intro.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'After.']
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
    """Fence the doctest examples and show the Sphinx roles as code in every docstring griffe loads."""

    def on_instance(self, *, obj, **kwargs) -> None:  # noqa: D102
        docstring = getattr(obj, "docstring", None)
        if docstring is None:
            return
        if ">>>" in docstring.value:
            docstring.value = fence_doctests(docstring.value)
        docstring.value = plain_roles(docstring.value)
