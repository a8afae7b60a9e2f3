"""Forecast windows scaled by the training series' statistics against each window's own.

    python benchmarks/forecast_scaling.py [--sets sunspots seasonal seasonal-small] [--seeds 2]

For each forecasting family (conv1d, lstm, rnn) with its first-trial settings, it trains
one model per seed on the training windows (early stopping on the validation windows, as a
single-split search does) twice: `per_series_norm` off (the inputs standardized by the
training series' mean and spread, the change predicted in that spread) and on (each window
scaled by its own mean and spread, RevIN; the change predicted in the window's spread).
It prints the MAE on the test windows and the validation windows. The split is the
engine's: chronological, training windows before validation's, validation's before test's.

Data: `assets/samples/sunspots.csv` (5 years ahead from 20) and the generated seasonal
series of `benchmarks/generators.py` (700 and 160 steps; trend, two seasons, AR(1) noise).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SETS = {
    "sunspots": (None, "sunspots", {"lookback": 20, "horizon": 5, "time_column": "year"}),
    "seasonal": (
        "gen-forecast-seasonal",
        "value",
        {"lookback": 36, "horizon": 6, "time_column": "t"},
    ),
    "seasonal-small": (
        "gen-forecast-seasonal-small",
        "value",
        {"lookback": 24, "horizon": 6, "time_column": "t"},
    ),
}


def data_file(name: str, folder: Path) -> Path:
    """Returns the CSV of set `name`: the bundled sample, or the generated series."""
    generated = SETS[name][0]
    if generated is None:
        return ROOT / "assets" / "samples" / "sunspots.csv"
    from generators import GENERATED

    path = folder / f"{generated}.csv"
    GENERATED[generated].make().to_csv(path, index=False)
    return path


def compare(data: Path, target: str, options: dict, seeds: int) -> list[str]:
    """Returns one line per family and scaling: test and validation MAE per seed."""
    import keras
    import keras_tuner
    import numpy as np

    from automl.search.feeds import make_feeds
    from automl.search.model_setup import build_hypermodel
    from automl.search.request import SearchRequest
    from automl.search.run import prepare

    request = SearchRequest(data=data, target=target, out=Path("unused"), options=options)
    prepared = prepare(request)
    feeds = make_feeds(prepared)
    lines = []
    for family in ("conv1d", "lstm", "rnn"):
        one = SearchRequest(
            data=data, target=target, out=Path("unused"), options=options, families=(family,)
        )
        hypermodel = build_hypermodel(one, prepared, feeds)
        for per_window in (False, True):
            test, validation = [], []
            for seed in range(seeds):
                keras.utils.set_random_seed(seed)
                hp = keras_tuner.HyperParameters()
                hp.Fixed("per_series_norm", per_window)
                model = hypermodel.build(hp)
                stop = keras.callbacks.EarlyStopping(patience=15, restore_best_weights=True)
                hypermodel.fit(
                    hp,
                    model,
                    feeds.train,
                    feeds.y_train,
                    epochs=150,
                    verbose=0,
                    validation_data=feeds.validation_data(),
                    callbacks=[stop],
                )
                for rows, truth, scores in (
                    (feeds.test, feeds.y_test, test),
                    (feeds.validation, feeds.y_validation, validation),
                ):
                    scores.append(float(np.mean(np.abs(feeds.predict(model, rows) - truth))))
            scaling = "each window's own" if per_window else "the training series'"
            lines.append(
                f"{family:<7} {scaling:<21} test MAE {' '.join(f'{v:8.2f}' for v in test)}"
                f"   validation MAE {' '.join(f'{v:8.2f}' for v in validation)}"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    parser.add_argument("--seeds", type=int, default=2, help="training seeds per model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in args.sets:
            data = data_file(name, Path(folder))
            print(f"== {name} (per seed 0..{args.seeds - 1}) ==", flush=True)
            for line in compare(data, SETS[name][1], SETS[name][2], args.seeds):
                print(line, flush=True)


if __name__ == "__main__":
    main()
