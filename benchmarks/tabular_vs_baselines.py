"""Benchmark: our Keras Tuner search against scikit-learn baselines on the same split.

Runs the search exactly as `automl demo` does (20 trials, 150 epochs, a 2-minute budget,
default tuner, validation split and refit), then reads the experiment's `splits.json` and
`experiment.json` and fits scikit-learn baselines on the same train+validation rows (our
exported model is refit on train+validation) with the same feature columns and kinds, and
scores everything on the same test rows with the engine's own metric code.

Run it from the repository root:

    python benchmarks/tabular_vs_baselines.py                    # penguins, 2m, seed 0
    python benchmarks/tabular_vs_baselines.py --quick            # smoke run: 30s, 5 trials
    python benchmarks/tabular_vs_baselines.py --seeds 0 1 2      # one search per seed
    python benchmarks/tabular_vs_baselines.py --data my.csv --target y --budget 5m --out runs/b

What it prints (stdout; TensorFlow and search noise go to stderr):

- a table, one row per system and seed (plus a "mean" row per system with several seeds):
  our search's exported model (refit on train+validation), our best search trial before
  refit, a majority-class dummy, logistic regression and HistGradientBoosting, with test
  accuracy and balanced accuracy (RMSE and MAE for regression), and for our search the
  trials completed, search seconds and total seconds (a "*" after the seed: no refit was
  exported, so the exported model is the best trial itself; the engine's note says why);
- the gap between ours and HistGradientBoosting ("ours - HGB = +0.0 points" of accuracy,
  or the RMSE difference for regression) and whether it is within 2 points (2% of HGB's
  RMSE for regression);
- the search overhead, the share of the search time spent outside `model.fit`;
- the export parity check: the largest difference between the Keras model and the
  exported SavedModel on the test rows.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from stdout_redirect import stdout_to_stderr
from tabular_baselines import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    baselines,
    load_split,
    score_baseline,
)
from tabular_report import Row, SeedRun, our_rows, report

ROOT = Path(__file__).resolve().parents[1]

#: What `automl demo` asks for (automl/cli_search.py request_from_args).
DEMO_MAX_TRIALS = 20
DEMO_BUDGET = "2m"
DEMO_EPOCHS = 150
#: What `--quick` asks for instead.
QUICK_MAX_TRIALS = 5
QUICK_BUDGET = "30s"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Returns the command line's options, with --quick and the defaults applied."""
    parser = argparse.ArgumentParser(
        description="Compare our search with scikit-learn baselines on the same split."
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="data file (default: the bundled penguins)"
    )
    parser.add_argument("--target", default=None, help="target column (default: species)")
    parser.add_argument(
        "--budget", default=None, help=f"search time budget (default {DEMO_BUDGET})"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for the experiments (default: a temp one)"
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0], help="one search per seed (default: 0)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: budget {QUICK_BUDGET} (unless --budget), max {QUICK_MAX_TRIALS} trials",
    )
    args = parser.parse_args(argv)
    if (args.data is None) != (args.target is None):
        parser.error("--data and --target go together")
    if args.data is None:
        from automl.cli_search import sample_path

        args.data, args.target = sample_path(), "species"
    args.max_trials = QUICK_MAX_TRIALS if args.quick else DEMO_MAX_TRIALS
    if args.budget is None:
        args.budget = QUICK_BUDGET if args.quick else DEMO_BUDGET
    if args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="automl-bench-"))
    return args


def run_our_search(data: Path, target: str, out: Path, budget: str, max_trials: int, seed: int):
    """Runs one search with `automl demo`'s options and returns its `SearchResult`."""
    import automl

    with stdout_to_stderr():
        return automl.search(
            data,
            target,
            out,
            time_budget=budget,
            max_trials=max_trials,
            epochs=DEMO_EPOCHS,
            seed=seed,
            overwrite=True,
        )


def benchmark_seed(args: argparse.Namespace, seed: int) -> SeedRun:
    """Runs our search for `seed`, then the baselines on its split; returns every row."""
    out = Path(args.out) / f"seed-{seed}"
    print(
        f"[seed {seed}] searching ({args.budget}, up to {args.max_trials} trials) in {out}",
        file=sys.stderr,
        flush=True,
    )
    result = run_our_search(Path(args.data), args.target, out, args.budget, args.max_trials, seed)
    summary = result.summary
    run = SeedRun(seed, summary, our_rows(summary, seed))

    print(f"[seed {seed}] fitting baselines on the same split", file=sys.stderr, flush=True)
    regression = summary["task"] == "regression"
    split = load_split(Path(args.data), result.experiment, summary)
    n_classes = 0 if regression else len(summary["class_names"])
    names = REGRESSION_METRICS if regression else CLASSIFICATION_METRICS
    for name, model in baselines(split, regression, seed).items():
        began = time.monotonic()
        metrics = score_baseline(model, split, n_classes)
        run.rows.append(Row(name, seed, {k: metrics[k] for k in names}))
        print(
            f"[seed {seed}] {name}: {time.monotonic() - began:.2f} s", file=sys.stderr, flush=True
        )
    return run


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark and prints its report; returns the exit code."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run from a checkout without installing it
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parse_args(argv)
    runs = [benchmark_seed(args, seed) for seed in args.seeds]
    print(report(runs, args, DEMO_EPOCHS), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
