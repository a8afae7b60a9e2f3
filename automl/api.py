"""The notebook face of the engine: `automl.search(...)` and `automl.explain(...)`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automl.search.budget import parse_duration


def search(
    data: str | Path,
    target: str,
    out: str | Path,
    *,
    task: str | None = None,
    ignore: list[str] | tuple[str, ...] = (),
    column_types: dict[str, str] | None = None,
    test_file: str | Path | None = None,
    validation_split: float = 0.2,
    tuner: str = "random",
    metric: str | None = None,
    max_trials: int | None = None,
    time_budget: str | float | None = None,
    epochs: int = 100,
    seed: int = 0,
    refit: bool | None = None,
    cv: int | None = None,
    overwrite: bool = False,
    formats: tuple[str, ...] = (),
    space: dict[str, dict] | None = None,
    device: str | None = None,
    patience: int | None = None,
    families: list[str] | tuple[str, ...] = (),
    modality: str | None = None,
    keep_checkpoints: int | None = 3,
    checkpoint_every_s: float = 30.0,
    tensorboard: bool = False,
    ensemble: int = 1,
    workers: int | None = None,
    **options: Any,
):
    """Runs a search and returns a `SearchResult` (leaderboard, test metrics, model path).

    Same options as `automl search`; `time_budget` takes seconds or text like "10m".
    The kinds' own options are keywords too (`lookback=24, horizon=6`, `image_column=`,
    `id_column=`...: see `automl.modalities.options()`).

    Raises:
        AutoMLError: bad input (missing file or column, impossible budget, ...).

    Example:
        >>> result = automl.search("penguins.csv", "species", "runs/p", time_budget="2m")
        >>> result.test_metrics["accuracy"], result.model_path
    """
    from automl.search.request import SearchRequest
    from automl.search.run import run_search
    from automl.store import ProjectIndexer

    budget = None
    if time_budget is not None:
        budget = parse_duration(time_budget) if isinstance(time_budget, str) else float(time_budget)
    request = SearchRequest(
        data=Path(data),
        target=target,
        out=Path(out),
        task=task,
        ignore=tuple(ignore),
        column_types=dict(column_types or {}),
        test_file=Path(test_file) if test_file else None,
        validation_split=validation_split,
        tuner=tuner,
        metric=metric,
        max_trials=max_trials,
        time_budget_s=budget,
        max_epochs=epochs,
        seed=seed,
        refit=refit,
        cv=cv,
        overwrite=overwrite,
        formats=tuple(formats),
        space=dict(space or {}),
        device=device,
        patience=patience,
        families=tuple(families),
        modality=modality,
        options=options,
        keep_checkpoints=keep_checkpoints,
        checkpoint_every_s=checkpoint_every_s,
        tensorboard=tensorboard,
        ensemble=ensemble,
        workers=workers,
    )
    return run_search(request, listeners=(ProjectIndexer(),))


def explain(
    model_dir: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    target: str | None = None,
    rows: list[int] | tuple[int, ...] = (),
):
    """Returns an `Explanation` of an exported model on `data`, its files written into `out`.

    Same as `automl explain`: `importance.csv`, `explain.json`, `explanations.html` and the
    local explanations of `rows` (positions in `data`). When `data` is the file the model's
    experiment searched, the global importance uses its test split.

    Raises:
        AutoMLError: not an exported model, data that does not match it, a row out of range.

    Example:
        >>> explanation = automl.explain("runs/p", "penguins.csv", "runs/p-explained")
        >>> explanation.importance.head()
    """
    from automl.explain.run import explain as run_explain

    return run_explain(model_dir, data, out, target=target, rows=rows)
