# ruff: noqa: E501  (expected outputs read best on one line)
"""Expression -> expected outcome, independent of the shared corpus.

Values are what `alloylite eval` prints (render_value); errors are
`line:col: message` (or `-: message` without a position).
"""

from __future__ import annotations

VALUES: list[tuple[str, str]] = [
    # numbers: Go kinds and arithmetic
    ("5 / 2", "2"),
    ("-7 / 2", "-3"),
    ("-7 % 2", "-1"),
    ("7.0 / 2", "3.5"),
    ("010", "8"),
    ("08", "8"),
    ("9223372036854775807 + 1", "-9223372036854775808"),
    ("18446744073709551615 == -1", "true"),
    ("2 ^ 63", "-9223372036854775808"),
    ("2 ^ -1", "2"),
    ("-2 ^ 2", "4"),
    ("2 ^ 3 ^ 2", "512"),
    ("2 ^ 0.5", "1.4142135623730951"),
    ("0.1 + 0.2", "0.30000000000000004"),
    ("1e21", "1000000000000000000000"),
    ("1e-7", "0.0000001"),
    ("-0.0", "-0"),
    ("-1e308 * 10", "-Inf"),
    ("1e308 * 10", "+Inf"),
    ("18446744073709551616", "18446744073709552000"),
    ("[1, 2][1.9]", "2"),
    # strings
    ('"\\xff"', '"\\xff"'),
    ('"\\u00a0"', '"\\u00a0"'),
    ('"é" + `raw\\n`', '"éraw\\\\n"'),
    ('"B" < "a"', "true"),
    # collections and equality
    (
        "{b = 1, a = [1, {c = 2}], ccc = 3}",
        "{\n\ta = [1, {\n\t\tc = 2,\n\t}],\n\tb   = 1,\n\tccc = 3,\n}",
    ),
    ('{"a b" = 1}', '{\n\t"a b" = 1,\n}'),
    ("{a = 1} == {a = 1.0}", "true"),
    ("{a = null} == {}", "false"),
    ("sys.env == sys.env", "false"),
    ('{a = 1}["b"]', "null"),
    ('string["to_upper"]("x")', '"X"'),
    # stdlib
    (
        'string.format("%s-%d %v %5.2f|%-4s|", "a", 1, [1, "x"], 3.14159, "b")',
        '"a-1 [1 x]  3.14|b   |"',
    ),
    ('string.format("%d", 1.5)', '"%!d(float64=1.5)"'),
    ('string.format("%v %v", 1e6, 100000.0)', '"1e+06 100000"'),
    ('string.format("%d %d", 1)', '"1 %!d(MISSING)"'),
    ('string.format("x", 1, "a")', '"x%!(EXTRA int=1, string=a)"'),
    # Go's argument indexes, and its cap on widths and precisions (issue 10: 11, 20)
    ('string.format("%[2]s %[1]s", "a", "b")', '"b a"'),
    ('string.format("%[1]d %[1]x", 255)', '"255 ff"'),
    ('string.format("%[5]d %d", "a", "b")', '"%!d(BADINDEX) %!d(string=a)"'),
    ('string.format("%[x]d", 1)', '"%!d(BADINDEX)"'),
    ('string.format("%[2]*[1]d", 7, 3)', '"  7"'),
    ('string.format("%1500000000d", 1)', '"%!(NOVERB)%!(EXTRA int=1)"'),
    ('string.format("%.1500000000f", 1.5)', '"%!(NOVERB)%!(EXTRA float64=1.5)"'),
    ('string.format("%*d", 1500000000, 1)', '"%!(BADWIDTH)1"'),
    ('string.format("%.*f", 1500000000, 1.5)', '"%!(BADPREC)1.500000"'),
    (
        'string.format("%x %X %o %b %q %t %T", 255, 255, 8, 5, "q", false, {})',
        '"ff FF 10 101 \\"q\\" false map[string]interface {}"',
    ),
    (
        'string.format("%#v %#v", [1, "a", null], {b = 1.5})',
        '"[]interface {}{1, \\"a\\", interface {}(nil)} map[string]interface {}{\\"b\\":1.5}"',
    ),
    (
        'string.format("%s|%T", encoding.from_base64("aGk="), encoding.from_base64("aGk="))',
        '"[%!s(int=104) %!s(int=105)]|[]interface {}"',
    ),
    (
        'string.format("%x|%e|%g|%08.3f|%+d|% d", 1.5, 1234.5678, 1e-7, -3.14159, 5, 7)',
        '"0x1.8p+00|1.234568e+03|1e-07|-003.142|+5| 7"',
    ),
    ('string.join([1, 2.5], ",")', '"1,2.5"'),
    ('string.split("abc", "")', '["a", "b", "c"]'),
    ('string.to_upper("straße")', '"STRAßE"'),
    ('string.trim_space("\\x1c x \\u00a0")', '"\\x1c x"'),
    ('string.replace("abc", "", "-")', '"-a-b-c-"'),
    ('encoding.from_json("[1, 2.5, {\\"a\\": null}]")', "[1, 2.5, {\n\ta = null,\n}]"),
    (
        'encoding.to_json({b = [1, 1.5], a = "<&>"})',
        '"{\\"a\\":\\"\\\\u003c\\\\u0026\\\\u003e\\",\\"b\\":[1,1.5]}"',
    ),
    ('encoding.from_yaml("a: yes\\nb: 010\\nc: 0x1_0")', '{\n\ta = "yes",\n\tb = 8,\n\tc = 16,\n}'),
    ('encoding.from_yaml("1: a")', 'capsule("map[interface {}]interface {}")'),
    ('encoding.from_base64("aGk=")', "[104, 105]"),
    ('string.to_upper(encoding.from_base64("aGk="))', '"HI"'),
    ('encoding.to_URLbase64("\\xfb\\xff")', '"-_8="'),
    ('encoding.url_encode("a b&é")', '"a+b%26%C3%A9"'),
    ('encoding.url_decode("a%20b+c")', '"a b c"'),
    ('file.path_join("a", "b", "../c")', '"a/c"'),
    ('file.path_join("//a", "b/")', '"/a/b"'),
    ('coalesce(null, "", 0, false, [], {}, "x")', '"x"'),
    ("coalesce(0, false)", "false"),
    ("array.concat([1], [], [2, [3]])", "[1, 2, [3]]"),
    (
        'array.combine_maps([{a = "1", x = 1}], [{a = "1", y = 2}], ["a"])',
        '[{\n\ta = "1",\n\tx = 1,\n\ty = 2,\n}]',
    ),
    (
        'array.group_by([{k = "x"}, {v = 2}], "k", true)',
        '[{\n\titems = [{\n\t\tk = "x",\n\t}],\n\tk = "x",\n}]',
    ),
    ('json_path("{\\"a\\": [{\\"n\\": 1}, {\\"n\\": 5}]}", "$.a[?(@.n > 2)].n")', "[5]"),
    ('json_path("{\\"a\\": {\\"b\\": [1, 2]}}", "$..b[-1]")', "[2]"),
    ('json_path("{\\"a\\": {\\"b\\": 1}}", "a.b")', "[1]"),
    ('json_path("[1, 2, 3]", "$[0:2]")', "[1, 2]"),
    ('"\\xc3" + "\\xa9"', '"é"'),
    ('string.format("%5d|%-3v|%s", "a", 1, null)', '"%!d(string=    a)|1  |%!s(<nil>)"'),
    ("encoding.to_json({a = 1e-7, b = 1e21})", '"{\\"a\\":1e-7,\\"b\\":1e+21}"'),
    ('convert.nonsensitive("x")', '"x"'),
    ('join(["a"], "-") + to_upper("b")', '"aB"'),
]

ERRORS: list[tuple[str, str]] = [
    ('1 + "a"', '1:5: "a" should be number, got string'),
    ("true + true", "1:8: true should be one of [number string capsule] for binop +, got bool"),
    ("null + 1", "-:  should be one of [number string capsule] for binop +, got null"),
    ("true || 1 / 0", "1:13: 0 divide by zero error"),
    ("1.0 % 0.0", "1:7: 0.0 divide by zero error"),
    ("!1", "1:2: 1 should be bool, got number"),
    ("[1, 2, 3][3]", "1:11: 3 index 3 is out of range of array with length 3"),
    ("{a = 1}.b", '1:9: field "b" does not exist'),
    ("(1).a", '1:1: (1) cannot access field "a" on value of type number'),
    ('"abc"[0]', '1:1: "abc" expected object or array, got string'),
    ("null.a", '-:  cannot access field "a" on value of type null'),
    ("foo", '1:1: identifier "foo" does not exist'),
    ("1()", "1:1: 1 should be function, got number"),
    ('string.join(["a"])', "1:1: string.join expected 2 args, got 1"),
    ("string.format()", "1:1: string.format expected at least 1 args, got 0"),
    ('string.join(["a", true], ",")', "1:19: true should be string, got bool"),
    ('string.join("a", ",")', '1:13: "a" should be array, got string'),
    ("array.concat([1], 2)", "1:19: 2 should be array, got number"),
    (
        'encoding.from_json("{\\"a\\" 1}")',
        "1:1: encoding.from_json invalid character '1' after object key",
    ),
    (
        'encoding.from_json("[1,]")',
        "1:1: encoding.from_json invalid character ']' looking for beginning of value",
    ),
    (
        'encoding.from_base64("aGVsbG8")',
        "1:1: encoding.from_base64 illegal base64 data at input byte 4",
    ),
    ('encoding.url_decode("%zz")', '1:1: encoding.url_decode invalid URL escape "%zz"'),
    ("encoding.to_json([1])", "1:1: encoding.to_json jsonEncode only supports map"),
    (
        'array.combine_maps([{a = "1"}], [{a = "1"}], [])',
        "1:46: [] combine_maps: merge conditions must not be empty",
    ),
    ("convert.nonsensitive(1)", "1:22: 1 should be capsule, got number"),
    # Python shares one-character strings; Alloy blames the operand it means
    ('"a" - "a"', '1:1: "a" should be one of [number] for binop -, got string'),
    ('string.join("a", "a")', '1:13: "a" should be array, got string'),
    # ...but Go shares bools too, so Alloy blames the last `true`
    ("true + true", "1:8: true should be one of [number string capsule] for binop +, got bool"),
    ('"\\xc3" + 1', "1:10: 1 should be string, got number"),
    ('json_path("{", "$.a")', "1:1: json_path incomplete JSON at 1:2"),
    ('json_path("{}", "$[")', "1:1: json_path not terminated at 3 in $["),
    (
        'encoding.from_yaml("a: 1\\na: 2")',
        '1:1: encoding.from_yaml yaml: unmarshal errors:\n  line 2: mapping key "a" already defined at line 1',
    ),
    (
        'encoding.from_yaml("invalid: [")',
        "1:1: encoding.from_yaml yaml: line 1: did not find expected node content",
    ),
    ("1e309", 'strconv.ParseFloat: parsing "1e309": value out of range'),
    # "Billion laughs": yaml.v3 refuses excessive alias expansion (issue 10, item 10).
    (
        'encoding.from_yaml("a: &a [1,2,3,4,5,6,7,8,9]\\n'
        + "".join(
            f"{n}: &{n} [{','.join(['*' + p] * 9)}]\\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + '")',
        "1:1: encoding.from_yaml yaml: document contains excessive aliasing",
    ),
    # More digits than Python's int() takes (4300): Go's diagnostic, not a traceback.
    ("9" * 4400, f'strconv.ParseFloat: parsing "{"9" * 4400}": value out of range'),
]
