"""Tables explained: permutation importance of each raw column, occlusion for one row.

Both run the exported SavedModel on raw columns (strings and missing values included), so
they explain exactly what gets deployed. Text models reuse the row loading here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl.errors import AutoMLError

if TYPE_CHECKING:
    import pandas as pd

    from automl.explain.model import ExportedModel
    from automl.explain.outputs import ExplainRequest, Explanation, LocalExplanation

#: The global importance uses at most this many examples (a seeded sample beyond).
MAX_EXAMPLES = 2000

#: The room's `model_inputs(frame, metadata, source) -> (inputs, notes)`: raw columns as the
#: SavedModel's signature takes them (handed in by the room, which this module never imports).
InputsOf = Callable[[Any, dict, str], tuple[dict[str, np.ndarray], list[str]]]


def labelled_rows(
    model: ExportedModel, data: Path, request: ExplainRequest, model_inputs: InputsOf
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, str]:
    """Returns (every row of `data`, the rows explained, their true outputs, where from).

    The rows explained are the experiment's test split when `data` is the file it searched
    (rows without a target are dropped first, as the search did), else every labelled row.

    Raises:
        AutoMLError: a column the model needs or the target is missing, or a row asked for
            is out of range.
    """
    from automl.data import read_table
    from automl.data.task import class_name
    from automl.explain.outputs import check_rows

    frame = read_table(data)
    model_inputs(frame.head(0), model.metadata, str(data))  # says which column is missing
    check_rows(request.rows, len(frame), "rows")
    target = request.target or str(model.metadata.get("target"))
    if target not in frame.columns and request.rows:
        # New rows, as `automl predict` takes them: only their own explanations can be made.
        return frame, frame.iloc[0:0], np.zeros(0), f"{data.name}, which has no {target!r}"
    if target not in frame.columns:
        raise AutoMLError(
            f"{data} has no target column {target!r}; the importance compares predictions "
            "with the true values (name the column with --target COL)"
        )
    labelled = frame[frame[target].notna()].reset_index(drop=True)
    source = f"every labelled row of {data.name}"
    test = request.test
    if test is not None and len(test) and int(test.max()) < len(labelled):
        labelled = labelled.iloc[test].reset_index(drop=True)
        source = "the experiment's test split"
    if len(labelled) > MAX_EXAMPLES:
        labelled = labelled.sample(MAX_EXAMPLES, random_state=0).reset_index(drop=True)
        source += f", a seeded sample of {MAX_EXAMPLES}"
    if not len(labelled):
        raise AutoMLError(f"{data} has no row with a {target!r} value to measure importance on")
    classes = model.class_names
    if not classes:
        return frame, labelled, labelled[target].to_numpy(dtype=np.float64), source
    index = {name: i for i, name in enumerate(classes)}
    names = [class_name(v) for v in labelled[target].tolist()]
    unknown = sorted({n for n in names if n not in index})
    if unknown:
        raise AutoMLError(
            f"{data}'s {target!r} holds value(s) the model does not know: {', '.join(unknown[:3])}"
            f" (its classes: {', '.join(classes)})"
        )
    return frame, labelled, np.asarray([index[n] for n in names]), source


def served_scores(
    model: ExportedModel, frame: pd.DataFrame, source: str, model_inputs: InputsOf
) -> np.ndarray:
    """Returns the SavedModel's scores [rows, outputs] for raw table rows."""
    inputs, _notes = model_inputs(frame, model.metadata, source)
    return model.serve(inputs)


def fit_score(model: ExportedModel, scores: np.ndarray, y: np.ndarray) -> float:
    """Returns how well `scores` fit `y`, greater is better: -log loss, or -mean abs error."""
    if model.class_names:
        chosen = scores[np.arange(len(y)), y.astype(np.int64)]
        return float(np.mean(np.log(np.clip(chosen, 1e-7, 1.0))))
    return -float(np.mean(np.abs(scores[:, 0] - y)))


def reference_values(frame: pd.DataFrame, columns: list[str]) -> dict[str, object]:
    """Returns each column's typical value: the median of numbers, the most common string."""
    import pandas as pd

    values: dict[str, object] = {}
    for column in columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series):
            values[column] = float(series.median()) if series.notna().any() else np.nan
        else:
            common = series.dropna().mode()
            values[column] = common.iloc[0] if len(common) else ""
    return values


class TableExplainer:
    """Permutation importance per raw column; a row's columns one by one set to typical values."""

    def __init__(self, model_inputs: InputsOf) -> None:
        self.model_inputs = model_inputs

    def explain(self, model: ExportedModel, data: Path, request: ExplainRequest) -> Explanation:
        """Returns the table's explanation; writes rows.csv for the rows asked for."""
        import pandas as pd

        from automl.explain.outputs import Explanation
        from automl.explain.permutation import REPEATS, permutation_importance

        frame, labelled, y, source = labelled_rows(model, data, request, self.model_inputs)
        columns = [spec["column"] for spec in model.metadata["inputs"]]
        if not len(labelled):
            return self._rows_only(model, frame, columns, request, data, source)
        request.progress(f"permutation importance: {len(columns)} columns x {REPEATS} repeats")
        importance = permutation_importance(
            lambda x, truth: fit_score(
                model, served_scores(model, x, str(data), self.model_inputs), truth
            ),
            labelled[columns],
            y,
        )
        # Columns left out of the search are no input of the model: nothing to shuffle.
        ignored = [c for c in model.metadata.get("ignored_columns") or {} if c in frame.columns]
        if ignored:
            left_out = pd.DataFrame({"feature": ignored, "importance": 0.0, "spread": 0.0})
            importance = pd.concat([importance, left_out], ignore_index=True)
        what = "log loss" if model.class_names else "mean absolute error"
        explanation = Explanation(
            importance=importance,
            method=f"permutation importance on the SavedModel ({REPEATS} shuffles per column)",
            meaning=f"How much the {what} grows when the column's values are shuffled; "
            "spread is the standard deviation over the shuffles",
            examples=len(labelled),
            source=source,
        )
        if request.rows:
            references = reference_values(labelled, columns)
            explanation.local = local_rows(
                model, frame, columns, references, request, data, self.model_inputs
            )
        return explanation

    def _rows_only(
        self,
        model: ExportedModel,
        frame: pd.DataFrame,
        columns: list[str],
        request: ExplainRequest,
        data: Path,
        source: str,
    ) -> Explanation:
        """Returns the asked rows' explanations alone, for data without true values."""
        import pandas as pd

        from automl.explain.outputs import IMPORTANCE_COLUMNS, Explanation

        explanation = Explanation(
            importance=pd.DataFrame(columns=IMPORTANCE_COLUMNS),
            method="not measured: the data has no true values to compare predictions with",
            meaning="give a file with the target column for the global importance",
            examples=0,
            source=source,
        )
        # The typical values come from the rows given, as there are no others to take.
        references = reference_values(frame, columns)
        explanation.local = local_rows(
            model, frame, columns, references, request, data, self.model_inputs
        )
        return explanation


def local_rows(
    model: ExportedModel,
    frame: pd.DataFrame,
    columns: list[str],
    references: dict[str, object],
    request: ExplainRequest,
    data: Path,
    model_inputs: InputsOf,
) -> list[LocalExplanation]:
    """Returns each asked row's column contributions, written to rows.csv.

    A column's contribution is the fall of the predicted class's probability (or of the
    predicted value) when that column alone takes its typical value (occlusion).
    """
    import pandas as pd

    from automl.explain.outputs import LocalExplanation
    from automl.export.card_svg import bar_chart_svg

    method = "occlusion on the SavedModel: each column set to its median or most common value"
    records, local = [], []
    for row in request.rows:
        variants = pd.concat([frame.iloc[[row]]] * (len(columns) + 1), ignore_index=True)
        for i, column in enumerate(columns):
            variants.loc[i + 1, column] = references[column]
        scores = served_scores(model, variants, str(data), model_inputs)
        output = int(np.argmax(scores[0])) if model.class_names else 0
        contributions = scores[0, output] - scores[1:, output]
        predicted = model.class_names[output] if model.class_names else f"{scores[0, 0]:.4g}"
        for column, value in zip(columns, contributions, strict=True):
            raw = frame.iloc[row][column]
            records.append(
                {"row": row, "feature": column, "value": raw, "contribution": float(value)}
            )
        order = np.argsort(-np.abs(contributions))
        chart = bar_chart_svg(
            f"row {row}: contribution to {predicted}",
            [columns[i] for i in order],
            contributions[order],
        )
        local.append(LocalExplanation(row, predicted, method, ("rows.csv",), chart))
    pd.DataFrame(records).to_csv(request.out / "rows.csv", index=False)
    return local
