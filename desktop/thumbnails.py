"""Thumbnails of an image folder: picked and decoded off the UI thread, shown one row per class.

`scan_with_thumbnails` is the Data page's background job for a folder of class sub-folders:
it scans the folder with the engine (headers only) and decodes a few small `QImage`s per
class. `QImage` (unlike `QPixmap`) may be made on any thread, so only the conversion to
icons happens on the UI thread, in `ImageGallery.show_classes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

#: Thumbnails shown per class: enough to see what a class looks like, few enough to be quick.
PER_CLASS = 12
#: Side of a thumbnail on screen (pixels).
THUMB_SIDE = 48
#: Room around each thumbnail in the grid.
THUMB_GAP = 6


@dataclass(frozen=True)
class ClassThumbnails:
    """One class of an image folder: its name, image count and a few decoded samples."""

    name: str
    count: int
    images: tuple[tuple[str, QImage], ...]  # (path, thumbnail)


@dataclass(frozen=True)
class ScannedImages:
    """An image folder's summary (`ImageFolder.to_dict()`) with thumbnails per class."""

    path: Path
    summary: dict
    classes: tuple[ClassThumbnails, ...]


def pick_samples(files: tuple[str, ...], labels: np.ndarray, label: int, n: int) -> list[str]:
    """Returns up to `n` files of class `label`, evenly spread over the class (not the first n).

    Example:
        >>> pick_samples(("a", "b", "c", "d"), np.array([0, 0, 0, 1]), 0, 2)
        ['a', 'c']
    """
    members = np.flatnonzero(labels == label)
    if len(members) <= n:
        chosen = members
    else:
        chosen = members[np.linspace(0, len(members) - 1, n).round().astype(int)]
    return [files[i] for i in chosen]


def load_thumbnail(path: str | Path, side: int = THUMB_SIDE) -> QImage:
    """Returns the image at `path` fitted into `side` x `side` pixels; a null QImage if unreadable.

    Large images are decoded already scaled (cheap for JPEG); tiny ones such as 8x8 digits
    are enlarged by a whole factor without smoothing, so their pixels stay crisp.
    """
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > side or size.height() > side):
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return image
    factor = side // max(image.width(), image.height())
    if factor >= 2:
        image = image.scaled(
            image.width() * factor,
            image.height() * factor,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation,  # nearest neighbour: crisp pixels
        )
    return image


def scan_with_thumbnails(path: str | Path, per_class: int = PER_CLASS) -> ScannedImages:
    """Returns the scan of the image folder at `path` and up to `per_class` thumbnails per class.

    Runs on a worker thread (no widgets).

    Raises:
        AutoMLError: the folder is not a usable image folder (the engine's message).
    """
    from automl.modalities.image_data import (
        scan_image_folder,  # pandas/Pillow load off the UI thread
    )

    folder = scan_image_folder(path)
    summary = folder.to_dict()
    classes = []
    for label, name in enumerate(folder.class_names):
        samples = pick_samples(folder.files, folder.labels, label, per_class)
        images = tuple((file, load_thumbnail(file)) for file in samples)
        classes.append(
            ClassThumbnails(
                name,
                summary["counts"][name],
                tuple((file, image) for file, image in images if not image.isNull()),
            )
        )
    return ScannedImages(Path(path), summary, tuple(classes))


def summary_text(summary: dict) -> str:
    """Returns one line about an image folder: images, classes, size, colour, skipped files.

    Example:
        >>> summary_text({"files": 1797, "class_names": list("0123456789"),
        ...               "image_size": [8, 8], "channels": 1, "skipped": 0})
        '1,797 images · 10 classes · 8×8 px · grayscale · 0 files skipped'
    """
    height, width = summary["image_size"]
    colour = "grayscale" if summary["channels"] == 1 else "colour"
    skipped = summary["skipped"]
    return (
        f"{summary['files']:,} images · {len(summary['class_names'])} classes · "
        f"{height}×{width} px · {colour} · {skipped:,} file{'' if skipped == 1 else 's'} skipped"
    )


def skipped_tooltip(summary: dict, limit: int = 8) -> str:
    """Returns the first skipped files and why, for a tooltip ("" when none were skipped)."""
    examples = summary.get("skipped_examples") or []
    if not examples:
        return ""
    lines = [f"{Path(path).name}: {reason}" for path, reason in examples[:limit]]
    more = summary["skipped"] - len(lines)
    if more > 0:
        lines.append(f"… and {more:,} more")
    return "Skipped:\n" + "\n".join(lines)


class ImageGallery(QScrollArea):
    """One row per class: its name and image count, then a strip of thumbnails."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.strips: dict[str, QListWidget] = {}
        self._inner = QWidget()
        self._rows = QVBoxLayout(self._inner)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(2)
        self.setWidget(self._inner)

    def show_classes(self, classes: tuple[ClassThumbnails, ...], total: int) -> None:
        """Replaces the rows with `classes`; `total` (all images) gives each class's share."""
        self._inner.deleteLater()  # drops the old rows and their icons in one go
        self._inner = QWidget()
        self._rows = QVBoxLayout(self._inner)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(2)
        self.strips = {}
        for thumbnails in classes:
            self._rows.addWidget(self._row(thumbnails, total))
        self._rows.addStretch(1)
        self.setWidget(self._inner)

    def _row(self, thumbnails: ClassThumbnails, total: int) -> QWidget:
        share = thumbnails.count / total if total else 0.0
        header = QLabel(f"<b>{thumbnails.name}</b><br>{thumbnails.count:,} images<br>{share:.0%}")
        header.setFixedWidth(96)
        header.setToolTip(f"Class {thumbnails.name!r}: {thumbnails.count:,} images")
        strip = QListWidget(objectName=f"thumbs:{thumbnails.name}")
        strip.setViewMode(QListView.ViewMode.IconMode)
        strip.setMovement(QListView.Movement.Static)
        strip.setFlow(QListView.Flow.LeftToRight)
        strip.setWrapping(False)
        strip.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        cell = THUMB_SIDE + THUMB_GAP
        strip.setGridSize(QSize(cell, cell))
        strip.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        strip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        strip.setFrameShape(QFrame.Shape.NoFrame)
        # The thumbnails are samples: a narrow window shows fewer of them rather than a
        # scroll bar under every class.
        strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        strip.setFixedHeight(cell + 4)
        strip.setStyleSheet("QListWidget { background: transparent; }")
        for path, image in thumbnails.images:
            item = QListWidgetItem(QIcon(QPixmap.fromImage(image)), "")
            item.setToolTip(f"{Path(path).name} ({thumbnails.name})")
            item.setSizeHint(QSize(cell, cell))
            strip.addItem(item)
        self.strips[thumbnails.name] = strip
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(header)
        layout.addWidget(strip, 1)
        return row
