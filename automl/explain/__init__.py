"""Importance and attributions on an exported model: the shared methods, compared by no kind.

`attributions` (integrated gradients, Grad-CAM), `permutation`, `occlusion` are the methods;
each kind of data brings its explainer through its room (`automl/modalities/*_explain.py`);
`run.explain` opens a model, asks its kind, and `report` writes the files.

This package is also `automl.explain(...)`, the Python API's function: importing any of its
modules makes `automl.explain` this package, so the package itself is callable and does
what `automl.api.explain` does.

Example:
    >>> import automl
    >>> automl.explain("runs/p", "penguins.csv", "runs/p-explained").importance.head()
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    """This package, callable as `automl.explain(model_dir, data, out, ...)`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Returns `automl.api.explain(*args, **kwargs)`: the explanation, files written."""
        from automl.api import explain

        return explain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
