"""A test-only engine: returns the verdict a spec asks for, so aggregation, the JSON document,
counterexample files, replay and exit codes can be tested independently of the real engines."""
from dataclasses import dataclass
from typing import ClassVar

from dpoverify.verdicts import Result, Verdict


@dataclass(frozen=True)
class Planted:
    ENGINE: ClassVar[str] = "tests.unit.planted_engine"
    verdict: str
    crash: bool = False


def run(spec, ctx):
    if spec.crash:
        raise RuntimeError("planted engine failure")
    v = Verdict(spec.verdict)
    cex = {"point": {k: str(x) for k, x in ctx.fixed.items()}, "seed": ctx.seed} if v is Verdict.REFUTED else None
    return Result(v, f"planted {v.value}", {"method": "planted"}, cex)


def replay(spec, payload, ctx):
    if "point" not in payload:
        raise KeyError("point")
    return Result(Verdict(spec.verdict), "replayed", {"payload": payload})
