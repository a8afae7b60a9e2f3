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


# ---------------------------------------------------------------------------- small data


def test_linear_table_has_three_classes_and_no_missing_values():
    frame = gen_tables.make_table_linear(150, noise=0.5, seed=0)
    assert frame.equals(gen_tables.make_table_linear(150, noise=0.5, seed=0))
    assert not frame.equals(gen_tables.make_table_linear(150, noise=0.5, seed=1))
    assert frame.shape == (150, 8)
    assert set(frame["grade"]) == {"A", "B", "C"}
    assert frame["grade"].value_counts().min() >= 30  # about balanced
    assert not frame.isna().any().any()


@pytest.mark.parametrize(
    ("make", "classes"),
    [
        (gen_series.make_series_local, gen_series.LOCAL_CLASSES),
        (gen_series.make_series_frequencies, gen_series.FREQUENCY_CLASSES),
    ],
)
def test_small_series_are_deterministic_and_balanced(make, classes):
    X, y = make(60, 64, seed=3)
    X2, y2 = make(60, 64, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(60, 64, seed=4)[0])
    assert X.shape == (60, 64, 1) and X.dtype == np.float32 and not np.isnan(X).any()
    values, counts = np.unique(y, return_counts=True)
    assert sorted(values) == sorted(classes) and set(counts) == {20}


def test_local_motif_sits_at_different_places():
    X, y = gen_series.make_series_local(30, 96, seed=0)
    peaks = np.abs(X[:, :, 0] - np.median(X[:, :, 0], axis=1, keepdims=True)).argmax(axis=1)
    assert np.ptp(peaks) > 40  # not a fixed position: shift invariance is what is tested


SMALL_SETS = [name for name, spec in generators.GENERATED.items() if spec.small]

#: Rows our search splits off to train and validate on, per small set (the issue's sizes).
SMALL_FIT_ROWS = {"table": (60, 300), "series": (20, 60), "text": (100, 150), "image": (60, 80)}


def test_small_sets_cover_every_kind_and_are_only_small():
    kinds = {generators.GENERATED[name].modality for name in SMALL_SETS}
    assert kinds == {"table", "series", "image", "text", "forecast"}
    assert not any(generators.GENERATED[name].quick for name in SMALL_SETS)
    assert all(generators.GENERATED[name].description for name in SMALL_SETS)


@pytest.mark.parametrize("name", SMALL_SETS)
def test_small_sets_are_written_in_the_cli_forms_and_sized(tmp_path, name):
    from automl.search.request import SearchRequest
    from automl.search.run import prepare

    spec = generators.GENERATED[name]
    path = generators.write_set(spec, tmp_path)
    suffix = {"table": ".csv", "text": ".csv", "forecast": ".csv", "series": ".npz"}
    assert path.suffix == suffix.get(spec.modality, "")  # images: a folder of class folders
    if spec.modality == "forecast":
        return  # windows are cut by the search; test_written_sets_load_as_their_modality
    request = SearchRequest(
        data=path, target=spec.target, out=tmp_path / "experiment", options=spec.search_options
    )
    prepared = prepare(request)
    assert prepared.modality == spec.modality
    fit_rows = len(prepared.splits.train) + len(prepared.splits.validation)
    low, high = SMALL_FIT_ROWS[spec.modality]
    assert low <= fit_rows <= high
    if spec.modality == "image":
        counts = [len(list((path / c).glob("*.png"))) for c in prepared.class_names]
        assert counts == [20] * len(counts)
    if spec.modality == "text":
        assert fit_rows + len(prepared.splits.test) == 150


def _args(*argv: str):
    import search_quality

    return search_quality.parse_args([*argv, "--out", "unused"])


def test_small_option_picks_exactly_the_small_sets():
    import sq_sets

    assert sq_sets.choose_sets(_args("--small")) == SMALL_SETS
    quick = sq_sets.choose_sets(_args("--quick"))
    assert sq_sets.choose_sets(_args("--quick", "--small")) == quick + SMALL_SETS
    default = sq_sets.choose_sets(_args())
    assert not set(default) & set(SMALL_SETS) and len(default) == 16
    assert sq_sets.choose_sets(_args("--only", f"{SMALL_SETS[0]},penguins")) == [
        "penguins",
        SMALL_SETS[0],
    ]
    listing = sq_sets.list_sets().splitlines()
    assert sum(line.endswith("[--small]") for line in listing) == len(SMALL_SETS)


# ------------------------------------------------------------- the summary, on fake results


def _result(name: str, ours: float, *, kt=None, ref=None, baselines=None, guard=None):
    from sq_children import SetResult
    from sq_sets import BenchmarkSet

    rows = {
        "ours": {
            "metrics": {"accuracy": ours},
            "metric": "accuracy",
            "direction": "max",
            "n_test": 20,
            "trials": 5,
            "epochs": 50,
            **(guard or {}),
        }
    }
    if kt is not None:
        rows["keras_tuner"] = {"metrics": {"accuracy": kt}}
    if ref is not None:
        rows["reference"] = {"metrics": {"accuracy": ref}}
    if baselines is not None:
        rows["baselines"] = {
            "baselines": {k: {"metrics": {"accuracy": v}} for k, v in baselines.items()}
        }
    return SetResult(BenchmarkSet(name, "table", "x.csv", "y"), rows)


def test_verdict_against_the_best_baseline_allows_one_test_example():
    from sq_compare import best_baseline, verdict

    result = _result("a", 0.80, baselines={"1-nearest neighbour": 0.70, "logistic": 0.85})
    assert best_baseline(result) == ("logistic", 0.85)
    assert verdict(result, "baselines")[0] == "matches"  # 1 of 20 test rows behind
    assert verdict(_result("b", 0.75, baselines={"logistic": 0.85}), "baselines")[0] == "loses"
    assert verdict(_result("c", 0.90, baselines={"logistic": 0.85}), "baselines")[0] == "beats"
    assert verdict(_result("d", 0.90), "baselines")[0] == "n/a"


def _guard(exported: str, message: str, engine: float | None) -> dict:
    engine_row = None if engine is None else {"name": "linear", "metrics": {"accuracy": engine}}
    return {"exported": exported, "guard_message": message, "engine_baseline": engine_row}


def test_guard_report_says_what_was_exported_and_counts_sets_below_the_engine_baseline():
    from sq_guard_report import below_engine_baseline, exported_kind, issue13_lines

    beaten = _result(
        "linear-small",
        0.85,
        kt=0.60,
        ref=0.80,
        baselines={"logistic regression": 0.85},
        guard=_guard("baseline: linear", "no searched network beat the linear baseline", 0.85),
    )
    worse = _result(
        "series-small",
        0.70,
        kt=0.50,
        ref=0.90,
        baselines={"1-nearest neighbour": 0.60},
        guard=_guard("best trial", "the best trial beats the best baseline", 0.80),
    )
    assert exported_kind(beaten) == "baseline" and exported_kind(worse) == "searched"
    assert below_engine_baseline(beaten)[0] is False  # equal is not below
    below, how = below_engine_baseline(worse)
    assert below is True and "-2 test examples" in how
    assert below_engine_baseline(_result("old", 0.9))[0] is None  # no guard in the row

    lines = issue13_lines([beaten, worse], ["ours", "keras_tuner", "reference", "baselines"])
    text = "\n".join(lines)
    assert "linear-small: exported baseline: linear; guard: no searched network" in text
    assert "against the engine's best baseline on the test rows: not below" in text
    assert "series-small: exported best trial" in text
    # series-small loses to the reference network (4 test examples): 1 of 2 sets.
    assert (
        "together on 1/2 (issue 13's target on small data: 2/2): NOT met; not on: series-small"
        in text
    )
    assert lines[-1] == (
        "exported model strictly below the engine's own best baseline on the test rows: "
        "1/2 sets (target 0): NOT met; on: series-small"
    )


def test_summary_prints_the_baseline_and_guard_columns():
    import argparse

    from sq_report import summary_report

    result = _result(
        "linear-small",
        0.85,
        kt=0.60,
        ref=0.85,
        baselines={"logistic regression": 0.85},
        guard=_guard("baseline: linear", "no searched network beat the linear baseline", 0.85),
    )
    args = argparse.Namespace(
        systems=["ours", "keras_tuner", "reference", "baselines"], autokeras_python=None
    )
    text = summary_report([result], args)
    header = text.splitlines()[1]
    assert "vs BL" in header and "exported" in header and "< engine BL" in header
    row = text.splitlines()[3]
    cells = row.split()
    assert cells[cells.index("regression") + 1 :][:3] == ["matches", "baseline", "no"]
    assert "ours matches or beats the best scikit-learn baseline" in text
    assert "on 1/1 (target 1/1): met" in text


def test_series_baseline_features_are_z_normalised_and_k_is_chosen_by_inner_cv():
    import sq_baselines

    series = np.arange(24, dtype=np.float32).reshape(3, 8, 1) * np.array([1, 5, -2])[:, None, None]
    series[0, 6:] = np.nan  # padding reads as 0 once scaled
    flat = sq_baselines.z_normalised(series)
    assert flat.shape == (3, 8) and not np.isnan(flat).any()
    np.testing.assert_allclose(flat[1], flat[2] * -1, atol=1e-9)  # level and scale are gone
    model = sq_baselines.neighbours_by_cv(True, np.array([0] * 4 + [1] * 20))
    assert model.cv.get_n_splits() == 4  # no more folds than the smallest class has rows
    assert max(model.param_grid["n_neighbors"]) <= 18


def test_guard_watch_restores_the_engine_and_rows_without_a_pool_say_so():
    import importlib

    import sq_guard

    guard_module = importlib.import_module("automl.search.baseline_guard")

    original = guard_module.guard_outcome
    with sq_guard.guard_watch() as seen:
        assert guard_module.guard_outcome is not original
    assert guard_module.guard_outcome is original and seen == {}
    summary = {"exported": "best trial", "baseline_guard": {"message": "m"}}
    row = sq_guard.guard_row(summary, seen)
    assert row == {
        "exported": "best trial",
        "guard_message": "m",
        "beaten_by_baseline": None,
        "engine_baseline": None,
    }
