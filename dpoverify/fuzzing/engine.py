"""Engine for :class:`dpoverify.specs.SimulationProperty`: decides a property at one regime.

The regime is the spec's default with ``ctx.fixed`` (``--param``) overriding it
(:func:`dpoverify.fuzzing.regime.resolve`). At that regime the engine draws
M = ``ctx.profile.sim_draws`` independent training sets (seeds derived from ``ctx.seed`` by
``numpy.random.SeedSequence``), computes the spec's observable (``OBSERVABLES``) for each and
applies ``spec.check``.

* Deterministic property (``failure_probability`` None): one failing draw refutes; the
  counterexample is that regime and seed.
* Probabilistic property: the number of failing draws is tested against the claimed failure
  probability p with an exact one-sided binomial test (:mod:`.stats`); REFUTED only at 99%
  confidence. The observed rate and its Clopper–Pearson interval are reported either way.
* Where p >= 1, or the regime lies outside a hypothesis (hypotheses decided exactly, with the
  token sharing Z the sampled data realize), the claim asserts nothing: VACUOUS, with what was
  observed.

Counterexample payload (``replay`` re-runs it): ``{"regime": {name: exact value as text},
"seeds": [...], "failing_seeds": [...], "observable", "loss", "options"}``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from ..engines import Context
from ..verdicts import Result, Verdict
from . import regime as rg
from .observables import GRID_POINTS, OBSERVABLES, Observation, Params
from .output import jsonable
from .stats import CONFIDENCE, largest_rejected, rate_test

__all__ = ["OBSERVABLES", "run", "replay", "derive_seeds", "observe", "Point"]


def derive_seeds(seed: int, count: int, stream: int = 0) -> list[int]:
    """``count`` independent 32-bit seeds from (seed, stream)."""
    children = np.random.SeedSequence([int(seed), int(stream)]).spawn(count)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


class Point:
    """A spec at one exact regime: horizon, failure probability and hypothesis placement."""

    def __init__(self, spec, values: dict[str, sp.Expr]):
        self.spec = spec
        self.values = values
        self.horizon = None if spec.horizon is None else float(rg.evaluate(spec.horizon, values))
        self.params = Params(values, self.horizon)
        self.placements = rg.place(spec.hypotheses, values)
        self.p_expr = None
        self.p = None  # float failure probability (None: deterministic)
        self.constant = None  # (name, printed failure probability here) when judged at its infimum
        if spec.failure_probability is not None:
            family = spec.failure_probability_in
            if family is not None and family[0] in values:
                self.p_expr = rg.evaluate(family[1], values)
            else:
                self.p_expr = rg.evaluate(spec.failure_probability, values)
                if family is not None:
                    self.constant = (family[0], rg.evaluate(family[1], values))
            if self.p_expr.free_symbols:
                names = ", ".join(sorted(s.name for s in self.p_expr.free_symbols))
                raise ValueError(f"the failure probability depends on {names}, which the regime "
                                 f"does not fix (pass --param {names.split(', ')[0]}=...)")
            self.p = _probability(self.p_expr)

    @property
    def deterministic(self) -> bool:
        return self.spec.failure_probability is None

    def with_realized(self, realized: dict[str, Any]) -> "Point":
        """The same point with parameters the data realize (e.g. Z) replacing requested ones."""
        changed = {k: sp.Integer(v) for k, v in realized.items()
                   if k in self.values and sp.Integer(v) != self.values[k]}
        return Point(self.spec, {**self.values, **changed}) if changed else self

    def outside(self) -> list[rg.Placement]:
        return [p for p in self.placements if p.holds is False]

    def undecided(self) -> list[rg.Placement]:
        return [p for p in self.placements if p.holds is None]

    def vacuous_probability(self) -> bool:
        return self.p is not None and self.p >= 1.0

    def observe(self, seed: int) -> Observation:
        return observe(self.spec, self.values, seed, self.horizon)

    def check(self, obs: Observation) -> tuple[bool, float, dict]:
        holds, slack, detail = self.spec.check(obs, self.params)
        return bool(holds), float(slack), dict(detail or {})


def _probability(p: sp.Expr) -> float:
    """The claimed failure probability as a float; exactly decided against 1 (huge values stay
    huge: a bound of 1e400 is >= 1, reported as inf)."""
    if bool(p >= 1):
        return float("inf") if sp.log(p).evalf(30) > 700 else float(sp.N(p, 30))
    return float(sp.N(p, 30))


def observe(spec, values: dict[str, sp.Expr], seed: int, horizon: float | None) -> Observation:
    try:
        fn = OBSERVABLES[spec.observable]
    except KeyError:
        raise ValueError(f"unknown observable {spec.observable!r} (known: {', '.join(OBSERVABLES)})") from None
    return fn(rg.floats(values), dict(spec.options), int(seed), horizon, spec.loss)


def _payload(spec, point: Point, seeds: list[int], failing: list[int]) -> dict[str, Any]:
    return {"regime": rg.as_text(point.values), "seeds": seeds, "failing_seeds": failing,
            "observable": spec.observable, "loss": spec.loss,
            "options": {k: v for k, v in spec.options.items() if isinstance(v, (str, int, float, bool))}}


def decide(spec, values: dict[str, sp.Expr], seeds: list[int],
           progress=lambda f: None) -> Result:
    """Run ``seeds`` at exact ``values`` and decide (see module docstring)."""
    result = _decide(spec, values, seeds, progress)
    result.evidence = jsonable(result.evidence)
    return result


def _require_memory(spec, values) -> None:
    rg.require_memory(values, spec.observable, int(spec.options.get("grid_points", GRID_POINTS)))


def _decide(spec, values, seeds, progress) -> Result:
    _require_memory(spec, values)
    point = Point(spec, values)
    failing: list[int] = []
    slacks: list[float] = []
    worst = None
    realized: dict[str, Any] = {}
    for k, s in enumerate(seeds):
        obs = point.observe(s)
        realized = obs.realized
        holds, slack, detail = point.check(obs)
        slacks.append(slack)
        if worst is None or slack < worst[0]:
            worst = (slack, s, detail, obs.summary())
        if not holds:
            failing.append(s)
        progress((k + 1) / len(seeds))
        if point.deterministic and failing:
            break
    placed = point.with_realized(realized)
    evidence: dict[str, Any] = {
        "method": "simulation at one regime: sampled training sets, observable, check",
        "regime": rg.as_text(point.values),
        "regime_float": {k: float(v) for k, v in point.values.items()},
        "horizon": point.horizon,
        "observable": spec.observable,
        "loss": spec.loss,
        "draws": len(slacks),
        "seeds": seeds[:len(slacks)],
        "failing_seeds": failing,
        "min_slack": min(slacks),
        "worst": {"slack": worst[0], "seed": worst[1], "detail": worst[2], "observation": worst[3]},
        "hypotheses": [{"hypothesis": p.label, "holds": p.holds, "boundary": p.boundary,
                        "lhs": p.lhs, "rhs": p.rhs} for p in placed.placements],
    }
    if realized:
        evidence["realized"] = realized
    outside, undecided = placed.outside(), placed.undecided()
    n = len(slacks)
    if point.deterministic:
        evidence["failure_probability"] = None
        what = (f"{len(failing)} of {n} draws violate the property (worst slack {min(slacks):.4g}, "
                f"seed {worst[1]})")
    else:
        test = rate_test(len(failing), n, min(point.p, 1.0))
        evidence["failure_probability"] = {"expression": sp.sstr(spec.failure_probability),
                                           "value": point.p if np.isfinite(point.p) else "inf (>= 1)"}
        evidence["test"] = test.as_dict()
        what = test.describe()
    if outside:
        names = "; ".join(p.describe() for p in outside)
        return Result(Verdict.VACUOUS, f"outside hypothesis: {names}; the claim asserts nothing here. "
                                       f"Observed: {what}", evidence)
    if undecided:
        names = "; ".join(p.label for p in undecided)
        return Result(Verdict.UNDECIDED, f"cannot decide hypotheses {names} at this regime. Observed: {what}",
                      evidence)
    if point.vacuous_probability():
        return Result(Verdict.VACUOUS, f"claimed failure probability {sp.sstr(spec.failure_probability)} "
                                       f"= {point.p:.4g} >= 1 at this regime: the claim asserts nothing. "
                                       f"Observed: {what}", evidence)
    payload = _payload(spec, point, seeds[:n], failing)
    if point.deterministic:
        if failing:
            return Result(Verdict.REFUTED, f"counterexample: {what}", evidence, payload)
        return Result(Verdict.NO_COUNTEREXAMPLE, f"held in all {n} draws (min slack {min(slacks):.4g})",
                      evidence)
    if evidence["test"]["refuted"]:
        reading = ""
        if point.constant is not None:
            name, c_star = point.constant[0], refuting_threshold(point.constant, len(failing), n)
            evidence["unspecified_constant"] = {
                "name": name, "judged_at": f"{name} -> oo (the infimum of the failure probability)",
                "refuted_for_above": c_star,
                "method": "Brent's method on the printed failure probability against the largest claimed p "
                          f"the binomial test rejects at {round(100 * CONFIDENCE)}%"}
            reading = (f"; refuted for every {name} > {c_star:.3g} (the paper leaves {name} unspecified; "
                       f"below it the printed failure probability allows this rate)" if c_star > 0 else
                       f"; refuted for every {name} > 0")
        return Result(Verdict.REFUTED, f"violated more often than claimed at {round(100 * CONFIDENCE)}% "
                                       f"confidence: {what}{reading}", evidence, payload)
    return Result(Verdict.NO_COUNTEREXAMPLE, f"not violated more often than claimed: {what}", evidence)


def refuting_threshold(constant: tuple[str, sp.Expr], failures: int, draws: int) -> float:
    """The constant's value c* above which the printed failure probability p(c) (decreasing in c)
    is below every claim the observed failures reject; 0 if p(c) is below it for every c > 0.
    Brent's method on log p(log c) to 1e-4 in log c: a reported threshold, not a verdict."""
    name, expr = constant
    sym = [s for s in expr.free_symbols if s.name == name]
    if not sym:
        return 0.0
    log_p = sp.lambdify(sym[0], sp.log(expr), modules="mpmath")  # log space: huge prefactors stay finite
    log_crit = math.log(largest_rejected(failures, draws))
    excess = lambda u: float(log_p(math.exp(u))) - log_crit  # noqa: E731  (> 0: the claim allows the rate)
    lo, hi = math.log(1e-12), 0.0
    if excess(lo) < 0:
        return 0.0
    while excess(hi) >= 0:
        lo, hi = hi, hi + 10
        if hi > 690:
            return float("inf")
    return math.exp(brentq(excess, lo, hi, xtol=1e-4))


def admit(spec, ctx: Context) -> None:
    """Refuse up front (ValueError naming the size) a regime this machine cannot simulate."""
    _require_memory(spec, rg.resolve(spec.regime, ctx.fixed))


def run(spec, ctx: Context) -> Result:
    """Decide ``spec`` at its default regime with ``ctx.fixed`` overrides."""
    values = rg.resolve(spec.regime, ctx.fixed)
    seeds = derive_seeds(ctx.seed, ctx.profile.sim_draws)
    result = decide(spec, values, seeds, ctx.progress)
    result.evidence["seed"] = ctx.seed
    result.evidence["profile"] = ctx.profile.name
    return result


def replay(spec, payload: dict, ctx: Context) -> Result:
    """Re-run a saved counterexample: the same exact regime and the same seeds."""
    values = rg.resolve(payload["regime"])
    seeds = [int(s) for s in payload["seeds"]]
    if spec.failure_probability is None and payload.get("failing_seeds"):
        seeds = [int(s) for s in payload["failing_seeds"]]
    result = decide(spec, values, seeds)
    result.evidence["replayed"] = True
    return result
