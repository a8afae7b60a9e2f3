"""What an explanation holds: global importance, local explanations, checks, sections.

Plain data, filled by each kind's explainer (`automl/modalities/*_explain.py`) and written
by `automl.explain.report`. No TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

IMPORTANCE_COLUMNS = ["feature", "importance", "spread"]


@dataclass(frozen=True)
class Section:
    """One titled part of explanations.html, and what explain.json records of it.

    The kinds add theirs (maps, per-class tables); other analyses (evaluation plots,
    hyperparameter importance) add theirs through `automl.explain.run.extra_sections`.
    """

    title: str
    html: str
    record: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LocalExplanation:
    """What drove one example's prediction, and the files that show it."""

    #: the example's position in the data file (0 = the first row, image or series)
    row: int
    prediction: str
    method: str
    #: files written for it, relative to the output folder
    files: tuple[str, ...]
    #: its picture in explanations.html
    html: str = ""
    record: dict = field(default_factory=dict)


@dataclass
class Explanation:
    """A model's explanation on some data: importance, methods, checks, local explanations."""

    #: `feature`, `importance`, `spread`, most important first
    importance: pd.DataFrame
    #: which method produced the global importance, in words
    method: str
    #: what one importance number means
    meaning: str
    #: how many examples the importance was measured on, and which
    examples: int
    source: str
    #: checks of the method (completeness of integrated gradients, .keras against SavedModel)
    checks: dict = field(default_factory=dict)
    #: per class (or horizon step): that output's own importance table
    by_output: dict[str, pd.DataFrame] = field(default_factory=dict)
    local: list[LocalExplanation] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def sorted(self) -> Explanation:
        """Returns itself with the importance sorted from most to least important."""
        self.importance = sort_importance(self.importance)
        return self


@dataclass(frozen=True)
class ExplainRequest:
    """What the user asked for: where to write, which rows to explain locally."""

    out: Path
    #: the target column's name in the data (None: the model's own target)
    target: str | None = None
    #: positions in the data file to explain one by one
    rows: tuple[int, ...] = ()
    #: the experiment's test positions when the data is the file it searched
    test: np.ndarray | None = None
    #: reports progress in words (`automl explain` prints it)
    progress: Callable[[str], None] = field(default=lambda _message: None)


def sort_importance(table: pd.DataFrame) -> pd.DataFrame:
    """Returns `table` with the importance columns, most important first."""
    ordered = table[IMPORTANCE_COLUMNS].sort_values("importance", ascending=False, kind="stable")
    return ordered.reset_index(drop=True)


def importance_table(
    features: list[str], values: np.ndarray, spreads: np.ndarray | None = None
) -> pd.DataFrame:
    """Returns an importance table for `features`, most important first."""
    values = np.asarray(values, dtype=np.float64)
    spreads = np.zeros_like(values) if spreads is None else np.asarray(spreads, np.float64)
    table = pd.DataFrame({"feature": features, "importance": values, "spread": spreads})
    return sort_importance(table)


def check_rows(rows: tuple[int, ...], count: int, what: str) -> None:
    """Raises AutoMLError when a row asked for is not in the data (`count` examples)."""
    from automl.errors import AutoMLError

    wrong = [r for r in rows if not 0 <= r < count]
    if wrong:
        raise AutoMLError(
            f"--rows {wrong[0]} is out of range: the data has {count} {what} (0 to {count - 1})"
        )
