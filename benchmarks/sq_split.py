"""search_quality's shared split, read as the engine reads the data, and the test scores every
system is judged by."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sq_sets import BenchmarkSet


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
        data=Path(bset.path), target=bset.target, out=out, seed=seed, options=dict(bset.options)
    )


def job_split(job: dict) -> SplitArrays:
    """Returns the split of a worker's job: its set, its experiment folder and its seed."""
    return load_split(BenchmarkSet(**job["set"]), Path(job["experiment"]), job["seed"])


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
    from automl.modalities.forecast_data import load_forecast
    from automl.modalities.forecast_windows import chronological_split

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
