"""Searches killed with SIGKILL at a random moment, then resumed: nothing lost, nothing twice.

    python benchmarks/chaos.py [--runs 20] [--seed 0] [--epochs 3] [--max-trials 6]

Each run searches the penguins sample (random, Bayesian and Hyperband tuners in turn, with
`--keep-checkpoints 1` and a resume point every epoch), is killed with SIGKILL at a
moment drawn at random from four phases, then taken up again with `automl resume`:

- training: a random number of epochs in, plus up to half a second;
- checkpoint: the moment a resume point or a trial's weights are being written;
- indexing: as a trial ends (its event written, the project index being updated);
- export: up to 4 s after the search ended (refit, export, the parity check).

For each run it prints the trials completed before the kill and after the resume, and
checks that no completed trial was lost or trained again, that the resumed search exported
a model whose parity (metadata.json) is below 1e-5, and at the end that
`automl experiments ls` lists every experiment as completed. Exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PENGUINS = ROOT / "assets" / "samples" / "penguins.csv"
TUNERS = ("random", "bayesian", "hyperband")
PHASES = ("training", "checkpoint", "indexing", "export")


def automl(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Returns the finished `python -m automl ARGS`."""
    return subprocess.run(
        [sys.executable, "-m", "automl", *args], capture_output=True, text=True, **kwargs
    )


def ended_trials(folder: Path) -> list[str]:
    """Returns the ids of every `trial_ended` event in the folder's events.jsonl, in order."""
    ids = []
    for line in (folder / "events.jsonl").read_text(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut by the kill
        if event.get("type") == "trial_ended":
            ids.append(event["trial_id"])
    return ids


def writing_checkpoint(folder: Path) -> bool:
    """Returns whether a resume point or a trial's weights are being written now."""
    tuner = folder / "tuner"
    return any(tuner.glob("trial_*/resume.partial")) or any(tuner.glob("trial_*/partial-*"))


def search_and_kill(out: Path, tuner: str, phase: str, draw: random.Random, args) -> str:
    """Runs a search in `out` and SIGKILLs it in `phase`; returns when it died."""
    search = subprocess.Popen(
        [
            sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
            "--tuner", tuner, "--out", str(out), "--epochs", str(args.epochs),
            "--max-trials", str(args.max_trials), "--keep-checkpoints", "1",
            "--checkpoint-every", "0", "--seed", str(draw.randrange(1000)), "--events", "-",
        ],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    began = time.monotonic()
    killed = threading.Event()

    def kill(after_s: float = 0.0) -> None:
        time.sleep(after_s)
        if not killed.is_set() and search.poll() is None:
            search.send_signal(signal.SIGKILL)
            killed.set()

    def watch_checkpoints() -> None:
        while search.poll() is None and not killed.is_set():
            if writing_checkpoint(out):
                kill()
            time.sleep(0.002)

    epochs_left = draw.randint(1, args.max_trials * 2)
    seen_epoch = False
    moment = "never (the search ended first)"
    for line in search.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        kind = event.get("type")
        if phase == "training" and kind == "epoch_ended":
            epochs_left -= 1
            if epochs_left == 0:
                kill(draw.uniform(0, 0.5))
        elif phase == "checkpoint" and kind == "epoch_ended" and not seen_epoch:
            seen_epoch = True
            threading.Thread(target=watch_checkpoints, daemon=True).start()
        elif phase == "indexing" and kind == "trial_ended" and draw.random() < 0.5:
            kill()
        elif phase == "export" and kind == "search_ended":
            threading.Thread(target=kill, args=(draw.uniform(0, 4),), daemon=True).start()
        if killed.is_set():
            moment = f"{time.monotonic() - began:.1f} s in, at or after {kind}"
            break
    search.stdout.close()
    search.wait()
    if killed.is_set() and moment.startswith("never"):
        moment = f"{time.monotonic() - began:.1f} s in"
    return moment


def one_run(index: int, project: Path, draw: random.Random, args) -> tuple[str, list[str]]:
    """Returns the run's name and the problems found (none: it passed)."""
    tuner, phase = TUNERS[index % len(TUNERS)], draw.choice(PHASES)
    name = f"chaos-{index:02d}-{tuner}"
    out = project / "experiments" / name
    moment = search_and_kill(out, tuner, phase, draw, args)
    before = ended_trials(out) if (out / "events.jsonl").exists() else []
    problems = []
    if (out / "summary.json").exists():
        resumed = "not needed (it had finished)"
    else:
        done = automl("resume", str(out))
        resumed = f"exit {done.returncode}"
        if done.returncode != 0:
            problems.append(f"resume exited {done.returncode}: {done.stderr.strip()[-300:]}")
    after = ended_trials(out) if (out / "events.jsonl").exists() else []
    twice = sorted(t for t, n in Counter(after).items() if n > 1)
    lost = sorted(set(before) - set(after))
    if twice:
        problems.append(f"trained twice: {twice}")
    if lost:
        problems.append(f"lost: {lost}")
    parity = None
    try:
        metadata = json.loads((out / "model" / "metadata.json").read_text())
        parity = float(metadata["parity"]["max_abs_diff"])
    except (OSError, ValueError, KeyError):
        problems.append("no exported model with a parity check")
    if parity is not None and not parity < 1e-5:
        problems.append(f"parity {parity:.1e} >= 1e-5")
    shown = "-" if parity is None else f"{parity:.1e}"
    print(
        f"run {index:2d}  {tuner:<9}  killed in {phase:<10} ({moment}); resume {resumed}; "
        f"trials completed before {len(set(before))}, after {len(set(after))}; "
        f"twice {len(twice)}, lost {len(lost)}; parity {shown}  "
        f"{'ok' if not problems else 'FAILED: ' + '; '.join(problems)}",
        flush=True,
    )
    return name, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max-trials", type=int, default=6)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    draw = random.Random(args.seed)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory(prefix="automl-chaos-") as scratch:
        project = args.keep or Path(scratch) / "project"
        (project / "experiments").mkdir(parents=True, exist_ok=True)
        failed = 0
        names = []
        for index in range(args.runs):
            name, problems = one_run(index, project, draw, args)
            names.append(name)
            failed += bool(problems)
        listed = automl("experiments", "ls", "--project", str(project))
        rows = {cells[0]: cells for line in listed.stdout.splitlines() if (cells := line.split())}
        wrong = [n for n in names if n not in rows or rows[n][1] != "completed"]
        print(
            f"experiments ls: {len(names) - len(wrong)} of {len(names)} listed as completed"
            + (f"; wrong: {', '.join(wrong)}" if wrong else "")
        )
    print(f"{args.runs - failed} of {args.runs} runs passed every check")
    return 1 if failed or wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
