"""Section 4.3 and Appendix D (eqs. 5, 76-80): token-reward dynamics of DPO with multi-token
responses, an autoregressive softmax model with fixed hidden states g(i, j, w/l).

For a token y of the training set with embedding g* (y = y^(j)_{w/l,i}, g* = g(i, j, w/l)), eq. 5
(= eq. 80) states

  tau dr(y)/dt = (beta^2/N) sum_i sigma(r(y_l,i) - r(y_w,i)) sum_j [ y^T y^(j)_w,i C*(i,j,w) - y^T y^(j)_l,i C*(i,j,l)
                 - p(i,j,w) C*(i,j,w) + p(i,j,l) C*(i,j,l) + d_p(i,j,w) C*(i,j,w) - d_p(i,j,l) C*(i,j,l) ]
  C*(i,j,w/l) = g(i,j,w/l)^T g*,  p(i,j,w/l) = S(W g(i,j,w/l))^T y - S(W g*)^T y^(j)_{w/l,i},
  d_p(i,j,w/l) = S(W g*)^T S(W g(i,j,w/l)).

Differentiating r(y) = beta (log S(W g*) - log S(W_0 g*))^T y along eq. 79 gives the factor
(y - S(W g*))^T (y^(j)_{w/l,i} - S(W g(i,j,w/l))), whose middle terms are
-(S(W g(i,j,w/l))^T y + S(W g*)^T y^(j)_{w/l,i}): a SUM, where the printed p has a difference.
The obligation "eq-5" evaluates the printed formula (so the engine decides); "eq-5-corrected"
(NOT the paper's formula, labelled as a correction) uses the sum. "eq-79" checks the weight
dynamics, "eq-78" the printed loss gradient, which lacks eq. 79's factor 1/N.
"""
import numpy as np
from scipy.special import expit

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import GradientIdentity
from theorems._notation import N, beta, t, tau


def _token_rate(x, p_sign: float):
    """Eq. 80 at every training position (g*, y) = (g(a,b,s), y^(b)_{s,a}); p_sign = -1 is the
    printed p (difference), +1 the corrected one. Returns (N, L, 2), s = w (0) / l (1)."""
    wts = x.beta ** 2 * expit(x.r_l - x.r_w) / x.N  # sigma(r(y_l,i) - r(y_w,i))
    Gs = np.stack([x.Gw, x.Gl], axis=2)  # (N, L, 2, d) all g*
    Ys = np.stack([x.Yw_seq, x.Yl_seq], axis=2)  # (N, L, 2, V) the matching y
    Ss = np.stack([x.Sw, x.Sl], axis=2)  # S(W g*)
    out = np.zeros(Gs.shape[:3])
    for sgn, G_i, Y_i, S_i in ((1.0, x.Gw, x.Yw_seq, x.Sw), (-1.0, x.Gl, x.Yl_seq, x.Sl)):
        # index: a,b,s = position of (g*, y); i,j = summed training position
        Cstar = np.einsum("ijd,absd->absij", G_i, Gs)  # C*(i,j,.)
        cooc = np.einsum("absv,ijv->absij", Ys, Y_i)  # y^T y^(j)_{.,i}
        p = np.einsum("ijv,absv->absij", S_i, Ys) + p_sign * np.einsum("absv,ijv->absij", Ss, Y_i)
        dp = np.einsum("absv,ijv->absij", Ss, S_i)  # S(W g*)^T S(W g(i,j,.))
        out += sgn * np.einsum("i,absij->abs", wts, (cooc - p + dp) * Cstar)
    return out


def eq5_as_printed(x):
    """Eq. 5 / 80 exactly as printed (p(i,j,w/l) = S(Wg(i,j,w/l))^T y - S(Wg*)^T y^(j)_{w/l,i})."""
    return _token_rate(x, -1.0)


def eq5_corrected(x):
    """Correction (not the paper's formula): p(i,j,w/l) = S(Wg(i,j,w/l))^T y + S(Wg*)^T y^(j)_{w/l,i}."""
    return _token_rate(x, +1.0)


def _outer_sum(x):
    """sum_i sigma(r(y_l,i) - r(y_w,i)) sum_j (y_w g_w^T - y_l g_l^T - S(Wg_w) g_w^T + S(Wg_l) g_l^T), (N, V, d) terms."""
    inner = (np.einsum("ijv,ijd->ivd", x.Yw_seq - x.Sw, x.Gw)
             - np.einsum("ijv,ijd->ivd", x.Yl_seq - x.Sl, x.Gl))
    return np.einsum("i,ivd->vd", expit(x.r_l - x.r_w), inner)


def eq79_weight_rate(x):
    """Eq. 79: tau dW/dt = (beta/N) sum_i sigma(r(y_l,i) - r(y_w,i)) sum_j (y^(j)_w,i g(i,j,w)^T - y^(j)_l,i g(i,j,l)^T
    - S(W g(i,j,w)) g(i,j,w)^T + S(W g(i,j,l)) g(i,j,l)^T)."""
    return x.beta / x.N * _outer_sum(x)


def eq78_weight_rate(x):
    """Eq. 78 as printed: grad_W L = -beta sum_i sigma(r(y_l,i) - r(y_w,i)) sum_j (d log S(W g(i,j,w))^T y_w/dW
    - d log S(W g(i,j,l))^T y_l/dW), no 1/N; with eq. 77, d log S(Wg)^T y/dW = (y - S(Wg)) g^T.
    Returned as tau dW/dt = -grad_W L (the flow convention of eqs. 6 and 79)."""
    return x.beta * _outer_sum(x)


CLAIM = Claim(
    id="eq-5",
    title="Token-reward dynamics with multi-token responses",
    source=Source(section="Section 4.3; Appendix D", equations=("5", "76", "77", "78", "79", "80")),
    statement=(
        "We have the following dynamics for the reward of token y with corresponding embedding g*: "
        "tau dr(y)/dt = (beta^2/N) sum_{i=1}^N sigma(r(y_l,i) - r(y_w,i)) sum_{j=1}^L [ y^T y^(j)_w,i C*(i,j,w) "
        "- y^T y^(j)_l,i C*(i,j,l) - p(i,j,w) C*(i,j,w) + p(i,j,l) C*(i,j,l) + d_p(i,j,w) C*(i,j,w) "
        "- d_p(i,j,l) C*(i,j,l) ] (5), where C*(i,j,w/l) = g(i,j,w/l)^T g*, p(i,j,w/l) = S(Wg(i,j,w/l))^T y "
        "- S(Wg*)^T y^(j)_{w/l,i}, d_p(i,j,w/l) = S(Wg*)^T S(Wg(i,j,w/l))."
    ),
    params=(beta, tau, N, t),
    hypotheses=(
        Statement("autoregressive", "p(y^(j) | x_i, y^(<j)) = S(W g(i,j,w/l)), g(i,j,w/l) fixed",
                  "token-wise softmax of the unembedding W applied to the fixed hidden states"),
        Statement("token-reward", "r(y^(j)_{w/l,i}) = beta (log S(W g(i,j,w/l)) - log S(W_0 g(i,j,w/l)))^T y^(j)_{w/l,i}",
                  "Section 4.3; r(y_{w/l,i}) = sum_j r(y^(j)_{w/l,i})"),
        Statement("flow", "tau dW/dt = -grad_W L_DPO(W)", "gradient flow (eq. 79)"),
    ),
    conclusions=(Statement("eq-5", "tau dr(y)/dt = (beta^2/N) sum_i sigma(r(y_l,i) - r(y_w,i)) sum_j [...]",
                           "Eq. 5 = eq. 80"),),
    depends_on=("lemma-4.1",),
    notes=("Only the sign of the second term of p(i,j,w/l) is wrong; the token co-occurrence and output "
           "distribution correlation (d_p) terms are right. Eq. 78 also lacks the 1/N of the loss, "
           "restored in eq. 79, and writes S(Wg) g for the outer product S(Wg) g^T."),
    obligations=(
        Obligation("eq-79", Kind.SIMULATION, "weight dynamics of eq. 79 equal the DPO gradient flow",
                   "Appendix D, eq. 79", GradientIdentity("weight_rate", eq79_weight_rate, model="multi-token")),
        Obligation("eq-78", Kind.SIMULATION, "the printed loss gradient of eq. 78 (no 1/N) equals -tau dW/dt",
                   "Appendix D, eq. 78", GradientIdentity("weight_rate", eq78_weight_rate, model="multi-token"),
                   note="Eq. 78 omits the 1/N of the loss; eq. 79 restores it. A typo-level slip.",
                   choices=("the loss is eq. 1's mean over the N samples",)),
        Obligation("eq-5", Kind.SIMULATION, "token-reward dynamics of eqs. 5 and 80 as printed equal autodiff",
                   "Section 4.3, eq. 5; Appendix D, eq. 80",
                   GradientIdentity("token_reward_rate", eq5_as_printed, model="multi-token"),
                   choices=("the token reward r(y) = beta (log S(W g*) - log S(W_0 g*))^T y of Section 4.3, "
                            "differentiated along the flow of eq. 79",),
                   refuted_means="the probability factor p has the wrong sign"),
        Obligation("eq-5-corrected", Kind.SIMULATION,
                   "CORRECTION (not the paper's formula): eq. 5 with p = S(Wg(i,j,w/l))^T y + S(Wg*)^T y^(j)_{w/l,i}",
                   "Section 4.3 / Appendix D (corrected by dpoverify)",
                   GradientIdentity("token_reward_rate", eq5_corrected, model="multi-token"),
                   note="Added by dpoverify: the sign inside p that the derivation from eq. 79 gives."),
    ),
)
