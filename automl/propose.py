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
    from automl.modalities import Prepared

MODEL_KIND_NAMES = {kind.value for kind in MODEL_KINDS}


def propose_for_table(schema: Schema, target: str, task: str) -> list[dict]:
    """Returns [{"family", "reason", "space", "budget"}] for predicting `target`, best first."""
    kinds = {c.name: c.kind.value for c in schema.columns if c.name != target}
    return propose_for_columns(kinds, task, schema.rows)


def propose_for_columns(column_kinds: dict[str, str], task: str, rows: int) -> list[dict]:
    """Returns [{"family", "reason", "space", "budget"}] for feature columns of these kinds.

    Columns of kinds the models do not read (datetime, id) are left out first.

    Example:
        >>> [p["family"] for p in propose_for_columns({"x": "numeric"}, "binary", 300)]
        ['dense']
    """
    from architectures.proposals import DataDescription

    used = {name: kind for name, kind in column_kinds.items() if kind in MODEL_KIND_NAMES}
    return _proposals(DataDescription("table", task, rows, column_kinds=used))


def propose_for_image_folder(summary: dict, backbone_weights: str | None = None) -> list[dict]:
    """Returns [{"family", "reason", "space", "budget"}] for an `ImageFolder.to_dict()`.

    A transfer-learning family is proposed only with a local `backbone_weights` file.
    """
    from architectures.proposals import DataDescription

    classes = len(summary["class_names"])
    return _proposals(
        DataDescription(
            "image",
            "multiclass" if classes > 2 else "binary",
            summary["files"],
            image_size=tuple(summary["image_size"]),
            channels=summary["channels"],
            classes=classes,
            backbone_weights=str(backbone_weights) if backbone_weights else None,
        )
    )


def propose_for_sequences(summary: dict) -> list[dict]:
    """Returns [{"family", "reason", "space", "budget"}] for series, forecasts or text.

    Args:
        summary: "modality" ("series", "forecast" or "text"), "task", "samples",
            "steps", "features", "classes", "horizon", "text_column", and optionally
            "text_tokens" (mean words per text: with it, small text sets rank the
            bag-of-words dense model first).

    Example:
        >>> summary = {"modality": "series", "task": "binary", "samples": 200, "steps": 96,
        ...            "features": 1, "classes": 2, "horizon": 0, "text_column": None}
        >>> [p["family"] for p in propose_for_sequences(summary)]
        ['rocket', 'conv1d', 'lstm', 'rnn']
    """
    from architectures.proposals import DataDescription

    return _proposals(
        DataDescription(
            summary["modality"],
            summary["task"],
            int(summary.get("samples") or 0),
            steps=int(summary.get("steps") or 0),
            features=int(summary.get("features") or 1),
            classes=int(summary.get("classes") or 0),
            horizon=int(summary.get("horizon") or 0),
            text_column=summary.get("text_column"),
            text_tokens=float(summary.get("text_tokens") or 0.0),
        )
    )


def proposals_for(prepared: Prepared) -> list[dict]:
    """Returns the proposals for data as `automl.search.run.prepare` loaded it, any kind."""
    from automl.modalities import modality_of

    return modality_of(prepared).proposals(prepared)


def _proposals(description) -> list[dict]:
    from dataclasses import replace

    from architectures.proposals import propose_architectures
    from automl.search.cross_validation import folds_for_rows

    # The suggested budget is a time budget: small data will then be cross-validated.
    description = replace(description, folds=folds_for_rows(description.rows))

    return [
        {
            "family": p.family,
            "reason": p.reason,
            "space": default_space(p.family),
            "budget": dict(p.suggested_budget),
        }
        for p in propose_architectures(description)
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
