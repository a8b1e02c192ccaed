"""`dpoverify fuzz ID... | all`: Hypothesis hunts for violations of every simulated claim, inside
its hypotheses, on their boundaries and outside them (issue 5). Writes DIR/fuzz.json
(schema dpoverify.fuzz/1, see dpoverify.fuzzing.campaign) and a counterexample file per
refuted obligation that `dpoverify replay` re-runs."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import profiles, registry
from ..errors import UsageError
from ..fuzzing.campaign import run_campaign, tasks
from ..progress import Progress
from ..render import replay_command, text, verdict_text as verdict, wrapped
from ..verdicts import Verdict

WIDE = 120  # from this many columns the results are a table; below, one block each
HELP = "fuzz simulated claims over parameter regimes (inside, on and outside their hypotheses)"


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise UsageError(f"expected a positive integer, got '{value}'") from None
    if n < 1:
        raise UsageError(f"expected a positive integer, got '{value}'")
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
              highlight=False, markup=False)
    labels = [f"{cid}/{registry.get(cid).obligations[k].id}" for cid, k in todo]
    with Progress("dpoverify fuzz", len(todo), announce=True) as progress:
        progress.start(labels[0])

        def on_entry(e: dict) -> None:
            progress.done(f"{e['claim']}/{e['obligation']}", f"{e['verdict']} ({e['seconds']:.1f}s)")
            if progress.count < len(labels):
                progress.start(labels[progress.count])

        doc = run_campaign(args.claims, args.profile, args.seed, examples, args.out, jobs, args.placement,
                           on_entry)
    out = Path(args.out)
    wide = console.width >= WIDE
    title = f"fuzz ({args.profile}, seed {args.seed})"
    if not wide:
        console.print(Text(title, style="bold"))
    if wide:
        table = Table(title=title, title_justify="left", expand=True)
        table.add_column("claim / obligation", ratio=2)
        table.add_column("verdict", no_wrap=True)
        table.add_column("evidence", ratio=6)
        for e in doc["obligations"]:
            table.add_row(Text(f"{e['claim']}/{e['obligation']}"), verdict(e["verdict"]), Text(text(e["summary"])))
        console.print(table)
    for e in doc["obligations"]:
        if not wide:
            console.print()
            console.print(Text.assemble((f"{e['claim']}/{e['obligation']}", "bold"), "  ", verdict(e["verdict"])))
            wrapped(console, Text(text(e["summary"])), 4)
        cmd = replay_command(e, out)
        if cmd:
            console.print(Text(f"  replay {e['claim']}/{e['obligation']}:", style="dim"))
            console.print(Text(cmd), soft_wrap=True)
        if e["example"]:
            console.print(Text("  regression example:", style="dim"))
            console.print(Text(e["example"]), soft_wrap=True)
    console.print(Text.assemble("overall: ", verdict(doc["verdict"]), f"   results: {out / 'fuzz.json'}"))
    verdicts = {e["verdict"] for e in doc["obligations"]}
    if Verdict.REFUTED.value in verdicts:
        return 1
    return 3 if Verdict.ERROR.value in verdicts else 0
