"""Series, forecasts and free text end to end: search, export, reload, predict, bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli


def _shapes(rng: np.random.Generator, n: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Two classes a model must read in order: a bump early or late in the series."""
    t = np.arange(steps)
    labels = rng.integers(0, 2, n)
    centres = np.where(labels == 0, steps * 0.25, steps * 0.75) + rng.normal(0, 1, n)
    x = np.exp(-((t[None, :] - centres[:, None]) ** 2) / 8) + rng.normal(0, 0.1, (n, steps))
    return x[:, :, None].astype(np.float32), np.where(labels == 0, "early", "late")


@pytest.fixture(scope="module")
def series_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("series")
    rng = np.random.default_rng(0)
    x, y = _shapes(rng, 120, 24)
    x[::7, 18:] = np.nan  # some shorter series, padded at the end
    np.savez(folder / "train.npz", X=x, y=y)
    new_x, _ = _shapes(rng, 10, 24)
    np.savez(folder / "new.npz", X=new_x)
    return folder


@pytest.fixture(scope="module")
def series_run(series_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "series"
    done = run_cli(
        "search",
        str(series_files / "train.npz"),
        "--out",
        str(out),
        "--families",
        "conv1d,lstm",
        "--max-trials",
        "2",
        "--epochs",
        "6",
        "--seed",
        "3",
    )
    return out, done


def test_an_npz_of_series_is_searched_exported_and_predicted(series_run, series_files):
    out, done = series_run
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["modality"] == "series"
    assert summary["class_names"] == ["early", "late"]
    assert "1-nearest neighbour" in summary["baselines"]
    assert "baseline (1-nearest neighbour)" in done.stdout
    families = {t["hyperparameters"].get("family") for t in summary["leaderboard"]}
    assert families <= {"conv1d", "lstm"} and families
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert metadata["parity"]["max_abs_diff"] < 1e-5
    assert metadata["inputs"][0]["input_name"] == "series"

    predicted = out / "predictions.csv"
    new = str(series_files / "new.npz")
    done = run_cli("predict", str(out / "model"), new, "-o", str(predicted))
    assert done.returncode == 0, done.stderr[-2000:]
    frame = pd.read_csv(predicted)
    assert list(frame.columns) == ["series", "prediction", "proba_early", "proba_late"]
    assert len(frame) == 10 and set(frame["prediction"]) <= {"early", "late"}


def test_the_series_saved_model_takes_any_length(series_run):
    import tensorflow as tf

    out, _ = series_run
    serve = tf.saved_model.load(str(out / "model" / "saved_model" / "1")).signatures[
        "serving_default"
    ]
    output = serve(series=tf.zeros([3, 40, 1]))
    assert output["probabilities"].shape == (3, 2)


@pytest.fixture(scope="module")
def forecast_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forecast")
    t = np.arange(240)
    rng = np.random.default_rng(1)
    values = 10 + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, len(t))
    frame = pd.DataFrame({"month": t, "sales": values})
    frame.to_csv(folder / "sales.csv", index=False)
    frame.tail(30).to_csv(folder / "recent.csv", index=False)
    return folder


def test_a_forecast_beats_or_meets_the_naive_baseline_and_predicts_h1_to_hH(
    forecast_files, tmp_path
):
    out = tmp_path / "forecast"
    done = run_cli(
        "search",
        str(forecast_files / "sales.csv"),
        "--target",
        "sales",
        "--time-column",
        "month",
        "--lookback",
        "12",
        "--horizon",
        "3",
        "--families",
        "conv1d",
        "--max-trials",
        "1",
        "--epochs",
        "30",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["modality"] == "forecast" and summary["metric"] == "mae"
    naive = summary["baselines"]["naive last value"]["mae"]
    assert summary["test_metrics"]["mae"] < naive
    assert "baseline (naive last value)" in done.stdout
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert metadata["parity"]["max_abs_diff"] < 1e-5 and metadata["outputs"] == ["forecast"]

    predicted = tmp_path / "forecast.csv"
    done = run_cli("predict", str(out), str(forecast_files / "recent.csv"), "-o", str(predicted))
    assert done.returncode == 0, done.stderr[-2000:]
    frame = pd.read_csv(predicted)
    assert list(frame.columns) == ["month", "h1", "h2", "h3"]
    assert len(frame) == 30 - 12 + 1  # every origin with a full lookback
    assert frame["month"].iloc[-1] == 239


def test_free_text_is_searched_with_a_sequence_family_and_served_raw(tmp_path):
    rng = np.random.default_rng(2)
    good = ["great", "lovely", "excellent", "fine", "superb"]
    bad = ["awful", "poor", "terrible", "broken", "bad"]
    filler = ["the", "product", "was", "really", "quite", "and", "delivery"]
    rows = []
    for i in range(160):
        label = "pos" if i % 2 else "neg"
        words = list(rng.choice(filler, 6)) + [rng.choice(good if label == "pos" else bad)]
        rng.shuffle(words)
        rows.append({"review": " ".join(words), "label": label})
    pd.DataFrame(rows).to_csv(tmp_path / "reviews.csv", index=False)
    out = tmp_path / "text"
    done = run_cli(
        "search",
        str(tmp_path / "reviews.csv"),
        "--target",
        "label",
        "--families",
        "conv1d",
        "--max-trials",
        "1",
        "--epochs",
        "8",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["modality"] == "text"
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert metadata["parity"]["max_abs_diff"] < 1e-5
    assert metadata["inputs"][0]["dtype"] == "string"
    pd.DataFrame({"review": ["the product was superb", "awful and broken"]}).to_csv(
        tmp_path / "new.csv", index=False
    )
    done = run_cli("predict", str(out), str(tmp_path / "new.csv"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "prediction" in done.stdout.splitlines()[0]


def test_long_and_one_series_per_row_csvs_are_read_as_series(tmp_path):
    rng = np.random.default_rng(4)
    x, y = _shapes(rng, 40, 12)
    long = pd.DataFrame(
        [
            {"id": f"s{i}", "t": t, "value": float(x[i, t, 0]), "label": y[i]}
            for i in range(len(x))
            for t in range(12)
        ]
    )
    long.sample(frac=1, random_state=0).to_csv(tmp_path / "long.csv", index=False)
    done = run_cli(
        "search",
        str(tmp_path / "long.csv"),
        "--target",
        "label",
        "--id-column",
        "id",
        "--time-column",
        "t",
        "--families",
        "rnn",
        "--max-trials",
        "1",
        "--epochs",
        "2",
        "--out",
        str(tmp_path / "long"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((tmp_path / "long" / "summary.json").read_text())
    assert summary["modality"] == "series" and summary["rows"]["train"] > 0
    done = run_cli("predict", str(tmp_path / "long"), str(tmp_path / "long.csv"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[0].startswith("id,prediction")

    wide = pd.DataFrame(x[:, :, 0], columns=[f"t{i}" for i in range(12)])
    wide["label"] = y
    wide.to_csv(tmp_path / "wide.csv", index=False)
    done = run_cli(
        "search",
        str(tmp_path / "wide.csv"),
        "--target",
        "label",
        "--series-per-row",
        "--families",
        "conv1d",
        "--max-trials",
        "1",
        "--epochs",
        "2",
        "--out",
        str(tmp_path / "wide"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads((tmp_path / "wide" / "summary.json").read_text())["modality"] == "series"


def _bad(args: list[str]) -> str:
    done = run_cli("search", *args, timeout=120)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    error = [line for line in done.stderr.splitlines() if line.startswith("automl: error:")]
    assert len(error) == 1, done.stderr[-2000:]
    return error[0]


def test_bad_series_input_gets_one_line_and_exit_2(tmp_path, forecast_files):
    np.savez(tmp_path / "short_y.npz", X=np.zeros((10, 5, 1)), y=np.arange(7) % 2)
    assert "y" in _bad([str(tmp_path / "short_y.npz"), "--out", str(tmp_path / "a")])
    np.savez(tmp_path / "no_x.npz", data=np.zeros((10, 5)))
    assert "X" in _bad([str(tmp_path / "no_x.npz"), "--out", str(tmp_path / "b")])
    np.savez(tmp_path / "one_class.npz", X=np.zeros((10, 5, 1)), y=np.ones(10))
    assert "single class" in _bad([str(tmp_path / "one_class.npz"), "--out", str(tmp_path / "c")])
    message = _bad(
        [
            str(forecast_files / "sales.csv"),
            "--target",
            "sales",
            "--lookback",
            "500",
            "--horizon",
            "3",
            "--out",
            str(tmp_path / "d"),
        ]
    )
    assert "lookback" in message
    message = _bad(
        [str(tmp_path / "short_y.npz"), "--families", "transformer", "--out", str(tmp_path / "e")]
    )
    assert "transformer" in message
    pd.DataFrame({"review": ["", " ", None, ""] * 5, "label": ["a", "b"] * 10}).to_csv(
        tmp_path / "empty_text.csv", index=False
    )
    _bad([str(tmp_path / "empty_text.csv"), "--target", "label", "--out", str(tmp_path / "f")])
    for name in "abcdef":
        assert not (tmp_path / name).exists()
