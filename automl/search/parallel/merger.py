"""The workers' trials in the search's one event log.

Every worker writes its events to `workers/<id>.events.jsonl` in the experiment folder
(shared storage for remote workers); the chief merges them, tagged with the worker, into
the one `events.jsonl`. A worker whose folder is a copy is reported from the oracle.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from automl.experiment.events import Event, EventLog
from automl.experiment.reader import parse_event


class EventMerger:
    """Merges the workers' event files into the search's log, tagging each worker."""

    def __init__(self, folder: Path, log: EventLog):
        self.folder = folder
        self.log = log
        #: trials already reported from the oracle (a copied folder synced back early)
        self.skip: set[str] = set()
        # A resumed search finds its earlier run's files: those events are in the log.
        self.offsets: dict[Path, int] = {
            path: path.stat().st_size for path in folder.glob("*.events.jsonl")
        }

    def poll(self) -> None:
        """Returns None once every complete new line of the workers' files is in the log."""
        for path in sorted(self.folder.glob("*.events.jsonl")):
            worker = path.name.removesuffix(".events.jsonl")
            with path.open("rb") as file:
                file.seek(self.offsets.get(path, 0))
                data = file.read()
            complete = data[: data.rfind(b"\n") + 1]  # a half-written line waits
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            for line in complete.decode("utf-8", "replace").splitlines():
                event = parse_event(line)
                if event is None:
                    continue
                if getattr(event, "trial_id", None) in self.skip:
                    continue
                if hasattr(event, "worker"):
                    event = replace(event, worker=worker)
                self.log.emit(event)


class UnsharedWorkers:
    """Reports the trials of workers whose experiment folder is not shared with the chief.

    Such a worker (its folder a copy, synced back later) writes its events where the
    chief cannot read them. The oracle still knows each trial it ended: its
    hyperparameters, every epoch's metrics, its score and best epoch. Those are reported
    as the trial's events, so progress, the leaderboard and the summary stay whole; the
    weights arrive when the folder is synced back.
    """

    def __init__(self, folder: Path, oracle, log: EventLog):
        self.folder = folder
        self.oracle = oracle
        self.log = log
        self.reported: set[str] = set()
        self.synthesized: set[str] = set()
        self.workers: set[str] = set()

    def report(self, servicer) -> None:
        """Returns None once the trials ended on unshared workers are in the log."""
        with servicer.lock:
            ended = dict(servicer.ended)
        for trial_id, (worker, seconds) in ended.items():
            if trial_id in self.reported:
                continue
            if (self.folder / f"{worker}.events.jsonl").exists():
                self.reported.add(trial_id)  # shared storage: the merger reports it
                continue
            for event in trial_events(self.oracle.get_trial(trial_id), worker, seconds):
                self.log.emit(event)
            self.reported.add(trial_id)
            self.synthesized.add(trial_id)
            self.workers.add(worker)

    def notes(self) -> list[str]:
        """Returns a note naming the workers whose trials came from the oracle, if any."""
        if not self.workers:
            return []
        return [
            f"{', '.join(sorted(self.workers))} did not share this folder: their trials were "
            "reported from the oracle's records; their weights come with the folder"
        ]


def trial_events(trial, worker: str, seconds: float) -> list[Event]:
    """Returns the events of an oracle's finished `trial`: start, epochs, end (or failure).

    Workers report every epoch's metrics to the oracle, so the curves survive too.
    """
    from automl.experiment.events import EpochEnded, TrialEnded, TrialFailed, TrialStarted

    values = dict(trial.hyperparameters.values)
    epochs: dict[int, dict[str, float]] = {}
    for name in trial.metrics.metrics:
        for observation in trial.metrics.get_history(name):
            epochs.setdefault(observation.step, {})[name] = float(observation.mean())
    events: list[Event] = [
        TrialStarted(trial_id=trial.trial_id, hyperparameters=values, worker=worker)
    ]
    events += [
        EpochEnded(trial_id=trial.trial_id, epoch=step + 1, metrics=epochs[step], worker=worker)
        for step in sorted(epochs)
    ]
    if trial.status != "COMPLETED" or trial.score is None:
        reason = (trial.message or "the trial produced no score").strip().splitlines()[-1]
        events.append(
            TrialFailed(
                trial_id=trial.trial_id, reason=reason, hyperparameters=values, worker=worker
            )
        )
        return events
    step = trial.best_step or 0
    events.append(
        TrialEnded(
            trial_id=trial.trial_id,
            score=float(trial.score),
            best_epoch=step + 1,
            epochs=len(epochs),
            duration_s=seconds,
            metrics=epochs.get(step, {}),
            hyperparameters=values,
            worker=worker,
        )
    )
    return events
