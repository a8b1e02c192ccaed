"""Ground truth for Lemma 4.1: real gradient descent, in torch (float64), on the unembedding W of
the single-token softmax model with the actual loss (eq. 1 for DPO; Section 7's GPO family).

A step W <- W - eta grad L(W) is the Euler step of the flow tau dW/dt = -grad L of length
dt = eta tau, so ``steps`` steps to time T use eta = T / (steps tau); as steps grow the margins
approach the flow's (tests show the error shrinking with the step).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import Dataset
from .losses import check_loss
from .multitoken import SoftmaxPolicy, trl_metrics


@dataclass(frozen=True)
class GDRun:
    t: np.ndarray  # (R,) times of the records
    r: np.ndarray  # (R, N) margins r_i
    chosen: np.ndarray  # (R, N) beta log pi(y_w|x)/pi_ref(y_w|x)
    rejected: np.ndarray  # (R, N) beta log pi(y_l|x)/pi_ref(y_l|x)
    metrics: list  # per record: TRL's rewards/chosen, rewards/rejected, rewards/margins, rewards/accuracies
    W: np.ndarray  # final weights (V, d)
    W0: np.ndarray
    steps: int
    lr: float


def policy_for(dataset: Dataset, W0: np.ndarray) -> SoftmaxPolicy:
    G = dataset.X.astype(np.float64)[:, None, :]
    return SoftmaxPolicy(G, G, dataset.y_w[:, None], dataset.y_l[:, None], W0, dataset.regime.beta)


def gradient_descent(dataset: Dataset, t_end: float, steps: int, *, loss: str = "dpo",
                     records: int = 1, W0: np.ndarray | None = None, w0_seed: int = 0) -> GDRun:
    """``steps`` full-batch GD steps to time ``t_end``; ``records`` equally spaced snapshots
    (plus t = 0). W0 defaults to a seeded N(0, 1/d) matrix (the margins do not depend on it; the
    chosen/rejected rewards do)."""
    import torch

    check_loss(loss)
    if steps < 1 or records < 1 or steps % records:
        raise ValueError("need steps >= 1, records >= 1 and records dividing steps")
    reg = dataset.regime
    if W0 is None:
        W0 = np.random.default_rng(w0_seed).standard_normal((dataset.V, dataset.d)) / np.sqrt(dataset.d)
    pol = policy_for(dataset, W0)
    lr = t_end / (steps * reg.tau)
    W = pol.W0.clone().requires_grad_(True)
    ts, rs, cs, js, ms = [], [], [], [], []

    def snap(t):
        with torch.no_grad():
            cw, cl = pol.response_rewards(W)
        c, j = cw.numpy().copy(), cl.numpy().copy()
        ts.append(t), rs.append(c - j), cs.append(c), js.append(j), ms.append(trl_metrics(c, j))

    snap(0.0)
    every = steps // records
    for s in range(1, steps + 1):
        L = pol.loss(W, loss)
        (g,) = torch.autograd.grad(L, W)
        with torch.no_grad():
            W -= lr * g
        if s % every == 0:
            snap(s * lr * reg.tau)
    return GDRun(t=np.array(ts), r=np.array(rs), chosen=np.array(cs), rejected=np.array(js),
                 metrics=ms, W=W.detach().numpy().copy(), W0=np.asarray(W0, dtype=np.float64),
                 steps=steps, lr=lr)
