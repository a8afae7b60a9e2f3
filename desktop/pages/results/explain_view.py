"""The Results page's Explain view: what the model looks at, how it does, which choices mattered.

Importance comes from `automl explain` run as the engine's child process into
`<experiment>/explain/` (TensorFlow never loads in the window); the evaluation plots from
the test-row analysis the search wrote into the model's metadata (or the one `automl
explain` rewrote with the importance); hyperparameter importance from the experiment's
events, computed on a pool thread. An existing explain folder is read again on opening.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl.explain.choices import ChoiceImportance, choice_importance
from desktop.dialogs import show_error
from desktop.jobs import BackgroundJobs, LatestJob
from desktop.pages.export.engine_task import EngineTask
from desktop.pages.results.explain_folder import (
    GlobalImportance,
    experiment_data,
    explain_folder,
    model_folder,
    read_importance,
)
from desktop.pages.results.explain_plots import bars_plot, curve_plot, explain_plot, parallel_plot
from desktop.pages.results.leaderboard import make_compact

NOT_EXPLAINED = (
    "Not explained yet: Explain measures which inputs the exported model relies on "
    "(it runs the model many times, in the engine's own process)."
)


class ExplainView(QWidget):
    """Importance chart, per-class evaluation plots, hyperparameter importance and
    parallel coordinates of one experiment, with the Explain button that computes the first."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._jobs = BackgroundJobs(self)  # first child: destroyed (waited for) first
        self._reading = LatestJob(self._jobs)
        self.experiment: Path | None = None
        self.analysis: dict = {}
        self.importance: GlobalImportance | None = None
        self.choices: ChoiceImportance | None = None
        self._cancelled = False

        self.task = EngineTask(self)
        self.explain_button = QPushButton("Explain")
        self.explain_button.setToolTip(
            "Run automl explain on the exported model and the test rows; "
            "the result is kept in the experiment's explain folder"
        )
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop explaining (nothing already written is lost)")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # the engine says what it does, not how far it is
        self.progress.setTextVisible(True)
        self.progress.setFormat("Explaining…")
        self.progress.setMinimumWidth(320)
        self.status_label = QLabel(NOT_EXPLAINED)
        self.status_label.setWordWrap(True)

        self.importance_plot = explain_plot()
        self.importance_plot.setToolTip(
            "How much the score drops when an input is scrambled or hidden (importance.csv); "
            "the whiskers show the spread over repeats"
        )
        self.choices_plot = explain_plot()
        self.choices_plot.setToolTip(
            "The share of the score's variance each hyperparameter explains alone, "
            "from a random forest over the completed trials"
        )
        self.choices_label = QLabel()
        self.choices_label.setWordWrap(True)
        self.parallel = explain_plot()
        self.class_table = QTableWidget(0, 5)
        make_compact(self.class_table)
        self.class_table.setHorizontalHeaderLabels(["class", "precision", "recall", "F1", "rows"])
        self.class_table.verticalHeader().hide()
        self.class_table.setToolTip("Precision, recall and F1 of each class on the test rows")
        self.evaluation_plots = [explain_plot() for _ in range(3)]
        self.evaluation_label = QLabel()
        self.evaluation_label.setWordWrap(True)

        header = QHBoxLayout()
        header.addWidget(self.explain_button)
        header.addWidget(self.progress)
        header.addWidget(self.cancel_button)
        header.addWidget(self.status_label, 1)
        grid = QGridLayout()
        grid.addWidget(self.importance_plot, 0, 0, 1, 2)
        grid.addWidget(self.choices_plot, 0, 2, 1, 2)
        grid.addWidget(self.class_table, 1, 0)
        for column, plot in enumerate(self.evaluation_plots, start=1):
            grid.addWidget(plot, 1, column)
        grid.addWidget(self.evaluation_label, 2, 0, 1, 4)
        grid.addWidget(self.parallel, 3, 0, 1, 3)
        grid.addWidget(self.choices_label, 3, 3)
        for row in (0, 1, 3):
            grid.setRowStretch(row, 1)  # the plots share the height; the notes keep theirs
        for column in range(4):
            grid.setColumnStretch(column, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addLayout(grid, 1)

        self.explain_button.clicked.connect(self.explain)
        self.cancel_button.clicked.connect(self.cancel)
        self.task.process.output.connect(self._progress)
        self.task.process.log.connect(self._progress)
        self.task.done.connect(self._explained)
        self.task.error.connect(self._failed)
        self._update_buttons()

    def show_experiment(self, experiment: Path, report: dict) -> None:
        """Shows `experiment`: the report's evaluation now; its explain folder and the
        trials' hyperparameter importance once read on a pool thread."""
        if experiment != self.experiment:
            self.importance, self.choices = None, None
        self.experiment = Path(experiment)
        self.analysis = (report.get("evaluation") or {}).get("analysis") or {}
        self._draw_evaluation()
        self._update_buttons()
        self.reread()

    def reread(self) -> None:
        """Reads the explain folder and the trials again, off the GUI thread."""
        if self.experiment is None:
            return
        folder, experiment = explain_folder(self.experiment), self.experiment
        self._reading.run(
            lambda: (read_importance(folder), choice_importance(experiment)),
            self._read,
            lambda error: self.status_label.setText(f"Could not read the explanation: {error}"),
        )

    def explain(self) -> None:
        """Starts `automl explain MODEL DATA --out <experiment>/explain`."""
        if self.experiment is None or self.task.running:
            return
        data = experiment_data(self.experiment)
        if data is None:
            show_error(self, "Cannot explain", "The experiment does not say which data it used.")
            return
        self._cancelled = False
        self.status_label.setText("Explaining the exported model on the test rows…")
        folder = explain_folder(self.experiment)
        self.task.start(["explain", str(model_folder(self.experiment)), data, "--out", str(folder)])
        self._update_buttons()

    def cancel(self) -> None:
        """Ends a running explanation now; the folder keeps what was there before."""
        if self.task.running:
            self._cancelled = True
            self.task.process.kill()

    def _progress(self, line: str) -> None:
        self.progress.setFormat(line.strip()[:80] or "Explaining…")

    def _explained(self, _lines: list[str]) -> None:
        self.progress.setFormat("Explaining…")
        self._update_buttons()
        self.reread()

    def _failed(self, message: str) -> None:
        self.progress.setFormat("Explaining…")
        self._update_buttons()
        if self._cancelled:
            self.status_label.setText(
                "Cancelled: the explanation shown (if any) is the earlier one."
            )
            return
        self.status_label.setText(f"Explain failed: {message}")
        show_error(self, "Explain failed", message)

    def _read(self, found: tuple[GlobalImportance | None, ChoiceImportance]) -> None:
        self.importance, self.choices = found
        importance = self.importance
        if importance is None:
            self.status_label.setText(NOT_EXPLAINED)
            bars_plot(
                "What the model looks at: not explained yet", [], [], plot=self.importance_plot
            )
        else:
            self.status_label.setText(
                f"Explained by {importance.method or 'automl explain'}"
                + (f": {importance.meaning}" if importance.meaning else "")
            )
            bars_plot(
                "What the model looks at",
                importance.features,
                importance.importance,
                importance.spread,
                plot=self.importance_plot,
                value_label="importance",
            )
            if importance.evaluation:
                # automl explain recomputed it knowing the most important column.
                self.analysis = importance.evaluation
                self._draw_evaluation()
        self._draw_choices()
        self._update_buttons()

    def _draw_choices(self) -> None:
        choices = self.choices
        if choices is None:
            return
        self.choices_label.setText(choices.message[:1].upper() + choices.message[1:] + ".")
        bars_plot(
            "Which choices mattered"
            if choices.enough
            else "Which choices mattered: too few trials",
            list(choices.importance),
            [100 * share for share in choices.importance.values()],
            plot=self.choices_plot,
            value_label="% of the score's variance",
        )
        parallel = choices.to_dict()["parallel"]
        parallel_plot(parallel, choices.direction, plot=self.parallel)

    def _draw_evaluation(self) -> None:
        analysis = self.analysis
        per_class = analysis.get("per_class") or []
        self.class_table.setRowCount(len(per_class))
        for row, scores in enumerate(per_class):
            cells = (
                [scores["label"]]
                + [f"{scores[k]:.3f}" for k in ("precision", "recall", "f1")]
                + [str(scores["support"])]
            )
            for column, text in enumerate(cells):
                self.class_table.setItem(row, column, QTableWidgetItem(text))
        self.class_table.resizeColumnsToContents()
        self.class_table.setVisible(bool(per_class))
        charts = _evaluation_charts(analysis)
        for plot, chart in zip(self.evaluation_plots, charts + [None] * 3, strict=False):
            plot.setVisible(chart is not None)
            if chart is not None:
                curve_plot(**chart, plot=plot)
        notes = list(analysis.get("notes") or [])
        residuals = analysis.get("residuals") or {}
        if residuals.get("column"):
            notes.insert(
                0, f"Residuals against {residuals['column']}: {residuals['column_reason']}"
            )
        if analysis.get("roc"):
            notes.append(
                f"The dot is the model's own threshold: it predicts {analysis.get('positive')} "
                f"above a probability of {analysis['roc']['threshold']:g}."
            )
        if not analysis:
            notes = ["No evaluation yet: the search has not exported a model."]
        self.evaluation_label.setText(" ".join(notes))

    def _update_buttons(self) -> None:
        running = self.task.running
        has_model = (
            self.experiment is not None
            and (model_folder(self.experiment) / "metadata.json").exists()
        )
        self.explain_button.setEnabled(has_model and not running)
        self.explain_button.setText("Explain again" if self.importance else "Explain")
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)


def _evaluation_charts(analysis: dict) -> list[dict]:
    """Returns the `curve_plot` arguments of each evaluation chart the analysis holds."""
    charts = []
    for key, title, x_label, y_label in (
        ("roc", "ROC", "false-positive rate", "true-positive rate"),
        ("precision_recall", "Precision-recall", "recall", "precision"),
    ):
        curve = analysis.get(key)
        if curve:
            area = "AUC" if key == "roc" else "AP"
            charts.append(
                dict(
                    title=title,
                    x_label=x_label,
                    y_label=y_label,
                    lines=[(f"{area} {curve['area']:.3f}", curve["x"], curve["y"])],
                    mark=(*curve["at_threshold"], f"threshold {curve['threshold']:g}"),
                    diagonal=key == "roc",
                    unit=True,
                )
            )
    reliability = analysis.get("reliability")
    if reliability and reliability.get("predicted"):
        charts.append(
            dict(
                title="Reliability",
                x_label=f"predicted {reliability['of']}",
                y_label="observed frequency",
                lines=[
                    (
                        f"error {reliability['error']:.3f}",
                        reliability["predicted"],
                        reliability["observed"],
                    )
                ],
                dots=(reliability["predicted"], reliability["observed"]),
                diagonal=True,
            )
        )
    residuals = analysis.get("residuals") or {}
    if residuals.get("residual"):
        charts.append(
            dict(
                title="Residuals",
                x_label="predicted",
                y_label="actual − predicted",
                dots=(residuals["predicted"], residuals["residual"]),
                zero=True,
            )
        )
    if residuals.get("column"):
        charts.append(
            dict(
                title=f"Residuals by {residuals['column']}",
                x_label=str(residuals["column"]),
                y_label="actual − predicted",
                dots=(residuals["column_values"], residuals["residual"]),
                zero=True,
            )
        )
    horizon = analysis.get("horizon")
    if horizon and horizon.get("steps"):
        charts.append(
            dict(
                title="Error by step ahead",
                x_label="step ahead",
                y_label="error",
                lines=[
                    ("MAE", horizon["steps"], horizon["mae"]),
                    ("RMSE", horizon["steps"], horizon["rmse"]),
                ],
            )
        )
    return charts[:3]
