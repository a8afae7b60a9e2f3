"""Writes scikit-learn's 8x8 digits as grayscale PNGs: assets/samples/digits/<digit>/<index>.png.

The bundled image-folder sample. Offline (the data ships with scikit-learn) and
deterministic: every run writes the same bytes, so the folder only changes in git when the
data or this script does.

Usage:
    python scripts/make_digits_sample.py [OUT_FOLDER]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "assets" / "samples" / "digits"


def write_digits(out: Path) -> Counter[int]:
    """Returns how many PNGs were written per digit into `out/<digit>/<index>.png`.

    Example:
        >>> counts = write_digits(Path("/tmp/digits"))
        >>> sum(counts.values()), counts[0]
        (1797, 178)
    """
    digits = load_digits()
    # 0..16 -> 0..255 with exact integer rounding, so the bytes do not depend on float quirks.
    pixels = ((digits.images.astype(np.int64) * 255 + 8) // 16).astype(np.uint8)
    counts: Counter[int] = Counter()
    for index, (image, digit) in enumerate(zip(pixels, digits.target.tolist(), strict=True)):
        folder = out / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        # No metadata chunks and a fixed compression level: the same bytes every run.
        Image.fromarray(image).save(folder / f"{index:04d}.png", optimize=False)
        counts[digit] += 1
    return counts


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    counts = write_digits(out)
    total = sum(counts.values())
    per_class = ", ".join(f"{digit}: {counts[digit]}" for digit in sorted(counts))
    print(f"wrote {total} PNGs (8x8 grayscale) to {out}")
    print(f"per digit: {per_class}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
