"""Experiment folders: --overwrite removes only a search's own files, locks, names, exports."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from automl.errors import AutoMLError
from automl.experiment import layout
from automl.experiment.files import check_folder, claim_folder, write_json
from automl.experiment.lock import search_lock
from automl.export.bundle import clean_stale_exports
from tests.conftest import PENGUINS, run_cli


def _users_folder(tmp_path):
    folder = tmp_path / "w"
    (folder / "model").mkdir(parents=True)
    (folder / "model" / "thesis.docx").write_bytes(b"four years of work")
    (folder / "notes.txt").write_text("mine")
    return folder


def test_overwrite_refuses_a_folder_whose_model_folder_is_not_ours(tmp_path):
    # Reproduction from issue 15: --overwrite used to delete w/model/thesis.docx.
    folder = _users_folder(tmp_path)
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(folder), "--overwrite",
        "--max-trials", "1", "--epochs", "1",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not an AutoML Studio experiment but holds model" in lines[0]
    assert (folder / "model" / "thesis.docx").read_bytes() == b"four years of work"
    assert (folder / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in folder.iterdir()) == ["model", "notes.txt"]


def test_overwrite_writes_beside_foreign_files_and_replaces_only_a_searchs_own(tmp_path):
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(AutoMLError, match="not an AutoML Studio experiment"):
        claim_folder(folder, overwrite=False)
    claim_folder(folder, overwrite=True)  # nothing of a search's here: nothing removed
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]

    write_json(folder / layout.MARKER, {"request": {}})
    (folder / layout.MODEL_DIR).mkdir()
    (folder / layout.MODEL_DIR / "model.keras").write_bytes(b"old")
    (folder / layout.EVENTS).write_text("{}\n")
    (folder / layout.WORKERS_DIR).mkdir()  # a parallel search's, with its chief's address
    (folder / layout.DISTRIBUTED_FILE).write_text("{}")
    with search_lock(folder):  # the claiming search holds it: the lock file stays
        claim_folder(folder, overwrite=True)
        assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", layout.LOCK]


def test_a_search_that_loses_the_lock_touches_nothing(tmp_path, monkeypatch):
    from automl.search import run
    from automl.search.request import SearchRequest

    folder = tmp_path / "busy"
    folder.mkdir()
    write_json(folder / layout.MARKER, {"request": {}})
    (folder / layout.EVENTS).write_text('{"type": "search_started"}\n')
    (folder / layout.SPLITS).write_text("{}")
    # The other search took the lock between our liveness check and our own lock.
    monkeypatch.setattr(run, "search_alive", lambda out: False)
    request = SearchRequest(
        data=PENGUINS, target="species", out=folder, overwrite=True, max_trials=1, max_epochs=1
    )
    with search_lock(folder):
        before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        with pytest.raises(AutoMLError, match="another search is writing"):
            run.run_search(request)
        after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before


def test_check_folder_names_every_refusal(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(AutoMLError, match="is a file"):
        check_folder(tmp_path / "file", overwrite=True)
    check_folder(tmp_path / "missing", overwrite=False)
    assert not (tmp_path / "missing").exists()  # checking creates nothing


def test_default_names_made_in_the_same_second_differ(tmp_path):
    from automl.cli_search import default_experiment_folder

    made = [default_experiment_folder(tmp_path, PENGUINS) for _ in range(3)]
    assert len(set(made)) == 3 and all(p.is_dir() for p in made)
    assert made[0].name.startswith("penguins-")


def test_a_reserved_folder_left_empty_goes_when_the_process_ends(tmp_path):
    script = (
        "import sys; from automl.experiment.files import reserve_folder; "
        "used = reserve_folder(sys.argv[1], 'used'); (used / 'experiment.json').write_text('{}'); "
        "reserve_folder(sys.argv[1], 'unused')"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True)
    left = list(tmp_path.iterdir())
    assert len(left) == 1 and left[0].name.startswith("used-")


def test_a_write_cut_short_leaves_the_earlier_file_whole(tmp_path, monkeypatch):
    path = tmp_path / layout.SPLITS
    write_json(path, {"test": [1, 2]}, indent=None)
    assert path.read_text() == '{"test": [1, 2]}'

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        write_json(path, {"test": [3]})
    assert path.read_text() == '{"test": [1, 2]}'


def test_stale_partial_exports_are_tidied_and_a_moved_aside_model_comes_back(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    destination = tmp_path / "model"
    partial = tmp_path / f".model.partial-{dead.pid}"
    (partial / "saved_model").mkdir(parents=True)
    old = tmp_path / f".model.old-{dead.pid}"
    old.mkdir()
    (old / "metadata.json").write_text("{}")
    running = tmp_path / f".model.partial-{os.getppid()}"  # a live process's export
    running.mkdir()
    tidied = clean_stale_exports(destination)
    assert set(tidied) == {partial, old}
    # Killed between moving the earlier export aside and renaming the new one in.
    assert (destination / "metadata.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["model", running.name])
