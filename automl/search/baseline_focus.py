"""Halfway through a search that a baseline still leads, search the families nearest it.

The baselines are scored halfway in every search with a time budget (not Hyperband's),
so that the guard at the end only reads them: the search's deadline holds.

The guard (`baseline_guard`) exports a baseline that the best trial does not beat. Before
it comes to that, the search gets a chance to catch up where it is most likely to: once
half of the search's time is spent, the engine's baselines are scored by the trials' own
protocol, and if the best one is still ahead, every later trial draws its settings around
the families nearest that baseline (the linear model for a linear baseline, random
convolutions with a linear head for a nearest-neighbour one on series), instead of from the
whole space. What each family counts as near is its own `near_baseline`.
"""

from __future__ import annotations

import itertools
import logging
import time

from automl.baselines import judge

#: The kinds of baseline (`automl.baselines.candidates.Baseline.kind`).
BASELINE_KINDS = ("constant", "neighbours", "linear", "last_value")
#: Share of the search's time after which the baselines are compared with the best trial:
#: early enough to leave half the budget for the nearest families, late enough that the
#: families' defaults and seeds have all been tried.
FOCUS_AT = 0.5

log = logging.getLogger(__name__)


class BaselineFocus:
    """Decides once, halfway, whether the rest of a search draws near the best baseline.

    The oracle asks `configuration` before each trial it would draw; the answer is None
    (draw as usual) or the values that build one of the nearest families, in turn.

    Args:
        run: the `SearchRun`: its deadline, planner, baselines and notes.
    """

    def __init__(self, run):
        self.run = run
        self.decided = False
        self.near: dict[str, dict] = {}
        self._turns = None

    def configuration(self, oracle) -> dict | None:
        """Returns the values to fix for the next trial, or None to draw from the space."""
        if not self.decided and self._due(oracle):
            self.decided = True
            self._decide(oracle)
        if not self.near:
            return None
        return dict(next(self._turns))

    def _due(self, oracle) -> bool:
        deadline = self.run.planner.search_deadline
        if deadline.at is None:
            return False
        spent = time.monotonic() - deadline.start
        halfway = spent >= FOCUS_AT * (deadline.at - deadline.start)
        return halfway and _best_score(oracle) is not None

    def _decide(self, oracle) -> None:
        from automl.search.baseline_guard import scored_baselines

        run = self.run
        try:
            # Scored here even where no family is near a baseline (images), for the guard:
            # it costs the same search time either way (12-40% of a minute on image sets),
            # and after the deadline it made a 1-minute digits search end 85 s late.
            pool = scored_baselines(run)
        except Exception as error:  # noqa: BLE001 - a yardstick must not cost the search
            log.info("baselines not scored halfway: %s", error)
            return
        if pool is None or pool.best is None or not anything_near(run.hypermodel):
            return
        objective = run.prepared.objective
        verdict = judge(pool.baselines, _best_score(oracle), None, objective, pool.protocol)
        if not verdict.beaten_by_baseline:
            return
        baseline = verdict.baseline
        finder = getattr(run.hypermodel, "near_baseline", None)
        self.near = finder(baseline.kind) if finder is not None else {}
        leads = (
            f"halfway through the search no trial beat the {baseline.name} baseline "
            f"({objective.name} {baseline.scores[objective.name]:.4f} against the best "
            f"trial's {_best_score(oracle):.4f} on {pool.protocol})"
        )
        if self.near:
            self._turns = itertools.cycle(self.near.values())
            run.notes.append(f"{leads}: the rest of the search tries {', '.join(self.near)}")
        else:
            run.notes.append(f"{leads}; no searched family is nearer it, so the search goes on")


def anything_near(hypermodel) -> bool:
    """Returns whether any family of `hypermodel` is near some kind of baseline."""
    finder = getattr(hypermodel, "near_baseline", None)
    return finder is not None and any(finder(kind) for kind in BASELINE_KINDS)


def _best_score(oracle) -> float | None:
    """Returns the oracle's best trial score so far, or None before any trial is scored."""
    best = oracle.get_best_trials(1)
    return best[0].score if best and best[0].score is not None else None
