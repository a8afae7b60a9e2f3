"""The chief's oracle server: Keras Tuner's servicer that also ends at the deadline.

It notes when each worker last talked to the oracle (so a silent one is noticed), which
trials ended on which worker, and sends a dead worker's trial back to the oracle.
"""

from __future__ import annotations

import threading
import time

from automl.errors import AutoMLError
from automl.search import kt_compat
from automl.search.parallel.ports import check_host, free_port
from automl.search.state import SearchState


def _servicer_class() -> type:
    """Returns the servicer class (built on first use: Keras Tuner loads gRPC with it)."""
    from keras_tuner.engine.trial import TrialStatus

    class ChiefServicer(kt_compat.oracle_servicer_class()):
        """Keras Tuner's servicer that also stops at the deadline and notes who is alive."""

        def __init__(self, oracle, state: SearchState):
            super().__init__(oracle)
            self.state = state
            self.last_contact: dict[str, float] = {}
            self.lock = threading.Lock()
            #: trial id -> (worker, seconds from its creation to its end)
            self.ended: dict[str, tuple[str, float]] = {}
            self._created: dict[str, float] = {}

        def touch(self, tuner_id: str) -> None:
            """Returns None; notes that `tuner_id` just talked to the oracle."""
            with self.lock:
                self.last_contact[tuner_id] = time.monotonic()

        def _tuner_of(self, trial_id: str) -> str | None:
            for tuner_id, trial in list(self.oracle.ongoing_trials.items()):
                if trial.trial_id == trial_id:
                    return tuner_id
            return None

        def CreateTrial(self, request, context):  # noqa: N802 (gRPC method name)
            self.touch(request.tuner_id)
            if self.state.stop_requested.is_set() or not self.state.planner.may_start_trial():
                self.stop_triggered = True
                self.oracle.tuner_ids.discard(request.tuner_id)
                return kt_compat.stopped_trial_response(self.oracle)
            response = super().CreateTrial(request, context)
            self._created.setdefault(response.trial.trial_id, time.monotonic())
            if response.trial.status == TrialStatus.IDLE:
                time.sleep(0.5)  # Hyperband waits for a bracket: do not spin the worker
            return response

        def UpdateTrial(self, request, context):  # noqa: N802
            tuner_id = self._tuner_of(request.trial_id)
            if tuner_id:
                self.touch(tuner_id)
            return super().UpdateTrial(request, context)

        def EndTrial(self, request, context):  # noqa: N802
            trial_id = request.trial.trial_id
            tuner_id = self._tuner_of(trial_id)
            if tuner_id:
                self.touch(tuner_id)
                began = self._created.get(trial_id, time.monotonic())
                with self.lock:
                    self.ended[trial_id] = (tuner_id, time.monotonic() - began)
            return super().EndTrial(request, context)

        def requeue(self, tuner_id: str) -> str | None:
            """Returns the trial `tuner_id` was running, sent back for another worker."""
            return kt_compat.requeue_trial(self.oracle, tuner_id, self.lock)

        def silent_workers(self, after_s: float, local: set[str]) -> list[str]:
            """Returns the remote workers with a trial that sent nothing for `after_s`.

            Every call a worker makes names it, and its heartbeat calls even mid-epoch;
            `local` workers are judged by their process instead (see `WorkerPool`).
            """
            now = time.monotonic()
            with self.lock:
                return [
                    tuner_id
                    for tuner_id in list(self.oracle.ongoing_trials)
                    if tuner_id not in local
                    and now - self.last_contact.get(tuner_id, now) > after_s
                ]

        def finished(self) -> bool:
            """Returns whether the search ended and no worker still holds a trial."""
            return self.stop_triggered and not self.oracle.ongoing_trials

    return ChiefServicer


def serve_oracle(oracle, state: SearchState, host: str, port: int | None, token: str):
    """Serves `oracle` to callers presenting `token`; returns (server, servicer, "host:port").

    Raises:
        AutoMLError: the port is taken (another chief, or any program), or `host` is not
            an address of this machine.
    """
    from concurrent import futures

    import grpc

    from automl.search.parallel.auth import TokenCheck

    servicer = _servicer_class()(oracle, state)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        interceptors=(TokenCheck(token, servicer.touch),),
        # gRPC sets SO_REUSEPORT by default: a second chief on the same port would bind
        # too and the two would share, at random, each other's workers.
        options=(("grpc.so_reuseport", 0),),
    )
    kt_compat.add_oracle_servicer(servicer, server)
    port = port or free_port(host)
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError:
        bound = 0
    if not bound:
        check_host(host)
        raise AutoMLError(f"--port {port}: the port is in use on {host}; choose another")
    server.start()
    return server, servicer, f"{host}:{port}"
