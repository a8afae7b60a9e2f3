"""What the app remembers between runs (`QSettings`): recent projects, the window, folders.

The one place that knows the keys. Tests redirect every `QSettings` to a temporary folder
(`QSettings.setPath`, see tests/conftest.py), so they never read the user's own settings.

    settings = app_settings()
    remember_recent(settings, Path("~/penguins"))
    recent(settings)  # ['~/penguins', ...]
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from desktop.state import SearchSettings

ORGANISATION = "AutoML Studio"
APPLICATION = "AutoML Studio"
RECENT_KEY = "recent"
RECENT_COUNT = 8
FOLDER_KEY = "last_folder"
SEARCH_KEY = "search"
GEOMETRY_KEY = "window/geometry"
WINDOW_STATE_KEY = "window/state"
SPLITTER_KEY = "splitters"


def app_settings() -> QSettings:
    """Returns the user's settings for this app (native format, per user)."""
    return QSettings(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


def recent(settings: QSettings) -> list[str]:
    """Returns the recently opened files and folders, newest first."""
    value = settings.value(RECENT_KEY, [])
    # QSettings gives a lone string for a one-item list in some formats.
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def remember_recent(settings: QSettings, path: Path) -> list[str]:
    """Returns the recent list with `path` first (kept to `RECENT_COUNT`), after saving it."""
    items = [str(path)] + [p for p in recent(settings) if p != str(path)]
    settings.setValue(RECENT_KEY, items[:RECENT_COUNT])
    return items[:RECENT_COUNT]


def last_folder(settings: QSettings) -> str:
    """Returns the folder the last file dialog was in ("" when none, or gone)."""
    folder = str(settings.value(FOLDER_KEY, "") or "")
    return folder if folder and Path(folder).is_dir() else ""


def remember_folder(settings: QSettings, path: Path) -> None:
    """Saves the folder of `path` (a file) or `path` (a folder) for the next file dialog."""
    path = Path(path)
    settings.setValue(FOLDER_KEY, str(path if path.is_dir() else path.parent))


def search_settings(settings: QSettings) -> SearchSettings:
    """Returns the last search's settings, or the defaults where none (or a bad one) is saved."""
    try:
        saved = json.loads(str(settings.value(SEARCH_KEY, "{}")))
        known = {f.name for f in fields(SearchSettings)}
        return SearchSettings(**{k: v for k, v in saved.items() if k in known})
    except (AttributeError, TypeError, ValueError):
        return SearchSettings()  # written by another version: start from the defaults


def remember_search(settings: QSettings, search: SearchSettings) -> None:
    """Saves `search` as the settings the next window's Search page starts with."""
    # JSON keeps the types (INI files would give every number back as a string).
    settings.setValue(SEARCH_KEY, json.dumps(asdict(search)))


def save_window(settings: QSettings, window: QMainWindow, pages: list[QWidget]) -> None:
    """Saves the window's size, position and state, and each page's splitters."""
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.setValue(WINDOW_STATE_KEY, window.saveState())
    for key, splitter in _splitters(pages):
        settings.setValue(key, splitter.saveState())


def restore_window(settings: QSettings, window: QMainWindow, pages: list[QWidget]) -> bool:
    """Returns whether a saved size and position was restored (splitters are, where saved)."""
    geometry = settings.value(GEOMETRY_KEY)
    restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
    state = settings.value(WINDOW_STATE_KEY)
    if isinstance(state, QByteArray):
        window.restoreState(state)
    for key, splitter in _splitters(pages):
        saved = settings.value(key)
        if isinstance(saved, QByteArray):
            splitter.restoreState(saved)
    return restored


def _splitters(pages: list[QWidget]) -> list[tuple[str, QSplitter]]:
    """Returns each page's splitters with their settings key: the page's title and the
    splitter's object name, or its place among the page's splitters when it has none."""
    found = []
    for page in pages:
        title = getattr(page, "title", type(page).__name__)
        for number, splitter in enumerate(page.findChildren(QSplitter)):
            name = splitter.objectName() or str(number)
            found.append((f"{SPLITTER_KEY}/{title}/{name}", splitter))
    return found
