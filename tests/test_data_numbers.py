"""Reading a person's column of numbers, and quoting a library error's first line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.data.numbers import parse_numbers
from automl.errors import AutoMLError, first_line


def _complaint(row: int, value: object) -> str:
    return f"row {row} has {value!r}"


def test_blanks_are_missing_and_numbers_read():
    numbers = parse_numbers(pd.Series(["1.5", " ", None, "2"]), _complaint)
    assert numbers.dtype == np.float64
    np.testing.assert_array_equal(numbers, [1.5, np.nan, np.nan, 2.0])


def test_booleans_read_as_zero_and_one_in_the_asked_dtype():
    numbers = parse_numbers(pd.Series([True, False]), _complaint, np.float32)
    assert numbers.dtype == np.float32
    assert numbers.tolist() == [1.0, 0.0]


def test_the_first_bad_value_is_named_with_its_row_counted_from_one():
    with pytest.raises(AutoMLError, match=r"^row 3 has 'abc'$"):
        parse_numbers(pd.Series(["1", "2", "abc", "x"]), _complaint)


def test_first_line_keeps_one_line_or_names_the_type():
    assert first_line(ValueError("  bad value\nmore detail")) == "bad value"
    assert first_line(OSError()) == "OSError"
