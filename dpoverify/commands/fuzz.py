"""`dpoverify fuzz ID... | all`: Hypothesis hunts for violations of every simulated claim, inside
its hypotheses, on their boundaries and outside them (issue 5). Writes DIR/fuzz.json
(schema dpoverify.fuzz/1, see dpoverify.fuzzing.campaign) and a counterexample file per
refuted obligation that `dpoverify replay` re-runs."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .. import profiles
from ..errors import UsageError
from ..fuzzing.campaign import run_campaign, tasks
from ..render import verdict
from ..verdicts import Verdict

HELP = "fuzz simulated claims over parameter regimes (inside, on and outside their hypotheses)"


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise UsageError(f"expected a positive integer, got '{text}'") from None
    if n < 1:
        raise UsageError(f"expected a positive integer, got '{text}'")
    return n


def add_arguments(parser) -> None:
    parser.add_argument("claims", nargs="+", metavar="ID", help="claim ids (see `dpoverify list`) or 'all'")
    parser.add_argument("--profile", choices=sorted(profiles.PROFILES), default=profiles.DEFAULT_PROFILE,
                        help="effort: quick, ci (default) or thorough")
    parser.add_argument("--examples", default=None, metavar="N",
                        help="Hypothesis examples per placement (default: the profile's)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the search (default 0; printed)")
    parser.add_argument("--jobs", default="1", metavar="N", help="obligations fuzzed in parallel processes")
    parser.add_argument("--placement", choices=("inside", "boundary", "outside"), default=None,
                        help="search only this placement (default: all)")
    parser.add_argument("--out", default="dpoverify-results",
                        help="directory for fuzz.json and counterexamples (default dpoverify-results)")


def run(args, console: Console) -> int:
    examples = _positive(args.examples) if args.examples is not None else None
    jobs = _positive(args.jobs)
    todo = tasks(args.claims)
    if not todo:
        known = dict.fromkeys(cid for cid, _ in tasks(["all"]))
        raise UsageError(f"nothing to fuzz in {', '.join(args.claims)}: no simulated or gradient obligations "
                         f"(fuzzable claims: {', '.join(known)})")
    err = Console(stderr=True)
    err.print(f"dpoverify fuzz: {len(todo)} obligation(s), profile {args.profile}, seed {args.seed}, "
              f"examples/placement {examples or profiles.get(args.profile).max_examples}, jobs {jobs}",
              highlight=False)

    def on_entry(e: dict) -> None:
        err.print(f"  {e['claim']}/{e['obligation']}: {e['verdict']} ({e['seconds']:.1f}s)", highlight=False)

    doc = run_campaign(args.claims, args.profile, args.seed, examples, args.out, jobs, args.placement, on_entry)
    table = Table(title=f"fuzz ({args.profile}, seed {args.seed})", title_justify="left", expand=True)
    table.add_column("claim / obligation", overflow="fold", ratio=2)
    table.add_column("verdict", min_width=17, no_wrap=True)
    table.add_column("evidence", overflow="fold", ratio=6)
    for e in doc["obligations"]:
        summary = e["summary"] + (f"\nreplay: {e['replay']}" if e["replay"] else "") \
            + (f"\nregression: {e['example']}" if e["example"] else "")
        table.add_row(f"{e['claim']}/{e['obligation']}", verdict(e["verdict"]), summary)
    console.print(table)
    console.print(f"overall: {verdict(doc['verdict'])}   results: {args.out}/fuzz.json", highlight=False)
    verdicts = {e["verdict"] for e in doc["obligations"]}
    if Verdict.REFUTED.value in verdicts:
        return 1
    return 3 if Verdict.ERROR.value in verdicts else 0
