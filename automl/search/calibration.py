"""Class probabilities that mean what they say: a temperature fitted on held-out rows.

Label smoothing (0.1 by default) teaches a classifier never to say more than about 0.9,
and averaging fold models pulls probabilities further towards the middle: on penguins the
averaged folds' test log loss was twice the first fold's alone, with the same accuracy.
One temperature per model (Guo et al., 2017), fitted on rows its members did not train on
(for averaged folds: each fold model's own held-out rows) and applied to the model's final
probabilities, puts them back in line without changing any predicted class.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

#: A temperature is kept only if it lowers the held-out log loss by at least this share:
#: a smaller gain is within the noise of a few dozen rows.
MIN_GAIN = 0.02
#: The range of the temperature. Where the held-out rows are all classified right, the
#: log loss falls for ever as T goes to 0 (on 60 series it chose 0.05, the old bound): a
#: floor of 0.25 keeps the sharpening to what label smoothing (0.1) took away, and
#: leaves a wrong answer room to be unsure.
BOUNDS = (0.25, 4.0)


def scaled(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Returns `proba` (rows x classes) recalibrated: softmax(log p / T), as TemperatureScale."""
    logits = np.log(np.clip(proba, 1e-7, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def best_temperature(proba: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """Returns (temperature within `BOUNDS`, log loss at it, log loss unscaled) of `proba`.

    The log loss is computed here in numpy (the same value as scikit-learn's): the fold
    ensemble's selection calls this thousands of times.
    """
    logs = np.log(np.clip(np.asarray(proba, dtype="float64"), 1e-7, 1.0))
    logs -= np.log(np.exp(logs).sum(axis=1, keepdims=True))  # float32 sums stray from 1
    rows, truth = np.arange(len(labels)), np.asarray(labels).astype(int)

    def loss(log_t: float) -> float:
        logits = logs / np.exp(log_t)
        logits = logits - logits.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(logits).sum(axis=1)) - logits[rows, truth]))

    found = minimize_scalar(loss, bounds=tuple(np.log(BOUNDS)), method="bounded")
    unscaled = loss(0.0)
    if found.fun < unscaled:
        return float(np.exp(found.x)), float(found.fun), unscaled
    return 1.0, unscaled, unscaled


def fit_temperature(proba: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """Returns (temperature, log loss before, log loss after) on held-out `proba`.

    The temperature is 1.0 (no change) when it would gain less than `MIN_GAIN`.
    """
    temperature, after, before = best_temperature(proba, labels)
    if after > before * (1 - MIN_GAIN):
        return 1.0, before, before
    return temperature, before, after


def note(temperature: float, before: float, after: float, rows: str) -> str:
    """Returns the one line the summary and the model card carry about calibration."""
    return (
        f"probabilities calibrated: temperature {temperature:.2f} fitted on the {rows} "
        f"(log loss {before:.4f} -> {after:.4f}); predicted classes unchanged"
    )


def calibrated(model, temperature: float):
    """Returns `model` with its probabilities recalibrated by `temperature`, as one model."""
    import keras

    from architectures.layers import TemperatureScale

    outputs = TemperatureScale(temperature, name="calibrated")(model.output)
    return keras.Model(model.inputs, outputs, name=f"{model.name}_calibrated")


def out_of_fold(models: list, cv, feeds) -> tuple[np.ndarray, np.ndarray]:
    """Returns (probabilities, labels) of each fold model on its own fold's held-out rows."""
    from automl.search.cross_validation import take_rows

    probabilities, labels = [], []
    for model, fold in zip(models, cv.folds, strict=False):
        probabilities.append(np.asarray(feeds.predict(model, take_rows(cv.rows, fold.held_out))))
        labels.append(cv.targets[fold.held_out])
    return np.concatenate(probabilities), np.concatenate(labels)


def record_temperature(outcome, proba: np.ndarray, labels: np.ndarray, rows: str) -> float:
    """Returns the temperature for held-out `proba`; records the fit in `outcome.calibration`."""
    temperature, before, after = fit_temperature(proba, labels)
    outcome.calibration = {
        "temperature": round(temperature, 4),
        "rows": f"{len(labels)} {rows} rows",
        "log_loss_before": round(before, 4),
        "log_loss_after": round(after, 4),
    }
    return temperature


def single_model_rows(feeds, cv) -> tuple[np.ndarray, np.ndarray, str]:
    """Returns (rows, labels, what they are) to calibrate one exported model on.

    Rows none of its weights trained on: the validation rows, or in a cross-validated
    search the first fold's held-out rows (the first fold's model, and every `--ensemble`
    member, trained on the other folds). A refit trained on both, and is not calibrated.
    """
    if cv is None:
        return feeds.validation, feeds.y_validation, "validation"
    from automl.search.cross_validation import take_rows

    held_out = cv.folds[0].held_out
    return take_rows(cv.rows, held_out), cv.targets[held_out], "first fold's held-out"
