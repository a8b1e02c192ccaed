"""`dpoverify check ID... | all`: run every obligation of the claims through its engine and print
a verdict per obligation and per claim, then one summary line per claim (``--format table``, the
default), only the summary lines (``--format summary``, ``--quiet``) or the JSON document
(``--format json``, ``--json``)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import engines, profiles, registry
from ..checker import exit_code, parse_params, requested_claims, run_checks, run_verdict
from ..progress import Progress
from ..render import FULL_PROFILES, claim_reason, replay_command, text, verdict_text as verdict, wrapped
from ..results import dumps

HELP = "check claims: a verdict for each claim and each step of its proof"
WIDE = 120  # from this many columns, obligations are a table; below, one block each


def add_arguments(parser) -> None:
    parser.add_argument("claims", nargs="+", metavar="ID", help="claim ids (see `dpoverify list`) or 'all'")
    parser.add_argument("--profile", choices=sorted(profiles.PROFILES), default=profiles.DEFAULT_PROFILE,
                        help="effort: quick, ci (default) or thorough")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random search (default 0; printed)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="fix a parameter (exact: 880, 1/4, 0.25), checked against its domain; repeatable")
    parser.add_argument("--format", choices=("table", "summary", "json"), default="table",
                        help="table: every step, then one line per claim (default); summary: one line per "
                             "claim; json: the result document (schema dpoverify.check/2)")
    parser.add_argument("--json", dest="format", action="store_const", const="json",
                        help="same as --format json")
    parser.add_argument("--quiet", "-q", dest="format", action="store_const", const="summary",
                        help="same as --format summary: one line per claim")
    parser.add_argument("--out", default="dpoverify-results",
                        help="directory for check.json and counterexample files (default dpoverify-results)")
    # results: parallel obligations and resuming an interrupted run (dpoverify.checker.run_checks)
    parser.add_argument("--jobs", type=_positive, default=1, metavar="N",
                        help="run obligations in N processes (same results as one; default 1)")
    parser.add_argument("--resume", action="store_true",
                        help="keep claims already in --out checked with the same code, profile, seed and "
                             "parameters; check only the rest")


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 256:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes from 1 to 256, got '{text}'")
    return n


def summary_lines(doc: dict) -> list[Text]:
    """One line per claim: id, verdict, reason (ids and verdicts padded into columns)."""
    iw = max((len(c["id"]) for c in doc["claims"]), default=0)
    vw = max((len(c["verdict"]) for c in doc["claims"]), default=0)
    return [Text.assemble(c["id"].ljust(iw), "  ", verdict(c["verdict"]), " " * (vw - len(c["verdict"])), "  ",
                          claim_reason(c)) for c in doc["claims"]]


def _source(c: dict) -> str:
    src = c["source"]
    eqs = f", eqs. {', '.join(src['equations'])}" if src["equations"] else ""
    return f"{src['version']}, {src['section']}{eqs}"


def _replays(console: Console, c: dict, out: Path) -> None:
    """Each counterexample's replay command on a line of its own, never wrapped, ready to copy."""
    for o in c["obligations"]:
        cmd = replay_command(o, out)
        if cmd:
            console.print(Text(f"  replay {o['id']}:", style="dim"))
            console.print(Text(cmd), soft_wrap=True)


def _choices(o: dict) -> list[str]:
    """The encoding choices the verdict rests on (a constant, a tail bound, a reading), one a line."""
    return [f"encoding choice: {text(c)}" for c in o.get("encoding_choices", ())]


def _claim_table(console: Console, c: dict, out: Path) -> None:
    title = Text.assemble((c["id"], "bold"), f" — {c['title']}  ", (f"({_source(c)})", "dim"))
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("step / check", ratio=2)
    table.add_column("kind", no_wrap=True)
    table.add_column("cites", ratio=1, min_width=14)
    table.add_column("verdict", no_wrap=True)
    table.add_column("evidence", ratio=5)
    for o in c["obligations"]:
        table.add_row(Text.assemble(o["id"], "\n", (o["title"], "dim")), Text(o["kind"]), Text(o["cites"]),
                      verdict(o["verdict"]),
                      Text("\n".join([text(o["summary"]), *_choices(o)])))
    console.print(table)
    _replays(console, c, out)


def _claim_blocks(console: Console, c: dict, out: Path) -> None:
    wrapped(console, Text.assemble((c["id"], "bold"), f" — {c['title']}"))
    wrapped(console, Text(_source(c), style="dim"), 2)
    for o in c["obligations"]:
        console.print()
        wrapped(console, Text.assemble((o["id"], "bold"), "  ", verdict(o["verdict"]), "  ", (o["kind"], "dim")), 2)
        wrapped(console, Text(o["title"]), 4)
        wrapped(console, Text(f"cites {o['cites']}", style="dim"), 4)
        wrapped(console, Text(text(o["summary"])), 4)
        for line in _choices(o):
            wrapped(console, Text(line, style="dim"), 4)
        cmd = replay_command(o, out)
        if cmd:
            console.print(Text("    replay:", style="dim"))
            console.print(Text(cmd), soft_wrap=True)


def profile_note(doc: dict) -> str | None:
    if doc["profile"] in FULL_PROFILES:
        return None
    return (f"note: profile {doc['profile']} gives the engines smaller budgets than ci; a step reported "
            "UNDECIDED here (budget exhausted) may be decided with --profile ci.")


def print_document(console: Console, doc: dict, out: Path, fmt: str) -> None:
    note = profile_note(doc)
    if fmt == "summary":
        for line in summary_lines(doc):
            console.print(line, soft_wrap=True)
        if note:
            Console(stderr=True).print(Text(note, style="dim"))
        return
    wide = console.width >= WIDE
    for c in doc["claims"]:
        (_claim_table if wide else _claim_blocks)(console, c, out)
        if not wide:
            console.print()
        console.print(Text.assemble("  claim verdict: ", verdict(c["verdict"])))
        console.print()
    console.print(Text.assemble("overall: ", verdict(doc["verdict"]), f"   results: {out / 'check.json'}"))
    if note:
        wrapped(console, Text(note, style="dim"))
    console.print(Text("summary (one line per claim):", style="bold"))
    iw = max((len(c["id"]) for c in doc["claims"]), default=0)
    vw = max((len(c["verdict"]) for c in doc["claims"]), default=0)
    for c in doc["claims"]:
        head = Text.assemble(c["id"].ljust(iw + 2), verdict(c["verdict"]))
        wrapped(console, Text(claim_reason(c)), iw + vw + 4, head)


def run(args, console) -> int:
    from .. import admission

    claims = registry.resolve(args.claims)
    fixed = parse_params(args.param, claims)
    profile = profiles.get(args.profile)
    admission.admit(claims, engines.Context(profile, args.seed, fixed, results_dir=args.out))
    err = Console(stderr=True)
    total = sum(len(c.obligations) for c in claims)
    first = f"{claims[0].id}/{claims[0].obligations[0].id}" if claims and claims[0].obligations else ""
    with Progress("dpoverify check", total) as progress:
        order = [(c, o) for c in claims for o in c.obligations]

        def on_start() -> None:  # the results directory is locked and readable: the run begins
            err.print(f"dpoverify check: {len(claims)} claim(s), profile {profile.name}, seed {args.seed}"
                      + (f", params {', '.join(f'{k}={v}' for k, v in fixed.items())}" if fixed else ""),
                      highlight=False, markup=False)
            progress.start(first)

        def on_obligation(claim, ob, entry) -> None:
            progress.done(f"{claim.id}/{ob.id}", entry["verdict"])
            if progress.count < len(order):
                nc, no = order[progress.count]
                progress.start(f"{nc.id}/{no.id}")

        ctx = engines.Context(profile, args.seed, fixed, results_dir=args.out, progress=progress.fraction)
        doc = run_checks(claims, ctx, Path(args.out), on_obligation, jobs=args.jobs, resume=args.resume,
                         on_note=lambda note: err.print(note, highlight=False, markup=False), on_start=on_start)
    if args.format == "json":
        sys.stdout.write(dumps(doc) + "\n")
    else:  # the document also keeps earlier runs' claims: show this run's
        shown = dict(doc, claims=requested_claims(doc), verdict=run_verdict(doc))
        print_document(console, shown, Path(args.out), args.format)
    return exit_code(doc)
