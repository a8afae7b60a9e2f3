"""The Qt binding must not leak references to None: live plots repaint thousands of times."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QPainter, QPicture  # noqa: E402


def test_painting_does_not_drop_references_to_none(qtbot):
    # PySide6 6.12.0 loses one reference to None per QPainter.drawLine call; on Python
    # 3.11 that crashed the app mid-search ("deallocating None"). pyproject pins it out.
    picture = QPicture()
    painter = QPainter(picture)
    start, end = QPointF(0, 0), QPointF(1, 1)
    before = sys.getrefcount(None)
    for _ in range(500):
        painter.drawLine(start, end)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    after = sys.getrefcount(None)
    painter.end()
    assert after >= before - 10
