"""`alloylite completion bash|zsh|fish`: print a shell completion script.

The scripts are generated from the argparse parser itself, so a new subcommand or
flag is completable as soon as it exists. They complete subcommands, each command's
flags, the values of flags with a fixed set of choices (`--stability.level`,
`--format`), and `*.alloy` files (and directories, to walk into) where a command
takes a config path.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from alloylite.commands.parser import build_parser
from alloylite.stability import FLAG_VALUES

SHELLS = ("bash", "zsh", "fish")
# Flags whose values argparse does not constrain (the CLI checks them itself, to print
# Alloy's message) but that have a fixed set worth completing.
_KNOWN_VALUES = {"--stability.level": FLAG_VALUES}


@dataclass(frozen=True)
class _Option:
    names: tuple[str, ...]
    takes_value: bool
    choices: tuple[str, ...]
    help: str


@dataclass(frozen=True)
class _Command:
    name: str
    aliases: tuple[str, ...]
    help: str
    options: tuple[_Option, ...]
    # What the positional argument completes to: config files, fixed words, or nothing.
    files: bool = False
    words: tuple[str, ...] = field(default_factory=tuple)

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _short_help(text: str | None) -> str:
    """The first clause of a help string, free of characters the shells' syntax reserves."""
    if not text or text == argparse.SUPPRESS:
        return ""
    text = text.split(" (default")[0].split(":")[0].split(";")[0].strip()
    for ch in '[]`$\\"':
        text = text.replace(ch, " ")
    return " ".join(text.split())


def _zsh_quote(text: str) -> str:
    return text.replace("'", "'\\''")


def _fish_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _options(parser: argparse.ArgumentParser) -> tuple[_Option, ...]:
    out = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        out.append(
            _Option(
                names=tuple(action.option_strings),
                takes_value=action.nargs != 0,
                choices=tuple(str(c) for c in action.choices or ())
                or next((v for n, v in _KNOWN_VALUES.items() if n in action.option_strings), ()),
                help=_short_help(action.help),
            )
        )
    return tuple(out)


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError("the parser has no subcommands")


def describe(parser: argparse.ArgumentParser) -> tuple[tuple[_Option, ...], list[_Command]]:
    """The top-level options and the subcommands of `parser`, as the scripts need them."""
    sub = _subparsers(parser)
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    by_parser: dict[int, list[str]] = {}
    for name, child in sub.choices.items():
        by_parser.setdefault(id(child), []).append(name)
    commands = []
    for names in by_parser.values():
        child = sub.choices[names[0]]
        positionals = [a for a in child._actions if not a.option_strings]
        files = any(str(a.metavar) in ("PATH", "FILE") for a in positionals)
        words = tuple(str(c) for a in positionals for c in (a.choices or ()))
        commands.append(
            _Command(
                names[0],
                tuple(names[1:]),
                _short_help(helps.get(names[0])),
                _options(child),
                files,
                words,
            )
        )
    return _options(parser), commands


# ------------------------------------------------------------------------------- bash

_BASH_HEAD = """\
# bash completion for alloylite
# Load it now:      source <(alloylite completion bash)
# Or install it:    alloylite completion bash > ~/.local/share/bash-completion/completions/alloylite

_alloylite_files() {
    local IFS=$'\\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -d -- "$1") $(compgen -f -X '!*.alloy' -- "$1"))
}

_alloylite() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local cmd="" flag="" prefix="" i
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -* | =) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    # `--flag=value`: bash splits at "=" unless COMP_WORDBREAKS lacks it.
    if [[ $cur == "=" ]]; then
        flag=$prev; cur=""
    elif [[ $prev == "=" && $COMP_CWORD -ge 2 ]]; then
        flag=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $cur == --*=* ]]; then
        flag=${cur%%=*}; prefix="$flag="; cur=${cur#*=}
    fi
    local opts="" valued="" values="" positional=""
    case $cmd in
        "")
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "__TOP_OPTS__" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "__COMMANDS__" -- "$cur"))
            fi
            return 0
            ;;
"""

_BASH_TAIL = """\
        *) return 0 ;;
    esac
    if [[ -z $flag && " $valued " == *" $prev "* ]]; then
        flag=$prev
    fi
    if [[ -n $flag ]]; then
        if [[ " $valued " == *" $flag "* ]]; then
            case "$cmd $flag" in
__VALUES__
            esac
            [[ -n $values ]] && COMPREPLY=($(compgen -P "$prefix" -W "$values" -- "$cur"))
            return 0
        fi
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ $positional == "<files>" ]]; then
        _alloylite_files "$cur"
    elif [[ -n $positional ]]; then
        COMPREPLY=($(compgen -W "$positional" -- "$cur"))
    fi
    return 0
}

complete -F _alloylite alloylite
"""


def bash_script(parser: argparse.ArgumentParser) -> str:
    top, commands = describe(parser)
    cases = []
    values = []
    for cmd in commands:
        names = [n for o in cmd.options for n in o.names]
        valued = [n for o in cmd.options if o.takes_value for n in o.names]
        positional = "<files>" if cmd.files else " ".join(cmd.words)
        cases.append(
            f"        {' | '.join(cmd.all_names)})\n"
            f'            opts="{" ".join(names)}"\n'
            f'            valued="{" ".join(valued)}"\n'
            f'            positional="{positional}"\n'
            "            ;;\n"
        )
        for opt in cmd.options:
            if opt.choices:
                keys = " | ".join(f'"{c} {n}"' for c in cmd.all_names for n in opt.names)
                values.append(f'                {keys}) values="{" ".join(opt.choices)}" ;;')
    head = _BASH_HEAD.replace("__TOP_OPTS__", " ".join(n for o in top for n in o.names))
    head = head.replace("__COMMANDS__", " ".join(n for c in commands for n in c.all_names))
    tail = _BASH_TAIL.replace("__VALUES__", "\n".join(values) or "                *) ;;")
    return head + "".join(cases) + tail


# -------------------------------------------------------------------------------- zsh


def _zsh_option(opt: _Option, exclusion: str | None = None) -> list[str]:
    """`_arguments` specs for one option; `exclusion` overrides the mutual-exclusion list."""
    help_text = f"[{_zsh_quote(opt.help)}]" if opt.help else ""
    if opt.takes_value:
        action = f"({' '.join(opt.choices)})" if opt.choices else ""
        label = opt.names[-1].lstrip("-").replace(".", " ")
        # `--flag=` accepts both `--flag value` and `--flag=value`.
        return [f"'{n}={help_text}:{label}:{action}'" for n in opt.names]
    excl = exclusion if exclusion is not None else " ".join(opt.names)
    if len(opt.names) > 1:
        return [f"'({excl})'{{{','.join(opt.names)}}}'{help_text}'"]
    return [f"'({excl}){opt.names[0]}{help_text}'"]


def zsh_script(parser: argparse.ArgumentParser) -> str:
    top, commands = describe(parser)
    lines = [
        "#compdef alloylite",
        "# zsh completion for alloylite",
        "# Load it now (after compinit):  source <(alloylite completion zsh)",
        '# Or install it:  alloylite completion zsh > "${fpath[1]}/_alloylite"',
        "",
        "_alloylite() {",
        "  local curcontext=$curcontext state line ret=1",
        "  typeset -A opt_args",
        "  local -a commands",
        "  commands=(",
    ]
    for cmd in commands:
        for name in cmd.all_names:
            lines.append(f"    '{name}:{_zsh_quote(cmd.help)}'")
    lines += ["  )", "  _arguments -C \\"]
    for opt in top:
        # Top-level flags (help, version) end the command line: nothing may follow them.
        lines += [f"    {spec} \\" for spec in _zsh_option(opt, exclusion="- :")]
    lines += [
        "    '1: :->command' \\",
        "    '*:: :->args' && return 0",
        "  case $state in",
        "    command)",
        "      _describe -t commands 'alloylite command' commands && ret=0",
        "      ;;",
        "    args)",
        "      case $words[1] in",
    ]
    for cmd in commands:
        specs = [s for opt in cmd.options for s in _zsh_option(opt)]
        if cmd.files:
            specs.append("'1:config file or directory:_files -g \"*.alloy\"'")
        elif cmd.words:
            specs.append(f"'1:{cmd.name}:({' '.join(cmd.words)})'")
        body = " \\\n            ".join(specs)
        lines.append(f"        ({'|'.join(cmd.all_names)})")
        lines.append(f"          _arguments \\\n            {body} && ret=0")
        lines.append("          ;;")
    lines += [
        "      esac",
        "      ;;",
        "  esac",
        "  return ret",
        "}",
        "",
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        '  _alloylite "$@"',
        "else",
        "  compdef _alloylite alloylite",
        "fi",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------- fish


def _fish_flag(names: tuple[str, ...]) -> str:
    parts = []
    for name in names:
        if name.startswith("--"):
            parts.append(f"-l {name[2:]}")
        else:
            parts.append(f"-s {name[1:]}")
    return " ".join(parts)


def fish_script(parser: argparse.ArgumentParser) -> str:
    top, commands = describe(parser)
    lines = [
        "# fish completion for alloylite",
        "# Load it now:     alloylite completion fish | source",
        "# Or install it:   alloylite completion fish > ~/.config/fish/completions/alloylite.fish",
        "",
        "# Paths worth offering for a config: *.alloy files and directories to walk into.",
        "function __alloylite_configs",
        "    __fish_complete_path (commandline -ct)"
        ' | string match -r -- "^.*?(?:/|\\.alloy)(?=\\t|\\$)"',
        "end",
        "",
        "complete -c alloylite -f",
    ]
    for opt in top:
        lines.append(
            f"complete -c alloylite -n __fish_use_subcommand {_fish_flag(opt.names)}"
            f" -d '{_fish_quote(opt.help)}'"
        )
    for cmd in commands:
        for name in cmd.all_names:
            lines.append(
                f"complete -c alloylite -n __fish_use_subcommand -a {name}"
                f" -d '{_fish_quote(cmd.help)}'"
            )
    for cmd in commands:
        cond = f"'__fish_seen_subcommand_from {' '.join(cmd.all_names)}'"
        for opt in cmd.options:
            line = f"complete -c alloylite -n {cond} {_fish_flag(opt.names)}"
            if opt.takes_value:
                line += " -x"
                if opt.choices:
                    line += f" -a '{' '.join(opt.choices)}'"
            lines.append(line + f" -d '{_fish_quote(opt.help)}'")
        if cmd.files:
            lines.append(f"complete -c alloylite -n {cond} -a '(__alloylite_configs)'")
        elif cmd.words:
            lines.append(f"complete -c alloylite -n {cond} -a '{' '.join(cmd.words)}'")
    return "\n".join(lines) + "\n"


_GENERATORS = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}


def completion_command(args: argparse.Namespace) -> int:
    sys.stdout.write(_GENERATORS[args.shell](build_parser()))
    sys.stdout.flush()
    return 0
