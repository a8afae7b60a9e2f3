"""The benchmark's data generators: seeded, well-formed, written in forms the engine reads."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import gen_images  # noqa: E402
import gen_series  # noqa: E402
import gen_tables  # noqa: E402
import gen_text  # noqa: E402
import generators  # noqa: E402


def test_tables_are_deterministic_and_shaped():
    first = gen_tables.make_table_mixed(120, noise=0.5, seed=3)
    again = gen_tables.make_table_mixed(120, noise=0.5, seed=3)
    other = gen_tables.make_table_mixed(120, noise=0.5, seed=4)
    assert first.equals(again)
    assert not first.equals(other)
    assert first.shape == (120, 10)
    assert set(first["band"]) == {"low", "mid", "high"}
    assert first["age"].isna().any()  # missing values are part of the set

    fraud = gen_tables.make_table_imbalanced(2000, positive_share=0.08, seed=0)
    share = (fraud["fraud"] == "yes").mean()
    assert 0.05 < share < 0.12

    prices = gen_tables.make_table_regression(50, noise=1.0, seed=0)
    assert prices["price"].dtype.kind == "f" and not prices["price"].isna().any()


@pytest.mark.parametrize("difficulty", ["easy", "hard"])
def test_series_are_deterministic_balanced_and_padded_at_the_end(difficulty):
    X, y = gen_series.make_series_patterns(100, 40, difficulty, seed=1)
    X2, y2 = gen_series.make_series_patterns(100, 40, difficulty, seed=1)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert X.shape == (100, 40, 1) and X.dtype == np.float32
    _, counts = np.unique(y, return_counts=True)
    assert sorted(set(y)) == sorted(gen_series.SERIES_CLASSES) and set(counts) == {20}
    missing = np.isnan(X[:, :, 0])
    # NaN only as padding: once a series ends it stays ended.
    assert not (missing[:, :-1] & ~missing[:, 1:]).any()
    assert missing.any() == (difficulty == "hard")


@pytest.mark.parametrize(("difficulty", "channels", "classes"), [("easy", 1, 4), ("hard", 3, 5)])
def test_images_are_deterministic_and_shaped(difficulty, channels, classes):
    images, labels = gen_images.make_shape_images(20, 16, difficulty, seed=2)
    again, _ = gen_images.make_shape_images(20, 16, difficulty, seed=2)
    np.testing.assert_array_equal(images, again)
    assert images.shape == (20, 16, 16, channels) and images.dtype == np.uint8
    assert len(set(labels)) == classes
    assert images.std() > 10  # shapes, not a blank canvas


def test_reviews_are_deterministic_with_both_labels():
    reviews = gen_text.make_reviews(200, "hard", seed=5)
    assert reviews.equals(gen_text.make_reviews(200, "hard", seed=5))
    assert set(reviews["sentiment"]) == {"positive", "negative"}
    assert reviews["review"].str.split().str.len().min() >= 4  # the engine reads it as text


#: Small stand-ins per modality: (maker, target, extra search options).
SMALL = {
    "table": (lambda: gen_tables.make_table_mixed(60, 0.5, 0), "band", {}),
    "series": (lambda: gen_series.make_series_patterns(50, 24, "hard", 0), "", {}),
    "image": (lambda: gen_images.make_shape_images(24, 16, "hard", 0), "", {}),
    "text": (lambda: gen_text.make_reviews(60, "easy", 0), "sentiment", {}),
    "forecast": (
        lambda: gen_series.make_seasonal_series(120, 1.0, 0),
        "value",
        {"lookback": 12, "horizon": 3, "time_column": "t"},
    ),
}


@pytest.mark.parametrize("modality", sorted(SMALL))
def test_written_sets_load_as_their_modality(tmp_path, modality):
    from automl.search.request import SearchRequest
    from automl.search.run import prepare

    make, target, options = SMALL[modality]
    spec = generators.GeneratedSet(f"small-{modality}", modality, "", make, target)
    path = generators.write_set(spec, tmp_path)
    request = SearchRequest(data=path, target=target, out=tmp_path / "experiment", options=options)
    assert prepare(request).modality == modality


def test_registered_sets_cover_every_modality_and_write_the_same_bytes(tmp_path):
    quick = [spec.modality for spec in generators.GENERATED.values() if spec.quick]
    assert sorted(quick) == ["image", "series", "table", "text"]
    assert {spec.modality for spec in generators.GENERATED.values()} == set(SMALL)
    spec = generators.GENERATED["gen-series-patterns"]
    first = generators.write_set(spec, tmp_path / "a")
    second = generators.write_set(spec, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
