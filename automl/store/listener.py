"""The project index as a listener of a search: rows that follow the folder as it grows.

The search knows nothing of the store; the CLI and the notebook API hand it a
`ProjectIndexer` among its listeners, and the index is brought up to date once the
folder is recorded, after every trial that ends or fails, and once the summary is written.

Example:
    >>> run_search(request, listeners=(display.on_event, ProjectIndexer()))
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from automl.errors import AutoMLError
from automl.experiment.events import Event
from automl.experiment.fold import TrialFold, TrialRecord
from automl.experiment.layout import EVENTS
from automl.experiment.listener import FolderListener
from automl.experiment.reader import read_events
from automl.store.index import index_experiment, index_trial


class ProjectIndexer(FolderListener):
    """Indexes a running search's folder into its project's `project.db`.

    The folder is read whole when the search opens it and when it closes; in between,
    each trial's end stores only what it changed (`index_trial`), from the events this
    listener has heard, so a long search never re-reads its events.jsonl per trial.
    """

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.trials = TrialFold()

    def opened(self, folder: Path) -> None:
        """Indexes the new folder; a project.db written by a newer version refuses the search.

        Raises:
            AutoMLError: the project's index is from a newer AutoML Studio.
        """
        self.folder = Path(folder)
        index_experiment(self.folder)
        # A resumed search's trials go on from the events already written: read once.
        self.trials = TrialFold()
        for event in read_events(self.folder / EVENTS):
            self.trials.take(event)

    def __call__(self, event: Event) -> None:
        """Stores the trial each `trial_ended` or `trial_failed` finishes."""
        if self.folder is None:
            return
        trial = self.trials.take(event)
        if trial is not None and event.type in ("trial_ended", "trial_failed"):
            index_quietly(self.folder, trial)

    def closed(self, folder: Path) -> None:
        """Indexes the folder with its summary."""
        index_quietly(Path(folder))


def index_quietly(folder: Path, trial: TrialRecord | None = None) -> None:
    """Updates the project index (one `trial`'s end, or the whole folder); a failure
    there must never end a search, so it warns."""
    try:
        if trial is None:
            index_experiment(folder)
        else:
            index_trial(folder, trial)
    except (AutoMLError, sqlite3.Error, OSError) as error:
        print(f"warning: could not update the project index: {error}", file=sys.stderr)
