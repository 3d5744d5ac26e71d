"""Guards the loader puts around what it reads: names, folders, JSON, metadata.

Every file is untrusted. The helpers here keep what a file *produces* bounded and
printable, and turn what would otherwise be silent into a :class:`CorpusWarning`
naming the file and what was done:

- :func:`shown_name`: a file name or id as it can be printed: bytes that are not UTF-8
  (file names written by GBK tools) become ``\\xNN`` escapes, terminal control
  characters (BEL, ESC …) become ``\\xNN`` too, so nothing in a name reaches a
  terminal raw;
- :func:`walk_folder`: every entry under a folder, with each folder that cannot be
  listed and each entry that cannot be examined reported instead of ending the walk;
- :func:`special_kind`: what a path that is neither a file nor a folder is (a named
  pipe, a device, a socket): such a path is never opened;
- :func:`parse_json_record`: one JSON Lines record with nesting depth
  (:data:`MAX_JSON_DEPTH`) and integer size (:data:`MAX_JSON_INT_DIGITS`) bounded;
- :func:`clean_metadata`: control characters removed from titles and other metadata;
- :func:`json_text`: a JSON value as text, canonically (never a Python repr).

>>> shown_name("讲话\\x1b[31m.txt"), shown_name("a\\udcb9\\udcfa.txt")
('讲话\\\\x1b[31m.txt', 'a\\\\xb9\\\\xfa.txt')
>>> json_text([1, "甲"]), json_text(True), json_text(3)
('[1,"甲"]', 'true', '3')
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

__all__ = ["CorpusWarning", "MAX_JSON_DEPTH", "MAX_JSON_INT_DIGITS", "JsonLimitError", "clean_metadata",
           "gbk_reading", "json_text", "parse_json_record", "shown_name", "special_kind", "walk_folder"]

#: A JSON Lines record nested deeper than this (objects and arrays) is refused.
MAX_JSON_DEPTH = 32
#: An integer in a JSON Lines record with more digits than this is refused (write long numbers as strings).
MAX_JSON_INT_DIGITS = 18

#: C0 controls, DEL and C1 controls: what a terminal may act on.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\udc80-\udcff]")


class CorpusWarning(UserWarning):
    """A file was loaded, but something in it was changed or is worth a look (the message names the file)."""


class JsonLimitError(ValueError):
    """A JSON record is nested too deeply or holds too long a number (the message says which)."""


def _escape(m: re.Match) -> str:
    return f"\\x{ord(m.group()):02x}"


def shown_name(name: str) -> str:
    """``name`` as it can be printed: undecodable bytes and control characters become ``\\xNN``.

    Args:
        name: A file name, path or id (may hold surrogate escapes from the file system).

    Returns:
        The same name when it is clean UTF-8 without control characters, else its escaped form.
    """
    if _SURROGATE_RE.search(name):
        name = os.fsencode(name).decode("utf-8", "backslashreplace")
    return _CONTROL_RE.sub(_escape, name)


def gbk_reading(name: str) -> str | None:
    """How a name that is not UTF-8 reads in GB18030 (what Chinese Windows tools write), or None."""
    if not _SURROGATE_RE.search(name):
        return None
    try:
        return os.fsencode(name).decode("gb18030")
    except (UnicodeDecodeError, ValueError):
        return None


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def special_kind(path: Path) -> str | None:
    """What ``path`` is when it exists but is neither a regular file nor a folder (after links), else None.

    >>> special_kind(Path("/dev/null")), special_kind(Path("/"))
    ('a character device', None)
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def walk_folder(folder: Path, *, prune: Callable[[Path], bool],
                problem: Callable[[Path, OSError], None]) -> list[Path]:
    """Every entry under ``folder`` (files, folders, links, others), sorted as ``sorted(folder.rglob("*"))``.

    Folders for which ``prune(relative path)`` is true are listed but not entered; links
    to folders are listed but not entered (as :meth:`pathlib.Path.rglob`). A folder that
    cannot be listed goes to ``problem(folder, error)`` and the walk goes on.
    """
    found: list[Path] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError as exc:
            problem(current, exc)
            continue
        for entry in entries:
            path = Path(entry.path)
            found.append(path)
            try:
                descend = entry.is_dir(follow_symlinks=False)
            except OSError:
                descend = False
            if descend and not prune(path.relative_to(folder)):
                stack.append(path)
    return sorted(found)


def _json_int(text: str) -> int:
    digits = len(text) - (text[0] == "-")
    if digits > MAX_JSON_INT_DIGITS:
        raise JsonLimitError(f"it holds a number with {digits:,} digits (at most {MAX_JSON_INT_DIGITS} are read)")
    return int(text)


def _depth(value: object) -> int:
    """Nesting depth of a parsed JSON value (iterative: no recursion on hostile input)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json_record(line: str) -> object:
    """Parse one JSON Lines line with bounded nesting and integer size.

    Raises:
        json.JSONDecodeError: The line is not JSON.
        JsonLimitError: Nested deeper than :data:`MAX_JSON_DEPTH` or an integer longer
            than :data:`MAX_JSON_INT_DIGITS` digits.

    >>> parse_json_record('{"id": 7, "text": "甲"}')
    {'id': 7, 'text': '甲'}
    >>> parse_json_record("[" * 40 + "]" * 40)
    Traceback (most recent call last):
    ...
    analysis.io.guards.JsonLimitError: it is nested more than 32 levels deep
    """
    try:
        value = json.loads(line, parse_int=_json_int)
    except RecursionError:
        raise JsonLimitError(f"it is nested more than {MAX_JSON_DEPTH} levels deep") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise JsonLimitError(f"it is nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def json_text(value: object) -> str:
    """A JSON value as text: strings as they are, anything else as compact JSON (never a Python repr)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def clean_metadata(meta: dict) -> tuple[dict, dict[str, list[str]]]:
    """Remove control characters from the metadata's text values (tabs and line breaks become spaces).

    Returns:
        ``(cleaned, removed)``: a new dict (the input is not changed) and, per field
        that changed, the characters removed (as ``\\xNN``).

    >>> clean_metadata({"title": "讲话\\x07\\x1b[31m", "year": 2023})
    ({'title': '讲话[31m', 'year': 2023}, {'title': ['\\\\x07', '\\\\x1b']})
    """
    out, removed = dict(meta), {}
    for key, value in meta.items():
        if isinstance(value, str) and _CONTROL_RE.search(value):
            removed[key] = sorted({_escape(m) for m in _CONTROL_RE.finditer(value)})
            spaced = re.sub("[\t\n\r]+", " ", value)
            out[key] = _CONTROL_RE.sub("", spaced).strip()
    return out, removed
