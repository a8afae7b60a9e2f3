"""`automl predict` and `automl export` on a terminal: a bar with the time left; Ctrl-C is clean."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl.cli import main
from automl.export import predict
from automl.progress import work_progress


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
    with predict.reporting_progress(lambda done, total: reports.append((done, total))):
        out = predict.serve_in_batches(tmp_path, {"x": np.arange(5, dtype=np.float32)})
    assert reports == [(2, 5), (4, 5), (5, 5)]
    assert out["value"].tolist() == [0, 2, 4, 6, 8]
    predict.serve_in_batches(tmp_path, {"x": np.arange(3, dtype=np.float32)})
    assert len(reports) == 3  # outside the block nothing reports


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
