"""Several trials' fold models averaged, chosen on their out-of-fold predictions.

On small data the best of many cross-validated trials is partly luck: its fold mean is a
maximum over noisy estimates, and trials of other shapes (deeper, linear, embedded)
err on other rows. Cross-validation already paid for what a fair choice needs: every
kept trial's fold models predict the rows they did not train on. Greedy ensemble
selection with replacement over those predictions (Caruana et al., 2004, as AutoGluon
and auto-sklearn do) weights the trials whose average predicts the held-out rows best.

It starts from the search's best trial and adds whichever trial (again or new) lowers
the held-out loss most: log loss (after the temperature the export will fit) for classes,
squared error for values. The loss decides,
not the search's objective: it is smooth where accuracy on a few hundred rows moves by
whole rows, and the best trial's own accuracy is the top of several noisy scores, biased
upwards. On gen-table-mixed-small (1 minute, seed 0) the average of trials 003, 000 and 002
scored out-of-fold accuracy 0.6333 against 0.6708 for trial 003 alone, with log loss
0.8148 against 0.9194; on the test rows it scored 0.6833 against 0.6000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from automl.search.calibration import best_temperature, out_of_fold
from automl.search.metrics import score

#: Selection rounds: the weights are multiples of 1 / ROUNDS. Caruana's curve flattens
#: after a few dozen picks among many models; among the handful of kept trials 20 is
#: plenty, and coarse weights overfit a few hundred rows less.
ROUNDS = 20
#: The average must lower the held-out loss by at least this share to be exported: a
#: smaller gain is not worth k more models in every prediction.
MIN_GAIN = 0.01
#: At most this many trials are candidates unless `--ensemble K` says otherwise: the
#: search keeps the best 3 trials' weights by default (`--keep-checkpoints`; at least K),
#: and every candidate's fold models must be loaded and run on the held-out rows after the
#: deadline.
MAX_CANDIDATES = 5


@dataclass
class Candidate:
    """One whole cross-validated trial: its fold models and their out-of-fold output.

    `models` may be left empty with a `load` that builds them: only a trial the selection
    picks needs its k models built (`probed_candidate`).
    """

    trial_id: str
    models: list
    held_out: np.ndarray
    load: Callable[[], list] | None = None
    #: the weights one fold model holds (known for a probed candidate)
    params: int = 0

    def fold_models(self) -> list:
        """Returns the fold models, built now if they were left to `load`."""
        if not self.models and self.load is not None:
            self.models = self.load()
        return self.models


@dataclass
class TrialEnsemble:
    """The chosen trials, their weights (summing to 1) and the held-out output averaged."""

    trial_ids: list[str]
    weights: list[float]
    models: list
    model_weights: list[float]
    held_out: np.ndarray
    note: str


def candidate(trial_id: str, models: list, cv, feeds) -> Candidate:
    """Returns `models` (a trial's fold models, in fold order) with their out-of-fold output."""
    output, _ = out_of_fold(models, cv, feeds)
    return Candidate(trial_id, models, np.asarray(output, dtype="float64"))


def probed_candidate(run, trial, paths: list) -> Candidate:
    """Returns `trial` as a candidate whose fold models are built only if it is picked.

    One model is built and given each fold's weights in turn to predict that fold's
    held-out rows: one build and one traced prediction per trial instead of k of each.
    That was most of the time spent choosing after the deadline (7 s on penguins, with
    three candidates of five folds, against its 30 s budget).
    """
    from automl.search.ensemble import build_trial_model, load_folds

    probe = build_trial_model(run.tuner, trial)
    output, _ = out_of_fold(_in_turn(probe, paths), run.cross_validation, run.feeds)
    return Candidate(
        trial.trial_id,
        [],
        np.asarray(output, dtype="float64"),
        load=lambda: load_folds(run.tuner, trial, paths),
        params=probe.count_params(),
    )


def _in_turn(model, paths: list) -> Iterator:
    """Yields `model` with each fold's weights in turn (`out_of_fold` predicts with it
    before it asks for the next)."""
    from automl.search.ensemble import load_weights

    for path in paths:
        yield load_weights(model, path)


def held_out_labels(cv, folds: int) -> np.ndarray:
    """Returns the targets of the first `folds` folds' held-out rows, as `out_of_fold` orders."""
    return np.concatenate([cv.targets[fold.held_out] for fold in cv.folds[:folds]])


def selection_loss(classification: bool, labels: np.ndarray, output: np.ndarray) -> float:
    """Returns the loss that the selection lowers: calibrated log loss, or squared error.

    The log loss is taken after the best temperature (`calibration.BOUNDS`), as the export
    calibrates the average: otherwise it would reward a trial for its confidence (label
    smoothing, L2) rather than for putting the right class ahead, which is what the
    temperature cannot give.
    """
    if not classification:
        shaped = output.reshape(len(labels), -1)
        return float(np.mean((shaped - labels.reshape(len(labels), -1)) ** 2))
    return best_temperature(output, labels)[1]


def greedy_counts(
    outputs: list[np.ndarray], labels: np.ndarray, classification: bool, rounds: int = ROUNDS
) -> list[int]:
    """Returns how often each output is picked, starting from the first (the best trial).

    Each round adds the output (with replacement) that most lowers the loss of the running
    mean; the counts are those of the best mean seen over the rounds.
    """
    counts = [0] * len(outputs)
    counts[0] = 1
    total = outputs[0].copy()
    best_loss = selection_loss(classification, labels, total)
    best_counts = list(counts)
    for picked in range(1, rounds):
        losses = [
            selection_loss(classification, labels, (total + output) / (picked + 1))
            for output in outputs
        ]
        choice = int(np.argmin(losses))
        counts[choice] += 1
        total += outputs[choice]
        if losses[choice] < best_loss - 1e-12:
            best_loss, best_counts = losses[choice], list(counts)
    return best_counts


def choose(
    candidates: list[Candidate], labels: np.ndarray, objective, classification: bool
) -> tuple[TrialEnsemble | None, str]:
    """Returns (the weighted trials or None, a note); None where the best trial's folds
    alone do as well. `candidates[0]` is the search's best trial; `objective` has `name`
    and `direction`.
    """
    if len(candidates) < 2:
        return None, ""
    outputs = [c.held_out for c in candidates]
    counts = greedy_counts(outputs, labels, classification)
    picked = [(c, n / sum(counts)) for c, n in zip(candidates, counts, strict=True) if n]
    joint = sum(weight * c.held_out for c, weight in picked)
    alone_scores = score(classification, labels, outputs[0])
    joint_scores = score(classification, labels, joint)
    key = objective.name if objective.name in alone_scores else None
    loss_name = "calibrated log loss" if classification else "squared error"
    alone_loss = selection_loss(classification, labels, outputs[0])
    joint_loss = selection_loss(classification, labels, joint)
    alone = f"{key} {alone_scores[key]:.4f}, {loss_name} " if key else f"{loss_name} "
    joint_text = f"{key} {joint_scores[key]:.4f}, {loss_name} " if key else f"{loss_name} "
    others = ", ".join(c.trial_id for c in candidates[1:])
    best_id, rows = candidates[0].trial_id, len(labels)
    if len(picked) < 2 or joint_loss > alone_loss * (1 - MIN_GAIN):
        return None, (
            f"no average of trial {best_id} with trials {others} predicts the {rows} "
            f"out-of-fold rows by {MIN_GAIN:.0%} or more than trial {best_id}'s folds alone "
            f"({alone}{alone_loss:.4f})"
        )
    members = ", ".join(f"{c.trial_id} ({weight:.2f})" for c, weight in picked)
    folds = len(candidates[0].fold_models())
    note = (
        f"exported trials {members} averaged, {folds} fold model{'s' * (folds > 1)} each, "
        f"chosen on the {rows} out-of-fold rows: {joint_text}{joint_loss:.4f} against "
        f"{alone}{alone_loss:.4f} for trial {best_id}'s folds alone"
    )
    models, model_weights = [], []
    for c, weight in picked:
        models += c.fold_models()
        model_weights += [weight / len(c.models)] * len(c.models)
    weights = [round(weight, 4) for _, weight in picked]
    return TrialEnsemble(
        [c.trial_id for c, _ in picked], weights, models, model_weights, joint, note
    ), ""


def trial_ensemble(run, best, best_models: list) -> tuple[TrialEnsemble | None, str]:
    """Returns (the ensemble of `run`'s kept whole trials or None, a note on a refusal).

    `best_models` are the best trial's fold models (one where a single fold is scored).
    Only trials scored on those folds, with their weights still on disk, are
    candidates, while all their models together stay within `FOLD_ENSEMBLE_MAX_WEIGHTS`.
    """
    from automl.search import kt_compat
    from automl.search.cv_trials import fold_checkpoints
    from automl.search.ensemble import FOLD_ENSEMBLE_MAX_WEIGHTS

    cv, feeds = run.cross_validation, run.feeds
    folds = len(best_models)
    candidates = [candidate(best.trial_id, best_models, cv, feeds)]
    weights = sum(model.count_params() for model in best_models)
    # `--ensemble K` asks for up to K trials; otherwise up to MAX_CANDIDATES are weighed.
    most = run.request.ensemble if run.request.ensemble > 1 else MAX_CANDIDATES
    for record in run.state.ranked():
        if len(candidates) >= most:
            break
        whole = record.status == "completed" and len(record.fold_scores or [0]) >= folds
        if record.trial_id == best.trial_id or not whole or record.checkpoint_deleted:
            continue
        first = kt_compat.checkpoint_path(run.tuner, record.trial_id)
        paths = fold_checkpoints(first, folds)
        if not paths:
            continue
        trial = run.tuner.oracle.get_trial(record.trial_id)
        try:
            probed = probed_candidate(run, trial, paths)
        except (OSError, ValueError):  # built differently, or its weights are damaged
            continue
        weights += len(paths) * probed.params
        if weights > FOLD_ENSEMBLE_MAX_WEIGHTS:
            break
        candidates.append(probed)
    linear = baseline_candidate(run, folds, candidates[0].held_out.shape)
    candidates += [linear] if linear is not None else []
    labels = held_out_labels(cv, folds)
    return choose(candidates, labels, run.prepared.objective, run.classification)


#: What a baseline is called among the ensemble's members (where trials have their ids).
LINEAR_BASELINE = "the linear baseline"


def baseline_candidate(run, folds: int, shape: tuple) -> Candidate | None:
    """Returns the engine's linear baseline as a member to weigh, or None where none is.

    Stacking as AutoGluon does: on a small table whose classes a linear rule separates,
    logistic regression is hard to beat, and the MLPs err elsewhere. It was scored on the
    trials' own folds (the guard's pool, computed once), so its out-of-fold predictions
    are comparable; its member model is its Keras form refitted on every pooled row, the
    model the guard would export. Never a reason to fail: anything that goes wrong
    leaves the trials to themselves.
    """
    from automl.search.baseline_guard import scored_baselines

    try:
        pool = scored_baselines(run)
        linear = next(
            (b for b in (pool.baselines if pool else []) if b.kind == "linear"), None
        )
        if linear is None or len(linear.held_out) < folds:
            return None
        output = np.concatenate(linear.held_out[:folds]).astype("float64").reshape(shape)
        return Candidate(LINEAR_BASELINE, [pool.keras_model(linear)], output)
    except Exception:  # noqa: BLE001 - a member to try, never a cost to the search
        return None


def fold_average(run, outcome, trial, best, model):
    """Returns the fold models averaged and calibrated, or None to export `model` alone.

    The best trial's folds, or several trials' (`trial_ensemble`) when `run` allows it
    (`ensemble.fold_export_policy`) and Stop was not pressed: a stopped search exports at
    once. Records the choice in `outcome` (`ensemble`, `ensemble_weights`, `folds`, notes).
    """
    from automl.search.calibration import record_temperature
    from automl.search.ensemble import average_models, fold_models

    k = len(best.fold_scores) or run.cross_validation.k
    members, note = fold_models(run.tuner, trial, model, k)
    chosen = None
    wanted = run.trials_ensemble and not run.state.stop_requested.is_set()
    if wanted and (members is not None or k == 1):
        chosen, refused = trial_ensemble(run, best, members or [model])
        outcome.notes.extend([refused] if refused else [])
    if chosen is not None:
        members, note = chosen.models, chosen.note
        outcome.ensemble, outcome.ensemble_weights = chosen.trial_ids, chosen.weights
    outcome.notes.append(note)
    if members is None:
        return None
    outcome.folds = k
    temperature = 1.0  # values: nothing to calibrate
    if run.classification:
        held_out = (
            (chosen.held_out, held_out_labels(run.cross_validation, k))
            if chosen is not None
            else out_of_fold(members, run.cross_validation, run.feeds)
        )
        temperature = record_temperature(outcome, *held_out, "out-of-fold")
    return average_models(members, temperature, chosen.model_weights if chosen else None)
