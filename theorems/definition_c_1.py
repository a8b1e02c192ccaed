"""Definition C.1 (delta-approximately orthogonal clusters), arXiv 2408.03459v5, Appendix C.

Clusters N(l_b e_1 +- c_i, v^2 I_d) with unit concept vectors c_i, each with a standard basis
vector e_{c_i}; delta-approximately orthogonal (0 <= delta < 1/2) if |<c_i, e_{c_i}>| >= 1 - delta^2/8.
The obligations make explicit what the definition gives the lemmas (||c_i - e_{c_i}|| <= delta/2,
the off-axis part of c_i at most delta/2) and how small delta must be where the lemmas apply.
"""
import sympy as sp

from dpoverify.claims import Claim, Implication, Kind, Obligation, Source, Statement
from theorems import _appendix_c as ac
from theorems import _notation as nt

g = ac.SY["gamma"]
_DEF = (g >= ac.COS_BOUND,)  # <c_i, e_{c_i}> = gamma >= 1 - delta^2/8 (sign WLOG, as in Lemma C.2)

CLAIM = Claim(
    id="definition-c.1",
    title="delta-approximately orthogonal clusters",
    source=Source("Appendix C, Definition C.1"),
    statement=("Clusters N(l_b e_1 ± c_i, v² I_d), each c_i with a standard basis vector e_{c_i}, are "
               "δ-approximately orthogonal (0 ≤ δ < 1/2) if |<c_i, e_{c_i}>| ≥ 1 − δ²/8 for every i."),
    params=(nt.delta, nt.l_b, nt.v, nt.eps, nt.Z),
    hypotheses=(
        Statement("unit", None, "c_i is a unit vector (Section 3)"),
        Statement("distinct", None, "implicit: the e_{c_i} are pairwise distinct and differ from e_1 "
                  "(Lemma C.2 needs e_{c_i1} ⟂ e_{c_i2}; Lemma C.3 bounds <c_i, e_1>)"),
    ),
    conclusions=(Statement("C.1", ac.COS_BOUND, "|<c_i, e_{c_i}>| ≥ 1 − δ²/8"),),
    obligations=(
        Obligation(
            "distance-to-basis-vector", Kind.SYMBOLIC,
            "||c_i − e_{c_i}||² = 2 − 2<c_i, e_{c_i}> ≤ (δ/2)²: the 'change of at most δ/2' Lemma C.3 uses",
            "Definition C.1; Lemma C.3's proof",
            Implication((ac.gamma, nt.delta), _DEF, 2 - 2 * g <= (nt.SYM["delta"] / 2) ** 2),
        ),
        Obligation(
            "off-axis-component", Kind.SYMBOLIC,
            "the part of c_i orthogonal to e_{c_i} has squared norm 1 − <c_i, e_{c_i}>² ≤ (δ/2)², so "
            "|<c_i, e_1>| ≤ δ/2 when e_{c_i} ≠ e_1",
            "Definition C.1; Lemma C.3's proof (the δ l_b term)",
            Implication((ac.gamma, nt.delta), _DEF, 1 - g**2 <= (nt.SYM["delta"] / 2) ** 2),
        ),
        Obligation(
            "delta-range-used", Kind.SYMBOLIC,
            "where Lemmas C.3–C.4 and Theorems C.5–C.6 apply (δ ≤ min(εv/8, 1/4), ε ≤ 1/(16v(Z+2))), "
            "δ ≤ 1/(128(Z+2)) ≤ 1/384: far inside the definition's range δ < 1/2",
            "Definition C.1 against Lemma C.3 and Theorem C.5's hypotheses",
            Implication(
                (nt.delta, nt.eps, nt.v, nt.Z),
                (*ac.DELTA_HYP, ac.eps <= 1 / (16 * ac.v * (ac.Z + 2))),
                sp.And(ac.delta <= 1 / (128 * (ac.Z + 2)), ac.delta <= sp.Rational(1, 384)),
            ),
            note="Under the main-text substitution εv = 1/(16(Z+2)) this is the largest δ allowed: "
                 "pairwise |<c_i, c_j>| ≤ 1/384 (Lemma C.2), i.e. concept directions within about "
                 "0.15° of orthogonal.",
        ),
    ),
    notes=("The definition does not say that the e_{c_i} are distinct or different from e_1; "
           "Lemma C.2 is false without it (e_{c_i1} = e_{c_i2} allows c_i1 = c_i2)."),
)
