"""A small LALR(1) driver over the parse table Lark computes from grammar/alloy.lark.

Why not run Lark itself: importing `lark` (and the `regex` module it pulls in) and loading
its cached parser costs more than the rest of `alloylite validate` together. The grammar
stays the single source of truth: Lark analyses it once (`build_tables`, the only place
that imports `lark`) and the result (states, actions and, per rule, how Lark shapes the
children of a reduction) is cached as plain data in the user's cache directory. This driver
then reproduces Lark's `parser="lalr"` behaviour with inline callbacks exactly:

* tokens whose terminal is filtered out (names starting with `_`) are dropped from the
  children; `[x]` that matched nothing gives a `None` placeholder (`maybe_placeholders`);
* a `?rule` without an alias returns its only child instead of calling back;
* otherwise the builder method named by the alias or the rule is called with the children.

Features of Lark's tree shaping the grammar does not use (inlined `_rules`,
`keep_all_tokens`, a `?rule` that keeps several children without a callback) are refused
when the table is built, so a grammar change that needs them fails loudly in the tests.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Sequence
from typing import Any

# Bump when the cached data's layout changes.
FORMAT = b"alloylite-lalr 1\n"
END = "$END"

# One rule: (the nonterminal it reduces to, callback name, number of symbols, kept
# children as (index, Nones before it), Nones after the last kept child, expand a single
# child). `None` for the kept children
# means "all of them, as they are" (Lark builds no child filter then).
RuleData = tuple[str, str, int, tuple[tuple[int, int], ...] | None, int, bool]
# (states: symbol -> action per state, rules, start state per start symbol, end states).
# An action >= 0 shifts to that state; -1 - i reduces by rule i.
TableData = tuple[list[dict[str, int]], list[RuleData], dict[str, int], dict[str, int]]


class ParseError(Exception):
    """The tokens are not in the grammar's language (the caller runs error recovery)."""


class GrammarFeatureError(Exception):
    """The grammar uses a Lark tree-shaping feature this driver does not reproduce."""


def build_tables(grammar: str, starts: Sequence[str], callbacks: object) -> TableData:
    """Analyse the grammar with Lark; `callbacks` is the builder whose methods are checked."""
    from lark import Lark
    from lark.lexer import Lexer

    class _NoLexer(Lexer):  # tokens come from alloylite.syntax.scanner
        def __init__(self, lexer_conf: Any) -> None:
            pass

        def lex(self, *args: Any) -> Any:  # pragma: no cover - never lexes
            raise NotImplementedError

    lark = Lark(grammar, parser="lalr", lexer=_NoLexer, start=list(starts), maybe_placeholders=True)
    # Lark's private parse table: checked against lark 1.3.1 (bounded in pyproject.toml).
    table = lark.parser.parser._parse_table
    rule_index = {rule: i for i, rule in enumerate(lark.rules)}
    rules = [_rule_data(rule, callbacks) for rule in lark.rules]
    state_ids = sorted(table.states)
    renumber = {s: i for i, s in enumerate(state_ids)}
    states: list[dict[str, int]] = []
    for s in state_ids:
        actions: dict[str, int] = {}
        for symbol, (action, arg) in table.states[s].items():
            if action.name == "Shift":
                actions[str(symbol)] = renumber[arg]
            else:
                actions[str(symbol)] = -1 - rule_index[arg]
        states.append(actions)
    return (
        states,
        rules,
        {str(k): renumber[v] for k, v in table.start_states.items()},
        {str(k): renumber[v] for k, v in table.end_states.items()},
    )


def _rule_data(rule: Any, callbacks: object) -> RuleData:
    """How Lark's ParseTreeBuilder shapes one rule's children (see the module docstring)."""
    options = rule.options
    name = rule.alias or options.template_source or rule.origin.name
    if options.keep_all_tokens:
        raise GrammarFeatureError(f"rule {name}: keep_all_tokens is not supported")
    expansion = rule.expansion
    empty = list(options.empty_indices or ())
    if empty:
        ones = "".join(str(int(b)) for b in empty).split("0")
        nones = [len(run) for run in ones]
    else:
        nones = [0] * (len(expansion) + 1)
    kept: list[tuple[int, int]] = []
    pending = 0
    for i, sym in enumerate(expansion):
        pending += nones[i]
        if not sym.is_term and sym.name.startswith("_"):
            raise GrammarFeatureError(f"rule {name}: inlined rule {sym.name} is not supported")
        if not (sym.is_term and sym.filter_out):
            kept.append((i, pending))
            pending = 0
    trailing = pending + nones[len(expansion)]
    filtered = bool(empty) or len(kept) < len(expansion)
    expand1 = bool(options.expand1 and not rule.alias)
    if not callable(getattr(callbacks, name, None)):
        children = len(kept) + sum(n for _, n in kept) + trailing
        if not (expand1 and children == 1):
            raise GrammarFeatureError(f"rule {name}: no callback for a reduction")
    return (
        str(rule.origin.name),
        str(name),
        len(expansion),
        tuple(kept) if filtered else None,
        trailing,
        expand1,
    )


def load_tables(path: str, grammar: str) -> TableData | None:
    """The cached tables for exactly this grammar text, or None (missing, stale, damaged)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if not data.startswith(FORMAT):
        return None
    try:
        cached_grammar, tables = marshal.loads(data[len(FORMAT) :])
    except (ValueError, EOFError, TypeError):
        return None
    if cached_grammar != grammar or not _well_formed(tables):
        return None
    return tables  # type: ignore[no-any-return]


def _well_formed(tables: Any) -> bool:
    if not (isinstance(tables, tuple) and len(tables) == 4):
        return False
    states, rules, starts, ends = tables
    return (
        isinstance(states, list)
        and all(isinstance(s, dict) for s in states)
        and isinstance(rules, list)
        and all(isinstance(r, tuple) and len(r) == 6 for r in rules)
        and isinstance(starts, dict)
        and isinstance(ends, dict)
    )


def save_tables(path: str, grammar: str, tables: TableData) -> None:
    """Write the cache atomically; a cache that cannot be written is simply not used."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(FORMAT + marshal.dumps((grammar, tables)))
        os.replace(tmp, path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass


class Parser:
    """Runs the tables over a token list, calling `callbacks` on every reduction."""

    def __init__(self, tables: TableData, callbacks: object) -> None:
        states, rules, self._starts, self._ends = tables
        self._states = states
        self._reducers = [_reducer(rule, callbacks) for rule in rules]
        self._origins = [rule[0] for rule in rules]

    def parse(self, tokens: Sequence[Any], start: str) -> Any:
        states = self._states
        reducers = self._reducers
        origins = self._origins
        end_state = self._ends[start]
        stack = [self._starts[start]]
        values: list[Any] = []
        for tok in tokens:
            kind = tok.type
            while True:
                action = states[stack[-1]].get(kind)
                if action is None:
                    raise ParseError(tok)
                if action >= 0:
                    stack.append(action)
                    values.append(tok)
                    break
                size, reduce = reducers[-1 - action]
                if size:
                    children = values[-size:]
                    del values[-size:]
                    del stack[-size:]
                else:
                    children = []
                values.append(reduce(children))
                stack.append(states[stack[-1]][origins[-1 - action]])
        # The reduction step is written out here and above on purpose: a shared helper costs
        # a call per reduction, about 5% of this loop's time (measured on the examples).
        while True:
            action = states[stack[-1]].get(END)
            if action is None or action >= 0:
                raise ParseError(END)
            size, reduce = reducers[-1 - action]
            if size:
                children = values[-size:]
                del values[-size:]
                del stack[-size:]
            else:
                children = []
            values.append(reduce(children))
            stack.append(states[stack[-1]][origins[-1 - action]])
            if stack[-1] == end_state:
                return values[-1]


def _reducer(rule: RuleData, callbacks: object) -> tuple[int, Callable[[list[Any]], Any]]:
    _, name, size, kept, trailing, expand1 = rule
    method = getattr(callbacks, name, None)

    def call(children: list[Any]) -> Any:
        if expand1 and len(children) == 1:
            return children[0]
        return method(children)  # type: ignore[misc]

    if kept is None:
        return size, call

    def filtered(children: list[Any]) -> Any:
        out: list[Any] = []
        for index, nones in kept:
            if nones:
                out.extend([None] * nones)
            out.append(children[index])
        if trailing:
            out.extend([None] * trailing)
        return call(out)

    return size, filtered
