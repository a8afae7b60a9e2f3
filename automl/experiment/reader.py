"""The one reader of search events: a line, a stream's lines, or a whole events.jsonl.

A search killed mid-write can leave a cut-off last line, and a disk error a corrupt one;
the rest still describes the search, so a line that does not parse is left out, never
fatal. Every reader of events (the store, the report, resume, the parallel search's
merger, the desktop) goes through here, so they agree on what a line means.

Example:
    >>> events = read_events(folder / EVENTS)
    >>> parse_event('{"type": "trial_started", "time": 1.0, "trial_id": "0", '
    ...             '"hyperparameters": {}}')
    TrialStarted(time=1.0, trial_id='0', hyperparameters={}, ...)
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from automl.experiment.events import Event


class SkippedLinesWarning(UserWarning):
    """Some lines of an events.jsonl could not be read and were left out."""


def parse_event(line: str) -> Event | None:
    """Returns the event one line holds, or None when it is blank, cut off or corrupt."""
    if not line.strip():
        return None
    try:
        data = json.loads(line)
        return Event.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def read_events(path: Path) -> list[Event]:
    """Returns the events of an events.jsonl (none when it does not exist).

    Lines that do not parse are left out; one `SkippedLinesWarning` names the file and
    how many lines were left out, and reading goes on.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    events: list[Event] = []
    skipped = 0
    for line in lines:
        event = parse_event(line)
        if event is not None:
            events.append(event)
        elif line.strip():
            skipped += 1
    if skipped:
        warnings.warn(
            f"skipped {skipped} unreadable line{'s' if skipped > 1 else ''} of {path} "
            f"(corrupt or cut off); read the other {len(events)}",
            SkippedLinesWarning,
            stacklevel=2,
        )
    return events
