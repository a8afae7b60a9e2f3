"""The local worker processes of a search: started, watched, replaced and ended."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from automl.child_command import engine_command
from automl.errors import AutoMLError
from automl.search.parallel.layout import EXIT_RECYCLE, WORKERS_DIR
from automl.search.parallel.tokens import TOKEN_ENV

#: Local workers that die are replaced at most this many times in one search.
MAX_RESTARTS = 4


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
        token: str,
    ):
        self.experiment = experiment
        self.token = token
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
        # The token travels in the environment, which only this user can read; a
        # command line is shown to everyone by `ps`.
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", TOKEN_ENV: self.token}
        if self.gpus:
            # One GPU per worker by default: worker i sees GPU i (round robin).
            index = int(tuner_id.removeprefix("tuner") or 0) % len(self.gpus)
            env["CUDA_VISIBLE_DEVICES"] = self.gpus[index]
        command = [
            *engine_command("worker"),
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
