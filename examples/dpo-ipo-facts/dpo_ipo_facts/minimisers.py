"""The pointwise minimisers of DPO and IPO for one pair with preference probability p.

Setting. One pair (y, y') with P(y preferred to y') = p, 0 < p < 1, and the log-ratio margin
h = log pi(y)/pi_ref(y) - log pi(y')/pi_ref(y') that a policy can set freely (an unconstrained,
"tabular" policy). beta > 0 is the regularisation temperature.

IPO (Azar et al. 2024, eq. 17 with tau = beta). The loss is the squared distance of the margin to
1/(2 beta), with the sign of the observed preference:
    L_IPO(h) = p (h - 1/(2 beta))^2 + (1 - p) (-h - 1/(2 beta))^2.
    L_IPO'(h) = 2p (h - 1/(2 beta)) + 2(1 - p)(h + 1/(2 beta)) = 2h - (2p - 1)/beta,
a convex quadratic, so the unique minimiser is h*_IPO = (p - 1/2)/beta       [step ipo-stationary]
and |beta h*_IPO| = |p - 1/2| <= 1/2 for every p: IPO's margin stays bounded  [step ipo-bounded].

DPO (Rafailov et al. 2023, eq. 7). With sigma the logistic function,
    L_DPO(h) = -p log sigma(beta h) - (1 - p) log sigma(-beta h),
    L_DPO'(h) = -beta [p sigma(-beta h) - (1 - p) sigma(beta h)],
using d/dx log sigma(x) = sigma(-x). L_DPO is convex (L'' = beta^2 sigma(beta h) sigma(-beta h) > 0),
and the derivative vanishes where sigma(beta h)/sigma(-beta h) = exp(beta h) = p/(1 - p), i.e. at
h*_DPO = log(p/(1 - p))/beta                                                 [step dpo-stationary].
It is unbounded: for every level M > 0, p = sigma(M) gives beta h*_DPO = M, so h*_DPO -> infinity
as p -> 1 (a preference observed with certainty drives DPO's margin, and its departure from the
reference policy, without bound)                                            [step dpo-unbounded].
For p >= 1/2 DPO's margin is at least four times IPO's: logit(1/2) = 0 = 4 (1/2 - 1/2) and
logit'(p) = 1/(p(1 - p)) >= 4                                                [step dpo-above-ipo].

Deliberately false step [dpo-bounded]: "DPO's margin is bounded like IPO's, beta h*_DPO <= 1".
It holds only for p <= e/(1 + e) ~ 0.731; the prover must refute it, with a counterexample p near 1.
"""
import sympy as sp

import dpoverify as dv

P_PREF = dv.Param("p", dv.Domain(0, 1, lo_closed=False, hi_closed=False), "probability that y is preferred", "p")
BETA = dv.Param("beta", dv.Domain(0, sp.oo, lo_closed=False), "regularisation temperature", "β")
LEVEL = dv.Param("M", dv.Domain(0, sp.oo, lo_closed=False), "a level the DPO margin reaches", "M")
p, beta, M = P_PREF.symbol, BETA.symbol, LEVEL.symbol
HALF = sp.Rational(1, 2)


def sigma(x):
    return 1 / (1 + sp.exp(-x))


H_IPO = (p - HALF) / beta
H_DPO = sp.log(p / (1 - p)) / beta
IPO_SLOPE_HALF = p * (H_IPO - 1 / (2 * beta)) + (1 - p) * (H_IPO + 1 / (2 * beta))  # L_IPO'(h*)/2
DPO_SLOPE = p * sigma(-beta * H_DPO) - (1 - p) * sigma(beta * H_DPO)  # -L_DPO'(h*)/beta

CLAIM = dv.Claim(
    id="ipo-dpo.minimisers",
    title="IPO's minimiser is bounded; DPO's diverges as p -> 1",
    source=dv.Source("Section 5.1 (IPO) against DPO's Bradley-Terry optimum", ("17",)),
    statement="For one pair with preference probability p, IPO's loss is minimised at h* = (p - 1/2)/beta, "
              "bounded by 1/(2 beta); DPO's at h* = log(p/(1-p))/beta, which diverges as p -> 1.",
    params=(P_PREF, BETA, LEVEL),
    conclusions=(dv.Statement("IPO", sp.Eq(sp.Symbol("h_IPO"), H_IPO), "h*_IPO = (p - 1/2)/beta"),
                 dv.Statement("DPO", sp.Eq(sp.Symbol("h_DPO"), H_DPO), "h*_DPO = log(p/(1-p))/beta")),
    obligations=(
        dv.symbolic("ipo-stationary", "IPO's derivative vanishes at (p - 1/2)/beta", "eq. 17",
                    [P_PREF, BETA], [], sp.Eq(IPO_SLOPE_HALF, 0)),
        dv.symbolic("ipo-bounded", "|beta h*_IPO| <= 1/2 for every p", "eq. 17",
                    [P_PREF, BETA], [], sp.Abs(beta * H_IPO) <= HALF),
        dv.symbolic("dpo-stationary", "DPO's derivative vanishes at log(p/(1-p))/beta", "DPO eq. 7",
                    [P_PREF, BETA], [], sp.Eq(DPO_SLOPE, 0)),
        dv.symbolic("dpo-unbounded", "p = sigma(M) gives beta h*_DPO = M: every level is reached",
                    "DPO eq. 7", [LEVEL], [], sp.Eq(sp.log(sigma(M) / (1 - sigma(M))), M)),
        dv.symbolic("dpo-above-ipo", "for p >= 1/2, beta h*_DPO >= 4 beta h*_IPO", "DPO eq. 7, eq. 17",
                    [P_PREF, BETA], [p >= HALF], beta * H_DPO >= 4 * beta * H_IPO),
        dv.symbolic("dpo-bounded", "DELIBERATELY FALSE: beta h*_DPO <= 1 like IPO's bound", "planted",
                    [P_PREF, BETA], [], beta * H_DPO <= 1,
                    note="A planted false step: the engines must refute it (p > e/(1+e))."),
    ),
)
