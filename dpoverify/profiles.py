"""Effort profiles shared by the CLI and pytest: quick, ci (the default) and thorough.

Each profile fixes the budgets of every engine and registers a Hypothesis settings profile of
the same name (``settings.load_profile("ci")``), so ``dpoverify fuzz --profile ci`` and
``pytest -m fuzz`` explore the same amount. The ci profile keeps ``.ci/run`` well under 30
minutes on 2 cores.
"""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, settings


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int  # Hypothesis examples per fuzz property
    bnb_max_boxes: int  # boxes the interval prover may split before giving up (UNDECIDED); the
    # prover's only budget: no wall-clock limit shapes a verdict or its evidence
    search_points: int  # points the counterexample search tries per obligation
    sim_draws: int  # independent datasets per probabilistic simulation property
    sim_max_n: int  # largest N = 2KQ the simulator is asked for in random regimes
    mc_samples: int  # fresh test samples for Monte Carlo risk estimates
    gradient_instances: int  # random instances for autodiff identity checks


PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", max_examples=10, bnb_max_boxes=1_000, search_points=200,
                     sim_draws=5, sim_max_n=400, mc_samples=20_000, gradient_instances=3),
    "ci": Profile("ci", max_examples=25, bnb_max_boxes=2_000, search_points=2_000,
                  sim_draws=20, sim_max_n=2_000, mc_samples=200_000, gradient_instances=8),
    "thorough": Profile("thorough", max_examples=500, bnb_max_boxes=400_000, search_points=50_000,
                        sim_draws=200, sim_max_n=40_000, mc_samples=2_000_000, gradient_instances=50),
}
DEFAULT_PROFILE = "ci"

for _p in PROFILES.values():
    settings.register_profile(
        _p.name,
        max_examples=_p.max_examples,
        deadline=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile '{name}' (choose from {', '.join(PROFILES)})") from None
