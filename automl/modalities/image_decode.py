"""Image pixels: headers checked against the pixel limit, files decoded and resized by TensorFlow.

TensorFlow is imported inside the functions, so importing this module stays free of it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, UnidentifiedImageError

from automl.errors import first_line

if TYPE_CHECKING:
    import tensorflow as tf

#: The most pixels an image may have (40 megapixels: beyond any phone camera's photo, and
#: its decoded RGB bytes, 120 MB, are what one decode may hold). Larger files, decompression
#: bombs among them, are skipped in a search and get an empty prediction.
MAX_IMAGE_PIXELS = 40_000_000


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

    # The header's size is checked before decoding, so a decompression bomb fails here
    # (InvalidArgumentError: dropped in training, an empty prediction in `automl predict`)
    # without a byte of its pixels allocated.
    check = tf.debugging.assert_less_equal(
        encoded_pixels(contents),
        tf.constant(MAX_IMAGE_PIXELS, tf.int64),
        message=f"image over the {MAX_IMAGE_PIXELS // 1_000_000}-megapixel limit",
    )
    with tf.control_dependencies([check]):
        # TensorFlow decodes BMP and GIF only to 3 or 4 channels, so decode everything to
        # RGB and convert to gray here; the rounding makes a gray image come back exactly.
        image = tf.io.decode_image(contents, channels=3, expand_animations=False)
    # Resized from uint8: the resize computes in float without a full-size float copy.
    image = tf.image.resize(image, size)
    if channels == 1:
        image = tf.round(tf.image.rgb_to_grayscale(image))
    return tf.clip_by_value(image, 0.0, 255.0)


def encoded_pixels(contents: tf.Tensor) -> tf.Tensor:
    """Returns the pixel count (int64) an encoded image's header declares; 0 when unknown.

    PNG, GIF and BMP keep width and height at fixed places in their first 26 bytes; JPEG's
    are read by `tf.image.extract_jpeg_shape`, which parses markers, not pixels. Pure
    TensorFlow, for `decode_image`.

    Example:
        >>> import tensorflow as tf
        >>> int(encoded_pixels(tf.io.encode_png(tf.zeros((5, 7, 3), tf.uint8))))
        35
    """
    import tensorflow as tf

    padded = tf.strings.substr(contents + tf.constant(b"\0" * 32), 0, 32)
    head = tf.cast(tf.io.decode_raw(padded, tf.uint8), tf.int64)

    def number(start: int, length: int, big_endian: bool) -> tf.Tensor:
        places = range(length) if not big_endian else reversed(range(length))
        return tf.add_n([head[start + i] * (256**place) for i, place in enumerate(places)])

    def signed(value: tf.Tensor) -> tf.Tensor:
        # BMP stores a bottom-up image's height as a negative 32-bit number.
        return tf.abs(tf.where(value >= 2**31, value - 2**32, value))

    is_png = tf.logical_and(tf.equal(head[0], 0x89), tf.equal(head[1], ord("P")))
    is_gif = tf.logical_and(tf.equal(head[0], ord("G")), tf.equal(head[1], ord("I")))
    is_bmp = tf.logical_and(tf.equal(head[0], ord("B")), tf.equal(head[1], ord("M")))
    is_jpeg = tf.logical_and(tf.equal(head[0], 0xFF), tf.equal(head[1], 0xD8))
    return tf.case(
        [
            (is_png, lambda: number(16, 4, True) * number(20, 4, True)),
            (is_gif, lambda: number(6, 2, False) * number(8, 2, False)),
            (is_bmp, lambda: signed(number(18, 4, False)) * signed(number(22, 4, False))),
            (
                is_jpeg,
                lambda: tf.reduce_prod(
                    tf.cast(tf.image.extract_jpeg_shape(contents)[:2], tf.int64)
                ),
            ),
        ],
        default=lambda: tf.constant(0, tf.int64),
    )


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


def image_header(name: str) -> tuple[tuple[int, int], str] | str:
    """Returns ((height, width), Pillow mode) from an image's header, or why it is refused.

    Only the header is read (Pillow opens lazily), so a decompression bomb costs a few
    hundred bytes here: one over `MAX_IMAGE_PIXELS` is refused before any pixel is decoded.

    Example:
        >>> image_header("assets/samples/digits/0/0000.png")
        ((8, 8), 'L')
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own, higher limit; ours refuses such images anyway.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(name) as image:  # reads the header, not the pixels
                width, height = image.size
                mode = image.mode
    except Image.DecompressionBombError as error:
        return f"{over_pixel_limit()} ({first_line(error)})"
    except (OSError, UnidentifiedImageError, ValueError) as error:
        return f"not a readable image ({first_line(error)})"
    if width * height > MAX_IMAGE_PIXELS:
        return f"{over_pixel_limit()} ({width}x{height})"
    return (height, width), mode


def over_pixel_limit() -> str:
    """Returns the reason given for an image with more pixels than `MAX_IMAGE_PIXELS`."""
    return f"over the {MAX_IMAGE_PIXELS // 1_000_000}-megapixel limit"


def is_over_pixel_limit(name: str) -> bool:
    """Returns True when an image's header declares more pixels than `MAX_IMAGE_PIXELS`."""
    header = image_header(name)
    return isinstance(header, str) and header.startswith(over_pixel_limit())
