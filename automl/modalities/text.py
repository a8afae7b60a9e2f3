"""Free text: a table whose one model feature is a text column, searched with the sequence
families (and the bag-of-words dense model).

The rule for "is this text?" lives once, in `text_rule`; the table room and the desktop ask it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl.modalities.base import Option, Prepared, Traits
from automl.modalities.card_sections import CardSections
from automl.modalities.table import (
    PreparedTable,
    TableFeeds,
    model_inputs,
    predict_table,
    prepare_table,
)
from automl.modalities.text_explain import TextExplainer

if TYPE_CHECKING:
    from automl.export.predict import Predictions
    from automl.export.savedmodel import TableServing
    from automl.search.request import SearchRequest

#: Tokens kept per text: the 95th percentile of training lengths, within these bounds.
MIN_TEXT_TOKENS, MAX_TEXT_TOKENS = 16, 400


def text_summary(prepared: PreparedTable) -> dict:
    """Returns the plain description `automl.propose.propose_for_sequences` reads."""
    column = prepared.dataset.features[0].name
    texts = prepared.dataset.frame[column].dropna().astype(str)
    return {
        "text_tokens": float(texts.str.split().str.len().mean()) if len(texts) else 0.0,
        "modality": "text",
        "task": prepared.task_kind,
        "samples": prepared.rows,
        "steps": 0,
        "features": 1,
        "classes": len(prepared.class_names),
        "horizon": 0,
        "text_column": column,
    }


class TextFeeds(TableFeeds):
    """A table whose one feature is free text, searched with the sequence families."""

    def hypermodel(self, request: SearchRequest, metrics: list, regression_scale: tuple) -> Any:
        from architectures.sequence import SequenceTask, TextInput
        from automl.modalities.families import combine, sequence_family
        from automl.search.features import text_vocabulary

        column = self.dataset.features[0]
        texts = self.train[column.input_name]
        vocabulary = text_vocabulary(texts)
        tokens = [len(t.split()) for t in texts.tolist()] or [MIN_TEXT_TOKENS]
        length = int(np.clip(np.percentile(tokens, 95), MIN_TEXT_TOKENS, MAX_TEXT_TOKENS))
        inputs = TextInput(column.input_name, vocabulary, length)
        prepared = self.prepared
        if prepared.classification:
            task = SequenceTask(prepared.task_kind, classes=len(prepared.class_names))
        else:
            task = SequenceTask(
                "regression", target_mean=regression_scale[0], target_std=regression_scale[1]
            )

        def build(name: str) -> Any:
            if name == "dense":
                return TableFeeds.hypermodel(self, request, metrics, regression_scale)
            return sequence_family(name, inputs, task, metrics, len(self.y_train), request)

        families = tuple(request.families) or tuple(
            p["family"] for p in MODALITY.proposals(prepared)
        )
        return combine(families, build)


class TextModality:
    """Free text in one table column; recognised once the table's columns are known."""

    name = "text"
    priority = 90  # a table's refinement: told apart by `prepare_table`, not by the path
    traits = Traits(column_choices=True, families_chosen=True)
    options: tuple[Option, ...] = ()
    #: its parts of the model card (inputs table, usage snippet)
    card = CardSections()
    #: words and word pairs that push each class (`automl explain`)
    explainer = TextExplainer(model_inputs)

    def recognises(self, request: SearchRequest) -> bool:
        return False  # a table of text is found when the table is read (see prepare_table)

    def check_request(self, request: SearchRequest) -> None:
        return None

    def prepare(self, request: SearchRequest) -> PreparedTable:
        return prepare_table(request, modality=self.name)

    def feeds(self, prepared: Prepared) -> TextFeeds:
        assert isinstance(prepared, PreparedTable)
        return TextFeeds(prepared)

    def proposals(self, prepared: Prepared) -> list[dict]:
        from automl.propose import propose_for_sequences

        assert isinstance(prepared, PreparedTable)
        return propose_for_sequences(text_summary(prepared))

    def summary(self, prepared: Prepared) -> dict:
        assert isinstance(prepared, PreparedTable)
        return text_summary(prepared)

    def serving_from_metadata(self, metadata: dict) -> TableServing:
        from automl.modalities.table import MODALITY as TABLE

        return TABLE.serving_from_metadata(metadata)

    def predict_file(self, model_dir: Path, metadata: dict, data: Path) -> Predictions:
        return predict_table(model_dir, metadata, data)


MODALITY = TextModality()
