"""The chief's wait for a best trial's weights trained in a folder it does not share."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from automl.errors import AutoMLError
from automl.experiment.fold import TrialRecord
from automl.experiment.layout import TUNER_DIR
from automl.search import kt_compat
from automl.search.state import SearchState

#: How often a chief looks for a synced-back worker's weights (seconds).
SYNC_POLL_S = 1.0


def synced_weights(
    tuner, state: SearchState, best: TrialRecord, out: Path, wait: float, notes: list[str]
) -> TrialRecord:
    """Returns the trial to export once its weights are in this folder.

    A worker whose experiment folder is a copy (synced back, not shared) leaves its
    trials' weights on its own disk until the copy comes back. The chief waits up to
    `--sync-wait` for the best trial's; past that it exports the best trial whose
    weights are here, and says so in `notes`.

    Raises:
        AutoMLError: no trial's weights reached this folder.
    """
    path = kt_compat.checkpoint_path(tuner, best.trial_id)
    if path.exists():
        return best
    print(
        f"waiting up to {wait:.0f} s for trial {best.trial_id}'s weights (trained by "
        f"{best.worker or 'a worker'} in a folder this chief does not share): copy that "
        f"worker's {TUNER_DIR}/ folder here, e.g. rsync -a WORKER:EXPERIMENT/{TUNER_DIR}/ "
        f"{out / TUNER_DIR}/",
        file=sys.stderr,
        flush=True,
    )
    give_up = time.monotonic() + wait
    size = -1
    while time.monotonic() < give_up and not state.hard_stop.is_set():
        if path.exists() and path.stat().st_size == size:
            return best  # arrived, and no longer growing
        size = path.stat().st_size if path.exists() else -1
        time.sleep(SYNC_POLL_S)
    here = [
        t
        for t in state.ranked()
        if t.status == "completed" and kt_compat.checkpoint_path(tuner, t.trial_id).exists()
    ]
    if not here:
        raise AutoMLError(
            f"no trial's weights reached {out / TUNER_DIR} within {wait:.0f} s, so "
            "nothing was exported; sync the workers' folders sooner or give a longer "
            "--sync-wait"
        )
    notes.append(
        f"trial {best.trial_id} scored best but its weights did not arrive within "
        f"{wait:.0f} s; exported trial {here[0].trial_id}, the best whose weights are here"
    )
    return here[0]
