"""Image folders and CSVs: scanning, the mistakes users make, and the tf.data stream."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from automl.errors import AutoMLError
from automl.modalities.image_data import (
    choose_image_size,
    is_image_folder,
    load_image_csv,
    scan_image_folder,
)
from automl.modalities.image_decode import decode_image, image_pipeline

DIGITS = Path(__file__).resolve().parents[1] / "assets" / "samples" / "digits"


def write_image(path: Path, size=(6, 4), mode="L", fmt=None, seed=0) -> Path:
    """Writes a random image of `size` (height, width) and returns its path."""
    rng = np.random.default_rng(seed)
    shape = size if mode == "L" else (*size, 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(path, format=fmt)
    return path


def two_classes(root: Path, per_class=2, **kwargs) -> Path:
    for name in ("cat", "dog"):
        for i in range(per_class):
            write_image(root / name / f"{i}.png", seed=i, **kwargs)
    return root


def test_digits_sample_scans_as_ten_gray_8x8_classes():
    folder = scan_image_folder(DIGITS)
    assert folder.class_names == tuple(str(d) for d in range(10))
    assert len(folder.files) == len(folder.labels) == 1797
    assert folder.image_size == (8, 8)
    assert folder.channels == 1
    assert folder.skipped == ()  # README.md sits beside the classes, not in one
    assert folder.labels.dtype == np.int64
    assert list(np.bincount(folder.labels)) == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # Grouped by class, sorted within each, aligned with labels.
    assert all(
        Path(f).parent.name == folder.class_names[i]
        for f, i in zip(folder.files, folder.labels, strict=True)
    )
    assert list(folder.files) == sorted(folder.files, key=lambda f: (Path(f).parent.name, f))
    summary = json.loads(json.dumps(folder.to_dict()))
    assert summary["files"] == 1797 and summary["counts"]["8"] == 174
    assert summary["image_size"] == [8, 8] and summary["channels"] == 1
    assert summary["skipped"] == 0 and summary["skipped_examples"] == []
    assert "labels" not in summary and len(json.dumps(summary)) < 2000


def test_is_image_folder(tmp_path):
    assert is_image_folder(DIGITS)
    assert not is_image_folder(DIGITS.parent)  # CSVs beside a folder of images
    assert not is_image_folder(tmp_path / "missing")
    assert not is_image_folder(DIGITS / "0" / "0000.png")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "notes.txt").write_text("hi")
    assert not is_image_folder(tmp_path)


def test_scanning_does_not_import_tensorflow(tmp_path):
    import subprocess

    code = (
        "import sys; from automl.modalities.image_data import scan_image_folder; "
        f"scan_image_folder({str(DIGITS)!r}); print('tensorflow' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: None, "no such folder"),
        (lambda root: write_image(root, fmt="PNG"), "is a file"),
        (lambda root: write_image(root / "loose.png"), "expected one sub-folder per class"),
        (
            lambda root: (two_classes(root), (root / "bird").mkdir()),
            "class folder 'bird' has no images",
        ),
        (lambda root: write_image(root / "cat" / "0.png"), "a classifier needs at least two"),
        (
            lambda root: [
                (root / c).mkdir(parents=True) or (root / c / "a.txt").write_text("x")
                for c in ("cat", "dog")
            ],
            "class folder 'cat' has no images",
        ),
        (
            lambda root: [
                (root / c).mkdir(parents=True) or (root / c / "a.png").write_text("x")
                for c in ("cat", "dog")
            ],
            "no readable images in",
        ),
    ],
    ids=[
        "missing",
        "file",
        "no-subfolders",
        "empty-class",
        "one-class",
        "only-text",
        "text-named-png",
    ],
)
def test_scan_errors_say_what_to_do(tmp_path, make, message):
    root = tmp_path / "data"
    if make is not None:
        root.parent.mkdir(exist_ok=True)
        make(root)
    with pytest.raises(AutoMLError, match=message) as caught:
        scan_image_folder(root)
    text = str(caught.value)
    assert "\n" not in text and str(root) in text


def test_text_named_png_in_one_class_names_that_class(tmp_path):
    two_classes(tmp_path)
    (tmp_path / "bird").mkdir()
    (tmp_path / "bird" / "x.png").write_text("not an image")
    with pytest.raises(AutoMLError, match="class folder 'bird' has no readable images"):
        scan_image_folder(tmp_path)


def test_notes_and_truncated_images_never_break_training(tmp_path):
    two_classes(tmp_path, per_class=3)
    (tmp_path / "cat" / "notes.txt").write_text("taken in 2021")
    (tmp_path / "cat" / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "dog" / "fake.jpg").write_text("hello")
    whole = write_image(tmp_path / "big.png", size=(40, 40), mode="RGB").read_bytes()
    (tmp_path / "big.png").unlink()
    (tmp_path / "dog" / "cut.png").write_bytes(whole[: len(whole) // 2])

    folder = scan_image_folder(tmp_path)
    reasons = dict(folder.skipped)
    assert "not an image" in reasons[str(tmp_path / "cat" / "notes.txt")]
    assert "not a JPEG" in reasons[str(tmp_path / "dog" / "fake.jpg")]
    assert not any(".DS_Store" in path for path, _ in folder.skipped)  # hidden: ignored
    # Pillow reads the truncated file's header fine, so it stays in the list ...
    assert str(tmp_path / "dog" / "cut.png") in folder.files and len(folder.files) == 7

    # ... and the stream drops it instead of raising.
    stream = image_pipeline(folder.files, folder.labels, folder.image_size, folder.channels)
    pairs = list(stream.as_numpy_iterator())
    assert len(pairs) == 6
    assert [int(label) for _, label in pairs] == [0, 0, 0, 1, 1, 1]
    assert all(image.shape == (*folder.image_size, folder.channels) for image, _ in pairs)

    images = list(image_pipeline(folder.files, None, (4, 4), 1, cache=True))
    assert len(images) == 6 and images[0].shape == (4, 4, 1)


def test_mixed_sizes_and_colour_give_rgb_and_median_size(tmp_path):
    write_image(tmp_path / "cat" / "a.png", size=(30, 40), mode="L")
    write_image(tmp_path / "cat" / "b.jpg", size=(34, 50), mode="RGB")
    write_image(tmp_path / "dog" / "c.bmp", size=(31, 47), mode="L")
    write_image(tmp_path / "dog" / "d.gif", size=(300, 500), mode="RGB")
    folder = scan_image_folder(tmp_path)
    assert folder.channels == 3
    assert folder.image_size == (32, 48)  # medians 32.5 x 48.5, rounded to multiples of 4
    images = [image for image, _ in image_pipeline(folder.files, folder.labels, (32, 48), 3)]
    assert len(images) == 4 and all(image.shape == (32, 48, 3) for image in images)


def test_gray_bmp_and_gif_decode_to_one_channel(tmp_path):
    # TensorFlow itself refuses channels=1 for BMP and GIF.
    for fmt in ("bmp", "gif"):
        path = write_image(tmp_path / f"a.{fmt}", size=(5, 7), mode="L")
        image = decode_image(path.read_bytes(), (5, 7), 1).numpy()
        assert image.shape == (5, 7, 1)
        if fmt == "bmp":  # lossless and gray: the pixels come back exactly
            np.testing.assert_array_equal(image[..., 0], np.asarray(Image.open(path)))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_decode_image_shape_dtype_range(fmt):
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (12, 20, 3), dtype=np.uint8)
    pixels[0, 0] = 0
    pixels[1, 1] = 255
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    for channels in (1, 3):
        image = decode_image(buffer.getvalue(), (8, 16), channels)
        assert image.shape == (8, 16, channels)
        assert image.dtype.name == "float32"
        values = image.numpy()
        assert values.min() >= 0.0 and values.max() <= 255.0 and values.max() > 100.0
    same = decode_image(buffer.getvalue(), (12, 20), 3).numpy()
    if fmt == "PNG":  # no resampling at the original size: exact pixels
        np.testing.assert_array_equal(same, pixels.astype(np.float32))


def test_load_image_csv(tmp_path):
    two_classes(tmp_path / "pics", per_class=2, mode="RGB")
    rows = pd.DataFrame(
        {
            "file": [
                "pics/cat/0.png",
                "pics/cat/1.png",
                "pics/dog/0.png",
                str(tmp_path / "pics" / "dog" / "1.png"),
                "pics/dog/gone.png",
            ],
            "kind": [1.0, 1.0, 2.0, 2.0, 2.0],
        }
    )
    rows.to_csv(tmp_path / "list.csv", index=False)
    folder = load_image_csv(tmp_path / "list.csv", "file", "kind")
    assert folder.root == tmp_path
    assert folder.class_names == ("1", "2")
    assert len(folder.files) == 4 and list(folder.labels) == [0, 0, 1, 1]
    assert folder.skipped == ((str(tmp_path / "pics" / "dog" / "gone.png"), "missing file"),)
    assert folder.channels == 3 and folder.image_size == (8, 8)

    with pytest.raises(AutoMLError, match="did you mean 'file'"):
        load_image_csv(tmp_path / "list.csv", "files", "kind")
    with pytest.raises(AutoMLError, match="did you mean 'kind'"):
        load_image_csv(tmp_path / "list.csv", "file", "kinds")

    rows.assign(file=["x/" + f for f in rows["file"]]).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(AutoMLError, match=r"none of the 5 paths in column 'file' exist"):
        load_image_csv(tmp_path / "bad.csv", "file", "kind")


def test_choose_image_size():
    assert choose_image_size([(8, 8)]) == (8, 8)
    assert choose_image_size([(2, 3)]) == (8, 8)
    assert choose_image_size([(28, 28), (28, 28), (1000, 5)]) == (28, 28)
    assert choose_image_size([(480, 640), (300, 400), (28, 28)]) == (128, 128)
    assert choose_image_size([(30, 45), (34, 47), (31, 50)]) == (32, 48)
    assert choose_image_size([(127, 10), (127, 10)]) == (128, 12)
    with pytest.raises(ValueError):
        choose_image_size([])


def test_decode_image_exports_in_a_saved_model(tmp_path):
    import tensorflow as tf

    module = tf.Module()
    module.serve = tf.function(
        lambda contents: tf.map_fn(
            lambda one: decode_image(one, (8, 8), 1),
            contents,
            fn_output_signature=tf.TensorSpec((8, 8, 1), tf.float32),
        ),
        input_signature=[tf.TensorSpec([None], tf.string)],
    )
    tf.saved_model.save(module, str(tmp_path / "model"))
    served = tf.saved_model.load(str(tmp_path / "model")).serve
    png = (DIGITS / "3" / "0003.png").read_bytes()
    out = served(tf.constant([png, png])).numpy()
    np.testing.assert_array_equal(out[0, ..., 0], np.asarray(Image.open(DIGITS / "3" / "0003.png")))
