"""A search outlives its parent and its pipes, and ends cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import PENGUINS, ROOT


def _search(out, *extra: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    """Returns a running `automl search` on penguins that writes its events to a pipe."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "automl",
            "search",
            str(PENGUINS),
            "--target",
            "species",
            "--out",
            str(out),
            "--project",
            str(out.parent.parent),
            "--epochs",
            "3",
            "--seed",
            "2",
            "--events",
            "-",
            "--control-stdin",
            *extra,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
        cwd=out.parent.parent,
    )


def _events(out) -> list[dict]:
    return [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]


def _assert_exported(out) -> dict:
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5
    assert list((out / "model" / "saved_model").glob("*/saved_model.pb"))
    return summary


def test_a_search_whose_parent_died_goes_on_to_its_end(tmp_path):
    # The desktop app crashed: the reading ends of stdout and stderr close, and so does
    # the writing end of the search's stdin. Before the fix, the next line printed (rich's
    # "searching: ...") ended the search with exit 1 and nothing but its first event.
    out = tmp_path / "project" / "experiments" / "orphan"
    out.parent.mkdir(parents=True)
    search = _search(out, "--max-trials", "2")
    try:
        first = json.loads(search.stdout.readline())
        assert first["type"] == "search_started"
        search.stdout.close()
        search.stderr.close()
        search.stdin.close()
        code = search.wait(timeout=600)
    finally:
        search.kill()
    assert code == 0
    events = _events(out)
    assert [e["type"] for e in events].count("trial_ended") == 2
    assert events[-1]["type"] == "search_ended"
    summary = _assert_exported(out)
    assert summary["status"] == "completed"


def test_sigterm_stops_the_search_and_exports_the_best_so_far(tmp_path):
    out = tmp_path / "project" / "experiments" / "terminated"
    out.parent.mkdir(parents=True)
    search = _search(out, "--max-trials", "6", stderr=subprocess.DEVNULL)
    try:
        for line in search.stdout:
            if json.loads(line)["type"] == "trial_ended":
                search.send_signal(signal.SIGTERM)
                break
        search.stdout.read()  # the rest of the events, up to the end
        code = search.wait(timeout=600)
    finally:
        search.kill()
    assert code == 130  # the summary's code for a search the user stopped
    summary = _assert_exported(out)
    assert summary["status"] == "stopped"
    assert 1 <= summary["trials"]["completed"] < 6


def test_an_event_stream_whose_reader_left_is_switched_off(tmp_path):
    from automl.experiment.events import EventLog, TrialFailed

    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w", encoding="utf-8")
    os.close(read_end)
    log = EventLog(tmp_path / "events.jsonl", stream)
    for trial in ("0", "1"):
        log.emit(TrialFailed(trial_id=trial, reason="r", hyperparameters={}))
    log.close()
    assert log.stream is None
    assert len((tmp_path / "events.jsonl").read_text().splitlines()) == 2
    stream.close()  # its descriptor points at /dev/null now: the pending line cannot fail


def test_a_print_to_a_closed_pipe_is_dropped():
    from automl.output_streams import SurvivingStream

    read_end, write_end = os.pipe()
    os.close(read_end)
    pipe = os.fdopen(write_end, "w", encoding="utf-8")
    stream = SurvivingStream(pipe, (write_end,))
    print("nobody reads this", file=stream, flush=True)
    print("nor this", file=stream, flush=True)
    assert stream.gone
    os.write(write_end, b"C++ logging goes to /dev/null too")
    pipe.close()


#: A search in a terminal: Ctrl-C asks it to stop (a handler, as `automl search` sets),
#: while the parity check's child reloads the export and writes its answer.
_CTRL_C_DURING_CHECK = """
import signal, sys
from pathlib import Path
from automl.export.parity import _finish_child, _start_child
signal.signal(signal.SIGINT, lambda *_: print("stop requested", flush=True))
out = Path(sys.argv[1])
child = "import time, sys; time.sleep(3); open(sys.argv[1], 'w').write('answer')"
print("checking", flush=True)
_finish_child(_start_child([sys.executable, "-c", child, str(out)], {}), out)
print("checked:", out.read_text(), flush=True)
"""


def test_ctrl_c_in_the_terminal_does_not_kill_the_parity_check(tmp_path):
    # The terminal sends SIGINT to its whole foreground process group. Before the check
    # ran in a session of its own, its child died of it and the export was thrown away.
    search = subprocess.Popen(
        [sys.executable, "-c", _CTRL_C_DURING_CHECK, str(tmp_path / "out.txt")],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,  # a process group of its own, as a terminal job has
    )
    try:
        assert search.stdout.readline() == "checking\n"
        time.sleep(0.5)  # the child is starting or sleeping in its check
        os.killpg(search.pid, signal.SIGINT)
        output = search.communicate(timeout=60)[0]
    finally:
        search.kill()
    assert search.returncode == 0
    assert output.splitlines() == ["stop requested", "checked: answer"]


def test_a_hung_parity_check_ends_at_its_timeout(tmp_path):
    import pytest

    from automl.export.parity import ExportCheckFailed, _finish_child, _start_child

    hung = [sys.executable, "-c", "import time; time.sleep(60)"]
    with pytest.raises(ExportCheckFailed, match="did not finish within 1 s"):
        _finish_child(_start_child(hung, {}), tmp_path / "out.npy", timeout_s=1)


def _parity_child(parent: int) -> int | None:
    """Returns the pid of `parent`'s parity-check child, if one runs (Linux's /proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"automl.export.parity" in command:
            return int(entry.name)
    return None


def test_ctrl_c_during_the_export_check_keeps_the_model(tmp_path):
    import pytest

    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the parity check's process")
    out = tmp_path / "project" / "experiments" / "interrupted"
    out.parent.mkdir(parents=True)
    # A terminal job: its own process group, which Ctrl-C signals as a whole.
    search = subprocess.Popen(
        [sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
         "--out", str(out), "--project", str(out.parent.parent), "--epochs", "2",
         "--max-trials", "1", "--no-refit"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
    )  # fmt: skip
    try:
        give_up = time.monotonic() + 300
        while _parity_child(search.pid) is None and search.poll() is None:
            assert time.monotonic() < give_up, "no parity check started"
            time.sleep(0.05)
        os.killpg(search.pid, signal.SIGINT)  # the user presses Ctrl-C once
        code = search.wait(timeout=300)
    finally:
        search.kill()
    assert code == 130  # interrupted, and said so
    _assert_exported(out)


def test_the_errors_of_a_reader_gone_are_told_from_others():
    import errno

    from automl.output_streams import reader_gone

    assert reader_gone(BrokenPipeError(errno.EPIPE, "Broken pipe"))
    assert reader_gone(OSError(errno.EIO, "Input/output error"))  # the terminal closed
    assert reader_gone(ValueError("I/O operation on closed file."))
    assert not reader_gone(OSError(errno.ENOSPC, "No space left on device"))
