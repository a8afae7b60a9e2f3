"""The window's File menu: the open dialogs, Save project, the recent list and folders.

The dialogs start in the folder of the last one (remembered with `QSettings`); what is
chosen goes to the window's `open_path` or `open_project`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from automl.experiment.layout import EVENTS
from automl.store import is_project
from desktop.dialogs import show_error
from desktop.pages.data.header import FILE_FILTER
from desktop.settings import last_folder, recent, remember_folder, remember_recent
from desktop.state import PROJECT_FILE

if TYPE_CHECKING:
    from desktop.main_window import MainWindow


class FileMenu(QObject):
    """Builds `window`'s File menu and answers its actions."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._build()

    def _build(self) -> None:
        window = self.window
        menu = window.menuBar().addMenu("&File")
        for text, shortcut, slot in (
            ("&Open data…", QKeySequence.StandardKey.Open, self.choose_data),
            ("Open &image folder…", None, self.choose_image_folder),
            ("Open &project…", None, self.choose_project),
            ("Open &experiment…", None, self.choose_experiment),
            ("Project e&xperiments…", QKeySequence("Ctrl+E"), window.show_experiments),
            ("&Save project…", QKeySequence.StandardKey.Save, self.save_project),
        ):
            action = QAction(text, window)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(slot)
            menu.addAction(action)
        self.recent_menu = menu.addMenu("&Recent")
        self.fill_recent()
        menu.addSeparator()
        quit_action = QAction("&Quit", window)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(window.close)
        menu.addAction(quit_action)

    def choose_data(self) -> None:
        """Asks for a data file and opens it."""
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open data", self.start_folder(), FILE_FILTER
        )
        if path:
            self.window.open_path(Path(path))

    def choose_image_folder(self) -> None:
        """Asks for an image folder (one sub-folder per class) and opens it."""
        folder = QFileDialog.getExistingDirectory(
            self.window, "Open a folder with one sub-folder per class", self.start_folder()
        )
        if folder:
            self.window.open_path(Path(folder))

    def choose_project(self) -> None:
        """Asks for a project folder and opens it; a folder that is none shows a dialog."""
        folder = QFileDialog.getExistingDirectory(
            self.window, "Open project folder", self.start_folder()
        )
        if folder:
            if (Path(folder) / PROJECT_FILE).exists() or is_project(Path(folder)):
                self.window.open_project(Path(folder))
            else:
                show_error(
                    self.window,
                    "Not a project",
                    f"{folder} has no {PROJECT_FILE}, project.db or experiments; "
                    "use File > Save project… to make one",
                )

    def choose_experiment(self) -> None:
        """Asks for an experiment folder and shows it on the Results page."""
        folder = QFileDialog.getExistingDirectory(
            self.window, "Open experiment folder", self.start_folder()
        )
        if folder:
            if (Path(folder) / EVENTS).exists():
                self.window.state.set_experiment(Path(folder))
            else:
                show_error(self.window, "Not an experiment", f"{folder} has no {EVENTS}")

    def save_project(self) -> None:
        """Saves the project into its folder, asking for one the first time."""
        folder = self.window.state.project_dir or QFileDialog.getExistingDirectory(
            self.window, "Save project in folder"
        )
        if not folder:
            return
        try:
            self.window.state.save_project(Path(folder))
        except OSError as error:
            show_error(self.window, "Cannot save project", str(error))
            return
        self.remember(Path(folder))
        self.window.statusBar().showMessage(f"Saved project {folder}")

    def remember(self, path: Path) -> None:
        """Puts `path` first in the recent list and remembers its folder for the dialogs."""
        remember_recent(self.window.settings, path)
        remember_folder(self.window.settings, path)
        self.fill_recent()

    def fill_recent(self) -> None:
        """Shows the recent list in the File menu and on the Welcome page."""
        items = recent(self.window.settings)
        self.recent_menu.clear()
        for item in items:
            action = self.recent_menu.addAction(item)
            action.triggered.connect(lambda _=False, p=item: self.window.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(items))
        self.window.welcome_page.show_recent(items)

    def start_folder(self) -> str:
        """Returns where a file dialog starts: the folder of the last one."""
        return last_folder(self.window.settings)
