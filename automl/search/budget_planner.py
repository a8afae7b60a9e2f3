"""How a search spends its time: deadlines, epoch caps, the refit reserve, trial starts.

Plain Python (no TensorFlow): the tuner, its callbacks and the chief's oracle server ask
the one `BudgetPlanner` of a search instead of each keeping a share of the policy.

Example:
    >>> from automl.search.budget import Deadline
    >>> planner = BudgetPlanner(Deadline(300), max_epochs=1000, plan_epochs=True)
    >>> planner.epochs_timed([2.0, 1.0, 1.5])
    >>> planner.epoch_cap, planner.first_trial_cap
    (100, 150)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from automl.search.budget import Deadline

if TYPE_CHECKING:
    from automl.experiment.fold import TrialRecord

#: Share of the time budget kept back for the refit when one will run.
REFIT_SHARE = 0.15
#: Once the best trial's refit is timed, the reserve shrinks to this many times its
#: estimate, but never below `MIN_REFIT_RESERVE_S` seconds.
REFIT_RESERVE_MARGIN = 2.0
MIN_REFIT_RESERVE_S = 5.0
#: A refit trains at least this many epochs (for the early check of its reserve).
MIN_REFIT_EPOCHS = 10
#: Share of the time budget kept back for choosing among fold models and exporting them,
#: and the most seconds that share may be. After the deadline a cross-validated search
#: builds the kept trials' fold models, predicts their held-out rows, and writes and
#: checks a SavedModel of 10-20 models: 10-12 s for a small table here, whatever the
#: budget. Without this reserve a 3-minute search ended 17-26 s after its deadline
#: (benchmarks/README.md, seventh session).
FINISH_SHARE = 0.06
FINISH_RESERVE_MAX_S = 30.0
#: A planned search leaves room for at least this many trials ...
PLANNED_TRIALS = 3
#: ... but never caps a trial below this many epochs (it could not converge).
MIN_EPOCH_CAP = 20
#: Past its cap, a trial goes on while its best validation loss is this recent (epochs).
IMPROVING_WINDOW = 3
#: Share of the budget the first trial may train for.
FIRST_TRIAL_SHARE = 0.5
#: Epochs timed before the plan: the first also traces the graph.
TIMED_EPOCHS = 3


def finish_reserve(budget_s: float) -> float:
    """Returns the seconds a search that exports fold models keeps for that at its end.

    Example:
        >>> finish_reserve(180), finish_reserve(60), finish_reserve(3600)
        (10.8, 3.6, 30.0)
    """
    return round(min(FINISH_SHARE * budget_s, FINISH_RESERVE_MAX_S), 1)


def finishing_deadline(deadline: Deadline, budget_s: float | None, notes: list[str]) -> Deadline:
    """Returns the deadline of a search that exports fold models: `deadline` less its
    `finish_reserve` (none without a time budget), said in `notes`."""
    if budget_s is None or deadline.at is None:
        return deadline
    reserve = finish_reserve(budget_s)
    notes.append(
        f"the last {reserve:.0f} s of the time budget are kept for choosing among the fold "
        "models and exporting them"
    )
    return deadline.earlier(reserve)


class BudgetPlanner:
    """The time budget of one search, and every rule for spending it.

    Args:
        deadline: when the search and its refit must be done.
        max_epochs: `--epochs`, the most any trial trains.
        plan_epochs: cap epochs per trial once an epoch is timed (random and Bayesian
            searches with a time budget; Hyperband plans its own epochs).
        refit: a refit on train+validation is to run after the search.
        refit_reserve_s: seconds kept back from the search for that refit (None: none).
        refit_rows: how many times the training rows a refit trains on.
        notes: where to say what the planner decided for the user (shared with the run).
    """

    def __init__(
        self,
        deadline: Deadline,
        *,
        max_epochs: int = 0,
        plan_epochs: bool = False,
        refit: bool = False,
        refit_reserve_s: float | None = None,
        refit_rows: float = 1.0,
        notes: list[str] | None = None,
        folds: int = 1,
        on_folds_cut: Callable[[int, str], None] | None = None,
    ):
        self.deadline = deadline
        self.max_epochs = max_epochs
        self.refit_wanted = refit
        self.refit_rows = refit_rows
        #: cross-validated trials train this many models, each for the planned epochs
        self.folds = max(1, folds)
        #: told (folds kept, why) when the plan keeps fewer folds (None: it may not)
        self.on_folds_cut = on_folds_cut
        self.notes = notes if notes is not None else []
        self.epoch_cap: int | None = None
        self.first_trial_cap: int | None = None
        self.plan_note = ""
        self._plan_pending = plan_epochs
        self._search_deadline = (
            deadline.earlier(refit_reserve_s) if refit and refit_reserve_s else deadline
        )
        self._full_reserve = refit_reserve_s or 0.0
        #: Seconds from a trial's start to its first epoch's end (build + graph tracing).
        self._startup_seconds: list[float] = []

    # -- deadlines and the start-up rule ------------------------------------------------

    @property
    def search_deadline(self) -> Deadline:
        """Returns the deadline of the search itself (before the refit reserve)."""
        return self._search_deadline

    def search_over(self) -> bool:
        """Returns whether the search's time is up (training stops after this batch)."""
        return self._search_deadline.passed()

    def search_time_left(self) -> float | None:
        """Returns the search's seconds left, or None without a time budget."""
        return self._search_deadline.remaining()

    def trial_started_up(self, seconds: float) -> None:
        """Returns None; records a trial's seconds from its start to its first epoch's end."""
        self._startup_seconds.append(seconds)

    def typical_startup(self) -> float:
        """Returns the median time a trial needs before its first epoch ends."""
        if not self._startup_seconds:
            return 0.0
        ordered = sorted(self._startup_seconds)
        return ordered[len(ordered) // 2]

    def may_start_trial(self) -> bool:
        """Returns whether a trial started now could finish an epoch before the deadline."""
        if self.search_over():
            return False
        remaining = self.search_time_left()
        return remaining is None or remaining >= self.typical_startup()

    # -- epochs per trial ---------------------------------------------------------------

    def epochs_timed(self, epoch_seconds: list[float]) -> None:
        """Returns None; plans epochs once a trial has timed `TIMED_EPOCHS` epochs.

        The first epoch also traces the graph, and any one epoch may include a checkpoint
        write: the quicker of the second and third is the typical one.
        """
        if not self._plan_pending or len(epoch_seconds) < TIMED_EPOCHS:
            return
        epoch_s = min(epoch_seconds[1:TIMED_EPOCHS])
        self.plan(epoch_s)
        self.release_refit_reserve_early(epoch_s)

    def plan(self, epoch_s: float) -> None:
        """Returns None; caps epochs per trial so `PLANNED_TRIALS` trials fit the budget.

        Without a cap, one slow trial with a large `--epochs` can spend the whole budget;
        with too small a cap no trial converges. Early stopping still ends trials sooner.
        """
        self._plan_pending = False
        deadline = self._search_deadline
        if deadline.at is None or epoch_s <= 0:
            return
        budget = deadline.at - deadline.start
        self._fit_folds(budget, epoch_s)
        # A cross-validated trial trains one model per fold: its epochs cost that much more.
        trial_epoch_s = epoch_s * self.folds
        cap = max(MIN_EPOCH_CAP, int(budget / (PLANNED_TRIALS * trial_epoch_s)))
        if cap >= self.max_epochs:
            return
        self.epoch_cap = cap
        # The first trial (the first family's known-good default) may use half the budget.
        self.first_trial_cap = max(cap, int(FIRST_TRIAL_SHARE * budget / trial_epoch_s))
        self.plan_note = (
            f"planned: an epoch takes {epoch_s:.2f} s"
            + (f" on each of {self.folds} folds" if self.folds > 1 else "")
            + f", so each trial is capped at {cap} epochs "
            f"(the first at {self.first_trial_cap}; a trial whose validation loss fell in "
            f"its last {IMPROVING_WINDOW} epochs goes on) to leave room for about "
            f"{PLANNED_TRIALS} trials in the budget"
        )

    def _fit_folds(self, budget: float, epoch_s: float) -> None:
        """Returns None; keeps only the first folds when all of them would not fit the budget.

        Every fold costs a whole training: with k folds, `PLANNED_TRIALS` trials of
        `MIN_EPOCH_CAP` epochs may need more than the budget (a few hundred images in a
        minute on a CPU). Then every trial is scored on the same first folds that fit, down
        to one (an 80/20 split of the pooled rows), rather than one trial half-trained on
        all of them. The first trial is then in its first fold, so all trials stay
        comparable.
        """
        if self.folds < 2 or self.on_folds_cut is None:
            return
        fitting = int(budget / (PLANNED_TRIALS * MIN_EPOCH_CAP * epoch_s))
        if fitting >= self.folds:
            return
        kept = max(1, fitting)
        why = (
            f"an epoch takes {epoch_s:.2f} s, so {self.folds} folds would leave room for fewer "
            f"than {PLANNED_TRIALS} trials of {MIN_EPOCH_CAP} epochs in the budget: every trial "
            + (
                f"is scored on the first {kept} folds only"
                if kept > 1
                else "is scored on the first fold's held-out rows only (one split)"
            )
        )
        self.folds = kept
        self.notes.append(why)
        self.on_folds_cut(kept, why)

    def stop_after_epoch(self, history: list[dict], epochs_done: int, first_trial: bool) -> bool:
        """Returns whether a trial at `epochs_done` epochs has reached its cap.

        The first trial (the first family's default) gets its own, longer cap so it can
        converge; any trial still improving goes on past its cap.
        """
        cap = self.trial_cap(first_trial)
        return cap is not None and epochs_done >= cap and not still_improving(history)

    def trial_cap(self, first_trial: bool) -> int | None:
        """Returns a trial's planned epochs (None until planned, or with no plan)."""
        if first_trial and self.first_trial_cap is not None:
            return self.first_trial_cap
        return self.epoch_cap

    # -- the refit reserve --------------------------------------------------------------

    def refit_reserve(self) -> float | None:
        """Returns the seconds still kept back for the refit, or None when none are."""
        if self._search_deadline is self.deadline or self.deadline.at is None:
            return None
        return self.deadline.at - self._search_deadline.at

    def release_refit_reserve_early(self, epoch_s: float) -> None:
        """Returns None; gives the reserve to the search once one epoch shows it too short.

        A refit needs at least `MIN_REFIT_EPOCHS` epochs on more rows; where that alone
        exceeds the reserve (large images, long series), waiting for the first trial to
        end would leave the reserve unused by that trial too.
        """
        reserve = self.refit_reserve()
        if reserve is not None and epoch_s * self.refit_rows * MIN_REFIT_EPOCHS > reserve:
            self._give_refit_reserve_to_search(
                f"an epoch takes {epoch_s:.1f} s, so a refit would need more than the "
                f"{reserve:.0f} s kept for it"
            )

    def trial_ended(self, best: TrialRecord | None) -> None:
        """Returns None; gives the reserve to the search once the refit could not pay off.

        The reserve is a share of the budget. When the best trial so far would take
        longer than that to refit, the refit would be skipped at the end anyway: the
        reserve is better spent on more trials.
        """
        reserve = self.refit_reserve()
        if reserve is None or best is None or not best.history:
            return
        estimate = self.refit_estimate(best)
        if estimate > self._full_reserve:
            self._give_refit_reserve_to_search(
                f"the best trial ({best.trial_id}) would take about {estimate:.0f} s to "
                f"refit, more than the {self._full_reserve:.0f} s kept for it"
            )
            return
        # A refit far cheaper than its reserve (small data): keep twice its estimate and
        # give the rest to the search, which would otherwise end well before the deadline.
        # A later best trial that costs more to refit takes back up to the whole share.
        keep = max(MIN_REFIT_RESERVE_S, REFIT_RESERVE_MARGIN * estimate)
        self._search_deadline = self.deadline.earlier(min(keep, self._full_reserve))

    def refit_estimate(self, best: TrialRecord) -> float:
        """Returns the seconds a refit of `best` should take: its epochs on more rows."""
        epochs = sum(len(h) for h in best.fold_histories) or len(best.history)
        per_epoch = best.duration_s / max(1, epochs)
        return per_epoch * refit_epochs(best) * self.refit_rows

    def refit_wont_fit(self, best: TrialRecord) -> str:
        """Returns why a refit cannot finish in the time left (estimated), or ""."""
        remaining = self.deadline.remaining()
        if remaining is None or not best.history:
            return ""
        estimate = self.refit_estimate(best)
        if estimate <= remaining:
            return ""
        return (
            f"refit skipped: it would take about {estimate:.0f} s and {remaining:.0f} s are "
            "left; exported the best search trial"
        )

    def _give_refit_reserve_to_search(self, why: str) -> None:
        self._search_deadline = self.deadline
        self.refit_wanted = False
        self.notes.append(f"refit skipped: {why}; that time went to the search instead")


def refit_epochs(trial: TrialRecord) -> int:
    """Returns how many epochs the refit trains: the trial's best epoch, or later.

    A coarse objective such as accuracy on a small validation set often peaks early
    and then plateaus while the validation loss still falls; stopping the refit at
    that first peak leaves it undertrained. The epoch of the lowest validation loss
    is taken when it comes later.
    """
    epochs = trial.best_epoch or 1
    losses = [epoch.get("val_loss") for epoch in trial.history]
    known = [(value, i) for i, value in enumerate(losses) if value is not None]
    if known:
        epochs = max(epochs, min(known)[1] + 1)
    return epochs


def still_improving(history: list[dict], window: int = IMPROVING_WINDOW) -> bool:
    """Returns whether the lowest validation loss in `history` came in its last `window` epochs.

    One epoch is too noisy a test on small validation sets: a trial that is still
    converging often has a worse epoch between two new lows.
    """
    if len(history) < 2:
        return False
    losses = [e.get("val_loss") for e in history]
    if losses[-1] is None:
        return False
    seen = [(v, i) for i, v in enumerate(losses) if v is not None]
    best_at = min(seen)[1]
    return best_at > 0 and best_at >= len(losses) - window
