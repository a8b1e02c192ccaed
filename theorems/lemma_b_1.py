"""Lemma B.1 (Appendix B, eqs. 9-13): the kernel C(x_j, x_k) concentrates on its cluster-pair value.

Statement. With l_b <= 1/2, with probability at least
1 - (8Z+4) K Q^2 e^{-eps^2/16} - (8Z+4) K Q^2 exp(-(c eps/v) min(1, eps/(d v))):
(9) |C(x_j, x_j) - 2(1 + l_b^2 + d v^2)| <= 4 eps v, (10) |C(x_j, x_k) - 2(1 + l_b^2)| <= 4 eps v
in one cluster; (11) |C(x_j^{i,±}, x_k^{i,∓}) - 2(1 - l_b^2)| <= 4 eps v; (12)-(13) |C| <= l_b^2 + 2 eps v
between values i1 != i2 whose responses share a token.

Proof steps encoded: the three dot-product expansions (computed here from the embeddings
x = l_b e_1 ± c_i + alpha, not retyped), the variances of their linear Gaussian parts, the
Gaussian tail exponent, the split of the radius 2 eps v, the preference-sharing factors (computed
from one-hot responses), and the union-bound bookkeeping behind (8Z+4) K Q^2.
"""
import sympy as sp

from dpoverify.claims import Claim, Domain, Kind, Obligation, Param, Source, Statement
from dpoverify.specs import SimulationProperty
from theorems import _appendix_b as B
from theorems import _notation as n

R = sp.Rational
l_b, v, d, eps, K, Q, Z, c = B.l_b, B.v, B.d, B.eps, B.K, B.Q, B.Z, B.c

# ---------------------------------------------------------------- embeddings in the 4 relevant directions
# Coordinates: e_1 (carries b = l_b e_1), e_{c_i1}, e_{c_i2}, and one further direction standing for the
# remaining d - 3 (alpha . alpha sums coordinate-wise, so one generic coordinate suffices).
_AJ = [Param(f"alpha_j{m}", Domain(), f"alpha_j,{m}: noise coordinate of x_j", f"α_j,{m}") for m in ("1", "c1", "c2", "o")]
_AK = [Param(f"alpha_k{m}", Domain(), f"alpha_k,{m}: noise coordinate of x_k", f"α_k,{m}") for m in ("1", "c1", "c2", "o")]
aj = sp.Matrix([p.symbol for p in _AJ])
ak = sp.Matrix([p.symbol for p in _AK])
e1, ec1, ec2 = (sp.Matrix([1 if m == i else 0 for m in range(4)]) for i in range(3))
SUM_ALPHA = (aj.T * ak)[0]  # sum_m alpha_j,m alpha_k,m


def _x(sign, concept, alpha):
    return l_b * e1 + sign * concept + alpha


def _dot(a, b):
    return (a.T * b)[0]


def _printed_same(s):  # proof of (9)-(10)
    return 1 + l_b ** 2 + l_b * aj[0] + l_b * ak[0] + s * aj[1] + s * ak[1] + SUM_ALPHA


def _printed_opposite(s):  # proof of (11): "l_b^2 - 1 + l_b a_j1 + l_b a_k1 ∓ a_j,ci ± a_k,ci + sum"
    return l_b ** 2 - 1 + l_b * aj[0] + l_b * ak[0] - s * aj[1] + s * ak[1] + SUM_ALPHA


def _printed_cross(s):  # proof of (12): "l_b^2 + l_b a_j1 + l_b a_k1 ± a_j,c_i2 ± a_k,c_i1 + sum"
    return l_b ** 2 + l_b * aj[0] + l_b * ak[0] + s * aj[2] + s * ak[1] + SUM_ALPHA


SIGNS = (1, -1)
EXPANSION_VARS = (B.L_B_HALF, *_AJ, *_AK)

# linear Gaussian parts of the printed expansions and their variances v^2 * sum of squared coefficients
_ALPHAS = list(aj) + list(ak)


def _variance(linear):
    return v ** 2 * sum(sp.diff(linear, a) ** 2 for a in _ALPHAS)


def _linear(expr):
    return sum(sp.diff(expr, a).subs({b: 0 for b in _ALPHAS}) * a for a in _ALPHAS)


_DIAG = _printed_same(1).subs({ak[m]: aj[m] for m in range(4)})  # j = k
VARIANCES = {
    "same cluster, j != k": (_variance(_linear(_printed_same(1))), 4 * v ** 2),
    "same sample, j = k": (_variance(_linear(_DIAG)), 8 * v ** 2),
    "opposite clusters (11)": (_variance(_linear(_printed_opposite(1))), 4 * v ** 2),
    "values sharing a token (12)": (_variance(_linear(_printed_cross(1))), 4 * v ** 2),
}


def _onehot(i):
    return sp.Matrix([1 if m == i else 0 for m in range(3)])


def _pref(wj, lj, wk, lk):
    """(y_w,j - y_l,j)^T (y_w,k - y_l,k) for token indices."""
    return _dot(_onehot(wj) - _onehot(lj), _onehot(wk) - _onehot(lk))


FACTOR_SAME = _pref(0, 1, 0, 1)  # same cluster: identical preferences
FACTOR_OPPOSITE = _pref(0, 1, 1, 0)  # C_{i,+} vs C_{i,-}: swapped preferences
FACTORS_ONE_TOKEN = (_pref(0, 1, 0, 2), _pref(0, 1, 2, 0), _pref(0, 1, 1, 2), _pref(0, 1, 2, 1))

u_D, u_g, u_b, u = B.U_D.symbol, B.U_G.symbol, B.U_B.symbol, B.U_POS.symbol
BAND = "the band |D - a| <= 2 eps v is written D = a + 2 eps v u_D, u_D in [-1, 1]. "
X = sp.exp(-eps ** 2 / 16) + sp.exp(-B.bernstein_exponent())  # per-event tail pair of the proof
POS = (n.v, n.eps)

OBLIGATIONS = (
    B.symbolic(
        "expansion-same-cluster", "dot product of two samples of one cluster, as printed",
        "App. B, proof of Lemma B.1 (eqs. 9-10)", EXPANSION_VARS, (),
        sp.And(*[sp.Eq(_dot(_x(s, ec1, aj), _x(s, ec1, ak)), _printed_same(s), evaluate=False) for s in SIGNS]),
        note="x = l_b e_1 ± c_i + alpha with e_1 ⟂ c_i; both signs; the dot product is computed, not retyped."),
    B.symbolic(
        "expansion-opposite", "dot product of samples of C_{i,±} and C_{i,∓}, as printed",
        "App. B, proof of Lemma B.1 (eq. 11)", EXPANSION_VARS, (),
        sp.And(*[sp.Eq(_dot(_x(s, ec1, aj), _x(-s, ec1, ak)), _printed_opposite(s), evaluate=False) for s in SIGNS])),
    B.symbolic(
        "expansion-cross-value", "dot product of samples of values i1 != i2, as printed",
        "App. B, proof of Lemma B.1 (eq. 12)", EXPANSION_VARS, (),
        sp.And(*[sp.Eq(_dot(_x(s, ec1, aj), _x(s, ec2, ak)), _printed_cross(s), evaluate=False) for s in SIGNS]),
        note="c_i1 ⟂ c_i2 ⟂ e_1; (13) 'follows similarly' with opposite signs."),
    B.symbolic(
        "gaussian-part-variance", "the linear Gaussian parts have variance <= 4v^2 (j != k) and <= 8v^2 (j = k)",
        "App. B, proof of Lemma B.1", (B.L_B_HALF, n.v), (),
        sp.And(*[lhs <= rhs for lhs, rhs in VARIANCES.values()]),
        note="Variances computed as v^2 * (sum of squared coefficients) of the printed expansions' linear parts: "
             + "; ".join(f"{k}: {sp.factor(val[0])}" for k, val in VARIANCES.items())),
    B.symbolic(
        "gaussian-tail-exponent", "a centred normal of variance <= 8v^2 exceeds eps v in absolute value w.p. <= e^{-eps^2/16}",
        "App. B, proof of Lemma B.1", (n.v, n.eps, B.U_POS), (),
        sp.exp(-(eps * v) ** 2 / (2 * 8 * v ** 2 * u)) <= sp.exp(-eps ** 2 / 16),
        note="P(|G| >= s) <= exp(-s^2/(2 Var)) (tail-* below) at s = eps v with Var = 8 v^2 u, u in (0, 1].",
        choices=(B.ONE_SIDED_TAIL,)),
    B.symbolic(
        "radius-split", "Gaussian part within eps v and Bernstein part within eps v give the 2 eps v band",
        "App. B, proof of Lemma B.1", (B.U_G, B.U_B, n.v, n.eps), (),
        sp.Abs(eps * v * u_g + eps * v * u_b) <= 2 * eps * v,
        note="Gaussian part eps v u_g and Bernstein part eps v u_b, |u_g|, |u_b| <= 1. Bernstein at radius eps v for sum_m alpha_j,m alpha_k,m gives the exponent (c eps/v) min(1, eps/(d v))."),
    B.symbolic(
        "kernel-same-preferences", "(9)-(10): |x_j.x_k - a| <= 2 eps v and identical preferences give |C - 2a| <= 4 eps v",
        "App. B, Lemma B.1 eqs. 9-10", (B.U_D, B.L_B_HALF, n.v, n.eps), (),
        sp.Abs(FACTOR_SAME * (1 + l_b ** 2 + 2 * eps * v * u_D) - 2 * (1 + l_b ** 2)) <= 4 * eps * v,
        note=BAND + f"preference factor computed from one-hot responses: {FACTOR_SAME}; (9) is the same with a = 1 + l_b^2 + d v^2."),
    B.symbolic(
        "kernel-opposite-preferences", "(11): |x_j.x_k - (l_b^2 - 1)| <= 2 eps v and swapped preferences give |C - 2(1 - l_b^2)| <= 4 eps v",
        "App. B, Lemma B.1 eq. 11", (B.U_D, B.L_B_HALF, n.v, n.eps), (),
        sp.Abs(FACTOR_OPPOSITE * (l_b ** 2 - 1 + 2 * eps * v * u_D) - 2 * (1 - l_b ** 2)) <= 4 * eps * v,
        note=BAND + f"preference factor of C_(i,+) vs C_(i,-) (y_w and y_l swapped), computed: {FACTOR_OPPOSITE}.",
        choices=("C_{i,-} has the responses of C_{i,+} swapped (the proof's 'exact opposite preferences'; "
                 "Section 3 does not say it)",)),
    B.symbolic(
        "kernel-one-shared-token", "(12)-(13): |x_j.x_k - l_b^2| <= 2 eps v and one common token give |C| <= l_b^2 + 2 eps v",
        "App. B, Lemma B.1 eqs. 12-13", (B.U_D, B.L_B_HALF, n.v, n.eps), (),
        sp.And(*[sp.Abs(fac * (l_b ** 2 + 2 * eps * v * u_D)) <= l_b ** 2 + 2 * eps * v for fac in FACTORS_ONE_TOKEN]),
        note=BAND + f"factors for the four ways two response pairs share one token, computed: {FACTORS_ONE_TOKEN}."),
    B.symbolic(
        "bookkeeping-sum", "the per-equation failure probabilities add up to (8Z+4) K Q^2 [...]",
        "App. B, proof of Lemma B.1 (last line)", (n.K, n.Q, n.Z, n.d, n.v, n.eps, n.c), (),
        sp.Eq(2 * K * Q ** 2 * X + 2 * K * Q ** 2 * X + 4 * Z * K * Q ** 2 * X + 4 * Z * K * Q ** 2 * X,
              B.failure_b1(), evaluate=False),
        note="2KQ^2 for (9)-(10), 2KQ^2 for (11), 4ZKQ^2 each for (12) and (13), as printed."),
    B.symbolic(
        "union-bound-9-10", "the printed 2KQ^2 [...] covers the pairs of (9)-(10)",
        "App. B, proof of Lemma B.1 (probability for 9-10)", (n.K, n.Q), (),
        2 * K * Q * (Q + 1) / 2 <= 2 * K * Q ** 2,
        note="Events: the unordered sample pairs of one cluster, j = k included, Q(Q+1)/2 per cluster, 2K clusters; "
             "each fails with probability <= e^{-eps^2/16} + exp(-...). The goal compares the resulting "
             "coefficient KQ(Q+1) with the printed 2KQ^2.",
        choices=(B.ONE_SIDED_TAIL, B.BERNSTEIN_ABSORBED)),
    B.symbolic(
        "union-bound-total-s-le-z", "the total count fits in (8Z+4) K Q^2 when |S_i| <= Z",
        "App. B, Lemma B.1 (statement's probability)", (n.K, n.Q, n.Z, B.S_I), (B.S_I.symbol <= Z,),
        K * Q * (Q + 1) + K * Q ** 2 + 2 * K * B.S_I.symbol * Q ** 2 <= (8 * Z + 4) * K * Q ** 2,
        note="Events: KQ(Q+1) for (9)-(10), KQ^2 for (11), 2K|S_i|Q^2 for (12)-(13) (K|S_i|/2 value pairs x 4 "
             "cluster pairs x Q^2), one failure term each. |S_i| <= Z holds under the reading 'Z counts "
             "clusters' (|S_i| <= Z - 2).",
        choices=(B.ONE_SIDED_TAIL, B.BERNSTEIN_ABSORBED, "Z counts the clusters whose responses hold a token")),
    B.symbolic(
        "union-bound-total-pair-reading", "the total count fits in (8Z+4) K Q^2 when |S_i| <= 2(Z-1)",
        "App. B, Lemma B.1 (statement's probability)", (n.K, n.Q, n.Z, B.S_I), (B.S_I.symbol <= 2 * (Z - 1),),
        K * Q * (Q + 1) + K * Q ** 2 + 2 * K * B.S_I.symbol * Q ** 2 <= (8 * Z + 4) * K * Q ** 2,
        note="Under the reading 'Z counts values whose response set holds the token', a value shares a token with "
             "up to 2(Z-1) others; the probability count still fits (Lemma B.2's rate bound does not, see lemma-b.2).",
        choices=(B.ONE_SIDED_TAIL, B.BERNSTEIN_ABSORBED, "Z counts the values whose response set holds a token")),
) + B.tail_obligations("App. B, proof of Lemma B.1 (Gaussian and Bernstein tails)")

_EPS_DEFAULT = "1/(16*v*(Z+2))"
_Q_MAIN_V = B.first_q_below_one(B.failure_b1_c_infinity().subs(eps, B.EPS_CHOICE).subs(
    {v: B.V_CHOICE, K: 2, Z: 2}))
SIMULATION = Obligation(
    "kernel-bands", Kind.SIMULATION, "sampled kernels lie inside the bands (9)-(13)",
    "App. B, Lemma B.1",
    SimulationProperty(
        regime={"K": 2, "Q": 40, "d": "5*Q", "v": "1/(256*sqrt(Q))", "l_b": "1/4", "Z": 2,
                "beta": 1, "tau": 1, "N": "2*K*Q", "eps": _EPS_DEFAULT},
        hypotheses=(l_b <= R(1, 2),),
        observable="kernel",
        check=B.kernel_band_check(),
        failure_probability=B.failure_b1_c_infinity(), failure_probability_in=("c", B.failure_b1()),
        options={"z_reading": "pair"},
    ),
    note="Failure probability evaluated at its c -> oo limit (8Z+4) K Q^2 e^{-eps^2/16}, the infimum over the "
         "unspecified constant c: a failure rate above it refutes the strongest reading (large c) only, since for small c the lemma allows any rate; a refutation names the c above which it holds. The default "
         "v = 1/(256 sqrt Q) keeps that limit < 1 at Q = 40 (at v = 1/(32 sqrt Q), K = Z = 2 it is >= 1 for "
         f"Q < {_Q_MAIN_V}).",
    choices=("failure probability at its c -> oo limit (the infimum over the unspecified c)",
             "regime K = 2, Q = 40, d = 5Q, v = 1/(256 sqrt Q), l_b = 1/4, Z = 2 (Z read per value)"),
)

CLAIM = Claim(
    id="lemma-b.1",
    title="Kernel concentration (Lemma B.1)",
    source=Source("Appendix B, Lemma B.1", ("9", "10", "11", "12", "13")),
    statement=("With l_b <= 1/2, with probability at least 1 - (8Z+4)KQ^2 e^{-eps^2/16} - (8Z+4)KQ^2 "
               "exp(-(c eps/v) min(1, eps/(dv))): |C(x_j,x_j) - 2(1+l_b^2+dv^2)| <= 4 eps v, "
               "|C(x_j,x_k) - 2(1+l_b^2)| <= 4 eps v within a cluster, |C - 2(1-l_b^2)| <= 4 eps v across the "
               "two clusters of a value, |C| <= l_b^2 + 2 eps v across values sharing a token."),
    params=(n.K, n.Q, n.d, n.v, B.L_B_HALF, n.Z, n.eps, n.c),
    hypotheses=(Statement("shared component", l_b <= R(1, 2)),),
    conclusions=(Statement("failure probability", B.failure_b1(), "(8Z+4)KQ^2 [e^{-eps^2/16} + exp(-(c eps/v) min(1, eps/(dv)))]"),),
    obligations=OBLIGATIONS + (SIMULATION,),
    notes=("The opposite cluster C_{i,-} is read as having y_w and y_l of C_{i,+} swapped (the proof of (11) says "
           "'exact opposite preferences'; Section 3 does not say it). (39) of Theorem B.4 uses |sum_m alpha^2 - dv^2| "
           "<= eps v, an event of this proof, not of the statement."),
)
