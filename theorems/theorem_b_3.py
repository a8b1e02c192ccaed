"""Theorem B.3 (Appendix B, eqs. 19-34): training margins between two linear trajectories.

Statement. Given Z <= 1/(4 l_b^2), d <= 5Q, v <= 1/(4 sqrt Q), eps <= 1/(16 v (Z+2)), 1/4 <= l_b <= 1/2,
with Lemma B.1's probability, r^L(t) <= r_i(t) <= r^U(t) for t <= tau_1 with
r^L = Q beta^2 t/(4 N tau), r^U = 2 d v^2 beta^2 t/(N tau), tau_1 = N tau log 3/(10 Q beta^2) (19),
and log 3/40 <= r(tau_1) <= log 3.

The proof (20)-(34) derives r^U = (5Q + 2 d v^2) beta^2 t/(2 N tau) (32), then 10 Q beta^2 t/(N tau) (33),
citing v <= 1/(32 sqrt Q). Statement and proof are encoded separately: each proof step as printed,
the statement's r^U against what the proof derives, and the corrected statement (r^U of eq. 33).
Facts the proof has established at a step are variables with those domains (sigma values).
"""
import sympy as sp

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import SimulationProperty
from theorems import _appendix_b as B
from theorems import _notation as n

R = sp.Rational
beta, N, Q, d, v, l_b, Z, eps, tau, t = B.beta, B.N, B.Q, B.d, B.v, B.l_b, B.Z, B.eps, B.tau, B.t
smin, smax, sj, S_own, S_opp, rate = B.sigma_min, B.sigma_max, B.sigma_j, B.S_own, B.S_opp, B.rate
LOG3 = B.LOG3

CORE = (n.beta, n.N, n.Q, n.d, n.v, B.L_B, B.Z_B3, n.eps)
SIG_MIN_QUARTER = B.SIG_MIN.restrict(lo=R(1, 4))  # t <= tau_s: every r_k < log 3 (obligation sigma-before-tau-s)
SIG_MAX_HALF = B.SIG_MAX.restrict(hi=R(1, 2), hi_closed=True)  # r_k >= r^L >= 0 (obligation sigma-nonnegative-margin)
T_POS = n.t.restrict(lo=0, lo_closed=False)
SUMS_MIN = (S_own >= Q * smin, S_opp >= Q * smin)
SUMS_MAX = (S_own <= Q * smax, S_opp <= Q * smax)
SELF_LE_MAX = (sj <= smax,)
BAND_20 = (sp.Abs(rate - B.MEAN_FIELD) <= B.err_b2() * smax,)
HYP_Z, HYP_EPS, HYP_D = B.HYP_Z, B.HYP_EPS, B.HYP_D
T_VARS = (n.beta, n.N, n.Q, n.tau, T_POS)


def _solves(r, rhs):
    """r(t) solves tau dr/dt = rhs with r(0) = 0."""
    return sp.And(sp.Eq(tau * sp.diff(r, t), rhs, evaluate=False), sp.Eq(r.subs(t, 0), 0, evaluate=False))


STEPS = (
    B.symbolic(
        "z-range", "the hypotheses Z <= 1/(4 l_b^2), 1/4 <= l_b <= 1/2 allow Z <= 4, and only Z = 1 when l_b > 1/(2 sqrt 2)",
        "App. B, Theorem B.3 hypotheses", (B.L_B, n.Z), (HYP_Z,),
        sp.And(Z <= 4, sp.Or(l_b <= 1 / (2 * sp.sqrt(2)), Z <= 1)),
        note="At l_b = 1/2 the theorem covers only Z = 1: no token is shared between values. Other obligations "
             "of this claim take Z in [1, 4], which this implication justifies."),
    B.symbolic(
        "step-20-21-23", "(20) gives the lower bound (21) and the upper bound (23)",
        "App. B, proof of Theorem B.3, eqs. 20, 21, 23",
        (B.RATE, B.S_OWN, B.S_OPP, B.SIG_J, B.SIG_MAX, *CORE), BAND_20,
        sp.And(rate >= B.MEAN_FIELD - B.err_b2() * smax, rate <= B.MEAN_FIELD + B.err_b2() * smax)),
    B.symbolic(
        "step-21-22", "(21) >= (22): each cluster sum is at least Q min sigma",
        "App. B, proof of Theorem B.3, eqs. 21-22",
        (B.S_OWN, B.S_OPP, B.SIG_J, B.SIG_MIN, B.SIG_MAX, *CORE), SUMS_MIN,
        B.MEAN_FIELD - B.err_b2() * smax >= B.EQ22),
    B.symbolic(
        "step-23-24", "(23) <= (24): each cluster sum is at most Q max sigma",
        "App. B, proof of Theorem B.3, eqs. 23-24",
        (B.S_OWN, B.S_OPP, B.SIG_J, B.SIG_MAX, *CORE), SUMS_MAX,
        B.MEAN_FIELD + B.err_b2() * smax <= B.EQ24),
    B.symbolic(
        "sigma-before-tau-s", "before tau_s (every r_k < log 3), sigma(-r_k) >= 1/4",
        "App. B, proof of Theorem B.3 (before eq. 25)", (B.R_MARGIN,), (B.R_MARGIN.symbol <= LOG3,),
        B.SIGMA_OF_MINUS_R >= R(1, 4)),
    B.symbolic(
        "sigma-nonnegative-margin", "with r_k >= r^L >= 0, sigma(-r_k) <= 1/2",
        "App. B, proof of Theorem B.3 (before eq. 29)", (B.R_MARGIN,), (B.R_MARGIN.symbol >= 0,),
        B.SIGMA_OF_MINUS_R <= R(1, 2),
        note="The paper says 'the reward is increasing'; what the step uses is r_k >= 0, from the lower bound."),
    B.symbolic(
        "step-22-25", "(22) >= (25) with min sigma >= 1/4",
        "App. B, proof of Theorem B.3, eq. 25",
        (B.SIG_J, SIG_MIN_QUARTER, B.SIG_MAX, *CORE), (), B.EQ22 >= B.EQ25),
    B.symbolic(
        "step-25-26", "(25) >= (26) = Q beta^2/(4N) under Z <= 1/(4 l_b^2), eps <= 1/(16 v (Z+2))",
        "App. B, proof of Theorem B.3, eqs. 25-26",
        (B.SIG_J, B.SIG_MAX, *CORE), (HYP_Z, HYP_EPS), B.EQ25 >= B.EQ26,
        note="max sigma is only known to lie in (0, 1) at this point of the proof."),
    B.symbolic(
        "step-27-28", "r^L of (28) solves (27) with r^L(0) = 0",
        "App. B, proof of Theorem B.3, eqs. 27-28", T_VARS, (), _solves(B.RL_B3, B.EQ26)),
    B.symbolic(
        "step-24-29", "(24) <= (29) with max sigma <= 1/2",
        "App. B, proof of Theorem B.3, eq. 29",
        (B.SIG_J, SIG_MAX_HALF, *CORE), SELF_LE_MAX, B.EQ24 <= B.EQ29),
    B.symbolic(
        "step-29-30", "(29) <= (30) under the bounds on Z and eps",
        "App. B, proof of Theorem B.3, eqs. 29-30", CORE, (HYP_Z, HYP_EPS), B.EQ29 <= B.EQ30),
    B.symbolic(
        "step-30-32", "(30) is the right side of (31), and r^U of (32) solves (31) with r^U(0) = 0",
        "App. B, proof of Theorem B.3, eqs. 30-32", (*T_VARS, n.d, n.v), (),
        sp.And(sp.Eq(B.EQ30, B.EQ31_RHS, evaluate=False), _solves(B.RU_B3_32, B.EQ31_RHS))),
    B.symbolic(
        "step-32-33-as-cited", "(32) <= (33) under d <= 5Q and the cited v <= 1/(32 sqrt Q)",
        "App. B, proof of Theorem B.3, eqs. 32-33", (*T_VARS, n.d, n.v), (HYP_D, B.HYP_V_MAIN),
        B.RU_B3_32 <= B.RU_B3_33),
    B.symbolic(
        "step-32-33-own-hypothesis", "(32) <= (33) under d <= 5Q and the theorem's own v <= 1/(4 sqrt Q)",
        "App. B, Theorem B.3 hypotheses and eq. 33", (*T_VARS, n.d, n.v), (HYP_D, B.HYP_V_B3),
        B.RU_B3_32 <= B.RU_B3_33,
        note="The step cites v <= 1/(32 sqrt Q), which Theorem B.3 does not assume; this checks whether its own "
             "hypothesis v <= 1/(4 sqrt Q) suffices."),
    B.symbolic(
        "tau-s-after-tau-1", "r^U of (33) stays below log 3 before tau_1, so tau_s >= tau_1 (34)",
        "App. B, proof of Theorem B.3, eq. 34", (n.beta, n.N, n.Q, n.tau, n.t), (t < B.TAU1_B3,),
        B.RU_B3_33 < LOG3),
    B.symbolic(
        "values-at-tau-1", "at tau_1: r^U = log 3 and r^L = log 3/40",
        "App. B, proof of Theorem B.3 (last line)", (n.beta, n.N, n.Q, n.tau), (),
        sp.And(sp.Eq(B.RU_B3_33.subs(t, B.TAU1_B3), LOG3, evaluate=False),
               sp.Eq(B.RL_B3.subs(t, B.TAU1_B3), LOG3 / 40, evaluate=False))),
)

HYP_VARS = (*T_VARS, n.d, n.v, B.L_B, B.Z_B3, n.eps)
HYPS = B.HYPS_B3
STATEMENT = (
    B.symbolic(
        "statement-band-nonempty", "the statement's band is non-empty: r^L <= r^U for t > 0",
        "App. B, Theorem B.3 statement", HYP_VARS, HYPS, B.RL_B3 <= B.RU_B3_STATED,
        refuted_means="stated r^U lies below r^L"),
    B.symbolic(
        "statement-ru-covers-proof", "the statement's r^U = 2dv^2 beta^2 t/(N tau) bounds the proof's r^U (32)",
        "App. B, Theorem B.3 statement vs eq. 32", HYP_VARS, HYPS, B.RU_B3_32 <= B.RU_B3_STATED,
        note="As printed, the statement's r^U has only the d v^2 term of (32).",
        refuted_means="stated r^U lies below what the proof derives (32)"),
    B.symbolic(
        "statement-ru-at-tau-1", "the statement's r^U(tau_1) admits its own conclusion r(tau_1) >= log 3/40",
        "App. B, Theorem B.3 statement", HYP_VARS, HYPS,
        B.RU_B3_STATED.subs(t, B.TAU1_B3) >= LOG3 / 40,
        refuted_means="stated r^U(tau_1) lies below the stated r(tau_1) >= log 3/40"),
    B.symbolic(
        "corrected-statement-band", "correction: with r^U = 10 Q beta^2 t/(N tau) (eq. 33) the band holds the proof's bounds",
        "App. B, Theorem B.3 with r^U of eq. 33", HYP_VARS, HYPS,
        sp.And(B.RL_B3 <= B.RU_B3_32, B.RU_B3_32 <= B.RU_B3_33),
        note="Correction: replace the statement's r^U by (33), which the proof derives."),
)

_REGIME = {"K": 2, "Q": 40, "d": "5*Q", "v": "1/(256*sqrt(Q))", "l_b": "1/4", "Z": 2, "beta": 1, "tau": 1,
           "N": "2*K*Q", "eps": "1/(16*v*(Z+2))"}
_SIM_HYPS = (*HYPS, l_b >= R(1, 4), l_b <= R(1, 2))
_SIM_CHOICES = ("failure probability at its c -> oo limit (the infimum over the unspecified c); a refutation "
                "names the c above which it holds",
                "regime K = 2, Q = 40, d = 5Q, v = 1/(256 sqrt Q), l_b = 1/4, Z = 2 (Z read per value)")
_SIM_NOTE = ("Failure probability: Lemma B.1's at c -> oo (the infimum over the unspecified c; see lemma-b.1). "
             "Default v = 1/(256 sqrt Q) keeps it < 1 at Q = 40, Z = 2.")


def _band(oid, title, upper, note):
    return Obligation(
        oid, Kind.SIMULATION, title, "App. B, Theorem B.3",
        SimulationProperty(regime=dict(_REGIME), hypotheses=_SIM_HYPS, observable="train_margins",
                           check=B.trajectory_band_check(B.RL_B3, upper), horizon=B.TAU1_B3,
                           failure_probability=B.failure_b1_c_infinity(),
                           failure_probability_in=("c", B.failure_b1()), options={"z_reading": "pair"}),
        note=note + " " + _SIM_NOTE, choices=_SIM_CHOICES)


SIMULATIONS = (
    _band("trajectory-band-as-stated", "every training margin within [r^L, r^U] of the statement up to tau_1, "
          "log 3/40 <= r(tau_1) <= log 3", B.RU_B3_STATED, "r^U = 2 d v^2 beta^2 t/(N tau) as printed."),
    _band("trajectory-band-corrected", "every training margin within [r^L, r^U of eq. 33] up to tau_1, "
          "log 3/40 <= r(tau_1) <= log 3", B.RU_B3_33, "Correction: r^U = 10 Q beta^2 t/(N tau) from eq. 33."),
)

CLAIM = Claim(
    id="theorem-b.3",
    title="Training margins between r^L and r^U (Theorem B.3)",
    source=Source("Appendix B, Theorem B.3", tuple(str(i) for i in range(19, 35))),
    statement=("Given Z <= 1/(4 l_b^2), d <= 5Q, v <= 1/(4 sqrt Q), eps <= 1/(16 v (Z+2)), 1/4 <= l_b <= 1/2, with "
               "probability at least 1 - (8Z+4)KQ^2 e^{-eps^2/16} - (8Z+4)KQ^2 exp(-(c eps/v) min(1, eps/(dv))), "
               "r^L(t) <= r_i(t) <= r^U(t) for t <= tau_1, r^L = Q beta^2 t/(4 N tau), r^U = 2 d v^2 beta^2 t/(N tau), "
               "tau_1 = N tau log 3/(10 Q beta^2), and log 3/40 <= r(tau_1) <= log 3."),
    params=(n.K, n.Q, n.N, n.d, n.v, B.L_B, B.Z_B3, n.beta, n.tau, n.eps, n.c, n.t),
    hypotheses=tuple(Statement(lbl, h) for lbl, h in zip(
        ("token sharing", "dimension", "noise level", "concentration radius"), HYPS)),
    conclusions=(Statement("r^L", B.RL_B3, "Q beta^2 t/(4 N tau)"),
                 Statement("r^U (statement)", B.RU_B3_STATED, "2 d v^2 beta^2 t/(N tau)"),
                 Statement("r^U (proof, eq. 33)", B.RU_B3_33, "10 Q beta^2 t/(N tau)"),
                 Statement("tau_1", B.TAU1_B3, "N tau log 3/(10 Q beta^2)"),
                 Statement("failure probability", B.failure_b1(), "as Lemma B.1")),
    depends_on=("lemma-b.2",),
    obligations=STEPS + STATEMENT + SIMULATIONS,
    notes=("The proof's (20) prints P for Q in one upper summation limit. tau_1 of the statement (19) and of the "
           "proof (34) are printed identically. The remark after the theorem prints KP^2 for KQ^2."),
)
