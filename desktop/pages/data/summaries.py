"""One-line descriptions of loaded data for the Data page: series, and which column to plot."""

from __future__ import annotations

from automl.data.kinds import ColumnKind

#: How the busy bar names each layout ("Reading data.csv as …").
LAYOUT_WORDS = {
    "series_per_row": "one series per row",
    "long": "series in long format",
    "forecast": "a series to forecast",
}


def series_status(summary: dict) -> str:
    """Returns one line about series: how many, how long, how many classes (or the window).

    Example:
        >>> series_status({"modality": "series", "samples": 600, "min_length": 60,
        ...                "max_length": 80, "features": 1, "classes": 4})
        '600 series · 60–80 steps · 1 feature · 4 classes'
    """
    if summary["modality"] == "forecast":
        return (
            f"{summary['series']:,} series to forecast · {summary['target']!r} "
            f"{summary['horizon']} steps ahead from {summary['lookback']} · "
            f"{summary['samples']:,} windows"
        )
    low, high = summary["min_length"], summary["max_length"]
    steps = f"{high:,} steps" if low == high else f"{low:,}–{high:,} steps"
    features = f"{summary['features']} feature{'s' if summary['features'] != 1 else ''}"
    what = f"{summary['classes']} classes" if summary["classes"] else "numeric labels"
    return f"{summary['samples']:,} series · {steps} · {features} · {what}"


def first_numeric(profile: dict) -> str:
    """Returns the first numeric column of `profile` (its histogram is the most telling)."""
    columns = profile["columns"]
    numeric = [c["name"] for c in columns if c["kind"] == ColumnKind.NUMERIC.value]
    return numeric[0] if numeric else (columns[0]["name"] if columns else "")
