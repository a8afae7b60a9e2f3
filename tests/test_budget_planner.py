"""The budget planner's rules on their own: no TensorFlow, no training, plain numbers."""

from __future__ import annotations

import subprocess
import sys
import time

from automl.experiment.fold import TrialRecord
from automl.search.budget import Deadline
from automl.search.budget_planner import (
    FINISH_RESERVE_MAX_S,
    REFIT_SHARE,
    BudgetPlanner,
    finishing_deadline,
    refit_epochs,
    still_improving,
)


def _trial(losses: list[float], trial_id: str = "000", seconds: float = 0.0) -> TrialRecord:
    record = TrialRecord(trial_id, {})
    record.history.extend({"val_loss": v} for v in losses)
    record.duration_s = seconds
    return record


def test_the_planner_loads_without_tensorflow():
    code = (
        "import sys, automl.search.budget_planner, automl.search.state; "
        "print(any(m.split('.')[0] in ('tensorflow', 'keras', 'keras_tuner') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr[-2000:]


def test_a_trial_is_still_improving_while_its_best_loss_is_recent():
    assert still_improving(_trial([1.0, 0.8, 0.9, 0.85]).history)  # best two epochs ago
    assert still_improving(_trial([1.0, 0.9, 0.7]).history)
    assert not still_improving(_trial([1.0, 0.5, 0.9, 0.8, 0.7]).history)  # four epochs ago
    assert not still_improving(_trial([0.5, 0.9]).history)  # the first epoch is no trend


def test_the_plan_caps_epochs_to_fit_three_trials_and_lets_the_first_go_further():
    planner = BudgetPlanner(Deadline(300, start=0.0), max_epochs=1000, plan_epochs=True)
    planner.plan(epoch_s=1.0)
    assert planner.epoch_cap == 100  # 300 s for 3 trials of 1 s epochs
    assert planner.first_trial_cap == 150  # half the budget
    assert "capped at 100 epochs" in planner.plan_note
    slow = BudgetPlanner(Deadline(60, start=0.0), max_epochs=1000, plan_epochs=True)
    slow.plan(epoch_s=5.0)
    assert slow.epoch_cap == 20  # never below MIN_EPOCH_CAP: a trial must be able to converge


def test_epochs_are_planned_from_the_quicker_of_the_second_and_third():
    planner = BudgetPlanner(Deadline(300, start=0.0), max_epochs=1000, plan_epochs=True)
    planner.epochs_timed([9.0, 2.0])
    assert planner.epoch_cap is None  # two epochs are not enough to tell
    planner.epochs_timed([9.0, 2.0, 1.0])
    assert planner.epoch_cap == 100  # 300 s / (3 x 1 s)
    cap = planner.epoch_cap
    planner.epochs_timed([9.0, 0.1, 0.1])
    assert planner.epoch_cap == cap  # planned once


def test_no_plan_without_a_budget_or_when_epochs_already_fit():
    unbounded = BudgetPlanner(Deadline(None), max_epochs=1000, plan_epochs=True)
    unbounded.epochs_timed([1.0, 1.0, 1.0])
    assert unbounded.epoch_cap is None and unbounded.plan_note == ""
    short = BudgetPlanner(Deadline(300), max_epochs=10, plan_epochs=True)
    short.epochs_timed([1.0, 1.0, 1.0])
    assert short.epoch_cap is None


def test_a_capped_trial_stops_unless_still_improving_and_the_first_goes_further():
    planner = BudgetPlanner(Deadline(300, start=0.0), max_epochs=1000, plan_epochs=True)
    planner.plan(epoch_s=1.0)
    flat = [{"val_loss": 0.5}] + [{"val_loss": 0.9}] * 99
    assert planner.stop_after_epoch(flat, 100, first_trial=False)
    assert not planner.stop_after_epoch(flat, 99, first_trial=False)
    assert not planner.stop_after_epoch(flat, 100, first_trial=True)  # its cap is 150
    assert planner.stop_after_epoch(flat, 150, first_trial=True)
    improving = flat[:-1] + [{"val_loss": 0.1}]
    assert not planner.stop_after_epoch(improving, 100, first_trial=False)


def test_a_trial_may_not_start_when_it_could_not_finish_an_epoch():
    planner = BudgetPlanner(Deadline(5))
    assert planner.may_start_trial()
    planner.trial_started_up(10.0)
    assert not planner.may_start_trial()  # 5 s left, a trial needs 10 s to its first epoch
    assert BudgetPlanner(Deadline(None)).may_start_trial()
    assert not BudgetPlanner(Deadline(0)).may_start_trial()


def test_the_refit_reserve_comes_off_the_search_deadline():
    planner = BudgetPlanner(Deadline(100), refit=True, refit_reserve_s=REFIT_SHARE * 100)
    assert planner.refit_reserve() == 15
    left = planner.search_time_left()
    assert left is not None and 75 < left <= 85  # 85 s, less the time this test took
    unreserved = BudgetPlanner(Deadline(100), refit=False, refit_reserve_s=15)
    assert unreserved.refit_reserve() is None


def test_a_slow_epoch_gives_the_refit_reserve_to_the_search_at_once():
    notes: list[str] = []
    planner = BudgetPlanner(
        Deadline(100), refit=True, refit_reserve_s=15, refit_rows=1.25, notes=notes
    )
    planner.release_refit_reserve_early(1.0)  # 1 s x 1.25 x 10 epochs < 15 s: kept
    assert planner.refit_wanted and planner.refit_reserve() == 15
    planner.release_refit_reserve_early(2.0)  # 25 s > 15 s: released
    assert not planner.refit_wanted and planner.refit_reserve() is None
    assert planner.search_deadline is planner.deadline
    assert notes == [
        "refit skipped: an epoch takes 2.0 s, so a refit would need more than the 15 s "
        "kept for it; that time went to the search instead"
    ]


def test_a_best_trial_too_slow_to_refit_gives_the_reserve_back_after_it_ends():
    notes: list[str] = []
    planner = BudgetPlanner(Deadline(100), refit=True, refit_reserve_s=15, notes=notes)
    planner.trial_ended(_trial([1.0, 0.5], seconds=4.0))  # 2 epochs of 2 s: 4 s refit
    assert planner.refit_wanted
    planner.trial_ended(_trial([1.0, 0.5], "001", seconds=20.0))  # 20 s > 15 s
    assert not planner.refit_wanted
    assert "the best trial (001) would take about 20 s" in notes[0]


def test_a_refit_that_cannot_finish_in_the_time_left_is_skipped():
    planner = BudgetPlanner(Deadline(10), refit=True)
    slow = _trial([1.0, 0.5], seconds=30.0)
    assert planner.refit_wont_fit(slow).startswith("refit skipped: it would take about 30 s")
    assert BudgetPlanner(Deadline(None), refit=True).refit_wont_fit(slow) == ""


def test_a_refit_trains_to_the_best_epoch_or_the_later_lowest_loss():
    trial = _trial([1.0, 0.6, 0.5, 0.7])
    trial.best_epoch = 2
    assert refit_epochs(trial) == 3


def test_the_search_deadline_is_the_run_deadline_without_a_reserve():
    start = time.monotonic()
    planner = BudgetPlanner(Deadline(50, start=start))
    assert planner.search_deadline.at == start + 50
    assert not planner.search_over()


def test_a_cheap_refit_keeps_twice_its_estimate_and_gives_the_rest_to_the_search():
    planner = BudgetPlanner(Deadline(100), refit=True, refit_reserve_s=15)
    planner.trial_ended(_trial([1.0, 0.5], seconds=1.0))  # a 1 s refit: 5 s kept at least
    assert planner.refit_wanted and round(planner.refit_reserve(), 6) == 5.0
    planner.trial_ended(_trial([1.0, 0.5], "001", seconds=6.0))  # 6 s: 12 s kept
    assert round(planner.refit_reserve(), 6) == 12.0
    planner.trial_ended(_trial([1.0, 0.5], "002", seconds=9.0))  # 18 s: no more than 15
    assert round(planner.refit_reserve(), 6) == 15.0
    planner.trial_ended(_trial([1.0, 0.5], "003", seconds=20.0))  # past the whole share
    assert not planner.refit_wanted  # the refit could not fit: its time goes to the search


def test_folds_that_do_not_fit_the_budget_are_cut_to_the_first_ones_that_do():
    cuts = []
    planner = BudgetPlanner(
        Deadline(60, start=0.0),
        max_epochs=1000,
        plan_epochs=True,
        folds=5,
        on_folds_cut=lambda kept, why: cuts.append((kept, why)),
    )
    planner.plan(epoch_s=0.3)  # 3 trials x 20 epochs x 0.3 s = 18 s a fold: 3 fit
    assert planner.folds == 3 and cuts[0][0] == 3
    assert "scored on the first 3 folds only" in cuts[0][1] and cuts[0][1] in planner.notes
    assert planner.epoch_cap == 22  # 60 s / (3 trials x 3 folds x 0.3 s)
    one = BudgetPlanner(
        Deadline(60, start=0.0), max_epochs=1000, plan_epochs=True, folds=5, on_folds_cut=print
    )
    one.plan(epoch_s=2.0)  # not even one fold fits: one split, the first fold's
    assert one.folds == 1 and "first fold's held-out rows only" in one.notes[0]


def test_folds_stay_when_they_fit_or_when_nothing_may_cut_them():
    cuts = []
    fits = BudgetPlanner(
        Deadline(600, start=0.0), max_epochs=1000, plan_epochs=True, folds=5,
        on_folds_cut=lambda kept, why: cuts.append(kept),
    )  # fmt: skip
    fits.plan(epoch_s=0.3)
    assert fits.folds == 5 and not cuts
    worker = BudgetPlanner(Deadline(60, start=0.0), max_epochs=1000, plan_epochs=True, folds=5)
    worker.plan(epoch_s=2.0)  # a worker process: its chief's folds are everyone's
    assert worker.folds == 5


def test_a_search_exporting_fold_models_keeps_time_to_choose_and_export_them():
    notes: list[str] = []
    deadline = Deadline(180, start=0.0)
    searched = finishing_deadline(deadline, 180, notes)
    assert searched.at == 180 - 10.8 and searched.start == 0.0
    assert notes == [
        "the last 11 s of the time budget are kept for choosing among the fold models and "
        "exporting them"
    ]
    # The work after the deadline does not grow with the budget: neither does the reserve.
    assert finishing_deadline(Deadline(7200, start=0.0), 7200, []).at == 7200 - FINISH_RESERVE_MAX_S
    unbounded = Deadline(None, start=0.0)
    assert finishing_deadline(unbounded, None, notes) is unbounded and len(notes) == 1
