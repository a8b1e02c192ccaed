"""Theorem B.4 (Appendix B, eqs. 35-47): the generalization error at tau_1.

Statement. Under Theorem B.3's hypotheses, with Lemma B.1's probability,
R(P) <= 2 K Q^2 e^{-eps^2/(2(2 + d v^2 + eps v))} (35).

Proof: a new sample x~ of cluster i~ follows (36)-(38); conditioned on the training set and on
Lemma B.1's event, (x~ - mu)^T x_k is normal with variance <= (1 + l_b^2 + d v^2 + 2 eps v) v^2, so with
probability >= 1 - 2KQ^2 e^{-eps^2/(2(1 + l_b^2 + d v^2 + 2 eps v))} the bands (40)-(43) hold; then (44), the
lower bound (45), its value (46) for t <= tau_1, positive under eps <= 1/(8 v (Z+2)), and (47).
The exponent e^{-eps^2/2(2+dv^2+eps v)} is read as e^{-eps^2/(2(2+dv^2+eps v))}.
"""
import sympy as sp

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import SimulationProperty
from theorems import _appendix_b as B
from theorems import _notation as n
from theorems.theorem_b_3 import CORE, HYPS, SIG_MAX_HALF, SIG_MIN_QUARTER

R = sp.Rational
beta, N, Q, K, d, v, l_b, Z, eps = B.beta, B.N, B.Q, B.K, B.d, B.v, B.l_b, B.Z, B.eps
smin, smax, S_own, S_opp, rate, S_i = B.sigma_min, B.sigma_max, B.S_own, B.S_opp, B.rate, B.S_i
u_D, u_g, u = B.U_D.symbol, B.U_G.symbol, B.U_POS.symbol

EXPONENT_READING = "e^{-eps^2/2(2+dv^2+eps v)} of (35)/(47) read as e^{-eps^2/(2(2+dv^2+eps v))}"
BANDS = ("(x~ - mu)^T x_k = eps v u_g and mu^T x_k = centre + 2 eps v u_D with u_g, u_D in [-1, 1] "
         "(the bands |.| <= eps v and |. - centre| <= 2 eps v).")
NORM_BAND = 1 + l_b ** 2 + d * v ** 2 + 2 * eps * v  # |x_k|^2 <= this on Lemma B.1's event (eq. 9's proof)
LOWER_44 = B.A_OWN * S_own + B.B_OPP * S_opp - B.err_b4() * smax  # the lower bound (44) gives
LOWER_45_PRINTED = B.A_OWN * S_own - B.B_OPP * S_opp - B.err_b4() * smax  # (45) as printed: minus before B
EQ46 = Q * beta ** 2 / N - beta ** 2 * Q / N * ((3 * Z + 6) * eps * v + l_b ** 2 * Z)
# the cluster sums between Q min sigma and Q max sigma, under the theorem's own hypotheses (a step's
# counterexample must lie inside them)
SUMS = (S_own >= Q * smin, S_opp >= Q * smin, S_own <= Q * smax, S_opp <= Q * smax, *HYPS)
SIGMA_VARS = (B.S_OWN, B.S_OPP, SIG_MIN_QUARTER, SIG_MAX_HALF)
DEV_44 = beta ** 2 / N * smax * (Q * 6 * eps * v + Q * 6 * eps * v + S_i * 2 * Q * (l_b ** 2 + 3 * eps * v))

OBLIGATIONS = (
    B.symbolic(
        "conditional-variance", "(x~ - mu)^T x_k given x_k has variance v^2 |x_k|^2 <= (1 + l_b^2 + dv^2 + 2 eps v) v^2",
        "App. B, proof of Theorem B.4 (after eq. 39)", (B.U_D, n.d, n.v, B.L_B, n.eps), (),
        v ** 2 * (1 + l_b ** 2 + d * v ** 2 + 2 * eps * v * u_D) <= NORM_BAND * v ** 2,
        note="|x_k|^2 = 1 + l_b^2 + d v^2 + 2 eps v u_D, u_D in [-1, 1]: the j = k case of Lemma B.1's proof."),
    B.symbolic(
        "gaussian-tail", "the two-sided tail at eps v is at most e^{-eps^2/(2(1 + l_b^2 + dv^2 + 2 eps v))} per sample",
        "App. B, proof of Theorem B.4 (before eq. 40)", (B.U_POS, n.d, n.v, B.L_B, n.eps), (),
        sp.exp(-(eps * v) ** 2 / (2 * v ** 2 * NORM_BAND * u)) <= sp.exp(-eps ** 2 / (2 * NORM_BAND)),
        note="|x_k|^2 = (1 + l_b^2 + d v^2 + 2 eps v) u with u in (0, 1]; P(|G| >= s) <= e^{-s^2/(2 Var)}.",
        choices=(B.ONE_SIDED_TAIL,)),
    B.symbolic(
        "union-bound-count", "the printed 2KQ^2 covers the two-sided events for all N = 2KQ training samples",
        "App. B, proof of Theorem B.4 (before eq. 40)", (n.K, n.Q), (), 2 * K * Q <= 2 * K * Q ** 2,
        note="x~ is compared with every training sample it interacts with (at most all 2KQ), one failure term "
             "e^{-eps^2/(2(...))} per sample.",
        choices=(B.ONE_SIDED_TAIL,)),
    B.symbolic(
        "step-40", "(40): |g| <= eps v and |mu^T x_k - (1 + l_b^2)| <= 2 eps v give |C(x~, x_k) - 2(1 + l_b^2)| <= 6 eps v",
        "App. B, proof of Theorem B.4, eq. 40", (B.U_G, B.U_D, B.L_B, n.v, n.eps), (),
        sp.Abs(2 * (eps * v * u_g + 1 + l_b ** 2 + 2 * eps * v * u_D) - 2 * (1 + l_b ** 2)) <= 6 * eps * v,
        note="C(x~, x_k) = 2 x~^T x_k = 2((x~ - mu)^T x_k + mu^T x_k) for identical preferences; " + BANDS),
    B.symbolic(
        "step-41", "(41): opposite cluster, |C(x~, x_k) - 2(1 - l_b^2)| <= 6 eps v",
        "App. B, proof of Theorem B.4, eq. 41", (B.U_G, B.U_D, B.L_B, n.v, n.eps), (),
        sp.Abs(-2 * (eps * v * u_g + l_b ** 2 - 1 + 2 * eps * v * u_D) - 2 * (1 - l_b ** 2)) <= 6 * eps * v,
        note=BANDS),
    B.symbolic(
        "step-42-43", "(42)-(43): values sharing a token, |C(x~, x_k)| <= l_b^2 + 3 eps v",
        "App. B, proof of Theorem B.4, eqs. 42-43", (B.U_G, B.U_D, B.F_PREF, B.L_B, n.v, n.eps), (),
        sp.Abs(B.f * (eps * v * u_g + l_b ** 2 + 2 * eps * v * u_D)) <= l_b ** 2 + 3 * eps * v,
        note=BANDS),
    B.symbolic(
        "step-44", "(44): the bands (40)-(43) over the clusters bound the rate's deviation when |S_i| <= Z",
        "App. B, proof of Theorem B.4, eq. 44", (*CORE, B.S_I, B.SIG_MAX), (S_i <= Z,),
        DEV_44 <= B.err_b4() * smax,
        note="As Lemma B.2's step with 6 eps v and l_b^2 + 3 eps v; the same dependence on what Z counts (lemma-b.2).",
        choices=("|S_i| <= Z: Z read as counting clusters (lemma-b.2/step-17-18-clusters-reading)",)),
    B.symbolic(
        "step-44-45-as-printed", "(44) implies the lower bound (45) as printed (minus before 2(1 - l_b^2)...)",
        "App. B, proof of Theorem B.4, eqs. 44-45", (B.RATE, B.S_OWN, B.S_OPP, B.SIG_MAX, *CORE),
        (sp.Abs(rate - B.A_OWN * S_own - B.B_OPP * S_opp) <= B.err_b4() * smax,), rate >= LOWER_45_PRINTED),
    B.symbolic(
        "step-45-46-as-printed", "(45) as printed is at least (46) for t <= tau_1",
        "App. B, proof of Theorem B.4, eqs. 45-46", (*SIGMA_VARS, *CORE), SUMS, LOWER_45_PRINTED >= EQ46,
        note="For t <= tau_1 every training margin lies in [0, log 3] (Theorem B.3): sigma in [1/4, 1/2].",
        refuted_means="(45)'s minus sign: (46) does not follow"),
    B.symbolic(
        "step-45-46-corrected", "correction: with + before 2(1 - l_b^2)... as in (44), the lower bound is at least (46)",
        "App. B, proof of Theorem B.4, eqs. 44 and 46", (*SIGMA_VARS, *CORE), SUMS, LOWER_44 >= EQ46),
    B.symbolic(
        "step-46-positive-as-cited", "(46) > 0 under Z <= 1/(4 l_b^2) and the cited eps <= 1/(8 v (Z+2))",
        "App. B, proof of Theorem B.4 (after eq. 46)", CORE, (B.HYP_Z, B.HYP_EPS_B4_PROOF), EQ46 > 0),
    B.symbolic(
        "step-46-positive-hypothesis", "(46) > 0 under the theorem's own eps <= 1/(16 v (Z+2))",
        "App. B, Theorem B.4 hypotheses and eq. 46", CORE, (B.HYP_Z, B.HYP_EPS), EQ46 > 0),
    B.symbolic(
        "step-47", "(47): 2KQ^2 e^{-eps^2/(2(1 + l_b^2 + dv^2 + 2 eps v))} <= 2KQ^2 e^{-eps^2/(2(2 + dv^2 + eps v))}",
        "App. B, proof of Theorem B.4, eq. 47", (n.K, n.Q, n.d, n.v, B.L_B, B.Z_B3, n.eps), (B.HYP_EPS,),
        B.RISK_B4_TAIL <= B.RISK_B4,
        note="The paper says 'as l_b <= 1/2'; the step needs l_b^2 + eps v <= 1, which also uses the bound on eps.",
        choices=(EXPONENT_READING,)),
)

SIMULATION = Obligation(
    "risk-bound", Kind.SIMULATION, "population risk at tau_1 <= 2KQ^2 e^{-eps^2/(2(2 + dv^2 + eps v))}",
    "App. B, Theorem B.4, eq. 35",
    SimulationProperty(
        regime={"K": 2, "Q": 40, "d": "5*Q", "v": "1/(256*sqrt(Q))", "l_b": "1/4", "Z": 2, "beta": 1, "tau": 1,
                "N": "2*K*Q", "eps": "1/(16*v*(Z+2))"},
        hypotheses=(*HYPS, l_b >= R(1, 4), l_b <= R(1, 2)),
        observable="population_risk",
        check=B.log_risk_check(sp.log(2 * K * Q ** 2) - eps ** 2 / (2 * (2 + d * v ** 2 + eps * v))),
        horizon=B.TAU1_B3,
        failure_probability=B.failure_b1_c_infinity(), failure_probability_in=("c", B.failure_b1()),
        options={"z_reading": "pair"},
    ),
    note="Exact population risk (log space) of the flow at tau_1 against (35); failure probability: Lemma B.1's "
         "at c -> oo (see lemma-b.1).",
    choices=(EXPONENT_READING, "the statement's K P^2 read as K Q^2",
             "failure probability at its c -> oo limit (the infimum over the unspecified c)"),
)

CLAIM = Claim(
    id="theorem-b.4",
    title="Generalization error at tau_1 (Theorem B.4)",
    source=Source("Appendix B, Theorem B.4", tuple(str(i) for i in range(35, 48))),
    statement=("Given Z <= 1/(4 l_b^2), d <= 5Q, v <= 1/(4 sqrt Q), eps <= 1/(16 v (Z+2)), 1/4 <= l_b <= 1/2, with "
               "probability at least 1 - (8Z+4)KQ^2 e^{-eps^2/16} - (8Z+4)KQ^2 exp(-(c eps/v) min(1, eps/(dv))), the "
               "generalization error at tau_1 is R(P) <= 2KQ^2 e^{-eps^2/(2(2 + dv^2 + eps v))}."),
    params=(n.K, n.Q, n.N, n.d, n.v, B.L_B, B.Z_B3, n.beta, n.tau, n.eps, n.c),
    hypotheses=tuple(Statement(lbl, h) for lbl, h in zip(
        ("token sharing", "dimension", "noise level", "concentration radius"), HYPS)),
    conclusions=(Statement("risk bound", B.RISK_B4, "2KQ^2 e^{-eps^2/(2(2 + dv^2 + eps v))}"),
                 Statement("failure probability", B.failure_b1(), "as Lemma B.1")),
    depends_on=("theorem-b.3", "lemma-b.2"),
    obligations=OBLIGATIONS + (SIMULATION,),
    notes=("The statement and remark print K P^2 for K Q^2; the proof cites 'Lemma A.1/A.2' for Lemmas B.1/B.2 and "
           "'Theorem 4.1' for 4.2; (36) writes y~_t for y~_l. The bands |mu^T x_k - ...| <= 2 eps v are asserted "
           "without their own concentration event. The union bound's 2KQ^2 is loose by a factor of Q: 2KQ "
           "events with one term each (the exact two-sided tail, lemma-b.1/tail-*) would do, or 2(|S_i|+1)Q for the "
           "samples x~ actually interacts with."),
)
