"""Appendix C (Definition C.1 - Theorem C.6) and Section 7's no-flip claim: the encodings are
well-formed, and the prover gives key proof steps the verdict the mathematics demands."""
from __future__ import annotations

import importlib

import pytest
import sympy as sp

from dpoverify import engines, profiles, registry
from dpoverify.claims import Claim, Implication, Kind
from dpoverify.specs import SimulationProperty
from dpoverify.verdicts import Verdict
from theorems import _appendix_c as ac

MODULES = {
    "definition_c_1": "definition-c.1", "lemma_c_2": "lemma-c.2", "lemma_c_3": "lemma-c.3",
    "lemma_c_4": "lemma-c.4", "theorem_c_5": "theorem-c.5", "theorem_c_6": "theorem-c.6",
    "section_7_no_flip": "section-7.no-flip",
}
CLAIMS = {cid: importlib.import_module(f"theorems.{mod}").CLAIM for mod, cid in MODULES.items()}


def _obligation(oid: str):
    cid, _, name = oid.partition("/")
    return CLAIMS[cid].obligation(name)


def _decide(spec) -> Verdict:
    result, _ = engines.run(spec, engines.Context(profile=profiles.get("quick"), seed=0))
    assert result.verdict is not Verdict.ERROR, result.summary
    return result.verdict


def _symbols(*exprs) -> set[sp.Symbol]:
    out: set[sp.Symbol] = set()
    for e in exprs:
        if e is not None and not isinstance(e, bool):
            out |= sp.sympify(e).free_symbols
    return out


# ---------------------------------------------------------------- structure


@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_claim_is_registered_under_its_id(cid):
    claim = CLAIMS[cid]
    assert isinstance(claim, Claim) and claim.id == cid
    assert registry.get(cid).module.endswith(next(m for m, c in MODULES.items() if c == cid))


@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_dependencies_exist_and_chain(cid):
    known = set(registry.all_claims())
    assert set(CLAIMS[cid].depends_on) <= known, set(CLAIMS[cid].depends_on) - known


def test_dependency_chain_of_appendix_c():
    assert "definition-c.1" in CLAIMS["lemma-c.2"].depends_on
    assert "lemma-c.2" in CLAIMS["lemma-c.3"].depends_on
    assert "lemma-c.3" in CLAIMS["lemma-c.4"].depends_on
    assert "lemma-c.4" in CLAIMS["theorem-c.5"].depends_on
    assert {"theorem-c.5", "lemma-c.3"} <= set(CLAIMS["theorem-c.6"].depends_on)
    assert "theorem-4.2" in CLAIMS["section-7.no-flip"].depends_on


@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_obligation_ids_unique_and_every_claim_has_a_symbolic_step(cid):
    ids = [o.id for o in CLAIMS[cid].obligations]
    assert len(ids) == len(set(ids))
    assert any(o.kind is Kind.SYMBOLIC for o in CLAIMS[cid].obligations)


IMPLICATIONS = [(f"{cid}/{o.id}", o.spec) for cid, c in CLAIMS.items() for o in c.obligations
                if isinstance(o.spec, Implication)]


@pytest.mark.parametrize("oid,spec", IMPLICATIONS, ids=[i for i, _ in IMPLICATIONS])
def test_implication_free_symbols_are_its_variables(oid, spec):
    declared = {p.symbol for p in spec.variables}
    names = [p.name for p in spec.variables]
    assert len(names) == len(set(names)), f"{oid}: a variable declared twice"
    used = _symbols(*spec.assumptions, spec.goal, spec.vacuous_when)
    assert used <= declared, f"{oid}: undeclared {used - declared}"


@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_statement_parameters_are_declared(cid):
    claim = CLAIMS[cid]
    declared = {p.symbol for p in claim.params}
    for s in (*claim.hypotheses, *claim.conclusions):
        if s.expr is not None:
            assert _symbols(s.expr) <= declared, (cid, s.label, _symbols(s.expr) - declared)


SIMULATIONS = [(f"{cid}/{o.id}", o.spec) for cid, c in CLAIMS.items() for o in c.obligations
               if isinstance(o.spec, SimulationProperty)]


@pytest.mark.parametrize("oid,spec", SIMULATIONS, ids=[i for i, _ in SIMULATIONS])
def test_simulation_specs_resolve_inside_their_hypotheses(oid, spec):
    from dpoverify.fuzzing import regime as rg
    from dpoverify.fuzzing.observables import OBSERVABLES

    assert spec.observable in OBSERVABLES
    values = rg.resolve(spec.regime)
    names = {sp.Symbol(n, real=True) for n in values}
    assert _symbols(*spec.hypotheses, spec.horizon, spec.failure_probability) <= names
    placements = rg.place(spec.hypotheses, values)
    assert all(p.holds for p in placements), [p.describe() for p in placements if not p.holds]
    # delta sits at the largest value Lemma C.3 allows: min(eps v / 8, 1/4)
    assert values["delta"] == sp.Min(values["eps"] * values["v"] / 8, sp.Rational(1, 4))


# ---------------------------------------------------------------- verdicts the mathematics demands

PROVED = [
    "lemma-c.2/eq50-first", "lemma-c.2/eq50-second", "lemma-c.2/eq49-worst-case-range",
    "lemma-c.3/probability-union-bound", "lemma-c.4/factor-5/4",
    "theorem-c.5/factor-argument-c5", "theorem-c.5/values-at-tau1", "theorem-c.5/rL-half-of-b3",
    "theorem-c.6/eq73-74-corrected",  # the correction of (73)'s sign
    "theorem-c.6/eq74-positive", "theorem-c.6/risk-as-b4", "theorem-c.6/risk-main-text",
    "section-7.no-flip/log3-is-theorem-4.2",
    # once UNDECIDED: implied by a hypothesis, acos enclosed, |x| <= y split, own ends kept
    "definition-c.1/distance-to-basis-vector", "definition-c.1/off-axis-component",
    "lemma-c.2/eq49-identity", "lemma-c.3/eq54-55-composition", "theorem-c.6/eq68-71",
    "theorem-c.5/rL-slope", "lemma-c.4/budget-corrected", "lemma-c.3/eq59-60-budget",
    # once UNDECIDED: two hypotheses combined with non-negative weights in log space
    "section-7.no-flip/no-flip", "section-7.no-flip/training-length",
    # once UNDECIDED: re-parametrised (delta = 4 sin alpha, xi_i = 2 alpha t_i), a monotone face
    "lemma-c.2/eq49-worst-case", "lemma-c.2/eq48-geometry",
    # once UNDECIDED: split at the switch of the min, c re-parametrised per case (issue 11)
    "theorem-c.5/failure-main-text", "theorem-c.5/failure-main-text-large-c",
]
REFUTED = [
    "lemma-c.4/invokes-lemma-c.3",  # l_b <= 1 does not give Lemma C.3's l_b <= 1/2
    "theorem-c.6/eq73-74-printed",  # the minus sign of (73)
    "theorem-c.6/eq75-probability",  # the constant c dropped
]


@pytest.mark.parametrize("oid", PROVED)
def test_true_steps_are_proved(oid):
    assert _decide(_obligation(oid).spec) is Verdict.PROVED


@pytest.mark.parametrize("oid", REFUTED)
def test_printed_errors_are_refuted(oid):
    assert _decide(_obligation(oid).spec) is Verdict.REFUTED


@pytest.mark.parametrize("oid", ["theorem-c.5/rL-slope-quarter", "lemma-c.2/eq48-geometry"])
def test_true_steps_are_never_refuted(oid):
    """True statements (tight at a corner of their domain): the prover must not refute them."""
    assert _decide(_obligation(oid).spec) in (Verdict.PROVED, Verdict.UNDECIDED)


# ---------------------------------------------------------------- teeth: planted faults


def _with(spec: Implication, **kw) -> Implication:
    return Implication(**{**spec.__dict__, **kw})


def test_worst_case_of_49_fails_once_2xi_exceeds_pi_over_2():
    """sin(2 arccos(1 - delta^2/8)) is the worst case only while 1 - delta^2/8 >= cos(pi/4)."""
    spec = _obligation("lemma-c.2/eq49-worst-case-range").spec
    wide = _with(spec, variables=(ac.nt.delta.restrict(hi=2),))
    assert _decide(wide) is Verdict.REFUTED


def test_delta_split_of_48_is_an_identity():
    from theorems.lemma_c_2 import DELTA_SPLIT

    alpha = next(iter(DELTA_SPLIT.free_symbols))
    assert sp.simplify(sp.expand_trig(DELTA_SPLIT - 4 * sp.sin(alpha))) == 0


def test_48_with_a_smaller_delta_is_refuted():
    """|cos theta| <= delta/2 is false (the worst case is about delta)."""
    spec = _obligation("lemma-c.2/eq48-geometry").spec
    assert _decide(_with(spec, goal=spec.goal.func(spec.goal.lhs, spec.goal.rhs / 2))) is Verdict.REFUTED


def test_worst_case_of_49_with_one_angle_is_refuted():
    """Taking the worst case as sin(arccos(1 - delta^2/8)) (one angle, not xi_1 + xi_2) is false."""
    spec = _obligation("lemma-c.2/eq49-worst-case").spec
    alpha = next(p.symbol for p in spec.variables if p.name == "alpha")
    assert spec.goal.rhs == sp.sin(4 * alpha)  # sin(2 arccos(1 - delta^2/8)) at delta = 4 sin(alpha)
    one_angle = spec.goal.func(spec.goal.lhs, sp.sin(2 * alpha))
    assert _decide(_with(spec, goal=one_angle)) is Verdict.REFUTED


def test_factor_argument_with_a_quarter_is_refuted():
    """1/2 - (5/2)(1/8) = 3/16: enough for C.5's 1/8, not for B.3's 1/4 by this argument."""
    spec = _obligation("theorem-c.5/factor-argument-c5").spec
    assert _decide(_with(spec, goal=sp.Rational(1, 2) - sp.Rational(5, 2) * sp.Rational(1, 8) >= sp.Rational(1, 4))) \
        is Verdict.REFUTED


def test_no_flip_threshold_with_beta_instead_of_one_over_beta_is_refuted():
    spec = _obligation("section-7.no-flip/no-flip").spec
    pw, pl, qw, ql = (ac.SY[n] for n in ("p_w", "p_l", "q_w", "q_l"))
    wrong = _with(spec, assumptions=(ac.MARGIN <= ac.LOG3, ql / qw > 3 ** ac.beta))
    assert _decide(wrong) is Verdict.REFUTED


class _Obs:
    def __init__(self, t, r):
        import numpy as np

        self.t, self.r = np.asarray(t, float), np.asarray(r, float)
        self.final = self.r[-1]


def _params():
    import math

    return {"K": 2.0, "Q": 40.0, "beta": 1.0, "tau": 1.0, "horizon": 2 * math.log(3) / 5}


@pytest.mark.parametrize("factor,holds", [(1 / 16, False), (1 / 8, True), (1.0, True), (10.0, True), (10.5, False)])
def test_trajectory_check_judges_the_envelope(factor, holds):
    """A margin growing at `factor` x Q beta^2/(N tau) is inside [r^L, r^U] iff 1/8 <= factor <= 10."""
    import numpy as np

    p = _params()
    t = np.linspace(0, p["horizon"], 9)
    r = np.outer(factor * p["Q"] / (2 * p["K"] * p["Q"]) * t, np.ones(3))
    ok, slack, detail = ac.trajectory_check(on_event=False)(_Obs(t, r), p)
    assert ok is holds and (slack >= 0) is holds, detail
