"""A JSONPath evaluator for `json_path` (Alloy uses ohler55/ojg).

Supported: `$`, `.name`, `['name']`, `[n]` (negative from the end), `[a,b]`,
`[*]`/`.*`, slices `[s:e:step]`, recursive descent `..`, and filters
`[?(@.x op value)]` with `== != < <= > >=`, `&&`, `||` and existence tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from alloylite.eval.operators import values_equal


class PathError(Exception):
    pass


Step = Callable[[Any], list[Any]]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*|\*")
_FILTER_TOKEN = re.compile(
    r"""\s*(?:(?P<op>==|!=|<=|>=|<|>|&&|\|\||!|\(|\))|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    |'(?P<sq>[^']*)'|"(?P<dq>[^"]*)"|(?P<word>true|false|null)|(?P<path>[@$](?:\.[A-Za-z_*][\w\-]*|\[[^\]]*\])*))""",
    re.X,
)


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return list(value)
    return []


def _descendants(value: Any) -> list[Any]:
    """Every container under `value`, then `value`: ojg visits the children
    before the node itself, so `$..b` lists the deepest matches first."""
    out: list[Any] = []
    for child in _children(value):
        if isinstance(child, dict | list):
            out.extend(_descendants(child))
    out.append(value)
    return out


def _key(name: str) -> Step:
    if name == "*":
        return _children
    return lambda v: [v[name]] if isinstance(v, dict) and name in v else []


def _index(i: int) -> Step:
    def step(v: Any) -> list[Any]:
        if isinstance(v, list) and -len(v) <= i < len(v):
            return [v[i]]
        return []

    return step


def _slice(start: int | None, end: int | None, stride: int | None) -> Step:
    return lambda v: list(v[start:end:stride]) if isinstance(v, list) else []


def _union(steps: list[Step]) -> Step:
    return lambda v: [r for s in steps for r in s(v)]


class _Parser:
    def __init__(self, path: str) -> None:
        self.p = path
        self.i = 0

    def error(self, what: str, at: int | None = None) -> PathError:
        """ojg's wording: `<what> at <1-based position> in <path>`."""
        return PathError(f"{what} at {self.i + 1 if at is None else at} in {self.p}")

    def unterminated(self) -> PathError:
        return self.error("not terminated", len(self.p) + 1)

    def parse(self) -> list[Step | tuple[str, Step]]:
        p = self.p
        if p.startswith(("$", "@")):
            self.i = 1
        elif p.startswith("["):
            self.i = 0
        else:  # ojg reads `a.b` as a path relative to the root
            self.i = 0
            if not _NAME.match(p, 0):
                raise self.error("parse error")
            steps: list[Step | tuple[str, Step]] = [_key(self.name())]
            return steps + self.rest()
        return self.rest()

    def rest(self) -> list[Step | tuple[str, Step]]:
        p = self.p
        steps: list[Step | tuple[str, Step]] = []
        while self.i < len(p):
            if p.startswith("..", self.i):
                self.i += 2
                if self.i < len(p) and p[self.i] == "[":
                    steps.append(("..", self.bracket()))
                elif self.i < len(p) and not _NAME.match(p, self.i):
                    raise self.error("parse error")
                else:
                    steps.append(("..", _key(self.name())))
            elif p[self.i] == ".":
                self.i += 1
                steps.append(_key(self.name()))
            elif p[self.i] == "[":
                steps.append(self.bracket())
            else:
                raise self.error("parse error")
        return steps

    def name(self) -> str:
        if self.i >= len(self.p):
            raise self.unterminated()
        m = _NAME.match(self.p, self.i)
        if not m:
            c = self.p[self.i]
            raise self.error(f"an expression fragment can not start with a '{c}'", self.i + 2)
        self.i = m.end()
        return m.group()

    def bracket(self) -> Step:
        p = self.p
        self.i += 1
        self.skip_blanks()
        if self.i >= len(p):
            raise self.unterminated()
        if p[self.i] == "?":
            self.i += 1
            if self.i >= len(p):
                raise self.unterminated()
            if p[self.i] != "(":
                raise self.error("expected a '(' in filter", self.i + 2)
            depth, j = 0, self.i
            while j < len(p):
                if p[j] == "(":
                    depth += 1
                elif p[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= len(p) or not p.startswith("]", j + 1):
                raise self.unterminated()
            expr = p[self.i + 1 : j]
            self.i = j + 2
            return _filter(expr, self)
        steps = [self.selector()]
        while True:
            self.skip_blanks()
            if self.i >= len(p):
                raise self.unterminated()
            c = p[self.i]
            if c == "]":
                self.i += 1
                return steps[0] if len(steps) == 1 else _union(steps)
            if c != ",":
                raise self.error("invalid bracket fragment", self.i + 2)
            self.i += 1
            self.skip_blanks()
            if self.i >= len(p):
                raise self.unterminated()
            c = p[self.i]
            if not (c in "'\"-" or c.isdigit()):
                raise self.error("invalid union syntax", self.i + 2)
            steps.append(self.selector())

    def skip_blanks(self) -> None:
        while self.i < len(self.p) and self.p[self.i] == " ":
            self.i += 1

    def number(self) -> int | None:
        """An optional signed integer at the cursor."""
        p = self.p
        start = self.i
        if self.i < len(p) and p[self.i] == "-":
            self.i += 1
            if self.i >= len(p) or not p[self.i].isdigit():
                at = self.i + 1 if self.i >= len(p) else self.i + 2
                raise self.error("expected a number", at)
        while self.i < len(p) and p[self.i].isdigit():
            self.i += 1
        if self.i == start:
            return None
        if self.i >= len(p):
            raise self.error("expected a number", self.i + 1)
        return int(p[start : self.i])

    def selector(self) -> Step:
        p = self.p
        c = p[self.i]
        if c == "*":
            self.i += 1
            return _children
        if c in "'\"":
            end = p.find(c, self.i + 1)
            if end < 0:
                raise self.unterminated()
            name = p[self.i + 1 : end]
            self.i = end + 1
            return _key(name)
        first = self.number()
        if self.i < len(p) and p[self.i] == ":":
            bounds = [first]
            while self.i < len(p) and p[self.i] == ":" and len(bounds) < 3:
                self.i += 1
                if self.i >= len(p):
                    raise self.unterminated()
                bounds.append(self.number())
            return _slice(*(bounds + [None, None])[:3])
        if first is None:
            raise self.error("parse error")
        return _index(first)


def _filter(expr: str, parser: _Parser) -> Step:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        m = _FILTER_TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise parser.error("invalid filter")
        pos = m.end()
        if m.group("op"):
            tokens.append(("op", m.group("op")))
        elif m.group("num") is not None:
            text = m.group("num")
            tokens.append(("lit", float(text) if any(c in text for c in ".eE") else int(text)))
        elif m.group("sq") is not None:
            tokens.append(("lit", m.group("sq")))
        elif m.group("dq") is not None:
            tokens.append(("lit", m.group("dq")))
        elif m.group("word"):
            tokens.append(("lit", {"true": True, "false": False, "null": None}[m.group("word")]))
        else:
            tokens.append(("path", compile_path(m.group("path"))))
    index = 0

    def peek() -> tuple[str, Any] | None:
        return tokens[index] if index < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal index
        if index >= len(tokens):
            raise parser.error("incomplete filter")
        index += 1
        return tokens[index - 1]

    def operand() -> Callable[[Any], Any]:
        kind, value = take()
        if kind == "lit":
            literal = value
            return lambda _root: (True, literal)
        if kind == "path":

            def get(node: Any, path: Any = value) -> tuple[bool, Any]:
                found = run_path(path, node)
                return (bool(found), found[0] if found else None)

            return get
        if value == "(":
            inner = disjunction()
            take()
            return lambda node: (True, inner(node))
        if value == "!":
            inner = operand()
            return lambda node: (True, not _truthy(inner(node)))
        raise parser.error("invalid filter")

    def comparison() -> Callable[[Any], bool]:
        left = operand()
        tok = peek()
        if tok and tok[0] == "op" and tok[1] in ("==", "!=", "<", "<=", ">", ">="):
            op = take()[1]
            right = operand()
            return lambda node: _compare(op, left(node), right(node))
        return lambda node: _truthy(left(node))

    def conjunction() -> Callable[[Any], bool]:
        parts = [comparison()]
        while peek() == ("op", "&&"):
            take()
            parts.append(comparison())
        return lambda node: all(p(node) for p in parts)

    def disjunction() -> Callable[[Any], bool]:
        parts = [conjunction()]
        while peek() == ("op", "||"):
            take()
            parts.append(conjunction())
        return lambda node: any(p(node) for p in parts)

    predicate = disjunction()
    return lambda v: [c for c in _children(v) if predicate(c)]


def _truthy(result: Any) -> bool:
    if isinstance(result, tuple):
        found, value = result
        return bool(found) and value is not False
    return bool(result)


def _compare(op: str, left: tuple[bool, Any], right: tuple[bool, Any]) -> bool:
    (lf, lv), (rf, rv) = left, right
    if not (lf and rf):
        return op == "!=" and lf != rf
    if op == "==":
        return values_equal(lv, rv)
    if op == "!=":
        return not values_equal(lv, rv)
    numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lv, rv))
    if not numeric and not (isinstance(lv, str) and isinstance(rv, str)):
        return False
    return bool({"<": lv < rv, "<=": lv <= rv, ">": lv > rv, ">=": lv >= rv}[op])


def compile_path(path: str) -> list[Step | tuple[str, Step]]:
    return _Parser(path).parse()


def run_path(steps: list[Step | tuple[str, Step]], root: Any) -> list[Any]:
    current = [root]
    for step in steps:
        if isinstance(step, tuple):
            fn = step[1]
            current = [r for v in current for d in _descendants(v) for r in fn(d)]
        else:
            current = [r for v in current for r in step(v)]
    return current
