"""Tests for the HTML model card an analyst opens next to an exported model."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from automl.export.model_card import render_model_card


def _penguins_metadata() -> dict:
    """Returns metadata shaped like a 3-class penguins export."""
    return {
        "task": "multiclass",
        "target": "species",
        "created_at": "2025-11-25T22:05:00Z",
        "metric": "val_accuracy",
        "refit": True,
        "test_metrics": {"accuracy": 0.9710144927, "loss": 0.08412345},
        "search_test_metrics": {"accuracy": 0.9565217391, "loss": 0.1123456},
        "class_names": ["Adelie", "Chinstrap", "Gentoo"],
        "evaluation": {
            "confusion_matrix": {
                "labels": ["Adelie", "Chinstrap", "Gentoo"],
                "matrix": [[29, 1, 0], [1, 13, 0], [0, 0, 25]],
            }
        },
        "learning_curves": {
            "loss": [1.05, 0.62, 0.35, 0.21, 0.15, 0.12, 0.10, 0.09],
            "val_loss": [0.98, 0.55, 0.31, None, 0.16, 0.14, 0.13, 0.13],
            "accuracy": [0.45, 0.74, 0.88, 0.93, 0.95, 0.96, 0.97, 0.97],
            "val_accuracy": [0.52, 0.79, 0.90, 0.94, 0.95, 0.96, 0.96, 0.96],
        },
        "data": {
            "file": "penguins.csv",
            "sha256": "3f5a" + "0" * 60,
            "rows": 344,
            "train_rows": 206,
            "validation_rows": 69,
            "test_rows": 69,
        },
        "inputs": [
            {"column": "island", "input_name": "island", "kind": "categorical", "dtype": "string"},
            {
                "column": "bill length (mm)",
                "input_name": "bill_length_mm",
                "kind": "numeric",
                "dtype": "float32",
            },
            {
                "column": "flipper_length_mm",
                "input_name": "flipper_length_mm",
                "kind": "numeric",
                "dtype": "float32",
            },
            {"column": "sex", "input_name": "sex", "kind": "categorical", "dtype": "string"},
        ],
        "ignored_columns": {"id": "unique per row", "year": "constant"},
        "hyperparameters": {"units": 64, "dropout": 0.2, "learning_rate": 0.001, "layers": 2},
        "best_trial": {"trial_id": "07", "score": 0.9710144927, "best_epoch": 7},
        "parity": {"max_abs_diff": 3.1e-08, "rows_compared": 69},
        "versions": {"automl": "0.1.0", "tensorflow": "2.21.0", "keras": "3.13.0"},
        "seed": 42,
    }


def _regression_metadata() -> dict:
    """Returns metadata shaped like a regression export."""
    actual = [10.0, 12.5, 9.0, 15.2, 11.1, 13.3, None]
    predicted = [10.4, 12.0, 9.6, 14.1, 11.0, 13.9, 12.0]
    return {
        "task": "regression",
        "target": "price",
        "metric": "val_loss",
        "test_metrics": {"loss": 0.4321, "mean_absolute_error": 0.512},
        "evaluation": {"residuals": {"actual": actual, "predicted": predicted}},
        "learning_curves": {"loss": [3.0, 1.2, 0.7], "val_loss": [3.2, 1.5, 0.9]},
        "inputs": [
            {"column": "area", "input_name": "area", "kind": "numeric", "dtype": "float32"},
            {"column": "city", "input_name": "city", "kind": "categorical", "dtype": "string"},
        ],
    }


class _TagCollector(HTMLParser):
    """Collects the tags of a page, to check it has no scripts or external resources."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def _section(page: str, heading: str) -> str:
    """Returns the page from `heading`'s <h2> to the next <h2>."""
    start = page.index(f"<h2>{heading}")
    end = page.find("<h2>", start + 1)
    return page[start:] if end == -1 else page[start:end]


def test_classification_card_shows_classes_confusion_counts_and_curves(tmp_path: Path) -> None:
    page = render_model_card(_penguins_metadata())
    out = tmp_path / "model_card.html"
    out.write_text(page, encoding="utf-8")

    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "Model card: predicts species" in text
    for name in ("Adelie", "Chinstrap", "Gentoo"):
        assert name in text
    confusion = _section(text, "Confusion matrix")
    cells = re.findall(r"<td[^>]*>(\d+)</td>", confusion)
    assert cells == ["29", "1", "0", "1", "13", "0", "0", "0", "25"]
    curves = _section(text, "Learning curves")
    assert curves.count("<svg") == 2
    assert "val_loss" in curves and "val_accuracy" in curves


def test_confusion_shading_follows_the_row_share() -> None:
    page = render_model_card(_penguins_metadata())
    confusion = _section(page, "Confusion matrix")

    alphas = [float(a) for a in re.findall(r"rgba\(37, 99, 235, ([0-9.]+)\)", confusion)]
    assert alphas[0] == pytest.approx(29 / 30, abs=1e-3)
    assert alphas[8] == pytest.approx(1.0)
    assert alphas[2] == 0.0


def test_performance_shows_refit_and_search_columns_with_four_digits() -> None:
    section = _section(render_model_card(_penguins_metadata()), "Performance")

    assert "refit on train+validation (exported)" in section
    assert "best search trial" in section
    assert "0.971" in section and "0.9565" in section
    assert "0.9710144927" not in section
    assert 'class="objective"' in section


def test_search_column_is_left_out_without_refit() -> None:
    metadata = _penguins_metadata()
    metadata["refit"] = False

    section = _section(render_model_card(metadata), "Performance")

    assert "best search trial" not in section
    assert "0.9565" not in section


def test_averaged_fold_models_are_named_beside_the_best_trial() -> None:
    metadata = _penguins_metadata()
    metadata.update(refit=False, exported="best trial's 5 fold models, averaged")

    section = _section(render_model_card(metadata), "Performance")

    assert "<strong>Exported model:</strong> best trial&#x27;s 5 fold models, averaged" in section
    assert "best trial&#x27;s 5 fold models, averaged (exported)" in section
    assert "best search trial" in section and "0.9565" in section


def test_regression_card_has_residual_plot_and_value_output() -> None:
    page = render_model_card(_regression_metadata())

    residuals = _section(page, "Residuals")
    assert "<svg" in residuals
    # Six rows have both values; the row with a missing actual is skipped.
    assert residuals.count("<circle") == 6
    assert "actual − predicted" in residuals and "predicted" in residuals
    assert "Confusion matrix" not in page
    assert 'out["value"]' in page
    assert 'out["label"]' not in page


def test_names_with_script_tags_are_escaped() -> None:
    metadata = _penguins_metadata()
    evil = "<script>alert(1)</script>"
    metadata["target"] = evil
    metadata["class_names"] = [evil, "Chinstrap", "Gentoo"]
    metadata["evaluation"]["confusion_matrix"]["labels"] = [evil, "Chinstrap", "Gentoo"]
    metadata["inputs"][0] = {
        "column": evil,
        "input_name": evil,
        "kind": "categorical",
        "dtype": "string",
    }
    metadata["ignored_columns"] = {evil: evil}
    metadata["hyperparameters"] = {evil: evil}
    metadata["learning_curves"] = {evil: [1.0, 0.5], f"val_{evil}": [1.1, 0.6]}

    page = render_model_card(metadata)

    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_page_has_no_scripts_or_external_resources() -> None:
    collector = _TagCollector()
    collector.feed(render_model_card(_penguins_metadata()))

    tags = {tag for tag, _ in collector.tags}
    assert "script" not in tags
    assert "link" not in tags and "img" not in tags
    for _, attrs in collector.tags:
        for key in ("src", "href"):
            assert key not in attrs


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_minimal_metadata_renders(task: str) -> None:
    page = render_model_card({"task": task, "target": "y"})

    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "Model card: predicts y" in page
    assert "No learning curves were recorded" in page
    assert "How to call it" in page


def test_partial_sections_render_without_error() -> None:
    metadata = {
        "task": "binary",
        "target": "churn",
        "evaluation": {},
        "learning_curves": {"loss": [None, None], "val_loss": []},
        "parity": {"max_abs_diff": 0.0},
        "best_trial": {"score": None},
        "data": {"rows": 10},
    }

    page = render_model_card(metadata)

    assert "No learning curves were recorded" in page
    assert "max difference 0" in page


def test_snippets_use_every_real_input_name() -> None:
    metadata = _penguins_metadata()
    page = render_model_card(metadata)
    usage = _section(page, "How to call it")

    for spec in metadata["inputs"]:
        name = spec["input_name"]
        assert f'"{name}": tf.constant(' in usage
        assert spec["input_name"] in usage.split("curl", 1)[1]
    assert "tf.constant([0.0])" in usage
    assert 'tf.constant(["..."])' in usage
    assert 'tf.saved_model.load("saved_model/1")' in usage
    assert 'signatures["serving_default"]' in usage
    assert 'out["probabilities"]' in usage and 'out["label"]' in usage
    assert """curl -d '{"instances": [{"island": "...", "bill_length_mm": 0.0""" in usage
    assert "http://localhost:8501/v1/models/MODEL:predict" in usage
    assert "Adelie, Chinstrap, Gentoo" in usage


def test_parity_versions_and_seed_are_reported() -> None:
    page = render_model_card(_penguins_metadata())

    assert (
        "The reloaded SavedModel matches the trained model: "
        "max difference 3.1e-08 over 69 test rows."
    ) in page
    versions = _section(page, "Versions")
    assert "2.21.0" in versions and "seed" in versions and "42" in versions


def test_render_does_not_modify_metadata() -> None:
    metadata = _penguins_metadata()
    before = copy.deepcopy(metadata)

    render_model_card(metadata)

    assert metadata == before


def test_each_kind_gives_its_own_card_parts() -> None:
    """Series inputs get an example series; a forecast's outputs are its steps ahead."""
    series_input = {"column": "series", "input_name": "series", "kind": "series"}
    series_input.update(dtype="float32", shape=[None, 2, 1])
    series = {"task": "regression", "target": "y", "modality": "series", "inputs": [series_input]}
    assert "tf.constant([[[0.0], [0.0]]])" in render_model_card(series)
    forecast = {**series, "task": "forecast", "modality": "forecast"}
    assert 'print(out["forecast"])' in render_model_card(forecast)
    # A kind not installed here (e.g. named in AUTOML_MODALITIES elsewhere): the plain card.
    unknown = {**series, "modality": "no-such-kind"}
    assert "tf.constant([0.0])" in render_model_card(unknown)
