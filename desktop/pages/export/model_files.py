"""What the Export page reads and names: the export's check, the model's kind, where to
export, and the order predictions are shown in (no Qt)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def parity_text(parity: dict | None) -> str:
    """Returns the export check's result in words, as the CLI words it."""
    if not parity:
        return "The export has not been checked against the trained model."
    return (
        f"Reloaded SavedModel matches: max difference {parity['max_abs_diff']:.1e} "
        f"over {parity['rows_compared']} test rows"
    )


def model_modality(model_dir: Path) -> str:
    """Returns the exported model's kind of data, as its metadata.json names it ("table"
    when it does not say, or cannot be read)."""
    try:
        metadata = json.loads((model_dir / "metadata.json").read_text())
    except (OSError, ValueError):
        return "table"
    return metadata.get("modality") or "table"


def export_folder(chosen: Path, experiment: Path) -> Path:
    """Returns the folder to export into, inside the folder the user chose.

    Users pick a parent folder (say ~/models); the engine refuses a `--to` folder that
    holds anything but an earlier export, so a named sub-folder is used: an earlier
    export there is replaced, anything else gets a numbered name.
    """
    base = f"{experiment.name}-model"
    candidate = chosen / base
    number = 2
    while candidate.exists() and not (candidate / "metadata.json").exists():
        candidate = chosen / f"{base}-{number}"
        number += 1
    return candidate


def read_predictions(path: Path) -> pd.DataFrame:
    """Returns the predictions CSV at `path` as a frame.

    Raises:
        OSError, ValueError: the file is gone or not a CSV (pandas' parser errors).
    """
    import pandas as pd  # on the worker thread: the window opens without it

    return pd.read_csv(path)


def display_frame(frame: pd.DataFrame, image: bool = False) -> pd.DataFrame:
    """Returns predictions with `prediction` and `proba_*` first, so they are on screen.

    For an image model the image's `path` comes first: it is what each row is about.
    """
    outputs = [c for c in frame.columns if c == "prediction" or str(c).startswith("proba_")]
    if image and "path" in frame.columns:
        outputs.insert(0, "path")
    shown = frame[outputs + [c for c in frame.columns if c not in outputs]].copy()
    for column in outputs:
        if str(column).startswith("proba_"):
            shown[column] = shown[column].round(4)  # 0.9871 reads better than 0.98713243
    return shown


def remove_cancelled_predictions(path: Path) -> None:
    """Returns None; removes a cancelled prediction's file and its half-written part.

    The engine removes the part itself when it is stopped; it stays only when the child
    had to be killed. A file that was renamed into place just before the stop goes too:
    the user cancelled it.
    """
    from automl.export.predict import partial_table

    for leftover in (path, partial_table(path)):
        leftover.unlink(missing_ok=True)


def tidy_cancelled_export(destination: Path) -> None:
    """Returns None; removes a killed export's half-written folder beside `destination`
    (and puts back the earlier export it had moved aside, if any)."""
    from automl.export.bundle import clean_stale_exports

    if destination.parent.is_dir():
        clean_stale_exports(destination)
