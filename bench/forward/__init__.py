"""The forwarding benchmark (`python -m bench.forward`; docs/benchmarks.md, "Forwarding")."""
