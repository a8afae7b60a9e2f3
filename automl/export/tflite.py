"""TFLite conversion, where the model converts with TFLite's built-in ops."""

from __future__ import annotations

from pathlib import Path


def write_tflite(saved_model: Path, path: Path) -> str:
    """Writes `path` from a SavedModel; returns a sentence saying what happened.

    Models that need TensorFlow ops beyond TFLite's built-ins (text vectorization, for
    one) would need the Flex delegate to run; they are not converted, and the sentence
    says why.
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    try:
        path.write_bytes(converter.convert())
    except Exception as error:  # the converter raises many types, all meaning "cannot"
        reason = str(error).strip().splitlines()
        hint = next((line for line in reason if "op" in line.lower()), reason[0] if reason else "")
        return f"TFLite: not exported; the model needs ops TFLite lacks ({hint.strip()[:160]})"
    return f"TFLite: wrote {path.name} ({path.stat().st_size / 1024:.0f} KiB)"
