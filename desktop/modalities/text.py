"""The Data page's preview of free text in a table column: the table's own view.

Text is a table whose only feature is a text column; its columns' roles are chosen like
any table's.
"""

from __future__ import annotations

from desktop.modalities.table import TableProfileView

#: The Data page's preview of text (one widget shared with tables).
PREVIEW = TableProfileView
