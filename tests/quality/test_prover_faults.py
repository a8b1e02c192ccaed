"""Quality suite for the prover: planted faults it must REFUTE (with an exact counterexample that
an independent sympy evaluation confirms) and true statements it must PROVE or at least not
refute. Specs are built here, from the paper's printed formulas, so the suite does not depend on
the content of theorems/."""
import pytest
import sympy as sp

from dpoverify import prover
from dpoverify.claims import Domain, Implication, Param, symbol
from dpoverify.engines import Context
from dpoverify.profiles import get
from dpoverify.verdicts import Verdict

pytestmark = pytest.mark.quality

R = sp.Rational
LOG3 = sp.log(3)
K, Q, N, d, v, l_b, Z, beta, tau, eps, delta, t = (
    symbol(n) for n in ("K", "Q", "N", "d", "v", "l_b", "Z", "beta", "tau", "eps", "delta", "t"))

POS = dict(lo=0, lo_closed=False)
P_K = Param("K", Domain(1, integer=True))
P_Q = Param("Q", Domain(1, integer=True))
P_N = Param("N", Domain(2, integer=True))
P_D = Param("d", Domain(1, integer=True))
P_V = Param("v", Domain(**POS))
P_LB = Param("l_b", Domain(R(1, 4), R(1, 2)))
P_Z = Param("Z", Domain(1, integer=True))
P_BETA = Param("beta", Domain(**POS))
P_TAU = Param("tau", Domain(**POS))
P_EPS = Param("eps", Domain(**POS))
P_DELTA = Param("delta", Domain(0, R(1, 2), hi_closed=False))

HYP_Z = Z <= 1 / (4 * l_b ** 2)
HYP_EPS = eps <= 1 / (16 * v * (Z + 2))


def sigma(x):
    return 1 / (1 + sp.exp(-x))


@pytest.fixture(scope="module")
def ctx():
    return Context(get("ci"), seed=20251122)


def holds(rel, pt) -> bool:
    """Truth of a relation at a point by sympy at 60 digits (independent of the engine)."""
    rel = rel.subs(pt)
    if rel in (sp.true, sp.false):
        return bool(rel)
    if isinstance(rel, sp.And):
        return all(holds(a, {}) for a in rel.args)
    if isinstance(rel, sp.Or):
        return any(holds(a, {}) for a in rel.args)
    diff = sp.N(rel.lhs - rel.rhs, 60)
    return bool(type(rel)(diff, 0))


def refuted(spec, ctx):
    """Run, demand REFUTED, and confirm the point independently of the engine."""
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED, (r.verdict, r.summary)
    pt = {symbol(k): R(s) for k, s in r.counterexample["point"].items()}
    for p in spec.variables:
        assert p.domain.contains(pt[p.symbol]), (p.name, pt[p.symbol])
    for h in spec.assumptions:
        assert holds(h, pt), h
    assert not holds(spec.goal, pt)
    again = prover.replay(spec, r.counterexample, ctx)
    assert again.verdict == Verdict.REFUTED
    return r


def not_refuted(spec, ctx, must_prove=True):
    r = prover.run(spec, ctx)
    assert r.verdict != Verdict.REFUTED, r.summary
    assert r.verdict != Verdict.ERROR, r.summary
    if must_prove:
        assert r.verdict == Verdict.PROVED, (r.verdict, r.summary)
    return r


# ---------------------------------------------------------------- Theorem B.3, step (25) -> (26)
STEP_VARS = (P_Q, P_N, P_BETA, P_Z, P_EPS, P_V, P_LB)
STEP_25 = Q * beta ** 2 / N - (2 * beta ** 2 * Q / N) * ((2 * Z + 4) * eps * v + l_b ** 2 * Z) * R(1, 2)
STEP_26 = Q * beta ** 2 / (4 * N)


def test_step_25_26_as_printed_is_proved(ctx):
    not_refuted(Implication(STEP_VARS, (HYP_Z, HYP_EPS), STEP_25 >= STEP_26), ctx)


def test_step_25_26_with_loosened_eps_is_refuted(ctx):
    loose = eps <= 1 / (v * (Z + 2))
    refuted(Implication(STEP_VARS, (HYP_Z, loose), STEP_25 >= STEP_26), ctx)


def test_step_25_26_with_flipped_z_hypothesis_is_refuted(ctx):
    flipped = Z >= 1 / (4 * l_b ** 2)
    refuted(Implication(STEP_VARS, (flipped, HYP_EPS), STEP_25 >= STEP_26), ctx)


# ---------------------------------------------------------------- Theorem B.3, (29) -> (30), (32) -> (33)
def test_step_29_30_is_proved_and_its_sign_flip_refuted(ctx):
    s29 = 2 * Q * beta ** 2 / N + d * v ** 2 * beta ** 2 / N + beta ** 2 * Q / N * (
        (2 * Z + 4) * eps * v + l_b ** 2 * Z)
    s30 = 5 * Q * beta ** 2 / (2 * N) + d * v ** 2 * beta ** 2 / N
    vars_ = (P_Q, P_N, P_BETA, P_D, P_Z, P_EPS, P_V, P_LB)
    not_refuted(Implication(vars_, (HYP_Z, HYP_EPS), s29 <= s30), ctx)
    flipped = s30.subs(d * v ** 2 * beta ** 2 / N, -d * v ** 2 * beta ** 2 / N)
    refuted(Implication(vars_, (HYP_Z, HYP_EPS), s29 <= flipped), ctx)


def test_step_32_33_over_unbounded_q(ctx):
    vars_ = (P_Q, P_D, P_V, P_N, P_BETA, P_TAU)
    r32 = (5 * Q + 2 * d * v ** 2) * beta ** 2 / (2 * N * tau)
    r33 = 10 * Q * beta ** 2 / (N * tau)
    hyps = (d <= 5 * Q, v <= 1 / (32 * sp.sqrt(Q)))
    not_refuted(Implication(vars_, hyps, r32 <= r33), ctx)
    # with v <= 1/(4 sqrt Q) (Theorem B.3's own hypothesis) the step still holds; with the slope
    # of (33) halved it does not
    not_refuted(Implication(vars_, (d <= 5 * Q, v <= 1 / (4 * sp.sqrt(Q))), r32 <= r33), ctx)
    refuted(Implication(vars_, hyps, r32 <= r33 / 4), ctx)


# ---------------------------------------------------------------- Theorem B.3, values at tau_1
TAU_1 = N * tau * LOG3 / (10 * Q * beta ** 2)


def test_r_values_at_tau_1(ctx):
    vars_ = (P_Q, P_N, P_BETA, P_TAU)
    r_u = 10 * Q * beta ** 2 / (N * tau) * t
    r_l = Q * beta ** 2 / (4 * N * tau) * t
    not_refuted(Implication(vars_, (), sp.Eq(r_u.subs(t, TAU_1), LOG3)), ctx)
    not_refuted(Implication(vars_, (), sp.Eq(r_l.subs(t, TAU_1), LOG3 / 40)), ctx)
    # planted: r^U's slope halved, so r^U(tau_1) = log(3)/2 falls short of the margin log 3
    halved = r_u / 2
    refuted(Implication(vars_, (), halved.subs(t, TAU_1) >= LOG3), ctx)
    refuted(Implication(vars_, (), sp.Eq(r_l.subs(t, TAU_1), LOG3 / 20)), ctx)


def test_sigma_at_minus_log_3(ctx):
    not_refuted(Implication((), (), sp.Eq(sigma(-LOG3), R(1, 4))), ctx)
    not_refuted(Implication((), (), sigma(-LOG3) >= R(1, 4)), ctx)
    refuted(Implication((), (), sigma(-LOG3) > R(1, 4)), ctx)
    refuted(Implication((), (), sigma(-LOG3) >= R(1, 3)), ctx)


# ---------------------------------------------------------------- eq. (4) against Theorem B.4
EPS_MAIN = 1 / (16 * v * (Z + 2))
B4_EXPONENT = EPS_MAIN ** 2 / (2 * (2 + d * v ** 2 + EPS_MAIN * v))
MAIN = {d: 5 * Q, v: 1 / (32 * sp.sqrt(Q))}


def _eq4_spec(factor):
    appendix = 2 * K * Q ** 2 * sp.exp(-B4_EXPONENT.subs(MAIN))
    main = 2 * K * Q ** 2 * sp.exp(-factor * Q / 45)
    return Implication((P_K, Param("Q", Domain(40, integer=True)), P_Z, P_LB), (HYP_Z,),
                       appendix <= main, substitutions=(("eps", "1/(16 v (Z+2))"), ("d", "5Q"),
                                                        ("v", "1/(32 sqrt Q)")))


def test_eq4_follows_from_b4(ctx):
    not_refuted(_eq4_spec(1), ctx)


def test_eq4_with_exponent_times_ten_is_refuted(ctx):
    refuted(_eq4_spec(10), ctx)


# ---------------------------------------------------------------- Lemma C.2
def test_lemma_c2_inequality(ctx):
    a = 1 - delta ** 2 / 8
    not_refuted(Implication((P_DELTA,), (), 2 * a * sp.sqrt(1 - a ** 2) <= delta), ctx)
    refuted(Implication((P_DELTA,), (), 2 * a * sp.sqrt(1 - a ** 2) <= delta * R(9, 10)), ctx)


# ---------------------------------------------------------------- exp over an unbounded Q
def test_bound_of_eq4_small_beyond_a_threshold(ctx):
    vars_ = (Param("K", Domain(1, 10, integer=True)), P_Q)
    bound = 2 * K * Q ** 2 * sp.exp(-Q / 45)
    not_refuted(Implication(vars_, (Q >= 1200,), bound <= R(1, 1000)), ctx)
    r = refuted(Implication(vars_, (Q >= 900,), bound <= R(1, 1000)), ctx)
    assert 900 <= R(r.counterexample["point"]["Q"]) < 1200
