"""Series and forecasting data: every layout, windows without leakage, and users' mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl.errors import AutoMLError
from automl.modalities.forecast_data import ForecastData, load_forecast
from automl.modalities.forecast_windows import chronological_split, make_windows, naive_forecast
from automl.modalities.series_arrays import label_file_names, pad_series
from automl.modalities.series_data import is_sequence_file, load_sequences
from automl.modalities.series_tables import looks_like_series_per_row

SAMPLES = Path(__file__).resolve().parents[1] / "assets" / "samples"


def bad(match: str):
    """Expects an AutoMLError whose one-line message contains `match`."""
    return pytest.raises(AutoMLError, match=match)


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def write_csv(path: Path, rows: dict) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# --- bundled samples ---------------------------------------------------------------------


def test_the_shapes_sample_is_600_padded_series_of_four_balanced_shapes():
    data = load_sequences(SAMPLES / "shapes.npz")
    assert data.X.shape == (600, 80, 1) and data.X.dtype == np.float32
    assert data.lengths.min() == 60 and data.lengths.max() == 80
    assert dict(zip(*np.unique(data.y, return_counts=True), strict=True)) == {
        "bump": 150,
        "oscillation": 150,
        "ramp": 150,
        "step": 150,
    }
    # Padding is NaN after each series' end, and nowhere else.
    steps = np.arange(80)[None, :]
    assert np.isnan(data.X[:, :, 0][steps >= data.lengths[:, None]]).all()
    assert not np.isnan(data.X[:, :, 0][steps < data.lengths[:, None]]).any()
    assert (SAMPLES / "shapes.npz").stat().st_size < 500_000
    summary = json.loads(json.dumps(data.to_dict()))
    assert summary["samples"] == 600 and summary["form"] == "npz" and summary["padded"] > 500


def test_the_shapes_script_writes_the_same_bytes(tmp_path):
    import runpy

    script = runpy.run_path(str(SAMPLES.parents[1] / "scripts" / "make_shapes_sample.py"))
    X, y = script["make_shapes"]()
    script["write_npz"](tmp_path / "shapes.npz", {"X": X, "y": y})
    assert (tmp_path / "shapes.npz").read_bytes() == (SAMPLES / "shapes.npz").read_bytes()


def test_the_sunspots_sample_is_309_years_windowed_and_split_without_overlap():
    data = load_forecast(SAMPLES / "sunspots.csv", "sunspots", time_column="year")
    assert data.series[0].shape == (309, 1) and data.ids == [None]
    assert data.to_dict()["time_range"] == ["1700", "2008"]
    assert data.series[0][0, 0] == 5.0 and data.series[0][-1, 0] == pytest.approx(2.9)
    train, validation, test = chronological_split(data, lookback=20, horizon=5)
    assert (len(train), len(validation), len(test)) == (161, 58, 58)
    assert train.origin_time[0] == "1719"


# --- sequences: NumPy files --------------------------------------------------------------


def test_npz_two_dimensional_x_is_one_feature_and_nan_tails_are_padding(tmp_path):
    X = np.arange(12, dtype=np.int64).reshape(3, 4).astype(float)
    X[1, 2:] = np.nan
    np.savez(tmp_path / "d.npz", X=X, y=np.array(["a", "b", "a"]))
    data = load_sequences(tmp_path / "d.npz")
    assert data.X.shape == (3, 4, 1) and data.lengths.tolist() == [4, 2, 4]
    assert data.y.tolist() == ["a", "b", "a"] and data.ids.tolist() == [0, 1, 2]
    assert data.to_dict()["padded"] == 1 and data.to_dict()["steps"] == 4
    with pytest.raises(ValueError):
        data.X[0, 0, 0] = 1.0  # frozen data


def test_npz_three_dimensional_x_keeps_its_features(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((5, 7, 3), np.float32), y=np.arange(5.0))
    data = load_sequences(tmp_path / "d.npz")
    assert data.X.shape == (5, 7, 3) and data.feature_names == ("x0", "x1", "x2")
    assert data.y.dtype == np.float64


def test_npz_without_y_loads_for_prediction_only(tmp_path):
    np.savez(tmp_path / "new.npz", X=np.zeros((2, 4)))
    assert load_sequences(tmp_path / "new.npz", require_labels=False).y is None
    with bad("no array named 'y'") as error:
        load_sequences(tmp_path / "new.npz")
    assert "arrays: X" in one_line(error)


def test_npz_without_x_names_the_arrays_it_has(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 4)), labels=np.zeros(2))
    with bad(r"no array named 'X' \(arrays: x, labels\)"):
        load_sequences(tmp_path / "d.npz")


def test_npz_target_names_another_label_array(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((2, 4)), kind=np.array([1, 2]))
    assert load_sequences(tmp_path / "d.npz", target="kind").y.tolist() == [1, 2]
    with bad("no label array 'label'"):
        load_sequences(tmp_path / "d.npz", target="label")


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((3, 4)), np.zeros(2), "3 series but 2 labels"),
        (np.zeros(4), np.zeros(4), r"shape \(4,\); expected \(samples, steps\)"),
        (np.zeros((2, 3, 4, 5)), np.zeros(2), r"shape \(2, 3, 4, 5\)"),
        (np.array([["a", "b"], ["c", "d"]]), np.zeros(2), "X holds text, not numbers"),
        (np.zeros((0, 4)), np.zeros(0), "X is empty"),
        (np.array([[1.0, np.inf], [1.0, 2.0]]), np.zeros(2), "series 0 of X holds an infinite"),
        (np.array([[1.0, 2.0], [np.nan, np.nan]]), np.zeros(2), "series 1 has no values"),
        (np.zeros((2, 3)), np.zeros((2, 2)), r"labels have shape \(2, 2\)"),
    ],
)
def test_npz_bad_arrays_say_what_is_wrong(tmp_path, X, y, message):
    np.savez(tmp_path / "d.npz", X=X, y=y)
    with bad(message) as error:
        load_sequences(tmp_path / "d.npz")
    assert "d.npz" in one_line(error)


def test_pickled_object_arrays_are_refused_with_the_padding_fix(tmp_path):
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = np.zeros(3), np.zeros(5)
    np.savez(tmp_path / "d.npz", X=ragged, y=np.array([0, 1]))
    with bad("object array.*refused.*padded with NaN") as error:
        load_sequences(tmp_path / "d.npz")
    assert "pad_series" in one_line(error)
    np.save(tmp_path / "X.npy", ragged, allow_pickle=True)
    with bad("object array.*refused"):
        load_sequences(tmp_path / "X.npy")


def test_pad_series_pads_ragged_series_at_the_end_and_checks_features():
    X, lengths = pad_series([np.ones((2, 2)), np.ones((3, 2))])
    assert X.shape == (2, 3, 2) and lengths.tolist() == [2, 3] and np.isnan(X[0, 2]).all()
    with bad("series 1 has 3 features but series 0 has 2"):
        pad_series([np.ones((2, 2)), np.ones((3, 3))])


def test_missing_labels_drop_their_series_and_are_counted(tmp_path):
    np.savez(tmp_path / "f.npz", X=np.zeros((4, 3)), y=np.array([1.0, np.nan, 0.0, np.nan]))
    data = load_sequences(tmp_path / "f.npz")
    assert data.y.tolist() == [1.0, 0.0] and data.ids.tolist() == [0, 2]
    assert data.dropped == 2 and data.to_dict()["dropped"] == 2
    np.savez(tmp_path / "s.npz", X=np.zeros((3, 3)), y=np.array(["a", " ", "b"]))
    assert load_sequences(tmp_path / "s.npz").y.tolist() == ["a", "b"]
    np.savez(tmp_path / "none.npz", X=np.zeros((2, 3)), y=np.array([np.nan, np.nan]))
    with bad("every label is missing"):
        load_sequences(tmp_path / "none.npz")
    # Files to predict keep every series.
    assert len(load_sequences(tmp_path / "f.npz", require_labels=False).X) == 4


def test_npy_labels_are_found_beside_the_series(tmp_path):
    np.save(tmp_path / "train_X.npy", np.zeros((3, 5), np.float32))
    np.save(tmp_path / "train_y.npy", np.array([0, 1, 0]))
    data = load_sequences(tmp_path / "train_X.npy")
    assert data.form == "npy" and data.y.tolist() == [0, 1, 0]
    np.save(tmp_path / "labels.npy", np.array([1, 1, 0]))
    assert load_sequences(tmp_path / "train_X.npy", target="labels.npy").y.tolist() == [1, 1, 0]
    assert label_file_names("X.npy") == ["y.npy", "Y.npy"]
    assert label_file_names("x_test.npy") == ["y_test.npy", "Y_test.npy"]
    assert label_file_names("Xylophone.npy") == []


def test_npy_without_labels_says_which_names_were_tried(tmp_path):
    np.save(tmp_path / "X_val.npy", np.zeros((3, 5)))
    with bad("looked beside it for y_val.npy, Y_val.npy; name the labels file with --target"):
        load_sequences(tmp_path / "X_val.npy")
    assert load_sequences(tmp_path / "X_val.npy", require_labels=False).y is None
    with bad("label file nope.npy: no such file"):
        load_sequences(tmp_path / "X_val.npy", target="nope.npy")
    with bad("--target must be the .npy file of labels"):
        load_sequences(tmp_path / "X_val.npy", target="label")
    np.save(tmp_path / "features.npy", np.zeros((3, 5)))
    with bad("its name has no X to swap for y"):
        load_sequences(tmp_path / "features.npy")


def test_table_flags_on_a_numpy_file_are_refused(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((2, 3)), y=np.zeros(2))
    with bad("--id-column is for tables"):
        load_sequences(tmp_path / "d.npz", id_column="id")


def test_unreadable_numpy_files_are_one_line_errors(tmp_path):
    (tmp_path / "d.npz").write_bytes(b"not a zip at all")
    with bad("cannot read it as a NumPy .npz file"):
        load_sequences(tmp_path / "d.npz")
    with bad("no such file"):
        load_sequences(tmp_path / "missing.npz")


def test_is_sequence_file_goes_by_suffix():
    assert is_sequence_file("a.npz") and is_sequence_file("b.NPY")
    assert not is_sequence_file("a.csv") and not is_sequence_file(SAMPLES / "digits")


# --- sequences: long and wide CSVs -------------------------------------------------------


def long_rows() -> dict:
    """Two series, rows shuffled in time; 'b' is shorter."""
    return {
        "sensor": ["a", "a", "b", "a", "b"],
        "t": [2, 0, 1, 1, 0],
        "temp": [2.0, 0.0, 11.0, 1.0, 10.0],
        "load": [0.2, 0.0, 1.1, 0.1, 1.0],
        "label": ["hot", "hot", "cold", "hot", "cold"],
    }


def test_long_csv_groups_by_id_sorts_by_time_and_pads(tmp_path):
    path = write_csv(tmp_path / "long.csv", long_rows())
    data = load_sequences(path, target="label", id_column="sensor", time_column="t")
    assert data.form == "long" and data.feature_names == ("temp", "load")
    assert data.ids.tolist() == ["a", "b"] and data.y.tolist() == ["hot", "cold"]
    assert data.lengths.tolist() == [3, 2]
    assert data.X[0, :, 0].tolist() == [0.0, 1.0, 2.0]
    assert data.X[1, :2, 1].tolist() == pytest.approx([1.0, 1.1]) and np.isnan(data.X[1, 2]).all()


def test_long_csv_orders_dates_and_keeps_file_order_without_a_time_column(tmp_path):
    days = ["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-02", "2024-01-01"]
    rows = long_rows() | {"t": days}
    path = write_csv(tmp_path / "long.csv", rows)
    dated = load_sequences(path, target="label", id_column="sensor", time_column="t")
    assert dated.X[0, :, 0].tolist() == [0.0, 1.0, 2.0]
    unordered = load_sequences(
        write_csv(tmp_path / "plain.csv", {k: v for k, v in rows.items() if k != "t"}),
        target="label",
        id_column="sensor",
    )
    assert unordered.X[0, :, 0].tolist() == [2.0, 0.0, 1.0]


def test_long_csv_label_that_changes_within_a_series_names_the_series(tmp_path):
    rows = long_rows()
    rows["label"][3] = "cold"
    with bad(r"changes within series 'a' \('hot', then 'cold'\)") as error:
        load_sequences(write_csv(tmp_path / "l.csv", rows), target="label", id_column="sensor")
    one_line(error)


def test_long_csv_series_without_a_label_is_dropped(tmp_path):
    rows = long_rows()
    rows["label"] = ["hot", "hot", None, "hot", None]
    data = load_sequences(write_csv(tmp_path / "l.csv", rows), target="label", id_column="sensor")
    assert data.ids.tolist() == ["a"] and data.dropped == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id_column": "sensr"}, r"id column 'sensr' is not in the data \(columns: sensor, t"),
        ({"id_column": "sensor", "time_column": "time"}, "time column 'time' is not in the data"),
        ({"id_column": "sensor", "target": "lable"}, "did you mean 'label'"),
        ({"id_column": "sensor", "target": None}, "name the column with one label"),
        ({}, "give --id-column"),
    ],
)
def test_long_csv_missing_columns_name_the_columns_there(tmp_path, kwargs, message):
    path = write_csv(tmp_path / "l.csv", long_rows())
    kwargs = {"target": "label", **kwargs}
    with bad(message) as error:
        load_sequences(path, **kwargs)
    one_line(error)


def test_long_csv_text_feature_and_repeated_time_are_refused(tmp_path):
    rows = long_rows() | {"note": ["x", "y", "z", "w", "v"]}
    with bad(r"column 'note' is not numeric \(row 1 has 'x'\).*remove it"):
        load_sequences(write_csv(tmp_path / "a.csv", rows), target="label", id_column="sensor")
    rows = long_rows() | {"t": [1, 0, 1, 1, 0]}
    with bad("series 'a' has two rows at t = 1"):
        load_sequences(
            write_csv(tmp_path / "b.csv", rows), target="label", id_column="sensor", time_column="t"
        )


def wide_frame(steps: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(4, steps)), columns=[f"t{i}" for i in range(steps)])
    frame.iloc[1, -3:] = np.nan  # a shorter series
    frame["kind"] = ["up", "down", "up", None]
    return frame


def test_wide_csv_is_one_series_per_row_with_trailing_blanks_shorter(tmp_path):
    path = tmp_path / "wide.csv"
    wide_frame().to_csv(path, index=False)
    data = load_sequences(path, target="kind", series_per_row=True)
    assert data.form == "wide" and data.X.shape == (3, 12, 1)
    assert data.lengths.tolist() == [12, 9, 12] and data.dropped == 1
    assert data.y.tolist() == ["up", "down", "up"] and data.ids.tolist() == [0, 1, 2]
    # A file to predict without the label column still loads.
    wide_frame().drop(columns="kind").to_csv(path, index=False)
    assert load_sequences(path, target="kind", series_per_row=True, require_labels=False).y is None


def test_wide_csv_with_a_text_column_names_it(tmp_path):
    frame = wide_frame()
    frame.insert(0, "name", ["a", "b", "c", "d"])
    frame.to_csv(tmp_path / "w.csv", index=False)
    with bad(r"column 'name' is not numeric.*with --series-per-row every column"):
        load_sequences(tmp_path / "w.csv", target="kind", series_per_row=True)


def test_a_wide_table_without_the_flag_suggests_it(tmp_path):
    frame = wide_frame()
    assert looks_like_series_per_row(frame, "kind")
    assert looks_like_series_per_row(frame.rename(columns=lambda c: c.lstrip("t")), "kind")
    assert not looks_like_series_per_row(frame.iloc[:, 5:], "kind")  # too few steps
    assert not looks_like_series_per_row(frame[[*frame.columns[::-1]]], "kind")  # not in order
    assert not looks_like_series_per_row(pd.read_csv(SAMPLES / "penguins.csv"), "species")
    frame.to_csv(tmp_path / "w.csv", index=False)
    with bad("add --series-per-row"):
        load_sequences(tmp_path / "w.csv", target="kind")


# --- forecasting -------------------------------------------------------------------------


def forecast_rows() -> dict:
    """Two stores, rows out of time order, a text column and a covariate."""
    days = pd.date_range("2024-01-01", periods=30, freq="D").strftime("%Y-%m-%d").tolist()
    return {
        "store": ["a"] * 30 + ["b"] * 30,
        "day": days[::-1] + days,
        "sales": [float(v) for v in range(30)][::-1] + [100.0 + v for v in range(30)],
        "promo": [0, 1] * 30,
        "note": ["x"] * 60,
    }


def test_forecast_series_are_sorted_with_covariates_and_ignored_text(tmp_path):
    path = write_csv(tmp_path / "sales.csv", forecast_rows())
    data = load_forecast(path, "sales", time_column="day", id_column="store")
    assert data.ids == ["a", "b"] and data.feature_names == ("sales", "promo")
    assert data.series[0][:3, 0].tolist() == [0.0, 1.0, 2.0]  # sorted by day
    assert data.series[1].shape == (30, 2) and data.series[1].dtype == np.float32
    assert "not numeric" in data.ignored["note"]
    summary = json.loads(json.dumps(data.to_dict()))
    assert summary["time_range"] == ["2024-01-01", "2024-01-30"]
    assert summary["lengths"] == [30, 30] and summary["covariates"] == ["promo"]


def test_forecast_gaps_are_interpolated_and_unknown_ends_dropped(tmp_path):
    values = [np.nan, 1.0, np.nan, np.nan, 4.0, 5.0, np.nan]
    path = write_csv(tmp_path / "g.csv", {"v": values, "c": [1, None, 3, 4, 5, 6, None]})
    data = load_forecast(path, "v")
    assert data.series[0][:, 0].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert data.series[0][:, 1].tolist() == [3.0, 3.0, 4.0, 5.0, 6.0]  # edges: nearest value
    assert data.interpolated == {"v": 2, "c": 1} and data.dropped_rows == 2
    assert data.times[0].tolist() == [1, 2, 3, 4, 5]  # row positions of the kept rows


def test_windows_line_up_inputs_targets_and_origins():
    values = np.arange(10, dtype=np.float32)[:, None]
    data = ForecastData([values], ("v",), [np.arange(100, 110)], [None], "v", None, None)
    windows = make_windows(data, lookback=3, horizon=2)
    assert windows.X.shape == (6, 3, 1) and windows.y.shape == (6, 2)
    assert windows.X[0, :, 0].tolist() == [0, 1, 2] and windows.y[0].tolist() == [3, 4]
    assert windows.origin.tolist() == [2, 3, 4, 5, 6, 7]
    assert windows.origin_time[0] == "102" and windows.y[-1].tolist() == [8, 9]
    future = make_windows(data, lookback=3, horizon=2, with_targets=False)
    assert future.y is None and len(future) == 8 and future.origin[-1] == 9
    assert naive_forecast(windows.X, 2)[0].tolist() == [2.0, 2.0]


def test_chronological_split_has_no_leakage_between_periods():
    rows = 100
    values = np.arange(rows, dtype=np.float32)[:, None]  # each value is its row
    data = ForecastData(
        [values, values[:60]], ("v",), [np.arange(rows), np.arange(60)], ["a", "b"], "v", None, "s"
    )
    train, validation, test = chronological_split(data, lookback=8, horizon=4)
    for series in (0, 1):
        parts = [w.y[w.series_index == series] for w in (train, validation, test)]
        assert all(len(p) for p in parts)
        # Every training target precedes every validation target, which precede every test one.
        assert parts[0].max() < parts[1].min() and parts[1].max() < parts[2].min()
        # No target value is a target in two splits.
        sets = [set(p.ravel().tolist()) for p in parts]
        assert not (sets[0] & sets[1]) and not (sets[1] & sets[2])
    # Inputs may reach back into earlier periods: the past is known when forecasting.
    assert validation.X[0, 0, 0] < train.y.max()
    assert len(chronological_split(data, 8, 4, test_fraction=0)[2]) == 0


def test_lookback_longer_than_the_series_gives_the_lengths(tmp_path):
    path = write_csv(tmp_path / "s.csv", {"id": ["a"] * 40, "v": np.arange(40.0)})
    data = load_forecast(path, "v", id_column="id")
    with bad(r"--lookback 50 \+ --horizon 5 needs at least 55 rows per series; series 'a' has 40"):
        make_windows(data, 50, 5)
    with bad(r"--lookback 50 needs at least 50 rows per series"):
        make_windows(data, 50, 5, with_targets=False)
    with bad(r"--lookback 30 \+ --horizon 5 needs at least \d+ rows per series to train, valid"):
        chronological_split(data, 30, 5)
    with bad("only 7 training windows"):
        chronological_split(data, 14, 4)
    with bad("--horizon must be a whole number of steps, at least 1, not 0"):
        make_windows(data, 5, 0)


def test_series_too_short_are_skipped_when_others_fit(tmp_path):
    rows = {"id": ["a"] * 40 + ["b"] * 5, "v": np.arange(45.0)}
    data = load_forecast(write_csv(tmp_path / "s.csv", rows), "v", id_column="id")
    windows = make_windows(data, 10, 2)
    assert windows.short_series == (1,) and set(windows.series_index.tolist()) == {0}


@pytest.mark.parametrize(
    ("rows", "kwargs", "message"),
    [
        ({"v": ["1", "2", "lots"]}, {}, r"target 'v' must hold numbers to forecast, but row 3"),
        ({"v": [None, None]}, {}, "target 'v' has no values"),
        ({"v": [1, 2], "t": [1, 1]}, {"time_column": "t"}, "more than one row at t = 1.*--id"),
        ({"v": [1, 2], "t": ["2024-01-01", "soon"]}, {"time_column": "t"}, "row 2 has 'soon'"),
        ({"v": [1, 2], "t": [1, None]}, {"time_column": "t"}, "time column 't' is empty on row 2"),
        ({"v": [1, 2]}, {"time_column": "when"}, r"time column 'when' is not in the data"),
        ({"v": [1, 2], "s": ["a", None]}, {"id_column": "s"}, "id column 's' is empty on row 2"),
        ({"v": [1, 2]}, {"time_column": "v"}, "cannot be both the target and the time"),
    ],
)
def test_forecast_bad_input_says_what_to_fix(tmp_path, rows, kwargs, message):
    path = write_csv(tmp_path / "f.csv", rows)
    with bad(message) as error:
        load_forecast(path, "v", **kwargs)
    one_line(error)


def test_forecast_missing_target_column_lists_the_columns(tmp_path):
    with bad(r"target column 'sale' is not in the data \(columns: store, day, sales"):
        load_forecast(write_csv(tmp_path / "f.csv", forecast_rows()), "sale")
