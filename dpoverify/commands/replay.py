"""`dpoverify replay FILE`: re-run a saved counterexample through the engine that found it.

The file is untrusted input: its fields are checked (types, a known claim and obligation, a
known profile, a seed in [0, 2^32), the payload's shape for the obligation's engine) before any
engine sees it, and every problem is one line naming the file (exit 2). A counterexample that no
longer refutes the step says so, with the verdict at its own point (exit 0); an engine error is
exit 3."""
from __future__ import annotations

from rich.console import Console

from .. import engines, inputs, profiles, registry, safe_expr
from ..errors import UsageError
from ..render import verdict
from ..results import dumps, load_counterexample
from ..verdicts import Verdict

HELP = "re-run a saved counterexample (exit 1 if it still refutes the claim)"

MAX_SEEDS = 10_000
# What each engine's payload holds: key -> JSON type (checked before the engine reads it).
PAYLOAD_SHAPES = {
    "dpoverify.fuzzing.engine": {"regime": dict, "seeds": list},
    "dpoverify.prover": {"point": dict},
    "dpoverify.gradcheck": {"instance": dict},
    "gpu_checks.engine": {"audit": dict},
}
_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", int: "an integer"}


def add_arguments(parser) -> None:
    parser.add_argument("file", help="a counterexample file written by check or fuzz")
    parser.add_argument("--json", action="store_true", help="print the replay result as JSON")


def _field(doc: dict, key: str, kind: type, where: str):
    value = doc.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise UsageError(f"{where}: '{key}' must be {_TYPE_NAMES[kind]}, got {_show(value)}")
    return value


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _seed(value, where: str, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < inputs.SEED_LIMIT:
        raise UsageError(f"{where}: {what} must be an integer in [0, 2^32), got {_show(value)}")
    return value


def _regime_names(spec) -> set[str]:
    """The parameters a simulated step's regime may name: its default regime's, those of its
    hypotheses (a fuzzed regime draws them) and the paper's notation."""
    from ..fuzzing import regime as rg

    names = set(spec.regime) | set(rg.NOTATION)
    for h in spec.hypotheses:
        names |= {str(s) for s in rg.hypothesis_relation(h)[1].free_symbols}
    return names


def _check_payload(spec, payload: dict, where: str) -> None:
    engine = spec.ENGINE
    if not payload:
        raise UsageError(f"{where}: malformed counterexample payload (it is empty)")
    for key, kind in PAYLOAD_SHAPES.get(engine, {}).items():
        _field(payload, key, kind, f"{where}: payload")
    if engine == "dpoverify.fuzzing.engine":
        missing = sorted(set(spec.regime) - set(payload["regime"]))
        if missing:
            raise UsageError(f"{where}: payload regime lacks {', '.join(missing)}")
        own = _regime_names(spec)
        unknown = sorted(set(payload["regime"]) - own)  # only the step's own names
        if unknown:
            raise UsageError(f"{where}: payload regime has unknown parameter(s) {_show(unknown)} "
                             f"(the step's: {', '.join(sorted(own))})")
        for name, value in payload["regime"].items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise UsageError(f"{where}: payload regime {name} must be a number or an expression, "
                                 f"got {_show(value)}")
        for key in ("seeds", "failing_seeds"):
            seeds = payload.get(key, [])
            if not isinstance(seeds, list) or len(seeds) > MAX_SEEDS:
                raise UsageError(f"{where}: payload {key} must be a list of at most {MAX_SEEDS} seeds")
            for s in seeds:
                _seed(s, where, f"payload {key}")
        if not payload["seeds"]:
            raise UsageError(f"{where}: payload seeds is empty")
    if engine == "dpoverify.prover":
        names = {p.name for p in spec.variables}
        if set(payload["point"]) != names:
            raise UsageError(f"{where}: payload point names {_show(sorted(payload['point']))} are not "
                             f"the step's variables {', '.join(sorted(names))}")
        for name, value in payload["point"].items():
            try:
                exact = None if isinstance(value, float) else safe_expr.value(value)
            except ValueError as exc:
                raise UsageError(f"{where}: payload point {name}: {exc}") from None
            if exact is None or not exact.is_Rational:
                raise UsageError(f"{where}: payload point {name} must be an exact rational "
                                 f"(e.g. \"1/4\"), got {_show(value)}")


def load(path: str):
    """(claim, obligation, profile, seed, payload) of a counterexample file, every field checked."""
    try:
        doc = load_counterexample(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    claim_id = _field(doc, "claim", str, path)
    ob_id = _field(doc, "obligation", str, path)
    if len(claim_id) > 100:
        raise UsageError(f"{path}: unknown claim {_show(claim_id)}")
    claim = registry.get(claim_id)
    try:
        ob = claim.obligation(ob_id)
    except KeyError:
        raise UsageError(f"{path}: claim {claim.id} has no obligation {_show(ob_id)} "
                         f"(it has: {', '.join(o.id for o in claim.obligations)})") from None
    profile = doc.get("profile", profiles.DEFAULT_PROFILE)
    if profile not in profiles.PROFILES:
        raise UsageError(f"{path}: unknown profile {_show(profile)} "
                         f"(known: {', '.join(sorted(profiles.PROFILES))})")
    seed = _seed(doc.get("seed", 0), path, "'seed'")
    payload = _field(doc, "payload", dict, path)
    _check_payload(ob.spec, payload, path)
    return claim, ob, profiles.get(profile), seed, payload


def run(args, console: Console) -> int:
    claim, ob, profile, seed, payload = load(args.file)
    ctx = engines.Context(profile, seed)
    try:
        result = engines.replay(ob.spec, payload, ctx)
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{args.file}: malformed counterexample payload ({str(exc)[:200]})") from None
    summary = result.summary
    if result.verdict is not Verdict.REFUTED and result.verdict is not Verdict.ERROR \
            and "no longer" not in summary:
        summary = f"no longer a counterexample; at its own point: {summary}"
    if args.json:
        console.print_json(dumps({"claim": claim.id, "obligation": ob.id, "verdict": result.verdict.value,
                                  "summary": summary, "evidence": result.evidence}))
    else:
        console.print(f"{claim.id}/{ob.id} ({ob.cites}): {verdict(result.verdict.value)}", highlight=False)
        console.print(f"  {summary}", highlight=False)
    if result.verdict is Verdict.ERROR:
        return 3
    return 1 if result.verdict is Verdict.REFUTED else 0
