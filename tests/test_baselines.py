"""The engine's baselines: scored like trials, judged against the best trial, exported as Keras."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from automl.baselines import Baseline, Fold, fit_baselines, judge
from automl.search.metrics import OBJECTIVES


def _rings(rows: int = 120, seed: int = 0):
    """Two classes on rings: no line separates them, nearest neighbours do."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    angle = rng.uniform(0, 2 * np.pi, rows)
    radius = np.where(y == 1, 2.0, 0.5) + rng.normal(0, 0.1, rows)
    return np.c_[radius * np.cos(angle), radius * np.sin(angle)], y


def _one_fold(rows: int) -> list[Fold]:
    cut = int(rows * 0.8)
    return [Fold(np.arange(cut), np.arange(cut, rows))]


def test_nearest_neighbour_wins_on_rings_and_linear_on_a_line():
    x, y = _rings()
    ranked = fit_baselines(x, y, _one_fold(len(y)), OBJECTIVES["accuracy"], classes=2)
    assert ranked[0].name == "nearest neighbour"
    assert ranked[0].scores["accuracy"] > 0.95
    assert {b.name for b in ranked} == {"majority class", "nearest neighbour", "linear"}

    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 5))
    values = x @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + rng.normal(0, 0.01, 200)
    ranked = fit_baselines(x, values, _one_fold(200), OBJECTIVES["rmse"], classes=0)
    assert ranked[0].name == "linear"
    assert ranked[0].scores["rmse"] < 0.1
    assert ranked[-1].name == "mean"


def test_scores_average_over_folds_with_a_spread():
    x, y = _rings()
    folds = [Fold(np.setdiff1d(np.arange(120), part), part) for part in np.split(np.arange(120), 4)]
    ranked = fit_baselines(x, y, folds, OBJECTIVES["accuracy"], classes=2)
    majority = next(b for b in ranked if b.kind == "constant")
    assert 0.3 < majority.scores["accuracy"] < 0.7
    assert majority.spread >= 0.0
    # Each keeps its predictions of every fold's held-out rows, for the fold ensemble,
    # and they are what it was scored on.
    linear = next(b for b in ranked if b.kind == "linear")
    assert [p.shape for p in linear.held_out] == [(30, 2)] * 4
    pairs = zip(linear.held_out, folds, strict=True)
    accuracy = np.mean([(p.argmax(1) == y[f.held_out]).mean() for p, f in pairs])
    assert accuracy == pytest.approx(linear.scores["accuracy"])
    assert "held_out" not in linear.to_dict()


def test_judge_says_which_wins_and_breaks_ties_by_loss():
    accuracy = OBJECTIVES["accuracy"]
    best = Baseline("linear", "linear", {"C": 1.0}, {"accuracy": 0.9, "log_loss": 0.30})
    lost = judge([best], 0.85, 0.4, accuracy, "validation rows")
    assert lost.beaten_by_baseline
    assert "no searched network beat the linear baseline" in lost.message
    won = judge([best], 0.95, 0.4, accuracy, "validation rows")
    assert not won.beaten_by_baseline
    assert not judge([best], 0.9, 0.2, accuracy, "validation rows").beaten_by_baseline
    assert judge([best], 0.9, 0.5, accuracy, "validation rows").beaten_by_baseline
    rmse = Baseline("mean", "constant", {}, {"rmse": 2.0})
    assert not judge([rmse], 1.5, None, OBJECTIVES["rmse"], "folds").beaten_by_baseline


def test_the_guard_loads_without_tensorflow():
    code = "import automl.baselines, sys; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_keras_forms_predict_as_the_fitted_baselines(tmp_path):
    import keras

    from architectures.baselines import BaselineHead
    from architectures.dense import DenseHyperModel, TabularFeature, TabularTask
    from automl.baselines.keras_form import baseline_model
    from automl.search.arrays import predict

    class Family:  # what a family hands the guard: its inputs, features and head
        task = None

        def baseline_inputs(self):
            return DenseHyperModel(
                [
                    TabularFeature("a", "numeric", mean=0.0, variance=2.0),
                    TabularFeature("b", "numeric", mean=0.1, variance=1.5, has_missing=True),
                    TabularFeature("colour", "categorical", vocabulary=("red", "blue")),
                ],
                TabularTask("multiclass", 3),
                [],
                90,
            ).baseline_inputs()

        def baseline_head(self):
            return BaselineHead("classes", 3)

    rng = np.random.default_rng(0)
    rows = {
        "a": rng.normal(size=(90, 1)).astype("float32"),
        "b": np.where(rng.random((90, 1)) < 0.1, np.nan, rng.normal(size=(90, 1))).astype(
            "float32"
        ),
        "colour": rng.choice(["red", "blue", "green"], size=(90, 1)),
    }
    labels = (rows["a"][:, 0] > 0).astype(int) + (rows["colour"][:, 0] == "red")
    family = Family()
    features = predict(family.baseline_inputs().encoder(), rows)
    assert features.shape[1] == 2 + 1 + 3  # two numbers, one missing flag, three categories
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    for baseline, expected in (
        (
            Baseline("linear", "linear", {"C": 1.0}),
            LogisticRegression(C=1.0, max_iter=2000).fit(features, labels).predict_proba(features),
        ),
        (
            Baseline("nearest neighbour", "neighbours", {"k": 3}),
            KNeighborsClassifier(3).fit(features, labels).predict_proba(features),
        ),
        (
            Baseline("majority class", "constant"),
            np.tile(np.bincount(labels, minlength=3) / 90, (90, 1)),
        ),
    ):
        model = baseline_model(family, baseline, features, labels)
        predicted = predict(model, rows)
        # Neighbour ties at equal distance may vote differently; the classes agree.
        if baseline.kind == "neighbours":
            assert np.mean(predicted.argmax(1) == expected.argmax(1)) > 0.95
        else:
            np.testing.assert_allclose(predicted, expected, atol=1e-5)
        path = tmp_path / f"{baseline.kind}.keras"
        model.save(path)
        reloaded = keras.saving.load_model(path)
        np.testing.assert_allclose(predict(reloaded, rows), predicted, atol=1e-6)
