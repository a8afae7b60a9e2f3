"""The shared secret of a parallel search: given, read from the environment, or made.

Plain Python (no gRPC): the command line reads it before anything heavy loads.
"""

from __future__ import annotations

import os
import secrets

#: The environment variable a worker reads its token from (kept off the command line,
#: where `ps` shows it to every user of the machine).
TOKEN_ENV = "AUTOML_TOKEN"


def new_token() -> str:
    """Returns a fresh random token (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def given_token(token: str | None) -> str | None:
    """Returns `--token` if given, else `AUTOML_TOKEN` from the environment, else None."""
    return token or os.environ.get(TOKEN_ENV) or None
