"""The learning-rate schedule a trial chooses: its shape, its callback, and a real search."""

from __future__ import annotations

import json

import keras
import keras_tuner
import numpy as np
import pandas as pd
import pytest

from architectures.dense import DenseHyperModel, TabularFeature, TabularTask
from architectures.spaces import DenseSpace
from automl.search.schedule import FLOOR, FlatCosine, flat_cosine_factor, schedule_of


def test_flat_for_half_the_planned_epochs_then_down_a_cosine_to_the_floor():
    factors = [flat_cosine_factor(epoch, 20) for epoch in range(25)]
    assert factors[:11] == [1.0] * 11
    assert all(a > b for a, b in zip(factors[10:20], factors[11:21], strict=True))
    assert factors[15] == pytest.approx(0.5)  # halfway down the cosine
    assert factors[20:] == [FLOOR] * 5  # past the plan: the smallest rate, never 0


def test_the_schedule_and_rate_are_read_under_a_familys_scope_too():
    assert schedule_of({"dense/schedule": "flat_cosine", "dense/learning_rate": 0.01}) == (
        "flat_cosine",
        0.01,
    )
    assert schedule_of({"learning_rate": 0.01}) == ("plateau", 0.01)


def _rates_over(epochs: int, values: dict, planned=lambda: None, start=0.01) -> list[float]:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(start), "mse")
    rates: list[float] = []
    seen = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: rates.append(float(model.optimizer.learning_rate))
    )
    x = np.ones((8, 2), "float32")
    model.fit(
        x, x[:, :1], epochs=epochs, verbose=0, callbacks=[FlatCosine(lambda: values, planned), seen]
    )
    return rates


def test_the_callback_sets_the_trials_rate_along_the_plan_and_leaves_plateau_trials_alone():
    rates = _rates_over(8, {"schedule": "flat_cosine", "learning_rate": 0.01}, lambda: 4)
    # The trial's rate, lowered along the 4 planned epochs.
    expected = [0.01 * flat_cosine_factor(epoch, 4) for epoch in range(8)]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    # Without a plan, over fit's own epochs.
    rates = _rates_over(6, {"schedule": "flat_cosine", "learning_rate": 0.01})
    np.testing.assert_allclose(rates, [0.01 * flat_cosine_factor(e, 6) for e in range(6)])
    # A ceiling, not a setting: a rate already lower (halved on a plateau) stays.
    rates = _rates_over(6, {"schedule": "flat_cosine", "learning_rate": 0.01}, start=0.004)
    np.testing.assert_allclose(rates, [0.004] * 5 + [0.0025], rtol=1e-5)
    assert _rates_over(3, {"schedule": "plateau", "learning_rate": 0.01}, start=0.5) == [0.5] * 3


def test_the_dense_family_offers_the_schedules_of_its_space_the_first_by_default():
    feature = TabularFeature("x", "numeric", 0.0, 1.0, 0.0, 1.0)
    family = DenseHyperModel([feature], TabularTask("binary", 2), ["accuracy"], 50)
    hp = keras_tuner.HyperParameters()
    family.build(hp)
    assert hp.values["schedule"] == "plateau"
    assert hp.get_config()["space"][-1]["config"]["values"] == ["plateau", "flat_cosine"]
    space = DenseSpace(schedules=("flat_cosine",))
    family = DenseHyperModel([feature], TabularTask("binary", 2), ["accuracy"], 50, space=space)
    hp = keras_tuner.HyperParameters()
    family.build(hp)
    assert hp.values["schedule"] == "flat_cosine"
    with pytest.raises(ValueError, match="schedules must be among plateau, flat_cosine"):
        DenseSpace(schedules=("cyclic",))


@pytest.mark.slow
def test_a_search_trains_its_trials_on_the_chosen_schedule(tmp_path):
    from automl import api

    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    frame["label"] = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    data = tmp_path / "rows.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "run"
    api.search(
        data,
        "label",
        out,
        max_trials=1,
        epochs=6,
        cv=0,
        space={"dense": {"schedules": ["flat_cosine"], "max_layers": 1, "units": [8]}},
    )
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    started = next(e for e in events if e["type"] == "trial_started")
    assert started["hyperparameters"]["schedule"] == "flat_cosine"
    epochs = [e for e in events if e["type"] == "epoch_ended"]
    assert epochs, "the trial trained"
