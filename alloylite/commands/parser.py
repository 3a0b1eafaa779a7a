"""The `alloylite` argument parser: every command, flag and help text.

A module of its own because two commands need it: `cli.main` parses with it and
`alloylite completion` walks it to write the shell scripts.
"""

from __future__ import annotations

import argparse

from alloylite._version import __version__
from alloylite.stability import DEFAULT_LEVEL, FLAG_VALUES

_PATH_HELP = "a config file, or a directory whose *.alloy files form one config"


def _add_stability_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stability.level",
        dest="stability_level",
        default=DEFAULT_LEVEL,
        metavar="LEVEL",
        help="minimum stability level of features that may be used: "
        + ", ".join(FLAG_VALUES)
        + f" (default: {DEFAULT_LEVEL})",
    )
    parser.add_argument(
        "--feature.community-components.enabled",
        dest="community_components",
        action="store_true",
        help="allow Alloy's community components (otelcol.exporter.datadog, ...)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alloylite",
        description="Run, validate and format Grafana Alloy configurations.",
        epilog="examples:\n"
        "  alloylite run config.alloy --stability.level=public-preview\n"
        "  alloylite validate config.alloy\n"
        "  alloylite fmt -t config.alloy\n"
        '  alloylite eval \'string.join(["a", "b"], "-")\'\n'
        "  source <(alloylite completion bash)\n\n"
        "Run `alloylite COMMAND --help` for a command's flags.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"alloylite {__version__}",
        help="print the version and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run a configuration",
        description="Load a configuration file (or every *.alloy file of a directory) and run it.",
        epilog="examples:\n"
        "  alloylite run config.alloy --stability.level=public-preview\n"
        "  alloylite run /etc/alloylite/ --server.http.listen-addr=0.0.0.0:12345\n"
        "  alloylite run config.alloy --workers=4   # receivers share their ports\n\n"
        "SIGHUP or a request to /-/reload reloads the configuration; SIGINT/SIGTERM stop it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("path", metavar="PATH", help=_PATH_HELP)
    _add_stability_flag(run)
    run.add_argument(
        "--server.http.listen-addr",
        dest="listen_addr",
        default="127.0.0.1:12345",
        metavar="ADDR",
        help="address the agent's own HTTP server listens on (default: 127.0.0.1:12345)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="number of worker processes sharing the receivers' ports (default: 1)",
    )

    validate = commands.add_parser(
        "validate",
        help="check a configuration without running it",
        description="Check syntax, components, arguments and references of a configuration, "
        "as `alloy validate` does, for every built-in Alloy component (also those alloylite "
        "cannot run: `run` refuses them). Beyond Alloy, after its diagnostics, what `alloy run` "
        "would refuse: exports a component does not have, errors of function calls, values "
        "of set environment variables, capsules of the wrong type, experimental settings, "
        "the modules it reads through import.file/import.string, and the components' own "
        "rules (at most one auth, scrape intervals, hashmod's modulus) for those alloylite "
        "runs; for the others only `alloy run` checks those rules. Prints nothing and exits 0 "
        "when it is valid; prints every error and exits 1 otherwise.",
        epilog="examples:\n"
        "  alloylite validate config.alloy\n"
        "  alloylite validate --stability.level=public-preview config.alloy\n"
        "  alloylite validate --format=json config.alloy     # machine-readable\n"
        "  alloylite validate --format=github config.alloy   # GitHub Actions annotations\n\n"
        "exit codes: 0 valid, 1 invalid config, 2 usage error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("path", metavar="PATH", help=_PATH_HELP)
    _add_stability_flag(validate)
    validate.add_argument(
        "--format",
        dest="output_format",
        choices=("text", "json", "github"),
        default="text",
        help="how to print diagnostics (default: text)",
    )

    fmt = commands.add_parser(
        "fmt",
        aliases=["format"],
        help="format a configuration",
        description="Print a configuration formatted the way `alloy fmt` formats it.",
        epilog="examples:\n  alloylite fmt config.alloy\n  alloylite fmt -w config.alloy\n"
        "  alloylite fmt -t config.alloy   # CI: fail if not formatted",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fmt.add_argument(
        "path",
        nargs="?",
        default="-",
        metavar="FILE",
        help="the file to format; - or nothing reads standard input",
    )
    fmt.add_argument("-w", "--write", action="store_true", help="write the result to the file")
    fmt.add_argument("-t", "--test", action="store_true", help="fail if the file is not formatted")

    evaluate = commands.add_parser(
        "eval",
        help="evaluate an expression",
        description="Evaluate one Alloy expression and print its value in Alloy syntax.",
        epilog="examples:\n"
        '  alloylite eval \'string.join(["a", "b"], "-")\'     # "a-b"\n'
        "  alloylite eval '5 / 2'                              # 2 (integer division)\n"
        "  alloylite eval 'sys.env(\"HOME\")'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument(
        "expression", metavar="EXPR", help="one Alloy expression; the standard library is in scope"
    )

    completion = commands.add_parser(
        "completion",
        help="print a shell completion script",
        description="Print a script that completes alloylite's commands, flags and *.alloy "
        "files in the given shell.",
        epilog="examples:\n"
        "  source <(alloylite completion bash)      # bash, this session\n"
        "  alloylite completion bash > ~/.local/share/bash-completion/completions/alloylite\n"
        '  alloylite completion zsh > "${fpath[1]}/_alloylite"   # zsh, then restart it\n'
        "  alloylite completion fish > ~/.config/fish/completions/alloylite.fish",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    completion.add_argument(
        "shell", choices=("bash", "zsh", "fish"), metavar="SHELL", help="bash, zsh or fish"
    )
    return parser
