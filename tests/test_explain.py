"""`automl explain` and `automl.explain(...)` on tiny real searches, with known answers.

A table where two of eight columns carry the signal, series whose class is a bump at a
known place, text where one word decides the label; and bad input (exit 2, one line).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import automl
from automl.cli import main

pytestmark = pytest.mark.slow  # each test trains a model in a tiny search

SIGNAL = ("x2", "x5")


def _table(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=400) for i in range(8)})
    frame["label"] = np.where(frame["x2"] + frame["x5"] > 0, "up", "down")
    path = tmp_path / "signal.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def table_model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("table")
    data = _table(tmp)
    automl.search(data, "label", tmp / "exp", max_trials=1, epochs=5, refit=False, cv=None)
    return tmp, data


def test_the_two_signal_columns_rank_first(table_model, capsys):
    tmp, data = table_model
    out = tmp / "explained"
    code = main(["explain", str(tmp / "exp"), str(data), "--out", str(out), "--rows", "0,3"])
    printed = capsys.readouterr().out
    assert code == 0
    table = pd.read_csv(out / "importance.csv")
    assert list(table.columns) == ["feature", "importance", "spread"]
    assert set(table["feature"].head(2)) == set(SIGNAL)
    assert table["importance"].is_monotonic_decreasing
    assert "permutation importance" in printed and "x2" in printed
    record = json.loads((out / "explain.json").read_text())
    assert record["source"] == "the experiment's test split"
    assert record["examples"] == 80  # 20% of 400 rows
    assert [r["row"] for r in record["rows"]] == [0, 3]
    rows = pd.read_csv(out / "rows.csv")
    assert len(rows) == 2 * 8 and set(rows.columns) == {"row", "feature", "value", "contribution"}
    assert "<svg" in (out / "explanations.html").read_text()
    card = (tmp / "exp" / "model" / "model_card.html").read_text()
    assert "What the model looks at" in card and "row 0, predicted" in card


def test_an_ignored_signal_column_drops_to_the_bottom(table_model):
    tmp, data = table_model
    automl.search(
        data, "label", tmp / "ignored", ignore=["x5"], max_trials=1, epochs=5, refit=False, cv=None
    )
    explanation = automl.explain(tmp / "ignored", data, tmp / "ignored_out")
    table = explanation.importance
    assert table["feature"].iloc[0] == "x2"
    ranks = list(table["feature"])
    assert table.set_index("feature").loc["x5", "importance"] == 0.0
    assert ranks.index("x5") >= len(ranks) - 3  # with the noise columns, at about zero


def test_new_rows_without_the_target_get_their_own_explanations(table_model, tmp_path, capsys):
    tmp, data = table_model
    new = tmp_path / "new.csv"
    pd.read_csv(data).drop(columns=["label"]).head(5).to_csv(new, index=False)
    out = tmp_path / "rows"
    code = main(["explain", str(tmp / "exp"), str(new), "--out", str(out), "--rows", "2"])
    capsys.readouterr()
    assert code == 0
    rows = pd.read_csv(out / "rows.csv")
    assert list(rows["row"].unique()) == [2] and len(rows) == 8
    assert pd.read_csv(out / "importance.csv").empty  # nothing to compare predictions with
    assert "not measured" in json.loads((out / "explain.json").read_text())["importance"]["method"]
    # Without --rows there is nothing it can explain: one line, exit 2.
    assert main(["explain", str(tmp / "exp"), str(new), "--out", str(out)]) == 2
    assert "no target column 'label'" in capsys.readouterr().err


def test_bad_input_is_one_line_and_exit_2(table_model, tmp_path, capsys):
    tmp, data = table_model

    def refused(*args):
        code = main(["explain", *map(str, args), "--out", str(tmp_path / "o")])
        lines = capsys.readouterr().err.splitlines()
        assert code == 2
        assert len(lines) == 1 and lines[0].startswith("automl: error:"), lines
        return lines[0]

    assert "not an exported model" in refused(tmp_path, data)
    wrong = tmp_path / "wrong.csv"
    pd.read_csv(data).drop(columns=["x3"]).to_csv(wrong, index=False)
    assert "'x3'" in refused(tmp / "exp", wrong)
    assert "out of range" in refused(tmp / "exp", data, "--rows", "400")
    assert "row numbers" in refused(tmp / "exp", data, "--rows", "a,b")
    assert "nowhere.csv" in refused(tmp / "exp", tmp_path / "nowhere.csv")


def test_the_bump_class_attribution_peaks_inside_the_bump(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(0, 0.3, (160, 40, 1)).astype("float32")
    y = np.array(["bump", "flat"] * 80)
    x[y == "bump", 24:30, 0] += 3.0
    np.savez(tmp_path / "bump.npz", X=x, y=y)
    # conv1d standardises each series: the flat baseline is its singular point, so this
    # also checks the noise baseline that replaces it.
    automl.search(
        tmp_path / "bump.npz",
        None,
        tmp_path / "exp",
        max_trials=1,
        epochs=3,
        cv=3,
        families=["conv1d"],
    )
    explanation = automl.explain(
        tmp_path / "exp", tmp_path / "bump.npz", tmp_path / "out", rows=[0]
    )
    assert explanation.method.startswith("integrated gradients")
    assert explanation.checks["completeness"]["within"], explanation.checks
    per_step = explanation.by_output["bump"]
    top = per_step["feature"].iloc[0]
    assert 25 <= int(top.split()[1]) <= 30, per_step.head()
    assert (tmp_path / "out" / "series.csv").exists()
    assert "channel x" in set(explanation.importance["feature"])


def test_the_deciding_word_tops_the_list(tmp_path):
    rng = np.random.default_rng(0)
    filler = [f"w{i}" for i in range(30)]
    texts, labels = [], []
    for i in range(300):
        words = list(rng.choice(filler, 8))
        if i % 2:
            words.insert(int(rng.integers(0, 8)), "excellent")
        texts.append(" ".join(words))
        labels.append("good" if i % 2 else "bad")
    data = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "label": labels}).to_csv(data, index=False)
    automl.search(data, "label", tmp_path / "exp", max_trials=1, epochs=5, cv=None)
    explanation = automl.explain(tmp_path / "exp", data, tmp_path / "out", rows=[1])
    assert explanation.importance["feature"].iloc[0] == "excellent"
    assert explanation.by_output["good: words"]["feature"].iloc[0] == "excellent"
    assert "excellent" in (tmp_path / "out" / "rows.html").read_text()
    # New reviews without a label: words are weighed by the model's own predictions.
    new = tmp_path / "new.csv"
    pd.DataFrame({"review": texts[:40]}).to_csv(new, index=False)
    fresh = automl.explain(tmp_path / "exp", new, tmp_path / "new_out", rows=[1])
    assert fresh.importance["feature"].iloc[0] == "excellent"
    assert "excellent" in (tmp_path / "new_out" / "rows.html").read_text()
