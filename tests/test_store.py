"""The experiment store: project.db, the index of real experiment folders, and its commands.

Every experiment here is a copy of the session's real penguins search (`penguins_run`),
sometimes edited the way a crash, a disk error or a second search would leave it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from automl.cli_experiments import main
from automl.errors import AutoMLError
from automl.experiment.lock import search_lock
from automl.experiment.reader import SkippedLinesWarning
from automl.store import (
    SCHEMA_VERSION,
    compare,
    export_trials,
    find_project,
    index_experiment,
    is_project,
    list_experiments,
    project_of,
    reindex,
    resolve_experiment,
    show,
)
from automl.store import db as store_db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def real_experiment(penguins_run) -> Path:
    """The folder of the session's real search (read only: tests copy it)."""
    assert penguins_run["returncode"] == 0, penguins_run["stderr"][-2000:]
    return penguins_run["out"]


def add_experiment(real: Path, project: Path, name: str, under_experiments=True) -> Path:
    """Copies the real experiment into `project` as `name`; returns the new folder."""
    folder = (project / "experiments" if under_experiments else project) / name
    shutil.copytree(real, folder, ignore=shutil.ignore_patterns("search.lock"))
    return folder


def read_lines(folder: Path) -> list[str]:
    return (folder / "events.jsonl").read_text().splitlines()


def write_lines(folder: Path, lines: list[str], end="\n") -> None:
    (folder / "events.jsonl").write_text("\n".join(lines) + end)


def make_interrupted(folder: Path, age_s: float) -> None:
    """Leaves `folder` as a search killed during its second trial, `age_s` seconds ago."""
    (folder / "summary.json").unlink()
    events = [json.loads(line) for line in read_lines(folder)]
    second = [i for i, e in enumerate(events) if e["type"] == "trial_started"][1]
    kept = events[: second + 2]  # the second trial's start and its first epoch
    assert kept[-1]["type"] == "epoch_ended"
    shift = time.time() - age_s - kept[-1]["time"]
    for event in kept:
        event["time"] += shift
    write_lines(folder, [json.dumps(e) for e in kept])
    for name in ("events.jsonl", "experiment.json"):
        os.utime(folder / name, (time.time() - age_s,) * 2)


def cli(capsys, *args: str) -> tuple[int, str, list[str]]:
    """Runs `automl experiments ARGS`; returns the exit code, stdout and stderr lines."""
    code = main(["experiments", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def assert_refused(code: int, err: list[str], *fragments: str) -> None:
    assert code == 2
    assert len(err) == 1, err
    assert err[0].startswith("automl: error:")
    for fragment in fragments:
        assert fragment in err[0]


# --- the index ---------------------------------------------------------------------------


def test_index_records_the_experiment_and_its_trials(real_experiment, tmp_path):
    project = tmp_path / "work"
    folder = add_experiment(real_experiment, project, "penguins")
    index_experiment(folder)
    summary = json.loads((folder / "summary.json").read_text())

    (row,) = list_experiments(project)
    assert row["name"] == "penguins" and row["folder"] == "experiments/penguins"
    assert row["status"] == "completed"
    assert row["data_sha256"] == summary["data_sha256"]
    assert (row["task"], row["target"], row["tuner"]) == ("multiclass", "species", "random")
    assert row["families"] == ("dense",)
    assert (row["max_trials"], row["max_epochs"]) == (2, 8)
    assert row["best_trial_id"] == summary["best_trial"]["trial_id"]
    assert row["best_score"] == pytest.approx(summary["best_trial"]["score"])
    assert row["trials_completed"] == summary["trials"]["completed"]
    assert row["test_metrics"]["accuracy"] == pytest.approx(summary["test_metrics"]["accuracy"])

    db = sqlite3.connect(project / "project.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    trials = db.execute("SELECT trial_id, hyperparameters, metrics, status FROM trials").fetchall()
    ended = {
        e["trial_id"]: e for e in map(json.loads, read_lines(folder)) if e["type"] == "trial_ended"
    }
    assert {t[0] for t in trials} == set(ended)
    for trial_id, hyperparameters, metrics, status in trials:
        assert status == "completed"
        assert json.loads(hyperparameters) == ended[trial_id]["hyperparameters"]
        curves = json.loads(metrics)
        assert curves["epoch"][-1] == ended[trial_id]["epochs"]
        assert len(curves["val_accuracy"]) == ended[trial_id]["epochs"]


def test_project_rule_for_project_and_out_layouts(real_experiment, tmp_path):
    project = tmp_path / "work"
    under = add_experiment(real_experiment, project, "a")
    assert project_of(under) == project.resolve()
    # `--out runs/b`: the folder containing the experiment is its project.
    beside = add_experiment(real_experiment, tmp_path / "runs", "b", under_experiments=False)
    index_experiment(beside)
    assert (tmp_path / "runs" / "project.db").is_file()
    assert is_project(tmp_path / "runs") and not is_project(beside)
    assert find_project(beside) == (tmp_path / "runs").resolve()
    assert find_project(beside / "tuner") == (tmp_path / "runs").resolve()  # walks up
    assert resolve_experiment(project, "a") == under.resolve()
    assert resolve_experiment(tmp_path, beside) == beside.resolve()  # a path wins
    assert [e["name"] for e in list_experiments(project)] == ["a"]  # indexed on first look


def test_show_gives_leaderboard_and_disk_used_by_part(real_experiment, tmp_path):
    project = tmp_path / "work"
    folder = add_experiment(real_experiment, project, "penguins")
    result = show(project, "penguins")
    scores = [t["score"] for t in result["trials"]]
    assert scores == sorted(scores, reverse=True)  # accuracy: best first
    disk = result["disk"]
    tuner_bytes = sum(p.stat().st_size for p in (folder / "tuner").rglob("*") if p.is_file())
    assert disk["tuner"] == tuner_bytes
    assert disk["total"] == sum(v for k, v in disk.items() if k != "total")
    assert disk["model"] > 0 and disk["logs"] == (folder / "events.jsonl").stat().st_size

    # Retention deletes a trial's weights: show says so, and the disk used drops.
    worst = result["trials"][-1]
    assert (folder / worst["checkpoint"]).is_file()
    weights = (folder / worst["checkpoint"]).stat().st_size
    (folder / worst["checkpoint"]).unlink()
    again = show(project, "penguins")
    assert again["trials"][-1]["checkpoint"] is None
    assert again["disk"]["tuner"] == disk["tuner"] - weights


def test_compare_shows_what_differs(real_experiment, tmp_path):
    project = tmp_path / "work"
    add_experiment(real_experiment, project, "first")
    second = add_experiment(real_experiment, project, "second")
    marker = json.loads((second / "experiment.json").read_text())
    marker["request"]["space"] = {"dense": {"max_layers": 2}}
    (second / "experiment.json").write_text(json.dumps(marker))

    rows = {label: (a, b) for label, a, b in compare(project, "first", "second")}
    assert rows["experiment"] == ("first", "second")
    assert rows["search space"] == ("defaults", '{"dense": {"max_layers": 2}}')
    assert rows["data sha256"][0] == rows["data sha256"][1] != "-"
    assert rows["tuner"] == ("random", "random")
    assert rows["max trials"] == ("2", "2")
    assert rows["trials"][0] == "2 completed, 0 failed"
    assert "test accuracy" in rows
    assert float(rows["best score"][0]) == pytest.approx(
        json.loads((second / "summary.json").read_text())["best_trial"]["score"], abs=1e-4
    )


def test_export_trials_writes_one_row_per_trial(real_experiment, tmp_path):
    project = tmp_path / "work"
    folder = add_experiment(real_experiment, project, "penguins")
    count = export_trials(project, "penguins", tmp_path / "trials.csv")
    frame = pd.read_csv(tmp_path / "trials.csv")
    assert count == len(frame) == 2
    started = [e for e in map(json.loads, read_lines(folder)) if e["type"] == "trial_started"]
    assert list(frame["trial_id"].astype(str)) == [e["trial_id"] for e in started]
    for name in started[0]["hyperparameters"]:
        assert name in frame.columns
    assert frame["learning_rate"].tolist() == pytest.approx(
        [e["hyperparameters"]["learning_rate"] for e in started]
    )
    assert list(frame.columns[:3]) == ["trial_id", "status", "score"]


# --- interrupted searches ----------------------------------------------------------------


def test_killed_search_reads_as_interrupted_after_silence(real_experiment, tmp_path):
    project = tmp_path / "work"
    folder = add_experiment(real_experiment, project, "killed")
    make_interrupted(folder, age_s=3600)
    result = show(project, "killed")
    assert result["status"] == "interrupted"
    assert (result["trials_completed"], result["trials_unfinished"]) == (1, 1)
    statuses = {t["trial_id"]: t["status"] for t in result["trials"]}
    assert sorted(statuses.values()) == ["completed", "interrupted"]
    assert result["best_trial_id"] == next(k for k, v in statuses.items() if v == "completed")

    # The same files, written a moment ago and no lock file: still running.
    make_interrupted(add_experiment(real_experiment, project, "fresh"), age_s=5)
    assert show(project, "fresh")["status"] == "running"


def test_search_lock_tells_a_live_search_from_a_killed_one(real_experiment, tmp_path):
    project = tmp_path / "work"
    folder = add_experiment(real_experiment, project, "live")
    make_interrupted(folder, age_s=3600)  # old files: the heartbeat alone says dead
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from automl.experiment.lock import search_lock\n"
            f"with search_lock({str(folder)!r}):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "held"
        assert show(project, "live")["status"] == "running"
        with (
            pytest.raises(AutoMLError, match="another search is writing"),
            search_lock(folder, wait_s=0.1),
        ):
            pass
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert show(project, "live")["status"] == "interrupted"  # at once, no waiting
    with search_lock(folder):  # a resumed search takes it over
        assert show(project, "live")["status"] == "running"


# --- bad input ---------------------------------------------------------------------------


def test_corrupt_and_cut_off_event_lines_are_skipped_with_one_warning(
    real_experiment, tmp_path, capsys
):
    project = tmp_path / "work"
    folder = add_experiment(real_experiment, project, "damaged")
    lines = read_lines(folder)
    first_epoch = next(i for i, line in enumerate(lines) if '"epoch_ended"' in line)
    lines[first_epoch] = '{"type": "epoch_ended", "trial_id": "0", "ep\x00\x00garbage'
    cut = lines[-1][: len(lines[-1]) // 2]  # a search killed mid-write
    write_lines(folder, [*lines[:-1], cut], end="")

    with pytest.warns(SkippedLinesWarning, match=r"skipped 2 unreadable lines of .*events\.jsonl"):
        result = show(project, "damaged")
    assert result["trials_completed"] == 2  # the rest was read
    first = next(t for t in result["trials"] if t["metrics"]["epoch"][0] != 1)
    assert first["metrics"]["epoch"][0] == 2  # only the lost epoch is missing

    os.utime(folder / "events.jsonl")  # changed again: the next look re-reads it
    code, out, err = cli(capsys, "show", "damaged", "--project", str(project))
    assert code == 0 and "leaderboard" in out
    assert len(err) == 1 and err[0].startswith("warning: skipped 2 unreadable lines of ")


def test_newer_schema_is_refused_and_left_alone(real_experiment, tmp_path, capsys):
    project = tmp_path / "work"
    add_experiment(real_experiment, project, "penguins")
    db = sqlite3.connect(project / "project.db")
    db.execute("PRAGMA user_version = 3")
    db.close()
    expected = (
        "project.db was written by a newer AutoML Studio (schema 3; this one reads up to "
        f"{SCHEMA_VERSION})"
    )
    with pytest.raises(AutoMLError) as error:
        list_experiments(project)
    assert expected in str(error.value)
    code, _, err = cli(capsys, "ls", "--project", str(project))
    assert_refused(code, err, expected)
    code, _, err = cli(capsys, "reindex", "--project", str(project))
    assert_refused(code, err, expected)
    check = sqlite3.connect(project / "project.db")
    assert check.execute("PRAGMA user_version").fetchone()[0] == 3


def test_folder_that_is_not_a_project(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not an experiment")
    code, _, err = cli(capsys, "ls", "--project", str(tmp_path))
    assert_refused(code, err, str(tmp_path), "is not an AutoML Studio project")
    code, _, err = cli(capsys, "reindex", "--project", str(tmp_path / "missing"))
    assert_refused(code, err, "does not exist")
    assert not (tmp_path / "project.db").exists()


def test_unknown_experiment_name_lists_the_known_ones(real_experiment, tmp_path, capsys):
    project = tmp_path / "work"
    add_experiment(real_experiment, project, "penguins")
    add_experiment(real_experiment, project, "penguins-2")
    code, _, err = cli(capsys, "show", "pinguins", "--project", str(project))
    assert_refused(code, err, "no experiment named 'pinguins'", "known: penguins, penguins-2")
    code, _, err = cli(capsys, "compare", "penguins", "nope", "--project", str(project))
    assert_refused(code, err, "'nope'")
    code, _, err = cli(capsys, "show", str(project / "experiments"), "--project", str(project))
    assert_refused(code, err, "is a folder but not an experiment")


def test_reindex_rebuilds_a_deleted_or_damaged_index(real_experiment, tmp_path, capsys):
    project = tmp_path / "work"
    add_experiment(real_experiment, project, "a")
    add_experiment(real_experiment, project, "b", under_experiments=False)
    before = {e["name"]: e["best_score"] for e in list_experiments(project)}
    for part in project.glob("project.db*"):
        part.unlink()
    code, out, _ = cli(capsys, "reindex", "--project", str(project))
    assert code == 0 and out.strip() == f"indexed 2 experiments in {project / 'project.db'}"
    assert {e["name"]: e["best_score"] for e in list_experiments(project)} == before

    for part in project.glob("project.db-*"):
        part.unlink()
    (project / "project.db").write_bytes(b"this is not SQLite" * 100)
    code, _, err = cli(capsys, "ls", "--project", str(project))
    assert_refused(code, err, "not a readable project index", "automl experiments reindex")
    assert reindex(project) == 2
    assert len(list(project.glob("project.db.damaged-*"))) == 1
    assert {e["name"]: e["best_score"] for e in list_experiments(project)} == before


def test_migrations_apply_in_order_and_keep_rows(real_experiment, tmp_path, monkeypatch):
    project = tmp_path / "work"
    index_experiment(add_experiment(real_experiment, project, "penguins"))
    monkeypatch.setattr(
        store_db,
        "MIGRATIONS",
        (*store_db.MIGRATIONS, ("ALTER TABLE experiments ADD COLUMN note TEXT",)),
    )
    monkeypatch.setattr(store_db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with store_db.open_db(project) as db:
        assert store_db.schema_version(db) == SCHEMA_VERSION + 1
        assert db.execute("SELECT name, note FROM experiments").fetchall()[0][0] == "penguins"


def test_a_writer_and_readers_at_once_never_fail(real_experiment, tmp_path):
    project = tmp_path / "work"
    folder = add_experiment(real_experiment, project, "busy")
    index_experiment(folder)
    writer = (
        "import os, sys\n"
        "from automl.store import index_experiment\n"
        "for i in range(40):\n"
        "    os.utime(sys.argv[1] + '/events.jsonl')\n"
        "    index_experiment(sys.argv[1])\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", writer, str(folder)], cwd=ROOT) for _ in range(2)
    ]
    reads = 0
    while any(w.poll() is None for w in writers):
        assert len(show(project, "busy")["trials"]) == 2  # never half an update
        reads += 1
    assert [w.returncode for w in writers] == [0, 0]
    assert reads > 0
    db = sqlite3.connect(project / "project.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 2


# --- the commands ------------------------------------------------------------------------


def test_commands_print_the_history(real_experiment, tmp_path, capsys):
    project = tmp_path / "work"
    add_experiment(real_experiment, project, "penguins")
    add_experiment(real_experiment, project, "again")

    code, out, err = cli(capsys, "ls", "--project", str(project))
    assert code == 0 and not err
    assert "(2 experiments)" in out and "penguins" in out and "completed" in out
    assert "multiclass (species)" in out and "2/2" in out

    code, out, _ = cli(capsys, "show", "penguins", "--project", str(project))
    assert code == 0
    for text in ("experiment penguins: completed", "disk used", "tuner", "leaderboard"):
        assert text in out

    code, out, _ = cli(capsys, "compare", "penguins", "again", "--project", str(project))
    assert code == 0 and "search space" in out and "test accuracy" in out

    csv = tmp_path / "trials.csv"
    code, out, _ = cli(
        capsys, "export-trials", "penguins", "-o", str(csv), "--project", str(project)
    )
    assert code == 0 and out.strip() == f"wrote 2 trials of penguins to {csv}"
    assert len(pd.read_csv(csv)) == 2


def test_the_store_never_loads_tensorflow(real_experiment, tmp_path):
    project = tmp_path / "work"
    add_experiment(real_experiment, project, "penguins")
    code = (
        "import sys\n"
        "from automl.cli_experiments import main\n"
        f"assert main(['experiments', 'show', 'penguins', '--project', {str(project)!r}]) == 0\n"
        "loaded = sorted(m for m in ('tensorflow', 'keras', 'keras_tuner') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_a_linked_experiment_folder_is_not_followed_out_of_the_project(
    real_experiment, tmp_path, capsys
):
    from automl.store import list_experiments

    project, elsewhere = tmp_path / "mine", tmp_path / "colleague"
    add_experiment(real_experiment, project, "own")
    theirs = add_experiment(real_experiment, elsewhere, "theirs")
    (project / "experiments" / "borrowed").symlink_to(theirs, target_is_directory=True)
    before = sorted(p.name for p in (elsewhere).iterdir())
    code, out, err = cli(capsys, "ls", "--project", str(project))
    assert code == 0 and "own" in out and "borrowed" not in out and "theirs" not in out
    assert err == [
        f"warning: experiments/borrowed is a link to {theirs}: not listed here (a project "
        f"lists only its own folders; see it with --project {elsewhere})"
    ]
    assert [e["name"] for e in list_experiments(project)] == ["own"]
    assert sorted(p.name for p in elsewhere.iterdir()) == before  # no project.db written there
