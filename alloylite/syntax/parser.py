"""Parsing Alloy files and expressions: the public entry points of `alloylite.syntax`.

Two passes, each doing what it is good at:

1. Happy path: the scanner's tokens feed an LALR parser whose inline callbacks build the
   AST directly (no parse tree, spans taken from the tokens). Lark analyses the grammar
   (grammar/alloy.lark) into parse tables once; the tables are cached in the user's cache
   directory and run by a small driver (`lalr`), so parsing does not even import Lark.
2. When the scanner reported anything or the LALR parser rejects the input, `recovery`
   replays Alloy's own recursive-descent error handling over the same tokens to produce
   exactly the diagnostics (and cascades) Alloy reports. Lark's generic error recovery
   cannot do that.

Any diagnostic discards the AST, as in Alloy.
"""

from __future__ import annotations

import gc
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alloylite.syntax import ast, lalr
from alloylite.syntax.diag import Diagnostic, Severity
from alloylite.syntax.recovery import recover_expression, recover_file
from alloylite.syntax.scanner import STRING, TERMINATOR, ScanResult, is_identifier, scan

# Deepest bracket nesting accepted. Alloy itself has no limit, but a Python evaluator or
# formatter walking a 10,000-deep tree would overflow the interpreter stack; a clear
# diagnostic is better (a deliberate difference, see docs/compatibility.md).
MAX_NESTING = 200
NESTING_MESSAGE = f"nesting of brackets is deeper than the supported maximum of {MAX_NESTING}"
# The same protection for trees that are deep without brackets (`- - - 1`, `a+a+a+...`):
# statements, blocks and expressions nested deeper than this are rejected.
MAX_TREE_DEPTH = 200
TREE_MESSAGE = (
    f"expression or block nesting is deeper than the supported maximum of {MAX_TREE_DEPTH}"
)
# Only scans that could hide such a tree pay for the check: a tree's depth is at most the
# bracket depth plus the tokens of one statement (plus the statement itself).
_CHECK_TREE_AFTER_BRACKETS = 32
_CHECK_TREE_AFTER_TOKENS = MAX_TREE_DEPTH - _CHECK_TREE_AFTER_BRACKETS - 2


@dataclass(slots=True)
class ParseResult:
    """`file` is None whenever there are diagnostics."""

    file: ast.File | None
    diagnostics: list[Diagnostic]


@dataclass(slots=True)
class ExprResult:
    """`expr` is None whenever there are diagnostics."""

    expr: ast.Expr | None
    diagnostics: list[Diagnostic]


class _NeedsRecovery(Exception):
    """Raised from a callback when valid-looking syntax is still an Alloy error (bad label)."""


_LITERAL_KINDS = {
    "NUMBER": ast.LiteralKind.NUMBER,
    "FLOAT": ast.LiteralKind.FLOAT,
    "STRING": ast.LiteralKind.STRING,
    "BOOL": ast.LiteralKind.BOOL,
    "NULL": ast.LiteralKind.NULL,
}


def string_key(raw: str) -> str:
    """The key or label of a string token: the raw text between the quotes, not unescaped.

    Alloy strips the quotes only from literals longer than two bytes, so `""` stays `""`.
    """
    return raw[1:-1] if len(raw) > 2 else raw


class _Builder:
    """Inline LALR callbacks: each receives the children of one reduced rule."""

    def start(self, c: list[Any]) -> Any:
        return c[0]

    def expr_start(self, c: list[Any]) -> Any:
        return c[0]

    def body(self, c: list[Any]) -> tuple[ast.Stmt, ...]:
        return tuple(c[0]) if c[0] else ()

    def stmts(self, c: list[Any]) -> list[ast.Stmt]:
        if len(c) == 1:
            return c
        c[0].append(c[1])
        return c[0]  # type: ignore[no-any-return]

    block_name = expr_list = field_list = stmts

    def attribute(self, c: list[Any]) -> ast.AttributeStmt:
        name = c[0]
        return ast.AttributeStmt(ast.Ident(name.value, name.pos), c[1])

    def block(self, c: list[Any]) -> ast.BlockStmt:
        names, label_tok, lcurly, body, rcurly = c
        label = label_pos = None
        if label_tok is not None:
            raw = label_tok.value
            if raw[0] == "`":
                raise _NeedsRecovery
            if len(raw) > 2:
                label = raw[1:-1]
                if not is_identifier(label):
                    raise _NeedsRecovery
                label_pos = label_tok.pos
        return ast.BlockStmt(
            tuple(t.value for t in names),
            names[0].pos,
            label,
            label_pos,
            body,
            lcurly.pos,
            rcurly.pos,
        )

    def binary(self, c: list[Any]) -> ast.BinaryExpr:
        op = c[1]
        return ast.BinaryExpr(op.value, op.pos, c[0], c[2])

    def unary(self, c: list[Any]) -> ast.UnaryExpr:
        op = c[0]
        return ast.UnaryExpr(op.value, op.pos, c[1])

    def access(self, c: list[Any]) -> ast.AccessExpr:
        name = c[1]
        return ast.AccessExpr(c[0], ast.Ident(name.value, name.pos))

    def index(self, c: list[Any]) -> ast.IndexExpr:
        return ast.IndexExpr(c[0], c[1].pos, c[2], c[3].pos)

    def call(self, c: list[Any]) -> ast.CallExpr:
        return ast.CallExpr(c[0], tuple(c[2]) if c[2] else (), c[1].pos, c[3].pos)

    def identifier(self, c: list[Any]) -> ast.IdentifierExpr:
        tok = c[0]
        return ast.IdentifierExpr(ast.Ident(tok.value, tok.pos))

    def literal(self, c: list[Any]) -> ast.LiteralExpr:
        tok = c[0]
        return ast.LiteralExpr(_LITERAL_KINDS[tok.type], tok.value, tok.pos)

    def paren(self, c: list[Any]) -> ast.ParenExpr:
        return ast.ParenExpr(c[0].pos, c[1], c[2].pos)

    def array(self, c: list[Any]) -> ast.ArrayExpr:
        return ast.ArrayExpr(tuple(c[1]) if c[1] else (), c[0].pos, c[2].pos)

    def object(self, c: list[Any]) -> ast.ObjectExpr:
        return ast.ObjectExpr(tuple(c[1]) if c[1] else (), c[0].pos, c[2].pos)

    def field(self, c: list[Any]) -> ast.ObjectField:
        key = c[0]
        if key.type == STRING:
            return ast.ObjectField(ast.Ident(string_key(key.value), key.pos), True, c[1])
        return ast.ObjectField(ast.Ident(key.value, key.pos), False, c[1])


def _grammar_text() -> str:
    # A plain path first: importing importlib.resources costs more than the parse of a
    # typical config. The resources API covers installs where the package is not on disk.
    path = Path(__file__).resolve().parent.parent / "grammar" / "alloy.lark"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        from importlib import resources

        return (resources.files("alloylite") / "grammar" / "alloy.lark").read_text(encoding="utf-8")


def _cache_path(grammar: str) -> str | None:
    """A per-user cache file named after the grammar; never in site-packages.

    The name only spreads grammars over files (a cheap CRC, no hashlib import): the file
    holds the grammar text it was built from and is used only when that matches exactly.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative XDG_CACHE_HOME is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no usable home ("~" left as is): never cache into the cwd
        return None
    key = f"{zlib.crc32(grammar.encode()):08x}{len(grammar):x}"
    folder = Path(base) / "alloylite"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return str(folder / f"alloy-grammar-{key}.lark-cache")


_STARTS = ("start", "expr_start")


@lru_cache(maxsize=1)
def _lark() -> lalr.Parser:
    """The parser for grammar/alloy.lark: Lark's tables, cached, run by `lalr`."""
    grammar = _grammar_text()
    builder = _Builder()
    cache = _cache_path(grammar)
    tables = lalr.load_tables(cache, grammar) if cache is not None else None
    if tables is None:
        tables = lalr.build_tables(grammar, _STARTS, builder)
        if cache is not None:
            lalr.save_tables(cache, grammar, tables)
    return lalr.Parser(tables, builder)


def _as_bytes(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")


def _tree_diag(where: ast.Pos) -> Diagnostic:
    return Diagnostic(Severity.ERROR, TREE_MESSAGE, where)


def _nesting_diag(result: ScanResult) -> Diagnostic:
    return Diagnostic(Severity.ERROR, NESTING_MESSAGE, result.depth_pos)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing allocates many small acyclic objects; the cyclic GC would rescan the whole heap
    over and over (30-50% of the parse time for a large file) and find nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_file(data: bytes | str, filename: str = "main.alloy") -> ParseResult:
    """Parse a whole config file. Positions are 1-based lines and byte columns."""
    with _gc_paused():
        return _parse_file(data, filename)


def _parse_file(data: bytes | str, filename: str) -> ParseResult:
    scanned = scan(_as_bytes(data), MAX_NESTING)
    if scanned.depth_pos is not None:
        diags = [_nesting_diag(scanned)]
    else:
        if not scanned.diags:
            try:
                body = _lark().parse(scanned.tokens[:-1], start="start")
            except (lalr.ParseError, _NeedsRecovery):
                body = None
            if body is not None:
                where = _too_deep(body) if _needs_tree_check(scanned) else None
                if where is None:
                    return ParseResult(ast.File(filename, body, scanned.comment_groups()), [])
                return ParseResult(None, [_with_file(_tree_diag(where), filename)])
        diags = recover_file(scanned)
        if not diags:  # the two passes disagree; never return "no AST and no reason"
            diags = [Diagnostic(Severity.ERROR, "invalid syntax", ast.Pos(0, 1, 1))]
    return ParseResult(None, [_with_file(d, filename) for d in diags])


def parse_expression(data: bytes | str) -> ExprResult:
    """Parse one expression the way Alloy's ParseExpression does: Expression, then TERMINATOR.

    Whatever follows the first terminator is ignored (Alloy never looks at it).
    """
    with _gc_paused():
        return _parse_expression(data)


def _parse_expression(data: bytes | str) -> ExprResult:
    scanned = scan(_as_bytes(data), MAX_NESTING)
    tokens = scanned.tokens
    end = next(i for i, t in enumerate(tokens) if t.type == TERMINATOR or t.type == "EOF")
    # Alloy's scanner is lazy: only diagnostics up to the token after the terminator exist.
    horizon = tokens[min(end + 1, len(tokens) - 1)].end_pos
    early = [d for d in scanned.diags if d[0] <= horizon]
    if scanned.depth_pos is not None and scanned.depth_pos.offset <= horizon:
        return ExprResult(None, [_nesting_diag(scanned)])
    if not early and tokens[end].type == TERMINATOR:
        try:
            expr = _lark().parse(tokens[: end + 1], start="expr_start")
        except (lalr.ParseError, _NeedsRecovery):
            expr = None
        if expr is not None:
            where = _too_deep((expr,)) if _needs_tree_check(scanned) else None
            if where is None:
                return ExprResult(expr, [])
            return ExprResult(None, [_tree_diag(where)])
    diags = recover_expression(scanned)
    if not diags:
        diags = [Diagnostic(Severity.ERROR, "invalid syntax", ast.Pos(0, 1, 1))]
    return ExprResult(None, diags)


def _needs_tree_check(scanned: ScanResult) -> bool:
    return (
        scanned.longest_statement > _CHECK_TREE_AFTER_TOKENS
        or scanned.max_depth > _CHECK_TREE_AFTER_BRACKETS
    )


def _anchor(node: Any) -> ast.Pos:
    """A position inside `node` found without recursion."""
    for name in ("op_pos", "lbrack", "lparen", "lcurly", "pos", "name_pos"):
        pos = getattr(node, name, None)
        if isinstance(pos, ast.Pos):
            return pos
    if isinstance(node, ast.IdentifierExpr):
        return node.ident.pos
    if isinstance(node, ast.AccessExpr | ast.AttributeStmt):
        return node.name.pos
    return ast.Pos(0, 1, 1)


def _too_deep(roots: tuple[Any, ...]) -> ast.Pos | None:
    """Where the tree first gets deeper than MAX_TREE_DEPTH (checked without recursion)."""
    stack = [(root, 1) for root in roots]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            return _anchor(node)
        stack.extend((child, depth + 1) for child in ast.children(node))
    return None


def _with_file(diag: Diagnostic, filename: str) -> Diagnostic:
    return Diagnostic(diag.severity, diag.message, diag.start, diag.end, filename, diag.value)
