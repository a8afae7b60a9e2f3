"""What an exported model records about its search, and the export itself."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from automl.experiment.fold import TrialRecord
from automl.search.request import SearchRequest
from automl.versions import package_versions


def export_metadata(
    request: SearchRequest,
    prepared,
    outcome,
    best: TrialRecord | None,
    data_hash: str,
    baselines: dict | None,
) -> dict:
    """Returns the model's metadata.json: task, scores, best trial, curves, data, versions."""
    splits = prepared.splits
    return {
        "format_version": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "modality": prepared.modality,
        "task": prepared.task_kind,
        "target": prepared.target,
        "metric": prepared.objective.name,
        "test_metrics": outcome.test_metrics,
        "baselines": baselines or {},
        "search_test_metrics": outcome.search_test_metrics,
        "refit": outcome.refit,
        "hyperparameters": best.hyperparameters if best else {},
        "ensemble": outcome.ensemble,
        "ensemble_weights": outcome.ensemble_weights,
        "exported": outcome.exported,
        "calibration": outcome.calibration,
        "baseline_guard": outcome.guard,
        "best_trial": None
        if best is None
        else {"trial_id": best.trial_id, "score": best.score, "best_epoch": best.best_epoch},
        "learning_curves": outcome.curves,
        "evaluation": outcome.evaluation,
        "data": {
            "file": str(request.data),
            "sha256": data_hash,
            "rows": prepared.rows,
            "train_rows": len(splits.train),
            "validation_rows": len(splits.validation),
            "test_rows": len(splits.test),
            "test_file": str(request.test_file) if request.test_file else None,
        },
        **prepared.metadata(),
        "seed": request.seed,
        "versions": package_versions(),
    }


def export_outcome(
    request: SearchRequest, prepared, feeds, out: Path, outcome, metadata: dict, reloader=None
):
    """Exports `outcome.model` to `out/model` and returns the `ExportResult`.

    `reloader`: the parity check's child, started while the model was chosen.
    """
    from automl.export.bundle import export_model

    check_rows = feeds.check_rows()
    np.savez(out / "check_rows.npz", **check_rows)  # for `automl export` later
    return export_model(
        outcome.model,
        serving=prepared.serving(),
        class_names=list(prepared.class_names),
        metadata=metadata,
        check_rows=check_rows,
        destination=out / "model",
        formats=request.formats,
        reloader=reloader,
    )


def exported_model(outcome, cross_validated: bool) -> str:
    """Returns which model is exported: the best trial, a refit, an ensemble or a baseline."""
    guard = outcome.guard or {}
    if guard.get("beaten_by_baseline"):
        return f"baseline: {(guard.get('baseline') or {}).get('name', '')}"
    if outcome.ensemble and outcome.ensemble_weights:
        weighted = ", ".join(
            f"{trial} ({weight:.2f})"
            for trial, weight in zip(outcome.ensemble, outcome.ensemble_weights, strict=True)
        )
        each = f"{outcome.folds} fold models each" if outcome.folds > 1 else "one fold each"
        return f"ensemble of trials {weighted}, {each}, averaged"
    if outcome.ensemble:
        return f"ensemble of trials {', '.join(outcome.ensemble)}"
    if outcome.folds:
        return f"best trial's {outcome.folds} fold models, averaged"
    if outcome.refit:
        return "refit on train+validation"
    return "best trial (its first fold's model)" if cross_validated else "best trial"
