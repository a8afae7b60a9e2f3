"""Resident memory of a long search, trial by trial.

    python benchmarks/memory_growth.py [--trials 30] [--workers N]

Runs one search of N trials on the penguins sample and, each time a trial ends, adds
up the resident memory (VmRSS, Linux) of every process of the search: the search
itself and its worker processes. Without `--workers` the search runs as users get it
(30 trials without a budget: one worker process); `--workers 0` keeps every trial in
the search process. Prints the series and how far the
last value is from the value after trial 3 (the target: within 20%).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PENGUINS = ROOT / "assets" / "samples" / "penguins.csv"


def tree_rss_mb(pid: int) -> float:
    """Returns the resident memory of `pid` and all its descendants, in MiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        process = int(status.parent.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(process)
        rss[process] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    total, stack = 0.0, [pid]
    while stack:
        process = stack.pop()
        total += rss.get(process, 0.0)
        stack += children.get(process, [])
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="automl-memory-") as scratch:
        command = [
            sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
            "--out", str(Path(scratch) / "memory"), "--max-trials", str(args.trials),
            "--epochs", "10", "--no-refit", "--events", "-",
        ]
        if args.workers is not None:
            command += ["--workers", str(args.workers)]
        search = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        series: list[float] = []
        for line in search.stdout:
            event = json.loads(line)
            if event["type"] in ("trial_ended", "trial_failed"):
                series.append(tree_rss_mb(search.pid))
                print(f"trial {len(series):>3}: {series[-1]:8.1f} MiB", flush=True)
        search.wait()
    if len(series) < 4:
        print("too few trials to compare")
        return 1
    base = series[2]
    drift = (series[-1] - base) / base
    peak = (max(series[2:]) - base) / base
    print(
        f"after trial 3: {base:.1f} MiB; last: {series[-1]:.1f} MiB ({drift:+.1%}); "
        f"highest after trial 3: {max(series[2:]):.1f} MiB ({peak:+.1%}); target within 20%"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
