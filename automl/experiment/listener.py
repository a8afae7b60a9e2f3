"""A search listener that also follows the experiment folder's files as they are written.

A plain listener is any callable taking each event (the CLI's progress display). One
that must read the folder itself, such as the project index, also needs to know when
the folder's record exists and when the summary is written; `run_search` and
`resume_search` tell a `FolderListener` both, so the search needs to know nothing of
what the listener does with them.

Example:
    >>> class Printer(FolderListener):
    ...     def __call__(self, event): print(event.type)
    ...     def opened(self, folder): print("recorded", folder)
    ...     def closed(self, folder): print("summary in", folder)
    >>> run_search(request, listeners=(Printer(),))
"""

from __future__ import annotations

from pathlib import Path

from automl.experiment.events import Event


class FolderListener:
    """Hears every event of a search, and when its folder is opened and closed."""

    def __call__(self, event: Event) -> None:
        """Takes one event, as it is written to events.jsonl."""

    def opened(self, folder: Path) -> None:
        """Called once experiment.json and splits.json are written, before any trial.

        Raising here refuses the search: a new search's folder is released.
        """

    def closed(self, folder: Path) -> None:
        """Called once summary.json is written; must not raise (the search is done)."""
