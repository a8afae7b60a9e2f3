"""The Export page's busy bar for one engine task: its stage, share done, time left, Cancel."""

from __future__ import annotations

from desktop.pages.data.panels import BusyBar
from desktop.pages.export.engine_task import EngineTask


def task_bar(task: EngineTask, cancel_tip: str) -> BusyBar:
    """Returns a hidden Data-page busy bar that follows `task` while its child runs.

    It shows the stage the engine reports ("Checking the reloaded SavedModel…"), the share
    done with the time left (`EngineTask.progress`, read on the bar's own timer), and a
    Cancel button that stops the child (`EngineTask.cancel`).
    """
    bar = BusyBar()
    bar.cancel.setToolTip(cancel_tip)
    bar.bar.setFixedWidth(200)
    # Room for the longest time left, so Cancel does not move as the words change.
    bar.left.setMinimumWidth(bar.left.fontMetrics().horizontalAdvance("100% · about 99 min left"))
    bar.layout().addStretch(1)  # a row of its own: keep the bar and Cancel by the words
    task.stage.connect(lambda stage: bar.start(_stage_words(stage, task), task.progress))
    bar.cancelled.connect(task.cancel)
    task.process.finished.connect(lambda *_: bar.stop())
    return bar


def _stage_words(stage: str, task: EngineTask) -> str:
    """Returns "Writing model.keras…" while the work goes on, "Exported" once all is done."""
    done = task.progress is not None and task.progress.fraction >= 1.0
    return f"{stage[:1].upper()}{stage[1:]}{'' if done else '…'}"
