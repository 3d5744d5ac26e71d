"""Outline diagnostics: warnings where a parsed outline may be wrong.

A parser that gets most speeches right still gets some wrong, and a wrong outline looks
like any other: a point that swallowed half the speech is drawn as one more box. These
checks look at the shape of a parsed outline (lengths and numbers only) and say where a
researcher should look before trusting section figures:

- ``dominant``: one point holds more than half of its siblings' text while every other
  sibling holds a tenth or less (a later list or the rest of the speech may have been
  absorbed into it); an unheaded part (the text after an inline list) is never flagged;
- ``restart``, ``gap``, ``duplicate``, ``out_of_order``: the numbering of a series starts
  again, skips a number, repeats or goes back (from :class:`analysis.text.outline.Issue`);
- ``announced``: the count the speech announces differs from the points found in the
  series it introduces;
- ``long_parent``: a point with sub-points is much longer (:data:`LONG_PARENT_RATIO`
  times) than the longest of its siblings (a later list may have been nested under it).

The functions here take plain values (no parsing), so :mod:`analysis.text.outline` calls
them and stores the result in ``Outline.warnings``.

>>> w = outline_warnings_of([("一", None, 100, False, True), ("二", None, 2000, False, True),
...                          ("三", None, 90, False, False)], issues=[], announced=None, announced_points=None)
>>> [(x.kind, x.path) for x in w]
[('dominant', '二'), ('long_parent', '二')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["DOMINANT_SHARE", "LONG_PARENT_RATIO", "QUIET_SHARE", "OutlineWarning", "outline_warnings_of"]

#: A point holding more than this share of its siblings' text …
DOMINANT_SHARE = 0.5
#: … while every sibling holds at most this share, is ``dominant``.
QUIET_SHARE = 0.1
#: A point with sub-points this many times longer than its longest sibling is ``long_parent``.
LONG_PARENT_RATIO = 3.0


@dataclass(frozen=True)
class OutlineWarning:
    """One warning about a parsed outline.

    Attributes:
        kind: ``"dominant"``, ``"restart"``, ``"gap"``, ``"duplicate"``, ``"out_of_order"``,
            ``"announced"`` or ``"long_parent"``.
        path: The node it concerns (``""`` for the whole document).
        message: One line a researcher can act on.
    """

    kind: str
    path: str
    message: str


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def outline_warnings_of(nodes: Sequence[tuple[str, str | None, int, bool, bool]], *, issues: Iterable,
                        announced: int | None, announced_points: int | None) -> list[OutlineWarning]:
    """Warnings for one outline, from its nodes' lengths and its numbering issues.

    Args:
        nodes: One ``(path, parent, han_chars, unheaded, has_children)`` per section node
            (level 1 and below; preamble and closing left out), ``han_chars`` counting children.
        issues: :class:`analysis.text.outline.Issue` objects (``kind``, ``path``, ``expected``, ``found``).
        announced: The count the speech announces (None: none).
        announced_points: The points found in the series the announcement introduces.

    Returns:
        :class:`OutlineWarning` objects: numbering issues first, then the announced count,
        then by node in document order (``dominant`` before ``long_parent``).
    """
    out: list[OutlineWarning] = []
    for issue in issues:
        if issue.kind == "restart":
            message = f"numbering starts again at {issue.path} after {issue.expected - 1} points: a new series"
        elif issue.kind == "gap":
            message = f"numbering skips from {issue.expected - 1} to {issue.found} at {issue.path}"
        elif issue.kind == "duplicate":
            message = f"number {issue.found} repeats at {issue.path}"
        else:
            message = f"number {issue.found} comes after {issue.expected - 1} at {issue.path}"
        out.append(OutlineWarning(issue.kind, issue.path, message))
    if announced is not None and announced_points is not None and announced != announced_points:
        out.append(OutlineWarning("announced", "", f"announces {announced} points, {announced_points} found"))
    groups: dict[str | None, list[int]] = {}
    for k, (_, parent, _, _, _) in enumerate(nodes):
        groups.setdefault(parent, []).append(k)
    flagged: dict[int, list[OutlineWarning]] = {}
    for kids in groups.values():
        if len(kids) < 3:
            continue
        body = sum(nodes[k][2] for k in kids)
        if not body:
            continue
        loudest = _two_largest([(nodes[k][2], k) for k in kids])
        headed = [k for k in kids if not nodes[k][3]]
        longest_headed = _two_largest([(nodes[k][2], k) for k in headed])
        for k in kids:
            path, _, han, unheaded, has_children = nodes[k]
            others_max = _largest_but(loudest, k)
            if not unheaded and han > DOMINANT_SHARE * body and others_max <= QUIET_SHARE * body:
                flagged.setdefault(k, []).append(OutlineWarning(
                    "dominant", path, f"holds {_pct(han / body)} of its part of the text while its "
                    f"{len(kids) - 1} siblings hold {_pct(QUIET_SHARE)} or less each"))
            headed_others = len(headed) - (0 if unheaded else 1)
            longest = _largest_but(longest_headed, k)
            if has_children and headed_others >= 2 and longest and han > LONG_PARENT_RATIO * longest:
                flagged.setdefault(k, []).append(OutlineWarning(
                    "long_parent", path, f"has sub-points and {han / longest:.1f} times the text of "
                    "its longest sibling: a later list may be nested under it"))
    for k in sorted(flagged):
        out.extend(flagged[k])
    return out


def _two_largest(values: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The two largest ``(value, index)`` pairs (fewer when there are fewer)."""
    top: list[tuple[int, int]] = []
    for pair in values:
        top = sorted(top + [pair], reverse=True)[:2]
    return top


def _largest_but(top: list[tuple[int, int]], k: int) -> int:
    """The largest value among the pairs of :func:`_two_largest` whose index is not ``k`` (0 when none)."""
    return next((v for v, j in top if j != k), 0)
