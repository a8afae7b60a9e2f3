"""Image data: a folder of class sub-folders or a CSV of paths, listed and checked.

Scanning lists files and reads each image's header (a few hundred bytes), never pixel data,
so a folder larger than memory scans in seconds and an image over the pixel limit is skipped
wherever it sits. Pixels are decoded later, a few at a time, by
`automl.modalities.image_decode`. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl.data.dataset import require_column
from automl.data.loading import check_regular_file, read_table
from automl.data.task import class_name
from automl.errors import AutoMLError
from automl.modalities.image_decode import MAX_IMAGE_PIXELS, image_header

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif"}

#: Image headers that choose the size and channels; evenly spaced over the files.
HEADER_SAMPLE = 200

#: The first bytes of every format TensorFlow's `decode_image` reads.
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
_SIGNATURE_BYTES = 8

#: Pillow modes with one colour channel (with or without alpha).
_GRAY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}

_FORMATS = "JPEG, PNG, BMP or GIF"


@dataclass(frozen=True)
class ImageFolder:
    """Labelled image files ready to stream, with the size and channels the model will use.

    `files` and `labels` are aligned: grouped by class, sorted by path within a class.
    """

    root: Path
    files: tuple[str, ...]
    # Arrays do not compare as one bool; `files` already identifies the data for `==`.
    labels: np.ndarray = field(compare=False)
    class_names: tuple[str, ...]
    image_size: tuple[int, int]
    channels: int
    skipped: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Returns a JSON-ready summary (counts, not the file list).

        Example:
            >>> folder = scan_image_folder("assets/samples/digits")
            >>> folder.to_dict()["counts"]["0"], folder.to_dict()["image_size"]
            (178, [8, 8])
        """
        counts = np.bincount(self.labels, minlength=len(self.class_names))
        return {
            "root": str(self.root),
            "class_names": list(self.class_names),
            "counts": {name: int(n) for name, n in zip(self.class_names, counts, strict=True)},
            "files": len(self.files),
            "image_size": list(self.image_size),
            "channels": self.channels,
            "skipped": len(self.skipped),
            "skipped_examples": [list(entry) for entry in self.skipped[:20]],
        }


def is_image_folder(path: str | Path) -> bool:
    """Returns True when `path` is a folder whose sub-folders hold at least one image file.

    Only names directly inside the sub-folders are looked at (so the parent of an image
    folder is not one itself), and the look stops at the first image: cheap enough to call on
    whatever path a user drops in.

    Example:
        >>> is_image_folder("assets/samples/digits"), is_image_folder("assets/samples")
        (True, False)
    """
    path = Path(path)
    if not path.is_dir():
        return False
    for sub in _visible_dirs(path):
        with os.scandir(sub) as entries:
            for entry in entries:
                if (
                    not entry.name.startswith(".")
                    and Path(entry.name).suffix.lower() in IMAGE_SUFFIXES
                    and entry.is_file()
                ):
                    return True
    return False


def refuse_image_folder(path: str | Path) -> None:
    """Returns None, or raises when a path given as a table is a folder of images.

    Raises:
        AutoMLError: `path` is a folder of images, with the command that searches it.
    """
    if is_image_folder(path):
        raise AutoMLError(
            f"{path} is a folder of images, not a table: search it with "
            f"`automl search {path} --out DIR` (the desktop app opens tables for now)"
        )


def scan_image_folder(path: str | Path) -> ImageFolder:
    """Returns the labelled images in a folder of class sub-folders (the Keras convention).

    Each visible sub-folder is a class; its images may sit in nested folders. Files that are
    not images (by suffix or by their first bytes) are listed in `skipped`, hidden files are
    ignored, and files directly in `path` are not part of any class.

    Raises:
        AutoMLError: missing path, a file, no class sub-folders, a class folder without
            images, a single class, or no readable image at all.

    Example:
        >>> folder = scan_image_folder("assets/samples/digits")
        >>> len(folder.class_names), len(folder.files), folder.image_size, folder.channels
        (10, 1797, (8, 8), 1)
    """
    root = Path(path).expanduser().absolute()
    if not root.exists():
        raise AutoMLError(f"{root}: no such folder")
    if not root.is_dir():
        raise AutoMLError(
            f"{root} is a file; image data must be a folder with one sub-folder per class "
            f"(or a CSV of image paths and labels)"
        )
    class_dirs = _visible_dirs(root)
    if not class_dirs:
        loose = sum(Path(n).suffix.lower() in IMAGE_SUFFIXES for n in _walk_files(root))
        hint = (
            f" (it holds {loose} image files directly: move them into class sub-folders)"
            if loose
            else ""
        )
        raise AutoMLError(
            f"{root} has no sub-folders: expected one sub-folder per class, named after "
            f"the class{hint}"
        )

    entries: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for class_dir in class_dirs:
        names = sorted(_walk_files(class_dir))
        images = [n for n in names if Path(n).suffix.lower() in IMAGE_SUFFIXES]
        skipped += [
            (n, _suffix_reason(n)) for n in names if Path(n).suffix.lower() not in IMAGE_SUFFIXES
        ]
        if not images:
            raise AutoMLError(
                f"{root}: class folder {class_dir.name!r} has no images ({_FORMATS}); "
                f"add some or remove the folder"
            )
        entries += [(n, class_dir.name) for n in images]

    kept, skipped, sizes, modes = _check_images(entries, skipped, f"in {root}")
    found = {name for _, name in kept}
    for class_dir in class_dirs:
        if class_dir.name not in found:
            inside = [entry for entry in skipped if Path(entry[0]).is_relative_to(class_dir)]
            raise AutoMLError(
                f"{root}: class folder {class_dir.name!r} has no readable images "
                f"({_first_skipped(inside)}); add {_FORMATS} images or remove the folder"
            )
    if len(class_dirs) < 2:
        raise AutoMLError(
            f"{root} has one class folder ({class_dirs[0].name!r}); a classifier needs at "
            f"least two: add one sub-folder per class"
        )
    return _image_folder(root, kept, skipped, sizes, modes)


def load_image_csv(path: str | Path, path_column: str, label_column: str) -> ImageFolder:
    """Returns the labelled images listed in a CSV: one image path and one label per row.

    Relative paths are read from the CSV's folder. Rows whose file is missing, has no path
    or no label, or is not an image are listed in `skipped`; a path naming a device, a folder
    or a file the user cannot read is refused. Labels become text class names
    (`1.0` and `1` both read as `"1"`).

    Raises:
        AutoMLError: unreadable CSV, an unknown column (with the closest name), none of the
            paths exist, a path that is not a readable file, no readable image, or a single
            class.

    Example:
        >>> import pandas as pd
        >>> folder = scan_image_folder("assets/samples/digits")
        >>> rows = pd.DataFrame({"file": folder.files, "digit": folder.labels})
        >>> rows.to_csv("/tmp/digits.csv", index=False)
        >>> load_image_csv("/tmp/digits.csv", "file", "digit").class_names[:3]
        ('0', '1', '2')
    """
    csv_path = Path(path).expanduser().absolute()
    frame = read_table(csv_path)
    require_column(frame, path_column, "path")
    require_column(frame, label_column, "label")
    root = csv_path.parent

    entries: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    listed = 0
    for row, (file, label) in enumerate(
        zip(frame[path_column].tolist(), frame[label_column].tolist(), strict=True), start=2
    ):
        if pd.isna(file) or not str(file).strip():
            skipped.append((f"{csv_path.name} line {row}", "no path"))
            continue
        listed += 1
        full = root / Path(str(file).strip()).expanduser()
        if not full.exists():
            skipped.append((str(full), "missing file"))
            continue
        try:
            check_regular_file(full)
        except AutoMLError as error:
            # A device, a folder or a locked file named on purpose is refused, not skipped.
            raise AutoMLError(f"{csv_path} line {row}, column {path_column!r}: {error}") from None
        if pd.isna(label) or not str(label).strip():
            skipped.append((str(full), "no label"))
        elif full.suffix.lower() not in IMAGE_SUFFIXES:
            skipped.append((str(full), _suffix_reason(str(full))))
        else:
            entries.append((str(full), class_name(label).strip()))
    if listed and sum(reason == "missing file" for _, reason in skipped) == listed:
        raise AutoMLError(
            f"none of the {listed} paths in column {path_column!r} exist (relative to "
            f"{root}); give paths relative to the CSV's folder, or absolute ones"
        )
    if not entries:
        raise AutoMLError(
            f"no readable images listed in {csv_path} ({_first_skipped(skipped)}); "
            f"column {path_column!r} must name {_FORMATS} files"
        )

    kept, skipped, sizes, modes = _check_images(entries, skipped, f"listed in {csv_path}")
    classes = sorted({name for _, name in kept})
    if len(classes) < 2:
        raise AutoMLError(
            f"{csv_path}: column {label_column!r} has one class ({classes[0]!r}) among the "
            f"readable images; a classifier needs at least two"
        )
    return _image_folder(root, kept, skipped, sizes, modes)


def choose_image_size(sizes: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """Returns the (height, width) a model resizes to: the median of `sizes`, kept small.

    Each side is clipped to [8, 128] (small enough to train on a CPU) and rounded to a
    multiple of 4, so that a few 2x2 poolings divide it evenly.

    Example:
        >>> choose_image_size([(8, 8)]), choose_image_size([(480, 640), (300, 400), (28, 28)])
        ((8, 8), (128, 128))
        >>> choose_image_size([(30, 45), (34, 47), (31, 50)])
        (32, 48)
    """
    if not sizes:
        raise ValueError("choose_image_size needs at least one (height, width)")
    medians = np.median(np.asarray(sizes, dtype=np.float64).reshape(-1, 2), axis=0)
    height, width = (max(8, int(np.clip(m, 8, 128) / 4 + 0.5) * 4) for m in medians)
    return height, width


def _visible_dirs(path: Path) -> list[Path]:
    """Returns the non-hidden sub-folders of `path`, sorted by name."""
    with os.scandir(path) as entries:
        found = [Path(e.path) for e in entries if not e.name.startswith(".") and e.is_dir()]
    return sorted(found, key=lambda p: p.name)


def _walk_files(path: Path):
    """Yields the paths of non-hidden files under `path`, skipping hidden folders."""
    for folder, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield os.path.join(folder, name)


def _suffix_reason(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return f"not an image ({suffix!r} file)" if suffix else "not an image (no suffix)"


def _signature_problem(name: str) -> str | None:
    """Returns why a file is not an image by its first bytes, or None when it looks like one."""
    try:
        if not stat.S_ISREG(os.stat(name).st_mode):
            # A device (/dev/zero) never ends and a pipe may block: neither is opened.
            return "not a regular file (a device, pipe or folder)"
        with open(name, "rb") as handle:
            head = handle.read(_SIGNATURE_BYTES)
    except OSError as error:
        return f"cannot read it ({error.strerror or error})"
    if not head:
        return "empty file"
    if not head.startswith(_SIGNATURES):
        return f"its contents are not a {_FORMATS} image"
    return None


def _check_images(
    entries: list[tuple[str, str]], skipped: list[tuple[str, str]], where: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[int, int]], list[str]]:
    """Returns the entries that are images, the skipped list, and sampled sizes/modes.

    Every file's first bytes and header are read (a few hundred bytes each, never pixels),
    so an unreadable file or one over the pixel limit is skipped wherever it sits. The size
    and channels are chosen from an evenly spaced sample of `HEADER_SAMPLE` headers.
    """
    kept, headers = [], []
    skipped = list(skipped)
    for name, label in entries:
        header = _signature_problem(name) or image_header(name)
        if isinstance(header, str):
            skipped.append((name, header))
        else:
            kept.append((name, label))
            headers.append(header)
    if not kept:
        raise AutoMLError(
            f"no readable images {where} ({_first_skipped(skipped)}); images must be "
            f"{_FORMATS} files of at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels"
        )
    sample = sorted(set(np.linspace(0, len(kept) - 1, min(len(kept), HEADER_SAMPLE)).round()))
    sizes = [headers[int(i)][0] for i in sample]
    modes = [headers[int(i)][1] for i in sample]
    return kept, skipped, sizes, modes


def _image_folder(
    root: Path,
    kept: list[tuple[str, str]],
    skipped: list[tuple[str, str]],
    sizes: list[tuple[int, int]],
    modes: list[str],
) -> ImageFolder:
    """Returns the ImageFolder for checked entries: grouped by class, sorted within each."""
    class_names = tuple(sorted({label for _, label in kept}))
    index = {name: i for i, name in enumerate(class_names)}
    ordered = sorted(kept, key=lambda entry: (index[entry[1]], entry[0]))
    labels = np.array([index[label] for _, label in ordered], dtype=np.int64)
    labels.setflags(write=False)  # the dataclass is frozen; so are its labels
    channels = 1 if all(mode in _GRAY_MODES for mode in modes) else 3
    return ImageFolder(
        root=root,
        files=tuple(name for name, _ in ordered),
        labels=labels,
        class_names=class_names,
        image_size=choose_image_size(sizes),
        channels=channels,
        skipped=tuple(skipped),
    )


def _first_skipped(skipped: list[tuple[str, str]]) -> str:
    if not skipped:
        return "no files"
    name, reason = skipped[0]
    more = f", and {len(skipped) - 1} more skipped" if len(skipped) > 1 else ""
    return f"{Path(name).name}: {reason}{more}"
