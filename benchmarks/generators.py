"""Seeded generators of benchmark data: tables, series, images, text and forecasts.

Every data set here is drawn from numpy's seeded generator, so the same seed gives the same
values (and, through `write_set`, the same file bytes) on every run; nothing comes from a
public benchmark archive. Each generator has a difficulty knob (noise, how close the classes
are, distractors) and a size, and `GENERATED` names the sets `search_quality.py` runs.

The files are written in the forms `automl search` reads:

- tables and text: a CSV with the target column (text: one free-text column `review`);
- series classification: a `.npz` with `X` (samples, steps, 1), NaN-padded, and labels `y`;
- images: a folder with one sub-folder of PNG files per class;
- forecasts: a CSV `t,value` in time order.

Example:
    >>> frame = make_table_mixed(200, noise=0.5, seed=0)
    >>> frame.shape, sorted(frame["band"].unique())
    ((200, 10), ['high', 'low', 'mid'])
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# Tables


def make_table_mixed(rows: int, noise: float, seed: int) -> pd.DataFrame:
    """Returns a numeric + categorical table whose 3-class target `band` needs interactions.

    The hidden score is `1.5 * skill * effort` (an interaction no linear model sees) plus a
    per-`region` offset, plus `(age - 50) / 15` only for the `pro` plan (a categorical x
    numeric interaction), plus a smooth bump in `log(income)`, plus Gaussian noise of spread
    `noise`. `band` cuts the score at its terciles. Three columns are pure distractors, and
    3% of `age` and of `region` are missing.
    """
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 80, rows)
    income = rng.lognormal(10.5, 0.5, rows)
    skill, effort = rng.normal(size=rows), rng.normal(size=rows)
    regions = np.array(["north", "south", "east", "west", "centre"])
    region = regions[rng.integers(0, len(regions), rows)]
    plan = np.array(["basic", "plus", "pro"])[rng.integers(0, 3, rows)]
    offset = dict(zip(regions, (-0.8, 0.6, 0.0, 0.9, -0.5), strict=True))
    score = (
        1.5 * skill * effort
        + np.array([offset[r] for r in region])
        + np.where(plan == "pro", (age - 50) / 15, 0.0)
        + np.sin(2.5 * (np.log(income) - 10.5))
        + noise * rng.normal(size=rows)
    )
    band = np.array(["low", "mid", "high"])[np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))]
    frame = pd.DataFrame(
        {
            "age": age.round(1),
            "income": income.round(0),
            "skill": skill.round(3),
            "effort": effort.round(3),
            "region": region,
            "plan": plan,
            "noise_a": rng.normal(size=rows).round(3),
            "noise_b": rng.uniform(size=rows).round(3),
            "noise_c": np.array(["x", "y", "z", "w"])[rng.integers(0, 4, rows)],
            "band": band,
        }
    )
    frame["region"] = frame["region"].astype(object)  # a missing value must stay a blank cell
    frame.loc[rng.random(rows) < 0.03, "age"] = np.nan
    frame.loc[rng.random(rows) < 0.03, "region"] = None
    return frame


def make_table_imbalanced(rows: int, positive_share: float, seed: int) -> pd.DataFrame:
    """Returns a binary table where about `positive_share` of the rows are `fraud = yes`.

    A row is positive when a hidden risk (a large `amount` at night, a `channel` with a
    high base rate, and `attempts x velocity`) is above the quantile that leaves
    `positive_share` above it; 3% of labels are then flipped, as real labels are noisy.
    """
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(4.0, 1.0, rows)
    hour = rng.integers(0, 24, rows)
    attempts = rng.poisson(1.5, rows)
    velocity = rng.gamma(2.0, 1.0, rows)
    channels = np.array(["web", "app", "phone", "store"])
    channel = channels[rng.choice(4, rows, p=[0.4, 0.3, 0.2, 0.1])]
    base = dict(zip(channels, (0.5, 0.2, 1.2, -0.6), strict=True))
    night = (hour < 6) | (hour >= 23)
    risk = (
        np.where(night, 1.2, 0.0) * (np.log(amount) - 3.0)
        + np.array([base[c] for c in channel])
        + 0.35 * attempts * velocity
        + 0.4 * rng.normal(size=rows)
    )
    positive = risk > np.quantile(risk, 1 - positive_share)
    flip = rng.random(rows) < 0.03 * positive_share / 0.5  # flips keep the share about right
    positive = positive ^ flip
    return pd.DataFrame(
        {
            "amount": amount.round(2),
            "hour": hour,
            "attempts": attempts,
            "velocity": velocity.round(3),
            "channel": channel,
            "account_age_days": rng.integers(1, 3000, rows),
            "fraud": np.where(positive, "yes", "no"),
        }
    )


def make_table_regression(rows: int, noise: float, seed: int) -> pd.DataFrame:
    """Returns a regression table: `price` is a smooth non-linear function plus noise.

    `price = 20 + 6 sin(size / 30) + 0.02 (rooms - 4)^3 + effect[district] * quality
    + noise * N(0, 1)`, so the district changes the slope of quality, not just a level.
    """
    rng = np.random.default_rng(seed)
    size = rng.uniform(20, 200, rows)
    rooms = rng.integers(1, 9, rows)
    quality = rng.uniform(0, 10, rows)
    districts = np.array(["old town", "harbour", "hills", "suburb"])
    district = districts[rng.integers(0, 4, rows)]
    slope = dict(zip(districts, (1.5, 0.8, 1.1, 0.3), strict=True))
    price = (
        20
        + 6 * np.sin(size / 30)
        + 0.02 * (rooms - 4) ** 3
        + np.array([slope[d] for d in district]) * quality
        + noise * rng.normal(size=rows)
    )
    return pd.DataFrame(
        {
            "size_m2": size.round(1),
            "rooms": rooms,
            "quality": quality.round(2),
            "district": district,
            "distractor": rng.normal(size=rows).round(3),
            "price": price.round(3),
        }
    )


# --------------------------------------------------------------------------------------------
# Series classification

SERIES_CLASSES = ("sine", "fast_sine", "square", "burst", "chirp")


def make_series_patterns(
    count: int, steps: int, difficulty: str, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Returns series (count, steps, 1) float32 and their labels, one of `SERIES_CLASSES`.

    - `sine` and `fast_sine`: sines whose frequencies differ by a factor of 1.6 ("easy") or
      1.25 ("hard"), with a random phase (shift), amplitude and level;
    - `square`: a square wave at the `sine` frequency;
    - `burst`: calm noise with one short high-frequency burst at a random position;
    - `chirp`: a sine whose frequency rises over the series.

    Noise has spread 0.25 ("easy") or 0.6 ("hard"); in "hard" a quarter of the series are
    cut short at random (NaN-padded at the end, as the engine reads variable lengths) and a
    slow random-walk drift is added. Classes are balanced.
    """
    if difficulty not in ("easy", "hard"):
        raise ValueError(f"difficulty must be 'easy' or 'hard', not {difficulty!r}")
    hard = difficulty == "hard"
    rng = np.random.default_rng(seed)
    labels = np.array(SERIES_CLASSES)[np.arange(count) % len(SERIES_CLASSES)]
    rng.shuffle(labels)
    t = np.arange(steps, dtype=np.float64)
    ratio, noise = (1.25, 0.6) if hard else (1.6, 0.25)
    X = np.empty((count, steps), dtype=np.float64)
    for row, label in enumerate(labels):
        cycles = rng.uniform(3, 5)  # cycles over the series for `sine`
        freq = 2 * np.pi * cycles / steps
        phase = rng.uniform(0, 2 * np.pi)
        amplitude = rng.uniform(0.7, 1.3)
        if label == "sine":
            signal = np.sin(freq * t + phase)
        elif label == "fast_sine":
            signal = np.sin(ratio * freq * t + phase)
        elif label == "square":
            signal = np.sign(np.sin(freq * t + phase))
        elif label == "burst":
            width = max(6, steps // 6)
            start = rng.integers(0, steps - width)
            signal = np.zeros(steps)
            window = np.hanning(width)
            signal[start : start + width] = window * np.sin(2 * np.pi * 0.3 * np.arange(width))
            signal *= 1.8
        else:  # chirp: the frequency sweeps from 0.5x to 2.5x the `sine` frequency
            sweep = freq * (0.5 + 2.0 * t / steps)
            signal = np.sin(np.cumsum(sweep) + phase)
        series = amplitude * signal + rng.normal(0, 0.5) + noise * rng.normal(size=steps)
        if hard:
            series += np.cumsum(rng.normal(0, 0.03, steps))
        X[row] = series
    if hard:
        short = rng.random(count) < 0.25
        for row in np.flatnonzero(short):
            X[row, int(rng.integers(int(0.75 * steps), steps)) :] = np.nan
    return X[:, :, None].astype(np.float32), labels


# --------------------------------------------------------------------------------------------
# Images

IMAGE_CLASSES = ("disk", "ring", "square", "triangle", "cross")


def make_shape_images(
    count: int, size: int, difficulty: str, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Returns images (count, size, size, channels) uint8 and labels from `IMAGE_CLASSES`.

    "easy": grayscale, four classes (no `ring`), one light shape on a dark noisy background.
    "hard": colour, all five classes (a `ring` differs from a `disk` only by its hole),
    random shape and background colours, rotation, and two distractor lines. Shapes are
    drawn at 4x the size and downsampled, so edges are smooth. Classes are balanced.
    """
    from PIL import Image, ImageDraw

    if difficulty not in ("easy", "hard"):
        raise ValueError(f"difficulty must be 'easy' or 'hard', not {difficulty!r}")
    hard = difficulty == "hard"
    rng = np.random.default_rng(seed)
    classes = IMAGE_CLASSES if hard else tuple(c for c in IMAGE_CLASSES if c != "ring")
    labels = np.array(classes)[np.arange(count) % len(classes)]
    rng.shuffle(labels)
    channels = 3 if hard else 1
    big = size * 4
    images = np.empty((count, size, size, channels), dtype=np.uint8)
    for row, label in enumerate(labels):
        if hard:
            back = tuple(int(v) for v in rng.integers(0, 120, 3))
            fore = tuple(int(v) for v in rng.integers(130, 256, 3))
        else:
            back, fore = (int(rng.integers(0, 60)),) * 3, (int(rng.integers(170, 256)),) * 3
        canvas = Image.new("RGB", (big, big), back)
        draw = ImageDraw.Draw(canvas)
        radius = rng.uniform(0.22, 0.38) * big
        cx, cy = rng.uniform(radius, big - radius, 2)
        angle = rng.uniform(0, 2 * np.pi) if hard else rng.uniform(-0.3, 0.3)
        if label in ("disk", "ring"):
            box = [cx - radius, cy - radius, cx + radius, cy + radius]
            if label == "disk":
                draw.ellipse(box, fill=fore)
            else:
                draw.ellipse(box, outline=fore, width=max(4, int(radius * 0.3)))
        elif label in ("square", "triangle"):
            corners = 4 if label == "square" else 3
            points = [
                (
                    cx + radius * np.cos(angle + 2 * np.pi * k / corners),
                    cy + radius * np.sin(angle + 2 * np.pi * k / corners),
                )
                for k in range(corners)
            ]
            draw.polygon(points, fill=fore)
        else:  # cross: two bars through the centre
            width = max(4, int(radius * 0.45))
            for turn in (angle, angle + np.pi / 2):
                dx, dy = radius * np.cos(turn), radius * np.sin(turn)
                draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=fore, width=width)
        if hard:
            for _ in range(2):
                x0, y0, x1, y1 = rng.uniform(0, big, 4)
                tone = tuple(int(v) for v in rng.integers(60, 200, 3))
                draw.line([(x0, y0), (x1, y1)], fill=tone, width=max(2, big // 32))
        small = canvas.resize((size, size), Image.Resampling.BOX)
        pixels = np.asarray(small, dtype=np.float64)
        pixels += rng.normal(0, 18 if hard else 12, pixels.shape)
        pixels = np.clip(pixels, 0, 255).round().astype(np.uint8)
        images[row] = pixels if hard else pixels[:, :, :1]
    return images, labels


# --------------------------------------------------------------------------------------------
# Text

_PRODUCTS = (
    "blender", "kettle", "backpack", "desk lamp", "phone case", "tent", "coffee grinder",
    "keyboard", "rain jacket", "toaster", "speaker", "water bottle", "office chair", "drill",
)  # fmt: skip
_ASPECTS = (
    "battery", "handle", "price", "delivery", "build quality", "design", "sound", "lid",
    "strap", "packaging", "manual", "colour",
)  # fmt: skip
_POSITIVE = (
    "great", "excellent", "sturdy", "reliable", "lovely", "fantastic", "solid", "impressive",
    "comfortable", "perfect", "superb", "handy",
)  # fmt: skip
_NEGATIVE = (
    "terrible", "flimsy", "awful", "useless", "disappointing", "broken", "cheap", "noisy",
    "poor", "faulty", "annoying", "horrible",
)  # fmt: skip
_FILLER = (
    "I bought it last month.", "It arrived on a Tuesday.", "My sister has the same one.",
    "I use it most mornings.", "It came in a brown box.", "I compared a few before buying.",
    "The shop was busy that day.", "I read the reviews first.", "It is the second one I own.",
)  # fmt: skip


def make_reviews(count: int, difficulty: str, seed: int) -> pd.DataFrame:
    """Returns templated product reviews with a `sentiment` label ("positive"/"negative").

    Each review mixes filler sentences with opinion sentences built from sentiment words.
    Negations flip a word ("not sturdy" is negative, "never disappointing" positive), and a
    "but overall" sentence outweighs the aspects before it, so word counts alone are not
    enough. "hard" uses more negations, more mixed reviews, fewer opinion words, typos
    (swapped letters) and 6% flipped labels ("easy": 2%). Classes are about balanced.
    """
    if difficulty not in ("easy", "hard"):
        raise ValueError(f"difficulty must be 'easy' or 'hard', not {difficulty!r}")
    hard = difficulty == "hard"
    rng = np.random.default_rng(seed)
    negate_p, mixed_p, typo_p, flip_p = (0.45, 0.5, 0.04, 0.06) if hard else (0.2, 0.2, 0.0, 0.02)

    def pick(words: tuple[str, ...]) -> str:
        return str(words[rng.integers(len(words))])

    def judgement(positive: bool) -> str:
        negated = rng.random() < negate_p
        word = pick(_POSITIVE if positive != negated else _NEGATIVE)
        return (pick(("not", "never", "hardly", "far from")) + " " if negated else "") + word

    def opinion(positive: bool) -> str:
        form = rng.integers(3)
        if form == 0:
            return f"The {pick(_ASPECTS)} is {judgement(positive)}."
        if form == 1:
            return f"It feels {judgement(positive)}."
        return f"Honestly {judgement(positive)}."

    texts, labels = [], []
    for _ in range(count):
        positive = bool(rng.random() < 0.5)
        sentences = [f"This {pick(_PRODUCTS)}:"]
        sentences += [pick(_FILLER) for _ in range(rng.integers(0, 3))]
        if rng.random() < mixed_p:
            # Complaints (or praise) about details, then the verdict that counts.
            sentences += [opinion(not positive) for _ in range(rng.integers(1, 3))]
            verdict = "it is" if rng.random() < 0.5 else "I find it"
            sentences.append(f"But overall {verdict} {judgement(positive)}.")
        else:
            sentences += [opinion(positive) for _ in range(rng.integers(1, 3 if hard else 4))]
        if rng.random() < 0.5:
            sentences.append("I would recommend it." if positive else "I would not buy it again.")
        text = " ".join(sentences)
        if typo_p:
            text = _typos(text, typo_p, rng)
        texts.append(text)
        labels.append(positive != bool(rng.random() < flip_p))
    return pd.DataFrame({"review": texts, "sentiment": np.where(labels, "positive", "negative")})


def _typos(text: str, share: float, rng: np.random.Generator) -> str:
    """Returns `text` with about `share` of its words given two swapped letters."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 3 and rng.random() < share:
            j = int(rng.integers(0, len(word) - 2))
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


# --------------------------------------------------------------------------------------------
# Forecasts


def make_seasonal_series(steps: int, noise: float, seed: int) -> pd.DataFrame:
    """Returns one series `t,value`: trend, two seasonalities (12 and 50 steps), AR(1) noise.

    The 12-step season's amplitude grows with the level (as sales do), so the model has to
    scale, not only add, and the AR(1) noise (phi 0.6, spread `noise`) gives a forecaster
    short-term memory to use.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(steps, dtype=np.float64)
    level = 50 + 0.05 * t
    season = (1 + 0.004 * t) * 8 * np.sin(2 * np.pi * t / 12) + 4 * np.sin(2 * np.pi * t / 50)
    ar = np.zeros(steps)
    shocks = rng.normal(0, noise, steps)
    for i in range(1, steps):
        ar[i] = 0.6 * ar[i - 1] + shocks[i]
    return pd.DataFrame({"t": t.astype(int), "value": (level + season + ar).round(3)})


# --------------------------------------------------------------------------------------------
# Writing sets in the forms the CLI reads


@dataclass(frozen=True)
class GeneratedSet:
    """A generated data set: how to make it, the file form it is written in, and its target.

    `search_options` are extra `automl.search` arguments (a forecast's lookback/horizon).
    `quick` marks the one set per modality that `search_quality.py --quick` runs.
    """

    name: str
    modality: str  # "table", "series", "image", "text" or "forecast"
    description: str
    make: Callable[[], object]
    target: str = ""
    search_options: dict = field(default_factory=dict)
    quick: bool = False


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
    )
}
