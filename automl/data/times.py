"""Time columns: parsed to sortable numbers or datetimes, and written back as a user would.

Modality-free: forecasts order their rows by time, long-format series order their steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from automl.errors import AutoMLError, first_line


def time_values(column: pd.Series, source: str) -> np.ndarray:
    """Returns a time column as numbers or datetime64, so that sorting puts it in time order.

    Numbers (years, step counts) stay numbers; anything else must parse as dates.

    Raises:
        AutoMLError: a missing time, or a value that is neither a number nor a date.

    Example:
        >>> time_values(pd.Series(["2024-01-02", "2024-01-01"], name="day"), "f.csv").dtype
        dtype('<M8[us]')
    """
    name = column.name
    text = column.astype(str).str.strip()
    missing = column.isna() | (text == "")
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise AutoMLError(
            f"{source}: time column {name!r} is empty on row {row + 1}; every row needs a time"
        )
    if pd.api.types.is_datetime64_any_dtype(column):
        dates = pd.to_datetime(column)
    elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.to_numpy()
    else:
        numbers = pd.to_numeric(column, errors="coerce")
        if numbers.notna().all():
            return numbers.to_numpy()
        try:
            dates = pd.to_datetime(column, errors="coerce", format="mixed")
        except (ValueError, TypeError, OverflowError) as error:
            raise AutoMLError(
                f"{source}: time column {name!r} mixes time zones or formats that cannot be "
                f"ordered ({first_line(error)}); write every time the same way"
            ) from error
        bad = dates.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise AutoMLError(
                f"{source}: time column {name!r} should hold numbers or dates, but row "
                f"{row + 1} has {column.iloc[row]!r}"
            )
    if dates.dt.tz is not None:
        dates = dates.dt.tz_convert(None)  # UTC: comparable, and the same instant sorts once
    return dates.to_numpy()


def time_text(value: Any) -> str:
    """Returns a time value as the user would write it: 2024-03-01, 2024-03-01T12:30:00, 1700."""
    if isinstance(value, np.datetime64 | pd.Timestamp):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
