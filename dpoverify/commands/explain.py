"""`dpoverify explain ID`: a claim's statement, parameters, hypotheses, conclusions and proof
steps (obligations), with the math as one line of Unicode infix. The claims' own text (titles,
statements, notes) is shown verbatim: it is never read as rich markup."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text

from .. import registry
from ..claims import Implication
from ..render import infix, wrapped

HELP = "show a claim: statement, hypotheses, conclusions and steps as math"


def add_arguments(parser) -> None:
    parser.add_argument("claim", help="claim id, e.g. theorem-4.3 (see `dpoverify list`)")


def implication_lines(spec: Implication) -> list[tuple[int, str]]:
    """(extra indent, text) lines: the headings at 0, the maths under them at 2."""
    lines = []
    if spec.assumptions:
        lines.append((0, "assuming"))
        lines += [(2, infix(a)) for a in spec.assumptions]
    lines += [(0, "show"), (2, infix(spec.goal))]
    if spec.vacuous_when is not None:
        lines += [(0, "vacuous where"), (2, infix(spec.vacuous_when))]
    if spec.substitutions:
        lines.append((0, "under " + ", ".join(f"{k} = {v}" for k, v in spec.substitutions)))
    return lines


def run(args, console) -> int:
    c = registry.get(args.claim)
    wrapped(console, Text.assemble((c.id, "bold"), f" — {c.title}"))
    wrapped(console, Text(str(c.source), style="dim"), 2)
    console.print()
    wrapped(console, Text(c.statement), 2)
    if c.params:
        t = Table(title="parameters", show_header=True)
        for col in ("symbol", "domain", "meaning"):
            t.add_column(col)
        for p in c.params:
            t.add_row(Text(p.label), Text(str(p.domain)), Text(p.doc))
        console.print(t)
    for heading, items in (("hypotheses", c.hypotheses), ("conclusions", c.conclusions)):
        if items:
            console.print(Text(heading, style="bold"))
            for s in items:
                wrapped(console, Text(f"({s.label}) {s.text}"), 2)
                if s.expr is not None and not isinstance(s.expr, str):
                    wrapped(console, Text(infix(s.expr)), 6)
    if c.depends_on:
        console.print(Text.assemble(("depends on ", "bold"), ", ".join(c.depends_on)))
    console.print(Text.assemble(("steps and checks", "bold"), f" ({len(c.obligations)})"))
    for o in c.obligations:
        console.print()
        wrapped(console, Text.assemble((f"{c.id}/{o.id}", "cyan"), " ", (o.kind.value, "dim"), f" — {o.title}  ",
                                       (f"({o.cites})", "dim")))
        if isinstance(o.spec, Implication):
            for extra, line in implication_lines(o.spec):
                wrapped(console, Text(line), 4 + extra)
        if o.note:
            wrapped(console, Text(o.note, style="dim"), 4)
    if c.notes:
        console.print()
        console.print(Text(c.notes, style="dim"))
    return 0
