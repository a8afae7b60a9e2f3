"""An editable form of one family's search space, built from the engine's default space.

Every family's space (`automl.propose.default_space`) is a flat dict of ranges (`min_x` /
`max_x`), choices (lists), switches (`tune_x`) and a dropout cap, so one form serves the
dense, CNN, RNN, LSTM and Conv1D families; the engine's `check_space` says what is wrong.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

#: Values offered for each list field; a family's defaults are always offered too.
CHOICES: dict[str, list] = {
    "units": [16, 32, 64, 128, 256, 512, 1024],
    "activations": ["relu", "gelu", "swish", "tanh", "elu"],
    "optimizers": ["adam", "adamw", "sgd", "rmsprop"],
    "batch_sizes": [8, 16, 32, 64, 128, 256, 512],
    "filters": [8, 16, 32, 64, 128, 256, 512],
    "kernel_sizes": [3, 5, 7, 8, 11],
    "dense_units": [0, 32, 64, 128, 256],
    "cells": ["gru", "simple_rnn"],
    "poolings": ["average", "max"],
    "embedding_dims": [16, 32, 64, 128, 256],
    "features": [1_000, 2_000, 5_000, 10_000, 20_000],
    "schedules": ["plateau", "flat_cosine"],
}
#: Per-family exceptions: the CNN's kernels must be odd.
FAMILY_CHOICES = {"cnn": {"kernel_sizes": [3, 5, 7]}}
LABELS = {
    "layers": "Layers",
    "blocks": "Blocks",
    "units": "Units per layer",
    "activations": "Activations",
    "max_dropout": "Max dropout",
    "tune_batch_norm": "try batch normalisation",
    "tune_residual": "try residual connections",
    "tune_augmentation": "try image augmentation",
    "tune_bidirectional": "try bidirectional layers",
    "tune_linear": "try a linear model (no hidden layer)",
    "tune_numeric_embedding": "try periodic embeddings of numbers",
    "l2": "L2 penalty",
    "learning_rate": "Learning rate",
    "optimizers": "Optimizers",
    "batch_sizes": "Batch sizes",
    "filters": "Filters per block",
    "kernel_sizes": "Kernel sizes",
    "dense_units": "Dense units on top",
    "cells": "Cells",
    "poolings": "Pooling",
    "embedding_dims": "Word vector sizes",
    "features": "Random features",
    "assumed_steps": "Steps assumed",
    "schedules": "Learning-rate schedules",
}
TIPS = {
    "layers": "How many hidden layers a trial may have",
    "blocks": "How many convolution blocks a trial may have",
    "units": "Widths a layer may take",
    "activations": "Non-linearities to try",
    "max_dropout": "Dropout is drawn between 0 and this rate (regularises small data)",
    "tune_batch_norm": "Also try batch normalisation after each layer",
    "tune_residual": "Also try skip connections around each block",
    "tune_augmentation": "Also try random flips, rotations and zooms of the training images",
    "tune_bidirectional": "Also try reading each series both ways",
    "tune_linear": "Also try no hidden layer at all: the second trial is this linear model",
    "tune_numeric_embedding": (
        "Also try feeding each number through learned sine and cosine waves, which lets a "
        "network fit bands and thresholds of one column"
    ),
    "l2": "The weight penalty of every dense layer is drawn log-uniformly from this range",
    "learning_rate": "The optimizer's learning rate is drawn log-uniformly from this range",
    "optimizers": "Optimizers to try",
    "batch_sizes": "Batch sizes to try (larger than a quarter of the rows are skipped)",
    "filters": "Convolution filters a block may have",
    "kernel_sizes": "Widths of the convolution windows to try",
    "dense_units": "Width of the dense layer before the output (0: none)",
    "cells": "Recurrent cells to try: GRU, or the plain (Elman) RNN",
    "poolings": "How the last block's steps are pooled into one vector",
    "embedding_dims": "Sizes of the word vectors, for text",
    "features": "How many fixed random-convolution features the linear head reads",
    "assumed_steps": "Series length the dilations are spread over when lengths vary",
    "schedules": (
        "plateau: halve the rate when validation stalls; flat_cosine: keep it for half the "
        "trial's planned epochs, then lower it smoothly to nothing (the first is tried first)"
    ),
}


class SpaceForm(QWidget):
    """The fields of one family's space; emits `changed` with the whole space on each edit."""

    changed = Signal(str, dict)  # family, space

    def __init__(
        self, family: str, default: dict, hidden: tuple[str, ...] = (), parent=None
    ) -> None:
        super().__init__(parent)
        self.family = family
        self.default = dict(default)
        self.hidden = set(hidden)
        self._values = dict(default)  # hidden fields keep what was loaded
        self._loading = False
        self.ranges: dict[str, tuple[QSpinBox | QDoubleSpinBox, QSpinBox | QDoubleSpinBox]] = {}
        self.checks: dict[str, dict[object, QCheckBox]] = {}
        self.switches: dict[str, QCheckBox] = {}
        self.numbers: dict[str, QDoubleSpinBox] = {}
        form = QFormLayout(self)
        for key, value in default.items():
            if key in self.hidden or (key.startswith("max_") and f"min_{key[4:]}" in default):
                continue
            if key.startswith("min_") and f"max_{key[4:]}" in default:
                name = key[4:]
                form.addRow(_label(name), self._range_row(name, value))
            elif isinstance(value, list):
                form.addRow(_label(key), self._check_row(key, value))
            elif isinstance(value, bool):
                switch = QCheckBox(LABELS.get(key, key))
                switch.setToolTip(TIPS.get(key, ""))
                switch.toggled.connect(self._emit)
                self.switches[key] = switch
                form.addRow("", switch)
            else:
                box = QDoubleSpinBox()
                box.setRange(0.0, 0.9)
                box.setSingleStep(0.05)
                box.setMaximumWidth(90)
                box.valueChanged.connect(self._emit)
                box.setToolTip(TIPS.get(key, ""))
                self.numbers[key] = box
                form.addRow(_label(key), box)
        reset = QPushButton("Reset to defaults")
        reset.setToolTip("Put back the space this family searches by default")
        reset.clicked.connect(lambda: self.load(self.default))
        form.addRow("", _row(reset))

    def load(self, space: dict) -> None:
        """Shows `space` (missing fields take the defaults) and emits `changed`."""
        values = {**self.default, **space}
        self._values = values
        self._loading = True
        for name, (low, high) in self.ranges.items():
            low.setValue(values[f"min_{name}"])
            high.setValue(values[f"max_{name}"])
        for key, checks in self.checks.items():
            for choice, check in checks.items():
                check.setChecked(choice in values[key])
        for key, switch in self.switches.items():
            switch.setChecked(values[key])
        for key, box in self.numbers.items():
            box.setValue(values[key])
        self._loading = False
        self._emit()

    def space(self) -> dict:
        """Returns the space the form shows, in the engine's field order."""
        shown = dict(self._values)
        for name, (low, high) in self.ranges.items():
            shown[f"min_{name}"], shown[f"max_{name}"] = low.value(), high.value()
        for key, checks in self.checks.items():
            shown[key] = [choice for choice, check in checks.items() if check.isChecked()]
        for key, switch in self.switches.items():
            shown[key] = switch.isChecked()
        for key, box in self.numbers.items():
            shown[key] = round(box.value(), 2)
        return {key: shown[key] for key in self.default}

    def _range_row(self, name: str, value: float) -> QWidget:
        rate = isinstance(value, float)
        low, high = (_rate_box() if rate else _int_box()), (_rate_box() if rate else _int_box())
        tip = TIPS.get(name, "")
        for box, end in ((low, "lowest"), (high, "highest")):
            box.valueChanged.connect(self._emit)
            box.setToolTip(f"{tip}: the {end}" if tip else f"The {end}")
        self.ranges[name] = (low, high)
        return _row(QLabel("from"), low, QLabel("to"), high)

    def _check_row(self, key: str, default: list) -> QWidget:
        offered = FAMILY_CHOICES.get(self.family, {}).get(key, CHOICES.get(key, []))
        choices = list(dict.fromkeys([*offered, *default]))
        if all(isinstance(c, (int, float)) for c in choices):
            choices.sort()
        self.checks[key] = {}
        widgets = []
        for choice in choices:
            check = QCheckBox(str(choice))
            check.setToolTip(f"{TIPS.get(key, 'Choices to try')}: {choice}")
            check.toggled.connect(self._emit)
            self.checks[key][choice] = check
            widgets.append(check)
        return _row(*widgets)

    def _emit(self) -> None:
        if not self._loading:
            self.changed.emit(self.family, self.space())


def _label(key: str) -> QLabel:
    label = QLabel(LABELS.get(key, key.replace("_", " ").capitalize()))
    label.setToolTip(TIPS.get(key, ""))
    return label


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return row


def _int_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, 8)
    return box


def _rate_box() -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(5)
    box.setRange(0.00001, 0.5)
    box.setSingleStep(0.0001)
    return box
