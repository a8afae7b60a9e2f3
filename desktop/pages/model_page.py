"""The Model page: the engine's proposals as checkable cards, and each family's space."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from automl.propose import (
    check_space,
    default_space,
    propose_for_columns,
    propose_for_image_folder,
)
from desktop.state import StudioState

FAMILY_NAMES = {"dense": "Dense (MLP)", "cnn": "CNN"}
CHOICES = {
    "units": [16, 32, 64, 128, 256, 512, 1024],
    "activations": ["relu", "gelu", "swish", "tanh", "elu"],
    "optimizers": ["adam", "adamw", "sgd", "rmsprop"],
    "batch_sizes": [8, 16, 32, 64, 128, 256, 512],
}
TIPS = {
    "layers": "How many hidden dense layers a trial may have",
    "units": "Widths a hidden layer may take",
    "activations": "Non-linearities to try",
    "max_dropout": "Dropout is drawn between 0 and this rate (regularises small data)",
    "tune_batch_norm": "Also try batch normalisation after each hidden layer",
    "learning_rate": "The optimizer's learning rate is drawn log-uniformly from this range",
    "optimizers": "Optimizers to try",
    "batch_sizes": "Batch sizes to try (larger than a quarter of the rows are skipped)",
}


class ModelPage(QWidget):
    """Shows why each family fits the data and lets the user narrow its search space."""

    title = "Model"

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.cards: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        self.summary = QLabel("Open data and choose a target to see the proposed models.")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.cards_box = QVBoxLayout()
        layout.addLayout(self.cards_box)
        self.space_form = DenseSpaceForm(self)
        self.space_scroll = QScrollArea()
        self.space_scroll.setWidgetResizable(True)
        self.space_scroll.setWidget(self.space_form)
        layout.addWidget(self.space_scroll, 1)
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
        profile, target = self.state.profile, self.state.settings.target
        for card in self.cards.values():
            card.parentWidget().deleteLater()
        self.cards.clear()
        images = self.state.images
        self.space_scroll.setVisible(images is None)
        if images is not None:
            self.summary.setText(
                "Proposed for this image folder; each sub-folder is a class. The CNN's search "
                "space can be narrowed from the command line: --space FILE holding "
                '{"cnn": {...}}.'
            )
            for proposal in propose_for_image_folder(images):
                self._add_card(proposal, checked=True)
            return
        if not profile or not target or not profile.get("target"):
            self.summary.setText("Open data and choose a target to see the proposed models.")
            return
        ignored = set(self.state.settings.ignored)
        kinds = {
            c["name"]: self.state.settings.column_types.get(c["name"], c["kind"])
            for c in profile["columns"]
            if c["name"] != target and c["name"] not in ignored
        }
        task = profile["target"]["task"]
        proposals = propose_for_columns(kinds, task, profile["rows"])
        self.summary.setText(
            f"Proposed for predicting {target!r} ({task}); the search tries the checked families."
        )
        for proposal in proposals:
            self._add_card(proposal)
        self.space_form.load(self.state.settings.space.get("dense") or default_space("dense"))

    def _add_card(self, proposal: dict, checked: bool | None = None) -> None:
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        row = QVBoxLayout(frame)
        check = QCheckBox(FAMILY_NAMES.get(proposal["family"], proposal["family"]))
        check.setChecked(
            checked if checked is not None else proposal["family"] in self.state.settings.families
        )
        check.setToolTip("Search this family")
        check.toggled.connect(self._families_changed)
        reason = QLabel(proposal["reason"])
        reason.setWordWrap(True)
        row.addWidget(check)
        row.addWidget(reason)
        self.cards[proposal["family"]] = check
        self.cards_box.addWidget(frame)

    def _families_changed(self) -> None:
        chosen = [family for family, check in self.cards.items() if check.isChecked()]
        self.state.settings.families = chosen
        self.problem.setText("" if chosen else "Check at least one family to search.")

    def _space_changed(self, space: dict) -> None:
        problem = check_space("dense", space)
        self.problem.setText(problem)
        if not problem:
            self.state.settings.space["dense"] = {} if space == default_space("dense") else space


class DenseSpaceForm(QGroupBox):
    """An editable form of the dense family's search space."""

    def __init__(self, page: ModelPage) -> None:
        super().__init__("Dense search space")
        self.page = page
        self._loading = False
        form = QFormLayout(self)
        self.min_layers, self.max_layers = _int_box(1, 8), _int_box(1, 8)
        layers = QHBoxLayout()
        layers.addWidget(QLabel("from"))
        layers.addWidget(self.min_layers)
        layers.addWidget(QLabel("to"))
        layers.addWidget(self.max_layers)
        layers.addStretch(1)
        form.addRow(_tip(QLabel("Hidden layers"), "layers"), layers)
        self.checks: dict[str, dict] = {}
        for key, label in (("units", "Units per layer"), ("activations", "Activations")):
            form.addRow(_tip(QLabel(label), key), self._check_row(key))
        self.max_dropout = QDoubleSpinBox()
        self.max_dropout.setRange(0.0, 0.9)
        self.max_dropout.setSingleStep(0.05)
        self.max_dropout.setMaximumWidth(90)
        form.addRow(_tip(QLabel("Max dropout"), "max_dropout"), self.max_dropout)
        self.batch_norm = QCheckBox("try batch normalisation")
        form.addRow(_tip(QLabel("Batch norm"), "tune_batch_norm"), self.batch_norm)
        self.min_lr, self.max_lr = _rate_box(), _rate_box()
        rates = QHBoxLayout()
        for widget in (QLabel("from"), self.min_lr, QLabel("to"), self.max_lr):
            rates.addWidget(widget)
        rates.addStretch(1)
        form.addRow(_tip(QLabel("Learning rate"), "learning_rate"), rates)
        for key, label in (("optimizers", "Optimizers"), ("batch_sizes", "Batch sizes")):
            form.addRow(_tip(QLabel(label), key), self._check_row(key))
        reset = QPushButton("Reset to defaults")
        reset.clicked.connect(lambda: self.load(default_space("dense")))
        form.addRow("", reset)
        for box in (self.min_layers, self.max_layers):
            box.valueChanged.connect(self._emit)
        self.max_dropout.valueChanged.connect(self._emit)
        self.batch_norm.toggled.connect(self._emit)
        self.min_lr.valueChanged.connect(self._emit)
        self.max_lr.valueChanged.connect(self._emit)

    def _check_row(self, key: str) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.checks[key] = {}
        for choice in CHOICES[key]:
            check = QCheckBox(str(choice))
            check.toggled.connect(self._emit)
            layout.addWidget(check)
            self.checks[key][choice] = check
        layout.addStretch(1)
        return row

    def load(self, space: dict) -> None:
        """Shows `space` in the form."""
        self._loading = True
        self.min_layers.setValue(space["min_layers"])
        self.max_layers.setValue(space["max_layers"])
        for key, checks in self.checks.items():
            for choice, check in checks.items():
                check.setChecked(choice in space[key])
        self.max_dropout.setValue(space["max_dropout"])
        self.batch_norm.setChecked(space["tune_batch_norm"])
        self.min_lr.setValue(space["min_learning_rate"])
        self.max_lr.setValue(space["max_learning_rate"])
        self._loading = False
        self._emit()

    def space(self) -> dict:
        """Returns the space the form shows."""
        return {
            "min_layers": self.min_layers.value(),
            "max_layers": self.max_layers.value(),
            **{
                key: [c for c, check in checks.items() if check.isChecked()]
                for key, checks in self.checks.items()
            },
            "max_dropout": round(self.max_dropout.value(), 2),
            "tune_batch_norm": self.batch_norm.isChecked(),
            "min_learning_rate": self.min_lr.value(),
            "max_learning_rate": self.max_lr.value(),
        }

    def _emit(self) -> None:
        if not self._loading:
            self.page._space_changed(self.space())


def _int_box(low: int, high: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    return box


def _rate_box() -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(5)
    box.setRange(0.00001, 0.5)
    box.setSingleStep(0.0001)
    return box


def _tip(label: QLabel, key: str) -> QLabel:
    label.setToolTip(TIPS[key])
    return label
