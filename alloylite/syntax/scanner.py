"""The Alloy scanner: bytes in, tokens (with Go-style terminators), comments and diagnostics out.

Why hand-written and byte-based: Alloy reports 1-based *byte* columns and its error cascades
depend on scanner details Lark's lexer cannot express (the terminator flag, where a `/*`
comment ends a line, reader errors for NUL/bad UTF-8/BOM that may be reported twice). One
master regex handles everything valid; rare forms (escapes with digits, non-ASCII
identifiers, illegal characters, unterminated literals) take small slow paths.

Diagnostic order: Alloy's scanner is lazy and the parser interleaves its own errors with the
scanner's. Each scanner diagnostic therefore carries a *time*: the byte offset of the
scanner's one-character lookahead when it was raised. Each token carries its own time in
`end_pos` (the lookahead after scanning it). The recovery parser releases scanner
diagnostics whose time is <= the time of the token it has just made current, which
reproduces Alloy's interleaving exactly.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from alloylite.syntax.ast import Comment, CommentGroup, Pos
from alloylite.syntax.diag import Diagnostic, Severity

# Token kinds are the grammar's terminal names (grammar/alloy.lark); messages use
# `token_name`: the kind for words, the text for punctuation.
IDENT = "IDENT"
NUMBER = "NUMBER"
FLOAT = "FLOAT"
STRING = "STRING"
BOOL = "BOOL"
NULL = "NULL"
TERMINATOR = "_TERM"  # dropped from the grammar's callbacks
EOF = "EOF"
ILLEGAL = "ILLEGAL"

PUNCT_KINDS: dict[bytes, str] = {
    b"||": "OR",
    b"&&": "AND",
    b"==": "CMPOP",
    b"!=": "CMPOP",
    b"<": "CMPOP",
    b"<=": "CMPOP",
    b">": "CMPOP",
    b">=": "CMPOP",
    b"+": "ADD",
    b"-": "SUB",
    b"*": "MULOP",
    b"/": "MULOP",
    b"%": "MULOP",
    b"^": "POW",
    b"!": "NOT",
    b"=": "_ASSIGN",
    b"(": "LPAREN",
    b")": "RPAREN",
    b"[": "LBRACK",
    b"]": "RBRACK",
    b"{": "LCURLY",
    b"}": "RCURLY",
    b",": "_COMMA",
    b".": "_DOT",
}
_PUNCT_TEXT = {k: k.decode() for k in PUNCT_KINDS}
# Tokens after which a newline (or EOF, or a comment running to the end of the line)
# becomes a TERMINATOR.
_SETS_FLAG = frozenset({"RPAREN", "RBRACK", "RCURLY"})

_MASTER = re.compile(
    rb"""
    [ \t\r]*+
    (?:
     (?P<nl>\n[ \t\r\n]*+)
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*+)
    |(?P<float>(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)
    |(?P<number>[0-9]+)
    |(?P<string>"[^"\\\n]*+(?:\\[abfnrtv\\"][^"\\\n]*+)*+")
    |(?P<op>\|\||&&|==|!=|<=|>=|[-+*%^!<>=(){}\[\],.]|/(?![/*]))
    |(?P<raw>`[^`]*+`)
    |(?P<lcomment>//[^\n]*+)
    |(?P<bcomment>/\*[^*]*+\*++(?:[^/*][^*]*+\*++)*+/)
    )?
    """,
    re.VERBOSE,
)
_OPENERS = frozenset({"LPAREN", "LBRACK", "LCURLY"})
_WS = re.compile(rb"[ \t\r]*")
_IDENT_TAIL = re.compile(rb"[A-Za-z0-9_]*")
_DIGITS = re.compile(rb"[0-9]*")
_STRING_RUN = re.compile(rb'[^"\'\\\n]*')


class Token(str):
    """A token: its text (as the str itself and `value`), terminal name and position.

    The same shape as Lark's Token (the grammar's callbacks read `type`, `value`,
    `start_pos`, `line`, `column`), without importing Lark: parsing a config never needs
    it once the grammar's tables are cached (see alloylite.syntax.lalr). `end_pos` is the
    token's *time* (see the module docstring), not where its text ends.
    """

    __slots__ = (
        "type",
        "start_pos",
        "value",
        "line",
        "column",
        "end_line",
        "end_column",
        "end_pos",
    )

    type: str
    start_pos: int
    value: str
    line: int
    column: int
    end_line: int | None
    end_column: int | None
    end_pos: int

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"

    @property
    def pos(self) -> Pos:
        """Where the token starts, as the AST and diagnostics count positions."""
        return Pos(self.start_pos, self.line, self.column)


def _new_token(
    kind: str,
    value: str,
    start_pos: int,
    line: int,
    column: int,
    end_line: int | None,
    end_column: int | None,
    end_pos: int,
) -> Token:
    tok = str.__new__(Token, value)
    tok.type = kind
    tok.start_pos = start_pos
    tok.value = value
    tok.line = line
    tok.column = column
    tok.end_line = end_line
    tok.end_column = end_column
    tok.end_pos = end_pos
    return tok


_KEYWORDS = {"true": BOOL, "false": BOOL, "null": NULL}
_BAD_READER = re.compile("[\x00\ufeff\udc80-\udcff]")


@dataclass(slots=True)
class ScanResult:
    """Everything the parser needs from one scan.

    `diags` are (time, source, order, diagnostic) sorted in that order, where source 0 is
    the character reader and 1 the scanner proper (the reader runs first); see the module
    docstring. `comment_groups` follow Alloy's grouping rule (consecutive comments with no
    token between them, each on the line where the previous ended or the next one).
    """

    tokens: list[Token]
    comments: list[tuple[Comment, int, int]] = field(default_factory=list)
    diags: list[tuple[int, int, int, Diagnostic]] = field(default_factory=list)
    max_depth: int = 0
    depth_pos: Pos | None = None
    longest_statement: int = 0  # most tokens between two terminators

    def comment_groups(self) -> tuple[CommentGroup, ...]:
        groups: list[CommentGroup] = []
        current: list[Comment] = []
        last_index = -1
        last_end_line = 0
        for comment, token_index, end_line in self.comments:
            if current and (token_index != last_index or comment.pos.line > last_end_line + 1):
                groups.append(tuple(current))
                current = []
            current.append(comment)
            last_index = token_index
            last_end_line = end_line
        if current:
            groups.append(tuple(current))
        return tuple(groups)


_NAMED = {
    IDENT: "IDENT",
    NUMBER: "NUMBER",
    FLOAT: "FLOAT",
    STRING: "STRING",
    BOOL: "BOOL",
    NULL: "NULL",
    TERMINATOR: "TERMINATOR",
    EOF: "EOF",
    ILLEGAL: "ILLEGAL",
}


def token_name(tok: Token) -> str:
    """How Alloy names a token in "expected X, got Y" messages."""
    return _NAMED.get(tok.type) or tok.value


def _go_quote_rune(ch: str) -> str:
    """Go's `%#U`: `U+0023 '#'`, the quoted character only when Go deems it printable."""
    code = ord(ch)
    text = f"U+{code:04X}"
    if 0xD800 <= code <= 0xDFFF:
        return "U+FFFD '\ufffd'"
    if ch == " " or (ch.isprintable() and not unicodedata.category(ch).startswith("Z")):
        text += f" '{ch}'"
    return text


def _is_letter(ch: str) -> bool:
    return ch == "_" or ch.isalpha()


def _is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"


class Scanner:
    """Scans one source. Use `scan()`; the object is single-use."""

    def __init__(self, data: bytes, max_depth: int) -> None:
        self.data = data
        self.n = len(data)
        self.limit = max_depth
        self.tokens: list[Token] = []
        self.result = ScanResult(self.tokens)
        self._order = 0
        self._line = 1
        self._line_start = 0
        self._reader_bad: list[int] = []
        self._reader_msgs: dict[int, str] = {}
        self._terms: list[int] = []  # token indices of TERMINATORs

    # ------------------------------------------------------------ positions

    def _advance_lines(self, start: int, end: int) -> None:
        count = self.data.count(b"\n", start, end)
        if count:
            self._line += count
            self._line_start = self.data.rfind(b"\n", start, end) + 1

    def pos_at(self, offset: int) -> Pos:
        """The position of an offset at or after the current line start."""
        return Pos(offset, self._line, offset - self._line_start + 1)

    def _error(self, time: int, offset: int, msg: str, pos: Pos | None = None) -> None:
        self._order += 1
        where = pos if pos is not None else self.pos_at(offset)
        self.result.diags.append((time, 1, self._order, Diagnostic(Severity.ERROR, msg, where)))

    # ------------------------------------------------------------ reader errors

    def _find_reader_errors(self, start: int) -> None:
        """NUL, invalid UTF-8 and a BOM after offset 0, each reported when first read."""
        data = self.data
        if b"\x00" not in data and b"\xef\xbb\xbf" not in data[start:]:
            try:
                data.decode("utf-8")
                return
            except UnicodeDecodeError:
                pass
        text = data.decode("utf-8", "surrogateescape")
        byte_off = 0
        char_off = 0
        for m in _BAD_READER.finditer(text):
            byte_off += len(text[char_off : m.start()].encode("utf-8", "surrogateescape"))
            char_off = m.start()
            ch = m.group()
            if byte_off >= start:
                if ch == "\x00":
                    msg = "illegal character NUL"
                elif ch == "\ufeff":
                    msg = "illegal byte order mark"
                else:
                    msg = "illegal UTF-8 encoding"
                self._reader_bad.append(byte_off)
                self._reader_msgs[byte_off] = msg
        # Positions are computed once all offsets are known (lines need a full pass).

    def _reader_diags(self, dups: list[tuple[int, int]]) -> None:
        if not self._reader_bad:
            return
        data = self.data
        line = 1
        line_start = 0
        last = 0
        positions: dict[int, Pos] = {}
        for off in self._reader_bad:
            count = data.count(b"\n", last, off)
            if count:
                line += count
                line_start = data.rfind(b"\n", last, off) + 1
            last = off
            positions[off] = Pos(off, line, off - line_start + 1)
        for off in self._reader_bad:
            diag = Diagnostic(Severity.ERROR, self._reader_msgs[off], positions[off])
            self.result.diags.append((off, 0, off, diag))
        for time, off in dups:
            diag = Diagnostic(Severity.ERROR, self._reader_msgs[off], positions[off])
            self.result.diags.append((time, 0, off, diag))

    def _rune(self, p: int) -> tuple[str, int]:
        """The character at byte `p` the way Go's decoder sees it (bad byte -> U+FFFD, width 1)."""
        b = self.data[p]
        if b < 0x80:
            return chr(b), 1
        width = 2 if b < 0xE0 else 3 if b < 0xF0 else 4
        try:
            return self.data[p : p + width].decode("utf-8"), width
        except UnicodeDecodeError:
            return "\ufffd", 1

    # ------------------------------------------------------------ main loop

    def scan(self) -> ScanResult:
        data = self.data
        n = self.n
        pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        self._find_reader_errors(pos)
        dups: list[tuple[int, int]] = []
        tokens = self.tokens
        append = tokens.append
        new = _new_token
        flag = False
        depth = max_depth = 0
        terms = self._terms
        master = _MASTER.match
        punct = PUNCT_KINDS
        punct_text = _PUNCT_TEXT
        keywords = _KEYWORDS
        openers = _OPENERS
        line = 1
        line_start = 0
        # The hot loop keeps line tracking in locals; slow paths get it through self.
        while pos < n:
            m = master(data, pos)  # always matches: every group is optional
            assert m is not None
            kind = m.lastgroup
            if kind is None:
                start = m.end()
                if start >= n:
                    break
                self._line, self._line_start = line, line_start
                if data[start] == 0x2F:  # an unterminated /* comment
                    pos = self._comment(start, flag, dups)
                    flag = False
                else:
                    pos = self._slow_token(start, flag)
                    flag = self._flag_after_slow(flag)
                line, line_start = self._line, self._line_start
                continue
            start = m.start(kind)
            end = m.end()
            if kind == "ident":
                if end < n and data[end] >= 0x80:
                    self._line, self._line_start = line, line_start
                    pos = self._slow_ident(start)
                else:
                    text = data[start:end].decode("ascii")
                    append(
                        new(
                            keywords.get(text, IDENT),
                            text,
                            start,
                            line,
                            start - line_start + 1,
                            None,
                            None,
                            end,
                        )
                    )
                    pos = end
                flag = True
            elif kind == "op":
                op = m.group(kind)
                if op == b"/" and end < n and data[end] == 0x2A:
                    self._line, self._line_start = line, line_start
                    pos = self._comment(start, flag, dups)  # an unterminated /*
                    line, line_start = self._line, self._line_start
                    flag = False
                    continue
                tkind = punct[op]
                append(
                    new(
                        tkind,
                        punct_text[op],
                        start,
                        line,
                        start - line_start + 1,
                        None,
                        None,
                        end,
                    )
                )
                if tkind in _SETS_FLAG:
                    flag = True
                    depth -= 1
                else:
                    flag = False
                    if tkind in openers:
                        depth += 1
                        if depth > max_depth:
                            max_depth = depth
                            if depth > self.limit and self.result.depth_pos is None:
                                self.result.depth_pos = Pos(start, line, start - line_start + 1)
                pos = end
            elif kind == "nl":
                if flag:
                    terms.append(len(tokens))
                    append(
                        new(
                            TERMINATOR,
                            "\n",
                            start,
                            line,
                            start - line_start + 1,
                            None,
                            None,
                            start + 1,
                        )
                    )
                    flag = False
                newlines = m.group(kind)
                line += newlines.count(b"\n")
                line_start = start + newlines.rfind(b"\n") + 1
                pos = end
            elif kind == "string" or kind == "raw":
                append(
                    new(
                        STRING,
                        data[start:end].decode("utf-8", "surrogateescape"),
                        start,
                        line,
                        start - line_start + 1,
                        None,
                        None,
                        end,
                    )
                )
                if kind == "raw":  # only a raw string may span lines
                    count = data.count(b"\n", start, end)
                    if count:
                        line += count
                        line_start = data.rfind(b"\n", start, end) + 1
                pos = end
                flag = True
            elif kind == "number" or kind == "float":
                if end < n and data[end] in b"eE":
                    self._line, self._line_start = line, line_start
                    pos = self._slow_number(start)
                else:
                    append(
                        new(
                            NUMBER if kind == "number" else FLOAT,
                            data[start:end].decode("ascii"),
                            start,
                            line,
                            start - line_start + 1,
                            None,
                            None,
                            end,
                        )
                    )
                    pos = end
                flag = True
            else:  # lcomment, bcomment
                self._line, self._line_start = line, line_start
                pos = self._comment(start, flag, dups)
                line, line_start = self._line, self._line_start
                flag = False
        self._line, self._line_start = line, line_start
        if flag:
            terms.append(len(tokens))
            append(new(TERMINATOR, "\n", n, line, n - line_start + 1, None, None, n))
        append(new(EOF, "", n, line, n - line_start + 1, None, None, n))
        terms.append(len(tokens))
        self.result.max_depth = max_depth
        self.result.longest_statement = max(b - a for a, b in zip([0, *terms], terms, strict=False))
        self._reader_diags(dups)
        if self.result.diags:
            self.result.diags.sort(key=lambda d: (d[0], d[1], d[2]))
        return self.result

    # ------------------------------------------------------------ slow paths

    def _emit(self, kind: str, start: int, end: int, time: int | None = None) -> None:
        text = self.data[start:end].decode("utf-8", "surrogateescape")
        self.tokens.append(
            _new_token(
                kind,
                text,
                start,
                self._line,
                start - self._line_start + 1,
                None,
                None,
                end if time is None else time,
            )
        )

    def _flag_after_slow(self, flag: bool) -> bool:
        last = self.tokens[-1] if self.tokens else None
        if last is None:
            return flag
        if last.type == ILLEGAL:
            # A single-quoted string sets the flag; an illegal character leaves it alone.
            return True if last.value.startswith("'") else flag
        return last.type in (IDENT, BOOL, NULL, NUMBER, FLOAT, STRING) or last.type in _SETS_FLAG

    def _slow_ident(self, start: int) -> int:
        data = self.data
        n = self.n
        p = start
        while True:
            p = _IDENT_TAIL.match(data, p).end()  # type: ignore[union-attr]
            if p >= n or data[p] < 0x80:
                break
            ch, width = self._rune(p)
            if ch == "\ufffd" and width == 1:
                break
            if not (_is_letter(ch) or _is_digit(ch)):
                break
            p += width
        text = data[start:p].decode("utf-8")
        self.tokens.append(
            _new_token(
                _KEYWORDS.get(text, IDENT),
                text,
                start,
                self._line,
                start - self._line_start + 1,
                None,
                None,
                p,
            )
        )
        return p

    def _slow_number(self, start: int) -> int:
        data = self.data
        n = self.n
        p = start
        kind = NUMBER
        if data[p] != 0x2E:
            p = _DIGITS.match(data, p).end()  # type: ignore[union-attr]
        if p < n and data[p] == 0x2E:
            kind = FLOAT
            p = _DIGITS.match(data, p + 1).end()  # type: ignore[union-attr]
        if p < n and data[p] in b"eE":
            kind = FLOAT
            p += 1
            if p < n and data[p] in b"+-":
                p += 1
            if p < n and 0x30 <= data[p] <= 0x39:
                p = _DIGITS.match(data, p).end()  # type: ignore[union-attr]
            else:
                self._error(p, start, "exponent has no digits")
        self._emit(kind, start, p)
        return p

    def _comment(self, start: int, flag: bool, dups: list[tuple[int, int]]) -> int:
        data = self.data
        n = self.n
        line_comment = data[start + 1] == 0x2F
        if flag:
            ends_line = True
            if not line_comment:
                ends_line, look_end = self._find_line_end(start)
                bad = self._reader_bad
                if bad:
                    lo = bisect_left(bad, start + 2)
                    hi = bisect_right(bad, look_end)
                    dups.extend((start + 1, off) for off in bad[lo:hi])
            if ends_line:
                self._terms.append(len(self.tokens))
                self.tokens.append(
                    _new_token(
                        TERMINATOR,
                        "\n",
                        start,
                        self._line,
                        start - self._line_start + 1,
                        None,
                        None,
                        start + 1,
                    )
                )
        if line_comment:
            end = data.find(b"\n", start)
            if end < 0:
                end = n
        else:
            close = data.find(b"*/", start + 2)
            if close < 0:
                end = n
                self._error(n, start, "block comment not terminated")
            else:
                end = close + 2
        text = data[start:end].decode("utf-8", "surrogateescape").replace("\r", "")
        pos = self.pos_at(start)
        self._advance_lines(start, end)
        self.result.comments.append((Comment(pos, text), len(self.tokens), self._line))
        return end

    def _find_line_end(self, start: int) -> tuple[bool, int]:
        """Alloy's look-ahead: does the `/*` comment at `start` run to the end of its line?

        Returns the answer and the offset of the last character the look-ahead read (reader
        errors up to there are reported a second time).
        """
        data = self.data
        n = self.n
        p = start  # at a '/', followed by '*'
        while True:
            # p is at "/*"
            q = p + 2
            close = data.find(b"*/", q)
            newline = data.find(b"\n", q)
            if newline >= 0 and (close < 0 or newline < close):
                return True, newline
            if close < 0:
                return True, n
            p = _WS.match(data, close + 2).end()  # type: ignore[union-attr]
            if p >= n or data[p] == 0x0A:
                return True, p
            if data[p] != 0x2F:
                return False, p
            if p + 1 >= n:
                return False, p + 1
            if data[p + 1] == 0x2F:
                return True, p + 1
            if data[p + 1] != 0x2A:
                return False, p + 1

    def _slow_token(self, start: int, flag: bool) -> int:
        data = self.data
        b = data[start]
        if b == 0x22:  # "
            return self._string(start, 0x22, STRING)
        if b == 0x60:  # `
            end = data.find(b"`", start + 1)
            if end < 0:
                self._error(self.n, start, "string literal not terminated")
                end = self.n
            else:
                end += 1
            self._emit(STRING, start, end)
            self._advance_lines(start, end)
            return end
        if b == 0x27:  # '
            self._error(start + 1, start, "illegal single-quoted string; use double quotes")
            return self._string(start, 0x27, ILLEGAL)
        if b in b"|&":
            ch = chr(b)
            self._error(start + 1, start + 1, f"missing second {ch} in {ch}{ch}")
            self.tokens.append(
                _new_token(
                    "OR" if b == 0x7C else "AND",
                    ch + ch,
                    start,
                    self._line,
                    start - self._line_start + 1,
                    None,
                    None,
                    start + 1,
                )
            )
            return start + 1
        if 0x30 <= b <= 0x39 or b == 0x2E:
            return self._slow_number(start)
        ch, width = self._rune(start)
        end = start + width
        if _is_letter(ch):
            return self._slow_ident(start)
        if ch == "\ufeff":
            self._emit(ILLEGAL, start, end)
            return end
        self._error(end, start, f"illegal character {_go_quote_rune(ch)}")
        self._emit(ILLEGAL, start, end)
        return end

    def _string(self, start: int, quote: int, kind: str) -> int:
        """A double- or single-quoted string with Alloy's escape checks (the slow path)."""
        data = self.data
        n = self.n
        p = start + 1
        while True:
            p = _STRING_RUN.match(data, p).end()  # type: ignore[union-attr]
            if p >= n or data[p] == 0x0A:
                self._error(p, start, "string literal not terminated")
                break
            b = data[p]
            p += 1
            if b == quote:
                break
            if b == 0x5C:
                p = self._escape(p, quote)
        self._emit(kind, start, p)
        return p

    def _escape(self, p: int, quote: int) -> int:
        data = self.data
        n = self.n
        offs = p
        if p >= n:
            self._error(p, offs, "escape sequence not terminated")
            return p
        b = data[p]
        if b in b"abfnrtv\\" or b == quote:
            return p + 1
        if 0x30 <= b <= 0x37:
            count, base, limit = 3, 8, 255
        elif b == 0x78:
            count, base, limit, p = 2, 16, 255, p + 1
        elif b == 0x75:
            count, base, limit, p = 4, 16, 0x10FFFF, p + 1
        elif b == 0x55:
            count, base, limit, p = 8, 16, 0x10FFFF, p + 1
        else:
            self._error(p, offs, "unknown escape sequence")
            return p
        value = 0
        while count:
            if p >= n:
                self._error(p, offs, "escape sequence not terminated")
                return p
            ch, _ = self._rune(p)
            digit = int(ch, 16) if ch in "0123456789abcdefABCDEF" else 99
            if digit >= base:
                self._error(p, offs, f"illegal character {_go_quote_rune(ch)} in escape sequence")
                return p
            value = value * base + digit
            p += 1
            count -= 1
        if value > limit or 0xD800 <= value < 0xE000:
            self._error(p, offs, "escape sequence is invalid Unicode code point")
        return p


def scan(data: bytes, max_depth: int = 1 << 30) -> ScanResult:
    """Scan `data`; see `ScanResult`."""
    return Scanner(data, max_depth).scan()


def is_identifier(text: str) -> bool:
    """Does `text` scan as exactly one IDENT (so not `true`, `a b`, `1x` or `a.b`)?"""
    if not text or text in _KEYWORDS:
        return False
    first = text[0]
    if not (first == "_" or first.isalpha()):
        return False
    return all(ch == "_" or ch.isalpha() or _is_digit(ch) for ch in text[1:])
