"""The Search page's "Budget and tuner" box: the search's settings, with their tooltips."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from desktop.state import SearchSettings

METRICS = {
    "classification": ["accuracy", "balanced_accuracy", "auc", "f1", "log_loss"],
    "regression": ["rmse", "mae"],
}
TUNER_TIPS = {
    "random": "Random search: independent draws from the space; robust, parallel-friendly",
    "bayesian": "Bayesian optimisation: a Gaussian process proposes promising configurations",
    "hyperband": "Hyperband: many short trials, the best promoted to longer training",
}
WORKERS_TIP = (
    "How many trials train at the same time, each in its own worker process (Keras Tuner's "
    "chief/worker mode on this machine, `--workers N`). With 1, a search of 10 minutes or "
    "more trains in one worker process apart from the search, so memory TensorFlow keeps "
    "is given back; a shorter one trains in the search process. "
    "Each worker uses a share of the CPU cores, or one GPU each when there are several, "
    "so more workers finish more trials in the budget but each trial trains slower."
)
PRECISION_TIP = (
    "Train in float16 with float32 outputs and loss scaling (`--precision mixed`): faster "
    "and lighter on recent GPUs, same exported model inputs and outputs. Only with a GPU."
)


#: The Cross-validation choice: its words, and `SearchRequest.cv` (None: the engine decides).
CV_CHOICES = (
    ("automatic (small data)", None),
    ("off: one validation split", 0),
    ("3 folds", 3),
    ("5 folds", 5),
    ("10 folds", 10),
)
CV_TIP = (
    "How trials are judged. Automatic: under 2,000 training examples each trial is trained "
    "once per fold and scored by the mean (one small validation split cannot rank trials); "
    "off is faster"
)


class SearchSettingsBox(QGroupBox):
    """Tuner, trials, time budget, epochs, objective, seed, early stopping, device,
    workers and precision, started from the project's `SearchSettings`."""

    def __init__(self, settings: SearchSettings, parent: QWidget | None = None) -> None:
        super().__init__("Budget and tuner", parent)
        self._running = False
        form = QFormLayout()
        self.tuner = QComboBox()
        for name, tip in TUNER_TIPS.items():
            self.tuner.addItem(name)
            self.tuner.setItemData(self.tuner.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.tuner.setCurrentText(settings.tuner)
        self.tuner.setToolTip("The Keras Tuner algorithm that picks each trial's configuration")
        self.max_trials_box = _spin(
            0,
            10_000,
            settings.max_trials,
            " trials",
            "The most configurations to try; no limit: as many as the time budget allows",
        )
        # 0 leaves --max-trials out: the time budget alone ends the search.
        self.max_trials_box.setSpecialValueText("no limit (the budget)")
        self.budget_box = _spin(
            10,
            7 * 24 * 3600,
            settings.time_budget_s,
            " s",
            "Wall-clock budget for the search and the refit; no trial "
            "starts after it and a running trial stops at it",
        )
        self.budget_box.setSingleStep(30)
        self.epochs_box = _spin(
            1,
            10_000,
            settings.epochs,
            " epochs",
            "The most epochs per trial; early stopping on the validation "
            "metric (with patience) usually ends a trial sooner",
        )
        self.metric_box = QComboBox()
        self.metric_box.setToolTip("The objective the tuner optimises on the validation rows")
        self.seed_box = _spin(
            0, 2**31 - 1, settings.seed, "", "Makes the split and the search repeatable"
        )
        self.patience_box = _spin(
            0,
            1000,
            0,
            " epochs",
            "Early stopping: epochs without improvement on the validation "
            "objective before a trial stops (0 = automatic, 5 to 20)",
        )
        self.patience_box.setSpecialValueText("automatic")
        self.device_box = QComboBox()
        self.device_box.addItem("default (first GPU if any, else CPU)", None)
        self.device_box.setToolTip(
            "Where the search trains; the list comes from TensorFlow in "
            "a child process (`automl devices`)"
        )
        self.device_box.currentIndexChanged.connect(self.refresh_precision)
        self.workers_box = _spin(1, max(2, os.cpu_count() or 1), settings.workers, "", WORKERS_TIP)
        self.workers_box.setSpecialValueText("1 (the default)")
        self.cv_box = QComboBox()
        for text, folds in CV_CHOICES:
            self.cv_box.addItem(text, folds)
        self.cv_box.setCurrentIndex(max(0, self.cv_box.findData(settings.cv)))
        self.cv_box.setToolTip(CV_TIP)
        self.precision_box = QCheckBox("Mixed precision (float16)")
        self.precision_box.setToolTip(PRECISION_TIP)
        self.precision_box.setChecked(settings.precision == "mixed")
        for label, widget in (
            ("Tuner", self.tuner),
            ("Trials", self.max_trials_box),
            ("Time budget", self.budget_box),
            ("Epochs per trial", self.epochs_box),
            ("Objective", self.metric_box),
            ("Seed", self.seed_box),
            ("Early stopping", self.patience_box),
            ("Cross-validation", self.cv_box),
            ("Device", self.device_box),
            ("Parallel workers", self.workers_box),
            ("Precision", self.precision_box),
        ):
            form.addRow(label, widget)
        self.form = form
        self.setLayout(form)

    def add_devices(self, found: list[dict]) -> None:
        """Adds the devices `automl devices --json` listed to the Device choice."""
        for device in found:
            memory = f", {device['memory_mb']} MiB" if device.get("memory_mb") else ""
            self.device_box.addItem(f"{device['id']}: {device['name']}{memory}", device["id"])
        self.refresh_precision()

    def has_gpu(self) -> bool:
        """Returns whether `automl devices` listed a GPU (False until it answers)."""
        return any(
            str(self.device_box.itemData(i)).startswith("gpu")
            for i in range(self.device_box.count())
        )

    def refresh_precision(self) -> None:
        """Shows the precision choice only with a GPU; off when pinned to the CPU."""
        # Mixed precision only helps on a GPU: hidden without one, off when pinned to the CPU.
        self.form.setRowVisible(self.precision_box, self.has_gpu())
        on_cpu = self.device_box.currentData() == "cpu"
        self.precision_box.setEnabled(not on_cpu and not self._running)

    def show_metrics(self, kind: str) -> None:
        """Offers the objectives of `kind` ("classification" or "regression")."""
        current = self.metric_box.currentText()
        self.metric_box.clear()
        self.metric_box.addItem("default")
        self.metric_box.addItems(METRICS[kind])
        if current in METRICS[kind]:
            self.metric_box.setCurrentText(current)

    def set_running(self, running: bool) -> None:
        """Locks the settings while a search runs."""
        self._running = running
        for box in (
            self.patience_box,
            self.cv_box,
            self.device_box,
            self.tuner,
            self.max_trials_box,
            self.budget_box,
            self.epochs_box,
            self.metric_box,
            self.seed_box,
            self.workers_box,
        ):
            box.setEnabled(not running)
        self.refresh_precision()

    def request_fields(self) -> dict[str, Any]:
        """Returns these settings as `SearchRequest` fields; a box at its "none" value
        (no trial limit, automatic patience, one worker, the default metric) gives None,
        so the engine decides as it does without the flag."""
        on_gpu = self.has_gpu() and self.device_box.currentData() != "cpu"
        metric = self.metric_box.currentText()
        return {
            "tuner": self.tuner.currentText(),
            "max_trials": self.max_trials_box.value() or None,
            "time_budget_s": self.budget_box.value(),
            "max_epochs": self.epochs_box.value(),
            "seed": self.seed_box.value(),
            "patience": self.patience_box.value() or None,
            "device": self.device_box.currentData() or None,
            "workers": self.workers_box.value() if self.workers_box.value() > 1 else None,
            "precision": "mixed" if self.precision_box.isChecked() and on_gpu else "float32",
            "metric": None if metric == "default" else metric,
            "cv": self.cv_box.currentData(),
        }

    def save_to(self, search: SearchSettings) -> None:
        """Writes the chosen settings into `search` (saved with the project)."""
        search.tuner = self.tuner.currentText()
        search.max_trials = self.max_trials_box.value()
        search.time_budget_s = self.budget_box.value()
        search.epochs = self.epochs_box.value()
        search.metric = (
            "" if self.metric_box.currentText() == "default" else self.metric_box.currentText()
        )
        search.seed = self.seed_box.value()
        search.cv = self.cv_box.currentData()
        search.workers = self.workers_box.value()
        search.precision = "mixed" if self.precision_box.isChecked() else "float32"


def _spin(low: int, high: int, value: int, suffix: str, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    return box
