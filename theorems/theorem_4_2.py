"""Theorem 4.2 (Section 4.2): the training reward guarantee, as stated in the main text.

Given Z <= 1/(4 l_b^2), d <= 5Q, v <= 1/(32 sqrt Q), 1/4 <= l_b <= 1/2, with probability at least
1 - 8 K Q^{9/4} exp(-min(c sqrt(Q)/5, Q^{3/4}/256)) for some constant c > 0, every r_i(t) lies between
r^L = beta^2 t/(8 K tau) and r^U = 5 beta^2 t/(K tau) for t <= tau_1 = K tau log 3/(5 beta^2), and
log 3/40 <= r(tau_1) <= log 3.

Consistency with Theorem B.3 under the remark's substitutions eps = 1/(16 v (Z+2)), d = 5Q,
v = 1/(32 sqrt Q), N = 2KQ: hypotheses, r^L, r^U (against the statement's and against eq. 33),
tau_1, and the failure probability (c unspecified: a variable over (0, oo)).
"""
import sympy as sp

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import SimulationProperty
from theorems import _appendix_b as B
from theorems import _notation as n

R = sp.Rational
K, Q, N, d, v, l_b, Z, eps, c, t, tau, beta = B.K, B.Q, B.N, B.d, B.v, B.l_b, B.Z, B.eps, B.c, B.t, B.tau, B.beta
KQ_N = {N: B.N_CHOICE}
HYPS = (B.HYP_Z, B.HYP_D, B.HYP_V_MAIN)
T_POS = n.t.restrict(lo=0, lo_closed=False)
Q_CONF_1 = B.smallest_confident_q(1)


def consistency(oid, title, variables, assumptions, goal, note="", vacuous_when=None):
    return B.symbolic(oid, title, "Sec. 4.2 Theorem 4.2 vs App. B Theorem B.3 (remark)", variables, assumptions, goal,
                      note=note, vacuous_when=vacuous_when, kind=Kind.CONSISTENCY, substitutions=B.SUBSTITUTIONS)


def failure_probability_obligations(q_param):
    """Main-text failure probability >= Theorem B.3's at the remark's substitution (shared with 4.3),
    in the two cases of its min (B.MAIN_CASES; together exactly the statement)."""
    obs = []
    for case, oid, where in (("small-c", "failure-probability", "c√Q/5 ≤ Q^{3/4}/256"),
                             ("large-c", "failure-probability-large-c", "c√Q/5 ≥ Q^{3/4}/256")):
        var, goal, vacuous = B.main_text_failure_case(B.at_main_text(B.failure_b1()), case)
        obs.append(consistency(
            oid, "8KQ^{9/4} exp(-min(c sqrt Q/5, Q^{3/4}/256)) >= (8Z+4)KQ^2[e^{-eps^2/16} + "
                 f"exp(-(c eps/v) min(1, eps/(dv)))] where {where}",
            (n.K, q_param, B.L_B, B.Z_B3, var), (B.HYP_Z,), goal, vacuous_when=vacuous,
            note="At the substitution eps^2/16 = Q/(4(Z+2)^2) and c eps/v = 64 c Q/(Z+2): exponents linear in Q. "
                 "Vacuous where the main-text failure probability is >= 1. " + B.MAIN_CASE_NOTE))
    return tuple(obs)

OBLIGATIONS = (
    consistency(
        "hypotheses", "4.2's v <= 1/(32 sqrt Q) implies B.3's v <= 1/(4 sqrt Q)",
        (n.Q, n.v), (B.HYP_V_MAIN,), B.HYP_V_B3,
        note="Z <= 1/(4 l_b^2), d <= 5Q and 1/4 <= l_b <= 1/2 are the same in both; eps = 1/(16 v (Z+2)) meets "
             "the appendix's eps <= 1/(16 v (Z+2)) with equality. What remains is the bound on v."),
    consistency(
        "r-lower", "4.2's r^L = beta^2 t/(8K tau) is at most B.3's r^L at N = 2KQ",
        (n.K, n.Q, n.beta, n.tau, T_POS), (), B.RL_42 <= B.RL_B3.subs(KQ_N)),
    consistency(
        "r-upper-from-statement", "4.2's r^U = 5 beta^2 t/(K tau) is at least B.3's stated r^U = 2dv^2 beta^2 t/(N tau)",
        (n.K, n.Q, n.d, n.v, n.beta, n.tau, T_POS), HYPS[1:], B.RU_B3_STATED.subs(KQ_N) <= B.RU_42,
        note="Over all d <= 5Q, v <= 1/(32 sqrt Q) (not only at the substitution)."),
    consistency(
        "r-upper-from-proof", "4.2's r^U is at least r^U of B.3's proof (32) at N = 2KQ",
        (n.K, n.Q, n.d, n.v, n.beta, n.tau, T_POS), HYPS[1:], B.RU_B3_32.subs(KQ_N) <= B.RU_42,
        note="What B.3's proof derives (32); equals (33) = 4.2's r^U at N = 2KQ up to the dv^2 term."),
    consistency(
        "tau-1", "4.2's tau_1 = K tau log 3/(5 beta^2) equals B.3's at N = 2KQ",
        (n.K, n.Q, n.beta, n.tau), (), sp.Eq(B.TAU1_42, B.TAU1_B3.subs(KQ_N), evaluate=False)),
    consistency(
        "values-at-tau-1", "4.2's r^L(tau_1) = log 3/40 and r^U(tau_1) = log 3",
        (n.K, n.beta, n.tau), (),
        sp.And(sp.Eq(B.RL_42.subs(t, B.TAU1_42), B.LOG3 / 40, evaluate=False),
               sp.Eq(B.RU_42.subs(t, B.TAU1_42), B.LOG3, evaluate=False))),
    *failure_probability_obligations(n.Q),
    consistency(
        "failure-probability-worst-case", "B.3's failure probability at eps = 1/(16v(Z+2)) is largest at d = 5Q, v = 1/(32 sqrt Q)",
        (n.K, n.Q, n.d, n.v, B.L_B, B.Z_B3, n.c), (B.HYP_Z, B.HYP_D, B.HYP_V_MAIN),
        B.failure_b1().subs(eps, B.EPS_CHOICE) <= B.at_main_text(B.failure_b1()),
        note="The remark's 'upper bounding ... by setting d = 5Q and v = 1/(32 sqrt Q)' over the whole of 4.2's hypotheses."),
    B.symbolic(
        "vacuous-below", f"for Q < {Q_CONF_1}, every K >= 1 and every c > 0 the failure probability is >= 1",
        "Sec. 4.2, Theorem 4.2 (confidence clause)", (n.K, n.Q.restrict(hi=Q_CONF_1 - 1), n.c), (), B.FAIL_MAIN >= 1,
        note="Where this holds the theorem 'holds with probability at least 1 - (a number >= 1)': it asserts nothing. "
             "The bound is the smallest Q with 8Q^{9/4} e^{-Q^{3/4}/256} < 1 (K = 1, c -> oo), computed in "
             "_appendix_b.smallest_confident_q and checked here.", role="vacuity", region_of=("Q",)),
    B.failure_gap_obligation(n.Q, B.Z_B3, B.L_B, "Sec. 4.2 Theorem 4.2 vs App. B Theorem B.3 (remark)"),
)

SIMULATION = Obligation(
    "trajectory-band", Kind.SIMULATION, "every training margin within [beta^2 t/(8K tau), 5 beta^2 t/(K tau)] up to tau_1, "
    "log 3/40 <= r(tau_1) <= log 3", "Sec. 4.2, Theorem 4.2",
    SimulationProperty(
        regime={"K": 2, "Q": 40, "d": "5*Q", "v": "1/(32*sqrt(Q))", "l_b": "1/4", "Z": 1, "beta": 1, "tau": 1, "N": "2*K*Q"},
        hypotheses=(*HYPS, l_b >= R(1, 4), l_b <= R(1, 2)),
        observable="train_margins",
        check=B.trajectory_band_check(B.RL_42, B.RU_42),
        horizon=B.TAU1_42,
        failure_probability=B.FAIL_MAIN_C_INFINITY, failure_probability_in=("c", B.FAIL_MAIN),
    ),
    note="Failure probability at its c -> oo limit 8KQ^{9/4} e^{-Q^{3/4}/256}, the infimum over the unspecified c: "
         "a failure rate above it refutes only the strongest reading (large c; small c allows any rate), and a refutation names the c above which it holds; where it is >= 1 "
         f"(every Q below {Q_CONF_1}, for every K) "
         "the theorem asserts nothing.",
)

CLAIM = Claim(
    id="theorem-4.2",
    title="Training reward guarantee (Theorem 4.2)",
    source=Source("Section 4.2, Theorem 4.2"),
    statement=("Given Z <= 1/(4 l_b^2), d <= 5Q, v <= 1/(32 sqrt Q), 1/2 >= l_b >= 1/4, with probability at least "
               "1 - 8KQ^{9/4} exp(-min(c sqrt(Q)/5, Q^{3/4}/256)) for some constant c > 0, r^L(t) <= r_i(t) <= r^U(t) "
               "for all i and t <= tau_1 with r^L = beta^2 t/(8K tau), r^U = 5 beta^2 t/(K tau), tau_1 = K tau log 3/(5 beta^2), "
               "and log 3/40 <= r(tau_1) <= log 3."),
    params=(n.K, n.Q, n.d, n.v, B.L_B, B.Z_B3, n.beta, n.tau, n.c, n.t),
    hypotheses=tuple(Statement(lbl, h) for lbl, h in zip(
        ("token sharing", "dimension", "noise level"), HYPS)),
    conclusions=(Statement("r^L", B.RL_42, "beta^2 t/(8K tau)"), Statement("r^U", B.RU_42, "5 beta^2 t/(K tau)"),
                 Statement("tau_1", B.TAU1_42, "K tau log 3/(5 beta^2)"),
                 Statement("failure probability", B.FAIL_MAIN, "8KQ^{9/4} exp(-min(c sqrt(Q)/5, Q^{3/4}/256))")),
    depends_on=("theorem-b.3",),
    obligations=OBLIGATIONS + (SIMULATION,),
    notes="The remark after Theorem B.3 names the substitutions; c is Bernstein's unspecified constant.",
)
