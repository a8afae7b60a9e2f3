"""Evaluation the analyst expects, from the exported model's predictions on the test rows.

Classification: precision, recall and F1 per class; for two classes the ROC and
precision-recall curves with the point of the threshold the model uses (it predicts the
class of highest probability, so 0.5 on the second class); a reliability (calibration)
plot. Regression: residuals against the prediction and against the most important column.
Forecasts: the error at each step ahead. Everything is data (frozen dataclasses with a JSON
round-trip); `automl.export.card_evaluation` draws it for the model card and the desktop
draws the same data.

Example:
    >>> result = evaluate("binary", y_test, probabilities, ["no", "yes"])
    >>> result.per_class[1].recall, result.roc.area, result.roc.at_threshold
    (0.91, 0.97, (0.08, 0.91))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from automl.explain.outputs import Section

#: The probability of the second class above which a two-class model predicts it (argmax).
THRESHOLD = 0.5
#: Bins of the reliability plot, equal widths over 0..1.
RELIABILITY_BINS = 10
#: Points kept of a curve or scatter: enough to draw, small enough for metadata.json.
MAX_POINTS = 400


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 of one class on the test rows, and its count there."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Curve:
    """A ROC or precision-recall curve, its area, and the model's threshold on it.

    ROC: `x` false-positive rate, `y` true-positive rate, `area` the ROC AUC. Precision-
    recall: `x` recall, `y` precision, `area` the average precision. `at_threshold` is the
    (x, y) point where the model's `threshold` puts it.
    """

    x: list[float]
    y: list[float]
    area: float
    at_threshold: tuple[float, float]
    threshold: float = THRESHOLD


@dataclass(frozen=True)
class Reliability:
    """Predicted probability against how often it came true, per probability bin.

    `of` says which probability: the second class's (two classes) or the predicted
    class's confidence (more). `error` is the expected calibration error: the mean gap
    between `predicted` and `observed`, weighted by the rows in each bin.
    """

    of: str
    predicted: list[float]
    observed: list[float]
    counts: list[int]
    error: float


@dataclass(frozen=True)
class Residuals:
    """Actual minus predicted for each test row, beside its prediction and one column.

    `column` is the column the residuals are also plotted against (None where no
    numeric column is known); `column_reason` says why that one.
    """

    predicted: list[float]
    residual: list[float]
    column: str | None = None
    column_values: list[float] = field(default_factory=list)
    column_reason: str = ""


@dataclass(frozen=True)
class HorizonErrors:
    """A forecast's mean absolute and root-mean-square error at each step ahead (1 = next)."""

    steps: list[int]
    mae: list[float]
    rmse: list[float]


@dataclass(frozen=True)
class Evaluation:
    """The analyst's evaluation of one model on its test rows; parts that do not apply
    to the task are None (or empty), and `notes` says why a part is missing."""

    task: str
    per_class: list[ClassScores] = field(default_factory=list)
    roc: Curve | None = None
    precision_recall: Curve | None = None
    positive: str | None = None
    reliability: Reliability | None = None
    residuals: Residuals | None = None
    horizon: HorizonErrors | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Returns the evaluation as JSON-able data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        """Returns the evaluation `to_dict` wrote."""

        def part(kind, key):
            value = data.get(key)
            return kind(**value) if value else None

        curves = {
            key: Curve(**{**value, "at_threshold": tuple(value["at_threshold"])})
            if (value := data.get(key))
            else None
            for key in ("roc", "precision_recall")
        }
        return cls(
            task=str(data.get("task", "")),
            per_class=[ClassScores(**row) for row in data.get("per_class") or []],
            positive=data.get("positive"),
            reliability=part(Reliability, "reliability"),
            residuals=part(Residuals, "residuals"),
            horizon=part(HorizonErrors, "horizon"),
            notes=list(data.get("notes") or []),
            **curves,
        )


def evaluate(
    task: str,
    actual: np.ndarray,
    output: np.ndarray,
    class_names: Sequence[str] = (),
    columns: Mapping[str, np.ndarray] | None = None,
    importance: Sequence[str] | None = None,
) -> Evaluation:
    """Returns the evaluation of test-row `output` against `actual`.

    `actual` holds class indices (classification) or values (one column per step ahead
    for a forecast); `output` the model's probabilities (one column per class) or values.
    `columns` are the test rows' raw inputs by name (only numeric ones of one value per row
    are used, for the residual plot); `importance` the feature names from importance.csv,
    most important first, when `automl explain` measured them.
    """
    output = np.asarray(output, dtype=float)
    if class_names:
        return _classification(task, np.asarray(actual).astype(int), output, list(class_names))
    predicted = output.reshape(len(output), -1)
    truth = np.asarray(actual, dtype=float).reshape(len(predicted), -1)
    horizon = _horizon(truth, predicted) if truth.shape[1] > 1 or task == "forecast" else None
    residuals = _residuals(truth.ravel(), predicted.ravel(), columns or {}, importance)
    if truth.shape[1] > 1 or task == "forecast":
        # A window's inputs are not one value per forecast step: no column to plot against.
        residuals = Residuals(residuals.predicted, residuals.residual)
    return Evaluation(task, residuals=residuals, horizon=horizon)


def _classification(
    task: str, actual: np.ndarray, output: np.ndarray, labels: list[str]
) -> Evaluation:
    """Returns per-class scores, reliability, and for two classes the ROC and PR curves."""
    from sklearn.metrics import precision_recall_fscore_support

    predicted = output.argmax(axis=1)
    precision, recall, f1, support = precision_recall_fscore_support(
        actual, predicted, labels=list(range(len(labels))), zero_division=0
    )
    per_class = [
        ClassScores(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    ]
    notes: list[str] = []
    roc = pr = None
    if len(labels) == 2:
        positive = output[:, 1]
        if len(set(actual.tolist())) == 2:
            roc, pr = _binary_curves(actual == 1, positive, predicted == 1)
        else:
            notes.append("no ROC or precision-recall curve: the test rows hold one class only")
        reliability = _reliability(actual == 1, positive, f"probability of {labels[1]!r}")
    else:
        confidence = output[np.arange(len(output)), predicted]
        reliability = _reliability(
            predicted == actual, confidence, "confidence of the predicted class"
        )
    return Evaluation(
        task,
        per_class,
        roc,
        pr,
        labels[1] if len(labels) == 2 else None,
        reliability,
        notes=notes,
    )


def _binary_curves(truth: np.ndarray, score: np.ndarray, chosen: np.ndarray) -> tuple[Curve, Curve]:
    """Returns the ROC and precision-recall curves, each with the model's own point."""
    from sklearn.metrics import (
        auc,
        average_precision_score,
        precision_recall_curve,
        roc_curve,
    )

    fpr, tpr, _ = roc_curve(truth, score)
    # Both classes are present (the caller checks), so neither count is zero.
    true_positive = float((chosen & truth).sum())
    at_roc = (float((chosen & ~truth).sum()) / (~truth).sum(), true_positive / truth.sum())
    precision, recall, _ = precision_recall_curve(truth, score)
    at_pr = (at_roc[1], true_positive / chosen.sum() if chosen.any() else 1.0)
    roc = Curve(*_thin(fpr, tpr), float(auc(fpr, tpr)), at_roc)
    pr = Curve(*_thin(recall, precision), float(average_precision_score(truth, score)), at_pr)
    return roc, pr


def _reliability(hit: np.ndarray, probability: np.ndarray, of: str) -> Reliability:
    """Returns observed frequency against mean predicted probability per non-empty bin."""
    edges = np.linspace(0.0, 1.0, RELIABILITY_BINS + 1)
    bins = np.clip(np.digitize(probability, edges[1:-1]), 0, RELIABILITY_BINS - 1)
    predicted, observed, counts = [], [], []
    for b in range(RELIABILITY_BINS):
        inside = bins == b
        if inside.any():
            predicted.append(float(probability[inside].mean()))
            observed.append(float(hit[inside].mean()))
            counts.append(int(inside.sum()))
    gaps = np.abs(np.array(predicted) - np.array(observed))
    error = float((gaps * np.array(counts)).sum() / max(sum(counts), 1))
    return Reliability(of, predicted, observed, counts, error)


def _residuals(
    actual: np.ndarray,
    predicted: np.ndarray,
    columns: Mapping[str, np.ndarray],
    importance: Sequence[str] | None,
) -> Residuals:
    """Returns residuals against the prediction and against the column that says most."""
    residual = actual - predicted
    numeric = _numeric_columns(columns, len(actual))
    column, reason = None, ""
    for name in importance or ():
        if name in numeric:
            column, reason = name, "the most important column (importance.csv)"
            break
    if column is None and numeric:
        correlations = {
            name: abs(_correlation(values, residual)) for name, values in numeric.items()
        }
        column = max(correlations, key=lambda name: correlations[name])
        reason = (
            f"the column most correlated with the residuals (|r| = {correlations[column]:.2f}); "
            "run automl explain to plot the most important one"
        )
    keep = _sample(len(actual))
    return Residuals(
        predicted[keep].tolist(),
        residual[keep].tolist(),
        column,
        numeric[column][keep].tolist() if column else [],
        reason,
    )


def _horizon(actual: np.ndarray, predicted: np.ndarray) -> HorizonErrors:
    """Returns the MAE and RMSE of each step ahead (columns of `actual`)."""
    error = predicted - actual
    return HorizonErrors(
        list(range(1, actual.shape[1] + 1)),
        np.abs(error).mean(axis=0).tolist(),
        np.sqrt((error**2).mean(axis=0)).tolist(),
    )


def _numeric_columns(columns: Mapping[str, np.ndarray], rows: int) -> dict[str, np.ndarray]:
    """Returns the columns with one finite number per row (text, images and windows left out)."""
    numeric = {}
    for name, values in columns.items():
        array = np.asarray(values)
        if array.shape != (rows,) and array.shape != (rows, 1):
            continue
        try:
            array = array.reshape(rows).astype(float)
        except (TypeError, ValueError):
            continue
        if np.isfinite(array).all() and np.ptp(array) > 0:
            numeric[str(name)] = array
    return numeric


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Returns Pearson's r of `a` and `b` (0 when either is constant)."""
    if np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    """Returns at most `MAX_POINTS` points of a curve, its ends kept."""
    keep = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_POINTS)).round().astype(int))
    return x[keep].astype(float).tolist(), y[keep].astype(float).tolist()


def _sample(rows: int) -> np.ndarray:
    """Returns the positions of at most `MAX_POINTS` rows, spread evenly, for a scatter."""
    return np.unique(np.linspace(0, rows - 1, min(rows, MAX_POINTS)).round().astype(int))


def evaluation_sections(metadata: Mapping[str, Any]) -> list[Section]:
    """Returns explain's "How the model does on the test rows" section (a `Section`), from
    the analysis the search wrote into the model's metadata; none when it has none."""
    from automl.explain.outputs import Section
    from automl.export.card_evaluation import evaluation_html

    analysis = (metadata.get("evaluation") or {}).get("analysis")
    if not analysis:
        return []
    html = evaluation_html(analysis)
    return [Section("How the model does on the test rows", html, {"evaluation": analysis})]
