"""Calibrated probabilities: a temperature fitted on held-out rows, inside the exported model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from architectures.layers import TemperatureScale
from automl.search.calibration import fit_temperature, scaled

PENGUINS = Path(__file__).resolve().parents[1] / "assets" / "samples" / "penguins.csv"


def _timid(rows: int = 300, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Returns (probabilities, labels): right 90% of the time, yet never above 0.5."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, classes, rows)
    guess = np.where(rng.random(rows) < 0.9, labels, (labels + 1) % classes)
    proba = np.full((rows, classes), 0.5 / (classes - 1))
    proba[np.arange(rows), guess] = 0.5
    return proba, labels


def test_timid_probabilities_get_a_temperature_below_one_and_a_lower_log_loss():
    proba, labels = _timid()
    temperature, before, after = fit_temperature(proba, labels)
    assert temperature < 0.5
    assert after < 0.6 * before
    # The most likely class never changes.
    assert (scaled(proba, temperature).argmax(1) == proba.argmax(1)).all()


def test_probabilities_already_in_line_are_left_alone():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(3), 500)
    labels = np.array([rng.choice(3, p=p) for p in proba])  # drawn from the stated odds
    temperature, before, after = fit_temperature(proba, labels)
    assert temperature == 1.0 and before == after


def test_the_layer_matches_the_numpy_form_and_survives_saving(tmp_path):
    proba = np.array([[0.6, 0.4], [0.2, 0.8]], "float32")
    layer = TemperatureScale(0.5)
    np.testing.assert_allclose(np.asarray(layer(proba)), scaled(proba, 0.5), atol=1e-6)
    np.testing.assert_allclose(np.asarray(layer(proba))[0], [0.6**2, 0.4**2] / np.float32(0.52))
    inputs = keras.Input((2,))
    model = keras.Model(inputs, TemperatureScale(0.5)(inputs))
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")  # safe mode
    np.testing.assert_allclose(np.asarray(reloaded(proba)), np.asarray(model(proba)), atol=1e-7)


@pytest.mark.slow
def test_a_cross_validated_search_calibrates_its_averaged_folds_out_of_fold(tmp_path):
    out = tmp_path / "cv"
    run = subprocess.run(
        [sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species"]
        + ["--time-budget", "5m", "--max-trials", "2", "--epochs", "4", "--cv", "3"]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    fitted = summary["calibration"]
    if summary["exported"].startswith("baseline"):
        assert fitted is None  # the baseline's probabilities are its own
        return
    assert fitted["rows"] == "275 out-of-fold rows"
    assert fitted["log_loss_after"] <= fitted["log_loss_before"]
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert metadata["calibration"] == fitted
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5
    if fitted["temperature"] != 1.0:
        assert f"temperature {fitted['temperature']:.2f}" in run.stdout
        card = (out / "model" / "model_card.html").read_text()
        assert "<strong>Probabilities:</strong> calibrated" in card


def test_averaged_members_are_calibrated_after_the_mean_so_no_class_changes():
    # Sharpened before the mean, two confident members outvote a third's larger doubt;
    # after the mean the average decides, as without calibration.
    from automl.search.ensemble import average_models

    def member(probabilities: list[float]) -> keras.Model:
        inputs = keras.Input((1,), name="x")
        constant = keras.layers.Dense(
            3, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(0.0)
        )(inputs)
        logits = np.log(np.array(probabilities, "float32"))
        shifted = keras.layers.Rescaling(1.0, offset=logits)(constant)
        return keras.Model(inputs, keras.layers.Softmax()(shifted))

    members = [member([0.6, 0.35, 0.05]), member([0.6, 0.35, 0.05]), member([0.05, 0.9, 0.05])]
    x = np.zeros((1, 1), "float32")
    plain = np.asarray(average_models(members)(x))
    calibrated = np.asarray(average_models(members, temperature=0.25)(x))
    assert plain.argmax() == calibrated.argmax() == 1
    assert calibrated.max() > plain.max()
    assert temperature_bounds_hold()


def temperature_bounds_hold() -> bool:
    """Returns whether perfectly separated held-out rows stop at the floor, not at 0."""
    labels = np.arange(60) % 3
    proba = np.full((60, 3), 0.05)
    proba[np.arange(60), labels] = 0.9
    return fit_temperature(proba, labels)[0] == pytest.approx(0.25, abs=1e-3)
