"""Text explained: the words and word pairs that push each class.

Integrated gradients on the word vectors (or the bag of words) of the `.keras` model,
checked against the SavedModel, aggregated per word; a pair of neighbouring words gets the
sum of its two. A model without such a layer is explained by occlusion on the SavedModel:
each word (and each pair) is taken out of the raw text in turn, and the fall of the
predicted output is its attribution.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from automl.modalities.table_explain import InputsOf, labelled_rows

if TYPE_CHECKING:
    from automl.explain.model import ExportedModel
    from automl.explain.outputs import ExplainRequest, Explanation

#: Texts the global importance reads, and words per text taken out one by one.
MAX_TEXTS = 200
MAX_WORDS = 64
#: A word must occur this often to be ranked (a single use says little).
MIN_COUNT = 2


def word(text: str) -> str:
    """Returns a word as the model's vocabulary knows it: lower case, no punctuation."""
    return re.sub(r"[^\w]", "", text.lower())


def attributed_words(
    model: ExportedModel, texts: list[str], column: str, model_inputs: InputsOf, source: str
) -> tuple[list[tuple[list[str], np.ndarray, np.ndarray, int]], str, dict]:
    """Returns per text (words, word attributions, pair attributions, output explained),
    the method's name and its checks: integrated gradients where the model allows, else
    occlusion."""
    import pandas as pd

    from automl.explain.embedding import word_attributions
    from automl.explain.model import keras_gap

    inputs, _notes = model_inputs(pd.DataFrame({column: texts}), model.metadata, source)
    served = model.serve(inputs)
    targets = np.argmax(served, axis=1) if model.class_names else np.zeros(len(texts), int)
    network = model.keras_model()
    columns = {name: values.reshape(-1, 1) for name, values in inputs.items()}
    checks = {"keras_vs_savedmodel": keras_gap(served, np.asarray(network(columns)))}
    found = word_attributions(network, model.metadata["inputs"][0]["input_name"], texts, targets)
    if found is None:
        method = "occlusion on the SavedModel: each word taken out of the text in turn"
        return occluded_words(model, texts, column, model_inputs, source), method, checks
    checks["completeness"] = found.completeness.to_dict()
    results = [
        (words, values, values[:-1] + values[1:], int(target))
        for words, values, target in zip(found.words, found.values, targets, strict=True)
    ]
    return results, found.method, checks


def occluded_words(
    model: ExportedModel, texts: list[str], column: str, model_inputs: InputsOf, source: str
) -> list[tuple[list[str], np.ndarray, np.ndarray, int]]:
    """Returns per text: its words, each word's and each neighbour pair's attribution, class.

    A word's attribution is the predicted output's fall when it alone is removed; a pair's,
    when both are.
    """
    import pandas as pd

    variants, spans = [], []
    for text in texts:
        words = text.split()[:MAX_WORDS]
        start = len(variants)
        variants.append(" ".join(words))
        variants += [" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))]
        variants += [" ".join(words[:i] + words[i + 2 :]) for i in range(len(words) - 1)]
        spans.append((start, words))
    frame = pd.DataFrame({column: variants})
    inputs, _notes = model_inputs(frame, model.metadata, source)
    scores = model.serve(inputs)
    results = []
    for start, words in spans:
        n = len(words)
        output = int(np.argmax(scores[start])) if model.class_names else 0
        base = scores[start, output]
        singles = base - scores[start + 1 : start + 1 + n, output]
        pairs = base - scores[start + 1 + n : start + n + max(n, 1), output]
        results.append(([word(w) for w in words], singles, pairs, output))
    return results


class TextExplainer:
    """Text classifiers and regressors: words and word pairs per class, marked texts."""

    def __init__(self, model_inputs: InputsOf) -> None:
        self.model_inputs = model_inputs

    def explain(self, model: ExportedModel, data: Path, request: ExplainRequest) -> Explanation:
        """Returns the text's explanation; writes rows.html for the texts asked for."""
        from automl.explain.outputs import Explanation, LocalExplanation
        from automl.explain.pictures import marked_words_html

        frame, labelled, _y, source = labelled_rows(model, data, request, self.model_inputs)
        column = model.metadata["inputs"][0]["column"]
        # Words are weighed by the predictions: new texts without a label serve as well.
        rows = labelled if len(labelled) else frame
        texts = rows[column].fillna("").astype(str).tolist()[:MAX_TEXTS]
        request.progress(f"word attributions in {len(texts)} texts")
        found, method, checks = attributed_words(model, texts, column, self.model_inputs, str(data))
        names = model.class_names or ["value"]
        totals: dict[str, list[float]] = defaultdict(list)
        pushes: dict[tuple[str, str], list[float]] = defaultdict(list)
        pair_pushes: dict[tuple[str, str], list[float]] = defaultdict(list)
        for words, singles, pairs, output in found:
            for w, value in zip(words, singles, strict=True):
                totals[w].append(abs(float(value)))
                pushes[(names[output], w)].append(float(value))
            for i, value in enumerate(pairs):
                pair_pushes[(names[output], f"{words[i]} {words[i + 1]}")].append(float(value))
        explanation = Explanation(
            importance=_ranked(dict(totals)),
            method=method,
            meaning="Per word, the mean size of its attribution to the predicted output, over "
            "the texts that hold it (words seen at least twice); spread over those texts",
            checks=checks,
            examples=len(found),
            source=source,
            by_output={f"{name}: words": _ranked(_of(pushes, name)) for name in names},
            sections=[_pairs_section(pair_pushes, names)],
        )
        for row in request.rows:
            text = str(frame.iloc[row][column])
            found_row, method, _checks = attributed_words(
                model, [text], column, self.model_inputs, str(data)
            )
            words, singles, _pairs, output = found_row[0]
            explanation.local.append(
                LocalExplanation(
                    row,
                    names[output],
                    method,
                    ("rows.html",),
                    marked_words_html(words, singles),
                    {"words": dict(zip(words, map(float, singles), strict=True))},
                )
            )
        if explanation.local:
            body = "".join(
                f"<h3>row {x.row}: {x.prediction}</h3>{x.html}" for x in explanation.local
            )
            (request.out / "rows.html").write_text(
                f"<!DOCTYPE html><meta charset='utf-8'><body>{body}</body>", encoding="utf-8"
            )
        return explanation


def _of(pushes: dict[tuple[str, str], list[float]], name: str) -> dict[str, list[float]]:
    """Returns the words' values for class `name`."""
    return {w: v for (cls, w), v in pushes.items() if cls == name}


def _ranked(values: dict[str, list[float]]):
    """Returns an importance table over words seen at least `MIN_COUNT` times (or all)."""
    from automl.explain.outputs import importance_table

    kept = {w: v for w, v in values.items() if len(v) >= MIN_COUNT and w} or values
    words = list(kept)
    means = np.asarray([np.mean(kept[w]) for w in words])
    spreads = np.asarray([np.std(kept[w]) for w in words])
    return importance_table(words, means, spreads)


def _pairs_section(pair_pushes: dict[tuple[str, str], list[float]], names: list[str]):
    """Returns the section listing the word pairs that push each class most."""
    from html import escape

    from automl.explain.outputs import Section

    record, html = {}, []
    for name in names:
        table = _ranked(_of(pair_pushes, name)).head(10)
        record[name] = table.to_dict(orient="records")
        rows = "".join(
            f"<tr><td>{escape(str(r.feature))}</td><td>{r.importance:.4f}</td></tr>"
            for r in table.itertuples()
        )
        html.append(
            f"<h3>{escape(name)}</h3><table><tr><th>pair</th><th>push</th></tr>{rows}</table>"
        )
    return Section("Word pairs that push each class", "".join(html), {"pairs": record})
