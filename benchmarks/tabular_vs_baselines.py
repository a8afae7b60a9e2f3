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
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

ROOT = Path(__file__).resolve().parents[1]

#: What `automl demo` asks for (automl/cli_search.py request_from_args).
DEMO_MAX_TRIALS = 20
DEMO_BUDGET = "2m"
DEMO_EPOCHS = 150
#: What `--quick` asks for instead.
QUICK_MAX_TRIALS = 5
QUICK_BUDGET = "30s"

#: How close to HistGradientBoosting counts as "within": accuracy points, or % of its RMSE.
WITHIN = 2.0

#: HistGradientBoosting handles at most this many categories per categorical feature.
HGB_MAX_CATEGORIES = 255

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy")
REGRESSION_METRICS = ("rmse", "mae")

OURS = "ours (exported refit model)"
#: Marks the seed of an exported model that was not refit (the budget ran out first).
NO_REFIT = "*"
OURS_TRIAL = "ours (best trial, before refit)"
HGB = "HistGradientBoosting"


@dataclass
class Row:
    """One line of the table: a system's test scores on one seed's split."""

    system: str
    seed: int | str
    metrics: dict[str, float]
    trials: int | None = None
    search_s: float | None = None
    total_s: float | None = None
    flag: str = ""  # NO_REFIT, shown after the seed


@dataclass
class SeedRun:
    """One seed: our search's summary and every system's row on its split."""

    seed: int
    summary: dict
    rows: list[Row] = field(default_factory=list)

    def row(self, system: str) -> Row | None:
        return next((row for row in self.rows if row.system == system), None)


@dataclass(frozen=True)
class SplitData:
    """The rows of one experiment's split, as feature frames and targets."""

    x_fit: pd.DataFrame  # train + validation
    y_fit: np.ndarray
    x_test: pd.DataFrame
    y_test: np.ndarray
    numeric: list[str]
    categorical: list[str]  # categorical, boolean and text columns: read as strings


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


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Sends everything written to stdout, by Python or native code, to stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 1)
        os.close(saved)


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


def load_split(data: Path, experiment: Path, summary: dict) -> SplitData:
    """Returns the experiment's train+validation and test rows, read as the engine read them.

    The positions in splits.json index the data's rows after rows with a missing target
    were dropped; experiment.json names the features the engine used and their kinds.
    """
    from automl.data.loading import read_table
    from automl.data.task import class_name

    info = json.loads((experiment / "experiment.json").read_text())
    splits = json.loads((experiment / "splits.json").read_text())
    kinds = {column["name"]: column["kind"] for column in info["schema"]["columns"]}
    features: list[str] = info["features"]
    target = summary["target"]

    frame = read_table(data)
    frame = frame[frame[target].notna()].reset_index(drop=True)
    x = pd.DataFrame(index=frame.index)
    for name in features:
        column = frame[name]
        if kinds[name] == "numeric":
            if pd.api.types.is_bool_dtype(column):
                column = column.astype("float64")
            x[name] = pd.to_numeric(column, errors="coerce").astype("float64")
        else:
            x[name] = column.map(lambda v: np.nan if pd.isna(v) else class_name(v)).astype(object)

    if summary["task"] == "regression":
        y = pd.to_numeric(frame[target]).to_numpy(dtype="float64")
    else:
        index = {name: i for i, name in enumerate(summary["class_names"])}
        y = frame[target].map(class_name).map(index).to_numpy(dtype="int64")

    fit_rows = np.concatenate([splits["train"], splits["validation"]]).astype(np.int64)
    test_rows = np.asarray(splits["test"], dtype=np.int64)
    numeric = [name for name in features if kinds[name] == "numeric"]
    categorical = [name for name in features if kinds[name] != "numeric"]
    return SplitData(
        x.iloc[fit_rows].reset_index(drop=True),
        y[fit_rows],
        x.iloc[test_rows].reset_index(drop=True),
        y[test_rows],
        numeric,
        categorical,
    )


def linear_preprocessing(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    """Median + scaling for numbers; most frequent + one-hot for categorical/string columns."""
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            ),
        ]
    )


def hgb_pipeline(split: SplitData, regression: bool, seed: int) -> Pipeline:
    """HistGradientBoosting with ordinal-coded categories; missing values handled natively.

    A categorical column with more categories than HistGradientBoosting bins is passed
    as its ordinal code (a number) instead.
    """
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
    )
    columns = ColumnTransformer(
        [("categorical", encoder, split.categorical), ("numeric", "passthrough", split.numeric)]
    )
    is_categorical = [
        split.x_fit[name].nunique(dropna=True) <= HGB_MAX_CATEGORIES for name in split.categorical
    ] + [False] * len(split.numeric)
    model_class = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
    model = model_class(categorical_features=is_categorical or None, random_state=seed)
    return Pipeline([("columns", columns), ("model", model)])


def baselines(split: SplitData, regression: bool, seed: int) -> dict[str, BaseEstimator]:
    """Returns the baselines to fit, by the name the table shows."""
    linear = linear_preprocessing(split.numeric, split.categorical)
    if regression:
        return {
            "mean (DummyRegressor)": DummyRegressor(strategy="mean"),
            "ridge regression": make_pipeline(linear, Ridge()),
            HGB: hgb_pipeline(split, regression, seed),
        }
    return {
        # "prior" predicts the majority class, with the class shares as probabilities.
        "majority class (Dummy)": DummyClassifier(strategy="prior"),
        "logistic regression": make_pipeline(linear, LogisticRegression(max_iter=2000)),
        HGB: hgb_pipeline(split, regression, seed),
    }


def score_baseline(model: BaseEstimator, split: SplitData, n_classes: int) -> dict[str, float]:
    """Fits `model` on train+validation and returns the engine's metrics on the test rows."""
    from automl.search.metrics import score

    model.fit(split.x_fit, split.y_fit)
    if n_classes == 0:
        return score(False, split.y_test, model.predict(split.x_test))
    proba = np.zeros((len(split.y_test), n_classes))
    proba[:, model.classes_] = model.predict_proba(split.x_test)
    with warnings.catch_warnings():
        # The engine clips probabilities to 1e-7 before log loss; on float64 rows with an
        # exact 0 that trips sklearn's "do not sum to one" check. Log loss is not shown.
        warnings.filterwarnings("ignore", "The y_prob values do not sum to one")
        return score(True, split.y_test, proba)


def our_rows(summary: dict, seed: int) -> list[Row]:
    """Returns the rows for our exported model and for our best trial before refit."""
    timing, trials = summary.get("timing", {}), summary.get("trials", {})
    refit = bool(summary.get("refit"))
    exported = Row(
        OURS,
        seed,
        dict(summary.get("test_metrics") or {}),
        trials=trials.get("completed"),
        search_s=timing.get("search_s"),
        total_s=timing.get("total_s"),
        flag="" if refit else NO_REFIT,
    )
    # Without a refit the exported model *is* the best trial.
    before = summary.get("search_test_metrics") if refit else summary.get("test_metrics")
    return [exported, Row(OURS_TRIAL, seed, dict(before or {}))]


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


def mean_row(rows: list[Row]) -> Row:
    """Returns a row holding the mean of `rows` (one system over several seeds)."""

    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return statistics.fmean(present) if present else None

    names = sorted({k for row in rows for k in row.metrics})
    return Row(
        rows[0].system,
        "mean",
        {k: mean([row.metrics.get(k) for row in rows]) for k in names},
        trials=mean([row.trials for row in rows]),
        search_s=mean([row.search_s for row in rows]),
        total_s=mean([row.total_s for row in rows]),
    )


def table_rows(runs: list[SeedRun]) -> list[Row]:
    """Returns every row, grouped by system, with a mean row per system for several seeds."""
    systems = list(dict.fromkeys(row.system for run in runs for row in run.rows))
    rows: list[Row] = []
    for system in systems:
        mine = [row for run in runs for row in run.rows if row.system == system]
        rows += mine
        if len(runs) > 1:
            rows.append(mean_row(mine))
    return rows


def format_table(rows: list[Row], metric_names: Sequence[str]) -> str:
    """Returns `rows` as a plain text table."""

    def cell(value: float | None, digits: int) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    headers = ["system", "seed", *metric_names, "trials", "search_s", "total_s"]
    body = [
        [
            row.system,
            f"{row.seed}{row.flag}",
            *(cell(row.metrics.get(name), 4) for name in metric_names),
            cell(row.trials, 0 if isinstance(row.trials, int) else 1),
            cell(row.search_s, 1),
            cell(row.total_s, 1),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [headers, *body]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    rule = "-" * len(line(headers))
    return "\n".join([line(headers), rule, *(line(cells) for cells in body)])


def gap_line(label: str, ours: Row | None, hgb: Row | None, regression: bool) -> str:
    """Returns how far our exported model is from HistGradientBoosting, and if within 2."""
    metric = "rmse" if regression else "accuracy"
    mine = ours.metrics.get(metric) if ours else None
    theirs = hgb.metrics.get(metric) if hgb else None
    if mine is None or theirs is None:
        return f"{label}ours - HGB: n/a (our search produced no model)"
    if regression:
        diff = mine - theirs
        percent = 100 * diff / theirs if theirs else float("inf")
        within = "yes" if abs(percent) <= WITHIN else ("no (ours is better)" if diff < 0 else "no")
        return (
            f"{label}ours - HGB RMSE = {diff:+.4g} ({percent:+.1f}% of HGB's); "
            f"within {WITHIN:g}%: {within}"
        )
    points = 100 * (mine - theirs)
    within = "yes" if abs(points) <= WITHIN else ("no (ours is ahead)" if points > 0 else "no")
    return f"{label}ours - HGB = {points:+.1f} points; within {WITHIN:g} points: {within}"


def overhead_line(label: str, summaries: list[dict]) -> str:
    """Returns the share of the search time spent outside model.fit (mean over summaries)."""
    fractions = [s["timing"].get("overhead_fraction") for s in summaries]
    fractions = [f for f in fractions if f is not None]
    seconds = statistics.fmean(s["timing"]["search_s"] for s in summaries)
    if not fractions:
        return f"{label}search overhead (time outside model.fit): n/a"
    percent = 100 * statistics.fmean(fractions)
    return f"{label}search overhead (time outside model.fit): {percent:.1f}% of {seconds:.1f} s"


def parity_line(label: str, summaries: list[dict]) -> str:
    """Returns the export parity check's largest difference (the worst over summaries)."""
    parities = [(s.get("model") or {}).get("parity") for s in summaries]
    parities = [p for p in parities if p]
    if not parities:
        return f"{label}export parity: n/a (nothing exported)"
    worst = max(p["max_abs_diff"] for p in parities)
    rows = sum(p["rows_compared"] for p in parities)
    return f"{label}export parity (Keras vs SavedModel): max_abs_diff {worst:.3g} over {rows} rows"


def report(runs: list[SeedRun], args: argparse.Namespace) -> str:
    """Returns the text the benchmark prints: the table and the comparison lines."""
    first = runs[0].summary
    regression = first["task"] == "regression"
    metric_names = REGRESSION_METRICS if regression else CLASSIFICATION_METRICS
    rows = first["rows"]
    lines = [
        f"data: {args.data} (target {first['target']}, task {first['task']}); "
        f"rows train/validation/test: {rows['train']}/{rows['validation']}/{rows['test']}",
        f"search: budget {args.budget}, max {args.max_trials} trials, {DEMO_EPOCHS} epochs; "
        f"baselines fit on train+validation; all scored on the same test rows",
        "",
        format_table(table_rows(runs), metric_names),
        "",
    ]
    for run in runs:
        label = f"seed {run.seed}: " if len(runs) > 1 else ""
        lines.append(gap_line(label, run.row(OURS), run.row(HGB), regression))
        lines.append(overhead_line(label, [run.summary]))
        lines.append(parity_line(label, [run.summary]))
        if not run.summary.get("refit"):
            why = "; ".join(run.summary.get("notes") or []) or "refit turned off"
            lines.append(
                f"{label}{NO_REFIT} the exported model is the best trial, trained on the train "
                f"rows only ({why})"
            )
    if len(runs) > 1:
        by_system = {row.system: row for row in table_rows(runs) if row.seed == "mean"}
        lines.append(gap_line("mean: ", by_system.get(OURS), by_system.get(HGB), regression))
        lines.append(overhead_line("mean: ", [run.summary for run in runs]))
        lines.append(parity_line("all seeds: ", [run.summary for run in runs]))
    lines.append(f"experiments: {args.out}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark and prints its report; returns the exit code."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run from a checkout without installing it
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parse_args(argv)
    runs = [benchmark_seed(args, seed) for seed in args.seeds]
    print(report(runs, args), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
