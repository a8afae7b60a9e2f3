"""The Export page's local explanation of a selected row: bars for a table row, a strip for
a series, the overlay of an image, highlighted text; read from a hand-written explain
folder or made by a fake engine at the edge."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox

from desktop.pages.export.local_explanation import LocalExplanationView, row_folder
from desktop.pages.export_page import ExportPage
from desktop.state import StudioState
from tests.test_gui_explain import fake_engine

CONTRIBUTIONS = {"flipper_length_mm": 0.31, "island": -0.12, "bill_length_mm": 0.05}


def write_row(folder: Path, row: int, kind: str) -> None:
    """Writes what `automl explain --rows ROW` leaves for one example of `kind`."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "table":
        lines = ["row,feature,value,contribution"] + [
            f"{row},{name},1.0,{value}" for name, value in CONTRIBUTIONS.items()
        ]
        files = ["rows.csv"]
        (folder / "rows.csv").write_text("\n".join(lines) + "\n")
    elif kind == "series":
        lines = ["row,step,attribution"] + [f"{row},{s},{(s - 10) ** 2}" for s in range(1, 21)]
        files = ["series.csv"]
        (folder / "series.csv").write_text("\n".join(lines) + "\n")
    elif kind == "image":
        image = QImage(64, 48, QImage.Format.Format_RGB32)
        image.fill(QColor("red"))
        image.save(str(folder / f"row_{row}.png"))
        files = [f"row_{row}.png"]
    else:
        (folder / f"row_{row}.html").write_text("<p>a <b>great</b> film</p>")
        files = [f"row_{row}.html"]
    record = {"rows": [{"row": row, "prediction": "Adelie", "method": "occlusion", "files": files}]}
    (folder / "explain.json").write_text(json.dumps(record))


@pytest.fixture()
def view(qtbot) -> LocalExplanationView:
    widget = LocalExplanationView()
    qtbot.addWidget(widget)
    widget.resize(500, 400)
    return widget


@pytest.mark.parametrize("kind", ["table", "series", "image", "text"])
def test_an_explained_row_is_shown_without_the_engine(qtbot, view, tmp_path, kind):
    data = tmp_path / "new.csv"
    write_row(row_folder(tmp_path / "explain", data, 3), 3, kind)
    calls = fake_engine(view, "raise SystemExit(9)")
    view.explain_row(tmp_path / "model", data, 3, tmp_path / "explain")
    qtbot.waitUntil(lambda: view.shown is not None, timeout=10_000)
    assert calls == []
    assert view.title.text() == "Row 3: predicted Adelie"
    assert view.method.text() == "Method: occlusion"
    shown = view.stack.currentWidget()
    if kind == "table":
        assert shown is view.bars
        ticks = view.bars.getAxis("left")._tickLevels[0]
        names = [label for _, label in sorted(ticks, key=lambda t: -t[0])]
        assert names == ["flipper_length_mm", "island", "bill_length_mm"]  # by |contribution|
    elif kind == "series":
        assert shown is view.bars
        assert view.bars.plotItem.titleLabel.text == "Why Adelie: attribution per step"
        bars = view.bars.plotItem.items[0].opts
        assert list(bars["x"]) == list(range(1, 21)) and bars["height"][9] == 0.0
    elif kind == "image":
        assert shown is view.picture and view.picture.pixmap().width() == 320
    else:
        assert shown is view.text and view.text.toPlainText() == "a great film"
    view.grab().save(str(tmp_path / f"{kind}.png"))


def test_a_new_row_runs_the_engine_once_and_shows_what_it_wrote(qtbot, view, tmp_path):
    data = tmp_path / "new.csv"
    script = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parent.parent)!r})
from tests.test_gui_explain_local import write_row
out, row = sys.argv[sys.argv.index("--out") + 1], int(sys.argv[sys.argv.index("--rows") + 1])
write_row(Path(out), row, "table")
"""
    calls = fake_engine(view, script)
    view.explain_row(tmp_path / "model", data, 7, tmp_path / "explain")
    qtbot.waitUntil(lambda: view.shown is not None, timeout=60_000)
    folder = tmp_path / "explain" / "rows" / "new" / "7"
    assert calls == [
        ["explain", str(tmp_path / "model"), str(data), "--out", str(folder), "--rows", "7"]
    ]
    assert view.title.text() == "Row 7: predicted Adelie"
    assert not view.busy.isVisibleTo(view)


def test_an_engine_error_shows_a_dialog_and_the_view_stays_usable(qtbot, view, tmp_path):
    message = "--rows 99 is out of range: the data has 25 rows (0 to 24)"
    fake_engine(
        view, f"import sys; print({'automl: error: ' + message!r}, file=sys.stderr); sys.exit(2)"
    )
    view.explain_row(tmp_path / "model", tmp_path / "new.csv", 99, tmp_path / "explain")
    qtbot.waitUntil(lambda: view.findChild(QMessageBox, "errorDialog") is not None, timeout=20_000)
    assert view.findChild(QMessageBox, "errorDialog").text() == message
    assert view.title.text() == "Row 99: could not be explained"
    view.findChild(QMessageBox, "errorDialog").close()
    write_row(row_folder(tmp_path / "explain", tmp_path / "new.csv", 1), 1, "table")
    view.explain_row(tmp_path / "model", tmp_path / "new.csv", 1, tmp_path / "explain")
    qtbot.waitUntil(lambda: view.shown is not None, timeout=10_000)


def test_selecting_a_prediction_explains_its_row(qtbot, tmp_path):
    page = ExportPage(StudioState())
    qtbot.addWidget(page)
    data = tmp_path / "new.csv"
    experiment = tmp_path / "exp"
    page.experiment, page.predicted_file = experiment, data
    page.predictions_model.set_frame(pd.DataFrame({"prediction": ["Adelie", "Gentoo", "Adelie"]}))
    write_row(row_folder(experiment / "explain", data, 2), 2, "table")
    table = page.predictions_table
    table.selectionModel().setCurrentIndex(
        page.predictions_model.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    local = page.local_explanation
    qtbot.waitUntil(lambda: local.shown is not None, timeout=10_000)
    assert local.shown.row == 2 and local.shown.bars[0] == ("flipper_length_mm", 0.31)
