"""Section 4.2's quantitative reading of Theorem 4.3: "when K = 10, ... more than 875 samples per value
to achieve a near-zero generalization error", "the number of samples per cluster must scale as
Theta(log K)", and Figure 4 ("Scaling curve for the generalization error to be < 0.05").

Near-zero error is read as Figure 4's threshold: eq. 4's bound 2KQ^2 e^{-Q/45} < 0.05. Q*(K), the smallest
integer Q >= 40 (Theorem 4.3's own condition) with the bound below 0.05, is found here by a scan whose
every comparison is decided in Arb ball arithmetic; the obligations have the prover certify both sides.
Eq. 4 is an upper bound on the risk, holding with the theorem's confidence: it can show that a Q
suffices, never that a smaller Q fails. The obligations separate the two readings, and check the
confidence clause 1 - 8KQ^{9/4} exp(-min(c sqrt Q/5, Q^{3/4}/256)), without which nothing is asserted.
"""
from __future__ import annotations

import flint
import sympy as sp

from dpoverify.claims import Claim, Kind, Obligation, Source
from dpoverify.specs import SimulationProperty
from theorems import _appendix_b as B
from theorems import _notation as n

R = sp.Rational
K, Q, c = B.K, B.Q, B.c
THRESHOLD = R(1, 20)  # Figure 4: "generalization error to be < 0.05"
K_EXAMPLE, Q_EXAMPLE = 10, 875
Q_MIN = 40  # Theorem 4.3 assumes Q >= 40
K_FIGURE = (1, 2, 5, 10, 20, 50, 100, 1000, 10000)
LOG_SLOPE, LOG_OFFSET = 90, 770  # a witness: Q >= 90 log K + 770 makes eq. 4's bound < 0.05 for every K >= 1


def bound_below(k: int, q: int, threshold=THRESHOLD) -> bool:
    """2kq^2 e^{-q/45} < threshold, decided in Arb (log space)."""
    thr = flint.arb(threshold.p) / threshold.q
    return B.certain_negative(lambda: (flint.arb(2 * k) * q * q).log() - flint.arb(q) / 45 - thr.log())


def smallest_q(k: int, q_min: int = Q_MIN) -> int:
    """Q*(k): the smallest integer q >= q_min with 2kq^2 e^{-q/45} < 0.05 (each q decided in Arb)."""
    q = q_min
    while not bound_below(k, q):
        q += 1
    return q


def figure_4_curve(ks=K_FIGURE) -> list[tuple[int, int]]:
    """(K, Q*(K)): the curve of Figure 4 as eq. 4 defines it."""
    return [(k, smallest_q(k)) for k in ks]


def _point(k):
    return n.K.restrict(lo=k, hi=k)


def _qpoint(q):
    return n.Q.restrict(lo=q, hi=q)


CURVE = figure_4_curve()
Q_STAR_10 = dict(CURVE)[K_EXAMPLE]
Q_CONF_10 = B.smallest_confident_q(K_EXAMPLE)
C_POS = n.c


def _sym(oid, title, cites, variables, assumptions, goal, note="", vacuous_when=None):
    return B.symbolic(oid, title, cites, variables, assumptions, goal, note=note, vacuous_when=vacuous_when)


def _certify_point(k, q_star):
    return _sym(
        f"q-star-k{k}", f"Q*({k}) = {q_star}: eq. 4's bound is < 0.05 at Q = {q_star} and >= 0.05 at Q = {q_star - 1}",
        "Sec. 4.2, Figure 4", (_point(k),), (),
        sp.And(B.RISK_43.subs(Q, q_star) < THRESHOLD, B.RISK_43.subs(Q, q_star - 1) >= THRESHOLD),
        note="Q* computed in this module by an Arb-decided scan from Q = 40; both sides re-decided by the prover.")


NECESSITY = Obligation(
    "necessity-reading", Kind.SIMULATION,
    f"necessity reading: with Q = 40 < Q*(10) = {Q_STAR_10} per value, the risk at tau_1 is >= 0.05 in at least half the draws",
    "Sec. 4.2 ('requires more than 875 samples', 'must scale as Theta(log K)')",
    SimulationProperty(
        regime={"K": K_EXAMPLE, "Q": 40, "d": "5*Q", "v": "1/(32*sqrt(Q))", "l_b": "1/4", "Z": 1, "beta": 1, "tau": 1,
                "N": "2*K*Q"},
        hypotheses=(B.HYP_Z, B.HYP_D, B.HYP_V_MAIN),
        observable="population_risk",
        check=B.log_risk_floor_check(sp.log(THRESHOLD)),
        horizon=B.TAU1_42,
        failure_probability=R(1, 2),
    ),
    note="Eq. 4 is an upper bound; a necessity reading asks the actual risk below Q* to stay >= 0.05. Stated "
         "generously (fails in at most half the draws); a draw 'fails' when the exact risk is below 0.05.",
    choices=("necessity reading of the paper's 'requires more than 875 samples' / 'must scale as Theta(log K)' "
             "(the bound itself supports sufficiency only)", "'near-zero' read as risk < 0.05 (Figure 4's threshold)",
             "at most half the draws may fail"),
    refuted_means="far fewer samples than the bound asks already give a risk below the threshold",
)

CLAIM_875 = Claim(
    id="section-4.2.875-samples",
    title="K = 10 needs more than 875 samples per value (Section 4.2)",
    source=Source("Section 4.2, 'Practical implications of value diversity'", ("4",)),
    statement="When K = 10, our analysis shows that it requires more than 875 samples per value to achieve a near-zero "
              "generalization error.",
    params=(n.K, n.Q, n.c),
    depends_on=("theorem-4.3",),
    obligations=(
        NECESSITY,  # the sentence as written is about the error ('requires ... to achieve')
        _sym("bound-above-threshold-to-875", "eq. 4's bound is >= 0.05 for every Q in [40, 875] at K = 10",
             "Sec. 4.2, eq. 4", (_point(K_EXAMPLE), n.Q.restrict(lo=Q_MIN, hi=Q_EXAMPLE)), (), B.RISK_43 >= THRESHOLD,
             note=f"'Requires more than {Q_EXAMPLE}' read as a statement about the bound (the bound is "
                  f"{float(B.RISK_43.subs({B.K: K_EXAMPLE, B.Q: Q_EXAMPLE})):.4f} at Q = {Q_EXAMPLE})."),
        _certify_point(K_EXAMPLE, Q_STAR_10),
        _sym("confidence-vacuous-at-875", "at K = 10, Q = 875 the failure probability is >= 1 for every c > 0",
             "Sec. 4.2 Theorem 4.3", (_point(K_EXAMPLE), _qpoint(Q_EXAMPLE), C_POS), (), B.FAIL_MAIN >= 1,
             note="Where this holds Theorem 4.3 'holds with probability at least 1 - (a number >= 1)': it asserts nothing."),
        _sym("confidence-vacuous-below", f"at K = 10 the failure probability is >= 1 for every c > 0 and Q in [40, {Q_CONF_10 - 1}]",
             "Sec. 4.2 Theorem 4.3", (_point(K_EXAMPLE), n.Q.restrict(lo=Q_MIN, hi=Q_CONF_10 - 1), C_POS), (),
             B.FAIL_MAIN >= 1, note="Upper end computed in this module (_appendix_b.smallest_confident_q), checked here."),
        _sym("confidence-first-below-one", f"at K = 10, Q = {Q_CONF_10} the failure probability is < 1 when c -> oo",
             "Sec. 4.2 Theorem 4.3", (_point(K_EXAMPLE), _qpoint(Q_CONF_10)), (), B.FAIL_MAIN_C_INFINITY < 1,
             note="c -> oo is the most favourable constant; a finite c needs c sqrt(Q)/5 >= Q^{3/4}/256 as well."),
    ),
    notes=(f"Eq. 4's bound at K = 10 first drops below 0.05 at Q*(10) = {Q_STAR_10}: 'more than 875' is true of the "
           f"bound. It supports sufficiency only (Q >= {Q_STAR_10} makes the bound < 0.05), and only where the "
           f"confidence clause says something: for K = 10 that needs Q >= {Q_CONF_10} even with c -> oo."),
)

CLAIM_LOG_K = Claim(
    id="section-4.2.log-k-scaling",
    title="Q must scale as Theta(log K) (Section 4.2)",
    source=Source("Section 4.2, 'Practical implications of value diversity'", ("4",)),
    statement="The number of samples per cluster must scale as Theta(log K) to maintain a strong training and "
              "generalization performance.",
    params=(n.K, n.Q, n.c),
    depends_on=("theorem-4.3", "section-4.2.875-samples"),
    obligations=(
        _sym("bound-needs-log-k", "eq. 4's bound < 0.05 forces Q > 45 log(40 K)", "Sec. 4.2, eq. 4",
             (n.K, n.Q), (B.RISK_43 < THRESHOLD,), Q > 45 * sp.log(40 * K),
             note="What eq. 4 asks for is Omega(log K) (a property of the bound, not of the risk)."),
        _sym("log-k-suffices-for-bound", f"Q >= {LOG_SLOPE} log K + {LOG_OFFSET} makes eq. 4's bound < 0.05 for every K >= 1",
             "Sec. 4.2, eq. 4", (n.K, n.Q), (Q >= LOG_SLOPE * sp.log(K) + LOG_OFFSET,), B.RISK_43 < THRESHOLD,
             note="With bound-needs-log-k: the Q eq. 4 asks for is Theta(log K). Sufficiency only."),
        _sym("confidence-needs-more", "a failure probability < 1 forces Q > (5 log(8K)/c)^2 and Q > (256 log(8K))^{4/3}",
             "Sec. 4.2 Theorem 4.3", (n.K, n.Q, C_POS), (B.FAIL_MAIN < 1,),
             sp.And(c * sp.sqrt(Q) / 5 > sp.log(8 * K), Q ** R(3, 4) / 256 > sp.log(8 * K)),
             note="For any fixed c the confidence clause needs Q = Omega((log K)^2): Theorem 4.3 as a whole does not "
                  "deliver near-zero error with Q = O(log K) samples per value. Checked as c sqrt(Q)/5 > log(8K) and "
                  "Q^{3/4}/256 > log(8K): with log(8K) > 0 (K >= 1) and c > 0 these are the two bounds on Q, "
                  "each side raised to the power 2 and 4/3."),
        NECESSITY,
    ),
    notes=("Theta(log K) describes the Q at which eq. 4's bound crosses 0.05 (both directions proved for the bound). "
           "As a claim about what Q the risk needs it is unsupported: an upper bound gives sufficiency, not necessity "
           "(see necessity-reading). With the confidence clause the sufficient Q grows like (log K)^2 for fixed c."),
)

CURVE_TOP_K = max(k for k, _ in CURVE)
CURVE_TOP_Q = max(q for _, q in CURVE)
CLAIM_FIGURE_4 = Claim(
    id="figure-4",
    title="Figure 4: Q needed for error < 0.05 against K",
    source=Source("Section 4.2, Figure 4", ("4",)),
    statement="Scaling curve for the generalization error to be < 0.05.",
    params=(n.K, n.Q, n.c),
    depends_on=("theorem-4.3", "section-4.2.log-k-scaling"),
    obligations=tuple(_certify_point(k, q) for k, q in CURVE) + (
        _sym("curve-vacuous", f"for K <= {CURVE_TOP_K} and Q <= {CURVE_TOP_Q} (the whole curve) the failure probability is >= 1 for every c",
             "Sec. 4.2 Figure 4 with Theorem 4.3's confidence", (n.K.restrict(hi=CURVE_TOP_K),
                                                                n.Q.restrict(lo=Q_MIN, hi=CURVE_TOP_Q), C_POS), (),
             B.FAIL_MAIN >= 1,
             note="Every point of the curve lies where Theorem 4.3 asserts nothing."),
    ),
    notes=("The figure's plotted values are not in the text; the curve is recomputed from eq. 4 (Q*(K) = "
           + ", ".join(f"{k}: {q}" for k, q in CURVE) + ")."),
)

CLAIMS = (CLAIM_875, CLAIM_LOG_K, CLAIM_FIGURE_4)
