"""Peak memory of decoding one image through `decode_image`: a bomb, a large photo, the old way.

    python benchmarks/decode_memory.py

Each case runs in its own process after TensorFlow is imported and warmed up on a tiny
image, and prints how far the process's peak resident memory rose (ru_maxrss). Cases:

- `bomb`: a PNG of 8000x6000 zeros (48 MP, 47 kB on disk), refused by its header;
- `under_limit`: a PNG of 6000x6600 zeros (39.6 MP), decoded and resized to 128x128;
- `under_limit_float_first`: the same image cast to float32 before resizing, as the decode
  did before the pixel limit (a full-size float copy).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = {
    "bomb": (8000, 6000),
    "under_limit": (6000, 6600),
    "under_limit_float_first": (6000, 6600),
}


def peak_mb() -> float:
    """Returns this process's peak resident memory in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(name: str, folder: Path) -> None:
    """Decodes the case's image once and prints the rise of the peak resident memory."""
    import tensorflow as tf

    from automl.modalities.image_decode import decode_image
    from tests.test_image_pixel_limit import bomb_png

    width, height = CASES[name]
    encoded = bomb_png(folder / f"{name}.png", width, height).read_bytes()
    tiny = tf.io.encode_png(tf.zeros((4, 4, 3), tf.uint8))
    decode_image(tiny, (8, 8), 3)  # warm-up: kernels loaded before the baseline
    tf.image.resize(tf.cast(tf.io.decode_image(tiny, channels=3), tf.float32), (8, 8))
    before = peak_mb()
    outcome = "decoded"
    try:
        if name == "under_limit_float_first":
            image = tf.io.decode_image(encoded, channels=3, expand_animations=False)
            tf.image.resize(tf.cast(image, tf.float32), (128, 128)).numpy()
        else:
            decode_image(tf.constant(encoded), (128, 128), 3).numpy()
    except tf.errors.InvalidArgumentError:
        outcome = "refused"
    rise = peak_mb() - before
    print(
        f"{name:24s} {width}x{height} ({len(encoded) / 1000:.0f} kB): {outcome}, "
        f"peak memory +{rise:.0f} MB"
    )


def main() -> None:
    if len(sys.argv) == 3:
        run_case(sys.argv[1], Path(sys.argv[2]))
        return
    with tempfile.TemporaryDirectory() as folder:
        for name in CASES:
            subprocess.run([sys.executable, __file__, name, folder], check=True)


if __name__ == "__main__":
    main()
