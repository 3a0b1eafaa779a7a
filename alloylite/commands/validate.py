"""`alloylite validate PATH`: print every problem of a config, without starting anything.

The checks are the runtime's validation core (`alloylite.runtime.validate`); this module
parses the flags and prints the diagnostics in the form asked for.
"""

from __future__ import annotations

import argparse
import sys

from alloylite.commands.report import as_github, as_json, write_pretty
from alloylite.runtime.component import Stability
from alloylite.runtime.validate import check
from alloylite.syntax.diag import Severity


def validate_command(args: argparse.Namespace) -> int:
    community = getattr(args, "community_components", False)
    config = check(args.path, Stability.parse(args.stability_level), community=community)
    diags = config.diagnostics
    failed = any(d.severity is Severity.ERROR for d in diags)
    fmt = getattr(args, "output_format", "text")
    if config.read_error and fmt == "text":
        sys.stderr.write(f"Error: {config.read_error}\n")
        return 1
    if fmt == "json":
        sys.stdout.write(as_json(diags) + "\n")
    elif fmt == "github":
        sys.stdout.write(as_github(diags))
    elif diags:
        write_pretty(sys.stderr, diags, config.sources)
    if failed:
        if fmt == "text":
            sys.stdout.write("\n")
        sys.stderr.write("Error: validation failed\n")
        return 1
    return 0
