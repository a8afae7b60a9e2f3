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

    def _training_problems(self) -> list[str]:
        problems = []
        if not 0 < self.min_learning_rate <= self.max_learning_rate < 1:
            problems.append("learning rates must satisfy 0 < min <= max < 1")
        if not set(self.optimizers) <= {"adam", "adamw", "sgd", "rmsprop"} or not self.optimizers:
            problems.append("optimizers must be among adam, adamw, sgd, rmsprop")
        if not self.batch_sizes or any(b < 1 for b in self.batch_sizes):
            problems.append("batch sizes must be positive whole numbers")
        return problems

    def _text_problems(self) -> list[str]:
        if not self.embedding_dims or any(d < 1 for d in self.embedding_dims):
            return ["embedding dims must be positive whole numbers"]
        return []

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
    min_learning_rate: float = 1e-4
    max_learning_rate: float = 3e-3
    optimizers: tuple[str, ...] = ("adam", "adamw")
    batch_sizes: tuple[int, ...] = (16, 32, 64, 128, 256)

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.min_layers <= self.max_layers <= 8:
            problems.append("layers must satisfy 1 <= min_layers <= max_layers <= 8")
        if not self.units or any(u < 1 for u in self.units):
            problems.append("units must be positive whole numbers")
        if (
            not set(self.activations) <= {"relu", "gelu", "swish", "tanh", "elu"}
            or not self.activations
        ):
            problems.append("activations must be among relu, gelu, swish, tanh, elu")
        if not 0 <= self.max_dropout < 1:
            problems.append("max_dropout must be in [0, 1)")
        problems += self._training_problems()
        if problems:
            raise ValueError("dense search space: " + "; ".join(problems))


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

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.min_blocks <= self.max_blocks <= 6:
            problems.append("blocks must satisfy 1 <= min_blocks <= max_blocks <= 6")
        if not self.filters or any(f < 1 for f in self.filters):
            problems.append("filters must be positive whole numbers")
        # Odd kernels keep "same" padding symmetric, so features stay centred.
        if not self.kernel_sizes or any(k < 1 or k % 2 == 0 for k in self.kernel_sizes):
            problems.append("kernel sizes must be positive odd numbers")
        if not 0 <= self.max_dropout < 1:
            problems.append("max_dropout must be in [0, 1)")
        if not self.dense_units or any(u < 0 for u in self.dense_units):
            problems.append("dense units must be whole numbers >= 0 (0: no hidden layer)")
        problems += self._training_problems()
        if problems:
            raise ValueError("cnn search space: " + "; ".join(problems))


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

    def __post_init__(self) -> None:
        problems = []
        if not self.cells or not set(self.cells) <= {"gru", "simple_rnn"}:
            problems.append("cells must be among gru, simple_rnn")
        if not 1 <= self.min_layers <= self.max_layers <= 4:
            problems.append("layers must satisfy 1 <= min_layers <= max_layers <= 4")
        problems += _sequence_problems(self)
        if problems:
            raise ValueError("rnn search space: " + "; ".join(problems))


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

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.min_layers <= self.max_layers <= 4:
            problems.append("layers must satisfy 1 <= min_layers <= max_layers <= 4")
        problems += _sequence_problems(self)
        if problems:
            raise ValueError("lstm search space: " + "; ".join(problems))


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

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.min_blocks <= self.max_blocks <= 6:
            problems.append("blocks must satisfy 1 <= min_blocks <= max_blocks <= 6")
        if not self.filters or any(f < 1 for f in self.filters):
            problems.append("filters must be positive whole numbers")
        if not self.kernel_sizes or any(k < 1 for k in self.kernel_sizes):
            problems.append("kernel sizes must be positive whole numbers")
        if not self.poolings or not set(self.poolings) <= {"average", "max"}:
            problems.append("poolings must be among average, max")
        if not 0 <= self.max_dropout < 1:
            problems.append("max_dropout must be in [0, 1)")
        problems += self._text_problems() + self._training_problems()
        if problems:
            raise ValueError("conv1d search space: " + "; ".join(problems))


def _sequence_problems(space: RNNSpace | LSTMSpace) -> list[str]:
    """Returns what is wrong with the units, dropout, text and training choices."""
    problems = []
    if not space.units or any(u < 1 for u in space.units):
        problems.append("units must be positive whole numbers")
    if not 0 <= space.max_dropout < 1:
        problems.append("max_dropout must be in [0, 1)")
    return problems + space._text_problems() + space._training_problems()


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

    def __post_init__(self) -> None:
        problems = []
        if not self.fine_tune_layers or any(n < 0 for n in self.fine_tune_layers):
            problems.append("fine_tune_layers must be whole numbers >= 0")
        if not 0 <= self.max_dropout < 1:
            problems.append("max_dropout must be in [0, 1)")
        if not self.dense_units or any(u < 0 for u in self.dense_units):
            problems.append("dense units must be whole numbers >= 0 (0: no hidden layer)")
        problems += self._training_problems()
        if problems:
            raise ValueError("transfer search space: " + "; ".join(problems))


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

    def __post_init__(self) -> None:
        problems = []
        if not self.features or any(f < 84 for f in self.features):
            problems.append("features must be whole numbers of at least 84 (one per kernel)")
        if self.assumed_steps < 10:
            problems.append("assumed_steps must be at least 10")
        if not 0 <= self.max_dropout < 1:
            problems.append("max_dropout must be in [0, 1)")
        problems += self._training_problems()
        if problems:
            raise ValueError("rocket search space: " + "; ".join(problems))


SPACES = {
    "dense": DenseSpace,
    "cnn": CNNSpace,
    "transfer": TransferSpace,
    "rnn": RNNSpace,
    "lstm": LSTMSpace,
    "conv1d": Conv1DSpace,
    "rocket": RocketSpace,
}
