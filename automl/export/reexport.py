"""`automl export DIR --to PATH`: writes an experiment's model again, elsewhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from automl.errors import AutoMLError
from automl.export.bundle import KERAS_FILE, ExportResult, export_model, read_metadata
from automl.modalities import modality_named

CHECK_ROWS_FILE = "check_rows.npz"

#: Keys `export_model` writes itself; the rest of the metadata is carried over.
_DERIVED = {
    "inputs",
    "class_names",
    "outputs",
    "signature",
    "signatures",
    "files",
    "parity",
    "image",
}


def reexport(experiment: Path, destination: Path, formats: tuple[str, ...] = ()) -> ExportResult:
    """Exports the model of `experiment` to `destination`, checked again on its test rows.

    Raises:
        AutoMLError: `experiment` has no exported model.
    """
    model_dir = Path(experiment) / "model"
    if not (model_dir / KERAS_FILE).exists():
        raise AutoMLError(
            f"{experiment} has no exported model (looked for {model_dir / KERAS_FILE})"
        )
    destination = Path(destination)
    if destination.resolve() == model_dir.resolve():
        raise AutoMLError("--to names the experiment's own model folder; choose another")
    if destination.is_file():
        raise AutoMLError(f"--to {destination} is a file; name a folder for the model")
    if (
        destination.is_dir()
        and any(destination.iterdir())
        and not (destination / "metadata.json").exists()
    ):
        # Replacing the folder would delete whatever the user keeps there.
        raise AutoMLError(
            f"--to {destination} exists and is not an exported model; name a new folder "
            f"(e.g. {destination / 'model'})"
        )
    import keras

    import architectures.layers  # noqa: F401  (registers the custom layers for safe loading)

    metadata = read_metadata(model_dir)
    model = keras.saving.load_model(model_dir / KERAS_FILE, safe_mode=True)
    with np.load(Path(experiment) / CHECK_ROWS_FILE) as rows:
        check_rows = {name: rows[name] for name in rows.files}
    serving = modality_named(metadata.get("modality")).serving_from_metadata(metadata)
    kept = {k: v for k, v in metadata.items() if k not in _DERIVED}
    return export_model(
        model,
        serving=serving,
        class_names=metadata["class_names"],
        metadata=kept,
        check_rows=check_rows,
        destination=Path(destination),
        formats=formats,
    )
