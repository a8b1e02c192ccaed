"""Lemma C.2 (pairwise approximate orthogonality), arXiv 2408.03459v5, Appendix C, eqs. 48-50.

For delta-approximately orthogonal clusters and i1 != i2, |<c_i1, c_i2>| <= delta (48). The proof:
the angles xi_1, xi_2 of c_i1, c_i2 to their basis vectors are <= arccos(1 - delta^2/8); "in the
worst case" |<c_i1, c_i2>| = sin(2 arccos(1 - delta^2/8)) (49) <= 2 sqrt(delta^2/4 - delta^4/64)
<= delta (50). The worst case is sin(xi_1 + xi_2) only while xi_1 + xi_2 <= pi/2 (beyond it two
such vectors can be parallel); the geometric obligations state it over the angles.
"""
import sympy as sp

from dpoverify.claims import Claim, Implication, Kind, Obligation, Source, Statement
from theorems import _appendix_c as ac
from theorems import _notation as nt

_ANGLES = (ac.xi_1, ac.xi_2, ac.theta, nt.delta)
_cos_theta = sp.Abs(sp.cos(ac.SY["theta"]))

CLAIM = Claim(
    id="lemma-c.2",
    title="pairwise approximate orthogonality",
    source=Source("Appendix C, Lemma C.2", ("48", "49", "50")),
    statement="For δ-approximately orthogonal clusters and i₁ ≠ i₂, |<c_i₁, c_i₂>| ≤ δ.",
    params=(nt.delta,),
    hypotheses=(
        Statement("C.1", ac.COS_BOUND, "|<c_i, e_{c_i}>| ≥ 1 − δ²/8 for i = i₁, i₂ (Definition C.1)"),
        Statement("distinct", None, "implicit: e_{c_i₁} ≠ e_{c_i₂} (otherwise c_i₁ = c_i₂ is allowed)"),
    ),
    conclusions=(Statement("48", None, "|<c_i₁, c_i₂>| ≤ δ"),),
    depends_on=("definition-c.1",),
    obligations=(
        Obligation(
            "eq48-geometry", Kind.SYMBOLIC,
            "(48) over the angles: ξ₁, ξ₂ ≤ arccos(1 − δ²/8) and |θ − π/2| ≤ ξ₁ + ξ₂ give |cos θ| ≤ δ",
            "eq. 48 and the configuration of the proof",
            Implication(_ANGLES, ac.ANGLES_49, _cos_theta <= ac.delta),
        ),
        Obligation(
            "eq49-worst-case", Kind.SYMBOLIC,
            "(49) 'in the worst case': every configuration has |cos θ| ≤ 2(1 − δ²/8)√(1 − (1 − δ²/8)²)",
            "eq. 49",
            Implication(_ANGLES, ac.ANGLES_49, _cos_theta <= ac.WORST_49_ALG),
            note="Tight (equality at ξ₁ = ξ₂ = arccos(1 − δ²/8), θ = π/2 − ξ₁ − ξ₂).",
        ),
        Obligation(
            "eq49-worst-case-range", Kind.SYMBOLIC,
            "sin(2ξ) is the worst case only for 2ξ ≤ π/2: 2 arccos(1 − δ²/8) ≤ π/2, i.e. 1 − δ²/8 ≥ cos(π/4)",
            "eq. 49 (condition for 'worst case')",
            Implication((nt.delta,), (), ac.COS_BOUND >= sp.sqrt(2) / 2),
            note="Holds for δ ≤ √(8 − 4√2) ≈ 1.53, so on all of Definition C.1's range δ < 1/2.",
        ),
        Obligation(
            "eq49-identity", Kind.SYMBOLIC,
            "(49) sin(2 arccos(1 − δ²/8)) = 2(1 − δ²/8)√(1 − (1 − δ²/8)²)",
            "eq. 49",
            Implication((nt.delta,), (), sp.Eq(ac.WORST_49, ac.WORST_49_ALG)),
        ),
        Obligation(
            "eq50-first", Kind.SYMBOLIC,
            "(50) 2(1 − δ²/8)√(1 − (1 − δ²/8)²) ≤ 2√(δ²/4 − δ⁴/64)",
            "eq. 50",
            Implication((nt.delta,), (), ac.WORST_49_ALG <= ac.MID_50),
        ),
        Obligation(
            "eq50-second", Kind.SYMBOLIC,
            "(50) 2√(δ²/4 − δ⁴/64) ≤ δ",
            "eq. 50",
            Implication((nt.delta,), (), ac.MID_50 <= ac.delta),
        ),
    ),
    notes=("The proof's 'worst case' assumes e_{c_i₁} ⟂ e_{c_i₂} (distinct basis vectors), which "
           "Definition C.1 leaves implicit."),
)
