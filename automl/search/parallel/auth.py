"""The shared token every call to a chief's oracle presents, and the worker's heartbeat.

The oracle hands out trials and takes their results: anyone who can call it can steer
or spoil a search. Every call carries the search's token in its metadata; the chief's
server refuses a call without it (`UNAUTHENTICATED`). Each call also names its worker,
which is how the chief knows a worker is alive (see `Heartbeat`).
"""

from __future__ import annotations

import collections
import contextlib
import hmac
import threading
from collections.abc import Callable

import grpc

from automl.errors import AutoMLError
from automl.search.parallel.tokens import TOKEN_ENV

#: gRPC metadata keys (lower case, as gRPC requires).
TOKEN_KEY = "automl-token"
WORKER_KEY = "automl-worker"
#: The oracle call a worker makes to be seen: Keras Tuner's GetSpace (keras-tuner 1.4.8
#: wire name), whose request is empty, so it needs neither Keras Tuner nor TensorFlow
#: loaded (a refused worker says so at once, before the seconds of their import).
PING_METHOD = "/keras_tuner.Oracle/GetSpace"
#: A worker tells the chief it is alive this often while it trains (seconds).
HEARTBEAT_S = 10.0


class TokenCheck(grpc.ServerInterceptor):
    """Refuses every call whose `automl-token` is not the search's token.

    `on_contact(worker)` hears of each accepted call that names its worker.
    """

    def __init__(self, token: str, on_contact: Callable[[str], None]):
        self._token = token.encode()
        self._on_contact = on_contact

        def refuse(request, context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "wrong or missing token")

        self._refusal = grpc.unary_unary_rpc_method_handler(refuse)

    def intercept_service(self, continuation, handler_call_details):
        metadata = dict(handler_call_details.invocation_metadata or ())
        presented = str(metadata.get(TOKEN_KEY, "")).encode()
        # Constant time: how long a refusal takes says nothing about the token.
        if not hmac.compare_digest(presented, self._token):
            return self._refusal
        if metadata.get(WORKER_KEY):
            self._on_contact(str(metadata[WORKER_KEY]))
        return continuation(handler_call_details)


class _CallDetails(
    collections.namedtuple(
        "_CallDetails",
        ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression"),
    ),
    grpc.ClientCallDetails,
):
    """A call's details with our metadata added (gRPC's own type cannot be copied)."""


class _Presenter(grpc.UnaryUnaryClientInterceptor):
    """Adds the token and the worker's name to every call on a channel."""

    def __init__(self, token: str, worker: str):
        self._metadata = ((TOKEN_KEY, token), (WORKER_KEY, worker))

    def intercept_unary_unary(self, continuation, details, request):
        details = _CallDetails(
            details.method,
            details.timeout,
            tuple(details.metadata or ()) + self._metadata,
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )
        return continuation(details, request)


def authenticated_channel(address: str, token: str, worker: str) -> grpc.Channel:
    """Returns a channel to the chief at `address` whose calls present `token`."""
    return grpc.intercept_channel(grpc.insecure_channel(address), _Presenter(token, worker))


def ping(channel: grpc.Channel, timeout_s: float) -> None:
    """Returns None once the oracle on `channel` answered; raises `grpc.RpcError` if not."""
    # No serializers: an empty request is b"", and the answer is kept as bytes, unread.
    channel.unary_unary(PING_METHOD)(b"", timeout=timeout_s, wait_for_ready=True)


def check_token(address: str, token: str | None, worker: str, wait_s: float) -> None:
    """Returns None when the chief at `address` accepts `token`.

    Raises:
        AutoMLError: no token, or the chief refused it.
    """
    if not token:
        raise AutoMLError(
            f"--oracle {address}: the chief needs its token; give --token or set "
            f"{TOKEN_ENV} (the chief printed it when it started)"
        )
    channel = authenticated_channel(address, token, worker)
    try:
        ping(channel, timeout_s=wait_s)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.UNAUTHENTICATED:
            raise AutoMLError(
                f"--oracle {address}: the chief refused this worker's token; give the "
                f"token the chief printed (--token or {TOKEN_ENV})"
            ) from None
        raise AutoMLError(
            f"--oracle {address}: the chief did not answer ({error.code().name})"
        ) from None
    finally:
        channel.close()


class Heartbeat:
    """Tells the chief every `HEARTBEAT_S` that this worker is alive, even mid-epoch.

    A trial's epochs may take longer than any fixed silence; the chief judges a remote
    worker by this beat, never by how long ago an epoch ended.
    """

    def __init__(self, address: str, token: str, worker: str, every_s: float = HEARTBEAT_S):
        self._channel = authenticated_channel(address, token, worker)
        self._every_s = every_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopped.set()
        self._thread.join(timeout=self._every_s)
        self._channel.close()

    def _beat(self) -> None:
        while not self._stopped.wait(self._every_s):
            # The chief busy or gone: its own checks decide what that means.
            with contextlib.suppress(grpc.RpcError):
                ping(self._channel, timeout_s=self._every_s)
