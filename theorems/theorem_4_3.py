"""Theorem 4.3 (Section 4.2, eq. 4): the generalization error, as stated in the main text.

Under Theorem 4.2's conditions and Q >= 40, with probability at least
1 - 8 K Q^{9/4} exp(-min(c sqrt(Q)/5, Q^{3/4}/256)), R(P) <= 2 K Q^2 e^{-Q/45} at tau_1.

Consistency with Theorem B.4 under eps = 1/(16 v (Z+2)), d = 5Q, v = 1/(32 sqrt Q): hypotheses, the
risk bound (at the substitution and over all d, v the hypotheses allow) and the failure probability.
"""
import dataclasses

import sympy as sp

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import SimulationProperty
from theorems import _appendix_b as B
from theorems import _notation as n
from theorems import theorem_4_2 as T42
from theorems.theorem_4_2 import HYPS, failure_probability_obligations

R = sp.Rational
K, Q, d, v, l_b, Z, eps = B.K, B.Q, B.d, B.v, B.l_b, B.Z, B.eps
Q40 = n.Q.restrict(lo=40)


def consistency(oid, title, variables, assumptions, goal, note="", vacuous_when=None):
    return B.symbolic(oid, title, "Sec. 4.2 Theorem 4.3 vs App. B Theorem B.4 (remark)", variables, assumptions, goal,
                      note=note, vacuous_when=vacuous_when, kind=Kind.CONSISTENCY, substitutions=B.SUBSTITUTIONS)


def _vacuous_below_from_4_2():
    """theorem-4.2/vacuous-below (the same confidence clause) on Theorem 4.3's Q >= 40."""
    ob = next(o for o in T42.OBLIGATIONS if o.id == "vacuous-below")
    spec = ob.spec
    variables = tuple(p.restrict(lo=max(p.domain.lo, Q40.domain.lo)) if p.name == "Q" else p for p in spec.variables)
    return dataclasses.replace(
        ob, title=ob.title.replace("for Q <", "for 40 <= Q <"), cites="Sec. 4.2, Theorem 4.3 (confidence clause)",
        spec=dataclasses.replace(spec, variables=variables),
        note="theorem-4.2/vacuous-below on Theorem 4.3's Q >= 40 (the same confidence clause): where it holds the "
             "theorem asserts nothing.")


OBLIGATIONS = (
    consistency(
        "hypotheses", "4.3's v <= 1/(32 sqrt Q) implies B.4's v <= 1/(4 sqrt Q)",
        (Q40, n.v), (B.HYP_V_MAIN,), B.HYP_V_B3,
        note="Z <= 1/(4 l_b^2), d <= 5Q and 1/4 <= l_b <= 1/2 are the same in both; eps = 1/(16 v (Z+2)) meets "
             "the appendix's eps <= 1/(16 v (Z+2)) with equality. What remains is the bound on v."),
    consistency(
        "risk-bound", "2KQ^2 e^{-Q/45} >= 2KQ^2 e^{-eps^2/(2(2 + dv^2 + eps v))} at the substitution",
        (n.K, Q40, B.L_B, B.Z_B3), (B.HYP_Z,), B.at_main_text(B.RISK_B4) <= B.RISK_43,
        vacuous_when=B.RISK_43 >= 1,
        note="At the substitution eps = 2 sqrt(Q)/(Z+2), d v^2 = 5/1024, eps v = 1/(16(Z+2)). Vacuous where the "
             "bound is >= 1."),
    consistency(
        "risk-bound-without-q-40", "the risk bound follows from B.4 for every Q >= 1: the hypothesis Q >= 40 is not used",
        (n.K, n.Q, B.L_B, B.Z_B3), (B.HYP_Z,), B.at_main_text(B.RISK_B4) <= B.RISK_43,
        vacuous_when=B.RISK_43 >= 1,
        note="Theorem 4.3 adds Q >= 40 to Theorem 4.2's conditions; PROVED here means the derivation from B.4 does "
             "not need it."),
    consistency(
        "risk-bound-all-d-v", "2KQ^2 e^{-Q/45} >= B.4's bound at eps = 1/(16v(Z+2)) for every d <= 5Q, v <= 1/(32 sqrt Q)",
        (n.K, Q40, n.d, n.v, B.L_B, B.Z_B3), HYPS, B.RISK_B4.subs(eps, B.EPS_CHOICE) <= B.RISK_43,
        vacuous_when=B.RISK_43 >= 1),
    *failure_probability_obligations(Q40),
    _vacuous_below_from_4_2(),
    B.failure_gap_obligation(Q40, B.Z_B3, B.L_B, "Sec. 4.2 Theorem 4.3 vs App. B Theorem B.4 (remark)"),
)

SIMULATION = Obligation(
    "simulated-risk", Kind.SIMULATION, "population risk at tau_1 <= 2KQ^2 e^{-Q/45}", "Sec. 4.2, Theorem 4.3, eq. 4",
    SimulationProperty(
        regime={"K": 2, "Q": 40, "d": "5*Q", "v": "1/(32*sqrt(Q))", "l_b": "1/4", "Z": 1, "beta": 1, "tau": 1, "N": "2*K*Q"},
        hypotheses=(*HYPS, l_b >= R(1, 4), l_b <= R(1, 2), Q >= 40),
        observable="population_risk",
        check=B.log_risk_check(sp.log(2 * K * Q ** 2) - Q / 45),
        horizon=B.TAU1_42,
        failure_probability=B.FAIL_MAIN_C_INFINITY, failure_probability_in=("c", B.FAIL_MAIN),
    ),
    note="Exact population risk (log space) against eq. 4. Failure probability at its c -> oo limit (see "
         f"theorem-4.2); eq. 4 itself is >= 1 for Q < {B.first_q_below_one(B.RISK_43.subs(K, 2))} at K = 2.",
)

CLAIM = Claim(
    id="theorem-4.3",
    title="Generalization error (Theorem 4.3)",
    source=Source("Section 4.2, Theorem 4.3", ("4",)),
    statement=("Under the conditions of Theorem 4.2 and Q >= 40, with probability at least 1 - 8KQ^{9/4} "
               "exp(-min(c sqrt(Q)/5, Q^{3/4}/256)) for some fixed constant c > 0, the generalization error of the "
               "implicit reward model at tau_1 is R(P) <= 2KQ^2 e^{-Q/45}."),
    params=(n.K, Q40, n.d, n.v, B.L_B, B.Z_B3, n.beta, n.tau, n.c),
    hypotheses=tuple(Statement(lbl, h) for lbl, h in zip(
        ("token sharing", "dimension", "noise level"), HYPS)),
    conclusions=(Statement("risk bound (4)", B.RISK_43, "2KQ^2 e^{-Q/45}"),
                 Statement("failure probability", B.FAIL_MAIN, "8KQ^{9/4} exp(-min(c sqrt(Q)/5, Q^{3/4}/256))")),
    depends_on=("theorem-b.4", "theorem-4.2"),
    obligations=OBLIGATIONS + (SIMULATION,),
    notes="The remark after Theorem B.4 refers to 'Theorem 4.1' where Theorem 4.2's remark is meant.",
)
