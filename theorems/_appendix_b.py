"""Shared expressions of Appendix B (Lemma B.1 - Theorem B.4) and of Theorems 4.2/4.3.

Each expression is written once, as printed in arXiv 2408.03459v5 (equation numbers cited), and
used by every module that states or checks it. Step-local quantities of the proofs (sigma values,
cluster sums, the number |S_i| of values sharing a token with value i) are declared here as
:class:`Param` with the domain the proof has established for them at that point.
"""
from __future__ import annotations

import functools
import math

import flint
import sympy as sp

from dpoverify.claims import Domain, Kind, Obligation, Param, symbolic  # noqa: F401  (theorem modules call B.symbolic)
from theorems import _notation as n

R = sp.Rational
LOG3 = sp.log(3)

K, Q, N, d, v, l_b, Z, beta, tau, eps, c, t = (
    n.SYM[x] for x in ("K", "Q", "N", "d", "v", "l_b", "Z", "beta", "tau", "eps", "c", "t"))

# ---------------------------------------------------------------- parameters, as B.3/B.4 narrow them
L_B = n.l_b.restrict(lo=R(1, 4), hi=R(1, 2))  # 1/2 >= l_b >= 1/4 (B.3, B.4, 4.2, 4.3)
L_B_HALF = n.l_b.restrict(hi=R(1, 2))  # l_b <= 1/2 (B.1, B.2)
# Z <= 1/(4 l_b^2) with l_b >= 1/4 gives Z <= 4 (obligation "z-range" checks this implication).
Z_B3 = n.Z.restrict(hi=4)
Z_ANY = n.Z  # Lemma B.2 puts no bound on Z

# ---------------------------------------------------------------- step-local quantities
UNIT = dict(lo=0, hi=1, lo_closed=False, hi_closed=False)
SIG_J = Param("sigma_j", Domain(**UNIT), "sigma(-r_j) of the sample whose rate is bounded", "σ(−r_j)")
SIG_MIN = Param("sigma_min", Domain(**UNIT), "min_k sigma(-r_k) over the training set", "min σ")
SIG_MAX = Param("sigma_max", Domain(**UNIT), "max_k sigma(-r_k) over the training set", "max σ")
S_OWN = Param("S_own", Domain(0), "sum_m sigma(-r_m^{i,±}) over the sample's own cluster (Q terms)", "Σσ(own)")
S_OPP = Param("S_opp", Domain(0), "sum_m sigma(-r_m^{i,∓}) over the opposite cluster (Q terms)", "Σσ(opp)")
RATE = Param("rate", Domain(), "tau dr/dt of the sample (training: r_j^{i,±}; B.4: the new sample)", "τṙ")
S_I = Param("S_i", Domain(0, integer=True), "|S_i|: number of other values whose response set shares a token with value i", "|S_i|")
F_PREF = Param("f", Domain(-1, 1), "preference-sharing factor (y_w,j - y_l,j)^T(y_w,k - y_l,k) of two response pairs with one common token", "f")
R_MARGIN = Param("r", Domain(), "a reward margin r_k", "r")
# A quantity known to lie in a band |x - centre| <= radius is written x = centre + radius * u, u in [-1, 1].
U_D = Param("u_D", Domain(-1, 1), "a dot product in its band: D = centre + 2 eps v u_D (mu^T x_k in B.4)", "u_D")
U_G = Param("u_g", Domain(-1, 1), "a Gaussian deviation in units of eps v: g = eps v u_g", "u_g")
U_B = Param("u_b", Domain(-1, 1), "the deviation of sum_m alpha_j,m alpha_k,m from its mean, in units of eps v", "u_b")
U_POS = Param("u", Domain(0, 1, lo_closed=False), "a positive quantity as a fraction of its upper bound", "u")

sigma_j, sigma_min, sigma_max = SIG_J.symbol, SIG_MIN.symbol, SIG_MAX.symbol
S_own, S_opp, rate, S_i, f = S_OWN.symbol, S_OPP.symbol, RATE.symbol, S_I.symbol, F_PREF.symbol

# ---------------------------------------------------------------- hypotheses
HYP_Z = Z <= 1 / (4 * l_b ** 2)
HYP_D = d <= 5 * Q
HYP_V_B3 = v <= 1 / (4 * sp.sqrt(Q))  # Theorems B.3, B.4
HYP_V_MAIN = v <= 1 / (32 * sp.sqrt(Q))  # Theorems 4.2, 4.3; also cited in step (32)->(33)
HYP_EPS = eps <= 1 / (16 * v * (Z + 2))  # Theorems B.3, B.4
HYP_EPS_B4_PROOF = eps <= 1 / (8 * v * (Z + 2))  # cited in B.4's proof after (46)
HYPS_B3 = (HYP_Z, HYP_D, HYP_V_B3, HYP_EPS)

# ---------------------------------------------------------------- the main text's substitutions
EPS_CHOICE = 1 / (16 * v * (Z + 2))  # remarks after B.3 and B.4
D_CHOICE = 5 * Q
V_CHOICE = 1 / (32 * sp.sqrt(Q))
N_CHOICE = 2 * K * Q
SUBSTITUTIONS = (("eps", "1/(16 v (Z+2))"), ("d", "5 Q"), ("v", "1/(32 sqrt(Q))"), ("N", "2 K Q"))


def at_main_text(expr):
    """``expr`` with eps = 1/(16 v (Z+2)), then d = 5Q, v = 1/(32 sqrt Q), N = 2KQ."""
    return sp.sympify(expr).subs(eps, EPS_CHOICE).subs({d: D_CHOICE, v: V_CHOICE, N: N_CHOICE})


# ---------------------------------------------------------------- failure probabilities
def bernstein_exponent(eps=eps, v=v, d=d, c=c):
    """(c eps / v) min(1, eps/(d v)): Bernstein's exponent at radius eps v (Lemma B.1)."""
    return (c * eps / v) * sp.Min(1, eps / (d * v))


def failure_b1(eps=eps, v=v, d=d, Z=Z, K=K, Q=Q, c=c):
    """Lemma B.1's failure probability, also B.2's, B.3's and B.4's (eqs. 9-13, 14, 19, 35):
    (8Z+4) K Q^2 e^{-eps^2/16} + (8Z+4) K Q^2 exp(-(c eps/v) min(1, eps/(d v)))."""
    return (8 * Z + 4) * K * Q ** 2 * (sp.exp(-eps ** 2 / 16) + sp.exp(-bernstein_exponent(eps, v, d, c)))


def failure_b1_c_infinity(eps=eps, Z=Z, K=K, Q=Q):
    """The c -> oo limit (the infimum over the unspecified c > 0) of :func:`failure_b1`.

    Where it is >= 1 the claim is vacuous for every c. A failure rate above it refutes only the
    strongest reading (c large enough that the failure probability is below the rate): the lemma
    leaves c unspecified, and as c -> 0 its failure probability tends to a value >= 1, so no
    observation refutes it for every c. Specs pass :func:`failure_b1` as ``failure_probability_in``
    so that a refutation reports the c above which it holds."""
    return (8 * Z + 4) * K * Q ** 2 * sp.exp(-eps ** 2 / 16)


# ---------------------------------------------------------------- the two-sided Gaussian tail
# Union bounds count one failure term per event: P(|G| >= s) <= e^{-s^2/(2 sigma^2)} with no factor 2,
# since P(|G| >= s) = erfc(s/(sigma sqrt 2)) and erfc(x) <= e^{-x^2} for x >= 0 (obligations below).
# Bernstein's factor 2 is absorbed by the unspecified c wherever the failure probability is below 1.
TAIL_S = Param("s", Domain(0, lo_closed=False), "a tail radius", "s")
TAIL_SIGMA = Param("sigma", Domain(0, lo_closed=False), "standard deviation of a centred normal G", "σ")
TAIL_X = Param("x", Domain(0), "a tail radius in units of sigma sqrt 2: x = s/(sigma sqrt 2)", "x")
BERN_T = Param("b", Domain(0, 1, lo_closed=False, hi_closed=False),
               "exp(-(c eps/v) min(1, eps/(dv))): Lemma B.1's Bernstein term per event", "b")
_x = TAIL_X.symbol
ERFC_GAP = sp.exp(-_x ** 2) - sp.erfc(_x)  # f(x) = e^{-x^2} - erfc(x) >= 0 is the tail bound
ERFC_GAP_SLOPE = sp.diff(ERFC_GAP, _x)  # computed by sympy
ERFC_TURN = 1 / sp.sqrt(sp.pi)  # where the slope changes sign
ONE_SIDED_TAIL = ("one failure term per event: P(|G| >= s) = erfc(s/(σ√2)) <= e^{-s²/(2σ²)} (no factor 2; "
                  "lemma-b.1/tail-*)")
BERNSTEIN_ABSORBED = ("Bernstein's two-sided factor 2 is absorbed by the unspecified c (c halved) wherever the "
                      "failure probability is below 1 (lemma-b.1/tail-bernstein-factor)")


def _two_sided_tail_probability():
    """P(|G| >= s) for G ~ N(0, sigma^2), computed by sympy.stats."""
    from sympy.stats import Normal, P

    G = Normal("G", 0, TAIL_SIGMA.symbol)
    return P(G >= TAIL_S.symbol) + P(G <= -TAIL_S.symbol)


def tail_obligations(cites: str) -> tuple[Obligation, ...]:
    """The two-sided Gaussian tail P(|G| >= s) <= e^{-s^2/(2 sigma^2)} as steps: the probability is erfc,
    and f = e^{-x^2} - erfc(x) rises from f(0) = 0 up to x = 1/sqrt(pi) and falls to 0 after, so f >= 0.
    Plus Bernstein's factor 2, absorbed by c where the failure probability is below 1."""
    s_, sig = TAIL_S.symbol, TAIL_SIGMA.symbol
    b = BERN_T.symbol
    return (
        symbolic("tail-is-erfc", "P(|G| >= s) = erfc(s/(σ√2)) for G ~ N(0, σ²)", cites, (TAIL_S, TAIL_SIGMA), (),
                 sp.Eq(_two_sided_tail_probability(), sp.erfc(s_ / (sig * sp.sqrt(2))), evaluate=False),
                 note="The left side is computed by sympy.stats (P(G >= s) + P(G <= -s)), not typed."),
        symbolic("tail-gap-slope", "f(x) = e^{-x²} - erfc(x) has f'(x) = 2e^{-x²}(1/√π - x)", cites, (TAIL_X,), (),
                 sp.Eq(ERFC_GAP_SLOPE, 2 * sp.exp(-_x ** 2) * (ERFC_TURN - _x), evaluate=False),
                 note="f' is computed by sympy.diff."),
        symbolic("tail-gap-rising", "f' >= 0 on [0, 1/√π]", cites, (TAIL_X,), (_x <= ERFC_TURN,), ERFC_GAP_SLOPE >= 0),
        symbolic("tail-gap-falling", "f' <= 0 on [1/√π, ∞)", cites, (TAIL_X,), (_x >= ERFC_TURN,), ERFC_GAP_SLOPE <= 0),
        symbolic("tail-gap-ends", "f(0) = 0 and f(x) -> 0 as x -> ∞; with the slope's signs, f >= 0: "
                 "erfc(x) <= e^{-x²} on [0, ∞)", cites, (TAIL_X,), (),
                 sp.And(sp.Eq(ERFC_GAP.subs(_x, 0), 0, evaluate=False),
                        sp.Eq(sp.limit(ERFC_GAP, _x, sp.oo), 0, evaluate=False)),
                 note="The limit is computed by sympy.limit. f rises from f(0) = 0 on [0, 1/√π] and falls towards "
                      "its limit 0 on [1/√π, ∞), so f >= 0; at x = s/(σ√2): P(|G| >= s) <= e^{-s²/(2σ²)}."),
        symbolic("tail-bernstein-factor", "Bernstein's factor 2 is absorbed by c: with b = e^{-y} in (0, 1), "
                 "2b² <= b, or the failure probability (8Z+4)KQ² b >= 12 b is >= 1", cites,
                 (n.K, n.Q, n.Z, BERN_T), (),
                 sp.And((8 * Z + 4) * K * Q ** 2 >= 12, sp.Or(2 * b ** 2 <= b, 12 * b >= 1)),
                 note="Bernstein gives P(|S - E S| >= eps v) <= 2 e^{-c' X}, X = (eps/v) min(1, eps/(dv)); the lemma's "
                      "c is read as c'/2, y = c X and b = e^{-y}, so 2 e^{-c' X} = 2b². Where the second alternative "
                      "holds the lemma asserts nothing."),
    )


FAIL_MAIN = 8 * K * Q ** R(9, 4) * sp.exp(-sp.Min(c * sp.sqrt(Q) / 5, Q ** R(3, 4) / 256))  # Thms 4.2, 4.3
FAIL_MAIN_C_INFINITY = 8 * K * Q ** R(9, 4) * sp.exp(-Q ** R(3, 4) / 256)


# The main-text failure probability split at the switch of its min, in variables that keep
# enclosures finite on the tail Q -> oo with c -> 0 (where M < 1 needs c sqrt(Q)/5 > log(8KQ^{9/4})).
# For fixed Q each is a bijection of c onto its case:
#   small c: c sqrt(Q)/5 = s Q^{3/4}/256, s in (0, 1]  (the min is s Q^{3/4}/256)
#   large c: c sqrt(Q)/5 = Q^{3/4}/256 + r, r >= 0     (the min is Q^{3/4}/256)
MAIN_S = Param("s", Domain(0, 1, lo_closed=False), "(c√Q/5)/(Q^{3/4}/256), where c√Q/5 ≤ Q^{3/4}/256", "s")
MAIN_R = Param("r", Domain(0), "c√Q/5 − Q^{3/4}/256, where c√Q/5 ≥ Q^{3/4}/256", "r")
_Y_MAIN = Q ** R(3, 4) / 256
MAIN_CASES = {  # case: (variable replacing c, c in that variable, the min of FAIL_MAIN in that case)
    "small-c": (MAIN_S, 5 * MAIN_S.symbol * _Y_MAIN / sp.sqrt(Q), MAIN_S.symbol * _Y_MAIN),
    "large-c": (MAIN_R, 5 * (_Y_MAIN + MAIN_R.symbol) / sp.sqrt(Q), _Y_MAIN),
}
MAIN_CASE_NOTE = ("Checked in two cases that together are the statement: c√Q/5 ≤ Q^{3/4}/256 (c written as "
                  "5sQ^{1/4}/256, s ∈ (0, 1]) and c√Q/5 ≥ Q^{3/4}/256 (c√Q/5 = Q^{3/4}/256 + r, r ≥ 0); for fixed "
                  "Q each is a bijection of c onto its case, and the min is resolved exactly in each. Both sides "
                  "are divided by KQ² e^{−min} > 0 (an equivalent inequality): Σ (coefficient/KQ²) e^{min − "
                  "exponent} ≤ 8Q^{1/4}, each exponent difference factored so that no enclosure meets ∞ − ∞ on the "
                  "tail Q → ∞, c → 0. The vacuity condition 8KQ^{9/4}e^{−min} ≥ 1 is unchanged.")


def main_text_failure_case(lhs, case: str):
    """(variable replacing c, goal, vacuous_when) for ``lhs <= FAIL_MAIN`` in one case of its min.

    ``lhs`` is a sum of (positive coefficient) * exp(exponent) terms; the goal is the same
    inequality divided by K Q^2 e^{-min} (see MAIN_CASE_NOTE)."""
    var, c_of, m = MAIN_CASES[case]
    total, rest = sp.Integer(0), sp.expand_mul(lhs)
    for e in sorted(rest.atoms(sp.exp), key=sp.default_sort_key):
        coef = sp.factor(rest.coeff(e) / (K * Q ** 2))
        rest = sp.expand_mul(rest - rest.coeff(e) * e)
        if coef.free_symbols - {Z} or not all(a > 0 for a in sp.Poly(coef, Z).coeffs()):
            raise ValueError(f"coefficient not a polynomial in Z with positive coefficients: {coef}")
        total += coef * sp.exp(sp.factor_terms(sp.expand(e.args[0].subs(c, c_of) + m)))
    if rest != 0:
        raise ValueError(f"not a sum of coefficients times exponentials: {lhs}")
    return var, total <= 8 * Q ** R(1, 4), 8 * K * Q ** R(9, 4) * sp.exp(-m) >= 1


def certain_negative(ball_fn) -> bool:
    """Decide ball_fn() < 0 rigorously, raising Arb's precision until the ball excludes 0."""
    old = flint.ctx.prec
    try:
        for prec in (64, 128, 256, 1024):
            flint.ctx.prec = prec
            x = ball_fn()
            if x < 0:
                return True
            if x >= 0:
                return False
        raise ArithmeticError("cannot separate the value from 0 at 1024 bits")
    finally:
        flint.ctx.prec = old


def confidence_positive(k: int, q: int) -> bool:
    """8kq^{9/4} e^{-q^{3/4}/256} < 1 (the c -> oo limit of the failure probability), decided in Arb."""
    return certain_negative(lambda: flint.arb(8 * k).log() + flint.arb(9) / 4 * flint.arb(q).log()
                            - flint.arb(q) ** (flint.arb(3) / 4) / 256)


def smallest_confident_q(k: int) -> int:
    """The smallest integer q >= 1 at which 8kq^{9/4} e^{-q^{3/4}/256} < 1. The function rises from
    8k e^{-1/256} > 1 while q^{3/4} < 768 (its log has derivative 9/(4q) - 3q^{-1/4}/1024), so the search
    bisects on the falling side; the prover certifies the range below the answer (theorem-4.2
    vacuous-below, section-4.2.875-samples confidence-vacuous-below)."""
    lo = math.ceil(768 ** (4 / 3))  # on the falling side from here on
    hi = lo
    while not confidence_positive(k, hi):
        hi *= 2
    while hi - lo > 1:  # invariant: not positive at lo, positive at hi
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if confidence_positive(k, mid) else (mid, hi)
    return hi

@functools.lru_cache(maxsize=None)
def first_q_below_one(expr, start: int = 1) -> int:
    """The smallest integer Q >= start at which ``expr`` (a function of Q only, eventually
    decreasing below 1) is < 1, scanned upward at 40 digits (for numbers quoted in notes)."""
    import mpmath

    f = sp.lambdify((Q,), expr, "mpmath")
    q = start
    with mpmath.workdps(40):
        while f(mpmath.mpf(q)) >= 1:
            q += 1
    return q


# ---------------------------------------------------------------- where the main text does not follow
GAP_C = R(1, 10 ** 5)  # a small value of Bernstein's c: the gap region is stated for every c <= GAP_C
GAP_Z = 4  # the largest Z the hypotheses allow (l_b = 1/4), where the appendix's bound is largest


@functools.lru_cache(maxsize=None)
def main_text_gap_q(z: int = GAP_Z, c_max=GAP_C) -> int:
    """The largest q such that for every Q <= q the appendix's failure probability at the remark's
    substitution exceeds the main text's, both at c = c_max and as c -> 0 (K = 1; both are linear
    in K). The prover certifies it for every c in (0, c_max] (obligation failure-probability-gap)."""
    import mpmath

    diff = sp.lambdify((Q, c), (at_main_text(failure_b1()) - FAIL_MAIN).subs({Z: z, K: 1}), "mpmath")

    def exceeds(q, cv):
        with mpmath.workdps(40):
            return diff(mpmath.mpf(q), mpmath.mpf(cv.p) / cv.q if cv else mpmath.mpf(0)) > 0

    q = 1
    while exceeds(q, c_max) and exceeds(q, 0):
        q += 1
    return q - 1


def failure_gap_obligation(q_param: Param, z_param: Param, l_b_param: Param, cites: str) -> Obligation:
    """Where the main text's failure probability is below the appendix's at the remark's substitution,
    the main text does not follow from the appendix (it is vacuous there: the region lies below the
    vacuity threshold)."""
    q_gap = main_text_gap_q()
    return symbolic(
        "failure-probability-gap", f"for Q <= {q_gap}, Z = {GAP_Z} and every c <= {GAP_C}, the main text's "
        "failure probability is below the appendix's at the remark's substitution, and >= 1",
        cites, (n.K, q_param.restrict(hi=q_gap), l_b_param, z_param.restrict(lo=GAP_Z),
                n.c.restrict(hi=GAP_C)), (HYP_Z,), sp.And(at_main_text(failure_b1()) > FAIL_MAIN, FAIL_MAIN >= 1),
        kind=Kind.CONSISTENCY, substitutions=SUBSTITUTIONS, role="gap", region_of=("Q", "Z", "c"),
        note=f"PROVED means the main text does not follow from the appendix there, and asserts nothing there "
             f"(its failure probability is >= 1). The bound on Q is computed (_appendix_b.main_text_gap_q) for "
             f"the chosen c <= {GAP_C}.",
        choices=(f"a small c: every c <= {GAP_C} (c is unspecified)",))


# ---------------------------------------------------------------- Theorem B.3: trajectories and horizon
RL_B3 = Q * beta ** 2 * t / (4 * N * tau)  # statement and eq. 28
RU_B3_STATED = 2 * d * v ** 2 * beta ** 2 * t / (N * tau)  # statement of B.3
RU_B3_32 = (5 * Q + 2 * d * v ** 2) * beta ** 2 * t / (2 * N * tau)  # eq. 32 (solution of 31)
RU_B3_33 = 10 * Q * beta ** 2 * t / (N * tau)  # eq. 33
TAU1_B3 = N * tau * LOG3 / (10 * Q * beta ** 2)  # eqs. 19 and 34

# Theorem 4.2
RL_42 = beta ** 2 * t / (8 * K * tau)
RU_42 = 5 * beta ** 2 * t / (K * tau)
TAU1_42 = K * tau * LOG3 / (5 * beta ** 2)

# ---------------------------------------------------------------- Lemma B.2 / Theorem B.3 rate bounds
A_OWN = 2 * (1 + l_b ** 2) * beta ** 2 / N  # weight of the own-cluster sum (eq. 14)
B_OPP = 2 * (1 - l_b ** 2) * beta ** 2 / N  # weight of the opposite-cluster sum
D_SELF = 2 * d * v ** 2 * beta ** 2 / N  # weight of the sample's own sigma (the C(x_j, x_j) excess)
MEAN_FIELD = A_OWN * S_own + B_OPP * S_opp + D_SELF * sigma_j  # eq. 14's subtracted terms


def err_b2(Z=Z):
    """The right side of eq. 18 without max sigma: (2 beta^2 Q/N)((2Z+4) eps v + l_b^2 Z)."""
    return 2 * beta ** 2 * Q / N * ((2 * Z + 4) * eps * v + l_b ** 2 * Z)


def err_b4(Z=Z):
    """The right side of eq. 44 without max sigma: (2 beta^2 Q/N)((3Z+6) eps v + l_b^2 Z)."""
    return 2 * beta ** 2 * Q / N * ((3 * Z + 6) * eps * v + l_b ** 2 * Z)


EQ22 = (2 * Q * (1 + l_b ** 2) * beta ** 2 / N * sigma_min + 2 * Q * (1 - l_b ** 2) * beta ** 2 / N * sigma_min
        + D_SELF * sigma_j - err_b2() * sigma_max)
EQ24 = (2 * Q * (1 + l_b ** 2) * beta ** 2 / N * sigma_max + 2 * Q * (1 - l_b ** 2) * beta ** 2 / N * sigma_max
        + D_SELF * sigma_j + err_b2() * sigma_max)
EQ25 = Q * beta ** 2 / N + D_SELF * sigma_j - err_b2() * sigma_max
EQ26 = Q * beta ** 2 / (4 * N)
EQ29 = (2 * Q * beta ** 2 / N + d * v ** 2 * beta ** 2 / N
        + beta ** 2 * Q / N * ((2 * Z + 4) * eps * v + l_b ** 2 * Z))
EQ30 = 5 * Q * beta ** 2 / (2 * N) + d * v ** 2 * beta ** 2 / N
EQ31_RHS = (5 * Q + 2 * d * v ** 2) * beta ** 2 / (2 * N)

# ---------------------------------------------------------------- Theorem B.4 / 4.3: risk bounds
RISK_B4 = 2 * K * Q ** 2 * sp.exp(-eps ** 2 / (2 * (2 + d * v ** 2 + eps * v)))  # eqs. 35, 47
RISK_B4_TAIL = 2 * K * Q ** 2 * sp.exp(-eps ** 2 / (2 * (1 + l_b ** 2 + d * v ** 2 + 2 * eps * v)))  # before (47)
RISK_43 = 2 * K * Q ** 2 * sp.exp(-Q / 45)  # eq. 4

# ---------------------------------------------------------------- sigma facts (B.3's tau_s argument)
SIGMA_OF_MINUS_R = 1 / (1 + sp.exp(R_MARGIN.symbol))  # sigma(-r)


# ---------------------------------------------------------------- simulation checks
def _fn(expr, extra=()):
    """A float function of (t, params) from a sympy expression (N read as 2KQ if not given)."""
    import numpy as np  # noqa: F401  (lambdify's module)

    names = sorted({s.name for s in sp.sympify(expr).free_symbols} - {"t"} | set(extra))
    f = sp.lambdify([t, *[sp.Symbol(x, real=True) for x in names]], expr, modules="numpy")

    def call(tt, params):
        vals = [params[x] if x in params else 2 * params["K"] * params["Q"] if x == "N" else _missing(x)
                for x in names]
        return f(tt, *vals)

    return call


def _missing(name):
    raise KeyError(f"parameter {name} is not in the regime")


def trajectory_band_check(lower, upper, final_lo=LOG3 / 40, final_hi=LOG3):
    """check(obs, params) for ``train_margins``: lower(t) <= r_j(t) <= upper(t) for 0 < t <= horizon
    and final_lo <= r_j(horizon) <= final_hi, every j. Slack: the smallest relative room
    (r - lower)/lower, (upper - r)/upper, and the same at the horizon; < 0 is a violation."""
    import numpy as np

    lo_f, hi_f = _fn(lower), _fn(upper)
    f_lo, f_hi = float(final_lo), float(final_hi)

    def check(obs, params):
        tt = np.asarray(obs.t, dtype=float)
        r = np.asarray(obs.r, dtype=float)
        pos = tt > 0
        lo = np.broadcast_to(np.asarray(lo_f(tt[pos], params), dtype=float), tt[pos].shape)[:, None]
        hi = np.broadcast_to(np.asarray(hi_f(tt[pos], params), dtype=float), tt[pos].shape)[:, None]
        rel_lo = (r[pos] - lo) / lo
        rel_hi = (hi - r[pos]) / hi
        end = np.asarray(obs.final, dtype=float)
        end_lo, end_hi = (end - f_lo) / f_lo, (f_hi - end) / f_hi
        parts = {"below r^L": float(rel_lo.min()), "above r^U": float(rel_hi.min()),
                 "r(horizon) below": float(end_lo.min()), "r(horizon) above": float(end_hi.min())}
        slack = min(parts.values())
        worst = min(parts, key=parts.get)
        # this obligation's own r^L(t), r^U(t) (the final band [log 3/40, log 3] is shared by all)
        rr, lo_b, hi_b = r[pos], np.broadcast_to(lo, r[pos].shape), np.broadcast_to(hi, r[pos].shape)
        i_lo = np.unravel_index(np.argmin(rr / lo_b), rr.shape)
        i_hi = np.unravel_index(np.argmin(hi_b / rr), rr.shape)
        detail = {"relative_room": parts, "tightest": worst,
                  "r_min_final": float(end.min()), "r_max_final": float(end.max()),
                  "final_band": [f_lo, f_hi],
                  "tightness": {  # "a / b": [a, b]; worst sample (and time) of this draw
                      "r / r^L (tightest t ≤ τ₁)": [float(rr[i_lo]), float(lo_b[i_lo])],
                      "r^U / r (tightest t ≤ τ₁)": [float(hi_b[i_hi]), float(rr[i_hi])],
                      "r(τ₁) / r^L(τ₁)": [float(end.min()), float(lo_b[-1, 0])],
                      "r^U(τ₁) / r(τ₁)": [float(hi_b[-1, 0]), float(end.max())],
                      "r(τ₁) / (log 3/40)": [float(end.min()), f_lo],
                      "log 3 / r(τ₁)": [f_hi, float(end.max())]}}
        return bool(slack >= 0), float(slack), detail

    return check


def rate_band_check(err):
    """check(obs, params) for ``flow_residual`` (Lemma B.2): |residual_j(t)| <= err * max_k phi_k(t)."""
    import numpy as np

    err_f = _fn(err)

    def check(obs, params):
        bound = float(err_f(0.0, params)) * np.asarray(obs.max_phi, dtype=float)[:, None]
        res = np.abs(np.asarray(obs.residual, dtype=float))
        rel = (bound - res) / bound
        slack = float(rel.min())
        ti, j = np.unravel_index(int(np.argmin(rel)), rel.shape)
        return bool(slack >= 0), slack, {"max_abs_residual": float(res.max()),
                                         "bound_at_tightest": float(bound[ti, 0]),
                                         "tightest_t": float(obs.t[ti]), "tightest_sample": int(j)}

    return check


def log_risk_check(log_bound):
    """check(obs, params) for ``population_risk``: log R(P) <= log_bound (natural logs).
    Slack: log_bound - log R(P) in nats."""
    bound_f = _fn(log_bound)

    def check(obs, params):
        lb = float(bound_f(0.0, params))
        slack = lb - float(obs.log_risk)
        return bool(slack >= 0), float(slack), {"log_risk": float(obs.log_risk), "log_bound": lb,
                                                "log_worst_value": float(obs.log_worst)}

    return check


def kernel_band_check():
    """check(obs, params) for ``kernel`` (Lemma B.1): every entry of C inside its band (9)-(13).
    Slack: the smallest relative room (band - |deviation|)/band over the five pair classes."""
    import numpy as np

    def check(obs, params):
        lb2, dv2, ev = params["l_b"] ** 2, params["d"] * params["v"] ** 2, params["eps"] * params["v"]
        C, m = np.asarray(obs.C, dtype=float), obs.masks
        classes = {  # class: (centre, band), eqs. 9, 10, 11, 12-13
            "diag": (2 * (1 + lb2 + dv2), 4 * ev), "same": (2 * (1 + lb2), 4 * ev),
            "opposite": (2 * (1 - lb2), 4 * ev), "shared": (0.0, lb2 + 2 * ev)}
        room, worst = {}, {}
        for name, (centre, band) in classes.items():
            if not m[name].any():
                continue
            dev = float(np.abs(C[m[name]] - centre).max())
            room[name], worst[name] = (band - dev) / band, dev
        slack = min(room.values())
        return bool(slack >= 0), float(slack), {"relative_room": room, "max_deviation": worst}

    return check


def log_risk_floor_check(log_floor):
    """check(obs, params) for ``population_risk``: log R(P) >= log_floor (a necessity reading).
    Slack: log R(P) - log_floor in nats."""
    floor_f = _fn(log_floor)

    def check(obs, params):
        lf = float(floor_f(0.0, params))
        slack = float(obs.log_risk) - lf
        return bool(slack >= 0), slack, {"log_risk": float(obs.log_risk), "log_floor": lf}

    return check
