"""`encoding.*`: JSON, YAML, base64 and URL encodings with Go's behaviour.

The JSON and YAML codecs (and the `yaml` package) are imported by the functions that use
them: most configs never call them, and `alloylite validate` must start fast.
"""

from __future__ import annotations

from typing import Any

from alloylite.eval.decode import arg, to_string
from alloylite.eval.errors import CallError
from alloylite.eval.gostr import decode, encode
from alloylite.eval.stdlib.builtin import builtin
from alloylite.eval.values import Bytes, Function, UInt
from alloylite.gocompat import go_quote

_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _b64decode(src: bytes, alphabet: str) -> bytes:
    """Go's base64 decoder (padded, CR/LF ignored), with its error offsets."""
    table = {ord(c): i for i, c in enumerate(alphabet)}
    out = bytearray()
    si, n = 0, len(src)
    while si < n:
        quantum: list[int] = []
        while len(quantum) < 4:
            if si == n:
                if not quantum:
                    return bytes(out)
                raise CallError(f"illegal base64 data at input byte {si - len(quantum)}")
            c = src[si]
            si += 1
            if c in table:
                quantum.append(table[c])
                continue
            if c in (0x0A, 0x0D):
                continue
            if c != 0x3D or len(quantum) < 2:
                raise CallError(f"illegal base64 data at input byte {si - 1}")
            if len(quantum) == 2:  # "==" expected
                while si < n and src[si] in (0x0A, 0x0D):
                    si += 1
                if si == n:
                    raise CallError(f"illegal base64 data at input byte {n}")
                if src[si] != 0x3D:
                    raise CallError(f"illegal base64 data at input byte {si - 1}")
                si += 1
            while si < n and src[si] in (0x0A, 0x0D):
                si += 1
            if si < n:
                raise CallError(f"illegal base64 data at input byte {si}")
            break
        bits = 0
        for q in quantum:
            bits = (bits << 6) | q
        bits <<= 6 * (4 - len(quantum))
        chunk = bits.to_bytes(3, "big")
        out += chunk[: len(quantum) - 1] if len(quantum) < 4 else chunk
        if len(quantum) < 4:
            break
    return bytes(out)


def _b64encode(data: bytes, alphabet: str) -> str:
    out = []
    for i in range(0, len(data), 3):
        chunk = data[i : i + 3]
        bits = int.from_bytes(chunk + b"\0" * (3 - len(chunk)), "big")
        chars = [alphabet[(bits >> s) & 63] for s in (18, 12, 6, 0)]
        keep = len(chunk) + 1
        out.append("".join(chars[:keep]) + "=" * (4 - keep))
    return "".join(out)


def from_base64(*args: Any) -> Bytes:
    return Bytes(UInt(b) for b in _b64decode(encode(arg(args, 0, to_string)), _STD))


def from_url_base64(*args: Any) -> Bytes:
    return Bytes(UInt(b) for b in _b64decode(encode(arg(args, 0, to_string)), _URL))


def to_base64(*args: Any) -> str:
    return _b64encode(encode(arg(args, 0, to_string)), _STD)


def to_url_base64(*args: Any) -> str:
    return _b64encode(encode(arg(args, 0, to_string)), _URL)


def url_encode(*args: Any) -> str:
    from urllib.parse import quote_plus

    return quote_plus(encode(arg(args, 0, to_string)), safe="-_.~")


_HEX = "0123456789abcdefABCDEF"


def url_decode(*args: Any) -> str:
    s = arg(args, 0, to_string)
    data = encode(s)
    out = bytearray()
    i = 0
    while i < len(data):
        c = data[i]
        if c == 0x25:
            if i + 2 >= len(data) or chr(data[i + 1]) not in _HEX or chr(data[i + 2]) not in _HEX:
                bad = decode(data[i : i + 3])
                raise CallError(f"invalid URL escape {go_quote(bad)}")
            out.append(int(data[i + 1 : i + 3], 16))
            i += 3
        elif c == 0x2B:
            out.append(0x20)
            i += 1
        else:
            out.append(c)
            i += 1
    return decode(bytes(out))


def from_json(*args: Any) -> Any:
    from alloylite.eval.stdlib.gojson import JSONError, go_json_decode

    try:
        return go_json_decode(arg(args, 0, to_string))
    except JSONError as err:
        raise CallError(str(err)) from None


def to_json(*args: Any) -> str:
    value = args[0]
    if not isinstance(value, dict):
        raise CallError("jsonEncode only supports map")
    from alloylite.eval.stdlib.gojson import JSONError, go_json_encode

    try:
        return go_json_encode(value)
    except JSONError as err:
        raise CallError(str(err)) from None


def from_yaml(*args: Any) -> Any:
    from alloylite.eval.stdlib.goyaml import YAMLError, go_yaml_decode

    try:
        return go_yaml_decode(arg(args, 0, to_string))
    except YAMLError as err:
        raise CallError(str(err)) from None


FUNCTIONS: dict[str, Function] = {
    "from_json": builtin("encoding.from_json", from_json, 1),
    "from_yaml": builtin("encoding.from_yaml", from_yaml, 1),
    "from_base64": builtin("encoding.from_base64", from_base64, 1),
    "from_URLbase64": builtin("encoding.from_URLbase64", from_url_base64, 1),
    "to_base64": builtin("encoding.to_base64", to_base64, 1),
    "to_URLbase64": builtin("encoding.to_URLbase64", to_url_base64, 1),
    "url_encode": builtin("encoding.url_encode", url_encode, 1),
    "url_decode": builtin("encoding.url_decode", url_decode, 1),
    "to_json": builtin("encoding.to_json", to_json, 1),
}
