"""The Welcome page, the first screen: open data or a project, a recent one, or a sample.

The page only asks: its signals say what the user picked, and the window opens it (a
sample with its target and layout set, so the Model page is next).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

#: The bundled samples (`automl.cli_search.SAMPLES`), in the user's words: name, what it is.
SAMPLE_WORDS = {
    "penguins": ("Penguins", "Table: a penguin's species from its measurements"),
    "digits": ("Digits", "Images: 1,797 hand-written digits, a folder per digit"),
    "shapes": ("Shapes", "Series: four shapes in 600 noisy curves (.npz)"),
    "sunspots": ("Sunspots", "Forecast: sunspots 5 years ahead, from 20 years"),
}
NO_RECENT = "Nothing opened yet: the projects and files you open are listed here."


class WelcomePage(QWidget):
    """The first step: Open data…, Open project…, the recent list and the four samples.

    Signals:
        open_data_requested: the user wants the Open data dialog.
        open_project_requested: the user wants the Open project dialog.
        recent_chosen: a recent file or folder to open again (a `Path`).
        sample_chosen: the name of a bundled sample (a key of `SAMPLE_WORDS`).
    """

    title = "Welcome"
    open_data_requested = Signal()
    open_project_requested = Signal()
    recent_chosen = Signal(object)
    sample_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("AutoML Studio")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(
            "Find a good model for your data: open a table, an image folder or series, choose "
            "what to predict, and let the search try model families and settings for you."
        )
        intro.setWordWrap(True)

        self.open_data_button = QPushButton("Open &data…")
        self.open_data_button.setToolTip(
            "Open a CSV, Parquet, Excel or Feather table, series in a NumPy file, or an "
            "image folder (Ctrl+O)"
        )
        self.open_data_button.clicked.connect(self.open_data_requested)
        self.open_project_button = QPushButton("Open &project…")
        self.open_project_button.setToolTip(
            "Open a project folder: its data, choices and experiments"
        )
        self.open_project_button.clicked.connect(self.open_project_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_data_button)
        buttons.addWidget(self.open_project_button)
        buttons.addStretch(1)

        samples = QGroupBox("Try a sample")
        grid = QGridLayout(samples)
        self.sample_buttons: dict[str, QPushButton] = {}
        for number, (name, (label, words)) in enumerate(SAMPLE_WORDS.items()):
            button = QPushButton(f"{label}\n{words}")
            button.setObjectName(f"sample:{name}")
            button.setToolTip(f"Open the {label} sample, ready for the Model page: {words}")
            button.setMinimumHeight(button.sizeHint().height() + 12)
            button.setStyleSheet("text-align: left; padding: 6px 10px")
            button.clicked.connect(lambda _=False, n=name: self.sample_chosen.emit(n))
            grid.addWidget(button, number // 2, number % 2)
            self.sample_buttons[name] = button

        recent_box = QGroupBox("Recent")
        self.recent = RecentList()
        self.recent.setObjectName("recent")
        self.recent.setToolTip("Click a project or file (or press Enter on it) to open it again")
        self.recent.itemClicked.connect(self._open_recent)
        self.no_recent = QLabel(NO_RECENT, wordWrap=True)
        self.no_recent.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.recent.setSpacing(2)
        # Room for the eight remembered entries; the page's free space stays below.
        self.recent.setMaximumHeight(self.recent.fontMetrics().height() * 14)
        recent_layout = QVBoxLayout(recent_box)
        recent_layout.addWidget(self.no_recent)
        recent_layout.addWidget(self.recent, 1)

        column = QVBoxLayout()
        column.addWidget(heading)
        column.addWidget(intro)
        column.addLayout(buttons)
        column.addWidget(samples)
        column.addWidget(recent_box)
        column.addStretch(1)
        # A readable column on a wide window, not lines across the whole screen.
        inner = QWidget()
        inner.setLayout(column)
        inner.setMaximumWidth(860)
        layout = QHBoxLayout(self)
        layout.addWidget(inner, 1, Qt.AlignmentFlag.AlignHCenter)
        self.show_recent([])

    def show_recent(self, paths: list[str]) -> None:
        """Lists `paths` (newest first) by name; the full path is the tooltip."""
        self.recent.clear()
        for text in paths:
            path = Path(text)
            kind = "folder" if path.is_dir() else "file"
            item = QListWidgetItem(f"{path.name}  —  {path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, text)
            missing = "" if path.exists() else " (no longer there)"
            item.setToolTip(f"Open the {kind} {text} again{missing}")
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.no_recent.setVisible(not paths)

    def _open_recent(self, item: QListWidgetItem) -> None:
        self.recent_chosen.emit(Path(item.data(Qt.ItemDataRole.UserRole)))


class RecentList(QListWidget):
    """A list that opens an item on one click, or on Enter from the keyboard.

    Not `itemActivated`: a double click would then open the item twice (click, activate).
    """

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.itemClicked.emit(item)
            return
        super().keyPressEvent(event)
