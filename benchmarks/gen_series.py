"""Seeded generated series: classification patterns (`.npz` of NaN-padded series and labels),
a local motif at a random place, classes told by frequency, and a seasonal series to
forecast (CSV `t,value`), written by `generators.write_set`."""

from __future__ import annotations

import numpy as np
import pandas as pd

SERIES_CLASSES = ("sine", "fast_sine", "square", "burst", "chirp")
LOCAL_CLASSES = ("peak", "step", "wiggle")
FREQUENCY_CLASSES = ("slow", "medium", "fast")


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


def make_series_local(count: int, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns series (count, steps, 1) float32 told apart only by a short motif at a random place.

    Every series is noise (spread 0.3) around a random level with a slow random walk; one
    motif of width `steps // 6` sits at a uniformly random position: a `peak` (a smooth
    bump), a `step` (a short plateau with sharp edges) or a `wiggle` (two periods of a sine),
    each of random height 1.2-2.0 and sign. Distances between whole series mostly measure
    where the motif is, not which it is, so 1-NN on raw values is weak and shift-invariant
    features (convolutions, pooling) win. Classes are balanced (`LOCAL_CLASSES`).
    """
    rng = np.random.default_rng(seed)
    labels = np.array(LOCAL_CLASSES)[np.arange(count) % len(LOCAL_CLASSES)]
    rng.shuffle(labels)
    width = max(6, steps // 6)
    u = np.linspace(0.0, 1.0, width)
    motifs = {
        "peak": np.exp(-((u - 0.5) ** 2) / 0.02),
        "step": ((u > 0.15) & (u < 0.85)).astype(np.float64),
        "wiggle": np.sin(4 * np.pi * u),
    }
    X = np.empty((count, steps), dtype=np.float64)
    for row, label in enumerate(labels):
        series = rng.normal(0, 0.5) + np.cumsum(rng.normal(0, 0.03, steps))
        series += 0.3 * rng.normal(size=steps)
        start = int(rng.integers(0, steps - width + 1))
        height = rng.uniform(1.2, 2.0) * rng.choice((-1.0, 1.0))
        series[start : start + width] += height * motifs[label]
        X[row] = series
    return X[:, :, None].astype(np.float32), labels


def make_series_frequencies(count: int, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns series (count, steps, 1) float32 whose class is the frequency of a noisy sine.

    `slow`, `medium` and `fast` make 3, 4 and 5.3 cycles over the series (each +-10%, so
    neighbouring classes nearly touch), with random phase, amplitude (0.6-1.4) and level,
    and noise of spread 1.0, as loud as the sine. Shape, level and place say nothing; only
    the frequency does (`FREQUENCY_CLASSES`, balanced).
    """
    rng = np.random.default_rng(seed)
    labels = np.array(FREQUENCY_CLASSES)[np.arange(count) % len(FREQUENCY_CLASSES)]
    rng.shuffle(labels)
    cycles = dict(zip(FREQUENCY_CLASSES, (3.0, 4.0, 5.3), strict=True))
    t = np.arange(steps, dtype=np.float64)
    X = np.empty((count, steps), dtype=np.float64)
    for row, label in enumerate(labels):
        freq = 2 * np.pi * cycles[label] * rng.uniform(0.9, 1.1) / steps
        signal = rng.uniform(0.6, 1.4) * np.sin(freq * t + rng.uniform(0, 2 * np.pi))
        X[row] = signal + rng.normal(0, 0.5) + rng.normal(size=steps)
    return X[:, :, None].astype(np.float32), labels


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
