"""`automl explain` on an image folder and a forecast: the files each kind writes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from automl.cli import main

pytestmark = pytest.mark.slow  # each test trains a model in a tiny search

ROOT_SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "assets" / "samples"


def _shapes_folder(path, count=40, size=16):
    rng = np.random.default_rng(0)
    for i in range(count):
        label = ("square", "blank")[i % 2]
        pixels = rng.integers(0, 20, (size, size), dtype=np.uint8)
        if label == "square":
            top, left = rng.integers(0, size - 6, 2)
            pixels[top : top + 6, left : left + 6] = 255
        (path / label).mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(path / label / f"{i}.png")
    return path


def test_images_get_a_map_per_class_overlays_and_a_faithfulness_check(tmp_path, capsys):
    data = _shapes_folder(tmp_path / "shapes")
    exp, out = tmp_path / "exp", tmp_path / "out"
    assert (
        main(
            [
                "search",
                str(data),
                "--out",
                str(exp),
                "--project",
                str(tmp_path),
                "--max-trials",
                "1",
                "--epochs",
                "3",
                "--no-cv",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["explain", str(exp), str(data), "--out", str(out), "--rows", "0,1"]) == 0
    table = pd.read_csv(out / "importance.csv")
    assert list(table.columns) == ["feature", "importance", "spread"]
    assert set(table["feature"]) <= {"square", "blank"} and len(table) >= 1
    record = json.loads((out / "explain.json").read_text())
    faithfulness = record["checks"]["faithfulness"]
    assert faithfulness["blurred_share"] == 0.1
    assert record["checks"]["keras_vs_savedmodel"] <= 1e-4
    for name in table["feature"]:
        assert (out / f"map_{name}.png").exists()
    for row in (0, 1):
        with Image.open(out / f"row_{row}.png") as overlay:
            assert overlay.mode == "RGB" and overlay.size[0] >= 16
    assert [r["row"] for r in record["rows"]] == [0, 1]


def test_forecasts_rank_lags_per_horizon_step(tmp_path, capsys):
    data = ROOT_SAMPLES / "sunspots.csv"
    exp, out = tmp_path / "exp", tmp_path / "out"
    assert (
        main(
            [
                "search",
                str(data),
                "--target",
                "sunspots",
                "--time-column",
                "year",
                "--lookback",
                "12",
                "--horizon",
                "3",
                "--out",
                str(exp),
                "--project",
                str(tmp_path),
                "--max-trials",
                "1",
                "--epochs",
                "3",
                "--no-cv",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["explain", str(exp), str(data), "--out", str(out), "--rows", "5"]) == 0
    table = pd.read_csv(out / "importance.csv")
    lags = {f"lag {k}" for k in range(-12, 0)}
    assert lags <= set(table["feature"]) and "channel sunspots" in set(table["feature"])
    record = json.loads((out / "explain.json").read_text())
    assert set(record["by_output"]) == {"h1", "h2", "h3"}
    completeness = record["checks"].get("completeness")
    if completeness is not None:  # a model with gradients: the stated tolerance holds
        assert completeness["within"], completeness
    strip = pd.read_csv(out / "series.csv")
    assert list(strip["row"].unique()) == [5] and len(strip) == 12
