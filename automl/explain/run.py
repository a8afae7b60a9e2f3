"""`explain(...)`: opens an exported model, asks its kind for an explanation, writes it.

The kind of data (`metadata.json`'s "modality") brings its own explainer through its room
in `automl/modalities/`; this module compares no kind names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from automl.errors import AutoMLError
from automl.explain.model import ExportedModel, open_model, test_positions
from automl.explain.outputs import ExplainRequest, Explanation, Section
from automl.explain.report import write_explanation
from automl.modalities.registry import modality_named

#: features the model card's "What the model looks at" shows
CARD_FEATURES = 10


def explain(
    model_dir: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    target: str | None = None,
    rows: Sequence[int] = (),
    progress: Callable[[str], None] | None = None,
) -> Explanation:
    """Returns the explanation of an exported model on `data`, written into `out`.

    Writes `importance.csv`, `explain.json`, `explanations.html` and the local explanations
    of `rows` (positions in `data`). When `data` is the file the model's experiment searched,
    only its test split is used for the global importance.

    Raises:
        AutoMLError: not an exported model, data that does not match the model, or a row
            out of range.
    """
    model = open_model(model_dir)
    data = Path(data)
    if not data.exists():
        raise AutoMLError(f"{data} does not exist")
    kind = modality_named(model.metadata.get("modality"))
    explainer = getattr(kind, "explainer", None)
    if explainer is None:
        raise AutoMLError(f"models of kind {kind.name!r} cannot be explained yet")
    request = ExplainRequest(
        out=Path(out),
        target=target,
        rows=tuple(int(r) for r in rows),
        test=test_positions(model.folder, data),
        progress=progress or (lambda _message: None),
    )
    request.out.mkdir(parents=True, exist_ok=True)
    explanation = explainer.explain(model, data, request)
    extra = extra_sections(model, data, request)
    write_explanation(explanation, request.out, str(model.folder), str(data), extra)
    update_card(model, explanation)
    return explanation


def update_card(model: ExportedModel, explanation: Explanation) -> None:
    """Rewrites the model folder's card with "What the model looks at" from `explanation`.

    metadata.json stays as exported; a later `automl export` writes the card without it.
    """
    from automl.export.bundle import MODEL_CARD_FILE
    from automl.export.model_card import render_model_card

    summary: dict = {
        "method": explanation.method,
        "meaning": explanation.meaning,
        "examples": explanation.examples,
        "source": explanation.source,
        "top": explanation.importance.head(CARD_FEATURES).to_dict(orient="records"),
    }
    # Only a self-contained picture (SVG, marked words) travels; PNG overlays stay beside
    # explanations.html.
    shown = [local for local in explanation.local if "<img" not in local.html]
    if shown:
        local = shown[0]
        summary["example"] = {
            "row": local.row,
            "prediction": local.prediction,
            "method": local.method,
            "html": local.html,
        }
    card = model.folder / MODEL_CARD_FILE
    partial = card.with_name(f".{card.name}.partial")
    partial.write_text(render_model_card({**model.metadata, "explanation": summary}), "utf-8")
    partial.replace(card)


def extra_sections(model: ExportedModel, data: Path, request: ExplainRequest) -> list[Section]:
    """Returns the sections other analyses add to explanations.html and explain.json.

    Each analysis plugs in with one line here, returning its `Section`s (a title, its HTML,
    what explain.json records): the evaluation plots (`automl.explain.evaluation`) and the
    hyperparameter importance (`automl.explain.choices`).
    """
    from automl.explain.choices import choices_sections
    from automl.explain.evaluation import evaluation_sections

    sections: list[Section] = []
    sections += evaluation_sections(model.metadata)
    sections += choices_sections(model.folder.parent)  # the experiment beside its model
    return sections
