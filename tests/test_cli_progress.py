"""`automl predict` and `automl export` on a terminal: a bar with the time left; Ctrl-C is clean.

With `--progress-json` (the app's children) they print JSON progress lines instead.
"""

from __future__ import annotations

import io
import json
import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl import cli_data
from automl.cli import main
from automl.export import bundle, predict
from automl.export.reporting import current_report, reporting_progress
from automl.progress import json_progress, work_progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_nothing_is_shown():
    stream = io.StringIO()
    with work_progress(stream, "predicting") as report:
        report(5, 10)
    assert stream.getvalue() == ""


def test_on_a_terminal_the_bar_counts_rows_and_shows_time_left():
    stream = _Terminal()
    with work_progress(stream, "predicting") as report:
        report(4, 10)
    shown = stream.getvalue()
    assert "predicting" in shown and "4/10" in shown and "left" in shown


def test_batches_report_rows_done(monkeypatch, tmp_path):
    def serve(**batch):
        import tensorflow as tf

        return {"value": tf.constant(batch["x"].numpy() * 2)}

    monkeypatch.setattr(predict, "load_signature", lambda model_dir: serve)
    monkeypatch.setattr(predict, "BATCH_ROWS", 2)
    reports = []
    with reporting_progress(lambda done, total: reports.append((done, total))):
        out = predict.serve_in_batches(tmp_path, {"x": np.arange(5, dtype=np.float32)})
    # (0, 5) once the model is loaded: a reader's clock for the time left starts there.
    assert reports == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert out["value"].tolist() == [0, 2, 4, 6, 8]
    predict.serve_in_batches(tmp_path, {"x": np.arange(3, dtype=np.float32)})
    assert len(reports) == 4  # outside the block nothing reports


def test_ctrl_c_in_predict_is_one_line_exit_130_and_no_file(monkeypatch, tmp_path, capsys):
    def interrupted(model, data):
        raise KeyboardInterrupt

    monkeypatch.setattr(predict, "predict_file", interrupted)
    out = tmp_path / "out.csv"
    assert main(["predict", str(tmp_path), str(tmp_path / "d.csv"), "-o", str(out)]) == 130
    assert capsys.readouterr().err == "automl: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_writing_leaves_nothing_half_written(monkeypatch, tmp_path):
    def half_then_interrupted(self, path, **kwargs):
        Path(path).write_text("prediction\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        predict.write_table(pd.DataFrame({"prediction": [1]}), tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_on_a_terminal_the_stage_replaces_the_description():
    stream = _Terminal()
    with work_progress(stream, "exporting and checking the model") as report:
        report(6, 100, "checking the reloaded SavedModel")
    shown = stream.getvalue()
    assert "checking the reloaded SavedModel" in shown and "6/100" in shown


def test_json_lines_say_done_total_and_stage_and_skip_floods(monkeypatch):
    clock = iter([0.0, 0.01, 0.02, 0.5, 0.51])
    monkeypatch.setattr("automl.progress.time.monotonic", lambda: next(clock))
    stream = io.StringIO()
    with json_progress(stream, "predicting") as report:
        report(0, 10)  # first: written
        report(2, 10)  # 0.01 s later, same stage: left out
        report(3, 10, "writing")  # a new stage: written
        report(6, 10, "writing")  # 0.5 s later: written
        report(10, 10, "writing")  # the last: written however soon
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines == [
        {"type": "progress", "done": 0, "total": 10, "stage": "predicting"},
        {"type": "progress", "done": 3, "total": 10, "stage": "writing"},
        {"type": "progress", "done": 6, "total": 10, "stage": "writing"},
        {"type": "progress", "done": 10, "total": 10, "stage": "writing"},
    ]


@pytest.mark.parametrize("formats", [(), ("tflite",)])
def test_export_stages_report_shares_of_the_whole(formats):
    reports = []
    with reporting_progress(lambda done, total, stage="": reports.append((done, total, stage))):
        step = bundle._stage_reporter(formats)
        names = [name for name, _ in bundle.EXPORT_STAGES]
        if formats:
            names.insert(-1, bundle.TFLITE_STAGE[0])
        for name in [*names, "exported"]:
            step(name)
    total = 100 + (bundle.TFLITE_STAGE[1] if formats else 0)
    assert [stage for _, _, stage in reports] == [*names, "exported"]
    assert [done for done, _, _ in reports] == sorted(done for done, _, _ in reports)
    assert reports[0][:2] == (0, total) and reports[-1][:2] == (total, total)
    # The check (in a fresh process) takes 92 of the 100 parts of a plain export.
    assert reports[names.index("checking the reloaded SavedModel") + 1][0] == 98


def test_progress_json_without_output_is_one_line_exit_2(tmp_path, capsys):
    assert main(["predict", str(tmp_path), str(tmp_path / "d.csv"), "--progress-json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--progress-json" in err and "-o FILE" in err


def test_progress_json_predict_prints_lines_then_the_summary(monkeypatch, tmp_path, capsys):
    def two_batches(model, data):
        report = current_report()
        report(0, 4)
        report(4, 4)
        return predict.Predictions(pd.DataFrame({"prediction": [1, 2, 3, 4]}), ())

    monkeypatch.setattr(predict, "predict_file", two_batches)
    out = tmp_path / "out.csv"
    args = ["predict", str(tmp_path), "d.csv", "-o", str(out), "--progress-json"]
    assert main(args) == 0
    *progress, summary = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["done"] for line in progress] == [0, 4]
    assert summary == f"wrote 4 predictions to {out}"
    assert len(pd.read_csv(out)) == 4


def test_sigterm_stops_predict_like_ctrl_c(monkeypatch, tmp_path, capsys):
    def terminated(model, data):
        os.kill(os.getpid(), signal.SIGTERM)  # the app's Cancel
        raise AssertionError("SIGTERM should have stopped the work")

    monkeypatch.setattr(predict, "predict_file", terminated)
    before = signal.getsignal(signal.SIGTERM)
    out = tmp_path / "out.csv"
    assert main(["predict", str(tmp_path), "d.csv", "-o", str(out), "--progress-json"]) == 130
    assert capsys.readouterr().err == "automl: interrupted\n"
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is before  # the handler was put back


def test_sigterm_while_writing_leaves_no_partial_file(monkeypatch, tmp_path):
    def half_then_terminated(self, path, **kwargs):
        Path(path).write_text("prediction\n")
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_terminated)
    with pytest.raises(KeyboardInterrupt), cli_data._interrupted_on_terminate():
        predict.write_table(pd.DataFrame({"prediction": [1]}), tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_image_predict_reports_images_done_per_batch(monkeypatch, tmp_path):
    from automl.modalities import image, image_decode

    paths = [str(tmp_path / f"{i}.png") for i in range(5)]
    monkeypatch.setattr(image, "_image_paths", lambda data, metadata: paths)
    monkeypatch.setattr(image, "_serve_images", lambda serve, batch: [("cat", [1.0])] * len(batch))
    monkeypatch.setattr(image_decode, "is_over_pixel_limit", lambda path: False)
    monkeypatch.setattr(predict, "load_signature", lambda model_dir: None)
    monkeypatch.setattr(image, "IMAGE_BATCH", 2)
    reports = []
    with reporting_progress(lambda done, total: reports.append((done, total))):
        result = image.predict_images(tmp_path, {"class_names": ["cat"]}, tmp_path)
    assert reports == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert result.frame["prediction"].tolist() == ["cat"] * 5


def test_a_trial_cut_short_says_on_how_many_folds_and_is_not_called_the_best():
    from automl.experiment.events import SearchStarted, TrialEnded, TrialStarted
    from automl.progress import ProgressDisplay

    stream = io.StringIO()
    started = SearchStarted(
        time=0.0, experiment="e", data="d.csv", task="multiclass", target="species",
        tuner="random", objective="accuracy",
        direction="max", max_trials=10, time_budget_s=60.0, max_epochs=100,
        rows={"train": 220, "validation": 55, "test": 69}, folds=5,
    )  # fmt: skip

    def ended(trial_id: str, folds: list[float]) -> TrialEnded:
        return TrialEnded(
            time=1.0, trial_id=trial_id, score=float(np.mean(folds)), best_epoch=3, epochs=5,
            duration_s=2.0, metrics={}, hyperparameters={}, spread=float(np.std(folds)),
            fold_scores=folds,
        )  # fmt: skip

    with ProgressDisplay(stream, live=False) as display:
        display.on_event(started)
        display.on_event(TrialStarted(time=0.5, trial_id="0", hyperparameters={}, folds=5))
        display.on_event(ended("0", [0.9, 0.95, 0.9, 0.85, 0.9]))
        display.on_event(TrialStarted(time=1.5, trial_id="1", hyperparameters={}, folds=5))
        display.on_event(ended("1", [1.0]))
    lines = stream.getvalue().splitlines()
    assert lines[1].startswith("trial 0: accuracy 0.9000 ± 0.0316 over 5 folds (best epoch 3/5")
    assert lines[1].endswith("* best so far")
    assert lines[2].startswith("trial 1: accuracy 1.0000 on 1 of 5 folds, cut short (best epoch")
    assert "best so far" not in lines[2]
