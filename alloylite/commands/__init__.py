"""One module per CLI subcommand; `alloylite.cli` imports only the one it runs."""
