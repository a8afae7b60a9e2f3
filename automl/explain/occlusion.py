"""Occlusion: how much a score falls when one part of the input is covered.

For models without useful gradients (random convolutions pooled by proportion of positive
values, nearest neighbours) and for inputs that are not numbers (raw strings). The parts are
masks over one example's shape: a time window, an image patch, a column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def occlusion(
    score: Callable[[np.ndarray], np.ndarray],
    inputs: np.ndarray,
    masks: Sequence[np.ndarray],
    fill: np.ndarray | float,
) -> np.ndarray:
    """Returns [rows, masks]: each row's score minus its score with the mask's part filled.

    `score(x)` gives one number per row (the explained class's probability, the predicted
    value); `masks[j]` is a boolean array shaped like one row, True where `fill` covers it.

    Example:
        >>> occlusion(score, series, windows(series.shape[1:], 10), fill=0.0).shape
        (rows, len(windows))
    """
    inputs = np.asarray(inputs, dtype=np.float32)
    fill = np.broadcast_to(np.asarray(fill, dtype=np.float32), inputs.shape)
    original = np.asarray(score(inputs), dtype=np.float64)
    drops = np.zeros((len(inputs), len(masks)))
    for j, mask in enumerate(masks):
        covered = np.where(mask[None], fill, inputs)
        drops[:, j] = original - np.asarray(score(covered), dtype=np.float64)
    return drops


def windows(shape: tuple[int, ...], count: int) -> list[np.ndarray]:
    """Returns masks covering consecutive windows of the first axis (time steps), about
    `count` of them, every other axis whole."""
    steps = shape[0]
    width = max(1, int(np.ceil(steps / max(count, 1))))
    masks = []
    for start in range(0, steps, width):
        mask = np.zeros(shape, dtype=bool)
        mask[start : start + width] = True
        masks.append(mask)
    return masks


def patches(shape: tuple[int, ...], size: int) -> list[np.ndarray]:
    """Returns masks covering square `size` x `size` patches of an image [height, width, ...]."""
    height, width = shape[:2]
    masks = []
    for top in range(0, height, size):
        for left in range(0, width, size):
            mask = np.zeros(shape, dtype=bool)
            mask[top : top + size, left : left + size] = True
            masks.append(mask)
    return masks
