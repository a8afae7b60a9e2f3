"""One kind of engine command (export, predict) run as a child process, with its outcome.

A task started with `reports_progress` asks the engine for `--progress-json` lines and
keeps the latest in a `WorkProgress` the page's busy bar reads on its own timer; Cancel
sends SIGTERM (the engine stops as on Ctrl-C, removing what it had half written) and kills
the child if it has not gone after `CANCEL_GRACE_MS`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.engine_process import EngineProcess, last_error_line
from desktop.pages.data.progress import MIN_SECONDS, MIN_SHARE, WorkProgress

#: How long a cancelled child may take to tidy up before it is killed.
CANCEL_GRACE_MS = 5_000
#: How a progress line starts (`automl.progress.json_progress`): other lines are output.
PROGRESS_PREFIX = '{"type": "progress"'
#: The stage until the engine's first report: TensorFlow and the model load first.
STARTING = "starting the engine and loading the model"


class ReportedProgress(WorkProgress):
    """The share an engine child reported, whose time left counts down between reports.

    The engine reports in steps (a batch of rows, an export stage); at the pace so far
    alone the time left would grow while a long stage runs without a report. Here it is
    the estimate at the last report (time so far per share done, times the share left)
    less the time since, so it falls steadily and jumps only when a report comes.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self._now = clock
        self.reported_at = self.started

    def report(self, fraction: float) -> None:
        """Records the share done, and when it was reported."""
        super().report(fraction)
        self.reported_at = self._now()

    def seconds_left(self) -> float | None:
        """Returns the estimate at the last report less the time since, or None too early
        (and once all is done: the child is only exiting)."""
        now = self._now()
        if not MIN_SHARE <= self.fraction < 1.0 or now - self.started < MIN_SECONDS:
            return None
        pace = (self.reported_at - self.started) / self.fraction
        return max(0.0, pace * (1.0 - self.fraction) - (now - self.reported_at))


class EngineTask(QObject):
    """One kind of engine command (export, predict) with its busy state and stderr lines."""

    done = Signal(list)  # stdout lines, after exit code 0
    error = Signal(str)  # the engine's one-line error, after a failure
    cancelled = Signal()  # the child is gone after `cancel`
    stage = Signal(str)  # the engine began a new stage ("predicting", "writing model.keras")

    def __init__(self, parent: QObject | None = None, reports_progress: bool = False) -> None:
        super().__init__(parent)
        self.process = EngineProcess(self)
        self.reports_progress = reports_progress
        self.progress: ReportedProgress | None = None  # None until the engine's first report
        self.clock: Callable[[], float] = time.monotonic  # the time left's clock (tests fake it)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._stage = ""
        self._cancelling = False
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.timeout.connect(self.process.kill)
        self.process.output.connect(self._take_output)
        self.process.log.connect(self.stderr.append)
        self.process.finished.connect(self._finished)

    @property
    def running(self) -> bool:
        return self.process.running

    def start(self, arguments: list[str]) -> None:
        """Runs `python -m automl ARGUMENTS` (with `--progress-json` if it reports progress)."""
        self.stdout.clear()
        self.stderr.clear()
        self.progress, self._stage, self._cancelling = None, STARTING, False
        self.process.start([*arguments, "--progress-json"] if self.reports_progress else arguments)
        self.stage.emit(STARTING)

    def cancel(self) -> None:
        """Asks the child to stop (SIGTERM), and kills it if it is still there after a grace."""
        if not self.running or self._cancelling:
            return
        self._cancelling = True
        self.process.process.terminate()
        self._grace.start(CANCEL_GRACE_MS)

    def _take_output(self, line: str) -> None:
        if not line.startswith(PROGRESS_PREFIX):
            self.stdout.append(line)
            return
        try:
            report = json.loads(line)
            done, total, stage = int(report["done"]), int(report["total"]), str(report["stage"])
        except (ValueError, KeyError, TypeError):
            self.stdout.append(line)  # not ours after all: keep it as output
            return
        if self.progress is None:
            # The clock starts at the first report (after TensorFlow and the model loaded),
            # so the time left is not inflated by the start-up.
            self.progress = ReportedProgress(self.clock)
        self.progress.report(done / total if total > 0 else 0.0)
        if stage != self._stage:
            self._stage = stage
            self.stage.emit(stage)

    def _finished(self, code: int, crashed: bool) -> None:
        self._grace.stop()
        if self._cancelling:
            self._cancelling = False
            self.cancelled.emit()
        elif code == 0 and not crashed:
            self.done.emit(list(self.stdout))
        else:
            self.error.emit(last_error_line(self.stderr))
