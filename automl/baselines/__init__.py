"""The engine's own simple baselines, scored like the trials, and the guard that exports one
when no searched network beats it.

Imports no TensorFlow at module level: the candidates are fitted with scikit-learn on features
that the family's model computes; only building their Keras forms needs Keras.
"""

from automl.baselines.candidates import Baseline, Fold, fit_baselines
from automl.baselines.guard import GuardVerdict, judge

__all__ = ["Baseline", "Fold", "GuardVerdict", "fit_baselines", "judge"]
