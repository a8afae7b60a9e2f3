"""Runs one search end to end: data, splits, tuner, refit, test scores, export, summary.

Written as a plain function that reports through events and checks a stop flag, so the
CLI, the notebook API and (through the CLI) the GUI share it, and tests call it directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import numpy as np

from automl.data import Dataset, load_dataset, read_table
from automl.data.loading import file_sha256
from automl.data.splits import Splits, split_rows
from automl.errors import AutoMLError
from automl.experiment.events import EventLog, SearchEnded, SearchStarted
from automl.experiment.files import claim_folder, release_folder, write_json
from automl.experiment.layout import EVENTS, MARKER, SPLITS, SUMMARY
from automl.experiment.listener import FolderListener
from automl.experiment.lock import search_alive, search_lock
from automl.search.budget import Deadline
from automl.search.metrics import Objective, choose_objective
from automl.search.request import SearchRequest
from automl.search.summary import SearchResult, search_summary
from automl.versions import package_versions


@dataclass(frozen=True)
class PreparedData:
    """A table ready to search: its dataset, splits and objective."""

    dataset: Dataset
    splits: Splits
    test_frame: object  # the frame the test rows come from (the data or --test file)
    objective: Objective
    modality: str = "table"

    @property
    def classification(self) -> bool:
        return self.dataset.task.kind.is_classification

    @property
    def task_kind(self) -> str:
        return self.dataset.task.kind.value

    @property
    def target(self) -> str:
        return self.dataset.target

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.dataset.task.class_names

    @property
    def rows(self) -> int:
        return len(self.dataset.frame)

    @property
    def task_reason(self) -> str:
        return self.dataset.task.reason

    @property
    def dropped_rows(self) -> int:
        return self.dataset.dropped_rows

    @property
    def ignored(self) -> dict[str, str]:
        return self.dataset.ignored

    def describe(self) -> dict:
        """Returns what experiment.json records about the data."""
        return {
            "schema": self.dataset.schema.to_dict(),
            "task": self.dataset.task.to_dict(),
            "features": [c.name for c in self.dataset.features],
            "ignored_columns": self.dataset.ignored,
        }

    def metadata(self) -> dict:
        """Returns the modality's part of an export's metadata.json."""
        return {"ignored_columns": self.dataset.ignored, "schema": self.dataset.schema.to_dict()}

    def baselines(self) -> dict:
        return {}  # benchmarks/tabular_vs_baselines.py compares tables with sklearn models

    def serving(self) -> list:
        """Returns the SavedModel's inputs: one per raw column."""
        from automl.export.savedmodel import ServingInput

        return [
            ServingInput(
                c.name,
                c.input_name,
                "float32" if c.kind.value == "numeric" else "string",
                c.kind.value,
            )
            for c in self.dataset.features
        ]


@dataclass(frozen=True)
class PreparedImages:
    """An image folder (or CSV of paths) ready to search."""

    folder: object  # automl.data.images.ImageFolder
    test_folder: object | None
    splits: Splits
    objective: Objective
    modality: str = "image"
    classification: bool = True
    image_column: str | None = None
    backbone_weights: str | None = None

    @property
    def task_kind(self) -> str:
        return "binary" if len(self.folder.class_names) == 2 else "multiclass"

    @property
    def target(self) -> str:
        return "class"

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.folder.class_names)

    @property
    def rows(self) -> int:
        return len(self.folder.files)

    @property
    def task_reason(self) -> str:
        return f"{len(self.folder.class_names)} class folders"

    @property
    def dropped_rows(self) -> int:
        return len(self.folder.skipped)

    @property
    def ignored(self) -> dict[str, str]:
        return {}

    def describe(self) -> dict:
        return {
            "images": self.folder.to_dict(),
            "test_images": self.test_folder.to_dict() if self.test_folder else None,
        }

    def metadata(self) -> dict:
        return {"images": self.folder.to_dict(), "image_column": self.image_column}

    def baselines(self) -> dict:
        return {}  # benchmarks/image_search.py compares against pixel baselines

    def serving(self):
        from automl.export.savedmodel import ImageServing

        return ImageServing(tuple(self.folder.image_size), self.folder.channels)


def prepare(request: SearchRequest):
    """Returns the loaded, split data; checks every input before anything is written."""
    from automl.search.sequence_data import is_sequence_request, prepare_sequences

    if request.image_column or Path(request.data).is_dir():
        return _prepare_images(request)
    if is_sequence_request(request):
        return prepare_sequences(request)
    if not request.target:
        raise AutoMLError("--target is required for a table: name the column to predict")
    return _prepare_table(request)


def _prepare_images(request: SearchRequest) -> PreparedImages:
    from automl.data.images import load_image_csv, scan_image_folder

    def load(path: Path):
        if request.image_column:
            if not request.target:
                raise AutoMLError("--target names the label column of the image CSV")
            return load_image_csv(path, request.image_column, request.target)
        return scan_image_folder(path)

    folder = load(Path(request.data))
    objective = choose_objective(request.metric, True)
    test_folder = None
    if request.test_file is not None:
        test_folder = load(Path(request.test_file))
        unknown = set(test_folder.class_names) - set(folder.class_names)
        if unknown:
            raise AutoMLError(
                f"--test {request.test_file} has classes the training data lacks: "
                f"{', '.join(sorted(unknown))}"
            )
        # Class indices must mean the same classes in both folders.
        position = {name: i for i, name in enumerate(folder.class_names)}
        relabelled = np.asarray(
            [position[test_folder.class_names[i]] for i in test_folder.labels], dtype=np.int64
        )
        test_folder = replace(test_folder, labels=relabelled, class_names=folder.class_names)
    splits = split_rows(
        np.arange(len(folder.files)),
        np.asarray(folder.labels),
        seed=request.seed,
        validation_fraction=request.validation_split,
        test_fraction=0.0 if test_folder is not None else request.test_split,
    )
    if test_folder is not None:
        splits = replace(splits, test=np.arange(len(test_folder.files)))
    return PreparedImages(
        folder,
        test_folder,
        splits,
        objective,
        image_column=request.image_column,
        backbone_weights=str(request.backbone_weights) if request.backbone_weights else None,
    )


def _prepare_table(request: SearchRequest) -> PreparedData:
    dataset = load_dataset(
        request.data,
        request.target,
        task=request.task,
        ignore=request.ignore,
        column_types=request.column_types,
    )
    classification = dataset.task.kind.is_classification
    objective = choose_objective(request.metric, classification)
    test_frame = dataset.frame
    if request.test_file is not None:
        test_frame = dataset.check_compatible(read_table(request.test_file), str(request.test_file))
    labels = dataset.target_values() if classification else None
    splits = split_rows(
        np.arange(len(dataset.frame)),
        labels,
        seed=request.seed,
        validation_fraction=request.validation_split,
        test_fraction=0.0 if request.test_file is not None else request.test_split,
    )
    if request.test_file is not None:
        splits = replace(splits, test=np.arange(len(test_frame)))
    return PreparedData(dataset, splits, test_frame, objective, modality=_table_modality(dataset))


def _table_modality(dataset: Dataset) -> str:
    """Returns "text" when the one feature is free text (the sequence families read it)."""
    kinds = [c.kind.value for c in dataset.features]
    return "text" if kinds == ["text"] else "table"


def run_search(
    request: SearchRequest,
    *,
    events_stream: IO[str] | None = None,
    on_start: Callable | None = None,
    listeners: tuple[Callable, ...] = (),
) -> SearchResult:
    """Runs the search `request` describes and returns its result.

    Args:
        events_stream: also write each event line here (the CLI's `--events -`).
        on_start: called with the `SearchState` once the search runs, so a caller can
            request a stop (Ctrl-C, the GUI's Stop).
        listeners: called with every event (the CLI's progress display); a
            `FolderListener` (the CLI's project index) also hears when the folder's
            record and its summary are written, and may refuse the search on the first.

    Raises:
        AutoMLError: bad input, found before the experiment folder is touched.
    """
    started = time.monotonic()
    deadline = Deadline(request.time_budget_s, start=started)
    prepared = prepare(request)
    if request.port is not None and (request.chief or request.workers):
        from automl.search.parallel.ports import check_port

        check_port(request.port)
    out = Path(request.out)
    if out.is_dir() and search_alive(out):
        raise AutoMLError(f"another search is writing to {out}; wait for it to end or stop it")
    claim_folder(out, request.overwrite)
    lock = ExitStack()
    try:
        # Held while the search runs: a killed search reads as interrupted at once.
        lock.enter_context(search_lock(out))
        data_hash = data_fingerprint(Path(request.data))
        write_json(
            out / MARKER,
            {
                "request": request.to_dict(),
                "data_path": str(Path(request.data).resolve()),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "data_sha256": data_hash,
                "modality": prepared.modality,
                # The manifest `automl rerun` reproduces from: versions, seed, split.
                "versions": package_versions(),
                "seed": request.seed,
                "device": request.device or "default (the first GPU if any, else the CPU)",
                **prepared.describe(),
            },
        )
        prepared.splits.save(out / SPLITS)
        opened(out, listeners)  # a project.db from a newer version stops us here
    except BaseException:
        lock.close()
        release_folder(out)
        raise
    with lock:
        return execute(
            request, prepared, out, deadline, data_hash, events_stream, on_start, listeners
        )


def execute(
    request: SearchRequest,
    prepared,
    out: Path,
    deadline: Deadline,
    data_hash: str,
    events_stream: IO[str] | None = None,
    on_start: Callable | None = None,
    listeners: tuple[Callable, ...] = (),
    resume: bool = False,
) -> SearchResult:
    """Searches in the claimed folder `out`, exports the best model; returns the result.

    The part `automl search` and `automl resume` share once the folder is theirs
    (`resume`: the tuner and the finished trials come from `out`).

    Raises:
        AutoMLError: bad input found while setting up the search.
    """
    started = deadline.start
    splits, objective = prepared.splits, prepared.objective
    from automl.search.training import SearchRun  # TensorFlow loads here

    log = EventLog(out / EVENTS, events_stream)
    log.listeners.extend(listeners)
    try:
        try:
            run = SearchRun(request, prepared, out, log, deadline, resume=resume)
        except AutoMLError:
            log.close()
            if not resume:
                release_folder(out)  # bad input leaves nothing half-written
            raise
        if on_start is not None:
            on_start(run.state)
        log.emit(
            SearchStarted(
                experiment=str(out),
                data=str(request.data),
                task=prepared.task_kind,
                target=prepared.target,
                tuner=request.tuner,
                objective=objective.name,
                direction=objective.direction,
                max_trials=request.max_trials,
                time_budget_s=request.time_budget_s,
                time_budget_left_s=deadline.remaining(),
                max_epochs=request.max_epochs,
                rows={
                    "train": len(splits.train),
                    "validation": len(splits.validation),
                    "test": len(splits.test),
                },
                resumed=resume,
            )
        )
        status, reason = run.search()
        best = run.best_trial()
        if best is not None and request.chief:
            best = run.synced_weights(best)  # a remote worker's folder may come later
        outcome = run.finish(best) if best is not None else None
        counts = run.counts()
        log.emit(
            SearchEnded(
                status="failed" if best is None else status,
                reason=reason if best is not None else "no trial succeeded",
                best_trial_id=best.trial_id if best else None,
                best_score=best.score if best else None,
                trials_completed=counts["completed"],
                trials_failed=counts["failed"],
                duration_s=time.monotonic() - started,
            )
        )
        # Simple models on the same test rows: a yardstick for the searched model's score.
        baselines = prepared.baselines() if outcome is not None else {}
        export = run.export(outcome, data_hash, baselines) if outcome is not None else None
    finally:
        log.close()

    summary = search_summary(
        request, prepared, run, status, reason, best, outcome, export, data_hash, started
    )
    summary["baselines"] = baselines
    write_json(out / SUMMARY, summary)
    for listener in listeners:
        if isinstance(listener, FolderListener):
            listener.closed(out)
    return SearchResult(
        status=summary["status"],
        summary=summary,
        experiment=out,
        model_path=export.path if export else None,
        exit_code=summary["exit_code"],
        notes=summary["notes"],
    )


def opened(folder: Path, listeners: tuple[Callable, ...]) -> None:
    """Tells the folder listeners that the folder's record is written; they may refuse.

    Raises:
        AutoMLError: a listener refuses the search (a project index it cannot write).
    """
    for listener in listeners:
        if isinstance(listener, FolderListener):
            listener.opened(folder)


def data_fingerprint(path: Path) -> str:
    """Returns the SHA-256 of a data file, or of a folder's file names and sizes."""
    if not path.is_dir():
        return file_sha256(path)
    import hashlib

    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{item.relative_to(path)}\0{item.stat().st_size}\n".encode())
    return digest.hexdigest()
