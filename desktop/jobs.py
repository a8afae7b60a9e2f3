"""Background jobs: plain functions run off the GUI thread, answered on it.

The one way the desktop runs slow work (reading a file, profiling a table, listing a
project's experiments, loading predictions) without freezing the window. As in Orange3
and Anki, the work is a plain function that knows nothing of Qt, and the caller says what
to do with its outcome:

    jobs = BackgroundJobs(parent)
    job = jobs.run(lambda: read_table(path), on_done=show_table, on_failure=show_error)

Threading rule: `work` runs on a pool thread and must never touch a widget; `on_done` and
`on_failure` run on the GUI thread, in the order the jobs end. Work cannot be
interrupted (pandas and SQLite give no way to), so `discard` only drops its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

T = TypeVar("T")


class _Outcome(QObject):
    """Carries a job's outcome from its pool thread to the GUI thread (queued)."""

    done = Signal(int, object)
    failed = Signal(int, object)


class _Runnable(QRunnable):
    """Runs one job's `work` on a pool thread and reports through `outcome`."""

    def __init__(self, job: int, work: Callable[[], object], outcome: _Outcome) -> None:
        super().__init__()
        self._job, self._work, self._outcome = job, work, outcome

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # every failure goes to the caller's on_failure
            self._outcome.failed.emit(self._job, error)
        else:
            self._outcome.done.emit(self._job, result)


@dataclass(frozen=True)
class _Callbacks:
    on_done: Callable[[Any], None]
    on_failure: Callable[[Exception], None]


class BackgroundJobs(QObject):
    """Runs plain functions on its own thread pool; calls back on the GUI thread.

    Each job has a number; a discarded job's answer is dropped when it arrives.

    Signals:
        ended: (job) after a job's `on_done` or `on_failure` ran, or its answer was dropped.
    """

    ended = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The first child, so it is destroyed first: its destructor waits for running
        # jobs, and none reports through `_outcome` after that is gone.
        self._pool = QThreadPool(self)
        # The pool defaults to one thread per CPU the process may use: with one, a stale
        # job (a large file still profiling) would hold back the one the user asked next.
        # The jobs mostly wait on disk and child processes, so a few threads cost nothing.
        self._pool.setMaxThreadCount(max(4, self._pool.maxThreadCount()))
        self._outcome = _Outcome(self)
        self._outcome.done.connect(self._done)
        self._outcome.failed.connect(self._failed)
        self._waiting: dict[int, _Callbacks] = {}
        self._last = 0

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_failure: Callable[[Exception], None],
    ) -> int:
        """Returns the number of a new job that runs `work()` on a pool thread.

        `on_done(result)` or `on_failure(error)` is called on the GUI thread when it ends.
        """
        self._last += 1
        self._waiting[self._last] = _Callbacks(on_done, on_failure)
        self._pool.start(_Runnable(self._last, work, self._outcome))
        return self._last

    def discard(self, job: int) -> None:
        """Drops `job`'s answer when it arrives (its work still runs to the end)."""
        self._waiting.pop(job, None)

    def is_waiting(self, job: int) -> bool:
        """Returns whether `job` was started here and its answer is still wanted."""
        return job in self._waiting

    def wait(self, msecs: int = -1) -> bool:
        """Returns whether every job's work ended within `msecs` (-1: no limit).

        For tests and shutdown: it blocks, so the GUI never calls it otherwise.
        """
        return self._pool.waitForDone(msecs)

    def _done(self, job: int, result: object) -> None:
        callbacks = self._waiting.pop(job, None)
        if callbacks is not None:
            callbacks.on_done(result)
        self.ended.emit(job)

    def _failed(self, job: int, error: Exception) -> None:
        callbacks = self._waiting.pop(job, None)
        if callbacks is not None:
            callbacks.on_failure(error)
        self.ended.emit(job)


class LatestJob:
    """One wanted job at a time on `jobs`: starting another, or `cancel`, drops the answer
    of the one before (its work still runs to the end, unseen)."""

    def __init__(self, jobs: BackgroundJobs) -> None:
        self._jobs = jobs
        self._job = 0  # 0: none wanted

    @property
    def busy(self) -> bool:
        """Returns whether an answer is still awaited."""
        return self._jobs.is_waiting(self._job)

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_failure: Callable[[Exception], None],
    ) -> int:
        """Returns the number of a new job running `work`, after dropping the one before."""
        self.cancel()
        self._job = self._jobs.run(work, on_done, on_failure)
        return self._job

    def cancel(self) -> None:
        """Drops the awaited answer, if any."""
        self._jobs.discard(self._job)
        self._job = 0
