"""Which choices mattered: hyperparameter importance across the trials of a search.

Importance is the fraction of the score's variance each hyperparameter explains on its own
(its main effect, as fANOVA defines it), measured on a random forest fitted to the
completed trials: for each hyperparameter, the forest's mean prediction with that
hyperparameter set to each trial's value and every other one as the trials had it (partial
dependence); the variance of that curve over the trials, divided by the variance of the
forest's predictions. What the fractions leave to 1 is interaction and noise.

With fewer than `MIN_TRIALS` completed trials a forest only memorises them, so the result
says there are not enough trials instead of showing numbers.

Example:
    >>> result = choice_importance(experiment_folder)
    >>> result.enough, result.importance
    (True, {'learning_rate': 0.82, 'units': 0.05, 'dropout_rate': 0.01})
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl.experiment import layout
from automl.experiment.events import SearchStarted
from automl.experiment.fold import TrialRecord, fold_trials
from automl.experiment.reader import read_events

if TYPE_CHECKING:
    from automl.explain.outputs import Section

#: Completed trials needed before hyperparameter importance means anything: below this a
#: forest of 8+ leaves per tree fits every trial exactly and any split looks important.
MIN_TRIALS = 8
#: Trees in the forest: enough for stable fractions on a few hundred trials in well under 1 s.
TREES = 100
#: A trial lacking a hyperparameter (another family's setting) takes this choice label.
ABSENT = "(not used)"


@dataclass(frozen=True)
class Axis:
    """One hyperparameter of the parallel-coordinates plot and how its values are placed.

    `choices` lists the labels of a hyperparameter of named choices (strings, booleans or a
    mix with absent values), in axis order; it is empty for a numeric one, placed between
    `low` and `high` (on a log scale when `log`).
    """

    name: str
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    choices: list[str] = field(default_factory=list)

    def position(self, value: Any) -> float:
        """Returns where `value` sits on the axis, from 0 (bottom) to 1 (top)."""
        if self.choices:
            label = _label(value)
            index = self.choices.index(label) if label in self.choices else 0
            return index / max(len(self.choices) - 1, 1)
        if value is None or isinstance(value, (str, bool)):
            return 0.0
        low, high, value = self.low, self.high, float(value)
        if self.log:
            low, high, value = math.log10(low), math.log10(high), math.log10(value)
        return (value - low) / (high - low) if high > low else 0.5


@dataclass(frozen=True)
class ParallelCoordinates:
    """Trials x hyperparameters for a parallel-coordinates plot, coloured by score.

    `positions[i][j]` is trial i on axis j (0..1), `values[i][j]` its value as the tuner
    chose it (None where the trial did not use that hyperparameter).
    """

    axes: list[Axis]
    trial_ids: list[str]
    values: list[list[Any]]
    positions: list[list[float]]
    scores: list[float]


@dataclass(frozen=True)
class ChoiceImportance:
    """Hyperparameter importance of a search, or why there is none yet.

    `importance` maps each hyperparameter that varied to the fraction of the score's
    variance it explains alone, most important first; empty unless `enough`. `message`
    says in one sentence what was measured, or what is missing.
    """

    trials: int
    enough: bool
    message: str
    direction: str = "max"
    importance: dict[str, float] = field(default_factory=dict)
    parallel: ParallelCoordinates | None = None

    def to_dict(self) -> dict:
        """Returns the result as JSON-able data (explain.json)."""
        return asdict(self)


def choice_importance(experiment: Path, min_trials: int = MIN_TRIALS) -> ChoiceImportance:
    """Returns the hyperparameter importance of the search in the `experiment` folder.

    Reads its events (the one reader and fold of `automl.experiment`), so it works on a
    search that is still running.
    """
    events = read_events(Path(experiment) / layout.EVENTS)
    direction = "max"
    for event in events:
        if isinstance(event, SearchStarted):
            direction = event.direction or direction
    return importance_of_trials(fold_trials(events).values(), direction, min_trials)


def importance_of_trials(
    trials: Iterable[TrialRecord], direction: str = "max", min_trials: int = MIN_TRIALS
) -> ChoiceImportance:
    """Returns the importance of the hyperparameters of the completed `trials`."""
    done = [
        t
        for t in trials
        if t.status == "completed" and t.score is not None and math.isfinite(t.score)
    ]
    parallel = _parallel_coordinates(done)
    names = [axis.name for axis in parallel.axes]
    if len(done) < min_trials:
        return ChoiceImportance(
            len(done),
            False,
            f"not enough trials: hyperparameter importance needs {min_trials} completed "
            f"trials, this search has {len(done)}",
            direction,
            parallel=parallel,
        )
    scores = np.asarray(parallel.scores, dtype=float)
    if not names or float(np.var(scores)) == 0.0:
        why = "no hyperparameter varied" if not names else "every trial scored the same"
        return ChoiceImportance(
            len(done), False, f"no importance to measure: {why}", direction, parallel=parallel
        )
    fractions = _main_effects(np.asarray(parallel.positions, dtype=float), scores)
    importance = dict(
        sorted(
            ((name, round(float(f), 4)) for name, f in zip(names, fractions, strict=True)),
            key=lambda kv: -kv[1],
        )
    )
    top = next(iter(importance))
    return ChoiceImportance(
        len(done),
        True,
        f"over {len(done)} completed trials, {top} alone explains "
        f"{importance[top]:.0%} of the score's variance (random forest, main effects)",
        direction,
        importance,
        parallel,
    )


def _main_effects(features: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Returns each feature's share of the forest's prediction variance (its main effect)."""
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(n_estimators=TREES, min_samples_leaf=2, random_state=0)
    forest.fit(features, scores)
    total = float(np.var(forest.predict(features)))
    if total == 0.0:
        return np.zeros(features.shape[1])
    shares = []
    for j in range(features.shape[1]):
        grid = np.unique(features[:, j])
        # Partial dependence at each value the trials took, averaged over the other columns.
        copies = np.repeat(features[None, :, :], len(grid), axis=0)
        copies[:, :, j] = grid[:, None]
        curve = forest.predict(copies.reshape(-1, features.shape[1])).reshape(len(grid), -1)
        by_value = dict(zip(grid.tolist(), curve.mean(axis=1).tolist(), strict=True))
        effect = np.array([by_value[v] for v in features[:, j]])
        shares.append(min(float(np.var(effect)) / total, 1.0))
    return np.asarray(shares)


def _parallel_coordinates(trials: list[TrialRecord]) -> ParallelCoordinates:
    """Returns the plot's data: one axis per hyperparameter that varied across `trials`."""
    names = list(dict.fromkeys(name for t in trials for name in t.hyperparameters))
    axes = []
    for name in names:
        values = [t.hyperparameters.get(name) for t in trials]
        if len({_label(v) for v in values}) > 1:
            axes.append(_axis(name, values))
    values = [[t.hyperparameters.get(axis.name) for axis in axes] for t in trials]
    return ParallelCoordinates(
        axes,
        [t.trial_id for t in trials],
        values,
        [[axis.position(v) for axis, v in zip(axes, row, strict=True)] for row in values],
        [float(t.score) for t in trials],  # type: ignore[arg-type]  # completed trials
    )


def _axis(name: str, values: list[Any]) -> Axis:
    """Returns the axis of a hyperparameter from the values the trials took."""
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numbers) == len(values):
        low, high = min(numbers), max(numbers)
        # Rates and decays span decades: a log axis spreads them evenly.
        log = low > 0 and high / low >= 100
        return Axis(name, low, high, log)
    # Numbers among the choices (a setting another family lacks) keep their numeric order.
    labels = sorted({_label(v) for v in values}, key=_choice_order)
    return Axis(name, choices=labels)


def _choice_order(label: str) -> tuple[bool, float, str]:
    """Returns the sort key of a choice label: numbers by value, then words, absent last."""
    try:
        number = float(label)
    except ValueError:
        number = math.inf
    return (label == ABSENT, number, label)


def _label(value: Any) -> str:
    """Returns the label of a choice value on its axis."""
    return ABSENT if value is None else str(value)


def choices_sections(experiment: Path) -> list[Section]:
    """Returns explain's "Which choices mattered" section (a `Section`) for the search in
    `experiment`; none when the model was exported away from its experiment's events."""
    from automl.explain.outputs import Section
    from automl.export.card_evaluation import choices_html

    if not (Path(experiment) / layout.EVENTS).exists():
        return []
    record = choice_importance(experiment).to_dict()
    return [Section("Which choices mattered", choices_html(record), {"choices": record})]
