"""The desktop's one background-job helper: work off the GUI thread, answers on it."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QThread  # noqa: E402

from automl.errors import first_line  # noqa: E402
from desktop.jobs import BackgroundJobs, LatestJob  # noqa: E402
from desktop.project_experiments import ExperimentLister  # noqa: E402

WAIT_MS = 10_000


@pytest.fixture()
def jobs(qtbot):
    jobs = BackgroundJobs()
    yield jobs
    jobs.wait(WAIT_MS)


def test_work_runs_off_the_gui_thread_and_the_answer_arrives_on_it(qtbot, jobs):
    gui = QThread.currentThread()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["work_thread"] = QThread.currentThread()
        return 42

    def done(result: int) -> None:
        seen["result"], seen["done_thread"] = result, QThread.currentThread()

    with qtbot.waitSignal(jobs.ended, timeout=WAIT_MS):
        job = jobs.run(work, done, pytest.fail)
    assert seen["result"] == 42
    assert seen["work_thread"] is not gui and seen["done_thread"] is gui
    assert not jobs.is_waiting(job)


def test_a_failure_goes_to_on_failure_with_the_exception(qtbot, jobs):
    errors: list[Exception] = []
    jobs.run(lambda: int("x"), pytest.fail, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=WAIT_MS)
    assert isinstance(errors[0], ValueError)
    assert first_line(errors[0]) == "invalid literal for int() with base 10: 'x'"
    assert first_line(RuntimeError("")) == "RuntimeError"


def test_a_discarded_job_is_never_answered(qtbot, jobs):
    release = threading.Event()
    answers: list[object] = []
    job = jobs.run(lambda: release.wait(WAIT_MS / 1000) and "late", answers.append, answers.append)
    assert jobs.is_waiting(job)
    jobs.discard(job)
    with qtbot.waitSignal(jobs.ended, timeout=WAIT_MS) as ended:
        release.set()
    assert ended.args == [job] and answers == []


def test_the_latest_job_wins(qtbot, jobs):
    release = threading.Event()
    answers: list[str] = []
    latest = LatestJob(jobs)
    latest.run(lambda: release.wait(WAIT_MS / 1000) and "first", answers.append, pytest.fail)
    latest.run(lambda: "second", answers.append, pytest.fail)
    assert latest.busy
    qtbot.waitUntil(lambda: answers == ["second"], timeout=WAIT_MS)
    assert not latest.busy
    release.set()
    assert jobs.wait(WAIT_MS)
    qtbot.wait(50)  # the first job's answer, were it delivered, would arrive now
    assert answers == ["second"]
    latest.run(lambda: "third", answers.append, pytest.fail)
    latest.cancel()
    assert not latest.busy
    assert jobs.wait(WAIT_MS)
    qtbot.wait(50)
    assert answers == ["second"]


def test_the_lister_answers_with_its_request_and_a_one_line_problem(qtbot, tmp_path):
    lister = ExperimentLister()
    with qtbot.waitSignal(lister.failed, timeout=WAIT_MS) as failed:
        request = lister.list_project(tmp_path)  # no project.db, no experiments
    assert failed.args[:2] == [request, tmp_path]
    assert failed.args[2].startswith(f"{tmp_path} is not an AutoML Studio project")
    assert "\n" not in failed.args[2]
    assert lister.jobs.wait(WAIT_MS)
