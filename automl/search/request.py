"""Everything a user asks of one search, as given on the command line or to `automl.search`."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from automl.errors import AutoMLError
from automl.search.budget import SearchBudget

#: Below this many training rows the best configuration is retrained on train+validation.
REFIT_ROWS = 10_000

#: Searches given at least this budget, or without a budget at least this many trials,
#: train in a worker process of their own unless --workers says otherwise.
ISOLATE_FROM_SECONDS = 600.0
ISOLATE_FROM_TRIALS = 20

TUNERS = ("random", "bayesian", "hyperband")

#: The trial cap of a search bounded by its time budget alone: more than a budget fits
#: (hours of one-second trials). Keras Tuner pads trial ids to its width: "0013".
UNBOUNDED_TRIALS = 9_999


@dataclass(frozen=True)
class SearchRequest:
    """A search to run. Defaults suit a first look at a small table.

    Attributes:
        refit: None means "when the data is small" (fewer than 10,000 training rows).
        formats: extra export formats beyond SavedModel and `.keras` ("tflite").
    """

    data: Path
    target: str
    out: Path
    task: str | None = None
    ignore: tuple[str, ...] = ()
    column_types: dict[str, str] = field(default_factory=dict)
    test_file: Path | None = None
    validation_split: float = 0.2
    test_split: float = 0.2
    tuner: str = "random"
    metric: str | None = None
    #: None: no trial cap when a time budget is given (the budget is the bound), else 10
    max_trials: int | None = None
    time_budget_s: float | None = None
    max_epochs: int = 100
    seed: int = 0
    refit: bool | None = None
    #: cross-validation folds per trial: None decides from the data size, 0 is `--no-cv`
    cv: int | None = None
    overwrite: bool = False
    formats: tuple[str, ...] = ()
    #: "cpu" or "gpu:N"; None lets TensorFlow choose (the first GPU if any)
    device: str | None = None
    #: epochs without improvement before a trial stops; None scales with --epochs
    patience: int | None = None
    #: family -> search-space overrides, e.g. {"dense": {"max_layers": 2}}
    space: dict[str, dict] = field(default_factory=dict)
    #: families to search (several: the family becomes a hyperparameter); () = the proposals
    families: tuple[str, ...] = ()
    #: weights kept on disk: the best K trials' (None keeps every trial's)
    keep_checkpoints: int | None = 3
    #: a running trial saves a resume point at most this often (0: every epoch)
    checkpoint_every_s: float = 30.0
    #: write TensorBoard logs (with the HParams plugin) per trial
    tensorboard: bool = False
    #: parallel search: worker processes on this machine (0: train in this process;
    #: None: one worker for a long search, see `isolates_by_default`, else 0)
    workers: int | None = None
    #: serve the oracle to workers on other machines (`automl worker --oracle HOST:PORT`)
    chief: bool = False
    #: the oracle's port (None: a free one)
    port: int | None = None
    #: with `chief`: the address the oracle listens on (None: 127.0.0.1, this machine
    #: only; "0.0.0.0": every network). Not recorded in experiment.json, so a resumed
    #: search listens beyond this machine only when told again.
    bind: str | None = None
    #: the token workers present to the oracle (None: a random one, see
    #: `automl.search.parallel.tokens`); never recorded, never on a command line
    token: str | None = field(default=None, repr=False, compare=False)
    #: with `chief`: how long to wait at the end for the best trial's weights from a
    #: worker whose folder is synced back rather than shared
    sync_wait_s: float = 3600.0
    #: a worker is replaced between trials once its resident memory passes this (MiB)
    worker_memory_mb: float | None = None
    #: "float32" or "mixed" (float16 compute, float32 outputs; GPUs only)
    precision: str = "float32"
    #: compile trials with XLA
    jit: bool = False
    #: "mirrored": train each trial across all GPUs (tf.distribute.MirroredStrategy)
    strategy: str | None = None
    #: average the top K trials in the exported model when that beats the best alone
    ensemble: int = 1
    #: set when `workers` was not given and the search is long enough to train in a worker
    isolated_by_default: bool = False
    #: `--modality NAME`: the kind that reads the data (None: the first that recognises it)
    modality: str | None = None
    #: the kinds' own options by name (`automl.modalities.registry.options`), e.g.
    #: {"lookback": 24, "horizon": 6}; recorded flat in experiment.json like the others
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_trials is None:
            # Frozen: resolved once, here, and recorded in experiment.json.
            unbounded = self.time_budget_s is not None
            object.__setattr__(self, "max_trials", UNBOUNDED_TRIALS if unbounded else 10)
        if self.tuner not in TUNERS:
            raise AutoMLError(
                f"--tuner {self.tuner}: unknown tuner; choose one of {', '.join(TUNERS)}"
            )
        unknown = set(self.formats) - {"tflite"}
        if unknown:
            raise AutoMLError(
                f"--format {', '.join(sorted(unknown))}: unknown; extra formats: tflite"
            )
        self.budget  # validates the numbers  # noqa: B018
        if self.patience is not None and self.patience < 1:
            raise AutoMLError(f"--patience must be at least 1, not {self.patience}")
        if self.device is not None and not re.fullmatch(r"cpu|gpu:\d+", self.device.lower()):
            raise AutoMLError(f"--device {self.device}: write cpu or gpu:N (e.g. gpu:0)")
        self._check_space()
        from architectures.spaces import SPACES

        unknown = [f for f in self.families if f not in SPACES]
        if unknown:
            raise AutoMLError(
                f"--families {', '.join(unknown)}: unknown; choose among {', '.join(SPACES)}"
            )
        self._check_options()
        if self.precision not in ("float32", "mixed"):
            raise AutoMLError(f"--precision {self.precision}: choose float32 or mixed")
        if self.strategy not in (None, "mirrored"):
            raise AutoMLError(f"--strategy {self.strategy}: the one strategy is mirrored")
        if self.cv is not None and self.cv != 0:
            # Checked here, before any data loads; more folds than examples is the folds'.
            from automl.search.cross_validation import choose_folds

            choose_folds(self.cv, 2 * self.cv)
        if self.ensemble < 1:
            raise AutoMLError(f"--ensemble must be at least 1 (1: none), not {self.ensemble}")
        if self.workers is None:
            # Frozen: the choice is made once, here, and recorded in experiment.json.
            object.__setattr__(self, "workers", 1 if self.isolates_by_default else 0)
            object.__setattr__(self, "isolated_by_default", bool(self.workers))
        if self.workers < 0:
            raise AutoMLError(f"--workers must be at least 1, not {self.workers}")
        if self.sync_wait_s < 0:
            raise AutoMLError(f"--sync-wait must be 0 or more seconds, not {self.sync_wait_s}")
        if self.bind is not None and not self.chief:
            raise AutoMLError(
                f"--bind {self.bind}: only a --chief search listens for other machines; add --chief"
            )
        if self.port is not None and not 0 < self.port < 65536:
            raise AutoMLError(f"--port {self.port}: choose a port between 1 and 65535")
        if self.keep_checkpoints is not None and self.keep_checkpoints < 1:
            raise AutoMLError(
                f"--keep-checkpoints must be at least 1 (the best trial's weights are "
                f"exported), not {self.keep_checkpoints}"
            )
        if self.checkpoint_every_s < 0:
            raise AutoMLError("--checkpoint-every must be 0 (every epoch) or more seconds")

    @property
    def isolates_by_default(self) -> bool:
        """Whether a search without --workers trains in one worker process of its own.

        TensorFlow keeps part of every trial's memory (measured here: +38% over 30 trials
        in one process, +2.6% with a worker recycled past a bound), and a worker costs a
        few seconds to start. So long searches get one; short ones, where those seconds
        are a real share of the budget, train in the search process.
        """
        if self.chief:
            return False
        if self.time_budget_s is not None:
            return self.time_budget_s >= ISOLATE_FROM_SECONDS
        return self.max_trials >= ISOLATE_FROM_TRIALS

    @property
    def oracle_host(self) -> str:
        """Returns the address the oracle listens on: loopback unless `--bind` names one."""
        return self.bind if self.chief and self.bind else "127.0.0.1"

    @property
    def trials_unbounded(self) -> bool:
        """Whether only the time budget ends the search (no --max-trials was given)."""
        return self.max_trials >= UNBOUNDED_TRIALS

    @property
    def budget(self) -> SearchBudget:
        return SearchBudget(self.max_trials, self.time_budget_s, self.max_epochs)

    def _check_space(self) -> None:
        """Raises AutoMLError for an unknown family or a bad override in `--space`."""
        from architectures.spaces import SPACES

        unknown = set(self.space) - set(SPACES)
        if unknown:
            raise AutoMLError(
                f"search space names unknown family {', '.join(sorted(unknown))}; "
                f"families: {', '.join(SPACES)}"
            )
        for family in self.space:
            self.space_for(family)

    def _check_options(self) -> None:
        """Raises AutoMLError for an unknown kind, option or option value."""
        from automl.modalities import registry

        if self.modality is not None:
            registry.modality_named(self.modality)
        # Options at their default are left out, so equal requests compare equal.
        given = {
            option.name: option.from_json(self.options[option.name])
            for option in registry.options()
            if self.options.get(option.name, option.default) != option.default
        }
        unknown = set(self.options) - registry.option_names()
        if unknown:
            raise AutoMLError(f"unknown option(s) {', '.join(sorted(unknown))} for the data")
        object.__setattr__(self, "options", given)
        registry.check_request(self)

    def space_for(self, family: str):
        """Returns `family`'s search space, with the user's overrides."""
        from architectures.spaces import SPACES

        try:
            return SPACES[family].from_dict(self.space.get(family, {}))
        except (ValueError, TypeError) as error:
            raise AutoMLError(str(error)) from None

    def to_dict(self) -> dict:
        """Returns the request as experiment.json records it: the kinds' options flat."""
        from automl.modalities import registry

        data = asdict(self)
        # The token is a secret; the address is given again on each run (see `bind`).
        for name in ("options", "bind", "token"):
            del data[name]
        recorded = {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}
        for option in registry.options():
            recorded[option.name] = option.to_json(self.options.get(option.name, option.default))
        return recorded

    @classmethod
    def from_dict(cls, recorded: dict, **changes: Any) -> SearchRequest:
        """Returns the request `to_dict` wrote (experiment.json), with `changes` applied.

        Keys that are the kinds' options (`lookback`, `image_column`, ...) go to `options`.
        """
        from automl.modalities import registry

        known = {f.name for f in fields(cls)} - {"options"}
        merged = {**recorded, **changes}
        values = {k: v for k, v in merged.items() if k in known}
        for name in ("data", "out", "test_file"):
            if values.get(name) is not None:
                values[name] = Path(values[name])
        for name in ("ignore", "formats", "families"):
            if name in values:
                values[name] = tuple(values[name])
        if "cv" not in merged:
            values["cv"] = 0  # recorded before cross-validation: it searched one split
        options = dict(merged.get("options") or {})
        for option in registry.options():
            value = option.from_json(merged.get(option.name))
            if option.name in merged and value != option.default:
                options[option.name] = value
        return cls(**values, options=options)

    def to_argv(self, space_file: Path | None = None) -> list[str]:
        """Returns the `automl search` command line that asks for this request.

        See `automl.search.request_argv.request_argv` (`space_file` receives `--space`).

        Example:
            >>> request = SearchRequest(Path("d.csv"), "y", Path("o"), max_trials=3)
            >>> request.to_argv()
            ['d.csv', '--target', 'y', '--out', 'o', '--max-trials', '3']
        """
        from automl.search.request_argv import request_argv

        return request_argv(self, space_file)
