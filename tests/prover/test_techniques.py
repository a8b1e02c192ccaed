"""Techniques that decide steps the engine once left UNDECIDED: each proves a true statement
of that shape, and refutes the same statement made false (nothing true is refuted)."""
import sympy as sp

from dpoverify import prover
from dpoverify.claims import Domain, Implication, Param, symbol
from dpoverify.verdicts import Verdict

R = sp.Rational
x, y, u, f, l_b, ev, d, Q, Z, S = (symbol(n) for n in ("x", "y", "u", "f", "l_b", "ev", "d", "Q", "Z", "S"))


def P(name, *a, **k):
    return Param(name, Domain(*a, **k))


BAND = (P("u", -1, 1), P("l_b", 0, R(1, 2)), P("ev", 0, lo_closed=False))


def test_abs_upper_bound_split_into_two_sides(ctx):
    # |l_b^2 + 2 ev u| <= l_b^2 + 2 ev: tight at u = 1 for every l_b, ev (Lemma B.1's (12)-(13))
    spec = Implication(BAND, (), sp.Abs(l_b ** 2 + 2 * ev * u) <= l_b ** 2 + 2 * ev)
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    wrong = Implication(BAND, (), sp.Abs(l_b ** 2 + 2 * ev * u) <= l_b ** 2 + ev)
    r = prover.run(wrong, ctx)
    assert r.verdict == Verdict.REFUTED
    pt = {k: R(v) for k, v in r.counterexample["point"].items()}
    assert abs(pt["l_b"] ** 2 + 2 * pt["ev"] * pt["u"]) > pt["l_b"] ** 2 + pt["ev"]


def test_abs_of_a_signed_product(ctx):
    # |f (l_b^2 + 2 ev u)| <= l_b^2 + 2 ev with f in [-1, 1] (Theorem B.4's (42)-(43) shape)
    vs = (P("f", -1, 1), *BAND)
    spec = Implication(vs, (), sp.Abs(f * (l_b ** 2 + 2 * ev * u)) <= l_b ** 2 + 2 * ev)
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    wrong = Implication(vs, (), sp.Abs(f * (l_b ** 2 + 2 * ev * u)) < l_b ** 2 + 2 * ev)
    assert prover.run(wrong, ctx).verdict == Verdict.REFUTED  # equality at f = u = 1


def test_abs_lower_bound_is_a_disjunction(ctx):
    vs = (P("x", -1, 1), P("y", 0, 1))
    assert prover.run(Implication(vs, (), sp.Abs(x) >= x * y), ctx).verdict == Verdict.PROVED
    r = prover.run(Implication(vs, (), sp.Abs(x) >= y / 2), ctx)
    assert r.verdict == Verdict.REFUTED
    pt = {k: R(v) for k, v in r.counterexample["point"].items()}
    assert abs(pt["x"]) < pt["y"] / 2


def test_abs_in_a_hypothesis_contracts(ctx):
    # |x - y| <= 1/4 and y <= 1/2 give x <= 3/4
    vs = (P("x", -1, 1), P("y", 0, 1))
    spec = Implication(vs, (sp.Abs(x - y) <= R(1, 4), y <= R(1, 2)), x <= R(3, 4))
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    spec = Implication(vs, (sp.Abs(x - y) <= R(1, 4), y <= R(1, 2)), x <= R(2, 3))
    assert prover.run(spec, ctx).verdict == Verdict.REFUTED


def test_acos_is_enclosed(ctx):
    # acos(1 - d^2/8) ~ d/2: <= d holds, <= d/3 fails (certified through Arb)
    vs = (P("d", R(1, 4), R(1, 2)),)
    spec = Implication(vs, (), sp.acos(1 - d ** 2 / 8) <= d)
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    r = prover.run(Implication(vs, (), sp.acos(1 - d ** 2 / 8) <= d / 3), ctx)
    assert r.verdict == Verdict.REFUTED
    assert "Arb" in r.counterexample["certified_by"]


def test_acos_outside_its_domain_is_never_proved(ctx):
    # acos(2 d) is undefined for d > 1/2: no enclosure there, so no verdict from it
    spec = Implication((P("d", 0, 1),), (), sp.acos(2 * d) >= 0)
    assert prover.run(spec, ctx).verdict != Verdict.PROVED


COUNT = (P("Q", 1, integer=True), P("Z", 1, integer=True), P("S", 0, integer=True))


def test_scaling_keeps_the_lower_end_of_the_orbit(ctx):
    # 4QS + 2 <= 8QZ under S <= Z: homogeneous in (Q, S, Z) -> (lambda Q, S/lambda, Z/lambda)
    # except the constant; at Q = 1 it needs Z' = QZ >= 1, which a relaxation to [0, oo) loses
    spec = Implication(COUNT, (S <= Z,), 4 * Q * S + 2 <= 8 * Q * Z)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED
    wrong = Implication(COUNT, (S <= Z,), 4 * Q * S + 5 <= 4 * Q * Z)
    r = prover.run(wrong, ctx)
    assert r.verdict == Verdict.REFUTED  # S = Z, Q = 1: 5 > 0
    pt = {k: R(v) for k, v in r.counterexample["point"].items()}
    assert 4 * pt["Q"] * pt["S"] + 5 > 4 * pt["Q"] * pt["Z"] and pt["S"] <= pt["Z"]


def test_integer_variable_below_a_bound_is_shifted(ctx):
    # S <= 2Z - 2 (Z >= 1, so 2Z - 2 may be 0): S = 2Z - 2 - t, integrality relaxed
    spec = Implication(COUNT, (S <= 2 * Z - 2,), 4 * Q * S + 2 <= 8 * Q * Z)
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    wrong = Implication(COUNT, (S <= 2 * Z - 2,), 4 * Q * S + 9 <= 8 * Q * Z)
    assert prover.run(wrong, ctx).verdict == Verdict.REFUTED  # Q = 1, S = 2Z - 2: 8Z + 1 > 8Z


SIG = (P("s_lo", R(1, 4), R(1, 2)), P("s_j", R(1, 4), R(1, 2)), P("s_hi", R(1, 4), R(1, 2)))
s_lo, s_j, s_hi, X, eps, v = (symbol(n) for n in ("s_lo", "s_j", "s_hi", "X", "eps", "v"))


def test_goal_atom_implied_by_a_hypothesis(ctx):
    # |r - m| <= e gives r >= m - e exactly; r >= m - e - S(1 - l_b^2) also (S >= 0, l_b <= 1/2)
    r_, m, e = symbol("r"), symbol("m"), symbol("e")
    vs = (P("r"), P("m"), P("e", 0), P("S", 0), P("l_b", 0, R(1, 2)))
    spec = Implication(vs, (sp.Abs(r_ - m) <= e,), sp.And(r_ >= m - e, r_ <= m + e))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED and "follows from the hypotheses" in r.summary
    spec = Implication(vs, (sp.Abs(r_ - m) <= e,), r_ >= m - e - S * (1 - l_b ** 2))
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    wrong = Implication(vs, (sp.Abs(r_ - m) <= e,), r_ >= m - e + S * (1 - l_b ** 2))
    assert prover.run(wrong, ctx).verdict == Verdict.REFUTED


def test_lower_bound_hypothesis_is_normalised(ctx):
    # S >= Q s_lo: a goal increasing in S is decided at S = Q s_lo + t
    vs = (P("S", 0), P("Q", 1, integer=True), P("s_lo", R(1, 4), R(1, 2)), P("X", 0))
    spec = Implication(vs, (S >= Q * s_lo,), 3 * S + X >= 3 * Q * s_lo)
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    wrong = Implication(vs, (S >= Q * s_lo,), 3 * S + X / 2 >= 3 * Q * s_lo + X)
    assert prover.run(wrong, ctx).verdict == Verdict.REFUTED  # X > 0, S = Q s_lo


def test_normalising_keeps_the_variables_own_ends(ctx):
    # Theorem C.5's slope step: s_lo <= s_j <= s_hi in [1/4, 1/2]; s_lo = t s_j must keep
    # s_lo >= 1/4, and Z = t/(4 l_b^2) must keep Z >= 1
    vs = (P("Z", 1, integer=True), P("d", 1, integer=True), P("Q", 1, integer=True),
          P("v", 0, lo_closed=False), P("eps", 0, lo_closed=False), P("l_b", R(1, 4), R(1, 2)), *SIG)
    hyp = (Z <= 1 / (4 * l_b ** 2), eps <= 1 / (16 * v * (Z + 2)), s_lo <= s_j, s_j <= s_hi)
    lhs = -s_hi * (Z * l_b ** 2 + eps * v * (5 * Z / 2 + 5)) + 2 * s_lo + d * s_j * v ** 2 / Q
    assert prover.run(Implication(vs, hyp, lhs >= R(1, 16)), ctx).verdict == Verdict.PROVED
    # s_lo = 1/4 and d v^2/Q small: lhs < 1/2
    wrong = Implication(vs, hyp, lhs >= R(1, 2))
    assert prover.run(wrong, ctx).verdict == Verdict.REFUTED


def test_tight_face_at_a_domain_end_cancels_exactly(ctx):
    # Theorem B.3's (24) <= (29): equality on the face s_hi = s_j = 1/2 for every E, d v^2/Q;
    # interval arithmetic on that face keeps a width ~ E unless the face is substituted exactly
    vs = (P("s_j", 0, R(1, 2)), P("s_hi", 0, R(1, 2)), P("Z", 1, 4, integer=True),
          P("l_b", R(1, 4), R(1, 2)), P("eps", 0, lo_closed=False), P("d", 1, integer=True),
          P("v", 0, lo_closed=False), P("Q", 1, integer=True))
    E = Z * l_b ** 2 + eps * v * (2 * Z + 4)
    lhs = s_hi * (1 - l_b ** 2) + s_hi * (1 + l_b ** 2) + s_hi * E + d * s_j * v ** 2 / Q
    spec = Implication(vs, (s_j <= s_hi,), lhs <= E / 2 + 1 + d * v ** 2 / (2 * Q))
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    wrong = Implication(vs, (s_j <= s_hi,), lhs <= E / 2 + 1 + d * v ** 2 / (3 * Q))
    assert prover.run(wrong, ctx).verdict == Verdict.REFUTED


def test_tangency_at_an_irrational_hypothesis_boundary(ctx):
    # Z <= 1/(4 l_b^2) at Z = 2 is l_b <= 1/(2 sqrt 2): the goal's boundary, irrational, where
    # no box decides either atom; decided on the 1-variable box by the root of the hypothesis
    vs = (P("l_b", R(1, 4), R(1, 2)), P("Z", 1, 4, integer=True))
    hyp = (Z <= 1 / (4 * l_b ** 2),)
    spec = Implication(vs, hyp, sp.Or(l_b <= 1 / (2 * sp.sqrt(2)), Z <= 1))
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    strict = Implication(vs, hyp, sp.Or(l_b < 1 / (2 * sp.sqrt(2)), Z <= 1))
    assert prover.run(strict, ctx).verdict != Verdict.PROVED  # fails at the root itself
    wrong = Implication(vs, hyp, sp.Or(l_b <= 1 / (2 * sp.sqrt(2)) - R(1, 10 ** 6), Z <= 1))
    r = prover.run(wrong, ctx)
    assert r.verdict == Verdict.REFUTED
    assert R(r.counterexample["point"]["Z"]) == 2


NO_FLIP = (P("beta", 0, lo_closed=False), P("p_w", 0, 1, lo_closed=False), P("p_l", 0, 1, lo_closed=False),
           P("q_w", 0, 1, lo_closed=False), P("q_l", 0, 1, lo_closed=False))


def test_two_hypotheses_combined_in_log_space(ctx):
    # Section 7: beta log((p_w/p_l)/(q_w/q_l)) <= log 3 and q_l/q_w > 3^{1/beta} give p_w < p_l
    # (1/beta times the first plus the second, in logarithms); neither hypothesis alone does
    beta, p_w, p_l, q_w, q_l = (symbol(n) for n in ("beta", "p_w", "p_l", "q_w", "q_l"))
    margin = beta * (sp.log(p_w / p_l) - sp.log(q_w / q_l)) <= sp.log(3)
    spec = Implication(NO_FLIP, (margin, q_l / q_w > 3 ** (1 / beta)), p_w < p_l)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED and "λ1 h1 + λ2 h2" in r.summary + r.evidence["method"]
    tie = Implication(NO_FLIP, (margin, q_l / q_w >= 3 ** (1 / beta)), p_w < p_l)  # equality allows a tie
    assert prover.run(tie, ctx).verdict != Verdict.PROVED
    weaker = Implication(NO_FLIP, (margin, q_l / q_w > 3 ** (1 / (2 * beta))), p_w < p_l)
    r = prover.run(weaker, ctx)
    assert r.verdict == Verdict.REFUTED
    pt = {k: R(v) for k, v in r.counterexample["point"].items()}
    assert pt["p_w"] >= pt["p_l"] and pt["q_l"] / pt["q_w"] > 0


def test_sum_of_exponentials_implied_termwise(ctx):
    # (2 + Q)(e^{-x/y^2} + e^{-c x/y}) <= (2 + Q)(e^{-x} + e^{-c x}) for y <= 1: each exponent
    # is smaller on the left (the shape of theorem-4.2's failure-probability-worst-case)
    c = symbol("c")
    vs = (P("x", 0), P("y", 0, 1, lo_closed=False), P("c", 0), P("Q", 1, integer=True))
    spec = Implication(vs, (), (2 + Q) * (sp.exp(-x / y ** 2) + sp.exp(-c * x / y))
                       <= (2 + Q) * (sp.exp(-x) + sp.exp(-c * x)))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED and "termwise" in r.evidence
    # y in (0, 2]: false for y > 1 (a certified point), and never proved termwise
    wide = Implication((vs[0], P("y", 0, 2, lo_closed=False), *vs[2:]), (), spec.goal)
    r = prover.run(wide, ctx)
    assert r.verdict == Verdict.REFUTED and "termwise" not in r.evidence


def test_termwise_tries_every_pairing(ctx):
    # e^{-x} + e^{-3x} <= e^{-2x} + e^{-x/2}: paired as e^{-x} <= e^{-2x} it fails; paired as
    # e^{-x} <= e^{-x/2}, e^{-3x} <= e^{-2x} it holds
    spec = Implication((P("x", 0, 4),), (), sp.exp(-x) + sp.exp(-3 * x) <= sp.exp(-2 * x) + sp.exp(-x / 2))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED and "termwise" in r.evidence
