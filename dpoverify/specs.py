"""Specs that theorem modules use for non-symbolic obligations (the symbolic one,
:class:`dpoverify.claims.Implication`, lives with the claim model).

:class:`SimulationProperty` -- a property of the simulated setting of Section 3, checked by
``dpoverify.fuzzing.engine`` at a regime (``check``) or over Hypothesis-drawn regimes (``fuzz``).
:class:`GradientIdentity` -- a formula of the paper for a time derivative, checked by
``dpoverify.gradcheck`` against automatic differentiation of the actual loss of a softmax model.
:class:`EmpiricalAudit` -- a statistic of a real-model audit (``gpu_checks``) against the paper.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

import sympy as sp

from .claims import symbol


def _real(expr: Any) -> Any:
    """A sympy expression with every symbol replaced by the real parameter symbol of its name
    (``sp.Symbol("T")`` -> ``symbol("T")``), so it is substituted like the regime's names;
    anything else (text, numbers, Statement objects) unchanged."""
    if isinstance(expr, sp.Basic):
        return expr.xreplace({s: symbol(s.name) for s in expr.free_symbols if isinstance(s, sp.Symbol)})
    return expr


@dataclass(frozen=True)
class SimulationProperty:
    """A claimed property of the simulator's observable, at parameter regimes.

    regime: default parameter values for ``dpoverify check`` (values may be sympy expressions of
        other parameters, e.g. ``{"d": "5*Q", "v": "1/(32*sqrt(Q))"}``, so ``--param Q=100``
        propagates); the fuzzer varies them.
    hypotheses: the claim's hypotheses as sympy relations over the regime's parameters (used to
        place a regime inside, on the boundary of, or outside them).
    observable: what the simulator must produce ("train_margins", "population_risk", "kernel",
        "flow_residual", ...; see ``dpoverify.fuzzing.engine.OBSERVABLES``).
    horizon: sympy expression of the time to integrate to (e.g. tau_1), or None.
    check: ``check(observation, params) -> (holds: bool, slack: float, detail: dict)``; slack > 0
        means satisfied with room to spare, < 0 a violation (the fuzzer climbs toward negative).
    failure_probability: sympy expression of the probability with which the claim allows the
        property to fail (None: deterministic, one violation refutes). Where it is >= 1 the claim
        asserts nothing and the verdict is VACUOUS.
    failure_probability_in: ``(name, expression)``: the failure probability as printed, a
        decreasing function of a constant the paper leaves unspecified (Bernstein's ``c``).
        ``failure_probability`` is then its infimum over that constant (the strongest reading);
        ``--param c=...`` judges the printed form at that value instead, and a refutation of the
        infimum reports the value of the constant above which the claim is refuted.
    """

    ENGINE: ClassVar[str] = "dpoverify.fuzzing.engine"
    regime: dict[str, Any]
    hypotheses: tuple[Any, ...]
    observable: str
    check: Callable[[Any, dict[str, Any]], tuple[bool, float, dict]]
    horizon: Any = None
    failure_probability: Any = None
    loss: str = "dpo"
    options: dict[str, Any] = field(default_factory=dict)
    failure_probability_in: tuple[str, Any] | None = None

    def __post_init__(self) -> None:
        # sympy expressions are accepted wherever text is, with symbols of any assumptions
        put = object.__setattr__
        put(self, "regime", {k: _real(v) for k, v in self.regime.items()})
        put(self, "hypotheses", tuple(_real(h) for h in self.hypotheses))
        put(self, "horizon", _real(self.horizon))
        put(self, "failure_probability", _real(self.failure_probability))
        if self.failure_probability_in is not None:
            name, expr = self.failure_probability_in
            put(self, "failure_probability_in", (name, _real(expr)))


@dataclass(frozen=True)
class GradientIdentity:
    """A formula of the paper for a rate of change, against autodiff of the real loss.

    quantity: which rate the formula gives ("margin_rate": tau * dr_j/dt for every training
        sample; "response_reward_rate": tau * dr_{w/l,j}/dt; "token_reward_rate": eq. 5's
        tau * dr(y)/dt in the multi-token model).
    formula: ``formula(instance) -> array``, the paper's expression evaluated on an instance of
        ``dpoverify.gradcheck`` (embeddings, one-hot responses, current margins, beta, tau, N).
    loss: "dpo" (sigma(-r)), "ipo" ((r-1)^2), "slic" (max(0, 1-r)) -- Section 7's GPO family.
    """

    ENGINE: ClassVar[str] = "dpoverify.gradcheck"
    quantity: str
    formula: Callable[[Any], Any]
    model: str = "single-token"
    loss: str = "dpo"


EMPIRICAL_KINDS = {
    "hypothesis-check": "(a) hypothesis check",  # the paper's hypothesis on this model and data
    "re-run": "(b) re-run",  # the paper's experiment re-run on this (proxy) model
    "own-numbers": "(c) own numbers",  # the paper's statement against the paper's own reported numbers
    "model-free": "(d) model-free",  # a fact of the data or format that no model changes
}
"""The four kinds of empirical evidence. Only a model-free check refutes outright; a hypothesis
check refutes the hypothesis on the model it measured; a re-run on a proxy model says "not
reproduced on <model>" (UNDECIDED), never REFUTED; the paper's own numbers disagreeing with its
text is UNDECIDED (rounding and reading of its tables stand between them)."""


@dataclass(frozen=True)
class EmpiricalAudit:
    """A statistic from ``dpoverify audit`` (gpu_checks) judged against the paper's claim.

    statistic: key in the audit's results JSON (see ``gpu_checks.results``).
    judge: ``judge(audit_results) -> (verdict_name, summary, evidence)``; for kind "own-numbers"
        it is called with None (it reads only numbers pinned in the claim module).
    kind: one of :data:`EMPIRICAL_KINDS`; the engine words and bounds the verdict by it.
    """

    ENGINE: ClassVar[str] = "gpu_checks.engine"
    statistic: str
    judge: Callable[[dict | None], tuple[str, str, dict]]
    kind: str

    def __post_init__(self):
        if self.kind not in EMPIRICAL_KINDS:
            raise ValueError(f"EmpiricalAudit kind must be one of {', '.join(EMPIRICAL_KINDS)}, got {self.kind!r}")
