"""Trials completed per minute: one process against a chief with worker processes.

    python benchmarks/parallel_scaling.py [--budget 5m] [--workers 2]

Both runs search the penguins sample with the same request and the same time budget,
timed from command start to exit (start-up, search, refit and export included), as
`automl search` runs them. The parallel run starts a chief and N workers over loopback,
each worker limited to its share of the cores (one intra-op thread each on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PENGUINS = ROOT / "assets" / "samples" / "penguins.csv"


def run(out: Path, budget: str, workers: int) -> dict:
    command = [
        sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
        "--out", str(out), "--time-budget", budget, "--max-trials", "1000", "--epochs", "30",
        "--no-refit",
    ]
    command += ["--workers", str(workers)]  # 0: every trial in the search process
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"search failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text())
    trials = summary["trials"]["completed"]
    return {
        "trials": trials,
        "wall_s": wall,
        "per_minute": trials / (wall / 60),
        "best": summary["best_trial"]["score"],
        "test_accuracy": summary["test_metrics"].get("accuracy"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="5m")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="automl-scaling-") as scratch:
        single = run(Path(scratch) / "single", args.budget, 0)
        print(f"single process: {single}", flush=True)
        parallel = run(Path(scratch) / "parallel", args.budget, args.workers)
        print(f"chief + {args.workers} workers: {parallel}", flush=True)
    print()
    print(f"{'':<22} {'trials':>7} {'wall s':>7} {'trials/min':>11} {'test acc':>9}")
    for label, row in (("single process", single), (f"{args.workers} workers", parallel)):
        print(
            f"{label:<22} {row['trials']:>7} {row['wall_s']:>7.0f} {row['per_minute']:>11.2f} "
            f"{row['test_accuracy']:>9.4f}"
        )
    print(f"speed-up: {parallel['per_minute'] / single['per_minute']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
