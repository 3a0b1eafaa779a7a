"""The syntax tree of an Alloy file or expression.

The shapes follow Alloy's own `syntax/ast` package, because the formatter and
the evaluator's error messages need the same facts it keeps: the position of
every name, bracket and operator, literals exactly as written, and comments.
Nodes are frozen dataclasses with `__slots__`; building them is on the parse
hot path, so they carry positions, not computed spans (see `span_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Pos:
    """A point in a source file: 0-based byte offset, 1-based line, 1-based byte column."""

    offset: int
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


NO_POS = Pos(-1, 0, 0)


class LiteralKind(Enum):
    NUMBER = "NUMBER"
    FLOAT = "FLOAT"
    STRING = "STRING"
    BOOL = "BOOL"
    NULL = "NULL"


@dataclass(frozen=True, slots=True)
class Comment:
    """One `//` or `/* */` comment, text as written (markers included)."""

    pos: Pos
    text: str


CommentGroup = tuple[Comment, ...]


# ----------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Ident:
    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class IdentifierExpr:
    ident: Ident


@dataclass(frozen=True, slots=True)
class LiteralExpr:
    """A literal; `raw` is the token text exactly as written (`010`, `"a\\n"`, `true`)."""

    kind: LiteralKind
    raw: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class ArrayExpr:
    elements: tuple[Expr, ...]
    lbrack: Pos
    rbrack: Pos


@dataclass(frozen=True, slots=True)
class ObjectField:
    """`name = value` in an object; `quoted` keys keep their raw text between the quotes."""

    name: Ident
    quoted: bool
    value: Expr


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    fields: tuple[ObjectField, ...]
    lcurly: Pos
    rcurly: Pos


@dataclass(frozen=True, slots=True)
class AccessExpr:
    """`value.name`"""

    value: Expr
    name: Ident


@dataclass(frozen=True, slots=True)
class IndexExpr:
    """`value[index]`"""

    value: Expr
    lbrack: Pos
    index: Expr
    rbrack: Pos


@dataclass(frozen=True, slots=True)
class CallExpr:
    """`value(args...)`"""

    value: Expr
    args: tuple[Expr, ...]
    lparen: Pos
    rparen: Pos


@dataclass(frozen=True, slots=True)
class UnaryExpr:
    """`!value` or `-value`; `op` is the operator text."""

    op: str
    op_pos: Pos
    value: Expr


@dataclass(frozen=True, slots=True)
class BinaryExpr:
    """`left op right`; `op` is the operator text (`+`, `==`, `||`, ...)."""

    op: str
    op_pos: Pos
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class ParenExpr:
    lparen: Pos
    inner: Expr
    rparen: Pos


Expr = (
    IdentifierExpr
    | LiteralExpr
    | ArrayExpr
    | ObjectExpr
    | AccessExpr
    | IndexExpr
    | CallExpr
    | UnaryExpr
    | BinaryExpr
    | ParenExpr
)


# ------------------------------------------------------------------ statements


@dataclass(frozen=True, slots=True)
class AttributeStmt:
    name: Ident
    value: Expr


@dataclass(frozen=True, slots=True)
class BlockStmt:
    """`a.b.c "label" { body }`; `label` is None when absent or `""`."""

    name: tuple[str, ...]
    name_pos: Pos
    label: str | None
    label_pos: Pos | None
    body: Body
    lcurly: Pos
    rcurly: Pos

    @property
    def full_name(self) -> str:
        return ".".join(self.name)


Stmt = AttributeStmt | BlockStmt
Body = tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class File:
    name: str
    body: Body
    comments: tuple[CommentGroup, ...]


# ------------------------------------------------------------------ positions


def children(node: Expr | Stmt) -> tuple[Expr | Stmt, ...]:
    """The expressions and statements directly inside a node, in source order."""
    match node:
        case BinaryExpr(left=left, right=right):
            return (left, right)
        case UnaryExpr(value=value) | AccessExpr(value=value):
            return (value,)
        case IndexExpr(value=value, index=index):
            return (value, index)
        case CallExpr(value=value, args=args):
            return (value, *args)
        case ParenExpr(inner=inner):
            return (inner,)
        case ArrayExpr(elements=elements):
            return elements
        case ObjectExpr(fields=fields):
            return tuple(f.value for f in fields)
        case AttributeStmt(value=value):
            return (value,)
        case BlockStmt(body=body):
            return body
    return ()


def start_pos(node: Expr | Stmt) -> Pos:
    """The position of the first byte of a node."""
    match node:
        case IdentifierExpr(ident=ident):
            return ident.pos
        case LiteralExpr(pos=pos):
            return pos
        case ArrayExpr(lbrack=pos) | ObjectExpr(lcurly=pos) | ParenExpr(lparen=pos):
            return pos
        case AccessExpr(value=v) | IndexExpr(value=v) | CallExpr(value=v):
            return start_pos(v)
        case UnaryExpr(op_pos=pos):
            return pos
        case BinaryExpr(left=left):
            return start_pos(left)
        case AttributeStmt(name=name):
            return name.pos
        case BlockStmt(name_pos=pos):
            return pos
    raise TypeError(f"not a node: {node!r}")


def end_pos(node: Expr | Stmt) -> Pos:
    """The position of the last byte of a node (inclusive), as Alloy's `ast.EndPos`."""
    match node:
        case IdentifierExpr(ident=ident):
            return _advance(ident.pos, len(ident.name.encode()) - 1)
        case LiteralExpr(pos=pos, raw=raw):
            return _last_byte(pos, raw)
        case ArrayExpr(rbrack=pos) | ObjectExpr(rcurly=pos) | ParenExpr(rparen=pos):
            return pos
        case AccessExpr(name=name):
            return _advance(name.pos, len(name.name.encode()) - 1)
        case IndexExpr(rbrack=pos) | CallExpr(rparen=pos):
            return pos
        case UnaryExpr(value=v) | BinaryExpr(right=v) | AttributeStmt(value=v):
            return end_pos(v)
        case BlockStmt(rcurly=pos):
            return pos
    raise TypeError(f"not a node: {node!r}")


def _advance(pos: Pos, nbytes: int) -> Pos:
    return Pos(pos.offset + nbytes, pos.line, pos.col + nbytes)


def _last_byte(pos: Pos, raw: str) -> Pos:
    """The position of the last byte of `raw` written at `pos` (raw strings may span lines)."""
    data = raw.encode("utf-8", "surrogateescape")
    newlines = data.count(b"\n")
    if not newlines:
        return _advance(pos, len(data) - 1)
    tail = len(data) - data.rfind(b"\n") - 1
    return Pos(pos.offset + len(data) - 1, pos.line + newlines, tail)
