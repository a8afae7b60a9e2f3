"""search_quality's worker for AutoKeras 3, and whether this environment can run it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
import time

import numpy as np
from sq_keras import make_clock, table_matrices
from sq_ours import OURS_MAX_TRIALS
from sq_split import job_split, test_scores


def worker_autokeras(job: dict) -> dict:
    """Runs AutoKeras 3 (greedy tuner) until the deadline; returns its best model's row.

    Needs an interpreter where `import autokeras` works (Keras < 3.13 for AutoKeras 3.0.0).
    Tables get the same one-hot + scaled matrix as the MLP; series and forecasts go through
    `ak.AutoModel` with a ConvBlock (AutoKeras 3 has no series task).
    """
    began = time.monotonic()
    deadline = began + job["budget_s"]
    import autokeras as ak
    import keras

    keras.utils.set_random_seed(job["seed"])
    split = job_split(job)
    x, y = dict(split.x), dict(split.y)
    if split.modality == "table":
        x = table_matrices(split, x)
    elif split.modality == "series":
        x = {k: np.nan_to_num(v) for k, v in x.items()}
    if split.classification:
        names = np.asarray(split.class_names, dtype=object)
        y = {k: names[v].astype(str) for k, v in y.items()}

    class DeadlineGreedy(ak.Greedy):
        def pre_create_trial(self):
            if time.monotonic() >= deadline and len(self.oracle.trials):
                self.oracle.max_trials = len(self.oracle.trials)  # ends the search cleanly
            super().pre_create_trial()

    common = {
        "max_trials": OURS_MAX_TRIALS,
        "tuner": DeadlineGreedy,
        "directory": job["work"],
        "overwrite": True,
        "seed": job["seed"],
    }
    if split.modality in ("series", "forecast"):
        node = ak.Input()
        hidden = ak.ConvBlock()(node)
        head = ak.ClassificationHead() if split.classification else ak.RegressionHead()
        model = ak.AutoModel(inputs=node, outputs=head(hidden), **common)
    else:
        kind = {"table": "StructuredData", "image": "Image", "text": "Text"}[split.modality]
        suffix = "Classifier" if split.classification else "Regressor"
        model = getattr(ak, f"{kind}{suffix}")(**common)
    clock = make_clock(keras, deadline)
    model.fit(
        x["train"],
        y["train"],
        validation_data=(x["validation"], y["validation"]),
        callbacks=[clock],
        verbose=0,
    )
    elapsed = time.monotonic() - began
    predicted = np.asarray(model.predict(x["test"], verbose=0))
    if split.classification:
        index = {name: i for i, name in enumerate(split.class_names)}
        output = np.array([index.get(str(v), -1) for v in predicted.ravel()])
        output = np.where(output < 0, 0, output)
    else:
        output = predicted.reshape(split.y["test"].shape)
    completed = [t for t in model.tuner.oracle.trials.values() if t.status == "COMPLETED"]
    return {
        "metrics": test_scores(split, output),
        "trials": len(completed),
        "epochs": clock.epochs,
        "time_s": round(elapsed, 1),
        "notes": [f"autokeras {ak.__version__}, keras {keras.__version__}"],
        "split_note": split.note,
    }


def autokeras_status(python: str | None) -> tuple[str | None, str]:
    """Returns (interpreter to run AutoKeras with, or None) and the reason when it cannot."""
    if python:
        return python, ""
    if importlib.util.find_spec("autokeras") is None:
        keras_version = importlib.metadata.version("keras")
        return None, (
            "could not run: autokeras is not installed here; AutoKeras 3.0.0 needs Keras < 3.13 "
            f"(on Keras {keras_version} its heads fail: Dense rejects units=numpy.int64) and "
            "this environment keeps Keras " + keras_version + "; give --autokeras-python "
            "ENV/bin/python (benchmarks/README.md shows how to make that environment)"
        )
    return sys.executable, ""
