"""Seeded train/validation/test splits, stratified for classification."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from automl.errors import AutoMLError

MIN_TRAIN_ROWS = 8
MIN_HELD_OUT_ROWS = 2


@dataclass(frozen=True)
class Splits:
    """Row positions (0-based, in the data file's order) of each split."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    seed: int
    stratified: bool

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "stratified": self.stratified,
            "train": self.train.tolist(),
            "validation": self.validation.tolist(),
            "test": self.test.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Splits:
        return cls(
            train=np.asarray(data["train"], dtype=np.int64),
            validation=np.asarray(data["validation"], dtype=np.int64),
            test=np.asarray(data["test"], dtype=np.int64),
            seed=int(data["seed"]),
            stratified=bool(data["stratified"]),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict()))


def split_rows(
    rows: np.ndarray,
    labels: np.ndarray | None,
    *,
    seed: int,
    validation_fraction: float,
    test_fraction: float,
) -> Splits:
    """Returns train/validation/test positions drawn from `rows`.

    `labels` (one per row) stratifies the split when every class has enough rows;
    `test_fraction=0` leaves the test split empty (the user brought a test file).

    Raises:
        AutoMLError: too few rows for the splits asked for.
    """
    if not 0 <= test_fraction < 1:
        raise AutoMLError(f"the test fraction must be in [0, 1), not {test_fraction}")
    if not 0 < validation_fraction < 1:
        raise AutoMLError(
            f"--validation-split must be between 0 and 1 (exclusive), not {validation_fraction}"
        )
    held_out = 2 if test_fraction > 0 else 1
    needed = MIN_TRAIN_ROWS + held_out * MIN_HELD_OUT_ROWS
    n_rows = len(rows)
    train_share = (1 - test_fraction) * (1 - validation_fraction)
    if n_rows < needed or n_rows * train_share < MIN_TRAIN_ROWS:
        raise AutoMLError(
            f"the data has {n_rows} usable rows; the split needs at least "
            f"{max(needed, int(np.ceil(MIN_TRAIN_ROWS / train_share)))} "
            f"({MIN_TRAIN_ROWS} to train on, at least {MIN_HELD_OUT_ROWS} per held-out split)"
        )
    stratified = labels is not None and _can_stratify(labels, test_fraction, validation_fraction)
    rest, test = rows, rows[:0]
    if test_fraction > 0:
        n_test = max(MIN_HELD_OUT_ROWS, int(round(n_rows * test_fraction)))
        rest, test, stratified = _split(rows, labels if stratified else None, n_test, seed)
    rest_labels = None
    if stratified:
        position = {row: i for i, row in enumerate(rows)}
        rest_labels = labels[[position[row] for row in rest]]
    n_validation = max(MIN_HELD_OUT_ROWS, int(round(len(rest) * validation_fraction)))
    train, validation, stratified_again = _split(rest, rest_labels, n_validation, seed + 1)
    stratified = stratified and stratified_again
    return Splits(
        train=np.sort(train),
        validation=np.sort(validation),
        test=np.sort(test),
        seed=seed,
        stratified=stratified,
    )


def _split(
    rows: np.ndarray, labels: np.ndarray | None, size: int, seed: int
) -> tuple[np.ndarray, np.ndarray, bool]:
    if labels is not None:
        try:
            kept, taken = train_test_split(rows, test_size=size, random_state=seed, stratify=labels)
            return kept, taken, True
        except ValueError:
            pass  # fewer held-out rows than classes: fall back to a plain random split
    kept, taken = train_test_split(rows, test_size=size, random_state=seed)
    return kept, taken, False


def _can_stratify(labels: np.ndarray, test_fraction: float, validation_fraction: float) -> bool:
    _, counts = np.unique(labels, return_counts=True)
    # train_test_split needs every class at least twice in each stratified split.
    smallest_share = min(f for f in (test_fraction, validation_fraction) if f > 0)
    return bool(counts.min() >= 2 and counts.min() * smallest_share >= 1)
