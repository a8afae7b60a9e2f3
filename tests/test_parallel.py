"""Parallel search: a chief and worker processes over loopback, a worker killed mid-trial."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.conftest import PENGUINS, run_cli


def _worker_pid(experiment, tuner_id: str) -> int | None:
    found = subprocess.run(
        ["pgrep", "-f", f"automl worker .*--experiment {experiment} --tuner-id {tuner_id} "],
        capture_output=True,
        text=True,
    )
    pids = [int(p) for p in found.stdout.split()]
    return pids[0] if pids else None


def test_two_workers_finish_the_search_when_one_is_killed_mid_trial(tmp_path):
    out = tmp_path / "parallel"
    search = subprocess.Popen(
        [
            sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
            "--out", str(out), "--workers", "2", "--max-trials", "4", "--epochs", "25",
            "--patience", "25", "--checkpoint-every", "0", "--seed", "3",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    killed = None
    try:
        give_up = time.monotonic() + 300
        while killed is None and time.monotonic() < give_up and search.poll() is None:
            time.sleep(0.2)
            events = out / "events.jsonl"
            if not events.exists():
                continue
            for line in events.read_text().splitlines():
                event = json.loads(line)
                if event["type"] == "epoch_ended" and event["epoch"] >= 3 and event.get("worker"):
                    pid = _worker_pid(out, event["worker"])
                    if pid:
                        os.kill(pid, signal.SIGKILL)
                        killed = (event["worker"], event["trial_id"])
                    break
        _, stderr = search.communicate(timeout=600)
    finally:
        search.kill()
    assert killed is not None, "no worker could be killed during a trial"
    assert search.returncode == 0, stderr[-3000:]
    assert f"{killed[0]} stopped unexpectedly" in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trials"] == {"completed": 4, "failed": 0}
    assert sorted(t["trial_id"] for t in summary["leaderboard"]) == ["0", "1", "2", "3"]
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    ended = [e for e in events if e["type"] == "trial_ended"]
    assert {e["worker"] for e in ended} <= {"tuner0", "tuner1"}
    # The killed worker's trial was taken up again and finished.
    assert killed[1] in {e["trial_id"] for e in ended}
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5


def test_bad_parallel_options_get_one_line_and_exit_2(tmp_path):
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(tmp_path / "a"),
        "--chief", "--port", "70000",
    )
    assert done.returncode == 2 and "--port 70000" in done.stderr
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(tmp_path / "b"),
        "--workers", "-1",
    )
    assert done.returncode == 2 and "--workers" in done.stderr
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(tmp_path / "s"),
        "--chief", "--sync-wait", "-5",
    )
    assert done.returncode == 2 and "--sync-wait must be 0 or more" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "s").exists()
    import socket

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli(
            "search", str(PENGUINS), "--target", "species", "--out", str(tmp_path / "c"),
            "--chief", "--port", str(port),
        )
    assert done.returncode == 2 and "in use" in done.stderr
    assert not (tmp_path / "c").exists()
    started = time.monotonic()
    done = run_cli(
        "worker", "--oracle", "127.0.0.1:9", "--experiment", str(tmp_path / "nowhere"),
        "--wait", "3", timeout=120,
    )
    assert done.returncode == 2 and "no chief answered within 3 s" in done.stderr
    assert time.monotonic() - started < 30
    done = run_cli("worker", "--oracle", "nonsense", "--experiment", str(tmp_path))
    assert done.returncode == 2 and "HOST:PORT" in done.stderr


def test_an_out_of_memory_trial_is_retried_with_half_the_batch(tmp_path):
    """A HyperModel that runs out of memory above batch 16 (a fake device limit)."""
    import keras
    import keras_tuner
    import numpy as np
    import tensorflow as tf

    from automl.experiment.events import EventLog
    from automl.experiment.reader import read_events
    from automl.search.budget import Deadline
    from automl.search.budget_planner import BudgetPlanner
    from automl.search.state import SearchState
    from automl.search.tuners import make_tuner

    class Greedy(keras_tuner.HyperModel):
        def build(self, hp):
            model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
            model.compile("adam", "mse")
            return model

        def fit(self, hp, model, x, y, **kwargs):
            batch = hp.Choice("batch_size", [64])
            if batch > 16:
                raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating")
            return model.fit(x, y, batch_size=batch, **kwargs)

    log = EventLog(tmp_path / "events.jsonl")
    state = SearchState(log, BudgetPlanner(Deadline(None)))
    tuner = make_tuner(
        "random",
        Greedy(),
        objective=keras_tuner.Objective("val_loss", "min"),
        max_trials=1,
        max_epochs=1,
        directory=str(tmp_path),
        seed=0,
        search_state=state,
    )
    x = np.zeros((32, 2), "float32")
    tuner.search(x, x[:, :1], validation_data=(x, x[:, :1]), epochs=1, verbose=0)
    log.close()
    events = read_events(tmp_path / "events.jsonl")
    retried = [e for e in events if e.type == "trial_failed"]
    # 64 -> 32 still fails: the trial is then failed with the reason, and the search goes on.
    assert retried[0].retrying and "batch size 32" in retried[0].reason
    assert state.trials["0"].status == "failed"
    assert "OOM" in state.trials["0"].reason or "memory" in state.trials["0"].reason.lower()


def test_too_many_workers_are_capped_with_a_warning():
    from automl.errors import AutoMLError
    from automl.search.parallel.pool import sensible_workers

    count, warning = sensible_workers(99)
    assert count == max(2, os.cpu_count() or 1) and "starting" in warning
    assert sensible_workers(1) == (1, "")
    try:
        sensible_workers(0)
    except AutoMLError as error:
        assert "at least 1" in str(error)
    else:
        raise AssertionError("--workers 0 was accepted")


def test_mixed_precision_on_a_cpu_warns_and_trains_in_float32(tmp_path):
    out = tmp_path / "mixed"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--max-trials", "1", "--epochs", "1", "--precision", "mixed", "--jit",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "--precision mixed needs a GPU" in done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert any("needs a GPU" in note for note in summary["notes"])


def test_a_worker_past_its_memory_bound_is_recycled_between_trials(tmp_path):
    out = tmp_path / "recycled"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--workers", "1", "--max-trials", "2", "--epochs", "2", "--worker-memory", "1",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trials"] == {"completed": 2, "failed": 0}
    assert any("recycled" in note for note in summary["notes"])


def test_a_long_search_trains_in_a_worker_process_unless_told_otherwise():
    from pathlib import Path

    from automl.search.request import SearchRequest

    def request(**options) -> SearchRequest:
        return SearchRequest(data=Path("d.csv"), target="y", out=Path("o"), **options)

    assert request(time_budget_s=600).workers == 1
    assert request(time_budget_s=600).isolated_by_default
    assert request(time_budget_s=599).workers == 0
    assert request(max_trials=20).workers == 1  # no budget: many trials are a long search
    assert request(max_trials=19).workers == 0
    assert request(time_budget_s=3600, workers=0).workers == 0  # --workers 0 is honoured
    assert request(time_budget_s=3600, workers=3).workers == 3
    assert request(time_budget_s=3600, chief=True).workers == 0  # remote workers only
    recorded = request(time_budget_s=900).to_dict()
    assert SearchRequest.from_dict(recorded).workers == 1  # a resume keeps the choice


def test_a_ten_minute_search_runs_its_trials_in_one_worker(tmp_path):
    out = tmp_path / "isolated"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--time-budget", "10m", "--max-trials", "2", "--epochs", "3", "--no-refit",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trials"] == {"completed": 2, "failed": 0}
    assert any("worker process apart from the search" in n for n in summary["notes"])
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert {e.get("worker") for e in events if e["type"] == "trial_ended"} == {"tuner0"}
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5


def test_a_killed_isolated_search_takes_its_worker_down_and_resumes(tmp_path):
    out = tmp_path / "killed"
    search = subprocess.Popen(
        [
            sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
            "--out", str(out), "--time-budget", "10m", "--max-trials", "3", "--epochs", "25",
            "--no-cv",  # a resume point mid-trial: cross-validated trials restart instead
            "--patience", "25", "--checkpoint-every", "0", "--seed", "5", "--no-refit",
            "--events", "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    killed_at = None
    try:
        for line in search.stdout:
            event = json.loads(line)
            if event["type"] == "epoch_ended" and event["trial_id"] == "1" and event["epoch"] >= 4:
                state = out / "tuner" / "trial_1" / "resume" / "state.json"
                if state.exists():
                    assert event["worker"] == "tuner0"  # the trial trains in the worker
                    os.kill(search.pid, signal.SIGKILL)
                    killed_at = json.loads(state.read_text())["epoch"]
                    break
    finally:
        search.kill()
        search.wait(timeout=60)
    assert killed_at is not None, "the search ended before it could be killed"
    # The worker notices its search is gone (its stdin closes) and exits.
    give_up = time.monotonic() + 30
    while _worker_pid(out, "tuner0") and time.monotonic() < give_up:
        time.sleep(0.5)
    assert _worker_pid(out, "tuner0") is None, "the worker outlived its search"

    done = run_cli("resume", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trials"] == {"completed": 3, "failed": 0}
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    restarted = [e for e in events if e["type"] == "trial_started" and e["trial_id"] == "1"]
    assert restarted[-1]["resumed_from_epoch"] >= killed_at >= 3


def test_a_worker_in_a_copied_folder_is_reported_and_its_weights_awaited(tmp_path):
    import shutil

    from automl.search.parallel.ports import free_port

    chief_dir, copy_dir = tmp_path / "chief", tmp_path / "worker-copy"
    port = free_port()
    log = (tmp_path / "chief.err").open("w")
    # The chief and its worker share a secret, given in the environment.
    env = {**os.environ, "AUTOML_TOKEN": "shared-secret"}
    chief = subprocess.Popen(
        [
            sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
            "--out", str(chief_dir), "--chief", "--port", str(port), "--workers", "0",
            "--max-trials", "2", "--epochs", "3", "--no-refit", "--sync-wait", "300",
        ],
        stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        give_up = time.monotonic() + 120
        while not (chief_dir / "distributed.json").exists() and time.monotonic() < give_up:
            time.sleep(0.2)
        # The worker's machine gets a copy of the experiment, not a share of it.
        shutil.copytree(chief_dir, copy_dir, ignore=shutil.ignore_patterns("search.lock"))
        worker = run_cli(
            "worker", "--oracle", f"127.0.0.1:{port}", "--experiment", str(copy_dir),
            "--tuner-id", "remote1", env=env,
        )  # fmt: skip
        assert worker.returncode == 0, worker.stderr[-3000:]
        waiting = tmp_path / "chief.err"
        while "waiting up to" not in waiting.read_text() and time.monotonic() < give_up + 120:
            time.sleep(0.2)
        assert "waiting up to 300 s for trial" in waiting.read_text()
        # Synced back: only then can the chief export the best trial.
        shutil.copytree(copy_dir / "tuner", chief_dir / "tuner", dirs_exist_ok=True)
        chief.wait(timeout=300)
    finally:
        chief.kill()
        log.close()
    assert chief.returncode == 0, (tmp_path / "chief.err").read_text()[-3000:]
    summary = json.loads((chief_dir / "summary.json").read_text())
    assert summary["trials"] == {"completed": 2, "failed": 0}
    assert any("remote1 did not share this folder" in n for n in summary["notes"])
    events = [json.loads(line) for line in (chief_dir / "events.jsonl").read_text().splitlines()]
    ended = [e for e in events if e["type"] == "trial_ended"]
    assert {e["worker"] for e in ended} == {"remote1"} and len(ended) == 2
    assert len([e for e in events if e["type"] == "epoch_ended"]) >= 2  # curves from the oracle
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5
