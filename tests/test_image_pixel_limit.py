"""Images over the pixel limit (decompression bombs): refused by their header, never decoded."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from automl.modalities import image_data
from automl.modalities.image_decode import MAX_IMAGE_PIXELS, image_header, is_over_pixel_limit


def bomb_png(path: Path, width: int = 8000, height: int = 6000) -> Path:
    """Writes a gray PNG of zeros, `width` x `height`, in about 50 kB and little memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # a filter byte, then the row's pixels
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )
    return path


def gray_png(path: Path, value: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((8, 8), value, np.uint8)).save(path)
    return path


def test_the_header_tells_a_bomb_without_decoding_it(tmp_path):
    bomb = bomb_png(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 100_000 and MAX_IMAGE_PIXELS < 8000 * 6000
    assert image_header(str(bomb)) == "over the 40-megapixel limit (8000x6000)"
    assert is_over_pixel_limit(str(bomb))
    assert not is_over_pixel_limit(str(gray_png(tmp_path / "ok.png", 3)))
    # Past Pillow's own bomb limit the refusal is ours too, not a bare DecompressionBombError.
    huge = bomb_png(tmp_path / "huge.png", width=20000, height=10000)
    assert image_header(str(huge)).startswith("over the 40-megapixel limit")


def test_a_scan_skips_and_counts_a_bomb_past_the_sampled_headers(tmp_path, monkeypatch):
    monkeypatch.setattr(image_data, "HEADER_SAMPLE", 2)  # samples the first and last file
    for name in ("cat", "dog"):
        for i in range(5):
            gray_png(tmp_path / name / f"{i}.png", i * 50)
    bomb_png(tmp_path / "dog" / "2b.png")
    folder = image_data.scan_image_folder(tmp_path)
    assert len(folder.files) == 10
    assert str(tmp_path / "dog" / "2b.png") not in folder.files
    assert folder.skipped == (
        (str(tmp_path / "dog" / "2b.png"), "over the 40-megapixel limit (8000x6000)"),
    )
    assert folder.to_dict()["skipped"] == 1


def test_the_decode_refuses_a_bomb_before_allocating_it(tmp_path):
    import tensorflow as tf

    from automl.modalities.image_decode import decode_image, encoded_pixels, image_pipeline

    bomb = bomb_png(tmp_path / "bomb.png")
    good = [str(gray_png(tmp_path / f"{i}.png", 60 * i)) for i in range(3)]
    assert int(encoded_pixels(tf.constant(bomb.read_bytes()))) == 8000 * 6000
    with pytest.raises(tf.errors.InvalidArgumentError, match="40-megapixel limit"):
        decode_image(tf.constant(bomb.read_bytes()), (8, 8), 1)
    stream = image_pipeline([good[0], str(bomb), *good[1:]], [0, 1, 0, 1], (8, 8), 1)
    labels = [int(label) for _, label in stream]
    assert labels == [0, 0, 1]  # the bomb (label 1 at position 2) is dropped, the rest kept


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP"])
def test_every_format_declares_its_pixels(fmt):
    import io

    import tensorflow as tf

    from automl.modalities.image_decode import encoded_pixels

    encoded = io.BytesIO()
    Image.fromarray(np.zeros((37, 53, 3), np.uint8)).save(encoded, fmt)
    assert int(encoded_pixels(tf.constant(encoded.getvalue()))) == 37 * 53
