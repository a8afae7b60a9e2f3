"""What the app reads of an `automl explain` output folder (no Qt): importance and rows.

`automl explain MODEL DATA --out DIR` writes `DIR/importance.csv` (feature, importance,
spread; most important first), `DIR/explain.json` (the method, and per explained row its
prediction, method and files) and the local explanations' files. The Results page shows
the importance; the Export page shows one row's files.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from automl.experiment import layout

#: The folder inside an experiment that the app's explanations are written to.
EXPLAIN_DIR = "explain"
#: Its sub-folder for the rows explained one at a time from the Export page.
ROWS_DIR = "rows"
IMPORTANCE_FILE = "importance.csv"
JSON_FILE = "explain.json"
#: Column names of a local explanation's CSV: the thing explained, and how much it drove.
LABEL_COLUMNS = ("feature", "step", "token", "channel")
VALUE_COLUMNS = ("contribution", "attribution", "importance")


@dataclass(frozen=True)
class GlobalImportance:
    """An explain folder's importance: features most important first, and how it was made."""

    features: list[str]
    importance: list[float]
    spread: list[float]
    method: str = ""
    meaning: str = ""
    #: the analyst's evaluation `automl explain` recomputed with this importance, if any
    evaluation: dict = field(default_factory=dict)


@dataclass
class LocalView:
    """One explained row: its prediction, the method, and what to show.

    `bars` holds (label, value) pairs from a CSV (a row's columns or a series' steps);
    `images` PNG overlays and `pages` HTML files (highlighted text), as absolute paths.
    """

    row: int
    prediction: str
    method: str
    bars: list[tuple[str, float]] = field(default_factory=list)
    bars_of: str = ""
    images: list[Path] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)


def explain_folder(experiment: Path) -> Path:
    """Returns where the app writes the explanation of `experiment`'s model."""
    return Path(experiment) / EXPLAIN_DIR


def model_folder(experiment: Path) -> Path:
    """Returns the experiment's exported model folder."""
    return Path(experiment) / layout.MODEL_DIR


def experiment_data(experiment: Path) -> str | None:
    """Returns the data file (or folder) the experiment searched, from its metadata."""
    for path in (model_folder(experiment) / "metadata.json", Path(experiment) / layout.MARKER):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        data = record.get("data")
        found = data.get("file") if isinstance(data, dict) else data
        if found:
            return str(found)
    return None


def read_importance(folder: Path) -> GlobalImportance | None:
    """Returns the importance in `folder`, or None when it has not been explained yet."""
    path = Path(folder) / IMPORTANCE_FILE
    if not path.exists():
        return None
    features, importance, spread = [], [], []
    with path.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            features.append(row["feature"])
            importance.append(_number(row.get("importance")))
            spread.append(_number(row.get("spread")))
    record = _record(folder)
    about = record.get("importance") or {}
    # The evaluation section of explain.json (`automl.explain.run.extra_sections`), if any.
    evaluation = next(
        (
            s["evaluation"]
            for s in record.get("sections") or []
            if isinstance(s, dict) and "evaluation" in s
        ),
        record.get("evaluation"),
    )
    return GlobalImportance(
        features,
        importance,
        spread,
        str(about.get("method", "")),
        str(about.get("meaning", "")),
        evaluation if isinstance(evaluation, dict) else {},
    )


def read_local(folder: Path, row: int) -> LocalView | None:
    """Returns the local explanation of data row `row` in `folder`, or None if not there."""
    for entry in _record(folder).get("rows") or []:
        if entry.get("row") != row:
            continue
        view = LocalView(row, str(entry.get("prediction", "")), str(entry.get("method", "")))
        for name in entry.get("files") or []:
            path = Path(folder) / name
            suffix = path.suffix.lower()
            if suffix == ".csv":
                bars, view.bars_of = _bars(path, row)
                view.bars.extend(bars)
            elif suffix == ".png":
                view.images.append(path)
            elif suffix in (".html", ".htm"):
                view.pages.append(path)
        return view
    return None


def _bars(path: Path, row: int) -> tuple[list[tuple[str, float]], str]:
    """Returns the (label, value) pairs of `row` in a local explanation CSV, and the value's
    name; the rows of every explained example share one file, told apart by `row`."""
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        fields = reader.fieldnames or []
        label = next((c for c in LABEL_COLUMNS if c in fields), None)
        value = next((c for c in VALUE_COLUMNS if c in fields), None)
        if label is None or value is None:
            return [], ""
        bars = [
            (str(line[label]), _number(line[value]))
            for line in reader
            if "row" not in line or str(line["row"]) == str(row)
        ]
    return bars, value


def _record(folder: Path) -> dict:
    """Returns explain.json ({} when missing or unreadable)."""
    try:
        record = json.loads((Path(folder) / JSON_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _number(text: str | None) -> float:
    """Returns `text` as a float (NaN when empty or not a number)."""
    try:
        return float(text) if text not in (None, "") else float("nan")
    except ValueError:
        return float("nan")
