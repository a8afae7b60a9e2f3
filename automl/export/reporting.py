"""Where long export and predict work says how far it has come: `report(done, total, stage)`.

The command (`automl predict`, `automl export`) sets the reporter with `reporting_progress`;
the work deep inside (a kind's `predict_file`, `export_model`) asks `current_report()` for
it, so no progress object has to be passed through every kind.

    with reporting_progress(lambda done, total, stage="": print(done, total, stage)):
        predict_file(model_dir, "new.csv")  # prints "0 300", then "300 300"
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class Report(Protocol):
    """Called with the steps (rows, files, export stages) done, out of how many, and what
    is under way now ("" when the caller's own description says it)."""

    def __call__(self, done: int, total: int, stage: str = "") -> None: ...


def _ignore(done: int, total: int, stage: str = "") -> None:
    """Returns None: nobody asked for progress."""


_REPORT: ContextVar[Report | None] = ContextVar("report", default=None)


@contextmanager
def reporting_progress(report: Report) -> Iterator[None]:
    """Makes the work inside the block report its steps to `report`."""
    token = _REPORT.set(report)
    try:
        yield
    finally:
        _REPORT.reset(token)


def current_report() -> Report:
    """Returns the reporter `reporting_progress` set, or one that ignores every report."""
    return _REPORT.get() or _ignore
