"""Permutation importance of raw columns, through whatever scores the model (the SavedModel).

scikit-learn's `permutation_importance` shuffles one column of a DataFrame at a time; the
scorer wraps the exported model's serving path, so the importance is measured on exactly
what gets deployed, raw strings and missing values included.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

REPEATS = 5


class _Served:
    """The estimator scikit-learn is handed: the scorer does all the work."""

    def fit(self, *_args: object) -> _Served:
        """Returns itself: the exported model is already trained."""
        return self


def permutation_importance(
    score: Callable[[pd.DataFrame, np.ndarray], float],
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    repeats: int = REPEATS,
    seed: int = 0,
) -> pd.DataFrame:
    """Returns `feature`, `importance`, `spread` per column of `frame`, most important first.

    `score(frame, y)` is greater when better; a column's importance is the mean fall of the
    score when that column alone is shuffled (`repeats` times), its spread the standard
    deviation over the repeats.

    Example:
        >>> permutation_importance(lambda f, y: -log_loss(y, model(f)), frame, y).head(2)
    """
    from sklearn.inspection import permutation_importance as shuffled

    result = shuffled(
        _Served(),
        frame,
        y,
        scoring=lambda _model, x, target: score(x, target),
        n_repeats=repeats,
        random_state=seed,
    )
    table = pd.DataFrame(
        {
            "feature": [str(c) for c in frame.columns],
            "importance": result.importances_mean,
            "spread": result.importances_std,
        }
    )
    return table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
