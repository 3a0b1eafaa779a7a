"""References by Alloy's prefix rule, cycles and topological order."""

from __future__ import annotations

from alloylite.runtime.graph import (
    build_graph,
    cycles,
    self_references,
    topological_order,
    traversals_of_body,
    traversals_of_expr,
)
from alloylite.syntax.parser import parse_expression, parse_file


def expr_traversals(text: str) -> list[str]:
    result = parse_expression(text)
    assert not result.diagnostics
    return [t.text for t in traversals_of_expr(result.expr)]


def test_chains_stop_at_index_and_call() -> None:
    assert expr_traversals("a.b.c") == ["a.b.c"]
    assert expr_traversals("a.b[0].c") == ["a.b"]
    assert expr_traversals("f.g(x.y, 1)") == ["f.g", "x.y"]
    assert expr_traversals("[a.b, {k = c.d + e}]") == ["a.b", "c.d", "e"]
    assert expr_traversals('!(x.y == "z")') == ["x.y"]
    assert expr_traversals("m[n.o]") == ["m", "n.o"]


def test_traversal_range_covers_the_chain() -> None:
    result = parse_expression("  pyroscope.write.a.receiver")
    (trav,) = traversals_of_expr(result.expr)
    assert (trav.start.col, trav.end.col) == (3, 28)


def bodies(text: str) -> dict[str, tuple]:
    file = parse_file(text, "t.alloy").file
    assert file is not None
    return {f"{b.full_name}.{b.label}": b.body for b in file.body}


def test_prefix_rule_links_to_the_first_node_id() -> None:
    graph, unresolved = build_graph(
        bodies('a.b "c" {\n x = a.b.c.d.e\n y = sys.env("X")\n z = q.r\n}\na.b "d" {\n}\n'),
        {"sys"},
    )
    assert [(r.target, r.traversal.text) for r in graph.deps["a.b.c"]] == [("a.b.c", "a.b.c.d.e")]
    assert [u.traversal.text for u in unresolved] == ["q.r"]
    assert [n for n, _ in self_references(graph)] == ["a.b.c"]


def test_cycles_and_order() -> None:
    graph, _ = build_graph(
        bodies(
            'n.x "a" {\n v = n.x.b.out\n}\nn.x "b" {\n v = n.x.a.out\n}\n'
            'n.x "c" {\n v = n.x.d.out\n}\nn.x "d" {\n}\n'
        ),
        set(),
    )
    assert cycles(graph) == [["n.x.a", "n.x.b"]]
    order = topological_order(graph)
    assert order.index("n.x.d") < order.index("n.x.c")
    assert sorted(order) == ["n.x.a", "n.x.b", "n.x.c", "n.x.d"]


def test_nested_blocks_are_searched() -> None:
    file = parse_file('x.y "a" {\n inner {\n  deep {\n   v = x.y.b.out\n  }\n }\n}\n').file
    assert [t.text for t in traversals_of_body(file.body[0].body)] == ["x.y.b.out"]
