"""Lemma C.2 (pairwise approximate orthogonality), arXiv 2408.03459v5, Appendix C, eqs. 48-50.

For delta-approximately orthogonal clusters and i1 != i2, |<c_i1, c_i2>| <= delta (48). The proof:
the angles xi_1, xi_2 of c_i1, c_i2 to their basis vectors are <= arccos(1 - delta^2/8); "in the
worst case" |<c_i1, c_i2>| = sin(2 arccos(1 - delta^2/8)) (49) <= 2 sqrt(delta^2/4 - delta^4/64)
<= delta (50). The worst case is sin(xi_1 + xi_2) only while xi_1 + xi_2 <= pi/2 (beyond it two
such vectors can be parallel); the geometric obligations state it over the angles.
"""
import sympy as sp

from dpoverify.claims import Claim, Domain, Implication, Kind, Obligation, Param, Source, Statement
from theorems import _appendix_c as ac
from theorems import _notation as nt

# The same configuration parametrised without ratios (for delta -> 0, where both sides vanish):
# delta = 4 sin(alpha), alpha in [0, asin(1/8)) (a bijection onto delta in [0, 1/2)); the map below
# is onto the configurations and maps into them;
# 1 - delta^2/8 = cos(2 alpha), so cos(xi_i) >= 1 - delta^2/8 with xi_i in [0, 3/2] is exactly
# xi_i = 2 alpha t_i, t_i in [0, 1] (cos decreasing on [0, pi]); |theta - pi/2| <= xi_1 + xi_2 is
# exactly theta = pi/2 + w (xi_1 + xi_2), w in [-1, 1]; theta then lies in [0, 3] by itself
# (|theta - pi/2| <= 4 asin(1/8) < 1/2).
_alpha = Param("alpha", Domain(0, sp.Rational(1, 7)), "asin(δ/4): δ = 4 sin α", "α")
_t_1 = Param("t_1", Domain(0, 1), "ξ₁ / arccos(1 − δ²/8)", "t₁")
_t_2 = Param("t_2", Domain(0, 1), "ξ₂ / arccos(1 − δ²/8)", "t₂")
_w = Param("w", Domain(-1, 1), "(θ − π/2) / (ξ₁ + ξ₂)", "w")
_a = _alpha.symbol
_PARAMETRISED = (_alpha, _t_1, _t_2, _w)
_DELTA_OF_ALPHA = 4 * sp.sin(_a)
_THETA_OF_ALPHA = sp.pi / 2 + 2 * _a * _w.symbol * (_t_1.symbol + _t_2.symbol)
_HYP_ALPHA = (_DELTA_OF_ALPHA < sp.Rational(1, 2),)  # delta < 1/2 (Definition C.1)
# delta = 4 sin(alpha) written as sin(4 alpha) + 4 sin(alpha)(sin^2(3 alpha/2) + sin^2(alpha/2)), an identity
# (4 sin a - sin 4a = 4 sin a (1 - cos a cos 2a), 1 - cos a cos 2a = sin^2(3a/2) + sin^2(a/2)):
# the part that vanishes to third order at alpha = 0 is a product of non-negative factors.
DELTA_SPLIT = sp.sin(4 * _a) + 4 * sp.sin(_a) * (sp.sin(3 * _a / 2) ** 2 + sp.sin(_a / 2) ** 2)

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
            Implication(_PARAMETRISED, _HYP_ALPHA, sp.Abs(sp.cos(_THETA_OF_ALPHA)) <= DELTA_SPLIT),
            note="Checked in the variables of eq49-worst-case (δ = 4 sin α, ξᵢ = 2α tᵢ, θ = π/2 + w(ξ₁ + ξ₂): "
                 "the same configurations), with δ = 4 sin α written as the identity sin 4α + 4 sin α "
                 "(sin²(3α/2) + sin²(α/2)), so that at δ → 0, where both sides vanish, the monotone face "
                 "tᵢ = 1, w = ±1 leaves a product of non-negative factors (no 0/0, no δ = 0 case apart).",
        ),
        Obligation(
            "eq49-worst-case", Kind.SYMBOLIC,
            "(49) 'in the worst case': every configuration has |cos θ| ≤ 2(1 − δ²/8)√(1 − (1 − δ²/8)²)",
            "eq. 49",
            Implication(_PARAMETRISED, _HYP_ALPHA,
                        sp.Abs(sp.cos(_THETA_OF_ALPHA)) <= sp.sin(4 * _a)),
            note="Tight (equality at ξ₁ = ξ₂ = arccos(1 − δ²/8), θ = π/2 − ξ₁ − ξ₂). Checked in "
                 "the variables δ = 4 sin α, ξᵢ = 2α tᵢ, θ = π/2 + w(ξ₁ + ξ₂) (α ∈ [0, asin(1/8)), "
                 "tᵢ ∈ [0, 1], w ∈ [−1, 1]): every parametrised point is a configuration of "
                 "(48)'s proof and every configuration is reached, since 1 − δ²/8 = cos 2α and cos is decreasing on [0, π]. The right "
                 "side 2(1 − δ²/8)√(1 − (1 − δ²/8)²) is 2 cos 2α sin 2α = sin 4α there "
                 "(2α ≤ π/2). So the statement is the same, and both sides vanishing at δ = 0 "
                 "(a ratio no box resolves) becomes a monotone face (tᵢ = 1, w = ±1) where "
                 "they are equal symbolically.",
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
