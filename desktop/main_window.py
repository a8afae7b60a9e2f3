"""The main window: a list of steps beside the page for each, menus and a status bar.

A thin shell: it builds the pages, wires them to the shared `StudioState`, and routes
File menu actions and dropped files to the page that handles them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from desktop.dialogs import show_error
from desktop.pages.data_page import FILE_FILTER, DataPage
from desktop.pages.export_page import ExportPage
from desktop.pages.model_page import ModelPage
from desktop.pages.results_page import ResultsPage
from desktop.pages.search_page import SearchPage
from desktop.state import PROJECT_FILE, StudioState

RECENT_KEY = "recent"
RECENT_COUNT = 8


class MainWindow(QMainWindow):
    """AutoML Studio's window: Data, Model, Search, Results and Export."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("AutoML Studio")
        self.resize(1280, 820)
        self.setAcceptDrops(True)
        self.settings = settings or QSettings("AutoML Studio", "AutoML Studio")
        self.state = StudioState()
        self.data_page = DataPage(self.state)
        self.model_page = ModelPage(self.state)
        self.search_page = SearchPage(self.state)
        self.results_page = ResultsPage(self.state)
        self.export_page = ExportPage(self.state)
        self.pages = [
            self.data_page,
            self.model_page,
            self.search_page,
            self.results_page,
            self.export_page,
        ]

        self.steps = QListWidget()
        self.steps.setObjectName("steps")
        self.steps.setFixedWidth(150)
        self.stack = QStackedWidget()
        for number, page in enumerate(self.pages, start=1):
            self.steps.addItem(f"{number}. {page.title}")
            self.stack.addWidget(page)
        self.steps.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.steps.setCurrentRow(0)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.steps)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.state.status.connect(self._show_status)
        self.state.data_changed.connect(self._remember_data)
        self.state.experiment_changed.connect(lambda: self.show_step(self.results_page))
        self._build_menus()
        self.statusBar().showMessage("Open a data file to begin (File > Open data…)")

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (
            ("&Open data…", QKeySequence.StandardKey.Open, self._choose_data),
            ("Open &image folder…", None, self._choose_image_folder),
            ("Open &project…", None, self._choose_project),
            ("Open &experiment…", None, self._choose_experiment),
            ("&Save project…", QKeySequence.StandardKey.Save, self._save_project),
        ):
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(slot)
            menu.addAction(action)
        self.recent_menu = menu.addMenu("&Recent")
        self._fill_recent()
        menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)

    def _show_status(self, text: str) -> None:
        # Elided: a long message (an engine error) would otherwise widen the window.
        bar = self.statusBar()
        width = max(200, self.width() - 120)
        bar.showMessage(bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width))
        bar.setToolTip(text)

    def show_step(self, page: QWidget) -> None:
        self.steps.setCurrentRow(self.pages.index(page))

    # -- opening things -------------------------------------------------------------------

    def open_path(self, path: Path) -> None:
        """Opens a data file, a project folder or an experiment folder."""
        path = Path(path)
        if path.is_dir() and (path / PROJECT_FILE).exists():
            self.open_project(path)
        elif path.is_dir() and (path / "events.jsonl").exists():
            self.state.set_experiment(path)
        else:
            self.show_step(self.data_page)
            self.data_page.open_path(path)

    def open_project(self, folder: Path) -> None:
        try:
            self.state.load_project(folder)
        except (OSError, ValueError, TypeError) as error:
            show_error(self, "Cannot open project", f"{folder}: {error}")
            return
        self.setWindowTitle(f"AutoML Studio — {folder.name}")
        if self.state.settings.data:
            self.data_page.open_path(Path(self.state.settings.data))
        if self.state.settings.experiments:
            last = Path(self.state.settings.experiments[-1])
            if (last / "events.jsonl").exists():
                self.state.set_experiment(last)
        self._remember(folder)

    def _choose_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open data", "", FILE_FILTER)
        if path:
            self.open_path(Path(path))

    def _choose_image_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open a folder with one sub-folder per class"
        )
        if folder:
            self.open_path(Path(folder))

    def _choose_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open project folder")
        if folder:
            if (Path(folder) / PROJECT_FILE).exists():
                self.open_project(Path(folder))
            else:
                show_error(
                    self,
                    "Not a project",
                    f"{folder} has no {PROJECT_FILE}; use File > Save project… to make one",
                )

    def _choose_experiment(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open experiment folder")
        if folder:
            if (Path(folder) / "events.jsonl").exists():
                self.state.set_experiment(Path(folder))
            else:
                show_error(self, "Not an experiment", f"{folder} has no events.jsonl")

    def _save_project(self) -> None:
        folder = self.state.project_dir or QFileDialog.getExistingDirectory(
            self, "Save project in folder"
        )
        if not folder:
            return
        try:
            self.state.save_project(Path(folder))
        except OSError as error:
            show_error(self, "Cannot save project", str(error))
            return
        self._remember(Path(folder))
        self.statusBar().showMessage(f"Saved project {folder}")

    # -- recent files -----------------------------------------------------------------------

    def _remember_data(self) -> None:
        if self.state.data_path is not None:
            self._remember(self.state.data_path)

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self._recent() if p != str(path)]
        self.settings.setValue(RECENT_KEY, recent[:RECENT_COUNT])
        self._fill_recent()

    def _recent(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        return [value] if isinstance(value, str) else list(value or [])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for item in self._recent():
            action = self.recent_menu.addAction(item)
            action.triggered.connect(lambda _=False, p=item: self.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(self._recent()))

    # -- drag and drop, closing ---------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if len(urls) != 1:
            show_error(self, "Cannot open", "Drop one data file (or one project folder).")
            return
        self.open_path(Path(urls[0]))

    def closeEvent(self, event) -> None:
        """Asks before closing during a search; then stops it cleanly (Kill after a grace)."""
        engine = self.search_page.engine
        if not engine.running:
            event.accept()
            return
        answer = QMessageBox.question(
            self,
            "A search is running",
            "Stop the search and close? The best model so far is kept.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        engine.stop()
        if not engine.process.waitForFinished(30_000):
            engine.kill()
            engine.process.waitForFinished(5_000)
        event.accept()
