"""Proposals and search spaces for a dataset, as plain data for the CLI and the GUI.

Wraps `architectures.proposals` and `architectures.spaces`, neither of which imports
TensorFlow, so the desktop app can show them before any search runs. They load on first
use, so opening the window loads no model code at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from automl.data.kinds import MODEL_KINDS

if TYPE_CHECKING:
    from automl.data.schema import Schema

MODEL_KIND_NAMES = {kind.value for kind in MODEL_KINDS}


def propose_for_table(schema: Schema, target: str, task: str) -> list[dict]:
    """Returns [{"family", "reason", "space"}] for predicting `target`, best first."""
    kinds = {c.name: c.kind.value for c in schema.columns if c.name != target}
    return propose_for_columns(kinds, task, schema.rows)


def propose_for_columns(column_kinds: dict[str, str], task: str, rows: int) -> list[dict]:
    """Returns [{"family", "reason", "space"}] for feature columns of the given kinds.

    Columns of kinds the models do not read (datetime, id) are left out first.
    """
    from architectures.proposals import propose_architectures

    used = {name: kind for name, kind in column_kinds.items() if kind in MODEL_KIND_NAMES}
    return [
        {"family": p.family, "reason": p.reason, "space": default_space(p.family)}
        for p in propose_architectures(used, task, rows)
    ]


def propose_for_image_folder(summary: dict) -> list[dict]:
    """Returns [{"family", "reason", "space"}] for an image folder's `ImageFolder.to_dict()`."""
    from architectures.proposals import propose_for_images

    height, width = summary["image_size"]
    return [
        {"family": p.family, "reason": p.reason, "space": default_space(p.family)}
        for p in propose_for_images(
            height, width, summary["channels"], len(summary["class_names"]), summary["files"]
        )
    ]


def default_space(family: str) -> dict:
    """Returns the default search space of `family` as a JSON-ready dict."""
    from architectures.spaces import SPACES

    return SPACES[family]().to_dict()


def check_space(family: str, space: dict) -> str:
    """Returns what is wrong with `space` for `family`, or "" when it is valid."""
    from architectures.spaces import SPACES

    try:
        SPACES[family].from_dict(space)
    except (ValueError, TypeError) as error:
        return str(error)
    return ""
