"""The step list: each step says whether it is done, ready or waiting, and on what.

`step_statuses` is a plain function of the shared state (tested without a window);
`StepList` shows its answer as a mark, a short line under the step's name and a tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from desktop.state import StudioState

DONE, READY, WAITING = "done", "ready", "waiting"
#: The mark before a step's name: text, so it scales with the font on any screen.
MARKS = {DONE: "✓", READY: "▶", WAITING: "○"}
#: Where each step's item keeps its status, for tests and accessibility tools.
STATUS_ROLE = int(Qt.ItemDataRole.UserRole) + 7
WELCOME, DATA, MODEL, SEARCH, RESULTS, EXPORT = (
    "Welcome",
    "Data",
    "Model",
    "Search",
    "Results",
    "Export",
)


@dataclass(frozen=True)
class StepStatus:
    """Where one step stands: `DONE`, `READY` or `WAITING`, and what it has or needs."""

    status: str
    note: str  # "penguins.csv", "choose a target on the Data page"


def step_statuses(
    state: StudioState, search_problem: str, searching: bool
) -> dict[str, StepStatus]:
    """Returns each step's status by its title, from the open data, choices and experiment.

    `search_problem` is why a search cannot start ("" when it can: the Search page's own
    check), `searching` whether one runs now.
    """
    data_open = state.modality is not None
    name = state.data_path.name if state.data_path else ""
    labelled = state.images is not None or (state.frame is None and state.sequences is not None)
    target = state.settings.target
    experiment = state.experiment
    statuses = {
        WELCOME: StepStatus(DONE, f"opened {name}")
        if data_open
        else StepStatus(READY, "open data, a project or a sample"),
    }
    if not data_open:
        statuses[DATA] = StepStatus(READY, "open a data file or image folder")
    elif state.layout_problem:
        statuses[DATA] = StepStatus(READY, "the layout cannot be read: choose another")
    elif target or labelled:
        statuses[DATA] = StepStatus(DONE, f"{name}, target {target}" if target else name)
    else:
        statuses[DATA] = StepStatus(READY, f"{name}: choose a target column")

    ready_for_model = data_open and (target or labelled) and not state.layout_problem
    if not ready_for_model:
        statuses[MODEL] = StepStatus(WAITING, _lower_first(search_problem or _open_data()))
    elif "Model page" in search_problem:
        statuses[MODEL] = StepStatus(READY, "check at least one model family")
    else:
        statuses[MODEL] = StepStatus(DONE, "the proposed models, or your choice")

    if searching:
        statuses[SEARCH] = StepStatus(READY, "a search is running")
    elif search_problem or not data_open:
        statuses[SEARCH] = StepStatus(WAITING, _lower_first(search_problem or _open_data()))
    elif experiment is not None:
        statuses[SEARCH] = StepStatus(DONE, f"searched: {experiment.name}")
    else:
        statuses[SEARCH] = StepStatus(READY, "start a search")

    if experiment is None:
        wait = StepStatus(WAITING, "run a search, or open an experiment")
        statuses[RESULTS] = statuses[EXPORT] = wait
    else:
        statuses[RESULTS] = StepStatus(DONE, f"experiment {experiment.name}")
        statuses[EXPORT] = StepStatus(READY, "export the best model, or predict a file")
    return statuses


def _open_data() -> str:
    return "open data on the Welcome or Data page"


def _lower_first(text: str) -> str:
    """Returns `text` as the tail of a sentence: lower first letter, no final full stop."""
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]


class StepList(QListWidget):
    """The window's left list: one row per page, its mark and what it has or needs."""

    def __init__(self, titles: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("steps")
        self.setWordWrap(True)
        self.setToolTip("The steps, from opening data to exporting a model (Ctrl+1 … Ctrl+6)")
        self.titles = titles
        self._statuses: dict[str, StepStatus] = {}
        for title in titles:
            self.addItem(QListWidgetItem(title))
        self.setSpacing(2)

    def show_statuses(self, statuses: dict[str, StepStatus]) -> None:
        """Shows each step's mark, note and tooltip; a waiting step is greyed."""
        self._statuses = statuses
        placeholder = self.palette().color(QPalette.ColorRole.PlaceholderText)
        for row, title in enumerate(self.titles):
            status = statuses[title]
            item = self.item(row)
            item.setText(f"{MARKS[status.status]} {row + 1}. {title}\n{status.note}")
            item.setToolTip(f"{title} ({status.status}): {status.note}")
            item.setData(STATUS_ROLE, status.status)
            # No colour of its own unless waiting: the palette's text, in light and dark.
            waiting = status.status == WAITING
            item.setData(Qt.ItemDataRole.ForegroundRole, placeholder if waiting else None)

    def changeEvent(self, event: QEvent) -> None:
        # The greyed colour comes from the palette: take the new one (light <-> dark).
        if event.type() == QEvent.Type.PaletteChange and self._statuses:
            self.show_statuses(self._statuses)
        super().changeEvent(event)

    def status_of(self, title: str) -> str:
        """Returns the status shown for step `title`."""
        return self.item(self.titles.index(title)).data(STATUS_ROLE)
