"""`dpoverify check ID... | all`: run every obligation of the claims through its engine and print
a verdict per obligation and per claim (or the JSON document with --json)."""
from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import engines, profiles, registry
from ..checker import exit_code, parse_params, run_checks
from ..render import verdict
from ..results import dumps

HELP = "check claims: a verdict for each claim and each step of its proof"


def add_arguments(parser) -> None:
    parser.add_argument("claims", nargs="+", metavar="ID", help="claim ids (see `dpoverify list`) or 'all'")
    parser.add_argument("--profile", choices=sorted(profiles.PROFILES), default=profiles.DEFAULT_PROFILE,
                        help="effort: quick, ci (default) or thorough")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random search (default 0; printed)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="fix a parameter (exact: 880, 1/4, 0.25), checked against its domain; repeatable")
    parser.add_argument("--json", action="store_true",
                        help="print the result document (schema dpoverify.check/1) instead of tables")
    parser.add_argument("--out", default="dpoverify-results",
                        help="directory for check.json and counterexample files (default dpoverify-results)")


def _print_claim(console: Console, c: dict) -> None:
    src = c["source"]
    eqs = f", eqs. {', '.join(src['equations'])}" if src["equations"] else ""
    table = Table(title=f"[bold]{c['id']}[/] — {c['title']}  [dim]({src['version']}, {src['section']}{eqs})[/]",
                  title_justify="left", expand=True)
    table.add_column("step / check", overflow="fold", ratio=2)
    table.add_column("kind", min_width=11, no_wrap=True)
    table.add_column("cites", overflow="fold", ratio=1, min_width=8)
    table.add_column("verdict", min_width=17, no_wrap=True)
    table.add_column("evidence", overflow="fold", ratio=5)
    for o in c["obligations"]:
        summary = o["summary"] + (f"\nreplay: {o['replay']}" if o["replay"] else "")
        table.add_row(o["id"], o["kind"], o["cites"], verdict(o["verdict"]), summary)
    console.print(table)
    console.print(f"  claim verdict: {verdict(c['verdict'])}\n", highlight=False)


def run(args, console) -> int:
    from .. import admission

    claims = registry.resolve(args.claims)
    fixed = parse_params(args.param, claims)
    profile = profiles.get(args.profile)
    admission.admit(claims, engines.Context(profile, args.seed, fixed, results_dir=args.out))
    err = Console(stderr=True)
    err.print(f"dpoverify check: {len(claims)} claim(s), profile {profile.name}, seed {args.seed}"
              + (f", params {', '.join(f'{k}={v}' for k, v in fixed.items())}" if fixed else ""),
              highlight=False)
    total = sum(len(c.obligations) for c in claims)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)
    with progress:
        overall = progress.add_task("obligations", total=total)
        step = progress.add_task("", total=1.0)

        def on_progress(fraction: float) -> None:
            progress.update(step, completed=min(max(fraction, 0.0), 1.0))

        def on_obligation(claim, ob, entry) -> None:
            progress.advance(overall)
            progress.update(step, description=f"{claim.id}/{ob.id}", completed=0.0)

        ctx = engines.Context(profile, args.seed, fixed, results_dir=args.out, progress=on_progress)
        doc = run_checks(claims, ctx, Path(args.out), on_obligation)
    if args.json:
        sys.stdout.write(dumps(doc) + "\n")
    else:
        for c in doc["claims"]:
            _print_claim(console, c)
        console.print(f"overall: {verdict(doc['verdict'])}   results: {Path(args.out) / 'check.json'}",
                      highlight=False)
    return exit_code(doc)
