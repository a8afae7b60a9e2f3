"""Search features for quality within a budget: class weights, ensembles, seeded starts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from tests.conftest import PENGUINS, run_cli


def test_imbalanced_classes_make_class_weights_a_hyperparameter(tmp_path):
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=300), rng.normal(size=300)
    label = np.where(x1 + 0.5 * x2 > 1.6, "rare", "common")
    pd.DataFrame({"x1": x1, "x2": x2, "label": label}).to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "weighted"
    done = run_cli(
        "search", str(tmp_path / "d.csv"), "--target", "label", "--out", str(out),
        "--max-trials", "2", "--epochs", "3",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    values = {t["hyperparameters"]["class_weights"] for t in summary["leaderboard"]}
    assert values <= {True, False} and True in values  # the first trial weights the classes
    assert "balanced_accuracy" in summary["test_metrics"]


def test_an_ensemble_is_averaged_inside_one_saved_model(tmp_path):
    import keras

    from automl.export.bundle import export_model
    from automl.export.savedmodel import ServingInput, TableServing
    from automl.search.arrays import predict
    from automl.search.ensemble import average_models

    def member(seed: int) -> keras.Model:
        keras.utils.set_random_seed(seed)
        inputs = {"a": keras.Input((1,), name="a"), "b": keras.Input((1,), name="b")}
        joined = keras.layers.Concatenate()([inputs["a"], inputs["b"]])
        outputs = keras.layers.Dense(3, activation="softmax", name="probabilities")(joined)
        return keras.Model(inputs, outputs, name="dense")

    members = [member(1), member(2)]
    rows = {"a": np.arange(5, dtype="float32"), "b": np.ones(5, dtype="float32")}
    expected = np.mean([predict(m, rows) for m in members], axis=0)
    averaged = average_models(members)
    got = predict(averaged, rows)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # Weighted, as several trials' fold models are (`fold_ensemble`): still one model.
    weighted = average_models([member(1), member(2)], weights=[0.25, 0.75])
    outputs = [predict(m, rows) for m in members]
    np.testing.assert_allclose(
        predict(weighted, rows), 0.25 * outputs[0] + 0.75 * outputs[1], atol=1e-6
    )
    weighted.save(tmp_path / "weighted.keras")
    reloaded = keras.saving.load_model(tmp_path / "weighted.keras")  # safe mode
    np.testing.assert_allclose(predict(reloaded, rows), predict(weighted, rows), atol=1e-6)
    result = export_model(
        averaged,
        serving=TableServing(tuple(ServingInput(n, n, "float32", "numeric") for n in ("a", "b"))),
        class_names=["x", "y", "z"],
        metadata={"task": "multiclass"},
        check_rows=rows,
        destination=tmp_path / "model",
    )
    assert result.parity.max_abs_diff < 1e-5


def test_ensemble_flag_reports_whether_the_average_was_kept(tmp_path):
    out = tmp_path / "ensemble"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--max-trials", "3", "--epochs", "4", "--ensemble", "2",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert any("ensemble" in note for note in summary["notes"])
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert metadata["parity"]["max_abs_diff"] < 1e-5


def test_tensorboard_logs_each_trial_with_its_hyperparameters(tmp_path):
    out = tmp_path / "board"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--max-trials", "1", "--epochs", "2", "--tensorboard",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    logs = list((out / "tensorboard").rglob("events.out.tfevents.*"))
    assert logs, "no TensorBoard event files"
    # Keras Tuner writes the trial's hyperparameters with the HParams plugin.
    assert any(b"hparams" in path.read_bytes() for path in logs)
