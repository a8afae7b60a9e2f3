"""The devices TensorFlow can train on, and pinning a search to one of them."""

from __future__ import annotations

import contextlib

from automl.errors import AutoMLError


def list_devices() -> list[dict]:
    """Returns [{"id": "cpu"|"gpu:N", "name", "memory_mb"}] for what TensorFlow sees.

    This imports TensorFlow (seconds); the desktop app asks through `automl devices --json`
    in a child process.
    """
    import tensorflow as tf

    devices = [{"id": "cpu", "name": "CPU", "memory_mb": None}]
    for index, gpu in enumerate(tf.config.list_physical_devices("GPU")):
        details = tf.config.experimental.get_device_details(gpu)
        memory = details.get("memory_limit") or details.get("device_memory_size")
        devices.append(
            {
                "id": f"gpu:{index}",
                "name": details.get("device_name", gpu.name),
                "memory_mb": int(memory / 2**20) if memory else None,
            }
        )
    return devices


def pin_device(device: str | None) -> str:
    """Makes only `device` visible to TensorFlow; returns what the search will run on.

    `None` leaves TensorFlow's choice (the first GPU if there is one). GPU memory grows
    as needed rather than being grabbed whole, so other processes can share the card.

    Raises:
        AutoMLError: the device does not exist here.
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        # Already initialised GPUs refuse the change; they keep what they have.
        with contextlib.suppress(ValueError, RuntimeError):
            tf.config.experimental.set_memory_growth(gpu, True)
    if device is None:
        return "gpu:0" if gpus else "cpu"
    wanted = device.strip().lower()
    if wanted == "cpu":
        tf.config.set_visible_devices([], "GPU")
        return "cpu"
    available = ["cpu"] + [f"gpu:{i}" for i in range(len(gpus))]
    if wanted not in available:
        raise AutoMLError(
            f"--device {device}: no such device here; available: {', '.join(available)}"
        )
    tf.config.set_visible_devices([gpus[int(wanted.split(":")[1])]], "GPU")
    return wanted
