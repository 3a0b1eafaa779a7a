"""Alloy syntax: text in, AST and diagnostics out (no I/O, no components).

The parser (and Lark with it) is imported on first use only, so modules that just need
`alloylite.syntax.ast` or `diag` stay cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alloylite.syntax.parser import ExprResult, ParseResult, parse_expression, parse_file

__all__ = ["ExprResult", "ParseResult", "parse_expression", "parse_file"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from alloylite.syntax import parser

        return getattr(parser, name)
    raise AttributeError(name)
