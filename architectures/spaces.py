"""The search space of each family as plain, editable data (no TensorFlow).

The desktop app's Model page edits these fields and saves them with the project; the
CLI reads them from `--space FILE.json` as {"dense": {...}}.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import ClassVar


class _Space:
    """What every family's space shares: training choices, JSON round-trip, checks."""

    family: ClassVar[str] = "?"

    def __post_init__(self) -> None:
        # The family's own checks come first in the message, the training choices last.
        problems = [p for p in (*self._own_problems(), *self._training_problems()) if p]
        if problems:
            raise ValueError(f"{self.family} search space: " + "; ".join(problems))

    def _own_problems(self) -> list[str | None]:
        """Returns the family's own checks: a message where one fails, None where it holds."""
        return []

    def _training_problems(self) -> list[str | None]:
        """Returns the learning-rate, optimizer and batch-size checks every family shares."""
        rates_ok = 0 < self.min_learning_rate <= self.max_learning_rate < 1
        return [
            None if rates_ok else "learning rates must satisfy 0 < min <= max < 1",
            _among(self.optimizers, ("adam", "adamw", "sgd", "rmsprop"), "optimizers"),
            _positive(self.batch_sizes, "batch sizes"),
        ]

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict):
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(
                f"{cls.family} search space: unknown field(s) {', '.join(sorted(unknown))}"
            )
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


@dataclass(frozen=True)
class DenseSpace(_Space):
    """Ranges and choices the dense family's tuner draws from.

    With `tune_linear`, the shallowest depth may also be no hidden layer at all: a linear
    model (logistic or linear regression on the encoded columns), tried as the second
    trial. `l2` is the tuned weight penalty's range (log-uniform; a model's default
    is the lower end, the linear model's 1e-3 or the nearest). With
    `tune_numeric_embedding`, numbers may also enter through a periodic embedding.
    `schedules` are the learning-rate schedules to try, the first in the first trial:
    "plateau" halves the rate when validation stalls, "flat_cosine" also holds it under
    a cosine over the second half of the trial's planned epochs (RealMLP's kind).

    Example:
        >>> DenseSpace.from_dict({"max_layers": 2}).max_layers
        2
    """

    family: ClassVar[str] = "dense"

    min_layers: int = 1
    max_layers: int = 4
    units: tuple[int, ...] = (32, 64, 128, 256, 512)
    activations: tuple[str, ...] = ("relu", "gelu")
    max_dropout: float = 0.5
    tune_batch_norm: bool = True
    tune_linear: bool = True
    tune_numeric_embedding: bool = True
    min_l2: float = 1e-5
    max_l2: float = 1e-2
    min_learning_rate: float = 1e-4
    # Up to 1e-2: the linear model converges too slowly below it (see dense.py).
    max_learning_rate: float = 1e-2
    optimizers: tuple[str, ...] = ("adam", "adamw")
    batch_sizes: tuple[int, ...] = (16, 32, 64, 128, 256)
    schedules: tuple[str, ...] = ("plateau", "flat_cosine")

    def _own_problems(self) -> list[str | None]:
        return [
            _span(self, "layers", 8),
            _among(self.schedules, ("plateau", "flat_cosine"), "schedules"),
            None if 0 < self.min_l2 <= self.max_l2 < 1 else "l2 must satisfy 0 < min <= max < 1",
            _positive(self.units, "units"),
            _among(self.activations, ("relu", "gelu", "swish", "tanh", "elu"), "activations"),
            _dropout(self.max_dropout),
        ]


@dataclass(frozen=True)
class CNNSpace(_Space):
    """Ranges and choices the image (CNN) family's tuner draws from.

    `filters` are the widths of the first conv block; each later block doubles them.
    A `tune_*` flag that is False fixes that option at the family's known-good setting:
    batch norm on, residual shortcuts off, augmentation off.

    Example:
        >>> CNNSpace.from_dict({"max_blocks": 2, "filters": [32]}).filters
        (32,)
    """

    family: ClassVar[str] = "cnn"

    min_blocks: int = 1
    max_blocks: int = 3
    filters: tuple[int, ...] = (16, 32, 64)
    kernel_sizes: tuple[int, ...] = (3, 5)
    tune_batch_norm: bool = True
    tune_residual: bool = True
    tune_augmentation: bool = True
    max_dropout: float = 0.5
    dense_units: tuple[int, ...] = (0, 64, 128)
    min_learning_rate: float = 1e-4
    max_learning_rate: float = 3e-3
    optimizers: tuple[str, ...] = ("adam", "adamw")
    batch_sizes: tuple[int, ...] = (16, 32, 64, 128)

    def _own_problems(self) -> list[str | None]:
        return [
            _span(self, "blocks", 6),
            _positive(self.filters, "filters"),
            # Odd kernels keep "same" padding symmetric, so features stay centred.
            None
            if self.kernel_sizes and all(k >= 1 and k % 2 == 1 for k in self.kernel_sizes)
            else "kernel sizes must be positive odd numbers",
            _dropout(self.max_dropout),
            _hidden_units(self.dense_units),
        ]


@dataclass(frozen=True)
class RNNSpace(_Space):
    """Ranges and choices the simple recurrent (SimpleRNN/GRU) family's tuner draws from.

    `embedding_dims` are the word-vector widths tried for text (unused for series).

    Example:
        >>> RNNSpace.from_dict({"cells": ["gru"]}).cells
        ('gru',)
    """

    family: ClassVar[str] = "rnn"

    cells: tuple[str, ...] = ("gru", "simple_rnn")
    min_layers: int = 1
    max_layers: int = 2
    units: tuple[int, ...] = (32, 64, 128)
    max_dropout: float = 0.5
    embedding_dims: tuple[int, ...] = (32, 64, 128, 256)
    min_learning_rate: float = 1e-4
    max_learning_rate: float = 3e-3
    optimizers: tuple[str, ...] = ("adam", "adamw")
    batch_sizes: tuple[int, ...] = (16, 32, 64, 128)

    def _own_problems(self) -> list[str | None]:
        return [
            _among(self.cells, ("gru", "simple_rnn"), "cells"),
            _span(self, "layers", 4),
            *_sequence_problems(self),
        ]


@dataclass(frozen=True)
class LSTMSpace(_Space):
    """Ranges and choices the LSTM family's tuner draws from.

    With `tune_bidirectional` False the LSTMs read forward only; True tries both. Text
    starts from a two-layer bidirectional LSTM, series from one forward layer.

    Example:
        >>> LSTMSpace.from_dict({"max_layers": 2}).max_layers
        2
    """

    family: ClassVar[str] = "lstm"

    min_layers: int = 1
    max_layers: int = 3
    units: tuple[int, ...] = (32, 64, 128)
    tune_bidirectional: bool = True
    max_dropout: float = 0.5
    embedding_dims: tuple[int, ...] = (32, 64, 128, 256)
    min_learning_rate: float = 1e-4
    max_learning_rate: float = 3e-3
    optimizers: tuple[str, ...] = ("adam", "adamw")
    batch_sizes: tuple[int, ...] = (16, 32, 64, 128)

    def _own_problems(self) -> list[str | None]:
        return [_span(self, "layers", 4), *_sequence_problems(self)]


@dataclass(frozen=True)
class Conv1DSpace(_Space):
    """Ranges and choices the temporal convolution (Conv1D) family's tuner draws from.

    The first trial is the FCN of Wang et al. (2017): 3 blocks of 128/256/128 filters
    with kernels 8/5/3, batch norm, ReLU and global average pooling (max pooling for
    text). `filters` and `kernel_sizes` are tried per block. Even kernels are allowed:
    the FCN's first is 8.

    Example:
        >>> Conv1DSpace.from_dict({"max_blocks": 3, "filters": [64, 128]}).filters
        (64, 128)
    """

    family: ClassVar[str] = "conv1d"

    min_blocks: int = 1
    max_blocks: int = 4
    filters: tuple[int, ...] = (32, 64, 128, 256)
    kernel_sizes: tuple[int, ...] = (3, 5, 8, 11)
    tune_residual: bool = True
    poolings: tuple[str, ...] = ("average", "max")
    max_dropout: float = 0.5
    embedding_dims: tuple[int, ...] = (32, 64, 128, 256)
    min_learning_rate: float = 1e-4
    max_learning_rate: float = 3e-3
    optimizers: tuple[str, ...] = ("adam", "adamw")
    batch_sizes: tuple[int, ...] = (16, 32, 64, 128)

    def _own_problems(self) -> list[str | None]:
        return [
            _span(self, "blocks", 6),
            _positive(self.filters, "filters"),
            _positive(self.kernel_sizes, "kernel sizes"),
            _among(self.poolings, ("average", "max"), "poolings"),
            _dropout(self.max_dropout),
            _positive(self.embedding_dims, "embedding dims"),
        ]


def _sequence_problems(space: RNNSpace | LSTMSpace) -> list[str | None]:
    """Returns the units, dropout and text checks the recurrent families share."""
    return [
        _positive(space.units, "units"),
        _dropout(space.max_dropout),
        _positive(space.embedding_dims, "embedding dims"),
    ]


@dataclass(frozen=True)
class TransferSpace(_Space):
    """Choices for the transfer-learning family: a pretrained backbone and a new head.

    `fine_tune_layers` are how many of the backbone's last layers may train (0: the
    backbone stays frozen and only the head learns, the safe choice on small data).

    Example:
        >>> TransferSpace.from_dict({"fine_tune_layers": [0]}).fine_tune_layers
        (0,)
    """

    family: ClassVar[str] = "transfer"

    fine_tune_layers: tuple[int, ...] = (0, 20)
    max_dropout: float = 0.5
    dense_units: tuple[int, ...] = (0, 128)
    tune_augmentation: bool = True
    min_learning_rate: float = 1e-4
    max_learning_rate: float = 3e-3
    optimizers: tuple[str, ...] = ("adam",)
    batch_sizes: tuple[int, ...] = (16, 32, 64)

    def _own_problems(self) -> list[str | None]:
        return [
            _at_least(self.fine_tune_layers, 0, "fine_tune_layers must be whole numbers >= 0"),
            _dropout(self.max_dropout),
            _hidden_units(self.dense_units),
        ]


@dataclass(frozen=True)
class RocketSpace(_Space):
    """Choices of the random-convolution (MiniRocket) family: only its head trains.

    `assumed_steps` sets the dilations for series of any length (no fixed steps).

    Example:
        >>> RocketSpace.from_dict({"features": [2000]}).features
        (2000,)
    """

    family: ClassVar[str] = "rocket"

    features: tuple[int, ...] = (2_000, 5_000, 10_000)
    assumed_steps: int = 256
    max_dropout: float = 0.5
    min_learning_rate: float = 1e-4
    max_learning_rate: float = 1e-2
    optimizers: tuple[str, ...] = ("adam", "adamw")
    batch_sizes: tuple[int, ...] = (16, 32, 64, 128)

    def _own_problems(self) -> list[str | None]:
        return [
            _at_least(
                self.features, 84, "features must be whole numbers of at least 84 (one per kernel)"
            ),
            None if self.assumed_steps >= 10 else "assumed_steps must be at least 10",
            _dropout(self.max_dropout),
        ]


def _at_least(values: tuple[int, ...], minimum: int, message: str) -> str | None:
    """Returns `message` when `values` is empty or holds a number below `minimum`, else None."""
    return None if values and all(v >= minimum for v in values) else message


def _positive(values: tuple[int, ...], name: str) -> str | None:
    """Returns what is wrong when `values` is empty or holds a number below 1, else None."""
    return _at_least(values, 1, f"{name} must be positive whole numbers")


def _hidden_units(values: tuple[int, ...]) -> str | None:
    """Returns what is wrong with a head's hidden-layer widths (0: no hidden layer), or None."""
    return _at_least(values, 0, "dense units must be whole numbers >= 0 (0: no hidden layer)")


def _among(values: tuple[str, ...], allowed: tuple[str, ...], name: str) -> str | None:
    """Returns what is wrong when `values` is empty or leaves `allowed`, else None."""
    if values and set(values) <= set(allowed):
        return None
    return f"{name} must be among {', '.join(allowed)}"


def _span(space: _Space, noun: str, most: int) -> str | None:
    """Returns what is wrong unless 1 <= min_<noun> <= max_<noun> <= `most`, else None."""
    if 1 <= getattr(space, f"min_{noun}") <= getattr(space, f"max_{noun}") <= most:
        return None
    return f"{noun} must satisfy 1 <= min_{noun} <= max_{noun} <= {most}"


def _dropout(value: float) -> str | None:
    """Returns what is wrong unless the largest dropout is in [0, 1), else None."""
    return None if 0 <= value < 1 else "max_dropout must be in [0, 1)"


SPACES = {
    "dense": DenseSpace,
    "cnn": CNNSpace,
    "transfer": TransferSpace,
    "rnn": RNNSpace,
    "lstm": LSTMSpace,
    "conv1d": Conv1DSpace,
    "rocket": RocketSpace,
}
