"""`--ensemble K`: the top K trials' models averaged inside one Keras model.

Averaging the probabilities (or values) of a few good, different models usually beats the
best of them; the average lives inside one model, so the SavedModel takes the same raw
inputs and callers see no difference. It is kept only when it scores better on validation.
"""

from __future__ import annotations

import keras


def average_models(models: list[keras.Model]) -> keras.Model:
    """Returns one model whose output is the mean of `models`' outputs on the same inputs."""
    first = models[0]
    structure = first.input

    def fresh(tensor):
        return keras.Input(
            shape=tensor.shape[1:], dtype=tensor.dtype, name=tensor.name.split(":")[0]
        )

    if isinstance(structure, dict):
        inputs = {name: fresh(tensor) for name, tensor in structure.items()}
    elif isinstance(structure, list | tuple):
        inputs = [fresh(tensor) for tensor in structure]
    else:
        inputs = fresh(structure)
    outputs = []
    for i, model in enumerate(models):
        model.name = f"member_{i}"  # layer names must be unique in the ensemble's graph
        outputs.append(model(inputs))
    average = keras.layers.Average(name="ensemble_average", dtype="float32")(outputs)
    return keras.Model(inputs, average, name="ensemble")
