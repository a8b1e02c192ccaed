"""Arguments and checks shared by the one-command fuzzing products (boundary, tightness, scaling)."""
from __future__ import annotations

from .. import profiles, registry
from ..errors import UsageError
from ..specs import SimulationProperty


def common_arguments(parser) -> None:
    parser.add_argument("--profile", choices=sorted(profiles.PROFILES), default=profiles.DEFAULT_PROFILE,
                        help="effort: quick, ci (default) or thorough")
    parser.add_argument("--seed", type=int, default=0, help="seed of every draw (default 0; printed)")
    parser.add_argument("--out", default="dpoverify-results",
                        help="directory for the JSON and PNG (default dpoverify-results)")


def require_simulated(claim_ids: list[str]) -> None:
    if not registry.obligations(claim_ids, SimulationProperty):
        known = dict.fromkeys(c.id for c, _ in registry.obligations(["all"], SimulationProperty))
        raise UsageError(f"no simulated obligation in {', '.join(claim_ids)} (claims with one: {', '.join(known)})")
