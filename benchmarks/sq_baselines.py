"""search_quality's worker for the simple baselines on flattened features.

The best of them on the test rows is the benchmark's "best scikit-learn baseline": majority
class or mean, 1-nearest neighbour and k chosen by inner cross-validation, logistic (ridge)
regression and gradient boosting; for series also 1-NN on z-normalised series, for text
these models on a bag of words (TF-IDF), for images on the pixels.
"""

from __future__ import annotations

import time

import numpy as np
from sq_keras import table_frame, table_preprocessing
from sq_split import SplitArrays, job_split, test_scores

#: Neighbour counts the k-NN baseline chooses from by inner cross-validation.
NEIGHBOURS = (1, 3, 5, 9, 15)
#: Folds of that inner cross-validation (fewer when a class has fewer rows).
INNER_FOLDS = 5


def z_normalised(series: np.ndarray) -> np.ndarray:
    """Returns flattened series, each scaled to mean 0 and spread 1 over its observed steps
    (padding reads as 0 after scaling), as 1-NN on time series is usually run."""
    flat = series.reshape(len(series), series.shape[1], -1).astype(np.float64)
    mean = np.nanmean(flat, axis=1, keepdims=True)
    spread = np.nanstd(flat, axis=1, keepdims=True)
    scaled = (flat - mean) / np.where(spread > 0, spread, 1.0)
    return np.nan_to_num(scaled, nan=0.0).reshape(len(series), -1)


def neighbours_by_cv(classification: bool, targets: np.ndarray):
    """Returns a k-nearest-neighbour model whose k is chosen from `NEIGHBOURS` by inner
    cross-validation on the rows it is fitted on (stratified for classes)."""
    from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    if classification:
        smallest = int(np.unique(targets, return_counts=True)[1].min())
        folds = StratifiedKFold(max(2, min(INNER_FOLDS, smallest)), shuffle=True, random_state=0)
        model = KNeighborsClassifier()
    else:
        folds = KFold(INNER_FOLDS, shuffle=True, random_state=0)
        model = KNeighborsRegressor()
    # k may not exceed the rows of an inner fold's training part.
    largest = len(targets) - len(targets) // folds.get_n_splits()
    ks = [k for k in NEIGHBOURS if k <= largest] or [1]
    return GridSearchCV(model, {"n_neighbors": ks}, cv=folds)


def baseline_features(split: SplitArrays) -> tuple[dict, dict]:
    """Returns (dense features for 1-NN / linear models, features for gradient boosting),
    each split name -> array, fitted on train + validation."""
    fit = ("train", "validation")
    if split.modality == "table":
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.preprocessing import OrdinalEncoder

        frames = {k: table_frame(split, v) for k, v in split.x.items()}
        both = pd.concat([frames[k] for k in fit], ignore_index=True)
        linear = table_preprocessing(split).fit(both)
        ordinal = ColumnTransformer(
            [
                (
                    "cat",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=np.nan,
                        encoded_missing_value=np.nan,
                    ),
                    split.categorical,
                ),
                ("num", "passthrough", split.numeric),
            ]
        ).fit(both)
        dense = {k: np.asarray(linear.transform(f), dtype=np.float64) for k, f in frames.items()}
        trees = {k: np.asarray(ordinal.transform(f), dtype=np.float64) for k, f in frames.items()}
        return dense, trees
    if split.modality == "text":
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

        texts = list(split.x["train"]) + list(split.x["validation"])
        tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        counts = CountVectorizer(max_features=1000).fit(texts)
        dense = {k: tfidf.transform(v) for k, v in split.x.items()}
        trees = {k: counts.transform(v).toarray().astype(np.float64) for k, v in split.x.items()}
        return dense, trees
    flat = {k: np.nan_to_num(v.reshape(len(v), -1).astype(np.float64)) for k, v in split.x.items()}
    if split.modality == "image":
        flat = {k: v / 255.0 for k, v in flat.items()}
    return flat, flat


def worker_baselines(job: dict) -> dict:
    """Fits the simple baselines on train + validation; returns one row per baseline."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    began = time.monotonic()
    split = job_split(job)
    dense, trees = baseline_features(split)
    load_s = time.monotonic() - began
    y_fit = np.concatenate([split.y["train"], split.y["validation"]])

    def stack(features: dict):
        import scipy.sparse

        parts = [features["train"], features["validation"]]
        return scipy.sparse.vstack(parts) if scipy.sparse.issparse(parts[0]) else np.vstack(parts)

    scaled = split.modality in ("series", "forecast")  # tables and text are scaled already
    linear_prefix = [StandardScaler()] if scaled else []
    seed = job["seed"]
    if split.classification:
        models = {
            "majority class": (DummyClassifier(strategy="prior"), dense),
            "1-nearest neighbour": (KNeighborsClassifier(1), dense),
            "k-nearest neighbour (k by CV)": (neighbours_by_cv(True, y_fit), dense),
            "logistic regression": (
                make_pipeline(*linear_prefix, LogisticRegression(max_iter=2000)),
                dense,
            ),
            "HistGradientBoosting": (HistGradientBoostingClassifier(random_state=seed), trees),
        }
    else:
        multi = split.modality == "forecast"

        def boosted():
            model = HistGradientBoostingRegressor(random_state=seed)
            return MultiOutputRegressor(model) if multi else model

        models = {
            "mean": (DummyRegressor(strategy="mean"), dense),
            "1-nearest neighbour": (KNeighborsRegressor(1), dense),
            "k-nearest neighbour (k by CV)": (neighbours_by_cv(False, y_fit), dense),
            "ridge regression": (make_pipeline(*linear_prefix, Ridge()), dense),
            "HistGradientBoosting": (boosted(), trees),
        }
    if split.modality == "series":
        normalised = {k: z_normalised(v) for k, v in split.x.items()}
        nearest = KNeighborsClassifier(1) if split.classification else KNeighborsRegressor(1)
        models["1-NN, z-normalised series"] = (nearest, normalised)
    rows = {}
    if split.modality == "forecast":
        from automl.modalities.forecast_windows import naive_forecast

        rows["naive last value"] = {
            "metrics": test_scores(
                split, naive_forecast(split.x["test"], split.y["test"].shape[1])
            ),
            "time_s": 0.0,
        }
    for name, (model, features) in models.items():
        started = time.monotonic()
        try:
            model.fit(stack(features), y_fit)
            if split.classification:
                proba = np.zeros((len(split.y["test"]), len(split.class_names)))
                proba[:, model.classes_] = model.predict_proba(features["test"])
                output = proba
            else:
                output = model.predict(features["test"])
            rows[name] = {"metrics": test_scores(split, output)}
        except Exception as error:  # one baseline failing must not hide the others
            rows[name] = {"error": f"{type(error).__name__}: {error}"}
        rows[name]["time_s"] = round(time.monotonic() - started + load_s, 1)
    return {"baselines": rows, "split_note": split.note}
