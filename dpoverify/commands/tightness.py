"""`dpoverify tightness ID... | all`: bound / observed for every simulated bound inside its hypotheses
(e.g. r(tau_1)/r^L(tau_1), risk bound / measured risk). Writes DIR/tightness.json
(schema dpoverify.tightness/1, see dpoverify.fuzzing.tightness) and DIR/tightness.png."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .. import profiles
from ..fuzzing import tightness
from ._products import common_arguments, require_simulated

HELP = "tightness table: bound / observed for every simulated bound at its default regime"


def add_arguments(parser) -> None:
    parser.add_argument("claims", nargs="*", default=["all"], metavar="ID", help="claim ids or 'all' (default)")
    common_arguments(parser)


def run(args, console: Console) -> int:
    require_simulated(args.claims)
    profile = profiles.get(args.profile)
    rows = tightness.tightness(args.claims, profile, args.seed)
    console.print(f"bound / observed at the default regime ({tightness.DRAWS.get(profile.name, 20)} draws, seed "
                  f"{args.seed}; 1 = attained, < 1 = violated, > 1 = room)", highlight=False)
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(f"{r['claim']}/{r['obligation']}", []).append(r)
    for key, rs in groups.items():
        table = Table(title=key, title_justify="left", box=None, padding=(0, 1, 0, 2))
        table.add_column("quantity", overflow="fold")
        table.add_column("worst draw", justify="right")
        table.add_column("median", justify="right")
        for r in rs:
            a = r["at_default"]
            table.add_row(r["quantity"], f"{a['min']:.4g}", f"{a['median']:.4g}")
        console.print(table)
    js, png = tightness.write(rows, profile, args.seed, args.out)
    console.print(f"results: {js}  plot: {png}", highlight=False)
    return 0
