"""Lemma C.3 (kernel bounds for delta-approximately orthogonal clusters), arXiv 2408.03459v5,
Appendix C, eqs. 51-60.

With delta <= min(eps v/8, 1/4) and l_b <= 1/2, Lemma B.1's bounds hold with 4 eps v -> 5 eps v and
l_b^2 + 2 eps v -> l_b^2 + 5/2 eps v, with failure probability (16Z+8)KQ^2 e^{-eps^2/16} + (8Z+4)KQ^2
exp(-(c eps/v) min(1, eps/(dv))). The proof bounds the extra deviation of each dot product by
2 delta + delta l_b + (delta/2)(alpha_j + alpha_k) (59) and claims it is <= eps v/2 (60) on an event
for the alphas it does not state; the budget obligations make that event explicit: the alphas
(|projections| of the Gaussian parts on the deviation directions) must be <= 3/2 each.
"""
import sympy as sp

from dpoverify.claims import Claim, Implication, Kind, Obligation, Source, Statement
from theorems import _appendix_b as ab
from theorems import _appendix_c as ac
from theorems import _notation as nt

ev = ac.eps * ac.v
_BUDGET_VARS = (nt.delta, nt.eps, nt.v, ac.L_B_HALF, ac.alpha_j, ac.alpha_k)
_BUDGET_HYP = ac.DELTA_HYP
db, dx = 2 * ev * ac.SY["u_b"], ev / 2 * ac.SY["u_x"]  # Lemma B.1's <= 2 eps v per dot product; (60)
_DEV_VARS = (ac.u_b, ac.u_x, nt.eps, nt.v)

BUDGET_59_60 = Implication(_BUDGET_VARS, _BUDGET_HYP, ac.DEV_59 <= ev / 2)

CLAIM = Claim(
    id="lemma-c.3",
    title="kernel concentration for approximately orthogonal clusters",
    source=Source("Appendix C, Lemma C.3", tuple(str(n) for n in range(51, 61))),
    statement=("For δ-approximately orthogonal clusters with δ ≤ min(εv/8, 1/4), l_b ≤ 1/2, with "
               "probability ≥ 1 − (16Z+8)KQ²e^{−ε²/16} − (8Z+4)KQ² exp(−(cε/v) min(1, ε/(dv))): "
               "|C(x_j, x_j) − 2(1+l_b²+dv²)| ≤ 5εv, |C(x_j, x_k) − 2(1+l_b²)| ≤ 5εv (same cluster), "
               "|C − 2(1−l_b²)| ≤ 5εv (opposite clusters), |C| ≤ l_b² + (5/2)εv (values sharing a token)."),
    params=(nt.delta, nt.eps, nt.v, ac.L_B_HALF, nt.K, nt.Q, nt.Z, nt.d, nt.c, ac.alpha_j, ac.alpha_k),
    hypotheses=(
        Statement("delta", sp.And(*ac.DELTA_HYP), "δ ≤ min(εv/8, 1/4)"),
        Statement("l_b", ac.l_b <= sp.Rational(1, 2), "l_b ≤ 1/2"),
    ),
    conclusions=(
        Statement("51-53", None, "same-value kernel entries within 5εv of their means"),
        Statement("54-55", None, "|C| ≤ l_b² + (5/2)εv for values that share a token"),
    ),
    depends_on=("lemma-c.2", "lemma-b.1"),
    obligations=(
        Obligation(
            "eq59-60-budget", Kind.SYMBOLIC,
            "(59) ≤ (60): 2δ + δl_b + (δ/2)(α_j + α_k) ≤ εv/2, given δ ≤ min(εv/8, 1/4), l_b ≤ 1/2 and "
            "the α-event made explicit: |α_j|, |α_k| ≤ 3/2",
            "eqs. 59-60",
            BUDGET_59_60,
            note="|α| ≤ 3/2 is the weakest per-sample bound that works at δ = εv/8, l_b = 1/2; the paper "
                 "only says 'the same bounds on the α's' hold with probability 1 − 8ZKQ²e^{−ε²/16}. "
                 "(Lemma C.2 gives |<c_i1, c_i2>| ≤ δ, so the printed 2δ is conservative.)",
        ),
        Obligation(
            "same-value-budget", Kind.SYMBOLIC,
            "same-value pairs: the extra deviation l_bδ + (δ/2)(α_j + α_k) ≤ εv/2 on the same α-event",
            "proof of (56)-(58)",
            Implication(_BUDGET_VARS, _BUDGET_HYP, ac.DEV_SAME <= ev / 2),
        ),
        Obligation(
            "eq51-53-composition", Kind.SYMBOLIC,
            "(51)-(53): C = 2 x_j·x_k, so Lemma B.1's 2εv per dot product plus εv/2 gives 5εv",
            "eqs. 51-53, 56-58",
            Implication(_DEV_VARS, (), sp.Abs(2 * (db + dx)) <= 5 * ev),
        ),
        Obligation(
            "eq54-55-composition", Kind.SYMBOLIC,
            "(54)-(55): |x_j·x_k − l_b²| ≤ 2εv (Lemma B.1) plus εv/2 gives |C| ≤ l_b² + (5/2)εv",
            "eqs. 54-55",
            Implication((*_DEV_VARS, ac.L_B_HALF), (),
                        sp.Abs(ac.l_b**2 + db + dx) <= ac.l_b**2 + sp.Rational(5, 2) * ev),
        ),
        Obligation(
            "probability-union-bound", Kind.SYMBOLIC,
            "failure probability: Lemma B.1's + 4KQ²e^{−ε²/16} (same-value α's) + 8ZKQ²e^{−ε²/16} "
            "(cross-value α's) = (16Z+8)KQ²e^{−ε²/16} + (8Z+4)KQ²exp(−(cε/v)min(1, ε/(dv)))",
            "statement of Lemma C.3; 'with probability at least 1 − 8KQ²e^{−ε²/16}' and '1 − 8ZKQ²e^{−ε²/16}'",
            Implication((nt.K, nt.Q, nt.Z, nt.eps, nt.v, nt.d, nt.c), (),
                        sp.Eq(ab.failure_b1() + 4 * ac.K * ac.Q**2 * ac.E16 + 8 * ac.Z * ac.K * ac.Q**2 * ac.E16,
                              ac.FAIL_C)),
            note="The same-value 8KQ²e^{−ε²/16} of the proof is read as covering (56)-(58) in full "
                 "(Lemma B.1's 4KQ² for (9)-(11) plus 4KQ² for the new α's).",
        ),
    ),
    notes=("The α-event is never stated; for one Gaussian α ~ N(0, v²) the event |α| ≤ 3/2 fails with "
           "probability ≤ 2e^{−9/(8v²)}, below e^{−ε²/16} while εv ≤ 3√2 (εv ≤ 1/48 in Theorems C.5-C.6)."),
)
