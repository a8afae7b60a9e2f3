"""Ranks the model families that fit a dataset, each with the reason it was chosen.

Importable without TensorFlow (the GUI shows proposals before any search runs): it
takes a plain description of the data and names families; their HyperModels load
lazily through `load_hypermodel_class`.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass

#: Family name -> "module:class" of its HyperModel.
FAMILIES = {
    "dense": "architectures.dense:DenseHyperModel",
    "cnn": "architectures.cnn:CNNHyperModel",
}


@dataclass(frozen=True)
class Proposal:
    family: str
    reason: str


def propose_architectures(column_kinds: dict[str, str], task: str, rows: int) -> list[Proposal]:
    """Returns the families to search for a table, best first, with their reasons.

    Args:
        column_kinds: feature column name -> kind ("numeric", "categorical", "text", ...).
        task: "binary", "multiclass" or "regression".
        rows: training rows.

    Example:
        >>> propose_architectures({"x": "numeric", "c": "categorical"}, "binary", 300)[0].family
        'dense'
    """
    counts = Counter(column_kinds.values())
    described = ", ".join(f"{counts[kind]} {kind}" for kind in sorted(counts))
    inside = [
        "normalization" if counts["numeric"] else "",
        "category lookups" if counts["categorical"] or counts["boolean"] else "",
        "word counts" if counts["text"] else "",
    ]
    reason = (
        f"Dense: {len(column_kinds)} tabular columns ({described}), {rows} rows, {task}; "
        f"an MLP with {' and '.join(part for part in inside if part)} inside the model"
    )
    return [Proposal("dense", reason)]


def propose_for_images(
    height: int, width: int, channels: int, classes: int, images: int
) -> list[Proposal]:
    """Returns the families for an image folder, with their reasons.

    Example:
        >>> propose_for_images(8, 8, 1, 10, 1797)[0].family
        'cnn'
    """
    colour = "grayscale" if channels == 1 else "colour"
    return [
        Proposal(
            "cnn",
            f"CNN: 2-D {colour} images of {height}x{width}, {classes} classes, {images} images; "
            "convolution blocks share weights across positions, so they learn local shapes "
            "from few examples",
        )
    ]


def load_hypermodel_class(family: str) -> type:
    """Returns the HyperModel class of `family` (this imports Keras)."""
    module_name, _, class_name = FAMILIES[family].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
