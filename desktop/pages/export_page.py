"""The Export page: where the model is, how well its export was checked, and using it.

Exports and predictions load TensorFlow, so they run as `python -m automl export|predict`
child processes (`EngineTask`); the page only starts them and shows what they print: their
progress lines move a bar with the time left, and its Cancel stops the child.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTemporaryDir, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from automl.errors import AutoMLError
from automl.modalities.registry import traits_of
from automl.report import load_report
from desktop.dialogs import show_error
from desktop.jobs import BackgroundJobs
from desktop.pages.export.engine_task import EngineTask
from desktop.pages.export.local_explanation import LocalExplanationView
from desktop.pages.export.model_files import (
    display_frame,
    export_folder,
    model_modality,
    parity_text,
    read_predictions,
    remove_cancelled_predictions,
    tidy_cancelled_export,
)
from desktop.pages.export.task_bar import task_bar
from desktop.pages.results.explain_folder import explain_folder
from desktop.state import StudioState
from desktop.table_model import DataFrameModel

if TYPE_CHECKING:
    import pandas as pd

PLACEHOLDER = "Run a search first, or open an experiment folder"
DATA_FILTER = (
    "Data files (*.csv *.tsv *.txt *.parquet *.feather *.xlsx *.xls *.npz *.npy);;All files (*)"
)


class ExportPage(QWidget):
    """Shows where the experiment's model is, exports it elsewhere, and predicts files."""

    title = "Export"

    #: A prediction's table is filled (its row count).
    predictions_shown = Signal(int)

    def __init__(self, state: StudioState, parent=None) -> None:
        super().__init__(parent)
        # The first child, so it is destroyed (waiting for a CSV being read) first.
        self._jobs = BackgroundJobs(self)
        self.state = state
        self.experiment: Path | None = None
        self.predictions_path: Path | None = None
        self.predicted_file: Path | None = None
        self.image_model = False  # the model takes images: Predict asks for a folder
        self._scratch = QTemporaryDir()  # predictions land here until the user saves them
        self._request = 0
        self.export_destination: Path | None = None
        self._shown: tuple[Path | None, Path | None] = (None, None)  # the table's file

        self.export_task = EngineTask(self, reports_progress=True)
        self.predict_task = EngineTask(self, reports_progress=True)
        self.export_process = self.export_task.process
        self.predict_process = self.predict_task.process

        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.parity_label = QLabel()
        self.parity_label.setWordWrap(True)
        self.card_button = QPushButton("Open model card")
        self.card_button.setToolTip("The model card (HTML): data, metrics, inputs, how to use it")
        self.export_button = QPushButton("Export to…")
        self.export_button.setToolTip(
            "Write the model (SavedModel, .keras, model card) to a folder and check it again"
        )
        self.tflite_check = QCheckBox("TFLite too")
        self.tflite_check.setToolTip("Also write model.tflite for mobile and embedded use")
        self.export_busy = task_bar(
            self.export_task, "Stop the export; nothing half-written is left behind"
        )
        self.export_result = QLabel()
        self.export_result.setWordWrap(True)
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_result.hide()

        self.predict_button = QPushButton("Predict a file…")
        self.predict_button.setToolTip(
            "Run the exported model on a file with the training data's columns"
        )
        self.save_button = QPushButton("Save predictions…")
        self.save_button.setToolTip("Save the predictions shown below as a CSV file")
        self.save_button.setEnabled(False)
        self.predict_busy = task_bar(
            self.predict_task, "Stop predicting; no predictions file is written"
        )
        self.predict_result = QLabel(
            "Predictions appear here: the file's rows with their "
            "prediction (and each class's probability)."
        )
        self.predict_result.setWordWrap(True)
        self.predictions_model = DataFrameModel(parent=self)
        self.predictions_table = QTableView()
        self.predictions_table.setToolTip("The predictions for the file, one row per example")
        self.predictions_table.setModel(self.predictions_model)
        self.predictions_table.verticalHeader().setDefaultSectionSize(
            self.predictions_table.fontMetrics().height() + 8
        )
        self.local_explanation = LocalExplanationView()
        self.predictions_table.selectionModel().currentRowChanged.connect(self._row_selected)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self._build_content())
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        self.card_button.clicked.connect(self.open_model_card)
        self.export_button.clicked.connect(self._choose_export_folder)
        self.predict_button.clicked.connect(self._choose_data_file)
        self.save_button.clicked.connect(self._choose_save_path)
        self.export_task.done.connect(self._export_done)
        self.export_task.error.connect(self._export_failed)
        self.predict_task.done.connect(self._predict_done)
        self.predict_task.error.connect(self._predict_failed)
        self.export_task.cancelled.connect(self._export_cancelled)
        self.predict_task.cancelled.connect(self._predict_cancelled)
        state.experiment_changed.connect(self.refresh)
        self.refresh()

    def _build_content(self) -> QWidget:
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.model_label)
        model_layout.addWidget(self.parity_label)
        buttons = QHBoxLayout()
        for widget in (self.card_button, self.export_button, self.tflite_check):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        model_layout.addLayout(buttons)
        model_layout.addWidget(self.export_busy)
        model_layout.addWidget(self.export_result)

        predict_box = QGroupBox("Predict")
        predict_layout = QVBoxLayout(predict_box)
        predict_buttons = QHBoxLayout()
        predict_buttons.addWidget(self.predict_button)
        predict_buttons.addWidget(self.save_button)
        predict_buttons.addStretch(1)
        predict_layout.addLayout(predict_buttons)
        predict_layout.addWidget(self.predict_busy)
        predict_layout.addWidget(self.predict_result)
        predictions = QSplitter(Qt.Orientation.Horizontal)
        predictions.addWidget(self.predictions_table)
        predictions.addWidget(self.local_explanation)
        predictions.setSizes([700, 400])
        predict_layout.addWidget(predictions, 1)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(model_box, 0)
        layout.addWidget(predict_box, 1)  # the predictions table takes the spare height
        return content

    @property
    def model_dir(self) -> Path | None:
        """Returns the experiment's exported model folder, or None."""
        return None if self.experiment is None else self.experiment / "model"

    def refresh(self) -> None:
        """Shows `state.experiment`: its model's place and check, or the placeholder."""
        experiment = self.state.experiment
        if experiment is None:
            self.experiment = None
            self.stack.setCurrentIndex(0)
            return
        try:
            report = load_report(experiment)
        except (AutoMLError, OSError, ValueError) as error:
            show_error(self, "Cannot open the experiment", str(error))
            return
        self.experiment = Path(experiment)
        self.stack.setCurrentIndex(1)
        model = report.get("model")
        if model and (self.experiment / "model" / "metadata.json").exists():
            self.model_label.setText(
                f"<b>{Path(model['path'])}</b><br>SavedModel (raw inputs in, "
                f"{'class names and probabilities' if report.get('class_names') else 'values'}"
                f" out): {model['saved_model']}<br>Beside it: model.keras, metadata.json, "
                "model_card.html"
            )
            self.parity_label.setText(parity_text(model.get("parity")))
            kind = model_modality(self.experiment / "model")
            self.image_model = traits_of(kind).predicts_folders
        else:
            self.model_label.setText(
                f"{self.experiment} has no exported model yet: the search may still be "
                "running, or no trial succeeded."
            )
            self.parity_label.setText("")
            self.image_model = False
        self._show_predict_wording()
        self._update_buttons()

    def open_model_card(self) -> None:
        """Opens model/model_card.html in the system's browser."""
        if self.model_dir is not None:
            card = self.model_dir / "model_card.html"
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(card)))

    def export_to(self, destination: Path, tflite: bool = False) -> None:
        """Starts `automl export EXPERIMENT --to DESTINATION [--format tflite]`."""
        if self.experiment is None or self.export_task.running:
            return
        arguments = ["export", str(self.experiment), "--to", str(destination)]
        if tflite:
            arguments += ["--format", "tflite"]
        self.export_result.setText(f"Exporting to {destination}…")
        self.export_result.show()
        self.export_destination = Path(destination)
        self.export_task.start(arguments)
        self._update_buttons()

    def predict_file(self, data: Path) -> None:
        """Starts `automl predict MODEL DATA -o <scratch csv>`; the table fills when done."""
        if self.model_dir is None or self.predict_task.running:
            return
        self._request += 1
        self._shown = (self.predicted_file, self.predictions_path)  # back if cancelled
        self.predicted_file = Path(data)
        self.predictions_path = Path(self._scratch.path()) / f"predictions-{self._request}.csv"
        self.predict_result.setText(f"Predicting {data}…")
        self.save_button.setEnabled(False)
        self.predict_task.start(
            ["predict", str(self.model_dir), str(data), "-o", str(self.predictions_path)]
        )
        self._update_buttons()

    def save_predictions(self, destination: Path) -> None:
        """Copies the latest predictions CSV to `destination`."""
        if self.predictions_path is None:
            return
        try:
            shutil.copyfile(self.predictions_path, destination)
        except OSError as error:
            show_error(self, "Cannot save the predictions", str(error))
            return
        self.predict_result.setText(f"Saved the predictions to {destination}")

    def _choose_export_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export the model into")
        if chosen and self.experiment is not None:
            self.export_to(
                export_folder(Path(chosen), self.experiment), self.tflite_check.isChecked()
            )

    def _choose_data_file(self) -> None:
        if self.image_model:
            path = QFileDialog.getExistingDirectory(self, "Predict the images in a folder")
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Predict a file", "", DATA_FILTER)
        if path:
            self.predict_file(Path(path))

    def _show_predict_wording(self) -> None:
        """Words the Predict button and hint for a table model or an image model."""
        if self.image_model:
            self.predict_button.setText("Predict a folder…")
            self.predict_button.setToolTip(
                "Run the exported model on every image in a folder (its sub-folders too)"
            )
            hint = "Predictions appear here: one row per image with its path, prediction"
        else:
            self.predict_button.setText("Predict a file…")
            self.predict_button.setToolTip(
                "Run the exported model on a file with the training data's columns"
            )
            hint = "Predictions appear here: the file's rows with their prediction"
        if self.predictions_path is None:  # keep the result of a finished prediction
            self.predict_result.setText(f"{hint} (and each class's probability).")

    def _choose_save_path(self) -> None:
        suggestion = f"{self.predicted_file.stem}-predictions.csv" if self.predicted_file else ""
        path, _ = QFileDialog.getSaveFileName(self, "Save predictions", suggestion, "CSV (*.csv)")
        if path:
            self.save_predictions(Path(path))

    def _export_done(self, lines: list[str]) -> None:
        self.export_result.setText("\n".join(lines) or "Exported.")
        self.export_result.show()
        self._update_buttons()

    def _export_failed(self, message: str) -> None:
        self.export_result.setText("The export failed.")
        self._update_buttons()
        show_error(self, "Export failed", message)

    def _predict_done(self, lines: list[str]) -> None:
        self.predict_result.setText("\n".join(lines) + " · loading…")
        request, path = self._request, self.predictions_path
        self._jobs.run(
            lambda: read_predictions(path),
            lambda frame: self._show_predictions(request, frame),
            lambda error: self._predictions_unreadable(
                request, f"could not read the predictions: {error}"
            ),
        )
        self._update_buttons()

    def _export_cancelled(self) -> None:
        if self.export_destination is not None:
            tidy_cancelled_export(self.export_destination)
        self.export_result.setText("Export cancelled: nothing half-written was left behind.")
        self._update_buttons()

    def _predict_cancelled(self) -> None:
        if self.predictions_path is not None:
            remove_cancelled_predictions(self.predictions_path)
        # The table still shows the earlier predictions: Save and explanations are theirs.
        self.predicted_file, self.predictions_path = self._shown
        self.save_button.setEnabled(self.predictions_path is not None)
        self.predict_result.setText("Prediction cancelled: no predictions were written.")
        self._update_buttons()

    def _predict_failed(self, message: str) -> None:
        self.predict_result.setText(f"Prediction failed: {message}")
        self._update_buttons()
        show_error(self, "Prediction failed", message)

    def _show_predictions(self, request: int, frame: pd.DataFrame) -> None:
        if request != self._request:
            return
        self.predictions_model.set_frame(display_frame(frame, self.image_model))
        self.predictions_table.resizeColumnsToContents()  # Qt samples the first 1000 rows
        self.predict_result.setText(
            f"{len(frame)} predictions for {self.predicted_file}"
            + (
                " (one row per image: path, prediction and each class's probability)"
                if self.image_model
                else " (prediction and probabilities first; saved files keep the file's "
                "column order)"
            )
        )
        self.save_button.setEnabled(True)
        self.predictions_shown.emit(len(frame))

    def _predictions_unreadable(self, request: int, message: str) -> None:
        if request == self._request:
            show_error(self, "Prediction failed", message)

    def _row_selected(self, current, _previous) -> None:
        """Explains the selected prediction's row (its position in the predicted file)."""
        if current.isValid() and self.predicted_file is not None and self.experiment is not None:
            self.local_explanation.explain_row(
                self.model_dir, self.predicted_file, current.row(), explain_folder(self.experiment)
            )

    def _update_buttons(self) -> None:
        has_model = self.model_dir is not None and (self.model_dir / "metadata.json").exists()
        self.card_button.setEnabled(has_model)
        self.export_button.setEnabled(has_model and not self.export_task.running)
        self.predict_button.setEnabled(has_model and not self.predict_task.running)
