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
    table = Table(title="where the conclusion first fails (others at the default regime)", title_justify="left")
    for col in ("claim / obligation", "hypothesis", "conclusion"):
        table.add_column(col, overflow="fold")
    for row in maps.table(found):
        table.add_row(*row)
    console.print(table)
    js, png = maps.write(found, profile, args.seed, args.out)
    console.print(f"results: {js}  plot: {png}", highlight=False)
    return 0
