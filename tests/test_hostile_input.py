"""Hostile input and unforeseen errors: one line on stderr, the right exit code, no folder."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from automl import cli
from automl.cli import main
from automl.data.loading import check_regular_file, read_table
from automl.errors import AutoMLError
from tests.test_cli_bad_input import assert_refused, classes_csv, search


def image_csv(tmp_path: Path, hostile: str) -> Path:
    """Returns a CSV of six good image paths and, on line 4, `hostile` as a path."""
    rows = []
    for i in range(6):
        path = tmp_path / "pics" / f"{i}.png"
        path.parent.mkdir(exist_ok=True)
        Image.fromarray(np.full((8, 8), i * 40, np.uint8)).save(path)
        rows.append((str(path), "ab"[i % 2]))
    rows.insert(2, (hostile, "a"))
    data = tmp_path / "images.csv"
    pd.DataFrame(rows, columns=["file", "label"]).to_csv(data, index=False)
    return data


def search_images(capsys, data: Path, out: Path) -> tuple[int, list[str]]:
    argv = ["search", str(data), "--image-column", "file", "--target", "label", "--out", str(out)]
    code = main(argv)
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    ("hostile", "fragment"),
    [("/dev/zero", "a device or pipe"), ("pics", "is a folder")],
)
def test_image_csv_naming_a_device_or_folder_is_refused(tmp_path, capsys, hostile, fragment):
    path = str(tmp_path / hostile) if hostile == "pics" else hostile
    data, out = image_csv(tmp_path, path), tmp_path / "exp"
    code, lines = search_images(capsys, data, out)
    assert_refused(code, lines, "images.csv line 4", "column 'file'", fragment)
    assert not out.exists()


def test_image_csv_naming_an_unreadable_file_is_refused(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked.png"
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(locked)
    data, out = image_csv(tmp_path, str(locked)), tmp_path / "exp"
    if os.geteuid() == 0:
        # root reads any file whatever its mode: the refusal is what opening raises.
        real_open = Path.open

        def refuse(self, *args, **kwargs):
            if self == locked:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    else:
        locked.chmod(0)
    code, lines = search_images(capsys, data, out)
    assert_refused(code, lines, "line 4", "permission denied")
    assert not out.exists()


def test_a_device_as_the_data_file_is_never_read(tmp_path, capsys):
    code, lines = search(capsys, "/dev/zero", tmp_path / "exp")
    assert_refused(code, lines, "/dev/zero", "a device or pipe")
    with pytest.raises(AutoMLError, match="a device or pipe"):
        check_regular_file(Path("/dev/null"))


def test_truncated_xlsx(tmp_path, capsys):
    whole = tmp_path / "whole.xlsx"
    pd.DataFrame({"x": range(30), "species": ["a", "b"] * 15}).to_excel(whole, index=False)
    data = tmp_path / "cut.xlsx"
    data.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    code, lines = search(capsys, data, tmp_path / "exp")
    assert_refused(code, lines, "cut.xlsx", "cannot read it as a table")
    assert not (tmp_path / "exp").exists()


def test_column_names_equal_after_trimming(tmp_path, capsys):
    data = tmp_path / "twice.csv"
    data.write_text("length, length,species\n" + "1,2,a\n3,4,b\n" * 15)
    code, lines = search(capsys, data, tmp_path / "exp")
    assert_refused(code, lines, "twice.csv", "'length' appears more than once")
    assert not (tmp_path / "exp").exists()
    excel = tmp_path / "twice.xlsx"
    pd.DataFrame([[1, 2, "a"]] * 4, columns=["x ", "x", "species"]).to_excel(excel, index=False)
    with pytest.raises(AutoMLError, match="'x' appears more than once"):
        read_table(excel)


def test_an_ordinary_name_like_a_pandas_renamed_duplicate_is_kept(tmp_path):
    data = tmp_path / "fine.csv"
    data.write_text("a,a.1\n1,2\n")
    assert list(read_table(data).columns) == ["a", "a.1"]


def test_parquet_list_column(tmp_path, capsys):
    data = tmp_path / "nested.parquet"
    frame = pd.DataFrame({"tags": [[1, 2], [3]] * 15, "species": ["a", "b"] * 15})
    frame.to_parquet(data)
    code, lines = search(capsys, data, tmp_path / "exp")
    assert_refused(code, lines, "nested.parquet", "column 'tags' holds lists")
    assert not (tmp_path / "exp").exists()


def test_space_naming_a_folder(tmp_path, capsys):
    data = classes_csv(tmp_path)
    code, lines = search(capsys, data, tmp_path / "exp", "--space", str(tmp_path))
    assert_refused(code, lines, "--space", "is a folder")
    assert not (tmp_path / "exp").exists()


def test_an_unforeseen_error_is_one_line_and_a_crash_report(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def broken(args):
        raise RuntimeError("the bug\nsecond line")

    monkeypatch.setattr(cli, "_handler", lambda command: broken)
    code = main(["predict", str(tmp_path / "model"), str(tmp_path / "x.csv")])
    lines = capsys.readouterr().err.splitlines()
    assert code == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith("automl: unexpected error: RuntimeError: the bug; details in ")
    report = Path(lines[0].rsplit("details in ", 1)[1])
    assert report.parent == tmp_path / "cache" / "automl-studio"
    assert "Traceback" in report.read_text() and "second line" in report.read_text()


def test_a_crash_report_goes_in_the_experiment_folder_when_it_exists(tmp_path, capsys, monkeypatch):
    out = tmp_path / "exp"
    out.mkdir()
    (out / "trial.txt").write_text("kept")

    def broken(args):
        raise KeyError("x")

    monkeypatch.setattr(cli, "_handler", lambda command: broken)
    code, lines = search(capsys, classes_csv(tmp_path), out)
    assert code == 1 and len(lines) == 1
    assert list(out.glob("crash-*.txt")) and (out / "trial.txt").read_text() == "kept"


def test_a_full_disk_says_disk_full_and_keeps_what_was_written(tmp_path, capsys, monkeypatch):
    out = tmp_path / "exp"
    out.mkdir()
    (out / "events.jsonl").write_text("{}\n")

    def full(args):
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as error:
            raise RuntimeError("could not save the trial") from error

    monkeypatch.setattr(cli, "_handler", lambda command: full)
    code, lines = search(capsys, classes_csv(tmp_path), out)
    assert code == 2
    assert lines == [
        f"automl: error: disk full (in {out}): free some space; what was written is kept"
    ]
    assert (out / "events.jsonl").read_text() == "{}\n"


def test_column_names_starting_with_a_dash_reach_the_engine_as_values():
    from automl.cli import build_parser
    from automl.cli_search import request_from_args
    from automl.search.request import SearchRequest

    request = SearchRequest(
        data=Path("-data.csv"),
        target="-price",
        out=Path("-out"),
        ignore=("-id", "note"),
        column_types={"-zip": "categorical"},
        options={"time_column": "-t"},
    )
    argv = request.to_argv()
    assert "--target=-price" in argv and "--ignore=-id" in argv and "--time-column=-t" in argv
    assert "--column-type=-zip=categorical" in argv and argv[0] == "./-data.csv"
    assert request_from_args(build_parser().parse_args(["search", *argv])) == request


def stopped_experiment(tmp_path: Path) -> Path:
    """Returns an experiment folder as a killed search leaves it: recorded, with tuner files."""
    import json

    from automl.experiment.layout import MARKER
    from automl.search.request import SearchRequest
    from automl.search.run import data_fingerprint

    data, folder = classes_csv(tmp_path), tmp_path / "exp"
    request = SearchRequest(data=data, target="species", out=folder)
    trial = folder / "tuner" / "trial_0"
    trial.mkdir(parents=True)
    (folder / MARKER).write_text(
        json.dumps(
            {
                "request": request.to_dict(),
                "data_path": str(data),
                "data_sha256": data_fingerprint(data),
            }
        )
    )
    (folder / "tuner" / "oracle.json").write_text('{"ongoing_trials": {}, "tuner_ids": []}')
    (trial / "trial.json").write_text('{"trial_id": "0", "status": "COMPLETED"}')
    return folder


@pytest.mark.parametrize("torn", ["oracle.json", "trial_0/trial.json"])
def test_a_torn_tuner_file_on_resume_names_the_file(tmp_path, capsys, torn):
    folder = stopped_experiment(tmp_path)
    path = folder / "tuner" / torn
    path.write_text(path.read_text()[:17])  # cut mid-write by a kill or a full disk
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    code = main(["resume", str(folder)])
    lines = capsys.readouterr().err.splitlines()
    assert_refused(code, lines, str(path), "is damaged (17 bytes, not whole JSON")
    assert "narrow" not in lines[0]
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


def impossible_npz(path: Path) -> Path:
    """Writes a .npz whose X declares 10^6 x 10^6 float64 (8 TB) over 80 bytes of data."""
    import io
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}
    )
    member = b"\x93NUMPY\x01\x00" + header.getvalue()[8:] + b"\0" * 80
    labels = io.BytesIO()
    np.save(labels, np.arange(10))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", member)
        archive.writestr("y.npy", labels.getvalue())
    return path


def test_an_npz_declaring_an_impossible_shape_is_refused_unread(tmp_path, capsys):
    from automl.data.numpy_headers import check_numpy_file

    data = impossible_npz(tmp_path / "huge.npz")
    with pytest.raises(AutoMLError, match=r"array 'X' declares shape \(1000000, 1000000\)"):
        check_numpy_file(data)
    check_numpy_file(Path("assets/samples/shapes.npz"))  # a whole file passes
    code = main(["search", str(data), "--out", str(tmp_path / "exp")])
    lines = capsys.readouterr().err.splitlines()
    assert_refused(code, lines, "huge.npz", "8,000,000,000,000 bytes", "holds 80 bytes")
    assert not (tmp_path / "exp").exists()


def test_one_long_cell_does_not_pad_every_value(tmp_path):
    from automl.data.dataset import load_dataset, string_array

    rows = 10_000
    values = pd.Series(["Dream", "Biscoe"] * (rows // 2))
    values[7] = "x" * 200_000
    array = string_array(values)
    # A `<U` array would hold 10,000 x 200,000 x 4 bytes = 8 GB; this holds pointers.
    assert array.dtype == object and array.nbytes == rows * 8
    assert array[7] == "x" * 200_000 and array[0] == "Dream"
    data = classes_csv(tmp_path, rows=40)
    frame = pd.read_csv(data)
    frame.loc[3, "island"] = "y" * 200_000
    frame.to_csv(data, index=False)
    dataset = load_dataset(data, "species")
    inputs = dataset.model_inputs()
    assert all(a.dtype in (np.float32, object) for a in inputs.values())
    assert max(a.nbytes for a in inputs.values()) <= 40 * 8


@pytest.mark.parametrize(("hostile", "fragment"), [("/dev/zero", "a device"), ("", "a folder")])
def test_predict_refuses_an_image_csv_naming_a_device_or_folder(
    tmp_path, capsys, hostile, fragment
):
    import json

    model = tmp_path / "model"
    model.mkdir()
    metadata = {"modality": "image", "image_column": "path", "class_names": ["a", "b"]}
    (model / "metadata.json").write_text(json.dumps(metadata))
    rows = tmp_path / "new.csv"
    pd.DataFrame({"path": [hostile or str(tmp_path)]}).to_csv(rows, index=False)
    code = main(["predict", str(model), str(rows), "-o", str(tmp_path / "p.csv")])
    assert_refused(code, capsys.readouterr().err.splitlines(), fragment)
    assert not (tmp_path / "p.csv").exists()


def test_a_disk_that_fills_during_a_trial_stops_the_search_keeping_its_files(
    tmp_path, capsys, monkeypatch
):
    from automl.search import kt_compat

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "checkpoint.weights.h5")

    monkeypatch.setattr(kt_compat, "build_and_fit", full)
    out = tmp_path / "exp"
    options = ("--max-trials", "3", "--epochs", "1", "--workers", "0")
    code, lines = search(capsys, classes_csv(tmp_path), out, *options)
    assert code == 2
    assert lines == [
        f"automl: error: disk full (in {out}): free some space; what was written is kept"
    ]
    assert (out / "experiment.json").is_file() and (out / "events.jsonl").is_file()
    assert not (out / "summary.json").exists()  # unfinished: `automl resume` takes it up
    assert '"trial_failed"' not in (out / "events.jsonl").read_text()
    monkeypatch.undo()  # space freed: the search goes on where it stopped
    assert main(["resume", str(out)]) == 0, capsys.readouterr().err
    assert (out / "summary.json").is_file() and (out / "model" / "metadata.json").is_file()
