"""Every use of Keras Tuner's private API, in one place.

Keras Tuner keeps much of what a tuner subclass needs under `keras_tuner.src` or behind
an underscore. Each use below says the version it was checked against; `pyproject.toml`
bounds keras-tuner to those versions, and tests/test_kt_compat.py keeps the rest of
`automl/` off the private names. Where a public hook does the job (an Oracle subclass,
a HyperModel wrapper, a callback), the search uses that instead.
"""

from __future__ import annotations

import threading
from pathlib import Path

import keras_tuner

# keras-tuner 1.4.8: SaveBestEpoch (the per-trial best-weights callback) and TunerCallback
# (which reports each epoch to the oracle) have no public name.
from keras_tuner.src.engine import tuner_utils

from automl.experiment.files import write_json

#: The keras-tuner release every private use here was checked against.
CHECKED_VERSION = "1.4.8"


def oracle_servicer_class() -> type:
    """Returns Keras Tuner's gRPC servicer of an oracle (the chief's side)."""
    # keras-tuner 1.4.8: only under keras_tuner.src.distribute.oracle_chief.
    from keras_tuner.src.distribute.oracle_chief import OracleServicer

    return OracleServicer


def add_oracle_servicer(servicer, server) -> None:
    """Returns None; registers `servicer` on the gRPC `server`."""
    # keras-tuner 1.4.8: the generated gRPC module sits in keras_tuner.src.protos.
    from keras_tuner.src import protos

    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)


def use_channel(tuner, channel) -> None:
    """Returns None; a worker's `tuner` calls its chief over `channel` from now on."""
    # keras-tuner 1.4.8: a worker's tuner.oracle is an OracleClient whose `stub` makes
    # every call; it builds its own plain channel, which carries no token. The generated
    # gRPC module sits in keras_tuner.src.protos.
    from keras_tuner.src import protos

    tuner.oracle.stub = protos.get_service_grpc().OracleStub(channel)


def stopped_trial_response(oracle):
    """Returns the CreateTrial answer that tells a worker the search is over."""
    from keras_tuner.engine.trial import Trial, TrialStatus

    # keras-tuner 1.4.8: the response message type lives in keras_tuner.src.protos.
    from keras_tuner.src import protos

    trial = Trial(
        hyperparameters=oracle.hyperparameters.copy(),
        trial_id="stop",
        status=TrialStatus.STOPPED,
    )
    return protos.get_service().CreateTrialResponse(trial=trial.to_proto())


def requeue_trial(oracle, tuner_id: str, fallback_lock: threading.Lock) -> str | None:
    """Returns the id of the trial `tuner_id` was running, queued for another worker.

    None when that worker held no trial.
    """
    # keras-tuner 1.4.8: Oracle._lock guards ongoing_trials; Oracle._retry_queue holds the
    # trials to hand out again (an interrupted trial goes on from its resume point).
    with oracle._lock if hasattr(oracle, "_lock") else fallback_lock:
        trial = oracle.ongoing_trials.pop(tuner_id, None)
        oracle.tuner_ids.discard(tuner_id)
        if trial is None:
            return None
        oracle._retry_queue.append(trial.trial_id)  # keras-tuner 1.4.8, as above
        return trial.trial_id


def checkpoint_path(tuner, trial_id: str) -> Path:
    """Returns where `tuner` keeps the best epoch's weights of trial `trial_id`."""
    # keras-tuner 1.4.8: Tuner._get_checkpoint_fname(trial_id) names the weights file.
    return Path(tuner._get_checkpoint_fname(trial_id))


def hyperband_weights_wanted(oracle) -> set[str] | None:
    """Returns the ids of trials whose weights Hyperband may still load; None if unknown.

    A promoted trial starts from its parent's weights: its hyperparameters name the parent
    in "tuner/trial_id", and building it (also when it is retried, or resumed without a
    resume point) loads the parent's checkpoint. None in a worker process, whose oracle
    is a client of the chief's and cannot see the brackets.
    """
    # keras-tuner 1.4.8: a worker's tuner holds an OracleClient whose get_state() is the
    # local oracle's, not the chief's.
    from keras_tuner.src.distribute.oracle_client import OracleClient

    if isinstance(oracle, OracleClient):
        return None
    # keras-tuner 1.4.8: HyperbandOracle.get_state()["brackets"] lists the brackets not yet
    # full as {"bracket_num", "rounds": [[{"past_id", "id"}, ...], ...]}; any trial of a round
    # but the last may still be promoted (a full bracket leaves the list at the next trial).
    wanted = {
        entry["id"]
        for bracket in oracle.get_state().get("brackets", [])
        for round_ in bracket["rounds"][:-1]
        for entry in round_
    }
    # A promoted trial not finished yet is built again from its parent after a kill.
    for trial in oracle.trials.values():
        if trial.status not in ("COMPLETED", "FAILED", "INVALID"):
            parent = trial.hyperparameters.values.get("tuner/trial_id")
            if parent is not None:
                wanted.add(parent)
    return wanted


# -- the tuner's state files, which `automl resume` reads back ---------------------------


class AtomicStateFiles:
    """Oracle mixin: `oracle.json` and every `trial.json` written whole or not at all.

    Keras Tuner writes them in place; a search killed mid-write would leave one torn,
    and `automl resume` could not read it back. Not synced to the disk: trial.json is
    written every epoch, and a power cut losing the last one costs that epoch only.
    """

    def save(self):
        # keras-tuner 1.4.8: Oracle.save() writes get_state() to _get_oracle_fname().
        write_json(Path(self._get_oracle_fname()), self.get_state(), indent=None, sync=False)

    def _save_trial(self, trial):
        # keras-tuner 1.4.8: Oracle._save_trial(trial) writes trial.get_state() to
        # trial.json in _get_trial_dir(trial_id), which creates that folder.
        folder = Path(self._get_trial_dir(trial.trial_id))
        write_json(folder / "trial.json", trial.get_state(), indent=None, sync=False)


def save_tuner_state(tuner) -> None:
    """Returns None; writes `tuner`'s oracle and its own state file, each atomically."""
    # keras-tuner 1.4.8: BaseTuner.save() saves the oracle (not in a worker, whose oracle
    # is the chief's) and writes get_state() to _get_tuner_fname().
    if not tuner._is_worker():
        tuner.oracle.save()
    write_json(Path(tuner._get_tuner_fname()), tuner.get_state(), indent=None, sync=False)


class HyperbandOverOracle(keras_tuner.Hyperband):
    """Keras Tuner's Hyperband tuner over a given oracle (one with atomic state files)."""

    def __init__(self, *, oracle, **kwargs):
        # keras-tuner 1.4.8: Hyperband.__init__ only builds a HyperbandOracle from its
        # arguments and hands it to Tuner.__init__; this hands over the one given.
        keras_tuner.Tuner.__init__(self, oracle=oracle, **kwargs)


class AtomicHyperbandOracle(AtomicStateFiles, keras_tuner.oracles.HyperbandOracle):
    """Keras Tuner's Hyperband oracle, its state files written atomically."""


# -- a trial's training (tuners.py, checkpoints.py) -----------------------------------


# keras-tuner 1.4.8: tuner_utils.SaveBestEpoch, the per-trial best-weights callback.
class BestEpochCheckpoint(tuner_utils.SaveBestEpoch):
    """Keras Tuner's best-epoch checkpoint, its private save step routed to `keep_best`."""

    def _save_model(self):
        # keras-tuner 1.4.8: SaveBestEpoch.on_epoch_end calls _save_model() at each new best.
        self.keep_best()

    def keep_best(self) -> None:
        """Returns None; keeps the model's weights as the best epoch's (subclasses say how)."""
        raise NotImplementedError


class BuildHook:
    """Tuner mixin: Keras Tuner's private build step calls the tuner's `build_model(hp)`.

    Every model is built there (each trial, and `load_model`); overriding it replaces
    Keras Tuner's clear_session and full garbage collection before every trial.
    """

    def _try_build(self, hp):
        # keras-tuner 1.4.8: Tuner._try_build(hp) -> model, called by _build_and_fit_model
        # and load_model.
        return self.build_model(hp)

    def build_model(self, hp):
        """Returns the model for `hp` (subclasses say how)."""
        raise NotImplementedError


def build_hypermodel(tuner, hp):
    """Returns `tuner`'s hypermodel built for `hp` under its distribution strategy."""
    # keras-tuner 1.4.8: Tuner._build_hypermodel(hp) builds in the strategy's scope and
    # applies the tuner's compile overrides.
    return tuner._build_hypermodel(hp)


def build_and_fit(tuner, trial, *args, **kwargs):
    """Returns the history of building and training `trial`'s model (Keras Tuner's step)."""
    # keras-tuner 1.4.8: Tuner._build_and_fit_model(trial, *args, **kwargs) -> History; it
    # also saves the build config and validates the results.
    return tuner._build_and_fit_model(trial, *args, **kwargs)


def execution_callbacks(tuner, callbacks: list, trial, execution: int) -> list:
    """Returns fresh copies of `callbacks` for one execution of `trial`, plus Keras Tuner's.

    As Keras Tuner's own run_trial does: each callback deep-copied, TensorBoard given
    the trial's own folder, and the callback that reports epochs to the oracle appended.
    """
    # keras-tuner 1.4.8: Tuner._deepcopy_callbacks and Tuner._configure_tensorboard_dir.
    copied = tuner._deepcopy_callbacks(callbacks)
    tuner._configure_tensorboard_dir(copied, trial, execution)
    # keras-tuner 1.4.8: tuner_utils.TunerCallback reports each epoch to the oracle.
    copied.append(tuner_utils.TunerCallback(tuner, trial))
    return copied
