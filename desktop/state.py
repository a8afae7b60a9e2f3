"""What the pages share: the open table, image folder or series, column choices, the experiment.

Pages read and write this object and listen to its signals; none of them talks to
another page directly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

PROJECT_FILE = "project.json"


@dataclass
class SearchSettings:
    """The Search page's choices, saved with the project."""

    tuner: str = "random"
    max_trials: int = 0  # 0 = no cap: the time budget is the bound
    time_budget_s: int = 300
    epochs: int = 100
    metric: str = ""  # "" = the engine's default for the task
    seed: int = 0
    workers: int = 1  # 1 = the engine's default (a worker for long searches); more = `--workers N`
    precision: str = "float32"  # or "mixed" (`--precision mixed`, GPUs only)
    cv: int | None = None  # cross-validation folds; None = the engine decides, 0 = off


#: How a table file may be read (`DataLayout.kind`), in the words the Data page shows.
LAYOUTS = {
    "table": "Table (one row per example)",
    "series_per_row": "Series: one per row",
    "long": "Series: long format",
    "forecast": "Forecast a column",
}


@dataclass
class DataLayout:
    """How a table file is read: as a table, as labelled series, or as a series to forecast.

    The label (series) or forecast column is `ProjectSettings.target`. `lookback` and
    `horizon` of 0 mean "not chosen yet": the Data page fills in defaults for the file.
    """

    kind: str = "table"  # a key of LAYOUTS
    id_column: str = ""
    time_column: str = ""
    lookback: int = 0
    horizon: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> DataLayout:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def options(self) -> dict[str, object]:
        """Returns the engine's options (`SearchRequest.options`) that read a table this way.

        Example:
            >>> DataLayout("forecast", time_column="year", lookback=20, horizon=5).options()
            {'lookback': 20, 'horizon': 5, 'time_column': 'year'}
        """
        options: dict[str, object] = {}
        if self.kind == "series_per_row":
            options["series_per_row"] = True
        elif self.kind == "forecast":
            options.update(lookback=self.lookback, horizon=self.horizon)
        if self.kind in ("long", "forecast") and self.time_column:
            options["time_column"] = self.time_column
        if self.kind != "table" and self.id_column:
            options["id_column"] = self.id_column
        return options


@dataclass
class ProjectSettings:
    """Everything a project folder remembers, as `project.json`."""

    data: str = ""
    target: str = ""
    ignored: list[str] = field(default_factory=list)
    column_types: dict[str, str] = field(default_factory=dict)
    families: list[str] = field(default_factory=list)  # [] = what the Model page proposes
    space: dict[str, dict] = field(default_factory=dict)
    search: SearchSettings = field(default_factory=SearchSettings)
    experiments: list[str] = field(default_factory=list)
    layout: DataLayout = field(default_factory=DataLayout)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ProjectSettings:
        search = SearchSettings(**data.get("search", {}))
        layout = DataLayout.from_dict(data.get("layout", {}))
        nested = ("search", "layout")
        rest = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k not in nested}
        return cls(**rest, search=search, layout=layout)


class StudioState(QObject):
    """The open project: data, column roles, search space and the latest experiment."""

    data_changed = Signal()  # a table, image folder or series was loaded: see `modality`
    roles_changed = Signal()  # target, ignored columns or column types changed
    experiment_changed = Signal()  # a search finished, or an experiment was opened
    status = Signal(str)  # a line for the status bar

    def __init__(self) -> None:
        super().__init__()
        self.settings = ProjectSettings()
        self.project_dir: Path | None = None
        self.frame = None  # pandas.DataFrame of the open data, or None
        self.profile: dict | None = None  # automl.data.profile.TableProfile.to_dict()
        self.images: dict | None = None  # automl.modalities.image_data.ImageFolder.to_dict()
        # desktop.series_data.series_summary / forecast_summary: series read from a NumPy
        # file, or from the open table with a series or forecast `settings.layout`.
        self.sequences: dict | None = None
        # Why the table's chosen layout could not be read ("" when it could, or is a table).
        self.layout_problem = ""
        self.experiment: Path | None = None

    @property
    def modality(self) -> str | None:
        """Returns what is open: "table", "image", "series", "forecast" or None.

        "image" is a folder of class sub-folders; "series" labelled series (a NumPy file or
        a table read as series); "forecast" a table column to forecast.
        """
        if self.images is not None:
            return "image"
        if self.sequences is not None:
            return self.sequences["modality"]
        return "table" if self.frame is not None else None

    @property
    def kind_name(self) -> str | None:
        """Returns the engine's name for the open data's kind (`automl.modalities`): the
        `modality`, or the text kind when the table's only model feature is free text."""
        if self.text_feature():
            from automl.modalities.text import MODALITY

            return MODALITY.name
        return self.modality

    def text_feature(self) -> str:
        """Returns the table's only model feature when it is free text (the engine then
        searches text models), else ""."""
        plain_table = self.images is None and self.sequences is None
        if not plain_table or not self.profile or not self.settings.target:
            return ""
        from automl.modalities.text_rule import text_feature

        ignored = set(self.settings.ignored) | {self.settings.target}
        return text_feature(
            {
                c["name"]: self.settings.column_types.get(c["name"], c["kind"])
                for c in self.profile["columns"]
                if c["name"] not in ignored
            }
        )

    @property
    def data_path(self) -> Path | None:
        return Path(self.settings.data) if self.settings.data else None

    def set_table(
        self,
        path: Path,
        frame,
        profile: dict,
        *,
        layout: DataLayout | None = None,
        sequences: dict | None = None,
        layout_problem: str = "",
    ) -> None:
        """Takes a freshly loaded table; keeps column choices that still apply.

        `layout` says how the table is read (a plain table without one), `sequences` what
        that layout gave, `layout_problem` why it could not be read.
        """
        self.settings.data = str(path)
        self.frame = frame
        self.profile = profile
        self.images = None
        self.settings.layout = layout or DataLayout()
        self.sequences = sequences
        self.layout_problem = layout_problem
        names = set(map(str, frame.columns))
        if self.settings.target not in names:
            self.settings.target = ""
        self.settings.ignored = [c for c in self.settings.ignored if c in names]
        self.settings.column_types = {
            k: v for k, v in self.settings.column_types.items() if k in names
        }
        self.data_changed.emit()

    def set_images(self, path: Path, summary: dict) -> None:
        """Takes a freshly scanned image folder; column choices do not apply to it."""
        self._set_without_table(path, images=summary, sequences=None)

    def set_sequences(self, path: Path, summary: dict) -> None:
        """Takes series read from a NumPy file: its labels are in the file, not a column."""
        self._set_without_table(path, images=None, sequences=summary)

    def _set_without_table(self, path: Path, images: dict | None, sequences: dict | None) -> None:
        """Takes data that is not a table (a folder or a NumPy file): no column choices."""
        self.settings.data = str(path)
        self.frame = None
        self.profile = None
        self.images = images
        self.sequences = sequences
        self._clear_columns()
        self.data_changed.emit()

    def set_layout(
        self, layout: DataLayout, target: str, sequences: dict | None, problem: str = ""
    ) -> None:
        """Reads the open table another way: `sequences` is what `layout` gave (None for a
        plain table, or when it could not be read: then `problem` says why)."""
        self.settings.layout = layout
        self.settings.target = target
        self.sequences = sequences
        self.layout_problem = problem
        self.data_changed.emit()

    def _clear_columns(self) -> None:
        # Image classes are sub-folders and series labels an array: no columns to choose.
        self.settings.target = ""
        self.settings.ignored = []
        self.settings.column_types = {}
        self.settings.layout = DataLayout()
        self.layout_problem = ""

    def set_roles(self, target: str, ignored: list[str], column_types: dict[str, str]) -> None:
        self.settings.target = target
        self.settings.ignored = list(ignored)
        self.settings.column_types = dict(column_types)
        self.roles_changed.emit()

    def set_experiment(self, path: Path) -> None:
        self.experiment = Path(path)
        if str(path) not in self.settings.experiments:
            self.settings.experiments.append(str(path))
        self.experiment_changed.emit()

    def experiments_root(self) -> Path:
        """Returns where new experiments go: the project folder, else beside the data."""
        if self.project_dir is not None:
            return self.project_dir / "experiments"
        base = self.data_path.parent if self.data_path else Path.cwd()
        return base / "automl-experiments"

    def save_project(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{PROJECT_FILE}.partial"
        partial.write_text(json.dumps(self.settings.to_dict(), indent=2))
        partial.replace(folder / PROJECT_FILE)
        self.project_dir = folder

    def load_project(self, folder: Path) -> None:
        """Reads `project.json`; the caller then loads the data file it names.

        A folder without one (an engine project: `project.db` and experiment folders
        written by `automl search --project`) becomes the open project as it is: the open
        data and choices stay, and new experiments go into its `experiments/` folder.
        """
        if (folder / PROJECT_FILE).exists():
            text = (folder / PROJECT_FILE).read_text()
            self.settings = ProjectSettings.from_dict(json.loads(text))
        self.project_dir = folder
