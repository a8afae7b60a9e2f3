"""Budgets, Stop, failing trials and regression: real searches on tiny data."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import keras_tuner
import numpy as np
import pandas as pd
import pytest

from automl.experiment.events import EventLog
from automl.search.budget import Deadline
from automl.search.budget_planner import BudgetPlanner
from automl.search.state import SearchState
from automl.search.tuners import make_tuner
from tests.conftest import PENGUINS, run_cli


class _SometimesBroken(keras_tuner.HyperModel):
    """Fails to build whenever the tuner picks `broken=True`: a trial that raises."""

    def build(self, hp):
        import keras

        if hp.Boolean("broken"):
            raise MemoryError("pretend the GPU ran out of memory")
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile("adam", "mse")
        return model


def test_a_failing_trial_is_recorded_and_the_search_goes_on(tmp_path):
    log = EventLog(tmp_path / "events.jsonl")
    state = SearchState(log, BudgetPlanner(Deadline(None)))
    tuner = make_tuner(
        "random",
        _SometimesBroken(),
        objective=keras_tuner.Objective("val_loss", "min"),
        max_trials=6,
        max_epochs=1,
        directory=str(tmp_path),
        seed=3,
        search_state=state,
    )
    x, y = np.random.rand(16, 2), np.random.rand(16)
    tuner.search(x, y, validation_data=(x, y), epochs=1, verbose=0)
    log.close()
    statuses = {t.status for t in state.trials.values()}
    assert statuses == {"completed", "failed"}, "the seed should give both kinds of trial"
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    failed = [e for e in events if e["type"] == "trial_failed"]
    assert failed and "ran out of memory" in failed[0]["reason"]
    assert len(state.trials) >= 2  # the failure did not end the search


def test_time_budget_ends_the_search_and_still_exports(tmp_path):
    out = tmp_path / "deadline"
    done = run_cli(
        "search",
        str(PENGUINS),
        "--target",
        "species",
        "--out",
        str(out),
        "--max-trials",
        "500",
        "--epochs",
        "1000",
        "--time-budget",
        "20s",
        "--no-refit",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "deadline"
    assert summary["trials"]["completed"] < 500
    assert (out / "model" / "saved_model" / "1" / "saved_model.pb").exists()
    assert "search deadline" in done.stdout


def test_ctrl_c_stops_the_search_exports_the_best_so_far_and_exits_130(tmp_path):
    out = tmp_path / "interrupted"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "automl",
            "search",
            str(PENGUINS),
            "--target",
            "species",
            "--out",
            str(out),
            "--max-trials",
            "200",
            "--epochs",
            "1000",
            "--events",
            "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in child.stdout:
            if json.loads(line)["type"] == "trial_ended":
                child.send_signal(signal.SIGINT)
                break
        rest = child.stdout.read()
        code = child.wait(timeout=300)
    finally:
        child.kill()
    assert code == 130
    assert json.loads(rest.splitlines()[-1])["type"] == "search_ended"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "stopped"
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5


@pytest.fixture()
def regression_files(tmp_path):
    frame = pd.read_csv(PENGUINS).dropna(subset=["body_mass_g"])
    frame = frame.rename(columns={"bill_length_mm": "bill length (mm)"})
    train, test = frame.iloc[::4].copy(), frame.iloc[1::8].copy()
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    return tmp_path / "train.csv", tmp_path / "test.csv"


def test_regression_with_a_test_file_unsafe_names_and_tflite(regression_files, tmp_path):
    train, test = regression_files
    out = tmp_path / "mass"
    done = run_cli(
        "search",
        str(train),
        "--target",
        "body_mass_g",
        "--out",
        str(out),
        "--test",
        str(test),
        "--max-trials",
        "1",
        "--epochs",
        "3",
        "--metric",
        "mae",
        "--format",
        "tflite",
        "--ignore",
        "year",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["task"] == "regression" and summary["metric"] == "mae"
    assert summary["rows"]["test"] == len(pd.read_csv(test))
    assert set(summary["test_metrics"]) >= {"mae", "rmse"}
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    names = {i["column"]: i["input_name"] for i in metadata["inputs"]}
    assert names["bill length (mm)"] == "bill_length_mm" and "year" not in names
    assert metadata["outputs"] == ["value"]
    assert (out / "model" / "model.tflite").exists() or "TFLite" in done.stdout

    predictions = tmp_path / "p.csv"
    assert run_cli("predict", str(out / "model"), str(test), "-o", str(predictions)).returncode == 0
    values = pd.read_csv(predictions)["prediction"]
    assert len(values) == len(pd.read_csv(test)) and values.between(1000, 10000).all()


def test_export_writes_a_checked_copy_elsewhere(penguins_run, tmp_path):
    assert penguins_run["returncode"] == 0
    target = tmp_path / "shipped"
    done = run_cli("export", str(penguins_run["out"]), "--to", str(target))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "reloaded SavedModel matches" in done.stdout
    metadata = json.loads((target / "metadata.json").read_text())
    assert metadata["parity"]["max_abs_diff"] < 1e-5
    assert (target / "saved_model" / "1" / "saved_model.pb").exists()


def test_an_earlier_experiment_is_kept_unless_overwrite(penguins_run):
    before = (penguins_run["out"] / "summary.json").read_text()
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(penguins_run["out"])
    )
    assert done.returncode == 2
    assert "--overwrite" in done.stderr.strip().splitlines()[-1]
    assert (penguins_run["out"] / "summary.json").read_text() == before


def test_no_successful_trial_exits_3_and_exports_nothing(tmp_path, monkeypatch):
    import automl
    from architectures.dense import DenseHyperModel

    def out_of_memory(self, hp, model, *args, **kwargs):
        raise MemoryError("out of memory while training")

    # Fault injection at the edge: every trial's training fails as an OOM would.
    monkeypatch.setattr(DenseHyperModel, "fit", out_of_memory)
    result = automl.search(PENGUINS, "species", tmp_path / "e", max_trials=2, epochs=1)
    assert (result.exit_code, result.status, result.model_path) == (3, "failed", None)
    assert not (tmp_path / "e" / "model").exists()
    events = [json.loads(line) for line in (tmp_path / "e" / "events.jsonl").open()]
    # A trial whose batch size is known before training (the linear seed) retries once
    # with half the batch; that retry is announced, not counted.
    failed = [e for e in events if e["type"] == "trial_failed" and not e.get("retrying")]
    assert len(failed) == 2 and "out of memory" in failed[0]["reason"]
    assert events[-1]["type"] == "search_ended" and events[-1]["status"] == "failed"


def test_a_space_that_cannot_build_is_bad_input_and_leaves_nothing(tmp_path):
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"dense": {"units": [2**40], "max_layers": 1}}))
    out = tmp_path / "huge"
    done = run_cli(
        "search",
        str(PENGUINS),
        "--target",
        "species",
        "--out",
        str(out),
        "--space",
        str(space),
        "--max-trials",
        "1",
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("automl: error: the search space")
    assert not out.exists()


def test_export_refuses_a_folder_that_is_not_a_model(penguins_run, tmp_path):
    keep = tmp_path / "documents"
    keep.mkdir()
    (keep / "thesis.txt").write_text("precious")
    done = run_cli("export", str(penguins_run["out"]), "--to", str(keep))
    assert done.returncode == 2 and "not an exported model" in done.stderr
    assert (keep / "thesis.txt").read_text() == "precious"


def test_devices_lists_the_cpu_and_a_missing_gpu_is_refused(tmp_path):
    listed = run_cli("devices", "--json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout.strip().splitlines()[-1])[0]["id"] == "cpu"
    out = tmp_path / "gpu"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out), "--device", "gpu:3"
    )
    assert done.returncode == 2
    assert "gpu:3: no such device" in done.stderr.strip().splitlines()[-1]
    assert not out.exists()
