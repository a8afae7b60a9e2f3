"""Profiles a table: per-column summaries, histograms, class balance and warnings.

The Data page of the desktop app and `automl profile --json` show this one result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from automl.data.schema import ColumnKind, Schema
from automl.data.task import class_name, infer_task
from automl.errors import AutoMLError

HISTOGRAM_BINS = 20
TOP_VALUES = 12
#: A class holding less than this share of the rows makes the target "heavily imbalanced".
IMBALANCE_SHARE = 0.05
#: A feature this correlated with the target (or predicting it this well) is a leakage suspect.
LEAKAGE_SCORE = 0.98


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    kind: str
    reason: str
    missing: int
    distinct: int
    #: numeric: {"edges": [...], "counts": [...]}; others: None
    histogram: dict | None = None
    #: categorical/boolean/text/id: [[value, count], ...] most frequent first
    top_values: list | None = None
    #: numeric: min, max, mean, std
    stats: dict | None = None


@dataclass(frozen=True)
class ProfileWarning:
    column: str
    kind: str  # "id", "constant", "leakage", "imbalance", "missing", "duplicates"
    message: str


@dataclass(frozen=True)
class TableProfile:
    rows: int
    columns: list[ColumnProfile]
    warnings: list[ProfileWarning] = field(default_factory=list)
    #: {"name", "task", "reason", "class_counts": {class: count}} when a target is given
    target: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def profile_table(
    frame: pd.DataFrame,
    schema: Schema,
    target: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> TableProfile:
    """Returns the profile of `frame`; with `target`, also the task and class balance.

    `progress`, if given, is called with the share of the columns done (0 to 1) as each
    is profiled and checked for leakage; whatever it raises (a cancellation) stops here.

    Raises:
        AutoMLError: `target` is not a column, or cannot be a target (one class, all missing).

    Example:
        >>> profile = profile_table(frame, infer_schema(frame), target="species")
        >>> [w.message for w in profile.warnings]
    """
    report = progress or (lambda share: None)
    # Each column is visited twice with a target (profile, leakage check), else once.
    visits = len(schema.columns) * (2 if target is not None else 1) or 1
    columns = []
    for number, c in enumerate(schema.columns, start=1):
        columns.append(_profile_column(frame[c.name], c.kind, c.reason, c.missing, c.distinct))
        report(number / visits)
    warnings = _column_warnings(frame, schema, target)
    duplicates = int(frame.duplicated().sum())
    if duplicates:
        warnings.append(ProfileWarning("", "duplicates", f"{duplicates} rows are exact duplicates"))
    target_info = None
    if target is not None:
        if target not in frame.columns:
            raise AutoMLError(f"target column {target!r} is not in the data")
        task = infer_task(frame[target])
        target_info = {
            "name": target,
            "task": task.kind.value,
            "reason": task.reason,
            "class_counts": {},
        }
        if task.kind.is_classification:
            counts = frame[target].dropna().map(class_name).value_counts()
            target_info["class_counts"] = {str(k): int(v) for k, v in counts.items()}
            smallest = counts.min() / counts.sum()
            if smallest < IMBALANCE_SHARE:
                warnings.append(
                    ProfileWarning(
                        target,
                        "imbalance",
                        f"class {counts.idxmin()!r} is {smallest:.1%} of rows: heavily imbalanced; "
                        "consider balanced_accuracy as the metric",
                    )
                )
        done = len(schema.columns)
        warnings += _leakage_warnings(
            frame,
            schema,
            target,
            task.kind.is_classification,
            lambda number: report((done + number) / visits),
        )
    report(1.0)
    return TableProfile(len(frame), columns, warnings, target_info)


def _profile_column(
    series: pd.Series, kind: ColumnKind, reason: str, missing: int, distinct: int
) -> ColumnProfile:
    base = dict(
        name=str(series.name), kind=kind.value, reason=reason, missing=missing, distinct=distinct
    )
    values = series.dropna()
    if kind is ColumnKind.NUMERIC:
        numbers = pd.to_numeric(values, errors="coerce").dropna().astype(float)
        if numbers.empty:
            return ColumnProfile(**base)
        counts, edges = np.histogram(numbers, bins=min(HISTOGRAM_BINS, max(1, distinct)))
        return ColumnProfile(
            **base,
            histogram={"edges": edges.tolist(), "counts": counts.tolist()},
            stats={
                "min": float(numbers.min()),
                "max": float(numbers.max()),
                "mean": float(numbers.mean()),
                "std": float(numbers.std(ddof=0)),
            },
        )
    top = values.astype(str).value_counts().head(TOP_VALUES)
    return ColumnProfile(**base, top_values=[[str(k), int(v)] for k, v in top.items()])


def _column_warnings(
    frame: pd.DataFrame, schema: Schema, target: str | None
) -> list[ProfileWarning]:
    warnings = []
    for column in schema.columns:
        if column.name == target:
            continue
        if column.kind is ColumnKind.ID:
            warnings.append(
                ProfileWarning(
                    column.name,
                    "id",
                    f"{column.name!r} looks like an ID ({column.reason}); "
                    "it is left out of the model",
                )
            )
        elif column.distinct <= 1:
            warnings.append(
                ProfileWarning(
                    column.name,
                    "constant",
                    f"{column.name!r} has a single value; it carries no signal",
                )
            )
        share = column.missing / max(schema.rows, 1)
        if share >= 0.5:
            warnings.append(
                ProfileWarning(column.name, "missing", f"{column.name!r} is {share:.0%} missing")
            )
    return warnings


def _leakage_warnings(
    frame: pd.DataFrame,
    schema: Schema,
    target: str,
    classification: bool,
    checked: Callable[[int], None],
) -> list[ProfileWarning]:
    """Flags features that give the target away: a near-perfect one-column predictor.

    `checked(n)` is called as the n-th column's check begins.
    """
    warnings = []
    known = frame[frame[target].notna()]
    y = known[target]
    for number, column in enumerate(schema.columns):
        checked(number)
        if column.name == target or column.kind not in (
            ColumnKind.NUMERIC,
            ColumnKind.CATEGORICAL,
            ColumnKind.BOOLEAN,
        ):
            continue
        x = known[column.name]
        if x.isna().all():
            continue
        if classification or column.kind is not ColumnKind.NUMERIC:
            # How often the feature's most common class per value is right.
            keys = x.astype(str)
            if keys.nunique() >= 0.5 * len(keys):
                continue  # near-unique values "predict" anything; that is the ID warning's job
            pairs = pd.DataFrame({"x": keys, "y": y.astype(str)})
            purity = pairs.groupby("x")["y"].agg(lambda s: s.value_counts().iloc[0]).sum() / len(
                pairs
            )
            baseline = pairs["y"].value_counts().iloc[0] / len(pairs)
            if purity >= LEAKAGE_SCORE and baseline < LEAKAGE_SCORE:
                warnings.append(
                    ProfileWarning(
                        column.name,
                        "leakage",
                        f"{column.name!r} alone predicts {target!r} for "
                        f"{purity:.0%} of rows: possible leakage",
                    )
                )
        else:
            numbers = pd.to_numeric(x, errors="coerce")
            correlation = numbers.corr(pd.to_numeric(y, errors="coerce"))
            if pd.notna(correlation) and abs(correlation) >= LEAKAGE_SCORE:
                warnings.append(
                    ProfileWarning(
                        column.name,
                        "leakage",
                        f"{column.name!r} correlates {correlation:+.3f} with "
                        f"{target!r}: possible leakage",
                    )
                )
    return warnings
