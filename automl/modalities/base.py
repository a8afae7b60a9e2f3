"""What every kind of data provides: its options, its prepared data, and the `Modality` protocol.

Imports no TensorFlow, pandas or model code: the desktop reads the kinds' options from
here before any data is loaded.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from automl.errors import AutoMLError

if TYPE_CHECKING:
    import numpy as np

    from automl.data.splits import Splits
    from automl.explain.model import ExportedModel
    from automl.explain.outputs import ExplainRequest, Explanation
    from automl.export.predict import Predictions
    from automl.search.metrics import Objective
    from automl.search.request import SearchRequest

#: The value types an option may take (argparse `type`; bool is a plain flag).
OPTION_TYPES = {"str": str, "int": int, "float": float, "path": Path, "bool": bool}


@dataclass(frozen=True)
class Option:
    """One option a kind adds to `automl search`: `--FLAG VALUE`, kept as request key `name`.

    Example:
        >>> Option("lookback", "int", "forecasting: past steps the model sees").flag
        '--lookback'
    """

    name: str
    type: str  # a key of OPTION_TYPES
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    #: the smallest value allowed (ints): smaller values are refused with one line
    minimum: int | None = None
    #: also offered by `automl propose`
    propose: bool = True

    @property
    def flag(self) -> str:
        """Returns the command-line flag, e.g. `--series-per-row`."""
        return "--" + self.name.replace("_", "-")

    @property
    def default(self) -> Any:
        """Returns the value when the option is not given: False for a flag, else None."""
        return False if self.type == "bool" else None

    def add_to(self, parser: argparse.ArgumentParser | Any) -> None:
        """Adds the option to an argparse parser or argument group."""
        if self.type == "bool":
            parser.add_argument(self.flag, action="store_true", help=self.help)
            return
        extra: dict[str, Any] = {"choices": list(self.choices)} if self.choices else {}
        parser.add_argument(
            self.flag,
            type=OPTION_TYPES[self.type],
            metavar=self.metavar,
            help=self.help,
            **extra,
        )

    def to_argv(self, value: Any) -> list[str]:
        """Returns the command-line words that give `value` ([] for the default)."""
        if value is None or value is False:
            return []
        if value is True:
            return [self.flag]
        return [self.flag, str(value)]

    def from_json(self, value: Any) -> Any:
        """Returns a value read back from experiment.json in its option's type."""
        if value is None:
            return self.default
        if self.type == "path":
            return Path(value)
        return OPTION_TYPES[self.type](value)

    def to_json(self, value: Any) -> Any:
        """Returns `value` as experiment.json records it (paths as text)."""
        return str(value) if isinstance(value, Path) else value

    def check(self, value: Any) -> None:
        """Raises AutoMLError when `value` is out of range."""
        if self.minimum is not None and value is not None and value < self.minimum:
            raise AutoMLError(f"{self.flag} must be at least {self.minimum}, not {value}")


@dataclass(frozen=True)
class Traits:
    """What the desktop and reports say about a kind, known without loading any data.

    A kind sets `traits` (a class attribute); one without it gets these defaults: rows,
    a target to predict, no choices on the Model page.

    Example:
        >>> Traits().samples, Traits(samples="windows").samples
        ('rows', 'windows')
    """

    #: what one test example is called in the GUI ("rows", "series", "windows")
    samples: str = "rows"
    #: what the user does with the target column ("predict" or "forecast")
    target_verb: str = "predict"
    #: every prediction is a few steps ahead of a series (residuals over steps ahead)
    forecasts: bool = False
    #: the user chooses columns' roles and types (`--ignore`, `--column-type`)
    column_choices: bool = False
    #: the search tries the families checked on the Model page (`--families`)
    families_chosen: bool = False
    #: without a choice of families, the one family whose space the Model page edits
    #: ("": the engine picks the family and the page's space does not apply)
    page_family: str = ""
    #: an exported model predicts a folder of files rather than a table
    predicts_folders: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)  # arrays do not compare as one bool
class Prepared:
    """Data of any kind, loaded, labelled and split, ready to search.

    Each kind subclasses it with its own typed fields; search, export and the summary
    read only these common ones.
    """

    modality: str
    splits: Splits
    objective: Objective
    classification: bool
    task_kind: str
    target: str
    task_reason: str
    class_names: tuple[str, ...]
    #: samples the search can use (rows, images, series or windows)
    rows: int
    #: rows dropped while loading (a missing target, an unreadable image)
    dropped_rows: int = 0
    #: columns left out, with why
    ignored: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict:
        """Returns what experiment.json records about the data."""
        return {}

    def metadata(self) -> dict:
        """Returns the kind's part of an export's metadata.json."""
        return {}

    def baselines(self) -> dict:
        """Returns simple models' test scores, printed beside the searched model's."""
        return {}

    def serving(self) -> Serving:
        """Returns the exported SavedModel's signature for this data."""
        raise NotImplementedError


@runtime_checkable
class Serving(Protocol):
    """A SavedModel signature: what it takes, what it returns, how to write and check it."""

    def input_dicts(self) -> list[dict]:
        """Returns metadata.json's `inputs`."""
        ...

    def outputs(self, class_names: list[str]) -> list[str]:
        """Returns the names of the signature's outputs."""
        ...

    def extra_metadata(self) -> dict:
        """Returns metadata.json keys this signature adds (e.g. the image size)."""
        ...

    def write(self, model: Any, class_names: list[str], path: Path) -> None:
        """Writes the SavedModel to `path`."""
        ...

    def predict(self, model: Any, rows: dict[str, np.ndarray]) -> np.ndarray:
        """Returns the in-memory model's output for the rows the SavedModel is checked on."""
        ...


class Feeds(Protocol):
    """How one kind's rows reach a model during a search.

    Each split is an opaque "rows" value that only the feeds object knows how to feed,
    join or describe; the rest of the search is the same for every kind.
    """

    train: Any
    validation: Any
    test: Any
    y_train: np.ndarray
    y_validation: np.ndarray
    y_test: np.ndarray

    def predict(self, model: Any, rows: Any) -> np.ndarray:
        """Returns the model's outputs for `rows`."""
        ...

    def join(self, first: Any, second: Any) -> Any:
        """Returns two splits' rows as one (train + validation for a refit)."""
        ...

    def fit_inputs(self, rows: Any, labels: np.ndarray) -> tuple:
        """Returns (x, y) as the family's `fit` takes them."""
        ...

    def validation_data(self) -> Any:
        """Returns `fit`'s validation_data."""
        ...

    def hypermodel(self, request: SearchRequest, metrics: list, regression_scale: tuple) -> Any:
        """Returns the HyperModel (or a choice of several) to search."""
        ...

    def row_values(self, position: int) -> dict[str, str]:
        """Returns what identifies one test row beside a mistake."""
        ...

    def check_rows(self) -> dict[str, np.ndarray]:
        """Returns the raw test inputs, as the SavedModel's signature takes them."""
        ...


class Explainer(Protocol):
    """How one kind's exported models are explained (`automl explain`, `automl.explain`).

    Implemented beside each room (`table_explain.py`, `series_explain.py`, ...) with the
    shared methods of `automl.explain`; set as the kind's `explainer` attribute.
    """

    def explain(self, model: ExportedModel, data: Path, request: ExplainRequest) -> Explanation:
        """Returns the model's explanation on `data`; writes the local explanations asked for.

        Raises:
            AutoMLError: data that does not match the model, or a row out of range.
        """
        ...


@runtime_checkable
class Modality(Protocol):
    """One kind of data: how it is recognised, read, fed, proposed for, served and predicted.

    `priority` orders detection: the registry asks kinds with a lower number first, so a
    specific kind (image folders, series files) is tried before the catch-all table.
    A kind may also set `traits` (a `Traits`, read with `registry.traits_of`) and
    `explainer` (an `Explainer`, used by `automl explain`); they are not members here, so a
    kind without them still is a `Modality` (one without an explainer cannot be explained).
    """

    name: str
    priority: int
    options: tuple[Option, ...]

    def recognises(self, request: SearchRequest) -> bool:
        """Returns whether the request's data (with its options) is this kind's."""
        ...

    def check_request(self, request: SearchRequest) -> None:
        """Raises AutoMLError for options this kind cannot use as given."""
        ...

    def prepare(self, request: SearchRequest) -> Prepared:
        """Returns the loaded, split data; checks every input before anything is written."""
        ...

    def feeds(self, prepared: Prepared) -> Feeds:
        """Returns how the prepared rows reach the families."""
        ...

    def proposals(self, prepared: Prepared) -> list[dict]:
        """Returns [{"family", "reason", "space", "budget"}] for the data, best first."""
        ...

    def summary(self, prepared: Prepared) -> dict:
        """Returns a plain description of the loaded data for the GUI and the CLI."""
        ...

    def serving_from_metadata(self, metadata: Mapping[str, Any]) -> Serving:
        """Returns the signature an export's metadata.json describes (re-export)."""
        ...

    def predict_file(self, model_dir: Path, metadata: dict, data: Path) -> Predictions:
        """Returns an exported model's predictions for a new file of this kind."""
        ...
