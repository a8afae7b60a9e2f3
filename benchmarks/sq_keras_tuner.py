"""search_quality's worker for plain Keras Tuner: Hyperband over the getting-started guide's
generic space per modality."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from sq_keras import Inputs, compile_model, make_clock, output_head, seeded_job_inputs
from sq_split import SplitArrays, test_scores

#: Plain Keras Tuner: Hyperband as the SEARCH-SPACES measurement ran it, with the Keras
#: Tuner tutorial's early stopping.
KT_MAX_EPOCHS, KT_FACTOR, KT_PATIENCE = 100, 3, 5


def generic_space(keras, split: SplitArrays, data: Inputs) -> Callable:
    """Returns a Keras Tuner `build_model(hp)` over a generic space for the modality, the way
    the Keras Tuner getting-started guide writes one (layers, units, dropout, learning rate).
    """
    shape = data.x["train"].shape[1:]

    def build_model(hp):
        inputs = keras.Input(shape)
        x = inputs
        if split.modality == "image":
            x = keras.layers.Rescaling(1 / 255)(x)
            size = min(shape[0], shape[1])
            for i in range(hp.Int("conv_layers", 1, 3)):
                x = keras.layers.Conv2D(
                    hp.Int(f"filters_{i}", 32, 128, step=32), 3, padding="same", activation="relu"
                )(x)
                if size >= 4:
                    x = keras.layers.MaxPooling2D()(x)
                    size //= 2
            x = keras.layers.Flatten()(x)
        elif split.modality in ("series", "forecast"):
            if hp.Choice("layer_type", ["conv1d", "lstm"]) == "conv1d":
                for i in range(hp.Int("conv_layers", 1, 3)):
                    x = keras.layers.Conv1D(
                        hp.Int(f"filters_{i}", 32, 128, step=32),
                        hp.Choice(f"kernel_{i}", [3, 5, 7]),
                        padding="same",
                        activation="relu",
                    )(x)
                x = keras.layers.GlobalAveragePooling1D()(x)
            else:
                x = keras.layers.LSTM(hp.Int("lstm_units", 32, 128, step=32))(x)
        elif split.modality == "text":
            x = keras.layers.Embedding(data.vocabulary, hp.Int("embedding", 32, 128, step=32))(x)
            if hp.Choice("encoder", ["average", "lstm"]) == "lstm":
                x = keras.layers.LSTM(hp.Int("lstm_units", 32, 128, step=32))(x)
            else:
                x = keras.layers.GlobalAveragePooling1D()(x)
        for i in range(hp.Int("dense_layers", 1, 3)):
            x = keras.layers.Dense(
                hp.Int(f"units_{i}", 32, 512, step=32),
                activation=hp.Choice("activation", ["relu", "tanh"]),
            )(x)
        if hp.Boolean("dropout"):
            x = keras.layers.Dropout(rate=0.25)(x)
        model = keras.Model(inputs, output_head(keras, x, split, data.outputs))
        learning_rate = hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
        return compile_model(keras, model, split, learning_rate)

    return build_model


def worker_keras_tuner(job: dict) -> dict:
    """Runs plain Keras Tuner Hyperband until the deadline; returns its best model's row."""
    began = time.monotonic()
    deadline = began + job["budget_s"]
    import keras
    import keras_tuner

    split, data = seeded_job_inputs(keras, job, "generic")

    class DeadlineHyperband(keras_tuner.Hyperband):
        def pre_create_trial(self):
            if time.monotonic() >= deadline:
                raise keras_tuner.errors.FatalError("the time budget ran out")

    objective = "val_accuracy" if split.classification else "val_loss"
    tuner = DeadlineHyperband(
        generic_space(keras, split, data),
        objective=objective,
        max_epochs=KT_MAX_EPOCHS,
        factor=KT_FACTOR,
        seed=job["seed"],
        directory=job["work"],
        project_name="hyperband",
        overwrite=True,
    )
    clock = make_clock(keras, deadline)
    stop_early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=KT_PATIENCE)
    with contextlib.suppress(keras_tuner.errors.FatalError):
        tuner.search(
            data.x["train"],
            data.y["train"],
            validation_data=(data.x["validation"], data.y["validation"]),
            epochs=KT_MAX_EPOCHS,
            callbacks=[stop_early, clock],
            verbose=0,
        )
    completed = [t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]
    if not completed:
        raise RuntimeError("no Keras Tuner trial completed within the budget")
    model = tuner.get_best_models(1)[0]
    elapsed = time.monotonic() - began
    output = data.unscale(model.predict(data.x["test"], verbose=0))
    best = tuner.oracle.get_best_trials(1)[0]
    return {
        "metrics": test_scores(split, output),
        "trials": len(completed),
        "epochs": clock.epochs,
        "time_s": round(elapsed, 1),
        "notes": [
            f"best trial {best.trial_id}: {best.hyperparameters.values.get('tuner/epochs')} "
            f"epochs asked, {objective} {best.score:.4g}"
        ],
        "split_note": split.note,
    }


#: Batch-norm momentum of the reference networks (PyTorch's default, and our engine's): with
#: Keras's 0.99 the moving statistics lag for hundreds of steps, so a network trained for a
#: minute scores near chance on validation for its first ~10 epochs (measured on digits).
