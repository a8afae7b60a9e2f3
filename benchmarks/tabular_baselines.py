"""tabular_vs_baselines' scikit-learn side: our experiment's split read back as frames, the
baselines fit on train + validation, and their test scores."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
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

#: HistGradientBoosting handles at most this many categories per categorical feature.
HGB_MAX_CATEGORIES = 255

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy")
REGRESSION_METRICS = ("rmse", "mae")

HGB = "HistGradientBoosting"


@dataclass(frozen=True)
class SplitData:
    """The rows of one experiment's split, as feature frames and targets."""

    x_fit: pd.DataFrame  # train + validation
    y_fit: np.ndarray
    x_test: pd.DataFrame
    y_test: np.ndarray
    numeric: list[str]
    categorical: list[str]  # categorical, boolean and text columns: read as strings


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
