"""search_quality's worker for the hand-written reference network of each modality."""

from __future__ import annotations

import time

from sq_keras import Inputs, compile_model, make_clock, output_head, seeded_job_inputs
from sq_split import SplitArrays, test_scores

#: Reference networks: at most this many epochs (the deadline or early stopping ends sooner).
REFERENCE_MAX_EPOCHS = 5000


BN_MOMENTUM = 0.9


def reference_model(keras, split: SplitArrays, data: Inputs):
    """Returns the hand-written network for the modality, compiled, and its batch size."""
    L = keras.layers
    shape = data.x["train"].shape[1:]
    inputs = keras.Input(shape)
    if split.modality == "table":
        x = L.Dense(256, activation="relu")(inputs)
        x = L.Dropout(0.2)(x)
        x = L.Dense(128, activation="relu")(x)
        x = L.Dropout(0.2)(x)
        batch = 32
    elif split.modality == "series":  # FCN: 128/256/128 filters, kernels 8/5/3, BN + ReLU, GAP
        x = inputs
        for filters, kernel in ((128, 8), (256, 5), (128, 3)):
            x = L.Conv1D(filters, kernel, padding="same")(x)
            x = L.BatchNormalization(momentum=BN_MOMENTUM)(x)
            x = L.Activation("relu")(x)
        x = L.GlobalAveragePooling1D()(x)
        batch = 16
    elif split.modality == "image":  # VGG-style: conv-conv-pool blocks of 32/64(/128)
        x = L.Rescaling(1 / 255)(inputs)
        size = min(shape[0], shape[1])
        for filters in (32, 64, 128):
            if size < 4:
                break
            for _ in range(2):
                x = L.Conv2D(filters, 3, padding="same", use_bias=False)(x)
                x = L.BatchNormalization(momentum=BN_MOMENTUM)(x)
                x = L.Activation("relu")(x)
            x = L.MaxPooling2D()(x)
            x = L.Dropout(0.2)(x)
            size //= 2
        x = L.GlobalAveragePooling2D()(x)
        x = L.Dropout(0.3)(x)
        batch = 32
    elif split.modality == "text":  # Embedding 64 + bidirectional LSTM 64
        x = L.Embedding(data.vocabulary, 64, mask_zero=True)(inputs)
        x = L.Bidirectional(L.LSTM(64))(x)
        x = L.Dense(64, activation="relu")(x)
        x = L.Dropout(0.3)(x)
        batch = 32
    else:  # forecast: a causal Conv1D for local shape, an LSTM for the window
        x = L.Conv1D(32, 3, padding="causal", activation="relu")(inputs)
        x = L.LSTM(64)(x)
        batch = 32
    model = keras.Model(inputs, output_head(keras, x, split, data.outputs))
    return compile_model(keras, model, split, 1e-3), batch


def worker_reference(job: dict) -> dict:
    """Trains the reference network until early stopping or the deadline; returns its row."""
    began = time.monotonic()
    deadline = began + job["budget_s"]
    import keras

    split, data = seeded_job_inputs(keras, job, "reference")
    model, batch = reference_model(keras, split, data)
    # Patience scales with the validation set: small ones are noisy.
    patience = 50 if split.modality == "series" else (10 if split.modality == "text" else 20)
    clock = make_clock(keras, deadline)
    callbacks = [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, restore_best_weights=True
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=max(5, patience // 3), min_lr=1e-5
        ),
        clock,
    ]
    model.fit(
        data.x["train"],
        data.y["train"],
        validation_data=(data.x["validation"], data.y["validation"]),
        epochs=REFERENCE_MAX_EPOCHS,
        batch_size=batch,
        callbacks=callbacks,
        verbose=0,
    )
    elapsed = time.monotonic() - began
    output = data.unscale(model.predict(data.x["test"], verbose=0))
    why = "deadline" if time.monotonic() >= deadline else "early stopping"
    return {
        "metrics": test_scores(split, output),
        "trials": 1,
        "epochs": clock.epochs,
        "time_s": round(elapsed, 1),
        "notes": [f"stopped by {why}; batch {batch}, patience {patience}"],
        "split_note": split.note,
    }
