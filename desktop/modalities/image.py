"""The Data page's view of an image folder: thumbnails per class beside the class balance."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from desktop.pages.data.panels import PlotPanel, boxed
from desktop.state import StudioState
from desktop.thumbnails import ImageGallery, skipped_tooltip, summary_text


class ImageFolderView(QSplitter):
    """Thumbnails per class beside the class balance and how the search reads the images."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.gallery = ImageGallery()
        self.balance_panel = PlotPanel("Class balance")
        self.image_notes = QLabel(wordWrap=True)
        self.image_notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.image_notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.balance_panel, 1)  # the chart takes the spare height
        column.addWidget(boxed("How the search reads it", self.image_notes))
        self.addWidget(boxed("Classes (a sample of each)", self.gallery))
        self.addWidget(right)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)
        # Twelve thumbnails per class need ~760 px; the balance chart reads well at ~380.
        self.setSizes([850, 380])

    def show_data(self, state: StudioState) -> tuple[str, str]:
        """Shows the open folder's summary; returns the Data page's header line and tooltip
        (the thumbnails come with `gallery.show_classes`, when they are read)."""
        summary, path = state.images, state.data_path
        self.show_summary(summary)
        return (
            f"<b>{path.name}</b> — {summary_text(summary)}",
            "\n\n".join(filter(None, (str(path), skipped_tooltip(summary)))),
        )

    def show_summary(self, summary: dict) -> None:
        """Shows an image folder's summary: class balance and how the search reads it."""
        counts = summary["counts"]
        self.balance_panel.show_bars(
            f"Images per class: {min(counts.values()):,} to {max(counts.values()):,}",
            list(counts),
            list(counts.values()),
        )
        height, width = summary["image_size"]
        self.image_notes.setText(
            "Each sub-folder is a class, so there is no target column to choose. "
            f"The search trains convolutional networks on images resized to {height}×{width} "
            f"with {summary['channels']} channel{'s' if summary['channels'] > 1 else ''}; "
            "the exported model decodes and resizes any image itself."
            + (
                f"<br><br><b>{summary['skipped']:,} files skipped</b> (not images); "
                "hover the file name above for the reasons."
                if summary["skipped"]
                else ""
            )
        )


#: The Data page's preview of an image folder.
PREVIEW = ImageFolderView
