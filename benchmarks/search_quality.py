"""Search quality at equal budget: our search against plain Keras Tuner, a hand-written
reference network, simple baselines and AutoKeras, on the same splits and wall-clock budget.

    python benchmarks/search_quality.py --quick               # samples + 1 generated set per
                                                              # modality, 1 minute each (<30 min)
    python benchmarks/search_quality.py                       # every set, 3 minutes each
    python benchmarks/search_quality.py --only penguins,gen-text-reviews --budget 30s
    python benchmarks/search_quality.py --list                # the data sets and what they are
    python benchmarks/search_quality.py --autokeras-python /tmp/ak-env/bin/python

Data sets: the bundled samples (penguins table, digits images, shapes series, sunspots
forecast) and generated ones of every modality (`benchmarks/generators.py`: seeded, several
sizes and difficulties, nothing from a public archive), written to a temp folder in the file
forms `automl search` reads.

Systems, run one after another, each in its own child process (a fresh TensorFlow each time,
so no graph, memory or thread state leaks from one system into the next), with the same
wall-clock budget counted from the start of that process (so each pays its TensorFlow import):

1. ours: `automl.search(data, target, out, time_budget=B, max_trials=200, seed=S)` with the
   default families, exactly as a notebook user calls it; its exported model is scored.
2. plain Keras Tuner: `keras_tuner.Hyperband(max_epochs=100, factor=3)` over a generic space
   per modality, as the Keras Tuner getting-started guide writes one, with the tutorial's
   `EarlyStopping(val_loss, patience=5)`; a tuner subclass raises `FatalError` in
   `pre_create_trial` after the deadline and a callback stops the running trial at it; the
   best trial's model is scored.
3. a hand-written reference network per modality, trained once for the same wall time with
   early stopping on the validation split (best weights restored): an MLP for tables, FCN
   (Wang et al. 2017) for series, a small VGG-style CNN for images, a BiLSTM for text, a
   Conv1D + LSTM for forecasts.
4. simple baselines on flattened features, fit on train + validation: majority class (mean),
   1-nearest neighbour, logistic (ridge) regression, HistGradientBoosting; the naive last
   value for forecasts. Not budgeted (they take seconds).
5. AutoKeras 3 (greedy tuner, same deadline mechanics as 2), only from an interpreter where it
   imports: AutoKeras 3.0.0 fails on Keras >= 3.13, so it needs its own environment
   (`--autokeras-python`, see benchmarks/README.md); otherwise its row says why it did not run.

Splits: our search's own `splits.json` (row positions of train/validation/test) for tables,
images and series; `automl.data.forecast.chronological_split` for forecasts (what our
search uses too). Everything is scored on the same test rows with the engine's metric code.

Prints one table per data set (test accuracy and balanced accuracy, or RMSE and MAE; trials;
epochs trained; seconds), then a summary: whether ours matches or beats plain Keras Tuner and
the reference network on the primary metric (our search's objective: accuracy, RMSE for
regression, MAE for forecasts; "matches" = worse by at most one test example, i.e. 1/n_test
of accuracy, or 1/n_test relative for errors), the counts against issue 7's targets, our
search overhead (time outside model.fit) and export parity. Progress and child logs go to
stderr and to OUT/logs; every number also lands in OUT/results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import NoReturn

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "samples"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing it
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

DEFAULT_BUDGET, QUICK_BUDGET = "3m", "1m"
#: Our search: as many trials as the budget allows.
OURS_MAX_TRIALS = 200
#: Plain Keras Tuner: Hyperband as the SEARCH-SPACES measurement ran it, with the Keras
#: Tuner tutorial's early stopping.
KT_MAX_EPOCHS, KT_FACTOR, KT_PATIENCE = 100, 3, 5
#: Reference networks: at most this many epochs (the deadline or early stopping ends sooner).
REFERENCE_MAX_EPOCHS = 5000
#: A child that outlives its budget by this much (plus 2x the budget) is killed.
CHILD_GRACE_S = 300
#: "Within 1 point" for our best validation score: 0.01 of accuracy, or 1% of an error.
WITHIN = 0.01

#: The AutoKeras row's note when it cannot run here; the summary prints the whole reason.
AUTOKERAS_SHORT = "could not run here: AutoKeras 3 needs Keras < 3.13 (see the summary)"

SYSTEMS = ("ours", "keras_tuner", "reference", "baselines", "autokeras")
REFERENCE_NAMES = {
    "table": "MLP 256-128",
    "series": "FCN (Wang et al. 2017)",
    "image": "VGG-style CNN",
    "text": "BiLSTM",
    "forecast": "Conv1D + LSTM",
}


# ============================================================================================
# Data sets


@dataclass(frozen=True)
class BenchmarkSet:
    """A data set to benchmark: its file, how `automl.search` reads it, and what it is."""

    name: str
    modality: str  # table, image, series, text, forecast
    path: str
    target: str = ""
    options: dict = field(default_factory=dict)  # extra automl.search arguments
    description: str = ""
    generated: bool = False


def sample_sets() -> list[BenchmarkSet]:
    """Returns the bundled samples, read as `automl demo --sample NAME` reads them."""
    return [
        BenchmarkSet(
            "penguins",
            "table",
            str(SAMPLES / "penguins.csv"),
            "species",
            description="sample: 344 penguins, 3 species, numeric + categorical, missing values",
        ),
        BenchmarkSet(
            "digits",
            "image",
            str(SAMPLES / "digits"),
            description="sample: 1797 8x8 grayscale hand-written digits, 10 classes",
        ),
        BenchmarkSet(
            "shapes",
            "series",
            str(SAMPLES / "shapes.npz"),
            description="sample: 600 series of 60-80 steps, 4 shapes at random places",
        ),
        BenchmarkSet(
            "sunspots",
            "forecast",
            str(SAMPLES / "sunspots.csv"),
            "sunspots",
            {"lookback": 20, "horizon": 5, "time_column": "year"},
            description="sample: yearly sunspot numbers 1700-2008, 5 years ahead from 20",
        ),
    ]


def generated_names(quick: bool) -> list[str]:
    """Returns the generated sets a run includes: one per modality with --quick, else all."""
    from generators import GENERATED

    return [name for name, spec in GENERATED.items() if spec.quick or not quick]


def write_generated(names: Sequence[str], folder: Path) -> list[BenchmarkSet]:
    """Writes the generated sets `names` under `folder`; returns them as benchmark sets."""
    from generators import GENERATED, write_set

    sets = []
    for name in names:
        spec = GENERATED[name]
        path = write_set(spec, folder)
        sets.append(
            BenchmarkSet(
                name,
                spec.modality,
                str(path),
                spec.target,
                dict(spec.search_options),
                description=f"generated: {spec.description}",
                generated=True,
            )
        )
    return sets


def choose_sets(args: argparse.Namespace) -> list[str]:
    """Returns the names of the sets to run, in order: samples first, then generated."""
    every = [s.name for s in sample_sets()] + generated_names(quick=False)
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in every]
        if unknown:
            raise SystemExit(
                f"--only: unknown data set {', '.join(unknown)}; choose from {', '.join(every)}"
            )
        return [name for name in every if name in wanted]
    return [s.name for s in sample_sets()] + generated_names(quick=args.quick)


# ============================================================================================
# The shared split, read as the engine reads the data


@dataclass
class SplitArrays:
    """One data set's train/validation/test inputs and targets, as raw arrays.

    Inputs by modality: tables a dict of column arrays (float32 with NaN, or strings), images
    float32 (n, h, w, c) in 0..255, series float32 (n, steps, features) NaN-padded, text an
    array of strings, forecasts float32 windows (n, lookback, features). Targets are class
    indices (classification), float32 values (regression) or (n, horizon) (forecasts).
    """

    modality: str
    task: str  # "classification", "regression" or "forecast"
    x: dict  # "train"/"validation"/"test" -> inputs
    y: dict  # "train"/"validation"/"test" -> targets
    class_names: list[str]
    numeric: list[str] = field(default_factory=list)  # tables: numeric columns
    categorical: list[str] = field(default_factory=list)  # tables: everything else
    note: str = ""

    @property
    def classification(self) -> bool:
        return self.task == "classification"


def search_request(bset: BenchmarkSet, out: Path, seed: int):
    """Returns the `SearchRequest` our search runs for `bset` (the same one `automl.search`
    builds), so the other systems read the data exactly as it did."""
    from automl.search.request import SearchRequest

    return SearchRequest(
        data=Path(bset.path), target=bset.target, out=out, seed=seed, **bset.options
    )


def load_split(bset: BenchmarkSet, experiment: Path, seed: int) -> SplitArrays:
    """Returns the data of `bset` cut by our search's split (its `splits.json`).

    Forecasts are cut with `chronological_split` (20% validation, 20% test), which is what
    our search does; without a `splits.json` (our search failed) the split is recomputed
    with the engine's own seeded splitter and the note says so.
    """
    from automl.data.splits import Splits
    from automl.search.run import prepare

    if bset.modality == "forecast":
        return _forecast_split(bset, experiment)
    prepared = prepare(search_request(bset, experiment, seed))
    splits, note = prepared.splits, ""
    saved = experiment / "splits.json"
    if saved.exists():
        splits = Splits.from_dict(json.loads(saved.read_text()))
    else:
        note = "our search left no splits.json: split recomputed with the same seed"
    parts = {"train": splits.train, "validation": splits.validation, "test": splits.test}
    class_names = list(prepared.class_names)
    if bset.modality == "image":
        folder = prepared.folder
        images = _read_images(folder.files, tuple(folder.image_size), folder.channels)
        labels = np.asarray(folder.labels, dtype=np.int64)
        return SplitArrays(
            "image",
            "classification",
            {k: images[v] for k, v in parts.items()},
            {k: labels[v] for k, v in parts.items()},
            class_names,
            note=note,
        )
    if bset.modality == "series":
        X = np.asarray(prepared.sequences.X, dtype=np.float32)
        labels = np.asarray(prepared.labels)
        return SplitArrays(
            "series",
            "classification" if prepared.classification else "regression",
            {k: X[v] for k, v in parts.items()},
            {k: labels[v] for k, v in parts.items()},
            class_names,
            note=note,
        )
    dataset = prepared.dataset
    inputs = dataset.model_inputs()
    names = {c.input_name: c.name for c in dataset.features}
    targets = dataset.target_values()
    task = "classification" if prepared.classification else "regression"
    if prepared.modality == "text":
        (text,) = inputs.values()
        return SplitArrays(
            "text",
            task,
            {k: np.asarray(text)[v] for k, v in parts.items()},
            {k: targets[v] for k, v in parts.items()},
            class_names,
            note=note,
        )
    numeric = [names[k] for k, a in inputs.items() if a.dtype.kind == "f"]
    categorical = [names[k] for k, a in inputs.items() if a.dtype.kind != "f"]
    columns = {names[k]: a for k, a in inputs.items()}
    return SplitArrays(
        "table",
        task,
        {k: {c: a[v] for c, a in columns.items()} for k, v in parts.items()},
        {k: targets[v] for k, v in parts.items()},
        class_names,
        numeric,
        categorical,
        note=note,
    )


def _forecast_split(bset: BenchmarkSet, experiment: Path) -> SplitArrays:
    from automl.data.forecast import chronological_split, load_forecast

    options = bset.options
    data = load_forecast(
        Path(bset.path),
        bset.target,
        time_column=options.get("time_column"),
        id_column=options.get("id_column"),
    )
    train, validation, test = chronological_split(
        data, options["lookback"], options["horizon"], 0.2, 0.2
    )
    note = ""
    saved = experiment / "splits.json"
    if saved.exists():
        ours = json.loads(saved.read_text())
        counts = [len(ours[k]) for k in ("train", "validation", "test")]
        if counts != [len(train.X), len(validation.X), len(test.X)]:
            note = f"our search's windows differ: {counts} train/validation/test"
    parts = {"train": train, "validation": validation, "test": test}
    return SplitArrays(
        "forecast",
        "forecast",
        {k: w.X for k, w in parts.items()},
        {k: w.y for k, w in parts.items()},
        [],
        note=note,
    )


def _read_images(files: Sequence[str], size: tuple[int, int], channels: int) -> np.ndarray:
    """Returns image files as float32 (n, height, width, channels) in 0..255."""
    from PIL import Image

    mode = "L" if channels == 1 else "RGB"
    height, width = size
    pixels = []
    for path in files:
        with Image.open(path) as image:
            image = image.convert(mode)
            if image.size != (width, height):
                image = image.resize((width, height), Image.Resampling.BILINEAR)
            array = np.asarray(image, dtype=np.float32)
        pixels.append(array[:, :, None] if channels == 1 else array)
    return np.stack(pixels)


# ============================================================================================
# Scores


def test_scores(split: SplitArrays, output: np.ndarray) -> dict[str, float]:
    """Returns the reported test metrics: accuracy and balanced accuracy, or RMSE and MAE.

    `output` is class probabilities (or predicted class indices) for classification, and
    predictions in the target's units otherwise.
    """
    from automl.search.metrics import classification_scores, regression_scores

    y = split.y["test"]
    if split.classification:
        output = np.asarray(output)
        if output.ndim == 1:  # class indices: one-hot them
            output = np.eye(len(split.class_names))[output.astype(int)]
        scores = classification_scores(y, output)
        return {k: scores[k] for k in ("accuracy", "balanced_accuracy")}
    scores = regression_scores(y, output)
    return {k: scores[k] for k in ("rmse", "mae")}


# ============================================================================================
# Workers: each runs in its own child process and returns a JSON-ready row


def worker_ours(job: dict) -> dict:
    """Runs our search as a notebook user would and returns its row."""
    import automl

    bset = BenchmarkSet(**job["set"])
    experiment = Path(job["experiment"])
    began_wall, began = time.time(), time.monotonic()
    with stdout_to_stderr():
        result = automl.search(
            bset.path,
            bset.target,
            experiment,
            time_budget=job["budget_s"],
            max_trials=OURS_MAX_TRIALS,
            seed=job["seed"],
            overwrite=True,
            **bset.options,
        )
    wall = time.monotonic() - began
    summary = result.summary
    timing = summary.get("timing", {})
    events = _read_events(experiment / "events.jsonl")
    metric, direction = summary.get("metric"), summary.get("direction")
    best_score = (summary.get("best_trial") or {}).get("score")
    test = summary.get("test_metrics") or {}
    keys = ("accuracy", "balanced_accuracy") if summary["class_names"] else ("rmse", "mae")
    best_hp = (summary.get("best_trial") or {}).get("hyperparameters") or {}
    model = summary.get("model") or {}
    families = sorted(
        {e["hyperparameters"].get("family", "") for e in events if e["type"] == "trial_started"}
        - {""}
    )
    return {
        "metrics": {k: test[k] for k in keys if k in test},
        "trials": (summary.get("trials") or {}).get("completed"),
        "epochs": sum(1 for e in events if e["type"] == "epoch_ended"),
        # The budget covers search and refit; export and test scoring come after it.
        "time_s": round(timing.get("total_s", wall) - timing.get("export_s", 0.0), 1),
        "status": summary.get("status"),
        "within_s": _time_within(events, metric, direction, best_score, began_wall),
        "overhead_fraction": timing.get("overhead_fraction"),
        "search_s": timing.get("search_s"),
        "fit_s": timing.get("fit_s"),
        "export_s": timing.get("export_s"),
        "total_s": round(wall, 1),
        "parity": (model.get("parity") or {}).get("max_abs_diff"),
        "refit": summary.get("refit"),
        "best_family": best_hp.get("family") or (families[0] if len(families) == 1 else None),
        "families": families,
        "best_val": best_score,
        "metric": metric,
        "direction": direction,
        "n_test": summary["rows"]["test"],
        "rows": summary["rows"],
        "task": summary.get("task"),
        "notes": summary.get("notes") or [],
    }


def _read_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            events.append(json.loads(line))
    return events


def _time_within(
    events: list[dict], metric: str | None, direction: str | None, best: float | None, start: float
) -> float | None:
    """Returns the seconds (from the search call) at which the best validation score seen so
    far first came within 1 point (0.01, or 1% of an error) of the search's final best."""
    if metric is None or best is None:
        return None
    key = "val_loss" if metric == "log_loss" else f"val_{metric}"
    maximise = direction == "max"
    threshold = best - WITHIN if maximise else best * (1 + WITHIN)
    for event in events:
        if event["type"] != "epoch_ended":
            continue
        value = event["metrics"].get(key)
        if value is None:
            continue
        if (value >= threshold) if maximise else (value <= threshold):
            return round(event["time"] - start, 1)
    return None


def make_clock(keras, deadline: float):
    """Returns a Keras callback that stops training at `deadline` (time.monotonic) and counts
    the epochs run. Keras Tuner deep-copies callbacks per trial; this one returns itself, so
    one count covers every trial."""

    class Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def __deepcopy__(self, memo):
            return self

        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() >= deadline:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    return Clock()


@dataclass
class Inputs:
    """Model-ready arrays for the Keras systems, and how to turn outputs back into units."""

    x: dict  # split name -> array
    y: dict
    outputs: int  # classes, 1 (regression) or horizon (forecast)
    unscale: Callable[[np.ndarray], np.ndarray] = lambda out: out
    vocabulary: int = 0  # text: token ids run below this


def keras_inputs(split: SplitArrays, recipe: str) -> Inputs:
    """Returns the split as numeric arrays: fitted on the training rows only.

    `recipe` is "generic" (what a plain Keras Tuner user does: standardise, vectorise with
    common defaults) or "reference" (the reference network's published preprocessing).
    """
    x, y = dict(split.x), dict(split.y)
    outputs = len(split.class_names) if split.classification else 1
    unscale: Callable[[np.ndarray], np.ndarray] = lambda out: out  # noqa: E731
    vocabulary = 0
    if split.modality == "table":
        columns = table_preprocessing(split)
        frames = {k: table_frame(split, v) for k, v in x.items()}
        columns.fit(frames["train"])
        x = {k: np.asarray(columns.transform(f), dtype=np.float32) for k, f in frames.items()}
    elif split.modality == "series":
        if recipe == "reference":  # FCN: each series z-normalised on its own (UCR practice)
            x = {k: np.nan_to_num(_znorm(v)) for k, v in x.items()}
        else:
            mean = np.nanmean(x["train"], axis=(0, 1))
            std = np.nanstd(x["train"], axis=(0, 1)) + 1e-8
            x = {k: np.nan_to_num((v - mean) / std).astype(np.float32) for k, v in x.items()}
    elif split.modality == "text":
        import keras

        words = np.array([len(t.split()) for t in x["train"]])
        if recipe == "reference":
            tokens, length = 20000, int(max(16, np.percentile(words, 95)))
        else:
            tokens, length = 10000, 100
        vectorize = keras.layers.TextVectorization(max_tokens=tokens, output_sequence_length=length)
        vectorize.adapt(x["train"])
        vocabulary = int(vectorize.vocabulary_size())
        x = {k: np.asarray(vectorize(np.asarray(v, dtype=object))) for k, v in x.items()}
    elif split.modality == "forecast":
        mean = x["train"].mean(axis=(0, 1))
        std = x["train"].std(axis=(0, 1)) + 1e-8
        x = {k: ((v - mean) / std).astype(np.float32) for k, v in x.items()}
        target_mean, target_std = float(mean[0]), float(std[0])
        y = {k: ((v - target_mean) / target_std).astype(np.float32) for k, v in y.items()}
        outputs = y["train"].shape[1]

        def unscale(out: np.ndarray) -> np.ndarray:
            return out * target_std + target_mean

    if split.task == "regression":
        target_mean, target_std = float(y["train"].mean()), float(y["train"].std() or 1.0)
        y = {k: ((v - target_mean) / target_std).astype(np.float32) for k, v in y.items()}

        def unscale(out: np.ndarray) -> np.ndarray:
            return np.asarray(out).ravel() * target_std + target_mean

    return Inputs(x, y, outputs, unscale, vocabulary)


def _znorm(x: np.ndarray) -> np.ndarray:
    mean = np.nanmean(x, axis=1, keepdims=True)
    std = np.nanstd(x, axis=1, keepdims=True) + 1e-8
    return ((x - mean) / std).astype(np.float32)


def table_frame(split: SplitArrays, columns: dict):
    """Returns a table split's columns as a DataFrame: numbers as float, the rest as text."""
    import pandas as pd

    frame = pd.DataFrame({c: columns[c] for c in split.numeric})
    for c in split.categorical:
        frame[c] = pd.Series(columns[c], dtype=object).replace("", np.nan)
    return frame


def table_preprocessing(split: SplitArrays):
    """Median + scaling for numbers; most frequent + one-hot for the other columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return ColumnTransformer(
        [
            (
                "num",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                split.numeric,
            ),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                split.categorical,
            ),
        ]
    )


def _head(keras, x, split: SplitArrays, outputs: int):
    if split.classification:
        return keras.layers.Dense(outputs, activation="softmax")(x)
    return keras.layers.Dense(outputs)(x)


def _compile(keras, model, split: SplitArrays, learning_rate: float):
    if split.classification:
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    else:
        loss, metrics = "mse", ["mae"]
    model.compile(keras.optimizers.Adam(learning_rate), loss=loss, metrics=metrics)
    return model


def generic_space(keras, split: SplitArrays, data: Inputs) -> Callable:
    """Returns a Keras Tuner `build_model(hp)` over a generic space for the modality, the way
    the Keras Tuner getting-started guide writes one (layers, units, dropout, learning rate).
    """
    shape = data.x["train"].shape[1:]

    def build_model(hp):
        inputs = keras.Input(shape)
        x = inputs
        if split.modality == "image":
            x = keras.layers.Rescaling(1 / 255)(x)
            size = min(shape[0], shape[1])
            for i in range(hp.Int("conv_layers", 1, 3)):
                x = keras.layers.Conv2D(
                    hp.Int(f"filters_{i}", 32, 128, step=32), 3, padding="same", activation="relu"
                )(x)
                if size >= 4:
                    x = keras.layers.MaxPooling2D()(x)
                    size //= 2
            x = keras.layers.Flatten()(x)
        elif split.modality in ("series", "forecast"):
            if hp.Choice("layer_type", ["conv1d", "lstm"]) == "conv1d":
                for i in range(hp.Int("conv_layers", 1, 3)):
                    x = keras.layers.Conv1D(
                        hp.Int(f"filters_{i}", 32, 128, step=32),
                        hp.Choice(f"kernel_{i}", [3, 5, 7]),
                        padding="same",
                        activation="relu",
                    )(x)
                x = keras.layers.GlobalAveragePooling1D()(x)
            else:
                x = keras.layers.LSTM(hp.Int("lstm_units", 32, 128, step=32))(x)
        elif split.modality == "text":
            x = keras.layers.Embedding(data.vocabulary, hp.Int("embedding", 32, 128, step=32))(x)
            if hp.Choice("encoder", ["average", "lstm"]) == "lstm":
                x = keras.layers.LSTM(hp.Int("lstm_units", 32, 128, step=32))(x)
            else:
                x = keras.layers.GlobalAveragePooling1D()(x)
        for i in range(hp.Int("dense_layers", 1, 3)):
            x = keras.layers.Dense(
                hp.Int(f"units_{i}", 32, 512, step=32),
                activation=hp.Choice("activation", ["relu", "tanh"]),
            )(x)
        if hp.Boolean("dropout"):
            x = keras.layers.Dropout(rate=0.25)(x)
        model = keras.Model(inputs, _head(keras, x, split, data.outputs))
        learning_rate = hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
        return _compile(keras, model, split, learning_rate)

    return build_model


def worker_keras_tuner(job: dict) -> dict:
    """Runs plain Keras Tuner Hyperband until the deadline; returns its best model's row."""
    began = time.monotonic()
    deadline = began + job["budget_s"]
    import keras
    import keras_tuner

    keras.utils.set_random_seed(job["seed"])
    bset = BenchmarkSet(**job["set"])
    split = load_split(bset, Path(job["experiment"]), job["seed"])
    data = keras_inputs(split, "generic")

    class DeadlineHyperband(keras_tuner.Hyperband):
        def pre_create_trial(self):
            if time.monotonic() >= deadline:
                raise keras_tuner.errors.FatalError("the time budget ran out")

    objective = "val_accuracy" if split.classification else "val_loss"
    tuner = DeadlineHyperband(
        generic_space(keras, split, data),
        objective=objective,
        max_epochs=KT_MAX_EPOCHS,
        factor=KT_FACTOR,
        seed=job["seed"],
        directory=job["work"],
        project_name="hyperband",
        overwrite=True,
    )
    clock = make_clock(keras, deadline)
    stop_early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=KT_PATIENCE)
    with contextlib.suppress(keras_tuner.errors.FatalError):
        tuner.search(
            data.x["train"],
            data.y["train"],
            validation_data=(data.x["validation"], data.y["validation"]),
            epochs=KT_MAX_EPOCHS,
            callbacks=[stop_early, clock],
            verbose=0,
        )
    completed = [t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]
    if not completed:
        raise RuntimeError("no Keras Tuner trial completed within the budget")
    model = tuner.get_best_models(1)[0]
    elapsed = time.monotonic() - began
    output = data.unscale(model.predict(data.x["test"], verbose=0))
    best = tuner.oracle.get_best_trials(1)[0]
    return {
        "metrics": test_scores(split, output),
        "trials": len(completed),
        "epochs": clock.epochs,
        "time_s": round(elapsed, 1),
        "notes": [
            f"best trial {best.trial_id}: {best.hyperparameters.values.get('tuner/epochs')} "
            f"epochs asked, {objective} {best.score:.4g}"
        ],
        "split_note": split.note,
    }


#: Batch-norm momentum of the reference networks (PyTorch's default, and our engine's): with
#: Keras's 0.99 the moving statistics lag for hundreds of steps, so a network trained for a
#: minute scores near chance on validation for its first ~10 epochs (measured on digits).
BN_MOMENTUM = 0.9


def reference_model(keras, split: SplitArrays, data: Inputs):
    """Returns the hand-written network for the modality, compiled, and its batch size."""
    L = keras.layers
    shape = data.x["train"].shape[1:]
    inputs = keras.Input(shape)
    if split.modality == "table":
        x = L.Dense(256, activation="relu")(inputs)
        x = L.Dropout(0.2)(x)
        x = L.Dense(128, activation="relu")(x)
        x = L.Dropout(0.2)(x)
        batch = 32
    elif split.modality == "series":  # FCN: 128/256/128 filters, kernels 8/5/3, BN + ReLU, GAP
        x = inputs
        for filters, kernel in ((128, 8), (256, 5), (128, 3)):
            x = L.Conv1D(filters, kernel, padding="same")(x)
            x = L.BatchNormalization(momentum=BN_MOMENTUM)(x)
            x = L.Activation("relu")(x)
        x = L.GlobalAveragePooling1D()(x)
        batch = 16
    elif split.modality == "image":  # VGG-style: conv-conv-pool blocks of 32/64(/128)
        x = L.Rescaling(1 / 255)(inputs)
        size = min(shape[0], shape[1])
        for filters in (32, 64, 128):
            if size < 4:
                break
            for _ in range(2):
                x = L.Conv2D(filters, 3, padding="same", use_bias=False)(x)
                x = L.BatchNormalization(momentum=BN_MOMENTUM)(x)
                x = L.Activation("relu")(x)
            x = L.MaxPooling2D()(x)
            x = L.Dropout(0.2)(x)
            size //= 2
        x = L.GlobalAveragePooling2D()(x)
        x = L.Dropout(0.3)(x)
        batch = 32
    elif split.modality == "text":  # Embedding 64 + bidirectional LSTM 64
        x = L.Embedding(data.vocabulary, 64, mask_zero=True)(inputs)
        x = L.Bidirectional(L.LSTM(64))(x)
        x = L.Dense(64, activation="relu")(x)
        x = L.Dropout(0.3)(x)
        batch = 32
    else:  # forecast: a causal Conv1D for local shape, an LSTM for the window
        x = L.Conv1D(32, 3, padding="causal", activation="relu")(inputs)
        x = L.LSTM(64)(x)
        batch = 32
    model = keras.Model(inputs, _head(keras, x, split, data.outputs))
    return _compile(keras, model, split, 1e-3), batch


def worker_reference(job: dict) -> dict:
    """Trains the reference network until early stopping or the deadline; returns its row."""
    began = time.monotonic()
    deadline = began + job["budget_s"]
    import keras

    keras.utils.set_random_seed(job["seed"])
    bset = BenchmarkSet(**job["set"])
    split = load_split(bset, Path(job["experiment"]), job["seed"])
    data = keras_inputs(split, "reference")
    model, batch = reference_model(keras, split, data)
    # Patience scales with the validation set: small ones are noisy.
    patience = 50 if split.modality == "series" else (10 if split.modality == "text" else 20)
    clock = make_clock(keras, deadline)
    callbacks = [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, restore_best_weights=True
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=max(5, patience // 3), min_lr=1e-5
        ),
        clock,
    ]
    model.fit(
        data.x["train"],
        data.y["train"],
        validation_data=(data.x["validation"], data.y["validation"]),
        epochs=REFERENCE_MAX_EPOCHS,
        batch_size=batch,
        callbacks=callbacks,
        verbose=0,
    )
    elapsed = time.monotonic() - began
    output = data.unscale(model.predict(data.x["test"], verbose=0))
    why = "deadline" if time.monotonic() >= deadline else "early stopping"
    return {
        "metrics": test_scores(split, output),
        "trials": 1,
        "epochs": clock.epochs,
        "time_s": round(elapsed, 1),
        "notes": [f"stopped by {why}; batch {batch}, patience {patience}"],
        "split_note": split.note,
    }


def baseline_features(split: SplitArrays) -> tuple[dict, dict]:
    """Returns (dense features for 1-NN / linear models, features for gradient boosting),
    each split name -> array, fitted on train + validation."""
    fit = ("train", "validation")
    if split.modality == "table":
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.preprocessing import OrdinalEncoder

        frames = {k: table_frame(split, v) for k, v in split.x.items()}
        both = pd.concat([frames[k] for k in fit], ignore_index=True)
        linear = table_preprocessing(split).fit(both)
        ordinal = ColumnTransformer(
            [
                (
                    "cat",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=np.nan,
                        encoded_missing_value=np.nan,
                    ),
                    split.categorical,
                ),
                ("num", "passthrough", split.numeric),
            ]
        ).fit(both)
        dense = {k: np.asarray(linear.transform(f), dtype=np.float64) for k, f in frames.items()}
        trees = {k: np.asarray(ordinal.transform(f), dtype=np.float64) for k, f in frames.items()}
        return dense, trees
    if split.modality == "text":
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

        texts = list(split.x["train"]) + list(split.x["validation"])
        tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        counts = CountVectorizer(max_features=1000).fit(texts)
        dense = {k: tfidf.transform(v) for k, v in split.x.items()}
        trees = {k: counts.transform(v).toarray().astype(np.float64) for k, v in split.x.items()}
        return dense, trees
    flat = {k: np.nan_to_num(v.reshape(len(v), -1).astype(np.float64)) for k, v in split.x.items()}
    if split.modality == "image":
        flat = {k: v / 255.0 for k, v in flat.items()}
    return flat, flat


def worker_baselines(job: dict) -> dict:
    """Fits the simple baselines on train + validation; returns one row per baseline."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    bset = BenchmarkSet(**job["set"])
    began = time.monotonic()
    split = load_split(bset, Path(job["experiment"]), job["seed"])
    dense, trees = baseline_features(split)
    load_s = time.monotonic() - began
    y_fit = np.concatenate([split.y["train"], split.y["validation"]])

    def stack(features: dict):
        import scipy.sparse

        parts = [features["train"], features["validation"]]
        return scipy.sparse.vstack(parts) if scipy.sparse.issparse(parts[0]) else np.vstack(parts)

    scaled = split.modality in ("series", "forecast")  # tables and text are scaled already
    linear_prefix = [StandardScaler()] if scaled else []
    seed = job["seed"]
    if split.classification:
        models = {
            "majority class": (DummyClassifier(strategy="prior"), dense),
            "1-nearest neighbour": (KNeighborsClassifier(1), dense),
            "logistic regression": (
                make_pipeline(*linear_prefix, LogisticRegression(max_iter=2000)),
                dense,
            ),
            "HistGradientBoosting": (HistGradientBoostingClassifier(random_state=seed), trees),
        }
    else:
        multi = split.modality == "forecast"

        def boosted():
            model = HistGradientBoostingRegressor(random_state=seed)
            return MultiOutputRegressor(model) if multi else model

        models = {
            "mean": (DummyRegressor(strategy="mean"), dense),
            "1-nearest neighbour": (KNeighborsRegressor(1), dense),
            "ridge regression": (make_pipeline(*linear_prefix, Ridge()), dense),
            "HistGradientBoosting": (boosted(), trees),
        }
    rows = {}
    if split.modality == "forecast":
        from automl.data.forecast import naive_forecast

        rows["naive last value"] = {
            "metrics": test_scores(
                split, naive_forecast(split.x["test"], split.y["test"].shape[1])
            ),
            "time_s": 0.0,
        }
    for name, (model, features) in models.items():
        started = time.monotonic()
        try:
            model.fit(stack(features), y_fit)
            if split.classification:
                proba = np.zeros((len(split.y["test"]), len(split.class_names)))
                proba[:, model.classes_] = model.predict_proba(features["test"])
                output = proba
            else:
                output = model.predict(features["test"])
            rows[name] = {"metrics": test_scores(split, output)}
        except Exception as error:  # one baseline failing must not hide the others
            rows[name] = {"error": f"{type(error).__name__}: {error}"}
        rows[name]["time_s"] = round(time.monotonic() - started + load_s, 1)
    return {"baselines": rows, "split_note": split.note}


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
    bset = BenchmarkSet(**job["set"])
    split = load_split(bset, Path(job["experiment"]), job["seed"])
    x, y = dict(split.x), dict(split.y)
    if split.modality == "table":
        columns = table_preprocessing(split)
        frames = {k: table_frame(split, v) for k, v in x.items()}
        columns.fit(frames["train"])
        x = {k: np.asarray(columns.transform(f), dtype=np.float32) for k, f in frames.items()}
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


WORKERS = {
    "ours": worker_ours,
    "keras_tuner": worker_keras_tuner,
    "reference": worker_reference,
    "baselines": worker_baselines,
    "autokeras": worker_autokeras,
}


@contextlib.contextmanager
def stdout_to_stderr():
    """Sends everything written to stdout, by Python or native code, to stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 1)
        os.close(saved)


def worker_main(system: str, job_path: Path) -> NoReturn:
    """A child's entry point: runs one system on one data set, writes its row as JSON."""
    job = json.loads(job_path.read_text())
    try:
        row = WORKERS[system](job)
    except BaseException as error:  # the parent reports it in the table
        traceback.print_exc()
        message = str(error).strip().splitlines()
        row = {"error": f"{type(error).__name__}: {message[-1] if message else ''}"[:300]}
        if isinstance(error, KeyboardInterrupt):
            raise
    Path(job["result"]).write_text(json.dumps(row, default=_json_default))
    sys.stdout.flush()
    sys.stderr.flush()
    # Tearing TensorFlow down takes seconds on a busy machine, and the row is written.
    os._exit(0)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


# ============================================================================================
# The parent: runs the children, collects rows, prints the report


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


def run_child(system: str, job: dict, out: Path, python: str | None = None) -> dict:
    """Runs `system` on one data set in a child process; returns its row (or its error)."""
    name = job["set"]["name"]
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    job_path = logs / f"{name}.{system}.job.json"
    job["result"] = str(logs / f"{name}.{system}.result.json")
    Path(job["result"]).unlink(missing_ok=True)
    job_path.write_text(json.dumps(job))
    log_path = logs / f"{name}.{system}.log"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    if system == "baselines":
        # HistGradientBoosting's OpenMP threads spin-wait on a shared 2-core machine: one
        # thread fit the 16x16 images in 13 s where two took 54 s (load average 4).
        env["OMP_NUM_THREADS"] = "1"
    command = [python or sys.executable, str(Path(__file__)), "--worker", system, str(job_path)]
    timeout = 2 * job["budget_s"] + CHILD_GRACE_S
    print(f"[{name}] {system}: running (log {log_path})", file=sys.stderr, flush=True)
    began = time.monotonic()
    with open(log_path, "w") as log:
        try:
            subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return {"error": f"killed after {timeout:.0f} s (see {log_path})"}
    wall = time.monotonic() - began
    if not Path(job["result"]).exists():
        tail = log_path.read_text().strip().splitlines()[-3:]
        return {"error": f"the child wrote no result: {' | '.join(tail)}"}
    row = json.loads(Path(job["result"]).read_text())
    row["child_s"] = round(wall, 1)
    print(f"[{name}] {system}: done in {wall:.0f} s", file=sys.stderr, flush=True)
    return row


@dataclass
class SetResult:
    """Every system's row on one data set."""

    bset: BenchmarkSet
    rows: dict = field(default_factory=dict)  # system -> row


def benchmark_set(bset: BenchmarkSet, args: argparse.Namespace) -> SetResult:
    """Runs every chosen system on `bset`: ours first (its split is everyone's)."""
    work = args.out / bset.name
    job = {
        "set": asdict(bset),
        "budget_s": args.budget_s,
        "seed": args.seed,
        "experiment": str(work / "ours"),
    }
    result = SetResult(bset)
    for system in args.systems:
        if system == "autokeras" and args.autokeras_python is None:
            result.rows[system] = {"error": AUTOKERAS_SHORT}
            continue
        child_job = dict(job, work=str(work / system))
        python = args.autokeras_python if system == "autokeras" else None
        result.rows[system] = run_child(system, child_job, args.out, python)
    return result


# ---------------------------------------------------------------------------- report


def primary_metric(result: SetResult) -> tuple[str, str]:
    """Returns (metric, direction) the comparison uses: our search's objective."""
    ours = result.rows.get("ours", {})
    if ours.get("metric") in ("accuracy", "rmse", "mae"):
        return ours["metric"], ours.get("direction", "max")
    if result.bset.modality == "forecast":
        return "mae", "min"
    metrics = next((r["metrics"] for r in result.rows.values() if r.get("metrics")), {})
    return ("accuracy", "max") if "accuracy" in metrics or not metrics else ("rmse", "min")


def n_test(result: SetResult) -> int | None:
    ours = result.rows.get("ours", {})
    return ours.get("n_test")


def verdict(result: SetResult, other: str) -> tuple[str, str]:
    """Returns ("beats" | "matches" | "loses" | "n/a", how much) for ours against `other`.

    Beats: strictly better. Matches: worse by at most one test example (1/n_test of
    accuracy; for errors, 1/n_test of the other's error). Loses: worse by more.
    """
    metric, direction = primary_metric(result)
    ours = (result.rows.get("ours") or {}).get("metrics", {}).get(metric)
    theirs = (result.rows.get(other) or {}).get("metrics", {}).get(metric)
    count = n_test(result)
    if ours is None or theirs is None or not count:
        return "n/a", ""
    if direction == "max":
        diff = ours - theirs
        examples = diff * count
        how = f"{100 * diff:+.1f} points ({examples:+.0f} test examples)"
        tolerance = 1 / count + 1e-9
    else:
        diff = (theirs - ours) / theirs if theirs else 0.0
        how = f"{metric} {ours:.4g} vs {theirs:.4g} ({-100 * diff:+.1f}%)"
        tolerance = 1 / count
    if diff > 1e-12:
        return "beats", how
    if diff >= -tolerance:
        return "matches", how
    return "loses", how


SYSTEM_LABELS = {
    "ours": "ours: automl.search",
    "keras_tuner": "plain Keras Tuner Hyperband",
    "autokeras": "AutoKeras 3",
}


def system_label(system: str, modality: str) -> str:
    if system == "reference":
        return f"reference {REFERENCE_NAMES[modality]}"
    return SYSTEM_LABELS.get(system, system)


def _cell(value, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{value:.{digits}f}"


def format_rows(header: list[str], body: list[list[str]], align_left: int = 1) -> str:
    """Returns a plain text table: the first `align_left` columns left-aligned."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths, strict=True)):
            out.append(c.ljust(w) if i < align_left or i == len(cells) - 1 else c.rjust(w))
        return "  ".join(out).rstrip()

    return "\n".join([line(header), "-" * len(line(header)), *(line(r) for r in body)])


def ours_notes(row: dict, budget_s: float) -> str:
    parts = []
    if row.get("families"):
        family = row.get("best_family")
        parts.append(
            f"families {'/'.join(row['families'])}" + (f", best {family}" if family else "")
        )
    if row.get("refit") is not None:
        parts.append("refit" if row["refit"] else "no refit")
    within = row.get("within_s")
    parts.append(
        f"validation best within 1 pt of final at {within:.0f} s of {budget_s:.0f} s"
        if within is not None
        else "validation best: n/a"
    )
    if row.get("overhead_fraction") is not None:
        per_trial = ""
        if row.get("trials") and row.get("search_s") is not None and row.get("fit_s") is not None:
            per_trial = f" ({(row['search_s'] - row['fit_s']) / row['trials']:.2f} s a trial)"
        parts.append(f"overhead {100 * row['overhead_fraction']:.1f}%{per_trial}")
    if row.get("parity") is not None:
        parts.append(f"parity {row['parity']:.1e}")
    if row.get("export_s") is not None:
        parts.append(f"export {row['export_s']:.0f} s")
    return "; ".join(parts)


def set_report(result: SetResult, budget_s: float) -> str:
    """Returns one data set's table and its comparison lines."""
    bset = result.bset
    metric, _ = primary_metric(result)
    regression = metric in ("rmse", "mae")
    names = ("rmse", "mae") if regression else ("accuracy", "balanced_accuracy")
    ours = result.rows.get("ours", {})
    rows = ours.get("rows") or {}
    counts = (
        f"{rows.get('train')}/{rows.get('validation')}/{rows.get('test')} train/validation/test"
        if rows
        else "split unknown"
    )
    lines = [
        f"== {bset.name}: {bset.modality}, {ours.get('task') or '?'}; {counts}; "
        f"budget {budget_s:.0f} s per system; primary metric: {metric} ==",
        f"   {bset.description}",
    ]
    header = [
        "system",
        *{"rmse": ["RMSE"], "mae": ["MAE"]}.get(names[0], ["accuracy"]),
        *{"mae": ["MAE"], "balanced_accuracy": ["bal. acc."]}[names[1]],
        "trials",
        "epochs",
        "time_s",
        "notes",
    ]
    body = []
    for system, row in result.rows.items():
        if system == "baselines":
            if row.get("error"):
                body.append(["baselines", "-", "-", "-", "-", "-", row["error"]])
                continue
            for name, baseline in row["baselines"].items():
                metrics = baseline.get("metrics", {})
                body.append(
                    [
                        name,
                        _cell(metrics.get(names[0])),
                        _cell(metrics.get(names[1])),
                        "-",
                        "-",
                        _cell(baseline.get("time_s"), 1),
                        baseline.get("error", ""),
                    ]
                )
            continue
        metrics = row.get("metrics", {})
        if system == "ours" and not row.get("error"):
            note = ours_notes(row, budget_s)
        else:
            note = row.get("error") or "; ".join(row.get("notes", []))
        body.append(
            [
                system_label(system, bset.modality),
                _cell(metrics.get(names[0])),
                _cell(metrics.get(names[1])),
                _cell(row.get("trials")),
                _cell(row.get("epochs")),
                _cell(row.get("time_s"), 1),
                note,
            ]
        )
    lines.append(format_rows(header, body))
    split_notes = {r.get("split_note") for r in result.rows.values() if r.get("split_note")}
    lines += [f"   note: {note}" for note in sorted(split_notes)]
    comparisons = []
    for other in ("keras_tuner", "reference", "autokeras"):
        if other in result.rows:
            word, how = verdict(result, other)
            comparisons.append(f"vs {system_label(other, bset.modality)}: {word} {how}".rstrip())
    if comparisons:
        lines.append("ours " + "; ".join(comparisons))
    return "\n".join(lines)


def best_baseline(result: SetResult) -> tuple[str, float | None]:
    metric, direction = primary_metric(result)
    baselines = (result.rows.get("baselines") or {}).get("baselines") or {}
    scored = [
        (name, b["metrics"][metric])
        for name, b in baselines.items()
        if metric in b.get("metrics", {})
    ]
    if not scored:
        return "-", None
    pick = max if direction == "max" else min
    return pick(scored, key=lambda item: item[1])


def _metric_cell(result: SetResult, system: str, metric: str) -> str:
    return _cell((result.rows.get(system) or {}).get("metrics", {}).get(metric))


def _baseline_cell(result: SetResult) -> str:
    name, score = best_baseline(result)
    return f"{_cell(score)} {name}" if score is not None else "-"


def _ours_cell(result: SetResult, what: str) -> str:
    ours = result.rows.get("ours", {})
    if what == "trials/epochs":
        return f"{_cell(ours.get('trials'))}/{_cell(ours.get('epochs'))}"
    if what == "within":
        within = ours.get("within_s")
        return f"{within:.0f} s" if within is not None else "-"
    if what == "overhead":
        fraction = ours.get("overhead_fraction")
        return f"{100 * fraction:.1f}%" if fraction is not None else "-"
    parity = ours.get("parity")
    return f"{parity:.1e}" if parity is not None else "-"


def summary_report(results: list[SetResult], args: argparse.Namespace) -> str:
    """Returns the closing summary: one line per set, then the counts against the targets."""
    ran = [s for s in args.systems if s != "autokeras" or args.autokeras_python is not None]
    # Column title, and its cell for one data set; only the systems that ran get columns.
    columns: list[tuple[str, Callable[[SetResult, str], str]]] = [
        ("data set", lambda r, m: r.bset.name),
        ("metric", lambda r, m: m),
        ("ours", lambda r, m: _metric_cell(r, "ours", m)),
    ]
    for system, title, short in (
        ("keras_tuner", "Keras Tuner", "KT"),
        ("reference", "reference", "ref"),
        ("autokeras", "AutoKeras", "AK"),
    ):
        if system in ran:
            columns += [
                (title, lambda r, m, s=system: _metric_cell(r, s, m)),
                (f"vs {short}", lambda r, m, s=system: verdict(r, s)[0]),
            ]
    if "baselines" in ran:
        columns.append(("best baseline", lambda r, m: _baseline_cell(r)))
    columns += [
        ("ours trials/epochs", lambda r, m: _ours_cell(r, "trials/epochs")),
        ("within 1 pt", lambda r, m: _ours_cell(r, "within")),
        ("overhead", lambda r, m: _ours_cell(r, "overhead")),
        ("parity", lambda r, m: _ours_cell(r, "parity")),
    ]
    header = [title for title, _ in columns]
    body = [[cell(r, primary_metric(r)[0]) for _, cell in columns] for r in results]
    lines = [
        "== summary ==",
        format_rows(header, body, align_left=2),
        "",
    ]
    total = len(results)

    def count(other: str, words: tuple[str, ...]) -> list[str]:
        return [r.bset.name for r in results if verdict(r, other)[0] in words]

    if "keras_tuner" in args.systems and total:
        ok = count("keras_tuner", ("beats", "matches"))
        better = count("keras_tuner", ("beats",))
        lost = [r.bset.name for r in results if r.bset.name not in ok]
        lines.append(
            f"ours matches or beats plain Keras Tuner on {len(ok)}/{total} data sets "
            f"(target {total}/{total}): {'met' if len(ok) == total else 'NOT met'}"
            + (f"; not on: {', '.join(lost)}" if lost else "")
        )
        lines.append(
            f"ours strictly better than plain Keras Tuner on {len(better)}/{total} "
            f"(target at least {(total + 1) // 2}): "
            f"{'met' if 2 * len(better) >= total else 'NOT met'}"
        )
    if "reference" in args.systems and total:
        ok = count("reference", ("beats", "matches"))
        lost = [r.bset.name for r in results if r.bset.name not in ok]
        share = len(ok) / total
        lines.append(
            f"ours matches or beats the reference network on {len(ok)}/{total} = "
            f"{100 * share:.0f}% (target 80%): {'met' if share >= 0.8 else 'NOT met'}"
            + (f"; not on: {', '.join(lost)}" if lost else "")
        )
    for result in results:
        ours = result.rows.get("ours", {})
        if result.bset.name == "penguins" and ours.get("overhead_fraction") is not None:
            fraction = ours["overhead_fraction"]
            per_trial = (ours.get("search_s", 0) - ours.get("fit_s", 0)) / max(
                1, ours.get("trials") or 1
            )
            lines.append(
                f"search time outside model.fit on penguins (the tabular sample): "
                f"{100 * fraction:.1f}% of {ours.get('search_s', 0):.0f} s, "
                f"{per_trial:.2f} s per trial "
                f"(target < 5%): {'met' if fraction < 0.05 else 'NOT met'}"
            )
    parities = [
        (r.bset.name, r.rows["ours"]["parity"])
        for r in results
        if (r.rows.get("ours") or {}).get("parity") is not None
    ]
    if parities:
        worst = max(parities, key=lambda item: item[1])
        missing = [r.bset.name for r in results if (r.rows.get("ours") or {}).get("parity") is None]
        lines.append(
            f"export parity (Keras model vs reloaded SavedModel): worst max_abs_diff "
            f"{worst[1]:.1e} ({worst[0]}) over {len(parities)} exports (target < 1e-5): "
            f"{'met' if worst[1] < 1e-5 and not missing else 'NOT met'}"
            + (f"; no export on: {', '.join(missing)}" if missing else "")
        )
    if "autokeras" in args.systems and args.autokeras_python is None:
        lines.append(f"AutoKeras 3: {args.autokeras_reason}")
    lines.append(
        "'within 1 pt' is validation-based: when the best validation score seen so far first "
        "came within 0.01 (1% for errors) of the search's final best, counted from the search "
        "call. Matching = worse by at most one test example."
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from automl.search.budget import parse_duration

    parser = argparse.ArgumentParser(
        description="Our search against plain Keras Tuner, a reference network and baselines, "
        "at equal wall-clock budget on the same splits."
    )
    parser.add_argument(
        "--budget", default=None, help="per data set and system (default 3m; 1m with --quick)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the bundled samples and one generated set per modality, 1 minute each",
    )
    parser.add_argument("--only", default=None, help="comma-separated data set names (--list)")
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated systems to run (default all: {','.join(SYSTEMS)}); ours always runs",
    )
    parser.add_argument("--seed", type=int, default=0, help="split and training seed (default 0)")
    parser.add_argument(
        "--out", type=Path, default=None, help="working folder, kept (default: a new temp folder)"
    )
    parser.add_argument(
        "--autokeras-python",
        default=None,
        help="interpreter of an environment where AutoKeras 3 imports (it needs Keras < 3.13)",
    )
    parser.add_argument("--list", action="store_true", help="list the data sets and exit")
    parser.add_argument("--worker", nargs=2, metavar=("SYSTEM", "JOB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return args
    budget = args.budget or (QUICK_BUDGET if args.quick else DEFAULT_BUDGET)
    args.budget_s = parse_duration(budget)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown:
        parser.error(f"--systems: unknown {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    args.systems = [s for s in SYSTEMS if s in systems or s == "ours"]
    args.autokeras_python, args.autokeras_reason = autokeras_status(args.autokeras_python)
    if args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="automl-search-quality-"))
    args.out = args.out.resolve()
    return args


def code_version() -> str:
    """Returns the checkout's commit, and "+ uncommitted changes" when the tree differs."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit or 'unknown'}{' + uncommitted changes' if changed else ''}"


def list_sets() -> str:
    from generators import GENERATED

    lines = [f"{s.name:28} {s.modality:9} {s.description}" for s in sample_sets()]
    for name, spec in GENERATED.items():
        quick = " [--quick]" if spec.quick else ""
        lines.append(f"{name:28} {spec.modality:9} generated: {spec.description}{quick}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark (or, with the hidden --worker, one child's part of it)."""
    args = parse_args(argv)
    if args.worker:
        return worker_main(args.worker[0], Path(args.worker[1]))
    if args.list:
        print(list_sets())
        return 0
    names = choose_sets(args)
    samples = {s.name: s for s in sample_sets()}
    generated = write_generated([n for n in names if n not in samples], args.out / "generated-data")
    by_name = {**samples, **{s.name: s for s in generated}}
    sets = [by_name[n] for n in names]
    budgeted = sum(s in args.systems for s in ("ours", "keras_tuner", "reference"))
    budgeted += "autokeras" in args.systems and args.autokeras_python is not None
    command = "python benchmarks/search_quality.py " + shlex.join(
        list(argv) if argv is not None else sys.argv[1:]
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{command}\n{date.today().isoformat()}, code {code_version()}, "
        f"{os.cpu_count()} CPU cores, load average "
        f"{load:.2f} at start; {len(sets)} data sets x {budgeted} budgeted systems x "
        f"{args.budget_s:.0f} s = at least {len(sets) * budgeted * args.budget_s / 60:.0f} min; "
        f"seed {args.seed}; work folder {args.out}\n",
        flush=True,
    )
    began = time.monotonic()
    results = []
    for bset in sets:
        result = benchmark_set(bset, args)
        results.append(result)
        print(set_report(result, args.budget_s) + "\n", flush=True)
        (args.out / "results.json").write_text(
            json.dumps(
                [{"set": asdict(r.bset), "rows": r.rows} for r in results],
                indent=1,
                default=_json_default,
            )
        )
    print(summary_report(results, args))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"total {(time.monotonic() - began) / 60:.1f} min; load average {load:.2f} at the end; "
        f"rows in {args.out / 'results.json'}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
