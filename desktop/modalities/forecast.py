"""The Data page's preview of a column to forecast: the series view, drawn as one chart.

`SeriesView` tells a forecast from labelled series by the engine kind's `forecasts` trait.
"""

from __future__ import annotations

from desktop.modalities.series import SeriesView

#: The Data page's preview of a forecast (one widget shared with labelled series).
PREVIEW = SeriesView
