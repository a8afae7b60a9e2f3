"""One room per kind of data: table, image, series, forecast, text (and any named in
`AUTOML_MODALITIES`).

Each kind owns recognising its data, its command-line options, preparing it into a typed
`Prepared`, its feeds, its proposals, its summary, its serving signature and predicting a
file. Search, export, CLI, API and desktop ask the registry; none compares kind names.
Importing this package loads no TensorFlow.
"""

from __future__ import annotations

from automl.modalities.base import Feeds, Modality, Option, Prepared, Serving, Traits
from automl.modalities.registry import (
    modalities,
    modality_for,
    modality_named,
    modality_of,
    names,
    options,
    traits_of,
)

__all__ = [
    "Feeds",
    "Modality",
    "Option",
    "Prepared",
    "Serving",
    "Traits",
    "modalities",
    "modality_for",
    "modality_named",
    "modality_of",
    "names",
    "options",
    "traits_of",
]
