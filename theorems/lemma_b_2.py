"""Lemma B.2 (Appendix B, eqs. 14-18): each margin's rate is its within-value mean field up to
(2 beta^2 Q/N)((2Z+4) eps v + l_b^2 Z) max_j sigma(-r_j).

The proof writes tau dr_j/dt cluster by cluster (16)-(17) and bounds every kernel entry by Lemma
B.1's bands. The cross-value sum runs over S_i, the values whose response set shares a token with
value i; the printed bound needs |S_i| <= Z. How many values that is depends on what Z counts:

* "Z counts values" (a token lies in at most Z response sets {a_i, b_i}): value i shares each of
  its two tokens with up to Z - 1 others, |S_i| <= 2(Z - 1), which exceeds Z for Z >= 3;
* "Z counts clusters" (each value's token appears in both of its clusters): |S_i| <= Z - 2.

Both readings are encoded as separate obligations; the engine decides each.
"""
import sympy as sp

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import SimulationProperty
from theorems import _appendix_b as B
from theorems import _notation as n

R = sp.Rational
beta, N, Q, eps, v, l_b, Z = B.beta, B.N, B.Q, B.eps, B.v, B.l_b, B.Z
S_i, M = B.S_i, B.sigma_max

# Deviation of tau dr_j/dt from the mean field, term by term with Lemma B.1's bands (max sigma M):
# Q own-cluster terms (4 eps v each, the diagonal one included), Q opposite-cluster terms (4 eps v),
# |S_i| other values x 2 clusters x Q terms (l_b^2 + 2 eps v each).
DEVIATION = beta ** 2 / N * M * (Q * 4 * eps * v + Q * 4 * eps * v + S_i * 2 * Q * (l_b ** 2 + 2 * eps * v))
STEP_VARS = (n.beta, n.N, n.Q, n.eps, n.v, B.L_B_HALF, B.Z_ANY, B.S_I, B.SIG_MAX)

OBLIGATIONS = (
    B.symbolic(
        "step-17-18-values-reading", "(16)-(17) -> (18) when Z counts values holding a token (|S_i| <= 2(Z-1))",
        "App. B, proof of Lemma B.2, eqs. 16-18", STEP_VARS, (S_i <= 2 * (Z - 1),),
        DEVIATION <= B.err_b2() * M,
        note="Reading of Section 3's Z as the number of response sets {a_i, b_i} containing a token.",
        choices=("Z counts the values whose response set holds a token (Section 3 does not say which)",),
        refuted_means="(18) needs |S_i| <= Z, false when Z counts values"),
    B.symbolic(
        "step-17-18-clusters-reading", "(16)-(17) -> (18) when Z counts clusters holding a token (|S_i| <= Z-2)",
        "App. B, proof of Lemma B.2, eqs. 16-18", STEP_VARS, (S_i <= Z - 2,),
        DEVIATION <= B.err_b2() * M,
        note="Reading of Z over the 2K clusters' responses: each token of value i also appears in C_{i,-}.",
        choices=("Z counts the clusters whose responses hold a token (Section 3 does not say which)",)),
)

SIMULATION = Obligation(
    "rate-band", Kind.SIMULATION, "simulated rates stay within (18) of the mean field of (14)",
    "App. B, Lemma B.2, eq. 14",
    SimulationProperty(
        regime={"K": 2, "Q": 40, "d": "5*Q", "v": "1/(256*sqrt(Q))", "l_b": "1/4", "Z": 2,
                "beta": 1, "tau": 1, "N": "2*K*Q", "eps": "1/(16*v*(Z+2))"},
        hypotheses=(l_b <= R(1, 2),),
        observable="flow_residual",
        check=B.rate_band_check(B.err_b2()),
        horizon=B.TAU1_B3,
        failure_probability=B.failure_b1_c_infinity(), failure_probability_in=("c", B.failure_b1()),
        options={"z_reading": "pair"},
    ),
    note="flow_residual's residual is tau dr_j/dt minus (14)'s mean field, checked against (18) times "
         "max_j sigma(-r_j) at every grid time up to tau_1 of Theorem B.3. Failure probability: Lemma B.1's at "
         "c -> oo (see lemma-b.1).",
    choices=("(14)'s undefined P read as Q, as in (18)",
             "failure probability at its c -> oo limit (the infimum over the unspecified c)"),
)

CLAIM = Claim(
    id="lemma-b.2",
    title="Reward dynamics near the mean field (Lemma B.2)",
    source=Source("Appendix B, Lemma B.2", ("14", "15", "16", "17", "18")),
    statement=("With l_b <= 1/2, with Lemma B.1's probability, for each sample |tau dr_j^{i,±}/dt - (2(1+l_b^2) "
               "beta^2/N) sum_m sigma(-r_m^{i,±}) - (2(1-l_b^2) beta^2/N) sum_m sigma(-r_m^{i,∓}) - (2dv^2 beta^2/N) "
               "sigma(-r_j^{i,±})| <= (2 beta^2 Q/N)((2Z+4) eps v + l_b^2 Z) max_j sigma(-r_j)."),
    params=(n.K, n.Q, n.N, n.d, n.v, B.L_B_HALF, B.Z_ANY, n.beta, n.tau, n.eps, n.c),
    hypotheses=(Statement("shared component", l_b <= R(1, 2)),),
    conclusions=(Statement("rate bound (18)", B.err_b2() * M, "(2 beta^2 Q/N)((2Z+4) eps v + l_b^2 Z) max sigma"),
                 Statement("failure probability", B.failure_b1(), "as Lemma B.1")),
    depends_on=("lemma-b.1",),
    obligations=OBLIGATIONS + (SIMULATION,),
    notes=("Eq. 14 (the statement) prints P where the proof's (18) has Q; P is defined nowhere, read as Q. "
           "The bracket of (16) closes before (17), which as typeset lacks the factor beta^2/N. "
           "The bound is worst-case over Lemma B.1's bands: in the data, a value's two clusters enter S_i with "
           "preference factors of opposite sign, so the cross-value terms largely cancel."),
)
