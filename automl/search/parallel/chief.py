"""The chief of a parallel search: serves the oracle and supervises the workers.

What this adds to Keras Tuner's chief/worker mode:

- the chief never idles in Keras Tuner's 20-second exit wait: it ends as soon as its
  workers have;
- a worker that dies mid-trial is noticed (its process exits, or a remote one's
  heartbeat stops), its trial goes back to the oracle's retry queue, and a local worker is
  replaced; the retried trial goes on from its resume point;
- a local worker whose memory grew past a bound is recycled between trials;
- the workers' events are merged into the search's one log.
"""

from __future__ import annotations

import os
import socket
import sys
import time

from automl.experiment.files import write_json
from automl.search.parallel.layout import DISTRIBUTED_FILE, WORKERS_DIR
from automl.search.parallel.merger import EventMerger, UnsharedWorkers
from automl.search.parallel.pool import WorkerPool
from automl.search.parallel.servicer import serve_oracle
from automl.search.parallel.tokens import TOKEN_ENV, new_token

#: A remote worker that has not talked to the oracle for this long has lost its trial.
#: Workers beat every `HEARTBEAT_S` (10 s) even mid-epoch, so this is a dozen missed
#: beats: a dead machine or a cut network, never a long epoch. Local workers are judged
#: by their process instead.
SILENT_WORKER_S = 120.0


def supervise(
    run,
    workers: int,
    host: str = "127.0.0.1",
    port: int | None = None,
    memory_limit_mb: float | None = None,
) -> list[str]:
    """Runs the search of `run` (a SearchRun) on `workers` local processes (0: remote only).

    The oracle listens on `host` (loopback unless the user bound it wider) and answers
    only calls presenting the search's token: the request's, or a random one that local
    workers get in their environment (and a chief prints for remote ones).

    Returns notes for the user (workers lost or recycled).
    """
    state, out = run.state, run.out
    (out / WORKERS_DIR).mkdir(exist_ok=True)
    run.tuner.oracle.verbose = 0  # progress is ours to show, from the merged events
    token = run.request.token or new_token()
    server, servicer, address = serve_oracle(run.tuner.oracle, state, host, port, token)
    port = int(address.rpartition(":")[2])
    everywhere = host in ("0.0.0.0", "::", "")
    local = f"127.0.0.1:{port}" if everywhere or host == "127.0.0.1" else address
    public = f"{socket.gethostname()}:{port}" if everywhere else address
    if run.request.chief and not run.request.token:
        print(
            f"workers join with: {TOKEN_ENV}={token} automl worker --oracle {public} "
            f"--experiment {out}",
            file=sys.stderr,
            flush=True,
        )
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
    pool = WorkerPool(
        out, local, workers, max(1, cores // max(1, workers)), memory_limit_mb, gpus, token
    )
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
            for tuner_id in servicer.silent_workers(SILENT_WORKER_S, set(pool.workers)):
                trial = servicer.requeue(tuner_id)
                pool.notes.append(f"{tuner_id} fell silent; trial {trial} goes to another worker")
            if workers and not pool.running():
                break
            # Stopped with no trial out: remote workers may never call again to be told.
            idle = stopping and not run.tuner.oracle.ongoing_trials
            if not workers and (servicer.finished() or idle):
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
