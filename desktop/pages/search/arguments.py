"""Pieces of the `automl search` command line the Search page builds."""

from __future__ import annotations


def safe_name(name: str) -> str:
    """Returns `name` with only letters, digits, "-" and "_" (others become "_")."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "target"
