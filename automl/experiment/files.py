"""The experiment folder: claiming it safely, and writing its files atomically."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from automl.errors import AutoMLError
from automl.experiment.layout import MARKER, OWN_ENTRIES


def claim_folder(path: Path, overwrite: bool) -> None:
    """Makes `path` ready for a new experiment, refusing to clobber what is not ours.

    Raises:
        AutoMLError: the folder holds an earlier experiment or someone else's files, and
            `overwrite` is false; or `path` is a file.
    """
    if path.exists() and not path.is_dir():
        raise AutoMLError(f"--out {path} is a file; name a folder for the experiment")
    if not path.exists() or not any(path.iterdir()):
        path.mkdir(parents=True, exist_ok=True)
        return
    ours = (path / MARKER).exists()
    if not overwrite:
        if ours:
            raise AutoMLError(
                f"{path} already holds an experiment; pass --overwrite to replace it "
                "or choose another --out"
            )
        raise AutoMLError(
            f"{path} exists and is not an AutoML Studio experiment; choose another --out "
            "or pass --overwrite"
        )
    # Remove only what a search writes: a user's own files beside them stay.
    for name in OWN_ENTRIES:
        entry = path / name
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.exists():
            entry.unlink()


def release_folder(path: Path) -> None:
    """Removes what a search wrote to `path`, and `path` itself if nothing else is left."""
    for name in OWN_ENTRIES:
        entry = path / name
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.exists():
            entry.unlink()
    if path.is_dir() and not any(path.iterdir()):
        path.rmdir()


def write_json(path: Path, data: dict) -> None:
    """Writes `data` to `path` via a temporary file and a rename: never half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(partial, path)
