"""The Results page's Explain view: on a hand-written explain folder, with a fake engine at
the edge, and once end to end with the real `automl explain`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from automl.experiment import layout
from automl.experiment.events import SearchStarted, TrialEnded, TrialStarted
from automl.explain.evaluation import evaluate
from desktop.pages.results.explain_view import NOT_EXPLAINED, ExplainView

ENGINE_TIMEOUT_MS = 120_000
FEATURES = ["bill_length_mm", "flipper_length_mm", "island", "sex"]


def write_experiment(folder: Path, trials: int = 12) -> dict:
    """Writes an experiment whose score depends on learning_rate; returns its report."""
    rng = np.random.default_rng(0)
    started = SearchStarted(
        time=0.0,
        experiment=str(folder),
        data=str(folder / "data.csv"),
        task="binary",
        target="sex",
        tuner="random",
        objective="val_accuracy",
        direction="max",
        max_trials=trials,
        time_budget_s=None,
        max_epochs=2,
        rows={},
    )
    lines = [started.to_dict()]
    for i in range(trials):
        hp = {"learning_rate": float(10 ** rng.uniform(-4, -1)), "units": int(rng.choice([8, 64]))}
        score = 0.9 - 0.1 * (np.log10(hp["learning_rate"]) + 2.5) ** 2
        lines.append(TrialStarted(time=1.0, trial_id=str(i), hyperparameters=hp).to_dict())
        ended = TrialEnded(
            time=2.0,
            trial_id=str(i),
            score=float(score),
            best_epoch=1,
            epochs=2,
            duration_s=1.0,
            metrics={},
            hyperparameters=hp,
        )
        lines.append(ended.to_dict())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / layout.EVENTS).write_text("\n".join(json.dumps(line) for line in lines))
    actual = np.array([0, 0, 1, 1, 0, 1])
    p = np.array([0.2, 0.7, 0.4, 0.9, 0.1, 0.8])
    analysis = evaluate("binary", actual, np.stack([1 - p, p], 1), ["female", "male"]).to_dict()
    model = folder / layout.MODEL_DIR
    model.mkdir()
    metadata = {"task": "binary", "data": {"file": str(folder / "data.csv")}}
    (model / "metadata.json").write_text(json.dumps(metadata))
    return {"evaluation": {"analysis": analysis}}


def write_explanation(out: Path) -> None:
    """Writes what `automl explain` leaves: importance.csv and explain.json."""
    out.mkdir(parents=True, exist_ok=True)
    rows = ["feature,importance,spread"] + [
        f"{name},{0.4 / (i + 1):.3f},0.01" for i, name in enumerate(FEATURES)
    ]
    (out / "importance.csv").write_text("\n".join(rows) + "\n")
    record = {"importance": {"method": "permutation importance", "meaning": "accuracy drop"}}
    (out / "explain.json").write_text(json.dumps(record))


def left_labels(plot) -> list[str]:
    ticks = plot.getAxis("left")._tickLevels
    return [label for _, label in sorted(ticks[0], key=lambda t: -t[0])] if ticks else []


@pytest.fixture()
def view(qtbot) -> ExplainView:
    widget = ExplainView()
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    return widget


def show(qtbot, view: ExplainView, folder: Path, report: dict) -> None:
    view.show_experiment(folder, report)
    qtbot.waitUntil(lambda: view.choices is not None, timeout=20_000)


def test_an_existing_explain_folder_is_read_and_drawn(qtbot, view, tmp_path):
    folder = tmp_path / "exp"
    report = write_experiment(folder)
    write_explanation(folder / "explain")
    show(qtbot, view, folder, report)
    assert view.importance.features == FEATURES
    assert left_labels(view.importance_plot) == FEATURES  # most important on top
    assert view.status_label.text() == "Explained by permutation importance: accuracy drop"
    assert view.explain_button.text() == "Explain again"
    # Evaluation: per class, ROC with the model's point, precision-recall, reliability.
    table = view.class_table
    assert [table.item(r, 0).text() for r in range(2)] == ["female", "male"]
    assert table.item(1, 2).text() == "0.667"  # recall of male: 2 of 3
    titles = [p.plotItem.titleLabel.text for p in view.evaluation_plots]
    assert titles[0].startswith("ROC") and "AUC 0.889" in titles[0]
    assert titles[1].startswith("Precision-recall")
    assert titles[2].startswith("Reliability")
    assert "threshold 0.5" in [
        item.toPlainText()
        for item in view.evaluation_plots[0].plotItem.items
        if hasattr(item, "toPlainText")
    ]
    assert "it predicts male above a probability of 0.5" in view.evaluation_label.text()
    # Which choices mattered: learning_rate first, one parallel line per trial.
    assert view.choices.enough and list(view.choices.importance)[0] == "learning_rate"
    assert left_labels(view.choices_plot)[0] == "learning_rate"
    assert view.choices_label.text().startswith("Over 12 completed trials, learning_rate")
    lines = [i for i in view.parallel.plotItem.items if i.__class__.__name__ == "PlotDataItem"]
    assert len(lines) == 12
    assert "units: 8 (low) … 64 (high)" in view.parallel.toolTip()
    view.grab().save(str(tmp_path / "explain.png"))


def test_too_few_trials_and_no_explanation_say_so(qtbot, view, tmp_path):
    folder = tmp_path / "exp"
    report = write_experiment(folder, trials=3)
    show(qtbot, view, folder, report)
    assert view.importance is None
    assert view.status_label.text() == NOT_EXPLAINED
    assert view.explain_button.text() == "Explain" and view.explain_button.isEnabled()
    assert view.choices_label.text() == (
        "Not enough trials: hyperparameter importance needs 8 completed trials, this search has 3."
    )
    assert left_labels(view.choices_plot) == []


def fake_engine(view: ExplainView, script: str) -> list[list[str]]:
    """Makes the view's engine process run `script` with the arguments it was given."""
    process, calls = view.task.process, []

    def start(arguments: list[str], working_dir: str | None = None) -> None:
        calls.append(arguments)
        process.stop_requested = False
        process.process.start(sys.executable, ["-c", script, *arguments])

    process.start = start
    return calls


WRITES_EXPLANATION = f"""
import sys, time
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parent.parent)!r})
from tests.test_gui_explain import write_explanation
print("explain: permutation importance, column 2 of 4", file=sys.stderr, flush=True)
time.sleep(1.5)
write_explanation(Path(sys.argv[sys.argv.index("--out") + 1]))
"""


def test_explain_runs_the_engine_shows_progress_and_reads_the_result(qtbot, view, tmp_path):
    folder = tmp_path / "exp"
    report = write_experiment(folder)
    show(qtbot, view, folder, report)
    calls = fake_engine(view, WRITES_EXPLANATION)
    view.explain_button.click()
    assert calls == [
        [
            "explain",
            str(folder / "model"),
            str(folder / "data.csv"),
            "--out",
            str(folder / "explain"),
        ]
    ]
    assert not view.explain_button.isEnabled() and view.cancel_button.isVisibleTo(view)
    qtbot.waitUntil(
        lambda: view.progress.format() == "explain: permutation importance, column 2 of 4",
        timeout=ENGINE_TIMEOUT_MS,
    )
    qtbot.waitUntil(lambda: view.importance is not None, timeout=ENGINE_TIMEOUT_MS)
    assert view.importance.features == FEATURES
    assert view.explain_button.isEnabled() and not view.progress.isVisibleTo(view)


def test_cancel_ends_the_engine_and_keeps_the_view_usable(qtbot, view, tmp_path):
    folder = tmp_path / "exp"
    show(qtbot, view, folder, write_experiment(folder))
    fake_engine(view, "import time; time.sleep(60)")
    view.explain()
    assert view.task.running
    view.cancel_button.click()
    qtbot.waitUntil(lambda: not view.task.running, timeout=10_000)
    assert view.status_label.text().startswith("Cancelled")
    assert view.findChild(QMessageBox, "errorDialog") is None
    assert view.explain_button.isEnabled()


def test_an_engine_error_shows_its_line_in_a_dialog(qtbot, view, tmp_path):
    folder = tmp_path / "exp"
    show(qtbot, view, folder, write_experiment(folder))
    message = "the data's columns do not match the model: missing 'island'"
    fake_engine(
        view, f"import sys; print({'automl: error: ' + message!r}, file=sys.stderr); sys.exit(2)"
    )
    view.explain()
    qtbot.waitUntil(lambda: view.findChild(QMessageBox, "errorDialog") is not None, timeout=20_000)
    assert view.findChild(QMessageBox, "errorDialog").text() == message
    assert view.status_label.text() == f"Explain failed: {message}"
    assert view.explain_button.isEnabled()


@pytest.fixture()
def results_page(qtbot, penguins_run):
    from desktop.pages.results_page import ResultsPage
    from desktop.state import StudioState

    assert penguins_run["returncode"] == 0, penguins_run["stderr"][-2000:]
    state = StudioState()
    state.set_experiment(penguins_run["out"])
    page = ResultsPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show_experiment(state.experiment)
    return page


def test_the_results_page_explains_a_real_search(qtbot, results_page):
    """The Explain tab on a real penguins search: its per-class scores and its 2 trials."""
    view = results_page.explain_view
    results_page.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.choices is not None, timeout=20_000)
    table = view.class_table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "Adelie",
        "Chinstrap",
        "Gentoo",
    ]
    assert view.evaluation_plots[0].plotItem.titleLabel.text.startswith("Reliability")
    assert view.choices_label.text().endswith("this search has 2.")
    assert view.explain_button.isEnabled()


def test_explain_end_to_end_with_the_real_engine(qtbot, results_page):
    view = results_page.explain_view
    view.explain_button.click()
    qtbot.waitUntil(lambda: not view.task.running, timeout=300_000)
    qtbot.waitUntil(lambda: view.importance is not None, timeout=20_000)
    assert {"island", "bill_length_mm", "flipper_length_mm"} <= set(view.importance.features)
    assert view.explain_button.text() == "Explain again"
    record = json.loads((results_page.experiment / "explain" / "explain.json").read_text())
    assert [s["title"] for s in record["sections"]][-2:] == [
        "How the model does on the test rows",
        "Which choices mattered",
    ]


def test_the_evaluation_automl_explain_wrote_replaces_the_searchs(qtbot, view, tmp_path):
    """explain.json's evaluation section knows the most important column: it is drawn."""
    folder = tmp_path / "exp"
    write_experiment(folder)
    write_explanation(folder / "explain")
    a = np.linspace(0, 1, 30)
    analysis = evaluate(
        "regression", 2 * a, np.ones(30), columns={"bill_length_mm": a}, importance=FEATURES
    )
    record = json.loads((folder / "explain" / "explain.json").read_text())
    record["sections"] = [{"title": "Evaluation", "evaluation": analysis.to_dict()}]
    (folder / "explain" / "explain.json").write_text(json.dumps(record))
    show(qtbot, view, folder, {"evaluation": {}})
    qtbot.waitUntil(lambda: view.analysis.get("residuals") is not None, timeout=10_000)
    titles = [p.plotItem.titleLabel.text for p in view.evaluation_plots if p.isVisibleTo(view)]
    assert [t.split("&")[0] for t in titles] == ["Residuals", "Residuals by bill_length_mm"]
    assert view.evaluation_label.text().startswith(
        "Residuals against bill_length_mm: the most important column (importance.csv)"
    )
    assert not view.class_table.isVisibleTo(view)
