"""Compares search variants on generated tables with a small training file and a large test file.

The small-data sets of `search_quality.py` test on 20-120 rows, where one row moves
accuracy by 0.8-5 points and a search change cannot be told from luck. Here each set is
drawn again per seed from the same generator: the training file has the small set's size,
the test file 2,000 more rows of the same rules (one row is 0.05 points). The same seed
gives the same files, so two variants of one seed search the same rows. Beside the search,
scikit-learn's logistic or ridge regression and histogram gradient boosting are fitted on
the same training file.

A variant is a name and, optionally, what makes it differ: `--space FILE.json` (the
`--space` of `automl search`), environment settings (`AUTOML_CV_EXPORT=refit`), extra
search arguments, or another checkout (`PYTHONPATH`) of the code.

Usage:
    python benchmarks/table_variants.py --variant default --out /tmp/tv
    python benchmarks/table_variants.py --variant refit --env AUTOML_CV_EXPORT=refit \\
        --sets mixed600 --seeds 0,1,2 --out /tmp/tv --core 1
    python benchmarks/table_variants.py --report --out /tmp/tv   # every variant's scores

Each search is pinned to one core (`--core`, `taskset`), so two variants can run side
by side on a 2-core machine without taking each other's time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_tables import make_table_linear, make_table_mixed, make_table_regression  # noqa: E402

TEST_ROWS = 2000
#: name -> (generator of n rows from a seed, training rows, target)
SETS = {
    "linear150": (lambda n, s: make_table_linear(n, noise=0.5, seed=s), 150, "grade"),
    "mixed300": (lambda n, s: make_table_mixed(n, noise=0.5, seed=s), 300, "band"),
    "regr100": (lambda n, s: make_table_regression(n, noise=1.0, seed=s), 100, "price"),
    "mixed600": (lambda n, s: make_table_mixed(n, noise=0.5, seed=s), 600, "band"),
    "mixed3000": (lambda n, s: make_table_mixed(n, noise=1.2, seed=s), 3000, "band"),
    "regr1000": (lambda n, s: make_table_regression(n, noise=1.0, seed=s), 1000, "price"),
}


def write_files(root: Path, name: str, seed: int) -> Path:
    """Returns the folder holding `train.csv` and `test.csv` of `name` drawn with `seed`."""
    make, rows, _ = SETS[name]
    folder = root / "data" / f"{name}-{seed}"
    if not (folder / "test.csv").exists():
        folder.mkdir(parents=True, exist_ok=True)
        frame = make(rows + TEST_ROWS, 1000 + seed)
        frame.iloc[:rows].to_csv(folder / "train.csv", index=False)
        frame.iloc[rows:].to_csv(folder / "test.csv", index=False)
    return folder


def search(args, name: str, seed: int) -> dict:
    """Runs one search and returns its row: test score and what was exported."""
    folder = write_files(args.out, name, seed)
    out = args.out / f"{args.variant}-{name}-{seed}"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    command = ["taskset", "-c", str(args.core), sys.executable, "-m", "automl", "search"]
    command += [str(folder / "train.csv"), "--target", SETS[name][2]]
    command += ["--test", str(folder / "test.csv"), "--out", str(out)]
    command += ["--time-budget", args.budget, "--seed", str(seed), *args.extra]
    if args.space:
        command += ["--space", str(args.space)]
    env = {**os.environ, **dict(e.split("=", 1) for e in args.env)}
    # This checkout (or --code's), whatever the installed one is.
    env["PYTHONPATH"] = str(args.code or Path(__file__).resolve().parents[1])
    with open(f"{out}.log", "w") as log:
        subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=args.out)
    summary = json.loads((out / "summary.json").read_text())
    metrics = summary["test_metrics"]
    score = metrics.get("accuracy", metrics.get("rmse"))
    return {"variant": args.variant, "set": name, "seed": seed, "score": score,
            "exported": summary.get("exported")}  # fmt: skip


def sklearn_row(root: Path, name: str, seed: int) -> dict:
    """Returns scikit-learn's linear model and gradient boosting on the same files."""
    import pandas as pd
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.metrics import accuracy_score, mean_squared_error
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    folder = write_files(root, name, seed)
    target = SETS[name][2]
    train, test = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")
    x, y = train.drop(columns=[target]), train[target]
    x_test, y_test = test.drop(columns=[target]), test[target]
    numbers = make_pipeline(SimpleImputer(), StandardScaler())
    encode = make_column_transformer(
        (numbers, make_column_selector(dtype_include="number")),
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
    )
    regression = name.startswith("regr")
    models = (
        {"ridge": RidgeCV(), "gradient boosting": HistGradientBoostingRegressor()}
        if regression
        else {"logistic": LogisticRegression(max_iter=2000),
              "gradient boosting": HistGradientBoostingClassifier()}
    )  # fmt: skip
    scores = {}
    for label, model in models.items():
        predicted = make_pipeline(encode, model).fit(x, y).predict(x_test)
        scores[label] = (
            mean_squared_error(y_test, predicted) ** 0.5
            if regression
            else accuracy_score(y_test, predicted)
        )
    return scores


def report(root: Path) -> None:
    """Prints each set and seed's scores by variant, their means, and scikit-learn's."""
    rows = [json.loads(line) for line in (root / "results.jsonl").read_text().splitlines()]
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    table: dict = defaultdict(dict)
    for row in rows:
        table[(row["set"], row["seed"])][row["variant"]] = row["score"]
    print("set seed " + " ".join(variants) + "  | scikit-learn")
    for (name, seed), scores in sorted(table.items()):
        cells = " ".join(f"{scores[v]:.4f}" if v in scores else "-" for v in variants)
        known = sklearn_row(root, name, seed)
        print(f"{name} {seed} {cells}  | " + ", ".join(f"{k} {v:.4f}" for k, v in known.items()))
    for name in dict.fromkeys(k[0] for k in sorted(table)):
        means = []
        for variant in variants:
            values = [s[variant] for (n, _), s in table.items() if n == name and variant in s]
            means.append(f"{sum(values) / len(values):.4f} ({len(values)})" if values else "-")
        print(f"mean {name} " + " ".join(means))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for data and runs")
    parser.add_argument("--variant", default="default", help="the name the rows carry")
    parser.add_argument("--sets", default="linear150,mixed300,regr100,mixed600")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--budget", default="60", help="--time-budget of each search")
    parser.add_argument("--space", type=Path, help="--space JSON of the variant")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE, repeatable")
    parser.add_argument("--code", type=Path, help="a checkout to run instead of this one")
    parser.add_argument("--core", type=int, default=0, help="the CPU core to pin to")
    parser.add_argument("--report", action="store_true", help="print the results so far")
    parser.add_argument("extra", nargs="*", help="more `automl search` arguments (after --)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.report:
        report(args.out)
        return
    for seed in (int(s) for s in args.seeds.split(",")):
        for name in args.sets.split(","):
            row = search(args, name, seed)
            with open(args.out / "results.jsonl", "a") as results:
                results.write(json.dumps(row) + "\n")
            print(f"{row['variant']} {name} seed {seed}: {row['score']:.4f} ({row['exported']})")


if __name__ == "__main__":
    main()
