"""Pieces shared by several components (the relabel engine, ...)."""
