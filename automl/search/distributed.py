"""Parallel search through Keras Tuner's chief/worker mode, supervised.

The chief holds the one oracle and serves it over gRPC (Keras Tuner's own servicer);
workers are ordinary searches whose oracle is a client of it. What this module adds:

- the chief never idles in Keras Tuner's 20-second exit wait: it ends as soon as its
  workers have;
- a worker that dies mid-trial is noticed (its process exits, or a remote one falls
  silent), its trial goes back to the oracle's retry queue, and a local worker is
  replaced; the retried trial goes on from its resume point;
- a local worker whose memory grew past a bound is recycled between trials;
- every worker writes its events to `workers/<id>.events.jsonl` in the experiment folder
  (shared storage for remote workers); the chief merges them, tagged with the worker,
  into the one `events.jsonl`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from automl.errors import AutoMLError
from automl.experiment.events import Event, EventLog
from automl.experiment.files import write_json
from automl.experiment.reader import parse_event

WORKERS_DIR = "workers"
DISTRIBUTED_FILE = "distributed.json"
#: A worker exits with this code when it asks to be replaced by a fresh process.
EXIT_RECYCLE = 75
#: A supervised worker exits with this code when the search that started it is gone.
EXIT_ORPHANED = 70
#: Local workers that die are replaced at most this many times in one search.
MAX_RESTARTS = 4
#: A worker that has not talked to the oracle for this long has lost its trial.
SILENT_WORKER_S = 300.0
#: Without --worker-memory, a worker is replaced once its memory grows past this multiple
#: of what it used after its third trial.
AUTO_MEMORY_GROWTH = 1.15
#: How long a worker waits for the oracle to answer before giving up.
CONNECT_TIMEOUT_S = 30.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def check_port(port: int, host: str = "0.0.0.0") -> None:
    """Raises AutoMLError when `port` cannot be served on (taken by another program)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise AutoMLError(
                f"--port {port}: the port is in use on this machine; choose another"
            ) from None


def sensible_workers(requested: int) -> tuple[int, str]:
    """Returns the workers to start and a warning ("" if none) for `--workers N`."""
    if requested < 1:
        raise AutoMLError(f"--workers must be at least 1, not {requested}")
    cores = os.cpu_count() or 1
    limit = max(2, cores)
    if requested > limit:
        return limit, (
            f"--workers {requested} is more than this machine's {cores} cores can run at "
            f"once; starting {limit}"
        )
    return requested, ""


def _servicer_class():
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer
    from keras_tuner.src.engine import trial as trial_module

    class ChiefServicer(OracleServicer):
        """Keras Tuner's servicer that also stops at the deadline and notes who is alive."""

        def __init__(self, oracle, state):
            super().__init__(oracle)
            self.state = state
            self.last_contact: dict[str, float] = {}
            self.lock = threading.Lock()
            #: trial id -> (worker, seconds from its creation to its end)
            self.ended: dict[str, tuple[str, float]] = {}
            self._created: dict[str, float] = {}

        def _touch(self, tuner_id: str) -> None:
            with self.lock:
                self.last_contact[tuner_id] = time.monotonic()

        def _tuner_of(self, trial_id: str) -> str | None:
            for tuner_id, trial in list(self.oracle.ongoing_trials.items()):
                if trial.trial_id == trial_id:
                    return tuner_id
            return None

        def CreateTrial(self, request, context):  # noqa: N802 (gRPC method name)
            self._touch(request.tuner_id)
            state = self.state
            remaining = state.deadline.remaining()
            ending = (
                state.stop_requested.is_set()
                or state.deadline.passed()
                or (remaining is not None and remaining < state.typical_startup())
            )
            if ending:
                self.stop_triggered = True
                self.oracle.tuner_ids.discard(request.tuner_id)
                trial = trial_module.Trial(
                    hyperparameters=self.oracle.hyperparameters.copy(),
                    trial_id="stop",
                    status=trial_module.TrialStatus.STOPPED,
                )
                return protos.get_service().CreateTrialResponse(trial=trial.to_proto())
            response = super().CreateTrial(request, context)
            self._created.setdefault(response.trial.trial_id, time.monotonic())
            if response.trial.status == trial_module.TrialStatus.IDLE:
                time.sleep(0.5)  # Hyperband waits for a bracket: do not spin the worker
            return response

        def UpdateTrial(self, request, context):  # noqa: N802
            tuner_id = self._tuner_of(request.trial_id)
            if tuner_id:
                self._touch(tuner_id)
            return super().UpdateTrial(request, context)

        def EndTrial(self, request, context):  # noqa: N802
            trial_id = request.trial.trial_id
            tuner_id = self._tuner_of(trial_id)
            if tuner_id:
                self._touch(tuner_id)
                began = self._created.get(trial_id, time.monotonic())
                with self.lock:
                    self.ended[trial_id] = (tuner_id, time.monotonic() - began)
            return super().EndTrial(request, context)

        def requeue(self, tuner_id: str) -> str | None:
            """Sends the trial `tuner_id` was running back for another worker; returns it."""
            oracle = self.oracle
            with oracle._lock if hasattr(oracle, "_lock") else self.lock:
                trial = oracle.ongoing_trials.pop(tuner_id, None)
                oracle.tuner_ids.discard(tuner_id)
                if trial is None:
                    return None
                oracle._retry_queue.append(trial.trial_id)
                return trial.trial_id

        def silent_workers(self, after_s: float) -> list[str]:
            now = time.monotonic()
            with self.lock:
                return [
                    tuner_id
                    for tuner_id in list(self.oracle.ongoing_trials)
                    if now - self.last_contact.get(tuner_id, now) > after_s
                ]

        def finished(self) -> bool:
            return self.stop_triggered and not self.oracle.ongoing_trials

    return ChiefServicer


def serve_oracle(oracle, state, host: str, port: int | None):
    """Starts serving `oracle`; returns (server, servicer, "host:port").

    Raises:
        AutoMLError: the port is taken.
    """
    from concurrent import futures

    import grpc
    from keras_tuner.src import protos

    servicer = _servicer_class()(oracle, state)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    port = port or free_port(host)
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError:
        bound = 0
    if not bound:
        raise AutoMLError(f"--port {port}: the port is in use on {host}; choose another")
    server.start()
    return server, servicer, f"{host}:{port}"


class EventMerger:
    """Merges the workers' event files into the search's log, tagging each worker."""

    def __init__(self, folder: Path, log: EventLog):
        self.folder = folder
        self.log = log
        #: trials already reported from the oracle (a copied folder synced back early)
        self.skip: set[str] = set()
        # A resumed search finds its earlier run's files: those events are in the log.
        self.offsets: dict[Path, int] = {
            path: path.stat().st_size for path in folder.glob("*.events.jsonl")
        }

    def poll(self) -> None:
        for path in sorted(self.folder.glob("*.events.jsonl")):
            worker = path.name.removesuffix(".events.jsonl")
            with path.open("rb") as file:
                file.seek(self.offsets.get(path, 0))
                data = file.read()
            complete = data[: data.rfind(b"\n") + 1]  # a half-written line waits
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            for line in complete.decode("utf-8", "replace").splitlines():
                event = parse_event(line)
                if event is None:
                    continue
                if getattr(event, "trial_id", None) in self.skip:
                    continue
                if hasattr(event, "worker"):
                    event = replace(event, worker=worker)
                self.log.emit(event)


class UnsharedWorkers:
    """Reports the trials of workers whose experiment folder is not shared with the chief.

    Such a worker (its folder a copy, synced back later) writes its events where the
    chief cannot read them. The oracle still knows each trial it ended: its
    hyperparameters, every epoch's metrics, its score and best epoch. Those are reported
    as the trial's events, so progress, the leaderboard and the summary stay whole; the
    weights arrive when the folder is synced back.
    """

    def __init__(self, folder: Path, oracle, log: EventLog):
        self.folder = folder
        self.oracle = oracle
        self.log = log
        self.reported: set[str] = set()
        self.synthesized: set[str] = set()
        self.workers: set[str] = set()

    def report(self, servicer) -> None:
        with servicer.lock:
            ended = dict(servicer.ended)
        for trial_id, (worker, seconds) in ended.items():
            if trial_id in self.reported:
                continue
            if (self.folder / f"{worker}.events.jsonl").exists():
                self.reported.add(trial_id)  # shared storage: the merger reports it
                continue
            for event in trial_events(self.oracle.get_trial(trial_id), worker, seconds):
                self.log.emit(event)
            self.reported.add(trial_id)
            self.synthesized.add(trial_id)
            self.workers.add(worker)

    def notes(self) -> list[str]:
        if not self.workers:
            return []
        return [
            f"{', '.join(sorted(self.workers))} did not share this folder: their trials were "
            "reported from the oracle's records; their weights come with the folder"
        ]


def trial_events(trial, worker: str, seconds: float) -> list[Event]:
    """Returns the events of an oracle's finished `trial`: start, epochs, end (or failure).

    Workers report every epoch's metrics to the oracle, so the curves survive too.
    """
    from automl.experiment.events import EpochEnded, TrialEnded, TrialFailed, TrialStarted

    values = dict(trial.hyperparameters.values)
    epochs: dict[int, dict[str, float]] = {}
    for name in trial.metrics.metrics:
        for observation in trial.metrics.get_history(name):
            epochs.setdefault(observation.step, {})[name] = float(observation.mean())
    events: list[Event] = [
        TrialStarted(trial_id=trial.trial_id, hyperparameters=values, worker=worker)
    ]
    events += [
        EpochEnded(trial_id=trial.trial_id, epoch=step + 1, metrics=epochs[step], worker=worker)
        for step in sorted(epochs)
    ]
    if trial.status != "COMPLETED" or trial.score is None:
        reason = (trial.message or "the trial produced no score").strip().splitlines()[-1]
        events.append(
            TrialFailed(
                trial_id=trial.trial_id, reason=reason, hyperparameters=values, worker=worker
            )
        )
        return events
    step = trial.best_step or 0
    events.append(
        TrialEnded(
            trial_id=trial.trial_id,
            score=float(trial.score),
            best_epoch=step + 1,
            epochs=len(epochs),
            duration_s=seconds,
            metrics=epochs.get(step, {}),
            hyperparameters=values,
            worker=worker,
        )
    )
    return events


class LocalWorker:
    """One worker process on this machine."""

    def __init__(self, tuner_id: str, command: list[str], env: dict[str, str], log: Path):
        self.tuner_id = tuner_id
        self.stderr = log.open("ab")
        # Its own session: a Ctrl-C in the terminal reaches the search alone, which
        # stops its workers itself; a worker ends when the search's pipe closes.
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.PIPE,
            stdout=self.stderr,
            stderr=self.stderr,
            start_new_session=True,
        )

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def send(self, command: str) -> None:
        try:
            self.process.stdin.write(f"{command}\n".encode())
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


class WorkerPool:
    """Starts, watches, replaces and ends the local workers of a search."""

    def __init__(
        self,
        experiment: Path,
        address: str,
        count: int,
        threads: int,
        memory_limit_mb: float | None,
        gpus: list[str],
    ):
        self.experiment = experiment
        self.address = address
        self.threads = threads
        self.memory_limit_mb = memory_limit_mb
        self.gpus = gpus
        self.workers: dict[str, LocalWorker] = {}
        self.restarts = 0
        self.notes: list[str] = []
        for i in range(count):
            self.start(f"tuner{i}")

    def start(self, tuner_id: str) -> None:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
        if self.gpus:
            # One GPU per worker by default: worker i sees GPU i (round robin).
            index = int(tuner_id.removeprefix("tuner") or 0) % len(self.gpus)
            env["CUDA_VISIBLE_DEVICES"] = self.gpus[index]
        command = [
            sys.executable,
            "-m",
            "automl",
            "worker",
            "--oracle",
            self.address,
            "--experiment",
            str(self.experiment),
            "--tuner-id",
            tuner_id,
            "--threads",
            str(self.threads),
            "--supervised",
        ]
        if self.memory_limit_mb:
            command += ["--memory-limit", str(int(self.memory_limit_mb))]
        log = self.experiment / WORKERS_DIR / f"{tuner_id}.log"
        self.workers[tuner_id] = LocalWorker(tuner_id, command, env, log)

    def running(self) -> bool:
        return any(w.process.poll() is None for w in self.workers.values())

    def check(self, servicer, more_trials: bool) -> None:
        """Replaces workers that died or asked to be recycled; requeues their trials."""
        for tuner_id, worker in list(self.workers.items()):
            code = worker.process.poll()
            if code is None or code == 0:
                continue
            worker.close()
            del self.workers[tuner_id]
            trial = servicer.requeue(tuner_id)
            if code == EXIT_RECYCLE:
                self.notes.append(f"{tuner_id} was recycled (its memory grew past the limit)")
            else:
                lost = f", trial {trial} goes to another worker" if trial else ""
                self.notes.append(f"{tuner_id} stopped unexpectedly (exit code {code}){lost}")
                print(f"warning: {self.notes[-1]}", file=sys.stderr, flush=True)
                self.restarts += 1
            if more_trials and (code == EXIT_RECYCLE or self.restarts <= MAX_RESTARTS):
                self.start(tuner_id)

    def stop(self) -> None:
        """Asks every worker to finish its epoch and stop."""
        for worker in self.workers.values():
            worker.send("stop")

    def close(self) -> None:
        for worker in self.workers.values():
            worker.close()


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
    remaining = state.deadline.remaining()
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


def worker_deadline(experiment: Path) -> float | None:
    """Returns the seconds left for the search a worker joins (None: no budget)."""
    try:
        recorded = json.loads((experiment / DISTRIBUTED_FILE).read_text())
    except (OSError, ValueError):
        return None
    deadline = recorded.get("deadline_unix")
    return None if deadline is None else max(0.0, deadline - time.time())


def current_rss_mb() -> float | None:
    """Returns this process's resident memory in MiB (Linux), or None where unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


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
) -> int:
    """Joins the search whose chief serves `oracle`, training trials until it ends.

    `supervised`: started by a local search, which writes "stop" on this process's stdin;
    stdin closing means that search is gone (killed), and this worker exits at once.

    Returns the process exit code: 0 when the search ended, `EXIT_RECYCLE` when this
    worker's memory grew past `memory_limit_mb` and it asks to be replaced.
    """
    host, port = connect(oracle, wait_s)
    if "chief" in tuner_id:
        raise AutoMLError(f"--tuner-id {tuner_id}: a worker's id may not contain 'chief'")
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
