"""`dpoverify boundary ID... | all`: where each simulated claim's conclusion first fails outside each
hypothesis (a map over v, l_b, Z, d/Q, delta, ...). Writes DIR/boundary.json
(schema dpoverify.boundary/1, see dpoverify.fuzzing.maps) and DIR/boundary.png."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .. import profiles
from ..fuzzing import maps
from ._products import common_arguments, require_simulated

HELP = "boundary maps: how far outside each hypothesis a simulated conclusion first fails"


def add_arguments(parser) -> None:
    parser.add_argument("claims", nargs="*", default=["all"], metavar="ID", help="claim ids or 'all' (default)")
    common_arguments(parser)


def run(args, console: Console) -> int:
    require_simulated(args.claims)
    profile = profiles.get(args.profile)
    err = Console(stderr=True)
    err.print(f"dpoverify boundary: profile {profile.name}, seed {args.seed}, "
              f"{maps.DRAWS.get(profile.name, 10)} draws per point", highlight=False)
    found = maps.boundary_maps(args.claims, profile, args.seed,
                               lambda m: err.print(f"  {m['claim']}/{m['obligation']} {m['hypothesis']}", highlight=False))
    console.print("where each conclusion breaks (fails in at least half the draws) outside each hypothesis, "
                  "swept from the default regime (edge: from the edge regime, see dpoverify.fuzzing.maps)",
                  highlight=False)
    for key, rows in maps.table(found):
        table = Table(title=key, title_justify="left", show_header=False, box=None, padding=(0, 1, 0, 2))
        table.add_column("hypothesis", overflow="fold", ratio=2)
        table.add_column("along the sweep", overflow="fold", ratio=5)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    js, png = maps.write(found, profile, args.seed, args.out)
    console.print(f"results: {js}  plot: {png}", highlight=False)
    return 0
