"""A kind's own parts of the model card: its inputs table and its usage snippet's values.

The card (`automl.export.model_card`) is the same page for every kind; a kind gives the
parts that depend on its inputs and outputs through its Modality's `card` attribute. A kind
without one (e.g. one named in `AUTOML_MODALITIES`) gets these plain table parts. Pure text:
no TensorFlow, no pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def is_classification(metadata: dict) -> bool:
    """Returns whether the card describes a classifier."""
    return metadata.get("task") in ("binary", "multiclass")


class CardSections:
    """The plain parts: one input per column, one row per prediction."""

    def inputs_table(self, inputs: Sequence[dict]) -> str:
        """Returns a table of the model inputs: column, signature name, kind and dtype."""
        header = "<tr><th>column</th><th>input name</th><th>kind</th><th>dtype</th></tr>"
        body = "".join(
            f"<tr><td>{escape(str(i.get('column', '')))}</td>"
            f"<td><code>{escape(str(i.get('input_name', '')))}</code></td>"
            f"<td>{escape(str(i.get('kind', '')))}</td><td>{escape(str(i.get('dtype', '')))}</td>"
            "</tr>"
            for i in inputs
        )
        return f"<table>{header}{body}</table>"

    def example_value(self, spec: dict) -> float | str | list:
        """Returns a plausible example value for one input, typed as the signature expects."""
        # The signature's dtype decides what it accepts; kind is the fallback for old metadata.
        dtype = spec.get("dtype")
        if dtype == "float32" or (dtype is None and spec.get("kind") == "numeric"):
            return 0.0
        return "..."

    def output_lines(self, metadata: dict) -> list[str]:
        """Returns the usage snippet's last lines: what the signature's outputs hold."""
        if is_classification(metadata):
            classes = ", ".join(str(c) for c in metadata.get("class_names") or [])
            order = f"class order: {classes}" if classes else "one column per class"
            return [
                'print(out["label"])          # predicted class name',
                f'print(out["probabilities"])  # {order}',
            ]
        return ['print(out["value"])  # predicted value']


class SeriesCardSections(CardSections):
    """Series: one input holding whole series, [steps][features] each."""

    def example_value(self, spec: dict) -> float | str | list:
        """Returns one example series for a series input, else the plain example value."""
        if spec.get("kind") == "series":
            # One series: [steps][features]; any length unless trained on a fixed lookback.
            _, steps, features = spec.get("shape") or [None, None, 1]
            return [[0.0] * int(features or 1) for _ in range(int(steps or 3))]
        return super().example_value(spec)


class ForecastCardSections(SeriesCardSections):
    """Forecasts: a series in, the next `horizon` values out."""

    def output_lines(self, metadata: dict) -> list[str]:
        """Returns the forecast output line (a classifier's lines if one ever is)."""
        if is_classification(metadata):
            return super().output_lines(metadata)
        return ['print(out["forecast"])  # one column per step ahead: h1, h2, ...']
