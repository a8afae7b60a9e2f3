"""A trial's checkpoints: its best epoch's weights, and a resume point while it runs.

Keras Tuner restarts an interrupted trial from epoch 0. Here a running trial saves a
resume point (the whole model with its optimizer state, plus the epoch reached, the best
value so far and the history) every few seconds of training, so `automl resume` goes on
from the last one. The point is written to a fresh folder and renamed into place: a kill
while writing leaves the previous point intact.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras

from automl.experiment.layout import TENSORBOARD_DIR, WORKERS_DIR
from automl.search.kt_compat import BestEpochCheckpoint

RESUME_DIR = "resume"
MODEL_FILE = "model.keras"
STATE_FILE = "state.json"
BEST_FILE = "best.weights.h5"


@dataclass
class ResumePoint:
    """Where an interrupted trial stopped: epochs done, best value so far, its history."""

    folder: Path
    epoch: int
    best_value: float
    best_epoch: int | None
    history: list[dict[str, float]] = field(default_factory=list)

    def load_model(self) -> keras.Model:
        import architectures.layers  # noqa: F401  (registers the custom layers)

        return keras.saving.load_model(self.folder / MODEL_FILE, safe_mode=True)


def read_resume_point(trial_dir: Path) -> ResumePoint | None:
    """Returns the trial's last complete resume point, or None."""
    for name in (RESUME_DIR, f"{RESUME_DIR}.old"):
        folder = Path(trial_dir) / name
        try:
            state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (folder / MODEL_FILE).exists():
            return ResumePoint(
                folder,
                int(state["epoch"]),
                float(state["best_value"]),
                state.get("best_epoch"),
                list(state.get("history") or []),
            )
    return None


def remove_resume_point(trial_dir: Path) -> None:
    for name in (RESUME_DIR, f"{RESUME_DIR}.old", f"{RESUME_DIR}.partial"):
        shutil.rmtree(Path(trial_dir) / name, ignore_errors=True)


def drop_trial_files(folder: Path, weights: Path, trial_id: str) -> None:
    """Returns None; deletes a trial's best weights (every fold's) and its TensorBoard logs."""
    # A cross-validated trial's other folds lie beside its first (cv_trials).
    for path in [weights, *weights.parent.glob(f"{weights.name.split('.')[0]}_fold*")]:
        path.unlink(missing_ok=True)
    # Keras Tuner gives each trial TENSORBOARD_DIR/<trial id>/execution<N>.
    shutil.rmtree(Path(folder) / TENSORBOARD_DIR / str(trial_id), ignore_errors=True)


def drop_worker_logs(folder: Path, trials) -> list[Path]:
    """Returns the worker logs deleted: those of workers that ran no trial worth keeping.

    A worker's log and events file stay while any trial it ran keeps its weights, or
    failed (its log says why). Called once the workers have exited (the chief's end).
    """
    keep = {t.worker for t in trials if not t.checkpoint_deleted or t.status == "failed"}
    ran = {t.worker for t in trials if t.worker} - keep
    dropped = []
    for worker in sorted(ran):
        for name in (f"{worker}.log", f"{worker}.events.jsonl"):
            path = Path(folder) / WORKERS_DIR / name
            if path.exists():
                path.unlink()
                dropped.append(path)
    return dropped


class TrialCheckpoint(BestEpochCheckpoint):
    """Keeps the best epoch's weights in memory, writes them once, and saves resume points.

    The stock Keras Tuner checkpoint writes a weights file at every improving epoch
    (about 0.1 s each); this one writes the best weights when training ends, and a
    resume point at most every `every_s` seconds (0: every epoch).

    Args:
        history: the trial's epoch metrics so far (shared with the search's record).
        resume: the point an interrupted trial goes on from, or None for a fresh trial.
    """

    def __init__(
        self,
        objective,
        filepath: str,
        trial_dir: Path,
        every_s: float,
        history: list[dict[str, float]],
        resume: ResumePoint | None = None,
    ):
        super().__init__(objective, filepath)
        self.trial_dir = Path(trial_dir)
        self.every_s = every_s
        self.history = history
        self.resume = resume
        self.best_epoch: int | None = None
        self._best_weights = None
        self._last_saved = time.monotonic()
        if resume is not None:
            self.best_value = resume.best_value
            self.best_epoch = resume.best_epoch

    def on_train_begin(self, logs=None):
        self._last_saved = time.monotonic()
        best = None if self.resume is None else self.resume.folder / BEST_FILE
        if best is not None and best.exists():
            # The best epoch so far came before the interruption: keep its weights.
            current = self.model.get_weights()
            self.model.load_weights(best)
            self._best_weights = self.model.get_weights()
            self.model.set_weights(current)

    def on_epoch_end(self, epoch, logs=None):
        before = self.best_value
        super().on_epoch_end(epoch, logs)
        if self.best_value != before:
            self.best_epoch = epoch + 1
        if time.monotonic() - self._last_saved >= self.every_s:
            self._save_resume_point(epoch + 1)
            self._last_saved = time.monotonic()

    def start_fold(self, filepath: Path) -> None:
        """Returns None; the next fold keeps its own best epoch, written to `filepath`."""
        self.filepath = str(filepath)
        self.best_value = float("-inf") if self.objective.direction == "max" else float("inf")
        self.best_epoch = None
        self._best_weights = None

    def keep_best(self) -> None:
        """Returns None; keeps the best epoch's weights in memory (written at the end)."""
        self._best_weights = self.model.get_weights()

    def _write_best(self, path: Path | None = None) -> None:
        """Writes the best epoch's weights, whole or not at all (a temporary name first)."""
        if self._best_weights is None:
            return
        path = Path(path or self.filepath)
        partial = path.with_name(f"partial-{path.name}")
        current = self.model.get_weights()
        self.model.set_weights(self._best_weights)
        try:
            self.model.save_weights(partial)
        finally:
            self.model.set_weights(current)
        os.replace(partial, path)

    def _save_resume_point(self, epochs_done: int) -> None:
        partial = self.trial_dir / f"{RESUME_DIR}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        self._write_best(partial / BEST_FILE)
        self.model.save(partial / MODEL_FILE)
        state = {
            "epoch": epochs_done,
            "best_value": self.best_value,
            "best_epoch": self.best_epoch,
            "history": self.history,
        }
        (partial / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        current, old = self.trial_dir / RESUME_DIR, self.trial_dir / f"{RESUME_DIR}.old"
        shutil.rmtree(old, ignore_errors=True)
        if current.exists():
            current.rename(old)
        partial.rename(current)
        shutil.rmtree(old, ignore_errors=True)

    def on_train_end(self, logs=None):
        self._write_best()
        # The trial is over (finished, stopped early or cut by the deadline): nothing
        # is left to resume.
        remove_resume_point(self.trial_dir)
