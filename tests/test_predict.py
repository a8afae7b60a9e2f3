"""`automl predict` on an exported model: row order, columns, and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from automl.cli import main
from tests.conftest import PENGUINS


@pytest.fixture()
def model_dir(penguins_run):
    assert penguins_run["returncode"] == 0, penguins_run["stderr"][-2000:]
    return penguins_run["out"] / "model"


@pytest.fixture()
def new_rows(tmp_path):
    frame = pd.read_csv(PENGUINS).drop(columns=["species"]).head(25)
    path = tmp_path / "new.csv"
    frame.to_csv(path, index=False)
    return frame, path


def test_predict_writes_rows_in_order_with_prediction_and_probabilities(
    model_dir, new_rows, tmp_path, capsys
):
    frame, path = new_rows
    out = tmp_path / "predictions.csv"
    assert main(["predict", str(model_dir), str(path), "-o", str(out)]) == 0
    assert "wrote 25 predictions" in capsys.readouterr().out
    predictions = pd.read_csv(out)
    assert len(predictions) == 25
    pd.testing.assert_series_equal(predictions["bill_length_mm"], frame["bill_length_mm"])
    assert set(predictions["prediction"]) <= {"Adelie", "Chinstrap", "Gentoo"}
    probabilities = predictions[["proba_Adelie", "proba_Chinstrap", "proba_Gentoo"]]
    assert ((probabilities.sum(axis=1) - 1).abs() < 1e-4).all()


def test_predict_accepts_the_experiment_folder_too(penguins_run, new_rows, tmp_path):
    _, path = new_rows
    out = tmp_path / "p.csv"
    assert main(["predict", str(penguins_run["out"]), str(path), "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == 25


def test_missing_column_is_one_line_error_with_a_hint(model_dir, new_rows, tmp_path, capsys):
    frame, _ = new_rows
    path = tmp_path / "renamed.csv"
    frame.rename(columns={"island": "islands"}).to_csv(path, index=False)
    assert main(["predict", str(model_dir), str(path), "-o", str(tmp_path / "o.csv")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "'island'" in error and "islands" in error
    assert not (tmp_path / "o.csv").exists()


def test_extra_column_is_ignored_with_a_note(model_dir, new_rows, tmp_path, capsys):
    frame, _ = new_rows
    path = tmp_path / "extra.csv"
    frame.assign(comment="x").to_csv(path, index=False)
    assert main(["predict", str(model_dir), str(path), "-o", str(tmp_path / "o.csv")]) == 0
    assert "comment" in capsys.readouterr().err


def test_unseen_category_and_missing_values_still_predict(model_dir, new_rows, tmp_path):
    frame, _ = new_rows
    odd = frame.copy()
    odd.loc[0, "island"] = "Atlantis"  # never seen in training: the lookup's OOV slot
    odd.loc[1, "bill_length_mm"] = None
    odd.loc[2, "sex"] = None
    path = tmp_path / "odd.csv"
    odd.to_csv(path, index=False)
    assert main(["predict", str(model_dir), str(path), "-o", str(tmp_path / "o.csv")]) == 0
    assert pd.read_csv(tmp_path / "o.csv")["prediction"].notna().all()


def test_text_in_a_numeric_column_is_refused(model_dir, new_rows, tmp_path, capsys):
    frame, _ = new_rows
    bad = frame.astype({"body_mass_g": "object"})
    bad.loc[3, "body_mass_g"] = "heavy"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    assert main(["predict", str(model_dir), str(path), "-o", str(tmp_path / "o.csv")]) == 2
    error = capsys.readouterr().err
    assert "body_mass_g" in error and "heavy" in error and "row 4" in error


def test_a_folder_without_a_model_is_refused(tmp_path, new_rows, capsys):
    _, path = new_rows
    assert main(["predict", str(tmp_path), str(path)]) == 2
    assert "not an exported model" in capsys.readouterr().err
