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


def generated_names(quick: bool, small: bool = False) -> list[str]:
    """Returns the generated sets a run includes, in `GENERATED`'s order.

    By default every set not marked small; `quick`: one per modality (those marked quick);
    `small`: the small-data sets, alone or (with `quick`) after the quick ones.
    """
    from generators import GENERATED

    def wanted(spec) -> bool:
        if spec.small:
            return small
        return (spec.quick or not quick) and (quick or not small)

    return [name for name, spec in GENERATED.items() if wanted(spec)]


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
    """Returns the names of the sets to run, in order: samples first, then generated.

    `--small` alone runs exactly the small sets; `--quick --small` the samples, the quick
    sets and the small ones; `--only` picks by name from all of them.
    """
    from generators import GENERATED

    small = bool(getattr(args, "small", False))
    every = [s.name for s in sample_sets()] + list(GENERATED)
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in every]
        if unknown:
            raise SystemExit(
                f"--only: unknown data set {', '.join(unknown)}; choose from {', '.join(every)}"
            )
        return [name for name in every if name in wanted]
    samples = [s.name for s in sample_sets()] if args.quick or not small else []
    return samples + generated_names(quick=args.quick, small=small)


def list_sets() -> str:
    """Returns the data sets, one a line: name, modality, what it is, and [--quick] or
    [--small] where those options run it."""
    from generators import GENERATED

    lines = [f"{s.name:28} {s.modality:9} {s.description}" for s in sample_sets()]
    for name, spec in GENERATED.items():
        mark = " [--quick]" if spec.quick else " [--small]" if spec.small else ""
        lines.append(f"{name:28} {spec.modality:9} generated: {spec.description}{mark}")
    return "\n".join(lines)
