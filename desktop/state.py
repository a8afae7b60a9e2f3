"""What the pages share: the open table or image folder, column choices, the experiment.

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
    max_trials: int = 10
    time_budget_s: int = 300
    epochs: int = 100
    metric: str = ""  # "" = the engine's default for the task
    seed: int = 0


@dataclass
class ProjectSettings:
    """Everything a project folder remembers, as `project.json`."""

    data: str = ""
    target: str = ""
    ignored: list[str] = field(default_factory=list)
    column_types: dict[str, str] = field(default_factory=dict)
    families: list[str] = field(default_factory=lambda: ["dense"])
    space: dict[str, dict] = field(default_factory=dict)
    search: SearchSettings = field(default_factory=SearchSettings)
    experiments: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ProjectSettings:
        search = SearchSettings(**data.get("search", {}))
        rest = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "search"}
        return cls(**rest, search=search)


class StudioState(QObject):
    """The open project: data, column roles, search space and the latest experiment."""

    data_changed = Signal()  # a table or image folder was loaded: see `modality`
    roles_changed = Signal()  # target, ignored columns or column types changed
    experiment_changed = Signal()  # a search finished, or an experiment was opened
    status = Signal(str)  # a line for the status bar

    def __init__(self) -> None:
        super().__init__()
        self.settings = ProjectSettings()
        self.project_dir: Path | None = None
        self.frame = None  # pandas.DataFrame of the open data, or None
        self.profile: dict | None = None  # automl.data.profile.TableProfile.to_dict()
        self.images: dict | None = None  # automl.data.images.ImageFolder.to_dict()
        self.experiment: Path | None = None

    @property
    def modality(self) -> str | None:
        """Returns what is open: "table", "image" (a folder of class sub-folders) or None."""
        if self.images is not None:
            return "image"
        return "table" if self.frame is not None else None

    @property
    def data_path(self) -> Path | None:
        return Path(self.settings.data) if self.settings.data else None

    def set_table(self, path: Path, frame, profile: dict) -> None:
        """Takes a freshly loaded table; keeps column choices that still apply."""
        self.settings.data = str(path)
        self.frame = frame
        self.profile = profile
        self.images = None
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
        self.settings.data = str(path)
        self.frame = None
        self.profile = None
        self.images = summary
        # Each sub-folder is a class: there is no target column, nor columns to choose.
        self.settings.target = ""
        self.settings.ignored = []
        self.settings.column_types = {}
        self.data_changed.emit()

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
        """Reads `project.json`; the caller then loads the data file it names."""
        self.settings = ProjectSettings.from_dict(json.loads((folder / PROJECT_FILE).read_text()))
        self.project_dir = folder
