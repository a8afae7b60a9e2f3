"""AutoML Studio's engine: from a data file to a tuned, exported Keras model.

Importing `automl` is cheap: TensorFlow loads only when a search or an export runs.

Example:
    >>> import automl
    >>> result = automl.search("penguins.csv", target="species", out="runs/penguins",
    ...                        time_budget="2m")
    >>> result.leaderboard.head()
    >>> result.model_path
"""

from __future__ import annotations

import os

# Keras 3 must run on TensorFlow here (SavedModel export); set before any Keras import.
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from automl.api import explain, search  # noqa: E402
from automl.errors import AutoMLError  # noqa: E402

__version__ = "0.1.0"
__all__ = ["AutoMLError", "__version__", "explain", "search"]
