"""Series and forecasts explained: attribution per time step and per channel, per output.

Integrated gradients through the `.keras` model (checked against the SavedModel) when the
model has gradients; occlusion of time windows and whole channels on the SavedModel when it
has none (random convolutions pooled by proportion of positive values, nearest neighbours).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from automl.explain.model import ExportedModel
    from automl.explain.outputs import ExplainRequest, Explanation, LocalExplanation

#: The global importance uses at most this many series (the first ones).
MAX_EXAMPLES = 300
#: Occlusion covers the series in about this many windows.
WINDOWS = 20


def series_attributions(
    model: ExportedModel, x: np.ndarray, targets: np.ndarray, request: ExplainRequest
) -> tuple[np.ndarray, np.ndarray, str, dict]:
    """Returns per-step [series, steps] and per-channel [series, channels] attributions.

    Also the method's name and its checks. `targets[i]` is the output explained for series i.
    """
    from automl.explain.attributions import has_gradients, integrated_gradients
    from automl.explain.model import keras_gap

    served = model.serve({"series": x})
    network = model.keras_model()

    def forward(t):
        return network(t, training=False)

    checks = {"keras_vs_savedmodel": keras_gap(served, np.asarray(forward(x)))}
    means = np.nanmean(x, axis=(0, 1), keepdims=True)
    baseline = np.where(np.isnan(x), np.nan, np.broadcast_to(means, x.shape)).astype(np.float32)
    if has_gradients(forward, np.nan_to_num(x[:16])):
        request.progress(f"integrated gradients on {len(x)} series")
        attributions, completeness = integrated_gradients(forward, x, baseline, targets)
        method = "integrated gradients (baseline: a flat series at each channel's mean)"
        if not completeness.within:
            # A model that standardises each series sees every point of the straight path
            # from a flat series as the same series: the output jumps at the flat end and
            # the gradients miss it. A noise series is no such singular point.
            noise = noise_baseline(x)
            again, check = integrated_gradients(forward, x, noise, targets)
            if check.worst_gap < completeness.worst_gap:
                attributions, completeness = again, check
                method = (
                    "integrated gradients (baseline: seeded noise with each channel's mean and "
                    "spread, as the model standardises each series)"
                )
        checks["completeness"] = completeness.to_dict()
        attributions = np.nan_to_num(attributions)
        return attributions.sum(axis=2), attributions.sum(axis=1), method, checks
    request.progress(f"occlusion of {WINDOWS} windows and each channel on {len(x)} series")
    per_step, per_channel = _occluded(model, x, targets, np.nan_to_num(baseline))
    method = "occlusion on the SavedModel (windows and channels set to the channel's mean)"
    return per_step, per_channel, method, checks


def noise_baseline(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Returns one seeded noise series with each channel's mean and spread, NaN where `x` is."""
    means = np.nanmean(x, axis=(0, 1), keepdims=True)
    spreads = np.nanstd(x, axis=(0, 1), keepdims=True)
    noise = np.random.default_rng(seed).normal(size=(1, *x.shape[1:]))
    series = np.broadcast_to(means + spreads * noise, x.shape)
    return np.where(np.isnan(x), np.nan, series).astype(np.float32)


def _occluded(
    model: ExportedModel, x: np.ndarray, targets: np.ndarray, fill: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Returns per-step and per-channel falls of the target score when covered."""
    from automl.explain.occlusion import occlusion, windows

    def score(values: np.ndarray) -> np.ndarray:
        return model.serve({"series": values})[np.arange(len(values)), targets]

    shape = x.shape[1:]
    masks = windows(shape, WINDOWS)
    drops = occlusion(score, x, masks, fill)
    per_step = np.zeros(x.shape[:2])
    for j, mask in enumerate(masks):
        steps = mask[:, 0]
        per_step[:, steps] = drops[:, [j]] / steps.sum()  # a window's fall shared by its steps
    channels = []
    for c in range(shape[1]):
        mask = np.zeros(shape, dtype=bool)
        mask[:, c] = True
        channels.append(mask)
    return per_step, occlusion(score, x, channels, fill)


def summarise(
    per_step: np.ndarray, per_channel: np.ndarray, step_names: list[str], channels: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Returns (mean |attribution|, its spread, feature names) over steps then channels."""
    values = np.concatenate([np.abs(per_step), np.abs(per_channel)], axis=1)
    return values.mean(axis=0), values.std(axis=0), step_names + [f"channel {c}" for c in channels]


def explain_windows(
    model: ExportedModel,
    x: np.ndarray,
    outputs: list[tuple[str, np.ndarray]],
    step_names: list[str],
    channels: list[str],
    request: ExplainRequest,
    source: str,
) -> Explanation:
    """Returns the explanation of series `x` for each (output name, per-series target) pair.

    The global importance averages the outputs; each output keeps its own per-step table.
    """
    from automl.explain.outputs import Explanation, importance_table

    total, spread, by_output, checks, method = 0.0, 0.0, {}, {}, ""
    for name, targets in outputs:
        chosen = targets >= 0
        if not chosen.any():
            continue
        per_step, per_channel, method, checks[name] = series_attributions(
            model, x[chosen], targets[chosen], request
        )
        mean, std, features = summarise(per_step, per_channel, step_names, channels)
        total, spread = total + mean * chosen.sum(), spread + std * chosen.sum()
        by_output[name] = importance_table(step_names, np.abs(per_step).mean(axis=0))
    count = sum(int((t >= 0).sum()) for _, t in outputs)
    if not count:
        from automl.errors import AutoMLError

        raise AutoMLError(f"no series to explain ({source})")
    return Explanation(
        importance=importance_table(features, total / count, spread / count),
        method=method,
        meaning="Mean absolute attribution of each time step (summed over channels) and of "
        "each channel (summed over steps) to the output explained; spread over the series",
        examples=len(x),
        source=source,
        checks=_merged(checks),
        by_output=by_output,
    )


def _merged(checks: dict[str, dict]) -> dict:
    """Returns one record per check: the worst completeness gap and .keras gap of the outputs."""
    merged: dict = {}
    for record in checks.values():
        for key, value in record.items():
            if key == "completeness":
                kept = merged.get(key)
                if kept is None or value["worst_gap"] > kept["worst_gap"]:
                    merged[key] = value
            else:
                merged[key] = max(merged.get(key, 0.0), value)
    return merged


def heat_strips(
    model: ExportedModel,
    x: np.ndarray,
    rows: Sequence[int],
    names: list[str],
    request: ExplainRequest,
) -> list[LocalExplanation]:
    """Returns each asked series' heat strip (per-step attribution), written to series.csv.

    A classifier's strip explains the predicted class; a forecaster's, the first step ahead.
    """
    import pandas as pd

    from automl.explain.outputs import LocalExplanation
    from automl.explain.pictures import heat_strip_svg

    chosen = x[list(rows)]
    served = model.serve({"series": chosen})
    targets = np.argmax(served, axis=1) if model.class_names else np.zeros(len(rows), int)
    per_step, _, method, _checks = series_attributions(model, chosen, targets, request)
    records, local = [], []
    for i, row in enumerate(rows):
        predicted = names[targets[i]] if model.class_names else f"{served[i, 0]:.4g}"
        for step, value in enumerate(per_step[i]):
            records.append({"row": row, "step": step + 1, "attribution": float(value)})
        strip = heat_strip_svg(f"series {row}: attribution to {predicted}", chosen[i], per_step[i])
        local.append(LocalExplanation(row, predicted, method, ("series.csv",), strip))
    pd.DataFrame(records).to_csv(request.out / "series.csv", index=False)
    return local


def examples_explained(
    x_all: np.ndarray, request: ExplainRequest, examples: str, every: str
) -> tuple[np.ndarray, str]:
    """Returns (the examples the global importance reads, which ones in words).

    The experiment's test split when the data is the file it searched, else all of them
    (`every`, e.g. "every series of x.npz"); at most `MAX_EXAMPLES`. The rows asked for must
    exist (`examples`: what the data holds, e.g. "forecast windows").
    """
    from automl.explain.outputs import check_rows

    check_rows(request.rows, len(x_all), examples)
    x, source = x_all, every
    test = request.test
    if test is not None and len(test) and int(test.max()) < len(x_all):
        x, source = x_all[test], "the experiment's test split"
    return x[:MAX_EXAMPLES], source


class SeriesExplainer:
    """Series classifiers and regressors: per step and channel, per predicted class."""

    def __init__(self, series_for_model: Callable[..., Any]) -> None:
        #: the room's `series_for_model(data, metadata, target)`: the series, channels checked
        self.series_for_model = series_for_model

    def explain(self, model: ExportedModel, data: Path, request: ExplainRequest) -> Explanation:
        """Returns the series' explanation; writes series.csv for the series asked for."""

        options = model.metadata["sequences"]
        sequences = self.series_for_model(data, model.metadata, request.target)
        x_all = sequences.X.astype(np.float32)
        x, source = examples_explained(x_all, request, "series", f"every series of {data.name}")
        names = model.class_names
        served = model.serve({"series": x})
        if names:
            predicted = np.argmax(served, axis=1)
            outputs = [(n, np.where(predicted == c, c, -1)) for c, n in enumerate(names)]
        else:
            outputs = [("value", np.zeros(len(x), dtype=np.int64))]
        steps = [f"step {s + 1}" for s in range(x.shape[1])]
        channels = [str(c) for c in options["feature_names"]]
        explanation = explain_windows(model, x, outputs, steps, channels, request, source)
        if request.rows:
            explanation.local = heat_strips(model, x_all, request.rows, names, request)
        return explanation


class ForecastExplainer:
    """Forecasts: per lag step and covariate, per horizon step."""

    def __init__(self, series_for_model: Callable[[Path, dict], Any]) -> None:
        #: the room's `forecast_for_model(data, metadata)`: the series, columns checked
        self.series_for_model = series_for_model

    def explain(self, model: ExportedModel, data: Path, request: ExplainRequest) -> Explanation:
        """Returns the forecast's explanation; writes series.csv for the windows asked for."""
        from automl.modalities.forecast_windows import make_windows

        options = model.metadata["forecast"]
        series = self.series_for_model(data, model.metadata)
        lookback, horizon = int(options["lookback"]), int(options["horizon"])
        x_all = make_windows(series, lookback, horizon, with_targets=False).X.astype(np.float32)
        x, source = examples_explained(
            x_all, request, "forecast windows", f"every window of {data.name}"
        )
        outputs = [(f"h{h + 1}", np.full(len(x), h, dtype=np.int64)) for h in range(horizon)]
        lags = [f"lag {s - lookback}" for s in range(lookback)]
        channels = [str(c) for c in options["feature_names"]]
        explanation = explain_windows(model, x, outputs, lags, channels, request, source)
        if request.rows:
            explanation.local = heat_strips(model, x_all, request.rows, [], request)
        return explanation
