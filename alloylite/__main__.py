"""`python -m alloylite` is the same as the `alloylite` command."""

from alloylite.cli import main

raise SystemExit(main())
