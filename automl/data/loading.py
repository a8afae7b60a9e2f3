"""Reads a data file (CSV/TSV, Parquet, Excel, Feather) into a pandas DataFrame."""

from __future__ import annotations

import csv
import hashlib
import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from automl.errors import AutoMLError, first_line

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
FEATHER_SUFFIXES = {".feather", ".arrow"}
SUPPORTED = sorted(TEXT_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES | FEATHER_SUFFIXES)

_SNIFF_BYTES = 64 * 1024


def read_table(path: str | Path, progress: Callable[[float], None] | None = None) -> pd.DataFrame:
    """Returns the table in `path`, its format chosen by suffix and its delimiter sniffed.

    `progress`, if given, is called with the share of a text file read so far (0 to 1);
    whatever it raises (a cancellation) stops the reading and is raised from here.

    Raises:
        AutoMLError: the file is missing, empty, binary where text was expected, or
            not a table pandas can read.

    Example:
        >>> frame = read_table("assets/samples/penguins.csv")
        >>> frame.shape
        (344, 8)
    """
    path = Path(path)
    if not path.exists():
        raise AutoMLError(f"{path}: no such file")
    if path.is_dir():
        # A folder of images gets its own message from the image room (refuse_image_folder).
        raise AutoMLError(f"{path} is a folder; tabular data must be a single file")
    check_regular_file(path)
    if path.stat().st_size == 0:
        raise AutoMLError(f"{path} is empty")
    suffix = path.suffix.lower()
    try:
        if suffix in PARQUET_SUFFIXES:
            frame = pd.read_parquet(path)
        elif suffix in FEATHER_SUFFIXES:
            frame = pd.read_feather(path)
        elif suffix in EXCEL_SUFFIXES:
            frame = pd.read_excel(path)
            header = list(pd.read_excel(path, header=None, nrows=1).iloc[0]) if len(frame) else []
        else:
            frame, header = _read_delimited(path, progress)
    except AutoMLError:
        raise
    except _READ_ERRORS as error:
        raise AutoMLError(f"{path}: cannot read it as a table ({first_line(error)})") from error
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise AutoMLError(f"{path} has no data rows")
    if suffix in PARQUET_SUFFIXES | FEATHER_SUFFIXES:
        header = list(frame.columns)  # these formats keep names as written
    _refuse_duplicate_names(path, header)
    frame.columns = [str(name).strip() for name in frame.columns]
    _refuse_nested_values(path, frame)
    return frame


#: What pandas and its engines raise for a file that is not the table its suffix says:
#: a truncated `.xlsx` is a broken zip (BadZipFile) or misses a part (KeyError, EOFError).
_READ_ERRORS = (
    ValueError,
    OSError,
    UnicodeError,
    pd.errors.ParserError,
    ImportError,
    zipfile.BadZipFile,
    KeyError,
    EOFError,
)


def check_regular_file(path: Path) -> None:
    """Returns None, or raises when `path` is a device, a pipe or a file the user cannot read.

    A device such as /dev/zero never ends and a pipe can block forever: neither is opened.

    Raises:
        AutoMLError: `path` is not a regular file, or reading it is not permitted.
    """
    try:
        mode = path.stat().st_mode
        if stat.S_ISREG(mode):
            with path.open("rb"):
                return
    except PermissionError:
        raise AutoMLError(f"{path}: permission denied (you cannot read this file)") from None
    except OSError as error:
        raise AutoMLError(f"{path}: cannot open it ({error.strerror or error})") from None
    what = "a folder" if stat.S_ISDIR(mode) else "a device or pipe, not a regular file"
    raise AutoMLError(f"{path} is {what}")


def _refuse_duplicate_names(path: Path, header: list) -> None:
    """Raises AutoMLError when two column names are the same once spaces are trimmed.

    pandas renames a repeated name to `name.1`, which hides the clash; the header as written
    is compared instead.
    """
    seen: set[str] = set()
    for name in header:
        if isinstance(name, float) and name != name:
            continue  # an empty header cell: pandas names it "Unnamed: N"
        trimmed = str(name).strip()
        if trimmed in seen:
            raise AutoMLError(
                f"{path}: column name {trimmed!r} appears more than once (spaces around "
                f"names are ignored); rename one of them"
            )
        seen.add(trimmed)


def _refuse_nested_values(path: Path, frame: pd.DataFrame) -> None:
    """Raises AutoMLError when a column holds lists or records (Parquet's nested types)."""
    for name in frame.columns:
        if not pd.api.types.is_object_dtype(frame[name].dtype):
            continue
        first = frame[name].first_valid_index()
        value = None if first is None else frame[name].loc[first]
        if isinstance(value, list | tuple | dict | set | np.ndarray):
            raise AutoMLError(
                f"{path}: column {name!r} holds lists or records "
                f"({type(value).__name__}), not single values; flatten it into columns or "
                f"drop it"
            )


def _read_delimited(
    path: Path, progress: Callable[[float], None] | None
) -> tuple[pd.DataFrame, list]:
    """Returns the table in a text file and its header row as written (before renaming)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    encoding = _detect_encoding(head, whole_file=len(head) < _SNIFF_BYTES)
    if encoding is None:
        raise AutoMLError(
            f"{path} does not look like a text table (it contains binary data); "
            f"supported formats: {', '.join(SUPPORTED)}"
        )
    text = head.decode(encoding, errors="ignore")
    if not text.strip():
        raise AutoMLError(f"{path} is empty")
    delimiter = _sniff_delimiter(text, path.suffix.lower())
    try:
        frame = _read_csv(path, delimiter, encoding, progress)
    except UnicodeDecodeError:
        # The sniffed block was UTF-8 but a later byte is not: a Windows-1252 file.
        encoding = "cp1252"
        frame = _read_csv(path, delimiter, encoding, progress)
    header = pd.read_csv(
        path, sep=delimiter, encoding=encoding, header=None, nrows=1, dtype=str
    ).iloc[0]
    return frame, list(header)


def _read_csv(
    path: Path, delimiter: str, encoding: str, progress: Callable[[float], None] | None
) -> pd.DataFrame:
    """Returns the delimited text file at `path`, reporting the share read to `progress`."""
    if progress is None:
        return pd.read_csv(path, sep=delimiter, encoding=encoding, skipinitialspace=True)
    with path.open("rb") as raw:
        source = _ReportingFile(raw, path.stat().st_size, progress)
        return pd.read_csv(source, sep=delimiter, encoding=encoding, skipinitialspace=True)


class _ReportingFile(io.RawIOBase):
    """A binary file that reports the share of its bytes read to `progress`."""

    def __init__(self, raw: io.BufferedReader, size: int, progress: Callable[[float], None]):
        super().__init__()
        self._raw, self._size, self._progress, self._read = raw, max(size, 1), progress, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        self._read += count or 0
        self._progress(min(1.0, self._read / self._size))
        return count


def _detect_encoding(head: bytes, whole_file: bool) -> str | None:
    """Returns the text encoding of `head`, or None when the bytes are binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sniffed block is still UTF-8.
        if not whole_file and error.start >= len(head) - 3:
            return "utf-8"
    # Latin-1 decodes anything, so first make sure the bytes are mostly printable.
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 160 for b in head)
    return "cp1252" if printable / max(len(head), 1) > 0.95 else None


def _sniff_delimiter(text: str, suffix: str) -> str:
    if suffix in {".tsv", ".tab"}:
        return "\t"
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def file_sha256(path: str | Path) -> str:
    """Returns the SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
