"""NumPy `.npy`/`.npz` headers checked against the bytes the file holds, before loading.

A header can declare any shape; NumPy allocates what it declares before reading a byte of
data, so a few hundred bytes could ask for terabytes. Reading the headers first costs
nothing and refuses such a file with one line.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

import numpy as np

from automl.errors import AutoMLError, first_line


def check_numpy_file(path: str | Path) -> None:
    """Returns None, or raises when an array's header declares more data than the file holds.

    `.npz` members are compared with their uncompressed size in the archive's directory;
    a `.npy` with the file's size. Files that are not NumPy files are left to the loader,
    which says so.

    Raises:
        AutoMLError: a declared shape needs more bytes than are there (or overflows).

    Example:
        >>> check_numpy_file("assets/samples/shapes.npz")
    """
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    if member.filename.endswith(".npy"):
                        with archive.open(member) as handle:
                            _check_header(
                                handle, member.file_size, f"{path}: array {member.filename[:-4]!r}"
                            )
        elif path.suffix.lower() == ".npy":
            with path.open("rb") as handle:
                _check_header(handle, path.stat().st_size, str(path))
    except (OSError, zipfile.BadZipFile, EOFError):
        return  # unreadable: np.load reports it with its own message


def _check_header(handle: IO[bytes], stored: int, where: str) -> None:
    """Raises AutoMLError when `handle`'s header declares more than `stored` bytes hold.

    `stored` counts the header too; what follows it is the array's data.
    """
    try:
        version = np.lib.format.read_magic(handle)
        reader = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = reader(handle, max_header_size=10_000)
    except ValueError as error:
        if "pickle" in str(error) or "magic" in str(error).lower():
            return  # an object array or not an array: the loader refuses it in its words
        raise AutoMLError(f"{where}: its header is damaged ({first_line(error)})") from None
    declared = int(np.prod([int(n) for n in shape], dtype=object)) * dtype.itemsize
    stored -= handle.tell()  # the data follows the header
    if declared > stored:
        raise AutoMLError(
            f"{where} declares shape {tuple(shape)} of {dtype} ({declared:,} bytes), but the "
            f"file holds {stored:,} bytes: it is damaged or not what it claims"
        )
