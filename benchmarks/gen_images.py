"""Seeded generated images of shapes (disk, ring, square...) with a difficulty knob, written
as a folder of PNG files per class by `generators.write_set`."""

from __future__ import annotations

import numpy as np

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
