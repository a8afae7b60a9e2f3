"""Is the GPU used well? Time per epoch and samples per second on the digits images.

    python benchmarks/gpu_check.py [--epochs 3]

Trains the CNN family's first-trial model on the bundled digits (1,797 8x8 images) on
the CPU and on the first GPU, in float32 and in mixed precision, and prints the device,
seconds per epoch (after a warm-up epoch) and samples per second for each. Without a
GPU it says so, times the CPU alone, and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load_digits_arrays():
    import numpy as np
    from PIL import Image

    from automl.modalities.image_data import scan_image_folder

    folder = scan_image_folder(ROOT / "assets" / "samples" / "digits")
    images = np.stack(
        [np.asarray(Image.open(p), dtype="float32")[..., None] for p in folder.files]
    )
    return images, np.asarray(folder.labels, dtype="int64"), len(folder.class_names)


def time_epochs(device: str, precision: str, epochs: int, data) -> dict:
    import keras
    import keras_tuner
    import tensorflow as tf

    from architectures.cnn import CNNHyperModel

    images, labels, classes = data
    keras.mixed_precision.set_global_policy(
        "mixed_float16" if precision == "mixed" else "float32"
    )
    with tf.device(device):
        model = CNNHyperModel(images.shape[1:], classes, ["accuracy"], train_rows=len(images))
        hp = keras_tuner.HyperParameters()
        net = model.build(hp)
        times: list[float] = []

        class Clock(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.started = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                times.append(time.perf_counter() - self.started)

        model.fit(hp, net, images, labels, epochs=epochs + 1, callbacks=[Clock()], verbose=0)
    keras.mixed_precision.set_global_policy("float32")
    per_epoch = sum(times[1:]) / len(times[1:])  # the first epoch traces the graph
    return {"s_per_epoch": per_epoch, "samples_per_s": len(images) / per_epoch}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    import tensorflow as tf

    data = load_digits_arrays()
    gpus = tf.config.list_physical_devices("GPU")
    runs = [("/CPU:0", "float32")]
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        print(f"GPU: {details.get('device_name', gpus[0].name)}")
        runs += [("/GPU:0", "float32"), ("/GPU:0", "mixed")]
    else:
        print("no GPU found: timing the CPU only")
    for device, precision in runs:
        result = time_epochs(device, precision, args.epochs, data)
        print(
            f"{device:<7} {precision:<8} {result['s_per_epoch']:.3f} s/epoch  "
            f"{result['samples_per_s']:.0f} samples/s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
