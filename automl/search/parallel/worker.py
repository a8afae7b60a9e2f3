"""A worker process: joins the search whose chief serves the oracle and trains trials."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from automl.errors import AutoMLError
from automl.experiment.events import EventLog
from automl.search.parallel.layout import (
    EXIT_ORPHANED,
    EXIT_RECYCLE,
    WORKERS_DIR,
    worker_deadline,
)

#: How long a worker waits for the oracle to answer before giving up.
CONNECT_TIMEOUT_S = 30.0


def connect(address: str, wait_s: float = CONNECT_TIMEOUT_S) -> tuple[str, str]:
    """Checks the oracle at HOST:PORT answers within `wait_s`; returns (host, port).

    Raises:
        AutoMLError: a malformed address, or no answer in time.
    """
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise AutoMLError(f"--oracle {address}: write HOST:PORT, e.g. 10.0.0.5:8000")
    import grpc

    channel = grpc.insecure_channel(address)
    try:
        grpc.channel_ready_future(channel).result(timeout=wait_s)
    except grpc.FutureTimeoutError:
        raise AutoMLError(
            f"--oracle {address}: no chief answered within {wait_s:.0f} s; is "
            "`automl search ... --chief` running there, and is the port open?"
        ) from None
    finally:
        channel.close()
    return host, port


def run_worker(
    experiment: Path,
    oracle: str,
    tuner_id: str,
    *,
    threads: int | None = None,
    memory_limit_mb: float | None = None,
    data: Path | None = None,
    force: bool = False,
    wait_s: float = CONNECT_TIMEOUT_S,
    supervised: bool = False,
    token: str | None = None,
) -> int:
    """Joins the search whose chief serves `oracle`, training trials until it ends.

    `token`: the chief's secret, presented with every call (see `parallel.auth`).

    `supervised`: started by a local search, which writes "stop" on this process's stdin;
    stdin closing means that search is gone (killed), and this worker exits at once.

    Returns the process exit code: 0 when the search ended, `EXIT_RECYCLE` when this
    worker's memory grew past `memory_limit_mb` and it asks to be replaced.
    """
    host, port = connect(oracle, wait_s)
    if "chief" in tuner_id:
        raise AutoMLError(f"--tuner-id {tuner_id}: a worker's id may not contain 'chief'")
    from automl.search.parallel.auth import Heartbeat, authenticated_channel, check_token

    check_token(oracle, token, tuner_id, wait_s)
    os.environ.update(
        KERASTUNER_TUNER_ID=tuner_id, KERASTUNER_ORACLE_IP=host, KERASTUNER_ORACLE_PORT=port
    )
    from automl.search.budget import Deadline
    from automl.search.resume import load_experiment
    from automl.search.run import prepare

    experiment = Path(experiment)
    request, _ = load_experiment(experiment, force, data=data)
    prepared = prepare(request)
    import tensorflow as tf

    if threads:
        # Several workers share the cores: each keeps to its share instead of all fighting.
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(min(2, threads))
    from automl.search import kt_compat
    from automl.search.training import SearchRun

    (experiment / WORKERS_DIR).mkdir(exist_ok=True)
    log = EventLog(experiment / WORKERS_DIR / f"{tuner_id}.events.jsonl")
    try:
        run = SearchRun(
            request, prepared, experiment, log, Deadline(worker_deadline(experiment)), worker=True
        )
        run.state.memory_limit_mb = memory_limit_mb
        run.state.auto_memory_limit = memory_limit_mb is None
        threading.Thread(target=_follow_stdin, args=(run.state, supervised), daemon=True).start()
        kt_compat.use_channel(run.tuner, authenticated_channel(oracle, token, tuner_id))
        with Heartbeat(oracle, token, tuner_id):
            status, _ = run.search()
    finally:
        log.close()
    return EXIT_RECYCLE if status == "recycle" else 0


def _follow_stdin(state, supervised: bool) -> None:
    for line in sys.stdin:
        if line.strip().lower() == "stop":
            state.request_stop()
    if supervised:
        # The search that started this worker is gone: nobody will take this trial's
        # result. Its resume point (written atomically) is what `automl resume` uses.
        os._exit(EXIT_ORPHANED)
