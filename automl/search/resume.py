"""`automl resume` and `automl rerun`: an experiment folder taken up again.

Both rebuild the search from what the folder recorded (the request in experiment.json,
the data file's SHA-256, the split), and refuse when the data file has changed since,
unless forced: a different file would silently give a different experiment.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from automl.errors import AutoMLError, first_line
from automl.experiment import layout
from automl.experiment.files import write_json
from automl.experiment.fold import time_used
from automl.experiment.lock import search_alive, search_lock
from automl.experiment.reader import read_events
from automl.search.budget import Deadline
from automl.search.request import SearchRequest

#: Under this many seconds of budget left, a resumed search only refits and exports.
MIN_RESUME_SECONDS = 1.0


def load_experiment(
    folder: Path, force: bool, data: Path | None = None
) -> tuple[SearchRequest, dict]:
    """Returns the experiment's request (its folder as `out`) and experiment.json.

    `data` points at the data file where it lives elsewhere (a worker on another machine).

    Raises:
        AutoMLError: not an experiment, its data file is gone, or changed (without `force`).
    """
    folder = Path(folder)
    try:
        recorded = json.loads((folder / layout.MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AutoMLError(f"{folder} is not an experiment folder (no {layout.MARKER})") from None
    except ValueError as error:
        raise AutoMLError(f"{folder / layout.MARKER} is damaged ({error})") from None
    given = Path(recorded["request"]["data"])
    if data is None:
        data = Path(recorded.get("data_path") or given)
        if not data.exists() and given.exists():
            data = given
    if not data.exists():
        raise AutoMLError(f"the experiment's data file {data} no longer exists")
    request = SearchRequest.from_dict(recorded["request"], out=folder, data=data, overwrite=False)
    from automl.search.run import data_fingerprint

    found = data_fingerprint(data)
    if found != recorded.get("data_sha256") and not force:
        raise AutoMLError(
            f"{data} has changed since the search (sha256 {found[:12]}..., recorded "
            f"{str(recorded.get('data_sha256'))[:12]}...); pass --force to use it anyway"
        )
    return request, recorded


def resume_search(
    folder: Path,
    *,
    force: bool = False,
    bind: str | None = None,
    token: str | None = None,
    events_stream: IO[str] | None = None,
    on_start: Callable | None = None,
    listeners: tuple[Callable, ...] = (),
):
    """Continues an interrupted search in `folder` and returns its `SearchResult`.

    Completed trials are kept; the trial that was running goes on from its last resume
    point; the time budget is what the earlier run left. A chief listens on loopback
    unless `bind` names another address again (experiment.json does not record it).

    Raises:
        AutoMLError: the search finished already, is still running, or its data changed.
    """
    from automl.search.run import execute, opened, prepare

    folder = Path(folder)
    request, recorded = load_experiment(folder, force)
    request = dataclasses.replace(request, bind=bind, token=token)
    summary = folder / layout.SUMMARY
    if summary.exists():
        status = json.loads(summary.read_text()).get("status")
        raise AutoMLError(f"{folder} finished already ({status}); nothing to resume")
    if search_alive(folder):
        raise AutoMLError(f"a search is still running in {folder}; stop it before resuming")
    if not (folder / layout.TUNER_DIR).is_dir():
        raise AutoMLError(f"{folder} has no tuner state to resume; start the search again")
    check_tuner_state(folder)
    remaining = None
    if request.time_budget_s is not None:
        remaining = max(0.0, request.time_budget_s - time_used(read_events(folder / layout.EVENTS)))
    prepared = prepare(request)
    recorded_splits = json.loads((folder / layout.SPLITS).read_text())
    if recorded_splits["test"] != prepared.splits.test.tolist():
        raise AutoMLError(
            f"the data split of {folder} cannot be rebuilt (the data or a library changed); "
            "start a new search"
        )
    deadline = Deadline(remaining, start=time.monotonic())
    with ExitStack() as lock:
        lock.enter_context(search_lock(folder))
        opened(folder, listeners)  # a project.db from a newer version stops us here
        return execute(
            request,
            prepared,
            folder,
            deadline,
            recorded["data_sha256"],
            events_stream,
            on_start,
            listeners,
            resume=True,
        )


def check_tuner_state(folder: Path) -> None:
    """Returns None, or raises when a tuner file a resume reads is torn (not whole JSON).

    Keras Tuner would fail on it while building the tuner, which reads as a search space
    that cannot build a model; the file itself is named here instead.

    Raises:
        AutoMLError: `oracle.json` or a trial's `trial.json` is not valid JSON.
    """
    tuner = Path(folder) / layout.TUNER_DIR
    files = [*tuner.glob("oracle.json"), *tuner.glob("*/oracle.json")]
    files += [trial / "trial.json" for trial in sorted(layout.trial_folders(folder))]
    for path in files:
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue  # a trial folder made just before the kill: Keras Tuner starts it again
        except (ValueError, UnicodeDecodeError) as error:
            size = path.stat().st_size
            raise AutoMLError(
                f"{path} is damaged ({size} bytes, not whole JSON: {first_line(error)}); "
                f"the search cannot be resumed from it: restore the file or start a new search"
            ) from None


def rerun_trial(folder: Path, trial_id: str, *, force: bool = False) -> dict:
    """Retrains one trial of the experiment in `folder` and compares its validation score.

    The result is also written to `reruns/trial_<id>.json`, with the rerun's epoch events
    in `reruns/trial_<id>.events.jsonl`.
    """
    from automl.experiment.events import EventLog
    from automl.search.run import prepare

    folder = Path(folder)
    request, recorded = load_experiment(folder, force)
    if not (folder / layout.TUNER_DIR).is_dir():
        raise AutoMLError(f"{folder} has no tuner state (its trials' hyperparameters)")
    check_tuner_state(folder)
    from automl.versions import package_versions

    now = package_versions()
    changed = {
        name: f"{old} -> {now.get(name)}"
        for name, old in (recorded.get("versions") or {}).items()
        if now.get(name) != old
    }
    prepared = prepare(request)
    from automl.search.rerun import retrain_trial
    from automl.search.training import SearchRun  # TensorFlow loads here

    trial_id = _trial_id(folder, trial_id)
    result_path, events_path = layout.rerun_files(folder, trial_id)
    result_path.parent.mkdir(exist_ok=True)
    log = EventLog(events_path)
    try:
        run = SearchRun(request, prepared, folder, log, Deadline(None), resume=True)
        result = retrain_trial(run, trial_id)
    finally:
        log.close()
    # A different TensorFlow or Keras can change the numbers; say so beside them.
    result["versions_changed"] = changed
    write_json(result_path, result)
    return result


def _trial_id(folder: Path, given: str) -> str:
    """Returns the tuner's id for trial `given` ("3" finds "03" in a 10+ trial search)."""
    ids = sorted({layout.trial_id_of(p) for p in layout.trial_folders(folder)})
    if given in ids:
        return given
    matches = [i for i in ids if i.isdigit() and given.isdigit() and int(i) == int(given)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted(ids)) or "none"
    raise AutoMLError(f"--trial {given}: no such trial in {folder}; trials: {known}")
