"""Lemma C.4 (reward dynamics for approximately orthogonal clusters), arXiv 2408.03459v5,
Appendix C, eq. 61.

Lemma B.2 with Lemma C.3's kernel bounds: the error factor (2Z+4) eps v + l_b^2 Z becomes
(5/2 Z + 5) eps v + l_b^2 Z. "The proof follows exactly the same argument as Lemma B.2" -- but the
lemma assumes l_b <= 1 while Lemma C.3, which that argument needs, assumes l_b <= 1/2.
"""
import sympy as sp

from dpoverify.claims import Claim, Implication, Kind, Obligation, Source, Statement
from theorems import _appendix_c as ac
from theorems import _notation as nt
from theorems.lemma_c_3 import BUDGET_59_60

ev = ac.eps * ac.v
sh, Si = ac.SY["s_hi"], ac.SY["S_i"]
_SUM_61 = ac.beta**2 / ac.N * (2 * ac.Q * 5 * ev * sh + Si * 2 * ac.Q * (ac.l_b**2 + sp.Rational(5, 2) * ev) * sh)
_RHS_61 = 2 * ac.beta**2 * ac.Q / ac.N * ac.ERR_C4 * sh

CLAIM = Claim(
    id="lemma-c.4",
    title="reward-margin dynamics for approximately orthogonal clusters",
    source=Source("Appendix C, Lemma C.4", ("61",)),
    statement=("With δ ≤ min(εv/8, 1/4), l_b ≤ 1, with probability ≥ 1 − (16Z+8)KQ²e^{−ε²/16} − "
               "(8Z+4)KQ² exp(−(cε/v) min(1, ε/(dv))), for each sample |τṙ_j − (2(1+l_b²)β²/N)Σσ(−r⁺) − "
               "(2(1−l_b²)β²/N)Σσ(−r⁻) − (2dv²β²/N)σ(−r_j)| ≤ (2β²Q/N)(((5/2)Z + 5)εv + l_b²Z) max σ(−r)."),
    params=(nt.delta, nt.eps, nt.v, ac.L_B_ONE, nt.K, nt.Q, nt.N, nt.Z, nt.d, nt.beta, nt.tau, nt.c),
    hypotheses=(
        Statement("delta", sp.And(*ac.DELTA_HYP), "δ ≤ min(εv/8, 1/4)"),
        Statement("l_b", ac.l_b <= 1, "l_b ≤ 1 (Lemma C.3 has l_b ≤ 1/2)"),
    ),
    conclusions=(Statement("61", ac.ERR_C4, "error factor ((5/2)Z + 5)εv + l_b²Z"),),
    depends_on=("lemma-c.3", "lemma-b.2"),
    obligations=(
        Obligation(
            "eq61-error-sum", Kind.SYMBOLIC,
            "(61): 2Q same-value terms within 5εv and |S_i| ≤ Z sharing values with 2Q terms each "
            "≤ l_b² + (5/2)εv sum to at most (2β²Q/N)(((5/2)Z + 5)εv + l_b²Z) max σ",
            "eq. 61 via eqs. 16-18 with Lemma C.3",
            Implication((ac.S_i, nt.Z, nt.Q, nt.N, nt.beta, nt.eps, nt.v, ac.L_B_ONE, ac.s_hi),
                        (Si <= ac.Z,), _SUM_61 <= _RHS_61),
        ),
        Obligation(
            "factor-5/4", Kind.SYMBOLIC,
            "the εv part of the error factor is Lemma B.2's times 5/4: ((5/2)Z + 5) = (5/4)(2Z + 4)",
            "eq. 61 against eq. 18; Theorem C.5's proof ('increased by a factor of 5/4')",
            Implication((nt.Z, nt.eps, nt.v), (),
                        sp.Eq(ac.ERR_C4 - ac.l_b**2 * ac.Z, sp.Rational(5, 4) * (ac.ERR_B2 - ac.l_b**2 * ac.Z))),
        ),
        Obligation(
            "invokes-lemma-c.3", Kind.SYMBOLIC,
            "the proof needs Lemma C.3, whose hypothesis is l_b ≤ 1/2; Lemma C.4 assumes only l_b ≤ 1",
            "Lemma C.4's hypotheses against Lemma C.3's",
            Implication((nt.delta, nt.eps, nt.v, ac.L_B_ONE), ac.DELTA_HYP, ac.l_b <= sp.Rational(1, 2)),
            refuted_means="assumes l_b <= 1 but invokes lemma-c.3, which needs l_b <= 1/2",
        ),
        Obligation(
            "budget-at-printed-l_b", Kind.SYMBOLIC,
            "Lemma C.3's step (59) ≤ εv/2 on Lemma C.4's domain l_b ≤ 1 (same α-event |α| ≤ 3/2)",
            "eqs. 59-60 under Lemma C.4's hypotheses",
            Implication((nt.delta, nt.eps, nt.v, ac.L_B_ONE, ac.alpha_j, ac.alpha_k),
                        BUDGET_59_60.assumptions, BUDGET_59_60.goal),
        ),
        Obligation(
            "budget-corrected", Kind.SYMBOLIC,
            "CORRECTION: with l_b ≤ 1/2 (Lemma C.3's hypothesis, which Theorems C.5 and C.6 assume "
            "anyway) the inherited step (59) ≤ εv/2 holds",
            "eqs. 59-60; corrected hypothesis of Lemma C.4",
            BUDGET_59_60,
            note="Alternatively keep l_b ≤ 1 and require |α| ≤ 1 of the α-event.",
        ),
    ),
    notes="Lemma C.4's l_b ≤ 1 loosens Lemma C.3's l_b ≤ 1/2; Theorems C.5/C.6 use l_b ≤ 1/2, so they are unaffected.",
)
