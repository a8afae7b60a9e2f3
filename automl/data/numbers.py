"""Reading a column of numbers written by a person: blanks are missing, anything else is wrong."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from automl.errors import AutoMLError


def parse_numbers(
    column: pd.Series,
    complaint: Callable[[int, object], str],
    dtype: type[np.floating] = np.float64,
) -> np.ndarray:
    """Returns `column` as floats of `dtype`, NaN where a cell is missing or blank.

    The first cell that is neither blank nor a number raises `AutoMLError` with the message
    `complaint(row, value)` gives, `row` counted from 1 as a spreadsheet shows it; booleans
    read as 0 and 1. Each caller words the complaint for its column's role.

    Example:
        >>> parse_numbers(pd.Series(["1.5", "", None]), lambda row, value: "").tolist()
        [1.5, nan, nan]
    """
    if pd.api.types.is_bool_dtype(column):
        return column.astype(dtype).to_numpy()
    numbers = pd.to_numeric(column, errors="coerce")
    # A blank cell is a missing value; only text that does not read as a number is a mistake.
    bad = numbers.isna() & column.notna() & (column.astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise AutoMLError(complaint(row + 1, column.iloc[row]))
    return numbers.astype("float64").to_numpy(dtype=dtype, na_value=np.nan)
