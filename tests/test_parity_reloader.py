"""The parity check's child started ahead (`WarmReloader`): it checks a real export, and it
ends when no export comes or falls back to a fresh child when it died."""

from __future__ import annotations

import numpy as np

from automl.export.parity import WarmReloader


def _export(tmp_path, reloader):
    import keras

    from automl.export.bundle import export_model
    from automl.export.savedmodel import ServingInput, TableServing

    keras.utils.set_random_seed(0)
    inputs = {"a": keras.Input((1,), name="a"), "b": keras.Input((1,), name="b")}
    joined = keras.layers.Concatenate()([inputs["a"], inputs["b"]])
    outputs = keras.layers.Dense(2, activation="softmax", name="probabilities")(joined)
    model = keras.Model(inputs, outputs)
    rows = {"a": np.arange(4, dtype="float32"), "b": np.ones(4, dtype="float32")}
    return export_model(
        model,
        serving=TableServing(tuple(ServingInput(n, n, "float32", "numeric") for n in ("a", "b"))),
        class_names=["no", "yes"],
        metadata={"task": "binary"},
        check_rows=rows,
        destination=tmp_path / "model",
        reloader=reloader,
    )


def test_the_warm_child_checks_the_export(tmp_path):
    reloader = WarmReloader()
    child = reloader.process
    result = _export(tmp_path, reloader)
    assert result.parity.rows_compared == 4 and result.parity.max_abs_diff < 1e-5
    assert reloader.process is None  # taken by the check
    assert child.returncode == 0  # it did the check and ended
    reloader.close()  # nothing left to end


def test_a_warm_child_no_export_takes_ends_on_close():
    reloader = WarmReloader()
    child = reloader.process
    reloader.close()
    assert child.returncode == 0 and reloader.process is None


def test_a_dead_warm_child_leaves_the_check_to_a_fresh_one(tmp_path):
    reloader = WarmReloader()
    reloader.process.kill()
    reloader.process.wait()
    result = _export(tmp_path, reloader)
    assert result.parity.max_abs_diff < 1e-5
