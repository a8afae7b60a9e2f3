"""Words for the Data page: how the busy bar names each layout, and which column to plot."""

from __future__ import annotations

from automl.data.kinds import ColumnKind

#: How the busy bar names each layout ("Reading data.csv as …").
LAYOUT_WORDS = {
    "series_per_row": "one series per row",
    "long": "series in long format",
    "forecast": "a series to forecast",
}


def first_numeric(profile: dict) -> str:
    """Returns the first numeric column of `profile` (its histogram is the most telling)."""
    columns = profile["columns"]
    numeric = [c["name"] for c in columns if c["kind"] == ColumnKind.NUMERIC.value]
    return numeric[0] if numeric else (columns[0]["name"] if columns else "")
