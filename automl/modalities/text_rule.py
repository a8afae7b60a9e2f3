"""The rule for "is this table free text?": one text column is the only model feature.

Its own module so that the table room (which tells text apart when it reads a table) and
the text room (which builds on tables) both import it, neither the other.
"""

from __future__ import annotations

from collections.abc import Mapping


def text_feature(column_kinds: Mapping[str, str]) -> str:
    """Returns the name of the only column a model reads when it is free text, else "".

    Args:
        column_kinds: feature column name -> kind ("numeric", "text", "datetime", ...),
            the target and ignored columns left out. Kinds no model reads are skipped.

    Example:
        >>> text_feature({"review": "text", "posted": "datetime"})
        'review'
    """
    from automl.data.kinds import MODEL_KINDS

    model_kinds = {kind.value for kind in MODEL_KINDS}
    used = [name for name, kind in column_kinds.items() if kind in model_kinds]
    return used[0] if len(used) == 1 and column_kinds[used[0]] == "text" else ""
