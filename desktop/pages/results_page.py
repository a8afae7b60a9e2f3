"""The Results page: an experiment's leaderboard, a trial's curves, and the test evaluation.

Everything shown comes from `automl.report.load_report`, which reads only the experiment
folder (no TensorFlow), so the page can follow a search that is still running: Refresh
reads the folder again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from automl.errors import AutoMLError
from automl.modalities.registry import traits_of
from automl.report import load_report
from desktop.dialogs import show_error
from desktop.pages.results.evaluation import ConfusionMatrixTable, MistakesTable
from desktop.pages.results.explain_view import ExplainView
from desktop.pages.results.leaderboard import LeaderboardModel, LeaderboardProxy, make_compact
from desktop.pages.results.plots import CurvesView, ResidualsPlot
from desktop.pages.results.texts import (
    baseline_text,
    best_trial,
    format_value,
    report_modality,
    summary_text,
    test_metrics_text,
)
from desktop.state import StudioState


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
        self.leaderboard.setToolTip(
            "Every trial, best first; select one to see its curves and settings"
        )
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
        self.hyperparameter_table.setToolTip("The selected trial's hyperparameters")
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
        self.explain_view = ExplainView()
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, "Trials and test rows")
        self.tabs.addTab(self.explain_view, "Explain")
        self.tabs.setTabToolTip(
            1, "What the model looks at, how it does per class, which choices mattered"
        )
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.tabs, 1)

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
        self.summary_label.setText(summary_text(report))
        notes = report.get("notes") or []
        self.notes_label.setText("Notes: " + "; ".join(notes))
        self.notes_label.setVisible(bool(notes))
        self.leaderboard_model.set_trials(report["leaderboard"])
        self.leaderboard.resizeColumnsToContents()
        self._show_evaluation(report)
        if self.experiment is not None:
            self.explain_view.show_experiment(self.experiment, report)
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
        best = best_trial(self.report)
        title = f"Trial {trial['trial_id']}" + (" (best)" if trial["trial_id"] == best else "")
        if trial.get("reason"):
            title += f": {trial['status']}, {trial['reason']}"
        self.trial_box.setTitle(title)
        curves = self.report["curves"].get(trial["trial_id"], {})
        self.curves.show_curves(curves, self.report.get("metric", ""))

    def _show_evaluation(self, report: dict) -> None:
        self.metrics_label.setText(test_metrics_text(report))
        baselines = baseline_text(report)
        self.baseline_label.setText(baselines)
        self.baseline_label.setVisible(bool(baselines))
        traits = traits_of(report_modality(report))
        evaluation = report.get("evaluation") or {}
        if "confusion_matrix" in evaluation:
            matrix = evaluation["confusion_matrix"]
            self.confusion_table.show_matrix(matrix["labels"], matrix["matrix"])
            self.evaluation_stack.setCurrentWidget(self.confusion_table)
        elif "residuals" in evaluation:
            residuals = evaluation["residuals"]
            title = (
                "residuals, every step ahead" if traits.forecasts else "residuals on the test rows"
            )
            self.residuals.show_residuals(residuals["actual"], residuals["predicted"], title)
            self.evaluation_stack.setCurrentWidget(self.residuals)
        else:
            self.evaluation_stack.setCurrentWidget(self.no_evaluation)
        mistakes = evaluation.get("mistakes") or []
        self.mistakes_label.setText(
            f"Worst test {traits.samples} ({len(mistakes)} kept)"
            if mistakes
            else "No mistakes recorded"
        )
        self.mistakes_table.show_mistakes(mistakes, report.get("target", ""), traits)
        self.mistakes_table.setVisible(bool(mistakes))

    @staticmethod
    def _set_headers(table: QTableWidget, headers: list[tuple[str, str]]) -> None:
        for column, (name, tip) in enumerate(headers):
            item = QTableWidgetItem(name)
            item.setToolTip(tip)
            table.setHorizontalHeaderItem(column, item)
