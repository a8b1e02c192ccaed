"""Appendix B, Theorems 4.2/4.3 and Section 4.2's claims: structure, checks, and key verdicts.

The verdict tests run the real engines (prover, fuzzing engine) and assert the verdict the
mathematics demands; the reason is in each test's docstring.
"""
import importlib
import math
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp

from dpoverify import engines, profiles
from dpoverify.claims import Implication, Kind
from dpoverify.specs import SimulationProperty
from dpoverify.verdicts import Verdict
from theorems import _appendix_b as B
from theorems import _notation as n

MODULES = ("lemma_b_1", "lemma_b_2", "theorem_b_3", "theorem_b_4", "theorem_4_2", "theorem_4_3", "section_4_2")
IDS = {"lemma-b.1", "lemma-b.2", "theorem-b.3", "theorem-b.4", "theorem-4.2", "theorem-4.3",
       "section-4.2.875-samples", "section-4.2.log-k-scaling", "figure-4"}


def _claims():
    out = {}
    for m in MODULES:
        mod = importlib.import_module(f"theorems.{m}")
        for c in list(getattr(mod, "CLAIMS", ())) + ([mod.CLAIM] if hasattr(mod, "CLAIM") else []):
            out[c.id] = c
    return out


CLAIMS = _claims()


def obligation(claim_id, oid):
    return CLAIMS[claim_id].obligation(oid)


def test_ids_and_dependencies():
    assert set(CLAIMS) == IDS
    for c in CLAIMS.values():
        assert set(c.depends_on) <= IDS, c.id
        ids = [o.id for o in c.obligations]
        assert len(ids) == len(set(ids)), c.id
    # the dependency graph is acyclic
    seen, stack = set(), set()

    def visit(cid):
        assert cid not in stack, f"cycle through {cid}"
        if cid in seen:
            return
        stack.add(cid)
        for dep in CLAIMS[cid].depends_on:
            visit(dep)
        stack.discard(cid)
        seen.add(cid)

    for cid in CLAIMS:
        visit(cid)
    assert "lemma-b.1" in CLAIMS["lemma-b.2"].depends_on and "lemma-b.2" in CLAIMS["theorem-b.3"].depends_on
    assert "theorem-b.3" in CLAIMS["theorem-4.2"].depends_on and "theorem-b.4" in CLAIMS["theorem-4.3"].depends_on


def _free(expr):
    return {s.name for s in sp.sympify(expr).free_symbols} if expr is not None else set()


@pytest.mark.parametrize("cid", sorted(IDS))
def test_implications_quantify_every_symbol(cid):
    claim = CLAIMS[cid]
    declared = {p.name for p in claim.params}
    for o in claim.obligations:
        spec = o.spec
        if not isinstance(spec, Implication):
            continue
        names = {v.name for v in spec.variables}
        used = _free(spec.goal) | _free(spec.vacuous_when)
        for a in spec.assumptions:
            used |= _free(a)
        assert used <= names, f"{cid}/{o.id}: unquantified {used - names}"
        assert o.kind in (Kind.SYMBOLIC, Kind.CONSISTENCY)
        # the paper's parameters an obligation quantifies over are parameters of the claim
        paper = names & set(n.ALL)
        assert paper <= declared, f"{cid}/{o.id}: {paper - declared} not among the claim's params"
        for v in spec.variables:  # a narrowed parameter stays inside the notation's domain
            if v.name in n.ALL:
                wide = n.ALL[v.name].domain
                assert v.domain.lo >= wide.lo and v.domain.hi <= wide.hi, (cid, o.id, v.name)


@pytest.mark.parametrize("cid", sorted(IDS))
def test_simulation_specs_resolve_their_symbols(cid):
    for o in CLAIMS[cid].obligations:
        if not isinstance(o.spec, SimulationProperty):
            continue
        spec = o.spec
        keys = set(spec.regime)
        used = _free(spec.horizon) | _free(spec.failure_probability)
        for h in spec.hypotheses:
            used |= _free(h)
        assert used <= keys, f"{cid}/{o.id}: {used - keys} not in the regime"
        assert spec.observable in ("train_margins", "population_risk", "kernel", "flow_residual")


def test_shared_expressions_are_the_printed_ones():
    """Spot checks against the paper's formulas at a point, independent of the module's algebra."""
    pt = {B.K: 10, B.Q: 880}
    assert float(B.RISK_43.subs(pt)) == pytest.approx(2 * 10 * 880 ** 2 * math.exp(-880 / 45))
    fm = float(B.FAIL_MAIN.subs({**pt, B.c: 1}))
    assert fm == pytest.approx(8 * 10 * 880 ** 2.25 * math.exp(-min(math.sqrt(880) / 5, 880 ** 0.75 / 256)))
    # at the remark's substitution eps^2/16 = Q/(4(Z+2)^2) and (c eps/v) min(1, eps/(dv)) = 64 c Q/(Z+2)
    sub = B.at_main_text(B.failure_b1())
    val = float(sub.subs({B.K: 1, B.Q: 100, B.Z: 2, B.c: sp.Rational(1, 1000)}))
    assert val == pytest.approx(20 * 100 ** 2 * (math.exp(-100 / 64) + math.exp(-64 * 100 / 1000 / 4)))


# ---------------------------------------------------------------- the simulation checks can fail
def _traj(r_of_t, horizon=1.0, n_samples=3):
    t = np.linspace(0, horizon, 11)
    r = np.tile(r_of_t(t)[:, None], (1, n_samples))
    return SimpleNamespace(t=t, r=r, final=r[-1])


def test_trajectory_band_check_catches_violations():
    params = {"beta": 1.0, "tau": 1.0, "K": 1.0, "Q": 1.0}
    check = B.trajectory_band_check(B.RL_42, B.RU_42)  # [t/8, 5t] at K = 1
    tau1 = float(B.TAU1_42.subs({B.K: 1, B.tau: 1, B.beta: 1}))
    ok = check(_traj(lambda t: t, tau1), params)
    assert ok[0] and ok[1] > 0
    high = check(_traj(lambda t: 6 * t, tau1), params)
    low = check(_traj(lambda t: t / 10, tau1), params)
    assert not high[0] and high[2]["tightest"] == "above r^U"
    assert not low[0] and low[1] < 0


def test_risk_and_rate_checks_catch_violations():
    params = {"K": 1.0, "Q": 40.0}
    risk = B.log_risk_check(sp.log(2 * B.K * B.Q ** 2) - B.Q / 45)
    bound = math.log(2 * 1600) - 40 / 45
    assert risk(SimpleNamespace(log_risk=bound - 1, log_worst=0.0), params)[0]
    assert not risk(SimpleNamespace(log_risk=bound + 1, log_worst=0.0), params)[0]
    rate = B.rate_band_check(sp.Rational(1, 10))
    obs = SimpleNamespace(t=np.array([0.0, 1.0]), max_phi=np.array([0.5, 0.5]),
                          residual=np.array([[0.01, -0.02], [0.0, 0.06]]))
    holds, slack, detail = rate(obs, {})
    assert not holds and detail["tightest_sample"] == 1 and slack == pytest.approx((0.05 - 0.06) / 0.05)


def test_kernel_band_check_catches_a_planted_entry():
    params = {"l_b": 0.25, "d": 200.0, "v": 0.01, "eps": 1.0}
    C = np.array([[2 * (1 + 0.0625 + 0.02), 2 * 1.0625], [2 * 1.0625, 2 * (1 + 0.0625 + 0.02)]])
    eye = np.eye(2, dtype=bool)
    masks = {"diag": eye, "same": ~eye, "opposite": np.zeros((2, 2), bool), "shared": np.zeros((2, 2), bool),
             "disjoint": np.zeros((2, 2), bool)}
    check = B.kernel_band_check()
    assert check(SimpleNamespace(C=C, masks=masks), params)[0]
    C_bad = C + np.array([[0, 0.05], [0.05, 0]])  # band 4 eps v = 0.04
    holds, slack, detail = check(SimpleNamespace(C=C_bad, masks=masks), params)
    assert not holds and detail["max_deviation"]["same"] == pytest.approx(0.05)


# ---------------------------------------------------------------- Section 4.2's computed curve
def test_q_star_matches_a_float_scan():
    s42 = importlib.import_module("theorems.section_4_2")
    for k, q_star in s42.CURVE[:4]:
        q = 40
        while 2 * k * q * q * math.exp(-q / 45) >= 0.05:
            q += 1
        assert q == q_star
    qs = [q for _, q in s42.CURVE]
    assert qs == sorted(qs)
    assert s42.Q_STAR_10 > s42.Q_EXAMPLE  # the bound at 875 is still above 0.05 (0.0550)


# ---------------------------------------------------------------- verdicts from the engines
def _verdict(claim_id, oid, profile="quick"):
    ctx = engines.Context(profiles.get(profile), seed=0)
    result, _ = engines.run(obligation(claim_id, oid).spec, ctx)
    return result


@pytest.mark.parametrize("claim_id, oid, expected", [
    # exact identities: the printed dot-product expansions and the bookkeeping sum
    ("lemma-b.1", "expansion-same-cluster", Verdict.PROVED),
    ("lemma-b.1", "expansion-cross-value", Verdict.PROVED),
    ("lemma-b.1", "bookkeeping-sum", Verdict.PROVED),
    # KQ(Q+1) <= 2KQ^2: with the exact two-sided tail (no factor 2) the printed count covers j = k
    ("lemma-b.1", "union-bound-9-10", Verdict.PROVED),
    # the exact tail: P(|G| >= s) = erfc(s/(sigma sqrt 2)) <= e^{-s^2/(2 sigma^2)}, by f = e^{-x^2} - erfc
    ("lemma-b.1", "tail-is-erfc", Verdict.PROVED),
    ("lemma-b.1", "tail-gap-slope", Verdict.PROVED),
    ("lemma-b.1", "tail-gap-rising", Verdict.PROVED),
    ("lemma-b.1", "tail-gap-falling", Verdict.PROVED),
    ("lemma-b.1", "tail-gap-ends", Verdict.PROVED),
    ("lemma-b.1", "tail-bernstein-factor", Verdict.PROVED),
    # |S_i| = 4 > Z = 3 is allowed when Z counts values: (18) fails
    ("lemma-b.2", "step-17-18-values-reading", Verdict.REFUTED),
    ("theorem-b.3", "step-22-25", Verdict.PROVED),
    ("theorem-b.3", "step-29-30", Verdict.PROVED),
    ("theorem-b.3", "values-at-tau-1", Verdict.PROVED),
    # Q beta^2/N - (2 beta^2 Q/N)(1/8 + 1/4) max sigma >= Q beta^2/(4N) for max sigma < 1
    ("theorem-b.3", "step-25-26", Verdict.PROVED),
    # with sigma in [1/4, 1/2]: (1+l_b^2)/2 - (1-l_b^2) < 1 for l_b <= 1/2
    ("theorem-b.4", "step-45-46-as-printed", Verdict.REFUTED),
    ("theorem-b.4", "step-46-positive-as-cited", Verdict.PROVED),
    # 2KQ <= 2KQ^2: one term per training sample
    ("theorem-b.4", "union-bound-count", Verdict.PROVED),
    ("theorem-4.3", "risk-bound", Verdict.PROVED),
    # at Z = 4 and small c the appendix's failure probability exceeds the main text's for Q <= 424
    ("theorem-4.3", "failure-probability-gap", Verdict.PROVED),
    # Theorem 4.3's extra hypothesis Q >= 40 is not used by the derivation from B.4
    ("theorem-4.3", "risk-bound-without-q-40", Verdict.PROVED),
    # true steps the prover once left UNDECIDED (absolute values split, goal atoms implied by a
    # hypothesis, bounds normalised with the variables' own ends, exact faces at domain ends)
    ("lemma-b.1", "kernel-one-shared-token", Verdict.PROVED),
    ("lemma-b.1", "union-bound-total-s-le-z", Verdict.PROVED),
    ("lemma-b.1", "union-bound-total-pair-reading", Verdict.PROVED),
    ("lemma-b.2", "step-17-18-clusters-reading", Verdict.PROVED),
    ("theorem-b.3", "step-20-21-23", Verdict.PROVED),
    ("theorem-b.3", "step-21-22", Verdict.PROVED),
    ("theorem-b.3", "step-24-29", Verdict.PROVED),
    ("theorem-b.3", "tau-s-after-tau-1", Verdict.PROVED),
    ("theorem-b.4", "step-42-43", Verdict.PROVED),
    ("theorem-b.4", "step-44-45-as-printed", Verdict.PROVED),
    ("theorem-b.4", "step-45-46-corrected", Verdict.PROVED),
    ("section-4.2.log-k-scaling", "log-k-suffices-for-bound", Verdict.PROVED),
    # 20 * 875^2 e^{-875/45} = 0.0550 >= 0.05, and above it on [40, 875]
    ("section-4.2.875-samples", "bound-above-threshold-to-875", Verdict.PROVED),
    ("section-4.2.875-samples", "confidence-vacuous-at-875", Verdict.PROVED),
    # once UNDECIDED (issue 11): the Min of the failure probability split exactly, variables in
    # which every open atom is monotone split last, goal = λ h + ρ in log space
    ("theorem-4.2", "vacuous-below", Verdict.PROVED),
    ("section-4.2.875-samples", "confidence-vacuous-below", Verdict.PROVED),
    ("section-4.2.log-k-scaling", "bound-needs-log-k", Verdict.PROVED),
    ("section-4.2.log-k-scaling", "confidence-needs-more", Verdict.PROVED),
    # once UNDECIDED (issue 11): split at the switch of the min, c re-parametrised per case
    ("theorem-4.2", "failure-probability", Verdict.PROVED),
    ("theorem-4.2", "failure-probability-large-c", Verdict.PROVED),
    ("theorem-4.3", "failure-probability", Verdict.PROVED),
    ("theorem-4.3", "failure-probability-large-c", Verdict.PROVED),
    # once UNDECIDED: a sum of exponentials implied termwise (each exponent smaller)
    ("theorem-4.2", "failure-probability-worst-case", Verdict.PROVED),
])
def test_key_verdicts(claim_id, oid, expected):
    result = _verdict(claim_id, oid)
    assert result.verdict == expected, result.summary
    if expected == Verdict.REFUTED:
        assert result.counterexample is not None


@pytest.mark.slow
@pytest.mark.parametrize("claim_id, oid", [
    # the statement's r^U = 2dv^2 beta^2 t/(N tau) is below the proof's (5Q + 2dv^2) beta^2 t/(2N tau) always
    ("theorem-b.3", "statement-ru-covers-proof"),
])
def test_refuted_at_ci(claim_id, oid):
    result = _verdict(claim_id, oid, "ci")
    assert result.verdict == Verdict.REFUTED, result.summary


@pytest.mark.slow
@pytest.mark.parametrize("claim_id, oid", [
    # with sigma in [1/4, 1/2]: 4Q min sigma >= Q and the error term at max sigma <= 1/2
    ("theorem-b.4", "step-45-46-corrected"),
])
def test_true_steps_at_ci(claim_id, oid):
    """True polynomial steps: the engine must never refute them; PROVED is what the mathematics demands.
    An UNDECIDED is reported as an expected failure (a known gap of the prover on unbounded domains)."""
    result = _verdict(claim_id, oid, "ci")
    assert result.verdict not in (Verdict.REFUTED, Verdict.ERROR), result.summary
    if result.verdict != Verdict.PROVED:
        pytest.xfail(f"prover gap, should be PROVED: {result.summary[:160]}")


@pytest.mark.parametrize("claim_id, oid", [
    ("theorem-b.4", "step-45-46-as-printed"),
    ("lemma-b.2", "step-17-18-values-reading"),
    ("theorem-b.3", "statement-band-nonempty"),
])
def test_counterexamples_lie_inside_the_claims_hypotheses_and_are_simple(claim_id, oid):
    """A displayed counterexample satisfies every hypothesis of the claim it refutes, and is simple."""
    result = _verdict(claim_id, oid)
    assert result.verdict == Verdict.REFUTED, result.summary
    point = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in result.counterexample["point"].items()}
    point.setdefault(B.N, 2 * point[B.K] * point[B.Q])
    for h in CLAIMS[claim_id].hypotheses:
        assert bool(sp.sympify(h.expr).subs(point)), (h.label, result.counterexample["point"])
    assert all(sp.Rational(v).q <= 64 and abs(sp.Rational(v).p) <= 64
               for k, v in result.counterexample["point"].items()), result.counterexample["point"]


def test_numbers_in_notes_are_the_computed_ones():
    """Pins what the notes say: the default simulation regime keeps Lemma B.1's c -> oo failure
    probability below 1 (lemma-b.1 kernel-bands), and the thresholds quoted are the computed ones."""
    lb1 = importlib.import_module("theorems.lemma_b_1")
    reg = {B.K: 2, B.Q: 40, B.Z: 2}
    v = 1 / (256 * sp.sqrt(40))
    fail = B.failure_b1_c_infinity().subs(B.eps, B.EPS_CHOICE).subs({B.v: v, **reg})
    assert float(fail) < 1
    assert f"Q < {lb1._Q_MAIN_V})" in lb1.SIMULATION.note
    at_main = B.failure_b1_c_infinity().subs(B.eps, B.EPS_CHOICE).subs({B.v: B.V_CHOICE, B.K: 2, B.Z: 2})
    q = lb1._Q_MAIN_V
    assert float(at_main.subs(B.Q, q)) < 1 <= float(at_main.subs(B.Q, q - 1))
    q45 = B.first_q_below_one(B.RISK_43.subs(B.K, 2))
    assert 2 * 2 * q45 ** 2 * math.exp(-q45 / 45) < 1 <= 2 * 2 * (q45 - 1) ** 2 * math.exp(-(q45 - 1) / 45)
    assert f"Q < {q45} at K = 2" in CLAIMS["theorem-4.3"].obligation("simulated-risk").note


@pytest.mark.parametrize("lhs", [B.at_main_text(B.failure_b1()),
                                 B.at_main_text(B.failure_b1()) + B.at_main_text(B.failure_b1_c_infinity())])
def test_main_text_failure_cases_are_the_statement(lhs):
    """The two cases of B.main_text_failure_case, mapped back to c, decide the goal and the vacuity
    condition exactly as lhs <= FAIL_MAIN does (also where both are false: small Q, small c)."""
    import mpmath

    mpmath.mp.dps = 60
    k, q, z, c = n.K.symbol, n.Q.symbol, n.Z.symbol, n.c.symbol
    cases = {case: B.main_text_failure_case(lhs, case) for case in B.MAIN_CASES}
    seen = set()
    for qv in (40, 300, 5000, 150_000, 10 ** 7, 10 ** 12):
        for cv in (sp.Rational(1, 1000), sp.Rational(1, 20), 1, 7, 300):
            for zv, kv in ((1, 1), (4, 3)):
                at = {k: kv, q: qv, z: zv, c: cv}
                y = sp.Rational(qv) ** sp.Rational(3, 4) / 256
                u = cv * sp.sqrt(qv) / 5
                case = "small-c" if u <= y else "large-c"
                var, goal, vacuous = cases[case]
                at_case = {**at, var.symbol: u / y if case == "small-c" else u - y}
                def truth(rel, point):
                    gap = mpmath.mpf(sp.N((rel.gts - rel.lts).subs(point), 60))
                    scale = mpmath.mpf(sp.N((abs(rel.gts) + abs(rel.lts)).subs(point), 60))
                    assert abs(gap) > mpmath.mpf(10) ** -40 * scale  # not at equality (relative)
                    return gap >= 0
                assert truth(goal, at_case) == truth(lhs <= B.FAIL_MAIN, at)
                assert truth(vacuous, at_case) == truth(B.FAIL_MAIN >= 1, at)
                seen.add((case, truth(lhs <= B.FAIL_MAIN, at)))
    assert seen == {(cs, t) for cs in B.MAIN_CASES for t in (True, False)}


def test_main_text_failure_case_refuses_other_shapes():
    with pytest.raises(ValueError):
        B.main_text_failure_case(B.at_main_text(B.failure_b1()) - B.K, "small-c")


def test_substitution_facts_quoted_in_notes():
    """theorem-4.3/risk-bound and theorem-4.2/failure-probability quote these values at the remark's
    substitution eps = 1/(16 v (Z+2)), d = 5Q, v = 1/(32 sqrt Q)."""
    at = B.at_main_text
    assert "d v^2 = 5/1024, eps v = 1/(16(Z+2))" in CLAIMS["theorem-4.3"].obligation("risk-bound").note
    assert sp.simplify(at(B.d * B.v ** 2) - sp.Rational(5, 1024)) == 0
    assert sp.simplify(at(B.eps * B.v) - 1 / (16 * (B.Z + 2))) == 0
    assert sp.simplify(at(B.eps) - 2 * sp.sqrt(B.Q) / (B.Z + 2)) == 0
    assert "eps^2/16 = Q/(4(Z+2)^2) and c eps/v = 64 c Q/(Z+2)" in CLAIMS["theorem-4.2"].obligation(
        "failure-probability").note
    assert sp.simplify(at(B.eps ** 2 / 16) - B.Q / (4 * (B.Z + 2) ** 2)) == 0
    assert sp.simplify(at(B.c * B.eps / B.v) - 64 * B.c * B.Q / (B.Z + 2)) == 0


def test_tail_steps_are_sound_and_would_catch_a_factor():
    """The tail steps are the real functions: a planted factor 2 in the tail (2 erfc) breaks the
    'ends' step (f(0) = -1), and the union bounds show the tail choice they rest on."""
    x = B.TAIL_X.symbol
    planted = B.symbolic("planted", "2 erfc(x) <= e^{-x^2}", "test", (B.TAIL_X,), (),
                         2 * sp.erfc(x) <= sp.exp(-x ** 2))
    ctx = engines.Context(profiles.get("quick"), seed=0)
    assert engines.run(planted.spec, ctx)[0].verdict == Verdict.REFUTED
    for cid, oid in (("lemma-b.1", "union-bound-9-10"), ("theorem-b.4", "union-bound-count")):
        assert B.ONE_SIDED_TAIL in obligation(cid, oid).choices


def test_simulated_b3_statement_is_refuted_and_correction_holds():
    """The stated r^U is below every simulated margin by orders of magnitude; (33)'s r^U is not."""
    stated = _verdict("theorem-b.3", "trajectory-band-as-stated")
    assert stated.verdict == Verdict.REFUTED, stated.summary
    assert stated.evidence["worst"]["detail"]["tightest"] == "above r^U"
    corrected = _verdict("theorem-b.3", "trajectory-band-corrected")
    assert corrected.verdict == Verdict.NO_COUNTEREXAMPLE, corrected.summary


def test_main_text_simulation_is_vacuous_at_cpu_size():
    """8KQ^{9/4} e^{-Q^{3/4}/256} >= 1 at K = 2, Q = 40: Theorem 4.2 asserts nothing there."""
    result = _verdict("theorem-4.2", "trajectory-band")
    assert result.verdict == Verdict.VACUOUS, result.summary
