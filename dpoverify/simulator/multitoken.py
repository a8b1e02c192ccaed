"""The autoregressive softmax model of Section 4.3 and Appendix D, in torch (float64).

Response y_{w/l,i} has L tokens; its j-th token is drawn from S(W g(i, j, w/l)), where the hidden
state g(i, j, w/l) = g(x_i, y^(1), ..., y^(j-1)) is fixed (only the unembedding W learns). With
W_0 the reference weights,

    token reward   r(y^(j)_{w/l,i}) = beta (log S(W g(i,j,w/l)) - log S(W_0 g(i,j,w/l)))^T y^(j)_{w/l,i}
    response reward r(y_{w/l,i}) = sum_j r(y^(j)_{w/l,i})
    margin          r_i = r(y_{w,i}) - r(y_{l,i})
    loss            L(W) = (1/N) sum_i f(r_i)          (f of the GPO family, losses.py)

L = 1 with g(i, 1, w) = g(i, 1, l) = g(x_i) is the single-token model of Lemma 4.1.
"""
from __future__ import annotations

import numpy as np

from .losses import check_loss, f_torch


class SoftmaxPolicy:
    """Fixed embeddings Gw, Gl (N, L, d), token ids Tw, Tl (N, L), reference W0 (V, d), beta."""

    def __init__(self, Gw, Gl, Tw, Tl, W0, beta: float):
        import torch

        self.torch = torch
        t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))
        self.Gw, self.Gl, self.W0 = t(Gw), t(Gl), t(W0)
        self.Tw = torch.as_tensor(np.asarray(Tw, dtype=np.int64))
        self.Tl = torch.as_tensor(np.asarray(Tl, dtype=np.int64))
        self.beta = float(beta)
        if self.Gw.shape != self.Gl.shape or self.Gw.ndim != 3 or self.Tw.shape != self.Gw.shape[:2] \
                or self.Tl.shape != self.Tw.shape or self.W0.shape[1] != self.Gw.shape[2]:
            raise ValueError("SoftmaxPolicy: expected Gw, Gl (N, L, d), Tw, Tl (N, L), W0 (V, d)")

    def log_probs(self, W, G, T):
        """log S(W g)^T y for every position: (N, L)."""
        logits = self.torch.einsum("vd,nld->nlv", W, G)
        return self.torch.log_softmax(logits, dim=-1).gather(-1, T[..., None])[..., 0]

    def token_rewards(self, W):
        """(r(y^(j)_{w,i}), r(y^(j)_{l,i})), each (N, L)."""
        lw = self.log_probs(W, self.Gw, self.Tw) - self.log_probs(self.W0, self.Gw, self.Tw)
        ll = self.log_probs(W, self.Gl, self.Tl) - self.log_probs(self.W0, self.Gl, self.Tl)
        return self.beta * lw, self.beta * ll

    def response_rewards(self, W):
        rw, rl = self.token_rewards(W)
        return rw.sum(-1), rl.sum(-1)

    def margins(self, W):
        rw, rl = self.response_rewards(W)
        return rw - rl

    def loss(self, W, loss: str = "dpo"):
        return f_torch(check_loss(loss), self.margins(W)).mean()

    def probabilities(self, W):
        """(S(W g(i,j,w)), S(W g(i,j,l))), each (N, L, V)."""
        sw = self.torch.softmax(self.torch.einsum("vd,nld->nlv", W, self.Gw), dim=-1)
        sl = self.torch.softmax(self.torch.einsum("vd,nld->nlv", W, self.Gl), dim=-1)
        return sw, sl


def trl_metrics(chosen, rejected) -> dict[str, float]:
    """The reward statistics TRL's DPOTrainer logs, from per-sample chosen/rejected rewards
    beta log(pi/pi_ref); rewards/accuracies counts chosen > rejected strictly."""
    chosen = np.asarray(chosen, dtype=np.float64)
    rejected = np.asarray(rejected, dtype=np.float64)
    return {
        "rewards/chosen": float(chosen.mean()),
        "rewards/rejected": float(rejected.mean()),
        "rewards/margins": float((chosen - rejected).mean()),
        "rewards/accuracies": float((chosen > rejected).mean()),
    }


def policy_flow(policy: SoftmaxPolicy, t_end: float, *, tau: float = 1.0, loss: str = "dpo",
                t_eval=None, W=None, rtol: float = 1e-9, atol: float = 1e-12) -> dict[str, np.ndarray]:
    """Integrate tau dW/dt = -grad_W L(W) (gradient by torch autograd) from W (default W_0) with
    scipy's solve_ivp; returns t, W (len(t), V, d) and token rewards r_tok_w, r_tok_l (len(t), N, L)."""
    import torch
    from scipy.integrate import solve_ivp

    check_loss(loss)
    shape = tuple(policy.W0.shape)
    W_start = policy.W0.numpy() if W is None else np.asarray(W, dtype=np.float64)

    def rhs(_t, y):
        Wt = torch.as_tensor(y.reshape(shape)).requires_grad_(True)
        (g,) = torch.autograd.grad(policy.loss(Wt, loss), Wt)
        return -g.numpy().ravel() / tau

    t_eval = np.array([0.0, t_end]) if t_eval is None else np.asarray(t_eval, dtype=np.float64)
    sol = solve_ivp(rhs, (0.0, t_end), W_start.ravel(), t_eval=t_eval, rtol=rtol, atol=atol)
    if sol.status != 0:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    Ws = sol.y.T.reshape(len(sol.t), *shape)
    with torch.no_grad():
        rews = [policy.token_rewards(torch.as_tensor(w)) for w in Ws]
    return {"t": sol.t, "W": Ws, "r_tok_w": np.stack([a.numpy() for a, _ in rews]),
            "r_tok_l": np.stack([b.numpy() for _, b in rews])}


def policy_gradient_descent(policy: SoftmaxPolicy, t_end: float, steps: int, *, tau: float = 1.0,
                            loss: str = "dpo") -> np.ndarray:
    """``steps`` GD steps W <- W - eta grad L with eta = t_end/(steps tau) from W_0; returns W."""
    import torch

    W = policy.W0.clone().requires_grad_(True)
    lr = t_end / (steps * tau)
    for _ in range(steps):
        (g,) = torch.autograd.grad(policy.loss(W, loss), W)
        with torch.no_grad():
            W -= lr * g
    return W.detach().numpy()
