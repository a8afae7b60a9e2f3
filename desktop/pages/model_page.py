"""The Model page: the engine's proposals as checkable cards, and each family's space."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from automl.modalities.registry import traits_of
from automl.propose import (
    check_space,
    default_space,
    propose_for_columns,
    propose_for_image_folder,
    propose_for_sequences,
)
from desktop.space_form import SpaceForm
from desktop.state import StudioState

FAMILY_NAMES = {
    "dense": "Dense (MLP)",
    "cnn": "CNN",
    "conv1d": "Conv1D",
    "lstm": "LSTM",
    "rnn": "RNN (GRU / simple)",
}
NO_PROPOSALS = "Open data and choose a target to see the proposed models."


class ModelPage(QWidget):
    """Shows why each family fits the data and lets the user narrow its search space."""

    title = "Model"

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.cards: dict[str, QCheckBox] = {}
        self.forms: dict[str, SpaceForm] = {}
        # The families last proposed, and for which settings: the user's ticks are kept
        # while the same families are offered for the same project.
        self._offered: list[str] | None = None
        self._settings = state.settings
        layout = QVBoxLayout(self)
        self.summary = QLabel(NO_PROPOSALS)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.cards_box = QVBoxLayout()
        layout.addLayout(self.cards_box)
        self.spaces = QTabWidget()
        self.spaces.setToolTip("Each checked family's search space")
        layout.addWidget(self.spaces, 1)
        self.problem = QLabel("")
        self.problem.setObjectName("spaceProblem")
        self.problem.setStyleSheet("color: #c0392b")
        layout.addWidget(self.problem)
        layout.addStretch(0)  # keeps the cards at the top when no space form is shown
        state.roles_changed.connect(self.refresh)
        state.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Asks the engine for proposals for the current data and target."""
        for card in self.cards.values():
            card.parentWidget().deleteLater()
        self.cards.clear()
        while self.spaces.count():
            page = self.spaces.widget(0)
            self.spaces.removeTab(0)
            page.deleteLater()  # and the form inside it
        self.forms.clear()
        self.problem.clear()
        images = self.state.images
        self.spaces.setVisible(images is None)
        if images is not None:
            self.summary.setText(
                "Proposed for this image folder; each sub-folder is a class. The CNN's search "
                "space can be narrowed from the command line: --space FILE holding "
                '{"cnn": {...}}.'
            )
            for proposal in propose_for_image_folder(images):
                self._add_card(proposal, checked=True)
            return
        found = self._proposals()
        if found is None:
            self.summary.setText(NO_PROPOSALS)
            self.spaces.hide()
            return
        text, proposals, text_input = found
        self.summary.setText(text)
        proposed = [p["family"] for p in proposals]
        settings = self.state.settings
        if settings is not self._settings:  # a project was opened: its ticks count
            self._settings, self._offered = settings, None
        if self._offered is None or set(self._offered) == set(proposed):
            # The ticks made for this data (or saved in the project) that still fit.
            chosen = [f for f in settings.families if f in proposed] or proposed
        else:
            chosen = proposed  # another kind of data: every proposal, as the CLI does
        self._offered = proposed
        settings.families = chosen
        # Word-vector sizes matter only for text.
        hidden = () if text_input else ("embedding_dims",)
        for proposal in proposals:
            family = proposal["family"]
            self._add_card(proposal, family in chosen)
            form = SpaceForm(family, default_space(family), hidden)
            form.changed.connect(self._space_changed)
            self.forms[family] = form
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(form)
            self.spaces.addTab(scroll, f"{FAMILY_NAMES.get(family, family)} space")
            form.load(settings.space.get(family) or default_space(family))
        self._enable_tabs()

    def _proposals(self) -> tuple[str, list[dict], bool] | None:
        """Returns (the line above the cards, the proposals, whether the input is text)."""
        state = self.state
        summary = state.sequences
        if summary is not None and traits_of(summary["modality"]).forecasts:
            return (
                f"Proposed for forecasting {summary['target']!r} {summary['horizon']} steps "
                f"ahead from the last {summary['lookback']}; the search tries the checked "
                "families (several: the family is one more hyperparameter).",
                propose_for_sequences(summary),
                False,
            )
        if summary is not None:
            what = f"classifying series by {summary['label']!r}"
            if not summary["classes"]:
                what = f"predicting {summary['label']!r} from each series"
            return (
                f"Proposed for {what} ({summary['task']}); the search tries the checked "
                "families (several: the family is one more hyperparameter).",
                propose_for_sequences(summary),
                False,
            )
        profile, target = state.profile, state.settings.target
        if not profile or not target or not profile.get("target"):
            return None
        task = profile["target"]["task"]
        text_column = state.text_feature()
        if text_column:
            classes = len(profile["target"].get("class_counts") or {})
            text_summary = {
                "modality": "text",
                "task": task,
                "samples": profile["rows"],
                "steps": 0,
                "features": 1,
                "classes": classes,
                "horizon": 0,
                "text_column": text_column,
            }
            return (
                f"Proposed for predicting {target!r} ({task}) from the text in "
                f"{text_column!r}; the search tries the checked families.",
                propose_for_sequences(text_summary),
                True,
            )
        ignored = set(state.settings.ignored)
        kinds = {
            c["name"]: state.settings.column_types.get(c["name"], c["kind"])
            for c in profile["columns"]
            if c["name"] != target and c["name"] not in ignored
        }
        return (
            f"Proposed for predicting {target!r} ({task}); the search tries the checked families.",
            propose_for_columns(kinds, task, profile["rows"]),
            False,
        )

    def _add_card(self, proposal: dict, checked: bool) -> None:
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        row = QVBoxLayout(frame)
        check = QCheckBox(FAMILY_NAMES.get(proposal["family"], proposal["family"]))
        check.setChecked(checked)
        check.setToolTip("Search this family")
        check.toggled.connect(self._families_changed)
        reason = QLabel(proposal["reason"])
        reason.setWordWrap(True)
        row.addWidget(check)
        row.addWidget(reason)
        budget = budget_text(proposal.get("budget") or {})
        if budget:
            suggested = QLabel(budget)
            suggested.setObjectName(f"budget:{proposal['family']}")
            suggested.setEnabled(False)  # greyed: advice, set on the Search page
            row.addWidget(suggested)
        self.cards[proposal["family"]] = check
        self.cards_box.addWidget(frame)

    def _families_changed(self) -> None:
        chosen = [family for family, check in self.cards.items() if check.isChecked()]
        self.state.settings.families = chosen
        self.problem.setText("" if chosen else "Check at least one family to search.")
        self._enable_tabs()

    def _enable_tabs(self) -> None:
        for index, family in enumerate(self.forms):
            self.spaces.setTabEnabled(index, self.cards[family].isChecked())

    def _space_changed(self, family: str, space: dict) -> None:
        problem = check_space(family, space)
        self.problem.setText(problem)
        if not problem:
            default = default_space(family)
            self.state.settings.space[family] = {} if space == default else space


def budget_text(budget: dict) -> str:
    """Returns the engine's suggested budget as one line ("" without one).

    Example:
        >>> budget_text({"time_budget_s": 300, "max_trials": 15, "max_epochs": 200})
        'Suggested budget: 15 trials of up to 200 epochs, about 5 min'
    """
    if not budget:
        return ""
    minutes = round(budget.get("time_budget_s", 0) / 60)
    return (
        f"Suggested budget: {budget.get('max_trials', '?')} trials of up to "
        f"{budget.get('max_epochs', '?')} epochs, about {minutes} min"
    )
