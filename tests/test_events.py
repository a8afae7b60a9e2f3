"""Events round-trip through JSON, and a damaged events.jsonl line is skipped."""

from __future__ import annotations

import json
import math

import pytest

from automl.experiment.events import (
    EpochEnded,
    Event,
    EventLog,
    SearchEnded,
    SearchStarted,
    TrialEnded,
    TrialFailed,
    TrialStarted,
)
from automl.experiment.reader import SkippedLinesWarning, read_events

EXAMPLES = [
    SearchStarted(
        experiment="e",
        data="d.csv",
        task="binary",
        target="y",
        tuner="random",
        objective="accuracy",
        direction="max",
        max_trials=3,
        time_budget_s=60.0,
        max_epochs=10,
        rows={"train": 8, "validation": 2, "test": 2},
    ),
    TrialStarted(trial_id="0", hyperparameters={"layers": 2, "learning_rate": 0.001}),
    EpochEnded(trial_id="0", epoch=1, metrics={"loss": 0.5, "val_accuracy": 0.75}),
    TrialEnded(
        trial_id="0",
        score=0.75,
        best_epoch=1,
        epochs=3,
        duration_s=1.5,
        metrics={"val_accuracy": 0.75},
        hyperparameters={"layers": 2},
    ),
    TrialFailed(trial_id="1", reason="ResourceExhaustedError: OOM", hyperparameters={}),
    SearchEnded(
        status="deadline",
        reason="the time budget ran out",
        best_trial_id="0",
        best_score=0.75,
        trials_completed=1,
        trials_failed=1,
        duration_s=60.2,
    ),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_event_round_trips_through_json(event):
    data = json.loads(json.dumps(event.to_dict()))
    assert data["type"] == event.type
    assert Event.from_dict(data) == event


def test_nan_metrics_become_null_so_lines_stay_valid_json():
    event = EpochEnded(trial_id="0", epoch=1, metrics={"loss": math.nan})
    line = json.dumps(event.to_dict(), allow_nan=False)
    assert json.loads(line)["metrics"]["loss"] is None


def test_event_log_writes_file_and_stream_and_a_damaged_line_is_skipped(tmp_path):
    import io

    stream = io.StringIO()
    log = EventLog(tmp_path / "events.jsonl", stream)
    for event in EXAMPLES[:3]:
        log.emit(event)
    log.close()
    assert stream.getvalue() == (tmp_path / "events.jsonl").read_text()
    with (tmp_path / "events.jsonl").open("a") as handle:
        handle.write('{"type": "epoch_ended", "trial_i\n')  # a line cut by a crash
    with pytest.warns(SkippedLinesWarning, match=r"skipped 1 unreadable line of .*events\.jsonl"):
        assert read_events(tmp_path / "events.jsonl") == EXAMPLES[:3]


def test_refit_trains_until_the_validation_loss_stopped_falling():
    from automl.experiment.fold import TrialRecord
    from automl.search.budget_planner import refit_epochs

    trial = TrialRecord("0", {}, best_epoch=2)
    trial.history = [{"val_loss": v} for v in (0.9, 0.5, 0.4, 0.3, 0.35)]
    assert refit_epochs(trial) == 4  # accuracy peaked at 2, the loss kept falling to 4
    trial.history = [{"val_loss": v} for v in (0.9, 0.2, 0.4)]
    assert refit_epochs(trial) == 2
