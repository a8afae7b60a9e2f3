"""Hyperparameter importance across trials: known answers on synthetic trial records."""

from __future__ import annotations

import json

import numpy as np

from automl.experiment import layout
from automl.experiment.events import SearchStarted, TrialEnded, TrialStarted
from automl.experiment.fold import TrialRecord
from automl.explain.choices import (
    ABSENT,
    MIN_TRIALS,
    choice_importance,
    importance_of_trials,
)


def _trials(count: int, seed: int = 0) -> list[TrialRecord]:
    """Returns trials whose score depends only on learning_rate (plus a little noise)."""
    rng = np.random.default_rng(seed)
    trials = []
    for i in range(count):
        rate = float(10 ** rng.uniform(-4, -1))
        hp = {
            "learning_rate": rate,
            "units": int(rng.choice([16, 32, 64, 128])),
            "dropout_rate": float(rng.uniform(0, 0.5)),
            "optimizer": str(rng.choice(["adam", "sgd"])),
        }
        # Best near 1e-2.5, worse on both sides: a curve a forest must learn, not a line.
        score = 0.9 - 0.1 * (np.log10(rate) + 2.5) ** 2 + rng.normal(0, 0.002)
        trials.append(TrialRecord(str(i), hp, status="completed", score=float(score)))
    return trials


def test_the_only_choice_that_matters_gets_most_of_the_importance():
    result = importance_of_trials(_trials(40))
    assert result.enough
    assert list(result.importance)[0] == "learning_rate"
    assert result.importance["learning_rate"] > 0.7
    for name in ("units", "dropout_rate", "optimizer"):
        assert result.importance[name] < 0.1
    assert "learning_rate alone explains" in result.message


def test_too_few_trials_says_so_and_gives_no_numbers():
    trials = _trials(MIN_TRIALS - 1)
    trials.append(TrialRecord("failed", {"learning_rate": 0.1}, status="failed"))
    result = importance_of_trials(trials)
    assert not result.enough
    assert result.importance == {}
    assert result.message == (
        f"not enough trials: hyperparameter importance needs {MIN_TRIALS} completed trials, "
        f"this search has {MIN_TRIALS - 1}"
    )
    # The plot still shows the trials there are.
    assert len(result.parallel.trial_ids) == MIN_TRIALS - 1


def test_parallel_coordinates_place_every_trial_on_every_axis():
    trials = _trials(10)
    trials[0].hyperparameters["filters"] = 32  # another family's setting: absent elsewhere
    trials[0].hyperparameters["batch_size"] = 64
    for t in trials:
        t.hyperparameters["batch_size"] = 64  # constant: no axis
    result = importance_of_trials(trials, direction="min")
    parallel = result.parallel
    names = [axis.name for axis in parallel.axes]
    assert names == ["learning_rate", "units", "dropout_rate", "optimizer", "filters"]
    rate_axis = parallel.axes[0]
    assert rate_axis.log  # 1e-4..1e-1 spans decades
    assert parallel.axes[3].choices == ["adam", "sgd"]
    assert parallel.axes[4].choices == ["32", ABSENT]
    assert parallel.values[1][4] is None and parallel.positions[1][4] == 1.0
    assert parallel.positions[0][4] == 0.0
    for row in parallel.positions:
        assert all(0.0 <= p <= 1.0 for p in row)
    lowest = int(np.argmin([v[0] for v in parallel.values]))
    assert parallel.positions[lowest][0] == 0.0
    assert parallel.scores == [t.score for t in trials]
    assert result.direction == "min"
    json.dumps(result.to_dict())  # JSON-able for explain.json


def test_every_trial_scoring_the_same_measures_nothing():
    trials = _trials(10)
    for t in trials:
        t.score = 0.5
    result = importance_of_trials(trials)
    assert not result.enough
    assert result.message == "no importance to measure: every trial scored the same"


def test_reads_the_trials_from_the_experiment_events(tmp_path):
    count = 12
    lines = [
        SearchStarted(
            time=0.0,
            experiment=str(tmp_path),
            data="data.csv",
            task="binary",
            target="y",
            tuner="random",
            objective="val_loss",
            direction="min",
            max_trials=count,
            time_budget_s=None,
            max_epochs=1,
            rows={},
        ).to_dict()
    ]
    for t in _trials(count):
        started = TrialStarted(time=1.0, trial_id=t.trial_id, hyperparameters=t.hyperparameters)
        lines.append(started.to_dict())
        lines.append(
            TrialEnded(
                time=2.0,
                trial_id=t.trial_id,
                hyperparameters=t.hyperparameters,
                score=t.score,
                best_epoch=1,
                epochs=1,
                duration_s=1.0,
                metrics={},
            ).to_dict()
        )
    (tmp_path / layout.EVENTS).write_text("\n".join(json.dumps(line) for line in lines))
    result = choice_importance(tmp_path)
    assert result.trials == count
    assert result.direction == "min"
    assert list(result.importance)[0] == "learning_rate"


def test_explain_gets_the_choices_section_beside_the_experiment(tmp_path):
    from automl.explain.choices import choices_sections

    assert choices_sections(tmp_path) == []  # a model exported away from its search
    (tmp_path / layout.EVENTS).write_text("")
    (section,) = choices_sections(tmp_path)
    assert section.title == "Which choices mattered"
    assert "not enough trials" in section.html
    assert section.record["choices"]["enough"] is False
