"""How long explanations take: global importance on penguins, digits, shapes and sunspots,
and one local explanation (target: under 1 s for one row, image or series, so a click feels
immediate).

Run (2 cores here; each sample gets one tiny search first, not timed):

    python benchmarks/explain_speed.py [--out DIR] [--sets penguins digits shapes sunspots]

The method column says what the exported model allowed: a nearest-neighbour or random-
convolution model is explained by occlusion, a network by gradients.

Times are wall-clock seconds in one process after TensorFlow has loaded: "global" is the
kind's whole explanation without local rows (model loading included), "local" the median
of 5 single-example explanations on the opened model.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
SAMPLES = ROOT / "assets" / "samples"


def _search(data: Path, target: str | None, out: Path, options: dict) -> Path:
    """Returns the model folder of a one-trial search on `data` (not timed)."""
    import automl

    automl.search(data, target, out, max_trials=1, epochs=3, cv=None, refit=False, **options)
    return out / "model"


def _local(kind: str, model, data: Path, out: Path) -> float:
    """Returns the median seconds of one local explanation of the first example."""
    import numpy as np
    import pandas as pd

    from automl.explain.outputs import ExplainRequest

    request = ExplainRequest(out=out, rows=(0,))
    times = []
    for _ in range(5):
        started = time.perf_counter()
        if kind == "table":
            import pandas as pd

            from automl.modalities.table import model_inputs
            from automl.modalities.table_explain import local_rows, reference_values

            frame = pd.read_csv(data)
            columns = [s["column"] for s in model.metadata["inputs"]]
            local_rows(
                model,
                frame.head(1),
                columns,
                reference_values(frame, columns),
                request,
                data,
                model_inputs,
            )
        elif kind == "image":
            from automl.modalities.image_explain import decoded, image_maps

            path = next(p for p in sorted(data.rglob("*.png")))
            images = decoded(model, [str(path)])
            targets = np.argmax(np.asarray(model.keras_model()(images)), axis=1)
            image_maps(model, images, targets)
        else:
            from automl.modalities.series_explain import heat_strips

            if kind == "forecast":
                lookback = int(model.metadata["forecast"]["lookback"])
                values = pd.read_csv(data)["sunspots"].to_numpy()[:lookback]
                x = values.reshape(1, lookback, 1).astype("float32")
            else:
                x = np.load(data)["X"][:1].astype("float32")
            heat_strips(model, x, [0], model.class_names, request)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--sets", nargs="*", default=["penguins", "digits", "shapes", "sunspots"])
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="explain-speed-"))
    import automl
    from automl.explain.model import open_model
    from automl.explain.outputs import ExplainRequest
    from automl.modalities import modality_named

    sunspots = {"time_column": "year", "lookback": 20, "horizon": 5}
    sets = [
        ("penguins", "table", SAMPLES / "penguins.csv", "species", {}),
        ("digits", "image", SAMPLES / "digits", None, {}),
        ("shapes", "series", SAMPLES / "shapes.npz", None, {}),
        ("sunspots", "forecast", SAMPLES / "sunspots.csv", "sunspots", sunspots),
    ]
    print(f"{'data':<10}{'examples':>9}{'global s':>10}{'local s':>9}  method")
    for name, kind, data, target, options in sets:
        if name not in args.sets:
            continue
        model_dir = _search(data, target, out / name, options)
        started = time.perf_counter()
        explanation = automl.explain(model_dir, data, out / f"{name}-explained")
        total = time.perf_counter() - started
        model = open_model(model_dir)
        explainer = modality_named(model.metadata["modality"]).explainer
        (out / f"{name}-warm").mkdir(parents=True, exist_ok=True)
        explainer.explain(model, data, ExplainRequest(out=out / f"{name}-warm"))  # warm-up
        local = _local(kind, model, data, out / f"{name}-warm")
        print(
            f"{name:<10}{explanation.examples:>9}{total:>10.1f}{local:>9.2f}  {explanation.method}"
        )


if __name__ == "__main__":
    main()
