"""The chief of a parallel search: serves the oracle and supervises the workers.

What this adds to Keras Tuner's chief/worker mode:

- the chief never idles in Keras Tuner's 20-second exit wait: it ends as soon as its
  workers have;
- a worker that dies mid-trial is noticed (its process exits, or a remote one falls
  silent), its trial goes back to the oracle's retry queue, and a local worker is
  replaced; the retried trial goes on from its resume point;
- a local worker whose memory grew past a bound is recycled between trials;
- the workers' events are merged into the search's one log.
"""

from __future__ import annotations

import os
import socket
import time

from automl.experiment.files import write_json
from automl.search.parallel.layout import DISTRIBUTED_FILE, WORKERS_DIR
from automl.search.parallel.merger import EventMerger, UnsharedWorkers
from automl.search.parallel.pool import WorkerPool
from automl.search.parallel.servicer import serve_oracle

#: A worker that has not talked to the oracle for this long has lost its trial.
SILENT_WORKER_S = 300.0


def supervise(
    run,
    workers: int,
    host: str = "127.0.0.1",
    port: int | None = None,
    memory_limit_mb: float | None = None,
) -> list[str]:
    """Runs the search of `run` (a SearchRun) on `workers` local processes (0: remote only).

    Returns notes for the user (workers lost or recycled).
    """
    state, out = run.state, run.out
    (out / WORKERS_DIR).mkdir(exist_ok=True)
    run.tuner.oracle.verbose = 0  # progress is ours to show, from the merged events
    server, servicer, address = serve_oracle(run.tuner.oracle, state, host, port)
    port = int(address.rpartition(":")[2])
    local = f"127.0.0.1:{port}"
    public = f"{socket.gethostname()}:{port}" if host in ("0.0.0.0", "") else address
    remaining = state.planner.search_time_left()
    write_json(
        out / DISTRIBUTED_FILE,
        {
            "oracle": public,
            "deadline_unix": None if remaining is None else time.time() + remaining,
            "workers": workers,
        },
    )
    merger = EventMerger(out / WORKERS_DIR, state.log)
    unshared = UnsharedWorkers(out / WORKERS_DIR, run.tuner.oracle, state.log)
    merger.skip = unshared.synthesized
    cores = os.cpu_count() or 1
    gpus = [d["id"].split(":")[1] for d in _gpus()] if workers else []
    pool = WorkerPool(out, local, workers, max(1, cores // max(1, workers)), memory_limit_mb, gpus)
    stopping = False
    try:
        while True:
            time.sleep(0.2)
            merger.poll()
            unshared.report(servicer)
            if state.stop_requested.is_set() and not stopping:
                pool.stop()
                stopping = True
            if state.hard_stop.is_set():
                break
            pool.check(servicer, more_trials=not servicer.finished() and not stopping)
            for tuner_id in servicer.silent_workers(SILENT_WORKER_S):
                trial = servicer.requeue(tuner_id)
                pool.notes.append(f"{tuner_id} fell silent; trial {trial} goes to another worker")
            if workers and not pool.running():
                break
            if not workers and servicer.finished():
                break
    finally:
        pool.close()
        server.stop(0)
        merger.poll()
        unshared.report(servicer)
    return pool.notes + unshared.notes()


def _gpus() -> list[dict]:
    from automl.devices import list_devices

    return [d for d in list_devices() if d["id"].startswith("gpu")]
