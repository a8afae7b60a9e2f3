"""Column kinds, safe input names, task inference and load_dataset's checks."""

import re

import numpy as np
import pandas as pd
import pytest

from automl.data import ColumnKind, infer_schema, infer_task, load_dataset
from automl.data.schema import safe_input_names
from automl.data.task import TaskKind
from automl.errors import AutoMLError

ROWS = 24


def kinds(frame, column_types=None):
    return {c.name: c.kind for c in infer_schema(frame, column_types).columns}


def sentence(i):
    return f"the parcel number {i} arrived late and the box was slightly damaged"


def test_kinds_are_inferred():
    frame = pd.DataFrame(
        {
            "customer_id": range(1000, 1000 + ROWS),
            "amount": np.linspace(0.5, 12.0, ROWS),
            "plan": ["basic", "pro", "team"] * (ROWS // 3),
            "active": ["true", "false"] * (ROWS // 2),
            "churned": [True, False, False] * (ROWS // 3),
            "signed_up": [f"2024-01-{day:02d}" for day in range(1, ROWS + 1)],
            "review": [sentence(i) for i in range(ROWS)],
        }
    )
    assert kinds(frame) == {
        "customer_id": ColumnKind.ID,
        "amount": ColumnKind.NUMERIC,
        "plan": ColumnKind.CATEGORICAL,
        "active": ColumnKind.BOOLEAN,
        "churned": ColumnKind.BOOLEAN,
        "signed_up": ColumnKind.DATETIME,
        "review": ColumnKind.TEXT,
    }


def test_unique_integers_with_a_plain_name_and_few_rows_stay_numeric():
    frame = pd.DataFrame({"customer_id": range(5), "score": [3, 1, 4, 1, 5]})
    assert kinds(frame) == {"customer_id": ColumnKind.NUMERIC, "score": ColumnKind.NUMERIC}


def test_column_types_override():
    frame = pd.DataFrame({"zip": [1000, 2000, 1000], "x": [1.0, 2.0, 3.0]})
    schema = infer_schema(frame, {"zip": "categorical"})
    assert schema["zip"].kind is ColumnKind.CATEGORICAL
    assert schema["zip"].reason == "set by the user"
    assert schema["x"].kind is ColumnKind.NUMERIC


def test_column_types_unknown_column():
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(AutoMLError, match="'bogus'.*not in the data"):
        infer_schema(frame, {"bogus": "numeric"})


def test_column_types_unknown_type():
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(AutoMLError, match="x=number: unknown type.*categorical"):
        infer_schema(frame, {"x": "number"})


def test_safe_input_names_are_valid_and_unique():
    names = ["bill length (mm)", "2nd", "é col", "a b", "a_b", "A B", "___", "x"]
    safe = safe_input_names(names)
    assert safe["bill length (mm)"] == "bill_length_mm"
    assert safe["2nd"] == "c_2nd"
    assert safe["x"] == "x"
    assert set(safe) == set(names)
    for name in safe.values():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name), name
    assert len({name.lower() for name in safe.values()}) == len(names)


def test_schema_carries_safe_input_names():
    schema = infer_schema(pd.DataFrame({"a b": [1, 2], "a_b": [3, 4]}))
    assert [c.input_name for c in schema.columns] == ["a_b", "a_b_2"]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["yes", "no", "yes", "no"], TaskKind.BINARY),
        (["Adelie", "Gentoo", "Chinstrap", "Adelie"], TaskKind.MULTICLASS),
        ([1.5, 2.25, 3.75, 4.0, 0.5, 9.125], TaskKind.REGRESSION),
        ([0, 1, 2, 3] * 10, TaskKind.MULTICLASS),
        ([0, 1] * 10, TaskKind.BINARY),
    ],
)
def test_infer_task(values, kind):
    assert infer_task(pd.Series(values, name="y")).kind is kind


def test_integer_classes_are_named_without_decimals():
    task = infer_task(pd.Series([1.0, 2.0, None, 3.0] * 5, name="grade"))
    assert task.kind is TaskKind.MULTICLASS
    assert task.class_names == ("1", "2", "3")


def test_forced_regression_on_text_target():
    with pytest.raises(AutoMLError, match="--task regression.*'species'"):
        infer_task(pd.Series(["a", "b", "c"], name="species"), "regression")


def test_single_class_target():
    with pytest.raises(AutoMLError, match="single class"):
        infer_task(pd.Series(["a", "a", None, "a"], name="y"))


def test_all_missing_target():
    with pytest.raises(AutoMLError, match="all missing"):
        infer_task(pd.Series([None, None, None], name="y", dtype=object))


def write_csv(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def small_csv(tmp_path):
    frame = pd.DataFrame(
        {
            "bill": [39.1, None, 40.3, 36.7, 39.3, 38.9],
            "island": ["Dream", "Biscoe", None, "Dream", "Biscoe", "Dream"],
            "notes": ["a", "b", "c", "d", "e", "f"],
            "species": ["Adelie", "Gentoo", "Adelie", None, "Gentoo", "Adelie"],
        }
    )
    return write_csv(tmp_path, frame)


def test_unknown_target_suggests_closest_name(small_csv):
    with pytest.raises(AutoMLError, match="'specie' is not in the data.*did you mean 'species'"):
        load_dataset(small_csv, "specie")


def test_ignore_drops_a_column(small_csv):
    data = load_dataset(small_csv, "species", ignore=["notes"])
    assert [c.name for c in data.features] == ["bill", "island"]
    assert data.ignored == {"notes": "ignored by the user"}
    assert "notes" not in data.model_inputs()


def test_ignoring_the_target(small_csv):
    with pytest.raises(AutoMLError, match="'species' is the target"):
        load_dataset(small_csv, "species", ignore=["species"])


def test_missing_targets_are_dropped_and_counted(small_csv):
    data = load_dataset(small_csv, "species")
    assert data.dropped_rows == 1
    assert len(data.frame) == 5
    assert data.task.class_names == ("Adelie", "Gentoo")
    assert data.target_values().tolist() == [0, 1, 0, 1, 0]


def test_model_inputs_mark_missing_values(small_csv):
    inputs = load_dataset(small_csv, "species", ignore=["notes"]).model_inputs()
    bill = inputs["bill"]
    assert bill.dtype == np.float32
    assert np.isnan(bill[1])
    np.testing.assert_allclose(bill[[0, 2, 3, 4]], [39.1, 40.3, 39.3, 38.9], rtol=1e-6)
    assert inputs["island"].tolist() == ["Dream", "Biscoe", "", "Biscoe", "Dream"]


def test_check_compatible_names_the_column_and_row_of_bad_text(small_csv):
    data = load_dataset(small_csv, "species", ignore=["notes"])
    other = pd.DataFrame(
        {"bill": [38.0, 41.0, "abc"], "island": ["Dream"] * 3, "species": ["Adelie"] * 3}
    )
    with pytest.raises(AutoMLError, match=r"test\.csv: column 'bill'.*row 3.*'abc'"):
        data.check_compatible(other, "test.csv")


def test_check_compatible_row_counts_rows_with_missing_target(small_csv):
    data = load_dataset(small_csv, "species", ignore=["notes"])
    other = pd.DataFrame(
        {
            "bill": [38.0, 41.0, "abc"],
            "island": ["Dream"] * 3,
            "species": ["Adelie", None, "Gentoo"],
        }
    )
    with pytest.raises(AutoMLError, match=r"row 3 has 'abc'"):
        data.check_compatible(other, "test.csv")


def test_check_compatible_missing_column(small_csv):
    data = load_dataset(small_csv, "species", ignore=["notes"])
    with pytest.raises(AutoMLError, match="test.csv lacks column.*'island'"):
        data.check_compatible(pd.DataFrame({"bill": [1.0], "species": ["Adelie"]}), "test.csv")


def test_check_compatible_unseen_class(small_csv):
    data = load_dataset(small_csv, "species", ignore=["notes"])
    other = pd.DataFrame({"bill": [38.0], "island": ["Dream"], "species": ["Chinstrap"]})
    with pytest.raises(AutoMLError, match="not seen in the training data: Chinstrap"):
        data.check_compatible(other, "test.csv")
