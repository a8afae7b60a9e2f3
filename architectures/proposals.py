"""Ranks the model families that fit a dataset, each with its reason and a budget.

Importable without TensorFlow (the GUI shows proposals before any search runs): it
takes a plain description of the data and names families; their HyperModels load
lazily through `load_hypermodel_class`.
"""

from __future__ import annotations

import importlib
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: Family name -> "module:class" of its HyperModel.
FAMILIES = {
    "dense": "architectures.dense:DenseHyperModel",
    "cnn": "architectures.cnn:CNNHyperModel",
    "transfer": "architectures.transfer:TransferHyperModel",
    "rnn": "architectures.rnn:RNNHyperModel",
    "lstm": "architectures.lstm:LSTMHyperModel",
    "conv1d": "architectures.conv1d:Conv1DHyperModel",
    "rocket": "architectures.rocket:RocketHyperModel",
}

MODALITIES = ("table", "image", "series", "text", "forecast")

#: Seconds one training epoch spends per sample and step (pixel for images, row for
#: tables) with each family's first-trial model, measured on one core of the 2-core
#: reference machine. Only the suggested budgets use them.
SECONDS_PER_STEP = {
    "dense": 2e-5,
    "cnn": 6e-6,
    "transfer": 3e-5,
    "rnn": 2e-5,
    "lstm": 2e-5,
    "conv1d": 7e-5,
    "rocket": 2e-5,
}

#: Text starts from two bidirectional LSTM layers: four LSTMs' work per token.
TEXT_LSTM_COST = 4

#: Tokens per text the engine keeps when the description does not say.
DEFAULT_TEXT_TOKENS = 200

#: Google's text classification guide: below this many samples per word of a typical
#: text, a bag-of-words MLP beats sequence models; above it, sequence models win.
SAMPLES_PER_WORD_FOR_SEQUENCES = 1500

#: Series sets up to this many series start from the random-convolution family: its head
#: alone trains, so it learns from tens of series where deep nets overfit.
SMALL_SERIES_SETS = 2_000

#: Suggested wall-clock budgets stay within these bounds (seconds).
MIN_BUDGET_S, MAX_BUDGET_S = 60, 3600


@dataclass
class DataDescription:
    """What the proposals need to know about a dataset: plain numbers and names.

    Attributes:
        modality: "table", "image", "series", "text" or "forecast".
        task: "binary", "multiclass", "regression" or "forecast".
        rows: training samples (rows, images, series, windows or texts).
        column_kinds: tables: feature column name -> kind ("numeric", "categorical", ...).
        image_size: images: (height, width).
        channels: images: 1 (grayscale) or 3 (colour).
        steps: series and forecast windows: steps per sample (the longest, if they vary).
        features: series: values per step.
        classes: classification: how many classes.
        horizon: forecast: steps predicted ahead.
        text_column: text: the column holding it.
        text_tokens: text: mean tokens (words) per text; 0 when unknown.
        backbone_weights: images: a local pretrained backbone's weights file, if given.
        folds: cross-validation folds per trial (0: one validation split).
    """

    modality: str
    task: str
    rows: int
    column_kinds: dict[str, str] = field(default_factory=dict)
    image_size: tuple[int, int] | None = None
    channels: int = 0
    steps: int = 0
    features: int = 1
    classes: int = 0
    horizon: int = 0
    text_column: str | None = None
    text_tokens: float = 0.0
    backbone_weights: str | None = None
    #: cross-validation folds a budgeted search will score each trial on (0: one split);
    #: the engine decides, the proposals say so and size the budget for it
    folds: int = 0

    def __post_init__(self) -> None:
        if self.modality not in MODALITIES:
            raise ValueError(f"data modality {self.modality!r}: use one of {', '.join(MODALITIES)}")


@dataclass(frozen=True)
class Proposal:
    """A family to search, why it fits, and a budget that suits the data's size.

    `suggested_budget` holds "time_budget_s", "max_trials" and "max_epochs", as the
    search's budget takes them; the user can change them before searching.
    """

    family: str
    reason: str
    suggested_budget: dict = field(default_factory=dict)


def propose_architectures(description: DataDescription) -> list[Proposal]:
    """Returns the families to search for the described data, best first, with reasons.

    Examples:
        >>> table = DataDescription("table", "binary", 300, {"x": "numeric"})
        >>> [p.family for p in propose_architectures(table)]
        ['dense']
        >>> series = DataDescription("series", "multiclass", 500, steps=140, classes=5)
        >>> [p.family for p in propose_architectures(series)]
        ['rocket', 'conv1d', 'lstm', 'rnn']
        >>> propose_architectures(series)[2].reason.split(";")[0]
        'LSTM: 140-step series, order matters'
    """
    d = description
    if d.modality == "table":
        ranked = [("dense", _table_reason(d))]
    elif d.modality == "image":
        ranked = [("cnn", _image_reason(d))]
        if d.backbone_weights:
            transfer = (
                "transfer",
                f"Transfer: a pretrained backbone ({Path(d.backbone_weights).name}) with a new "
                f"head for {d.classes} classes; features learned on millions of photos help "
                "most when images are few and look like photos",
            )
            # Tiny images (digits, icons) gain little from photo features: CNN first.
            small = min(d.image_size or (0, 0)) < 32
            ranked = ranked + [transfer] if small else [transfer, *ranked]
    elif d.modality == "text":
        ranked = _text_families(d)
    else:
        ranked = _series_families(d)
    if d.folds and ranked:
        # Say once, on the first family, how small data is judged.
        family, reason = ranked[0]
        ranked[0] = (
            family,
            f"{reason}; {d.rows} examples: each trial is cross-validated on {d.folds} folds, "
            "as one small validation split cannot rank trials",
        )
    return [Proposal(family, reason, suggest_budget(family, d)) for family, reason in ranked]


def propose_for_images(
    height: int, width: int, channels: int, classes: int, images: int
) -> list[Proposal]:
    """Returns the families for an image folder, with their reasons.

    Example:
        >>> propose_for_images(8, 8, 1, 10, 1797)[0].family
        'cnn'
    """
    return propose_architectures(
        DataDescription(
            "image",
            "multiclass" if classes > 2 else "binary",
            images,
            image_size=(height, width),
            channels=channels,
            classes=classes,
        )
    )


def suggest_budget(family: str, description: DataDescription) -> dict:
    """Returns {"time_budget_s", "max_trials", "max_epochs"} for searching `family`.

    Small data needs many short epochs and many trials; large data few of each. The
    time is what the trials should take at the family's measured speed (a trial stops
    early, so about half its epochs), within 1 minute and 1 hour: past an hour, fewer
    trials (at least 3) are suggested instead.

    Example:
        >>> suggest_budget("dense", DataDescription("table", "binary", 300))
        {'time_budget_s': 60, 'max_trials': 15, 'max_epochs': 200}
    """
    rows = max(1, description.rows)
    if rows <= 1_000:
        max_epochs, max_trials = 200, 15
    elif rows <= 10_000:
        max_epochs, max_trials = 100, 15
    elif rows <= 100_000:
        max_epochs, max_trials = 50, 10
    else:
        max_epochs, max_trials = 20, 5
    epoch_s = rows * _steps_per_sample(description) * _cost_per_step(family, description)
    # A trial also pays building, compiling and its first epoch's tracing, once per fold.
    trial_s = (3.0 + epoch_s * max_epochs / 2) * max(1, description.folds)
    max_trials = max(3, min(max_trials, int(MAX_BUDGET_S // trial_s)))
    seconds = min(MAX_BUDGET_S, max(MIN_BUDGET_S, trial_s * max_trials))
    return {
        "time_budget_s": int(math.ceil(seconds / 60) * 60),
        "max_trials": max_trials,
        "max_epochs": max_epochs,
    }


def load_hypermodel_class(family: str) -> type:
    """Returns the HyperModel class of `family` (this imports Keras)."""
    module_name, _, class_name = FAMILIES[family].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def _steps_per_sample(d: DataDescription) -> float:
    if d.modality == "image" and d.image_size:
        return d.image_size[0] * d.image_size[1] * max(1, d.channels) ** 0.5
    if d.modality == "text":
        return d.text_tokens or DEFAULT_TEXT_TOKENS
    if d.modality in ("series", "forecast"):
        return max(1, d.steps) * max(1, d.features) ** 0.5
    return 1.0


def _cost_per_step(family: str, d: DataDescription) -> float:
    if d.modality == "text" and family == "dense":
        # A bag of words is one vector per text, whatever its length.
        return SECONDS_PER_STEP["dense"] / _steps_per_sample(d)
    if d.modality == "text" and family == "lstm":
        return SECONDS_PER_STEP["lstm"] * TEXT_LSTM_COST
    return SECONDS_PER_STEP[family]


def _task_words(d: DataDescription) -> str:
    if d.task in ("binary", "multiclass") and d.classes:
        return f"{d.classes} classes"
    return d.task


def _table_reason(d: DataDescription) -> str:
    counts = Counter(d.column_kinds.values())
    described = ", ".join(f"{counts[kind]} {kind}" for kind in sorted(counts))
    inside = [
        "normalization" if counts["numeric"] else "",
        "category lookups" if counts["categorical"] or counts["boolean"] else "",
        "word counts" if counts["text"] else "",
    ]
    return (
        f"Dense: {len(d.column_kinds)} tabular columns ({described}), {d.rows} rows, "
        f"{d.task}; an MLP with {' and '.join(part for part in inside if part)} "
        "inside the model"
    )


def _image_reason(d: DataDescription) -> str:
    height, width = d.image_size or (0, 0)
    colour = "grayscale" if d.channels == 1 else "colour"
    return (
        f"CNN: 2-D {colour} images of {height}x{width}, {d.classes} classes, {d.rows} images; "
        "convolution blocks share weights across positions, so they learn local shapes "
        "from few examples"
    )


def _series_families(d: DataDescription) -> list[tuple[str, str]]:
    features = "" if d.features <= 1 else f" of {d.features} features"
    if d.modality == "forecast":
        what = f"{d.horizon}-step forecasts from {d.steps}-step windows{features}"
        start = (
            "; each window is scaled by its own level and spread, and it learns the change "
            "from the last value"
        )
        return [
            (
                "conv1d",
                f"Conv1D: {what}, {d.rows} windows; temporal convolutions pick up local "
                f"patterns and seasonality fast{start}",
            ),
            (
                "lstm",
                f"LSTM: {what}, order matters; gated memory follows trends across the "
                f"window{start}",
            ),
            ("rnn", f"RNN (GRU): {what}; a lighter recurrent net, quick to train{start}"),
        ]
    task = _task_words(d)
    rocket = (
        "rocket",
        f"Random convolutions (MiniRocket): {d.rows} series of {d.steps} steps{features}, "
        f"{task}; thousands of fixed dilated kernels and a trained linear head fit small "
        "series sets in seconds at close to the state of the art",
    )
    neural = [
        (
            "conv1d",
            f"Conv1D (FCN): {d.rows} series of {d.steps} steps{features}, {task}; the fully "
            "convolutional network of Wang et al. is the strongest plain deep default "
            "on series",
        ),
        (
            "lstm",
            f"LSTM: {d.steps}-step series{features}, order matters; gated memory carries "
            "what happened early in a series to its end",
        ),
        (
            "rnn",
            f"RNN (GRU): {d.steps}-step series{features}, {task}; a lighter recurrent net, "
            "quick to train, a check on the LSTM",
        ),
    ]
    if d.rows <= SMALL_SERIES_SETS:
        return [rocket, *neural]
    return [neural[0], rocket, *neural[1:]]


def _text_families(d: DataDescription) -> list[tuple[str, str]]:
    column = f" in {d.text_column!r}" if d.text_column else ""
    task = _task_words(d)
    conv = (
        "conv1d",
        f"Conv1D: {d.rows} texts{column}, {task}; convolutions over word vectors find "
        "telling phrases wherever they occur",
    )
    lstm = (
        "lstm",
        f"LSTM: {d.rows} texts{column}, {task}; a bidirectional LSTM reads each word "
        "in the context of the whole text",
    )
    ranked = [conv, lstm]
    if d.text_column:
        words = d.text_tokens
        few = bool(words) and d.rows / words < SAMPLES_PER_WORD_FOR_SEQUENCES
        why = (
            f"with {d.rows} texts of about {words:.0f} words (fewer than "
            f"{SAMPLES_PER_WORD_FOR_SEQUENCES} texts per word), word counts usually beat "
            "word order"
            if few
            else "fast and a strong baseline"
        )
        dense = ("dense", f"Dense: {d.rows} texts{column}, {task}; a bag of words, {why}")
        ranked = [dense, *ranked] if few else [*ranked, dense]
    return ranked
