"""What a search hands to the export: the chosen model, its scores, and how it was chosen."""

from __future__ import annotations

from dataclasses import dataclass, field

import keras


@dataclass
class Outcome:
    """The model to export and how it scored on the test rows."""

    model: keras.Model
    refit: bool
    test_metrics: dict
    search_test_metrics: dict
    evaluation: dict
    curves: dict
    notes: list[str] = field(default_factory=list)
    #: trial ids averaged in the exported model (`--ensemble`), empty for one model
    ensemble: list[str] = field(default_factory=list)
    #: the baseline guard's verdict (`GuardVerdict.to_dict`), when baselines were scored
    guard: dict | None = None
    #: the weight of each `ensemble` trial, when chosen on out-of-fold rows (`fold_ensemble`)
    ensemble_weights: list[float] = field(default_factory=list)
    #: how many fold models of each exported trial are averaged in the model (0: none)
    folds: int = 0
    #: which model is exported, in words (summary.json and metadata.json "exported")
    exported: str = ""
    #: the temperature fitted on held-out rows (`calibration.fit_temperature`), for classes
    calibration: dict | None = None


#: What a cross-validated search exports (`ensemble.fold_export_policy`), in words.
CV_EXPORT_WORDS = {
    "trials": "configuration's fold models are averaged inside the exported model, with other "
    "kept trials' and the linear baseline's where that predicts the out-of-fold rows better",
    "folds": "configuration's fold models are averaged inside the exported model",
    "refit": "configuration is refit on all training and validation rows for the folds' "
    "mean best epoch when the budget allows",
}
