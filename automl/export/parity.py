"""Checks that a SavedModel, reloaded in a fresh process, predicts what the trained model did.

Run as `python -m automl.export.parity SAVED_MODEL ROWS.npz OUT.npy`: the child loads
the SavedModel with plain TensorFlow (no project code), calls `serving_default` on the
rows and saves its main output. With `--wait` instead, it imports TensorFlow first and
then reads those three paths from its input (`WarmReloader`).
"""

from __future__ import annotations

import json
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
#: The module the checking child runs.
MODULE = "automl.export.parity"


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


class WarmReloader:
    """The checking child, started before the export so that its TensorFlow import (5-8 s)
    overlaps the work that precedes it (a search choosing its model) instead of following it.

    It is the same fresh process with plain TensorFlow as a cold check's: it only learns
    which SavedModel to load once that is written. Close it when no export comes.
    """

    def __init__(self):
        self.process: subprocess.Popen | None = _start_child(
            engine_command("--wait", module=MODULE), _child_env(), stdin=subprocess.PIPE
        )

    def take(self) -> subprocess.Popen | None:
        """Returns the waiting child once (None where it has died or was taken)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is not None:
            return None  # it failed to start: a cold check will say why
        return process

    def close(self) -> None:
        """Returns None; ends the child if no check took it (an empty input ends it)."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.communicate("", timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


class ParityCheck:
    """A child reloading `saved_model` and predicting `rows`, started at once, so that the
    caller can write the rest of the export while it works; `result` compares.

    `reloader`'s child does the reloading if it is still alive; otherwise a new one.
    """

    def __init__(
        self, saved_model: Path, rows: dict[str, np.ndarray], reloader: WarmReloader | None
    ):
        self._scratch = tempfile.TemporaryDirectory(prefix="automl-parity-")
        rows_path = Path(self._scratch.name, "rows.npz")
        self._out = Path(self._scratch.name, "out.npy")
        np.savez(rows_path, **rows)
        paths = [str(saved_model), str(rows_path), str(self._out)]
        self._process = reloader.take() if reloader is not None else None
        if self._process is not None:
            try:
                self._process.stdin.write(json.dumps(paths) + "\n")
                self._process.stdin.flush()  # `communicate` closes it: one line is read
            except BrokenPipeError:  # it died since `take` looked: a fresh one checks
                self._process.kill()
                self._process.communicate()
                self._process = None
        if self._process is None:
            self._process = _start_child(engine_command(*paths, module=MODULE), _child_env())

    def result(self, expected: np.ndarray, timeout_s: float = PARITY_TIMEOUT_S) -> Parity:
        """Returns the gap once the child has answered.

        Raises:
            ExportCheckFailed: the child failed, or the gap exceeds `PARITY_TOLERANCE`.
        """
        try:
            _finish_child(self._process, self._out, timeout_s)
            reloaded = np.load(self._out)
        finally:
            self._scratch.cleanup()
        expected = np.asarray(expected, dtype=np.float64).reshape(reloaded.shape)
        gap = (
            float(np.max(np.abs(reloaded.astype(np.float64) - expected))) if expected.size else 0.0
        )
        limit = parity_limit(expected)
        parity = Parity(gap, int(len(expected)), limit)
        if not gap <= limit:
            raise ExportCheckFailed(
                f"the reloaded SavedModel differs from the trained model by {gap:.2e} "
                f"(limit {limit:.1e}); the export was not kept"
            )
        return parity

    def cancel(self) -> None:
        """Returns None; ends the child (the export failed before its check was read)."""
        self._process.kill()
        self._process.communicate()
        self._scratch.cleanup()


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


def _child_env() -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}


def _start_child(command: list[str], env: dict[str, str], stdin=None) -> subprocess.Popen:
    """Returns the reloading child started in a session of its own.

    Its own session keeps it out of the terminal's process group: a Ctrl-C there asks the
    search to stop and export, and must not kill the check of that very export.
    """
    return subprocess.Popen(
        command,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )


def _finish_child(
    process: subprocess.Popen, out_path: Path, timeout_s: float = PARITY_TIMEOUT_S
) -> None:
    """Returns None once `process` has written `out_path`.

    Raises:
        ExportCheckFailed: the child failed, wrote nothing, or ran past `timeout_s`.
    """
    try:
        _, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise ExportCheckFailed(
            f"reloading the SavedModel did not finish within {timeout_s:.0f} s"
        ) from None
    except BaseException:
        process.kill()  # no check outlives the export it was for
        raise
    if process.returncode != 0 or not out_path.exists():
        tail = stderr.strip().splitlines()[-1:] or ["no output"]
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


def _wait_and_main() -> None:
    """Imports TensorFlow, then checks the paths read from the input (none: exits)."""
    import tensorflow as tf  # noqa: F401 - the slow part, done while the parent works

    line = sys.stdin.readline()
    if line.strip():
        _main(*json.loads(line))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--wait"]:
        _wait_and_main()
    else:
        _main(*sys.argv[1:4])
