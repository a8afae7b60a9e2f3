"""Disk used by a 20-trial search with and without checkpoint retention.

    python benchmarks/retention.py [--trials 20] [--keep 2]

Runs the same search on the penguins sample twice: keeping every trial's weights (plain
Keras Tuner's behaviour) and with `--keep-checkpoints K`; prints the weights files left
and the bytes used by the tuner folder and by the whole experiment.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--keep", type=int, default=2)
    args = parser.parse_args()

    import automl
    from automl.cli_search import sample_path

    rows = []
    with tempfile.TemporaryDirectory(prefix="automl-retention-") as scratch:
        runs = (("every trial kept", None), (f"--keep-checkpoints {args.keep}", args.keep))
        for label, keep in runs:
            out = Path(scratch) / f"keep-{keep}"
            result = automl.search(
                sample_path(),
                "species",
                out,
                max_trials=args.trials,
                epochs=5,
                keep_checkpoints=keep,
            )
            weights = list((out / "tuner").rglob("checkpoint.weights.h5"))
            rows.append(
                (
                    label,
                    result.summary["trials"]["completed"],
                    len(weights),
                    folder_bytes(out / "tuner"),
                    folder_bytes(out),
                )
            )
    print(f"{'':<24} {'trials':>6} {'weights':>8} {'tuner folder':>13} {'experiment':>11}")
    for label, trials, files, tuner, total in rows:
        print(
            f"{label:<24} {trials:>6} {files:>8} {tuner / 1024:>9.0f} KiB {total / 1024:>7.0f} KiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
