"""The one error type for mistakes a user can make and fix."""

from __future__ import annotations

import errno
import os
import traceback
from datetime import datetime
from pathlib import Path


class AutoMLError(Exception):
    """A problem with the user's input: bad file, wrong column, impossible budget.

    The message says what was wrong and what to do. The CLI prints it on one line and
    exits with code 2; the GUI shows it in a dialog. Bugs raise anything else.
    """

    exit_code = 2


def first_line(error: BaseException) -> str:
    """Returns the first line of an error's message, or its type's name when it has none.

    Library errors (pandas, PIL, NumPy) can run over many lines; a user-facing message quotes
    only the first.

    Example:
        >>> first_line(ValueError("bad value\\nat line 3"))
        'bad value'
        >>> first_line(OSError())
        'OSError'
    """
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def is_disk_full(error: BaseException) -> bool:
    """Returns True when `error` (or an error it was raised from) says the disk is full."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:  # a chain can loop back on itself
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        # h5py and TensorFlow report it in their own error types, with the C library's words.
        if "No space left on device" in str(error):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def crash_folder(experiment: Path | None = None) -> Path:
    """Returns where a crash report goes: the experiment folder when it exists, else a cache.

    The cache is `$XDG_CACHE_HOME/automl-studio` (`~/.cache/automl-studio` without it), so a
    report never lands in a folder the search did not already own.
    """
    if experiment is not None and Path(experiment).is_dir():
        return Path(experiment)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "automl-studio"


def write_crash_report(
    error: BaseException, command: list[str], experiment: Path | None = None
) -> Path | None:
    """Returns the path of a new `crash-<time>.txt` holding the command and the traceback.

    None when no folder could take it (a full disk, a read-only home): the caller still
    prints its one line.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    text = "automl " + " ".join(command) + "\n\n" + "".join(traceback.format_exception(error))
    for folder in dict.fromkeys([crash_folder(experiment), crash_folder(None)]):
        path = folder / f"crash-{stamp}.txt"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None
