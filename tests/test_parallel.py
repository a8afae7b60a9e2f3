"""Parallel search: a chief and worker processes over loopback, a worker killed mid-trial."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.conftest import PENGUINS, run_cli


def _worker_pid(tuner_id: str) -> int | None:
    found = subprocess.run(
        ["pgrep", "-f", f"automl worker .*--tuner-id {tuner_id} "],
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
                    pid = _worker_pid(event["worker"])
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
        "--workers", "0", "--chief", "--port", "70000",
    )
    assert done.returncode == 2 and "--port 70000" in done.stderr
    started = time.monotonic()
    done = run_cli(
        "worker", "--oracle", "127.0.0.1:9", "--experiment", str(tmp_path / "nowhere"),
        timeout=120,
    )
    assert done.returncode == 2 and "no chief answered" in done.stderr
    assert time.monotonic() - started < 60
    done = run_cli("worker", "--oracle", "nonsense", "--experiment", str(tmp_path))
    assert done.returncode == 2 and "HOST:PORT" in done.stderr
