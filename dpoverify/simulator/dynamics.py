"""The gradient flow of Lemma 4.1 (eqs. 3, 7), integrated with scipy's error-controlled solve_ivp.

Two forms of the same flow, phi = -f' of the chosen loss (sigma(-r) for DPO):

weight space (eq. 7)  tau dDW/dt = (beta/N) sum_i phi(r_i) (y_w,i - y_l,i) g_i^T,
                      r_j = beta (y_w,j - y_l,j)^T DW g_j.
    State: DW (V x d) and A_j = int_0^t phi(r_j) ds. One right-hand side costs two passes over
    the data (margins from DW, then the phi-weighted cluster sums), O(N d), never the N x N kernel.
dense kernel (eq. 3)  tau dr_j/dt = (beta^2/N) sum_i phi(r_i) C(x_i, x_j).
    State: r and A. One right-hand side costs O(N^2), plus building C.

Both start at W = W_0 (r = 0, A = 0). The integrals A feed the generalization formula:
DW(t) = (beta/(N tau)) sum_j A_j(t) (y_w,j - y_l,j) g_j^T, so a fresh sample's margin is
r~(t) = (beta^2/(N tau)) sum_j C(x~, x_j) A_j(t).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp

from .backend import get_backend
from .data import Dataset
from .kernel import kernel as build_kernel
from .losses import check_loss, phi

METHODS = ("weight", "kernel")


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The solution at times ``t``: margins r (len(t), N), integrals A = int_0^t phi(r_j) ds
    (len(t), N) and, for the weight form, DW (len(t), V, d)."""

    dataset: Dataset
    loss: str
    method: str
    backend: str
    t: np.ndarray
    r: np.ndarray
    A: np.ndarray
    dW: np.ndarray | None
    nfev: int
    solver: str
    rtol: float
    atol: float
    seconds: dict = field(default_factory=dict)

    def index(self, T: float) -> int:
        """Index of time T in ``t`` (T must be one of the evaluation times)."""
        hits = np.flatnonzero(np.isclose(self.t, T, rtol=1e-12, atol=0.0))
        if len(hits) == 0:
            raise ValueError(f"T = {T!r} is not an evaluation time of this trajectory "
                             f"(t_eval = {self.t.tolist()[:6]}{'...' if len(self.t) > 6 else ''})")
        return int(hits[0])

    def integrals(self, T: float) -> np.ndarray:
        """A_j(T) = int_0^T phi(r_j(t)) dt for every training sample."""
        return self.A[self.index(T)]

    def delta_W(self, T: float) -> np.ndarray:
        """DW(T) = W(T) - W_0 (V x d); from the integrals when the kernel form was used."""
        i = self.index(T)
        if self.dW is not None:
            return self.dW[i]
        return weights_from_integrals(self.dataset, self.A[i])


def cluster_token_matrix(dataset: Dataset) -> np.ndarray:
    """E (2K, V): row k is y_w,k - y_l,k for cluster k."""
    ct = dataset.cluster_tokens
    E = np.zeros((len(ct), dataset.V))
    E[np.arange(len(ct)), ct[:, 0]] += 1.0
    E[np.arange(len(ct)), ct[:, 1]] -= 1.0
    return E


def weights_from_integrals(dataset: Dataset, A: np.ndarray, backend=None) -> np.ndarray:
    """DW = (beta/(N tau)) sum_j A_j (y_w,j - y_l,j) g_j^T."""
    r = dataset.regime
    be = backend or get_backend("numpy")
    X3 = dataset.blocks() if backend is None else be.put(dataset.blocks())
    S = be.aggregate(np.asarray(A, dtype=np.float64).reshape(2 * r.K, r.Q), X3)
    return (r.beta / (dataset.N * r.tau)) * (cluster_token_matrix(dataset).T @ S)


def _check_times(t_end, t_eval):
    if not (np.isfinite(t_end) and t_end > 0):
        raise ValueError(f"t_end must be a finite number > 0 (got {t_end!r})")
    t_eval = np.array([0.0, t_end]) if t_eval is None else np.asarray(t_eval, dtype=np.float64)
    if t_eval.ndim != 1 or len(t_eval) == 0 or np.any(np.diff(t_eval) <= 0) \
            or t_eval[0] < 0 or t_eval[-1] > t_end or not np.all(np.isfinite(t_eval)):
        raise ValueError("t_eval must be increasing finite times in [0, t_end]")
    return float(t_end), t_eval


def simulate(dataset: Dataset, t_end: float, *, loss: str = "dpo", t_eval=None,
             method: str = "weight", backend: str = "numpy", rtol: float = 1e-8,
             atol: float = 1e-10, solver: str = "RK45", first_step: float | None = None,
             dense_kernel: bool = False) -> Trajectory:
    """Integrate the flow from W = W_0 to ``t_end``; record r, A (and DW) at ``t_eval``
    (default: 0 and t_end). ``solver`` is any explicit solve_ivp method (RK45, DOP853, RK23);
    ``first_step`` its first trial step (None: scipy's heuristic). The flow is so smooth that
    ``first_step=t_end`` is usually accepted by the error control at rtol 1e-6 (7 right-hand sides
    with RK45 instead of ~40); a rejected trial step is retried smaller, so accuracy is kept.
    ``dense_kernel``: build every block of C for the kernel form, even those that are exactly 0."""
    check_loss(loss)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    t_end, t_eval = _check_times(t_end, t_eval)
    be = get_backend(backend)
    reg = dataset.regime
    N, d, V, nc, Q = dataset.N, dataset.d, dataset.V, 2 * reg.K, reg.Q
    beta, tau = reg.beta, reg.tau
    seconds = {}
    t0 = time.perf_counter()
    X3 = be.put(dataset.blocks())
    if method == "weight":
        E = cluster_token_matrix(dataset)
        scale = beta / (N * tau)

        def margins(dW: np.ndarray) -> np.ndarray:
            if not dW.any():
                return np.zeros(N)
            return beta * be.project(X3, E @ dW).ravel()

        def rhs(_t, y):
            p = phi(loss, margins(y[:V * d].reshape(V, d)))
            S = be.aggregate(p.reshape(nc, Q), X3)
            return np.concatenate([(scale * (E.T @ S)).ravel(), p])

        y0 = np.zeros(V * d + N)
    else:
        C = be.put(build_kernel(dataset, skip_zero_blocks=not dense_kernel))
        seconds["kernel"] = time.perf_counter() - t0
        scale = beta ** 2 / (N * tau)

        def rhs(_t, y):
            p = phi(loss, y[:N])
            return np.concatenate([scale * be.matvec(C, p), p])

        y0 = np.zeros(2 * N)
    t1 = time.perf_counter()
    opts = {} if first_step is None else {"first_step": float(first_step)}
    sol = solve_ivp(rhs, (0.0, t_end), y0, method=solver, t_eval=t_eval, rtol=rtol, atol=atol, **opts)
    if sol.status != 0:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    seconds["integrate"] = time.perf_counter() - t1
    Y = sol.y.T
    if method == "weight":
        dW = Y[:, :V * d].reshape(len(t_eval), V, d)
        r = np.stack([margins(w) for w in dW])
        A = Y[:, V * d:]
    else:
        dW, r, A = None, Y[:, :N], Y[:, N:]
    seconds["total"] = time.perf_counter() - t0
    return Trajectory(dataset=dataset, loss=loss, method=method, backend=be.name, t=sol.t,
                      r=r, A=A, dW=dW, nfev=int(sol.nfev), solver=solver, rtol=rtol, atol=atol,
                      seconds=seconds)
