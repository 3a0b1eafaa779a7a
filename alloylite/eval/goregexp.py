"""Go's regexp, as Prometheus' relabel config compiles it: RE2 semantics, Go's error texts.

Alloy decodes a relabel `regex` through `regexp.Compile("^(?s:" + s + ")$")`; the texts of
its errors (`error parsing regexp: missing closing ): `^(?s:()$``) are what users see,
from `alloy validate` as much as from the running engine. google-re2 matches as Go does;
this module adds what Go's parser rejects and RE2 accepts, translates RE2's error codes
into Go's words, and implements Go's `Regexp.Expand`. It sits below the runtime so that
both the catalogue's `Regexp` text type and the relabel engine use this one copy.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple

import re2  # type: ignore[import-untyped]

__all__ = ["Regex", "RegexError", "RegexTooLarge", "compile_regex", "expand"]


class RegexError(ValueError):
    """A regex Go's regexp/syntax rejects; str() is Go's exact error text."""


class RegexTooLarge(RegexError):
    """Beyond RE2's program size. Go's limit is elsewhere (RE2 compiles `\\pL` into many
    more instructions), so a pattern refused here may be one Go compiles: `validate`
    cannot decide it, `run` refuses it as alloylite's own limit."""


class Regex:
    """A rule regex compiled as Alloy does: `^(?s:` + pattern + `)$`, RE2 semantics."""

    __slots__ = ("pattern", "group_names", "_re")

    def __init__(self, pattern: str, compiled: Any, group_names: tuple[str | None, ...]) -> None:
        self.pattern = pattern
        self.group_names = group_names  # index 0 is the whole match (unnamed)
        self._re = compiled

    def __repr__(self) -> str:
        return f"Regex({self.pattern!r})"

    def matches(self, text: str) -> bool:
        """Whether the whole of `text` matches (keep, drop, labeldrop, labelkeep)."""
        data = _utf8_for_matching(text)
        return self._re.fullmatch(data[0]) is not None

    def match(self, text: str) -> tuple[str | None, ...] | None:
        """Group 0..n of a full match (None for groups that did not take part), or None."""
        data, original = _utf8_for_matching(text)
        found = self._re.fullmatch(data)
        if found is None:
            return None
        count = len(self.group_names)
        if original is None:
            return tuple(_decode_group(found.group(i)) for i in range(count))
        return tuple(_slice_by_bytes(data, original, found.span(i)) for i in range(count))


def _utf8_for_matching(text: str) -> tuple[bytes, str | None]:
    """UTF-8 bytes to match; lone surrogates (undecodable input bytes) become U+FFFD.

    Go reads each invalid byte as U+FFFD, so `.` matches it; the original text is returned
    when a substitution happened so captures can be cut from it.
    """
    try:
        return text.encode("utf-8"), None
    except UnicodeEncodeError:
        return _replace_surrogates(text).encode("utf-8"), text


def _replace_surrogates(text: str) -> str:
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def _decode_group(group: bytes | None) -> str | None:
    return None if group is None else group.decode("utf-8")


def _slice_by_bytes(data: bytes, original: str, span: tuple[int, int]) -> str | None:
    """Cut a capture out of `original` given its byte span in the substituted UTF-8 copy."""
    start, end = span
    if start < 0:
        return None
    char_start = len(data[:start].decode("utf-8"))
    char_end = char_start + len(data[start:end].decode("utf-8"))
    return original[char_start:char_end]


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # errors are returned as data, never logged to stderr
_RE2_OPTIONS.max_mem = 64 << 20  # RE2's 8 MB default rejects patterns Go accepts (\pL{1000})

# RE2 (C++) error code texts -> Go regexp/syntax ErrorCode texts.
_GO_ERROR_CODES = {
    "missing )": "missing closing )",
    "missing ]": "missing closing ]",
    "unexpected )": "unexpected )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid named capture group": "invalid named capture",
    "invalid escape sequence": "invalid escape sequence",
    "invalid character class": "invalid character class",
    "invalid character class range": "invalid character class range",
    "invalid UTF-8": "invalid UTF-8",
}


def _go_error(code: str, expr: str) -> RegexError:
    return RegexError(f"error parsing regexp: {code}: `{expr}`")


def _wrap(pattern: str) -> str:
    return "^(?s:" + pattern + ")$"


def _re2_compile(pattern: str) -> Any:
    """Compile the wrapped pattern with RE2, raising RegexError in Go's words."""
    wrapped = _wrap(pattern)
    try:
        data = wrapped.encode("utf-8")
    except UnicodeEncodeError:
        raise _go_error("invalid UTF-8", wrapped) from None
    try:
        return re2.compile(data, _RE2_OPTIONS)
    except re2.error as exc:
        raise _translate_re2_error(exc, wrapped) from None


def _translate_re2_error(exc: Exception, wrapped: str) -> RegexError:
    raw = exc.args[0] if exc.args else ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    code, sep, arg = text.partition(": ")
    if code == "pattern too large - compile failed":
        return RegexTooLarge(f"error parsing regexp: expression too large: `{wrapped}`")
    if code in _GO_ERROR_CODES:
        return _go_error(_GO_ERROR_CODES[code], arg if sep else wrapped)
    return RegexError(f"error parsing regexp: {text}")


@functools.lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> Regex:
    """Compile a rule regex the way Alloy does, or raise RegexError with Go's text.

    RE2 (C++) and Go's parser agree on almost everything; the scan below adds what Go
    rejects and RE2 accepts (`\\C`, non-ASCII or odd group names, `(?<=`/`(?<!`, which Go
    reads as a named group) and collects the group names `$name` expansion needs.
    """
    scan = _scan_go_syntax(pattern)
    if scan.error is not None:
        _raise_first_error(pattern, scan.error)
    compiled = _re2_compile(pattern)
    names: tuple[str | None, ...] = (None, *scan.names)
    if len(scan.names) != compiled.groups:  # the scan misread the pattern: trust RE2
        names = _names_from_re2(compiled)
    return Regex(pattern, compiled, names)


def _names_from_re2(compiled: Any) -> tuple[str | None, ...]:
    names: list[str | None] = [None] * (compiled.groups + 1)
    for name, index in compiled.groupindex.items():
        names[index] = name.decode("utf-8") if isinstance(name, bytes) else name
    return tuple(names)


class _GoOnlyError(NamedTuple):
    code: str
    expr: str
    offset: int  # where in the pattern Go's parser stops
    depth: int  # groups open at that point


class _Scan(NamedTuple):
    names: tuple[str | None, ...]
    error: _GoOnlyError | None


def _raise_first_error(pattern: str, error: _GoOnlyError) -> None:
    """Report whichever error Go meets first: RE2's (earlier in the text) or the Go-only one."""
    prefix = pattern[: error.offset] + ")" * error.depth
    try:
        _re2_compile(prefix)
    except RegexError:
        _re2_compile(pattern)  # raises RE2's (earlier) error in Go's words
    raise _go_error(error.code, error.expr)


def _scan_go_syntax(pattern: str) -> _Scan:
    """Walk the pattern as Go's parser does, far enough to find groups and Go-only errors."""
    names: list[str | None] = []
    depth = 0
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt == "C":
                return _Scan(tuple(names), _GoOnlyError("invalid escape sequence", "\\C", i, depth))
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                i = n if end < 0 else end + 2
            else:
                i += 2
        elif ch == "[":
            i = _skip_class(pattern, i)
        elif ch == ")":
            depth = max(0, depth - 1)
            i += 1
        elif ch == "(" and pattern.startswith("?", i + 1):
            head = _group_head(pattern, i, depth)
            if isinstance(head, _GoOnlyError):
                return _Scan(tuple(names), head)
            i, opened, name = head
            depth += opened
            if name is not None:
                names.append(name)
        elif ch == "(":
            names.append(None)
            depth += 1
            i += 1
        else:
            i += 1
    return _Scan(tuple(names), None)


_CAPTURE_NAME = re.compile(r"[A-Za-z0-9_]+")


def _group_head(pattern: str, i: int, depth: int) -> _GoOnlyError | tuple[int, int, str | None]:
    """Read `(?...`: a named group (Go's rules), or flags (`(?i)`, `(?i:`).

    Returns (next index, groups opened, group name) or a Go-only error. As in Go, the
    name runs to the first `>` anywhere after the `(`, so `(?<=a)` is a bad group name.
    """
    # Go sees the wrapped text (`pattern` + ")$"); indices into `pattern`, not copies of
    # its rest, keep a pattern of many groups linear.
    starts_p = pattern.startswith("P<", i + 2) and len(pattern) + 2 - i > 4
    starts_name = pattern.startswith("<", i + 2) and len(pattern) + 2 - i > 3
    if starts_p or starts_name:
        end = pattern.find(">", i)
        if end < 0:
            return _GoOnlyError("invalid named capture", pattern[i:] + ")$", i, depth)
        name = pattern[i + (4 if starts_p else 3) : end]
        if not (name.isascii() and _CAPTURE_NAME.fullmatch(name)):
            return _GoOnlyError("invalid named capture", pattern[i : end + 1], i, depth)
        return end + 1, 1, name
    j = i + 2
    while j < len(pattern) and pattern[j] in "imsU-":
        j += 1
    if pattern.startswith(":", j):
        return j + 1, 1, None
    return j, 0, None  # `(?i)` or an error RE2 reports in Go's words


def _skip_class(pattern: str, i: int) -> int:
    """Index just past the character class starting at `i` (Go's parseClass boundaries)."""
    j = i + 1
    if pattern.startswith("^", j):
        j += 1
    first = True
    while j < len(pattern):
        ch = pattern[j]
        if ch == "]" and not first:
            return j + 1
        first = False
        if pattern.startswith("[:", j):
            end = pattern.find(":]", j + 2)
            if end >= 0:
                j = end + 2
                continue
        j += 2 if ch == "\\" else 1
    return len(pattern)


# --------------------------------------------------------------------------- Go's Expand


def expand(template: str, groups: Sequence[str | None], names: Sequence[str | None]) -> str:
    """Go's `Regexp.Expand`: `$$`, `$1`, `${1}`, `$name`; `$1x` is the group named `1x`.

    Unknown, out-of-range or non-participating groups expand to ""; a malformed `$` is
    kept literally (spec §3.4).
    """
    out: list[str] = []
    rest = template
    while True:
        before, dollar, after = rest.partition("$")
        if not dollar:
            break
        out.append(before)
        rest = after
        if rest.startswith("$"):
            out.append("$")
            rest = rest[1:]
            continue
        ref = _extract(rest)
        if ref is None:
            out.append("$")
            continue
        name, number, rest = ref
        out.append(_group_value(name, number, groups, names))
    out.append(rest)
    return "".join(out)


def _group_value(
    name: str, number: int, groups: Sequence[str | None], names: Sequence[str | None]
) -> str:
    if number >= 0:
        value = groups[number] if number < len(groups) else None
        return value or ""
    for index, group_name in enumerate(names):
        if group_name == name and index < len(groups) and groups[index] is not None:
            return groups[index] or ""
    return ""


def _extract(text: str) -> tuple[str, int, str] | None:
    """Go's `extract`: the name after a `$`, its group number (or -1) and the rest."""
    brace = text.startswith("{")
    body = text[1:] if brace else text
    end = 0
    while end < len(body) and _is_name_char(body[end]):
        end += 1
    if end == 0:
        return None
    name = body[:end]
    if brace:
        if not body.startswith("}", end):
            return None
        end += 1
    return name, _group_number(name), body[end:]


def _is_name_char(ch: str) -> bool:
    """Go's unicode.IsLetter || unicode.IsDigit || '_'."""
    if ch.isascii():
        return ch.isalnum() or ch == "_"
    category = unicodedata.category(ch)
    return category.startswith("L") or category == "Nd"


def _group_number(name: str) -> int:
    """A group number when `name` is ASCII digits, < 1e8-ish and has no leading zero; else -1."""
    number = 0
    for ch in name:
        if not ("0" <= ch <= "9") or number >= 100_000_000:
            return -1
        number = number * 10 + ord(ch) - ord("0")
    if name[0] == "0" and len(name) > 1:
        return -1
    return number
