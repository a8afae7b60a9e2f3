"""Runs one search end to end: data, splits, tuner, refit, test scores, export, summary.

Written as a plain function that reports through events and checks a stop flag, so the
CLI, the notebook API and (through the CLI) the GUI share it, and tests call it directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from automl.data.loading import file_sha256
from automl.errors import AutoMLError
from automl.experiment.events import EventLog, SearchEnded, SearchStarted
from automl.experiment.files import check_folder, claim_folder, release_folder, write_json
from automl.experiment.layout import EVENTS, MARKER, SPLITS, SUMMARY
from automl.experiment.listener import FolderListener
from automl.experiment.lock import search_alive, search_lock
from automl.export.parity import WarmReloader
from automl.modalities import Prepared, modality_for
from automl.search.budget import Deadline
from automl.search.request import SearchRequest
from automl.search.summary import SearchResult, search_summary, trial_counts
from automl.versions import package_versions


def prepare(request: SearchRequest) -> Prepared:
    """Returns the loaded, split data; checks every input before anything is written."""
    return modality_for(request).prepare(request)


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
    if request.chief or request.workers:
        from automl.search.parallel.ports import check_host, check_port

        check_host(request.oracle_host)
        if request.port is not None:
            check_port(request.port, request.oracle_host)
    out = Path(request.out)
    if out.is_dir() and search_alive(out):
        raise AutoMLError(f"another search is writing to {out}; wait for it to end or stop it")
    check_folder(out, request.overwrite)
    out.mkdir(parents=True, exist_ok=True)
    lock = ExitStack()
    # Held while the search runs: a killed search reads as interrupted at once. Taken
    # before anything is removed: a search that loses the race for it touches nothing.
    lock.enter_context(search_lock(out))
    try:
        claim_folder(out, request.overwrite)
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
        # `automl resume` reads it back: written whole or not at all.
        write_json(out / SPLITS, prepared.splits.to_dict(), indent=None)
        opened(out, listeners)  # a project.db from a newer version stops us here
    except BaseException:
        release_folder(out)  # while still holding the lock: nobody else's files
        lock.close()
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
    reloader = None
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
                folds=run.cross_validation.k if run.cross_validation is not None else None,
            )
        )
        status, reason = run.search()
        best = run.best_trial()
        if best is not None and request.chief:
            best = run.synced_weights(best)  # a remote worker's folder may come later
        choosing = time.monotonic()
        if best is not None:
            # The export's check starts TensorFlow in a child: let that overlap the choice.
            reloader = WarmReloader()
        outcome = run.finish(best) if best is not None else None
        run.choosing_seconds = time.monotonic() - choosing
        counts = trial_counts(run.state)
        log.emit(
            SearchEnded(
                status="failed" if best is None else status,
                reason=reason if best is not None else "no trial succeeded",
                best_trial_id=best.trial_id if best else None,
                best_score=best.score if best else None,
                trials_completed=counts["completed"],
                trials_failed=counts["failed"],
                duration_s=time.monotonic() - started,
                choosing_s=run.choosing_seconds,
            )
        )
        # Simple models on the same test rows: a yardstick for the searched model's score.
        baselines = prepared.baselines() if outcome is not None else {}
        export = (
            run.export(outcome, data_hash, baselines, reloader) if outcome is not None else None
        )
    finally:
        if reloader is not None:
            reloader.close()
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
