"""The public Python API: `__all__`, each function with good and bad input, cheap import."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from pathlib import Path

import pytest

import alloylite
import alloylite.api
from alloylite.runtime.component import Stability
from alloylite.runtime.validate import check
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic, DiagnosticError, Severity

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "receive-profiles-basic.alloy"
PUBLIC = {
    "Diagnostic",
    "DiagnosticError",
    "Severity",
    "__version__",
    "evaluate",
    "format",
    "parse",
    "validate",
}
# pyroscope.enrich is experimental in Alloy.
GATED = (
    'pyroscope.enrich "e" {\n  targets = []\n  target_match_label = "app"\n'
    '  profiles_match_label = "service_name"\n  forward_to = []\n}\n'
)
VALID = 'logging {\n  level  = "debug"\n  format = "json"\n}\n'
INVALID_ARGS = 'logging {\n  colour = "red"\n}\n\npyroscope.write "w" {\n  external_labels = 1\n}\n'


# ------------------------------------------------------------------------------ surface


def test_all_lists_exactly_the_public_names() -> None:
    assert set(alloylite.__all__) == PUBLIC
    assert len(alloylite.__all__) == len(PUBLIC)
    for name in alloylite.__all__:
        assert getattr(alloylite, name) is not None
    namespace: dict[str, object] = {}
    exec("from alloylite import *", namespace)
    assert set(namespace) - {"__builtins__"} == PUBLIC
    assert PUBLIC <= set(dir(alloylite))


def test_public_names_are_the_real_objects() -> None:
    assert alloylite.Diagnostic is Diagnostic
    assert alloylite.DiagnosticError is DiagnosticError
    assert alloylite.Severity is Severity
    assert alloylite.parse is alloylite.api.parse
    assert alloylite.__version__ == "0.1.0"
    with pytest.raises(AttributeError):
        alloylite.no_such_name  # noqa: B018


def test_every_public_function_has_a_docstring_with_an_example() -> None:
    for name in ("parse", "validate", "evaluate", "format"):
        doc = getattr(alloylite, name).__doc__
        assert doc and ">>> " in doc, name


def test_docstring_examples_run() -> None:
    for module in (alloylite, alloylite.api):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_is_cheap() -> None:
    loaded = _modules_after("import alloylite")
    for heavy in (
        "lark",
        "starlette",
        "uvicorn",
        "httpx",
        "alloylite.syntax.parser",
        "alloylite.runtime",
    ):
        assert heavy not in loaded, heavy


def test_the_api_never_loads_the_http_stack() -> None:
    loaded = _modules_after(
        "import alloylite\n"
        f"alloylite.validate({str(EXAMPLE)!r})\n"
        "alloylite.validate('logging {}')\n"
        "alloylite.evaluate('1 + 2')\n"
        "alloylite.format('a=1')\n"
        "alloylite.parse('a = 1')\n"
    )
    assert "alloylite.syntax.parser" in loaded  # the calls really ran
    for heavy in ("starlette", "uvicorn", "httpx"):
        assert heavy not in loaded, heavy


# -------------------------------------------------------------------------------- parse


def test_parse_returns_the_tree() -> None:
    tree = alloylite.parse(VALID, filename="cfg.alloy")
    assert isinstance(tree, ast.File)
    assert tree.name == "cfg.alloy"
    block = tree.body[0]
    assert isinstance(block, ast.BlockStmt) and block.full_name == "logging"
    assert [s.name.name for s in block.body] == ["level", "format"]
    assert alloylite.parse(VALID.encode()).body == tree.body
    assert alloylite.parse("").body == ()


def test_parse_raises_with_every_diagnostic() -> None:
    with pytest.raises(DiagnosticError) as exc:
        alloylite.parse("blk {\n\tx = #\n}\n", filename="bad.alloy")
    diags = exc.value.diagnostics
    assert [str(d) for d in diags] == [
        "bad.alloy:2:6: illegal character U+0023 '#'",
        "bad.alloy:2:6: expected expression, got ILLEGAL",
    ]
    assert all(isinstance(d, Diagnostic) and d.severity is Severity.ERROR for d in diags)
    assert str(exc.value) == "bad.alloy:2:6: illegal character U+0023 '#' (and 1 more diagnostics)"


# ----------------------------------------------------------------------------- validate


def test_validate_valid_text_and_files() -> None:
    assert alloylite.validate(VALID) == []
    assert alloylite.validate(VALID.encode()) == []
    assert alloylite.validate("") == []
    assert alloylite.validate(str(EXAMPLE), stability_level="public-preview") == []
    assert alloylite.validate(EXAMPLE, stability_level="public-preview") == []


def test_validate_matches_the_validate_command(tmp_path: Path) -> None:
    path = tmp_path / "bad.alloy"
    path.write_text(INVALID_ARGS)
    from_file = alloylite.validate(str(path))
    assert from_file == check(str(path), Stability.parse("generally-available")).diagnostics
    messages = [d.message for d in from_file]
    assert 'unrecognized attribute name "colour"' in messages
    assert messages[1] == "expected object, got number"
    assert all(d.filename == str(path) for d in from_file)
    # The same text, given as text under the same name, gives the same diagnostics.
    assert alloylite.validate(INVALID_ARGS, filename=str(path)) == from_file
    assert alloylite.validate(path) == from_file
    # The CLI prints exactly these (its JSON form carries every field).
    out = subprocess.run(
        [sys.executable, "-m", "alloylite", "validate", "--format=json", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert [(d["line"], d["col"], d["message"]) for d in json.loads(out.stdout)] == [
        (d.start.line, d.start.col, d.message) for d in from_file if d.start
    ]


def test_validate_text_names_the_given_file() -> None:
    diags = alloylite.validate("a = ", filename="inline.alloy")
    assert [str(d) for d in diags] == ["inline.alloy:1:5: expected expression, got EOF"]
    [default] = alloylite.validate("a = ")
    assert default.filename == "main.alloy"


def test_validate_stability_gate() -> None:
    [diag] = alloylite.validate(GATED)
    assert "experimental" in diag.message and diag.severity is Severity.ERROR
    assert alloylite.validate(GATED, stability_level="experimental") == []
    with pytest.raises(ValueError, match="invalid stability level"):
        alloylite.validate(VALID, stability_level="beta")


def test_validate_a_directory(tmp_path: Path) -> None:
    (tmp_path / "a.alloy").write_text('logging {\n  level = "info"\n}\n')
    (tmp_path / "b.alloy").write_text('logging {\n  level = "warn"\n}\n')
    (tmp_path / "ignored.txt").write_text("not alloy {")
    diags = alloylite.validate(tmp_path)
    assert len(diags) == 1 and "logging" in diags[0].message
    assert diags[0].filename == str(tmp_path / "b.alloy")
    (tmp_path / "b.alloy").unlink()
    assert alloylite.validate(str(tmp_path)) == []


def test_validate_a_missing_path_is_a_diagnostic(tmp_path: Path) -> None:
    missing = tmp_path / "nope.alloy"
    [diag] = alloylite.validate(str(missing))
    assert diag.message == f'reading config path "{missing}": no such file or directory'
    assert diag.start is None
    [same] = alloylite.validate(missing)
    assert same == diag


def test_validate_tells_text_from_paths(tmp_path: Path) -> None:
    # One line that is not a path and does not end in .alloy is config text.
    assert alloylite.validate('logging { level = "info" }') == []
    assert alloylite.validate("logging {") != []
    # A multi-line string is text even if its first line looks like a file name.
    assert alloylite.validate("// x.alloy\n" + VALID) == []


# ----------------------------------------------------------------------------- evaluate


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("1 + 2", 3),
        ("5 / 2", 2),
        ("5.0 / 2", 2.5),
        ('"a" + "b"', "ab"),
        ("[1, true, null]", [1, True, None]),
        ('{b = 1, a = "x"}', {"a": "x", "b": 1}),
        ('string.join(["a", "b"], "-")', "a-b"),
        ('coalesce("", "fallback")', "fallback"),
    ],
)
def test_evaluate_returns_python_values(expr: str, value: object) -> None:
    result = alloylite.evaluate(expr)
    assert result == value and type(result) is type(value)


def test_evaluate_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOYLITE_API_TEST", "yes")
    assert alloylite.evaluate('sys.env("ALLOYLITE_API_TEST")') == "yes"


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        ('1 + "a"', '1:5: "a" should be number, got string'),
        ("[1, 2", "1:6: missing ',' in expression list"),
        ("nope", '1:1: identifier "nope" does not exist'),
        ("1e999", '-: strconv.ParseFloat: parsing "1e999": value out of range'),
        ("", "1:1: expected expression, got EOF"),
    ],
)
def test_evaluate_errors(expr: str, text: str) -> None:
    with pytest.raises(DiagnosticError) as exc:
        alloylite.evaluate(expr)
    first = exc.value.diagnostics[0]
    assert str(first) == text and first.severity is Severity.ERROR


def test_evaluate_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(DiagnosticError):
        alloylite.evaluate("[" * 500 + "]" * 500)


# ------------------------------------------------------------------------------- format


def test_format_lays_out_like_fmt() -> None:
    text = alloylite.format('logging {\nlevel="debug" // why\n  format = "json"\n}')
    assert text == 'logging {\n\tlevel  = "debug" // why\n\tformat = "json"\n}\n'
    assert alloylite.format(text) == text
    assert alloylite.format(text.encode()) == text


def test_format_matches_the_fmt_command(tmp_path: Path) -> None:
    source = EXAMPLE.read_text()
    out = subprocess.run(
        [sys.executable, "-m", "alloylite", "fmt", str(EXAMPLE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert alloylite.format(source) == out.stdout


def test_format_raises_on_bad_syntax() -> None:
    with pytest.raises(DiagnosticError) as exc:
        alloylite.format("a = ", filename="f.alloy")
    assert [str(d) for d in exc.value.diagnostics] == ["f.alloy:1:5: expected expression, got EOF"]
