"""Cross-validated selection for small data: which rows each fold trains and scores on.

A validation split of 7-30 rows cannot rank trials: scores tie or differ by one example.
Below `CV_ROWS` training examples (rows, series, images, windows or texts, training and
validation together), each trial is trained k times, each time holding out one fold of the
pooled rows, and scored by the mean over the folds; Keras Tuner averages the folds' best
epochs itself (a trial returns one History per fold). Above it, the single split is large
enough: at 2,000 pooled rows the validation split holds 400, where one example is 0.25
points, below the spread between trials.

Classes are split stratified, values plainly, forecast windows by rolling origin (each fold
trains only on windows before the ones it scores), all seeded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from automl.errors import AutoMLError
from automl.experiment.files import write_json
from automl.experiment.layout import MARKER

#: Below this many pooled training + validation examples, trials are cross-validated.
CV_ROWS = 2_000
#: Folds where the data allows (fewer for the rarest class, or for tiny sets).
DEFAULT_FOLDS = 5
#: Between `LARGE_CV_ROWS` and `CV_ROWS`, three folds: each fold is already a fair test.
LARGE_CV_ROWS = 1_000


@dataclass(frozen=True)
class Fold:
    """Positions of one fold's training and held-out rows in the pooled rows."""

    train: np.ndarray
    held_out: np.ndarray


@dataclass
class CrossValidation:
    """The folds of a cross-validated search over the pooled training + validation rows.

    Attributes:
        folds: positions in the pooled rows (training rows first, then validation rows).
        rows: the pooled rows, in the feeds' own form (dict of columns, array, file rows).
        targets: their labels or values.
        reason: one line for the user: why, and how many folds.
        chronological: rolling-origin folds (forecasts): the first folds are the earliest.
    """

    folds: list[Fold]
    rows: object
    targets: np.ndarray
    reason: str
    chronological: bool = False

    @property
    def k(self) -> int:
        return len(self.folds)

    def keep_first(self, kept: int, why: str) -> None:
        """Returns None; scores every trial on the first `kept` folds only (the budget's call)."""
        if kept < self.k:
            self.folds = self.folds[:kept]
            self.reason = f"{self.reason}; {why}"

    def fold_data(self, index: int, feeds) -> tuple:
        """Returns (x, y, validation_data, held-out rows, held-out targets) of fold `index`."""
        fold = self.folds[index]
        train_rows = take_rows(self.rows, fold.train)
        held_rows = take_rows(self.rows, fold.held_out)
        x, y = feeds.fit_inputs(train_rows, self.targets[fold.train])
        vx, vy = feeds.fit_inputs(held_rows, self.targets[fold.held_out])
        validation = vx if vy is None else (vx, vy)
        return x, y, validation, held_rows, self.targets[fold.held_out]


def take_rows(rows, positions: np.ndarray):
    """Returns the rows at `positions`: of a dict of columns, an array, or rows with `take`."""
    if isinstance(rows, dict):
        return {name: np.asarray(values)[positions] for name, values in rows.items()}
    if isinstance(rows, np.ndarray):
        return rows[positions]
    return rows.take(positions)


def choose_folds(requested: int | None, pooled: int, budgeted: bool = True) -> tuple[int, str]:
    """Returns (folds, why): 0 folds means the single split.

    Decided from the data only for a search with a time budget: there the folds cost no
    extra time (fewer, better-judged trials), while a search bounded by its trial count
    alone would take k times as long as asked.

    Args:
        requested: `--cv K` (K folds), 0 for `--no-cv`, None to decide from the data.
        pooled: training + validation examples.
        budgeted: the search has a time budget.

    Raises:
        AutoMLError: `--cv` asks for fewer than 2 folds, or more than there are examples.
    """
    if requested == 0:
        return 0, ""
    if requested is not None:
        if requested < 2:
            raise AutoMLError(f"--cv must be at least 2 folds (or --no-cv), not {requested}")
        if requested > pooled // 2:
            raise AutoMLError(
                f"--cv {requested}: {pooled} training examples leave fewer than 2 per fold"
            )
        return requested, f"{requested}-fold cross-validation (--cv {requested})"
    if not budgeted or pooled >= CV_ROWS or pooled < 2 * DEFAULT_FOLDS:
        return 0, ""
    k = DEFAULT_FOLDS if pooled < LARGE_CV_ROWS else 3
    return k, (
        f"{k}-fold cross-validation: {pooled} training examples (under {CV_ROWS:,}) are too "
        "few for one validation split to rank trials"
    )


def folds_for_rows(rows: int, test_split: float = 0.2) -> int:
    """Returns the folds a budgeted search of `rows` examples will use (0: one split)."""
    return choose_folds(None, int(rows * (1 - test_split)), budgeted=True)[0]


def make_folds(
    targets: np.ndarray, k: int, stratify: bool, chronological: bool, seed: int
) -> list[Fold]:
    """Returns `k` folds over `len(targets)` pooled examples.

    Stratified for classes (k is lowered to the rarest class's count, at least 2), plain
    shuffled folds for values, rolling origin for forecasts.
    """
    n = len(targets)
    if chronological:
        # Rolling origin: the later half is cut into k blocks, and fold i scores block i
        # after training on everything before it; the first fold still learns from half
        # the windows (a tiny first fold would judge every model on an underfit start).
        edges = np.linspace(n // 2, n, k + 1).astype(int)
        return [Fold(np.arange(0, edges[i]), np.arange(edges[i], edges[i + 1])) for i in range(k)]
    from sklearn.model_selection import KFold, StratifiedKFold

    positions = np.arange(n)
    if stratify:
        counts = np.bincount(np.asarray(targets, dtype=np.int64))
        k = max(2, min(k, int(counts[counts > 0].min())))
        splitter = StratifiedKFold(k, shuffle=True, random_state=seed)
        parts = splitter.split(positions, np.asarray(targets, dtype=np.int64))
    else:
        parts = KFold(k, shuffle=True, random_state=seed).split(positions)
    return [Fold(np.sort(train), np.sort(held)) for train, held in parts]


def plan_cross_validation(request, feeds, classification: bool, chronological: bool):
    """Returns the search's `CrossValidation`, or None for the single split."""
    pooled = len(feeds.y_train) + len(feeds.y_validation)
    budgeted = request.time_budget_s is not None
    k, reason = choose_folds(request.cv, pooled, budgeted)
    if not k or not len(feeds.y_validation):
        return None
    targets = np.concatenate([feeds.y_train, feeds.y_validation])
    folds = make_folds(targets, k, classification, chronological, request.seed)
    if len(folds) != k:
        reason = reason.replace(f"{k}-fold", f"{len(folds)}-fold")
    rows = feeds.join(feeds.train, feeds.validation)
    return CrossValidation(folds, rows, targets, reason, chronological)


def record_folds_kept(out: Path, kept: int, why: str) -> None:
    """Returns None; writes the folds a search kept into experiment.json, for its resume."""
    marker = Path(out) / MARKER
    recorded = json.loads(marker.read_text(encoding="utf-8"))
    write_json(marker, {**recorded, "folds_kept": {"folds": kept, "why": why}})


def recorded_folds_kept(out: Path) -> tuple[int, str] | None:
    """Returns (folds, why) a resumed search had kept, or None when it kept them all.

    Raises:
        AutoMLError: the record is there but damaged.
    """
    try:
        recorded = json.loads((Path(out) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    kept = recorded.get("folds_kept")
    if not kept:
        return None
    try:
        folds = int(kept["folds"])
        if folds < 1:
            raise ValueError(folds)
        return folds, str(kept["why"])
    except (KeyError, TypeError, ValueError):
        raise AutoMLError(
            f"{Path(out) / MARKER}: folds_kept is damaged ({kept!r}); it should say how many "
            "folds the search kept, e.g. {\"folds\": 2, \"why\": \"...\"}"
        ) from None
