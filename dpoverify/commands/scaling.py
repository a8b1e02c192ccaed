"""`dpoverify scaling`: the empirical scaling law with the noise held fixed -- the smallest Q per
value with simulated error < 0.05 as K grows, fitted, beside Theta(log K) and eq. 4's Q. Writes
DIR/scaling.json (schema dpoverify.scaling/1, see dpoverify.fuzzing.scaling) and DIR/scaling.png."""
from __future__ import annotations

from rich.console import Console

from .. import profiles
from ..fuzzing import scaling
from ._products import common_arguments

HELP = "empirical scaling law: smallest Q per value for error < 0.05 as K grows, fitted"


def add_arguments(parser) -> None:
    common_arguments(parser)


def run(args, console: Console) -> int:
    profile = profiles.get(args.profile)
    err = Console(stderr=True)
    err.print(f"dpoverify scaling: profile {profile.name}, seed {args.seed}, v = {scaling.V_FIXED} fixed",
              highlight=False)
    doc = scaling.scaling(profile, args.seed)
    console.print(f"smallest Q per value with simulated error < {scaling.THRESHOLD} at τ₁ (v = "
                  f"{scaling.V_FIXED} fixed, l_b = 1/4, mean of {len(doc['setup']['seeds'])} seeds); models "
                  "compared by AICc, 95% intervals:", highlight=False)
    for c in doc["curves"]:
        for line in scaling.describe(c, doc["setup"]["Q_grid"][-1]):
            console.print("  " + line, highlight=False)
    console.print("  eq. 4 asks for Q = " + ", ".join(f"{K}:{Q}" for K, Q in doc["eq4_Q"].items()), highlight=False)
    console.print("  (K enters eq. 4 only through the union bound's factor 2KQ²:\n"
                  "   its Q ≈ 45 ln(40K) + 90 ln Q grows like log K)", highlight=False)
    js, png = scaling.write(doc, args.out)
    console.print(f"results: {js}  plot: {png}", highlight=False)
    return 0
