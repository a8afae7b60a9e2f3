"""Series search quality on the bundled samples, beside the simple baselines.

    python benchmarks/sequence_search.py [--budget 3m] [--only shapes|sunspots]

- shapes (series classification, `assets/samples/shapes.npz`): our search (the proposed
  families: conv1d, lstm, rnn) against a 1-nearest-neighbour classifier on the raw
  series (Euclidean, padding read as 0), on exactly the same test series.
- sunspots (forecasting 5 years from the last 20, `assets/samples/sunspots.csv`): our
  search against the naive forecast (the last observed value repeated), on the same
  chronological test windows.

Each search runs exactly as `automl demo --sample NAME` does (same request, same export
path), so the printed parity is the user's. The baselines come from the search's own
summary, computed on its split.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_sample(name: str, budget: str, out: Path) -> dict:
    """Runs the demo search of sample `name` and returns its summary with the wall time."""
    from argparse import Namespace

    from automl.cli_search import request_from_args
    from automl.search.run import run_search

    args = Namespace(command="demo", sample=name, out=out, time_budget=budget, overwrite=True)
    started = time.monotonic()
    result = run_search(request_from_args(args))
    summary = dict(result.summary)
    summary["wall_s"] = time.monotonic() - started
    return summary


def describe(name: str, summary: dict) -> list[str]:
    metric = "accuracy" if summary["task"] in ("binary", "multiclass") else "mae"
    ours = summary["test_metrics"].get(metric)
    baseline_name, baseline = next(iter(summary["baselines"].items()))
    best = summary["best_trial"]["hyperparameters"] if summary["best_trial"] else {}
    parity = summary["model"]["parity"]["max_abs_diff"] if summary["model"] else None
    better = ours > baseline[metric] if metric == "accuracy" else ours < baseline[metric]
    return [
        f"{name}: {summary['task']}, {summary['rows']['train']} train / "
        f"{summary['rows']['validation']} validation / {summary['rows']['test']} test",
        f"  ours ({best.get('family', '?')} family, {summary['trials']['completed']} trials, "
        f"{summary['wall_s']:.0f} s): test {metric} {ours:.4f}",
        f"  {baseline_name}: test {metric} {baseline[metric]:.4f}",
        f"  ours {'beats' if better else 'does NOT beat'} the baseline; "
        f"export parity {parity:.1e}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="3m", help="time budget per search (default 3m)")
    parser.add_argument("--only", choices=["shapes", "sunspots"])
    args = parser.parse_args()
    names = [args.only] if args.only else ["shapes", "sunspots"]
    lines = []
    with tempfile.TemporaryDirectory(prefix="automl-sequence-bench-") as scratch:
        for name in names:
            summary = run_sample(name, args.budget, Path(scratch) / name)
            lines += describe(name, summary)
            print("\n".join(describe(name, summary)), flush=True)
    print("\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
