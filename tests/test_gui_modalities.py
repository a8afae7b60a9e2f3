"""The desktop's preview registry (desktop/modalities) and the Search page's request."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

from automl.cli import build_parser  # noqa: E402
from automl.cli_search import request_from_args  # noqa: E402
from desktop.modalities.base import PlainPreview  # noqa: E402
from desktop.modalities.image import ImageFolderView  # noqa: E402
from desktop.modalities.registry import BUILT_IN, preview_class, preview_classes  # noqa: E402
from desktop.modalities.series import SeriesView  # noqa: E402
from desktop.modalities.table import TableProfileView  # noqa: E402
from desktop.pages.search_page import SearchPage  # noqa: E402
from desktop.state import DataLayout, StudioState  # noqa: E402

PENGUINS = Path(__file__).resolve().parents[1] / "assets" / "samples" / "penguins.csv"


def test_each_engine_kind_has_a_preview_and_others_a_plain_one():
    from automl.modalities import names

    assert set(BUILT_IN) == set(names())
    assert preview_class("table") is preview_class("text") is TableProfileView
    assert preview_class("series") is preview_class("forecast") is SeriesView
    assert preview_class("image") is ImageFolderView
    assert preview_class("pairs") is PlainPreview
    assert preview_classes() == [TableProfileView, ImageFolderView, SeriesView]


def test_the_plain_preview_names_the_kind(qtbot, tmp_path):
    state = StudioState()
    state.settings.data = str(tmp_path / "points.pairs")
    state.sequences = {"modality": "pairs"}
    preview = PlainPreview()
    qtbot.addWidget(preview)
    line, tip = preview.show_data(state)
    assert line == "<b>points.pairs</b>" and tip == str(tmp_path / "points.pairs")
    assert "read as pairs data" in preview.text()


def test_the_search_command_parses_back_to_the_pages_request(qtbot, tmp_path):
    state = StudioState()
    state.settings.data = str(PENGUINS)
    state.settings.target = "species"
    state.settings.layout = DataLayout("forecast", time_column="t", lookback=8, horizon=2)
    state.sequences = {"modality": "forecast", "task": "forecast"}
    state.settings.families = ["lstm"]
    state.settings.space = {"lstm": {"units": [32]}, "dense": {"units": [8]}}
    page = SearchPage(state)
    qtbot.addWidget(page)
    page.max_trials_box.setValue(0)  # no limit: the time budget alone
    page.workers_box.setValue(2)
    out = tmp_path / "run"
    request = page.search_request(out)
    assert request.trials_unbounded and request.families == ("lstm",)
    assert request.options == {"lookback": 8, "horizon": 2, "time_column": "t"}
    assert request.space == {"lstm": {"units": [32]}}  # only the searched family's
    arguments = page.search_arguments(out)
    assert "--max-trials" not in arguments
    assert arguments[-3:] == ["--events", "-", "--control-stdin"]
    parsed = request_from_args(build_parser().parse_args(arguments))
    assert parsed == request
