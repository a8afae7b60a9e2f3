"""Search quality at equal budget: our search against plain Keras Tuner, a hand-written
reference network, simple baselines and AutoKeras, on the same splits and wall-clock budget.

    python benchmarks/search_quality.py --quick               # samples + 1 generated set per
                                                              # modality, 1 minute each (<30 min)
    python benchmarks/search_quality.py                       # every set, 3 minutes each
    python benchmarks/search_quality.py --small               # the small-data sets, 3 min each
    python benchmarks/search_quality.py --quick --small       # --quick's sets + the small ones
    python benchmarks/search_quality.py --only penguins,gen-text-reviews --budget 30s
    python benchmarks/search_quality.py --list                # the data sets and what they are
    python benchmarks/search_quality.py --autokeras-python /tmp/ak-env/bin/python

Data sets: the bundled samples (penguins table, digits images, shapes series, sunspots
forecast) and generated ones of every modality (`benchmarks/generators.py`: seeded, several
sizes and difficulties, nothing from a public archive), written to a temp folder in the file
forms `automl search` reads. The small-data sets (issue 13: tables of 100-300 rows, 48-60
series to train and validate on, 150 reviews, 20 images per class) run only with `--small`
or when named in `--only`.

Systems, run one after another, each in its own child process (a fresh TensorFlow each time,
so no graph, memory or thread state leaks from one system into the next), with the same
wall-clock budget counted from the start of that process (so each pays its TensorFlow import):

1. ours: `automl.search(data, target, out, time_budget=B, max_trials=200, seed=S)` with the
   default families, exactly as a notebook user calls it; its exported model is scored.
2. plain Keras Tuner: `keras_tuner.Hyperband(max_epochs=100, factor=3)` over a generic space
   per modality, as the Keras Tuner getting-started guide writes one, with the tutorial's
   `EarlyStopping(val_loss, patience=5)`; a tuner subclass raises `FatalError` in
   `pre_create_trial` after the deadline and a callback stops the running trial at it; the
   best trial's model is scored.
3. a hand-written reference network per modality, trained once for the same wall time with
   early stopping on the validation split (best weights restored): an MLP for tables, FCN
   (Wang et al. 2017) for series, a small VGG-style CNN for images, a BiLSTM for text, a
   Conv1D + LSTM for forecasts.
4. simple baselines on flattened features, fit on train + validation: majority class (mean),
   1-nearest neighbour (and k chosen by inner 5-fold cross-validation), logistic (ridge)
   regression, HistGradientBoosting; 1-NN on z-normalised series; the naive last value for
   forecasts. Not budgeted (they take seconds). The best of them on the test rows is the
   "best scikit-learn baseline" ours is compared with.
5. AutoKeras 3 (greedy tuner, same deadline mechanics as 2), only from an interpreter where it
   imports: AutoKeras 3.0.0 fails on Keras >= 3.13, so it needs its own environment
   (`--autokeras-python`, see benchmarks/README.md); otherwise its row says why it did not run.

Splits: our search's own `splits.json` (row positions of train/validation/test) for tables,
images and series; `automl.modalities.forecast_windows.chronological_split` for forecasts (what our
search uses too). Everything is scored on the same test rows with the engine's metric code.

Prints one table per data set (test accuracy and balanced accuracy, or RMSE and MAE; trials;
epochs trained; seconds), then a summary: whether ours matches or beats plain Keras Tuner and
the reference network on the primary metric (our search's objective: accuracy, RMSE for
regression, MAE for forecasts; "matches" = worse by at most one test example, i.e. 1/n_test
of accuracy, or 1/n_test relative for errors), the counts against issue 7's targets, our
search overhead (time outside model.fit) and export parity; per set also what our search
exported (a searched model or, by its baseline guard, a baseline), the guard's message, and
whether the exported model scored below the engine's own best baseline on the test rows
(issue 13). Progress and child logs go to
stderr and to OUT/logs; every number also lands in OUT/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))  # the sq_* modules beside this script

from sq_autokeras import autokeras_status  # noqa: E402
from sq_children import benchmark_set, json_default, worker_main  # noqa: E402
from sq_report import set_report, summary_report  # noqa: E402
from sq_sets import ROOT, choose_sets, list_sets, sample_sets, write_generated  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing it

DEFAULT_BUDGET, QUICK_BUDGET = "3m", "1m"

SYSTEMS = ("ours", "keras_tuner", "reference", "baselines", "autokeras")


# ---------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from automl.search.budget import parse_duration

    parser = argparse.ArgumentParser(
        description="Our search against plain Keras Tuner, a reference network and baselines, "
        "at equal wall-clock budget on the same splits."
    )
    parser.add_argument(
        "--budget", default=None, help="per data set and system (default 3m; 1m with --quick)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the bundled samples and one generated set per modality, 1 minute each",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="the small-data sets (tables of 100-300 rows, tens of series, 150 reviews, 20 "
        "images per class); with --quick, after --quick's sets",
    )
    parser.add_argument("--only", default=None, help="comma-separated data set names (--list)")
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated systems to run (default all: {','.join(SYSTEMS)}); ours always runs",
    )
    parser.add_argument("--seed", type=int, default=0, help="split and training seed (default 0)")
    parser.add_argument(
        "--out", type=Path, default=None, help="working folder, kept (default: a new temp folder)"
    )
    parser.add_argument(
        "--autokeras-python",
        default=None,
        help="interpreter of an environment where AutoKeras 3 imports (it needs Keras < 3.13)",
    )
    parser.add_argument("--list", action="store_true", help="list the data sets and exit")
    parser.add_argument("--worker", nargs=2, metavar=("SYSTEM", "JOB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return args
    budget = args.budget or (QUICK_BUDGET if args.quick else DEFAULT_BUDGET)
    args.budget_s = parse_duration(budget)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown:
        parser.error(f"--systems: unknown {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    args.systems = [s for s in SYSTEMS if s in systems or s == "ours"]
    args.autokeras_python, args.autokeras_reason = autokeras_status(args.autokeras_python)
    if args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="automl-search-quality-"))
    args.out = args.out.resolve()
    return args


def code_version() -> str:
    """Returns the checkout's commit, and "+ uncommitted changes" when the tree differs."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit or 'unknown'}{' + uncommitted changes' if changed else ''}"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark (or, with the hidden --worker, one child's part of it)."""
    args = parse_args(argv)
    if args.worker:
        return worker_main(args.worker[0], Path(args.worker[1]))
    if args.list:
        print(list_sets())
        return 0
    names = choose_sets(args)
    samples = {s.name: s for s in sample_sets()}
    generated = write_generated([n for n in names if n not in samples], args.out / "generated-data")
    by_name = {**samples, **{s.name: s for s in generated}}
    sets = [by_name[n] for n in names]
    budgeted = sum(s in args.systems for s in ("ours", "keras_tuner", "reference"))
    budgeted += "autokeras" in args.systems and args.autokeras_python is not None
    command = "python benchmarks/search_quality.py " + shlex.join(
        list(argv) if argv is not None else sys.argv[1:]
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{command}\n{date.today().isoformat()}, code {code_version()}, "
        f"{os.cpu_count()} CPU cores, load average "
        f"{load:.2f} at start; {len(sets)} data sets x {budgeted} budgeted systems x "
        f"{args.budget_s:.0f} s = at least {len(sets) * budgeted * args.budget_s / 60:.0f} min; "
        f"seed {args.seed}; work folder {args.out}\n",
        flush=True,
    )
    began = time.monotonic()
    results = []
    for bset in sets:
        result = benchmark_set(bset, args)
        results.append(result)
        print(set_report(result, args.budget_s) + "\n", flush=True)
        (args.out / "results.json").write_text(
            json.dumps(
                [{"set": asdict(r.bset), "rows": r.rows} for r in results],
                indent=1,
                default=json_default,
            )
        )
    print(summary_report(results, args))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"total {(time.monotonic() - began) / 60:.1f} min; load average {load:.2f} at the end; "
        f"rows in {args.out / 'results.json'}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
