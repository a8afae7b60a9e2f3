"""The one error type for mistakes a user can make and fix."""

from __future__ import annotations


class AutoMLError(Exception):
    """A problem with the user's input: bad file, wrong column, impossible budget.

    The message says what was wrong and what to do. The CLI prints it on one line and
    exits with code 2; the GUI shows it in a dialog. Bugs raise anything else.
    """

    exit_code = 2


def first_line(error: BaseException) -> str:
    """Returns the first line of an error's message, or its type's name when it has none.

    Library errors (pandas, PIL, NumPy) can run over many lines; a user-facing message quotes
    only the first.

    Example:
        >>> first_line(ValueError("bad value\\nat line 3"))
        'bad value'
        >>> first_line(OSError())
        'OSError'
    """
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
