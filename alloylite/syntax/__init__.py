"""Alloy syntax: text in, AST and diagnostics out (no I/O, no components)."""

from alloylite.syntax.parser import ExprResult, ParseResult, parse_expression, parse_file

__all__ = ["ExprResult", "ParseResult", "parse_expression", "parse_file"]
