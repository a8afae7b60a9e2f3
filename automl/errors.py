"""The one error type for mistakes a user can make and fix."""

from __future__ import annotations


class AutoMLError(Exception):
    """A problem with the user's input: bad file, wrong column, impossible budget.

    The message says what was wrong and what to do. The CLI prints it on one line and
    exits with code 2; the GUI shows it in a dialog. Bugs raise anything else.
    """

    exit_code = 2
