"""Bradley-Terry, DPO and IPO gradient identities, checked against autograd (engine: autodiff.py).

Bradley-Terry. With sigma(x) = 1/(1 + e^-x), the negative log-likelihood of "y_w preferred" at
reward margin r is -log sigma(r); since d/dx log sigma(x) = sigma(-x) (sigma' = sigma sigma(-x)),
    d/dr [-log sigma(r)] = -sigma(-r)                                    [step bt-nll]

DPO (Rafailov et al. 2023, eq. 7 and its gradient, Section 4). Take a softmax policy over V
responses with logits theta (pi_theta = softmax(theta)) and a reference with logits 0. The margin
m = log pi(y_w)/pi_ref(y_w) - log pi(y_l)/pi_ref(y_l) = theta_w - theta_l (the normalisers cancel),
so grad m = e_w - e_l. The DPO loss -log sigma(beta m) then has, by the chain rule and bt-nll,
    grad L_DPO = -beta sigma(-beta m) (e_w - e_l)                        [step dpo-gradient]
the implicit-reward-weighted gradient of the DPO paper: the pair's weight sigma(-beta m) is large
exactly when the implicit reward orders the pair wrongly.

IPO (Azar et al. 2024, eq. 17). The loss (m - 1/(2 beta))^2 has
    grad L_IPO = 2 (m - 1/(2 beta)) (e_w - e_l)                           [step ipo-gradient]
which vanishes at m = 1/(2 beta) instead of only as m -> infinity.

Here V = 5, y_w = response 0, y_l = response 3; theta is drawn at random by the engine.
"""
import dpoverify as dv

from .autodiff import AutodiffIdentity

V, W, L = 5, 0, 3


def _unit(theta, k):
    e = theta.new_zeros(theta.shape)
    e[k] = 1.0
    return e


def _margin(theta):
    logp = theta.log_softmax(0)
    return logp[W] - logp[L]  # the reference (logits 0) is uniform: its log-ratio cancels


def _bt_nll(theta, beta):
    import torch
    return -torch.nn.functional.logsigmoid(theta[0])


def _bt_nll_grad(theta, beta):
    return -(-theta).sigmoid()


def _dpo(theta, beta):
    import torch
    return -torch.nn.functional.logsigmoid(beta * _margin(theta))


def _dpo_grad(theta, beta):
    m = theta[W] - theta[L]
    return -beta * (-beta * m).sigmoid() * (_unit(theta, W) - _unit(theta, L))


def _ipo(theta, beta):
    return (_margin(theta) - 1 / (2 * beta)) ** 2


def _ipo_grad(theta, beta):
    m = theta[W] - theta[L]
    return 2 * (m - 1 / (2 * beta)) * (_unit(theta, W) - _unit(theta, L))


def _step(oid, title, cites, spec):
    return dv.Obligation(oid, dv.Kind.SIMULATION, title, cites, spec)


CLAIM = dv.Claim(
    id="bt-dpo.gradients",
    title="Bradley-Terry, DPO and IPO gradients of a softmax policy",
    source=dv.Source("DPO Section 4 (gradient of the DPO loss); IPO eq. 17"),
    statement="d/dr[-log sigma(r)] = -sigma(-r); for a softmax policy grad L_DPO = -beta sigma(-beta m)"
              "(e_w - e_l) and grad L_IPO = 2(m - 1/(2 beta))(e_w - e_l).",
    obligations=(
        _step("bt-nll", "derivative of the Bradley-Terry negative log-likelihood", "DPO eq. 2",
              AutodiffIdentity(1, _bt_nll, _bt_nll_grad)),
        _step("dpo-gradient", "DPO's gradient for a softmax policy", "DPO Section 4",
              AutodiffIdentity(V, _dpo, _dpo_grad)),
        _step("ipo-gradient", "IPO's gradient for a softmax policy", "IPO eq. 17",
              AutodiffIdentity(V, _ipo, _ipo_grad)),
    ),
)
