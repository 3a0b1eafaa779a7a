"""alloylite: the Grafana Alloy configuration language and its Pyroscope pipeline, in Python.

The Python API does what the CLI does, with the same diagnostics:

    >>> import alloylite
    >>> alloylite.evaluate('string.join(["a", "b"], "-")')
    'a-b'
    >>> alloylite.validate("logging {\\n  level = \\"debug\\"\\n}\\n")
    []

* `parse(text, filename="main.alloy")`: the syntax tree of a config file.
* `validate(path_or_text, ...)`: the list of `Diagnostic`s `alloylite validate` reports.
* `evaluate(expression)`: the Python value of one Alloy expression.
* `format(text)`: the text laid out as `alloy fmt` lays it out.

`parse`, `evaluate` and `format` raise `DiagnosticError` (its `.diagnostics` is the list)
for bad input. Names are loaded on first use, so `import alloylite` imports neither the
parser nor any HTTP library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alloylite._version import __version__

if TYPE_CHECKING:
    from alloylite.api import evaluate, format, parse, validate
    from alloylite.syntax.diag import Diagnostic, DiagnosticError, Severity

__all__ = [
    "Diagnostic",
    "DiagnosticError",
    "Severity",
    "__version__",
    "evaluate",
    "format",
    "parse",
    "validate",
]

_FROM_API = frozenset({"evaluate", "format", "parse", "validate"})
_FROM_DIAG = frozenset({"Diagnostic", "DiagnosticError", "Severity"})


def __getattr__(name: str) -> Any:
    if name in _FROM_API:
        from alloylite import api

        value = getattr(api, name)
    elif name in _FROM_DIAG:
        from alloylite.syntax import diag

        value = getattr(diag, name)
    else:
        raise AttributeError(f"module 'alloylite' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
