"""`dpoverify replay FILE`: re-run a saved counterexample through the engine that found it."""
from __future__ import annotations

from rich.console import Console

from .. import engines, profiles, registry
from ..errors import UsageError
from ..render import verdict
from ..results import dumps, load_counterexample
from ..verdicts import Verdict

HELP = "re-run a saved counterexample (exit 1 if it still refutes the claim)"


def add_arguments(parser) -> None:
    parser.add_argument("file", help="a counterexample file written by check or fuzz")
    parser.add_argument("--json", action="store_true", help="print the replay result as JSON")


def run(args, console: Console) -> int:
    try:
        doc = load_counterexample(args.file)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    claim = registry.get(doc["claim"])
    try:
        ob = claim.obligation(doc["obligation"])
    except KeyError:
        raise UsageError(f"{args.file}: claim {claim.id} has no obligation '{doc['obligation']}' "
                         f"(it has: {', '.join(o.id for o in claim.obligations)})") from None
    ctx = engines.Context(profiles.get(doc.get("profile", profiles.DEFAULT_PROFILE)), int(doc.get("seed", 0)))
    try:
        result = engines.replay(ob.spec, doc["payload"], ctx)
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{args.file}: malformed counterexample payload ({exc})") from None
    if args.json:
        console.print_json(dumps({"claim": claim.id, "obligation": ob.id, "verdict": result.verdict.value,
                                  "summary": result.summary, "evidence": result.evidence}))
    else:
        console.print(f"{claim.id}/{ob.id} ({ob.cites}): {verdict(result.verdict.value)}", highlight=False)
        console.print(f"  {result.summary}", highlight=False)
    return 1 if result.verdict is Verdict.REFUTED else 0
