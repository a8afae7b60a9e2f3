"""A sixth kind of data from this one module: "pairs", proof that a kind needs no other file.

A `.pairs` file holds one example per line: two numbers and a label ("0.3 0.9 up"). The
kind reads it as a 2-step series and reuses the engine's series pieces. The test names
this module in `AUTOML_MODALITIES` and runs `automl search` (export with its parity
check), `automl export` (checked again) and `automl predict` through the CLI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from automl.errors import AutoMLError
from automl.modalities import Option, Prepared

ROOT = Path(__file__).resolve().parents[1]


def read_pairs(path: Path) -> tuple[np.ndarray, list[str]]:
    """Returns the pairs as float32 (rows, 2 steps, 1 feature) and their labels ("" if none)."""
    values, labels = [], []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        words = line.split()
        try:
            values.append([float(words[0]), float(words[1])])
        except (IndexError, ValueError):
            raise AutoMLError(f"{path} line {number}: write two numbers, then a label") from None
        labels.append(words[2] if len(words) > 2 else "")
    return np.asarray(values, dtype=np.float32)[:, :, None], labels


class PairsModality:
    """Two numbers and a label per line, classified as a 2-step series."""

    name = "pairs"
    priority = 5
    options: tuple[Option, ...] = ()

    def recognises(self, request: Any) -> bool:
        return Path(request.data).suffix == ".pairs"

    def check_request(self, request: Any) -> None:
        return None

    def prepare(self, request: Any) -> Prepared:
        import pandas as pd

        from automl.data.splits import split_rows
        from automl.data.task import infer_task
        from automl.modalities.series_data import SequenceSet
        from automl.modalities.series_prepared import PreparedSequences
        from automl.search.metrics import choose_objective

        x, names = read_pairs(Path(request.data))
        task = infer_task(pd.Series(names, name="label"), request.task)
        labels = np.asarray([task.class_names.index(n) for n in names], dtype=np.int64)
        sequences = SequenceSet(
            x, np.asarray(names), np.full(len(x), 2), ("value",), np.arange(len(x)), "pairs", ""
        )
        splits = split_rows(
            np.arange(len(x)),
            labels,
            seed=request.seed,
            validation_fraction=request.validation_split,
            test_fraction=request.test_split,
        )
        return PreparedSequences(
            modality=self.name,
            splits=splits,
            objective=choose_objective(request.metric, True),
            classification=True,
            task_kind=task.kind.value,
            target="label",
            task_reason=task.reason,
            class_names=task.class_names,
            rows=len(x),
            sequences=sequences,
            test_sequences=None,
            task=task,
            labels=labels,
            test_labels=labels[splits.test],
            options={},
        )

    def feeds(self, prepared: Prepared) -> Any:
        from automl.modalities.series_feeds import SeriesFeeds

        return SeriesFeeds(prepared)

    def proposals(self, prepared: Prepared) -> list[dict]:
        from automl.propose import propose_for_sequences

        return propose_for_sequences({**self.summary(prepared), "modality": "series"})

    def summary(self, prepared: Prepared) -> dict:
        from automl.modalities.series import series_summary

        return series_summary(prepared, prepared.sequences.X)

    def serving_from_metadata(self, metadata: dict) -> Any:
        from automl.export.savedmodel import series_serving

        return series_serving(metadata)

    def predict_file(self, model_dir: Path, metadata: dict, data: Path) -> Any:
        import pandas as pd

        from automl.export.predict import Predictions, labelled, serve_in_batches

        x, _ = read_pairs(data)
        frame = pd.DataFrame({"first": x[:, 0, 0], "second": x[:, 1, 0]})
        outputs = serve_in_batches(model_dir, {"series": x})
        return Predictions(frame.assign(**labelled(outputs, metadata)), ())


MODALITY = PairsModality()


def _write_pairs(path: Path, rows: int, seed: int, labels: bool = True) -> Path:
    rng = np.random.default_rng(seed)
    lines = []
    for first, second in rng.uniform(0, 1, (rows, 2)):
        label = f" {'up' if second > first else 'down'}" if labels else ""
        lines.append(f"{first:.3f} {second:.3f}{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "AUTOML_MODALITIES": "test_pairs_kind",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
    }
    import sys

    return subprocess.run(
        [sys.executable, "-m", "automl", *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )


def test_a_kind_from_one_module_searches_exports_and_predicts(tmp_path):
    data = _write_pairs(tmp_path / "train.pairs", 160, 0)
    out = tmp_path / "experiment"
    done = _cli(
        "search", str(data), "--out", str(out), "--max-trials", "1", "--epochs", "2",
        "--families", "conv1d", "--no-refit",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["modality"] == "pairs"
    assert summary["class_names"] == ["down", "up"]
    parity = summary["model"]["parity"]  # a failed check would have ended the export
    assert parity["rows_compared"] > 0 and parity["max_abs_diff"] < 1e-4
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert metadata["modality"] == "pairs"
    assert json.loads((out / "experiment.json").read_text())["modality"] == "pairs"

    exported = _cli("export", str(out), "--to", str(tmp_path / "copy"))
    assert exported.returncode == 0, exported.stderr[-2000:]
    copied = json.loads((tmp_path / "copy" / "metadata.json").read_text())
    assert copied["parity"]["rows_compared"] == parity["rows_compared"]

    new = _write_pairs(tmp_path / "new.pairs", 7, 1, labels=False)
    predicted = _cli("predict", str(tmp_path / "copy"), str(new), "-o", str(tmp_path / "p.csv"))
    assert predicted.returncode == 0, predicted.stderr[-2000:]
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert lines[0] == "first,second,prediction,proba_down,proba_up"
    assert len(lines) == 8
    assert all(re.search(r",(up|down),", line) for line in lines[1:])


def test_the_kind_is_found_by_the_registry_and_forced_with_modality(tmp_path, monkeypatch):
    from automl.modalities import modality_for, names
    from automl.search.request import SearchRequest

    monkeypatch.setenv("AUTOML_MODALITIES", "test_pairs_kind")
    assert names()[0] == "pairs"  # priority 5: asked before images and series
    data = _write_pairs(tmp_path / "d.pairs", 20, 0)
    request = SearchRequest(data=data, target="", out=tmp_path / "o")
    assert modality_for(request).name == "pairs"
    table = SearchRequest(data=data, target="", out=tmp_path / "o", modality="table")
    assert modality_for(table).name == "table"
