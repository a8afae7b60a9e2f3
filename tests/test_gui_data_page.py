"""The Data page: opening tables, choosing roles, errors that keep the old data, screenshots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from PySide6.QtWidgets import QComboBox, QMessageBox  # noqa: E402

from desktop.pages.data.choices import ColumnChoices  # noqa: E402
from desktop.pages.data.loading import load_table  # noqa: E402
from desktop.pages.data_page import DataPage  # noqa: E402
from desktop.state import StudioState  # noqa: E402
from desktop.table_model import DataFrameModel  # noqa: E402
from tests.test_hostile_input import impossible_npz  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PENGUINS = ROOT / "assets" / "samples" / "penguins.csv"
SHOTS = Path("/tmp/shots")
WAIT_MS = 20_000


@pytest.fixture
def page(qtbot) -> DataPage:
    page = DataPage(StudioState())
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    return page


def open_and_wait(qtbot, page: DataPage, path: Path) -> None:
    page.open_path(path)
    qtbot.waitUntil(lambda: not page.busy and page.state.data_path == path, timeout=WAIT_MS)


def expect_error(qtbot, page: DataPage) -> str:
    """Waits for the error dialog, closes it and returns its text."""
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "errorDialog") is not None, timeout=WAIT_MS)
    box = page.findChild(QMessageBox, "errorDialog")
    text = box.text()
    box.setObjectName("")  # it is deleted later; the next search must not find it
    box.close()
    return text


def role_combo(page: DataPage, name: str) -> QComboBox:
    return page.findChild(QComboBox, f"role:{name}")


def test_placeholder_until_something_is_loaded(page):
    assert page.stack.currentWidget() is page.placeholder
    assert "drop it here" in page.placeholder.text()


def test_opens_penguins_and_previews_every_row(qtbot, page):
    lines: list[str] = []
    page.state.status.connect(lines.append)
    open_and_wait(qtbot, page, PENGUINS)
    assert page.state.frame.shape == (344, 8)
    assert page.preview.model().rowCount() == 344
    assert page.preview.model().headerData(0, Qt.Orientation.Vertical) == "1"
    assert "344 rows × 8 columns" in page.file_label.text()
    assert lines[0] == "Loading penguins.csv…"
    assert "Loaded 344 rows × 8 columns" in lines
    type_combo = page.findChild(QComboBox, "type:bill_length_mm")
    assert type_combo.currentText() == "numeric"
    assert role_combo(page, "year").currentText() == "feature"


def test_choosing_a_target_updates_settings_and_class_balance(qtbot, page):
    open_and_wait(qtbot, page, PENGUINS)
    role_combo(page, "species").setCurrentText("target")
    qtbot.waitUntil(lambda: page.state.settings.target == "species", timeout=WAIT_MS)
    target = page.state.profile["target"]
    assert target["class_counts"] == {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
    assert "species" in page.target_panel.caption.text()
    assert page.target_panel.stack.currentWidget() is page.target_panel.plot


def test_changing_a_type_reprofiles_the_column(qtbot, page):
    open_and_wait(qtbot, page, PENGUINS)
    page.findChild(QComboBox, "type:year").setCurrentText("categorical")
    qtbot.waitUntil(lambda: page.state.settings.column_types == {"year": "categorical"})
    year = next(c for c in page.state.profile["columns"] if c["name"] == "year")
    assert year["kind"] == "categorical" and year["top_values"]


def test_cancel_abandons_the_load(qtbot, page):
    page.open_path(PENGUINS)
    assert page.busy_bar.isVisible()
    page.busy_bar.cancel.click()
    assert not page.busy and not page.busy_bar.isVisible()
    qtbot.wait(500)  # the worker finishes; its table must not be used
    assert page.state.frame is None


@pytest.mark.parametrize(
    "make_bad",
    [
        pytest.param(lambda tmp: tmp / "missing.csv", id="missing"),
        pytest.param(lambda tmp: _write(tmp / "empty.csv", b""), id="zero-bytes"),
        pytest.param(lambda tmp: _write(tmp / "binary.csv", bytes(range(256)) * 64), id="binary"),
        pytest.param(lambda tmp: _write(tmp / "header.csv", b"a,b,c\n"), id="header-only"),
        pytest.param(lambda tmp: tmp, id="folder"),
    ],
)
def test_bad_input_shows_error_and_keeps_loaded_data(qtbot, page, tmp_path, make_bad):
    open_and_wait(qtbot, page, PENGUINS)
    frame = page.state.frame
    page.open_path(make_bad(tmp_path))
    message = expect_error(qtbot, page)
    assert message and "\n" not in message
    assert page.state.frame is frame
    assert page.state.data_path == PENGUINS
    assert page.model.rowCount() == 344
    assert not page.busy


def _cut_xlsx(folder: Path) -> Path:
    whole = folder / "whole.xlsx"
    pd.DataFrame({"x": range(20), "y": ["a", "b"] * 10}).to_excel(whole, index=False)
    return _write(folder / "cut.xlsx", whole.read_bytes()[:900])


def _list_parquet(folder: Path) -> Path:
    path = folder / "nested.parquet"
    pd.DataFrame({"tags": [[1, 2], [3]] * 5, "y": range(10)}).to_parquet(path)
    return path


@pytest.mark.parametrize(
    ("make_bad", "fragment"),
    [
        pytest.param(lambda tmp: Path("/dev/zero"), "a device or pipe", id="device"),
        pytest.param(_cut_xlsx, "cannot read it as a table", id="truncated-xlsx"),
        pytest.param(
            lambda tmp: _write(tmp / "twice.csv", b"a, a\n1,2\n"),
            "'a' appears more than once",
            id="same-names",
        ),
        pytest.param(_list_parquet, "column 'tags' holds lists", id="parquet-list"),
        pytest.param(
            lambda tmp: impossible_npz(tmp / "huge.npz"),
            "declares shape (1000000, 1000000)",
            id="npz-shape",
        ),
    ],
)
def test_hostile_files_show_one_line_and_keep_loaded_data(
    qtbot, page, tmp_path, make_bad, fragment
):
    open_and_wait(qtbot, page, PENGUINS)
    frame = page.state.frame
    page.open_path(make_bad(tmp_path))
    message = expect_error(qtbot, page)
    assert fragment in message and "\n" not in message
    assert page.state.frame is frame and not page.busy
    open_and_wait(qtbot, page, PENGUINS)  # the page still opens files
    assert page.model.rowCount() == 344


def test_single_class_target_is_refused_and_the_role_reverts(qtbot, page, tmp_path):
    data = tmp_path / "one_class.csv"
    pd.DataFrame({"x": range(30), "label": ["same"] * 30, "y": [0, 1] * 15}).to_csv(
        data, index=False
    )
    open_and_wait(qtbot, page, data)
    role_combo(page, "label").setCurrentText("target")
    assert "label" in expect_error(qtbot, page)
    assert page.state.settings.target == ""
    qtbot.waitUntil(lambda: role_combo(page, "label").currentText() == "feature")


def test_dropping_several_files_or_a_folder_shows_an_error(qtbot, page, tmp_path):
    for urls in ([PENGUINS, PENGUINS], [tmp_path]):
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in urls])
        event = QDropEvent(
            QPointF(10, 10),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        page.dropEvent(event)
        expect_error(qtbot, page)
    assert page.state.frame is None


def test_dropping_one_file_opens_it(qtbot, page):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(PENGUINS))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(event)
    qtbot.waitUntil(lambda: page.state.frame is not None, timeout=WAIT_MS)


def test_million_row_model_answers_for_the_last_row():
    rows = 1_000_000
    frame = pd.DataFrame(
        {"n": np.arange(rows), "x": np.linspace(0, 1, rows), "s": ["a", None] * (rows // 2)}
    )
    model = DataFrameModel(frame)
    assert model.rowCount() == rows
    assert model.data(model.index(rows - 1, 0)) == str(rows - 1)
    assert model.data(model.index(rows - 1, 1)) == "1.0"
    assert model.data(model.index(rows - 1, 2)) == ""
    assert model.data(model.index(rows - 2, 2)) == "a"
    assert model.headerData(rows - 1, Qt.Orientation.Vertical) == str(rows)
    right = model.data(model.index(0, 0), Qt.ItemDataRole.TextAlignmentRole)
    assert right & Qt.AlignmentFlag.AlignRight


def test_column_choices_roles():
    choices = ColumnChoices().with_role("species", "target").with_role("sex", "ignore")
    assert choices.target == "species" and choices.ignored == ("sex",)
    assert choices.role("id", "id") == "ignore"
    assert choices.with_role("species", "feature").target == ""


def test_load_table_drops_a_remembered_target_that_is_not_in_the_file():
    loaded = load_table(PENGUINS, {"nope": "numeric"}, "nope")
    assert loaded.target == "" and loaded.profile["target"] is None


def test_data_page_loads_without_tensorflow():
    code = (
        "import sys, desktop.pages.data_page, desktop.plots; "
        "bad = {'tensorflow', 'keras', 'keras_tuner', 'architectures'} & set(sys.modules); "
        "sys.exit(sorted(bad) or 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_screenshot_with_target_and_histogram(qtbot, page):
    open_and_wait(qtbot, page, PENGUINS)
    role_combo(page, "species").setCurrentText("target")
    qtbot.waitUntil(lambda: page.state.settings.target == "species", timeout=WAIT_MS)
    page.columns.select("flipper_length_mm")
    assert page.column_panel.stack.currentWidget() is page.column_panel.plot
    assert "flipper_length_mm" in page.column_panel.caption.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "data_page.png"))


def test_screenshot_empty(page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "data_page_empty.png"))


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
