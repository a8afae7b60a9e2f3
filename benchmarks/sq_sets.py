"""search_quality's data sets: the bundled samples and the generated ones, and which to run."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "samples"


@dataclass(frozen=True)
class BenchmarkSet:
    """A data set to benchmark: its file, how `automl.search` reads it, and what it is."""

    name: str
    modality: str  # table, image, series, text, forecast
    path: str
    target: str = ""
    options: dict = field(default_factory=dict)  # extra automl.search arguments
    description: str = ""
    generated: bool = False


def sample_sets() -> list[BenchmarkSet]:
    """Returns the bundled samples, read as `automl demo --sample NAME` reads them."""
    return [
        BenchmarkSet(
            "penguins",
            "table",
            str(SAMPLES / "penguins.csv"),
            "species",
            description="sample: 344 penguins, 3 species, numeric + categorical, missing values",
        ),
        BenchmarkSet(
            "digits",
            "image",
            str(SAMPLES / "digits"),
            description="sample: 1797 8x8 grayscale hand-written digits, 10 classes",
        ),
        BenchmarkSet(
            "shapes",
            "series",
            str(SAMPLES / "shapes.npz"),
            description="sample: 600 series of 60-80 steps, 4 shapes at random places",
        ),
        BenchmarkSet(
            "sunspots",
            "forecast",
            str(SAMPLES / "sunspots.csv"),
            "sunspots",
            {"lookback": 20, "horizon": 5, "time_column": "year"},
            description="sample: yearly sunspot numbers 1700-2008, 5 years ahead from 20",
        ),
    ]


def generated_names(quick: bool) -> list[str]:
    """Returns the generated sets a run includes: one per modality with --quick, else all."""
    from generators import GENERATED

    return [name for name, spec in GENERATED.items() if spec.quick or not quick]


def write_generated(names: Sequence[str], folder: Path) -> list[BenchmarkSet]:
    """Writes the generated sets `names` under `folder`; returns them as benchmark sets."""
    from generators import GENERATED, write_set

    sets = []
    for name in names:
        spec = GENERATED[name]
        path = write_set(spec, folder)
        sets.append(
            BenchmarkSet(
                name,
                spec.modality,
                str(path),
                spec.target,
                dict(spec.search_options),
                description=f"generated: {spec.description}",
                generated=True,
            )
        )
    return sets


def choose_sets(args: argparse.Namespace) -> list[str]:
    """Returns the names of the sets to run, in order: samples first, then generated."""
    every = [s.name for s in sample_sets()] + generated_names(quick=False)
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in every]
        if unknown:
            raise SystemExit(
                f"--only: unknown data set {', '.join(unknown)}; choose from {', '.join(every)}"
            )
        return [name for name in every if name in wanted]
    return [s.name for s in sample_sets()] + generated_names(quick=args.quick)


def list_sets() -> str:
    """Returns the data sets, one a line: name, modality, what it is, [--quick] if it runs there."""
    from generators import GENERATED

    lines = [f"{s.name:28} {s.modality:9} {s.description}" for s in sample_sets()]
    for name, spec in GENERATED.items():
        quick = " [--quick]" if spec.quick else ""
        lines.append(f"{name:28} {spec.modality:9} generated: {spec.description}{quick}")
    return "\n".join(lines)
