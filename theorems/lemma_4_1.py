"""Lemma 4.1 (Section 4.1; proof in Appendix A, eqs. 6-8): the reward-margin dynamics of DPO
under the gradient flow of the unembedding matrix W, single-token responses.

Each obligation evaluates the paper's expression exactly as printed on a random instance of the
softmax model (``dpoverify.gradcheck.Instance``) and compares it with the rate that automatic
differentiation of the real DPO loss gives (tau dW/dt = -grad_W L, the convention of eq. 6).
"""
import numpy as np
import sympy as sp
from scipy.special import expit

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import GradientIdentity
from theorems._notation import N, SYM, beta, t, tau

_i, _j = sp.symbols("i j", integer=True, positive=True)
_r = sp.IndexedBase("r")
_Cm = sp.IndexedBase("C")
_sigma = sp.Function("sigma")
_B, _T, _N = SYM["beta"], SYM["tau"], SYM["N"]

EQ3 = sp.Eq(_T * sp.Derivative(_r[_j], SYM["t"]),
            sp.Sum(_B ** 2 * _sigma(-_r[_i]) * _Cm[_i, _j], (_i, 1, _N)) / _N)


def eq6_weight_rate(x):
    """Eq. 6: tau dW/dt = (1/N) sum_i beta sigma(-beta (y_w,i - y_l,i)^T (W - W_0) g(x_i)) (y_w,i - y_l,i) g(x_i)^T."""
    D = x.Yw - x.Yl  # (N, V)
    inner = x.beta * np.einsum("nv,vd,nd->n", D, x.W - x.W0, x.G)
    return np.einsum("n,nv,nd->vd", x.beta * expit(-inner), D, x.G) / x.N


def eq7_weight_rate(x):
    """Eq. 7: tau dDW/dt = (1/N) sum_i beta sigma(-r_i) (y_w,i - y_l,i) g(x_i)^T, the underbraced
    argument being the reward margin r_i of x_i (here the model's actual margin)."""
    return np.einsum("n,nv,nd->vd", x.beta * expit(-x.r), x.Yw - x.Yl, x.G) / x.N


def eq8_margin_rate(x):
    """Eqs. 3 = 8: tau dr_j/dt = (1/N) sum_i beta^2 sigma(-r_i) (y_w,j - y_l,j)^T (y_w,i - y_l,i) Sigma_ij."""
    D = x.Yw - x.Yl
    Sigma = x.G @ x.G.T
    C = (D @ D.T) * Sigma  # C[i, j] = (y_w,j - y_l,j)^T (y_w,i - y_l,i) Sigma_ij
    return (x.beta ** 2 * expit(-x.r)) @ C / x.N


def eq3_new_sample_rate(x):
    """Section 4.1 / eq. 36: a new sample x~ follows tau r~' = (1/N) sum_i beta^2 sigma(-r_i) C(x_i, x~),
    C(x_i, x~) = (y~_w - y~_l)^T (y_w,i - y_l,i) g(x_i)^T g(x~)."""
    C = ((x.Yw - x.Yl) @ (x.Ywt - x.Ylt).T) * (x.G @ x.Gt.T)  # (N, M)
    return (x.beta ** 2 * expit(-x.r)) @ C / x.N


CLAIM = Claim(
    id="lemma-4.1",
    title="Reward-margin dynamics under gradient flow (single token)",
    source=Source(section="Section 4.1, Lemma 4.1; Appendix A", equations=("3", "6", "7", "8")),
    statement=(
        "Suppose g: V^T -> R^d is the non-linear mapping from the prompt to the last hidden state, "
        "which is connected to the model output f_theta(x) via the learnable unembedding layer matrix W. "
        "The dynamics for the reward margin under the gradient flow of the weight matrix can be expressed as "
        "tau r'_j = (1/N) sum_{i=1}^N beta^2 sigma(-r_i) (y_w,j - y_l,j)^T (y_w,i - y_l,i) Sigma_ij, (3) "
        "where tau is an inverse learning rate and Sigma_ij = g(x_i)^T g(x_j)."
    ),
    params=(beta, tau, N, t),
    hypotheses=(
        Statement("softmax", "f_theta(y|x) = S(W g(x))^T y, only W learns, g fixed",
                  "the model output is connected to the last hidden state g(x) via the unembedding W"),
        Statement("single-token", "y_w,i, y_l,i one-hot in R^|V|",
                  "preferred and rejected responses consist of one token (Section 4.1)"),
        Statement("flow", "tau dW/dt = -grad_W L_DPO(W)",
                  "gradient flow, tau an inverse learning rate (Appendix A, eq. 6)"),
    ),
    conclusions=(Statement("eq-3", EQ3, "tau r'_j = (1/N) sum_i beta^2 sigma(-r_i) C(x_i, x_j)"),),
    obligations=(
        Obligation("eq-6", Kind.SIMULATION, "weight dynamics of eq. 6 equal the gradient flow of the DPO loss",
                   "Appendix A, eq. 6", GradientIdentity("weight_rate", eq6_weight_rate)),
        Obligation("eq-7", Kind.SIMULATION, "eq. 7: the argument of sigma is the reward margin r_i",
                   "Appendix A, eq. 7", GradientIdentity("weight_rate", eq7_weight_rate)),
        Obligation("eq-3", Kind.SIMULATION, "margin dynamics of eqs. 3 and 8 equal autodiff of the real loss",
                   "Section 4.1, eq. 3; Appendix A, eq. 8", GradientIdentity("margin_rate", eq8_margin_rate),
                   note="Exact for the softmax model: log S(Wg)^T y_w - log S(Wg)^T y_l = (Wg)^T (y_w - y_l), "
                        "so the margin is linear in W and the normalization cancels."),
        Obligation("eq-3-new-sample", Kind.SIMULATION,
                   "a new sample x~ (not trained on) follows the same dynamics with C(x_i, x~)",
                   "Section 4.1 (interpretation: 'any new sample x~'); Appendix B, eq. 36",
                   GradientIdentity("test_margin_rate", eq3_new_sample_rate)),
    ),
)
