"""`automl explain MODEL_DIR DATA --out DIR`: what an exported model looks at, as files.

Prints each step while it works and, at the end, the most important features and the files
written. Bad input (not a model folder, data that does not match it, a row out of range)
is one line on standard error and exit code 2, like every other command.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

#: features printed at the end (importance.csv has them all)
PRINTED = 10


def add_explain(commands: Any) -> None:
    """Returns None; adds `automl explain`: importance and local explanations of a model."""
    explain = commands.add_parser(
        "explain", help="what an exported model looks at: importance, local explanations"
    )
    explain.add_argument("model", type=Path, help="exported model folder (or experiment folder)")
    explain.add_argument(
        "data",
        type=Path,
        help="data with the model's inputs and true values; the experiment's own data file "
        "is explained on its test split",
    )
    explain.add_argument("--out", required=True, type=Path, help="folder to write the files to")
    explain.add_argument(
        "--target", metavar="COL", help="the true values' column (default: the model's target)"
    )
    explain.add_argument(
        "--rows",
        type=_rows,
        default=(),
        metavar="0,5,9",
        help="positions in DATA (0 = the first row, image or series) to explain one by one",
    )


def _rows(text: str) -> tuple[int, ...]:
    """Returns the row positions in `--rows 0,5,9`."""
    import argparse

    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of row numbers like 0,5,9"
        ) from None


def run_explain(args: Any) -> int:
    """Returns 0; explains the model on the data and prints what it found."""
    from automl.explain.report import HTML_FILE, IMPORTANCE_FILE, JSON_FILE
    from automl.explain.run import explain

    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:5.1f}s] {message}", file=sys.stderr, flush=True)

    result = explain(
        args.model, args.data, args.out, target=args.target, rows=args.rows, progress=progress
    )
    print(f"{result.method}, on {result.examples} examples ({result.source})")
    width = max((len(str(f)) for f in result.importance["feature"].head(PRINTED)), default=7)
    print(f"{'feature':<{width}}  importance  spread")
    for row in result.importance.head(PRINTED).itertuples():
        print(f"{row.feature!s:<{width}}  {row.importance:10.4f}  {row.spread:6.4f}")
    for name, check in result.checks.items():
        print(f"check: {name}: {_check_text(check)}")
    out = Path(args.out)
    files = [IMPORTANCE_FILE, JSON_FILE, HTML_FILE]
    files += sorted({f for local in result.local for f in local.files})
    print(f"wrote {', '.join(str(out / f) for f in files)} in {time.monotonic() - started:.1f}s")
    return 0


def _check_text(check: Any) -> str:
    """Returns one line for a check's record."""
    if isinstance(check, dict):
        return ", ".join(f"{k} {v}" for k, v in check.items() if k != "rule")
    return str(check)
