"""Pretrained backbones the transfer family can use, and which one a weights file holds.

No TensorFlow here: a search request checks its `--backbone-weights` before Keras loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Backbone:
    """A `keras.applications` network usable as a frozen feature extractor."""

    name: str
    constructor: str  # attribute of keras.applications
    scale: float | None  # multiply 0..255 pixels by this and add `offset`; None: built in
    offset: float = 0.0
    min_size: int = 32


BACKBONES = {
    "mobilenet_v2": Backbone("mobilenet_v2", "MobileNetV2", 1 / 127.5, -1.0),
    # EfficientNet rescales and normalizes 0..255 pixels itself.
    "efficientnet_b0": Backbone("efficientnet_b0", "EfficientNetB0", None),
}

#: Images are enlarged to at least the backbone's minimum, at most this size.
MAX_INPUT_SIZE = 224


def backbone_for(weights: Path, name: str | None = None) -> Backbone:
    """Returns the backbone `name`, or the one a weights file's name mentions.

    Raises:
        ValueError: the file does not exist, or no known backbone matches.
    """
    if not Path(weights).is_file():
        raise ValueError(f"--backbone-weights {weights}: no such file")
    if name is None:
        stem = Path(weights).name.lower().replace("-", "_")
        stem = stem.replace("efficientnetb0", "efficientnet_b0")
        matches = [key for key in BACKBONES if key in stem]
        if len(matches) != 1:
            raise ValueError(
                f"cannot tell the backbone from the file name {Path(weights).name}; "
                f"pass --backbone ({', '.join(BACKBONES)})"
            )
        name = matches[0]
    if name not in BACKBONES:
        raise ValueError(f"--backbone {name}: unknown; choose one of {', '.join(BACKBONES)}")
    return BACKBONES[name]
