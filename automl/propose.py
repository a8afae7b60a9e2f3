"""Proposals and search spaces for a dataset, as plain data for the CLI and the GUI.

Wraps `architectures.proposals` and `architectures.spaces`, neither of which imports
TensorFlow, so the desktop app can show them before any search runs.
"""

from __future__ import annotations

from architectures.proposals import propose_architectures
from architectures.spaces import SPACES
from automl.data.schema import MODEL_KINDS, Schema


def propose_for_table(schema: Schema, target: str, task: str) -> list[dict]:
    """Returns [{"family", "reason", "space"}] for predicting `target`, best first."""
    kinds = {
        c.name: c.kind.value for c in schema.columns if c.name != target and c.kind in MODEL_KINDS
    }
    return [
        {"family": p.family, "reason": p.reason, "space": default_space(p.family)}
        for p in propose_architectures(kinds, task, schema.rows)
    ]


def default_space(family: str) -> dict:
    """Returns the default search space of `family` as a JSON-ready dict."""
    return SPACES[family]().to_dict()


def check_space(family: str, space: dict) -> str:
    """Returns what is wrong with `space` for `family`, or "" when it is valid."""
    try:
        SPACES[family].from_dict(space)
    except (ValueError, TypeError) as error:
        return str(error)
    return ""
