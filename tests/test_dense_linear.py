"""The dense family's linear model: seeded as the second trial, never drawn at random."""

from __future__ import annotations

import keras
import keras_tuner
import numpy as np
import pytest

from architectures.dense import DenseHyperModel, TabularFeature, TabularTask
from architectures.spaces import DenseSpace
from automl.search.oracles import DefaultsFirstRandom, seeded_values


def _hypermodel(space: DenseSpace | None = None, rows: int = 120) -> DenseHyperModel:
    features = [TabularFeature("a", "numeric"), TabularFeature("b", "numeric")]
    return DenseHyperModel(features, TabularTask("multiclass", 3), ["accuracy"], rows, space=space)


def _tuner(tmp_path, hypermodel, max_trials: int = 3) -> keras_tuner.Tuner:
    oracle = DefaultsFirstRandom(objective="val_accuracy", max_trials=max_trials, seed=3)
    return keras_tuner.Tuner(oracle=oracle, hypermodel=hypermodel, directory=str(tmp_path))


def _hidden_dense(model: keras.Model) -> list[str]:
    return [
        layer.name
        for layer in model.layers
        if isinstance(layer, keras.layers.Dense) and layer.name != "probabilities"
    ]


def test_the_second_trial_is_the_linear_model_with_l2(tmp_path):
    rng = np.random.default_rng(0)
    x = {"a": rng.normal(size=(120, 1)).astype("float32")}
    x["b"] = rng.normal(size=(120, 1)).astype("float32")
    y = (x["a"][:, 0] > 0).astype("int64") + (x["b"][:, 0] > 1).astype("int64")
    tuner = _tuner(tmp_path, _hypermodel())
    tuner.search(x, y, validation_data=(x, y), epochs=1, verbose=0)

    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.trial_id)
    first, second = (t.hyperparameters.values for t in trials[:2])
    assert first["layers"] == 2 and "linear" not in first and first["l2"] == 1e-5
    assert second["layers"] == 1 and second["linear"] is True
    assert second["l2"] == 1e-3 and second["learning_rate"] == 1e-2
    assert second["batch_size"] == 16
    linear = tuner.hypermodel.build(trials[1].hyperparameters)
    assert _hidden_dense(linear) == []
    head = linear.get_layer("probabilities")
    assert head.kernel_regularizer.l2 == pytest.approx(1e-3)
    assert len(_hidden_dense(tuner.hypermodel.build(trials[0].hyperparameters))) == 2


def test_a_space_without_the_linear_model_seeds_nothing(tmp_path):
    tuner = _tuner(tmp_path, _hypermodel(DenseSpace(tune_linear=False)))
    names = {hp.name for hp in tuner.oracle.hyperparameters.space}
    assert "linear" not in names and tuner.oracle._seeds == []


def test_a_seed_outside_the_users_space_is_skipped(tmp_path):
    # Two layers at least: the seed's depth 1 is not in the space, yet "linear" is
    # registered at depth 2 (the shallowest), and the seed follows it there.
    tuner = _tuner(tmp_path, _hypermodel(DenseSpace(min_layers=2, max_layers=3)))
    assert tuner.oracle._seeds[0]["layers"] == 2
    space = tuner.oracle.hyperparameters.space
    assert seeded_values(space, {"l2": 5.0})["l2"] == 5.0  # values are not checked here...
    from automl.search.oracles import _fits

    assert not _fits({"l2": 5.0}, space)  # ... but a seed out of range never runs
    assert not _fits({"layers": 1}, space)
    assert _fits(tuner.oracle._seeds[0], space)
    # The batch size is registered when the first trial trains; the seed's is kept.
    assert "batch_size" not in {hp.name for hp in space}
    assert seeded_values(space, tuner.oracle._seeds[0])["batch_size"] == 16


def test_no_random_draw_is_linear_only_the_seed_is(tmp_path):
    tuner = _tuner(tmp_path, _hypermodel(), max_trials=10)
    draws = [tuner.oracle._random_values() for _ in range(400)]
    assert any(d["layers"] == 1 for d in draws)  # the depth the linear model lives at
    assert not any(d.get("linear") for d in draws)
    assert tuner.oracle._seeds[0]["linear"] is True


def test_the_l2_range_is_checked():
    with pytest.raises(ValueError, match="l2 must satisfy"):
        DenseSpace(min_l2=0.0)
    assert DenseSpace.from_dict({"max_l2": 0.1}).max_l2 == 0.1
