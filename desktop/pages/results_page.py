"""The Results page: an experiment's leaderboard, a trial's curves, and the test evaluation.

Everything shown comes from `automl.report.load_report`, which reads only the experiment
folder (no TensorFlow), so the page can follow a search that is still running: Refresh
reads the folder again.
"""

from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl.errors import AutoMLError
from automl.report import load_report
from desktop.dialogs import show_error
from desktop.plots import new_plot
from desktop.state import StudioState

_Index = QModelIndex | QPersistentModelIndex

#: The leaderboard's fixed columns: (report key, header, tooltip); hyperparameters follow.
LEADERBOARD_COLUMNS = (
    ("trial_id", "trial", "Keras Tuner's trial number, in the order trials started"),
    ("status", "status", "completed, failed (hover for the reason) or still running"),
    ("score", "score", "the trial's best validation value of the search objective"),
    ("best_epoch", "best epoch", "the epoch that reached the score; its weights were kept"),
    ("epochs", "epochs", "epochs trained; early stopping can end a trial before the cap"),
    ("duration_s", "duration", "wall-clock time the trial took, in seconds"),
)

#: Line colours of training (solid) and validation (dashed) curves; readable on light and dark.
TRAIN_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#ff7f0e"


def format_value(value: object) -> str:
    """Returns `value` as short text for a table cell ("" for missing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):  # a forecast's values, one per step ahead
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, float):
        # .4g would write 45000.0 as 4.5e+04; large values read better as whole numbers.
        return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def format_metrics(metrics: dict[str, float]) -> str:
    """Returns metrics as "name value, name value" with four decimals."""
    return ", ".join(f"{name} {value:.4f}" for name, value in metrics.items())


def make_compact(view: QAbstractItemView) -> None:
    """Makes `view` read-only with rows one line of text high (the default wastes space)."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)


class LeaderboardModel(QAbstractTableModel):
    """One row per trial of a report's leaderboard: fixed columns, then every hyperparameter."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.trials: list[dict] = []
        self.hyperparameters: list[str] = []

    def set_trials(self, trials: list[dict]) -> None:
        """Shows `trials` (the report's leaderboard, best first)."""
        self.beginResetModel()
        self.trials = list(trials)
        names: dict[str, None] = {}  # a dict keeps first-seen order, unlike a set
        for trial in self.trials:
            names.update(dict.fromkeys(trial.get("hyperparameters") or {}))
        self.hyperparameters = list(names)
        self.endResetModel()

    def value(self, row: int, column: int) -> object:
        """Returns the raw value of a cell (None when the trial lacks it)."""
        trial = self.trials[row]
        if column < len(LEADERBOARD_COLUMNS):
            return trial.get(LEADERBOARD_COLUMNS[column][0])
        name = self.hyperparameters[column - len(LEADERBOARD_COLUMNS)]
        return (trial.get("hyperparameters") or {}).get(name)

    def sort_key(self, row: int, column: int) -> tuple:
        """Returns a key that orders numbers as numbers and puts missing values last."""
        value = self.value(row, column)
        if column == 0 and isinstance(value, str) and value.isdigit():
            value = int(value)  # trial "10" after trial "9"
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return (2, 0.0, "")
        if isinstance(value, (int, float)):
            return (0, float(value), "")
        return (1, 0.0, str(value))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.trials)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LEADERBOARD_COLUMNS) + len(self.hyperparameters)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        value = self.value(index.row(), index.column())
        fixed = index.column() < len(LEADERBOARD_COLUMNS)
        key = LEADERBOARD_COLUMNS[index.column()][0] if fixed else ""
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "score" and value is not None:
                return f"{value:.4f}"
            if key == "duration_s" and self.trials[index.row()].get("status") == "running":
                return ""  # the engine reports 0 s until the trial ends
            if key == "duration_s" and value is not None:
                return f"{value:.1f} s"
            return format_value(value)
        if role == Qt.ItemDataRole.ToolTipRole and key == "status":
            reason = self.trials[index.row()].get("reason")
            return f"{value}: {reason}" if reason else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        fixed = section < len(LEADERBOARD_COLUMNS)
        name = (
            LEADERBOARD_COLUMNS[section][1]
            if fixed
            else self.hyperparameters[section - len(LEADERBOARD_COLUMNS)]
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            if fixed:
                return LEADERBOARD_COLUMNS[section][2]
            return f"hyperparameter {name!r} as the tuner chose it (blank: not used by the trial)"
        return None


class LeaderboardProxy(QSortFilterProxyModel):
    """Sorts the leaderboard by raw values, so 10 comes after 9 and blanks stay last."""

    def lessThan(self, left: _Index, right: _Index) -> bool:
        source = self.sourceModel()
        return source.sort_key(left.row(), left.column()) < source.sort_key(
            right.row(), right.column()
        )


class CurvesView(QWidget):
    """A trial's learning curves: loss beside the search objective, training and validation."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.loss_plot = new_plot()
        self.metric_plot = new_plot()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.metric_plot)
        for plot in (self.loss_plot, self.metric_plot):
            plot.setLabel("bottom", "epoch")
            # Without this a loss of 300000 is drawn as "3" with the scale only in a label.
            plot.getAxis("left").enableAutoSIPrefix(False)

    def show_curves(self, curves: dict[str, list[float]], metric: str) -> None:
        """Draws `loss`/`val_loss` and `metric`/`val_metric` from one trial's curves."""
        self._draw(self.loss_plot, "loss", curves)
        if metric not in curves:
            # The objective may be named differently in the curves; fall back to any metric.
            metric = next((k for k in curves if k != "loss" and not k.startswith("val_")), "")
        self._draw(self.metric_plot, metric, curves)

    @staticmethod
    def _draw(plot: pg.PlotWidget, name: str, curves: dict[str, list[float]]) -> None:
        plot.clear()
        series = (
            (name, TRAIN_COLOUR, Qt.PenStyle.SolidLine, "━ training"),
            (f"val_{name}", VALIDATION_COLOUR, Qt.PenStyle.DashLine, "╍ validation"),
        )
        # The key sits in the title: a legend inside the plot would hide the curves.
        key_text = "&nbsp;&nbsp;".join(
            f"<span style='color:{colour}'>{mark}</span>"
            for key, colour, _, mark in series
            if curves.get(key)
        )
        plot.setTitle(f"{name or 'no metric recorded'}&nbsp;&nbsp;{key_text}")
        for key, colour, style, _ in series:
            values = [v if v is not None else math.nan for v in curves.get(key, [])]
            if values:
                epochs = list(range(1, len(values) + 1))
                plot.plot(
                    epochs,
                    values,
                    pen=pg.mkPen(colour, width=2, style=style),
                    symbol="o",
                    symbolSize=5,
                    symbolBrush=colour,
                    symbolPen=None,
                )
        plot.enableAutoRange()


class ConfusionMatrixTable(QTableWidget):
    """A confusion matrix (rows: actual, columns: predicted), cells shaded by row share."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        make_compact(self)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setToolTip("Rows: actual class. Columns: predicted class. Shade: share of the row.")

    def show_matrix(self, labels: list[str], matrix: list[list[int]]) -> None:
        """Fills the table; a darker cell holds more of its actual class's test rows."""
        self.clear()
        self.setRowCount(len(labels))
        self.setColumnCount(len(labels))
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        accent = palette.color(QPalette.ColorRole.Highlight)
        for i, label in enumerate(labels):
            total = sum(matrix[i])
            row_header = QTableWidgetItem(f"{label}")
            row_header.setToolTip(f"actual {label}: {total} test rows")
            self.setVerticalHeaderItem(i, row_header)
            column_header = QTableWidgetItem(label)
            column_header.setToolTip(
                f"predicted {label}: {sum(row[i] for row in matrix)} test rows"
            )
            self.setHorizontalHeaderItem(i, column_header)
            for j, count in enumerate(matrix[i]):
                share = count / total if total else 0.0
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(_blend(base, accent, share))
                if share > 0.5:
                    item.setForeground(palette.color(QPalette.ColorRole.HighlightedText))
                item.setToolTip(f"actual {label}, predicted {labels[j]}: {count} ({share:.0%})")
                self.setItem(i, j, item)


class MistakesTable(QTableWidget):
    """The test rows the exported model got most wrong, with the row's own values."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        make_compact(self)
        self.verticalHeader().hide()  # the "row" column already numbers the data file's rows
        self.horizontalHeader().setStretchLastSection(True)

    def show_mistakes(self, mistakes: list[dict], target: str, modality: str = "") -> None:
        """Fills one line per mistake: row, actual, predicted, confidence or error, values.

        A forecast's actual and predicted values are lists, one per step ahead.
        """
        self.clear()
        regression = any("error" in m for m in mistakes)
        score_name = "error" if regression else "confidence"
        value_names: dict[str, None] = {}
        for mistake in mistakes:
            value_names.update(dict.fromkeys(mistake.get("values") or {}))
        value_names.pop(target, None)  # already shown as "actual"
        headers = [
            ROW_HEADERS.get(modality, ROW_HEADERS["table"]),
            (
                "actual",
                f"the true next values of {target!r}, one per step ahead"
                if modality == "forecast"
                else f"the true {target!r} of the row",
            ),
            ("predicted", "what the exported model predicted"),
            (
                score_name,
                "how far the prediction is from the actual value (absolute; for a forecast, "
                "the mean over the steps ahead)"
                if regression
                else "the model's probability for its (wrong) prediction",
            ),
            *(
                (name, VALUE_TIPS.get(name, f"the row's {name!r} as written in the data file"))
                for name in value_names
            ),
        ]
        self.setColumnCount(len(headers))
        self.setRowCount(len(mistakes))
        for column, (name, tip) in enumerate(headers):
            item = QTableWidgetItem(name)
            item.setToolTip(tip)
            self.setHorizontalHeaderItem(column, item)
        for row, mistake in enumerate(mistakes):
            cells = [
                mistake.get("row"),
                mistake.get("actual"),
                mistake.get("predicted"),
                mistake.get(score_name),
                *((mistake.get("values") or {}).get(name, "") for name in value_names),
            ]
            for column, value in enumerate(cells):
                self.setItem(row, column, QTableWidgetItem(format_value(value)))
        self.resizeColumnsToContents()


#: The first column of the mistakes table: what a test example is, per modality.
ROW_HEADERS = {
    "table": ("row", "the row's position in the data file (0 = first data row)"),
    "series": ("series", "the series' position in the data (0 = first)"),
    "forecast": ("window", "the test window's number; 'origin' is its last observed time"),
}
#: Tooltips of the values the engine keeps beside a series' or a window's mistake.
VALUE_TIPS = {
    "origin": "the time of the window's last observed step: the forecast starts after it",
    "series": "which series the example comes from",
    "length": "the series' length in steps (without padding)",
}


class ResidualsPlot(QWidget):
    """Regression residuals: actual minus predicted against predicted, with the zero line."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = new_plot()
        self.plot.setTitle("residuals on the test rows")
        self.plot.setLabel("bottom", "predicted")
        self.plot.setLabel("left", "actual − predicted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def show_residuals(
        self, actual: list[float], predicted: list[float], title: str = "residuals on the test rows"
    ) -> None:
        """Draws one point per test row (per step ahead of each window, for a forecast)."""
        self.plot.setTitle(title)
        self.plot.clear()
        residuals = [a - p for a, p in zip(actual, predicted, strict=True)]
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#888", width=1)))
        self.plot.addItem(
            pg.ScatterPlotItem(
                predicted, residuals, size=6, brush=pg.mkBrush(TRAIN_COLOUR), pen=None
            )
        )
        self.plot.enableAutoRange()


class ResultsPage(QWidget):
    """Shows one experiment: leaderboard, the selected trial, and the test evaluation."""

    title = "Results"

    def __init__(self, state: StudioState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.experiment: Path | None = None
        self.report: dict | None = None

        self.summary_label = QLabel("Run a search first, or open an experiment folder")
        self.summary_label.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the experiment folder again (a search may be running)")
        self.refresh_button.setEnabled(False)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.hide()

        self.leaderboard_model = LeaderboardModel(self)
        self.leaderboard_proxy = LeaderboardProxy(self)
        self.leaderboard_proxy.setSourceModel(self.leaderboard_model)
        self.leaderboard = QTableView()
        self.leaderboard.setModel(self.leaderboard_proxy)
        self.leaderboard.setSortingEnabled(True)
        self.leaderboard.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the report's order
        self.leaderboard.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.leaderboard.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.leaderboard.verticalHeader().hide()
        make_compact(self.leaderboard)
        self.leaderboard.selectionModel().currentRowChanged.connect(self._trial_selected)

        self.trial_box = QGroupBox("Trial")
        self.hyperparameter_table = QTableWidget(0, 2)
        make_compact(self.hyperparameter_table)
        self.hyperparameter_table.verticalHeader().hide()
        self.hyperparameter_table.horizontalHeader().setStretchLastSection(True)
        self._set_headers(
            self.hyperparameter_table,
            [("hyperparameter", "a setting the tuner chose"), ("value", "its value in this trial")],
        )
        self.hyperparameter_table.setMaximumWidth(280)
        self.curves = CurvesView()
        trial_layout = QHBoxLayout(self.trial_box)
        trial_layout.addWidget(self.hyperparameter_table)
        trial_layout.addWidget(self.curves, 1)

        self.test_box = QGroupBox("Exported model on the test rows")
        self.metrics_label = QLabel()
        self.metrics_label.setWordWrap(True)
        self.metrics_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.baseline_label = QLabel(objectName="baselines")
        self.baseline_label.setWordWrap(True)
        self.baseline_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.baseline_label.setToolTip(
            "A simple model scored on the same test rows: a searched model should beat it"
        )
        self.baseline_label.hide()
        self.confusion_table = ConfusionMatrixTable()
        self.residuals = ResidualsPlot()
        self.no_evaluation = QLabel("No evaluation yet: the search has not exported a model.")
        self.no_evaluation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.evaluation_stack = QStackedWidget()
        for widget in (self.no_evaluation, self.confusion_table, self.residuals):
            self.evaluation_stack.addWidget(widget)
        self.mistakes_table = MistakesTable()
        mistakes_box = QWidget()
        mistakes_layout = QVBoxLayout(mistakes_box)
        mistakes_layout.setContentsMargins(0, 0, 0, 0)
        self.mistakes_label = QLabel("Worst test rows")
        mistakes_layout.addWidget(self.mistakes_label)
        mistakes_layout.addWidget(self.mistakes_table, 1)
        mistakes_layout.addStretch(0)
        evaluation_row = QSplitter(Qt.Orientation.Horizontal)
        evaluation_row.addWidget(self.evaluation_stack)
        evaluation_row.addWidget(mistakes_box)
        evaluation_row.setSizes([380, 720])
        test_layout = QVBoxLayout(self.test_box)
        test_layout.addWidget(self.metrics_label)
        test_layout.addWidget(self.baseline_label)
        test_layout.addWidget(evaluation_row, 1)

        header = QHBoxLayout()
        header.addWidget(self.summary_label, 1)
        header.addWidget(self.refresh_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.leaderboard)
        splitter.addWidget(self.trial_box)
        splitter.addWidget(self.test_box)
        splitter.setSizes([170, 270, 330])
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.notes_label)
        layout.addWidget(splitter, 1)

        self.refresh_button.clicked.connect(self.refresh)
        state.experiment_changed.connect(self._experiment_changed)
        self._experiment_changed()  # the state may already hold an experiment

    def show_experiment(self, path: Path) -> bool:
        """Returns whether `path` is an experiment, and shows it; if not, an error dialog."""
        try:
            report = load_report(path)
        except (AutoMLError, OSError, ValueError) as error:
            show_error(self, "Cannot open the experiment", str(error))
            return False
        self.experiment = Path(path)
        self.report = report
        self.refresh_button.setEnabled(True)
        self._show_report(report)
        return True

    def refresh(self) -> None:
        """Reads the shown experiment folder again, keeping the selected trial."""
        if self.experiment is not None:
            self.show_experiment(self.experiment)

    def selected_trial(self) -> str | None:
        """Returns the id of the trial whose details are shown, or None."""
        index = self.leaderboard.currentIndex()
        if not index.isValid():
            return None
        return self.leaderboard_model.trials[self.leaderboard_proxy.mapToSource(index).row()][
            "trial_id"
        ]

    def select_trial(self, trial_id: str) -> None:
        """Selects the leaderboard row of `trial_id`, which shows its details."""
        for row, trial in enumerate(self.leaderboard_model.trials):
            if trial["trial_id"] == trial_id:
                index = self.leaderboard_proxy.mapFromSource(self.leaderboard_model.index(row, 0))
                self.leaderboard.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                return

    def _experiment_changed(self) -> None:
        if self.state.experiment is not None:
            self.show_experiment(self.state.experiment)

    def _show_report(self, report: dict) -> None:
        previous = self.selected_trial()
        self.summary_label.setText(_summary_text(report))
        notes = report.get("notes") or []
        self.notes_label.setText("Notes: " + "; ".join(notes))
        self.notes_label.setVisible(bool(notes))
        self.leaderboard_model.set_trials(report["leaderboard"])
        self.leaderboard.resizeColumnsToContents()
        self._show_evaluation(report)
        ids = [trial["trial_id"] for trial in report["leaderboard"]]
        if previous in ids:
            self.select_trial(previous)
        elif ids:
            self.select_trial(ids[0])  # best first
        else:
            self._show_trial(None)

    def _trial_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self._show_trial(None)
            return
        row = self.leaderboard_proxy.mapToSource(current).row()
        self._show_trial(self.leaderboard_model.trials[row])

    def _show_trial(self, trial: dict | None) -> None:
        table = self.hyperparameter_table
        hyperparameters = (trial or {}).get("hyperparameters") or {}
        table.setRowCount(len(hyperparameters))
        for row, (name, value) in enumerate(hyperparameters.items()):
            table.setItem(row, 0, QTableWidgetItem(name))
            table.setItem(row, 1, QTableWidgetItem(format_value(value)))
        table.resizeColumnToContents(0)
        if trial is None or self.report is None:
            self.trial_box.setTitle("Trial")
            self.curves.show_curves({}, "")
            return
        best = _best_trial(self.report)
        title = f"Trial {trial['trial_id']}" + (" (best)" if trial["trial_id"] == best else "")
        if trial.get("reason"):
            title += f": {trial['status']}, {trial['reason']}"
        self.trial_box.setTitle(title)
        curves = self.report["curves"].get(trial["trial_id"], {})
        self.curves.show_curves(curves, self.report.get("metric", ""))

    def _show_evaluation(self, report: dict) -> None:
        self.metrics_label.setText(_test_metrics_text(report))
        baselines = baseline_text(report)
        self.baseline_label.setText(baselines)
        self.baseline_label.setVisible(bool(baselines))
        modality = report_modality(report)
        evaluation = report.get("evaluation") or {}
        if "confusion_matrix" in evaluation:
            matrix = evaluation["confusion_matrix"]
            self.confusion_table.show_matrix(matrix["labels"], matrix["matrix"])
            self.evaluation_stack.setCurrentWidget(self.confusion_table)
        elif "residuals" in evaluation:
            residuals = evaluation["residuals"]
            title = (
                "residuals, every step ahead"
                if modality == "forecast"
                else "residuals on the test rows"
            )
            self.residuals.show_residuals(residuals["actual"], residuals["predicted"], title)
            self.evaluation_stack.setCurrentWidget(self.residuals)
        else:
            self.evaluation_stack.setCurrentWidget(self.no_evaluation)
        mistakes = evaluation.get("mistakes") or []
        what = {"forecast": "windows", "series": "series"}.get(modality, "rows")
        self.mistakes_label.setText(
            f"Worst test {what} ({len(mistakes)} kept)" if mistakes else "No mistakes recorded"
        )
        self.mistakes_table.show_mistakes(mistakes, report.get("target", ""), modality)
        self.mistakes_table.setVisible(bool(mistakes))

    @staticmethod
    def _set_headers(table: QTableWidget, headers: list[tuple[str, str]]) -> None:
        for column, (name, tip) in enumerate(headers):
            item = QTableWidgetItem(name)
            item.setToolTip(tip)
            table.setHorizontalHeaderItem(column, item)


def _best_trial(report: dict) -> str | None:
    """Returns the id of the best scored trial (the leaderboard is best first), or None."""
    scored = [t for t in report["leaderboard"] if t.get("score") is not None]
    return scored[0]["trial_id"] if scored else None


def _summary_text(report: dict) -> str:
    """Returns the one-line description of an experiment above the leaderboard."""
    trials = report["leaderboard"]
    done = sum(1 for t in trials if t["status"] == "completed")
    status = report.get("status", "running")
    if report.get("reason"):
        status += f" ({report['reason']})"
    return (
        f"<b>{Path(report['experiment']).name}</b>: {report.get('task', '?')} on "
        f"<b>{report.get('target', '?')}</b>, objective {report.get('metric', '?')} "
        f"({'higher' if report.get('direction', 'max') == 'max' else 'lower'} is better) · "
        f"{status} · {done} of {len(trials)} trials completed"
    )


def _test_metrics_text(report: dict) -> str:
    """Returns which model was exported and how it scored on the test rows."""
    if not report.get("test_metrics"):
        return "No test scores yet."
    rows = (report.get("rows") or {}).get("test")
    on_rows = f" on {rows} test rows" if rows else ""
    best = _best_trial(report) or "?"
    if report.get("refit"):
        text = (
            f"Exported model: trial {best} refit on train+validation{on_rows}: "
            f"{format_metrics(report['test_metrics'])}."
        )
        if report.get("search_test_metrics"):
            text += (
                f"<br>Trial {best} as searched, before the refit: "
                f"{format_metrics(report['search_test_metrics'])}."
            )
        return text
    return (
        f"Exported model: best trial {best} as searched{on_rows}: "
        f"{format_metrics(report['test_metrics'])}."
    )


#: Metrics written in capitals: they are abbreviations.
METRIC_ABBREVIATIONS = {"mae", "rmse", "r2", "auc", "f1"}
#: Metrics where lower is better (the others: higher).
LOWER_IS_BETTER = {"mae", "rmse", "log_loss", "loss", "mse"}


def metric_name(metric: str) -> str:
    """Returns a metric's name as people write it: MAE, RMSE, accuracy, balanced accuracy."""
    if metric in METRIC_ABBREVIATIONS:
        return "R²" if metric == "r2" else metric.upper()
    return metric.replace("_", " ")


def report_modality(report: dict) -> str:
    """Returns "table", "image", "series", "forecast" or "text" for a report."""
    if report.get("modality"):
        return report["modality"]
    return "forecast" if report.get("task") == "forecast" else "table"


def baseline_text(report: dict) -> str:
    """Returns one line per baseline, beside the exported model on the same metric.

    Example:
        >>> baseline_text({"metric": "mae", "test_metrics": {"mae": 17.3, "rmse": 22.0},
        ...                "baselines": {"naive last value": {"mae": 24.1, "rmse": 30.2}}})
        'Baseline — naive last value: MAE 24.1 — this model: MAE 17.3 (better)'
    """
    metrics = report.get("test_metrics") or {}
    lines = []
    for name, scores in (report.get("baselines") or {}).items():
        shared = [metric for metric in scores if metric in metrics]
        if not shared:
            continue
        metric = report.get("metric") if report.get("metric") in shared else shared[0]
        ours, theirs = metrics[metric], scores[metric]
        lower = metric in LOWER_IS_BETTER
        verdict = "equal" if ours == theirs else "better" if (ours < theirs) == lower else "worse"
        shown = metric_name(metric)
        lines.append(
            f"Baseline — {name}: {shown} {_score(theirs)} — "
            f"this model: {shown} {_score(ours)} ({verdict})"
        )
    return "<br>".join(lines)


def _score(value: float) -> str:
    """Returns a score with four decimals when small (0.7500), else four digits (24.13)."""
    return f"{value:.4f}" if abs(value) < 10 else format_value(float(value))


def _blend(low: QColor, high: QColor, share: float) -> QColor:
    """Returns the colour `share` of the way from `low` to `high`."""
    share = min(max(share, 0.0), 1.0)
    return QColor(
        round(low.red() + (high.red() - low.red()) * share),
        round(low.green() + (high.green() - low.green()) * share),
        round(low.blue() + (high.blue() - low.blue()) * share),
    )
