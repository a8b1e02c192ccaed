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
    table = Table(title=f"bound / observed at the default regime ({tightness.DRAWS.get(profile.name, 20)} draws, "
                        f"seed {args.seed}; 1 = attained, < 1 = violated)", title_justify="left")
    for col in ("claim / obligation", "quantity", "worst draw", "median"):
        table.add_column(col, overflow="fold")
    for r in rows:
        a = r["at_default"]
        table.add_row(f"{r['claim']}/{r['obligation']}", r["quantity"], f"{a['min']:.4g}", f"{a['median']:.4g}")
    console.print(table)
    js, png = tightness.write(rows, profile, args.seed, args.out)
    console.print(f"results: {js}  plot: {png}", highlight=False)
    return 0
