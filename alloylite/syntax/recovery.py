"""Alloy's error recovery, replayed to produce exactly the diagnostics Alloy reports.

Why a second parser: Lark's LALR parser is the fast, authoritative happy path, but after the
first error Alloy's output depends on its recursive-descent routines: which token each one
consumes, how far it skips, and its one-error-per-line filter. The only honest way to match
those cascades is to follow the same rules (spec: alloy-parser-recovery-and-printer.md,
Part 1 §1.2-1.4) over the same token stream. This module builds no AST; it runs only when
the scanner reported something or Lark rejected the input.

Scanner diagnostics are released in Alloy's order: whenever a token becomes current, every
scanner diagnostic whose time is not after that token's time is appended (see scanner.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from alloylite.gocompat import go_quote
from alloylite.syntax.ast import Pos
from alloylite.syntax.diag import Diagnostic, Severity
from alloylite.syntax.scanner import (
    BOOL,
    EOF,
    FLOAT,
    IDENT,
    ILLEGAL,
    NULL,
    NUMBER,
    STRING,
    TERMINATOR,
    ScanResult,
    Token,
    is_identifier,
    token_name,
)

_KIND_NAMES = {
    "RPAREN": ")",
    "RBRACK": "]",
    "RCURLY": "}",
    "LCURLY": "{",
    "_ASSIGN": "=",
    IDENT: "IDENT",
    TERMINATOR: "TERMINATOR",
}
_LITERALS = frozenset({IDENT, STRING, NUMBER, FLOAT, BOOL, NULL})
_WORDS = frozenset({IDENT, STRING, NUMBER, FLOAT, BOOL, NULL, ILLEGAL, TERMINATOR})
_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
}
_BINARY_KINDS = frozenset({"OR", "AND", "CMPOP", "ADD", "SUB", "MULOP"})
_PRIMARY_STOP = frozenset({TERMINATOR, "RPAREN", "RCURLY", "RBRACK", "_COMMA"})
_OPENERS = {"LCURLY": 0, "LBRACK": 1, "LPAREN": 2}
_CLOSERS = {"RCURLY": 0, "RBRACK": 1, "RPAREN": 2}
TOO_DEEP = "expression is nested too deeply to check"


def _nbytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


class _Recovery:
    def __init__(self, scanned: ScanResult) -> None:
        self.tokens = scanned.tokens
        self.pending = scanned.diags
        self.released = 0
        self.index = -1
        self.out: list[Diagnostic] = []
        self.last_line: int | None = None
        self.cur: Token = self.tokens[0]
        self.advance()

    # ------------------------------------------------------------ primitives

    def advance(self) -> None:
        if self.index < len(self.tokens) - 1:
            self.index += 1
        self.cur = self.tokens[self.index]
        time = self.cur.end_pos
        pending = self.pending
        i = self.released
        while i < len(pending) and pending[i][0] <= time:
            self.out.append(pending[i][3])
            i += 1
        self.released = i

    def error(self, msg: str) -> None:
        line = self.cur.line
        if line == self.last_line:
            return
        self.last_line = line
        self.out.append(Diagnostic(Severity.ERROR, msg, self.cur.pos))

    def span_error(self, msg: str, start: Pos, end: Pos) -> None:
        self.out.append(Diagnostic(Severity.ERROR, msg, start, end))

    def expect(self, kind: str) -> Token:
        tok = self.cur
        if tok.type != kind:
            self.error(f"expected {_KIND_NAMES[kind]}, got {token_name(tok)}")
        self.advance()
        return tok

    def skip_to(self, kinds: frozenset[str]) -> None:
        while self.cur.type not in kinds and self.cur.type != EOF:
            self.advance()

    def skip_statement(self) -> None:
        counts = [0, 0, 0]
        while True:
            kind = self.cur.type
            if kind == EOF:
                return
            if kind in _OPENERS:
                counts[_OPENERS[kind]] += 1
            elif kind in _CLOSERS:
                counts[_CLOSERS[kind]] -= 1
            elif kind == TERMINATOR and max(counts) <= 0:
                return
            self.advance()

    # ------------------------------------------------------------ statements

    def body(self, until: str) -> None:
        while self.cur.type != until and self.cur.type != EOF:
            self.statement()
            if self.cur.type == until:
                break
            if self.cur.type != TERMINATOR:
                self.error(f"expected TERMINATOR, got {token_name(self.cur)}")
                self.skip_statement()
            self.advance()

    def statement(self) -> None:
        name = self.block_name()
        if name is None:
            self.skip_to(_IDENT_ONLY)
            return
        start, fragments, label_tok, label = name
        if self.cur.type == "_ASSIGN":
            self.advance()
            if len(fragments) > 1:
                width = _nbytes(".".join(fragments))
                end = Pos(start.offset + width - 1, start.line, start.col + width - 1)
                self.span_error(
                    'attribute names may only consist of a single identifier with no "."',
                    start,
                    end,
                )
            elif label_tok is not None:
                lpos = label_tok.pos
                width = _nbytes(label) + 1
                end = Pos(lpos.offset + width, lpos.line, lpos.col + width)
                self.span_error("attribute names may not have labels", lpos, end)
            self.expression()
        elif self.cur.type == "LCURLY":
            self.advance()
            self.body("RCURLY")
            self.expect("RCURLY")
        else:
            if len(fragments) == 1 and not label:
                self.error(
                    f"expected attribute assignment or block body, got {token_name(self.cur)}"
                )
            else:
                self.error(f"expected block body, got {token_name(self.cur)}")
            self.skip_to(_IDENT_ONLY)

    def block_name(self) -> tuple[Pos, list[str], Token | None, str] | None:
        if self.cur.type != IDENT:
            self.error(f"expected identifier, got {token_name(self.cur)}")
            return None
        start = self.cur.pos
        fragments = [self.cur.value]
        self.advance()
        while self.cur.type == "_DOT":
            self.advance()
            if self.cur.type != IDENT:
                self.error(f"expected identifier, got {token_name(self.cur)}")
            fragments.append(self.cur.value if self.cur.type in _WORDS else "")
            self.advance()
        label_tok: Token | None = None
        label = ""
        if self.cur.type != "_ASSIGN" and self.cur.type != "LCURLY":
            if self.cur.type == STRING:
                label_tok = self.cur
                raw = self.cur.value
                if raw.startswith("`"):
                    self.error(
                        "expected block label to be a double quoted string, but got "
                        + go_quote(raw)
                    )
                if _nbytes(raw) > 2:
                    label = raw[1:-1]
                    if not is_identifier(label):
                        self.error(
                            "expected block label to be a valid identifier, but got "
                            + go_quote(label)
                        )
            else:
                self.error(f"expected block label, got {token_name(self.cur)}")
            self.advance()
        return start, fragments, label_tok, label

    # ------------------------------------------------------------ expressions

    def expression(self) -> None:
        self.binary(1)

    def binary(self, prec: int) -> None:
        if prec > 5:
            self.power()
            return
        self.binary(prec + 1)
        while self.cur.type in _BINARY_KINDS and _PRECEDENCE[self.cur.value] == prec:
            self.advance()
            self.binary(prec + 1)

    def power(self) -> None:
        self.unary()
        if self.cur.type == "POW":
            self.advance()
            self.power()

    def unary(self) -> None:
        if self.cur.type == "NOT" or self.cur.type == "SUB":
            self.advance()
            self.unary()
        else:
            self.postfix()

    def postfix(self) -> None:
        start = self.cur.pos
        self.primary()
        while True:
            kind = self.cur.type
            if kind == "_DOT":
                self.advance()
                self.expect(IDENT)
            elif kind == "LBRACK":
                self.advance()
                self.expression()
                self.expect("RBRACK")
            elif kind == "LPAREN":
                self.advance()
                if self.cur.type != "RPAREN":
                    self.list("RPAREN", self.expression, "missing ',' in expression list")
                self.expect("RPAREN")
            elif kind == STRING or kind == "LCURLY":
                if kind == STRING:
                    self.advance()
                if self.expect("LCURLY").type != "LCURLY":
                    self.skip_statement()
                    return
                self.body("RCURLY")
                close = self.expect("RCURLY")
                if close.type != "RCURLY":
                    self.skip_statement()
                    return
                self.span_error("cannot use a block as an expression", start, close.pos)
            else:
                return

    def primary(self) -> None:
        kind = self.cur.type
        if kind in _LITERALS:
            self.advance()
        elif kind == "LPAREN":
            self.advance()
            self.expression()
            self.expect("RPAREN")
        elif kind == "LBRACK":
            self.advance()
            if self.cur.type != "RBRACK":
                self.list("RBRACK", self.expression, "missing ',' in expression list")
            self.expect("RBRACK")
        elif kind == "LCURLY":
            self.advance()
            # Alloy tests for "]" here (sic), so "{]" skips the list.
            if self.cur.type != "RBRACK":
                self.list("RCURLY", self.field, "missing ',' in field list")
            self.expect("RCURLY")
        else:
            self.error(f"expected expression, got {token_name(self.cur)}")
            self.skip_to(_PRIMARY_STOP)

    def list(self, until: str, item: Callable[[], None], missing: str) -> None:
        while self.cur.type != until and self.cur.type != EOF:
            item()
            if self.cur.type == until:
                break
            if self.cur.type != "_COMMA":
                self.error(missing)
            self.advance()

    def field(self) -> None:
        if self.cur.type == STRING or self.cur.type == IDENT:
            self.advance()
        else:
            self.error(f"expected field name (string or identifier), got {token_name(self.cur)}")
            self.skip_to(_ASSIGN_ONLY)
        self.expect("_ASSIGN")
        self.expression()


_IDENT_ONLY = frozenset({IDENT})
_ASSIGN_ONLY = frozenset({"_ASSIGN"})


# Recursive descent spends about a dozen frames per bracket level (Expression climbs five
# precedence levels before reaching Primary), so the parser's nesting limit needs more than
# Python's default 1000 frames. CPython 3.11 does not use the C stack for these calls.
_RECURSION_LIMIT = 20_000


def _run(scanned: ScanResult, action: Callable[[_Recovery], None]) -> list[Diagnostic]:
    rec = _Recovery(scanned)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    try:
        action(rec)
    except RecursionError:
        rec.out.append(Diagnostic(Severity.ERROR, TOO_DEEP, rec.cur.pos))
    finally:
        sys.setrecursionlimit(old_limit)
    return rec.out


def recover_file(scanned: ScanResult) -> list[Diagnostic]:
    """The diagnostics Alloy's ParseFile reports for this token stream, in Alloy's order."""
    return _run(scanned, lambda rec: rec.body(EOF))


def recover_expression(scanned: ScanResult) -> list[Diagnostic]:
    """The diagnostics of Alloy's ParseExpression: Expression, then expect(TERMINATOR)."""

    def run(rec: _Recovery) -> None:
        rec.expression()
        rec.expect(TERMINATOR)

    return _run(scanned, run)
