"""How series, forecast windows and free text reach the sequence families.

Rows are plain arrays: series are float32 (samples, steps, features) with NaN padding,
forecast windows the same with (samples, horizon) targets. Text stays a table (one
string column), fed like `TableFeeds`, with the recurrent and conv families on top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from automl.search.feeds import TableFeeds

#: Tokens kept per text: the 95th percentile of training lengths, within these bounds.
MIN_TEXT_TOKENS, MAX_TEXT_TOKENS = 16, 400


def default_families(prepared) -> tuple[str, ...]:
    """Returns the families the proposals rank for `prepared`, best first."""
    from automl.propose import propose_for_sequences

    return tuple(p["family"] for p in propose_for_sequences(sequence_summary(prepared)))


def sequence_summary(prepared) -> dict:
    """Returns the plain description `automl.propose.propose_for_sequences` reads."""
    if prepared.modality == "text":
        column = prepared.dataset.features[0].name
        texts = prepared.dataset.frame[column].dropna().astype(str)
        return {
            "text_tokens": float(texts.str.split().str.len().mean()) if len(texts) else 0.0,
            "modality": "text",
            "task": prepared.task_kind,
            "samples": prepared.rows,
            "steps": 0,
            "features": 1,
            "classes": len(prepared.class_names),
            "horizon": 0,
            "text_column": column,
        }
    x = prepared.windows.X if prepared.modality == "forecast" else prepared.sequences.X
    return {
        "modality": prepared.modality,
        "task": prepared.task_kind,
        "samples": int(x.shape[0]),
        "steps": int(x.shape[1]),
        "features": int(x.shape[2]),
        "classes": len(prepared.class_names),
        "horizon": getattr(prepared, "horizon", 0),
        "text_column": None,
    }


def choose_families(request, prepared) -> tuple[str, ...]:
    return tuple(request.families) or default_families(prepared)


def combine(names: Sequence[str], build: Callable[[str], object]):
    """Returns one family's HyperModel, or a `FamilyChoice` searching several."""
    if len(names) == 1:
        return build(names[0])
    from architectures.families import FamilyChoice

    return FamilyChoice({name: build(name) for name in names})


def _family_class(name: str):
    from architectures.proposals import load_hypermodel_class

    return load_hypermodel_class(name)


class SeriesFeeds:
    """Numeric series (classification or regression) and forecast windows."""

    def __init__(self, prepared) -> None:
        self.prepared = prepared
        self.modality = prepared.modality
        splits = prepared.splits
        if prepared.modality == "forecast":
            windows = prepared.windows
            self.x_all, self.test_x = windows.X, windows.X[splits.test]
            self.y_train = windows.y[splits.train]
            self.y_validation = windows.y[splits.validation]
            self.y_test = windows.y[splits.test]
        else:
            self.x_all = prepared.sequences.X
            test_set = prepared.test_sequences or prepared.sequences
            self.test_x = test_set.X[splits.test]
            self.y_train = prepared.labels[splits.train]
            self.y_validation = prepared.labels[splits.validation]
            self.y_test = prepared.test_labels
        self.train = self.x_all[splits.train]
        self.validation = self.x_all[splits.validation]
        self.test = self.test_x

    def predict(self, model, rows: np.ndarray) -> np.ndarray:
        return np.asarray(model.predict(rows, batch_size=512, verbose=0))

    def join(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        return np.concatenate([first, second])

    def fit_inputs(self, rows: np.ndarray, labels: np.ndarray) -> tuple:
        return rows, labels

    def validation_data(self):
        return (self.validation, self.y_validation)

    def hypermodel(self, request, metrics: list, regression_scale: tuple[float, float]):
        from architectures.sequence import SequenceTask, SeriesInput

        flat = self.train.reshape(-1, self.train.shape[2])
        mean = np.nan_to_num(np.nanmean(flat, axis=0), nan=0.0)
        variance = np.nan_to_num(np.nanvar(flat, axis=0), nan=1.0)
        variance = np.where(variance > 0, variance, 1.0)
        forecast = self.modality == "forecast"
        inputs = SeriesInput(
            features=int(self.train.shape[2]),
            mean=tuple(float(v) for v in mean),
            variance=tuple(float(v) for v in variance),
            steps=int(self.train.shape[1]) if forecast else None,
        )
        prepared = self.prepared
        if prepared.classification:
            task = SequenceTask(prepared.task_kind, classes=len(prepared.class_names))
        else:
            # Forecast targets are the series' own future values: scale them like its inputs.
            std = float(np.sqrt(variance[0])) if forecast else regression_scale[1]
            task = SequenceTask(
                "forecast" if forecast else "regression",
                outputs=prepared.horizon if forecast else 1,
                target_mean=regression_scale[0],
                target_std=std,
                target_feature=0,
            )

        def build(name: str):
            return _family_class(name)(
                inputs,
                task,
                metrics=metrics,
                train_rows=len(self.y_train),
                seed=request.seed,
                space=request.space_for(name),
            )

        return combine(choose_families(request, prepared), build)

    def row_values(self, position: int) -> dict[str, str]:
        """Returns what identifies one test row beside a mistake."""
        prepared = self.prepared
        if self.modality == "forecast":
            row = prepared.splits.test[position]
            windows = prepared.windows
            series = prepared.data.ids[windows.series_index[row]]
            values = {"origin": str(windows.origin_time[row])}
            if series is not None:
                values["series"] = str(series)
            return values
        test_set = prepared.test_sequences or prepared.sequences
        row = prepared.splits.test[position]
        return {"series": str(test_set.ids[row]), "length": str(int(test_set.lengths[row]))}

    def check_rows(self) -> dict[str, np.ndarray]:
        """Returns the raw test series, as the SavedModel's signature takes them."""
        return {"series": self.test.astype(np.float32)}


class TextFeeds(TableFeeds):
    """A table whose one feature is free text, searched with the sequence families."""

    modality = "text"

    def hypermodel(self, request, metrics: list, regression_scale: tuple[float, float]):
        from architectures.sequence import SequenceTask, TextInput
        from automl.search.features import text_vocabulary

        column = self.dataset.features[0]
        texts = self.train[column.input_name]
        vocabulary = text_vocabulary(texts)
        tokens = [len(t.split()) for t in texts.tolist()] or [MIN_TEXT_TOKENS]
        length = int(np.clip(np.percentile(tokens, 95), MIN_TEXT_TOKENS, MAX_TEXT_TOKENS))
        inputs = TextInput(column.input_name, vocabulary, length)
        prepared = self.prepared
        if prepared.classification:
            task = SequenceTask(prepared.task_kind, classes=len(prepared.class_names))
        else:
            task = SequenceTask(
                "regression", target_mean=regression_scale[0], target_std=regression_scale[1]
            )

        def build(name: str):
            if name == "dense":
                return TableFeeds.hypermodel(self, request, metrics, regression_scale)
            return _family_class(name)(
                inputs,
                task,
                metrics=metrics,
                train_rows=len(self.y_train),
                seed=request.seed,
                space=request.space_for(name),
            )

        return combine(choose_families(request, prepared), build)
