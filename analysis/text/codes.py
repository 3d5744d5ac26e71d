"""Coding rules: boolean combinations of terms, read from ``corpus/lexicon/codes.yaml`` and checked.

A rule is written the way content analysts write them (KH Coder's coding rules, Higuchi
2016, ch. 4):

- a term: any run of characters other than spaces and parentheses (``人才``, ``基层党组织``);
- ``A AND B``: both in the unit; ``A OR B``: either; ``A NOT B``: A and not B; ``NOT A``: not A;
- ``A NEAR/n B``: an occurrence of A and one of B at most ``n`` characters apart (the gap
  between them, in the normalized text), inside the unit;
- parentheses group; ``NOT`` and ``AND`` bind tighter than ``OR``; ``NEAR/n`` binds tightest
  and joins two terms.

``人才 AND (引进 OR 培养) NOT 干部`` codes a unit that mentions 人才, and 引进 or 培养, and not
干部. A rule is parsed by :func:`parse_rule` (a small recursive-descent parser; nothing is
evaluated as Python) into nested tuples; an error names the rule and the character
position where the parser stopped (:class:`CodeRuleError`).

The codes file: ``codes: {name: {label_zh: ..., rule: ...}}`` plus ``version``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis import paths

__all__ = ["CodeRuleError", "parse_rule", "rule_terms", "load_codes", "codes_from_dict", "codes_path"]

_TOKEN = re.compile(r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<near>NEAR/(?P<n>\d+))(?=[\s()]|$)|"
                    r"(?P<op>AND|OR|NOT)(?=[\s()]|$)|(?P<bad>NEAR\S*)|(?P<term>[^\s()]+))")


class CodeRuleError(ValueError):
    """A coding rule that cannot be parsed, or a codes file that is not as described."""


def codes_path() -> Path:
    """The project's codes file, ``corpus/lexicon/codes.yaml``."""
    return paths.project_root() / "corpus" / "lexicon" / "codes.yaml"


def _tokens(rule: str, name: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    text = rule.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        if m.group("open"):
            out.append(("(", "(", start))
        elif m.group("close"):
            out.append((")", ")", start))
        elif m.group("near"):
            out.append(("NEAR", m.group("near"), start))
        elif m.group("op"):
            out.append((m.group("op"), m.group("op"), start))
        elif m.group("bad"):
            raise CodeRuleError(f"rule {name!r}, position {start + 1}: {m.group('bad')!r} is not NEAR/n "
                                "(n characters, e.g. NEAR/10)")
        else:
            out.append(("TERM", m.group("term"), start))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, rule: str, name: str):
        self.rule, self.name = rule, name
        self.tokens = _tokens(rule, name)
        self.i = 0

    def _error(self, expected: str):
        if self.i < len(self.tokens):
            kind, value, pos = self.tokens[self.i]
            found = f"found {value!r}"
        else:
            pos, found = len(self.rule.rstrip()), "the rule ends"
        raise CodeRuleError(f"rule {self.name!r}, position {pos + 1}: expected {expected}, {found} "
                            f"(in: {self.rule.strip()})")

    def _peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def parse(self):
        if not self.tokens:
            raise CodeRuleError(f"rule {self.name!r}: the rule is empty")
        node = self._or()
        if self.i < len(self.tokens):
            self._error("AND, OR, NOT or the end of the rule")
        return node

    def _or(self):
        node = self._and()
        while self._peek() == "OR":
            self.i += 1
            node = ("or", node, self._and())
        return node

    def _and(self):
        node = self._unary()
        while self._peek() in ("AND", "NOT"):
            op = self.tokens[self.i][0]
            self.i += 1
            right = self._unary()
            node = ("and", node, right) if op == "AND" else ("and", node, ("not", right))
        return node

    def _unary(self):
        if self._peek() == "NOT":
            self.i += 1
            return ("not", self._unary())
        return self._near()

    def _near(self):
        node = self._primary()
        if self._peek() == "NEAR":
            n = int(self.tokens[self.i][1].split("/", 1)[1])
            if node[0] != "term":
                self._error("a single term before NEAR/n (not a group)")
            self.i += 1
            right = self._primary()
            if right[0] != "term":
                self._error("a term after NEAR/n")
            node = ("near", node[1], right[1], n)
        return node

    def _primary(self):
        kind = self._peek()
        if kind == "TERM":
            self.i += 1
            return ("term", self.tokens[self.i - 1][1])
        if kind == "(":
            self.i += 1
            node = self._or()
            if self._peek() != ")":
                self._error("')'")
            self.i += 1
            return node
        self._error("a term, NOT or '('")


def parse_rule(rule: str, *, name: str = "rule"):
    """Parse a coding rule into nested tuples.

    Nodes: ``("term", t)``, ``("and", x, y)``, ``("or", x, y)``, ``("not", x)``,
    ``("near", t1, t2, n)``.

    Raises:
        CodeRuleError: naming the rule and the (1-based) character position.

    >>> parse_rule("人才 AND (引进 OR 培养) NOT 干部")
    ('and', ('and', ('term', '人才'), ('or', ('term', '引进'), ('term', '培养'))), ('not', ('term', '干部')))
    >>> parse_rule("人才 NEAR/5 基层")
    ('near', '人才', '基层', 5)
    >>> parse_rule("人才 AND (引进 OR", name="talent")
    Traceback (most recent call last):
    ...
    analysis.text.codes.CodeRuleError: rule 'talent', position 14: expected a term, NOT or '(', the rule ends (in: 人才 AND (引进 OR)
    """
    if not isinstance(rule, str):
        raise CodeRuleError(f"rule {name!r}: a rule is text, not {type(rule).__name__}")
    return _Parser(rule, name).parse()


def rule_terms(node) -> list[str]:
    """The terms a parsed rule names, in order of first mention.

    >>> rule_terms(parse_rule("人才 AND (引进 OR 人才 NEAR/3 培养)"))
    ['人才', '引进', '培养']
    """
    out: list[str] = []

    def walk(n):
        if n[0] == "term":
            out.append(n[1])
        elif n[0] == "near":
            out.extend([n[1], n[2]])
        else:
            for child in n[1:]:
                walk(child)

    walk(node)
    return list(dict.fromkeys(out))


def codes_from_dict(data, *, source: str = "codes") -> pd.DataFrame:
    """Check a codes mapping (as read from YAML) and parse every rule.

    Returns:
        Columns ``code, label_zh, rule`` (as written) and ``parsed`` (the tuple tree), in file order.

    Raises:
        CodeRuleError: naming ``source``, the code and what is wrong.

    >>> codes_from_dict({"codes": {"talent": {"label_zh": "人才", "rule": "人才 NOT 干部"}}})[["code", "rule"]].values.tolist()
    [['talent', '人才 NOT 干部']]
    """
    codes = data.get("codes") if isinstance(data, dict) else None
    if not isinstance(codes, dict) or not codes:
        raise CodeRuleError(f"{source}: expected a mapping 'codes:' of code name → {{label_zh, rule}}")
    rows = []
    for code, spec in codes.items():
        if not isinstance(spec, dict) or "rule" not in spec:
            raise CodeRuleError(f"{source}: code {code!r} needs a 'rule' (and a label_zh)")
        try:
            parsed = parse_rule(spec["rule"], name=str(code))
        except CodeRuleError as error:
            raise CodeRuleError(f"{source}: {error}") from None
        rows.append({"code": str(code), "label_zh": str(spec.get("label_zh") or code), "rule": str(spec["rule"]).strip(),
                     "parsed": parsed})
    return pd.DataFrame(rows, columns=["code", "label_zh", "rule", "parsed"])


def load_codes(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a codes file (default ``corpus/lexicon/codes.yaml``).

    Returns:
        :func:`codes_from_dict` of the file.

    Raises:
        CodeRuleError: naming the file, the code and the position of a rule that does not parse.
        FileNotFoundError: when the file is missing.

    >>> "talent_recruitment" in set(load_codes()["code"])
    True
    """
    import yaml

    file = Path(path) if path is not None else codes_path()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CodeRuleError(f"{file}: not valid YAML ({error})") from None
    return codes_from_dict(data, source=str(file))
