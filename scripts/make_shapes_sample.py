"""Writes a generated sequence-classification sample: assets/samples/shapes.npz (X, y).

600 noisy series of 60 to 80 steps, 150 of each of four shapes (bump, step, ramp,
oscillation) at a random place, size, sign and level, on a drifting, noisy baseline. Shorter
series are padded with NaN at the end, so X is one float32 (600, 80, 1) array and loads
without pickle. Seeded and written with fixed zip timestamps: every run writes the same bytes.

Usage:
    python scripts/make_shapes_sample.py [OUT_FILE]
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "assets" / "samples" / "shapes.npz"

SHAPES = ("bump", "step", "ramp", "oscillation")
PER_SHAPE = 150
MIN_STEPS, MAX_STEPS = 60, 80
SEED = 20240601


def make_shapes(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Returns X float32 (600, 80, 1), NaN after each series' end, and y, the shape names.

    Each series is level + drift + noise + one shape:

    - bump: a Gaussian bump (width 2-6 steps) that returns to the level;
    - step: an abrupt change of level that stays;
    - ramp: a gradual change of level over 12-30 steps that stays;
    - oscillation: 2-4 cycles of a sine (period 6-14 steps), then calm again.

    Heights are 1 to 2.5, up or down at random, against noise of spread 0.35 and a level
    of spread 1, so a model has to look at the shape rather than at where or how high it is.

    Example:
        >>> X, y = make_shapes()
        >>> X.shape, sorted(set(y.tolist()))
        ((600, 80, 1), ['bump', 'oscillation', 'ramp', 'step'])
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.array(SHAPES), PER_SHAPE))
    X = np.full((len(labels), MAX_STEPS, 1), np.nan, dtype=np.float32)
    for row, shape in enumerate(labels.tolist()):
        steps = int(rng.integers(MIN_STEPS, MAX_STEPS + 1))
        t = np.arange(steps, dtype=np.float64)
        height = rng.uniform(1.0, 2.5) * rng.choice([-1.0, 1.0])
        # Keep the shape clear of the ends so that every series shows all of it.
        start = rng.uniform(0.15, 0.6) * steps
        if shape == "bump":
            width = rng.uniform(2.0, 6.0)
            signal = height * np.exp(-0.5 * ((t - start - 2 * width) / width) ** 2)
        elif shape == "step":
            signal = height * (t >= start)
        elif shape == "ramp":
            width = rng.uniform(12.0, 30.0)
            signal = height * np.clip((t - start) / width, 0.0, 1.0)
        else:
            period = rng.uniform(6.0, 14.0)
            cycles = int(rng.integers(2, 5))
            inside = (t >= start) & (t < start + cycles * period)
            signal = height * np.sin(2 * np.pi * (t - start) / period) * inside
        level = rng.normal(0.0, 1.0)
        drift = np.cumsum(rng.normal(0.0, 0.05, steps))
        noise = rng.normal(0.0, 0.35, steps)
        X[row, :steps, 0] = level + drift + noise + signal
    return X, labels.astype(str)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Writes arrays as an uncompressed .npz with fixed timestamps, for the same bytes per run.

    `np.savez` stamps each member with the current time, so its bytes change every run.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    X, y = make_shapes()
    write_npz(out, {"X": X, "y": y})
    lengths = (~np.isnan(X[:, :, 0])).sum(axis=1)
    counts = Counter(y.tolist())
    print(f"wrote {out} ({out.stat().st_size // 1024} KB): X {X.shape} float32, y {y.shape}")
    print(f"lengths {lengths.min()}-{lengths.max()}; per shape: {dict(sorted(counts.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
