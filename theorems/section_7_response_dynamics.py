"""Section 7, failure modes: the dynamics of the rewards of the individual responses,
tau r'_{w/l,j} = (1/N) sum_i beta^2 sigma(-r_i) y_{w/l,j}^T (y_w,i - y_l,i) Sigma_ij,
with r_{w,j}, r_{l,j} the rewards beta log pi(y|x_j)/pi_ref(y|x_j) of the preferred and rejected
responses (single token, the setting of Lemma 4.1).

Obligation "as-printed" evaluates the printed formula; autodiff of the real softmax model gives
tau r'_{w/l,j} = (1/N) sum_i beta^2 sigma(-r_i) (y_{w/l,j} - S(W g(x_j)))^T (y_w,i - y_l,i) Sigma_ij:
the log-softmax normalization contributes -S(W g(x_j))^T (y_w,i - y_l,i), which cancels in the
margin r_w - r_l (eq. 3) but not in the individual rewards. Obligation "corrected" (NOT the paper's
formula, labelled as a correction) checks that expression.
"""
import numpy as np
from scipy.special import expit

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import GradientIdentity
from theorems._notation import N, beta, t, tau


def response_rates_as_printed(x):
    """(N, 2): column 0 tau r'_{w,j}, column 1 tau r'_{l,j}, exactly as printed in Section 7."""
    D = x.Yw - x.Yl
    Sigma = x.G @ x.G.T
    wts = x.beta ** 2 * expit(-x.r) / x.N  # (N,) over i
    out = []
    for Y in (x.Yw, x.Yl):  # y_{w/l,j}
        share = Y @ D.T  # [j, i] = y_{w/l,j}^T (y_w,i - y_l,i)
        out.append((share * Sigma.T) @ wts)  # Sigma_ij with i the summed index
    return np.stack(out, axis=-1)


def response_rates_corrected(x):
    """Correction (not in the paper): y_{w/l,j} replaced by y_{w/l,j} - S(W g(x_j))."""
    D = x.Yw - x.Yl
    Sigma = x.G @ x.G.T
    wts = x.beta ** 2 * expit(-x.r) / x.N
    S = x.Sw[:, 0]  # (N, V) S(W g(x_j))
    out = []
    for Y in (x.Yw, x.Yl):
        share = (Y - S) @ D.T
        out.append((share * Sigma.T) @ wts)
    return np.stack(out, axis=-1)


CLAIM = Claim(
    id="section-7.response-dynamics",
    title="Dynamics of the individual preferred / rejected response rewards",
    source=Source(section="Section 7, Discussions (failure modes of alignment)"),
    statement=(
        "Additionally, we can utilize our reward dynamics frameworks to look at the reward for individual "
        "responses: tau r'_{w/l,j} = (1/N) sum_{i=1}^N beta^2 sigma(-r_i) y_{w/l,j}^T (y_w,i - y_l,i) Sigma_ij "
        "with r_{w,j}, r_{l,j} corresponding to the preferred and rejected responses respectively."
    ),
    params=(beta, tau, N, t),
    hypotheses=(
        Statement("lemma-4.1", "single-token softmax model, tau dW/dt = -grad_W L_DPO",
                  "the setting of Lemma 4.1"),
        Statement("reward", "r_{w/l,j} = beta log S(W g(x_j))^T y_{w/l,j} - beta log S(W_0 g(x_j))^T y_{w/l,j}",
                  "the reward of an individual response, beta log pi_theta/pi_ref (Section 3)"),
    ),
    conclusions=(Statement("response-rate",
                           "tau r'_{w/l,j} = (1/N) sum_i beta^2 sigma(-r_i) y_{w/l,j}^T (y_w,i - y_l,i) Sigma_ij",
                           "as printed"),),
    depends_on=("lemma-4.1",),
    notes=("The printed formula is the rate of the unnormalized logit reward beta (W - W_0) g(x_j) . y; for the "
           "reward beta log pi/pi_ref of Section 3 it omits -S(W g(x_j))^T (y_w,i - y_l,i) Sigma_ij, which is "
           "zero only where pi(y_w,i | x_j) = pi(y_l,i | x_j) (e.g. uniform outputs). The omitted term is the "
           "same for r_w and r_l, so the conclusion that both rewards move together is, if anything, stronger."),
    obligations=(
        Obligation("as-printed", Kind.SIMULATION, "the printed response-reward dynamics equal autodiff",
                   "Section 7", GradientIdentity("response_reward_rate", response_rates_as_printed),
                   choices=("individual rewards read as beta log pi(y|x)/pi_ref(y|x), Section 3's implicit reward "
                            "(for the unnormalized logit reward the printed formula is right)",),
                   refuted_means="drops the log-softmax term (it cancels in the margin)"),
        Obligation("corrected", Kind.SIMULATION,
                   "CORRECTION (not the paper's formula): with y_{w/l,j} - S(W g(x_j)) in place of y_{w/l,j}",
                   "Section 7 (corrected by dpoverify)",
                   GradientIdentity("response_reward_rate", response_rates_corrected),
                   note="Added by dpoverify: the log-softmax normalization term the printed formula drops."),
    ),
)
