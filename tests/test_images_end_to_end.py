"""Image folders end to end: search, export that takes encoded bytes, predict, bad input."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT, run_cli
from tests.test_image_pixel_limit import bomb_png

DIGITS = ROOT / "assets" / "samples" / "digits"


@pytest.fixture(scope="module")
def small_digits(tmp_path_factory):
    """Three digit classes, 60 images each: enough to learn, fast to search."""
    root = tmp_path_factory.mktemp("digits") / "three"
    for digit in ("0", "1", "7"):
        (root / digit).mkdir(parents=True)
        for path in sorted((DIGITS / digit).glob("*.png"))[:60]:
            shutil.copy(path, root / digit / path.name)
    (root / "0" / "notes.txt").write_text("not an image")
    bomb_png(root / "1" / "0005_bomb.png")  # 8000x6000 in 50 kB, among the class's images
    return root


@pytest.fixture(scope="module")
def image_run(small_digits, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "digits"
    done = run_cli(
        "search",
        str(small_digits),
        "--out",
        str(out),
        "--max-trials",
        "1",
        "--epochs",
        "15",
        "--seed",
        "2",
    )
    return out, done


def test_an_image_folder_is_searched_without_a_target(image_run):
    out, done = image_run
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["modality"] == "image" and summary["class_names"] == ["0", "1", "7"]
    assert summary["test_metrics"]["accuracy"] > 0.6
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert metadata["parity"]["max_abs_diff"] < 1e-5
    assert metadata["image"] == {"size": [8, 8], "channels": 1}


def test_the_saved_model_takes_encoded_images_and_arrays(image_run, small_digits):
    import tensorflow as tf

    out, _ = image_run
    loaded = tf.saved_model.load(str(out / "model" / "saved_model" / "1"))
    png = small_digits / "7" / sorted(p.name for p in (small_digits / "7").glob("*.png"))[0]
    by_bytes = loaded.signatures["serving_default"](image_bytes=tf.constant([png.read_bytes()]))
    assert by_bytes["label"].numpy()[0].decode() in {"0", "1", "7"}
    pixels = tf.io.decode_png(png.read_bytes(), channels=1)
    bigger = tf.image.resize(tf.cast(pixels, tf.float32)[None], (32, 32))  # any size works
    by_array = loaded.signatures["serve_array"](images=bigger)
    np.testing.assert_allclose(by_array["probabilities"].numpy().sum(), 1.0, rtol=1e-5)


def test_predict_writes_one_row_per_image_and_survives_a_corrupt_file(
    image_run, small_digits, tmp_path
):
    out, _ = image_run
    new = tmp_path / "new"
    new.mkdir()
    for path in sorted((small_digits / "1").glob("*.png"))[:5]:
        shutil.copy(path, new / path.name)
    (new / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    result = tmp_path / "p.csv"
    done = run_cli("predict", str(out / "model"), str(new), "-o", str(result))
    assert done.returncode == 0, done.stderr[-2000:]
    predictions = pd.read_csv(result, keep_default_na=False)
    assert len(predictions) == 6
    assert set(predictions.columns) == {"path", "prediction", "proba_0", "proba_1", "proba_7"}
    assert (
        predictions.loc[predictions["path"].str.endswith("broken.png"), "prediction"].iloc[0] == ""
    )
    assert "could not be decoded" in done.stderr


def test_a_search_skips_and_counts_an_image_over_the_pixel_limit(image_run, small_digits):
    out, done = image_run
    assert done.returncode == 0, done.stderr[-2000:]
    images = json.loads((out / "experiment.json").read_text())["images"]
    assert images["files"] == 180 and images["skipped"] == 2  # notes.txt and the bomb
    bomb = [str(small_digits / "1" / "0005_bomb.png"), "over the 40-megapixel limit (8000x6000)"]
    assert bomb in images["skipped_examples"]


def test_the_exported_decode_refuses_an_image_over_the_pixel_limit(image_run, tmp_path):
    import tensorflow as tf

    out, _ = image_run
    serve = tf.saved_model.load(str(out / "model" / "saved_model" / "1"))
    bomb = bomb_png(tmp_path / "big.png").read_bytes()
    with pytest.raises(tf.errors.InvalidArgumentError, match="40-megapixel limit"):
        serve.signatures["serving_default"](image_bytes=tf.constant([bomb]))


def test_predict_gives_an_image_over_the_pixel_limit_an_empty_prediction(image_run, tmp_path):
    out, _ = image_run
    new = tmp_path / "new"
    new.mkdir()
    for path in sorted((DIGITS / "7").glob("*.png"))[:3]:
        shutil.copy(path, new / path.name)
    bomb_png(new / "big.png")
    result = tmp_path / "p.csv"
    done = run_cli("predict", str(out / "model"), str(new), "-o", str(result))
    assert done.returncode == 0, done.stderr[-2000:]
    predictions = pd.read_csv(result, keep_default_na=False)
    assert len(predictions) == 4
    big = predictions["path"].str.endswith("big.png")
    assert predictions.loc[big, "prediction"].iloc[0] == ""
    assert (predictions.loc[~big, "prediction"] != "").all()
    assert "1 image(s) are over the 40-megapixel limit" in done.stderr
    assert "could not be decoded" not in done.stderr


@pytest.mark.parametrize("layout", ["empty class", "one class", "no images"])
def test_bad_image_folders_are_one_line_errors(layout, tmp_path):
    root = tmp_path / "images"
    (root / "cat").mkdir(parents=True)
    shutil.copy(next(DIGITS.glob("0/*.png")), root / "cat" / "a.png")
    if layout == "empty class":
        (root / "dog").mkdir()
    elif layout == "no images":
        (root / "cat" / "a.png").unlink()
        (root / "cat" / "a.txt").write_text("text")
        (root / "dog").mkdir()
        (root / "dog" / "b.txt").write_text("text")
    out = tmp_path / "out"
    done = run_cli("search", str(root), "--out", str(out))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("automl: error:")
    assert not out.exists()


def test_a_local_backbone_weights_file_adds_the_transfer_family(small_digits, tmp_path):
    import keras

    weights = tmp_path / "mobilenet_v2_notop.weights.h5"
    keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg"
    ).save_weights(weights)
    out = tmp_path / "transfer"
    done = run_cli(
        "search",
        str(small_digits),
        "--out",
        str(out),
        "--backbone-weights",
        str(weights),
        "--families",
        "transfer",
        "--max-trials",
        "1",
        "--epochs",
        "2",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert "fine_tune_layers" in metadata["hyperparameters"]
    assert metadata["parity"]["max_abs_diff"] < 1e-5

    proposals = run_cli("propose", str(small_digits), "--backbone-weights", str(weights))
    assert proposals.returncode == 0, proposals.stderr[-2000:]
    assert "Transfer" in proposals.stdout

    missing = run_cli(
        "search",
        str(small_digits),
        "--out",
        str(tmp_path / "x"),
        "--backbone-weights",
        str(tmp_path / "nope.h5"),
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr
    no_weights = run_cli(
        "search",
        str(small_digits),
        "--out",
        str(tmp_path / "y"),
        "--families",
        "transfer",
    )
    assert no_weights.returncode == 2 and "--backbone-weights" in no_weights.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
