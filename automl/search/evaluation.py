"""How the exported model did on the test rows: confusion matrix or residuals, worst rows."""

from __future__ import annotations

import numpy as np

from automl.explain.evaluation import evaluate

#: Misclassified (or worst-predicted) test rows kept for the report.
MISTAKES_SHOWN = 50


def evaluation(prepared, feeds, output: np.ndarray) -> dict:
    """Returns the confusion matrix or residuals of test-row `output`, and the worst rows."""
    y_test = feeds.y_test
    if prepared.classification:
        from sklearn.metrics import confusion_matrix

        labels = list(prepared.class_names)
        predicted = output.argmax(axis=1)
        matrix = confusion_matrix(y_test, predicted, labels=list(range(len(labels))))
        wrong = np.flatnonzero(predicted != y_test)
        # Most confident mistakes first: they are the most telling.
        wrong = wrong[np.argsort(-output[wrong, predicted[wrong]])][:MISTAKES_SHOWN]
        mistakes = [
            {
                "row": int(prepared.splits.test[i]),
                "actual": labels[y_test[i]],
                "predicted": labels[predicted[i]],
                "confidence": float(output[i, predicted[i]]),
                "values": feeds.row_values(i),
            }
            for i in wrong
        ]
        return {
            "confusion_matrix": {"labels": labels, "matrix": matrix.tolist()},
            "mistakes": mistakes,
            "analysis": evaluate(prepared.task_kind, y_test, output, labels).to_dict(),
        }
    # One row per test example; a forecast has one column per step ahead.
    values = output.reshape(len(y_test), -1).astype(float)
    actual = np.asarray(y_test, dtype=float).reshape(len(y_test), -1)
    errors = np.abs(values - actual).mean(axis=1)
    worst = np.argsort(-errors)[:MISTAKES_SHOWN]

    def shown(row: np.ndarray):
        return float(row[0]) if len(row) == 1 else [float(v) for v in row]

    mistakes = [
        {
            "row": int(prepared.splits.test[i]),
            "actual": shown(actual[i]),
            "predicted": shown(values[i]),
            "error": float(errors[i]),
            "values": feeds.row_values(i),
        }
        for i in worst
    ]
    # The raw test inputs give the residual plot a column to be drawn against.
    columns = feeds.check_rows()
    return {
        "residuals": {
            "actual": actual.ravel().tolist(),
            "predicted": values.ravel().tolist(),
        },
        "mistakes": mistakes,
        "analysis": evaluate(prepared.task_kind, actual, values, columns=columns).to_dict(),
    }


def learning_curves(history: list[dict[str, float]]) -> dict[str, list[float | None]]:
    """Returns each metric's value per epoch (None where an epoch lacks it)."""
    names = sorted({k for epoch in history for k in epoch if k != "learning_rate"})
    return {name: [epoch.get(name) for epoch in history] for name in names}
