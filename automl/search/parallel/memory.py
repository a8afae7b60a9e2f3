"""A process's resident memory, read where Linux reports it."""

from __future__ import annotations

from pathlib import Path

#: Without --worker-memory, a worker is replaced once its memory grows past this multiple
#: of what it used after its third trial.
AUTO_MEMORY_GROWTH = 1.15


def rss_mb(pid: int | str = "self") -> float | None:
    """Returns the resident memory of process `pid` (this one by default) in MiB, or None.

    None where it is unknown: not Linux, or the process is gone.

    Example:
        >>> rss_mb() is None or rss_mb() > 0
        True
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None
