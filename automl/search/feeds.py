"""What differs between modalities in a search: how rows reach a model, and its family.

A search holds one `Feeds` object; the rest of the search (tuner, refit, scores,
evaluation) is the same for tables and images. Each split is an opaque "rows" value
that only the feeds object knows how to feed, join, or describe.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from automl.errors import AutoMLError


class TableFeeds:
    """Tables: rows are dicts of column arrays, fed through tf.data by the dense family."""

    modality = "table"

    def __init__(self, prepared) -> None:
        dataset, splits = prepared.dataset, prepared.splits
        self.prepared = prepared
        self.dataset = dataset
        frame = dataset.frame
        self.test_frame = prepared.test_frame.iloc[splits.test]
        self.train = dataset.model_inputs(frame.iloc[splits.train])
        self.validation = dataset.model_inputs(frame.iloc[splits.validation])
        self.test = dataset.model_inputs(self.test_frame)
        self.y_train = dataset.target_values(frame.iloc[splits.train])
        self.y_validation = dataset.target_values(frame.iloc[splits.validation])
        self.y_test = dataset.target_values(self.test_frame)

    def predict(self, model, rows: dict[str, np.ndarray]) -> np.ndarray:
        from automl.search.arrays import predict

        return predict(model, rows)

    def join(self, first: dict, second: dict) -> dict:
        return {k: np.concatenate([first[k], second[k]]) for k in first}

    def fit_inputs(self, rows: dict, labels: np.ndarray) -> tuple:
        """Returns (x, y) as the family's `fit` takes them."""
        return rows, labels

    def validation_data(self):
        return (self.validation, self.y_validation)

    def hypermodel(self, request, metrics: list, regression_scale: tuple[float, float]):
        from architectures.dense import DenseHyperModel, TabularTask
        from automl.search.features import describe_features

        task = self.dataset.task
        if task.kind.is_classification:
            head = TabularTask(task.kind.value, len(task.class_names))
        else:
            head = TabularTask(
                "regression", target_mean=regression_scale[0], target_std=regression_scale[1]
            )
        return DenseHyperModel(
            describe_features(self.dataset, self.train),
            head,
            metrics=metrics,
            train_rows=len(self.y_train),
            seed=request.seed,
            space=request.space_for("dense"),
        )

    def row_values(self, position: int) -> dict[str, str]:
        """Returns one test row's raw values as text, shown beside a mistake."""
        row = self.test_frame.iloc[position]
        return {str(k): "" if v is None or v != v else str(v) for k, v in row.items()}

    def check_rows(self) -> dict[str, np.ndarray]:
        """Returns the raw test inputs, as the SavedModel's signature takes them."""
        return self.test


@dataclass(frozen=True)
class FileRows:
    """Image rows: file paths and their class indices."""

    files: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.files)


class ImageFeeds:
    """Images: rows are file paths, decoded and resized by tf.data, never all in memory."""

    modality = "image"
    #: Decoded training images are cached in memory below this many bytes.
    CACHE_BYTES = 1 << 30

    def __init__(self, prepared) -> None:
        self.prepared = prepared
        folder, splits = prepared.folder, prepared.splits
        self.folder = folder
        files, labels = np.asarray(folder.files), np.asarray(folder.labels, dtype=np.int64)
        self.train = FileRows(files[splits.train], labels[splits.train])
        self.validation = FileRows(files[splits.validation], labels[splits.validation])
        test = prepared.test_folder or folder
        test_files = np.asarray(test.files)
        test_labels = np.asarray(test.labels, dtype=np.int64)
        self.test = FileRows(test_files[splits.test], test_labels[splits.test])
        self.y_train, self.y_validation = self.train.labels, self.validation.labels
        self.y_test = self.test.labels
        height, width = folder.image_size
        self.cache = len(files) * height * width * folder.channels * 4 < self.CACHE_BYTES

    def _pipeline(self, rows: FileRows, with_labels: bool):
        from automl.data.images import image_pipeline

        return image_pipeline(
            list(rows.files),
            rows.labels if with_labels else None,
            self.folder.image_size,
            self.folder.channels,
            cache=self.cache,
        )

    def predict(self, model, rows: FileRows) -> np.ndarray:
        return np.asarray(model.predict(self._pipeline(rows, False).batch(256), verbose=0))

    def join(self, first: FileRows, second: FileRows) -> FileRows:
        return FileRows(
            np.concatenate([first.files, second.files]),
            np.concatenate([first.labels, second.labels]),
        )

    def fit_inputs(self, rows: FileRows, labels: np.ndarray) -> tuple:
        return self._pipeline(rows, True), None

    def validation_data(self):
        return self._pipeline(self.validation, True)

    def hypermodel(self, request, metrics: list, regression_scale: tuple[float, float]):
        from automl.propose import propose_for_image_folder
        from automl.search.sequence_feeds import combine

        height, width = self.folder.image_size
        shape = (height, width, self.folder.channels)
        families = tuple(request.families) or tuple(
            p["family"]
            for p in propose_for_image_folder(self.folder.to_dict(), request.backbone_weights)
        )

        def build(family: str):
            common = dict(
                metrics=metrics,
                train_rows=len(self.train),
                seed=request.seed,
                space=request.space_for(family),
            )
            if family == "transfer":
                from architectures.transfer import TransferHyperModel

                return TransferHyperModel(
                    shape,
                    len(self.folder.class_names),
                    weights=request.backbone_weights,
                    backbone=request.backbone_spec,
                    **common,
                )
            if family != "cnn":
                raise AutoMLError(f"--families {family}: images take cnn or transfer")
            from architectures.cnn import CNNHyperModel

            return CNNHyperModel(shape, len(self.folder.class_names), **common)

        return combine(families, build)

    def row_values(self, position: int) -> dict[str, str]:
        return {"path": str(self.test.files[position])}

    def check_rows(self) -> dict[str, np.ndarray]:
        """Returns the test images' encoded bytes (base64 text, so .npz needs no pickle)."""
        import base64

        encoded = [base64.b64encode(Path(p).read_bytes()).decode("ascii") for p in self.test.files]
        return {"image_bytes__base64": np.asarray(encoded)}


def make_feeds(prepared):
    """Returns the feeds for prepared data of any modality."""
    if prepared.modality == "image":
        return ImageFeeds(prepared)
    if prepared.modality in ("series", "forecast"):
        from automl.search.sequence_feeds import SeriesFeeds

        return SeriesFeeds(prepared)
    if prepared.modality == "text":
        from automl.search.sequence_feeds import TextFeeds

        return TextFeeds(prepared)
    return TableFeeds(prepared)
