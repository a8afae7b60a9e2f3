"""The main window: a list of steps beside the page for each, menus and a status bar.

A thin shell: it builds the pages, wires them to the shared `StudioState`, and routes
File menu actions and dropped files to the page that handles them. Opening a project lists
its experiments off the GUI thread and offers to resume a search that was interrupted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from automl.experiment.layout import EVENTS
from automl.store import is_project
from desktop.dialogs import show_error
from desktop.experiments_dialog import ExperimentsDialog
from desktop.file_menu import FileMenu
from desktop.pages.data_page import DataPage
from desktop.pages.export_page import ExportPage
from desktop.pages.model_page import ModelPage
from desktop.pages.results_page import ResultsPage
from desktop.pages.search_page import SearchPage
from desktop.pages.welcome_page import WelcomePage
from desktop.plots import restyle_plots
from desktop.project_experiments import ExperimentLister, interrupted, resume_question
from desktop.settings import (
    app_settings,
    last_folder,
    remember_search,
    restore_window,
    save_window,
    search_settings,
)
from desktop.state import PROJECT_FILE, DataLayout, StudioState
from desktop.steps import StepList, step_statuses

#: How long a search stopped by closing the window may take to export before it is killed.
CLOSE_GRACE_MS = 30_000
#: How long a killed search may take to end before the app quits anyway.
KILL_WAIT_MS = 5_000


class MainWindow(QMainWindow):
    """AutoML Studio's window: Welcome, Data, Model, Search, Results and Export."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("AutoML Studio")
        self.resize(1280, 820)
        self.setAcceptDrops(True)
        self.settings = settings or app_settings()
        self.state = StudioState()
        # The last search's settings: the Search page's boxes start from them.
        self.state.settings.search = search_settings(self.settings)
        self.welcome_page = WelcomePage()
        self.data_page = DataPage(self.state)
        self.data_page.first_folder = last_folder(self.settings)
        self.model_page = ModelPage(self.state)
        self.search_page = SearchPage(self.state)
        self.results_page = ResultsPage(self.state)
        self.export_page = ExportPage(self.state)
        self.pages = [
            self.welcome_page,
            self.data_page,
            self.model_page,
            self.search_page,
            self.results_page,
            self.export_page,
        ]

        self.steps = StepList([page.title for page in self.pages])
        self.steps.setFixedWidth(210)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)
        self.steps.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.steps.currentRowChanged.connect(self.refresh_steps)
        self.steps.setCurrentRow(0)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.steps)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._add_step_shortcuts()

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
        for signal in (
            self.state.data_changed,
            self.state.roles_changed,
            self.state.experiment_changed,
            self.search_page.engine.event,
            self.search_page.engine.finished,
        ):
            signal.connect(self.refresh_steps)
        self._sample: Path | None = None  # a sample being opened: the Model page is next
        self.state.data_changed.connect(self._sample_ready)
        self.state.roles_changed.connect(self._sample_ready)
        self._closing: QTimer | None = None  # the kill timer, once closing waits on a search
        self.file_menu = FileMenu(self)
        self._wire_welcome()
        restore_window(self.settings, self, self.pages)
        self.refresh_steps()
        self.statusBar().showMessage("Open data, a project or a sample to begin")

    def _add_step_shortcuts(self) -> None:
        """Ctrl+1 … Ctrl+6 go to a step; Ctrl+PgDown and Ctrl+PgUp to the next or previous."""
        for number in range(1, len(self.pages) + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda row=number - 1: self.steps.setCurrentRow(row))
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda step=step: self._move_step(step))

    def _move_step(self, step: int) -> None:
        row = min(max(self.steps.currentRow() + step, 0), len(self.pages) - 1)
        self.steps.setCurrentRow(row)

    def _wire_welcome(self) -> None:
        welcome = self.welcome_page
        welcome.open_data_requested.connect(self.file_menu.choose_data)
        welcome.open_project_requested.connect(self.file_menu.choose_project)
        welcome.recent_chosen.connect(self.open_path)
        welcome.sample_chosen.connect(self.open_sample)

    def refresh_steps(self) -> None:
        """Shows in the step list where each step stands."""
        search = self.search_page
        problem = search.start_problem() if self.state.modality is not None else ""
        self.steps.show_statuses(step_statuses(self.state, problem, search.engine.running))

    def changeEvent(self, event: QEvent) -> None:
        # The system switched between light and dark: once every widget has the new
        # palette (later in this turn of the event loop), redraw what was coloured from it.
        if event.type() == QEvent.Type.PaletteChange:
            QTimer.singleShot(0, self, self._follow_palette)
        super().changeEvent(event)

    def _follow_palette(self) -> None:
        restyle_plots(self)
        if self.state.experiment is not None:
            self.results_page.refresh()  # its tables' shades are mixed from the palette

    def _show_status(self, text: str) -> None:
        # Elided: a long message (an engine error) would otherwise widen the window.
        bar = self.statusBar()
        width = max(200, self.width() - 120)
        bar.showMessage(bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width))
        bar.setToolTip(text)

    def show_step(self, page: QWidget) -> None:
        self.steps.setCurrentRow(self.pages.index(page))

    def open_sample(self, name: str) -> None:
        """Opens bundled sample `name` with its target and layout; the Model page is next."""
        # On first use: the command line's module brings rich, which the window's start skips.
        from automl.cli_search import SAMPLE_OPTIONS, SAMPLES, sample_path

        file, target, _epochs = SAMPLES[name]
        options = SAMPLE_OPTIONS.get(name)
        layout = DataLayout("forecast", **options) if options else DataLayout()
        self._sample = sample_path(file)
        self.show_step(self.data_page)
        self.data_page.open_path(self._sample, target=target, layout=layout)

    def _sample_ready(self) -> None:
        state = self.state
        if self._sample is None or state.data_path != self._sample:
            return
        if not self.search_page.start_problem():
            self._sample = None
            self.show_step(self.model_page)

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
        self.file_menu.remember(folder)
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

    # -- recent files, folders and what the window remembers ----------------------------

    def _remember_data(self) -> None:
        if self.state.data_path is not None:
            self.file_menu.remember(self.state.data_path)

    def save_settings(self) -> None:
        """Saves the window's size, position and splitters, and the search settings."""
        save_window(self.settings, self, self.pages)
        self.search_page.settings_box.save_to(self.state.settings.search)
        remember_search(self.settings, self.state.settings.search)
        self.settings.sync()

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
        if self._closing is None:
            self.save_settings()
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
