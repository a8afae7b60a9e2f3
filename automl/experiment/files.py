"""The experiment folder: claiming it safely, and writing its files atomically."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from automl.errors import AutoMLError
from automl.experiment.layout import LOCK, MARKER, OWN_ENTRIES


def check_folder(path: Path, overwrite: bool) -> None:
    """Returns None when a search may claim `path`; touches nothing.

    A folder holding an earlier experiment (its `experiment.json`) is ours to replace with
    `overwrite`. A folder without one is someone else's: with `overwrite` a search may
    write beside its files, but never over an entry a search would write (its `model/`,
    `events.jsonl`, ...), which `overwrite` would otherwise remove.

    Raises:
        AutoMLError: `path` is a file; it holds an experiment or other files and
            `overwrite` is false; or it holds foreign files under a search's names.
    """
    if path.exists() and not path.is_dir():
        raise AutoMLError(f"--out {path} is a file; name a folder for the experiment")
    if not path.is_dir() or not any(e.name != LOCK for e in path.iterdir()):
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
    clashing = [name for name in OWN_ENTRIES if name != LOCK and (path / name).exists()]
    if not ours and clashing:
        raise AutoMLError(
            f"{path} is not an AutoML Studio experiment but holds {', '.join(clashing)}; "
            "--overwrite only replaces an earlier search's files: choose another --out"
        )


def claim_folder(path: Path, overwrite: bool) -> None:
    """Makes `path` ready for a new experiment, refusing to clobber what is not ours.

    Removes only what an earlier search wrote (see `check_folder`); a user's own files
    beside them stay. The search lock is left alone: the caller holds it.

    Raises:
        AutoMLError: as `check_folder`.
    """
    check_folder(path, overwrite)
    path.mkdir(parents=True, exist_ok=True)
    if not (path / MARKER).exists():
        return
    for name in OWN_ENTRIES:
        if name != LOCK:
            _remove(path / name)


def release_folder(path: Path) -> None:
    """Removes what a search wrote to `path`, and `path` itself if nothing else is left."""
    for name in OWN_ENTRIES:
        _remove(path / name)
    if path.is_dir() and not any(path.iterdir()):
        path.rmdir()


def reserve_folder(parent: Path, name: str) -> Path:
    """Returns a new, empty folder `parent/name-<date>-<time>[-N]`, created here.

    Created, not only named: two searches started in the same second each get their own.
    A reserved folder still empty when the process exits (the search never started) is
    removed then.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    Path(parent).mkdir(parents=True, exist_ok=True)
    folder, suffix = Path(parent) / f"{name}-{stamp}", 2
    while True:
        try:
            folder.mkdir()
        except FileExistsError:
            folder = folder.with_name(f"{name}-{stamp}-{suffix}")
            suffix += 1
            continue
        atexit.register(_remove_if_empty, folder)
        return folder


def write_json(path: Path, data: dict, indent: int | None = 2, sync: bool = True) -> None:
    """Writes `data` to `path` via a temporary file and a rename: never half a file."""
    write_text(path, json.dumps(data, indent=indent, default=str), sync)


def write_text(path: Path, text: str, sync: bool = True) -> None:
    """Writes `text` to `path` via a temporary file and a rename: never half a file.

    `sync` also flushes it to the disk before the rename (milliseconds), so a power cut
    cannot leave an empty file under the real name; a killed process never can.
    """
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(partial, path)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    elif entry.exists() or entry.is_symlink():
        # An open lock file cannot be removed on Windows; it is empty and harmless.
        with contextlib.suppress(OSError):
            entry.unlink()


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()  # fails, as it should, once the folder holds anything
