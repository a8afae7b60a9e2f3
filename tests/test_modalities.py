"""The kinds' registry, their options on the command line, and `SearchRequest.to_argv`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from automl.cli import build_parser
from automl.cli_search import request_from_args
from automl.errors import AutoMLError
from automl.modalities import Traits, traits_of
from automl.search.request import SearchRequest

SAMPLES = Path(__file__).resolve().parents[1] / "assets" / "samples"


def _parsed(argv: list[str]) -> SearchRequest:
    return request_from_args(build_parser().parse_args(["search", *argv]))


def test_the_registry_orders_kinds_by_priority_and_loads_no_tensorflow():
    code = (
        "import sys; from automl.modalities import names, options;"
        "print(names(), sorted(o.flag for o in options()),"
        "any(m in sys.modules for m in ('tensorflow', 'keras', 'architectures')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split("]")[0] == "['image', 'forecast', 'series', 'text', 'table'"
    assert "'--lookback'" in done.stdout and "'--image-column'" in done.stdout
    assert done.stdout.strip().endswith("False")


@pytest.mark.parametrize(
    ("data", "options", "kind"),
    [
        ("penguins.csv", {}, "table"),
        ("digits", {}, "image"),
        ("shapes.npz", {}, "series"),
        ("sunspots.csv", {"lookback": 20, "horizon": 5}, "forecast"),
        ("sunspots.csv", {"horizon": 5}, "table"),  # a horizon alone is not a forecast
        ("penguins.csv", {"image_column": "species"}, "image"),
    ],
)
def test_each_kind_recognises_its_data(data, options, kind):
    from automl.modalities import modality_for

    request = SearchRequest(data=SAMPLES / data, target="y", out=Path("o"), options=options)
    assert modality_for(request).name == kind


def test_modality_forces_a_kind_and_an_unknown_one_is_refused():
    from automl.modalities import modality_for

    forced = _parsed([str(SAMPLES / "shapes.npz"), "--modality", "table"])
    assert modality_for(forced).name == "table"
    with pytest.raises(AutoMLError, match="unknown kind of data 'audio'"):
        SearchRequest(data=Path("d"), target="", out=Path("o"), modality="audio")


def test_a_kinds_option_is_checked_with_its_flag():
    with pytest.raises(AutoMLError, match="--lookback must be at least 1, not 0"):
        SearchRequest(data=Path("d"), target="y", out=Path("o"), options={"lookback": 0})
    with pytest.raises(AutoMLError, match="unknown option"):
        SearchRequest(data=Path("d"), target="y", out=Path("o"), options={"loopback": 3})


@pytest.mark.parametrize(
    "argv",
    [
        ["d.csv", "--target", "y", "--out", "o"],
        [
            "s.csv", "--target", "v", "--out", "o", "--lookback", "24", "--horizon", "6",
            "--time-column", "t", "--id-column", "store", "--tuner", "bayesian",
            "--max-trials", "7", "--time-budget", "90s", "--epochs", "12", "--seed", "3",
            "--no-refit", "--families", "lstm,conv1d", "--patience", "4", "--device", "cpu",
            "--metric", "rmse", "--ensemble", "2", "--keep-checkpoints", "5",
            "--checkpoint-every", "0", "--tensorboard", "--overwrite", "--format", "tflite",
        ],
        [
            "l.csv", "--target", "label", "--out", "o", "--image-column", "path",
            "--ignore", "a", "--column-type", "zip=categorical", "--validation-split", "0.3",
            "--workers", "2", "--precision", "mixed", "--jit", "--test", "t.csv",
            "--modality", "image",
        ],
        ["w.csv", "--target", "kind", "--out", "o", "--series-per-row", "--workers", "0",
         "--time-budget", "20m", "--chief", "--port", "7000", "--sync-wait", "60",
         "--bind", "0.0.0.0"],
    ],
)  # fmt: skip
def test_to_argv_parses_back_to_the_same_request(argv):
    request = _parsed(argv)
    assert _parsed(request.to_argv()) == request


def test_to_argv_leaves_out_what_the_command_line_implies():
    # No --target (an image folder, a NumPy file) and a time budget without --max-trials,
    # as the desktop asks for them.
    request = SearchRequest(data=Path("digits"), target="", out=Path("o"), time_budget_s=60)
    assert request.to_argv() == ["digits", "--out", "o", "--time-budget", "60s"]
    assert _parsed(request.to_argv()) == request


def test_kinds_traits_come_from_the_registry():
    assert traits_of("forecast").forecasts and traits_of("forecast").samples == "windows"
    assert traits_of("image").predicts_folders and not traits_of("image").column_choices
    assert traits_of(None) == traits_of("table") and traits_of("table").page_family == "dense"
    assert traits_of("text").families_chosen and traits_of("text").column_choices
    assert traits_of("no-such-kind") == Traits()  # an export from a kind not installed here


def test_to_argv_writes_search_space_overrides_to_the_file_given(tmp_path):
    request = SearchRequest(
        data=Path("d.csv"), target="y", out=Path("o"), space={"dense": {"max_layers": 2}}
    )
    with pytest.raises(ValueError, match="space_file"):
        request.to_argv()
    argv = request.to_argv(space_file=tmp_path / "space.json")
    assert argv[-2:] == ["--space", str(tmp_path / "space.json")]
    assert _parsed(argv) == request


def test_experiment_json_keeps_the_kinds_options_as_flat_request_keys():
    request = SearchRequest(
        data=Path("s.csv"),
        target="v",
        out=Path("o"),
        options={"lookback": 24, "horizon": 6, "time_column": "t"},
    )
    recorded = request.to_dict()
    assert recorded["lookback"] == 24 and recorded["horizon"] == 6
    assert recorded["time_column"] == "t" and recorded["backbone_weights"] is None
    assert recorded["image_column"] is None and recorded["series_per_row"] is False
    assert "options" not in recorded
    assert SearchRequest.from_dict(recorded) == request
    # An experiment.json written before the kinds had rooms reads the same.
    old = {k: v for k, v in recorded.items() if k != "modality"}
    assert SearchRequest.from_dict(old) == request


#: The redesign's measure (issue 12): kind names compared, or Prepared types told apart.
KIND_COMPARISONS = r"modality[]\"')]*\s*(==|!=|in )|isinstance\([^)]*Prepared"


def _kind_comparisons(*folders: str) -> list[str]:
    """Returns the grep lines outside the kinds' rooms (automl/ and desktop/modalities/)."""
    found = subprocess.run(
        ["grep", "-rnE", KIND_COMPARISONS, *folders, "--include=*.py"],
        capture_output=True,
        text=True,
        cwd=SAMPLES.parents[1],
    ).stdout.splitlines()
    rooms = ("automl/modalities/", "desktop/modalities/")
    return [line for line in found if not line.startswith(rooms)]


def test_the_engine_compares_kind_names_only_inside_the_kinds():
    assert _kind_comparisons("automl") == []


def test_at_most_three_kind_comparisons_remain_outside_the_kinds():
    outside = _kind_comparisons("automl", "desktop")
    assert len(outside) <= 3, "\n".join(outside)
