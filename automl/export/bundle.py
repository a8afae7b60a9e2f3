"""Exports a trained model as a folder: SavedModel, `.keras`, metadata, model card.

The folder is written under a temporary name and renamed into place only after the
reloaded SavedModel has been checked, so an interrupted or failed export never leaves
a half-written model folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from automl.export.model_card import render_model_card
from automl.export.parity import Parity, ParityCheck, WarmReloader
from automl.export.reporting import current_report
from automl.export.tflite import write_tflite

if TYPE_CHECKING:
    from automl.modalities import Serving

SAVED_MODEL_DIR = "saved_model/1"  # TensorFlow Serving's versioned layout
KERAS_FILE = "model.keras"
METADATA_FILE = "metadata.json"
MODEL_CARD_FILE = "model_card.html"
FORMATS = ("saved_model", "keras", "tflite")
#: The stages `export_model` reports, with the share of an export's time each took for a
#: penguins model here (CPU): the check reloads the SavedModel in a fresh process, so it
#: costs a TensorFlow start whatever the model's size (a search starts that process ahead,
#: `WarmReloader`, and its check is then quicker). model.tflite, when asked for, adds 8.
EXPORT_STAGES = (
    ("writing the SavedModel", 5),
    ("writing model.keras", 1),
    ("checking the reloaded SavedModel", 92),
    ("writing the model card", 2),
)
TFLITE_STAGE = ("writing model.tflite", 8)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    parity: Parity
    notes: tuple[str, ...]


def export_model(
    model,
    *,
    serving: Serving,
    class_names: list[str],
    metadata: dict,
    check_rows: dict[str, np.ndarray],
    destination: Path,
    formats: tuple[str, ...] = (),
    reloader: WarmReloader | None = None,
) -> ExportResult:
    """Writes `model` to `destination` and returns where, with the parity check's result.

    `check_rows` (raw inputs of held-out rows) are fed to the in-memory model and to the
    SavedModel reloaded in a fresh process (`reloader`'s, if one was started ahead);
    `metadata` is completed with the result.

    Raises:
        ExportCheckFailed: the reloaded SavedModel disagrees; nothing is left behind.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_exports(destination)
    staging = destination.parent / f".{destination.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    notes: list[str] = []
    step = _stage_reporter(formats)
    try:
        staging.mkdir()
        step("writing the SavedModel")
        serving.write(model, class_names, staging / SAVED_MODEL_DIR)
        # The check's child reloads the SavedModel while model.keras is written.
        check = ParityCheck(staging / SAVED_MODEL_DIR, check_rows, reloader)
        try:
            step("writing model.keras")
            model.save(staging / KERAS_FILE)
            step("checking the reloaded SavedModel")
            expected = serving.predict(model, check_rows)
        except BaseException:
            check.cancel()
            raise
        parity = check.result(expected)
        if "tflite" in formats:
            step("writing model.tflite")
            notes.append(write_tflite(staging / SAVED_MODEL_DIR, staging / "model.tflite"))
        step("writing the model card")
        metadata = {
            **metadata,
            "inputs": serving.input_dicts(),
            **serving.extra_metadata(),
            "class_names": list(class_names),
            "outputs": serving.outputs(class_names),
            "signature": "serving_default",
            "files": {
                "saved_model": SAVED_MODEL_DIR,
                "keras": KERAS_FILE,
                **({"tflite": "model.tflite"} if (staging / "model.tflite").exists() else {}),
            },
            "parity": parity.to_dict(),
        }
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2, default=str))
        (staging / MODEL_CARD_FILE).write_text(render_model_card(metadata), encoding="utf-8")
        _swap_into_place(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    step("exported")
    return ExportResult(destination, parity, tuple(notes))


def _stage_reporter(formats: tuple[str, ...]) -> Callable[[str], None]:
    """Returns `step(stage)`, which reports (share done before `stage`, all shares, stage).

    The shares are `EXPORT_STAGES`' (with model.tflite's before the card when asked for),
    so a reader's time left (time so far per share done, times the shares left) allows for
    the check taking most of the time; `step("exported")` reports the whole done.
    """
    stages = list(EXPORT_STAGES)
    if "tflite" in formats:
        stages.insert(-1, TFLITE_STAGE)
    starts = {name: sum(weight for _, weight in stages[:i]) for i, (name, _) in enumerate(stages)}
    total = sum(weight for _, weight in stages)
    starts["exported"] = total
    report = current_report()
    return lambda stage: report(starts[stage], total, stage)


def decode_base64_rows(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Returns `rows` with `NAME__base64` text arrays turned into `NAME` byte arrays.

    Encoded images travel as base64 text so an `.npz` of them needs no pickle.
    """
    import base64

    decoded = {}
    for name, values in rows.items():
        if name.endswith("__base64"):
            decoded[name.removesuffix("__base64")] = np.asarray(
                [base64.b64decode(v) for v in values.tolist()], dtype=object
            )
        else:
            decoded[name] = values
    return decoded


def _swap_into_place(staging: Path, destination: Path) -> None:
    """Renames `staging` to `destination`, replacing an older export only at the end."""
    old = destination.parent / f".{destination.name}.old-{os.getpid()}"
    if destination.exists():
        destination.rename(old)
    staging.rename(destination)
    shutil.rmtree(old, ignore_errors=True)


def clean_stale_exports(destination: Path) -> list[Path]:
    """Returns the leftovers of killed exports to `destination`, tidied away.

    A half-written folder (`.NAME.partial-PID`) is removed. An earlier export moved
    aside (`.NAME.old-PID`) goes back into place if the kill came before the new one
    took its place, and is removed otherwise. Exports of live processes are left alone.
    """
    tidied = []
    for kind in ("partial", "old"):
        for leftover in sorted(destination.parent.glob(f".{destination.name}.{kind}-*")):
            pid = leftover.name.rpartition("-")[2]
            if not pid.isdigit() or _process_alive(int(pid)):
                continue
            if kind == "old" and not destination.exists():
                leftover.rename(destination)
            else:
                shutil.rmtree(leftover, ignore_errors=True)
            tidied.append(leftover)
    return tidied


def _process_alive(pid: int) -> bool:
    """Returns whether process `pid` exists (this process counts as dead: it is starting)."""
    if pid == os.getpid():
        return False
    if sys.platform == "win32":
        import ctypes

        # os.kill(pid, 0) would terminate the process on Windows; ask for a handle instead.
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # query limited info
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def read_metadata(model_dir: Path) -> dict:
    """Returns an export's `metadata.json`."""
    return json.loads((Path(model_dir) / METADATA_FILE).read_text())
