"""Image pixels: encoded files decoded and resized by TensorFlow, for tf.data and serving.

TensorFlow is imported inside the functions, so importing this module stays free of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import tensorflow as tf


def decode_image(contents: tf.Tensor, size: tuple[int, int], channels: int) -> tf.Tensor:
    """Returns an encoded image (scalar string) as float32 (height, width, channels) in 0..255.

    Pure TensorFlow, so it runs inside `tf.data.Dataset.map` and inside the `tf.function` of
    an exported SavedModel. JPEG/PNG/BMP/GIF (first frame); resized with bilinear
    interpolation, which stays within the input's range.

    Example:
        >>> import tensorflow as tf
        >>> png = tf.io.encode_png(tf.zeros((5, 7, 3), tf.uint8))
        >>> decode_image(png, (8, 8), 1).shape
        TensorShape([8, 8, 1])
    """
    import tensorflow as tf

    # TensorFlow decodes BMP and GIF only to 3 or 4 channels, so decode everything to RGB
    # and convert to gray here; the rounding makes a gray image come back exactly.
    image = tf.io.decode_image(contents, channels=3, expand_animations=False)
    image = tf.image.resize(tf.cast(image, tf.float32), size)
    if channels == 1:
        image = tf.round(tf.image.rgb_to_grayscale(image))
    return tf.clip_by_value(image, 0.0, 255.0)


def image_pipeline(
    files: Sequence[str],
    labels: np.ndarray | Sequence[int] | None,
    size: tuple[int, int],
    channels: int,
    *,
    cache: bool = False,
) -> tf.data.Dataset:
    """Returns an unbatched tf.data stream of (image, label) pairs, or images when no labels.

    Files are read and decoded in parallel, in the order given; a file that cannot be read
    or decoded (truncated, deleted since the scan) is dropped rather than stopping training.
    `cache=True` keeps the decoded, resized images in memory after the first pass: only for
    data that fits.

    Example:
        >>> from automl.modalities.image_data import scan_image_folder
        >>> folder = scan_image_folder("assets/samples/digits")
        >>> stream = image_pipeline(folder.files, folder.labels, folder.image_size, 1)
        >>> image, label = next(iter(stream))
        >>> image.shape, int(label)
        (TensorShape([8, 8, 1]), 0)
    """
    import tensorflow as tf

    paths = tf.constant(list(files), dtype=tf.string)
    if labels is None:
        source = tf.data.Dataset.from_tensor_slices(paths)

        def load(path: tf.Tensor) -> tf.Tensor:
            return decode_image(tf.io.read_file(path), size, channels)

    else:
        targets = tf.constant(np.asarray(labels, dtype=np.int64))
        source = tf.data.Dataset.from_tensor_slices((paths, targets))

        def load(path: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            return decode_image(tf.io.read_file(path), size, channels), label

    stream = source.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    stream = stream.ignore_errors()
    return stream.cache() if cache else stream
