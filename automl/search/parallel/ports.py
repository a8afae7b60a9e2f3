"""Ports for the chief's oracle: a free one, or a check that the chosen one is free."""

from __future__ import annotations

import socket

from automl.errors import AutoMLError


def free_port(host: str = "127.0.0.1") -> int:
    """Returns a port on `host` that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def check_port(port: int, host: str = "0.0.0.0") -> None:
    """Returns None when `port` can be served on.

    Raises:
        AutoMLError: the port is taken by another program.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise AutoMLError(
                f"--port {port}: the port is in use on this machine; choose another"
            ) from None


def check_host(host: str) -> None:
    """Returns None when this machine can listen on `host`.

    Raises:
        AutoMLError: `host` is not one of this machine's addresses.
    """
    with socket.socket() as probe:
        try:
            probe.bind((host, 0))
        except OSError:
            raise AutoMLError(
                f"--bind {host}: not an address of this machine; use 127.0.0.1 (this "
                "machine only), 0.0.0.0 (every network) or one of its own addresses"
            ) from None
