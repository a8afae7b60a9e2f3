"""Seeded generated series: classification patterns (`.npz` of NaN-padded series and labels)
and a seasonal series to forecast (CSV `t,value`), written by `generators.write_set`."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
