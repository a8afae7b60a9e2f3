"""The Data page's top row: the open buttons, the open file's line and the busy bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from desktop.pages.data.panels import BusyBar

FILE_FILTER = (
    "Data (*.csv *.tsv *.txt *.parquet *.xlsx *.xls *.feather *.npz *.npy);;"
    "Tables (*.csv *.tsv *.txt *.parquet *.xlsx *.xls *.feather);;"
    "Series (*.npz *.npy);;All files (*)"
)


class DataHeader(QWidget):
    """Open data… and Open image folder… (non-blocking dialogs), the file line, busy bar.

    Signals:
        path_chosen: the file or folder the user picked (a `Path`).
    """

    path_chosen = Signal(object)

    def __init__(self, start_folder: Callable[[], Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._start_folder = start_folder
        self._dialog: QFileDialog | None = None
        self.open_button = QPushButton("&Open data…")
        self.open_button.setToolTip(
            "Open a CSV, TSV, Parquet, Excel or Feather file, or series in a NumPy .npz/.npy"
        )
        self.open_button.clicked.connect(self.choose_file)
        self.folder_button = QPushButton("Open &image folder…")
        self.folder_button.setToolTip(
            "Open a folder with one sub-folder of images (JPEG, PNG, BMP, GIF) per class"
        )
        self.folder_button.clicked.connect(self.choose_folder)
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Cut rather than widen the window when the busy bar shares the row.
        self.file_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.busy_bar = BusyBar()
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)  # laid out as a row of the page's own layout
        top.addWidget(self.open_button)
        top.addWidget(self.folder_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.busy_bar)

    def show_file(self, text: str, tooltip: str) -> None:
        """Shows the open data's one line (rich text) and its tooltip."""
        self.file_label.setText(text)
        self.file_label.setToolTip(tooltip)

    def choose_folder(self) -> None:
        """Shows a non-blocking folder dialog; the chosen folder is `path_chosen`."""
        self._dialog = QFileDialog(self, "Open image folder", str(self._start_folder()))
        self._dialog.setFileMode(QFileDialog.FileMode.Directory)
        self._dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self._dialog.fileSelected.connect(lambda name: self.path_chosen.emit(Path(name)))
        self._dialog.open()

    def choose_file(self) -> None:
        """Shows a non-blocking file dialog; the chosen file is `path_chosen`."""
        self._dialog = QFileDialog(self, "Open data", str(self._start_folder()), FILE_FILTER)
        self._dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self._dialog.fileSelected.connect(lambda name: self.path_chosen.emit(Path(name)))
        self._dialog.open()
