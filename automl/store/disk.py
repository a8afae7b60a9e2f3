"""How much disk an experiment folder takes, in total and by part.

Sizes are the files' byte sizes (what `du --apparent-size` reports), so they are the same
on every file system and add up exactly: total = tuner + model + logs + other. Measured
from the folder on every call, since retention deletes checkpoints as a search goes.
"""

from __future__ import annotations

import os
from pathlib import Path

from automl.experiment import layout

#: Which top-level entries of an experiment folder make up each part.
PARTS: dict[str, tuple[str, ...]] = {
    "tuner": (layout.TUNER_DIR,),  # Keras Tuner's state and every trial's checkpoint weights
    "model": (layout.MODEL_DIR,),  # the export: SavedModel, .keras, metadata, model card
    "logs": (layout.EVENTS, layout.LOGS_DIR, layout.TENSORBOARD_DIR),
}


def disk_use(folder: Path) -> dict[str, int]:
    """Returns bytes used under `folder`: {"total", "tuner", "model", "logs", "other"}."""
    folder = Path(folder)
    use = dict.fromkeys([*PARTS, "other"], 0)
    part_of = {entry: part for part, entries in PARTS.items() for entry in entries}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        entries = []
    for entry in entries:
        use[part_of.get(entry.name, "other")] += _size(entry)
    use["total"] = sum(use.values())
    return use


def _size(entry: os.DirEntry) -> int:
    """Returns the bytes under one entry; links are counted as links, never followed."""
    try:
        if entry.is_dir(follow_symlinks=False):
            return sum(_size(child) for child in os.scandir(entry.path))
        return entry.stat(follow_symlinks=False).st_size
    except OSError:
        return 0  # deleted while we looked (retention runs during a search)
