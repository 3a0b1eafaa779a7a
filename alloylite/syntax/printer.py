"""The formatter behind `alloylite fmt`, reproducing `alloy fmt` byte for byte.

Alloy's printer is a pipeline (spec: alloy-parser-recovery-and-printer.md
Part 2): a walker emits text items and whitespace directives, a printer
interleaves comments and tracks an estimated source position, elastic tab
stops align the columns and a trimmer drops trailing blanks. Every quirk of
`alloy fmt` (alignment of one-line objects, comments jumping past estimated
tokens, `f(⏎)` printing as `f(,⏎)`) falls out of that pipeline, so the code
mirrors its stages rather than formatting by hand.
"""

from __future__ import annotations

from enum import Enum

from alloylite.gocompat import go_quote
from alloylite.syntax import ast
from alloylite.syntax.tabwriter import TabWriter, trim

__all__ = ["format_expr", "format_file"]


def format_file(file: ast.File) -> str:
    """The formatted text of a file, without the final newline `alloy fmt` adds."""
    printer = _Printer(file.comments)
    walker = _Walker(printer)
    walker.stmts(file.body)
    printer.finish()
    return printer.text()


def format_expr(expr: ast.Expr) -> str:
    """How Alloy's printer prints one expression (used to quote culprits in errors)."""
    printer = _Printer(())
    _Walker(printer).expr(expr)
    printer.finish()
    return printer.text()


# ------------------------------------------------------------------ printer


class _WS(Enum):
    """Whitespace directives the walker buffers between text items."""

    SP = " "
    VT = "\v"
    NL = "\n"
    FF = "\f"
    IN = ">"
    OUT = "<"


SP, VT, NL, FF, IN, OUT = _WS.SP, _WS.VT, _WS.NL, _WS.FF, _WS.IN, _WS.OUT
_BREAKS = (NL, FF)
_INDENTS = (IN, OUT)

_EOF_OFFSET = 1 << 62


class _Tok(Enum):
    """The token kinds the printer must tell apart (for `1 .a` spacing)."""

    NUMBER = 1
    DOT = 2
    OTHER = 3


def _nbytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))


class _Printer:
    """Buffers whitespace, interleaves comment groups and feeds the tab writer.

    `pos` is the printer's idea of where it is in the source (offset, line):
    an explicitly positioned item sets it, written text advances it, and
    whitespace never moves it, so an item without a position is assumed to
    sit right after the previous text. Comments are flushed before the first
    item whose position is at or past them, which is why a comment before an
    estimated token (`=`, `,`, `)`) moves to the next explicit one.
    """

    def __init__(self, comments: tuple[ast.CommentGroup, ...]) -> None:
        self._tw = TabWriter()
        self._groups = [group for group in comments if group]
        self._group_index = 0
        self._ws: list[_WS] = []
        self._indent = 0
        self._offset = 0
        self._line = 1
        self._last_line = 0
        self._at_line_start = True
        self._wrote_any = False
        self._last_tok = _Tok.OTHER
        self._segments: list[tuple[str, bool]] = []

    # -- the walker's interface

    def ws(self, *directives: _WS) -> None:
        self._ws.extend(directives)

    def item(self, text: str, pos: ast.Pos | None = None, tok: _Tok = _Tok.OTHER) -> None:
        """Write one text item, at `pos` if given, else at the estimated position."""
        if pos is not None and pos.line > 0:
            self._offset, self._line = pos.offset, pos.line
        if tok is _Tok.DOT and self._last_tok is _Tok.NUMBER:
            self._ws.append(SP)
        self._last_tok = tok
        next_offset, next_line = self._offset, self._line
        self._flush(next_offset, next_line, estimated=pos is None)
        self._write_text(text, opaque=False)
        self._offset = next_offset + _nbytes(text)
        self._line = next_line + text.count("\n")
        self._last_line = self._line

    def finish(self) -> None:
        """Write the remaining comments; trailing whitespace is dropped."""
        if self._comment_before(_EOF_OFFSET):
            self._intersperse(_EOF_OFFSET, _EOF_OFFSET, at_eof=True)
        self._ws.clear()
        self._segments = self._tw.finish()

    def text(self) -> str:
        return trim(self._segments)

    # -- comments

    def _comment_before(self, next_offset: int, *, estimated: bool = False) -> bool:
        if self._group_index >= len(self._groups):
            return False
        group = self._groups[self._group_index]
        if estimated and group[-1].text.startswith("//"):
            # Estimated positions drift when a line break is dropped
            # (`f(g(1, // c⏎))`). Alloy would then print the drifted `)` or `,`
            # on the comment's line, inside the comment, and the output no
            # longer parses; a `//` group waits for an explicit item instead.
            return False
        # `<=`: a comment right after estimated text (`a.b /* c */ .c`) is
        # flushed before the estimated item that lands on its offset.
        return group[0].pos.offset <= next_offset

    def _flush(self, next_offset: int, next_line: int, *, estimated: bool) -> None:
        if self._comment_before(next_offset, estimated=estimated):
            self._intersperse(next_offset, next_line, at_eof=False, estimated=estimated)
        else:
            self._write_ws(len(self._ws))

    def _intersperse(
        self, next_offset: int, next_line: int, *, at_eof: bool, estimated: bool = False
    ) -> None:
        last: ast.Comment | None = None
        while self._comment_before(next_offset, estimated=estimated):
            for comment in self._groups[self._group_index]:
                self._comment_prefix(comment, next_line)
                self._write_comment(comment)
                last = comment
            self._group_index += 1
        if last is not None and not at_eof:
            self._comment_suffix(last, next_line)

    def _comment_prefix(self, comment: ast.Comment, next_line: int) -> None:
        if not self._wrote_any:
            return
        if comment.pos.line == self._last_line:
            self._write_byte(" " if comment.pos.line == next_line else "\t")
            return
        # An own-line comment: keep the indentation changes queued before the
        # first break (so it takes the inner depth), drop that one break and
        # copy the source's vertical gap instead.
        for index, directive in enumerate(self._ws):
            if directive not in _INDENTS:
                self._write_ws(index)
                del self._ws[0]
                break
        gap = min(comment.pos.line - self._last_line, 2)
        if gap > 0:
            self._write_byte("\f" * gap)

    def _write_comment(self, comment: ast.Comment) -> None:
        self._offset, self._line = comment.pos.offset, comment.pos.line
        self._write_text(comment.text, opaque=True)
        self._offset += _nbytes(comment.text)
        self._line += comment.text.count("\n")
        self._last_line = self._line

    def _comment_suffix(self, last: ast.Comment, next_line: int) -> None:
        if last.text.startswith("/*") and self._last_line == next_line:
            self._write_byte(" ")
        dropped_ff = False
        kept: list[_WS] = []
        for directive in self._ws:
            if directive in _INDENTS:
                kept.append(directive)
            elif directive is FF:
                dropped_ff = True
        self._ws = kept
        self._write_ws(len(kept))
        gap = min(next_line - self._last_line, 2)
        if gap > 0:
            self._write_byte(("\f" if dropped_ff else "\n") * gap)

    # -- output

    def _write_ws(self, count: int) -> None:
        """Apply the first `count` buffered directives and remove them."""
        if not count:
            return
        pending = self._ws[:count]
        del self._ws[:count]
        i = 0
        while i < len(pending):
            directive = pending[i]
            if directive is IN:
                self._indent += 1
            elif directive is OUT:
                self._indent = max(0, self._indent - 1)
            elif directive in _BREAKS and i + 1 < len(pending) and pending[i + 1] is OUT:
                # A break before an unindent becomes unindent + FF, so the
                # closing line ends the alignment section (as Go's printer does).
                pending[i], pending[i + 1] = OUT, FF
                continue
            else:
                self._write_byte(directive.value)
            i += 1

    def _write_indent(self) -> None:
        if self._at_line_start:
            if self._indent:
                self._tw.write("\t" * self._indent)
            self._at_line_start = False

    def _write_byte(self, chars: str) -> None:
        self._write_indent()
        self._tw.write(chars)
        self._wrote_any = True
        if chars[-1] in "\n\f":
            self._at_line_start = True

    def _write_text(self, text: str, *, opaque: bool) -> None:
        self._write_indent()
        if opaque:
            self._tw.write_opaque(text)
        else:
            self._tw.write(text)
        self._wrote_any = True
        if text and text[-1] in "\n\f":
            self._at_line_start = True


# ------------------------------------------------------------------- walker


def _start_line(node: ast.Expr | ast.Stmt) -> int:
    """`ast.start_pos(node).line` without recursion (chains can be thousands deep)."""
    while isinstance(node, ast.AccessExpr | ast.IndexExpr | ast.CallExpr | ast.BinaryExpr):
        node = node.left if isinstance(node, ast.BinaryExpr) else node.value
    return ast.start_pos(node).line


def _end_line(node: ast.Expr | ast.Stmt) -> int:
    """`ast.end_pos(node).line` without recursion."""
    while isinstance(node, ast.UnaryExpr | ast.BinaryExpr | ast.AttributeStmt):
        node = node.right if isinstance(node, ast.BinaryExpr) else node.value
    return ast.end_pos(node).line


def _lines_of(node: ast.Expr | ast.Stmt) -> int:
    return _end_line(node) - _start_line(node) + 1


def _key_end_line(field: ast.ObjectField) -> int:
    return field.name.pos.line + (field.name.name.count("\n") if field.quoted else 0)


def _key_text(field: ast.ObjectField) -> str:
    """Quoted keys are re-quoted from their raw inner text; Alloy never strips
    the quotes of an empty key literal, so `""` is printed as it is."""
    if field.quoted and field.name.name not in ('""', "``"):
        return go_quote(field.name.name)
    return field.name.name


class _Item:
    """A text item, explicitly positioned or estimated (`pos` None)."""

    __slots__ = ("pos", "text", "tok")

    def __init__(self, text: str, pos: ast.Pos | None = None, tok: _Tok = _Tok.OTHER) -> None:
        self.text, self.pos, self.tok = text, pos, tok


_Task = ast.Expr | _Item | tuple[_WS, ...]
"""One step of the expression walk: a node still to expand, an item, or whitespace."""


class _Walker:
    """Emits the text items and whitespace directives of Alloy's printer walker.

    Expressions are walked with an explicit stack: the parser accepts chains
    (`1 + 1 + ...`, `a.b.c...`, `- - 1`) far deeper than Python's recursion limit.
    """

    def __init__(self, printer: _Printer) -> None:
        self.p = printer

    # -- statements

    def stmts(self, body: ast.Body) -> None:
        p = self.p
        for i, stmt in enumerate(body):
            if i > 0:
                if isinstance(stmt, ast.BlockStmt):
                    p.ws(FF)
                elif _start_line(stmt) - _end_line(body[i - 1]) > 1:
                    p.ws(FF)
            if isinstance(stmt, ast.AttributeStmt):
                p.item(stmt.name.name, stmt.name.pos)
                p.ws(VT)
                p.item("=")
                p.ws(SP)
                self.expr(stmt.value)
            else:
                self.block(stmt)
            p.ws(FF if _lines_of(stmt) > 1 else NL)

    def block(self, block: ast.BlockStmt) -> None:
        p = self.p
        p.item(block.full_name, block.name_pos)
        if block.label:
            p.ws(SP)
            p.item(go_quote(block.label), block.label_pos)
        p.ws(SP)
        p.item("{", block.lcurly)
        p.ws(IN)
        if block.body:
            p.ws(FF)
            self.stmts(block.body)
        else:
            p.ws(SP)
        p.ws(OUT)
        p.item("}", block.rcurly)

    # -- expressions

    def expr(self, root: ast.Expr) -> None:
        p = self.p
        stack: list[_Task] = [root]
        while stack:
            task = stack.pop()
            if isinstance(task, _Item):
                p.item(task.text, task.pos, task.tok)
            elif isinstance(task, tuple):
                p.ws(*task)
            else:
                stack.extend(reversed(_expand(task)))


def _expand(expr: ast.Expr) -> list[_Task]:
    """The items, whitespace and sub-expressions one node prints as, in order."""
    match expr:
        case ast.LiteralExpr(kind=kind, raw=raw, pos=pos):
            tok = _Tok.NUMBER if kind is ast.LiteralKind.NUMBER else _Tok.OTHER
            return [_Item(raw, pos, tok)]
        case ast.IdentifierExpr(ident=ident):
            return [_Item(ident.name, ident.pos)]
        case ast.AccessExpr(value=value, name=name):
            return [value, _Item(".", None, _Tok.DOT), _Item(name.name)]
        case ast.IndexExpr(value=value, lbrack=lbrack, index=index, rbrack=rbrack):
            return [value, _Item("[", lbrack), index, _Item("]", rbrack)]
        case ast.UnaryExpr(op=op, op_pos=op_pos, value=value):
            return [_Item(op, op_pos), value]
        case ast.BinaryExpr(op=op, op_pos=op_pos, left=left, right=right):
            return [left, (SP,), _Item(op, op_pos), (SP,), right]
        case ast.ParenExpr(inner=inner):
            return [_Item("("), inner, _Item(")")]
        case ast.ArrayExpr():
            return _expand_array(expr)
        case ast.ObjectExpr():
            return _expand_object(expr)
        case ast.CallExpr():
            return _expand_call(expr)
    raise TypeError(f"not an expression: {expr!r}")


def _expand_array(array: ast.ArrayExpr) -> list[_Task]:
    tasks: list[_Task] = [_Item("[", array.lbrack)]
    prev_line = array.lbrack.line
    count = len(array.elements)
    for i, element in enumerate(array.elements):
        own_line = _start_line(element) != prev_line
        if own_line:
            tasks.append((IN, FF))
        elif i > 0:
            tasks.append((SP,))
        prev_line = _end_line(element)
        tasks.append(element)
        if i + 1 < count:
            tasks.append(_Item(","))
        if own_line:
            tasks.append((OUT,))
    if count and prev_line != array.rbrack.line:
        tasks += [_Item(","), (IN, FF, OUT)]
    tasks.append(_Item("]", array.rbrack))
    return tasks


def _expand_object(obj: ast.ObjectExpr) -> list[_Task]:
    tasks: list[_Task] = [_Item("{", obj.lcurly), (IN,)]
    prev_key_line = obj.lcurly.line
    count = len(obj.fields)
    for i, field in enumerate(obj.fields):
        if field.name.pos.line != prev_key_line:
            one_line_before = i > 0 and _lines_of(obj.fields[i - 1].value) == 1
            tasks.append((NL,) if one_line_before else (FF,))
        elif i > 0:
            tasks.append((SP,))
        prev_key_line = _key_end_line(field)
        tasks += [_Item(_key_text(field), field.name.pos), (VT,), _Item("="), (SP,), field.value]
        if i + 1 < count:
            tasks.append(_Item(","))
    if count and prev_key_line != obj.rcurly.line:
        tasks += [_Item(","), (FF,)]
    tasks += [(OUT,), _Item("}", obj.rcurly)]
    return tasks


def _expand_call(call: ast.CallExpr) -> list[_Task]:
    tasks: list[_Task] = [call.value, _Item("(")]
    prev_line = call.lparen.line
    count = len(call.args)
    for i, arg in enumerate(call.args):
        own_line = _start_line(arg) != prev_line
        if own_line:
            tasks.append((FF, IN))
        tasks.append(arg)
        if own_line:
            tasks.append((OUT,))
        if i + 1 < count:
            tasks += [_Item(","), (SP,)]
        prev_line = _end_line(arg)
    if prev_line != call.rparen.line:
        tasks += [_Item(","), (FF,)]
    tasks.append(_Item(")"))
    return tasks
