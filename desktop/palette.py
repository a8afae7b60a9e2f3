"""The app's colours: the system's light or dark scheme, or one forced for screenshots.

`automl-studio --palette dark` (or `AUTOML_STUDIO_PALETTE=dark`) forces the dark scheme;
`system`, the default, follows the desktop (Qt 6.5+ reads its colour scheme). Widgets take
their colours from the palette and the plots follow it (`desktop.plots.restyle_plots`).
Qt is imported only when colours are set: the command line is read without it.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QGuiApplication, QPalette

SCHEMES = ("system", "light", "dark")
ENVIRONMENT = "AUTOML_STUDIO_PALETTE"


def add_palette_option(parser: argparse.ArgumentParser) -> None:
    """Adds `--palette system|light|dark` to the app's command line."""
    parser.add_argument(
        "--palette",
        choices=SCHEMES,
        default=None,
        help=f"the colours: the system's (default), light or dark (or set {ENVIRONMENT})",
    )


def chosen_scheme(option: str | None) -> str:
    """Returns the scheme to use: the option, else the environment's, else "system"."""
    scheme = option or os.environ.get(ENVIRONMENT, "system").strip().lower()
    return scheme if scheme in SCHEMES else "system"


def use_palette(app: QGuiApplication, scheme: str) -> None:
    """Sets `app`'s colours to `scheme`: "system" leaves the desktop's; "light" or "dark"
    switch to the Fusion style with that scheme's palette, on any platform."""
    from PySide6.QtCore import Qt

    from desktop.plots import apply_palette

    if scheme != "system":
        app.setStyle("Fusion")  # draws with the palette everywhere, unlike native styles
        wanted = Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light
        app.styleHints().setColorScheme(wanted)  # Qt 6.8+: native dialogs follow too
        app.setPalette(dark_palette() if scheme == "dark" else light_palette())
    apply_palette()


def is_dark(palette: QPalette) -> bool:
    """Returns whether `palette` draws light text on a dark window."""
    from PySide6.QtGui import QPalette

    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def light_palette() -> QPalette:
    """Returns Fusion's light palette."""
    return _palette(
        window="#efefef",
        base="#ffffff",
        alternate="#f5f5f5",
        text="#1e1e1e",
        button="#e8e8e8",
        highlight="#2f6fd0",
        link="#1a5fb4",
        placeholder="#7a7a7a",
    )


def dark_palette() -> QPalette:
    """Returns a dark palette: light grey text on dark grey, a blue that reads on both."""
    return _palette(
        window="#2b2b2e",
        base="#1f1f22",
        alternate="#28282c",
        text="#e6e6e6",
        button="#3a3a3e",
        highlight="#3d7bd9",
        link="#78a9ff",
        placeholder="#8e8e93",
    )


def _palette(**colours: str) -> QPalette:
    """Returns a palette with every role set from a few named colours."""
    from PySide6.QtGui import QColor, QPalette

    c = {name: QColor(value) for name, value in colours.items()}
    role = QPalette.ColorRole
    palette = QPalette()
    for roles, colour in (
        ((role.Window,), c["window"]),
        ((role.Base, role.ToolTipBase), c["base"]),
        ((role.AlternateBase,), c["alternate"]),
        ((role.WindowText, role.Text, role.ButtonText, role.ToolTipText), c["text"]),
        ((role.Button,), c["button"]),
        ((role.Highlight,), c["highlight"]),
        ((role.HighlightedText,), QColor("#ffffff")),
        ((role.Link,), c["link"]),
        ((role.PlaceholderText,), c["placeholder"]),
        ((role.BrightText,), QColor("#ff5555")),
        ((role.Light,), c["button"].lighter(130)),
        ((role.Midlight,), c["button"].lighter(115)),
        ((role.Mid,), c["button"].darker(130)),
        ((role.Dark,), c["button"].darker(160)),
        ((role.Shadow,), QColor("#000000")),
    ):
        for each in roles:
            palette.setColor(each, colour)
    disabled = QPalette.ColorGroup.Disabled
    for each in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, each, c["placeholder"])
    return palette
