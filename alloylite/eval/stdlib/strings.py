"""`string.*`: Go's `strings` functions (simple case mapping, Go's space set)."""

from __future__ import annotations

from typing import Any

from alloylite.eval.decode import arg, list_of, to_string
from alloylite.eval.gostr import join_bytes
from alloylite.eval.stdlib.builtin import builtin
from alloylite.eval.values import Function

# unicode.IsSpace: Python's str.strip() also strips U+001C..U+001F, Go does not.
_GO_SPACE = (
    " \t\n\v\f\r\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)


def _upper_char(c: str) -> str:
    u = c.upper()
    return u if len(u) == 1 else c  # Go maps rune by rune: no `ß` -> `SS`


def _lower_char(c: str) -> str:
    lower = c.lower()
    return lower if len(lower) == 1 else lower[0]


def to_upper(*args: Any) -> str:
    s = arg(args, 0, to_string)
    return s.upper() if s.isascii() else "".join(map(_upper_char, s))


def to_lower(*args: Any) -> str:
    s = arg(args, 0, to_string)
    return s.lower() if s.isascii() else "".join(map(_lower_char, s))


def trim(*args: Any) -> str:
    return arg(args, 0, to_string).strip(arg(args, 1, to_string))


def trim_prefix(*args: Any) -> str:
    return arg(args, 0, to_string).removeprefix(arg(args, 1, to_string))


def trim_suffix(*args: Any) -> str:
    return arg(args, 0, to_string).removesuffix(arg(args, 1, to_string))


def trim_space(*args: Any) -> str:
    return arg(args, 0, to_string).strip(_GO_SPACE)


def split(*args: Any) -> list[str]:
    s, sep = arg(args, 0, to_string), arg(args, 1, to_string)
    return list(s) if sep == "" else s.split(sep)


def replace(*args: Any) -> str:
    return arg(args, 0, to_string).replace(arg(args, 1, to_string), arg(args, 2, to_string))


def join(*args: Any) -> str:
    return join_bytes(arg(args, 1, to_string).join(arg(args, 0, list_of(to_string))))


def format_(*args: Any) -> str:
    from alloylite.eval.stdlib.gofmt import sprintf  # Go's fmt, loaded when first used

    return sprintf(arg(args, 0, to_string), list(args[1:]))


FUNCTIONS: dict[str, Function] = {
    "format": builtin("string.format", format_, None, 1),
    "join": builtin("string.join", join, 2),
    "replace": builtin("string.replace", replace, 3),
    "split": builtin("string.split", split, 2),
    "to_lower": builtin("string.to_lower", to_lower, 1),
    "to_upper": builtin("string.to_upper", to_upper, 1),
    "trim": builtin("string.trim", trim, 2),
    "trim_prefix": builtin("string.trim_prefix", trim_prefix, 2),
    "trim_space": builtin("string.trim_space", trim_space, 1),
    "trim_suffix": builtin("string.trim_suffix", trim_suffix, 2),
}
