"""Seeded generators of benchmark data: tables, series, images, text and forecasts.

Every data set here is drawn from numpy's seeded generator, so the same seed gives the same
values (and, through `write_set`, the same file bytes) on every run; nothing comes from a
public benchmark archive. Each generator has a difficulty knob (noise, how close the classes
are, distractors) and a size, and `GENERATED` names the sets `search_quality.py` runs. The
sets marked `small` (tables of 60-300 rows, 20-60 series to train and validate on, 150
reviews, 20 images per class) are the small data of issue 13, run by `--small`.

The files are written in the forms `automl search` reads:

- tables and text: a CSV with the target column (text: one free-text column `review`);
- series classification: a `.npz` with `X` (samples, steps, 1), NaN-padded, and labels `y`;
- images: a folder with one sub-folder of PNG files per class;
- forecasts: a CSV `t,value` in time order.

The generators themselves live one modality a module: `gen_tables`, `gen_series` (series
classification and forecasts), `gen_images` and `gen_text`.

Example:
    >>> spec = GENERATED["gen-table-mixed"]
    >>> spec.modality, spec.target, spec.quick, spec.small
    ('table', 'band', True, False)
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from gen_images import make_shape_images
from gen_series import (
    make_seasonal_series,
    make_series_frequencies,
    make_series_local,
    make_series_patterns,
)
from gen_tables import (
    make_table_imbalanced,
    make_table_linear,
    make_table_mixed,
    make_table_regression,
)
from gen_text import make_reviews

# --------------------------------------------------------------------------------------------
# Writing sets in the forms the CLI reads


@dataclass(frozen=True)
class GeneratedSet:
    """A generated data set: how to make it, the file form it is written in, and its target.

    `search_options` are extra `automl.search` arguments (a forecast's lookback/horizon).
    `quick` marks the one set per modality that `search_quality.py --quick` runs; `small`
    the small-data sets that `--small` runs (and that no other run includes unless named).
    """

    name: str
    modality: str  # "table", "series", "image", "text" or "forecast"
    description: str
    make: Callable[[], object]
    target: str = ""
    search_options: dict = field(default_factory=dict)
    quick: bool = False
    small: bool = False


def write_set(spec: GeneratedSet, folder: Path) -> Path:
    """Writes `spec`'s data under `folder` and returns the path to give `automl search`."""
    folder.mkdir(parents=True, exist_ok=True)
    data = spec.make()
    if spec.modality in ("table", "text", "forecast"):
        path = folder / f"{spec.name}.csv"
        data.to_csv(path, index=False)  # type: ignore[union-attr]
        return path
    if spec.modality == "series":
        X, y = data  # type: ignore[misc]
        path = folder / f"{spec.name}.npz"
        _write_npz(path, X=X, y=y)
        return path
    if spec.modality == "image":
        from PIL import Image

        images, labels = data  # type: ignore[misc]
        root = folder / spec.name
        for index, (image, label) in enumerate(zip(images, labels, strict=True)):
            (root / str(label)).mkdir(parents=True, exist_ok=True)
            pixels = image[:, :, 0] if image.shape[2] == 1 else image
            Image.fromarray(pixels).save(root / str(label) / f"{index:05d}.png", optimize=False)
        return root
    raise ValueError(f"unknown modality {spec.modality!r}")


def _write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Writes arrays as `np.savez` does, but with a fixed time stamp in the zip, so the same
    arrays give the same bytes (`np.savez` stamps each member with the current time)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w", force_zip64=True) as handle:
                np.lib.format.write_array(handle, np.asanyarray(array), allow_pickle=False)


#: Every generated set, by name. Sizes are kept small enough for 2 CPU cores.
GENERATED: dict[str, GeneratedSet] = {
    spec.name: spec
    for spec in (
        GeneratedSet(
            "gen-table-mixed",
            "table",
            "600 rows, 3 classes from interactions (numeric x numeric, plan x age), noise 0.5",
            lambda: make_table_mixed(600, noise=0.5, seed=11),
            target="band",
            quick=True,
        ),
        GeneratedSet(
            "gen-table-mixed-hard",
            "table",
            "3000 rows, the same rules with noise 1.2",
            lambda: make_table_mixed(3000, noise=1.2, seed=12),
            target="band",
        ),
        GeneratedSet(
            "gen-table-imbalanced",
            "table",
            "2000 rows, binary, about 8% positives",
            lambda: make_table_imbalanced(2000, positive_share=0.08, seed=13),
            target="fraud",
        ),
        GeneratedSet(
            "gen-table-regression",
            "table",
            "1000 rows, regression, district changes quality's slope, noise 1.0",
            lambda: make_table_regression(1000, noise=1.0, seed=14),
            target="price",
        ),
        GeneratedSet(
            "gen-series-patterns",
            "series",
            "500 series x 96 steps, 5 classes (frequencies, square, burst, chirp), easy",
            lambda: make_series_patterns(500, 96, "easy", seed=21),
            quick=True,
        ),
        GeneratedSet(
            "gen-series-patterns-hard",
            "series",
            "800 series x 160 steps, close frequencies, noise 0.6, drift, variable length",
            lambda: make_series_patterns(800, 160, "hard", seed=22),
        ),
        GeneratedSet(
            "gen-series-patterns-short",
            "series",
            "300 series x 48 steps, hard (few, short series)",
            lambda: make_series_patterns(300, 48, "hard", seed=23),
        ),
        GeneratedSet(
            "gen-images-shapes16",
            "image",
            "800 grayscale 16x16 images, 4 shapes, easy",
            lambda: make_shape_images(800, 16, "easy", seed=31),
            quick=True,
        ),
        GeneratedSet(
            "gen-images-shapes32",
            "image",
            "1000 colour 32x32 images, 5 shapes (disk vs ring), rotation, distractor lines",
            lambda: make_shape_images(1000, 32, "hard", seed=32),
        ),
        GeneratedSet(
            "gen-text-reviews",
            "text",
            "1000 templated reviews, binary, negations and mixed verdicts, easy",
            lambda: make_reviews(1000, "easy", seed=41),
            target="sentiment",
            quick=True,
        ),
        GeneratedSet(
            "gen-text-reviews-hard",
            "text",
            "2000 reviews, more negations and mixed reviews, typos, 6% flipped labels",
            lambda: make_reviews(2000, "hard", seed=42),
            target="sentiment",
        ),
        GeneratedSet(
            "gen-forecast-seasonal",
            "forecast",
            "one series of 700 steps: trend, seasons of 12 and 50, AR(1) noise; 36 -> 6",
            lambda: make_seasonal_series(700, noise=1.5, seed=51),
            target="value",
            search_options={"lookback": 36, "horizon": 6, "time_column": "t"},
        ),
        # Small data (issue 13): where a one-line baseline is hardest to beat.
        GeneratedSet(
            "gen-table-linear-small",
            "table",
            "150 rows, 3 classes from a linear rule only (5 numeric columns + 2 distractors)",
            lambda: make_table_linear(150, noise=0.5, seed=15),
            target="grade",
            small=True,
        ),
        GeneratedSet(
            "gen-table-mixed-small",
            "table",
            "300 rows, numeric + categorical, 3 classes from interactions, missing values",
            lambda: make_table_mixed(300, noise=0.5, seed=16),
            target="band",
            small=True,
        ),
        GeneratedSet(
            "gen-table-regression-small",
            "table",
            "100 rows, regression, district changes quality's slope, noise 1.0",
            lambda: make_table_regression(100, noise=1.0, seed=17),
            target="price",
            small=True,
        ),
        GeneratedSet(
            "gen-series-local-small",
            "series",
            "75 series x 96 steps (60 to train and validate), 3 motifs at a random place",
            lambda: make_series_local(75, 96, seed=24),
            small=True,
        ),
        GeneratedSet(
            "gen-series-frequency-small",
            "series",
            "60 series x 64 steps (48 to train and validate), 3 close frequencies, loud noise",
            lambda: make_series_frequencies(60, 64, seed=25),
            small=True,
        ),
        GeneratedSet(
            "gen-images-shapes-small",
            "image",
            "80 grayscale 16x16 images, 4 shapes, 20 per class, easy",
            lambda: make_shape_images(80, 16, "easy", seed=33),
            small=True,
        ),
        GeneratedSet(
            "gen-text-reviews-small",
            "text",
            "150 templated reviews, binary, negations and mixed verdicts, easy",
            lambda: make_reviews(150, "easy", seed=43),
            target="sentiment",
            small=True,
        ),
        GeneratedSet(
            "gen-forecast-seasonal-small",
            "forecast",
            "one series of 160 steps: trend, seasons of 12 and 50, AR(1) noise; 24 -> 6",
            lambda: make_seasonal_series(160, noise=1.5, seed=52),
            target="value",
            search_options={"lookback": 24, "horizon": 6, "time_column": "t"},
            small=True,
        ),
    )
}
