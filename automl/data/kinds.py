"""The kinds a column can be. Free of pandas, so the desktop app can name them cheaply."""

from __future__ import annotations

import enum


class ColumnKind(enum.StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    TEXT = "text"
    DATETIME = "datetime"
    ID = "id"


#: Kinds the tabular models read; datetime and id columns are left out by default.
MODEL_KINDS = {ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.TEXT}
