"""One search over several families: the family itself becomes a hyperparameter.

Keras Tuner keys values by name alone, so two families that both register "units" (with
different ranges) would share one value. Inside a `FamilyChoice` each family's
hyperparameters are therefore prefixed with its name ("lstm/units", "conv1d/blocks",
"lstm/batch_size"), while a family searched alone keeps plain names ("units").
"""

from __future__ import annotations

import keras
import keras_tuner


class FamilyChoice(keras_tuner.HyperModel):
    """Searches several HyperModels that take the same inputs, as one hypermodel.

    The "family" hyperparameter picks one; its default is the first family, so a tuner
    whose first trial uses defaults starts with the first family's known-good model.
    The families can be the sequence families, or for one text column also
    `DenseHyperModel` over that column: all must take the same `x` and `y` in `fit`.

    Args:
        families: family name -> HyperModel, best first (as the proposals rank them).
            Names become hyperparameter prefixes, so they may not contain "/".

    Example:
        >>> from architectures.lstm import LSTMHyperModel
        >>> from architectures.rnn import RNNHyperModel
        >>> from architectures.sequence import SequenceTask, SeriesInput
        >>> series, task = SeriesInput(1, (0.0,), (1.0,)), SequenceTask("binary", 2)
        >>> choice = FamilyChoice({"lstm": LSTMHyperModel(series, task, ["accuracy"], 200),
        ...                        "rnn": RNNHyperModel(series, task, ["accuracy"], 200)})
        >>> hp = keras_tuner.HyperParameters()
        >>> choice.build(hp).name, hp.values["family"], hp.values["lstm/units"]
        ('lstm', 'lstm', 64)
    """

    def __init__(self, families: dict[str, keras_tuner.HyperModel], **kwargs):
        super().__init__(**kwargs)
        if not families:
            raise ValueError("a family choice needs at least one family")
        bad = [name for name in families if not name or "/" in name]
        if bad:
            raise ValueError(f"family names may not be empty or contain '/': {bad}")
        self.families = dict(families)

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        names = list(self.families)
        chosen = hp.Choice("family", names, default=names[0])
        model = None
        for name in names:
            # Every family opens its scope, chosen or not: the tuner builds once more for
            # each scope it saw inactive, so every family's hyperparameters enter the
            # search space before the first trial.
            with hp.conditional_scope("family", [name]):
                if name == chosen:
                    with hp.name_scope(name):
                        model = self.families[name].build(hp)
        return model

    def near_baseline(self, kind: str) -> dict[str, dict]:
        """Returns the configurations nearest a baseline of `kind`, by name.

        A baseline's kind is "constant", "neighbours", "linear" or "last_value". Each
        configuration is the hyperparameter values that build it ({"family": "rocket"});
        the values it leaves out are drawn. A family with nothing near a kind adds none.

        Example:
            >>> from architectures.rocket import RocketHyperModel
            >>> from architectures.lstm import LSTMHyperModel
            >>> from architectures.sequence import SequenceTask, SeriesInput
            >>> series, task = SeriesInput(1, (0.0,), (1.0,), steps=40), SequenceTask("binary", 2)
            >>> choice = FamilyChoice({"lstm": LSTMHyperModel(series, task, ["accuracy"], 20),
            ...                        "rocket": RocketHyperModel(series, task, ["accuracy"], 20)})
            >>> choice.near_baseline("neighbours")
            {'random convolutions with a linear head': {'family': 'rocket'}}
        """
        near = {}
        for name, family in self.families.items():
            nearest = getattr(family, "near_baseline", None)
            for label, values in (nearest(kind) if nearest else {}).items():
                near[label] = {"family": name, **{f"{name}/{k}": v for k, v in values.items()}}
        return near

    def baseline_inputs(self):
        """Returns the raw inputs and baseline features (all families take the same inputs)."""
        return next(iter(self.families.values())).baseline_inputs()

    def baseline_head(self):
        return next(iter(self.families.values())).baseline_head()

    def fit(self, hp: keras_tuner.HyperParameters, model: keras.Model, *args, **kwargs):
        """Returns the chosen family's `fit`, its hyperparameters (batch size) prefixed."""
        name = hp.get("family")
        with hp.conditional_scope("family", [name]), hp.name_scope(name):
            return self.families[name].fit(hp, model, *args, **kwargs)


def family_values(values: dict, family: str) -> dict:
    """Returns the hyperparameter values of `family` from a trial's values, unprefixed.

    Works on both forms: a FamilyChoice trial ({"family": ..., "lstm/units": ...}) and a
    single family's trial ({"units": ...}), so reports can show plain names.

    Example:
        >>> family_values({"family": "lstm", "lstm/units": 64, "rnn/units": 32}, "lstm")
        {'units': 64}
    """
    if "family" not in values:
        return dict(values)
    prefix = f"{family}/"
    return {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}
