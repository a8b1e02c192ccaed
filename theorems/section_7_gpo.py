"""Section 7, "What about methods beyond DPO?": for the GPO family (loss = mean of f(r_i)) the
margin dynamics are eq. 3 with sigma(-r_i) replaced by -f'(r_i); IPO uses f(r) = (r - 1)^2 and
SLiC f(r) = max(0, 1 - r).

Each obligation evaluates eq. 3 with the printed f's derivative and compares it with autodiff of
the gradient flow of the actual loss mean_i f(r_i) of the single-token softmax model.
"""
import numpy as np
import sympy as sp

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import GradientIdentity
from theorems._notation import N, SYM, beta, t, tau

_i, _j = sp.symbols("i j", integer=True, positive=True)
_r = sp.IndexedBase("r")
_Cm = sp.IndexedBase("C")
_f = sp.Function("f")
_B, _T, _N = SYM["beta"], SYM["tau"], SYM["N"]


def minus_f_prime_ipo(r):
    """-f'(r) for f(r) = (r - 1)^2."""
    return -2.0 * (r - 1.0)


def minus_f_prime_slic(r):
    """-f'(r) for f(r) = max(0, 1 - r) (differentiable off r = 1, which random instances avoid)."""
    return np.where(r < 1.0, 1.0, 0.0)


def _eq3_with(weight):
    def formula(x):
        D = x.Yw - x.Yl
        C = (D @ D.T) * (x.G @ x.G.T)
        return (x.beta ** 2 * weight(x.r)) @ C / x.N
    formula.__doc__ = f"eq. 3 with sigma(-r_i) replaced by {weight.__name__}(r_i)"
    return formula


eq3_ipo = _eq3_with(minus_f_prime_ipo)
eq3_slic = _eq3_with(minus_f_prime_slic)

CLAIM = Claim(
    id="section-7.gpo",
    title="GPO extension: eq. 3 with sigma(-r) replaced by -f'(r) (IPO, SLiC)",
    source=Source(section="Section 7, Discussions (methods beyond DPO)", equations=("3",)),
    statement=(
        "Our theoretical framework can be extended beyond DPO to a more general class of preference "
        "learning objectives presented in GPO. This is because the objective function can be written as "
        "the average of f(r_i), and the only modification to the dynamics would be replacing the "
        "sigma(-r_i) factor in Equation (3) with -f'(r_i). For example, we would use f(r_i) = (r_i - 1)^2 "
        "for IPO, and we would use f(r_i) = max(0, 1 - r_i) for SLiC."
    ),
    params=(beta, tau, N, t),
    hypotheses=(
        Statement("gpo-loss", "L(W) = (1/N) sum_i f(r_i(W))", "the objective is the average of f(r_i)"),
        Statement("lemma-4.1", "single-token softmax model, tau dW/dt = -grad_W L",
                  "the setting of Lemma 4.1"),
    ),
    conclusions=(Statement("gpo-eq-3", sp.Eq(_T * sp.Derivative(_r[_j], SYM["t"]), sp.Sum(
        -_B ** 2 * sp.Subs(sp.Derivative(_f(sp.Symbol("s")), sp.Symbol("s")), sp.Symbol("s"), _r[_i])
        * _Cm[_i, _j], (_i, 1, _N)) / _N), "tau r'_j = (1/N) sum_i beta^2 (-f'(r_i)) C(x_i, x_j)"),),
    depends_on=("lemma-4.1",),
    obligations=(
        Obligation("ipo", Kind.SIMULATION, "IPO, f(r) = (r - 1)^2: eq. 3 with -f'(r_i) = -2(r_i - 1)",
                   "Section 7", GradientIdentity("margin_rate", eq3_ipo, loss="ipo")),
        Obligation("slic", Kind.SIMULATION, "SLiC, f(r) = max(0, 1 - r): eq. 3 with -f'(r_i) = 1[r_i < 1]",
                   "Section 7", GradientIdentity("margin_rate", eq3_slic, loss="slic")),
    ),
)
