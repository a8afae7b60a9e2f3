"""The main window: a list of steps beside the page for each, menus and a status bar.

A thin shell: it builds the pages, wires them to the shared `StudioState`, and routes
File menu actions and dropped files to the page that handles them. Opening a project lists
its experiments off the GUI thread and offers to resume a search that was interrupted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from automl.experiment.layout import EVENTS
from automl.store import is_project
from desktop.dialogs import show_error
from desktop.experiments_dialog import ExperimentsDialog
from desktop.pages.data.header import FILE_FILTER
from desktop.pages.data_page import DataPage
from desktop.pages.export_page import ExportPage
from desktop.pages.model_page import ModelPage
from desktop.pages.results_page import ResultsPage
from desktop.pages.search_page import SearchPage
from desktop.project_experiments import ExperimentLister, interrupted, resume_question
from desktop.state import PROJECT_FILE, StudioState

RECENT_KEY = "recent"
RECENT_COUNT = 8
#: How long a search stopped by closing the window may take to export before it is killed.
CLOSE_GRACE_MS = 30_000
#: How long a killed search may take to end before the app quits anyway.
KILL_WAIT_MS = 5_000


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

        # No Qt parent: a pool thread may still answer after the window is gone.
        self.lister = ExperimentLister()
        self.lister.listed.connect(self._experiments_listed)
        self.lister.failed.connect(self._experiments_failed)
        self._opening = 0  # the listing whose answer may ask to resume (0: none)
        self.experiments_dialog = ExperimentsDialog(self)
        self.experiments_dialog.refresh_requested.connect(self.list_experiments)
        self.experiments_dialog.open_requested.connect(self.state.set_experiment)
        self.experiments_dialog.resume_requested.connect(self.resume)

        self.state.status.connect(self._show_status)
        self.state.data_changed.connect(self._remember_data)
        self.state.experiment_changed.connect(lambda: self.show_step(self.results_page))
        self.state.experiment_changed.connect(self._refresh_experiments)
        self._closing: QTimer | None = None  # the kill timer, once closing waits on a search
        self._build_menus()
        self.statusBar().showMessage("Open a data file to begin (File > Open data…)")

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (
            ("&Open data…", QKeySequence.StandardKey.Open, self._choose_data),
            ("Open &image folder…", None, self._choose_image_folder),
            ("Open &project…", None, self._choose_project),
            ("Open &experiment…", None, self._choose_experiment),
            ("Project e&xperiments…", QKeySequence("Ctrl+E"), self.show_experiments),
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
        if path.is_dir() and ((path / PROJECT_FILE).exists() or is_project(path)):
            self.open_project(path)
        elif path.is_dir() and (path / EVENTS).exists():
            self.state.set_experiment(path)
        else:
            self.show_step(self.data_page)
            self.data_page.open_path(path)

    def open_project(self, folder: Path) -> None:
        """Opens a project folder: the desktop's `project.json` (data and choices), the
        engine's experiments (`project.db`, `experiments/`), or both in one folder.

        Its experiments are listed in the background; interrupted searches are offered
        for resuming, and a folder with experiments only shows the Experiments view.
        """
        folder = Path(folder)
        try:
            self.state.load_project(folder)
        except (OSError, ValueError, TypeError) as error:
            show_error(self, "Cannot open project", f"{folder}: {error}")
            return
        self.setWindowTitle(f"AutoML Studio — {folder.name}")
        if (folder / PROJECT_FILE).exists():
            if self.state.settings.data:
                self.data_page.open_path(Path(self.state.settings.data))
            if self.state.settings.experiments:
                last = Path(self.state.settings.experiments[-1])
                if (last / EVENTS).exists():
                    self.state.set_experiment(last)
        self._remember(folder)
        self._opening = self.list_experiments()

    # -- the project's experiments --------------------------------------------------------

    def list_experiments(self) -> int:
        """Starts listing the open project's experiments; returns the request (0: none)."""
        if self.state.project_dir is None:
            return 0
        return self.lister.list_project(self.state.project_dir)

    def show_experiments(self) -> None:
        """Shows the Experiments view of the open project, read afresh."""
        if self.state.project_dir is None:
            show_error(
                self, "No project open", "Open a project folder first (File > Open project…)."
            )
            return
        self.list_experiments()
        self.experiments_dialog.show()
        self.experiments_dialog.raise_()

    def resume(self, folder: Path) -> None:
        """Continues the interrupted search in `folder` on the Search page."""
        self.show_step(self.search_page)
        self.search_page.resume(Path(folder))

    def ask_resume(self, waiting: list[dict]) -> QMessageBox:
        """Asks whether to resume the newest of the `waiting` (interrupted) experiments.

        Window-modal and opened with `open()`: the event loop keeps running.
        """
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Resume an interrupted search?",
            resume_question(waiting),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("resumeQuestion")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        resume_button = box.addButton("Resume", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(resume_button)
        folder = Path(waiting[0]["path"])
        resume_button.clicked.connect(lambda: self.resume(folder))
        box.open()
        return box

    def _experiments_listed(self, request: int, project: Path, rows: list[dict]) -> None:
        if project != self.state.project_dir:
            return  # the answer for a project opened before this one
        self.experiments_dialog.show_experiments(project, rows)
        if request != self._opening:
            return
        self._opening = 0
        waiting = interrupted(rows)
        if rows:
            extra = f", {len(waiting)} interrupted" if waiting else ""
            self.state.status.emit(f"Project {project.name}: {len(rows)} experiments{extra}")
        if rows and not (project / PROJECT_FILE).exists():
            self.experiments_dialog.show()  # nothing else to show for it
        if waiting and not self.search_page.engine.running:
            self.ask_resume(waiting)

    def _experiments_failed(self, request: int, project: Path, message: str) -> None:
        if project == self.state.project_dir:
            self.experiments_dialog.show_problem(project, message)
            if request == self._opening:
                self._opening = 0

    def _refresh_experiments(self) -> None:
        if self.experiments_dialog.isVisible():
            self.list_experiments()

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
            if (Path(folder) / PROJECT_FILE).exists() or is_project(Path(folder)):
                self.open_project(Path(folder))
            else:
                show_error(
                    self,
                    "Not a project",
                    f"{folder} has no {PROJECT_FILE}, project.db or experiments; "
                    "use File > Save project… to make one",
                )

    def _choose_experiment(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open experiment folder")
        if folder:
            if (Path(folder) / EVENTS).exists():
                self.state.set_experiment(Path(folder))
            else:
                show_error(self, "Not an experiment", f"{folder} has no {EVENTS}")

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
        """Asks before closing during a search; on yes, hides the window and stops it.

        The app quits when the engine's `finished` arrives, once the best model so far
        is exported; a search still running after `CLOSE_GRACE_MS` is killed. Nothing
        waits on the GUI thread.
        """
        engine = self.search_page.engine
        if self._closing is not None or not engine.running:
            event.accept()
            return
        answer = QMessageBox.question(
            self,
            "A search is running",
            "Stop the search and close? The best model so far is kept.",
        )
        event.ignore()  # the window hides now; the app quits once the search has ended
        if answer == QMessageBox.StandardButton.Yes:
            self._close_after_search()

    def _close_after_search(self) -> None:
        engine = self.search_page.engine
        self.hide()
        engine.finished.connect(self._quit)
        self._closing = QTimer(self)
        self._closing.setSingleShot(True)
        self._closing.timeout.connect(self._kill_on_close)
        self._closing.start(CLOSE_GRACE_MS)
        engine.stop()

    def _kill_on_close(self) -> None:
        self.search_page.engine.kill()
        # A child that does not even die in time must not keep a hidden app alive.
        QTimer.singleShot(KILL_WAIT_MS, self, self._quit)

    def _quit(self) -> None:
        if self._closing is not None:
            self._closing.stop()
        QApplication.quit()
