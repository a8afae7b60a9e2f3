"""Images explained: per-class mean attribution maps, checked by blurring what they point at.

Grad-CAM on the last convolution block of the `.keras` model (checked against the
SavedModel); integrated gradients where there is none; occlusion of patches when the model
has no gradients. A map is faithful when blurring its 10% most-attributed pixels lowers the
class's probability more than blurring 10% of the pixels at random.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from automl.explain.model import ExportedModel
    from automl.explain.outputs import ExplainRequest, Explanation, Section

#: The global importance uses at most this many images (a seeded sample beyond).
MAX_EXAMPLES = 200
#: The share of pixels blurred by the faithfulness check.
TOP_SHARE = 0.10
#: The room's `image_paths(data, metadata) -> [path]` (handed in: never imported here).
PathsOf = Callable[[Path, dict], list[str]]


def decoded(model: ExportedModel, paths: list[str]) -> np.ndarray:
    """Returns the images as the model sees them: float [images, height, width, channels]."""
    import tensorflow as tf

    from automl.modalities.image_decode import decode_image

    info = model.metadata["image"]
    size, channels = tuple(info["size"]), int(info["channels"])
    return np.stack(
        [decode_image(tf.constant(Path(p).read_bytes()), size, channels).numpy() for p in paths]
    ).astype(np.float32)


def image_maps(
    model: ExportedModel, images: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, str, dict]:
    """Returns attribution maps [images, height, width] (0..1), the method and its checks."""
    from automl.explain.attributions import grad_cam, has_gradients, integrated_gradients
    from automl.explain.model import keras_gap

    network = model.keras_model()

    def forward(t: Any) -> Any:
        return network(t, training=False)

    scores = np.asarray(forward(images))
    checks: dict = {"keras_vs_savedmodel": keras_gap(model.serve_images(images), scores)}
    maps = grad_cam(network, images, targets)
    if maps is not None and maps.max() > 0:
        return maps, "Grad-CAM on the last convolution block", checks
    if has_gradients(forward, images[:8]):
        attributions, completeness = integrated_gradients(
            forward, images, np.zeros_like(images), targets
        )
        checks["completeness"] = completeness.to_dict()
        maps = np.clip(attributions.sum(axis=-1), 0, None)
        return _unit(maps), "integrated gradients (baseline: a black image)", checks
    return _occluded(model, images, targets), "occlusion of patches on the SavedModel", checks


def _occluded(model: ExportedModel, images: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Returns maps of the class probability's fall when each patch is covered (grey)."""
    from automl.explain.occlusion import occlusion, patches

    size = max(1, images.shape[1] // 8)
    masks = patches(images.shape[1:], size)

    def score(x: np.ndarray) -> np.ndarray:
        return model.serve_images(x)[np.arange(len(x)), targets]

    drops = occlusion(score, images, masks, float(np.mean(images)))
    maps = np.zeros(images.shape[:3])
    for j, mask in enumerate(masks):
        maps += drops[:, j, None, None] * mask[None, ..., 0]
    return _unit(np.clip(maps, 0, None))


def _unit(maps: np.ndarray) -> np.ndarray:
    """Returns each map divided by its peak."""
    peak = maps.reshape(len(maps), -1).max(axis=1).reshape(-1, 1, 1)
    return np.where(peak > 0, maps / np.maximum(peak, 1e-12), 0.0).astype(np.float32)


def blurred_drop(
    model: ExportedModel, images: np.ndarray, maps: np.ndarray, targets: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Returns each image's fall of its class probability (on the SavedModel) when the 10%
    most-attributed pixels are blurred, and the fall when 10% of pixels at random are."""
    from scipy.ndimage import gaussian_filter

    sigma = max(1.0, images.shape[1] / 16)
    blurred = np.stack([gaussian_filter(im, sigma=(sigma, sigma, 0)) for im in images])
    pixels = maps.shape[1] * maps.shape[2]
    count = max(1, int(round(TOP_SHARE * pixels)))
    flat = maps.reshape(len(maps), -1)
    top = np.zeros_like(flat, dtype=bool)
    np.put_along_axis(top, np.argsort(-flat, axis=1)[:, :count], True, axis=1)
    rng = np.random.default_rng(seed)
    random = np.zeros_like(top)
    for row in random:
        row[rng.choice(pixels, count, replace=False)] = True

    def probability(x: np.ndarray) -> np.ndarray:
        return model.serve_images(x)[np.arange(len(x)), targets]

    original = probability(images)
    shape = maps.shape + (1,)
    drop = original - probability(np.where(top.reshape(shape), blurred, images))
    chance = original - probability(np.where(random.reshape(shape), blurred, images))
    return drop, chance


class ImageExplainer:
    """Image classifiers: a mean map per predicted class, its faithfulness, overlays."""

    def __init__(self, image_paths: PathsOf) -> None:
        self.image_paths = image_paths

    def explain(self, model: ExportedModel, data: Path, request: ExplainRequest) -> Explanation:
        """Returns the images' explanation; writes map_<class>.png and row_<n>.png overlays."""
        from automl.explain.outputs import (
            Explanation,
            LocalExplanation,
            check_rows,
            importance_table,
        )
        from automl.explain.pictures import overlay_png

        paths = self.image_paths(data, model.metadata)
        check_rows(request.rows, len(paths), "images")
        every = (paths, f"images of {data.name}")
        sample, source = searched_test_images(data, request.test) or every
        if len(sample) > MAX_EXAMPLES:
            rng = np.random.default_rng(0)
            sample = [sample[i] for i in sorted(rng.choice(len(sample), MAX_EXAMPLES, False))]
            source += f", a seeded sample of {MAX_EXAMPLES}"
        request.progress(f"attribution maps of {len(sample)} images")
        images = decoded(model, sample)
        targets = np.argmax(model.serve_images(images), axis=1)
        maps, method, checks = image_maps(model, images, targets)
        request.progress("faithfulness: blurring the most-attributed pixels")
        drop, chance = blurred_drop(model, images, maps, targets)
        names, values, spreads, section = class_maps(model, maps, targets, drop, request.out)
        checks["faithfulness"] = {
            "blurred_share": TOP_SHARE,
            "mean_drop_top_pixels": round(float(drop.mean()), 6),
            "mean_drop_random_pixels": round(float(chance.mean()), 6),
        }
        explanation = Explanation(
            importance=importance_table(names, np.asarray(values), np.asarray(spreads)),
            method=f"{method}; faithfulness by blurring the top {TOP_SHARE:.0%} of pixels",
            meaning="Per predicted class, how much the class's probability falls when the 10% "
            "most-attributed pixels are blurred (spread over the images); maps beside it",
            examples=len(sample),
            source=source,
            checks=checks,
            sections=[section],
        )
        if request.rows:
            asked = decoded(model, [paths[r] for r in request.rows])
            asked_targets = np.argmax(model.serve_images(asked), axis=1)
            asked_maps, asked_method, _ = image_maps(model, asked, asked_targets)
            for i, row in enumerate(request.rows):
                name = f"row_{row}.png"
                overlay_png(asked[i], asked_maps[i], request.out / name)
                predicted = model.class_names[asked_targets[i]]
                html = f"<img src='{name}' alt='row {row}'>"
                explanation.local.append(
                    LocalExplanation(
                        row, predicted, asked_method, (name,), html, {"path": paths[row]}
                    )
                )
        return explanation


def class_maps(
    model: ExportedModel, maps: np.ndarray, targets: np.ndarray, drop: np.ndarray, out: Path
) -> tuple[list[str], list[float], list[float], Section]:
    """Returns per predicted class its name, mean and spread of the blur drop, and the
    section showing its mean map (written as map_<class>.png)."""
    from html import escape

    from automl.explain.outputs import Section
    from automl.explain.pictures import map_png

    names, values, spreads, pictures = [], [], [], []
    for c, name in enumerate(model.class_names):
        mine = targets == c
        if not mine.any():
            continue
        names.append(name)
        values.append(float(drop[mine].mean()))
        spreads.append(float(drop[mine].std()))
        file = f"map_{_file_name(name)}.png"
        map_png(maps[mine].mean(axis=0), out / file)
        pictures.append(
            f"<figure><img src='{file}' alt='{escape(name)}'>"
            f"<figcaption>{escape(name)} ({int(mine.sum())} images)</figcaption></figure>"
        )
    html = "<div class='pictures'>" + "".join(pictures) + "</div>"
    maps_written = [f"map_{_file_name(n)}.png" for n in names]
    return names, values, spreads, Section("Mean map per class", html, {"maps": maps_written})


def searched_test_images(data: Path, test: np.ndarray | None) -> tuple[list[str], str] | None:
    """Returns the experiment's test images when `data` is the class folder it searched."""
    from automl.modalities.image_data import scan_image_folder

    if test is None or not len(test) or not data.is_dir():
        return None
    files = scan_image_folder(data).files  # in the order the search split them
    if int(test.max()) >= len(files):
        return None
    return [files[i] for i in test], "the experiment's test split"


def _file_name(name: str) -> str:
    """Returns `name` safe as part of a file name."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
