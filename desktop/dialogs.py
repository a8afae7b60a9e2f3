"""Error dialogs that never block the event loop."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget, title: str, message: str) -> QMessageBox:
    """Shows `message` in a window-modal box and returns it; the GUI stays responsive.

    `open()` rather than `exec()`: no nested event loop, so a running search keeps
    updating and tests can find and close the box.
    """
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("errorDialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box
