"""Forecasting: series over time cut into (lookback -> horizon) windows, split by time.

`--lookback N --horizon H --target COLUMN` on a CSV of one or many series (`--id-column`),
ordered by `--time-column` or by row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl.errors import AutoMLError
from automl.modalities.base import Option, Prepared, Traits
from automl.modalities.card_sections import ForecastCardSections
from automl.modalities.series import (
    ID_COLUMN,
    SERIES_PER_ROW,
    TIME_COLUMN,
    check_features,
    series_summary,
)
from automl.modalities.series_explain import ForecastExplainer
from automl.modalities.series_feeds import SeriesFeeds

if TYPE_CHECKING:
    from automl.export.predict import Predictions
    from automl.export.savedmodel import SeriesServing
    from automl.modalities.forecast_data import ForecastData
    from automl.modalities.forecast_windows import Windows
    from automl.search.request import SearchRequest

LOOKBACK = Option(
    "lookback", "int", "forecasting: past steps the model sees", metavar="N", minimum=1
)
HORIZON = Option("horizon", "int", "forecasting: future steps it predicts", metavar="N", minimum=1)


@dataclass(frozen=True, kw_only=True, eq=False)
class PreparedForecast(Prepared):
    """Series over time cut into (lookback -> horizon) windows, split by time."""

    data: ForecastData
    #: train, then validation, then test windows
    windows: Windows
    lookback: int
    horizon: int

    def describe(self) -> dict:
        return {
            "forecast": {
                **self.data.to_dict(),
                "lookback": self.lookback,
                "horizon": self.horizon,
                "windows": {
                    "train": len(self.splits.train),
                    "validation": len(self.splits.validation),
                    "test": len(self.splits.test),
                },
            }
        }

    def metadata(self) -> dict:
        return {
            "forecast": {
                "target": self.data.target,
                "feature_names": list(self.data.feature_names),
                "time_column": self.data.time_column,
                "id_column": self.data.id_column,
                "lookback": self.lookback,
                "horizon": self.horizon,
            }
        }

    def serving(self) -> SeriesServing:
        from automl.export.savedmodel import SeriesServing

        return SeriesServing(
            len(self.data.feature_names),
            tuple(self.data.feature_names),
            horizon=self.horizon,
            steps=self.lookback,
        )

    def baselines(self) -> dict:
        """Returns the naive last-value forecast's test scores."""
        from automl.modalities.forecast_windows import naive_forecast
        from automl.search.metrics import regression_scores

        test = self.splits.test
        predicted = naive_forecast(self.windows.X[test], self.horizon)
        return {"naive last value": regression_scores(self.windows.y[test], predicted)}


def default_window(length: int) -> tuple[int, int]:
    """Returns (lookback, horizon) to start from for series of `length` rows.

    A horizon of up to 5 steps, and four horizons of history but no more than a quarter
    of the series, so that validation and test periods still fit after it.

    Example:
        >>> default_window(309), default_window(60)
        ((20, 5), (4, 1))
    """
    horizon = max(1, min(5, length // 50))
    lookback = max(1, min(4 * horizon, length // 4))
    return lookback, horizon


def forecast_summary(data: ForecastData, lookback: int, horizon: int) -> dict:
    """Returns what the GUI and `propose_for_sequences` read about series to forecast.

    The windows are cut as the search cuts them, so a window that does not fit the
    series fails here with the search's own message.
    """
    from automl.modalities.forecast_windows import chronological_split

    windows = chronological_split(data, lookback, horizon)
    return {
        **data.to_dict(),
        "modality": "forecast",
        "task": "forecast",
        "samples": sum(len(part) for part in windows),
        "steps": lookback,
        "features": len(data.feature_names),
        "feature_names": list(data.feature_names),
        "classes": 0,
        "horizon": horizon,
        "lookback": lookback,
        "text_column": None,
        "windows": dict(zip(("train", "validation", "test"), map(len, windows), strict=True)),
    }


def prepare_forecast(request: SearchRequest) -> PreparedForecast:
    """Returns the request's series cut into windows: train, validation, test by time."""
    from automl.data.splits import Splits
    from automl.modalities.forecast_data import load_forecast
    from automl.modalities.forecast_windows import chronological_split
    from automl.search.metrics import choose_objective

    lookback, horizon = request.options.get("lookback"), request.options.get("horizon")
    if not lookback or not horizon:
        raise AutoMLError("forecasting needs both --lookback and --horizon (e.g. 24 and 6)")
    if not request.target:
        raise AutoMLError("--target names the column to forecast")
    if request.test_file is not None:
        raise AutoMLError(
            "--test is not used for forecasting: the last part of each series is the test "
            "period (set its share with --test-split)"
        )
    data = load_forecast(
        Path(request.data),
        request.target,
        time_column=request.options.get("time_column"),
        id_column=request.options.get("id_column"),
    )
    parts = chronological_split(
        data,
        lookback,
        horizon,
        validation_fraction=request.validation_split,
        test_fraction=request.test_split,
    )
    windows = _concatenate(parts)
    counts = np.cumsum([0] + [len(p.X) for p in parts])
    splits = Splits(
        train=np.arange(counts[0], counts[1]),
        validation=np.arange(counts[1], counts[2]),
        test=np.arange(counts[2], counts[3]),
        seed=request.seed,
        stratified=False,
    )
    return PreparedForecast(
        modality="forecast",
        splits=splits,
        objective=choose_objective(request.metric or "mae", False),
        classification=False,
        task_kind="forecast",
        target=data.target,
        task_reason=f"forecast {data.target!r} {horizon} step(s) ahead from the last {lookback}",
        class_names=(),
        rows=len(windows.X),
        ignored=dict(getattr(data, "ignored", {}) or {}),
        data=data,
        windows=windows,
        lookback=lookback,
        horizon=horizon,
    )


def _concatenate(parts: tuple[Windows, ...]) -> Windows:
    first = parts[0]
    return replace(
        first,
        **{
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in ("X", "y", "series_index", "origin", "origin_time")
        },
    )


class ForecastFeeds(SeriesFeeds):
    """Forecast windows: (samples, lookback, features) in, (samples, horizon) out."""

    forecast = True

    def __init__(self, prepared: PreparedForecast) -> None:
        # Not SeriesFeeds.__init__: windows, not whole series, are the rows.
        self.prepared = prepared
        self.horizon = prepared.horizon
        splits, windows = prepared.splits, prepared.windows
        self.train = windows.X[splits.train]
        self.validation = windows.X[splits.validation]
        self.test = windows.X[splits.test]
        self.y_train = windows.y[splits.train]
        self.y_validation = windows.y[splits.validation]
        self.y_test = windows.y[splits.test]

    def row_values(self, position: int) -> dict[str, str]:
        """Returns the forecast's origin (and its series) beside a mistake."""
        prepared = self.prepared
        assert isinstance(prepared, PreparedForecast)
        row = prepared.splits.test[position]
        windows = prepared.windows
        series = prepared.data.ids[windows.series_index[row]]
        values = {"origin": str(windows.origin_time[row])}
        if series is not None:
            values["series"] = str(series)
        return values


def forecast_for_model(data: Path, metadata: dict) -> ForecastData:
    """Returns the series of `data` with the columns an exported forecaster was trained on.

    Raises:
        AutoMLError: a column the model needs is missing or has another type.
    """
    from automl.modalities.forecast_data import load_forecast

    options = metadata["forecast"]
    series = load_forecast(
        data,
        options["target"],
        time_column=options.get("time_column"),
        id_column=options.get("id_column"),
    )
    missing = [n for n in options["feature_names"] if n not in series.feature_names]
    if missing:
        raise AutoMLError(f"{data} lacks column(s) the model needs: {', '.join(missing)}")
    check_features(series.feature_names, options["feature_names"], data)
    return series


def predict_forecast(model_dir: Path, metadata: dict, data: Path) -> Predictions:
    """Returns one row per forecast origin (every step with a full lookback): h1..hH.

    `origin` is the time (or row) of the last observed step; `h1` is the next step.
    """
    import pandas as pd

    from automl.export.predict import Predictions, serve_in_batches
    from automl.modalities.forecast_windows import make_windows

    options = metadata["forecast"]
    series = forecast_for_model(data, metadata)
    windows = make_windows(series, options["lookback"], options["horizon"], with_targets=False)
    x = windows.X.astype(np.float32)
    forecast = serve_in_batches(model_dir, {"series": x})["forecast"]
    columns: dict[str, Any] = {}
    if options.get("id_column"):
        columns[options["id_column"]] = [series.ids[i] for i in windows.series_index]
    columns[options.get("time_column") or "origin"] = windows.origin_time
    for h in range(forecast.shape[1]):
        columns[f"h{h + 1}"] = forecast[:, h]
    return Predictions(pd.DataFrame(columns), ())


class ForecastModality:
    """Forecasting the next `--horizon` steps of a series from the last `--lookback`."""

    name = "forecast"
    priority = 20  # before labelled series: a lookback makes series a forecast
    traits = Traits(samples="windows", target_verb="forecast", forecasts=True, families_chosen=True)
    options: tuple[Option, ...] = (LOOKBACK, HORIZON, ID_COLUMN, TIME_COLUMN)
    #: its parts of the model card (inputs table, usage snippet)
    card = ForecastCardSections()
    #: attribution per lag step and covariate, per horizon step (`automl explain`)
    explainer = ForecastExplainer(forecast_for_model)

    def recognises(self, request: SearchRequest) -> bool:
        from automl.modalities.series_data import is_sequence_file

        options = request.options
        if options.get("lookback"):
            return True
        series = (
            is_sequence_file(Path(request.data))
            or options.get(SERIES_PER_ROW.name)
            or options.get("id_column")
        )
        return bool(options.get("horizon") and series)

    def check_request(self, request: SearchRequest) -> None:
        return None

    def prepare(self, request: SearchRequest) -> PreparedForecast:
        return prepare_forecast(request)

    def feeds(self, prepared: Prepared) -> ForecastFeeds:
        assert isinstance(prepared, PreparedForecast)
        return ForecastFeeds(prepared)

    def proposals(self, prepared: Prepared) -> list[dict]:
        from automl.propose import propose_for_sequences

        return propose_for_sequences(self.summary(prepared))

    def summary(self, prepared: Prepared) -> dict:
        assert isinstance(prepared, PreparedForecast)
        return series_summary(prepared, prepared.windows.X, horizon=prepared.horizon)

    def serving_from_metadata(self, metadata: dict) -> SeriesServing:
        from automl.export.savedmodel import series_serving

        return series_serving(metadata)

    def predict_file(self, model_dir: Path, metadata: dict, data: Path) -> Predictions:
        return predict_forecast(model_dir, metadata, data)


MODALITY = ForecastModality()
