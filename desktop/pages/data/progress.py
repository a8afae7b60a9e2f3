"""How far a background load has come, and a way to stop it: no Qt, shared by two threads.

The worker reports shares done through `WorkProgress.report` (or a `stage` of it); the
page reads `fraction` and `seconds_left` on a timer, so nothing floods the GUI thread, and
`cancel` makes the worker's next report raise `Cancelled`, which stops pandas mid-file.

    progress = WorkProgress()
    read_table(path, progress.stage(0.0, 0.05))
    progress.seconds_left()  # None until there is enough to go on
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: The shares the parts of loading a table took for a 96 MB, 400,000-row CSV here (read
#: 5%, column types 15%, profile 80%): where the read ends, and the column types' share of
#: the profiling that follows it (or that a new target or type starts).
READ_END, TYPES_SHARE = 0.05, 0.16
#: No estimate before this share is done, or this many seconds have passed.
MIN_SHARE, MIN_SECONDS = 0.02, 1.0


class Cancelled(Exception):
    """The user cancelled the work (raised in the worker by the next report)."""


class WorkProgress:
    """The share of a job done so far, when it started, and whether it was cancelled."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started = clock()
        self.fraction = 0.0
        self.cancelled = False

    def report(self, fraction: float) -> None:
        """Records that `fraction` (0 to 1) of the work is done.

        Raises:
            Cancelled: `cancel` was called; the worker stops here.
        """
        if self.cancelled:
            raise Cancelled("cancelled")
        # A float assignment is atomic under the GIL: the GUI thread reads a whole value.
        self.fraction = max(self.fraction, min(1.0, fraction))

    def stage(self, start: float, end: float) -> Callable[[float], None]:
        """Returns a reporter for one part of the work that runs from `start` to `end`."""
        return lambda share: self.report(start + (end - start) * share)

    def cancel(self) -> None:
        """Asks the worker to stop at its next report."""
        self.cancelled = True

    def seconds_left(self) -> float | None:
        """Returns the time left at the pace so far, or None while too little is known."""
        elapsed = self._clock() - self.started
        if self.fraction < MIN_SHARE or elapsed < MIN_SECONDS:
            return None
        return elapsed * (1.0 - self.fraction) / self.fraction


def progress_text(progress: WorkProgress) -> str:
    """Returns the share done and the time left in words: "42% · about 12 s left"."""
    done = f"{progress.fraction:.0%}"
    left = progress.seconds_left()
    if left is None:
        return done
    if left >= 90:
        return f"{done} · about {left / 60:.0f} min left"
    return f"{done} · about {max(1, round(left))} s left"
