"""The app's own icon: the SVG shipped in `assets/`, as a file and as a `QIcon`.

The path needs no Qt (the launcher installs the file without a window).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

#: The icon's file name in `assets/`, and its name in an icon theme.
ICON_NAME = "automl-studio"


def icon_path() -> Path:
    """Returns the path of the app's SVG icon (inside the installed package or the bundle)."""
    return Path(str(resources.files("assets") / f"{ICON_NAME}.svg"))


def app_icon() -> QIcon:
    """Returns the app's icon for windows and the task bar; Qt renders the SVG at any size."""
    from PySide6.QtGui import QIcon

    return QIcon(str(icon_path()))
