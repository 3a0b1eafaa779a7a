"""The package version, in a module of its own so any layer can read it.

`alloylite/__init__.py` loads the API lazily; reading `__version__` from there would make
the evaluator (`sys.version`-style builtins) and components depend on the whole package.
"""

__version__ = "0.1.0"
