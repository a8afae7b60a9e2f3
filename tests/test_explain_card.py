"""The model card's "What the model looks at": drawn from what `automl explain` found."""

from automl.export.model_card import render_model_card


def test_the_card_shows_the_importance_and_one_example():
    explanation = {
        "method": "permutation importance on the SavedModel (5 shuffles per column)",
        "meaning": "How much the log loss grows",
        "examples": 69,
        "source": "the experiment's test split",
        "top": [
            {"feature": "bill_length_mm", "importance": 0.47, "spread": 0.05},
            {"feature": "island", "importance": 0.08, "spread": 0.01},
        ],
        "example": {"row": 3, "prediction": "Gentoo", "method": "occlusion", "html": "<svg/>"},
    }
    card = render_model_card(
        {"task": "multiclass", "target": "species", "explanation": explanation}
    )
    assert "What the model looks at" in card
    assert "bill_length_mm" in card and "island" in card
    assert "on 69 examples" in card
    assert "row 3, predicted Gentoo" in card


def test_without_an_explanation_the_card_has_no_such_section():
    card = render_model_card({"task": "multiclass", "target": "species"})
    assert "What the model looks at" not in card
