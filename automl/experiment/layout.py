"""Every file and folder name of an experiment folder, and where a trial's weights lie.

An experiment folder is a format read by the search, the store, the report, the export
and the desktop; naming its parts here, once, keeps them reading the same folder.

Example:
    >>> from automl.experiment import layout
    >>> (folder / layout.EVENTS).exists(), layout.trial_checkpoints(folder)
    (True, {'0': 'tuner/trial_0/checkpoint.weights.h5'})
"""

from __future__ import annotations

from pathlib import Path

#: The file that marks a folder as an AutoML Studio experiment (the request, data hash).
MARKER = "experiment.json"
#: Every event of the search, one JSON object a line.
EVENTS = "events.jsonl"
#: The search's outcome, written once it has ended.
SUMMARY = "summary.json"
#: The row indices of the train, validation and test splits.
SPLITS = "splits.json"
#: Keras Tuner's folder (its project name): its state and every trial's weights.
TUNER_DIR = "tuner"
#: A trial's folder inside `TUNER_DIR` is this prefix and the trial id.
TRIAL_PREFIX = "trial_"
#: A trial's weights inside its folder start with this.
CHECKPOINT_PREFIX = "checkpoint"
#: The exported model: SavedModel, .keras, metadata, model card.
MODEL_DIR = "model"
#: Raw inputs of held-out rows, kept for the parity check of a later `automl export`.
CHECK_ROWS = "check_rows.npz"
#: The file whose OS lock a running search holds (`automl.experiment.lock`).
LOCK = "search.lock"
#: `automl rerun` results, one file (and its events) per trial.
RERUNS_DIR = "reruns"
#: TensorBoard logs (`--tensorboard`).
TENSORBOARD_DIR = "tensorboard"
#: Logs kept beside the search (counted as logs in disk use).
LOGS_DIR = "logs"
#: What TensorFlow and Keras printed during the search (`automl.engine_log`).
ENGINE_LOG = "engine.log"

#: A parallel search's worker logs and event files (`automl.search.parallel`).
WORKERS_DIR = "workers"
#: A parallel search's chief address and deadline, for workers joining it.
DISTRIBUTED_FILE = "distributed.json"

#: Everything a search writes at the top of its folder (a user's own files stay).
OWN_ENTRIES = (
    MARKER,
    EVENTS,
    SUMMARY,
    SPLITS,
    TUNER_DIR,
    MODEL_DIR,
    CHECK_ROWS,
    LOCK,
    RERUNS_DIR,
    TENSORBOARD_DIR,
    ENGINE_LOG,
    WORKERS_DIR,
    DISTRIBUTED_FILE,
)


def trial_folders(folder: Path) -> list[Path]:
    """Returns the trial folders under the experiment's tuner folder (none without one).

    Keras Tuner puts them in `tuner/`, or one level deeper in some versions.
    """
    tuner = Path(folder) / TUNER_DIR
    if not tuner.is_dir():
        return []
    return [*tuner.glob(f"{TRIAL_PREFIX}*"), *tuner.glob(f"*/{TRIAL_PREFIX}*")]


def trial_id_of(trial_folder: Path) -> str:
    """Returns the trial id a trial folder is named after (`trial_03` -> `03`)."""
    return trial_folder.name.removeprefix(TRIAL_PREFIX)


def trial_checkpoints(folder: Path) -> dict[str, str]:
    """Returns {trial_id: weights file relative to `folder`} for the weights still on disk."""
    found: dict[str, str] = {}
    for trial_folder in trial_folders(folder):
        weights = sorted(p for p in trial_folder.glob(f"{CHECKPOINT_PREFIX}*") if p.is_file())
        if weights:
            found.setdefault(trial_id_of(trial_folder), weights[0].relative_to(folder).as_posix())
    return found


def rerun_files(folder: Path, trial_id: str) -> tuple[Path, Path]:
    """Returns where `automl rerun` writes trial `trial_id`'s result and its events."""
    reruns = Path(folder) / RERUNS_DIR
    return reruns / f"trial_{trial_id}.json", reruns / f"trial_{trial_id}.events.jsonl"
