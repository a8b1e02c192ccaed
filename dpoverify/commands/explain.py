"""`dpoverify explain ID`: a claim's statement, parameters, hypotheses, conclusions and proof
steps (obligations), with the math rendered in the terminal."""
from __future__ import annotations

from rich.panel import Panel
from rich.table import Table

from .. import registry
from ..claims import Implication
from ..render import math

HELP = "show a claim: statement, hypotheses, conclusions and steps as math"


def add_arguments(parser) -> None:
    parser.add_argument("claim", help="claim id, e.g. theorem-4.3 (see `dpoverify list`)")


def _implication(spec: Implication) -> str:
    lines = []
    if spec.assumptions:
        lines.append("assuming")
        lines += [math(a) for a in spec.assumptions]
    lines.append("show")
    lines.append(math(spec.goal))
    if spec.vacuous_when is not None:
        lines.append("vacuous where")
        lines.append(math(spec.vacuous_when))
    if spec.substitutions:
        lines.append("under " + ", ".join(f"{k} = {v}" for k, v in spec.substitutions))
    return "\n".join(lines)


def run(args, console) -> int:
    c = registry.get(args.claim)
    console.print(Panel(c.statement, title=f"[bold]{c.id}[/] — {c.title}", subtitle=str(c.source)))
    if c.params:
        t = Table(title="parameters", show_header=True)
        for col in ("symbol", "domain", "meaning"):
            t.add_column(col)
        for p in c.params:
            t.add_row(p.label, str(p.domain), p.doc)
        console.print(t)
    for heading, items in (("hypotheses", c.hypotheses), ("conclusions", c.conclusions)):
        if items:
            console.print(f"[bold]{heading}[/]")
            for s in items:
                console.print(f"  ({s.label}) {s.text}", highlight=False)
                if s.expr is not None and not isinstance(s.expr, str):
                    console.print("      " + math(s.expr).replace("\n", "\n      "), highlight=False)
    if c.depends_on:
        console.print(f"[bold]depends on[/] {', '.join(c.depends_on)}")
    console.print(f"[bold]steps and checks[/] ({len(c.obligations)})")
    for o in c.obligations:
        console.print(f"\n[cyan]{c.id}/{o.id}[/] [dim]{o.kind.value}[/] — {o.title}  [dim]({o.cites})[/]",
                      highlight=False)
        if isinstance(o.spec, Implication):
            console.print("    " + _implication(o.spec).replace("\n", "\n    "), highlight=False)
        if o.note:
            console.print(f"    [dim]{o.note}[/]", highlight=False)
    if c.notes:
        console.print(f"\n[dim]{c.notes}[/]")
    return 0
