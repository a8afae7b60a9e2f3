"""Where a parallel search keeps its files, and how its worker processes exit."""

from __future__ import annotations

import json
import time
from pathlib import Path

#: The experiment's folder of worker logs and event files.
WORKERS_DIR = "workers"
#: The chief's address and deadline, for workers joining the search.
DISTRIBUTED_FILE = "distributed.json"
#: A worker exits with this code when it asks to be replaced by a fresh process.
EXIT_RECYCLE = 75
#: A supervised worker exits with this code when the search that started it is gone.
EXIT_ORPHANED = 70


def worker_deadline(experiment: Path) -> float | None:
    """Returns the seconds left for the search a worker joins (None: no budget)."""
    try:
        recorded = json.loads((experiment / DISTRIBUTED_FILE).read_text())
    except (OSError, ValueError):
        return None
    deadline = recorded.get("deadline_unix")
    return None if deadline is None else max(0.0, deadline - time.time())
