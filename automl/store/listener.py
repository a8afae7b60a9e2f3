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
from automl.experiment.listener import FolderListener
from automl.store.index import index_experiment


class ProjectIndexer(FolderListener):
    """Indexes a running search's folder into its project's `project.db`."""

    def __init__(self) -> None:
        self.folder: Path | None = None

    def opened(self, folder: Path) -> None:
        """Indexes the new folder; a project.db written by a newer version refuses the search.

        Raises:
            AutoMLError: the project's index is from a newer AutoML Studio.
        """
        self.folder = Path(folder)
        index_experiment(self.folder)

    def __call__(self, event: Event) -> None:
        """Indexes the folder again as each trial ends or fails."""
        if self.folder is not None and event.type in ("trial_ended", "trial_failed"):
            index_quietly(self.folder)

    def closed(self, folder: Path) -> None:
        """Indexes the folder with its summary."""
        index_quietly(Path(folder))


def index_quietly(folder: Path) -> None:
    """Updates the project index; a failure there must never end a search, so it warns."""
    try:
        index_experiment(folder)
    except (AutoMLError, sqlite3.Error, OSError) as error:
        print(f"warning: could not update the project index: {error}", file=sys.stderr)
