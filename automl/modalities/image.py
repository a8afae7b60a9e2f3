"""Images: a folder of class sub-folders, or a CSV of image paths (`--image-column`).

Rows are file paths, decoded and resized by tf.data; nothing loads the whole folder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl.errors import AutoMLError
from automl.modalities.base import Option, Prepared, Traits
from automl.modalities.card_sections import CardSections
from automl.modalities.image_explain import ImageExplainer

if TYPE_CHECKING:
    from automl.export.predict import Predictions
    from automl.export.savedmodel import ImageServing
    from automl.modalities.image_data import ImageFolder
    from automl.search.request import SearchRequest

IMAGE_COLUMN = Option(
    "image_column",
    "str",
    "for a CSV of image file paths: the column of paths (--target names the labels)",
    metavar="COL",
)
BACKBONE_WEIGHTS = Option(
    "backbone_weights",
    "path",
    "images: a local pretrained backbone's weights (no top), e.g. "
    "mobilenet_v2 notop .h5; adds the transfer family (nothing is downloaded)",
    metavar="FILE",
)
BACKBONE = Option(
    "backbone",
    "str",
    "the backbone those weights belong to (default: told by the file name)",
    choices=("mobilenet_v2", "efficientnet_b0"),
    propose=False,
)

#: Images sent to the SavedModel at once by `automl predict`.
IMAGE_BATCH = 64


@dataclass(frozen=True, kw_only=True, eq=False)
class PreparedImages(Prepared):
    """An image folder (or CSV of paths) ready to search."""

    folder: ImageFolder
    test_folder: ImageFolder | None
    image_column: str | None = None
    backbone_weights: str | None = None

    def describe(self) -> dict:
        return {
            "images": self.folder.to_dict(),
            "test_images": self.test_folder.to_dict() if self.test_folder else None,
        }

    def metadata(self) -> dict:
        return {"images": self.folder.to_dict(), "image_column": self.image_column}

    def baselines(self) -> dict:
        return {}  # benchmarks/image_search.py compares against pixel baselines

    def serving(self) -> ImageServing:
        from automl.export.savedmodel import ImageServing

        return ImageServing(tuple(self.folder.image_size), self.folder.channels)


def prepare_images(request: SearchRequest) -> PreparedImages:
    """Returns the request's images listed (not decoded) and split."""
    from automl.data.splits import split_rows
    from automl.modalities.image_data import load_image_csv, scan_image_folder
    from automl.search.metrics import choose_objective

    image_column = request.options.get("image_column")

    def load(path: Path) -> ImageFolder:
        if image_column:
            if not request.target:
                raise AutoMLError("--target names the label column of the image CSV")
            return load_image_csv(path, image_column, request.target)
        return scan_image_folder(path)

    folder = load(Path(request.data))
    test_folder = None
    if request.test_file is not None:
        test_folder = load(Path(request.test_file))
        unknown = set(test_folder.class_names) - set(folder.class_names)
        if unknown:
            raise AutoMLError(
                f"--test {request.test_file} has classes the training data lacks: "
                f"{', '.join(sorted(unknown))}"
            )
        # Class indices must mean the same classes in both folders.
        position = {name: i for i, name in enumerate(folder.class_names)}
        relabelled = np.asarray(
            [position[test_folder.class_names[i]] for i in test_folder.labels], dtype=np.int64
        )
        test_folder = replace(test_folder, labels=relabelled, class_names=folder.class_names)
    splits = split_rows(
        np.arange(len(folder.files)),
        np.asarray(folder.labels),
        seed=request.seed,
        validation_fraction=request.validation_split,
        test_fraction=0.0 if test_folder is not None else request.test_split,
    )
    if test_folder is not None:
        splits = replace(splits, test=np.arange(len(test_folder.files)))
    weights = request.options.get("backbone_weights")
    classes = len(folder.class_names)
    return PreparedImages(
        modality="image",
        splits=splits,
        objective=choose_objective(request.metric, True),
        classification=True,
        task_kind="binary" if classes == 2 else "multiclass",
        target="class",
        task_reason=f"{classes} class folders",
        class_names=tuple(folder.class_names),
        rows=len(folder.files),
        dropped_rows=len(folder.skipped),
        folder=folder,
        test_folder=test_folder,
        image_column=image_column,
        backbone_weights=str(weights) if weights else None,
    )


def predict_images(model_dir: Path, metadata: dict, data: Path) -> Predictions:
    """Returns one row per image (path, prediction, proba_<class>) for a folder or CSV.

    A folder is searched recursively for image files; a CSV names them in a `path`
    column (relative to the CSV's folder). Files that cannot be decoded get an empty
    prediction and a note, and never stop the others.
    """
    import pandas as pd

    from automl.export.predict import Predictions, load_signature
    from automl.export.reporting import current_report
    from automl.modalities.image_decode import is_over_pixel_limit, over_pixel_limit

    paths = _image_paths(data, metadata)
    serve = load_signature(model_dir)
    classes = metadata["class_names"]
    rows, unreadable, too_large = [], [], []
    report = current_report()  # images done, out of all, after each batch
    report(0, len(paths))
    for start in range(0, len(paths), IMAGE_BATCH):
        batch = paths[start : start + IMAGE_BATCH]
        # An image over the pixel limit is told by its header and never sent to the model.
        refused = {p for p in batch if is_over_pixel_limit(p)}
        too_large += [p for p in batch if p in refused]
        served = iter(_serve_images(serve, [p for p in batch if p not in refused]))
        for path in batch:
            output = None if path in refused else next(served)
            if output is None:
                if path not in refused:
                    unreadable.append(path)
                rows.append(
                    {"path": path, "prediction": "", **{f"proba_{c}": np.nan for c in classes}}
                )
            else:
                label, proba = output
                rows.append(
                    {
                        "path": path,
                        "prediction": label,
                        **{f"proba_{c}": float(p) for c, p in zip(classes, proba, strict=True)},
                    }
                )
        report(min(start + IMAGE_BATCH, len(paths)), len(paths))
    notes = []
    if unreadable:
        notes.append(
            f"{len(unreadable)} file(s) could not be decoded as images, e.g. "
            f"{unreadable[0]}; their prediction is empty"
        )
    if too_large:
        notes.append(
            f"{len(too_large)} image(s) are {over_pixel_limit()}, e.g. {too_large[0]}; "
            f"their prediction is empty"
        )
    return Predictions(pd.DataFrame(rows), tuple(notes))


def _serve_images(serve: Any, paths: list[str]) -> list:
    """Returns (label, probabilities) per path, or None for a file that is not an image."""
    import tensorflow as tf

    if not paths:
        return []
    try:
        contents = [Path(p).read_bytes() for p in paths]
    except OSError:
        if len(paths) == 1:
            return [None]  # unreadable since it was listed: an empty prediction
        return [_serve_images(serve, [p])[0] for p in paths]
    try:
        output = serve(image_bytes=tf.constant(contents))
        labels = [v.decode("utf-8") for v in output["label"].numpy()]
        return list(zip(labels, output["probabilities"].numpy(), strict=True))
    except (tf.errors.InvalidArgumentError, ValueError):
        if len(paths) == 1:
            return [None]
        # One bad file fails the whole batch: find it by going one at a time.
        return [_serve_images(serve, [p])[0] for p in paths]


def _image_paths(data: Path, metadata: dict) -> list[str]:
    from automl.data import read_table
    from automl.data.loading import check_regular_file
    from automl.modalities.image_data import IMAGE_SUFFIXES

    if data.is_dir():
        paths = sorted(
            str(p)
            for p in data.rglob("*")
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
        )
        if not paths:
            raise AutoMLError(f"{data} holds no image files ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return paths
    frame = read_table(data)
    column = metadata.get("image_column") or "path"
    if column not in frame.columns:
        raise AutoMLError(f"{data} has no {column!r} column of image paths")
    paths = [
        str(p if Path(p).is_absolute() else data.parent / p) for p in frame[column].astype(str)
    ]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise AutoMLError(f"{len(missing)} image path(s) in {data} do not exist, e.g. {missing[0]}")
    for path in paths:
        # A device (/dev/zero) would be read without end; a folder or a locked file fails.
        check_regular_file(Path(path))
    return paths


class ImageModality:
    """Images in class folders (or a CSV of paths and labels): classification."""

    name = "image"
    priority = 10
    traits = Traits(predicts_folders=True)
    options: tuple[Option, ...] = (IMAGE_COLUMN, BACKBONE_WEIGHTS, BACKBONE)
    #: its parts of the model card (inputs table, usage snippet)
    card = CardSections()
    #: a mean attribution map per class, checked by blurring (`automl explain`)
    explainer = ImageExplainer(lambda data, metadata: _image_paths(data, metadata))

    def recognises(self, request: SearchRequest) -> bool:
        return bool(request.options.get("image_column")) or Path(request.data).is_dir()

    def check_request(self, request: SearchRequest) -> None:
        """Refuses the transfer family without local weights, and an unknown backbone."""
        weights = request.options.get("backbone_weights")
        if "transfer" in request.families and weights is None:
            raise AutoMLError(
                "the transfer family needs --backbone-weights FILE (nothing is downloaded)"
            )
        if weights is not None or request.options.get("backbone") is not None:
            from automl.modalities.image_feeds import backbone_spec

            backbone_spec(request)

    def prepare(self, request: SearchRequest) -> PreparedImages:
        return prepare_images(request)

    def feeds(self, prepared: Prepared) -> Any:
        from automl.modalities.image_feeds import ImageFeeds

        assert isinstance(prepared, PreparedImages)
        return ImageFeeds(prepared)

    def proposals(self, prepared: Prepared) -> list[dict]:
        from automl.propose import propose_for_image_folder

        assert isinstance(prepared, PreparedImages)
        return propose_for_image_folder(prepared.folder.to_dict(), prepared.backbone_weights)

    def summary(self, prepared: Prepared) -> dict:
        assert isinstance(prepared, PreparedImages)
        return {"modality": self.name, **prepared.folder.to_dict()}

    def serving_from_metadata(self, metadata: dict) -> ImageServing:
        from automl.export.savedmodel import ImageServing

        return ImageServing(tuple(metadata["image"]["size"]), metadata["image"]["channels"])

    def predict_file(self, model_dir: Path, metadata: dict, data: Path) -> Predictions:
        return predict_images(model_dir, metadata, data)


MODALITY = ImageModality()
