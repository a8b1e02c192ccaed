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
    console.print(f"smallest Q per value with simulated error < {scaling.THRESHOLD} at tau_1 "
                  f"(v = {scaling.V_FIXED} fixed, l_b = 1/4, seeds {len(doc['setup']['seeds'])}):", highlight=False)
    for c in doc["curves"]:
        console.print("  " + scaling.describe(c), highlight=False, soft_wrap=True)
    console.print("  eq. 4 asks for Q = " + ", ".join(f"{K}:{Q}" for K, Q in doc["eq4_Q"].items()), highlight=False)
    js, png = scaling.write(doc, args.out)
    console.print(f"results: {js}  plot: {png}", highlight=False)
    return 0
