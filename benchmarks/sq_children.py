"""search_quality's children: each system runs on one data set in its own process; the parent
collects their rows."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np
from sq_autokeras import worker_autokeras
from sq_baselines import worker_baselines
from sq_keras_tuner import worker_keras_tuner
from sq_ours import worker_ours
from sq_reference import worker_reference
from sq_sets import BenchmarkSet

#: A child that outlives its budget by this much (plus 2x the budget) is killed.
CHILD_GRACE_S = 300
#: The AutoKeras row's note when it cannot run here; the summary prints the whole reason.
AUTOKERAS_SHORT = "could not run here: AutoKeras 3 needs Keras < 3.13 (see the summary)"


WORKERS = {
    "ours": worker_ours,
    "keras_tuner": worker_keras_tuner,
    "reference": worker_reference,
    "baselines": worker_baselines,
    "autokeras": worker_autokeras,
}


def worker_main(system: str, job_path: Path) -> NoReturn:
    """A child's entry point: runs one system on one data set, writes its row as JSON."""
    job = json.loads(job_path.read_text())
    try:
        row = WORKERS[system](job)
    except BaseException as error:  # the parent reports it in the table
        traceback.print_exc()
        message = str(error).strip().splitlines()
        row = {"error": f"{type(error).__name__}: {message[-1] if message else ''}"[:300]}
        if isinstance(error, KeyboardInterrupt):
            raise
    Path(job["result"]).write_text(json.dumps(row, default=json_default))
    sys.stdout.flush()
    sys.stderr.flush()
    # Tearing TensorFlow down takes seconds on a busy machine, and the row is written.
    os._exit(0)


def json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def run_child(system: str, job: dict, out: Path, python: str | None = None) -> dict:
    """Runs `system` on one data set in a child process; returns its row (or its error)."""
    name = job["set"]["name"]
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    job_path = logs / f"{name}.{system}.job.json"
    job["result"] = str(logs / f"{name}.{system}.result.json")
    Path(job["result"]).unlink(missing_ok=True)
    job_path.write_text(json.dumps(job))
    log_path = logs / f"{name}.{system}.log"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    if system == "baselines":
        # HistGradientBoosting's OpenMP threads spin-wait on a shared 2-core machine: one
        # thread fit the 16x16 images in 13 s where two took 54 s (load average 4).
        env["OMP_NUM_THREADS"] = "1"
    # The child is the script itself, with its hidden --worker option.
    script = Path(__file__).with_name("search_quality.py")
    command = [python or sys.executable, str(script), "--worker", system, str(job_path)]
    timeout = 2 * job["budget_s"] + CHILD_GRACE_S
    print(f"[{name}] {system}: running (log {log_path})", file=sys.stderr, flush=True)
    began = time.monotonic()
    with open(log_path, "w") as log:
        try:
            subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return {"error": f"killed after {timeout:.0f} s (see {log_path})"}
    wall = time.monotonic() - began
    if not Path(job["result"]).exists():
        tail = log_path.read_text().strip().splitlines()[-3:]
        return {"error": f"the child wrote no result: {' | '.join(tail)}"}
    row = json.loads(Path(job["result"]).read_text())
    row["child_s"] = round(wall, 1)
    print(f"[{name}] {system}: done in {wall:.0f} s", file=sys.stderr, flush=True)
    return row


@dataclass
class SetResult:
    """Every system's row on one data set."""

    bset: BenchmarkSet
    rows: dict = field(default_factory=dict)  # system -> row


def benchmark_set(bset: BenchmarkSet, args: argparse.Namespace) -> SetResult:
    """Runs every chosen system on `bset`: ours first (its split is everyone's)."""
    work = args.out / bset.name
    job = {
        "set": asdict(bset),
        "budget_s": args.budget_s,
        "seed": args.seed,
        "experiment": str(work / "ours"),
    }
    result = SetResult(bset)
    for system in args.systems:
        if system == "autokeras" and args.autokeras_python is None:
            result.rows[system] = {"error": AUTOKERAS_SHORT}
            continue
        child_job = dict(job, work=str(work / system))
        python = args.autokeras_python if system == "autokeras" else None
        result.rows[system] = run_child(system, child_job, args.out, python)
    return result
