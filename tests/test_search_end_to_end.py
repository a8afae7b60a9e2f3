"""A real search on the bundled sample, from the command line to a reloaded SavedModel."""

from __future__ import annotations

import json

import numpy as np

from automl.experiment.events import EVENT_TYPES


def test_search_exits_zero_and_writes_the_experiment_folder(penguins_run):
    assert penguins_run["returncode"] == 0, penguins_run["stderr"][-2000:]
    out = penguins_run["out"]
    for name in (
        "events.jsonl",
        "summary.json",
        "splits.json",
        "experiment.json",
        "tuner",
        "model/saved_model/1/saved_model.pb",
        "model/model.keras",
        "model/metadata.json",
        "model/model_card.html",
    ):
        assert (out / name).exists(), name
    assert not list(out.glob(".model*")), "no half-written export may remain"


def test_stdout_carries_only_events_and_matches_the_file(penguins_run):
    lines = penguins_run["stdout"].splitlines()
    events = [json.loads(line) for line in lines]  # every line is JSON: nothing else leaked
    assert events[0]["type"] == "search_started"
    assert events[-1]["type"] == "search_ended"
    assert {e["type"] for e in events} <= set(EVENT_TYPES)
    assert all("time" in e for e in events)
    in_file = (penguins_run["out"] / "events.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in in_file] == events


def test_events_follow_each_trial(penguins_run):
    events = [json.loads(line) for line in penguins_run["stdout"].splitlines()]
    started = [e["trial_id"] for e in events if e["type"] == "trial_started"]
    ended = [e["trial_id"] for e in events if e["type"] in ("trial_ended", "trial_failed")]
    assert started == ended and len(started) == 2
    epochs = [e for e in events if e["type"] == "epoch_ended"]
    assert epochs and {"loss", "val_loss", "val_accuracy"} <= set(epochs[0]["metrics"])
    finished = [e for e in events if e["type"] == "trial_ended"]
    assert all(0 <= e["score"] <= 1 and "batch_size" in e["hyperparameters"] for e in finished)


def test_summary_reports_the_best_trial_and_test_metrics(penguins_run):
    summary = penguins_run["summary"]
    assert summary["status"] == "completed"
    assert summary["task"] == "multiclass"
    assert summary["class_names"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert summary["trials"] == {"completed": 2, "failed": 0}
    # Small data: the searched model is refit on train+validation by default, unless the
    # engine's own baseline beat every trial and went out instead (and the run says so).
    if summary["baseline_guard"]["beaten_by_baseline"]:
        assert summary["exported"].startswith("baseline: ") and not summary["refit"]
    else:
        assert summary["refit"] is True and summary["exported"] == "refit on train+validation"
    assert summary["test_metrics"]["accuracy"] > 0.6
    assert set(summary["search_test_metrics"]) >= {"accuracy", "balanced_accuracy", "log_loss"}
    assert 0 <= summary["timing"]["overhead_fraction"] < 1
    split = json.loads((penguins_run["out"] / "splits.json").read_text())
    assert summary["rows"]["test"] == len(split["test"]) > 0
    assert not set(split["train"]) & set(split["test"])


def test_metadata_records_parity_schema_and_versions(penguins_run):
    metadata = json.loads((penguins_run["out"] / "model" / "metadata.json").read_text())
    assert metadata["parity"]["max_abs_diff"] < 1e-5
    assert metadata["parity"]["rows_compared"] == penguins_run["summary"]["rows"]["test"]
    assert [i["column"] for i in metadata["inputs"]] == [
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
        "year",
    ]
    assert metadata["class_names"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert len(metadata["data"]["sha256"]) == 64
    assert {"tensorflow", "keras", "keras-tuner", "python"} <= set(metadata["versions"])
    assert metadata["seed"] == 1


def test_saved_model_takes_raw_columns_and_returns_class_names(penguins_run):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(penguins_run["out"] / "model" / "saved_model" / "1"))
    serve = loaded.signatures["serving_default"]
    _, inputs = serve.structured_input_signature
    assert set(inputs) == {
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
        "year",
    }
    output = serve(
        island=tf.constant(["Biscoe", "Dream"]),
        sex=tf.constant(["female", ""]),
        bill_length_mm=tf.constant([46.5, np.nan]),
        bill_depth_mm=tf.constant([14.8, 18.0]),
        flipper_length_mm=tf.constant([217.0, 190.0]),
        body_mass_g=tf.constant([5200.0, 3700.0]),
        year=tf.constant([2008.0, 2009.0]),
    )
    labels = [v.decode() for v in output["label"].numpy()]
    assert set(labels) <= {"Adelie", "Chinstrap", "Gentoo"}
    np.testing.assert_allclose(output["probabilities"].numpy().sum(axis=1), 1.0, rtol=1e-5)


def test_keras_file_loads_in_safe_mode(penguins_run):
    import keras

    import architectures.layers  # noqa: F401  (registers the custom layers)

    model = keras.saving.load_model(penguins_run["out"] / "model" / "model.keras", safe_mode=True)
    assert model.output_shape == (None, 3)


def test_model_card_shows_test_metrics_and_confusion_matrix(penguins_run):
    card = (penguins_run["out"] / "model" / "model_card.html").read_text()
    assert "Gentoo" in card and "accuracy" in card and "<svg" in card
