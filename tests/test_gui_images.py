"""Image folders in the real window: thumbnails per class, refused folders, search to predict."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from desktop.main_window import MainWindow  # noqa: E402
from desktop.thumbnails import THUMB_SIDE, load_thumbnail  # noqa: E402
from tests.conftest import PENGUINS, ROOT  # noqa: E402

DIGITS = ROOT / "assets" / "samples" / "digits"
#: The README's picture is refreshed only when asked (AUTOML_SCREENSHOTS=1): a test run
#: must not change the working tree.
SCREENSHOT = ROOT / "docs" / "screenshots" / "6-images.png"
WAIT_MS = 30_000


@pytest.fixture()
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.state.project_dir = tmp_path / "project"
    window.resize(1400, 880)
    window.show()
    yield window
    window.search_page.engine.kill()


def open_images(qtbot, window: MainWindow, folder: Path) -> None:
    window.open_path(folder)
    qtbot.waitUntil(
        lambda: window.state.modality == "image" and not window.data_page.busy, timeout=WAIT_MS
    )


def expect_error(qtbot, window: MainWindow) -> str:
    """Waits for the error dialog, closes it and returns its text."""
    qtbot.waitUntil(
        lambda: window.findChild(QMessageBox, "errorDialog") is not None, timeout=WAIT_MS
    )
    box = window.findChild(QMessageBox, "errorDialog")
    text = box.text()
    box.setObjectName("")  # deleted later; the next wait must not find it
    box.close()
    return text


def small_digits(root: Path, classes: int = 3, per_class: int = 40) -> Path:
    """Returns a copy of the first `classes` digit folders with `per_class` images each."""
    for name in [str(n) for n in range(classes)]:
        (root / name).mkdir(parents=True)
        for image in sorted((DIGITS / name).iterdir())[:per_class]:
            shutil.copy(image, root / name / image.name)
    return root


def test_digits_show_classes_counts_and_thumbnails(qtbot, window, tmp_path):
    open_images(qtbot, window, DIGITS)
    page, images = window.data_page, window.state.images
    assert images["files"] == 1797
    assert images["class_names"] == [str(n) for n in range(10)]
    assert sum(images["counts"].values()) == 1797 and images["counts"]["0"] == 178
    assert window.state.frame is None and window.state.settings.target == ""
    assert page.stack.currentIndex() == 2
    assert "1,797 images · 10 classes · 8×8 px · grayscale" in page.file_label.text()
    assert sorted(page.gallery.strips) == images["class_names"]
    for strip in page.gallery.strips.values():
        assert strip.count() == 12
        assert strip.iconSize().width() == THUMB_SIDE
    assert page.balance_panel.caption.text().startswith("Images per class:")
    # Tiny images are enlarged with crisp pixels: an 8x8 digit becomes 56x56.
    thumbnail = load_thumbnail(next((DIGITS / "3").iterdir()))
    assert (thumbnail.width(), thumbnail.height()) == (THUMB_SIDE, THUMB_SIDE)

    window.show_step(page)
    qtbot.wait(200)  # let the charts lay out before the picture
    shot = SCREENSHOT if os.environ.get("AUTOML_SCREENSHOTS") == "1" else tmp_path / "6.png"
    assert window.grab().save(str(shot))


def make_empty_class(root: Path) -> Path:
    small_digits(root, classes=2, per_class=5)
    (root / "empty").mkdir()
    return root


def make_single_class(root: Path) -> Path:
    return small_digits(root, classes=1, per_class=5)


@pytest.mark.parametrize(
    ("make_bad", "words"),
    [(make_empty_class, "has no images"), (make_single_class, "one class folder")],
    ids=["empty-class", "single-class"],
)
def test_bad_image_folders_show_the_engine_error_and_keep_the_data(
    qtbot, window, tmp_path, make_bad, words
):
    open_images(qtbot, window, DIGITS)
    before = window.state.images
    window.open_path(make_bad(tmp_path / "bad"))
    message = expect_error(qtbot, window)
    assert words in message and "\n" not in message
    assert window.state.images is before
    assert window.state.data_path == DIGITS
    assert len(window.data_page.gallery.strips) == 10


def test_a_table_after_images_shows_the_table(qtbot, window):
    open_images(qtbot, window, DIGITS)
    window.open_path(PENGUINS)
    qtbot.waitUntil(lambda: window.state.modality == "table", timeout=WAIT_MS)
    assert window.state.images is None
    assert window.data_page.stack.currentIndex() == 1


def test_search_arguments_for_images_have_no_target(qtbot, window, tmp_path):
    open_images(qtbot, window, DIGITS)
    window.state.settings.space = {"dense": {"units": [32]}}  # a table's space is not used
    arguments = window.search_page.search_arguments(tmp_path / "out")
    assert arguments[:2] == ["search", str(DIGITS)]
    assert "--target" not in arguments and "--space" not in arguments
    metrics = [window.search_page.metric_box.itemText(i) for i in range(10)]
    assert "accuracy" in metrics and "rmse" not in metrics


def test_images_open_search_predict_a_folder(qtbot, window, tmp_path):
    state = window.state
    data = small_digits(tmp_path / "digits3")
    open_images(qtbot, window, data)
    assert state.images["files"] == 120

    window.show_step(window.search_page)
    window.search_page.max_trials_box.setValue(1)
    window.search_page.epochs_box.setValue(20)
    # One split: this test follows the app from search to predictions, not the judging.
    cv = window.search_page.settings_box.cv_box
    cv.setCurrentIndex(cv.findData(0))
    with qtbot.waitSignal(state.experiment_changed, timeout=240_000):
        window.search_page.start_button.click()
    assert window.results_page.leaderboard.model().rowCount() == 1

    export = window.export_page
    assert export.image_model
    assert export.predict_button.text() == "Predict a folder…"
    new = tmp_path / "new"
    new.mkdir()
    for image in sorted((DIGITS / "1").iterdir())[100:105]:
        shutil.copy(image, new / image.name)
    with qtbot.waitSignal(export.predictions_shown, timeout=120_000) as shown:
        export.predict_file(new)
    assert shown.args[0] == 5
    columns = list(export.predictions_model.frame.columns)
    assert columns[:2] == ["path", "prediction"]
    assert {"proba_0", "proba_1", "proba_2"} <= set(columns)
