"""alloylite: the Grafana Alloy configuration language and its Pyroscope pipeline, in Python."""

__version__ = "0.1.0"
