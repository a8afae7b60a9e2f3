"""`automl search` with bad input: exit 2, one error line, and no experiment folder."""

import pandas as pd
import pytest

from automl.cli import main


def classes_csv(tmp_path, rows=30, name="data.csv", **columns):
    frame = pd.DataFrame(
        {
            "length": [30.0 + i * 0.7 for i in range(rows)],
            "island": [["Dream", "Biscoe", "Torgersen"][i % 3] for i in range(rows)],
            "species": [["Adelie", "Gentoo"][i % 2] for i in range(rows)],
            **columns,
        }
    )
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def search(capsys, data, out, *options, target="species"):
    """Runs `automl search`; returns the exit code and the stderr lines."""
    code = main(["search", str(data), "--target", target, "--out", str(out), *options])
    return code, capsys.readouterr().err.splitlines()


def assert_refused(code, lines, *fragments):
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith("automl: error:")
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_data_file(tmp_path, capsys):
    out = tmp_path / "exp"
    code, lines = search(capsys, tmp_path / "nowhere.csv", out)
    assert_refused(code, lines, "nowhere.csv", "no such file")
    assert not out.exists()


def test_empty_file(tmp_path, capsys):
    data, out = tmp_path / "empty.csv", tmp_path / "exp"
    data.write_bytes(b"")
    code, lines = search(capsys, data, out)
    assert_refused(code, lines, "empty.csv", "is empty")
    assert not out.exists()


def test_binary_file_as_csv(tmp_path, capsys):
    data, out = tmp_path / "photo.csv", tmp_path / "exp"
    data.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    code, lines = search(capsys, data, out)
    assert_refused(code, lines, "photo.csv", "binary")
    assert not out.exists()


def test_unknown_target_suggests_closest(tmp_path, capsys):
    out = tmp_path / "exp"
    code, lines = search(capsys, classes_csv(tmp_path), out, target="specie")
    assert_refused(code, lines, "'specie'", "did you mean 'species'?")
    assert not out.exists()


def test_single_class_target(tmp_path, capsys):
    data, out = classes_csv(tmp_path, label=["yes"] * 30), tmp_path / "exp"
    code, lines = search(capsys, data, out, target="label")
    assert_refused(code, lines, "'label'", "single class")
    assert not out.exists()


def test_all_missing_target(tmp_path, capsys):
    data, out = classes_csv(tmp_path, label=[None] * 30), tmp_path / "exp"
    code, lines = search(capsys, data, out, target="label")
    assert_refused(code, lines, "'label'", "all missing")
    assert not out.exists()


def test_too_few_rows_for_the_split(tmp_path, capsys):
    data, out = classes_csv(tmp_path, rows=5), tmp_path / "exp"
    code, lines = search(capsys, data, out)
    assert_refused(code, lines, "5 usable rows", "needs at least")
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--time-budget", "0"], "time budget '0' must be more than zero"),
        (["--time-budget=-5m"], "time budget '-5m' must be more than zero"),
        (["--time-budget", "soon"], "is not a duration"),
        (["--max-trials", "0"], "--max-trials must be at least 1"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--metric", "bogus"], "--metric bogus: unknown metric"),
        (["--metric", "rmse"], "--metric rmse does not fit classification"),
        (["--column-type", "bogus=numeric"], "'bogus', which is not in the data"),
        (["--column-type", "length=number"], "unknown type"),
        (["--column-type", "numeric"], "write NAME=TYPE"),
        (["--ignore", "colour"], "--ignore column 'colour' is not in the data"),
        (["--validation-split", "1.5"], "--validation-split must be between 0 and 1"),
        (["--task", "regression"], "--task regression needs a numeric target"),
        (["--cv", "1"], "--cv must be at least 2 folds (or --no-cv)"),
        (["--cv", "500"], "leave fewer than 2 per fold"),
    ],
)
def test_bad_option(tmp_path, capsys, options, message):
    out = tmp_path / "exp"
    code, lines = search(capsys, classes_csv(tmp_path), out, *options)
    assert_refused(code, lines, message)
    assert not out.exists()


def test_negative_time_budget_as_separate_word(tmp_path, capsys):
    out = tmp_path / "exp"
    code, lines = search(capsys, classes_csv(tmp_path), out, "--time-budget", "-5m")
    assert_refused(code, lines, "time budget '-5m' must be more than zero")
    assert not out.exists()


def test_metric_for_classification_on_regression_target(tmp_path, capsys):
    data, out = classes_csv(tmp_path), tmp_path / "exp"
    code, lines = search(capsys, data, out, "--metric", "accuracy", target="length")
    assert_refused(code, lines, "--metric accuracy does not fit regression")
    assert not out.exists()


def test_out_folder_with_someone_elses_file(tmp_path, capsys):
    out = tmp_path / "exp"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n")
    code, lines = search(capsys, classes_csv(tmp_path), out)
    assert_refused(code, lines, "is not an AutoML Studio experiment")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "my notes\n"


def test_out_is_a_file(tmp_path, capsys):
    out = tmp_path / "exp"
    out.write_text("not a folder\n")
    code, lines = search(capsys, classes_csv(tmp_path), out)
    assert_refused(code, lines, "is a file")
    assert out.read_text() == "not a folder\n"


def test_bad_test_file_is_refused_before_the_folder_is_made(tmp_path, capsys):
    test_file = tmp_path / "test.csv"
    pd.DataFrame({"length": ["abc"], "island": ["Dream"], "species": ["Adelie"]}).to_csv(
        test_file, index=False
    )
    out = tmp_path / "exp"
    code, lines = search(capsys, classes_csv(tmp_path), out, "--test", str(test_file))
    assert_refused(code, lines, "column 'length' should hold numbers", "'abc'")
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('["dense"]', "expected"),
        ('{"trees": {}}', "unknown family"),
        ('{"dense": {"max_layers": 0}}', "layers must satisfy"),
        ('{"dense": {"wings": 2}}', "unknown field"),
    ],
)
def test_bad_search_space_file(tmp_path, capsys, content, fragment):
    data, out = classes_csv(tmp_path), tmp_path / "exp"
    space = tmp_path / "space.json"
    space.write_text(content)
    code, lines = search(capsys, data, out, "--space", str(space))
    assert_refused(code, lines, fragment)
    assert not out.exists()


def test_missing_search_space_file(tmp_path, capsys):
    data, out = classes_csv(tmp_path), tmp_path / "exp"
    code, lines = search(capsys, data, out, "--space", str(tmp_path / "none.json"))
    assert_refused(code, lines, "no such file")


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("--patience", "0", "--patience must be at least 1"),
        ("--device", "tpu", "write cpu or gpu:N"),
    ],
)
def test_bad_patience_or_device_spelling(tmp_path, capsys, option, value, fragment):
    data, out = classes_csv(tmp_path), tmp_path / "exp"
    code, lines = search(capsys, data, out, option, value)
    assert_refused(code, lines, fragment)
    assert not out.exists()


def test_a_table_needs_a_target(tmp_path, capsys):
    data, out = classes_csv(tmp_path), tmp_path / "exp"
    code, lines = search(capsys, data, out, target="")
    assert_refused(code, lines, "--target is required")
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--ensemble", "0"], "--ensemble must be at least 1"),
        (["--keep-checkpoints", "0"], "--keep-checkpoints must be at least 1"),
        (["--checkpoint-every", "-1"], "--checkpoint-every"),
        (["--lookback", "0", "--horizon", "2"], "--lookback must be at least 1"),
        (["--families", "dense,transformer"], "--families transformer"),
        (["--families", "transfer"], "needs --backbone-weights"),
        (["--space-x"], "unrecognized arguments"),
    ],
)
def test_bad_search_options_are_refused_before_anything_is_written(
    tmp_path, capsys, options, fragment
):
    data, out = classes_csv(tmp_path), tmp_path / "exp"
    code, lines = search(capsys, data, out, *options)
    assert_refused(code, lines, fragment)
    assert not out.exists()


def test_rerun_of_an_unknown_trial_lists_the_trials(penguins_run, capsys):
    code = main(["rerun", str(penguins_run["out"]), "--trial", "99"])
    lines = capsys.readouterr().err.splitlines()
    assert_refused(code, lines, "--trial 99", "trials:")
