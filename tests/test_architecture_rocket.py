"""The random-convolution family: fixed kernels, biases from data, a trained head."""

from __future__ import annotations

import numpy as np
import pytest

from architectures.rocket import dilations_for, kernel_bank


def test_kernel_bank_is_minirockets_84_kernels():
    bank = kernel_bank()
    assert bank.shape == (9, 1, 84)
    assert set(np.unique(bank)) == {-1.0, 2.0}
    assert np.allclose(bank.sum(axis=0), 0.0)  # three 2s and six -1s: they sum to zero


def test_dilations_grow_with_the_series_and_features_stay_near_the_target():
    short, biases = dilations_for(20, 10_000)
    long, _ = dilations_for(1000, 10_000)
    assert short[0] == 1 and max(long) > max(short)
    assert 0.5 * 10_000 <= len(short) * 84 * biases <= 10_000


def _local_patterns(rows: int, steps: int = 60, seed: int = 0):
    """Three classes told apart by a short pattern at a random place."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (rows, steps, 1)).astype("float32")
    y = rng.integers(0, 3, rows)
    for i in range(rows):
        at = rng.integers(0, steps - 10)
        x[i, at : at + 10, 0] += (0.0, 5.0, 0.0)[y[i]] + (y[i] == 2) * np.linspace(-3, 3, 10)
    return x, y


@pytest.mark.slow
def test_rocket_learns_a_local_pattern_from_few_series_and_reloads(tmp_path):
    import keras
    import keras_tuner

    from architectures.rocket import RocketHyperModel
    from architectures.sequence import SequenceTask, SeriesInput

    x, y = _local_patterns(80)
    family = RocketHyperModel(
        SeriesInput(1, (0.0,), (1.0,), longest=60), SequenceTask("multiclass", 3), ["accuracy"], 50
    )
    hp = keras_tuner.HyperParameters()
    model = family.build(hp)
    history = family.fit(
        hp, model, x[:50], y[:50], validation_data=(x[50:], y[50:]), epochs=20, verbose=0
    )
    # At least 21 of the 30 held-out series (chance: 10); counted, as 21/30 in float32 is
    # a hair under 0.7.
    assert round(history.history["val_accuracy"][-1] * 30) >= 21
    model.save(tmp_path / "rocket.keras")
    reloaded = keras.saving.load_model(tmp_path / "rocket.keras")
    np.testing.assert_allclose(
        reloaded.predict(x[50:], verbose=0), model.predict(x[50:], verbose=0), atol=1e-6
    )
    # Series of another length still get an answer (any length in, as the other families).
    assert model.predict(x[50:, :40], verbose=0).shape == (30, 3)


@pytest.mark.slow
def test_a_rocket_search_exports_a_verified_saved_model_that_predicts(tmp_path):
    import json

    import pandas as pd

    from tests.conftest import run_cli

    x, y = _local_patterns(60)
    names = np.array(["flat", "bump", "ramp"])[y]
    np.savez(tmp_path / "train.npz", X=x, y=names)
    np.savez(tmp_path / "new.npz", X=_local_patterns(5, seed=1)[0][:, :50])  # shorter series
    out = tmp_path / "rocket"
    done = run_cli(
        "search", str(tmp_path / "train.npz"), "--families", "rocket", "--max-trials", "1",
        "--epochs", "5", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5
    predicted = run_cli(
        "predict", str(out), str(tmp_path / "new.npz"), "--out", str(tmp_path / "p.csv")
    )
    assert predicted.returncode == 0, predicted.stderr[-2000:]
    assert set(pd.read_csv(tmp_path / "p.csv")["prediction"]) <= {"flat", "bump", "ramp"}
