"""Checks that a SavedModel, reloaded in a fresh process, predicts what the trained model did.

Run as `python -m automl.export.parity SAVED_MODEL ROWS.npz OUT.npy`: the child loads
the SavedModel with plain TensorFlow (no project code), calls `serving_default` on the
rows and saves its main output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from automl.child_command import engine_command

#: The largest difference an export may show before it is refused, for outputs up to 1 in
#: size (probabilities); larger outputs get the same share of their largest value
#: (`parity_limit`).
PARITY_TOLERANCE = 1e-5
#: How long the reloading child may take. It imports TensorFlow (5-8 s on an idle
#: machine, a minute or more on a loaded one), loads the SavedModel and predicts the
#: check rows (a few hundred; seconds even for an image model on a CPU); ten minutes is
#: far past that, so a child still running then is hung, not slow.
PARITY_TIMEOUT_S = 600.0


class ExportCheckFailed(RuntimeError):
    """The reloaded export does not reproduce the trained model's predictions."""


@dataclass(frozen=True)
class Parity:
    max_abs_diff: float
    rows_compared: int
    #: the largest gap allowed (`parity_limit`): 1e-5, or that share of the largest output
    limit: float = PARITY_TOLERANCE

    def to_dict(self) -> dict:
        return {
            "max_abs_diff": self.max_abs_diff,
            "rows_compared": self.rows_compared,
            "limit": self.limit,
        }

    def describe(self) -> str:
        return (
            f"reloaded SavedModel matches: max difference {self.max_abs_diff:.1e} "
            f"over {self.rows_compared} test rows"
        )


def check_parity(saved_model: Path, rows: dict[str, np.ndarray], expected: np.ndarray) -> Parity:
    """Returns the largest gap between `expected` and the reloaded SavedModel's output.

    Raises:
        ExportCheckFailed: the child failed, or the gap exceeds `PARITY_TOLERANCE`.
    """
    with tempfile.TemporaryDirectory(prefix="automl-parity-") as scratch:
        rows_path, out_path = Path(scratch, "rows.npz"), Path(scratch, "out.npy")
        np.savez(rows_path, **rows)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
        command = engine_command(
            str(saved_model), str(rows_path), str(out_path), module="automl.export.parity"
        )
        _reload_in_child(command, env, out_path)
        reloaded = np.load(out_path)
    expected = np.asarray(expected, dtype=np.float64).reshape(reloaded.shape)
    gap = float(np.max(np.abs(reloaded.astype(np.float64) - expected))) if expected.size else 0.0
    limit = parity_limit(expected)
    parity = Parity(gap, int(len(expected)), limit)
    if not gap <= limit:
        raise ExportCheckFailed(
            f"the reloaded SavedModel differs from the trained model by {gap:.2e} "
            f"(limit {limit:.1e}); the export was not kept"
        )
    return parity


def parity_limit(expected: np.ndarray) -> float:
    """Returns the largest gap allowed between `expected` and the reloaded model's output.

    `PARITY_TOLERANCE` for outputs up to 1 in size; for larger values (a regression on
    prices) the same share of the largest output. float32 holds about 7 significant
    digits, and the reloaded graph may compute sin, cos or a sum in a different order
    than Keras did: on outputs near 140,000 that alone moved the last digits by 0.016.

    Example:
        >>> parity_limit(np.array([0.2, 0.8])), parity_limit(np.array([-2e5, 1e5]))
        (1e-05, 2.0)
    """
    largest = float(np.max(np.abs(expected))) if np.size(expected) else 0.0
    return PARITY_TOLERANCE * max(1.0, largest if np.isfinite(largest) else 1.0)


def _reload_in_child(
    command: list[str], env: dict[str, str], out_path: Path, timeout_s: float = PARITY_TIMEOUT_S
) -> None:
    """Returns None once `command` wrote `out_path`; it runs in a session of its own.

    Its own session keeps it out of the terminal's process group: a Ctrl-C there asks the
    search to stop and export, and must not kill the check of that very export.

    Raises:
        ExportCheckFailed: the child failed, wrote nothing, or ran past `timeout_s`.
    """
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            start_new_session=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        raise ExportCheckFailed(
            f"reloading the SavedModel did not finish within {timeout_s:.0f} s"
        ) from None
    if done.returncode != 0 or not out_path.exists():
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ExportCheckFailed(f"reloading the SavedModel failed: {tail[0]}")


def _main(saved_model: str, rows_path: str, out_path: str) -> None:
    import tensorflow as tf

    serve = tf.saved_model.load(saved_model).signatures["serving_default"]
    import base64

    with np.load(rows_path) as rows:
        inputs = {}
        for name in rows.files:
            values = rows[name]
            if name.endswith("__base64"):  # encoded images travel as base64 text
                name = name.removesuffix("__base64")
                values = [base64.b64decode(v) for v in values.tolist()]
            inputs[name] = tf.constant(values)
        output = serve(**inputs)
    main = next(output[k] for k in ("probabilities", "forecast", "value") if k in output)
    np.save(out_path, main.numpy())


if __name__ == "__main__":
    _main(*sys.argv[1:4])
