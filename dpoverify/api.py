"""Checking from Python: :func:`check` a claim and :func:`replay` a counterexample, in memory.

Nothing is written to disk; the CLI's ``check`` (:mod:`dpoverify.checker`) is the same engines
plus the result document and counterexample files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from . import engines, profiles, registry
from .claims import Claim, Obligation
from .errors import UsageError
from .packs import validate_claim
from .verdicts import Result, Verdict, aggregate


@dataclass
class ObligationResult:
    """One obligation's outcome: ``verdict``, ``summary``, ``evidence`` and, for a refutation,
    ``counterexample`` (the payload :func:`replay` re-runs)."""

    claim: Claim
    obligation: Obligation
    result: Result
    profile: str
    seed: int
    seconds: float = field(default=0.0, compare=False)

    @property
    def id(self) -> str:
        return self.obligation.id

    @property
    def verdict(self) -> Verdict:
        return self.result.verdict

    @property
    def summary(self) -> str:
        return self.result.summary

    @property
    def evidence(self) -> dict[str, Any]:
        return self.result.evidence

    @property
    def counterexample(self) -> dict[str, Any] | None:
        return self.result.counterexample


@dataclass
class CheckResult:
    """A claim's outcome: its ``verdict`` (the most severe of its obligations') and each
    obligation's :class:`ObligationResult` in ``obligations`` (also by id: ``result["step-1"]``)."""

    claim: Claim
    verdict: Verdict
    obligations: list[ObligationResult]

    def __getitem__(self, obligation_id: str) -> ObligationResult:
        for o in self.obligations:
            if o.id == obligation_id:
                return o
        raise KeyError(obligation_id)


def _claim(claim_or_id: Claim | str) -> Claim:
    if isinstance(claim_or_id, Claim):
        validate_claim(claim_or_id, claim_or_id.module or "<claim given to dpoverify.check>")
        return claim_or_id
    return registry.get(claim_or_id)


def _params(claim: Claim, params: Mapping[str, Any] | None) -> dict:
    from .checker import parse_params

    pairs = []
    for name, value in (params or {}).items():
        if isinstance(value, float):
            value = repr(value)
        elif isinstance(value, (int, Fraction)):
            value = str(value)
        elif not isinstance(value, str):
            raise UsageError(f"params[{name!r}]: give a number or its text (880, '1/4'), not {type(value).__name__}")
        pairs.append(f"{name}={value}")
    return parse_params(pairs, [claim])


def check(claim_or_id: Claim | str, profile: str = "quick", seed: int = 0,
          params: Mapping[str, Any] | None = None, obligations: list[str] | None = None) -> CheckResult:
    """Check a claim (a :class:`Claim`, or the id of a claim of the loaded packs) and return its
    verdicts without writing any file.

    profile: "quick", "ci" or "thorough" (effort); seed: of every random search;
    params: values fixed like ``--param`` (exact: 880, "1/4", 0.25), checked against their domains;
    obligations: check only these obligation ids.
    Bad input (unknown id, value outside its domain, malformed claim) raises UsageError.

    >>> import dpoverify as dv
    >>> x = dv.Param("x", dv.Domain(0, 1))
    >>> claim = dv.Claim("example-square", "x^2 <= x", dv.Source("Example 1"), "x^2 <= x on [0, 1]",
    ...                  params=(x,), obligations=(dv.symbolic("s", "x^2 <= x", "eq. 1", [x], [],
    ...                                                        x.symbol**2 <= x.symbol),))
    >>> dv.check(claim).verdict
    <Verdict.PROVED: 'PROVED'>
    """
    c = _claim(claim_or_id)
    fixed = _params(c, params)
    prof = profiles.get(profile)
    chosen = c.obligations
    if obligations is not None:
        unknown = set(obligations) - {o.id for o in c.obligations}
        if unknown:
            raise UsageError(f"claim {c.id} has no obligation {', '.join(sorted(unknown))}")
        chosen = tuple(o for o in c.obligations if o.id in obligations)
    out = []
    for ob in chosen:
        result, seconds = engines.run(ob.spec, engines.Context(prof, seed, dict(fixed)))
        out.append(ObligationResult(c, ob, result, prof.name, seed, seconds))
    return CheckResult(c, aggregate(o.verdict for o in out), out)


def replay(target: ObligationResult | str | Path) -> Result:
    """Re-run a counterexample through the engine that found it: an :class:`ObligationResult`
    of :func:`check` that has one, or a counterexample file written by ``dpoverify check``.

    >>> import dpoverify as dv
    >>> x = dv.Param("x", dv.Domain(0, 1))
    >>> claim = dv.Claim("example-cube", "x <= x^3", dv.Source("Example 2"), "x <= x^3 on [0, 1] (false)",
    ...                  params=(x,), obligations=(dv.symbolic("s", "x <= x^3", "eq. 2", [x], [],
    ...                                                        x.symbol <= x.symbol**3),))
    >>> refuted = dv.check(claim)["s"]
    >>> refuted.verdict, dv.replay(refuted).verdict
    (<Verdict.REFUTED: 'REFUTED'>, <Verdict.REFUTED: 'REFUTED'>)
    """
    if isinstance(target, ObligationResult):
        if target.counterexample is None:
            raise UsageError(f"{target.claim.id}/{target.id} has no counterexample ({target.verdict.value})")
        ctx = engines.Context(profiles.get(target.profile), target.seed)
        return engines.replay(target.obligation.spec, target.counterexample, ctx)
    from .results import load_counterexample

    try:
        doc = load_counterexample(str(target))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    claim = registry.get(doc["claim"])
    try:
        ob = claim.obligation(doc["obligation"])
    except KeyError:
        raise UsageError(f"{target}: claim {claim.id} has no obligation '{doc['obligation']}'") from None
    ctx = engines.Context(profiles.get(doc.get("profile", profiles.DEFAULT_PROFILE)), int(doc.get("seed", 0)))
    return engines.replay(ob.spec, doc["payload"], ctx)


def use_packs(*paths: str | Path) -> None:
    """Use the packs at ``paths`` (folders or .py files) for ids given to :func:`check`, like the
    CLI's ``--claims``; with no paths, the installed packs again."""
    registry.use_paths(paths)
    registry.all_claims()
