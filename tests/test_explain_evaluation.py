"""The analyst's evaluation: per-class scores, ROC/PR, reliability, residuals, horizon."""

from __future__ import annotations

import json

import numpy as np
import pytest

from automl.explain.evaluation import Evaluation, evaluate


def _two_class(p_second: list[float]) -> np.ndarray:
    p = np.asarray(p_second)
    return np.stack([1 - p, p], axis=1)


def test_binary_scores_curves_and_the_models_threshold_point():
    actual = np.array([0, 0, 1, 1])
    result = evaluate("binary", actual, _two_class([0.1, 0.6, 0.4, 0.9]), ["no", "yes"])
    no, yes = result.per_class
    assert (yes.label, yes.precision, yes.recall, yes.f1, yes.support) == ("yes", 0.5, 0.5, 0.5, 2)
    assert (no.precision, no.recall) == (0.5, 0.5)
    assert result.positive == "yes"
    # 3 of the 4 (positive, negative) pairs are ordered right.
    assert result.roc.area == pytest.approx(0.75)
    assert result.roc.at_threshold == (0.5, 0.5)  # one false positive of 2, one hit of 2
    assert result.roc.threshold == 0.5
    assert result.precision_recall.at_threshold == (0.5, 0.5)
    assert result.roc.x[0] == 0.0 and result.roc.x[-1] == 1.0


def test_a_perfect_ranking_has_area_one_and_its_point_in_the_corner():
    actual = np.array([0, 0, 0, 1, 1])
    result = evaluate("binary", actual, _two_class([0.1, 0.2, 0.3, 0.8, 0.7]), ["a", "b"])
    assert result.roc.area == 1.0
    assert result.roc.at_threshold == (0.0, 1.0)
    assert result.precision_recall.area == pytest.approx(1.0)


def test_one_class_in_the_test_rows_leaves_the_curves_out_and_says_why():
    result = evaluate("binary", np.array([1, 1, 1]), _two_class([0.9, 0.2, 0.7]), ["a", "b"])
    assert result.roc is None and result.precision_recall is None
    assert result.notes == ["no ROC or precision-recall curve: the test rows hold one class only"]
    assert result.per_class[1].recall == pytest.approx(2 / 3)


def test_reliability_of_a_calibrated_and_of_an_overconfident_model():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 20000)
    honest = (rng.uniform(0, 1, p.size) < p).astype(int)
    calibrated = evaluate("binary", honest, _two_class(p), ["a", "b"]).reliability
    assert calibrated.of == "probability of 'b'"
    assert calibrated.error < 0.02
    assert sum(calibrated.counts) == p.size
    assert np.allclose(calibrated.predicted, calibrated.observed, atol=0.03)
    coin = rng.integers(0, 2, p.size)
    sure = np.where(p > 0.5, 0.99, 0.01)  # always sure, right half the time
    overconfident = evaluate("binary", coin, _two_class(sure), ["a", "b"]).reliability
    assert overconfident.error == pytest.approx(0.49, abs=0.02)


def test_multiclass_scores_and_confidence_reliability():
    actual = np.array([0, 1, 2, 2])
    output = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.1, 0.2, 0.7]])
    result = evaluate("multiclass", actual, output, ["r", "g", "b"])
    assert [c.recall for c in result.per_class] == [1.0, 0.0, 1.0]
    assert [c.precision for c in result.per_class] == [0.5, 0.0, 1.0]
    assert result.roc is None and result.positive is None
    assert result.reliability.of == "confidence of the predicted class"
    assert sum(result.reliability.counts) == 4


def test_residuals_against_the_column_that_explains_them():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=200), rng.normal(size=200)
    actual = 3 * a + b
    predicted = 3 * a  # the model missed b: the residuals are b
    columns = {"a": a, "b": b, "colour": np.array(["red"] * 200), "bytes": np.zeros((200, 4))}
    result = evaluate("regression", actual, predicted[:, None], columns=columns)
    residuals = result.residuals
    assert residuals.column == "b"
    assert residuals.column_reason.startswith(
        "the column most correlated with the residuals (|r| = 1.00)"
    )
    assert np.allclose(residuals.residual, b)
    assert np.allclose(residuals.column_values, b)
    assert np.allclose(residuals.predicted, predicted)
    ranked = evaluate("regression", actual, predicted, columns=columns, importance=["colour", "a"])
    assert ranked.residuals.column == "a"
    assert ranked.residuals.column_reason == "the most important column (importance.csv)"
    assert ranked.per_class == [] and ranked.horizon is None


def test_residuals_without_a_numeric_column_plot_against_the_prediction_only():
    result = evaluate("regression", np.array([1.0, 2.0, 4.0]), np.array([1.5, 2.0, 3.0]))
    assert result.residuals.residual == [-0.5, 0.0, 1.0]
    assert result.residuals.column is None and result.residuals.column_values == []


def test_forecast_error_by_step_ahead():
    actual = np.arange(30, dtype=float).reshape(10, 3)
    predicted = actual + np.array([1.0, -2.0, 3.0])
    result = evaluate("forecast", actual, predicted, columns={"x": np.arange(10.0)})
    assert result.horizon.steps == [1, 2, 3]
    assert result.horizon.mae == [1.0, 2.0, 3.0]
    assert result.horizon.rmse == [1.0, 2.0, 3.0]
    assert result.residuals.column is None  # windows, not one value per step
    assert len(result.residuals.residual) == 30


def test_json_round_trip():
    actual = np.array([0, 0, 1, 1])
    result = evaluate("binary", actual, _two_class([0.1, 0.6, 0.4, 0.9]), ["no", "yes"])
    data = json.loads(json.dumps(result.to_dict()))
    assert Evaluation.from_dict(data) == result
    regression = evaluate("forecast", np.ones((4, 2)), np.zeros((4, 2)))
    assert Evaluation.from_dict(json.loads(json.dumps(regression.to_dict()))) == regression


def test_the_model_card_draws_the_evaluation():
    from automl.export.model_card import render_model_card

    actual = np.array([0, 0, 1, 1])
    analysis = evaluate("binary", actual, _two_class([0.1, 0.6, 0.4, 0.9]), ["no", "yes"])
    metadata = {"task": "binary", "target": "y", "evaluation": {"analysis": analysis.to_dict()}}
    card = render_model_card(metadata)
    assert "<h2>How the model does on the test rows</h2>" in card
    for title in ('aria-label="ROC"', 'aria-label="Precision-recall"', "AUC 0.750"):
        assert title in card
    assert card.count("threshold 0.5") == 2  # the model's point on both curves
    assert "when that class&#x27;s probability is above 0.5" in card
    assert "<th>yes</th>" in card  # the per-class table
    assert "How the model does" not in render_model_card({"task": "binary", "target": "y"})


def test_the_card_draws_residuals_by_column_and_error_by_step():
    from automl.export.card_evaluation import evaluation_html

    a = np.linspace(-1, 1, 50)
    regression = evaluate("regression", a**2, np.zeros(50), columns={"a": a}).to_dict()
    html = evaluation_html(regression)
    assert 'aria-label="Residuals by a"' in html
    assert "Residuals against &#x27;a&#x27;: the column most correlated" in html
    forecast = evaluate("forecast", np.ones((5, 3)), np.zeros((5, 3))).to_dict()
    assert 'aria-label="Error by step ahead"' in evaluation_html(forecast)


def test_the_card_draws_choices_or_says_there_are_too_few_trials():
    from automl.experiment.fold import TrialRecord
    from automl.explain.choices import importance_of_trials
    from automl.export.card_evaluation import choices_html

    few = [TrialRecord(str(i), {"units": i}, status="completed", score=i) for i in range(3)]
    html = choices_html(importance_of_trials(few).to_dict())
    assert "not enough trials: hyperparameter importance needs 8 completed trials" in html
    assert 'aria-label="parallel coordinates"' in html
    many = [
        TrialRecord(str(i), {"units": i % 5, "rate": i * 0.1}, status="completed", score=i % 5)
        for i in range(20)
    ]
    html = choices_html(importance_of_trials(many).to_dict())
    assert "<th>units</th>" in html and "share of score variance" in html


def test_explain_gets_the_evaluation_section_from_the_models_metadata():
    from automl.explain.evaluation import evaluation_sections

    actual = np.array([0, 0, 1, 1])
    analysis = evaluate("binary", actual, _two_class([0.1, 0.6, 0.4, 0.9]), ["no", "yes"])
    (section,) = evaluation_sections({"evaluation": {"analysis": analysis.to_dict()}})
    assert section.title == "How the model does on the test rows"
    assert 'aria-label="ROC"' in section.html
    assert section.record == {"evaluation": analysis.to_dict()}
    assert evaluation_sections({"evaluation": {}}) == []
