"""What a preview widget does for the Data page, and the plain one for kinds without their own."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from desktop.state import StudioState


class Preview(Protocol):
    """A widget that shows one kind of open data on the Data page."""

    def show_data(self, state: StudioState) -> tuple[str, str]:
        """Shows the state's open data; returns the page header's line (rich text) and its
        tooltip."""
        ...


class PlainPreview(QLabel):
    """The preview of a kind the desktop has no widget for: what it is, and where."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def show_data(self, state: StudioState) -> tuple[str, str]:
        """Names the open data's kind; returns the header line (the file name) and its path."""
        path = state.data_path
        self.setText(
            f"{path.name} is read as {state.kind_name} data; the studio has no preview for "
            "this kind, but the search can use it."
        )
        return f"<b>{path.name}</b>", str(path)
