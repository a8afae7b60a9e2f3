"""How much a search may spend: trials, wall-clock time and epochs per trial."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from automl.errors import AutoMLError

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}


def parse_duration(text: str) -> float:
    """Returns seconds for `90`, `90s`, `10m`, `1.5h` or `1h30m`.

    Raises:
        AutoMLError: unparsable, zero or negative.

    Example:
        >>> parse_duration("1h30m")
        5400.0
    """
    cleaned = str(text).strip().lower()
    parts = re.findall(r"(-?\d+(?:\.\d+)?)\s*([a-z]*)", cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned.replace(" ", ""):
        raise AutoMLError(f"time budget {text!r} is not a duration; write e.g. 90s, 10m or 1h")
    seconds = 0.0
    for number, unit in parts:
        if unit and unit not in _UNITS:
            raise AutoMLError(f"time budget {text!r}: unknown unit {unit!r}; use s, m or h")
        seconds += float(number) * _UNITS.get(unit or "s", 1)
    if seconds <= 0:
        raise AutoMLError(f"time budget {text!r} must be more than zero")
    return seconds


@dataclass(frozen=True)
class SearchBudget:
    """Limits of a search. `time_budget_s` covers the search and the refit.

    Raises:
        AutoMLError: on a zero or negative limit.
    """

    max_trials: int = 10
    time_budget_s: float | None = None
    max_epochs: int = 100

    def __post_init__(self) -> None:
        if self.max_trials < 1:
            raise AutoMLError(f"--max-trials must be at least 1, not {self.max_trials}")
        if self.max_epochs < 1:
            raise AutoMLError(f"--epochs must be at least 1, not {self.max_epochs}")
        if self.time_budget_s is not None and self.time_budget_s <= 0:
            raise AutoMLError(f"--time-budget must be more than zero, not {self.time_budget_s}")


class Deadline:
    """A point in wall-clock time (monotonic) after which no work may start or go on."""

    def __init__(self, seconds: float | None, start: float | None = None):
        self.start = time.monotonic() if start is None else start
        self.at = None if seconds is None else self.start + seconds

    def passed(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    def earlier(self, seconds_before: float) -> Deadline:
        """Returns a deadline `seconds_before` this one (for work that must leave room)."""
        sooner = Deadline(None, self.start)
        sooner.at = None if self.at is None else self.at - seconds_before
        return sooner
