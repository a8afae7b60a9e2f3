"""How far past its time budget a search ends, as a user at the prompt sees it.

Issue 13 asks a 3-minute search on a 150-row table to run well over 10 trials and end
within 10 s of its deadline. Each run here is `automl search` on a generated table (the
training files of `table_variants.py`), timed from starting the command to its exit; the
row splits the time after the search into choosing the model (`choosing_s` of the
`search_ended` event) and the export (`timing.export_s`).

Usage:
    python benchmarks/deadline_overrun.py --sets linear150 --budget 3m --out /tmp/overrun
    python benchmarks/deadline_overrun.py --sets linear150,mixed600 --budget 60 --seeds 0,1

Each search is pinned to one core (`--core`, `taskset`), as in `table_variants.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from table_variants import SETS, write_files  # noqa: E402

from automl.search.budget import parse_duration  # noqa: E402


def run(args, name: str, seed: int) -> dict:
    """Returns one search's row: its trials and where its time after the deadline went."""
    folder = write_files(args.out, name, seed)
    out = args.out / f"{name}-{seed}-{args.budget}"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    command = ["taskset", "-c", str(args.core), sys.executable, "-m", "automl", "search"]
    command += [str(folder / "train.csv"), "--target", SETS[name][2], "--out", str(out)]
    command += ["--time-budget", args.budget, "--seed", str(seed)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    began = time.monotonic()
    with open(f"{out}.log", "w") as log:
        subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=args.out)
    wall = time.monotonic() - began
    summary = json.loads((out / "summary.json").read_text())
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    ended = next(e for e in reversed(events) if e["type"] == "search_ended")
    budget = parse_duration(args.budget)
    return {
        "set": name,
        "seed": seed,
        "budget_s": budget,
        "trials": ended["trials_completed"],
        "search_s": summary["timing"]["search_s"],
        "choosing_s": round(ended["choosing_s"], 1),
        "export_s": summary["timing"]["export_s"],
        "wall_s": round(wall, 1),
        "over_s": round(wall - budget, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="linear150")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--budget", default="3m")
    parser.add_argument("--out", type=Path, default=Path("/tmp/deadline-overrun"))
    parser.add_argument("--core", default="0", help="taskset's cores, e.g. 1 or 0,1")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    header = "set          seed  budget  trials  search_s  choosing_s  export_s  wall_s  over_s"
    print(header)
    for name in args.sets.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            row = run(args, name, seed)
            with open(args.out / "results.jsonl", "a") as results:
                results.write(json.dumps(row) + "\n")
            print(
                f"{name:<12} {seed:>4} {row['budget_s']:>7.0f} {row['trials']:>7} "
                f"{row['search_s']:>9.1f} {row['choosing_s']:>11.1f} {row['export_s']:>9.1f} "
                f"{row['wall_s']:>7.1f} {row['over_s']:>7.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
