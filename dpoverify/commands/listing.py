"""`dpoverify list`: every claim with its paper location, module and obligations — the
concordance, generated from the registry (with --from, each claim's last verdict)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rich.table import Table
from rich.text import Text

from .. import registry
from ..errors import UsageError
from ..render import verdict_text as verdict, wrapped

WIDE = 120  # from this many columns the claims are a table; below, one block each
HELP = "list the claims (the concordance: id -> paper location -> module -> obligations -> status)"


def add_arguments(parser) -> None:
    parser.add_argument("--from", dest="from_file", metavar="CHECK_JSON",
                        help="add each claim's verdict from a check.json written by `dpoverify check --out`")
    parser.add_argument("--markdown", action="store_true", help="print the concordance as a Markdown table")


def concordance(statuses: dict[str, str] | None = None) -> list[dict[str, str]]:
    rows = []
    for c in registry.all_claims().values():
        kinds = Counter(o.kind.value for o in c.obligations)
        rows.append({
            "id": c.id,
            "title": c.title,
            "location": f"{c.source.section}" + (f", eqs. {', '.join(c.source.equations)}" if c.source.equations else ""),
            "module": c.module.replace(".", "/") + ".py",
            "obligations": ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none",
            "status": (statuses or {}).get(c.id, "not run"),
        })
    return rows


def load_statuses(path: str) -> dict[str, str]:
    p = Path(path)
    if p.is_dir():
        p = p / "check.json"
    try:
        doc = json.loads(p.read_text())
        return {c["id"]: c["verdict"] for c in doc["claims"]}
    except FileNotFoundError:
        raise UsageError(f"--from {path}: no such file") from None
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise UsageError(f"--from {path}: not a dpoverify check result ({str(exc)[:100]})") from None
    except OSError as exc:
        raise UsageError(f"--from {path}: cannot read it ({exc.strerror})") from None


def markdown(rows: list[dict[str, str]]) -> str:
    head = "| claim | paper location | module | obligations | status |\n|---|---|---|---|---|\n"
    return head + "\n".join(
        f"| `{r['id']}` {r['title']} | {r['location']} | `{r['module']}` | {r['obligations']} | {r['status']} |"
        for r in rows)


def run(args, console) -> int:
    rows = concordance(load_statuses(args.from_file) if args.from_file else None)
    if args.markdown:
        console.print(markdown(rows), markup=False, highlight=False, soft_wrap=True)
        return 0
    title = f"{len(rows)} claims of {registry.paper()}"
    if console.width < WIDE:  # one block per claim: an id is never split, nothing squeezed
        console.print(Text(title, style="bold"))
        for r in rows:
            status = verdict(r["status"]) if r["status"] != "not run" else Text(r["status"], style="dim")
            console.print()
            wrapped(console, Text.assemble((r["id"], "bold"), "  ", status))
            for line in (r["title"], r["location"], f"{r['module']} · {r['obligations']}"):
                wrapped(console, Text(line), 2)
        return 0
    table = Table(title=title)
    for col in ("claim", "title", "paper location", "module", "obligations", "status"):
        table.add_column(col, no_wrap=col in ("claim", "module"))
    for r in rows:
        status = verdict(r["status"]) if r["status"] != "not run" else Text(r["status"])
        table.add_row(Text(r["id"]), Text(r["title"]), Text(r["location"]), Text(r["module"]),
                      Text(r["obligations"]), status)
    console.print(table)
    return 0
