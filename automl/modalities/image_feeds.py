"""How image files reach the CNN and transfer families: paths decoded by tf.data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl.errors import AutoMLError

if TYPE_CHECKING:
    from automl.modalities.image import PreparedImages
    from automl.search.request import SearchRequest


@dataclass(frozen=True)
class FileRows:
    """Image rows: file paths and their class indices."""

    files: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.files)

    def take(self, positions: np.ndarray) -> FileRows:
        """Returns the rows at `positions` (a cross-validation fold)."""
        return FileRows(self.files[positions], self.labels[positions])


class ImageFeeds:
    """Images: rows are file paths, decoded and resized by tf.data, never all in memory."""

    #: Decoded training images are cached in memory below this many bytes.
    CACHE_BYTES = 1 << 30

    def __init__(self, prepared: PreparedImages) -> None:
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

    def _pipeline(self, rows: FileRows, with_labels: bool) -> Any:
        from automl.modalities.image_decode import image_pipeline

        return image_pipeline(
            list(rows.files),
            rows.labels if with_labels else None,
            self.folder.image_size,
            self.folder.channels,
            cache=self.cache,
        )

    def predict(self, model: Any, rows: FileRows) -> np.ndarray:
        return np.asarray(model.predict(self._pipeline(rows, False).batch(256), verbose=0))

    def join(self, first: FileRows, second: FileRows) -> FileRows:
        return FileRows(
            np.concatenate([first.files, second.files]),
            np.concatenate([first.labels, second.labels]),
        )

    def fit_inputs(self, rows: FileRows, labels: np.ndarray) -> tuple:
        return self._pipeline(rows, True), None

    def validation_data(self) -> Any:
        return self._pipeline(self.validation, True)

    def hypermodel(self, request: SearchRequest, metrics: list, regression_scale: tuple) -> Any:
        from automl.modalities.families import combine
        from automl.modalities.registry import modality_of

        height, width = self.folder.image_size
        shape = (height, width, self.folder.channels)
        families = tuple(request.families) or tuple(
            p["family"] for p in modality_of(self.prepared).proposals(self.prepared)
        )

        def build(family: str) -> Any:
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
                    weights=request.options.get("backbone_weights"),
                    backbone=backbone_spec(request),
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


def backbone_spec(request: SearchRequest) -> Any:
    """Returns the transfer family's `architectures.transfer.Backbone` for the request."""
    weights = request.options.get("backbone_weights")
    if weights is None:
        raise AutoMLError(
            "the transfer family needs --backbone-weights FILE (nothing is downloaded)"
        )
    from architectures.backbones import backbone_for

    try:
        return backbone_for(Path(weights), request.options.get("backbone"))
    except ValueError as error:
        raise AutoMLError(str(error)) from None
