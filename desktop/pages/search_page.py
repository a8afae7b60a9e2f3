"""The Search page: budgets, Start / Stop / Kill, live trials, curves and the engine's log."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from automl.experiment.events import (
    EpochEnded,
    Event,
    SearchEnded,
    SearchStarted,
    TrialEnded,
)
from automl.experiment.fold import time_used
from automl.experiment.layout import EVENTS
from automl.experiment.reader import read_events
from desktop.dialogs import show_error
from desktop.engine_process import EngineProcess, last_error_line
from desktop.state import StudioState
from desktop.trial_table import TrialTableModel

METRICS = {
    "classification": ["accuracy", "balanced_accuracy", "auc", "f1", "log_loss"],
    "regression": ["rmse", "mae"],
}
TUNER_TIPS = {
    "random": "Random search: independent draws from the space; robust, parallel-friendly",
    "bayesian": "Bayesian optimisation: a Gaussian process proposes promising configurations",
    "hyperband": "Hyperband: many short trials, the best promoted to longer training",
}
EXIT_MEANING = {
    2: "the engine rejected the input",
    3: "no trial succeeded",
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


class SearchPage(QWidget):
    """Starts the engine's search in a child process and follows its event stream."""

    title = "Search"

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.engine = EngineProcess(self)
        self.engine.event.connect(self._on_event)
        self.engine.log.connect(self._on_log)
        self.engine.finished.connect(self._on_finished)
        self.trials = TrialTableModel(parent=self)
        self.curves: dict[str, list[float]] = {}
        self.monitor = ""
        self.out: Path | None = None
        self.budget_s: float | None = 0
        self.max_trials = 0
        self.stderr: list[str] = []
        self.done_before = 0  # trials an interrupted search had finished before its resume
        self._running = False
        self.clock = QElapsedTimer()
        self.ticker = QTimer(self)
        self.ticker.setInterval(500)
        self.ticker.timeout.connect(self._tick)
        self._build()
        state.roles_changed.connect(self._refresh_metrics)
        state.data_changed.connect(self._refresh_metrics)

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        settings = self.state.settings.search
        form = QFormLayout()
        self.tuner = QComboBox()
        for name, tip in TUNER_TIPS.items():
            self.tuner.addItem(name)
            self.tuner.setItemData(self.tuner.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.tuner.setCurrentText(settings.tuner)
        self.tuner.setToolTip("The Keras Tuner algorithm that picks each trial's configuration")
        self.max_trials_box = _spin(
            1, 10_000, settings.max_trials, " trials", "The most configurations to try"
        )
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
        self.device_box.currentIndexChanged.connect(self._refresh_precision)
        self.devices = EngineProcess(self)
        self.devices.output.connect(self._take_devices)
        self._devices_asked = False
        self.workers_box = _spin(1, max(2, os.cpu_count() or 1), settings.workers, "", WORKERS_TIP)
        self.workers_box.setSpecialValueText("1 (the default)")
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
            ("Device", self.device_box),
            ("Parallel workers", self.workers_box),
            ("Precision", self.precision_box),
        ):
            form.addRow(label, widget)
        self.form = form
        settings_box = QGroupBox("Budget and tuner")
        settings_box.setLayout(form)

        self.start_button = QPushButton("Start search")
        self.start_button.setToolTip("Run the search in a separate process")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Finish the current epoch, keep and export the best model")
        self.stop_button.clicked.connect(self.stop)
        self.kill_button = QPushButton("Kill")
        self.kill_button.setToolTip("End the search process now; completed trials stay on disk")
        self.kill_button.clicked.connect(self.engine.kill)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.kill_button):
            buttons.addWidget(button)
        self.progress = QLabel("Not running")
        self.progress.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(settings_box)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setMaximumWidth(380)

        self.table = QTableView()
        self.table.setModel(self.trials)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.addLegend(offset=(-10, 10))
        self.plot.setLabel("bottom", "epoch")
        self.running_curve = self.plot.plot(
            [], [], pen=pg.mkPen("#1f77b4", width=2), name="running trial"
        )
        self.best_curve = self.plot.plot(
            [], [], pen=pg.mkPen("#ff7f0e", width=2, style=Qt.PenStyle.DashLine), name="best so far"
        )
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.log_view.setPlaceholderText("The search process's messages (standard error)")

        right = QSplitter(Qt.Orientation.Vertical)
        for widget in (self.table, self.plot, self.log_view):
            right.addWidget(widget)
        right.setSizes([300, 260, 140])
        layout = QHBoxLayout(self)
        layout.addWidget(left_widget)
        layout.addWidget(right, 1)
        self._set_running(False)
        self._refresh_metrics()
        self._refresh_precision()

    def showEvent(self, event) -> None:
        # Asking TensorFlow costs a few seconds in a child; only when the page is seen.
        if not self._devices_asked:
            self._devices_asked = True
            self.devices.start(["devices", "--json"])
        super().showEvent(event)

    def _take_devices(self, line: str) -> None:
        try:
            found = json.loads(line)
        except ValueError:
            return
        for device in found:
            memory = f", {device['memory_mb']} MiB" if device.get("memory_mb") else ""
            self.device_box.addItem(f"{device['id']}: {device['name']}{memory}", device["id"])
        self._refresh_precision()

    def has_gpu(self) -> bool:
        """Whether `automl devices` listed a GPU (False until it answers)."""
        return any(
            str(self.device_box.itemData(i)).startswith("gpu")
            for i in range(self.device_box.count())
        )

    def _refresh_precision(self) -> None:
        # Mixed precision only helps on a GPU: hidden without one, off when pinned to the CPU.
        self.form.setRowVisible(self.precision_box, self.has_gpu())
        on_cpu = self.device_box.currentData() == "cpu"
        self.precision_box.setEnabled(not on_cpu and not self._running)

    def _refresh_metrics(self) -> None:
        modality = self.state.modality
        if modality in ("series", "forecast"):
            task = self.state.sequences["task"]
        else:
            task = ((self.state.profile or {}).get("target") or {}).get("task", "")
        # An image folder is always classification: each sub-folder is a class.
        numeric = task in ("regression", "forecast") and modality != "image"
        kind = "regression" if numeric else "classification"
        current = self.metric_box.currentText()
        self.metric_box.clear()
        self.metric_box.addItem("default")
        self.metric_box.addItems(METRICS[kind])
        if current in METRICS[kind]:
            self.metric_box.setCurrentText(current)

    # -- actions --------------------------------------------------------------------------

    def start(self) -> None:
        """Starts a search with the page's settings; problems show as a dialog."""
        if self.engine.running:
            return
        settings = self.state.settings
        if not settings.data:
            show_error(self, "Cannot start", "Open a data file on the Data page first.")
            return
        problem = self._start_problem()
        if problem:
            show_error(self, "Cannot start", problem)
            return
        self._save_settings()
        root = self.state.experiments_root()
        root.mkdir(parents=True, exist_ok=True)
        # Image folders and NumPy files have no target column; the file name says it all.
        name = Path(settings.data).name if self._labels_in_file() else settings.target
        self.out = root / f"{_safe(name)}-{time.strftime('%Y%m%d-%H%M%S')}"
        arguments = self.search_arguments(self.out)
        self._clear()
        self.budget_s = self.budget_box.value()
        self.max_trials = self.max_trials_box.value()
        self._launch(arguments, "Starting the search process…", f"Search started: {self.out}")

    def resume(self, folder: Path) -> None:
        """Continues the interrupted search in `folder`, shown as a search from this page.

        The trials it finished before appear at once (read from its events.jsonl); the
        rest arrive as it runs, and Stop, Kill and the results work as for a new search.
        """
        if self.engine.running:
            show_error(self, "Cannot resume", "A search is running; stop it first.")
            return
        self.out = Path(folder)
        self._clear()
        try:
            past = read_events(self.out / EVENTS)
        except OSError:
            past = []
        self.max_trials = 0
        for event in past:
            self._on_event(event)
        self.trials.mark_unfinished("interrupted")
        self.done_before = sum(r["status"] != "interrupted" for r in self.trials.rows)
        self.budget_s = budget_left(past)
        self._launch(
            self.resume_arguments(self.out),
            f"Resuming {self.out.name} ({self.done_before} of {self.max_trials} trials were "
            "done when it stopped)…",
            f"Search resumed: {self.out}",
        )

    def resume_arguments(self, folder: Path) -> list[str]:
        """Returns the `automl resume` command line that continues the search in `folder`."""
        return ["resume", str(folder), "--events", "-", "--control-stdin"]

    def _clear(self) -> None:
        self.trials.reset("", "max")
        self.curves.clear()
        self.stderr.clear()
        self.log_view.clear()
        self.running_curve.setData([], [])
        self.best_curve.setData([], [])
        self.done_before = 0

    def _launch(self, arguments: list[str], progress: str, status: str) -> None:
        self.clock.start()
        self.ticker.start()
        self._set_running(True)
        self.progress.setText(progress)
        self.state.status.emit(status)
        self.engine.start(arguments)

    def _labels_in_file(self) -> bool:
        """Whether the labels come with the data, not from a column: an image folder (each
        sub-folder a class) or a NumPy file of series (its `y`)."""
        return self.state.modality == "image" or (
            self.state.modality == "series" and self.state.frame is None
        )

    def _start_problem(self) -> str:
        """Returns why a search cannot start with the current data and choices, or ""."""
        state, settings = self.state, self.state.settings
        if state.layout_problem:
            return f"The data layout cannot be read: {state.layout_problem}"
        if not self._labels_in_file() and not settings.target:
            if state.modality == "forecast":
                return "Choose the column to forecast on the Data page."
            return "Choose the column to predict on the Data page."
        if self._searched_families() == []:
            return "Check at least one model family on the Model page."
        return ""

    def _searched_families(self) -> list[str] | None:
        """Returns the families to pass with `--families`, or None to leave it out: a
        table or image folder has one family, series and text a choice of several."""
        if self.state.modality in ("series", "forecast") or self.state.text_feature():
            return list(self.state.settings.families)
        return None

    def search_arguments(self, out: Path) -> list[str]:
        """Returns the `automl search` command line for the current settings.

        An image folder or a NumPy file of series gets no `--target` (the labels come with
        the data); a table read as series or a forecast gets its layout's flags; column
        options are for tables only.
        """
        settings = self.state.settings
        modality = self.state.modality
        image = modality == "image"
        arguments = [
            "search",
            settings.data,
            *([] if self._labels_in_file() else ["--target", settings.target]),
            "--out",
            str(out),
            "--events",
            "-",
            "--control-stdin",
            "--tuner",
            self.tuner.currentText(),
            "--max-trials",
            str(self.max_trials_box.value()),
            "--time-budget",
            f"{self.budget_box.value()}s",
            "--epochs",
            str(self.epochs_box.value()),
            "--seed",
            str(self.seed_box.value()),
        ]
        if self.patience_box.value():
            arguments += ["--patience", str(self.patience_box.value())]
        if self.device_box.currentData():
            arguments += ["--device", self.device_box.currentData()]
        if self.workers_box.value() > 1:
            arguments += ["--workers", str(self.workers_box.value())]
        on_gpu = self.has_gpu() and self.device_box.currentData() != "cpu"
        if self.precision_box.isChecked() and on_gpu:
            arguments += ["--precision", "mixed"]
        if self.metric_box.currentText() != "default":
            arguments += ["--metric", self.metric_box.currentText()]
        if image:
            # The Model page's space describes table families; the engine picks the CNN.
            return arguments
        arguments += layout_arguments(self.state)
        families = self._searched_families()
        if families:
            arguments += ["--families", ",".join(families)]
        if modality == "table":
            for column in settings.ignored:
                arguments += ["--ignore", column]
            for column, kind in settings.column_types.items():
                arguments += ["--column-type", f"{column}={kind}"]
        searched = families or ["dense"]
        space = {f: s for f, s in settings.space.items() if s and f in searched}
        if space:
            space_file = out.parent / f".{out.name}.space.json"
            space_file.write_text(json.dumps(space))
            arguments += ["--space", str(space_file)]
        return arguments

    def stop(self) -> None:
        if self.engine.running:
            self.engine.stop()
            self.progress.setText(
                "Stopping: finishing this epoch, then exporting the best model so far…"
            )
            self.stop_button.setEnabled(False)

    def _save_settings(self) -> None:
        search = self.state.settings.search
        search.tuner = self.tuner.currentText()
        search.max_trials = self.max_trials_box.value()
        search.time_budget_s = self.budget_box.value()
        search.epochs = self.epochs_box.value()
        search.metric = (
            "" if self.metric_box.currentText() == "default" else self.metric_box.currentText()
        )
        search.seed = self.seed_box.value()
        search.workers = self.workers_box.value()
        search.precision = "mixed" if self.precision_box.isChecked() else "float32"

    # -- engine events ----------------------------------------------------------------------

    def _on_event(self, event) -> None:
        self.trials.take(event)
        if isinstance(event, SearchStarted):
            self.max_trials = event.max_trials
            self.monitor = "val_loss" if event.objective == "log_loss" else f"val_{event.objective}"
            self.trials.monitor, self.trials.direction = self.monitor, event.direction
            self.plot.setLabel("left", self.monitor)
        elif isinstance(event, EpochEnded):
            value = event.metrics.get(self.monitor)
            self.curves.setdefault(event.trial_id, []).append(
                float("nan") if value is None else value
            )
            values = self.curves[event.trial_id]
            self.running_curve.setData(list(range(1, len(values) + 1)), values)
        elif isinstance(event, TrialEnded):
            best = self.trials.best_trial()
            if best in self.curves:
                values = self.curves[best]
                self.best_curve.setData(list(range(1, len(values) + 1)), values)
        elif isinstance(event, SearchEnded):
            self.progress.setText(
                f"Search {event.status}: {event.reason}. Exporting and checking the best model…"
            )

    def _on_log(self, line: str) -> None:
        self.stderr.append(line)
        self.log_view.appendPlainText(line)

    def _on_finished(self, code: int, crashed: bool) -> None:
        self.ticker.stop()
        self._set_running(False)
        elapsed = self.clock.elapsed() / 1000
        done = sum(r["status"] == "completed" for r in self.trials.rows)
        if code in (0, 130) and not crashed:
            verb = "stopped" if code == 130 else "finished"
            self.progress.setText(
                f"Search {verb} after {elapsed:.0f} s: {done} trials; the "
                "best model is exported (see Results and Export)."
            )
            self.state.set_experiment(self.out)
        elif crashed or code < 0:
            self.progress.setText(
                f"The search process ended unexpectedly after {elapsed:.0f} s; "
                f"{done} completed trials are kept in {self.out}."
            )
            if self.out is not None and (self.out / EVENTS).exists():
                self.state.set_experiment(self.out)
            if not self.engine.stop_requested and not crashed:
                show_error(self, "Search failed", last_error_line(self.stderr))
        else:
            message = last_error_line(self.stderr)
            self.progress.setText(f"Search failed: {EXIT_MEANING.get(code, 'error')}.")
            show_error(self, "Search failed", message)
        self.state.status.emit(self.progress.text())

    def _tick(self) -> None:
        elapsed = self.clock.elapsed() / 1000
        done = sum(r["status"] not in ("running", "interrupted") for r in self.trials.rows)
        # No time budget (a resumed CLI search may have none): only the trials tell.
        left = float("inf") if self.budget_s is None else max(0.0, self.budget_s - elapsed)
        if done > self.done_before:
            by_trials = (self.max_trials - done) * elapsed / (done - self.done_before)
            left = min(left, max(0.0, by_trials))
        if self.engine.stop_requested:
            return
        estimate = f"about {left:.0f} s left" if left != float("inf") else "time left unknown"
        self.progress.setText(
            f"Running: {elapsed:.0f} s elapsed, {estimate}; "
            f"{done} of at most {self.max_trials} trials done"
        )

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.kill_button.setEnabled(running)
        for box in (
            self.patience_box,
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
        self._refresh_precision()


def budget_left(events: list[Event]) -> float | None:
    """Returns the seconds of time budget an interrupted search has left (None: no budget).

    As `automl resume` counts it: the budget less each earlier run's first to last event.

    Example:
        >>> from automl.experiment.events import EpochEnded
        >>> started = SearchStarted(time=100.0, experiment="x", data="d", task="binary",
        ...     target="y", tuner="random", objective="accuracy", direction="max",
        ...     max_trials=5, time_budget_s=300.0, max_epochs=10, rows={})
        >>> budget_left([started, EpochEnded(time=160.0, trial_id="0", epoch=1, metrics={})])
        240.0
    """
    budget = 0.0
    for event in events:
        if isinstance(event, SearchStarted):
            budget = event.time_budget_s or 0.0
    return max(0.0, budget - time_used(events)) if budget else None


def layout_arguments(state: StudioState) -> list[str]:
    """Returns the `automl search` flags that say how the open table is read.

    Example:
        >>> from desktop.state import DataLayout
        >>> state = StudioState()
        >>> state.settings.layout = DataLayout("forecast", time_column="year", lookback=20,
        ...                                    horizon=5)
        >>> state.sequences = {"modality": "forecast"}
        >>> layout_arguments(state)
        ['--lookback', '20', '--horizon', '5', '--time-column', 'year']
    """
    layout = state.settings.layout
    if state.modality not in ("series", "forecast"):
        return []  # a table's columns, or a NumPy file whose layout is fixed
    arguments: list[str] = []
    if layout.kind == "series_per_row":
        arguments.append("--series-per-row")
    elif layout.kind == "forecast":
        arguments += ["--lookback", str(layout.lookback), "--horizon", str(layout.horizon)]
    if layout.kind in ("long", "forecast") and layout.time_column:
        arguments += ["--time-column", layout.time_column]
    if layout.kind != "table" and layout.id_column:
        arguments += ["--id-column", layout.id_column]
    return arguments


def _spin(low: int, high: int, value: int, suffix: str, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    return box


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "target"
