"""Whether a search is still writing to an experiment folder, or was killed.

An experiment without `summary.json` and without a `search_ended` event is either running
or was killed (SIGKILL, a power cut), and its files alone cannot tell which. Two signs
decide, the first that applies:

1. The search lock. A search that holds `search_lock(folder)` keeps an OS file lock on
   `search.lock` for as long as its process lives; the operating system drops the lock
   when the process dies, however it dies. Lock held: running. Lock file there but free:
   interrupted, at once. (Advisory locks are unreliable on some network file systems;
   there the heartbeat still applies.)
2. The heartbeat, for folders without a lock file (a search from before the lock, or one
   writing from another machine): the newest of the last event's time and events.jsonl's
   modification time. A search writes an event at least every epoch, so silence for
   `STALE_AFTER_S` means it is gone. An epoch longer than that reads as interrupted until
   its next event arrives.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from automl.errors import AutoMLError
from automl.experiment.layout import LOCK

#: Silence after which a search without a lock file counts as interrupted.
STALE_AFTER_S = 15 * 60.0


@contextmanager
def search_lock(folder: Path, wait_s: float = 2.0) -> Iterator[None]:
    """Holds the experiment's search lock for the block: the search is alive while held.

    Raises:
        AutoMLError: another live process holds it (a search is writing to `folder`).

    Example:
        >>> with search_lock(out):
        ...     run_the_search()
    """
    handle = (Path(folder) / LOCK).open("a+", encoding="utf-8")
    give_up = time.monotonic() + wait_s
    # A reader probing the lock holds it for microseconds; retry briefly before refusing.
    while not _try_lock(handle):
        if time.monotonic() > give_up:
            handle.close()
            raise AutoMLError(
                f"another search is writing to {folder}; wait for it to end or stop it first"
            )
        time.sleep(0.05)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        _unlock(handle)
        handle.close()


def search_alive(folder: Path) -> bool | None:
    """Returns whether a live process holds the folder's search lock; None without a lock file."""
    try:
        handle = (Path(folder) / LOCK).open("r", encoding="utf-8")
    except OSError:
        return None
    with handle:
        return _locked(handle)


def unfinished_status(folder: Path, heartbeat: float | None, now: float | None = None) -> str:
    """Returns "running" or "interrupted" for a search that has not recorded its end."""
    alive = search_alive(folder)
    if alive is not None:
        return "running" if alive else "interrupted"
    if heartbeat is None:
        return "interrupted"
    now = time.time() if now is None else now
    return "running" if now - heartbeat < STALE_AFTER_S else "interrupted"


def _locked(handle: IO[str]) -> bool:
    if _try_lock(handle):
        _unlock(handle)
        return False
    return True


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
