"""Image search quality on the bundled digits, and memory on a large generated folder.

    python benchmarks/image_search.py [--budget 5m] [--many 20000]

1. Runs the digits demo's search (`automl demo --sample digits`: CNN family, 5 minutes on
   2 CPU cores by default) and, on exactly the same split, a 1-nearest-neighbour and a
   logistic regression on the raw pixels; prints test accuracy side by side.
2. With `--many N`: writes N generated 32x32 colour images of three shape classes
   (circle, square, triangle; random size, position, colours and noise, so no file is in
   any public archive), searches them in a child process, and prints the child's peak
   resident memory (the kernel's ru_maxrss for the child, as /usr/bin/time -v reports).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DIGITS = ROOT / "assets" / "samples" / "digits"


def digits_comparison(budget: str, out: Path) -> None:
    """Runs our search on the digits and the pixel baselines on its split; prints both."""
    from PIL import Image
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    import automl

    started = time.monotonic()
    result = automl.search(
        DIGITS, "", out, time_budget=budget, max_trials=20, epochs=60, overwrite=True
    )
    total = time.monotonic() - started
    summary = result.summary
    splits = json.loads((out / "splits.json").read_text())
    from automl.modalities.image_data import scan_image_folder

    folder = scan_image_folder(DIGITS)
    pixels = np.stack(
        [np.asarray(Image.open(p), dtype=np.float32).ravel() / 255 for p in folder.files]
    )
    labels = np.asarray(folder.labels)
    fit_rows = np.asarray(splits["train"] + splits["validation"])
    test_rows = np.asarray(splits["test"])
    rows = [
        (
            "ours (CNN search, exported model)",
            summary["test_metrics"]["accuracy"],
            summary["trials"]["completed"],
            f"{total:.0f} s",
        )
    ]
    for name, model in (
        ("1-nearest neighbour (pixels)", KNeighborsClassifier(1)),
        ("logistic regression (pixels)", LogisticRegression(max_iter=2000)),
    ):
        model.fit(pixels[fit_rows], labels[fit_rows])
        rows.append(
            (name, float((model.predict(pixels[test_rows]) == labels[test_rows]).mean()), "-", "-")
        )
    print(
        f"digits: {len(folder.files)} images, 10 classes, 8x8 grayscale; "
        f"{len(test_rows)} test images; budget {budget}"
    )
    print(f"{'system':<36} {'accuracy':>9} {'trials':>7} {'time':>7}")
    for name, accuracy, trials, seconds in rows:
        print(f"{name:<36} {accuracy:>9.4f} {trials!s:>7} {seconds:>7}")
    parity = summary["model"]["parity"]
    print(
        f"export parity: max_abs_diff {parity['max_abs_diff']:.1e} over "
        f"{parity['rows_compared']} test images; notes: {summary['notes'] or 'none'}"
    )


def write_shapes(root: Path, count: int, seed: int = 0) -> None:
    """Writes `count` 32x32 PNGs of circles, squares and triangles into class folders."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    kinds = ("circle", "square", "triangle")
    for kind in kinds:
        (root / kind).mkdir(parents=True, exist_ok=True)
    for index in range(count):
        kind = kinds[index % 3]
        background = tuple(int(v) for v in rng.integers(0, 256, 3))
        image = Image.new("RGB", (32, 32), background)
        draw = ImageDraw.Draw(image)
        size = int(rng.integers(8, 20))
        x, y = (int(v) for v in rng.integers(0, 32 - size, 2))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        if kind == "circle":
            draw.ellipse((x, y, x + size, y + size), fill=colour)
        elif kind == "square":
            draw.rectangle((x, y, x + size, y + size), fill=colour)
        else:
            draw.polygon(((x, y + size), (x + size, y + size), (x + size // 2, y)), fill=colour)
        noise = rng.normal(0, 12, (32, 32, 3))
        pixels = np.clip(np.asarray(image, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(root / kind / f"{index:06d}.png")


def memory_on_many(count: int, budget: str, work: Path) -> None:
    """Searches `count` generated images in a child and prints its peak resident memory."""
    folder = work / "shapes"
    began = time.monotonic()
    write_shapes(folder, count)
    size_mb = sum(p.stat().st_size for p in folder.rglob("*.png")) / 2**20
    print(f"generated {count} images ({size_mb:.0f} MB of PNG) in {time.monotonic() - began:.0f} s")
    began = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "automl",
            "search",
            str(folder),
            "--out",
            str(work / "run"),
            "--max-trials",
            "2",
            "--epochs",
            "3",
            "--time-budget",
            budget,
            "--no-refit",
        ],
        capture_output=True,
        text=True,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    tail = done.stdout.strip().splitlines()[-3:] if done.stdout.strip() else []
    print(
        f"search on {count} images: exit {done.returncode} after "
        f"{time.monotonic() - began:.0f} s; peak resident memory {peak_mb:.0f} MB"
    )
    for line in tail:
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="5m", help="digits search budget (default 5m)")
    parser.add_argument(
        "--many",
        type=int,
        default=0,
        help="also search this many generated images and report memory",
    )
    parser.add_argument("--many-budget", default="3m")
    parser.add_argument("--skip-digits", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="automl-image-bench-"))
    if not args.skip_digits:
        digits_comparison(args.budget, work / "digits")
    if args.many:
        memory_on_many(args.many, args.many_budget, work)


if __name__ == "__main__":
    main()
